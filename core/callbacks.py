"""The trainer's own callbacks: the NaN guard and the writers of the run folder.

As fastai's tracker callbacks and Lightning's ModelCheckpoint do, everything the loop
used to do besides training is an ordinary :class:`~core.events.Callback`, so the
loop in core.trainer stays the notes' steps. A :class:`~core.trainer.Trainer` puts
them first in its callback list, and the writers only in the main process (rank 0)
of a multi-process run:

* :class:`NaNGuard`: a non-finite batch or validation loss ends the run with a
  TrainingError that says what to change.
* :class:`RunFolderWriter`: config.json when the fit starts, metrics.csv and the
  epoch's batch losses (batch_loss.csv) after each last.pt, summary.json at the end
  (also after an error).
* :class:`CheckpointWriter`: best.pt when an epoch is the best so far, last.pt after
  every epoch and at a stop; each save is announced with ``on_checkpoint``.
* :class:`EvaluationWriter`: at the end, best.pt evaluated on the validation split into
  evaluation.json and predictions.csv (core.evaluate), announced as the phase
  "evaluation" (core.events.PhaseProgressed) before the listeners hear FitEnded.
* :class:`RunLock`: RUN/.running while the fit runs (how a listing tells "running").

The writers write only after the fit started (they saw ``on_fit_start``): a resume
that is refused, or a set-up that fails or is stopped, never replaces the run's
summary.json or last.pt.
* :class:`EarlyStopping` (with ``early_stop`` set, every rank): ends the run once the
  best-model metric stopped improving.

Every file is written to a temporary name and renamed, so a crash leaves the
previous version intact; batch_loss.csv alone is appended to (a line a kill cuts
short is skipped when it is read, and dropped when a resume writes the file again).
"""

from __future__ import annotations

import csv
import json
import logging
import math
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from core import phases
from core.atomic import atomic_write, disk_full_error, is_disk_full
from core.events import (
    BatchEnded,
    Callback,
    CheckpointSaved,
    EpochEnded,
    FitEnded,
    FitStarted,
    PhaseProgressed,
    TrainingError,
)
from core.runfiles import BATCH_LOSS_COLUMNS, BATCH_LOSS_CSV, iter_batch_losses
from core.runs import METRICS_COLUMNS, counts_for_best, is_better, remove_lock, write_lock

if TYPE_CHECKING:
    from core.trainer import Trainer


#: a batch loss this many times its starting value (at least 1) means divergence: a
#: healthy cross-entropy stays within a few times ln(classes); lr 1e6 on smallcnn
#: reached 5e13 without ever becoming NaN
EXPLODE_FACTOR = 100.0


class NaNGuard(Callback):
    """Stop a diverging run at the first non-finite loss (fastai's TerminateOnNaNCallback),
    or once the loss has exploded far above its starting value without becoming NaN."""

    def __init__(self, lr: float) -> None:
        self.lr = lr  # the configured learning rate, named in the advice
        self.start_loss: float | None = None  # the fit's first batch loss

    def on_fit_start(self, ev: FitStarted) -> None:
        self.start_loss = None

    def on_batch_end(self, ev: BatchEnded) -> None:
        if not math.isfinite(ev.loss):
            raise TrainingError(
                f"The loss became {ev.loss} at epoch {ev.epoch}, step {ev.step}; training "
                f"diverged. Lower the learning rate (now {ev.lr:g}) and try again."
            )
        if self.start_loss is None:
            self.start_loss = ev.loss
        elif ev.loss > EXPLODE_FACTOR * max(self.start_loss, 1.0):
            raise TrainingError(
                f"The loss grew to {ev.loss:.3g} at epoch {ev.epoch}, step {ev.step}, over "
                f"{EXPLODE_FACTOR:g} times its starting value {self.start_loss:.3g}; training "
                f"diverged. Lower the learning rate (now {ev.lr:g}) and try again."
            )

    def on_epoch_end(self, ev: EpochEnded) -> None:
        if not math.isfinite(ev.val_loss):
            raise TrainingError(
                f"The validation loss became {ev.val_loss} at epoch {ev.epoch}; training "
                f"diverged. Lower the learning rate (now {self.lr:g}) and try again."
            )


