"""Closing never hangs: a stalled download or a worker that does not stop is asked to stop,
waited for a bounded time, reported, and left behind; the app then exits without it."""

from __future__ import annotations

import threading

import pytest
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QMessageBox

from gui import app, worker
from gui.window import lifecycle
from gui.worker import TrainingRun
from tests.gui import test_window_extras
from tests.gui.test_worker import fast_config

pytest.importorskip("torch")

STUCK_S = 30  # how long a stuck worker blocks at most if a test fails before releasing it


make_window = test_window_extras.make_window  # the same windows (no dialogs, shut down)


@pytest.fixture(autouse=True)
def _short_close_wait(monkeypatch):
    monkeypatch.setattr(lifecycle, "CLOSE_WAIT_MS", 300)  # keeps the tests short


def test_close_with_a_stalled_download_cancels_it_and_does_not_wait_for_it(
    make_window, monkeypatch
):
    from core import weights

    entered, release = threading.Event(), threading.Event()

    def stalled(arch, progress, cancelled, url=None):
        # the network stopped answering: a blocked read never gets to look at cancelled()
        entered.set()
        release.wait(STUCK_S)
        raise OSError("timed out")

    monkeypatch.setattr(weights, "download_weights", stalled)
    w = make_window(load_torch_now=False)
    dialog = w.show_weights_dialog()
    dialog.start_download()
    handle = dialog.task.handle
    assert entered.wait(STUCK_S)
    try:
        assert w.close()
        assert handle.cancelled  # the download was asked to stop
        assert not handle.is_done()  # ... and the close returned without it
        assert not w.clean_shutdown
        assert "did not stop" in w.statusBar().currentMessage()
        assert any("weights download" in text for text in w.stalled)
        assert QSettings().value("data/source") == "builtin:digits"  # settings still saved
        assert w.shutdown() is False  # what gui.app.finish reads: exit without waiting
    finally:
        release.set()
    assert handle.wait(STUCK_S)


def test_close_while_the_run_does_not_stop_says_so_and_returns(make_window, monkeypatch):
    monkeypatch.setattr(
        QMessageBox, "question", staticmethod(lambda *a, **k: QMessageBox.StandardButton.Yes)
    )
    w = make_window(load_torch_now=False)
    train = w.train_panel
    waits = []
    monkeypatch.setattr(train, "is_training", lambda: True)
    monkeypatch.setattr(
        train, "shutdown", lambda timeout_ms=10_000: waits.append(timeout_ms) or False
    )
    assert w.close()
    assert len(waits) == 1 and 0 <= waits[0] <= lifecycle.CLOSE_WAIT_MS  # bounded, not 10 s
    assert not w.clean_shutdown
    assert any("training run did not stop" in text for text in w.stalled)
    assert QSettings().value("data/source") == "builtin:digits"


def test_a_clean_close_reports_nothing(make_window):
    w = make_window(load_torch_now=False)
    assert w.close()
    assert w.clean_shutdown and w.stalled == []


def test_a_worker_that_does_not_stop_is_left_behind_not_waited_for(qtbot, tmp_path, monkeypatch):
    import core.trainer

    entered, release = threading.Event(), threading.Event()

    def stuck(config, callbacks, control):  # a step stuck in a library call
        entered.set()
        release.wait(STUCK_S)
        return {"stopped": True}

    monkeypatch.setattr(core.trainer, "fit", stuck)
    run = TrainingRun(fast_config(tmp_path / "run"))
    run.start()
    assert entered.wait(STUCK_S)
    try:
        assert not run.stop_and_wait(50)
        assert run.control.should_stop  # asked to stop
        run.release()  # returns at once; the thread is kept until it ends
        assert run.thread is None and worker.abandoned_threads() == 1
    finally:
        release.set()
    qtbot.waitUntil(lambda: worker.abandoned_threads() == 0, timeout=STUCK_S * 1000)


class _Window:
    def __init__(self, clean: bool) -> None:
        self.clean = clean

    def shutdown(self) -> bool:
        return self.clean


def test_the_app_exits_at_once_only_when_work_was_left_running():
    exits: list[int] = []
    assert app.finish(_Window(True), 0, exits.append) == 0
    assert exits == []
    app.finish(_Window(False), 3, exits.append)
    assert exits == [3]
