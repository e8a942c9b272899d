"""The Evaluate panel's parts: the source bar, the matrix pane, the gallery and the detail pane."""

from __future__ import annotations

from PySide6.QtCore import QT_TRANSLATE_NOOP, QSize, Qt, Signal, Slot
from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QListView,
    QProgressBar,
    QPushButton,
    QSizePolicy,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from gui.evaluate.jobs import DETAIL_SIZE
from gui.evaluate.models import THUMB_SIZE, ConfusionModel, GalleryModel
from gui.widgets import ButtonGrid, TopKBars

SPLIT_CHOICES = (
    ("valid", QT_TRANSLATE_NOOP("SourceBar", "validation split")),
    ("train", QT_TRANSLATE_NOOP("SourceBar", "training split")),
    ("all", QT_TRANSLATE_NOOP("SourceBar", "all images")),
)


def _wrapping_label(parent: QWidget) -> QLabel:
    label = QLabel(parent)
    label.setWordWrap(True)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return label


class SourceBar(QGroupBox):
    """Which model on which data: Open model..., Open data..., the split, Evaluate, progress.

    Signals: ``open_model_requested()``, ``open_data_requested()``, ``evaluate_requested()``,
    ``cancel_requested()``.
    """

    open_model_requested = Signal()
    open_data_requested = Signal()
    evaluate_requested = Signal()
    cancel_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setTitle(self.tr("Model and data"))
        layout = QVBoxLayout(self)
        row = QHBoxLayout()
        self.label = _wrapping_label(self)
        row.addWidget(self.label, 1)
        self.open_model_button = QPushButton(self.tr("Open model..."), self)
        self.open_model_button.setToolTip(self.tr("Evaluate another bundle (best.pt or last.pt)."))
        self.open_model_button.clicked.connect(self.open_model_requested)
        self.open_data_button = QPushButton(self.tr("Open data..."), self)
        self.open_data_button.setToolTip(
            self.tr(
                "A labelled folder: one sub-folder per class (or train/ and valid/ holding them)."
            )
        )
        self.open_data_button.clicked.connect(self.open_data_requested)
        self.split_combo = QComboBox(self)
        for key, text in SPLIT_CHOICES:
            self.split_combo.addItem(self.tr(text), key)
        self.split_combo.setToolTip(
            self.tr(
                "Which images: the validation split (not trained on), the training split, or "
                "all. A folder without train/ and valid/ that the model was not trained on is "
                "taken whole."
            )
        )
        self.evaluate_button = QPushButton(self.tr("Evaluate"), self)
        self.evaluate_button.clicked.connect(self.evaluate_requested)
        for widget in (
            self.open_model_button,
            self.open_data_button,
            self.split_combo,
            self.evaluate_button,
        ):
            row.addWidget(widget)
        layout.addLayout(row)
        busy = QHBoxLayout()
        self.progress_bar = QProgressBar(self)
        self.cancel_button = QPushButton(self.tr("Cancel"), self)
        self.cancel_button.clicked.connect(self.cancel_requested)
        busy.addWidget(self.progress_bar, 1)
        busy.addWidget(self.cancel_button)
        layout.addLayout(busy)
        self.set_busy(False)

    def split(self) -> str:
        return self.split_combo.currentData()

    def set_split(self, split: str) -> None:
        index = self.split_combo.findData(split)
        if index >= 0:
            self.split_combo.setCurrentIndex(index)

    def set_busy(self, busy: bool, counting: str = "images") -> None:
        """Show progress and Cancel while busy; ``counting`` "images" (evaluating) or "files"
        (moving a dataset's files)."""
        self.progress_bar.setVisible(busy)
        self.cancel_button.setVisible(busy)
        self.evaluate_button.setEnabled(not busy)
        if busy:
            self.progress_bar.setRange(0, 0)
            if counting == "files":
                self.progress_bar.setFormat(self.tr("%v / %m files moved"))
            else:
                self.progress_bar.setFormat(self.tr("%v / %m images"))

    @Slot(int, int)
    def set_progress(self, done: int, total: int) -> None:
        self.progress_bar.setRange(0, max(1, total))
        self.progress_bar.setValue(done)

    def show_source(self, model: str, data: str, split: str) -> None:
        model_text = model or self.tr("<i>no model yet</i>")
        data_text = data or self.tr("<i>the data the model was trained on</i>")
        split_text = dict(SPLIT_CHOICES).get(split)
        self.label.setText(
            self.tr("<b>Model</b> {model}<br><b>Data</b> {data} ({split})").format(
                model=model_text,
                data=data_text,
                split=self.tr(split_text) if split_text else split,
            )
        )


