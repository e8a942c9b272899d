"""The Predict panel's three parts: the input pane, the model box and the results pane."""

from __future__ import annotations

import html
from pathlib import Path

from PySide6.QtCore import QT_TRANSLATE_NOOP, QSize, Qt, QTimer, Signal, Slot
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QProgressBar,
    QPushButton,
    QSlider,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from gui.predict.jobs import THUMB_SIZE, ModelInfo
from gui.predict.table import (
    COL_FILE,
    COL_PROB,
    COL_THUMB,
    COL_TOP1,
    COL_TOPK,
    FILTER_ALL,
    FILTER_ERRORS,
    FILTER_UNCERTAIN,
    ResultsFilter,
    filter_label,
)
from gui.predict.widgets import DropZone, ResultView

BUSY_DELAY_MS = 200  # a batch shows progress and Cancel only when it runs longer than this
PRECISION_CHOICES = (  # (core.predict's name, what the user reads)
    ("fp32", QT_TRANSLATE_NOOP("ModelBox", "float32 (same answers everywhere)")),
    (
        "bf16",
        QT_TRANSLATE_NOOP(
            "ModelBox", "bfloat16 (faster on CPUs with AVX512-BF16/AMX, may change answers)"
        ),
    ),
)
PRECISION_NAMES = {"fp32": "float32", "bf16": "bfloat16"}


