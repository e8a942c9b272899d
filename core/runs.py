"""The one reader of run folders, and the one rule for the best epoch; torch-free.

A run folder (see design.md) holds config.json, metrics.csv, summary.json, best.pt
and last.pt. Resuming a run, File > Open run and the plots all read it through
:func:`read_metrics` / :func:`read_run`, and whoever marks "the best epoch" (the
trainer while it runs, early stopping, the plots and table afterwards) asks
:func:`is_better` with the run's ``best_metric`` (validation accuracy or loss), from
the run's ``best_reset_epoch`` on when a resume on other data started best again.

The Runs panel and ``main.py runs`` list folders with :func:`list_runs` (one
:class:`RunEntry` per folder, never an exception) and compare settings with
:func:`config_diff`. Whether a run is still training is told by the lock file its
writer keeps (:data:`LOCK_FILE`, see :func:`write_lock`).

The reading lives in core.runfiles and the listing in core.runlist; this module
names them all (import them from here) and holds the settings diff and the values
that resume a run.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from pathlib import Path

from core.runfiles import (
    BATCH_LOSS_COLUMNS,
    BATCH_LOSS_CSV,
    BEFORE_RESET,
    METRICS_COLUMNS,
    RUN_FILES,
    Run,
    RunError,
    batch_curve,
    best_metric,
    best_reset_epoch,
    best_row,
    counts_for_best,
    is_better,
    iter_batch_losses,
    read_json_object,
    read_metrics,
    read_run,
    with_best,
)
from core.runfiles import is_file as _is_file
from core.runlist import (
    COLUMNS,
    LOCK_FILE,
    NOTE_FILE,
    NOTE_MAX_BYTES,
    RECENT_SECONDS,
    STATUSES,
    RunEntry,
    find_run_folders,
    inspect_run,
    list_runs,
    read_note,
    remove_lock,
    write_lock,
    write_note,
)

# ----------------------------------------------------------------------------- diff and resume

#: differ between any two runs, or record what happened to one: not settings
DIFF_IGNORED = ("out", "resume", "best_reset_epoch")


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
    config = read_json_object(folder / "config.json", problems)
    if config is None:
        raise RunError(" ".join(problems) or f"{folder} has no config.json, so it cannot resume.")
    if not _is_file(folder / "last.pt"):
        raise RunError(f"{folder} has no last.pt, so it cannot resume; start a new run.")
    values = {**config, "resume": str(folder / "last.pt"), "out": str(folder)}
    if epochs is not None:
        values["epochs"] = int(epochs)
    return values


__all__ = [
    "BATCH_LOSS_COLUMNS",
    "BATCH_LOSS_CSV",
    "BEFORE_RESET",
    "COLUMNS",
    "LOCK_FILE",
    "METRICS_COLUMNS",
    "NOTE_FILE",
    "NOTE_MAX_BYTES",
    "RECENT_SECONDS",
    "RUN_FILES",
    "STATUSES",
    "Run",
    "RunEntry",
    "RunError",
    "batch_curve",
    "best_metric",
    "best_reset_epoch",
    "best_row",
    "config_diff",
    "counts_for_best",
    "duration",
    "find_run_folders",
    "flat_settings",
    "inspect_run",
    "is_better",
    "iter_batch_losses",
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