class MatrixPane(QWidget):
    """The confusion matrix as a heatmap table, its row-normalised toggle and axis names.

    Signals: ``cell_clicked(true, pred)``.
    """

    cell_clicked = Signal(int, int)

    def __init__(self, model: ConfusionModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = model
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        top = QHBoxLayout()
        title = self.tr("<b>Confusion matrix</b> (rows true, columns predicted)")
        top.addWidget(QLabel(title, self), 1)
        self.normalise_check = QCheckBox(self.tr("Row-normalised"), self)
        self.normalise_check.setToolTip(
            self.tr("Show each cell as a share of its true class's images.")
        )
        self.normalise_check.toggled.connect(model.set_normalised)
        top.addWidget(self.normalise_check)
        layout.addLayout(top)
        self.view = QTableView(self)
        self.view.setModel(model)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectItems)
        self.view.setWordWrap(False)
        self.view.setCornerButtonEnabled(False)
        # cells share the pane (a heatmap); many classes scroll at the minimum size, which
        # still shows "100%" (ten classes fit a 1024-pixel window)
        metrics = self.view.fontMetrics()
        for header, least in (
            (self.view.horizontalHeader(), metrics.horizontalAdvance("100%") + 4),
            (self.view.verticalHeader(), metrics.height() + 4),
        ):
            header.setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
            header.setMinimumSectionSize(least)
        self.view.setToolTip(self.tr("Click a cell to see exactly those images in the gallery."))
        self.view.clicked.connect(lambda index: self.cell_clicked.emit(index.row(), index.column()))
        layout.addWidget(self.view, 1)


