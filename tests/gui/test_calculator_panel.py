"""The Calculator panel: edits update the results; the kernel drawing follows the mouse."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QMouseEvent
from PySide6.QtWidgets import QApplication

from core import convcalc as cc
from gui.calculator import CalculatorPanel, KernelView

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def panel(qtbot):
    widget = CalculatorPanel()
    qtbot.addWidget(widget)
    widget.resize(1100, 700)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def move_mouse(view: KernelView, pos: QPointF) -> None:
    event = QMouseEvent(
        QMouseEvent.Type.MouseMove,
        pos,
        view.mapToGlobal(pos),
        Qt.MouseButton.NoButton,
        Qt.MouseButton.NoButton,
        Qt.KeyboardModifier.NoModifier,
    )
    QApplication.sendEvent(view, event)


def test_notes_example_reads_112_with_the_formula(panel):
    single = panel.single
    single.set_values(h=224, w=224, c=3, k=7, s=2, p=3, d=1, out=64)
    assert single.output_label.text() == "112 x 112 x 64"
    assert "H2 = (224 - 7 + 2*3) / 2 + 1 = 112" in single.formula_label.text()
    assert "W2 = (224 - 7 + 2*3) / 2 + 1 = 112" in single.formula_label.text()
    assert "9,472" in single.params_label.text()


def test_spin_box_edits_update_the_result(panel):
    single = panel.single
    single.set_values(h=224, w=224, c=3, k=7, s=2, p=3, d=1, out=64)
    single.s_spin.setValue(1)
    assert single.output_label.text() == "224 x 224 x 64"
    single.out_spin.setValue(8)
    assert single.output_label.text() == "224 x 224 x 8"
    assert "8*3*7*7 + 8 = 1,176 + 8" in single.params_label.text()
    assert "1,184" in single.params_label.text()
    single.w_spin.setValue(100)
    assert single.output_label.text() == "224 x 100 x 8"


def test_warnings_for_dropped_rows_and_output_below_one(panel):
    single = panel.single
    single.set_values(h=224, w=224, c=1, k=3, s=2, p=0, d=1, out=4)
    assert single.output_label.text() == "111 x 111 x 4"
    assert "silently dropped" in single.warning_label.text()
    single.set_values(h=224, w=224, k=3, s=1, p=1)
    assert single.warning_label.text() == ""
    single.set_values(h=3, w=3, k=5, s=1, p=0)
    assert single.output_label.text() == "output < 1"
    assert "< 1" in single.warning_label.text()
    assert single.view.active_cell() is None


def test_hovering_an_output_cell_highlights_what_it_sees(panel, qtbot):
    single = panel.single
    panel.tabs.setCurrentWidget(single)
    single.set_values(h=7, w=7, c=1, k=3, s=2, p=1, d=1, out=1)
    view = single.view
    assert (view.out_h, view.out_w) == (4, 4)
    move_mouse(view, view.output_cell_center(1, 2))
    assert view.hovered == (1, 2)
    seen = view.input_cells_for(1, 2)
    assert seen == {(r, c) for r in (2, 3, 4) for c in (4, 5, 6)}
    assert "rows 2..4" in single.hover_label.text()
    assert view.is_padding(0, 3) and not view.is_padding(1, 1)
    move_mouse(view, QPointF(2, 2))  # over the input grid: no output cell
    assert view.hovered is None
    single.set_values(d=2)  # dilation: the kernel has holes
    assert view.input_cells_for(0, 0) == {(r, c) for r in (0, 2, 4) for c in (0, 2, 4)}


def test_large_inputs_are_clipped_and_still_paint(panel):
    single = panel.single
    single.set_values(h=1000, w=600, k=3, s=1, p=1)
    view = single.view
    assert view.drawn_input() == (KernelView.MAX_CELLS, KernelView.MAX_CELLS)
    assert view.cell_size() >= KernelView.MIN_CELL_PX
    image = view.grab().toImage()
    assert not image.isNull() and image.width() > 0


def test_stack_vgg16_preset_gives_receptive_field_212(panel):
    stack = panel.stack
    index = stack.preset_combo.findData("vgg16_features")
    stack.preset_combo.setCurrentIndex(index)
    stack.preset_combo.activated.emit(index)
    assert stack.input_shape() == (3, 224, 224)
    last = stack.results.rowCount() - 1
    assert stack.results.item(last, 2).text() == "512x7x7"
    assert stack.results.item(last, 4).text() == "212"
    assert stack.results.item(last, 5).text() == "32"
    assert "14,714,688" in stack.total_label.text()


def test_stack_add_edit_remove_and_reorder(panel):
    stack = panel.stack
    stack.set_input((1, 28, 28))
    stack.set_specs(["conv:out=8,k=3", "maxpool:k=2"])
    assert stack.results.item(1, 2).text() == "8x13x13"
    stack.spec_table.item(0, 0).setText("conv:out=8,k=3,p=1")  # edit a row's text
    assert stack.results.item(1, 2).text() == "8x14x14"
    stack.spec_table.selectRow(1)
    stack.add_layer("flatten")
    assert stack.specs() == ["conv:out=8,k=3,p=1", "maxpool:k=2", "flatten"]
    assert stack.results.item(2, 2).text() == "1568"
    stack.spec_table.selectRow(1)
    stack.up_button.click()
    assert stack.specs() == ["maxpool:k=2", "conv:out=8,k=3,p=1", "flatten"]
    assert stack.results.item(0, 2).text() == "1x14x14"
    stack.down_button.click()
    assert stack.specs()[1] == "maxpool:k=2"
    stack.spec_table.selectRow(2)
    stack.remove_button.click()
    assert stack.specs() == ["conv:out=8,k=3,p=1", "maxpool:k=2"]
    assert stack.results.rowCount() == 2


def test_stack_errors_name_the_layer_and_keep_earlier_rows(panel):
    stack = panel.stack
    stack.set_input((1, 28, 28))
    stack.set_specs(["conv:out=8,k=3", "conv:out=8,k=zz", "relu"])
    assert stack.error_label.text().startswith("layer 2 'conv:out=8,k=zz': field 'k'")
    stack.set_specs(["conv:out=8,k=3", "conv:out=8,k=40"])
    assert "< 1" in stack.error_label.text()
    assert stack.results.rowCount() == 1  # the layer before the error is still shown
    assert stack.spec_table.item(1, 0).background().color().red() == 255
    stack.h_spin.setValue(60)  # a bigger input makes it fit
    stack.w_spin.setValue(60)
    assert stack.error_label.text() == ""
    assert stack.results.item(1, 2).text() == "8x19x19"


def test_panel_module_does_not_import_torch():
    code = (
        "import sys, gui.calculator; "
        "bad = [m for m in ('torch', 'core.models') if m in sys.modules]; "
        "assert not bad, bad"
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


def test_from_model_traces_in_the_background_and_explains_collapse(panel, qtbot):
    pytest.importorskip("core.models", reason="core.models (registry) is not written yet")
    tab = panel.model
    panel.on_torch_ready()
    tab.arch_combo.setCurrentText("alexnet")
    tab.c_spin.setValue(1)
    tab.size_spin.setValue(28)
    with qtbot.waitSignal(tab.traced, timeout=60_000) as blocker:
        tab.trace_button.click()
        assert tab.is_busy() or tab.result is not None
    result = blocker.args[0]
    assert isinstance(result, cc.TraceResult) and not result.ok
    bad = result.collapsed_index
    assert bad is not None
    assert (
        tab.table.item(bad, 0).background().color() == tab.table.item(bad, 1).background().color()
    )
    assert tab.table.item(bad, 0).background().color().green() < 230  # red-ish
    assert "63x63" in tab.message_label.text()
    # a second trace started before the first returns: only the newest result is shown
    tab.arch_combo.setCurrentText("vgg11_bn")
    tab.trace_button.click()
    stale = tab.trace_task.handle
    tab.arch_combo.setCurrentText("smallcnn")
    with qtbot.waitSignal(tab.traced, timeout=60_000) as blocker:
        tab.trace_button.click()
    assert stale.wait(60)
    qtbot.wait(50)  # let the stale result's queued signal arrive (and be dropped)
    assert blocker.args[0].ok and blocker.args[0].arch == "smallcnn"
    assert tab.result.arch == "smallcnn"
    assert tab.message_label.text() == ""
    assert tab.table.item(0, 2).text() == "32x28x28"
    assert tab.table.item(tab.table.rowCount() - 1, 2).text() == "10"
