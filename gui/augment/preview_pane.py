"""The preview side of the Augment panel: source and preview controls, the grid, notes.

Widgets only: the panel connects them to its session.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from core.augment import VIEW_MODEL, VIEW_PERSON
from gui import dnd
from gui.i18n.core_messages import translate as core_text
from gui.imageutil import qimage_to_pil
from gui.sizing import FitImageLabel


class PreviewArea(QWidget):
    """The scrollable preview grid; accepts a dropped image file or raw image data.

    A plain QWidget takes the drop (a QScrollArea hands drag events to its viewport).
    """

    file_dropped = Signal(str)
    image_dropped = Signal(object)  # PIL image

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setAcceptDrops(True)
        self.scroll = QScrollArea()
        self.scroll.setWidgetResizable(True)
        # the grid shrinks to fit a small window instead of scrolling
        self.label = FitImageLabel()
        self.label.setText(self.tr("No preview yet."))
        self.scroll.setWidget(self.label)
        self.setToolTip(self.tr("Drop an image file here to preview it."))
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.scroll)

    def dragEnterEvent(self, event) -> None:  # noqa: N802 - Qt name
        mime = event.mimeData()
        if dnd.has_image_data(mime) or dnd.local_paths(mime):
            event.acceptProposedAction()

    def dragMoveEvent(self, event) -> None:  # noqa: N802 - Qt name
        event.acceptProposedAction()

    def dropEvent(self, event) -> None:  # noqa: N802 - Qt name
        mime = event.mimeData()
        files = dnd.local_paths(mime)
        if files:
            self.file_dropped.emit(files[0])
            event.acceptProposedAction()
        else:
            images, _problems = dnd.images(mime)
            if images:
                self.image_dropped.emit(qimage_to_pil(images[0]))
                event.acceptProposedAction()


class PreviewPane(QWidget):
    """Which image and pipeline to preview and how; the grid beside the original.

    ``settings_changed()``: a control that changes the preview (pipeline, N, seed,
    view, per class) was changed. The source row's widgets and buttons are public;
    the panel connects them.
    """

    settings_changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        col = QVBoxLayout(self)
        col.addLayout(self._source_row())
        controls, view_row = self._controls()
        col.addLayout(controls)
        col.addLayout(view_row)
        images = QHBoxLayout()
        self.original_label = QLabel()
        self.original_label.setAlignment(Qt.AlignmentFlag.AlignTop)
        self.original_label.setToolTip(self.tr("The original image."))
        self.original_label.setMinimumWidth(100)
        images.addWidget(self.original_label)
        self.preview_area = PreviewArea()
        images.addWidget(self.preview_area, 1)
        col.addLayout(images, 1)
        self.info_label = QLabel()
        self.info_label.setWordWrap(True)
        col.addWidget(self.info_label)
        self.channel_label = QLabel()  # why the pictures are grey or colour here
        self.channel_label.setObjectName("channel_note")
        self.channel_label.setWordWrap(True)
        self.channel_label.setStyleSheet("color: #1a5fb4;")
        self.channel_label.hide()
        col.addWidget(self.channel_label)
        self.warning_label = QLabel()
        self.warning_label.setWordWrap(True)
        self.warning_label.setStyleSheet("color: #a60;")
        col.addWidget(self.warning_label)

    def _source_row(self) -> QHBoxLayout:
        row = QHBoxLayout()
        row.addWidget(QLabel(self.tr("Image:")))
        self.class_combo = QComboBox()
        self.class_combo.setToolTip(self.tr("Class of the source image."))
        self.index_spin = QSpinBox()
        self.index_spin.setToolTip(self.tr("Which image of that class."))
        self.random_button = QPushButton(self.tr("Random"))
        self.random_button.setToolTip(self.tr("Pick a random image of the dataset."))
        self.open_button = QPushButton(self.tr("Open…"))
        self.open_button.setToolTip(self.tr("Preview any image file (or drop one on the preview)."))
        for widget in (self.class_combo, self.index_spin, self.random_button, self.open_button):
            row.addWidget(widget)
        row.addStretch(1)
        return row

    def _controls(self) -> tuple[QHBoxLayout, QHBoxLayout]:
        row = QHBoxLayout()
        self.pipeline_combo = QComboBox()
        self.pipeline_combo.addItem(self.tr("train"), "train")
        self.pipeline_combo.addItem(self.tr("eval"), "eval")
        self.pipeline_combo.setToolTip(self.tr("Which pipeline the preview runs."))
        self.n_spin = QSpinBox()
        self.n_spin.setRange(4, 64)
        self.n_spin.setValue(16)
        self.n_spin.setToolTip(self.tr("Number of augmented samples."))
        self.seed_spin = QSpinBox()
        self.seed_spin.setRange(0, 2**31 - 1)
        self.seed_spin.setToolTip(self.tr("Same seed, same samples."))
        self.seed_spin.setMaximumWidth(110)
        self.reroll_button = QPushButton(self.tr("Re-roll"))
        self.reroll_button.setToolTip(self.tr("Draw new random samples (new seed)."))
        self.per_class_box = QCheckBox(self.tr("Per class"))
        self.per_class_box.setToolTip(self.tr("One augmented sample of each class."))
        # per class shows one sample per class: N does not apply then
        self.per_class_box.toggled.connect(lambda on: self.n_spin.setEnabled(not on))
        self.view_combo = QComboBox()
        self.view_combo.addItem(self.tr("As a person sees it"), VIEW_PERSON)
        self.view_combo.addItem(self.tr("What the model sees"), VIEW_MODEL)
        self.view_combo.setToolTip(
            self.tr(
                "What the model sees: the final tensor at the model's input size and channels, "
                "un-normalized for display, pixel for pixel."
            )
        )
        for signal in (
            self.pipeline_combo.currentIndexChanged,
            self.n_spin.valueChanged,
            self.seed_spin.valueChanged,
            self.per_class_box.toggled,
            self.view_combo.currentIndexChanged,
        ):
            signal.connect(self.settings_changed)
        for label, widget in (
            (self.tr("Pipeline:"), self.pipeline_combo),
            (self.tr("N:"), self.n_spin),
            (self.tr("Seed:"), self.seed_spin),
        ):
            row.addWidget(QLabel(label))
            row.addWidget(widget)
        row.addWidget(self.reroll_button)
        row.addStretch(1)
        # the view choice gets its own row so the panel fits a 1280-pixel-wide window
        view_row = QHBoxLayout()
        view_row.addWidget(QLabel(self.tr("Show:")))
        view_row.addWidget(self.view_combo)
        view_row.addWidget(self.per_class_box)
        view_row.addStretch(1)
        return row, view_row

    def set_classes(self, names: list[str]) -> None:
        """The dataset's classes in the class box (no change signal while filling it)."""
        self.class_combo.blockSignals(True)
        self.class_combo.clear()
        self.class_combo.addItems(names)
        self.class_combo.blockSignals(False)

    def set_index_range(self, count: int) -> None:
        self.index_spin.blockSignals(True)
        self.index_spin.setRange(0, max(0, count - 1))
        self.index_spin.blockSignals(False)

    def show_result(self, grid, original, info: str) -> None:
        """Show a rendered grid (QImage), the original beside it and the line under it."""
        self.preview_area.label.setPixmap(QPixmap.fromImage(grid))
        self.original_label.setPixmap(QPixmap.fromImage(original))
        self.info_label.setText(core_text(info))

    def show_channel_note(self, text: str) -> None:
        self.channel_label.setText(text)
        self.channel_label.setVisible(bool(text))

    def show_warnings(self, warnings: list[str]) -> None:
        self.warning_label.setText("\n".join(f"⚠ {w}" for w in warnings))  # translated
