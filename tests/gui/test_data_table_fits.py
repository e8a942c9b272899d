"""The Data panel shows every digit class at the window's default size (1280x820)."""

from __future__ import annotations

import pytest

from core import BUILTIN_DIGITS
from gui.data import DataPanel

pytest.importorskip("torch")


def test_the_last_class_is_visible_at_the_default_size(qtbot):
    panel = DataPanel()
    qtbot.addWidget(panel)
    panel.resize(1280, 760)  # the Data tab of a 1280x820 window
    panel.show()
    with qtbot.waitSignal(panel.scan_finished, timeout=60_000):
        panel.set_source(BUILTIN_DIGITS)
    table = panel.class_table
    qtbot.waitUntil(lambda: table.rowCount() == 10)
    last = table.visualRect(table.model().index(9, 0))
    assert last.isValid() and last.bottom() <= table.viewport().height()
    panel.shutdown()
