"""The From model tab: trace a registry model in the background and show its layer table.

The trace runs through one :class:`gui.tasks.LatestTask`: tracing again cancels the
trace still running, whose result then never arrives. :func:`trace_job` is the plain
task function (torch and core.models are imported by core.convtrace when it runs).
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Signal, Slot
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from core import ARCH_NAMES
from core import convcalc as cc
from gui import errors
from gui.calculator.widgets import ERROR_STYLE, fill_results, results_table, spin_box
from gui.i18n.core_messages import translate as core_text
from gui.i18n.core_messages import translate_within
from gui.tasks import LatestTask


def trace_job(ctx: Any, arch: str, shape: tuple[int, int, int]) -> cc.TraceResult:
    """Background task: build the registry model and trace it (imports torch)."""
    return cc.trace_model(arch, shape)


class FromModelTab(QWidget):
    """Pick a registry model and an input size; the traced per-layer table."""

    traced = Signal(object)  # the TraceResult
    failed = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.result: cc.TraceResult | None = None
        self.trace_task = LatestTask(self)
        self.trace_task.finished.connect(self._on_finished)
        self.trace_task.errored.connect(self._on_error)
        self.arch_combo = QComboBox()
        self.arch_combo.addItems(ARCH_NAMES)
        self.arch_combo.setCurrentText("alexnet")
        self.c_spin = spin_box(1, 3, 1, self.tr("input channels: 1 (grayscale) or 3 (RGB)"))
        self.size_spin = spin_box(1, 1024, 28, self.tr("input height and width in pixels"))
        self.trace_button = QPushButton(self.tr("Trace"))
        self.trace_button.setToolTip(self.tr("build the model and run one image through it"))
        self.trace_button.clicked.connect(self.start_trace)
        self.status_label = QLabel(self.tr("Pick a model and an input size, then Trace."))
        self.message_label = QLabel()
        self.message_label.setWordWrap(True)
        self.message_label.setStyleSheet(ERROR_STYLE)
        self.table = results_table()

        top = QHBoxLayout()
        top.addWidget(QLabel(self.tr("model")))
        top.addWidget(self.arch_combo)
        top.addWidget(QLabel(self.tr("channels")))
        top.addWidget(self.c_spin)
        top.addWidget(QLabel(self.tr("size")))
        top.addWidget(self.size_spin)
        top.addWidget(self.trace_button)
        top.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.status_label)
        layout.addWidget(self.message_label)
        layout.addWidget(self.table, 1)

    def set_archs(self, names: list[str]) -> None:
        current = self.arch_combo.currentText()
        self.arch_combo.clear()
        self.arch_combo.addItems(names)
        if current in names:
            self.arch_combo.setCurrentText(current)

    def is_busy(self) -> bool:
        return self.trace_task.busy

    @Slot()
    def start_trace(self) -> None:
        """Trace the chosen model off the GUI thread; an older trace's result is dropped."""
        arch = self.arch_combo.currentText()
        size = self.size_spin.value()
        shape = (self.c_spin.value(), size, size)
        self.status_label.setText(
            self.tr("Tracing {arch} on {shape}...").format(
                arch=arch, shape=f"{shape[0]}x{size}x{size}"
            )
        )
        self.message_label.setText("")
        self.trace_task.start(trace_job, arch, shape)

    def cancel(self) -> None:
        """Forget a running trace (window close)."""
        self.trace_task.cancel()

    @Slot(object)
    def _on_finished(self, result: cc.TraceResult) -> None:
        self.result = result
        fill_results(self.table, result.rows)
        h, w = result.input_shape[1:]
        if result.error:
            text = self.tr(
                "{arch} on {shape}: %n layer call(s) (the forward pass stopped at the last "
                "one); the model has {params} parameters",
                "",
                len(result.rows),
            )
        else:
            text = self.tr(
                "{arch} on {shape}: %n layer call(s); the model has {params} parameters",
                "",
                len(result.rows),
            )
        self.status_label.setText(
            text.format(
                arch=result.arch,
                shape=f"{result.input_shape[0]}x{h}x{w}",
                params=f"{result.total_params:,}",
            )
        )
        message = core_text(result.message or "")
        self.message_label.setText(translate_within(message, cc.TOO_SMALL_AT))
        if result.collapsed_index is not None:
            self.table.scrollToItem(self.table.item(result.collapsed_index, 0))
        self.traced.emit(result)

    @Slot(object)
    def _on_error(self, error: BaseException) -> None:
        message = errors.message(error)
        self.result = None
        self.table.setRowCount(0)
        self.status_label.setText(self.tr("Trace failed."))
        self.message_label.setText(message)
        self.failed.emit(message)
