"""The training run's thread: core.trainer.fit in a QThread, its events as Qt signals.

``TrainingWorker`` is a plain QObject moved onto a QThread that has no parent (the
Qt-documented worker-object pattern; no QThread subclass, never ``terminate``). The
core trainer calls a :class:`~core.trainer.Callback`; the worker's callback turns
each event (a frozen dataclass of plain Python values) into a ``Signal(object)``.
Batch events are throttled so the GUI gets at most ~20 of them a second however fast
batches come; epoch ends and the last batch of an epoch are always delivered.

Stop and pause go through :class:`core.trainer.TrainControl` (threading.Events the
trainer checks between batches), so they are safe to call from the GUI thread.

PyTorch is imported only inside :meth:`TrainingWorker.run`, which runs after the main
window has loaded it in the background.
"""

from __future__ import annotations

import threading
import time
import traceback
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QObject, Qt, QThread, Signal, Slot

BATCH_INTERVAL_S = 0.05  # at most ~20 batch signals a second


class BatchThrottle:
    """Decide which batch events reach the GUI: ~20 a second, plus every epoch's last batch.

    Kept free of Qt so it can be tested on its own with a fake clock.
    """

    def __init__(self, interval_s: float = BATCH_INTERVAL_S, clock=time.monotonic) -> None:
        self.interval_s = interval_s
        self._clock = clock
        self._last = -float("inf")

    def should_emit(self, step: int, steps: int) -> bool:
        now = self._clock()
        if step >= steps or now - self._last >= self.interval_s:
            self._last = now
            return True
        return False


class _SignalCallback:
    """A core.trainer.Callback that forwards events to the worker's signals.

    Defined as a duck-typed object and wrapped into a real Callback subclass at run
    time (core.trainer imports torch, which gui modules must not do at import).
    """

    def __init__(self, worker: TrainingWorker) -> None:
        self._worker = worker
        self._throttle = BatchThrottle(worker.batch_interval_s)

    def on_fit_start(self, ev: Any) -> None:
        self._worker.started.emit(ev)

    def on_batch_end(self, ev: Any) -> None:
        if self._throttle.should_emit(ev.step, ev.steps):
            self._worker.batch_ended.emit(ev)

    def on_epoch_end(self, ev: Any) -> None:
        self._worker.epoch_ended.emit(ev)

    def on_checkpoint(self, ev: Any) -> None:
        self._worker.checkpoint_saved.emit(ev)

    def on_fit_end(self, ev: Any) -> None:
        self._worker.outcome.fit_ended = ev

    def on_exception(self, exc: BaseException) -> None:
        """The worker reports the exception itself once fit() has re-raised it."""

    def on_pause(self, *args: Any) -> None:
        self._worker.paused.emit()

    def on_resume(self, *args: Any) -> None:
        self._worker.resumed.emit()


def _make_callback(worker: TrainingWorker):
    """Build the forwarding callback as a subclass of core.trainer.Callback when it exists."""
    from core import trainer

    base = getattr(trainer, "Callback", object)
    cls = type("QtSignalCallback", (_SignalCallback, base), {})
    return cls(worker)


@dataclass
class Outcome:
    """What a run left behind, written by the worker thread and read by the GUI after it.

    Plain Python, held by :class:`TrainingRun` too, so the GUI can read it after Qt
    has deleted the worker object.
    """

    summary: dict | None = None
    fit_ended: Any = None
    error: str | None = None
    error_details: str = ""


