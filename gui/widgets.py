"""Small widgets more than one panel shows (panels never import each other)."""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QColor, QPainter
from PySide6.QtWidgets import QGridLayout, QLayout, QSizePolicy, QWidget

from core.predict_checks import format_prob, format_topk

TOP_K = 5


def topk_lines(topk: list[tuple[str, float]]) -> str:
    """One "class: 12.3%" line per class (tooltips): the Predict table's rounding rule."""
    return format_topk(topk, sep="\n")


class TopKBars(QWidget):
    """Painted horizontal bars: class names and probabilities, best first.

    ``mark`` names a class whose bar is drawn in the warning colour wherever it is
    (the Evaluate panel marks the true class of a wrong answer).
    """

    BAR_COLOUR = QColor("#3d7edb")
    UNCERTAIN_COLOUR = QColor("#d98c1f")

    def __init__(self, parent: QWidget | None = None, rows: int = TOP_K) -> None:
        super().__init__(parent)
        self._topk: list[tuple[str, float]] = []
        self._uncertain = False
        self._mark: str | None = None
        self._rows = rows
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setMinimumHeight(self._row_height() * rows + 4)

    def _row_height(self) -> int:
        return self.fontMetrics().height() + 8

    def set_topk(
        self, topk: list[tuple[str, float]], uncertain: bool = False, mark: str | None = None
    ) -> None:
        self._topk = list(topk)
        self._uncertain = uncertain
        self._mark = mark
        self.setToolTip(topk_lines(self._topk))
        self.update()

    def topk(self) -> list[tuple[str, float]]:
        return list(self._topk)

    def sizeHint(self) -> QSize:  # noqa: N802
        return QSize(320, self._row_height() * self._rows + 4)

    def paintEvent(self, event) -> None:  # noqa: N802
        painter = QPainter(self)
        try:
            self._paint(painter)
        finally:
            painter.end()

    def _colour(self, index: int, name: str) -> QColor:
        marked = name == self._mark or (self._uncertain and index == 0)
        colour = self.UNCERTAIN_COLOUR if marked else self.BAR_COLOUR
        return colour.lighter(130) if index > 0 else colour

    def _paint(self, painter: QPainter) -> None:
        metrics = self.fontMetrics()
        row = self._row_height()
        names_w = min(
            self.width() // 3, max((metrics.horizontalAdvance(n) for n, _ in self._topk), default=0)
        )
        value_w = metrics.horizontalAdvance("100.0%") + 6
        bar_x = names_w + 8
        bar_w = max(1, self.width() - bar_x - value_w)
        text = self.palette().color(self.foregroundRole())
        for i, (name, prob) in enumerate(self._topk):
            y = 2 + i * row
            painter.setPen(text)
            elided = metrics.elidedText(name, Qt.TextElideMode.ElideRight, names_w)
            painter.drawText(0, y, names_w, row - 2, Qt.AlignmentFlag.AlignVCenter, elided)
            painter.fillRect(
                bar_x, y + 3, max(1, int(bar_w * prob)), row - 8, self._colour(i, name)
            )
            painter.drawText(
                bar_x + bar_w + 4,
                y,
                value_w,
                row - 2,
                Qt.AlignmentFlag.AlignVCenter,
                format_prob(prob),
            )


class ButtonGrid(QWidget):
    """Buttons two to a row where they fit side by side, one under the other where not.

    A pane in a splitter can then be narrower than two buttons (a 1024-pixel window)
    without cutting one off: its minimum width is that of the widest button.
    """

    def __init__(self, buttons: list[QWidget], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._buttons = list(buttons)
        self._grid = QGridLayout(self)
        self._grid.setContentsMargins(0, 0, 0, 0)
        self._grid.setSizeConstraint(QLayout.SizeConstraint.SetNoConstraint)
        self._columns = 0
        self._place(2)

    def columns(self) -> int:
        return self._columns

    def minimumSizeHint(self) -> QSize:  # noqa: N802
        widest = max((b.minimumSizeHint().width() for b in self._buttons), default=0)
        return QSize(widest, super().minimumSizeHint().height())

    def resizeEvent(self, event) -> None:  # noqa: N802
        super().resizeEvent(event)
        widths = [b.sizeHint().width() for b in self._buttons]
        two = max(widths[0::2], default=0) + max(widths[1::2], default=0)  # the two columns
        fits = two + max(0, self._grid.horizontalSpacing()) <= event.size().width()
        self._place(2 if fits else 1)

    def _place(self, columns: int) -> None:
        if columns == self._columns:
            return
        self._columns = columns
        for button in self._buttons:
            self._grid.removeWidget(button)
        for i, button in enumerate(self._buttons):
            self._grid.addWidget(button, i // columns, i % columns)
        self.updateGeometry()  # another height: the layout around gives it room
