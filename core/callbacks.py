"""The trainer's own callbacks: the NaN guard and the writers of the run folder.

As fastai's tracker callbacks and Lightning's ModelCheckpoint do, everything the loop
used to do besides training is an ordinary :class:`~core.events.Callback`, so the
loop in core.trainer stays the notes' steps. A :class:`~core.trainer.Trainer` puts
them first in its callback list, and the writers only in the main process (rank 0)
of a multi-process run:

* :class:`NaNGuard`: a non-finite batch or validation loss ends the run with a
  TrainingError that says what to change.
* :class:`RunFolderWriter`: config.json when the fit starts, metrics.csv after each
  epoch, summary.json at the end (also after an error).
* :class:`CheckpointWriter`: best.pt when an epoch is the best so far, last.pt after
  every epoch and at a stop; each save is announced with ``on_checkpoint``.

Every file is written to a temporary name and renamed, so a crash leaves the
previous version intact.
"""

from __future__ import annotations

import csv
import json
import math
import os
import shutil
from pathlib import Path
from typing import TYPE_CHECKING, Any

from core.events import (
    BatchEnded,
    Callback,
    CheckpointSaved,
    EpochEnded,
    FitEnded,
    FitStarted,
    TrainingError,
)
from core.runs import METRICS_COLUMNS

if TYPE_CHECKING:
    from core.trainer import Trainer


class NaNGuard(Callback):
    """Stop a diverging run at the first non-finite loss (fastai's TerminateOnNaNCallback)."""

    def __init__(self, lr: float) -> None:
        self.lr = lr  # the configured learning rate, named in the advice

    def on_batch_end(self, ev: BatchEnded) -> None:
        if not math.isfinite(ev.loss):
            raise TrainingError(
                f"The loss became {ev.loss} at epoch {ev.epoch}, step {ev.step}; training "
                f"diverged. Lower the learning rate (now {ev.lr:g}) and try again."
            )

    def on_epoch_end(self, ev: EpochEnded) -> None:
        if not math.isfinite(ev.val_loss):
            raise TrainingError(
                f"The validation loss became {ev.val_loss} at epoch {ev.epoch}; training "
                f"diverged. Lower the learning rate (now {self.lr:g}) and try again."
            )


class RunFolderWriter(Callback):
    """config.json, metrics.csv and summary.json of the trainer's run folder."""

    def __init__(self, trainer: Trainer) -> None:
        self.trainer = trainer
        self.rows: list[dict] = []

    def on_fit_start(self, ev: FitStarted) -> None:
        tr = self.trainer
        tr.run_dir.mkdir(parents=True, exist_ok=True)
        write_json(tr.run_dir / "config.json", tr.resolved_config())
        self.rows = list(tr.state.rows)  # a resumed run's earlier epochs

    def on_epoch_end(self, ev: EpochEnded) -> None:
        self.rows.append(ev.row())
        write_metrics(self.trainer.run_dir / "metrics.csv", self.rows)

    def on_fit_end(self, ev: FitEnded) -> None:
        self._write_summary(ev.summary)

    def on_exception(self, exc: BaseException) -> None:
        tr = self.trainer
        if tr.run_dir.is_dir() and tr.model is not None:  # the run had started
            self._write_summary(tr.summary(stopped=False))

    def _write_summary(self, summary: dict) -> None:
        self.trainer.run_dir.mkdir(parents=True, exist_ok=True)
        write_json(self.trainer.run_dir / "summary.json", summary)


class CheckpointWriter(Callback):
    """best.pt for the best epoch so far, last.pt (with the optimizer) for resuming."""

    def __init__(self, trainer: Trainer) -> None:
        self.trainer = trainer

    def on_fit_start(self, ev: FitStarted) -> None:
        """Resuming into a new folder: bring the earlier best.pt so best.pt matches best_val_acc."""
        resume = self.trainer.config.resume
        if resume:
            src, dst = Path(resume).parent / "best.pt", self.trainer.run_dir / "best.pt"
            if src.is_file() and not dst.exists():
                shutil.copy2(src, dst)

    def on_epoch_end(self, ev: EpochEnded) -> None:
        bundle = self.trainer.bundle(ev.epoch, ev.row())  # one copy of the weights for both
        if ev.is_best:
            self._save("best", bundle, ev.epoch, ev.val_acc)
        extra = self.trainer.training_state(ev.best_val_acc, ev.best_epoch, partial=False)
        self._save("last", {**bundle, **extra}, ev.epoch, ev.val_acc)

    def on_fit_end(self, ev: FitEnded) -> None:
        """After a stop: last.pt holds the last completed epoch, marked partial."""
        tr = self.trainer
        if not ev.stopped or tr.optimizer is None:
            return
        st = tr.state
        bundle = tr.bundle(st.epoch, st.rows[-1] if st.rows else {})
        extra = tr.training_state(st.best_val_acc, st.best_epoch, partial=True)
        self._save("last", {**bundle, **extra}, st.epoch, None)

    def _save(self, kind: str, ckpt: dict, epoch: int, val_acc: float | None) -> None:
        from core.checkpoint import save_atomic, save_bundle

        path = self.trainer.run_dir / f"{kind}.pt"
        if kind == "best":
            save_bundle(ckpt, path)
        else:
            save_atomic(ckpt, path)  # also optimizer/scheduler state: not a bare bundle
        saved = CheckpointSaved(kind=kind, path=str(path), epoch=epoch, val_acc=val_acc)
        self.trainer.emit("on_checkpoint", saved)


def write_metrics(path: Path, rows: list[dict]) -> None:
    """metrics.csv: one row per epoch, columns core.runs.METRICS_COLUMNS."""
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=METRICS_COLUMNS)
        writer.writeheader()
        for row in rows:
            writer.writerow({k: row[k] for k in METRICS_COLUMNS})
    os.replace(tmp, path)


def write_json(path: Path, obj: Any) -> None:
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "w", encoding="utf-8") as fh:
        json.dump(obj, fh, indent=2)
        fh.write("\n")
    os.replace(tmp, path)


__all__ = ["CheckpointWriter", "NaNGuard", "RunFolderWriter", "write_json", "write_metrics"]
