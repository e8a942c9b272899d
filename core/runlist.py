"""Listing run folders: status, the lock file of a running run, the user's note; torch-free.

Split from core.runs (which re-exports every name here). The Runs panel and ``main.py
runs`` list folders with :func:`list_runs` (one :class:`RunEntry` per folder, never an
exception). Whether a run is still training is told by the lock file its writer keeps
(:data:`LOCK_FILE`, see :func:`write_lock`).
"""

from __future__ import annotations

import json
import math
import os
import socket
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, fields
from datetime import datetime
from pathlib import Path

from core.atomic import atomic_write
from core.messages import QT_TRANSLATE_NOOP
from core.runfiles import RUN_FILES, Run, best_row
from core.runfiles import is_file as _is_file
from core.runfiles import read_files as _read_files

# ----------------------------------------------------------------------------- listing

#: Kept in a run folder while a process trains into it: {"pid", "host", "started"}.
#: Written when the fit starts and removed when it ends (also after an error or a
#: stop); a lock whose process is gone was left by a kill or a crash.
LOCK_FILE = ".running"
NOTE_FILE = "notes.txt"
NOTE_MAX_BYTES = 64_000
#: A run on another machine (a shared folder), or one without a lock file, counts as
#: running while its newest file is younger than this: longer than an epoch usually takes.
RECENT_SECONDS = 15 * 60
SCAN_DEPTH = 3  # runs/<group>/<subgroup>/<run> is found; deeper folders are not walked
STATUSES = ("running", "finished", "stopped", "failed", "incomplete", "not a run")
#: (key, header): the listing's columns, in `runs --json` and the Runs panel
COLUMNS = (
    ("name", QT_TRANSLATE_NOOP("CoreMessages", "Name")),
    ("date", QT_TRANSLATE_NOOP("CoreMessages", "Date")),
    ("data", QT_TRANSLATE_NOOP("CoreMessages", "Data")),
    ("arch", QT_TRANSLATE_NOOP("CoreMessages", "Architecture")),
    ("mode", QT_TRANSLATE_NOOP("CoreMessages", "Mode")),
    ("augment", QT_TRANSLATE_NOOP("CoreMessages", "Augmentation")),
    ("epochs", QT_TRANSLATE_NOOP("CoreMessages", "Epochs")),
    ("best_val_acc", QT_TRANSLATE_NOOP("CoreMessages", "Best val acc")),
    ("best_epoch", QT_TRANSLATE_NOOP("CoreMessages", "Best epoch")),
    ("train_images_per_second", QT_TRANSLATE_NOOP("CoreMessages", "Train img/s")),
    ("seconds", QT_TRANSLATE_NOOP("CoreMessages", "Wall time")),
    ("status", QT_TRANSLATE_NOOP("CoreMessages", "Status")),
    ("note", QT_TRANSLATE_NOOP("CoreMessages", "Note")),
)
# Why a folder is not a finished run, translated by the window (core.messages)
NOT_A_RUN = QT_TRANSLATE_NOOP("CoreMessages", "Not a run folder: it has none of {files}.")
HALF_WRITTEN = QT_TRANSLATE_NOOP(
    "CoreMessages", "Half-written: no metrics.csv, best.pt or summary.json yet."
)
ENDED = QT_TRANSLATE_NOOP(
    "CoreMessages", "The training process ended without finishing (killed or crashed)."
)
ENDED_OLD_SUMMARY = QT_TRANSLATE_NOOP(
    "CoreMessages",
    "The training process ended without finishing (killed or crashed); summary.json is older.",
)
ENDED_NO_SUMMARY = QT_TRANSLATE_NOOP(
    "CoreMessages",
    "The training process ended without finishing (killed or crashed): there is no summary.json.",
)


@dataclass
class RunEntry:
    """One listed folder: the columns of :data:`COLUMNS`, and the :class:`Run` read from it.

    ``status`` is one of :data:`STATUSES`; ``problem`` says what is wrong with a failed,
    incomplete or non-run folder. ``date`` is when the run (or its last resume) started.
    """

    path: Path
    date: float | None = None
    data: str | None = None
    arch: str | None = None
    mode: str | None = None
    augment: str | None = None
    epochs: int | None = None
    epochs_planned: int | None = None
    best_val_acc: float | None = None
    best_epoch: int | None = None
    best_metric: str = "val_acc"
    train_images_per_second: float | None = None
    seconds: float | None = None
    status: str = "not a run"
    stopped_early: bool = False
    note: str = ""
    problem: str = ""
    run: Run | None = field(default=None, repr=False, compare=False)

    @property
    def name(self) -> str:
        return self.path.name

    @property
    def is_run(self) -> bool:
        return self.status != "not a run"

    def to_dict(self) -> dict:
        """The columns as JSON values (``date`` in ISO 8601, local time), plus the path."""
        date = self.date
        if date is not None:
            date = datetime.fromtimestamp(date).isoformat(timespec="seconds")
        values = {f.name: getattr(self, f.name) for f in fields(self) if f.name != "run"}
        return {"name": self.name, **values, "path": str(self.path), "date": date}


