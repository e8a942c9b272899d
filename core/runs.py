"""The one reader of run folders, and the one rule for the best epoch; torch-free.

A run folder (see design.md) holds config.json, metrics.csv, summary.json, best.pt
and last.pt. Resuming a run, File > Open run and the plots all read it through
:func:`read_metrics` / :func:`read_run`, and whoever marks "the best epoch" (the
trainer while it runs, early stopping, the plots and table afterwards) asks
:func:`is_better` with the run's ``best_metric`` (validation accuracy or loss).

The Runs panel and ``main.py runs`` list folders with :func:`list_runs` (one
:class:`RunEntry` per folder, never an exception) and compare settings with
:func:`config_diff`. Whether a run is still training is told by the lock file its
writer keeps (:data:`LOCK_FILE`, see :func:`write_lock`).
"""

from __future__ import annotations

import csv
import json
import math
import os
import socket
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field, fields
from datetime import datetime
from pathlib import Path

from core.config import BEST_METRICS
from core.messages import QT_TRANSLATE_NOOP

METRICS_COLUMNS = ("epoch", "train_loss", "train_acc", "val_loss", "val_acc", "lr", "seconds")
RUN_FILES = ("config.json", "metrics.csv", "summary.json", "best.pt", "last.pt")
_REQUIRED = METRICS_COLUMNS[:-1]  # files written before "seconds" existed still read


class RunError(ValueError):
    """A folder is not a training run, or one of its files is not what a run writes."""


def is_better(
    value: float, best: float | None, metric: str = "val_acc", min_delta: float = 0.0
) -> bool:
    """THE best-epoch rule: a higher validation accuracy, or a lower validation loss when
    ``metric`` is "val_loss", than ``best`` by more than ``min_delta`` (early stopping's
    margin; 0 for best.pt). Strictly better, so ties keep the earlier epoch."""
    if best is None:
        return True
    if metric == "val_loss":
        return value < best - min_delta
    return value > best + min_delta


def best_metric(config: dict | None) -> str:
    """The metric a run's config.json names (runs from before the setting: val_acc)."""
    metric = (config or {}).get("best_metric")
    return metric if metric in BEST_METRICS else "val_acc"


def with_best(rows: Iterable[dict], metric: str = "val_acc") -> Iterator[tuple[dict, bool]]:
    """(row, is_best) per metrics row, as the trainer marked them while it ran."""
    best = None
    for row in rows:
        better = is_better(row[metric], best, metric)
        if better:
            best = row[metric]
        yield row, better


def best_row(rows: Iterable[dict], metric: str = "val_acc") -> dict | None:
    """The best epoch's row (None without rows)."""
    found = None
    for row, better in with_best(rows, metric):
        if better:
            found = row
    return found


def read_metrics(path: str | Path, up_to_epoch: int | None = None) -> list[dict]:
    """A run's metrics.csv as rows of numbers (``epoch`` an int), up to ``up_to_epoch``.

    Rows with a missing or unreadable number are skipped; ``seconds`` defaults to 0.
    Raises OSError when the file cannot be read and RunError when it is not a
    ConvStudio metrics.csv.
    """
    rows = []
    with open(path, newline="", encoding="utf-8") as fh:
        reader = csv.DictReader(fh)
        if reader.fieldnames is None or not set(_REQUIRED) <= set(reader.fieldnames):
            raise RunError(f"{path} is not a ConvStudio metrics.csv (missing columns).")
        for raw in reader:
            try:
                row = {k: float(raw[k]) for k in _REQUIRED}
                row["seconds"] = float(raw.get("seconds") or 0.0)
            except (TypeError, ValueError):
                continue
            row["epoch"] = int(row["epoch"])
            if up_to_epoch is None or row["epoch"] <= up_to_epoch:
                rows.append(row)
    return rows


def _read_json(path: Path, problems: list[str]) -> dict | None:
    if not path.is_file():
        return None
    try:
        value = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        problems.append(f"Could not read {path}: {exc}")
        return None
    if not isinstance(value, dict):
        problems.append(f"{path} does not hold a JSON object.")
        return None
    return value


@dataclass
class Run:
    """What :func:`read_run` found in a run folder; files it could not read are in ``problems``."""

    folder: Path
    rows: list[dict] = field(default_factory=list)
    summary: dict | None = None
    config: dict | None = None
    problems: list[str] = field(default_factory=list)

    @property
    def best_pt(self) -> Path | None:
        path = self.folder / "best.pt"
        return path if path.is_file() else None

    @property
    def last_pt(self) -> Path | None:
        path = self.folder / "last.pt"
        return path if path.is_file() else None

    @property
    def best_metric(self) -> str:
        """What decides this run's best epoch (config.json's best_metric)."""
        return best_metric(self.config)

    @property
    def best_epoch(self) -> int | None:
        """By the rule over metrics.csv; from summary.json when there are no rows."""
        row = best_row(self.rows, self.best_metric)
        if row is not None:
            return int(row["epoch"])
        value = (self.summary or {}).get("best_epoch")
        return int(value) if isinstance(value, int | float) else None


