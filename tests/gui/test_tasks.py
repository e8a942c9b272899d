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


def test_error_becomes_message(qtbot):
    def work(ctx):
        raise ValueError("the folder has no classes")

    messages = []
    handle = tasks.run_task(work, on_error=messages.append)
    qtbot.waitUntil(lambda: messages == ["the folder has no classes"])
    assert "ValueError" in handle.error_details


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