def inspect_run(folder: str | Path, *, now: float | None = None) -> RunEntry:
    """List one folder; never raises: what cannot be read is the entry's ``problem``."""
    folder = Path(folder)
    now = time.time() if now is None else now
    present = [name for name in RUN_FILES if _is_file(folder / name)]
    entry = RunEntry(folder, date=_mtime(folder), note=read_note(folder))
    if not present:
        entry.problem = NOT_A_RUN.format(files=", ".join(RUN_FILES))
        return entry
    run = _read_files(folder)
    entry.run = run
    _fill(entry, run)
    entry.status, entry.problem = _status(run, now)
    return entry


def _fill(entry: RunEntry, run: Run) -> None:
    config, summary, rows = run.config or {}, run.summary or {}, run.rows
    entry.date = _mtime(run.folder / "config.json") or entry.date
    entry.data = _text(summary.get("data")) or _text(config.get("data"))
    entry.arch = _text(config.get("arch")) or _text(summary.get("arch"))
    entry.mode = _text(config.get("mode")) or _text(summary.get("mode"))
    entry.augment = _augment_name(config.get("augment"))
    entry.epochs = int(rows[-1]["epoch"]) if rows else _whole(summary.get("epochs"))
    entry.epochs_planned = _whole(config.get("epochs")) or _whole(summary.get("epochs_planned"))
    entry.best_metric = run.best_metric
    best = best_row(rows, entry.best_metric, run.best_reset_epoch)
    if best is not None:
        entry.best_val_acc, entry.best_epoch = best["val_acc"], int(best["epoch"])
    else:
        entry.best_val_acc = _number(summary.get("best_val_acc"))
        entry.best_epoch = _whole(summary.get("best_epoch"))
    entry.train_images_per_second = _number(summary.get("train_images_per_second"))
    entry.seconds = _number(summary.get("seconds"))
    if entry.seconds is None and rows:
        entry.seconds = sum(row["seconds"] for row in rows)
    entry.stopped_early = summary.get("stopped_early") is True


def _status(run: Run, now: float) -> tuple[str, str]:
    """(status, problem): the lock file first, then summary.json (see :data:`LOCK_FILE`)."""
    folder, summary = run.folder, run.summary
    lock = _read_lock(folder)
    if lock is not None and _lock_alive(lock, folder, now):
        return "running", ""
    unfinished = not _is_file(folder / "summary.json")
    if lock is None and unfinished and now - _newest(folder) < RECENT_SECONDS:
        return "running", ""  # written without a lock (older versions): going by its files
    if run.problems:
        return "incomplete", " ".join(run.problems)
    if lock is not None:
        return "failed", ENDED if summary is None else ENDED_OLD_SUMMARY
    if summary is None:
        if not run.rows and run.best_pt is None:
            return "incomplete", HALF_WRITTEN
        return "failed", ENDED_NO_SUMMARY
    if summary.get("error"):
        return "failed", str(summary["error"])
    if summary.get("stopped"):
        return "stopped", ""
    return "finished", ""


def find_run_folders(root: str | Path, depth: int = SCAN_DEPTH) -> list[Path]:
    """The run folders under ``root`` (``root`` itself when it is one), sorted by path.

    A folder directly under ``root`` that neither is a run nor holds one is listed too,
    so the listing shows it as "not a run"; deeper ones are skipped. Hidden folders
    (a name starting with ".") are not walked.
    """
    root = Path(root)
    if _has_run_files(root):
        return [root]
    found: list[Path] = []
    for child in _subfolders(root):
        if _has_run_files(child):
            found.append(child)
        else:
            found += (_runs_below(child, depth - 1) if depth > 1 else []) or [child]
    return found


def _runs_below(folder: Path, depth: int) -> list[Path]:
    found: list[Path] = []
    for child in _subfolders(folder):
        if _has_run_files(child):
            found.append(child)
        elif depth > 1:
            found += _runs_below(child, depth - 1)
    return found


