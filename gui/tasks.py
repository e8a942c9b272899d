"""Run plain Python functions off the GUI thread and get plain-value signals back.

The pattern follows superqt's thread workers and Orange's runners: the heavy work is
an ordinary function that takes a small :class:`TaskContext` (report progress, ask
whether it was cancelled) and never touches Qt widgets. Its outcome comes back to the
GUI thread as queued signals on a :class:`TaskHandle`, which lives in the GUI thread.

Running handles are kept in a module-level set so Python never collects them mid-run.

Two lanes: ``"general"`` (two pooled threads for previews, scans, parameter counts)
and ``"model"``, one thread that never expires, for everything that runs a loaded
model (loading, warm-up, predictions, Grad-CAM). PyTorch's OpenMP runtime keeps a team
of worker threads for every thread that runs parallel work; while more of them exist
than the CPU has cores, idle workers stop spinning and must be woken for every layer,
which made a resnet18 forward pass about 10 ms slower on two cores. One long-lived model
thread keeps one warm team.
"""

from __future__ import annotations

import threading
import traceback
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal, Slot

_RUNNING: set[TaskHandle] = set()
_POOLS: dict[str, QThreadPool] = {}
# lane -> (threads, idle ms before a thread ends; -1: never)
LANES: dict[str, tuple[int, int]] = {"general": (2, 2000), "model": (1, -1)}


def pool(lane: str = "general") -> QThreadPool:
    """The thread pool of a lane (see the module docstring)."""
    if lane not in LANES:
        raise ValueError(f"unknown task lane {lane!r}; use one of {', '.join(LANES)}")
    found = _POOLS.get(lane)
    if found is None:
        threads, expiry_ms = LANES[lane]
        found = QThreadPool()
        found.setMaxThreadCount(threads)
        found.setExpiryTimeout(expiry_ms)
        _POOLS[lane] = found
    return found


class TaskCancelled(Exception):
    """Raised inside a task function by :meth:`TaskContext.check` after cancel()."""


class TaskContext:
    """What a task function may use: progress reports and the cancel flag."""

    def __init__(self, handle: TaskHandle) -> None:
        self._handle = handle
        self._cancel = handle._cancel_event
        self._last_progress: tuple[int, int] | None = None

    def progress(self, done: int, total: int) -> None:
        """Report progress; only changed values are emitted."""
        value = (int(done), int(total))
        if value != self._last_progress:
            self._last_progress = value
            self._handle.progressed.emit(*value)

    def check(self) -> None:
        """Raise TaskCancelled when the task was cancelled; call between units of work."""
        if self._cancel.is_set():
            raise TaskCancelled


class TaskHandle(QObject):
    """The GUI-thread end of a background task.

    Signals (past tense, plain values): ``progressed(done, total)``,
    ``finished(object)`` with the function's return value, ``errored(str)`` with a
    one-line message, ``aborted()`` after a cancel, and ``done()`` always last.
    """

    progressed = Signal(int, int)
    finished = Signal(object)
    errored = Signal(str)
    aborted = Signal()
    done = Signal()

    def __init__(self) -> None:
        super().__init__()
        self._cancel_event = threading.Event()
        self._done_event = threading.Event()
        self.error_details = ""

    def cancel(self) -> None:
        self._cancel_event.set()

    @property
    def cancelled(self) -> bool:
        return self._cancel_event.is_set()

    def is_done(self) -> bool:
        return self._done_event.is_set()

    def wait(self, timeout: float | None = None) -> bool:
        """Block until the function has returned (use in tests and at shutdown only)."""
        return self._done_event.wait(timeout)

    @Slot()
    def _release(self) -> None:
        _RUNNING.discard(self)


class _Runnable(QRunnable):
    def __init__(self, handle: TaskHandle, fn: Callable[..., Any], args, kwargs) -> None:
        super().__init__()
        self.setAutoDelete(True)
        self._handle = handle
        self._fn = fn
        self._args = args
        self._kwargs = kwargs

    def run(self) -> None:  # runs in a pool thread
        handle = self._handle
        try:
            result = self._fn(TaskContext(handle), *self._args, **self._kwargs)
        except TaskCancelled:
            handle.aborted.emit()
        except Exception as exc:  # relayed to the GUI as a message, never a crash
            handle.error_details = traceback.format_exc()
            message = str(exc) or type(exc).__name__
            handle.errored.emit(message)
        else:
            if handle.cancelled:
                handle.aborted.emit()
            else:
                handle.finished.emit(result)
        finally:
            handle._done_event.set()
            handle.done.emit()


def run_task(
    fn: Callable[..., Any],
    *args: Any,
    on_finished: Callable[[Any], None] | None = None,
    on_error: Callable[[str], None] | None = None,
    on_progress: Callable[[int, int], None] | None = None,
    lane: str = "general",
    **kwargs: Any,
) -> TaskHandle:
    """Run ``fn(ctx, *args, **kwargs)`` on a lane's pool; call from the GUI thread.

    The callbacks are connected to the handle's signals before the task starts, so
    none is missed. Connect bound methods of widgets (not lambdas capturing widgets
    that may be deleted) where the widget may close first.
    """
    target = pool(lane)
    handle = TaskHandle()
    if on_finished is not None:
        handle.finished.connect(on_finished)
    if on_error is not None:
        handle.errored.connect(on_error)
    if on_progress is not None:
        handle.progressed.connect(on_progress)
    handle.done.connect(handle._release)
    _RUNNING.add(handle)
    target.start(_Runnable(handle, fn, args, kwargs))
    return handle


def running_tasks() -> int:
    return len(_RUNNING)


def shutdown(timeout_ms: int = 3000) -> bool:
    """Cancel every task, wait for every lane to drain and end its threads (window close, tests)."""
    for handle in list(_RUNNING):
        handle.cancel()
    drained = True
    for lane_pool in list(_POOLS.values()):
        drained = lane_pool.waitForDone(timeout_ms) and drained
    return drained