def read_run(folder: str | Path) -> Run:
    """Read a run folder; raises RunError when it has neither best.pt nor metrics.csv."""
    folder = Path(folder)
    if not (folder / "best.pt").is_file() and not (folder / "metrics.csv").is_file():
        raise RunError(f"{folder} is not a training run: it has neither best.pt nor metrics.csv.")
    return _read_files(folder)


def _read_files(folder: Path) -> Run:
    """Whatever of metrics.csv, summary.json and config.json is there and readable."""
    run = Run(folder)
    metrics = folder / "metrics.csv"
    if metrics.is_file():
        try:
            run.rows = read_metrics(metrics)
        except (OSError, RunError) as exc:
            run.problems.append(f"Could not read {metrics}: {exc}")
    run.summary = _read_json(folder / "summary.json", run.problems)
    run.config = _read_json(folder / "config.json", run.problems)
    return run


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
    best = best_row(rows, entry.best_metric)
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
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


# ----------------------------------------------------------------------------- diff and resume

DIFF_IGNORED = ("out", "resume")  # differ between any two runs: not a setting


def flat_settings(config: dict | None) -> dict:
    """A run's settings on one level: augmentation steps as ``train_transforms[1]`` ... and
    TrainConfig's defaults for settings an older config.json lacks. None: no settings."""
    if config is None:
        return {}
    from core.config import TrainConfig

    merged = {**TrainConfig().to_dict(), **config}
    flat: dict = {}
    for key, value in merged.items():
        if key in DIFF_IGNORED:
            continue
        if isinstance(value, list) and value and all(isinstance(s, dict) for s in value):
            for i, step in enumerate(value, start=1):
                flat[f"{key}[{i}]"] = _step_text(step)
        else:
            flat[key] = value
    return flat


def config_diff(configs: Sequence[dict | None]) -> list[tuple[str, list]]:
    """(setting, [value per run]) for every setting whose values are not all equal.

    Settings are compared as :func:`flat_settings` gives them, so two runs whose
    augmentation differs in one step show that step only; a missing value is None.
    """
    flats = [flat_settings(c) for c in configs]
    keys: dict[str, None] = {}
    for flat in flats:
        keys.update(dict.fromkeys(flat))
    diff = []
    for key in keys:
        values = [flat.get(key) for flat in flats]
        if any(v != values[0] for v in values[1:]):
            diff.append((key, values))
    return diff


def setting_text(value: object) -> str:
    """A setting's value as the diff shows it: strings as they are, the rest as JSON."""
    if isinstance(value, str):
        return value
    return "(none)" if value is None else json.dumps(value)


def duration(seconds: float | None) -> str:
    """m:ss or h:mm:ss; "--:--" when unknown (None, NaN or negative).

    The one format of a run's time: the Runs listing, ``main.py runs`` and the Train
    tab's elapsed/ETA all use it.
    """
    if seconds is None or not math.isfinite(seconds) or seconds < 0:
        return "--:--"
    whole = int(round(seconds))
    h, rem = divmod(whole, 3600)
    m, s = divmod(rem, 60)
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m}:{s:02d}"


def _step_text(step: dict) -> str:
    params = step.get("params") if isinstance(step.get("params"), dict) else {}
    args = ", ".join(f"{k}={json.dumps(v)}" for k, v in params.items())
    off = "" if step.get("enabled", True) else " (off)"
    return f"{step.get('name', '?')}({args}){off}"


def resume_config(folder: str | Path, epochs: int | None = None) -> dict:
    """The TrainConfig values that continue a run: its config.json, resumed from its last.pt
    into the same folder (``epochs``: a new total). Raises RunError when it cannot resume."""
    folder = Path(folder)
    problems: list[str] = []
    config = _read_json(folder / "config.json", problems)
    if config is None:
        raise RunError(" ".join(problems) or f"{folder} has no config.json, so it cannot resume.")
    if not _is_file(folder / "last.pt"):
        raise RunError(f"{folder} has no last.pt, so it cannot resume; start a new run.")
    values = {**config, "resume": str(folder / "last.pt"), "out": str(folder)}
    if epochs is not None:
        values["epochs"] = int(epochs)
    return values


# ----------------------------------------------------------------------------- helpers


def _is_file(path: Path) -> bool:
    try:
        return path.is_file()
    except OSError:
        return False


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
    "METRICS_COLUMNS",
    "NOTE_FILE",
    "RUN_FILES",
    "STATUSES",
    "Run",
    "RunEntry",
    "RunError",
    "best_metric",
    "best_row",
    "config_diff",
    "duration",
    "find_run_folders",
    "flat_settings",
    "inspect_run",
    "is_better",
    "list_runs",
    "read_metrics",
    "read_note",
    "read_run",
    "remove_lock",
    "resume_config",
    "setting_text",
    "with_best",
    "write_lock",
    "write_note",
]