class RunFolderWriter(Callback):
    """config.json, metrics.csv, batch_loss.csv and summary.json of the run folder."""

    def __init__(self, trainer: Trainer) -> None:
        self.trainer = trainer
        self.rows: list[dict] = []
        self.batches: list[tuple[int, int, float]] = []  # not yet in batch_loss.csv
        self.started = False  # on_fit_start seen: before it, this fit writes nothing

    def on_fit_start(self, ev: FitStarted) -> None:
        from core.runfolder import prepare_run_folder

        self.started = True
        tr = self.trainer
        # temp files of a save a kill interrupted; the replaced run's files (--overwrite)
        prepare_run_folder(tr.run_dir, tr.overwrite)
        write_json(tr.run_dir / "config.json", tr.resolved_config())
        self.rows = list(tr.state.rows)  # a resumed run's earlier epochs, up to last.pt's
        self.batches = []
        if tr.config.resume:  # drop rows a kill left beyond last.pt
            write_metrics(tr.run_dir / "metrics.csv", self.rows)
        # batch_loss.csv afresh: a resumed run's rows up to last.pt's step, line by line
        earlier = Path(tr.config.resume).parent / BATCH_LOSS_CSV if tr.config.resume else None
        rows = (r for r in iter_batch_losses(earlier) if r[1] <= tr.state.global_step)
        write_batch_losses(tr.run_dir / BATCH_LOSS_CSV, rows, "w")

    def on_batch_end(self, ev: BatchEnded) -> None:
        self.batches.append((ev.epoch, ev.global_step, ev.loss))

    def on_epoch_end(self, ev: EpochEnded) -> None:
        self.rows.append(ev.row())  # written once last.pt holds the epoch: on_checkpoint

    def on_checkpoint(self, ev: CheckpointSaved) -> None:
        """metrics.csv and the epoch's batch losses after last.pt, so neither lists an
        epoch a resume cannot start from."""
        if ev.kind == "last":
            rows = [row for row in self.rows if row["epoch"] <= ev.epoch]
            write_metrics(self.trainer.run_dir / "metrics.csv", rows)
            # every batch so far: a stop's last.pt counts its partial epoch's steps too
            done, self.batches = self.batches, []
            write_batch_losses(self.trainer.run_dir / BATCH_LOSS_CSV, done, "a")

    def on_fit_end(self, ev: FitEnded) -> None:
        if self.started:  # a stop during the set-up keeps a resumed run's summary.json
            self._write_summary(ev.summary)

    def on_exception(self, exc: BaseException) -> None:
        if not self.started:  # a refused resume, a failed set-up: the run's files stay
            return
        try:
            self._write_summary(self.trainer.summary(stopped=False))
        except OSError:  # a full disk: the error being reported says so already
            pass

    def _write_summary(self, summary: dict) -> None:
        self.trainer.run_dir.mkdir(parents=True, exist_ok=True)
        write_json(self.trainer.run_dir / "summary.json", summary)


class CheckpointWriter(Callback):
    """best.pt for the best epoch so far, last.pt (with the optimizer) for resuming."""

    def __init__(self, trainer: Trainer) -> None:
        self.trainer = trainer
        self.started = False  # on_fit_start seen: before it, last.pt is never written

    def on_fit_start(self, ev: FitStarted) -> None:
        """Resuming into a new folder: bring the earlier best.pt so best.pt matches best_val_acc."""
        from core.atomic import copy_file

        self.started = True
        resume = self.trainer.config.resume
        if resume and self.trainer.state.best_epoch:  # none after a change of data
            src, dst = Path(resume).parent / "best.pt", self.trainer.run_dir / "best.pt"
            if src.is_file() and not dst.exists():
                copy_file(src, dst)

    def on_epoch_end(self, ev: EpochEnded) -> None:
        bundle = self.trainer.bundle(ev.epoch, ev.row())  # one copy of the weights for both
        if ev.is_best:
            self._save("best", bundle, ev.epoch, ev.val_acc)
        extra = self.trainer.training_state(ev.best_val_acc, ev.best_epoch, partial=False)
        self._save("last", {**bundle, **extra}, ev.epoch, ev.val_acc)

    def on_fit_end(self, ev: FitEnded) -> None:
        """After a stop: last.pt holds the last completed epoch, marked partial."""
        tr = self.trainer
        if not ev.stopped or not self.started:  # stopped in the set-up: last.pt stays
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


class EarlyStopping(Callback):
    """End the run once ``early_stop`` epochs in a row brought no improvement larger than
    ``min_delta`` of the best-model metric (as Lightning's EarlyStopping).

    It only raises the trainer's ``early_stopped_at`` flag: the loop ends after the
    epoch's files are written, like a finished run, and summary.json records
    ``"stopped_early": true`` and the epoch. A resumed run starts from the best of its
    earlier epochs with fresh patience.
    """

    def __init__(self, trainer: Trainer) -> None:
        self.trainer = trainer
        self.best: float | None = None
        self.wait = 0

    def on_fit_start(self, ev: FitStarted) -> None:
        self.best, self.wait = None, 0
        since = self.trainer.best_reset_epoch  # a resume on other data: best starts again
        for row in self.trainer.state.rows:  # a resumed run's earlier epochs
            if counts_for_best(row, since):
                self._improved(row)

    def on_epoch_end(self, ev: EpochEnded) -> None:
        if self._improved(ev.row()):
            self.wait = 0
            return
        self.wait += 1
        if self.wait >= self.trainer.config.early_stop and ev.epoch < ev.epochs:
            self.trainer.early_stopped_at = ev.epoch

    def _improved(self, row: dict) -> bool:
        cfg = self.trainer.config
        value = row[cfg.best_metric]
        if is_better(value, self.best, cfg.best_metric, cfg.min_delta):
            self.best = value
            return True
        return False


