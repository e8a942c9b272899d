"""The window's first minute, its size, the Help pages and wrapped tooltips."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QByteArray, QPoint, QRect, QSettings
from PySide6.QtWidgets import QApplication, QPushButton, QTextBrowser, QToolTip

from gui import help as help_pages
from gui import sizing, tooltips
from gui.main_window import MainWindow

pytest.importorskip("torch")


@pytest.fixture
def make_window(qtbot, monkeypatch):
    monkeypatch.setenv("CONVSTUDIO_NO_DIALOGS", "1")
    windows = []

    def make(**kw) -> MainWindow:
        w = MainWindow(**kw)
        qtbot.addWidget(w)
        windows.append(w)
        return w

    yield make
    for w in windows:
        w.shutdown()


def test_launch_says_what_happens_and_the_next_step(make_window):
    w = make_window(load_torch_now=False)
    assert w.statusBar().currentMessage().startswith("Loading PyTorch")
    hint = w.next_step_label.text()
    assert hint.startswith("Next: press Train (F5)") and "built-in digits" in hint
    assert "PyTorch has loaded" in w.data_panel.info_label.text()
    w.train_panel.training_state_changed.emit(True)  # a run started: the hint has done its job
    assert w.next_step_label.isHidden()


def test_the_next_step_names_a_folder():
    assert help_pages.next_step("/data/holiday_photos") == (
        "Next: press Train (F5) to train on holiday_photos."
    )
    assert help_pages.next_step("/x/" + "n" * 80).endswith("nnn....")


def test_f5_while_pytorch_loads_is_queued_then_starts(qtbot, make_window, monkeypatch):
    w = make_window(load_torch_now=False)
    starts = []
    monkeypatch.setattr(w.train_panel, "start_training", lambda: starts.append(1) or True)
    assert w.start_action.isEnabled()
    w.start_action.trigger()  # F5 before PyTorch is there
    assert starts == [] and w.start_queued
    assert w.current_tab() == "Train"
    assert w.statusBar().currentMessage() == help_pages.START_QUEUED
    assert w.train_panel.status_label.text() == help_pages.START_QUEUED  # not "Ready."
    with qtbot.waitSignal(w.torch_ready, timeout=60_000):
        w.start_torch_loader()
    assert starts == [1] and not w.start_queued


def test_a_long_error_never_widens_the_window(qtbot, make_window):
    w = make_window(load_torch_now=False)
    w.resize(1024, 700)
    w.show()
    qtbot.waitExposed(w)
    width = w.width()
    text = "A long message without a single place to break it: " + "x" * 600
    w.data_panel.error_label.setText(text)
    w.data_panel.error_label.show()
    w.data_panel.source_label.setText("/" + "very_long_folder_name/" * 30)
    w.train_panel.status_label.setText(text)  # a label without word wrap
    w.show_error(text)
    QApplication.processEvents()
    assert w.width() == width
    assert w.data_panel.source_label.text().startswith("/very_long")  # whole in text()


def test_restored_geometry_fits_the_screen(qtbot, make_window):
    big = MainWindow(load_torch_now=False)
    qtbot.addWidget(big)
    big.resize(5000, 4000)
    big.save_settings()
    big.shutdown()
    assert QSettings().value("window/geometry") is not None
    w = make_window(load_torch_now=False)
    available = w.screen().availableGeometry()
    assert w.frameGeometry().width() <= available.width()
    assert w.frameGeometry().height() <= available.height()


def test_fitted_moves_and_shrinks():
    screen = QRect(0, 0, 1024, 700)
    assert sizing.fitted(QRect(0, 0, 1280, 820), screen) == screen
    assert sizing.fitted(QRect(900, 600, 400, 300), screen) == QRect(624, 400, 400, 300)
    assert sizing.fitted(QRect(10, 20, 300, 200), screen) == QRect(10, 20, 300, 200)


def test_f5_is_shown_and_help_has_shortcuts_and_getting_started(make_window):
    w = make_window(load_torch_now=False)
    assert w.start_action.shortcut().toString() == "F5"  # what the Train menu shows
    menus = {a.text().replace("&", ""): a.menu() for a in w.menuBar().actions()}
    items = [a.text().replace("&", "") for a in menus["Help"].actions() if a.text()]
    assert "Keyboard shortcuts" in items and "Getting started" in items
    page = w.show_shortcuts()
    assert not page.isModal()
    rows = dict(help_pages.shortcut_rows(w.actions()))
    assert rows["Start training"] == "F5 or Ctrl+T"
    assert "F5 or Ctrl+T" in page.findChild(QTextBrowser).toPlainText()
    guide = w.show_getting_started()
    assert not guide.isModal() and guide.objectName() == "getting_started"
    page.close()
    guide.close()


def test_long_tooltips_wrap(qtbot, make_window):
    w = make_window(load_torch_now=False)
    long_tips = [
        x.toolTip() for x in w.findChildren(QPushButton) if len(x.toolTip()) > tooltips.WRAP_AFTER
    ]
    assert long_tips and all(t.startswith("<table width=") for t in long_tips)
    assert tooltips.wrapped("short") == "short"
    assert tooltips.wrapped("<b>rich</b> " * 20).startswith("<b>")
    assert "<td>" + "a &lt; b &amp; c " * 20 + "</td>" in tooltips.wrapped("a < b & c " * 20)


def test_a_wrapped_tooltip_is_narrow(qtbot):
    button = QPushButton("x")
    qtbot.addWidget(button)
    button.setToolTip("word " * 200)
    assert tooltips.wrap_all(button) == 1
    button.show()
    QToolTip.showText(button.mapToGlobal(QPoint(2, 2)), button.toolTip(), button)
    qtbot.waitUntil(QToolTip.isVisible, timeout=5000)
    tips = [t for t in QApplication.topLevelWidgets() if t.objectName() == "qtooltip_label"]
    assert tips and 200 < max(t.width() for t in tips) < 700
    QToolTip.hideText()


def test_an_unusable_saved_geometry_gives_the_default_size(make_window):
    QSettings().setValue("window/geometry", QByteArray(b"not a geometry"))
    w = make_window(load_torch_now=False)
    available = w.screen().availableGeometry()
    width, height = sizing.DEFAULT_SIZE
    assert w.width() == min(width, available.width())  # not the panels' small size hint
    assert w.height() == min(height, available.height())
