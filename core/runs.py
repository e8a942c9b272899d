"""The one reader of run folders, and the one rule for the best epoch; torch-free.

A run folder (see design.md) holds config.json, metrics.csv, summary.json, best.pt
and last.pt. Resuming a run, File > Open run and the plots all read it through
:func:`read_metrics` / :func:`read_run`, and whoever marks "the best epoch" (the
trainer while it runs, the plots and table afterwards) asks :func:`is_better`.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

METRICS_COLUMNS = ("epoch", "train_loss", "train_acc", "val_loss", "val_acc", "lr", "seconds")
RUN_FILES = ("config.json", "metrics.csv", "summary.json", "best.pt", "last.pt")
_REQUIRED = METRICS_COLUMNS[:-1]  # files written before "seconds" existed still read


class RunError(ValueError):
    """A folder is not a training run, or one of its files is not what a run writes."""


def is_better(val_acc: float, best: float | None) -> bool:
    """THE best-epoch rule: strictly higher validation accuracy, so ties keep the earlier epoch."""
    return best is None or val_acc > best


def with_best(rows: Iterable[dict]) -> Iterator[tuple[dict, bool]]:
    """(row, is_best) per metrics row, as the trainer marked them while it ran."""
    best = None
    for row in rows:
        better = is_better(row["val_acc"], best)
        if better:
            best = row["val_acc"]
        yield row, better


def best_row(rows: Iterable[dict]) -> dict | None:
    """The best epoch's row (None without rows)."""
    found = None
    for row, better in with_best(rows):
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
    def best_epoch(self) -> int | None:
        """By the rule over metrics.csv; from summary.json when there are no rows."""
        row = best_row(self.rows)
        if row is not None:
            return int(row["epoch"])
        value = (self.summary or {}).get("best_epoch")
        return int(value) if isinstance(value, int | float) else None


def read_run(folder: str | Path) -> Run:
    """Read a run folder; raises RunError when it has neither best.pt nor metrics.csv."""
    folder = Path(folder)
    metrics = folder / "metrics.csv"
    if not (folder / "best.pt").is_file() and not metrics.is_file():
        raise RunError(f"{folder} is not a training run: it has neither best.pt nor metrics.csv.")
    run = Run(folder)
    if metrics.is_file():
        try:
            run.rows = read_metrics(metrics)
        except (OSError, RunError) as exc:
            run.problems.append(f"Could not read {metrics}: {exc}")
    run.summary = _read_json(folder / "summary.json", run.problems)
    run.config = _read_json(folder / "config.json", run.problems)
    return run


__all__ = [
    "METRICS_COLUMNS",
    "RUN_FILES",
    "Run",
    "RunError",
    "best_row",
    "is_better",
    "read_metrics",
    "read_run",
    "with_best",
]
