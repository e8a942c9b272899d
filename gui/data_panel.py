"""The Data panel: choose the dataset and see what is in it before training on it.

A user picks the built-in digits or a folder (button, menu, or by dropping a folder on
the panel). The folder is scanned off the GUI thread by :func:`scan_source`, a plain
task function run through :mod:`gui.tasks`: it checks every image once (so bad files are
found now, not in the middle of an epoch), picks a few thumbnails per class, and hands
back a :class:`ScanResult`. The panel then fills the class table, the bar chart of
counts, the thumbnail strip, and the warnings (skipped files with their reasons, tiny
classes, imbalance).

``core.data`` imports torch, so it is imported only inside the task function; pyqtgraph
is imported when the first result is drawn (the window is on screen by then).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from PIL import Image
from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtGui import QColor, QDragEnterEvent, QDragMoveEvent, QDropEvent, QImage
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFileDialog,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QListWidget,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from core import BUILTIN_DIGITS
from gui import dnd, errors, tasks
from gui.imageutil import pil_to_qimage, scaled_pixmap
from gui.panel import Panel

THUMBS_PER_CLASS = 6
THUMB_SIZE = 56
MAX_THUMB_CLASSES = 100  # beyond this the strip would only be scrolled past
PROGRESS_STEPS = 200  # at most this many progress signals per scan
TABLE_COLUMNS = ("Class", "Train", "Valid", "Total")
TRAIN_COLOR = (31, 119, 180)
VALID_COLOR = (255, 127, 14)


# --------------------------------------------------------------------------- the task


@dataclass
class ScanResult:
    """What one scan found: the summary and a few thumbnails per class (QImages)."""

    source: str
    summary: Any  # core.data.DatasetSummary
    thumbnails: dict[str, list[QImage]] = field(default_factory=dict)


class _Progress:
    """Forward scan progress to the task context, rarely, and honour cancel between files."""

    def __init__(self, ctx: Any) -> None:
        self._ctx = ctx
        self._last = -1

    def __call__(self, done: int, total: int) -> None:
        self._ctx.check()
        step = max(1, total // PROGRESS_STEPS)
        if done in (0, total) or done - self._last >= step:
            self._last = done
            self._ctx.progress(done, total)


def _thumbnail(image: Image.Image) -> QImage:
    small = image.copy()
    small.thumbnail((2 * THUMB_SIZE, 2 * THUMB_SIZE))
    return pil_to_qimage(small)


def scan_source(
    ctx: Any, source: str, val_split: float = 0.2, seed: int = 0, per_class: int = THUMBS_PER_CLASS
) -> ScanResult:
    """Task function (pool thread): summarise a dataset source and pick thumbnails.

    Raises core.data.DataError (a clear sentence) for a source that cannot be used.
    """
    from core import data

    resolved = data.parse_source(source)
    progress = _Progress(ctx)
    if resolved == data.BUILTIN_DIGITS:
        progress(0, 1)
        summary = data.build_datasets(resolved).summary
        samples = data.sample_images(resolved, per_class=per_class, seed=seed)
        progress(1, 1)
    else:
        train, valid, summary = data.scan_folder(
            resolved, val_split=val_split, seed=seed, check_images=True, progress=progress
        )
        names = summary.class_names[:MAX_THUMB_CLASSES]
        samples = data.pick_samples(
            train + valid, names, per_class=per_class, seed=seed, max_size=2 * THUMB_SIZE
        )
    ctx.check()
    thumbs = {name: [_thumbnail(img) for img in images] for name, images in samples.items()}
    return ScanResult(resolved, summary, thumbs)


# --------------------------------------------------------------------------- the panel


class DataPanel(Panel):
    """Dataset choice and overview.

    Signals: ``dataset_changed(str)`` after a successful scan (the resolved source),
    ``scan_finished(object)`` with the :class:`ScanResult`, ``scan_failed(str)`` with the
    message shown in the panel.
    """

    title = "Data"

    dataset_changed = Signal(str)
    scan_finished = Signal(object)
    scan_failed = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("data_panel")
        self.setAcceptDrops(True)
        self._requested = BUILTIN_DIGITS
        self._current = ""
        self._result: ScanResult | None = None
        self._handle: tasks.TaskHandle | None = None
        self._drag_is_folders = False  # what the current drag's enter event found
        self._val_split = 0.2
        self._seed = 0
        self._chart: Any = None
        self._bars: tuple[Any, Any] | None = None
        self._build_ui()

    # ------------------------------------------------------------------ building
    def _build_ui(self) -> None:
        layout = QVBoxLayout(self)
        layout.addLayout(self._build_source_row())
        self.error_label = QLabel()
        self.error_label.setObjectName("data_error")
        self.error_label.setWordWrap(True)
        self.error_label.setStyleSheet("color: #b00020; font-weight: bold;")
        self.error_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.error_label.hide()
        layout.addWidget(self.error_label)
        self.info_label = QLabel("No dataset scanned yet.")
        self.info_label.setWordWrap(True)
        layout.addWidget(self.info_label)
        splitter = QSplitter(Qt.Orientation.Vertical)
        top = QSplitter(Qt.Orientation.Horizontal)
        top.addWidget(self._build_counts())
        top.addWidget(self._build_thumbnails())
        top.setSizes([420, 580])
        splitter.addWidget(top)
        splitter.addWidget(self._build_warnings())
        splitter.setSizes([700, 110])
        layout.addWidget(splitter, 1)

    def _build_source_row(self) -> QHBoxLayout:
        row = QHBoxLayout()
        row.addWidget(QLabel("Dataset:"))
        self.source_label = QLabel(BUILTIN_DIGITS)
        self.source_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.source_label.setToolTip("Drop a folder on this panel to use it as the dataset.")
        row.addWidget(self.source_label, 1)
        self.digits_button = QPushButton("Built-in digits")
        self.digits_button.setToolTip(
            "scikit-learn's 1,797 handwritten digits (8x8, upscaled to 28x28), "
            "split 80/20 with a fixed seed. No files or network needed."
        )
        self.digits_button.clicked.connect(self.select_digits)
        self.folder_button = QPushButton("Open folder...")
        self.folder_button.setToolTip(
            "A folder with one sub-folder per class (split automatically), "
            "or with train/ and valid/ (or val/) folders that each hold the class folders."
        )
        self.folder_button.clicked.connect(self.choose_folder)
        self.rescan_button = QPushButton("Rescan")
        self.rescan_button.setToolTip("Read the dataset again (after adding or removing files).")
        self.rescan_button.clicked.connect(self.rescan)
        self.progress_bar = QProgressBar()
        self.progress_bar.setMaximumWidth(220)
        self.progress_bar.setFormat("checking %v / %m")
        self.progress_bar.hide()
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.clicked.connect(self.cancel_scan)
        self.cancel_button.hide()
        for widget in (
            self.digits_button,
            self.folder_button,
            self.rescan_button,
            self.progress_bar,
            self.cancel_button,
        ):
            row.addWidget(widget)
        return row

    def _build_counts(self) -> QWidget:
        box = QWidget()
        layout = QVBoxLayout(box)
        layout.setContentsMargins(0, 0, 0, 0)
        self.class_table = QTableWidget(0, len(TABLE_COLUMNS))
        self.class_table.setObjectName("class_table")
        self.class_table.setHorizontalHeaderLabels(list(TABLE_COLUMNS))
        self.class_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.class_table.verticalHeader().setVisible(False)
        self.class_table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        layout.addWidget(self.class_table, 1)
        self.chart_box = QVBoxLayout()
        layout.addLayout(self.chart_box, 1)
        return box

    def _build_thumbnails(self) -> QWidget:
        self.thumb_area = QScrollArea()
        self.thumb_area.setObjectName("thumbnails")
        self.thumb_area.setWidgetResizable(True)
        self.thumb_area.setWidget(QLabel("Sample images of each class appear here."))
        return self.thumb_area

    def _build_warnings(self) -> QWidget:
        box = QGroupBox("Warnings")
        layout = QVBoxLayout(box)
        self.warning_list = QListWidget()
        self.warning_list.setObjectName("warnings")
        self.warning_list.setWordWrap(True)
        layout.addWidget(self.warning_list, 1)
        self.skipped_label = QLabel("Skipped files:")
        layout.addWidget(self.skipped_label)
        self.skipped_table = QTableWidget(0, 2)
        self.skipped_table.setObjectName("skipped_files")
        self.skipped_table.setHorizontalHeaderLabels(["File", "Reason"])
        self.skipped_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.skipped_table.verticalHeader().setVisible(False)
        self.skipped_table.horizontalHeader().setStretchLastSection(True)
        layout.addWidget(self.skipped_table, 1)
        self.skipped_label.hide()
        self.skipped_table.hide()
        return box

    # ------------------------------------------------------------------ public API
    def source(self) -> str:
        """The dataset in use: the last one scanned successfully (else the one requested)."""
        return self._current or self._requested

    def summary(self) -> Any:
        """The core.data.DatasetSummary of the current dataset, or None before any scan."""
        return self._result.summary if self._result else None

    def result(self) -> ScanResult | None:
        return self._result

    def warnings(self) -> list[str]:
        return [self.warning_list.item(i).text() for i in range(self.warning_list.count())]

    def is_scanning(self) -> bool:
        return self._handle is not None

    @Slot()
    def select_digits(self) -> None:
        self.set_source(BUILTIN_DIGITS)

    def select_folder(self, folder: str) -> None:
        self.set_source(str(folder))

    @Slot()
    def choose_folder(self) -> None:
        """Ask for a folder with a dialog and scan it."""
        start = self._current if self._current and self._current != BUILTIN_DIGITS else ""
        folder = QFileDialog.getExistingDirectory(self, "Open dataset folder", start)
        if folder:
            self.select_folder(folder)

    def set_source(self, source: str) -> None:
        """Scan a source ("builtin:digits" or a folder) in the background."""
        self._requested = str(source).strip() or BUILTIN_DIGITS
        self._start_scan()

    def set_split(self, val_split: float, seed: int = 0) -> None:
        """Use the trainer's split settings; a folder dataset is scanned again when they change."""
        changed = (float(val_split), int(seed)) != (self._val_split, self._seed)
        self._val_split, self._seed = float(val_split), int(seed)
        if changed and self._current and self._current != BUILTIN_DIGITS:
            self._start_scan()

    @Slot()
    def rescan(self) -> None:
        self._start_scan()

    @Slot()
    def cancel_scan(self) -> None:
        if self._handle is not None:
            self._handle.cancel()
            self._handle = None
            self._set_busy(False)
            self.info_label.setText(self._info_text() or "Scan cancelled.")

    def on_torch_ready(self) -> None:
        """Scan the chosen dataset once PyTorch is available, if nothing was scanned yet."""
        if self._result is None and self._handle is None:
            self._start_scan()

    def shutdown(self) -> None:
        """Cancel a running scan (window close)."""
        self.cancel_scan()

    # ------------------------------------------------------------------ scanning
    def _start_scan(self) -> None:
        if self._handle is not None:
            self._handle.cancel()
        self.error_label.hide()
        self.source_label.setText(self._requested)
        self._set_busy(True)
        self.info_label.setText(f"Reading {self._requested} ...")
        # callbacks go through run_task so they are connected before the task can emit
        self._handle = tasks.run_task(
            scan_source,
            self._requested,
            self._val_split,
            self._seed,
            on_finished=self._on_finished,
            on_error=self._on_error,
            on_progress=self._on_progress,
        )

    def _set_busy(self, busy: bool) -> None:
        self.progress_bar.setVisible(busy)
        self.cancel_button.setVisible(busy)
        self.rescan_button.setEnabled(not busy)
        if busy:
            self.progress_bar.setRange(0, 0)  # "busy" until the first count arrives

    def _is_current(self) -> bool:
        """Only the newest scan may update the panel; older ones were cancelled."""
        return self._handle is not None and self.sender() is self._handle

    @Slot(int, int)
    def _on_progress(self, done: int, total: int) -> None:
        if not self._is_current():
            return
        self.progress_bar.setRange(0, max(total, 1))
        self.progress_bar.setValue(done)

    @Slot(object)
    def _on_finished(self, result: ScanResult) -> None:
        if not self._is_current():
            return
        self._handle = None
        self._set_busy(False)
        self._result = result
        self._current = result.source
        self.source_label.setText(result.source)
        self._show_result(result)
        self.scan_finished.emit(result)
        self.dataset_changed.emit(result.source)

    @Slot(object)
    def _on_error(self, error: BaseException) -> None:
        message = errors.message(error)
        if not self._is_current():
            return
        self._handle = None
        self._set_busy(False)
        text = f"Could not use {self._requested}: {message}"
        if self._current:
            text += f" Still using {self._current}."
            self.source_label.setText(self._current)
        self.error_label.setText(text)
        self.error_label.show()
        self.info_label.setText(self._info_text() or "No dataset loaded.")
        self.scan_failed.emit(text)

    # ------------------------------------------------------------------ showing a result
    def _show_result(self, result: ScanResult) -> None:
        self.info_label.setText(self._info_text())
        self._fill_table(result.summary)
        self._fill_chart(result.summary)
        self._fill_thumbnails(result)
        self._fill_warnings(result.summary)

    def _info_text(self) -> str:
        if self._result is None:
            return ""
        s = self._result.summary
        size = f"{s.image_size[1]}x{s.image_size[0]}" if s.image_size else "varied sizes"
        channels = "grayscale" if s.in_channels == 1 else "RGB"
        return (
            f"{len(s.class_names)} classes · {s.total('train')} training and "
            f"{s.total('valid')} validation images · {s.layout} · {size} · {channels}"
        )

    def _fill_table(self, summary: Any) -> None:
        table = self.class_table
        table.setRowCount(len(summary.class_names))
        totals = summary.class_totals()
        for row, name in enumerate(summary.class_names):
            values = (
                name,
                summary.counts["train"].get(name, 0),
                summary.counts["valid"].get(name, 0),
                totals[name],
            )
            for col, value in enumerate(values):
                item = QTableWidgetItem()
                item.setData(Qt.ItemDataRole.DisplayRole, value)
                if col:
                    item.setTextAlignment(
                        Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
                    )
                table.setItem(row, col, item)

    def _ensure_chart(self) -> None:
        """Create the bar chart once (pyqtgraph is imported here, after the window shows)."""
        if self._chart is not None:
            return
        import pyqtgraph as pg

        chart = pg.PlotWidget()
        chart.setObjectName("count_chart")
        chart.setBackground("w")
        chart.setMinimumHeight(160)
        chart.setLabel("left", "images")
        chart.setMouseEnabled(x=False, y=False)
        # two columns at the top right, dark text; _fill_chart leaves headroom above the bars
        chart.addLegend(offset=(-10, 2), labelTextColor=(30, 30, 30), colCount=2)
        train = pg.BarGraphItem(
            x=[], height=[], width=0.4, brush=pg.mkBrush(*TRAIN_COLOR), name="train"
        )
        valid = pg.BarGraphItem(
            x=[], height=[], width=0.4, brush=pg.mkBrush(*VALID_COLOR), name="valid"
        )
        chart.addItem(train)
        chart.addItem(valid)
        self.chart_box.addWidget(chart)
        self._chart = chart
        self._bars = (train, valid)

    def chart_heights(self) -> dict[str, list[float]]:
        """The bar heights now drawn, per split (for tests and screenshots)."""
        if self._bars is None:
            return {}
        return {
            split: [float(h) for h in bar.opts.get("height", [])]
            for split, bar in zip(("train", "valid"), self._bars, strict=True)
        }

    def _fill_chart(self, summary: Any) -> None:
        self._ensure_chart()
        names = summary.class_names
        xs = list(range(len(names)))
        train_bar, valid_bar = self._bars
        train_bar.setOpts(
            x=[x - 0.2 for x in xs], height=[summary.counts["train"].get(n, 0) for n in names]
        )
        valid_bar.setOpts(
            x=[x + 0.2 for x in xs], height=[summary.counts["valid"].get(n, 0) for n in names]
        )
        step = max(1, len(names) // 30)  # keep the labels readable with many classes
        self._chart.getAxis("bottom").setTicks(
            [[(i, names[i]) for i in range(0, len(names), step)]]
        )
        self._chart.setXRange(-0.6, max(len(names) - 0.4, 0.6), padding=0)
        tallest = max(
            [summary.counts[split].get(n, 0) for split in ("train", "valid") for n in names] or [0]
        )
        # 30% headroom so the legend sits above the bars instead of covering them
        self._chart.setYRange(0, max(tallest, 1) * 1.3, padding=0)

    def _fill_thumbnails(self, result: ScanResult) -> None:
        content = QWidget()
        grid = QGridLayout(content)
        grid.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        for row, (name, images) in enumerate(result.thumbnails.items()):
            label = QLabel(name)
            label.setToolTip(name)
            label.setMaximumWidth(140)
            grid.addWidget(label, row, 0)
            for col, image in enumerate(images, start=1):
                thumb = QLabel()
                thumb.setFixedSize(THUMB_SIZE, THUMB_SIZE)
                thumb.setAlignment(Qt.AlignmentFlag.AlignCenter)
                thumb.setPixmap(scaled_pixmap(image, THUMB_SIZE))
                grid.addWidget(thumb, row, col)
            if not images:
                grid.addWidget(QLabel("(no readable image)"), row, 1)
        hidden = len(result.summary.class_names) - len(result.thumbnails)
        if hidden > 0:
            grid.addWidget(QLabel(f"... and {hidden} more classes"), len(result.thumbnails), 0)
        self.thumb_area.setWidget(content)  # the previous strip is deleted by the scroll area

    def thumbnail_counts(self) -> dict[str, int]:
        """Thumbnails shown per class (for tests)."""
        return {
            name: len(imgs)
            for name, imgs in (self._result.thumbnails if self._result else {}).items()
        }

    def _fill_warnings(self, summary: Any) -> None:
        self.warning_list.clear()
        messages = summary.warnings()
        self.warning_list.addItems(messages or ["No problems found."])
        if not messages:
            self.warning_list.item(0).setForeground(Qt.GlobalColor.darkGreen)
        for row in range(len(messages)):  # problems stand out from the rest of the panel
            self.warning_list.item(row).setForeground(QColor(170, 85, 0))
        skipped = summary.skipped
        self.skipped_table.setRowCount(len(skipped))
        for row, item in enumerate(skipped):
            path_item = QTableWidgetItem(item.path)
            path_item.setToolTip(item.path)
            self.skipped_table.setItem(row, 0, path_item)
            self.skipped_table.setItem(row, 1, QTableWidgetItem(item.reason))
        self.skipped_table.resizeColumnToContents(0)
        self.skipped_label.setText(f"Skipped files ({len(skipped)}):")
        self.skipped_label.setVisible(bool(skipped))
        self.skipped_table.setVisible(bool(skipped))

    def skipped_rows(self) -> list[tuple[str, str]]:
        """(path, reason) rows of the skipped-files table."""
        table = self.skipped_table
        return [(table.item(r, 0).text(), table.item(r, 1).text()) for r in range(table.rowCount())]

    # ------------------------------------------------------------------ drag and drop
    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        self._drag_is_folders = bool(dnd.dropped_folders(event.mimeData()))
        if self._drag_is_folders:
            event.acceptProposedAction()
        else:
            event.ignore()  # files go on to the main window (prediction)

    def dragMoveEvent(self, event: QDragMoveEvent) -> None:
        # the drag's contents cannot change while it moves: no disk check per mouse move
        if self._drag_is_folders:
            event.acceptProposedAction()
        else:
            event.ignore()

    def dropEvent(self, event: QDropEvent) -> None:
        folders = dnd.dropped_folders(event.mimeData())
        if not folders:
            event.ignore()
            return
        event.acceptProposedAction()
        self.select_folder(folders[0])
