"""The Data panel: choose the dataset and see what is in it before training on it.

A user picks the built-in digits or a folder (button, menu, or by dropping a folder on
the panel). :class:`gui.data.session.DataSession` scans it off the GUI thread; this
widget shows the outcome: the class table and bar chart of counts, the thumbnail strip,
and the warnings (skipped files with their reasons, tiny classes, imbalance).
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QT_TRANSLATE_NOOP, Qt, Signal, Slot
from PySide6.QtGui import QDragEnterEvent, QDragMoveEvent, QDropEvent
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from core import BUILTIN_DIGITS
from gui import dnd
from gui.data.scan import ScanResult
from gui.data.session import DataSession
from gui.data.view import ClassCounts, ThumbnailStrip, WarningsBox, info_text
from gui.panel import Panel
from gui.sizing import ElidedLabel

WAITING_TEXT = QT_TRANSLATE_NOOP(
    "DataPanel",
    "The dataset is read as soon as PyTorch has loaded (a few seconds). Meanwhile: "
    "Built-in digits is ready to train on, Open folder... (or a folder dropped here) "
    "uses your own pictures, one sub-folder per class.",
)


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
        self._drag_is_folders = False  # what the current drag's enter event found
        self.session = DataSession(self)
        self._build_ui()
        session = self.session
        session.scan_started.connect(self._on_scan_started)
        session.progressed.connect(self._on_progress)
        session.busy_changed.connect(self._set_busy)
        session.scan_finished.connect(self._on_finished)
        session.scan_failed.connect(self._on_failed)
        session.scan_cancelled.connect(self._on_cancelled)
        session.dataset_changed.connect(self.dataset_changed)

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
        self.info_label = QLabel(self.tr(WAITING_TEXT))
        self.info_label.setWordWrap(True)
        layout.addWidget(self.info_label)
        self.counts = ClassCounts()
        self.thumbnails = ThumbnailStrip()
        self.warnings_box = WarningsBox()
        self.class_table = self.counts.table
        self.skipped_table = self.warnings_box.skipped_table
        splitter = QSplitter(Qt.Orientation.Vertical)
        top = QSplitter(Qt.Orientation.Horizontal)
        top.addWidget(self.counts)
        top.addWidget(self.thumbnails)
        top.setSizes([420, 580])
        splitter.addWidget(top)
        splitter.addWidget(self.warnings_box)
        splitter.setSizes([700, 110])
        layout.addWidget(splitter, 1)

    def _build_source_row(self) -> QHBoxLayout:
        row = QHBoxLayout()
        row.addWidget(QLabel(self.tr("Dataset:")))
        self.source_label = ElidedLabel(BUILTIN_DIGITS)  # a long path never widens the window
        self.source_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        row.addWidget(self.source_label, 1)
        self.digits_button = QPushButton(self.tr("Built-in digits"))
        self.digits_button.setToolTip(
            self.tr(
                "scikit-learn's 1,797 handwritten digits (8x8, upscaled to 28x28), "
                "split 80/20 with a fixed seed. No files or network needed."
            )
        )
        self.digits_button.clicked.connect(self.select_digits)
        self.folder_button = QPushButton(self.tr("Open folder..."))
        self.folder_button.setToolTip(
            self.tr(
                "A folder with one sub-folder per class (split automatically), "
                "or with train/ and valid/ (or val/) folders that each hold the class folders."
            )
        )
        self.folder_button.clicked.connect(self.choose_folder)
        self.rescan_button = QPushButton(self.tr("Rescan"))
        self.rescan_button.setToolTip(
            self.tr("Read the dataset again (after adding or removing files).")
        )
        self.rescan_button.clicked.connect(self.rescan)
        self.progress_bar = QProgressBar()
        self.progress_bar.setMaximumWidth(220)
        self.progress_bar.setFormat(self.tr("checking %v / %m"))
        self.progress_bar.hide()
        self.cancel_button = QPushButton(self.tr("Cancel"))
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

    # ------------------------------------------------------------------ public API
    def source(self) -> str:
        """The dataset in use: the last one scanned successfully (else the one requested)."""
        return self.session.source()

    def summary(self) -> Any:
        """The DatasetSummary of the current dataset, or None before any scan."""
        return self.session.summary()

    def result(self) -> ScanResult | None:
        return self.session.result

    def warnings(self) -> list[str]:
        return self.warnings_box.warnings()

    def skipped_rows(self) -> list[tuple[str, str]]:
        """(path, reason) rows of the skipped-files table."""
        return self.warnings_box.skipped_rows()

    def chart_heights(self) -> dict[str, list[float]]:
        """The bar heights now drawn, per split (for tests and screenshots)."""
        return self.counts.chart_heights()

    def thumbnail_counts(self) -> dict[str, int]:
        """Thumbnails shown per class (for tests)."""
        return self.thumbnails.counts()

    def is_scanning(self) -> bool:
        return self.session.is_scanning()

    @Slot()
    def select_digits(self) -> None:
        self.set_source(BUILTIN_DIGITS)

    def select_folder(self, folder: str) -> None:
        self.set_source(str(folder))

    @Slot()
    def choose_folder(self) -> None:
        """Ask for a folder with a dialog and scan it."""
        start = self.session.current if self.session.uses_folder() else ""
        folder = QFileDialog.getExistingDirectory(self, self.tr("Open dataset folder"), start)
        if folder:
            self.select_folder(folder)

    def set_source(self, source: str) -> None:
        """Scan a source ("builtin:digits" or a folder) in the background."""
        self.session.set_source(source)

    def set_split(self, val_split: float, seed: int = 0) -> None:
        """Use the trainer's split settings; a folder dataset is scanned again when they change."""
        self.session.set_split(val_split, seed)

    @Slot()
    def rescan(self) -> None:
        self.session.scan()

    @Slot()
    def cancel_scan(self) -> None:
        self.session.cancel()

    def on_torch_ready(self) -> None:
        """Scan the chosen dataset once PyTorch is available, if nothing was scanned yet."""
        if self.session.result is None and not self.session.is_scanning():
            self.session.scan()

    def shutdown(self) -> None:
        """Cancel a running scan (window close)."""
        self.session.cancel()

    # ------------------------------------------------------------------ session signals
    def _info_text(self) -> str:
        summary = self.session.summary()
        return info_text(summary) if summary is not None else ""

    @Slot(str)
    def _on_scan_started(self, source: str) -> None:
        self.error_label.hide()
        self.source_label.setText(source)
        self.progress_bar.setRange(0, 0)  # "busy" until the first count arrives
        self.info_label.setText(self.tr("Reading {source} ...").format(source=source))

    @Slot(bool)
    def _set_busy(self, busy: bool) -> None:
        self.progress_bar.setVisible(busy)
        self.cancel_button.setVisible(busy)
        self.rescan_button.setEnabled(not busy)

    @Slot(int, int)
    def _on_progress(self, done: int, total: int) -> None:
        self.progress_bar.setRange(0, max(total, 1))
        self.progress_bar.setValue(done)

    @Slot(object)
    def _on_finished(self, result: ScanResult) -> None:
        self.source_label.setText(result.source)
        self.info_label.setText(self._info_text())
        self.counts.show_summary(result.summary)
        self.thumbnails.show_result(result)
        self.warnings_box.show_summary(result.summary)
        self.scan_finished.emit(result)

    @Slot(str)
    def _on_failed(self, text: str) -> None:
        if self.session.current:
            self.source_label.setText(self.session.current)
        self.error_label.setText(text)
        self.error_label.show()
        self.info_label.setText(self._info_text() or self.tr("No dataset loaded."))
        self.scan_failed.emit(text)

    @Slot()
    def _on_cancelled(self) -> None:
        self.info_label.setText(self._info_text() or self.tr("Scan cancelled."))

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
