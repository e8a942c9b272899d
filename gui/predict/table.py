"""The results table as Qt model/view: a table model and a filtering, sorting proxy.

:class:`ResultsModel` holds the results (rows are added or all cleared) and knows each
column's sort key; :class:`ResultsFilter`, the view's model, shows all of them, the
uncertain ones, the errors or one predicted class, and handles the header's sort.
"""

from __future__ import annotations

import os
from operator import itemgetter

from PySide6.QtCore import (
    QT_TRANSLATE_NOOP,
    QAbstractTableModel,
    QCoreApplication,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
)
from PySide6.QtGui import QColor

from core import predict_checks
from core.predict_checks import format_prob, format_topk
from gui.i18n import core_messages
from gui.predict.jobs import PredictionResult
from gui.tooltips import wrapped
from gui.widgets import topk_lines

COLUMNS = (
    "",
    QT_TRANSLATE_NOOP("ResultsModel", "File"),
    QT_TRANSLATE_NOOP("ResultsModel", "Top-1"),
    QT_TRANSLATE_NOOP("ResultsModel", "Probability"),
    QT_TRANSLATE_NOOP("ResultsModel", "Top-5"),
    QT_TRANSLATE_NOOP("ResultsModel", "Error"),
)
COL_THUMB, COL_FILE, COL_TOP1, COL_PROB, COL_TOPK, COL_ERROR = range(len(COLUMNS))
#: the filter's own choices (keys; the filter box shows :func:`filter_label` of them)
FILTER_ALL, FILTER_UNCERTAIN, FILTER_ERRORS = "All images", "Uncertain only", "Errors only"
_FILTER_LABELS = (
    QT_TRANSLATE_NOOP("ResultsFilter", "All images"),
    QT_TRANSLATE_NOOP("ResultsFilter", "Uncertain only"),
    QT_TRANSLATE_NOOP("ResultsFilter", "Errors only"),
)
RESULT_ROLE = Qt.ItemDataRole.UserRole + 1  # the row's PredictionResult
_ROLES = frozenset(
    r.value if hasattr(r, "value") else int(r)
    for r in (
        Qt.ItemDataRole.DisplayRole,
        Qt.ItemDataRole.DecorationRole,
        Qt.ItemDataRole.ForegroundRole,
        Qt.ItemDataRole.ToolTipRole,
        RESULT_ROLE,
    )
)
ERROR_COLOUR = QColor("#b3261e")
UNCERTAIN_COLOUR = QColor("#b86e00")
_ASCENDING, _DESCENDING = Qt.SortOrder.AscendingOrder, Qt.SortOrder.DescendingOrder

_Index = QModelIndex | QPersistentModelIndex


def filter_label(choice: str) -> str:
    """A filter choice as the filter box shows it (a class name stays as it is)."""
    if choice in _FILTER_LABELS:
        return QCoreApplication.translate("ResultsFilter", choice)
    return choice


def unlike_tooltip(warnings: list[str]) -> str:
    """The explanation over a warning mark, in the interface's language (wrapped)."""
    lines = "\n".join(f"• {core_messages.translate(w)}" for w in warnings)
    return wrapped(core_messages.fill(predict_checks.UNLIKE_TIP, lines=lines))


def file_label(result: PredictionResult) -> str:
    """A file's own name (folders are in the tooltip); raw data keeps its made-up name."""
    return os.path.basename(result.name) if result.path else result.name


def topk_text(result: PredictionResult) -> str:
    return format_topk(result.topk)


WARNING_MARK = "\u26a0"  # ⚠ before the top-1 class of an input unlike the training data


def top1_text(result: PredictionResult) -> str:
    return f"{WARNING_MARK} {result.top1}" if result.warnings else result.top1


def _text(result: PredictionResult, column: int) -> str:
    if column == COL_FILE:
        return file_label(result)
    if column == COL_TOP1:
        return top1_text(result)
    if column == COL_PROB:
        return "" if result.error else format_prob(result.prob)
    if column == COL_TOPK:
        return topk_text(result)
    if column == COL_ERROR:
        return result.error or ""
    return ""


