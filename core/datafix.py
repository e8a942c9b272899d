"""Fixing a folder dataset from its evaluation: move a file to another class, set it aside.

Every change is a rename inside the dataset root, logged to
``ROOT/_convstudio_changes.csv`` (time, action, from, to; paths relative to the root)
and undoable. Nothing is ever deleted or overwritten: a name already taken at the
target gets a " (2)" suffix, and an undo whose original place is taken again is
refused. "Set aside" moves a file to ``ROOT/_set_aside/`` keeping its relative path;
that folder is never scanned as a class (core.folders skips it).

Plain Python: no torch, no Qt.
"""

from __future__ import annotations

import csv
import os
import shutil
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from core.folders import SET_ASIDE_DIR
from core.messages import QT_TRANSLATE_NOOP

__all__ = [
    "CHANGES_CSV",
    "Change",
    "DataFixError",
    "move_to_class",
    "read_changes",
    "set_aside",
    "undo",
]

CHANGES_CSV = "_convstudio_changes.csv"
MOVE, SET_ASIDE, UNDO = "move", "set aside", "undo"
_SPLIT_NAMES = ("train", "valid", "val")


class DataFixError(ValueError):
    """A change cannot be made (outside the dataset, the file is gone, the place is taken)."""


# Why a fix failed, translated by the window (core.messages)
OUTSIDE = QT_TRANSLATE_NOOP("CoreMessages", "'{path}' is not inside the dataset folder '{root}'.")
NO_FREE_NAME = QT_TRANSLATE_NOOP("CoreMessages", "No free name next to '{path}'.")
GONE = QT_TRANSLATE_NOOP(
    "CoreMessages", "'{path}' is no longer there: it was moved or renamed since."
)
TAKEN = QT_TRANSLATE_NOOP("CoreMessages", "'{path}' already exists; nothing was moved.")
CANNOT_MOVE = QT_TRANSLATE_NOOP("CoreMessages", "Could not move '{name}': {reason}.")
NO_LOG = QT_TRANSLATE_NOOP(
    "CoreMessages",
    "Could not write the change log {log} ({reason}); the file was left where it was.",
)
NOT_IN_CLASS = QT_TRANSLATE_NOOP(
    "CoreMessages",
    "'{path}' is not inside a folder of the class '{name}', so it cannot be moved to another "
    "class.",
)
NOT_A_CLASS = QT_TRANSLATE_NOOP("CoreMessages", "'{name}' is not a class folder name.")
ALREADY_IN_CLASS = QT_TRANSLATE_NOOP("CoreMessages", "'{file}' is already in the class '{name}'.")
ALREADY_ASIDE = QT_TRANSLATE_NOOP("CoreMessages", "'{file}' is already set aside.")
UNDO_OF_UNDO = QT_TRANSLATE_NOOP(
    "CoreMessages", "An undo cannot be undone; make the change again instead."
)
BACK_TAKEN = QT_TRANSLATE_NOOP(
    "CoreMessages", "'{path}' exists again, so '{name}' cannot go back there; move it by hand."
)


@dataclass(frozen=True)
class Change:
    """One logged change: ``src`` and ``dst`` are absolute paths."""

    time: str
    action: str
    src: str
    dst: str


def _inside(root: Path, path: Path) -> Path:
    """``path`` relative to ``root``; DataFixError when it is not inside it."""
    real_root, real = os.path.realpath(root), os.path.realpath(path)
    if os.path.commonpath([real_root, real]) != real_root or real == real_root:
        raise DataFixError(OUTSIDE.format(path=path, root=root))
    return Path(os.path.relpath(real, real_root))


def _free(path: Path) -> Path:
    """``path``, or "name (2).ext", "name (3).ext" ... when that name is taken."""
    if not os.path.lexists(path):
        return path
    for n in range(2, 10_000):
        candidate = path.with_name(f"{path.stem} ({n}){path.suffix}")
        if not os.path.lexists(candidate):
            return candidate
    raise DataFixError(NO_FREE_NAME.format(path=path))