def list_runs(
    roots: Iterable[str | Path],
    *,
    now: float | None = None,
    check: Callable[[], None] | None = None,
) -> list[RunEntry]:
    """One entry per folder found under each root (missing roots give none), newest first.

    ``check`` is called between folders (a background task's cancel check).
    """
    seen: set[Path] = set()
    entries: list[RunEntry] = []
    for root in roots:
        for folder in find_run_folders(root):
            key = _resolved(folder)
            if key in seen:
                continue
            seen.add(key)
            if check is not None:
                check()
            entries.append(inspect_run(folder, now=now))
    entries.sort(key=lambda e: (e.date or 0.0, e.name), reverse=True)
    return entries


# ----------------------------------------------------------------------------- lock and note


def write_lock(folder: str | Path) -> None:
    """Mark ``folder`` as being trained into by this process (see :data:`LOCK_FILE`)."""
    info = {"pid": os.getpid(), "host": socket.gethostname(), "started": time.time()}
    _write_text(Path(folder) / LOCK_FILE, json.dumps(info) + "\n")


def remove_lock(folder: str | Path) -> None:
    """Remove this process's lock (a lock of another process is left alone)."""
    path = Path(folder) / LOCK_FILE
    lock = _read_lock(Path(folder))
    if lock is not None and lock.get("pid") == os.getpid():
        path.unlink(missing_ok=True)


def _read_lock(folder: Path) -> dict | None:
    try:
        value = json.loads((folder / LOCK_FILE).read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, ValueError):
        return {}  # unreadable: a lock all the same, whose process cannot be checked
    return value if isinstance(value, dict) else {}


def _lock_alive(lock: dict, folder: Path, now: float) -> bool:
    """The lock's process still runs (same machine); elsewhere: the run's files are fresh."""
    pid = lock.get("pid")
    if lock.get("host") == socket.gethostname() and isinstance(pid, int) and os.name == "posix":
        if pid == os.getpid():
            return True
        try:
            os.kill(pid, 0)  # signal 0: only asks whether the process exists
        except ProcessLookupError:
            return False
        except PermissionError:
            return True  # exists, owned by someone else
        except OSError:
            return False
        return True
    return now - _newest(folder) < RECENT_SECONDS


def read_note(folder: str | Path) -> str:
    """The user's note on a run (RUN/notes.txt), "" when there is none or it is unreadable."""
    try:
        with open(Path(folder) / NOTE_FILE, "rb") as fh:
            raw = fh.read(NOTE_MAX_BYTES)
    except OSError:
        return ""
    return raw.decode("utf-8", errors="replace").strip()


def write_note(folder: str | Path, text: str) -> None:
    """Keep a note in RUN/notes.txt (atomically); an empty note removes the file."""
    path = Path(folder) / NOTE_FILE
    text = text.strip()
    if not text:
        path.unlink(missing_ok=True)
        return
    if len(text.encode("utf-8")) > NOTE_MAX_BYTES:
        raise ValueError(f"A note holds at most {NOTE_MAX_BYTES:,} bytes; shorten it.")
    _write_text(path, text + "\n")


def _write_text(path: Path, text: str) -> None:
    with atomic_write(path, "w", encoding="utf-8") as fh:
        fh.write(text)


# ----------------------------------------------------------------------------- helpers


def _has_run_files(folder: Path) -> bool:
    return any(_is_file(folder / name) for name in RUN_FILES)


def _subfolders(folder: Path) -> list[Path]:
    try:
        with os.scandir(folder) as it:
            names = [e.name for e in it if not e.name.startswith(".") and e.is_dir()]
    except OSError:
        return []
    return [folder / name for name in sorted(names)]


def _resolved(path: Path) -> Path:
    try:
        return path.resolve()
    except (OSError, RuntimeError):
        return path.absolute()


def _mtime(path: Path) -> float | None:
    try:
        return path.stat().st_mtime
    except OSError:
        return None


def _newest(folder: Path) -> float:
    times = [_mtime(folder / name) for name in (*RUN_FILES, LOCK_FILE)]
    return max((t for t in times if t is not None), default=_mtime(folder) or 0.0)


def _text(value: object) -> str | None:
    return value if isinstance(value, str) and value else None


def _number(value: object) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value) if math.isfinite(value) else None


def _whole(value: object) -> int | None:
    number = _number(value)
    return int(number) if number is not None else None


def _augment_name(value: object) -> str | None:
    """The preset's name; "custom" for a pipeline from a spec file."""
    if not isinstance(value, str) or not value:
        return None
    return "custom" if value.lower().endswith(".json") or "/" in value or "\\" in value else value


__all__ = [
    "COLUMNS",
    "LOCK_FILE",
    "NOTE_FILE",
    "NOTE_MAX_BYTES",
    "RECENT_SECONDS",
    "STATUSES",
    "RunEntry",
    "find_run_folders",
    "inspect_run",
    "list_runs",
    "read_note",
    "remove_lock",
    "write_lock",
    "write_note",
]