def sort_key(result: PredictionResult, column: int) -> float | str:
    """What a column sorts by: the probability as a number (errors last), else the text."""
    if column == COL_PROB:
        return -1.0 if result.error else result.prob
    if column == COL_TOP1:
        return result.top1  # the warning mark does not sort
    return _text(result, COL_FILE if column == COL_THUMB else column)


class ResultsModel(QAbstractTableModel):
    """One row per result, thumbnails as the first column's decoration.

    Rows are in arrival order until :meth:`sort`; rows added to a sorted table go to their
    sorted place. Sorting here, with Python's sort on keys made once per row, takes ~10 ms
    for 10,000 rows; QSortFilterProxyModel's own sort calls back into Python for each of
    the ~140,000 comparisons and took 1.4 s.
    """

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._rows: list[PredictionResult] = []  # as shown
        self._arrived: list[PredictionResult] = []  # as they came
        self._keys: list[float | str] = []  # each shown row's sort key, while sorted
        self._sort_column = -1
        self._sort_order = _ASCENDING
        self._threshold = 0.6

    # ----------------------------------------------------------------- Qt's interface

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: N802, B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: N802, B008
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation, role=Qt.ItemDataRole.DisplayRole):  # noqa: N802
        if orientation != Qt.Orientation.Horizontal:
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return self.tr(COLUMNS[section]) if COLUMNS[section] else ""
        if role == Qt.ItemDataRole.InitialSortOrderRole:  # a first click: best, newest first
            return _DESCENDING
        return None

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole):
        # a view asks each visible cell for about ten roles on every paint: the ones this
        # model has nothing for cost one set lookup
        if role not in _ROLES or not index.isValid():
            return None
        result = self._rows[index.row()]
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return _text(result, column)
        if role == Qt.ItemDataRole.DecorationRole:
            return result.thumb if column == COL_THUMB else None
        if role == Qt.ItemDataRole.ForegroundRole:
            if result.error:
                return ERROR_COLOUR
            return UNCERTAIN_COLOUR if result.is_uncertain(self._threshold) else None
        if role == Qt.ItemDataRole.ToolTipRole:
            if column == COL_FILE:
                return result.name
            if column == COL_TOPK:
                return topk_lines(result.topk)
            if column == COL_TOP1 and result.warnings:
                return unlike_tooltip(result.warnings)
            return (result.error or "") if column == COL_ERROR else None
        return result  # RESULT_ROLE

    def sort(self, column: int, order: Qt.SortOrder = _ASCENDING) -> None:
        """Order the rows by ``column`` (-1: as they came); selections follow their rows."""
        self.layoutAboutToBeChanged.emit()
        persistent = self.persistentIndexList()
        held = [(self._rows[i.row()], i.column()) for i in persistent]
        self._sort_column, self._sort_order = column, order
        if column < 0:
            self._rows, self._keys = list(self._arrived), []
        else:
            # stable, also reversed: equal keys stay in arrival order
            pairs = sorted(
                ((sort_key(r, column), r) for r in self._arrived),
                key=itemgetter(0),
                reverse=order == _DESCENDING,
            )
            self._keys = [k for k, _ in pairs]
            self._rows = [r for _, r in pairs]
        where = {id(r): row for row, r in enumerate(self._rows)}
        self.changePersistentIndexList(persistent, [self.index(where[id(r)], c) for r, c in held])
        self.layoutChanged.emit()

    # ----------------------------------------------------------------- the results

    def append(self, results: list[PredictionResult]) -> None:
        self._arrived.extend(results)
        if self._sort_column < 0:
            if results:
                first = len(self._rows)
                self.beginInsertRows(QModelIndex(), first, first + len(results) - 1)
                self._rows.extend(results)
                self.endInsertRows()
            return
        for result in results:
            key = sort_key(result, self._sort_column)
            row = self._sorted_row(key)
            self.beginInsertRows(QModelIndex(), row, row)
            self._rows.insert(row, result)
            self._keys.insert(row, key)
            self.endInsertRows()

    def _sorted_row(self, key: float | str) -> int:
        """Where a row with ``key`` goes: after the rows it ties with (they came first)."""
        keys, lo, hi = self._keys, 0, len(self._keys)
        descending = self._sort_order == _DESCENDING
        while lo < hi:
            mid = (lo + hi) // 2
            if (keys[mid] < key) if descending else (key < keys[mid]):
                hi = mid
            else:
                lo = mid + 1
        return lo

    def clear(self) -> None:
        self.beginResetModel()
        self._rows.clear()
        self._arrived.clear()
        self._keys.clear()
        self.endResetModel()

    def results(self) -> list[PredictionResult]:
        """Every result, in the shown order."""
        return list(self._rows)

    def result_at(self, row: int) -> PredictionResult | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def row_of(self, result: PredictionResult) -> int:
        try:
            return self._rows.index(result)  # identity: results compare by identity
        except ValueError:
            return -1

    def refresh(self, result: PredictionResult) -> None:
        """The result's thumbnail came back (its file was read again)."""
        row = self.row_of(result)
        if row >= 0:
            index = self.index(row, COL_THUMB)
            self.dataChanged.emit(index, index, [Qt.ItemDataRole.DecorationRole])

    @property
    def threshold(self) -> float:
        return self._threshold

    def set_threshold(self, threshold: float) -> None:
        """Rows whose top probability is below ``threshold`` are uncertain (coloured)."""
        if threshold == self._threshold:
            return
        self._threshold = threshold
        if self._rows:
            self.dataChanged.emit(
                self.index(0, 0),
                self.index(len(self._rows) - 1, len(COLUMNS) - 1),
                [Qt.ItemDataRole.ForegroundRole],
            )


