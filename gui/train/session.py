"""The Train tab's state: the running training run, its progress, the parameter count.

:class:`TrainingSession` owns no widget. It starts a :class:`gui.worker.TrainingRun`
(the trainer in its own QThread), relays the run's events as its own signals (the
worker's signals are per run, the session's last as long as the tab), keeps what the
5 Hz display timer shows in a :class:`Progress`, and counts the chosen model's
parameters through one :class:`gui.tasks.LatestTask`, so a newer count replaces an
older one and a late answer for an earlier choice never arrives.
"""

from __future__ import annotations

import time
from pathlib import Path

from PySide6.QtCore import QObject, Signal, Slot

from core import BUILTIN_DIGITS
from core.config import TrainConfig
from core.events import BatchEnded, CheckpointSaved, EpochEnded, FitEnded, FitStarted
from gui import errors
from gui.tasks import LatestTask
from gui.train.jobs import count_model_parameters
from gui.worker import TrainingRun


class Progress:
    """What the display timer shows: updated by the run's events, read ~5 times a second."""

    def __init__(self, epochs: int = 0) -> None:
        self.t0 = time.monotonic()
        self.paused_since: float | None = None
        self.paused_total = 0.0
        self.epoch = 0
        self.epochs = epochs
        self.start_epoch = 1
        self.step = 0
        self.steps = 0
        self.images_per_second = 0.0

    def elapsed(self) -> float:
        now = self.paused_since or time.monotonic()
        return now - self.t0 - self.paused_total

    def fraction(self) -> float:
        """Share of this run's planned batches done (epochs resumed from count as done)."""
        total = self.epochs - self.start_epoch + 1
        if total <= 0 or self.steps <= 0:
            return 0.0
        done = (self.epoch - self.start_epoch) + self.step / self.steps if self.epoch else 0.0
        return min(1.0, max(0.0, done / total))

    def eta(self) -> float | None:
        f = self.fraction()
        return None if f <= 0 else self.elapsed() * (1 - f) / f

    def pause_clock(self) -> None:
        if self.paused_since is None:
            self.paused_since = time.monotonic()

    def resume_clock(self) -> None:
        if self.paused_since is not None:
            self.paused_total += time.monotonic() - self.paused_since
            self.paused_since = None


