"""The kernel drawing of the Single layer tab: which input cells an output cell sees."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QLineF, QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QMouseEvent, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

from core import convcalc as cc


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
        painter.setPen(self.palette().text().color())
        painter.drawText(QPointF(in_origin.x(), 16), self.input_caption())
        painter.drawText(QPointF(out_origin.x(), 16), self.output_caption())

    def input_caption(self) -> str:
        ph, pw = self.padded_size()
        if max(ph, pw) > self.MAX_CELLS:
            text = self.tr("input {rows}x{cols} incl. padding {padding} (first {cells} shown)")
        else:
            text = self.tr("input {rows}x{cols} incl. padding {padding}")
        return text.format(rows=ph, cols=pw, padding=self.p, cells=self.MAX_CELLS)

    def output_caption(self) -> str:
        if self.out_h < 1 or self.out_w < 1:
            return self.tr("no output: the kernel is larger than the padded input")
        if max(self.out_h, self.out_w) > self.MAX_CELLS:
            text = self.tr("output {rows}x{cols} (first {cells} shown)")
        else:
            text = self.tr("output {rows}x{cols}")
        return text.format(rows=self.out_h, cols=self.out_w, cells=self.MAX_CELLS)

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