class ResultsFilter(QSortFilterProxyModel):
    """Shows the rows of one choice: FILTER_ALL/UNCERTAIN/ERRORS or a predicted class.

    The header's sort is passed to :meth:`ResultsModel.sort` (see there why); the rows
    this proxy shows keep the source's order.
    """

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._choice = FILTER_ALL

    @property
    def choice(self) -> str:
        return self._choice

    def set_choice(self, choice: str) -> None:
        if choice != self._choice:
            self._refilter(lambda: setattr(self, "_choice", choice or FILTER_ALL))

    def threshold_changed(self) -> None:
        """The source's threshold moved: the uncertain rows are others now."""
        if self._choice == FILTER_UNCERTAIN:
            self._refilter(lambda: None)

    def _refilter(self, change) -> None:
        begin = getattr(self, "beginFilterChange", None)
        if begin is None:  # Qt before 6.10
            change()
            self.invalidateRowsFilter()
            return
        begin()
        change()
        self.endFilterChange(QSortFilterProxyModel.Direction.Rows)

    def sort(self, column: int, order: Qt.SortOrder = _ASCENDING) -> None:
        self.sourceModel().sort(column, order)

    def accepts(self, result: PredictionResult) -> bool:
        choice = self._choice
        if choice == FILTER_ALL:
            return True
        if choice == FILTER_UNCERTAIN:
            return result.is_uncertain(self.sourceModel().threshold)
        if choice == FILTER_ERRORS:
            return result.error is not None
        return result.error is None and result.top1 == choice

    def filterAcceptsRow(self, source_row: int, source_parent: _Index) -> bool:  # noqa: N802
        if self._choice == FILTER_ALL:
            return True
        result = self.sourceModel().result_at(source_row)
        return result is not None and self.accepts(result)

    def result_at(self, row: int) -> PredictionResult | None:
        return self.data(self.index(row, 0), RESULT_ROLE)

    def visible_results(self) -> list[PredictionResult]:
        """Results in the current order, filtered rows left out."""
        return [r for r in self.sourceModel().results() if self.accepts(r)]
