"""Reading one run folder, and the one rule for the best epoch; torch-free.

Split from core.runs (which re-exports every name here): :func:`read_metrics`,
:func:`read_run` and :class:`Run`, and :func:`is_better` / :func:`with_best` /
:func:`best_row`, which whoever marks "the best epoch" asks (the trainer while it
runs, early stopping, the Runs listing, the plots and tables afterwards).

A resume on other data starts "best" again (core.resume): the run records the first
epoch that counts as ``best_reset_epoch`` (config.json when the resumed fit starts,
summary.json and last.pt). :func:`read_run` marks the metrics rows before it with
:data:`BEFORE_RESET`, so :func:`with_best` and :func:`best_row` skip them wherever the
rows go, and everything that reads the folder agrees with the trainer.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from core.config import BEST_METRICS

METRICS_COLUMNS = ("epoch", "train_loss", "train_acc", "val_loss", "val_acc", "lr", "seconds")
RUN_FILES = ("config.json", "metrics.csv", "summary.json", "best.pt", "last.pt")
#: every batch's training loss (epoch, the run's global step, loss), for the batch curve
BATCH_LOSS_CSV = "batch_loss.csv"
BATCH_LOSS_COLUMNS = ("epoch", "step", "loss")
BATCH_CURVE_POINTS = 4096  # a resumed run's earlier batch curve: 4,096 to 8,191 points
_REQUIRED = METRICS_COLUMNS[:-1]  # files written before "seconds" existed still read
#: the key read_run sets (True) on a metrics row from before the run's best_reset_epoch
BEFORE_RESET = "before_best_reset"


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


def counts_for_best(row: dict, since: int | None = None) -> bool:
    """Whether ``row`` may be the best epoch: not before the run's best reset."""
    if row.get(BEFORE_RESET):
        return False
    return since is None or int(row["epoch"]) >= since


def with_best(
    rows: Iterable[dict], metric: str = "val_acc", since: int | None = None
) -> Iterator[tuple[dict, bool]]:
    """(row, is_best) per metrics row, as the trainer marked them while it ran.

    Rows before ``since`` (the run's ``best_reset_epoch``), or marked so by
    :func:`read_run`, are never the best.
    """
    best = None
    for row in rows:
        better = counts_for_best(row, since) and is_better(row[metric], best, metric)
        if better:
            best = row[metric]
        yield row, better


def best_row(
    rows: Iterable[dict], metric: str = "val_acc", since: int | None = None
) -> dict | None:
    """The best epoch's row (None without rows); see :func:`with_best` for ``since``."""
    found = None
    for row, better in with_best(rows, metric, since):
        if better:
            found = row
    return found


def best_reset_epoch(*records: dict | None) -> int | None:
    """The first epoch that counts for best after a resume on other data, from the
    first of ``records`` (summary.json, config.json, last.pt) that names one."""
    for record in records:
        value = (record or {}).get("best_reset_epoch")
        if isinstance(value, int | float) and not isinstance(value, bool) and value > 1:
            return int(value)
    return None


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


def iter_batch_losses(path: str | Path | None) -> Iterator[tuple[int, int, float]]:
    """(epoch, global step, loss) rows of a batch_loss.csv, read line by line; nothing when
    there is none. A line without its end (a kill cut it short) or unreadable is skipped."""
    if path is None:
        return
    try:
        with open(path, newline="", encoding="utf-8") as fh:
            if fh.readline().rstrip("\r\n") != ",".join(BATCH_LOSS_COLUMNS):
                return
            for line in fh:
                parts = line.rstrip("\r\n").split(",")
                if not line.endswith("\n") or len(parts) != 3:
                    continue
                try:
                    yield int(parts[0]), int(parts[1]), float(parts[2])
                except ValueError:
                    continue
    except (OSError, UnicodeDecodeError):
        return


def batch_curve(
    rows: Iterable[tuple[int, int, float]], up_to_step: int, limit: int = BATCH_CURVE_POINTS
) -> list[tuple[float, float]]:
    """(step, loss) of the rows up to ``up_to_step``, as at most 2 * ``limit`` means of
    equal runs of batches (bounded memory however long the run: runs double as needed)."""
    out: list[tuple[float, float]] = []
    size, step_sum, loss_sum, n = 1, 0.0, 0.0, 0
    for _, step, loss in rows:
        if step > up_to_step:
            continue
        step_sum, loss_sum, n = step_sum + step, loss_sum + loss, n + 1
        if n == size:
            out.append((step_sum / n, loss_sum / n))
            step_sum, loss_sum, n = 0.0, 0.0, 0
            if len(out) >= 2 * limit:  # merge neighbours: runs twice as long
                pairs = zip(out[0::2], out[1::2], strict=True)
                out = [((a[0] + b[0]) / 2, (a[1] + b[1]) / 2) for a, b in pairs]
                size *= 2
    if n:
        out.append((step_sum / n, loss_sum / n))
    return out


def read_json_object(path: Path, problems: list[str]) -> dict | None:
    """A JSON object file; None when missing, unreadable (said in ``problems``) or not one."""
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
    def best_reset_epoch(self) -> int | None:
        """The first epoch that counts for best (a resume on other data), or None."""
        return best_reset_epoch(self.summary, self.config)

    @property
    def best_epoch(self) -> int | None:
        """By the rule over metrics.csv; from summary.json when there are no rows."""
        row = best_row(self.rows, self.best_metric, self.best_reset_epoch)
        if row is not None:
            return int(row["epoch"])
        value = (self.summary or {}).get("best_epoch")
        return int(value) if isinstance(value, int | float) else None


def read_run(folder: str | Path) -> Run:
    """Read a run folder; raises RunError when it has neither best.pt nor metrics.csv."""
    folder = Path(folder)
    if not (folder / "best.pt").is_file() and not (folder / "metrics.csv").is_file():
        raise RunError(f"{folder} is not a training run: it has neither best.pt nor metrics.csv.")
    return read_files(folder)


def read_files(folder: Path) -> Run:
    """Whatever of metrics.csv, summary.json and config.json is there and readable; the
    rows before a best reset are marked (:data:`BEFORE_RESET`)."""
    run = Run(folder)
    metrics = folder / "metrics.csv"
    if metrics.is_file():
        try:
            run.rows = read_metrics(metrics)
        except (OSError, RunError) as exc:
            run.problems.append(f"Could not read {metrics}: {exc}")
    run.summary = read_json_object(folder / "summary.json", run.problems)
    run.config = read_json_object(folder / "config.json", run.problems)
    since = run.best_reset_epoch
    if since is not None:
        for row in run.rows:
            if row["epoch"] < since:
                row[BEFORE_RESET] = True
    return run


def is_file(path: Path) -> bool:
    """``path.is_file()``, False where the file system refuses to say."""
    try:
        return path.is_file()
    except OSError:
        return False


__all__ = [
    "BATCH_CURVE_POINTS",
    "BATCH_LOSS_COLUMNS",
    "BATCH_LOSS_CSV",
    "BEFORE_RESET",
    "METRICS_COLUMNS",
    "RUN_FILES",
    "Run",
    "RunError",
    "best_metric",
    "best_reset_epoch",
    "batch_curve",
    "best_row",
    "counts_for_best",
    "is_better",
    "iter_batch_losses",
    "read_files",
    "read_json_object",
    "read_metrics",
    "read_run",
    "with_best",
]
