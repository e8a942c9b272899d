"""The training worker: core.events from the trainer become Qt signals from a QThread."""

from __future__ import annotations

import pytest
from PIL import Image

from gui.worker import BatchThrottle, TrainingRun

pytest.importorskip("torch")


def fast_config(out, **kw):
    """A quick digits run: the MLP with big batches (6 batches per epoch)."""
    from core.config import TrainConfig

    values = {"arch": "mlp", "epochs": 1, "batch_size": 256, "out": str(out)}
    values.update(kw)
    return TrainConfig(**values)


class Recorder:
    """Collects every signal of a run (connected to bound methods: queued to the GUI thread)."""

    def __init__(self, run: TrainingRun) -> None:
        self.events: dict[str, list] = {}
        self.sequence: list[tuple[str, object]] = []  # every signal, in arrival order
        w = run.worker
        for name in (
            "started",
            "batch_ended",
            "epoch_ended",
            "checkpoint_saved",
            "stopped",
            "finished",
            "errored",
        ):
            getattr(w, name).connect(self._recorder(name))
        w.paused.connect(self._recorder("paused"))
        w.resumed.connect(self._recorder("resumed"))

    def _recorder(self, name):
        def record(*args):
            self.events.setdefault(name, []).append(args[0] if args else None)
            self.sequence.append((name, args[0] if args else None))

        return record

    def __getitem__(self, name: str) -> list:
        return self.events.get(name, [])


def run_to_end(qtbot, run: TrainingRun, timeout_ms: int = 60_000) -> None:
    with qtbot.waitSignal(run.thread.finished, timeout=timeout_ms):
        run.start()
    qtbot.waitUntil(lambda: not run.is_running(), timeout=5_000)
    run.release()


def test_throttle_limits_rate_and_keeps_last_batch():
    now = [0.0]
    throttle = BatchThrottle(0.05, clock=lambda: now[0])
    emitted = []
    for step in range(1, 101):  # 100 batches in 0.5 s
        now[0] = step * 0.005
        if throttle.should_emit(step, 100):
            emitted.append(step)
    assert 8 <= len(emitted) <= 12  # ~20 per second over half a second
    assert emitted[-1] == 100  # the epoch's last batch is always delivered


def test_run_emits_events_in_order(qtbot, tmp_path):
    run = TrainingRun(fast_config(tmp_path / "run"), batch_interval_s=60.0)
    rec = Recorder(run)
    run_to_end(qtbot, run)
    qtbot.waitUntil(lambda: len(rec["finished"]) == 1)
    started = rec["started"][0]
    assert started.arch == "mlp" and started.num_classes == 10
    # a 60 s throttle lets only the very first batch and each epoch's last one through
    steps = started.steps_per_epoch
    assert [(b.step, b.steps) for b in rec["batch_ended"]] == [(1, steps), (steps, steps)]
    assert [e.epoch for e in rec["epoch_ended"]] == [1]
    assert {c.kind for c in rec["checkpoint_saved"]} == {"best", "last"}
    # an epoch's line comes before its checkpoints (the trainer saves them first)
    names = [name for name, _ in rec.sequence if name in ("epoch_ended", "checkpoint_saved")]
    assert names == ["epoch_ended", "checkpoint_saved", "checkpoint_saved"]
    end = rec["finished"][0]
    assert end is not None and end.stopped is False
    assert rec["errored"] == [] and rec["stopped"] == []
    assert (tmp_path / "run" / "best.pt").is_file()


def test_error_is_the_exception_and_thread_ends(qtbot, tmp_path):
    folder = tmp_path / "one_class" / "cats"
    folder.mkdir(parents=True)
    for i in range(6):
        Image.new("RGB", (16, 16), (i * 30, 0, 0)).save(folder / f"{i}.png")
    run = TrainingRun(fast_config(tmp_path / "run", data=str(folder.parent)))
    rec = Recorder(run)
    run_to_end(qtbot, run)
    qtbot.waitUntil(lambda: len(rec["finished"]) == 1)
    assert rec["finished"] == [None]
    assert len(rec["errored"]) == 1
    exc = rec["errored"][0]
    assert isinstance(exc, ValueError) and exc.__traceback__ is not None  # a DataError
    assert "class" in str(exc).lower()
    assert run.outcome.exception is exc and run.outcome.error == str(exc)
    assert "Traceback" in run.outcome.error_details


