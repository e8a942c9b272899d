"""The Predict panel's small widgets: the drop zone and the detail view (bars: gui.widgets)."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import QFrame, QLabel, QVBoxLayout, QWidget

from core.predict_checks import format_prob
from gui import dnd
from gui.i18n.core_messages import translate as core_text
from gui.predict.jobs import DETAIL_SIZE, PredictionResult
from gui.predict.table import WARNING_MARK, unlike_tooltip
from gui.sizing import FitImageLabel
from gui.widgets import TopKBars


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
            self.tr("Drop images or folders here\n(or use Open images..., or paste with Ctrl+V)"),
            self,
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


class ResultView(QWidget):
    """One result in detail: the picture, the top-1 class, an uncertainty note, the bars."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        # shrinks to the room left (1024x700): the class, notes and bars stay in view
        self.image_label = FitImageLabel(self, hint=DETAIL_SIZE)
        self.image_label.setWordWrap(True)
        layout.addWidget(self.image_label, 1)
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
        self.unlike_label = QLabel(self)  # the input differs from the training data
        self.unlike_label.setObjectName("unlike_training_data")
        self.unlike_label.setStyleSheet("color: #b86e00;")
        self.unlike_label.setWordWrap(True)
        self.unlike_label.hide()
        layout.addWidget(self.unlike_label)
        self.bars = TopKBars(self)
        layout.addWidget(self.bars)

    def show_result(self, result: PredictionResult | None, threshold_percent: float) -> None:
        """The texts and bars of ``result`` (the picture is set by the panel)."""
        self._show_warnings([] if result is None or result.error else result.warnings)
        if result is None:
            self.image_label.clear()
            self.class_label.clear()
            self.uncertain_label.hide()
            self.bars.set_topk([])
            return
        if result.error:
            self.class_label.setText(self.tr("cannot predict"))
            self.uncertain_label.setText(result.error)
            self.uncertain_label.show()
            self.bars.set_topk([])
            return
        self.class_label.setText(f"{result.top1}  ({format_prob(result.prob)})")
        uncertain = result.is_uncertain(threshold_percent / 100.0)
        self.uncertain_label.setText(
            self.tr("uncertain: top probability below {threshold} %").format(
                threshold=f"{threshold_percent:.0f}"
            )
        )
        self.uncertain_label.setVisible(uncertain)
        self.bars.set_topk(result.topk, uncertain)

    def _show_warnings(self, warnings: list[str]) -> None:
        """The mark's sentence under the class: what makes the input unlike the training data."""
        self.unlike_label.setVisible(bool(warnings))
        if warnings:
            # a list of reasons: each translated whole, joined by the language's separator
            reasons = self.tr("; ").join(core_text(w) for w in warnings)
            self.unlike_label.setText(
                self.tr("{mark} Unlike the training data: {reasons}.").format(
                    mark=WARNING_MARK, reasons=reasons
                )
            )
            tip = unlike_tooltip(warnings)
            for label in (self.unlike_label, self.class_label):
                label.setToolTip(tip)
        else:
            self.class_label.setToolTip("")
