"""Small pieces the Calculator's tabs share: spin boxes, the per-layer results table, colours."""

from __future__ import annotations

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, Qt
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
)

from core import convcalc as cc
from gui.i18n.core_messages import translate as core_text

RESULT_COLUMNS = (
    "#",
    QT_TRANSLATE_NOOP("CalculatorTable", "layer"),
    QT_TRANSLATE_NOOP("CalculatorTable", "output"),
    QT_TRANSLATE_NOOP("CalculatorTable", "params"),
    QT_TRANSLATE_NOOP("CalculatorTable", "RF"),
    QT_TRANSLATE_NOOP("CalculatorTable", "jump"),
    QT_TRANSLATE_NOOP("CalculatorTable", "notes"),
)
COLUMN_TIPS = {
    "RF": QT_TRANSLATE_NOOP("CalculatorTable", "receptive field: input pixels one output sees"),
    "jump": QT_TRANSLATE_NOOP(
        "CalculatorTable", "jump: input pixels between two neighbouring outputs"
    ),
}
RED = QColor(255, 205, 205)
ERROR_STYLE = "color: #b00020;"
WARN_STYLE = "color: #8a5a00;"


def spin_box(minimum: int, maximum: int, value: int, tip: str) -> QSpinBox:
    """An integer input that recomputes when editing ends, not on every keystroke."""
    box = QSpinBox()
    box.setRange(minimum, maximum)
    box.setValue(value)
    box.setToolTip(tip)
    box.setKeyboardTracking(False)
    return box


def _item(text: str, align_right: bool = False) -> QTableWidgetItem:
    item = QTableWidgetItem(text)
    item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEditable)
    if align_right:
        item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
    return item


def fill_results(table: QTableWidget, rows: list[cc.LayerResult]) -> None:
    """Put per-layer rows into a results table; collapsed or failed rows in red."""
    table.setRowCount(len(rows))
    for r, row in enumerate(rows):
        notes = core_text(row.error) if row.error else "; ".join(map(core_text, row.warnings))
        cells = (
            _item(str(row.index + 1), True),
            _item(row.layer),
            _item(cc.format_shape(row.out_shape) if row.out_shape else "-"),
            _item(f"{row.params:,}", True),
            _item(cc.format_pair(row.rf), True),
            _item(cc.format_pair(row.jump), True),
            _item(notes),
        )
        for c, item in enumerate(cells):
            if row.collapsed or row.error:
                item.setBackground(QBrush(RED))
            if notes:
                item.setToolTip(notes)
            table.setItem(r, c, item)


def results_table() -> QTableWidget:
    """A read-only table with the RESULT_COLUMNS, one row per layer (see fill_results)."""
    table = QTableWidget(0, len(RESULT_COLUMNS))
    table.setHorizontalHeaderLabels(
        [QCoreApplication.translate("CalculatorTable", name) for name in RESULT_COLUMNS]
    )
    for column, name in enumerate(RESULT_COLUMNS):
        if name in COLUMN_TIPS:
            tip = QCoreApplication.translate("CalculatorTable", COLUMN_TIPS[name])
            table.horizontalHeaderItem(column).setToolTip(tip)
    table.verticalHeader().setVisible(False)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    header = table.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    header.setStretchLastSection(True)
    return table