def test_stop_on_first_batch_writes_loadable_last_pt(qtbot, tmp_path):
    from core.checkpoint import load_bundle

    run = TrainingRun(fast_config(tmp_path / "run", epochs=3), batch_interval_s=0.0)
    rec = Recorder(run)
    run.worker.batch_ended.connect(run.stop)  # stop as soon as one batch is seen
    run_to_end(qtbot, run)
    qtbot.waitUntil(lambda: len(rec["finished"]) == 1)
    assert len(rec["stopped"]) == 1
    assert rec["finished"][0].stopped is True
    assert len(rec["epoch_ended"]) < 3
    bundle = load_bundle(tmp_path / "run" / "last.pt")
    assert bundle["arch"] == "mlp" and "optimizer" in bundle


def test_pause_then_resume_signals(qtbot, tmp_path):
    run = TrainingRun(fast_config(tmp_path / "run", epochs=2), batch_interval_s=0.0)
    rec = Recorder(run)
    run.pause()  # paused before the first batch: the loop waits at its first check
    run.worker.paused.connect(run.resume)
    run.worker.resumed.connect(run.stop)  # the run went on after the pause; end it there
    run_to_end(qtbot, run)
    qtbot.waitUntil(lambda: len(rec["finished"]) == 1)
    assert len(rec["paused"]) == 1 and len(rec["resumed"]) == 1
    assert rec["finished"][0].stopped is True
    assert rec["epoch_ended"] == []


def test_worker_needs_no_torch_to_import():
    """Slots get the real event types: core.events and the worker load without PyTorch."""
    import subprocess
    import sys
    from pathlib import Path

    code = "import gui.worker, gui.train, sys; assert 'torch' not in sys.modules"
    root = Path(__file__).resolve().parents[2]
    proc = subprocess.run(
        [sys.executable, "-c", code], cwd=root, capture_output=True, text=True, timeout=60
    )
    assert proc.returncode == 0, proc.stderr


def test_garbage_is_collected_on_the_gui_thread_only(qtbot):
    """A collection started by a worker thread could destroy a Qt widget there and deadlock
    (gui.runtime.GuiThreadCollector): automatic collection is off, the timer collects."""
    import gc
    import threading

    from gui import runtime

    assert not gc.isenabled()  # the GUI tests run as the app does (tests/gui/conftest.py)
    threads = []
    gc.callbacks.append(lambda phase, info: threads.append(threading.current_thread()))
    try:
        for _ in range(3 * runtime.gc.get_threshold()[0]):
            a: list = []
            a.append(a)  # cyclic garbage that only a collection frees
        qtbot.waitUntil(lambda: bool(threads), timeout=5_000)
    finally:
        gc.callbacks.pop()
    assert {t.name for t in threads} == {threading.main_thread().name}


def test_the_apps_collector_starts_once_the_heap_is_frozen(monkeypatch):
    """While PyTorch loads, collections would only walk objects that live as long as the
    app: the app's collector starts with gui.runtime.freeze_heap, or when its hold ends."""
    import gc

    from gui import runtime

    held = runtime.GuiThreadCollector(interval_ms=10, hold_ms=runtime.LOAD_HOLD_MS)
    monkeypatch.setattr(runtime, "_COLLECTOR", held)
    other = runtime.GuiThreadCollector(interval_ms=10, hold_ms=runtime.LOAD_HOLD_MS)
    try:
        assert not held.timer.isActive() and not other.timer.isActive() and not gc.isenabled()
        assert held.hold.isActive()  # how long it holds in the app: bench/bench_gui.py
        frozen = gc.get_freeze_count()
        runtime.freeze_heap()
        assert held.timer.isActive() and not held.hold.isActive()
        assert held.released_after_s is not None and other.released_after_s is None
        assert gc.get_freeze_count() >= frozen
        assert not other.timer.isActive()
        other.hold.timeout.emit()  # no freeze_heap for this one: its hold ends
        assert other.timer.isActive() and not gc.isenabled()  # collected on the timer only
    finally:  # their timers only: the suite's collector keeps automatic collection off
        for collector in (held, other):
            collector.hold.stop()
            collector.timer.stop()