class EvaluationWriter(Callback):
    """RUN/evaluation.json and RUN/predictions.csv: best.pt on the validation split.

    At the end of a fit that started and was not stopped, on the trainer's own
    validation dataset (no second scan), in float32 with the bundle's eval pipeline,
    like `main.py evaluate`. Announced as the phase "evaluation" (``unit`` "images";
    ``done == total`` when it ends, also after a failure), before the listeners hear
    FitEnded. A Stop during it leaves the files out; a failure is logged, never the
    run's failure (the Evaluate panel computes them when the run is opened).
    """

    def __init__(self, trainer: Trainer) -> None:
        self.trainer = trainer
        self.started = False

    def on_fit_start(self, ev: FitStarted) -> None:
        self.started = True

    def on_fit_end(self, ev: FitEnded) -> None:
        tr = self.trainer
        best = tr.run_dir / "best.pt"
        splits = getattr(tr, "splits", None)
        if ev.stopped or not self.started or splits is None or not best.is_file():
            return
        from core.evaluate import write_run_evaluation

        total = len(splits.valid)
        evaluating = phases.EVALUATING.format(total=total)
        self._phase(0, total, evaluating)

        def moving(done: int, n: int) -> None:  # the last event is the one with the result
            if 0 < done < n:
                self._phase(done, n, evaluating)

        text = phases.EVALUATION_FAILED
        try:
            result = write_run_evaluation(
                best,
                splits.valid,
                tr.source,
                device=str(tr.device),
                should_stop=lambda: tr.control.should_stop,
                progress=moving,
            )
        except Exception as exc:  # noqa: BLE001 - the run itself succeeded
            logging.getLogger("convstudio").warning("evaluating %s failed: %s", best, exc)
        else:
            text = _evaluated_text(result, total)
        self._phase(total, total, text)

    def _phase(self, done: int, total: int, text: str) -> None:
        ev = PhaseProgressed("evaluation", done, total, "images", text)
        self.trainer.emit("on_phase", ev)


def _evaluated_text(result: object, total: int) -> str:
    """The evaluation phase's last line: what was written, and the accuracy."""
    if result is None:
        return phases.EVALUATION_STOPPED
    acc = (getattr(result, "metrics", None) or {}).get("accuracy")
    if isinstance(acc, int | float):
        return phases.EVALUATED.format(total=total, accuracy=100 * acc)
    return phases.EVALUATED_NO_ACCURACY.format(total=total)


class RunLock(Callback):
    """RUN/.running (core.runs.LOCK_FILE) while this process trains into the folder, so
    the Runs panel and ``main.py runs`` tell a running run from one that was killed.

    The trainer takes it before the set-up when the folder exists (a resume: loading
    weights and extracting features take a while), else when the fit starts, and
    releases it in its ``finally``; also at ``on_fit_end``, before the listeners hear
    the run ended, so a listing they refresh never shows it running."""

    def __init__(self, trainer: Trainer) -> None:
        self.trainer = trainer
        self.held = False

    def acquire(self) -> None:
        if self.held:
            return
        try:
            write_lock(self.trainer.run_dir)
            self.held = True
        except OSError:  # advisory only: the run itself must not fail for it
            pass

    def release(self) -> None:
        if not self.held:
            return
        self.held = False
        try:
            remove_lock(self.trainer.run_dir)
        except OSError:
            pass

    def on_fit_start(self, ev: FitStarted) -> None:
        self.acquire()

    def on_fit_end(self, ev: FitEnded) -> None:
        self.release()

    def on_exception(self, exc: BaseException) -> None:
        self.release()


def write_metrics(path: Path, rows: list[dict]) -> None:
    """metrics.csv: one row per epoch, columns core.runs.METRICS_COLUMNS (atomically)."""
    with atomic_write(path, "w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=METRICS_COLUMNS)
        writer.writeheader()
        for row in rows:
            writer.writerow({k: row[k] for k in METRICS_COLUMNS})


def write_batch_losses(path: Path, rows: Iterable[tuple[int, int, float]], mode: str) -> None:
    """batch_loss.csv: ``rows`` (epoch, global step, loss) appended (``mode`` "a": an
    epoch's batches; a kill may cut the last line, which the reader skips) or the whole
    file (``mode`` "w", atomically: as a fit starts)."""
    lines = (f"{e},{s},{loss!r}\n" for e, s, loss in rows)
    if mode == "a" and path.is_file():
        try:
            with open(path, "a", newline="", encoding="utf-8") as fh:
                fh.writelines(lines)
        except OSError as exc:
            if is_disk_full(exc):
                raise disk_full_error(path) from exc
            raise
        return
    with atomic_write(path, "w", newline="", encoding="utf-8") as fh:
        fh.write(",".join(BATCH_LOSS_COLUMNS) + "\n")
        fh.writelines(lines)


def write_json(path: Path, obj: Any) -> None:
    """``obj`` as indented JSON, atomically (core.atomic: a full disk keeps the old file)."""
    with atomic_write(path, "w", encoding="utf-8") as fh:
        json.dump(obj, fh, indent=2)
        fh.write("\n")


__all__ = [
    "CheckpointWriter",
    "EarlyStopping",
    "EvaluationWriter",
    "NaNGuard",
    "RunFolderWriter",
    "RunLock",
    "write_batch_losses",
    "write_json",
    "write_metrics",
]