def _log(root: Path, change: Change) -> None:
    log = root / CHANGES_CSV
    new = not log.exists()
    with open(log, "a", newline="", encoding="utf-8", errors="surrogateescape") as fh:
        writer = csv.writer(fh)
        if new:
            writer.writerow(["time", "action", "from", "to"])
        writer.writerow(
            [
                change.time,
                change.action,
                os.path.relpath(change.src, root),
                os.path.relpath(change.dst, root),
            ]
        )


def _rename(root: Path, action: str, src: Path, dst: Path) -> Change:
    """Move ``src`` to ``dst`` (never over a file), then log it; a failed log moves it back."""
    if not src.is_file():
        raise DataFixError(GONE.format(path=src))
    if os.path.lexists(dst):
        raise DataFixError(TAKEN.format(path=dst))
    try:
        dst.parent.mkdir(parents=True, exist_ok=True)
        shutil.move(os.fspath(src), os.fspath(dst))
    except OSError as exc:
        raise DataFixError(CANNOT_MOVE.format(name=src.name, reason=exc.strerror or exc)) from exc
    change = Change(datetime.now().isoformat(timespec="seconds"), action, str(src), str(dst))
    try:
        _log(root, change)
    except OSError as exc:
        shutil.move(os.fspath(dst), os.fspath(src))
        raise DataFixError(
            NO_LOG.format(log=root / CHANGES_CSV, reason=exc.strerror or exc)
        ) from exc
    return change


def _class_part(rel: Path, class_name: str) -> int:
    """Which part of a dataset-relative path is the class folder (0, or 1 under a split)."""
    parts = rel.parts
    if len(parts) >= 2 and parts[0] == class_name:
        return 0
    if len(parts) >= 3 and parts[0].lower() in _SPLIT_NAMES and parts[1] == class_name:
        return 1
    raise DataFixError(NOT_IN_CLASS.format(path=rel, name=class_name))


def move_to_class(
    root: str | os.PathLike, path: str | os.PathLike, from_class: str, to_class: str
) -> Change:
    """Move an image from its class folder to ``to_class``'s (same split, same sub-path)."""
    root, path = Path(root), Path(path)
    if not to_class or to_class in (".", "..") or "/" in to_class or os.sep in to_class:
        raise DataFixError(NOT_A_CLASS.format(name=to_class))
    if to_class == from_class:
        raise DataFixError(ALREADY_IN_CLASS.format(file=path.name, name=to_class))
    rel = _inside(root, path)
    index = _class_part(rel, from_class)
    parts = list(rel.parts)
    parts[index] = to_class
    return _rename(root, MOVE, path, _free(root.joinpath(*parts)))


def set_aside(root: str | os.PathLike, path: str | os.PathLike) -> Change:
    """Move an image out of the class folders into ROOT/_set_aside/ (same relative path)."""
    root, path = Path(root), Path(path)
    rel = _inside(root, path)
    if rel.parts[0] == SET_ASIDE_DIR:
        raise DataFixError(ALREADY_ASIDE.format(file=path.name))
    return _rename(root, SET_ASIDE, path, _free(root / SET_ASIDE_DIR / rel))


def undo(root: str | os.PathLike, change: Change) -> Change:
    """Put a moved file back where it was; logged as "undo move" / "undo set aside"."""
    if change.action.startswith(UNDO):
        raise DataFixError(UNDO_OF_UNDO)
    root = Path(root)
    src, dst = Path(change.dst), Path(change.src)
    _inside(root, src)
    if os.path.lexists(dst):
        raise DataFixError(BACK_TAKEN.format(path=dst, name=src.name))
    return _rename(root, f"{UNDO} {change.action}", src, dst)


def read_changes(root: str | os.PathLike) -> list[Change]:
    """The dataset's change log, oldest first (absolute paths); [] when there is none."""
    root = Path(root)
    try:
        with open(root / CHANGES_CSV, newline="", encoding="utf-8", errors="surrogateescape") as fh:
            rows = list(csv.DictReader(fh))
    except FileNotFoundError:
        return []
    return [
        Change(r["time"], r["action"], str(root / r["from"]), str(root / r["to"]))
        for r in rows
        if r.get("from") and r.get("to")
    ]
