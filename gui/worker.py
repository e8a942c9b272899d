"""The training run's thread: core.trainer.fit in a QThread, its events as Qt signals.

``TrainingWorker`` is a plain QObject moved onto a QThread that has no parent (the
Qt-documented worker-object pattern; no QThread subclass, never ``terminate``). The
core trainer calls a :class:`~core.events.Callback`; the worker's callback turns
each event (a frozen dataclass of plain Python values) into a ``Signal(object)``.
Batch events are throttled so the GUI gets at most ~20 of them a second however fast
batches come; epoch ends and the last batch of an epoch are always delivered. An
epoch's checkpoint events follow its ``epoch_ended`` (the trainer saves them first,
but a listener reads "epoch 3/4" before "saved best.pt (epoch 3)").

Stop and pause go through :class:`core.events.TrainControl` (threading.Events the
trainer checks between batches), so they are safe to call from the GUI thread. With
Processes > 1 the run is a group of local processes (core.launcher.run_processes): rank
0's events arrive as JSON lines and become the same signals; stop and pause are passed
on to the processes as signals.

core.events is torch-free; PyTorch (core.trainer) is imported only inside
:meth:`TrainingWorker.run`, which runs after the main window has loaded it.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass

from PySide6.QtCore import QObject, Qt, QThread, Signal, Slot

from core.config import TrainConfig
from core.events import (
    BatchEnded,
    Callback,
    CheckpointSaved,
    EpochEnded,
    FitEnded,
    FitStarted,
    PhaseProgressed,
    TrainControl,
)
from gui import errors

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


class _SignalCallback(Callback):
    """Forwards the trainer's events to the worker's signals (runs in the training thread).

    The trainer's checkpoint writer runs before this listener, so an epoch's
    ``on_checkpoint`` calls come before its ``on_epoch_end``. Checkpoints of an epoch
    that has not been forwarded yet are held and sent right after that epoch's
    ``epoch_ended``; anything still held is sent when the run ends or fails.
    """

    def __init__(self, worker: TrainingWorker) -> None:
        self._worker = worker
        self._throttle = BatchThrottle(worker.batch_interval_s)
        self._phase_throttle = BatchThrottle(worker.batch_interval_s)
        self._epoch_sent = 0  # the last epoch whose epoch_ended went out
        self._held: list[CheckpointSaved] = []

    def on_fit_start(self, ev: FitStarted) -> None:
        self._epoch_sent = ev.start_epoch - 1  # a resumed run's earlier epochs are done
        self._worker.started.emit(ev)

    def on_batch_end(self, ev: BatchEnded) -> None:
        if self._throttle.should_emit(ev.step, ev.steps):
            self._worker.batch_ended.emit(ev)

    def on_epoch_end(self, ev: EpochEnded) -> None:
        self._epoch_sent = max(self._epoch_sent, ev.epoch)
        self._worker.epoch_ended.emit(ev)
        self._release()

    def on_phase(self, ev: PhaseProgressed) -> None:
        ended = ev.total > 0 and ev.done >= ev.total  # a phase's end always arrives
        if self._phase_throttle.should_emit(int(ended), 1):
            self._worker.phase_progressed.emit(ev)

    def on_checkpoint(self, ev: CheckpointSaved) -> None:
        if ev.epoch > self._epoch_sent:
            self._held.append(ev)  # its epoch_ended comes next
        else:
            self._worker.checkpoint_saved.emit(ev)

    def on_fit_end(self, ev: FitEnded) -> None:
        self._release()
        self._worker.outcome.fit_ended = ev

    def on_exception(self, exc: BaseException) -> None:
        self._release()

    def _release(self) -> None:
        held, self._held = self._held, []
        for ev in held:
            self._worker.checkpoint_saved.emit(ev)

    def on_pause(self) -> None:
        self._worker.paused.emit()

    def on_resume(self) -> None:
        self._worker.resumed.emit()


@dataclass
class Outcome:
    """What a run left behind, written by the worker thread and read by the GUI after it.

    Plain Python, held by :class:`TrainingRun` too, so the GUI can read it after Qt
    has deleted the worker object.
    """

    summary: dict | None = None
    fit_ended: FitEnded | None = None
    exception: BaseException | None = None
    error: str | None = None  # the exception's message
    error_details: str = ""  # its traceback


class TrainingWorker(QObject):
    """Runs one training run; lives in its own QThread.

    Signals (past tense, plain values; payloads are core.events' frozen events):
    ``started(FitStarted)``, ``batch_ended(BatchEnded)`` (throttled),
    ``epoch_ended(EpochEnded)``, ``checkpoint_saved(CheckpointSaved)``,
    ``paused()``, ``resumed()``, ``stopped(FitEnded)`` when a stop request ended the
    run, ``errored(object)`` with the exception (its traceback kept), and
    ``finished(object)`` always last: the FitEnded event, or None after an error.
    """

    started = Signal(object)
    batch_ended = Signal(object)
    epoch_ended = Signal(object)
    checkpoint_saved = Signal(object)
    phase_progressed = Signal(object)  # PhaseProgressed: weights download, feature extraction
    paused = Signal()
    resumed = Signal()
    stopped = Signal(object)
    errored = Signal(object)
    finished = Signal(object)

    def __init__(self, config: TrainConfig, batch_interval_s: float = BATCH_INTERVAL_S) -> None:
        super().__init__()  # no parent: it is moved to a thread
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
            callbacks = [_SignalCallback(self)]
            if self.config.nproc > 1:  # local processes under torchrun: rank 0's events
                from core.launcher import run_processes

                out.summary = run_processes(self.config, callbacks, self.control)
            else:
                from core.trainer import fit

                out.summary = fit(self.config, callbacks, self.control)
        except Exception as exc:  # relayed to the GUI thread; the app keeps running
            out.exception = exc
            out.error = errors.message(exc)
            out.error_details = errors.format_exception(exc)
            self.errored.emit(exc)
            self.finished.emit(None)
        else:
            ev = out.fit_ended
            if (ev is not None and ev.stopped) or bool(out.summary.get("stopped")):
                self.stopped.emit(ev)
            self.finished.emit(ev)
        finally:
            self._done.set()


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

    def __init__(self, config: TrainConfig, batch_interval_s: float = BATCH_INTERVAL_S) -> None:
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
        """Drop the thread (call from the thread's finished signal or at exit); never blocks.

        A thread still running (a worker that did not stop: a stalled weights download,
        a step stuck in a library call) cannot be killed; it is kept in
        :data:`_ABANDONED` so neither Python nor Qt destroys it while it runs (Qt aborts
        on that), and deleted once it finishes. The app exits without waiting for it.
        """
        thread, self.thread = self.thread, None
        if thread is None:
            return
        if thread.isRunning() and not thread.wait(0):
            _ABANDONED.add(thread)
            thread.finished.connect(lambda: _forget(thread))
            if thread.isFinished():  # it ended between the check and the connection
                _forget(thread)
            return
        thread.deleteLater()


#: threads whose worker did not stop when asked (see :meth:`TrainingRun.release`)
_ABANDONED: set[QThread] = set()


def _forget(thread: QThread) -> None:
    if thread in _ABANDONED:
        _ABANDONED.discard(thread)
        thread.deleteLater()


def abandoned_threads() -> int:
    """How many training threads were left running by a release (shutdown, tests)."""
    return sum(1 for thread in _ABANDONED if thread.isRunning())
