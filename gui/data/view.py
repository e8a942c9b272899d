"""The Data panel's views of one scan: class counts (table and chart), thumbnails, warnings.

Each view is filled from plain values (a ``DatasetSummary``, a :class:`ScanResult`) and
knows nothing of the scan. pyqtgraph is imported when the first chart is drawn (the
window is on screen by then).
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, QObject, Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QGridLayout,
    QGroupBox,
    QHeaderView,
    QLabel,
    QListWidget,
    QScrollArea,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from gui.data.scan import THUMB_SIZE, ScanResult
from gui.i18n.core_messages import translate as core_text
from gui.imageutil import scaled_pixmap

TABLE_COLUMNS = (
    QT_TRANSLATE_NOOP("DataView", "Class"),
    QT_TRANSLATE_NOOP("DataView", "Train"),
    QT_TRANSLATE_NOOP("DataView", "Valid"),
    QT_TRANSLATE_NOOP("DataView", "Total"),
)
SPLIT_NAMES = {
    "train": QT_TRANSLATE_NOOP("DataView", "train"),
    "valid": QT_TRANSLATE_NOOP("DataView", "valid"),
}
ROWS_IN_VIEW = 10  # the table is at least this tall: the digits' ten classes all show
TRAIN_COLOR = (31, 119, 180)
VALID_COLOR = (255, 127, 14)
WARNING_COLOR = QColor(170, 85, 0)


class DataView(QObject):
    """The translation context of this module's functions: ``DataView.tr(...)``."""


def _tr(text: str) -> str:
    """One of this module's marked constants, translated."""
    return QCoreApplication.translate("DataView", text)


def info_text(summary: Any) -> str:
    """One line about a dataset: classes, images per split, layout, size, channels.

    A list of facts joined by dots, each translated whole.
    """
    if summary.image_size:
        size = f"{summary.image_size[1]}x{summary.image_size[0]}"
    else:
        size = DataView.tr("varied sizes")
    facts = (
        DataView.tr("%n class(es)", "", len(summary.class_names)),
        DataView.tr("{train} training and {valid} validation images").format(
            train=summary.total("train"), valid=summary.total("valid")
        ),
        core_text(summary.layout),
        size,
        DataView.tr("grayscale") if summary.in_channels == 1 else "RGB",
    )
    return " · ".join(facts)


def _read_only_table(columns: int, labels: list[str], name: str) -> QTableWidget:
    table = QTableWidget(0, columns)
    table.setObjectName(name)
    table.setHorizontalHeaderLabels(labels)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.verticalHeader().setVisible(False)
    return table


class ClassCounts(QWidget):
    """Images per class and split: a table above a bar chart (train and valid bars)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        labels = [_tr(name) for name in TABLE_COLUMNS]
        self.table = _read_only_table(len(TABLE_COLUMNS), labels, "class_table")
        self.table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        # compact rows, and room for ROWS_IN_VIEW of them: the last digit is never hidden
        self.table.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 8)
        layout.addWidget(self.table)  # as tall as its rows need (up to ROWS_IN_VIEW)
        self._chart_box = QVBoxLayout()
        layout.addLayout(self._chart_box, 1)
        self.chart: Any = None  # the pyqtgraph PlotWidget, made on the first result
        self._bars: tuple[Any, Any] | None = None

    def show_summary(self, summary: Any) -> None:
        self._fill_table(summary)
        self._fill_chart(summary)

    def _fill_table(self, summary: Any) -> None:
        table = self.table
        table.setRowCount(len(summary.class_names))
        rows = min(len(summary.class_names), ROWS_IN_VIEW)
        header = table.horizontalHeader().sizeHint().height()
        row = table.verticalHeader().defaultSectionSize()
        table.setMinimumHeight(header + rows * row + 2 * table.frameWidth() + 2)
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
        if self.chart is not None:
            return
        import pyqtgraph as pg

        chart = pg.PlotWidget()
        chart.setObjectName("count_chart")
        chart.setBackground("w")
        chart.setMinimumHeight(120)
        chart.setLabel("left", self.tr("images"))
        chart.setMouseEnabled(x=False, y=False)
        # two columns at the top right, dark text; _fill_chart leaves headroom above the bars
        chart.addLegend(offset=(-10, 2), labelTextColor=(30, 30, 30), colCount=2)
        bars = tuple(
            pg.BarGraphItem(
                x=[], height=[], width=0.4, brush=pg.mkBrush(*color), name=_tr(SPLIT_NAMES[split])
            )
            for split, color in (("train", TRAIN_COLOR), ("valid", VALID_COLOR))
        )
        for bar in bars:
            chart.addItem(bar)
        self._chart_box.addWidget(chart)
        self.chart = chart
        self._bars = bars

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
        for (split, offset), bar in zip((("train", -0.2), ("valid", 0.2)), self._bars, strict=True):
            bar.setOpts(
                x=[x + offset for x in xs], height=[summary.counts[split].get(n, 0) for n in names]
            )
        step = max(1, len(names) // 30)  # keep the labels readable with many classes
        self.chart.getAxis("bottom").setTicks([[(i, names[i]) for i in range(0, len(names), step)]])
        self.chart.setXRange(-0.6, max(len(names) - 0.4, 0.6), padding=0)
        tallest = max(
            [summary.counts[split].get(n, 0) for split in ("train", "valid") for n in names] or [0]
        )
        # 30% headroom so the legend sits above the bars instead of covering them
        self.chart.setYRange(0, max(tallest, 1) * 1.3, padding=0)


class ThumbnailStrip(QScrollArea):
    """A few sample images per class, one row per class, name first."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("thumbnails")
        self.setWidgetResizable(True)
        self.setWidget(QLabel(self.tr("Sample images of each class appear here.")))
        self._counts: dict[str, int] = {}

    def show_result(self, result: ScanResult) -> None:
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
                grid.addWidget(QLabel(self.tr("(no readable image)")), row, 1)
        hidden = len(result.summary.class_names) - len(result.thumbnails)
        if hidden > 0:
            more = QLabel(self.tr("... and %n more class(es)", "", hidden))
            grid.addWidget(more, len(result.thumbnails), 0)
        self.setWidget(content)  # the previous strip is deleted by the scroll area
        self._counts = {name: len(images) for name, images in result.thumbnails.items()}

    def counts(self) -> dict[str, int]:
        """Thumbnails shown per class."""
        return dict(self._counts)


