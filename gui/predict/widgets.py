"""The Predict panel's small widgets: the drop zone, the top-k bars and the detail view."""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QColor, QDragEnterEvent, QDropEvent, QPainter
from PySide6.QtWidgets import QFrame, QLabel, QSizePolicy, QVBoxLayout, QWidget

from gui import dnd
from gui.predict.jobs import DETAIL_SIZE, TOP_K, PredictionResult
from gui.predict.table import topk_lines


class DropZone(QFrame):
    """A framed area that accepts files, folders, local URLs and raw image data."""

    paths_dropped = Signal(list)
    images_dropped = Signal(list)
    drop_rejected = Signal(str)
    drag_entered = Signal(object)  # the drag's QMimeData, valid during the emit only

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAcceptDrops(True)
        self.setObjectName("dropZone")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setMinimumHeight(90)
        self._label = QLabel(
            "Drop images or folders here\n(or use Open images..., or paste with Ctrl+V)", self
        )
        self._label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self._label.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addWidget(self._label)
        self._set_highlight(False)

    def _set_highlight(self, on: bool) -> None:
        colour = "#3d7edb" if on else "#8a8a8a"
        self.setStyleSheet(
            f"QFrame#dropZone {{ border: 2px dashed {colour}; border-radius: 8px; }}"
        )

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:  # noqa: N802 (Qt name)
        if dnd.has_input(event.mimeData()):
            event.acceptProposedAction()
            self._set_highlight(True)
            self.drag_entered.emit(event.mimeData())
        else:
            event.ignore()

    def dragMoveEvent(self, event) -> None:  # noqa: N802
        if dnd.has_input(event.mimeData()):
            event.acceptProposedAction()

    def dragLeaveEvent(self, event) -> None:  # noqa: N802
        self._set_highlight(False)
        super().dragLeaveEvent(event)

    def dropEvent(self, event: QDropEvent) -> None:  # noqa: N802
        self._set_highlight(False)
        paths, images, problems = dnd.inputs(event.mimeData())
        if not (paths or images or problems):
            event.ignore()
            return
        event.acceptProposedAction()
        if problems:
            self.drop_rejected.emit(" ".join(problems))
        if paths:
            self.paths_dropped.emit(paths)
        if images:
            self.images_dropped.emit(images)


class TopKBars(QWidget):
    """Painted horizontal bars: class names and probabilities, best first."""

    BAR_COLOUR = QColor("#3d7edb")
    UNCERTAIN_COLOUR = QColor("#d98c1f")

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._topk: list[tuple[str, float]] = []
        self._uncertain = False
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setMinimumHeight(self._row_height() * TOP_K + 4)

    def _row_height(self) -> int:
        return self.fontMetrics().height() + 8

    def set_topk(self, topk: list[tuple[str, float]], uncertain: bool = False) -> None:
        self._topk = list(topk)
        self._uncertain = uncertain
        self.setToolTip(topk_lines(self._topk))
        self.update()

    def topk(self) -> list[tuple[str, float]]:
        return list(self._topk)

    def sizeHint(self) -> QSize:  # noqa: N802
        return QSize(320, self._row_height() * TOP_K + 4)

    def paintEvent(self, event) -> None:  # noqa: N802
        painter = QPainter(self)
        try:
            self._paint(painter)
        finally:
            painter.end()

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
            colour = self.UNCERTAIN_COLOUR if (self._uncertain and i == 0) else self.BAR_COLOUR
            if i > 0:
                colour = colour.lighter(130)
            painter.setPen(text)
            elided = metrics.elidedText(name, Qt.TextElideMode.ElideRight, names_w)
            painter.drawText(0, y, names_w, row - 2, Qt.AlignmentFlag.AlignVCenter, elided)
            painter.fillRect(bar_x, y + 3, max(1, int(bar_w * prob)), row - 8, colour)
            painter.drawText(
                bar_x + bar_w + 4,
                y,
                value_w,
                row - 2,
                Qt.AlignmentFlag.AlignVCenter,
                f"{prob:.1%}",
            )


class ResultView(QWidget):
    """One result in detail: the picture, the top-1 class, an uncertainty note, the bars."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.image_label = QLabel(self)
        self.image_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.image_label.setMinimumSize(DETAIL_SIZE, DETAIL_SIZE)
        self.image_label.setWordWrap(True)
        layout.addWidget(self.image_label)
        self.class_label = QLabel(self)
        font = self.class_label.font()
        font.setPointSizeF(font.pointSizeF() * 1.4)
        font.setBold(True)
        self.class_label.setFont(font)
        self.class_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout.addWidget(self.class_label)
        self.uncertain_label = QLabel(self)
        self.uncertain_label.setStyleSheet("color: #b86e00; font-weight: bold;")
        self.uncertain_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.uncertain_label.setWordWrap(True)
        self.uncertain_label.hide()
        layout.addWidget(self.uncertain_label)
        self.bars = TopKBars(self)
        layout.addWidget(self.bars)

    def show_result(self, result: PredictionResult | None, threshold_percent: float) -> None:
        """The texts and bars of ``result`` (the picture is set by the panel)."""
        if result is None:
            self.image_label.clear()
            self.class_label.clear()
            self.uncertain_label.hide()
            self.bars.set_topk([])
            return
        if result.error:
            self.class_label.setText("cannot predict")
            self.uncertain_label.setText(result.error)
            self.uncertain_label.show()
            self.bars.set_topk([])
            return
        self.class_label.setText(f"{result.top1}  ({result.prob:.1%})")
        uncertain = result.is_uncertain(threshold_percent / 100.0)
        self.uncertain_label.setText(f"uncertain: top probability below {threshold_percent:.0f} %")
        self.uncertain_label.setVisible(uncertain)
        self.bars.set_topk(result.topk, uncertain)
