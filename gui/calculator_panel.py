"""The Calculator panel: play with H2 = (H - F + 2P) / S + 1, stack layers, trace a model.

Three tabs: one layer (with a drawing of the kernel over the padded input), a stack of
layers written as text specs, and a real registry model traced in the background.
All arithmetic comes from core.convcalc (import-light); torch and core.models are only
touched by the background trace task.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QLineF, QPointF, QRectF, QSize, Qt, Signal, Slot
from PySide6.QtGui import QBrush, QColor, QFont, QMouseEvent, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSizePolicy,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from core import ARCH_NAMES
from core import convcalc as cc
from gui import errors
from gui.panel import Panel

RESULT_COLUMNS = ("#", "layer", "output", "params", "RF", "jump", "notes")
RED = QColor(255, 205, 205)
ERROR_STYLE = "color: #b00020;"
WARN_STYLE = "color: #8a5a00;"


def _spin(minimum: int, maximum: int, value: int, tip: str) -> QSpinBox:
    box = QSpinBox()
    box.setRange(minimum, maximum)
    box.setValue(value)
    box.setToolTip(tip)
    box.setKeyboardTracking(False)
    return box


def _item(text: str, align_right: bool = False) -> QTableWidgetItem:
    item = QTableWidgetItem(text)
    item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEditable)
    if align_right:
        item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
    return item


def fill_results(table: QTableWidget, rows: list[cc.LayerResult]) -> None:
    """Put per-layer rows into a results table; collapsed or failed rows in red."""
    table.setRowCount(len(rows))
    for r, row in enumerate(rows):
        notes = row.error or "; ".join(row.warnings)
        cells = (
            _item(str(row.index + 1), True),
            _item(row.layer),
            _item(cc.format_shape(row.out_shape) if row.out_shape else "-"),
            _item(f"{row.params:,}", True),
            _item(cc.format_pair(row.rf), True),
            _item(cc.format_pair(row.jump), True),
            _item(notes),
        )
        for c, item in enumerate(cells):
            if row.collapsed or row.error:
                item.setBackground(QBrush(RED))
            if notes:
                item.setToolTip(notes)
            table.setItem(r, c, item)


def _results_table() -> QTableWidget:
    table = QTableWidget(0, len(RESULT_COLUMNS))
    table.setHorizontalHeaderLabels(RESULT_COLUMNS)
    table.verticalHeader().setVisible(False)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    header = table.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    header.setStretchLastSection(True)
    return table


# ------------------------------------------------------------------------- kernel drawing


class KernelView(QWidget):
    """The padded input grid beside the output grid; hover an output cell to see its window.

    Padding cells are shaded. The input cells the hovered output cell sees (a dilated
    kernel has holes) are highlighted, with the window outlined. Large inputs are
    clipped to the first MAX_CELLS cells per axis so each cell stays readable.
    """

    MAX_CELLS = 32
    MAX_CELL_PX = 22
    MIN_CELL_PX = 5
    GAP = 3  # cells between the two grids

    hovered_changed = Signal(object)  # (row, col) of the output cell, or None

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setMouseTracking(True)
        self.setMinimumSize(320, 200)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.h = self.w = 7
        self.k = 3
        self.s = 1
        self.p = 0
        self.d = 1
        self.out_h = self.out_w = 5
        self.hovered: tuple[int, int] | None = None

    def sizeHint(self) -> QSize:  # noqa: N802 (Qt API)
        return QSize(520, 300)

    def set_params(self, h: int, w: int, k: int, s: int, p: int, d: int) -> None:
        self.h, self.w, self.k, self.s, self.p, self.d = h, w, k, s, p, d
        self.out_h = cc.conv_out_size(h, k, s, p, d)
        self.out_w = cc.conv_out_size(w, k, s, p, d)
        if self.hovered and not self._valid_output(*self.hovered):
            self.hovered = None
        self.update()

    # geometry ----------------------------------------------------------------------
    def padded_size(self) -> tuple[int, int]:
        return self.h + 2 * self.p, self.w + 2 * self.p

    def drawn_input(self) -> tuple[int, int]:
        ph, pw = self.padded_size()
        return min(ph, self.MAX_CELLS), min(pw, self.MAX_CELLS)

    def drawn_output(self) -> tuple[int, int]:
        return max(0, min(self.out_h, self.MAX_CELLS)), max(0, min(self.out_w, self.MAX_CELLS))

    def cell_size(self) -> float:
        rows_in, cols_in = self.drawn_input()
        rows_out, cols_out = self.drawn_output()
        cols = cols_in + self.GAP + max(cols_out, 1)
        rows = max(rows_in, rows_out, 1)
        avail_w = max(self.width() - 20, 10)
        avail_h = max(self.height() - 40, 10)
        size = min(avail_w / cols, avail_h / rows, self.MAX_CELL_PX)
        return max(size, self.MIN_CELL_PX)

    def _origins(self) -> tuple[QPointF, QPointF]:
        cell = self.cell_size()
        top = 28.0
        left = 10.0
        out_left = left + (self.drawn_input()[1] + self.GAP) * cell
        return QPointF(left, top), QPointF(out_left, top)

    def output_cell_at(self, pos: QPointF) -> tuple[int, int] | None:
        """The output cell under a point of the widget, or None."""
        cell = self.cell_size()
        _, origin = self._origins()
        col = int((pos.x() - origin.x()) // cell)
        row = int((pos.y() - origin.y()) // cell)
        rows, cols = self.drawn_output()
        if pos.x() < origin.x() or pos.y() < origin.y() or row >= rows or col >= cols:
            return None
        return row, col

    def output_cell_center(self, row: int, col: int) -> QPointF:
        cell = self.cell_size()
        _, origin = self._origins()
        return QPointF(origin.x() + (col + 0.5) * cell, origin.y() + (row + 0.5) * cell)

    def _valid_output(self, row: int, col: int) -> bool:
        return 0 <= row < self.out_h and 0 <= col < self.out_w

    def input_cells_for(self, row: int, col: int) -> set[tuple[int, int]]:
        """Padded-grid cells (row, col) that output cell (row, col) sees through the kernel."""
        if not self._valid_output(row, col):
            return set()
        rows = [row * self.s + a * self.d for a in range(self.k)]
        cols = [col * self.s + b * self.d for b in range(self.k)]
        return {(r, c) for r in rows for c in cols}

    def is_padding(self, row: int, col: int) -> bool:
        return not (self.p <= row < self.p + self.h and self.p <= col < self.p + self.w)

    # events --------------------------------------------------------------------------
    def mouseMoveEvent(self, event: QMouseEvent) -> None:  # noqa: N802 (Qt API)
        cell = self.output_cell_at(event.position())
        if cell != self.hovered:
            self.hovered = cell
            self.hovered_changed.emit(cell)
            self.update()
        super().mouseMoveEvent(event)

    def leaveEvent(self, event: Any) -> None:  # noqa: N802 (Qt API)
        if self.hovered is not None:
            self.hovered = None
            self.hovered_changed.emit(None)
            self.update()
        super().leaveEvent(event)

    def active_cell(self) -> tuple[int, int] | None:
        """The hovered output cell, or the first one when nothing is hovered."""
        if self.hovered is not None:
            return self.hovered
        return (0, 0) if self._valid_output(0, 0) else None

    # painting ------------------------------------------------------------------------
    # Few painter calls per frame: areas are filled in one call each, grid lines and
    # highlighted cells are drawn as batches (drawLines / drawRects), so a 32x32 grid
    # costs a handful of calls, not thousands.
    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 (Qt API)
        painter = QPainter(self)
        painter.fillRect(self.rect(), self.palette().base())
        cell = self.cell_size()
        in_origin, out_origin = self._origins()
        active = self.active_cell()
        seen = self.input_cells_for(*active) if active else set()
        self._draw_captions(painter, in_origin, out_origin)
        self._draw_input(painter, in_origin, cell, seen)
        if active:
            self._draw_window(painter, in_origin, cell, active)
        self._draw_output(painter, out_origin, cell, active)
        painter.end()

    def _draw_captions(self, painter: QPainter, in_origin: QPointF, out_origin: QPointF) -> None:
        ph, pw = self.padded_size()
        painter.setPen(self.palette().text().color())
        clipped = f" (first {self.MAX_CELLS} shown)" if max(ph, pw) > self.MAX_CELLS else ""
        painter.drawText(
            QPointF(in_origin.x(), 16), f"input {ph}x{pw} incl. padding {self.p}{clipped}"
        )
        if self.out_h >= 1 and self.out_w >= 1:
            text = f"output {self.out_h}x{self.out_w}"
            if max(self.out_h, self.out_w) > self.MAX_CELLS:
                text += f" (first {self.MAX_CELLS} shown)"
        else:
            text = "no output: the kernel is larger than the padded input"
        painter.drawText(QPointF(out_origin.x(), 16), text)

    @staticmethod
    def _grid_lines(origin: QPointF, cell: float, rows: int, cols: int) -> list[QLineF]:
        x0, y0 = origin.x(), origin.y()
        x1, y1 = x0 + cols * cell, y0 + rows * cell
        lines = [QLineF(x0, y0 + r * cell, x1, y0 + r * cell) for r in range(rows + 1)]
        lines += [QLineF(x0 + c * cell, y0, x0 + c * cell, y1) for c in range(cols + 1)]
        return lines

    def _draw_input(
        self, painter: QPainter, origin: QPointF, cell: float, seen: set[tuple[int, int]]
    ) -> None:
        rows, cols = self.drawn_input()
        x0, y0 = origin.x(), origin.y()
        painter.fillRect(QRectF(x0, y0, cols * cell, rows * cell), QColor(205, 205, 205))
        top, left = min(self.p, rows), min(self.p, cols)
        bottom, right = min(self.p + self.h, rows), min(self.p + self.w, cols)
        if bottom > top and right > left:
            inner = QRectF(
                x0 + left * cell, y0 + top * cell, (right - left) * cell, (bottom - top) * cell
            )
            painter.fillRect(inner, QColor(255, 255, 255))
        cells = [
            QRectF(x0 + c * cell, y0 + r * cell, cell, cell)
            for r, c in seen
            if r < rows and c < cols
        ]
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QColor(255, 165, 60, 210))
        if cells:
            painter.drawRects(cells)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.setPen(QPen(QColor(150, 150, 150), 0))
        painter.drawLines(self._grid_lines(origin, cell, rows, cols))

    def _draw_window(
        self, painter: QPainter, origin: QPointF, cell: float, active: tuple[int, int]
    ) -> None:
        span = cc.effective_kernel(self.k, self.d)
        rows, cols = self.drawn_input()
        top, left = active[0] * self.s, active[1] * self.s
        if top >= rows or left >= cols:
            return
        bottom, right = min(top + span, rows), min(left + span, cols)
        painter.setPen(QPen(QColor(30, 90, 200), 2))
        painter.drawRect(
            QRectF(
                origin.x() + left * cell,
                origin.y() + top * cell,
                (right - left) * cell,
                (bottom - top) * cell,
            )
        )

    def _draw_output(
        self, painter: QPainter, origin: QPointF, cell: float, active: tuple[int, int] | None
    ) -> None:
        rows, cols = self.drawn_output()
        if rows < 1 or cols < 1:
            return
        x0, y0 = origin.x(), origin.y()
        painter.fillRect(QRectF(x0, y0, cols * cell, rows * cell), QColor(225, 238, 255))
        if active and active[0] < rows and active[1] < cols:
            rect = QRectF(x0 + active[1] * cell, y0 + active[0] * cell, cell, cell)
            painter.fillRect(rect, QColor(255, 165, 60))
        painter.setPen(QPen(QColor(150, 150, 150), 0))
        painter.drawLines(self._grid_lines(origin, cell, rows, cols))


# ------------------------------------------------------------------------- single layer


class SingleLayerTab(QWidget):
    """One convolution: inputs, H2 x W2 x K, the formula with numbers, params, warnings."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.h_spin = _spin(1, 4096, 224, "input height H in pixels")
        self.w_spin = _spin(1, 4096, 224, "input width W in pixels")
        self.c_spin = _spin(1, 4096, 3, "input channels C_in (3 for RGB, 1 for grayscale)")
        self.k_spin = _spin(1, 64, 7, "kernel size F (square F x F)")
        self.s_spin = _spin(1, 64, 2, "stride S: how many pixels the kernel moves per step")
        self.p_spin = _spin(0, 64, 3, "zero padding P added on every side")
        self.d_spin = _spin(1, 16, 1, "dilation D: gaps between kernel taps (1 = none)")
        self.out_spin = _spin(1, 4096, 64, "number of kernels K = output channels")
        form = QFormLayout()
        for label, box in (
            ("H", self.h_spin),
            ("W", self.w_spin),
            ("C_in", self.c_spin),
            ("kernel F", self.k_spin),
            ("stride S", self.s_spin),
            ("padding P", self.p_spin),
            ("dilation D", self.d_spin),
            ("kernels K", self.out_spin),
        ):
            form.addRow(label, box)
            box.valueChanged.connect(self.recompute)

        self.output_label = QLabel()
        font = self.output_label.font()
        font.setPointSizeF(font.pointSizeF() * 1.6)
        font.setBold(True)
        self.output_label.setFont(font)
        self.formula_label = QLabel()
        self.formula_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        mono = QFont("monospace")
        mono.setStyleHint(QFont.StyleHint.Monospace)
        self.formula_label.setFont(mono)
        self.formula_label.setWordWrap(True)
        self.params_label = QLabel()
        self.warning_label = QLabel()
        self.warning_label.setWordWrap(True)
        self.hover_label = QLabel()
        self.view = KernelView()
        self.view.hovered_changed.connect(self._on_hover)

        results = QVBoxLayout()
        results.addWidget(self.output_label)
        results.addWidget(self.formula_label)
        results.addWidget(self.params_label)
        results.addWidget(self.warning_label)
        results.addWidget(self.hover_label)
        results.addWidget(self.view, 1)

        layout = QHBoxLayout(self)
        inputs = QGroupBox("Layer")
        inputs.setLayout(form)
        layout.addWidget(inputs)
        layout.addLayout(results, 1)
        self.recompute()

    def values(self) -> dict[str, int]:
        return {
            "h": self.h_spin.value(),
            "w": self.w_spin.value(),
            "c": self.c_spin.value(),
            "k": self.k_spin.value(),
            "s": self.s_spin.value(),
            "p": self.p_spin.value(),
            "d": self.d_spin.value(),
            "out": self.out_spin.value(),
        }

    def set_values(self, **values: int) -> None:
        """Set several inputs at once and recompute once (tests and presets)."""
        boxes = {
            "h": self.h_spin,
            "w": self.w_spin,
            "c": self.c_spin,
            "k": self.k_spin,
            "s": self.s_spin,
            "p": self.p_spin,
            "d": self.d_spin,
            "out": self.out_spin,
        }
        for key, value in values.items():
            boxes[key].blockSignals(True)
            boxes[key].setValue(int(value))
            boxes[key].blockSignals(False)
        self.recompute()

    @Slot()
    def recompute(self) -> None:
        v = self.values()
        layer = cc.Conv(
            out=v["out"],
            k=(v["k"], v["k"]),
            s=(v["s"], v["s"]),
            p=(v["p"], v["p"]),
            d=(v["d"], v["d"]),
        )
        formulas = [
            cc.formula_text(v["h"], v["k"], v["s"], v["p"], v["d"], axis="H"),
            cc.formula_text(v["w"], v["k"], v["s"], v["p"], v["d"], axis="W"),
        ]
        self.formula_label.setText("\n".join(formulas))
        self.view.set_params(v["h"], v["w"], v["k"], v["s"], v["p"], v["d"])
        try:
            row = cc.compute_table((v["c"], v["h"], v["w"]), [layer])[0]
        except cc.ConvCalcError as exc:
            self.output_label.setText("output < 1")
            self.params_label.setText("")
            message = str(exc).split(": ", 2)[-1]
            self.warning_label.setText(f"Error: {message}")
            self.warning_label.setStyleSheet(ERROR_STYLE)
        else:
            c, h2, w2 = row.out_shape
            self.output_label.setText(f"{h2} x {w2} x {c}")
            weights = v["out"] * v["c"] * v["k"] * v["k"]
            self.params_label.setText(
                f"parameters: {row.params:,}  = K*C_in*F*F + K = "
                f"{v['out']}*{v['c']}*{v['k']}*{v['k']} + {v['out']} = {weights:,} + {v['out']}"
            )
            self.warning_label.setText("\n".join(f"Warning: {w}" for w in row.warnings))
            self.warning_label.setStyleSheet(WARN_STYLE)
        self._on_hover(self.view.hovered)
        self.changed.emit()

    @Slot(object)
    def _on_hover(self, cell: object) -> None:
        active = self.view.active_cell()
        if active is None:
            self.hover_label.setText("")
            return
        r, c = active
        top, left = r * self.view.s, c * self.view.s
        span = cc.effective_kernel(self.view.k, self.view.d)
        self.hover_label.setText(
            f"output ({r}, {c}) sees padded input rows {top}..{top + span - 1}, "
            f"columns {left}..{left + span - 1} (hover the output grid)"
        )


