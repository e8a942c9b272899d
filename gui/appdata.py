"""Where the app keeps its own files: runs, the log, user presets.

One folder, ``~/.local/share/ConvStudio`` on Linux (``$XDG_DATA_HOME/ConvStudio`` when
set), computed in :mod:`core.appdirs` so that ``main.py train`` puts its runs where
the Runs tab looks. Tests point ``XDG_DATA_HOME`` at a temporary folder.
"""

from __future__ import annotations

from pathlib import Path

from core.appdirs import APP_FOLDER, data_dir, runs_dir  # the same folders as the CLI, Qt-free

__all__ = ["APP_FOLDER", "data_dir", "log_path", "runs_dir"]


def log_path() -> Path:
    """The log file of background errors (Help > Show log)."""
    return data_dir() / "convstudio.log"
