"""The background task runner relays results, errors, progress and cancellation."""

from __future__ import annotations

import threading

import numpy as np
from PIL import Image

from gui import imageutil, tasks


def test_result_comes_back_on_gui_thread(qtbot):
    seen = {}

    def work(ctx, x):
        seen["thread"] = threading.current_thread()
        for i in range(3):
            ctx.progress(i + 1, 3)
        return x * 2

    progress, results = [], []
    tasks.run_task(
        work, 21, on_finished=results.append, on_progress=lambda d, t: progress.append((d, t))
    )
    qtbot.waitUntil(lambda: results == [42])
    assert seen["thread"] is not threading.main_thread()
    qtbot.waitUntil(lambda: progress == [(1, 3), (2, 3), (3, 3)])


def test_error_crosses_as_the_exception_and_is_logged(qtbot, caplog):
    def work(ctx):
        raise ValueError("the folder has no classes")

    caught = []
    with caplog.at_level("ERROR", logger="convstudio"):
        handle = tasks.run_task(work, on_error=caught.append)
        qtbot.waitUntil(lambda: len(caught) == 1)
    assert isinstance(caught[0], ValueError) and str(caught[0]) == "the folder has no classes"
    assert caught[0].__traceback__ is not None  # the traceback travels with it
    assert "ValueError" in handle.error_details and "raise ValueError" in handle.error_details
    logged = [r for r in caplog.records if r.name == "convstudio"]
    assert logged and logged[0].exc_info[1] is caught[0]  # one sink logs it with its traceback


def test_unhandled_error_is_shown_by_the_sink(qtbot):
    from gui import errors

    shown = []
    errors.sink().reported.connect(shown.append)
    try:
        tasks.run_task(lambda ctx: 1 / 0)
        qtbot.waitUntil(lambda: shown == ["division by zero"])
    finally:
        errors.sink().reported.disconnect(shown.append)


def test_cancel_aborts(qtbot):
    gate = threading.Event()

    def work(ctx):
        gate.wait(5)
        ctx.check()
        return "not reached"

    handle = tasks.run_task(work)
    results = []
    handle.finished.connect(results.append)
    with qtbot.waitSignal(handle.aborted):
        handle.cancel()
        gate.set()
    assert results == []


def test_image_round_trip():
    arr = (np.arange(5 * 7 * 3) % 256).astype(np.uint8).reshape(5, 7, 3)
    pil = Image.fromarray(arr, "RGB")
    q = imageutil.pil_to_qimage(pil)
    assert (q.width(), q.height()) == (7, 5)
    back = imageutil.qimage_to_pil(q)
    assert np.array_equal(np.asarray(back), arr)
    gray = imageutil.array_to_qimage(arr[:, :, 0])
    assert gray.pixelColor(3, 2).red() == arr[2, 3, 0]


def test_heatmap_overlay_colours_hot_region():
    base = Image.new("RGB", (20, 20), (128, 128, 128))
    heat = np.zeros((4, 4))
    heat[0, 0] = 1.0
    out = np.asarray(imageutil.heatmap_overlay(base, heat, opacity=1.0))
    assert out[1, 1, 0] > out[1, 1, 2]  # hot corner is red-ish
    assert out[19, 19, 2] > out[19, 19, 0]  # cold corner is blue-ish


def test_model_lane_runs_every_task_on_one_lasting_thread(qtbot):
    """One thread for model work keeps one OpenMP team (see gui.tasks)."""
    seen: list[int] = []

    def work(ctx):
        seen.append(threading.get_native_id())  # the OS thread (Python reuses ident objects)
        return len(seen)

    results: list[int] = []
    for expected in (1, 2, 3):
        tasks.run_task(work, on_finished=results.append, lane="model")
        qtbot.waitUntil(lambda n=expected: len(results) == n)
    assert results == [1, 2, 3]
    assert len(set(seen)) == 1
    assert seen[0] != threading.main_thread().native_id
    assert tasks.pool("model").maxThreadCount() == 1
    assert tasks.pool("model").expiryTimeout() < 0  # never ends while idle


def test_unknown_lane_is_refused():
    import pytest

    with pytest.raises(ValueError, match="unknown task lane"):
        tasks.run_task(lambda ctx: None, lane="fast")


def _gated(gate: threading.Event, value):
    def work(ctx):
        gate.wait(5)
        ctx.check()
        return value

    return work


def test_latest_task_newest_wins(qtbot):
    """Starting a task cancels the older one; its late result never arrives."""
    latest = tasks.LatestTask()
    results, busy = [], []
    latest.finished.connect(results.append)
    latest.busy_changed.connect(busy.append)
    first_gate, second_gate = threading.Event(), threading.Event()
    first = latest.start(_gated(first_gate, "old"))
    second = latest.start(_gated(second_gate, "new"))
    assert first.cancelled and not second.cancelled and latest.busy
    first_gate.set()
    assert first.wait(5)
    second_gate.set()
    qtbot.waitUntil(lambda: not latest.busy)
    assert results == ["new"]
    assert busy == [True, False]


def test_latest_task_late_result_of_replaced_task_is_dropped(qtbot):
    """Even a result the old task emitted before being replaced is not relayed."""
    latest = tasks.LatestTask()
    results = []
    latest.finished.connect(results.append)
    old = latest.start(lambda ctx: "old")
    assert old.wait(5)  # finished (its queued signals are waiting in the event loop)
    latest.start(lambda ctx: "new")
    qtbot.waitUntil(lambda: not latest.busy)
    assert results == ["new"]


def test_latest_task_request_coalesces(qtbot):
    """While one runs, requests wait; only the newest of them runs after it."""
    latest = tasks.LatestTask()
    results = []
    latest.finished.connect(results.append)
    gate = threading.Event()
    latest.request(_gated(gate, 1))
    latest.request(lambda ctx: 2)
    latest.request(lambda ctx: 3)
    gate.set()
    qtbot.waitUntil(lambda: results == [1, 3] and not latest.busy)


def test_latest_task_partial_results_and_stop(qtbot):
    latest = tasks.LatestTask()
    parts, aborted = [], []
    latest.yielded.connect(parts.append)
    latest.aborted.connect(lambda: aborted.append(True))
    gate = threading.Event()

    def work(ctx):
        for i in range(100):
            ctx.partial(i)
            if i == 2:
                gate.wait(5)
            ctx.check()
        return "all"

    latest.start(work)
    qtbot.waitUntil(lambda: len(parts) >= 3)
    latest.stop()  # stops between units of work; the end is still relayed
    gate.set()
    qtbot.waitUntil(lambda: not latest.busy)
    assert aborted == [True]
    assert parts == [0, 1, 2]  # stopped at the check after the third


def test_latest_task_cancel_drops_everything(qtbot):
    latest = tasks.LatestTask()
    seen = []
    for name in ("finished", "aborted", "done"):
        getattr(latest, name).connect(lambda *a, n=name: seen.append(n))
    gate = threading.Event()
    handle = latest.start(_gated(gate, "x"))
    latest.cancel()
    assert not latest.busy
    gate.set()
    assert handle.wait(5)
    qtbot.wait(50)
    assert seen == []
