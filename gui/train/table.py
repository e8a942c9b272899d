"""The Train tab's epoch table: one row per epoch, the best epoch in bold."""

from __future__ import annotations

from PySide6.QtCore import QT_TRANSLATE_NOOP, Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QTableWidget,
    QTableWidgetItem,
    QWidget,
)

from core import runs

# (header, metrics column, format); the headers are translated where they are shown
COLUMNS = (
    (QT_TRANSLATE_NOOP("EpochTable", "epoch"), "epoch", "{:d}"),
    (QT_TRANSLATE_NOOP("EpochTable", "train loss"), "train_loss", "{:.4f}"),
    (QT_TRANSLATE_NOOP("EpochTable", "train acc"), "train_acc", "{:.4f}"),
    (QT_TRANSLATE_NOOP("EpochTable", "val loss"), "val_loss", "{:.4f}"),
    (QT_TRANSLATE_NOOP("EpochTable", "val acc"), "val_acc", "{:.4f}"),
    (QT_TRANSLATE_NOOP("EpochTable", "lr"), "lr", "{:.3g}"),
    (QT_TRANSLATE_NOOP("EpochTable", "seconds"), "seconds", "{:.1f}"),
)


class EpochTable(QTableWidget):
    """Rows of metrics (core.runs rows or EpochEnded.row()); a run has tens of epochs,
    so plain items are enough, and marking a new best touches only two rows."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(0, len(COLUMNS), parent)
        self.setHorizontalHeaderLabels([self.tr(header) for header, _, _ in COLUMNS])
        self.verticalHeader().setVisible(False)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        # the columns share the width: at 1024 px seven default-width columns overflowed
        self.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.best_row: int | None = None

    def clear_rows(self) -> None:
        self.setRowCount(0)
        self.best_row = None

    def add_row(self, row: dict, is_best: bool) -> None:
        index = self.rowCount()
        self.insertRow(index)
        for col, (_, key, fmt) in enumerate(COLUMNS):
            value = int(row[key]) if key == "epoch" else float(row[key])
            item = QTableWidgetItem(fmt.format(value))
            item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            self.setItem(index, col, item)
        if is_best:
            self._mark_best(index)
        self.scrollToBottom()

    def show_rows(self, rows: list[dict], metric: str = "val_acc") -> None:
        """A finished run's rows, the best epoch marked by core.runs' rule."""
        self.clear_rows()
        self.add_rows(rows, metric)

    def add_rows(self, rows: list[dict], metric: str = "val_acc") -> None:
        """Rows after the ones shown (a resumed run's earlier epochs), best by core.runs."""
        for row, is_best in runs.with_best(rows, metric):
            self.add_row(row, is_best)

    def _mark_best(self, best_row: int) -> None:
        for index in (self.best_row, best_row):
            if index is None or index >= self.rowCount():
                continue
            for col in range(self.columnCount()):
                item = self.item(index, col)
                if item is not None:
                    font = QFont(item.font())
                    font.setBold(index == best_row)
                    item.setFont(font)
        self.best_row = best_row
