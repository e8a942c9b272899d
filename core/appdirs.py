"""Where the app keeps its own files, computed without Qt: the same folders as the GUI.

The app's data folder is Qt's GenericDataLocation plus "ConvStudio" (gui/appdata.py):
on Linux and other Unix ``$XDG_DATA_HOME/ConvStudio`` (an unset, empty or relative
``XDG_DATA_HOME`` means ``~/.local/share``, as the XDG spec and Qt read it), on macOS
``~/Library/Application Support/ConvStudio``, on Windows
``%LOCALAPPDATA%\\ConvStudio``. New runs go to its ``runs`` folder whoever starts
them, so a run trained with ``main.py train`` shows in the Runs tab. Plain Python.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

__all__ = ["APP_FOLDER", "data_dir", "drop_if_empty", "fresh_run_dir", "runs_dir"]

APP_FOLDER = "ConvStudio"


def _generic_data_location() -> Path:
    """What QStandardPaths.writableLocation(GenericDataLocation) gives on this system."""
    home = Path.home()
    if sys.platform == "win32":
        local = os.environ.get("LOCALAPPDATA", "").strip()
        return Path(local) if local else home / "AppData" / "Local"
    if sys.platform == "darwin":
        return home / "Library" / "Application Support"
    xdg = os.environ.get("XDG_DATA_HOME", "").strip()
    return Path(xdg) if xdg and os.path.isabs(xdg) else home / ".local" / "share"


def data_dir() -> Path:
    """The app's data folder (not created here)."""
    return _generic_data_location() / APP_FOLDER


def runs_dir() -> Path:
    """Where new run folders go when no output folder is given (not created here)."""
    return data_dir() / "runs"


def fresh_run_dir(arch: str, parent: str | os.PathLike | None = None) -> Path:
    """A new, empty run folder ``PARENT/<arch>-<date>-<time>[-n]`` (core.runfolder), in
    :func:`runs_dir` by default: what a run started without an output folder trains into,
    whether one process or several (torchrun, ``train --nproc N``) run it."""
    from core.runfolder import new_run_dir

    return new_run_dir(runs_dir() if parent is None else parent, arch)


def drop_if_empty(folder: Path | None) -> None:
    """Remove a :func:`fresh_run_dir` folder that its run left empty (it failed before
    writing anything). Only an empty folder is ever removed (``rmdir``)."""
    if folder is None:
        return
    try:
        folder.rmdir()
    except OSError:  # not empty (the run wrote something), or gone already
        pass