class TrainingWorker(QObject):
    """Runs one training run; lives in its own QThread.

    Signals (past tense, plain values; payloads are core.trainer's frozen events):
    ``started(FitStarted)``, ``batch_ended(BatchEnded)`` (throttled),
    ``epoch_ended(EpochEnded)``, ``checkpoint_saved(CheckpointSaved)``,
    ``paused()``, ``resumed()``, ``stopped(FitEnded)`` when a stop request ended the
    run, ``errored(str)`` with a one-sentence message, and ``finished(object)``
    always last: the FitEnded event, or None after an error.
    """

    started = Signal(object)
    batch_ended = Signal(object)
    epoch_ended = Signal(object)
    checkpoint_saved = Signal(object)
    paused = Signal()
    resumed = Signal()
    stopped = Signal(object)
    errored = Signal(str)
    finished = Signal(object)

    def __init__(self, config: Any, batch_interval_s: float = BATCH_INTERVAL_S) -> None:
        super().__init__()  # no parent: it is moved to a thread
        from core.trainer import TrainControl

        self.config = config
        self.batch_interval_s = batch_interval_s
        self.control = TrainControl()
        self.outcome = Outcome()
        self._done = threading.Event()

    # --- runs in the worker thread ---------------------------------------------------
    @Slot()
    def run(self) -> None:
        """Train; every outcome ends with ``finished`` so the thread always quits."""
        out = self.outcome
        try:
            from core.trainer import fit

            out.summary = fit(self.config, [_make_callback(self)], self.control)
        except Exception as exc:  # relayed as a message; the app keeps running
            out.error = _message(exc)
            out.error_details = traceback.format_exc()
            self.errored.emit(out.error)
            self.finished.emit(None)
        else:
            ev = out.fit_ended
            if (ev is not None and getattr(ev, "stopped", False)) or _stopped(out.summary):
                self.stopped.emit(ev)
            self.finished.emit(ev)
        finally:
            self._done.set()


def _stopped(summary: Any) -> bool:
    return isinstance(summary, dict) and bool(summary.get("stopped"))


def _message(exc: BaseException) -> str:
    """One line for the user: the exception's own sentence, or its type when it has none."""
    text = str(exc).strip()
    if not text:
        return type(exc).__name__
    if isinstance(exc, (ValueError, RuntimeError, OSError)):
        return text
    return f"{type(exc).__name__}: {text}"


class TrainingRun:
    """Owns one worker and its QThread for the GUI; created and used in the GUI thread.

    Wiring follows the documented pattern: ``thread.started -> worker.run``;
    ``worker.finished -> thread.quit`` as a direct connection (quit is thread-safe, and
    a queued quit would never arrive while the GUI thread waits in :meth:`wait`);
    ``thread.finished -> worker.deleteLater``. Python keeps the thread alive until it
    has finished (:meth:`release`), so Qt never destroys a running thread. The control
    and the done flag are held here too, so nothing touches the worker once Qt may
    have deleted it.
    """

    def __init__(self, config: Any, batch_interval_s: float = BATCH_INTERVAL_S) -> None:
        self.worker = TrainingWorker(config, batch_interval_s)
        self.control = self.worker.control
        self._done = self.worker._done
        self.outcome = self.worker.outcome
        self.thread: QThread | None = QThread()
        self.thread.setObjectName("convstudio-training")
        self.worker.moveToThread(self.thread)
        self.thread.started.connect(self.worker.run)
        self.worker.finished.connect(self.thread.quit, Qt.ConnectionType.DirectConnection)
        self.thread.finished.connect(self.worker.deleteLater)

    def start(self) -> None:
        self.thread.start()

    def is_running(self) -> bool:
        """True until the worker's run() has returned."""
        return not self._done.is_set()

    def stop(self) -> None:
        self.control.stop()  # also wakes a paused loop so it sees the stop

    def pause(self) -> None:
        self.control.pause()

    def resume(self) -> None:
        self.control.resume()

    @property
    def is_paused(self) -> bool:
        return bool(self.control.is_paused)

    def wait(self, timeout_ms: int = 10_000) -> bool:
        """Block until the thread has finished (shutdown and tests only)."""
        thread = self.thread
        if thread is None:
            return True
        return thread.wait(timeout_ms)

    def stop_and_wait(self, timeout_ms: int = 10_000) -> bool:
        self.stop()
        return self.wait(timeout_ms)

    def release(self) -> None:
        """Drop the finished thread (call from the thread's finished signal or at exit)."""
        thread, self.thread = self.thread, None
        if thread is not None:
            thread.wait()
            thread.deleteLater()
