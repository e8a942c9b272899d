"""Process-wide runtime settings of the desktop app, set in one place.

All are process-wide, so no widget changes them:

* :func:`configure_process` (app start): Python threads hand over the GIL every 1 ms
  instead of 5 ms, so the GUI thread never waits long behind the training thread's
  or a preview's Python code (heartbeat p99 went from ~30 ms to ~12 ms while
  training digits).
* :func:`freeze_heap` (once, when PyTorch and the panels are loaded, or PyTorch failed
  to): a full garbage collection walks every object (~400k with torch and Qt loaded)
  while holding the GIL, 150-400 ms in which the GUI cannot run. Objects alive at that
  point live as long as the app; ``gc.freeze`` keeps them out of those walks. Only
  then: frozen objects are never collected, so freezing later (say at each run start)
  would keep a finished run's trainer, model and data alive for good. No collection
  comes first: it walked all ~360k objects of the start for the ~1,000-2,000 that were
  garbage (250-300 ms before Train could start), so those few are kept.

* :class:`GuiThreadCollector` (app start): the garbage collector runs on the GUI
  thread only. Left automatic, a collection can start on whatever thread allocates
  (the training thread); when the garbage holds a Qt widget (a closed dialog's menu in
  a reference cycle), its C++ object is then destroyed off the GUI thread, which
  deadlocks against the GUI thread (seen: a QMenu's destructor on the training thread
  waiting for the GIL while the GUI thread waited for the menu's mutex). The app's
  collector starts with :func:`freeze_heap` (60 s at the latest): while PyTorch loads,
  its collections only walked objects that live as long as the app, 200-300 ms of the
  GUI thread's time taken from the import.

And one OpenMP workaround, :func:`single_threaded`.
"""

from __future__ import annotations

import ctypes
import gc
import logging
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

GIL_SWITCH_S = 0.001
log = logging.getLogger("convstudio.runtime")


def configure_process() -> None:
    """Settings for the app's whole life (called by gui.app before the window exists)."""
    sys.setswitchinterval(GIL_SWITCH_S)


def freeze_heap() -> None:
    """Move every object alive now out of the garbage collector's full passes, and start
    the app's collector (:func:`collect_on_gui_thread`)."""
    gc.freeze()
    if _COLLECTOR is not None:
        _COLLECTOR.release()


class GuiThreadCollector:
    """Automatic garbage collection off; the GUI thread collects on a timer instead, with
    the collector's own thresholds (the pattern of pyqtgraph's GarbageCollector, written
    here so that the app's start does not import pyqtgraph). Memory stays bounded: the
    timer looks every ``interval_ms``. :meth:`stop` turns automatic collection back on."""

    def __init__(self, interval_ms: int = 1000, hold_ms: int = 0) -> None:
        """``hold_ms``: collect only from :meth:`release` on, or once ``hold`` (a
        single-shot timer of that many ms) times out."""
        from PySide6.QtCore import QTimer

        self.threshold = gc.get_threshold()
        self._stopped = False
        self._created = time.monotonic()
        self.released_after_s: float | None = None  # set up -> collecting (bench_gui prints it)
        gc.disable()
        self.timer = QTimer()
        self.timer.setInterval(interval_ms)
        self.timer.timeout.connect(self.check)
        self.hold = QTimer()
        self.hold.setSingleShot(True)
        self.hold.timeout.connect(self.release)
        if hold_ms > 0:
            self.hold.start(hold_ms)
        else:
            self.timer.start()

    def release(self) -> None:
        """Start collecting (once; never after :meth:`stop`)."""
        self.hold.stop()
        if not self._stopped and not self.timer.isActive():
            self.timer.start()
            self.released_after_s = time.monotonic() - self._created

    def check(self) -> None:
        young, middle, old = gc.get_count()
        if young > self.threshold[0]:
            gc.collect(0)
            if middle > self.threshold[1]:
                gc.collect(1)
                if old > self.threshold[2]:
                    gc.collect(2)

    def stop(self) -> None:
        self._stopped = True
        self.hold.stop()
        self.timer.stop()
        gc.enable()
        gc.collect()  # here, on the GUI thread, before threads may collect again


_COLLECTOR: GuiThreadCollector | None = None


#: The app's collector waits this long at most for :func:`freeze_heap`.
LOAD_HOLD_MS = 60_000


def collect_on_gui_thread() -> None:
    """The app's collector, for its whole life (called by gui.app once the app exists);
    it starts collecting with :func:`freeze_heap`."""
    global _COLLECTOR
    if _COLLECTOR is None:
        _COLLECTOR = GuiThreadCollector(hold_ms=LOAD_HOLD_MS)


_OMP: tuple | None = None


def _omp_thread_functions() -> tuple[Callable, Callable] | None:
    """omp_set_num_threads/omp_get_max_threads of the libgomp that torch loaded (Linux).

    OpenMP keeps its thread count per calling thread, so setting it through libgomp
    changes only the calling thread; torch.set_num_threads would also change the
    count that new threads start with (a training thread started meanwhile). The
    library is found in /proc/self/maps, which exists on Linux only; elsewhere, or
    with another OpenMP runtime, this returns None and logs that once.
    """
    global _OMP
    if _OMP is None:
        _OMP = ()
        try:
            with open("/proc/self/maps", encoding="utf-8") as maps:
                libs = sorted({line.split()[-1] for line in maps if "libgomp" in line})
            if libs:
                lib = ctypes.CDLL(libs[0])
                _OMP = (lib.omp_set_num_threads, lib.omp_get_max_threads)
        except (OSError, AttributeError, IndexError):
            _OMP = ()
        if not _OMP:
            log.info(
                "no libgomp found (not Linux, or another OpenMP runtime): "
                "previews use torch's default thread count"
            )
    return _OMP or None


@contextmanager
def single_threaded() -> Iterator[None]:
    """Run the calling thread's torch ops on one core, leaving every other thread alone.

    An augmentation preview is many tiny tensor ops; on 2 busy cores OpenMP's second
    thread only adds waiting (measured 3x slower), and it would take a core from
    training. Does nothing where :func:`_omp_thread_functions` finds no libgomp.
    """
    import torch

    functions = _omp_thread_functions()
    if functions is None:
        yield
        return
    set_threads, get_threads = functions
    torch.get_num_threads()  # torch's lazy per-thread init first, so it cannot undo ours
    before = int(get_threads())
    set_threads(1)
    try:
        yield
    finally:
        set_threads(before)
