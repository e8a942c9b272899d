"""Run plain Python functions off the GUI thread and get plain-value signals back.

The pattern follows superqt's thread workers and Orange's runners: the heavy work is
an ordinary function that takes a small :class:`TaskContext` (report progress, hand
back partial results, ask whether it was cancelled) and never touches Qt widgets. Its
outcome comes back to the GUI thread as queued signals on a :class:`TaskHandle`, which
lives in the GUI thread.

Panels do not hold handles themselves: each kind of work a panel runs is one
:class:`LatestTask` (Orange3's ConcurrentMixin, labelme's save writer): starting a new
task cancels and disconnects the previous one, so a late result of an older task can
never reach the panel; ``request`` instead coalesces (the running task finishes, then
only the newest request runs).

Errors cross the thread boundary as the exception itself (its ``__traceback__`` kept)
and are logged with their traceback by :mod:`gui.errors`, the app's one error sink; an
error no caller handles is also shown to the user there.

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
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal, Slot

from gui import errors

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
    """What a task function may use: progress, partial results and the cancel flag."""

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

    def partial(self, value: Any) -> None:
        """Hand a partial result to the GUI now (the ``yielded`` signal)."""
        self._handle.yielded.emit(value)

    @property
    def cancelled(self) -> bool:
        return self._cancel.is_set()

    def check(self) -> None:
        """Raise TaskCancelled when the task was cancelled; call between units of work."""
        if self._cancel.is_set():
            raise TaskCancelled


class TaskHandle(QObject):
    """The GUI-thread end of one background task.

    Signals (past tense, plain values): ``progressed(done, total)``,
    ``yielded(object)`` for each partial result, ``finished(object)`` with the
    function's return value, ``errored(object)`` with the exception (traceback kept),
    ``aborted()`` after a cancel, and ``done()`` always last.
    """

    progressed = Signal(int, int)
    yielded = Signal(object)
    finished = Signal(object)
    errored = Signal(object)
    aborted = Signal()
    done = Signal()

    def __init__(self, name: str = "") -> None:
        super().__init__()
        self.name = name
        self._cancel_event = threading.Event()
        self._done_event = threading.Event()
        self.error: BaseException | None = None

    @property
    def error_details(self) -> str:
        """The formatted traceback of the task's error ("" when it did not fail)."""
        return errors.format_exception(self.error) if self.error is not None else ""

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
        except Exception as exc:  # relayed to the GUI, never a crash
            handle.error = exc
            handle.errored.emit(exc)
        else:
            if handle.cancelled:
                handle.aborted.emit()
            else:
                handle.finished.emit(result)
        finally:
            self._fn = self._args = self._kwargs = None  # the pool may keep the runnable
            handle._done_event.set()
            handle.done.emit()


def _task_name(fn: Callable[..., Any]) -> str:
    return getattr(fn, "__qualname__", None) or getattr(fn, "__name__", None) or repr(fn)


def run_task(
    fn: Callable[..., Any],
    *args: Any,
    on_finished: Callable[[Any], None] | None = None,
    on_error: Callable[[BaseException], None] | None = None,
    on_progress: Callable[[int, int], None] | None = None,
    lane: str = "general",
    **kwargs: Any,
) -> TaskHandle:
    """Run ``fn(ctx, *args, **kwargs)`` on a lane's pool; call from the GUI thread.

    The callbacks are connected to the handle's signals before the task starts, so
    none is missed. Every error is logged by :mod:`gui.errors`; without ``on_error``
    it is also shown to the user there. Connect bound methods of widgets (not lambdas
    capturing widgets that may be deleted) where the widget may close first.
    """
    target = pool(lane)
    handle = TaskHandle(_task_name(fn))
    if on_finished is not None:
        handle.finished.connect(on_finished)
    handle.errored.connect(_Reporter.instance().log_only if on_error else _Reporter.instance().show)
    if on_error is not None:
        handle.errored.connect(on_error)
    if on_progress is not None:
        handle.progressed.connect(on_progress)
    handle.done.connect(handle._release)
    _RUNNING.add(handle)
    target.start(_Runnable(handle, fn, args, kwargs))
    return handle


class _Reporter(QObject):
    """Passes task errors (in the GUI thread) to the error sink, naming the task."""

    _instance: _Reporter | None = None

    @classmethod
    def instance(cls) -> _Reporter:
        if cls._instance is None:
            cls._instance = cls()
        return cls._instance

    @Slot(object)
    def log_only(self, exc: BaseException) -> None:
        errors.report(exc, self._where(), show=False)

    @Slot(object)
    def show(self, exc: BaseException) -> None:
        errors.report(exc, self._where(), show=True)

    def _where(self) -> str:
        sender = self.sender()
        return f"task {getattr(sender, 'name', '')}".strip()