def _warning_text(text: str, skipped: list) -> str:
    """A warning of core.folders in the interface's language, the skipped files' reasons too.

    The skipped-files warning lists "name (reason)" pairs: the list is one value of its
    template, so each known reason is put back translated.
    """
    shown = core_text(text)
    for item in skipped[:3]:
        reason = core_text(item.reason)
        if reason != item.reason:
            shown = shown.replace(f"({item.reason})", f"({reason})")
    return shown


class WarningsBox(QGroupBox):
    """What may hurt training (tiny classes, imbalance ...) and the skipped files with reasons."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setTitle(self.tr("Warnings"))
        layout = QVBoxLayout(self)
        self.warning_list = QListWidget()
        self.warning_list.setObjectName("warnings")
        self.warning_list.setWordWrap(True)
        layout.addWidget(self.warning_list, 1)
        self.skipped_label = QLabel(self.tr("Skipped files:"))
        layout.addWidget(self.skipped_label)
        labels = [self.tr("File"), self.tr("Reason")]
        self.skipped_table = _read_only_table(2, labels, "skipped_files")
        self.skipped_table.horizontalHeader().setStretchLastSection(True)
        layout.addWidget(self.skipped_table, 1)
        self.skipped_label.hide()
        self.skipped_table.hide()

    def show_summary(self, summary: Any) -> None:
        self.warning_list.clear()
        messages = [_warning_text(text, summary.skipped) for text in summary.warnings()]
        self.warning_list.addItems(messages or [self.tr("No problems found.")])
        if not messages:
            self.warning_list.item(0).setForeground(Qt.GlobalColor.darkGreen)
        for row in range(len(messages)):  # problems stand out from the rest of the panel
            self.warning_list.item(row).setForeground(WARNING_COLOR)
        skipped = summary.skipped
        self.skipped_table.setRowCount(len(skipped))
        for row, item in enumerate(skipped):
            path_item = QTableWidgetItem(item.path)
            path_item.setToolTip(item.path)
            self.skipped_table.setItem(row, 0, path_item)
            self.skipped_table.setItem(row, 1, QTableWidgetItem(core_text(item.reason)))
        self.skipped_table.resizeColumnToContents(0)
        self.skipped_label.setText(self.tr("Skipped files ({count}):").format(count=len(skipped)))
        self.skipped_label.setVisible(bool(skipped))
        self.skipped_table.setVisible(bool(skipped))

    def warnings(self) -> list[str]:
        return [self.warning_list.item(i).text() for i in range(self.warning_list.count())]

    def skipped_rows(self) -> list[tuple[str, str]]:
        """(path, reason) rows of the skipped-files table."""
        table = self.skipped_table
        return [(table.item(r, 0).text(), table.item(r, 1).text()) for r in range(table.rowCount())]