# ------------------------------------------------------------------------- layer stack


class LayerStackTab(QWidget):
    """Rows of text specs you can add, edit, remove and reorder; a results table beside."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.rows: list[cc.LayerResult] = []
        self.preset_combo = QComboBox()
        self.preset_combo.addItem("Presets...", None)
        for key, preset in cc.PRESETS.items():
            self.preset_combo.addItem(preset.title, key)
        self.preset_combo.activated.connect(self._on_preset)
        self.c_spin = _spin(1, 4096, 3, "input channels")
        self.h_spin = _spin(1, 4096, 224, "input height")
        self.w_spin = _spin(1, 4096, 224, "input width")
        for box in (self.c_spin, self.h_spin, self.w_spin):
            box.valueChanged.connect(self.recompute)

        self.spec_table = QTableWidget(0, 1)
        self.spec_table.setHorizontalHeaderLabels(["layer spec (double-click to edit)"])
        self.spec_table.horizontalHeader().setStretchLastSection(True)
        self.spec_table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.spec_table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.spec_table.setToolTip(cc.SPEC_HELP)
        self.spec_table.itemChanged.connect(self._on_item_changed)

        self.add_button = QPushButton("Add")
        self.add_button.setToolTip("add a layer below the selected one")
        self.remove_button = QPushButton("Remove")
        self.up_button = QPushButton("Up")
        self.down_button = QPushButton("Down")
        self.add_button.clicked.connect(lambda: self.add_layer())
        self.remove_button.clicked.connect(self.remove_selected)
        self.up_button.clicked.connect(lambda: self.move_selected(-1))
        self.down_button.clicked.connect(lambda: self.move_selected(1))

        self.results = _results_table()
        self.error_label = QLabel()
        self.error_label.setWordWrap(True)
        self.error_label.setStyleSheet(ERROR_STYLE)
        self.total_label = QLabel()
        self.description_label = QLabel()
        self.description_label.setWordWrap(True)
        self.help_label = QLabel(f"Specs: {cc.SPEC_HELP}")
        self.help_label.setWordWrap(True)

        top = QHBoxLayout()
        top.addWidget(self.preset_combo)
        top.addWidget(QLabel("input C, H, W"))
        for box in (self.c_spin, self.h_spin, self.w_spin):
            top.addWidget(box)
        top.addStretch(1)
        buttons = QHBoxLayout()
        for button in (self.add_button, self.remove_button, self.up_button, self.down_button):
            buttons.addWidget(button)
        left = QVBoxLayout()
        left.addWidget(self.spec_table, 1)
        left.addLayout(buttons)
        left.addWidget(self.help_label)
        right = QVBoxLayout()
        right.addWidget(self.results, 1)
        right.addWidget(self.total_label)
        right.addWidget(self.error_label)
        body = QGridLayout()
        body.addLayout(left, 0, 0)
        body.addLayout(right, 0, 1)
        body.setColumnStretch(0, 2)
        body.setColumnStretch(1, 3)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.description_label)
        layout.addLayout(body, 1)
        self.load_preset("alexnet_features")

    # editing -------------------------------------------------------------------------
    def specs(self) -> list[str]:
        out = []
        for r in range(self.spec_table.rowCount()):
            item = self.spec_table.item(r, 0)
            out.append(item.text() if item else "")
        return out

    def set_specs(self, specs: list[str]) -> None:
        self.spec_table.blockSignals(True)
        self.spec_table.setRowCount(0)
        for spec in specs:
            self._insert_row(self.spec_table.rowCount(), spec)
        self.spec_table.blockSignals(False)
        self.recompute()

    def _insert_row(self, row: int, spec: str) -> None:
        self.spec_table.insertRow(row)
        self.spec_table.setItem(row, 0, QTableWidgetItem(spec))

    def set_input(self, shape: tuple[int, int, int]) -> None:
        for box, value in zip((self.c_spin, self.h_spin, self.w_spin), shape, strict=True):
            box.blockSignals(True)
            box.setValue(int(value))
            box.blockSignals(False)
        self.recompute()

    def input_shape(self) -> tuple[int, int, int]:
        return self.c_spin.value(), self.h_spin.value(), self.w_spin.value()

    def load_preset(self, key: str) -> None:
        preset = cc.PRESETS[key]
        index = self.preset_combo.findData(key)
        if index >= 0:
            self.preset_combo.setCurrentIndex(index)
        self.description_label.setText(preset.description)
        self.set_input(preset.input_shape)
        self.set_specs(list(preset.layers))

    @Slot(int)
    def _on_preset(self, index: int) -> None:
        key = self.preset_combo.itemData(index)
        if key:
            self.load_preset(key)

    def selected_row(self) -> int:
        rows = self.spec_table.selectionModel().selectedRows()
        return rows[0].row() if rows else -1

    def add_layer(self, spec: str = "conv:out=16,k=3,s=1,p=1", row: int | None = None) -> None:
        if row is None:
            selected = self.selected_row()
            row = selected + 1 if selected >= 0 else self.spec_table.rowCount()
        self.spec_table.blockSignals(True)
        self._insert_row(row, spec)
        self.spec_table.blockSignals(False)
        self.spec_table.selectRow(row)
        self.recompute()

    @Slot()
    def remove_selected(self) -> None:
        row = self.selected_row()
        if row < 0:
            return
        self.spec_table.removeRow(row)
        if self.spec_table.rowCount():
            self.spec_table.selectRow(min(row, self.spec_table.rowCount() - 1))
        self.recompute()

    def move_selected(self, step: int) -> None:
        row = self.selected_row()
        target = row + step
        if row < 0 or not 0 <= target < self.spec_table.rowCount():
            return
        specs = self.specs()
        specs[row], specs[target] = specs[target], specs[row]
        self.set_specs(specs)
        self.spec_table.selectRow(target)

    @Slot(QTableWidgetItem)
    def _on_item_changed(self, item: QTableWidgetItem) -> None:
        self.recompute()

    # results ---------------------------------------------------------------------------
    @Slot()
    def recompute(self) -> None:
        specs = [s for s in self.specs() if s.strip()]
        error_index = None
        try:
            self.rows = cc.compute_table(self.input_shape(), specs)
            self.error_label.setText("")
        except cc.ConvCalcError as exc:
            self.rows = exc.rows
            error_index = exc.index
            self.error_label.setText(str(exc))
        fill_results(self.results, self.rows)
        self._mark_bad_spec(error_index)
        total = cc.total_params(self.rows)
        last = self.rows[-1] if self.rows else None
        summary = f"total parameters: {total:,}"
        if last is not None:
            summary += f"   output: {cc.format_shape(last.out_shape)}"
            rf = [r for r in self.rows if r.rf is not None]
            if rf:
                summary += f"   receptive field: {cc.format_pair(rf[-1].rf)} (at {rf[-1].layer})"
        self.total_label.setText(summary)
        self.changed.emit()

    def _mark_bad_spec(self, error_index: int | None) -> None:
        """Shade the spec row the error is about (indices count non-empty rows)."""
        self.spec_table.blockSignals(True)
        nonempty = -1
        for r in range(self.spec_table.rowCount()):
            item = self.spec_table.item(r, 0)
            if item is None:
                continue
            if item.text().strip():
                nonempty += 1
            bad = error_index is not None and nonempty == error_index and item.text().strip()
            item.setBackground(QBrush(RED) if bad else QBrush())
        self.spec_table.blockSignals(False)


# ------------------------------------------------------------------------- from model


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
        self._handle: Any = None
        self.arch_combo = QComboBox()
        self.arch_combo.addItems(ARCH_NAMES)
        self.arch_combo.setCurrentText("alexnet")
        self.c_spin = _spin(1, 3, 1, "input channels: 1 (grayscale) or 3 (RGB)")
        self.size_spin = _spin(1, 1024, 28, "input height and width in pixels")
        self.trace_button = QPushButton("Trace")
        self.trace_button.setToolTip("build the model and run one image through it")
        self.trace_button.clicked.connect(self.start_trace)
        self.status_label = QLabel("Pick a model and an input size, then Trace.")
        self.message_label = QLabel()
        self.message_label.setWordWrap(True)
        self.message_label.setStyleSheet(ERROR_STYLE)
        self.table = _results_table()

        top = QHBoxLayout()
        top.addWidget(QLabel("model"))
        top.addWidget(self.arch_combo)
        top.addWidget(QLabel("channels"))
        top.addWidget(self.c_spin)
        top.addWidget(QLabel("size"))
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
        return self._handle is not None and not self._handle.is_done()

    @Slot()
    def start_trace(self) -> None:
        """Trace the chosen model off the GUI thread; an older trace's result is dropped."""
        from gui import tasks

        arch = self.arch_combo.currentText()
        size = self.size_spin.value()
        shape = (self.c_spin.value(), size, size)
        if self._handle is not None:
            self._handle.cancel()
        self.status_label.setText(f"Tracing {arch} on {shape[0]}x{size}x{size}...")
        self.message_label.setText("")
        self._handle = tasks.run_task(
            trace_job, arch, shape, on_finished=self._on_finished, on_error=self._on_error
        )

    def _is_current(self) -> bool:
        sender = self.sender()
        return sender is None or sender is self._handle

    @Slot(object)
    def _on_finished(self, result: cc.TraceResult) -> None:
        if not self._is_current():
            return  # a newer trace was started
        self.result = result
        fill_results(self.table, result.rows)
        h, w = result.input_shape[1:]
        stopped = " (the forward pass stopped at the last one)" if result.error else ""
        self.status_label.setText(
            f"{result.arch} on {result.input_shape[0]}x{h}x{w}: {len(result.rows)} layer "
            f"calls{stopped}; the model has {result.total_params:,} parameters"
        )
        self.message_label.setText(result.message or "")
        if result.collapsed_index is not None:
            self.table.scrollToItem(self.table.item(result.collapsed_index, 0))
        self.traced.emit(result)

    @Slot(object)
    def _on_error(self, error: BaseException) -> None:
        message = errors.message(error)
        if not self._is_current():
            return
        self.result = None
        self.table.setRowCount(0)
        self.status_label.setText("Trace failed.")
        self.message_label.setText(message)
        self.failed.emit(message)


# ------------------------------------------------------------------------- the panel


class CalculatorPanel(Panel):
    """The Calculator tab: single layer, layer stack and a traced model."""

    title = "Calculator"

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.tabs = QTabWidget()
        self.single = SingleLayerTab()
        self.stack = LayerStackTab()
        self.model = FromModelTab()
        self.tabs.addTab(self.single, "Single layer")
        self.tabs.addTab(self.stack, "Layer stack")
        self.tabs.addTab(self.model, "From model")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.tabs)

    def on_torch_ready(self) -> None:
        """Use the registry's real list of architectures once core.models can load."""
        try:
            from core.models import ARCHS
        except Exception:  # keep the built-in list; the trace will report the problem
            return
        self.model.set_archs(list(ARCHS))