class TrainingSession(QObject):
    """One training run at a time, and the parameter count of the chosen model.

    Signals: ``training_state_changed(bool)`` when a run starts and once its thread
    is gone; the run's events ``started(FitStarted)``, ``batch_ended(BatchEnded)``,
    ``epoch_ended(EpochEnded)``, ``checkpoint_saved(CheckpointSaved)``, ``paused()``,
    ``resumed()``; its end: ``failed(object)`` with the exception, ``fit_ended(FitEnded)``,
    ``run_finished(str run_dir, str best_pt)`` when it left a best.pt (also after a
    stop), and ``training_finished(object)`` last, with the summary dict or None;
    ``params_counted(object)`` with (trainable, total), ``params_failed(object)``.
    """

    training_state_changed = Signal(bool)
    started = Signal(object)
    batch_ended = Signal(object)
    epoch_ended = Signal(object)
    checkpoint_saved = Signal(object)
    phase_progressed = Signal(object)  # PhaseProgressed (gui.train.phase shows it)
    paused = Signal()
    resumed = Signal()
    failed = Signal(object)
    fit_ended = Signal(object)
    run_finished = Signal(str, str)
    training_finished = Signal(object)
    params_counted = Signal(object)
    params_failed = Signal(object)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.source = BUILTIN_DIGITS
        self.config: TrainConfig | None = None  # the newest run's (started or starting)
        self.run: TrainingRun | None = None
        self.progress = Progress()
        self.error: BaseException | None = None  # the last run's, None when it did not fail
        self.error_details = ""
        self.last_summary: dict | None = None
        self.last_run_dir: str | None = None  # the newest run that really started
        self.best_pt: str | None = None
        self.kept: dict[str, CheckpointSaved] = {}  # the newest checkpoint of each kind
        self.param_counts: tuple[int, int] | None = None
        self.params = LatestTask(self)
        self.params.finished.connect(self._on_params_counted)
        self.params.errored.connect(self.params_failed)
        self._shut_down = False

    # ------------------------------------------------------------------ parameters
    def count_parameters(self, arch: str, mode: str) -> None:
        """Count the model's parameters off the GUI thread (building vgg16 takes a moment)."""
        self.params.start(count_model_parameters, arch, mode, self.source)

    @Slot(object)
    def _on_params_counted(self, counts: tuple[int, int]) -> None:
        self.param_counts = (int(counts[0]), int(counts[1]))
        self.params_counted.emit(self.param_counts)

    # ------------------------------------------------------------------ run control
    def is_training(self) -> bool:
        return self.run is not None

    def is_paused(self) -> bool:
        return self.run is not None and self.run.is_paused

    def best_metric(self) -> str:
        """What decides the newest run's best epoch (TrainConfig.best_metric)."""
        return self.config.best_metric if self.config is not None else "val_acc"

    def is_stopping(self) -> bool:
        return self.run is not None and self.run.control.should_stop

    def start(self, config: TrainConfig) -> None:
        """Start training ``config`` in its own thread (one run at a time)."""
        if self.run is not None:
            raise RuntimeError("a training run is already going; stop it first")
        self.error, self.error_details = None, ""
        self.last_summary = None  # this run's, once it has one
        # the previous run's folder and best.pt stay until this one has really started
        self.progress = Progress(config.epochs)
        self.config = config
        run = TrainingRun(config)
        worker = run.worker
        worker.started.connect(self._on_started)
        worker.batch_ended.connect(self._on_batch)
        worker.epoch_ended.connect(self._on_epoch)
        worker.checkpoint_saved.connect(self._on_checkpoint)
        worker.phase_progressed.connect(self.phase_progressed)
        worker.paused.connect(self.paused)
        worker.resumed.connect(self.resumed)
        worker.errored.connect(self._on_errored)
        worker.finished.connect(self._on_worker_finished)
        run.thread.finished.connect(self._on_thread_finished)
        self.run = run
        run.start()
        self.training_state_changed.emit(True)

    def pause(self) -> None:
        if self.run is not None and not self.run.is_paused:
            self.run.pause()
            self.progress.pause_clock()

    def resume(self) -> None:
        if self.run is not None and self.run.is_paused:
            self.run.resume()
            self.progress.resume_clock()

    def stop(self) -> None:
        """Ask the run to stop between batches (last.pt is still written)."""
        if self.run is not None:
            self.run.stop()
            self.progress.resume_clock()

    def stop_and_wait(self, timeout_ms: int = 10_000) -> bool:
        """Stop and block until the training thread has ended (window close, app quit)."""
        run = self.run
        if run is None:
            return True
        run.stop()
        if not run.wait(timeout_ms):
            return False
        self._cleanup()
        return True

    def shutdown(self, timeout_ms: int = 10_000) -> bool:
        """Window closing: stop and wait for training, drop the count, ignore late events."""
        ok = self.stop_and_wait(timeout_ms)
        self._shut_down = True
        self.params.cancel()
        return ok

    # ------------------------------------------------------------------ the run's events
    @Slot(object)
    def _on_started(self, ev: FitStarted) -> None:
        """The run has really started: from now on it is the last run."""
        self.best_pt, self.kept = None, {}
        self.last_run_dir = ev.run_dir
        p = self.progress
        p.epochs, p.start_epoch, p.steps = ev.epochs, ev.start_epoch, ev.steps_per_epoch
        self.started.emit(ev)

    @Slot(object)
    def _on_batch(self, ev: BatchEnded) -> None:
        p = self.progress
        p.epoch, p.epochs, p.step, p.steps = ev.epoch, ev.epochs, ev.step, ev.steps
        p.images_per_second = ev.images_per_second
        self.batch_ended.emit(ev)

    @Slot(object)
    def _on_epoch(self, ev: EpochEnded) -> None:
        self.progress.epoch, self.progress.step = ev.epoch, self.progress.steps
        self.epoch_ended.emit(ev)

    @Slot(object)
    def _on_checkpoint(self, ev: CheckpointSaved) -> None:
        if ev.kind == "best":
            self.best_pt = ev.path
        self.kept[ev.kind] = ev
        self.checkpoint_saved.emit(ev)

    @Slot(object)
    def _on_errored(self, exc: BaseException) -> None:
        if self._shut_down:
            return
        self.error = exc
        if self.run is not None:
            self.error_details = self.run.outcome.error_details
        errors.report(exc, "training", show=False)  # to the log, with its traceback
        self.failed.emit(exc)

    @Slot(object)
    def _on_worker_finished(self, ev: FitEnded | None) -> None:
        if ev is None or self._shut_down:
            return
        self.last_summary = dict(ev.summary)
        self.fit_ended.emit(ev)
        best_pt = self.last_summary.get("best_pt") or self.best_pt
        if best_pt and Path(best_pt).is_file():
            self.best_pt = best_pt
            self.run_finished.emit(str(ev.run_dir), str(best_pt))

    @Slot()
    def _on_thread_finished(self) -> None:
        self._cleanup()

    def _cleanup(self) -> None:
        run, self.run = self.run, None
        if run is None:
            return
        run.release()
        self.training_state_changed.emit(False)
        self.training_finished.emit(self.last_summary)
