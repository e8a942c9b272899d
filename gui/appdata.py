"""Where the app keeps its own files: runs, the log, user presets.

One folder, ``~/.local/share/ConvStudio`` on Linux (Qt's generic data location plus
the app name; Qt's AppDataLocation would add the organisation and the app name,
giving ``ConvStudio/ConvStudio``). Tests point ``XDG_DATA_HOME`` at a temporary folder.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QStandardPaths

APP_FOLDER = "ConvStudio"


def data_dir() -> Path:
    """The app's data folder (not created here)."""
    base = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.GenericDataLocation)
    return Path(base) / APP_FOLDER if base else Path.home() / ".convstudio"


def runs_dir() -> Path:
    """Where the window puts new run folders by default."""
    return data_dir() / "runs"


def log_path() -> Path:
    """The log file of background errors (Help > Show log)."""
    return data_dir() / "convstudio.log"