class LatestTask(QObject):
    """One kind of background work of a panel, where only the newest task counts.

    ``start(fn, *args, **kwargs)`` cancels the running task (if any), disconnects it
    and starts the new one; ``request(...)`` is the coalescing variant: while a task
    runs, only the newest request is remembered and started when the running one is
    done. ``cancel()`` forgets the running task at once (its late signals are
    dropped); ``stop()`` asks it to stop but still relays its ``aborted``/``done``.

    Signals, relayed from the current task only: ``started()``, ``progressed(done,
    total)``, ``yielded(object)``, ``finished(object)``, ``errored(object)`` (the
    exception), ``aborted()``, ``done()``, and ``busy_changed(bool)``.
    """

    started = Signal()
    progressed = Signal(int, int)
    yielded = Signal(object)
    finished = Signal(object)
    errored = Signal(object)
    aborted = Signal()
    done = Signal()
    busy_changed = Signal(bool)

    _RELAYS = ("progressed", "yielded", "finished", "errored", "aborted", "done")

    def __init__(self, parent: QObject | None = None, *, lane: str = "general") -> None:
        super().__init__(parent)
        self.lane = lane
        self._handle: TaskHandle | None = None
        self._pending: tuple | None = None
        self._finishing = False  # inside done(): a start() there keeps the task busy

    @property
    def busy(self) -> bool:
        return self._handle is not None

    @property
    def handle(self) -> TaskHandle | None:
        """The running task's handle (None when idle)."""
        return self._handle

    def start(
        self, fn: Callable[..., Any], *args: Any, lane: str | None = None, **kwargs
    ) -> TaskHandle:
        """Cancel whatever runs and start ``fn(ctx, *args, **kwargs)``."""
        self._pending = None
        was_busy = self._detach(cancel=True) or self._finishing
        handle = TaskHandle(_task_name(fn))
        handle.errored.connect(_Reporter.instance().log_only)
        for name in self._RELAYS:
            getattr(handle, name).connect(getattr(self, f"_relay_{name}"))
        handle.done.connect(handle._release)
        self._handle = handle
        _RUNNING.add(handle)
        pool(lane or self.lane).start(_Runnable(handle, fn, args, kwargs))
        self.started.emit()
        if not was_busy:
            self.busy_changed.emit(True)
        return handle

    def request(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> None:
        """Start now when idle; otherwise run once the current task is done (newest wins)."""
        if self._handle is None:
            self.start(fn, *args, **kwargs)
        else:
            self._pending = (fn, args, kwargs)

    def cancel(self) -> None:
        """Cancel the running task and any pending request; nothing more is relayed."""
        self._pending = None
        if self._detach(cancel=True):
            self.busy_changed.emit(False)

    def stop(self) -> None:
        """Ask the running task to stop between units of work; its end is still relayed."""
        self._pending = None
        if self._handle is not None:
            self._handle.cancel()

    def _detach(self, cancel: bool) -> bool:
        handle, self._handle = self._handle, None
        if handle is None:
            return False
        if cancel:
            handle.cancel()
        for name in self._RELAYS:
            try:
                getattr(handle, name).disconnect(getattr(self, f"_relay_{name}"))
            except (RuntimeError, TypeError):  # already gone
                pass
        return True

    def _current(self) -> bool:
        # a queued signal posted before the disconnect may still arrive: drop it
        return self._handle is not None and self.sender() is self._handle

    @Slot(int, int)
    def _relay_progressed(self, done: int, total: int) -> None:
        if self._current():
            self.progressed.emit(done, total)

    @Slot(object)
    def _relay_yielded(self, value: Any) -> None:
        if self._current():
            self.yielded.emit(value)

    @Slot(object)
    def _relay_finished(self, value: Any) -> None:
        if self._current():
            self.finished.emit(value)

    @Slot(object)
    def _relay_errored(self, exc: BaseException) -> None:
        if self._current():
            self.errored.emit(exc)

    @Slot()
    def _relay_aborted(self) -> None:
        if self._current():
            self.aborted.emit()

    @Slot()
    def _relay_done(self) -> None:
        if not self._current():
            return
        self._detach(cancel=False)
        pending, self._pending = self._pending, None
        self._finishing = True
        try:
            self.done.emit()
            if pending is not None and self._handle is None:
                fn, args, kwargs = pending
                self.start(fn, *args, **kwargs)
        finally:
            self._finishing = False
        if self._handle is None:
            self.busy_changed.emit(False)


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