class InputPane(QWidget):
    """Where pictures come in (drop zone, Open..., Paste), the options and the detail view."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        self.drop_zone = DropZone(self)
        layout.addWidget(self.drop_zone)
        buttons = QHBoxLayout()
        self.open_images_button = QPushButton(self.tr("Open images..."), self)
        self.open_folder_button = QPushButton(self.tr("Open folder..."), self)
        self.paste_button = QPushButton(self.tr("Paste"), self)
        self.paste_button.setToolTip(
            self.tr("Predict the image or files on the clipboard (Ctrl+V).")
        )
        for button in (self.open_images_button, self.open_folder_button, self.paste_button):
            buttons.addWidget(button)
        layout.addLayout(buttons)
        layout.addLayout(self._build_options())
        self.detail = ResultView(self)
        layout.addWidget(self.detail)  # its picture shrinks when the column is short
        layout.addStretch(1)

    def _build_options(self) -> QHBoxLayout:
        row = QHBoxLayout()
        row.addWidget(QLabel(self.tr("Uncertain below"), self))
        self.threshold_spin = spin = QDoubleSpinBox(self)
        spin.setRange(0.0, 100.0)
        spin.setDecimals(0)
        spin.setSingleStep(5.0)
        spin.setSuffix(" %")
        spin.setValue(60.0)
        spin.setToolTip(
            self.tr("Mark a prediction as uncertain when its top probability is below this value.")
        )
        row.addWidget(spin)
        self.gradcam_check = QCheckBox("Grad-CAM", self)
        self.gradcam_check.setToolTip(
            self.tr("Overlay where the model looked (last convolutional block).")
        )
        row.addWidget(self.gradcam_check)
        self.opacity_slider = QSlider(Qt.Orientation.Horizontal, self)
        self.opacity_slider.setRange(0, 100)
        self.opacity_slider.setValue(50)
        self.opacity_slider.setToolTip(self.tr("Heatmap opacity"))
        self.opacity_slider.setEnabled(False)
        opacity_label = QLabel(self.tr("opacity"), self)
        opacity_label.setToolTip(self.tr("Heatmap opacity"))
        row.addWidget(opacity_label)
        row.addWidget(self.opacity_slider, 1)
        return row


class LabelledNote(QWidget):
    """Shown when a dropped folder is labelled with the model's classes: offers Evaluate.

    Signals: ``open_requested(folder)``.
    """

    open_requested = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.label = QLabel(self)
        self.label.setWordWrap(True)
        layout.addWidget(self.label, 1)
        self.button = QPushButton(self.tr("Open in Evaluate"), self)
        self.button.setToolTip(
            self.tr("Accuracy, confusion matrix and mistakes of the model on it.")
        )
        self.button.clicked.connect(lambda: self.open_requested.emit(self.folder))
        layout.addWidget(self.button)
        self.folder = ""
        self.hide()

    def offer(self, folder: str, classes: list[str]) -> None:
        """Say that ``folder`` is labelled with ``classes`` ("" hides the note)."""
        self.folder = folder
        self.setVisible(bool(folder))
        if folder:
            names = ", ".join(classes[:8]) + (" ..." if len(classes) > 8 else "")
            self.label.setText(
                self.tr(
                    "<b>{folder}</b> is a labelled folder (classes the model knows: {classes}): "
                    "open it in Evaluate for its accuracy and confusion matrix."
                ).format(folder=html.escape(Path(folder).name), classes=html.escape(names))
            )


class ModelBox(QGroupBox):
    """The loaded model's facts, Open model... and the Precision choice.

    Signals: ``open_requested()`` and ``precision_chosen(str)`` ("fp32" or "bf16").
    """

    open_requested = Signal()
    precision_chosen = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setTitle(self.tr("Model"))
        layout = QHBoxLayout(self)
        self.label = QLabel(self)
        self.label.setWordWrap(True)
        self.label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.label, 1)
        layout.addWidget(QLabel(self.tr("Precision"), self))
        self.precision_combo = combo = QComboBox(self)
        for key, text in PRECISION_CHOICES:
            combo.addItem(self.tr(text), key)
        combo.setToolTip(
            self.tr(
                "float32 gives the same answers on every CPU and in exported models. bfloat16 "
                "is faster on CPUs with AVX512-BF16 or AMX, slower elsewhere, and may change "
                "some answers. Changing it loads the model again."
            )
        )
        # the closed combo shows the start of the text; its list shows the whole of it
        combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        combo.setMinimumContentsLength(24)
        combo.view().setMinimumWidth(combo.view().sizeHintForColumn(0) + 24)
        combo.currentIndexChanged.connect(self._on_precision_index)
        layout.addWidget(combo)
        self.open_button = QPushButton(self.tr("Open model..."), self)
        self.open_button.setToolTip(self.tr("Load a model bundle (best.pt or last.pt of a run)."))
        self.open_button.clicked.connect(self.open_requested)
        layout.addWidget(self.open_button)

    def precision(self) -> str:
        return self.precision_combo.currentData()

    def set_precision(self, precision: str) -> bool:
        """Choose ``precision`` as the user would; False when it is not one of the choices."""
        index = self.precision_combo.findData(precision)
        if index >= 0:
            self.precision_combo.setCurrentIndex(index)
        return index >= 0

    @Slot(int)
    def _on_precision_index(self, index: int) -> None:
        self.precision_chosen.emit(self.precision_combo.itemData(index))

    def show_info(self, info: ModelInfo | None) -> None:
        if info is None:
            self.label.setText(self.tr("<i>No model loaded.</i>"))
            return
        names = ", ".join(info.class_names[:12]) + (" ..." if len(info.class_names) > 12 else "")
        acc = self.tr("n/a") if info.val_acc is None else f"{info.val_acc:.2%}"
        channels = self.tr("grey") if info.in_channels == 1 else self.tr("colour")
        precision = PRECISION_NAMES.get(info.precision, info.precision)
        self.label.setText(
            self.tr(
                "<b>{arch}</b> &nbsp; %n class(es): {names}<br>input {size} ({channels}) "
                "&nbsp; validation accuracy {accuracy} &nbsp; precision {precision}<br>"
                "<small>{path}</small>",
                "",
                len(info.class_names),
            ).format(
                arch=info.arch,
                names=html.escape(names),
                size=info.input_size,
                channels=channels,
                accuracy=acc,
                precision=precision,
                path=html.escape(info.path),
            )
        )
        self.label.setToolTip(info.path)


class ResultsPane(QWidget):
    """The results table, its filter, Export CSV.../Clear, and a batch's progress and Cancel.

    Progress and Cancel appear only for batches that take a while: a single drop finishes
    first, and no animated bar competes with the forward pass for the CPU.
    """

    def __init__(self, proxy: ResultsFilter, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.proxy = proxy
        layout = QVBoxLayout(self)
        top = QHBoxLayout()
        top.addWidget(QLabel(self.tr("Show"), self))
        self.filter_combo = QComboBox(self)
        self.filter_combo.setToolTip(self.tr("Show only images predicted as one class."))
        for choice in (FILTER_ALL, FILTER_UNCERTAIN, FILTER_ERRORS):
            self.filter_combo.addItem(filter_label(choice), choice)
        self.filter_combo.currentIndexChanged.connect(self._on_filter_chosen)
        top.addWidget(self.filter_combo, 1)
        self.export_button = QPushButton(self.tr("Export CSV..."), self)
        self.export_button.setToolTip(
            self.tr("Write one row per image: path,top1,prob,top2,prob2,...")
        )
        top.addWidget(self.export_button)
        self.clear_button = QPushButton(self.tr("Clear"), self)
        top.addWidget(self.clear_button)
        layout.addLayout(top)
        self.table = self._build_table()
        layout.addWidget(self.table, 1)
        bottom = QHBoxLayout()
        self.progress_bar = QProgressBar(self)
        self.progress_bar.setFormat(self.tr("%v / %m images"))
        self.cancel_button = QPushButton(self.tr("Cancel"), self)
        bottom.addWidget(self.progress_bar, 1)
        bottom.addWidget(self.cancel_button)
        layout.addLayout(bottom)
        self._running = False
        self._busy_timer = QTimer(self)
        self._busy_timer.setSingleShot(True)
        self._busy_timer.setInterval(BUSY_DELAY_MS)
        self._busy_timer.timeout.connect(self._show_busy)
        self.set_has_rows(False)  # nothing to export or clear yet
        self._set_busy_widgets(False)

    def _build_table(self) -> QTableView:
        table = QTableView(self)
        table.setModel(self.proxy)
        table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        table.setIconSize(QSize(THUMB_SIZE, THUMB_SIZE))
        rows = table.verticalHeader()
        rows.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)  # no per-row measuring
        rows.setDefaultSectionSize(THUMB_SIZE + 4)
        rows.hide()
        table.setWordWrap(False)
        table.setTextElideMode(Qt.TextElideMode.ElideRight)
        header = table.horizontalHeader()
        # Top-5 keeps room for its text ("3: 96.4%, 9: 2.1%, ..."); Error takes what is left
        header.setStretchLastSection(True)
        widths = {COL_THUMB: THUMB_SIZE + 8, COL_FILE: 150, COL_TOP1: 80, COL_PROB: 85}
        for column, width in {**widths, COL_TOPK: 330}.items():
            table.setColumnWidth(column, width)
        table.setSortingEnabled(True)
        header.setSortIndicator(-1, Qt.SortOrder.AscendingOrder)  # arrival order until a click
        header.sortIndicatorChanged.connect(self._keep_current_in_view)  # after the sort
        return table

    @Slot(int)
    def _on_filter_chosen(self, index: int) -> None:
        self.proxy.set_choice(self.filter_combo.itemData(index) or FILTER_ALL)
        self._keep_current_in_view()

    @Slot()
    def _keep_current_in_view(self) -> None:
        index = self.table.currentIndex()
        if index.isValid():
            self.table.scrollTo(index)

    def set_classes(self, names: list[str]) -> None:
        """The filter's choices: all, uncertain, errors, then these classes."""
        wanted = [FILTER_ALL, FILTER_UNCERTAIN, FILTER_ERRORS, *names]
        combo = self.filter_combo
        if wanted == [combo.itemData(i) for i in range(combo.count())]:
            return
        keep = combo.currentData()
        combo.blockSignals(True)
        combo.clear()
        for i, choice in enumerate(wanted):  # the first three are the filter's own
            combo.addItem(filter_label(choice) if i < 3 else choice, choice)
        combo.setCurrentIndex(wanted.index(keep) if keep in wanted else 0)
        combo.blockSignals(False)
        self.proxy.set_choice(combo.currentData())

    def set_has_rows(self, has_rows: bool) -> None:
        self.export_button.setEnabled(has_rows)
        self.clear_button.setEnabled(has_rows)

    @Slot()
    def batch_started(self) -> None:
        self._running = True
        self._busy_timer.start()

    @Slot()
    def batch_ended(self) -> None:
        self._running = False
        self._busy_timer.stop()
        self._set_busy_widgets(False)

    @Slot(int, int)
    def set_progress(self, done: int, total: int) -> None:
        self.progress_bar.setRange(0, max(1, total))
        self.progress_bar.setValue(done)

    @Slot()
    def _show_busy(self) -> None:
        if self._running:
            self._set_busy_widgets(True)

    def _set_busy_widgets(self, busy: bool) -> None:
        self.progress_bar.setVisible(busy)
        self.cancel_button.setVisible(busy)
        self.cancel_button.setEnabled(busy)
        if busy:
            self.progress_bar.setRange(0, 0)