class GalleryPane(QWidget):
    """The gallery: what it shows, a "show all" button, and the thumbnails as a list model."""

    show_all_requested = Signal()

    def __init__(self, model: GalleryModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        top = QHBoxLayout()
        self.title = QLabel(self)
        self.title.setWordWrap(True)
        top.addWidget(self.title, 1)
        self.all_button = QPushButton(self.tr("Show all"), self)
        self.all_button.setToolTip(self.tr("Every evaluated image, most confidently wrong first."))
        self.all_button.clicked.connect(self.show_all_requested)
        top.addWidget(self.all_button)
        layout.addLayout(top)
        self.view = QListView(self)
        self.view.setModel(model)
        self.view.setViewMode(QListView.ViewMode.IconMode)
        self.view.setResizeMode(QListView.ResizeMode.Adjust)
        self.view.setMovement(QListView.Movement.Static)
        self.view.setUniformItemSizes(True)  # no per-item measuring: 10,000 items stay quick
        self.view.setLayoutMode(QListView.LayoutMode.Batched)
        self.view.setBatchSize(200)
        self.view.setIconSize(QSize(THUMB_SIZE, THUMB_SIZE))
        self.view.setGridSize(model.item_size())
        self.view.setWordWrap(True)
        self.view.setSpacing(2)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        layout.addWidget(self.view, 1)


class FittedImage(QLabel):
    """A picture scaled to fit the label (at most DETAIL_SIZE), again on every resize."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._source: QPixmap | None = None
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.setMinimumSize(96, 96)
        self.setMaximumHeight(DETAIL_SIZE)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)

    def set_picture(self, pixmap: QPixmap | None) -> None:
        self._source = pixmap
        self._fit()

    def picture(self) -> QPixmap | None:
        return self._source

    def resizeEvent(self, event) -> None:  # noqa: N802
        super().resizeEvent(event)
        self._fit()

    def _fit(self) -> None:
        if self._source is None or self._source.isNull():
            return
        side = max(16, min(self.width(), self.height(), DETAIL_SIZE))
        small = max(self._source.width(), self._source.height()) < side // 2
        mode = (
            Qt.TransformationMode.FastTransformation  # digits stay crisp pixels
            if small
            else Qt.TransformationMode.SmoothTransformation
        )
        self.setPixmap(self._source.scaled(side, side, Qt.AspectRatioMode.KeepAspectRatio, mode))


class DetailPane(QWidget):
    """One image large: what it is, the model's top-5, Grad-CAM, and the fix actions.

    Signals: ``gradcam_toggled(bool)``, ``move_requested()``, ``set_aside_requested()``,
    ``undo_requested()``, ``retrain_requested()``.
    """

    gradcam_toggled = Signal(bool)
    move_requested = Signal()
    set_aside_requested = Signal()
    undo_requested = Signal()
    retrain_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.image_label = FittedImage(self)
        layout.addWidget(self.image_label, 10)  # most of the room, up to DETAIL_SIZE
        self.caption = _wrapping_label(self)
        layout.addWidget(self.caption)
        self.bars = TopKBars(self)
        layout.addWidget(self.bars)
        self.gradcam_check = QCheckBox(self.tr("Grad-CAM (where the model looked)"), self)
        self.gradcam_check.toggled.connect(self.gradcam_toggled)
        layout.addWidget(self.gradcam_check)
        layout.addWidget(self._build_fixes())
        layout.addStretch(1)
        self.pixmap: QPixmap | None = None

    def _build_fixes(self) -> QGroupBox:
        box = QGroupBox(self.tr("Fix the data"), self)
        grid = QVBoxLayout(box)
        self.move_button = QPushButton(self.tr("Move to class..."), box)
        self.move_button.clicked.connect(self.move_requested)
        self.aside_button = QPushButton(self.tr("Set aside"), box)
        self.aside_button.clicked.connect(self.set_aside_requested)
        self.undo_button = QPushButton(self.tr("Undo"), box)
        self.undo_button.clicked.connect(self.undo_requested)
        self.retrain_button = QPushButton(self.tr("Retrain with these changes"), box)
        self.retrain_button.setToolTip(
            self.tr("Train again with the Train tab's settings on the fixed data.")
        )
        self.retrain_button.clicked.connect(self.retrain_requested)
        self.fix_buttons = ButtonGrid(
            [self.move_button, self.aside_button, self.undo_button, self.retrain_button], box
        )
        grid.addWidget(self.fix_buttons)
        self.fix_note = _wrapping_label(box)
        self.fix_note.setStyleSheet("color: #666;")
        grid.addWidget(self.fix_note)
        return box

    def set_fixable(
        self, problem: str | None, selected: bool, changes: int, busy: bool = False
    ) -> None:
        """Grey the actions out with the reason in their tooltip (the built-in set, no
        selection); ``busy``: files move or an evaluation runs, so Undo and Retrain wait."""
        for button, tip in (
            (
                self.move_button,
                self.tr("Move the selected images' files into another class folder."),
            ),
            (
                self.aside_button,
                self.tr(
                    "Move the selected images' files into _set_aside/ inside the dataset, out of "
                    "every class (nothing is deleted)."
                ),
            ),
        ):
            button.setEnabled(problem is None and selected)
            button.setToolTip(
                problem or (tip if selected else self.tr("Select images in the gallery."))
            )
        self.undo_button.setEnabled(changes > 0 and not busy)
        self.undo_button.setToolTip(
            self.tr("Put the files of the last change back.")
            if changes
            else self.tr("No change to undo.")
        )
        self.retrain_button.setEnabled(changes > 0 and not busy)
        if problem:
            note = problem
        elif changes:
            note = self.tr("%n change(s) this session; Undo goes back one at a time.", "", changes)
        else:
            note = self.tr("Changes are logged in the dataset's _convstudio_changes.csv.")
        self.fix_note.setText(note)
