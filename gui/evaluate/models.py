"""The Evaluate panel's Qt item models: the confusion matrix, the per-class table, the gallery.

All three read a :class:`core.evalresult.Evaluation` and hold nothing heavier than
numbers, except the gallery's thumbnail cache. The gallery asks for the thumbnails of
the rows a view paints (``thumbs_wanted``), so 10,000 images cost only what is on
screen.
"""

from __future__ import annotations

import os
from collections import OrderedDict
from typing import Any

from PySide6.QtCore import (
    QT_TRANSLATE_NOOP,
    QAbstractListModel,
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    QSize,
    QSortFilterProxyModel,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QColor, QImage, QPainter, QPen, QPixmap

_Index = QModelIndex | QPersistentModelIndex
_DISPLAY = Qt.ItemDataRole.DisplayRole
SORT_ROLE = Qt.ItemDataRole.UserRole + 1  # the number a column sorts by
ROW_ROLE = Qt.ItemDataRole.UserRole + 2  # the evaluation row of a gallery item
WRONG_COLOUR = QColor("#b3261e")
MOVED_COLOUR = QColor("#7a7a7a")
_BLUE = (31, 94, 168)
_RED = (196, 52, 40)
THUMBS_KEPT = 3000
THUMB_SIZE = 72


def cell_colour(share: float, diagonal: bool, nonzero: bool) -> QColor:
    """Right answers in blue, mistakes in red; a faint mistake stays visible (as report.py)."""
    if not diagonal and nonzero:
        share = max(share, 0.15)
    tone = _BLUE if diagonal else _RED
    return QColor(*(int(255 - share * (255 - c)) for c in tone))


class ConfusionModel(QAbstractTableModel):
    """Rows are true classes, columns predicted ones; counts or row shares (``normalised``)."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.names: list[str] = []
        self.counts: list[list[int]] = []
        self.normalised = False

    def set_matrix(self, names: list[str], counts: list[list[int]]) -> None:
        self.beginResetModel()
        self.names, self.counts = list(names), [list(r) for r in counts]
        self.endResetModel()

    def set_normalised(self, on: bool) -> None:
        self.normalised = bool(on)
        if self.names:
            n = len(self.names)
            self.dataChanged.emit(self.index(0, 0), self.index(n - 1, n - 1))

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: N802, B008
        return 0 if parent.isValid() else len(self.names)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: N802, B008
        return 0 if parent.isValid() else len(self.names)

    def share(self, row: int, column: int) -> float:
        total = sum(self.counts[row])
        return self.counts[row][column] / total if total else 0.0

    def data(self, index: _Index, role: int = _DISPLAY) -> Any:
        if not index.isValid():
            return None
        i, j = index.row(), index.column()
        count = self.counts[i][j]
        if role == _DISPLAY:
            if self.normalised:
                return f"{self.share(i, j):.0%}" if count else ""
            return str(count) if count else ""
        if role == Qt.ItemDataRole.BackgroundRole:
            return cell_colour(self.share(i, j), i == j, count > 0)
        if role == Qt.ItemDataRole.ForegroundRole:
            return QColor("white") if self.share(i, j) > 0.5 else QColor("#1e1e1e")
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return Qt.AlignmentFlag.AlignCenter
        if role == Qt.ItemDataRole.ToolTipRole:
            total = sum(self.counts[i])
            return self.tr(
                "true {true}, predicted {predicted}: %n image(s) ({share} of the {total} "
                "'{true}' images). Click to see them.",
                "",
                count,
            ).format(
                true=self.names[i],
                predicted=self.names[j],
                share=f"{self.share(i, j):.1%}",
                total=total,
            )
        return None

    def headerData(self, section: int, orientation, role: int = _DISPLAY) -> Any:  # noqa: N802
        if role == _DISPLAY and 0 <= section < len(self.names):
            return self.names[section]
        if role == Qt.ItemDataRole.ToolTipRole and 0 <= section < len(self.names):
            if orientation == Qt.Orientation.Horizontal:
                return self.tr("predicted class {name}").format(name=self.names[section])
            return self.tr("true class {name}").format(name=self.names[section])
        return None


#: the columns, also the keys of the per-class rows (lower-cased); headers show them translated
PER_CLASS_COLUMNS = (
    QT_TRANSLATE_NOOP("PerClassModel", "Class"),
    QT_TRANSLATE_NOOP("PerClassModel", "Precision"),
    QT_TRANSLATE_NOOP("PerClassModel", "Recall"),
    QT_TRANSLATE_NOOP("PerClassModel", "F1"),
    QT_TRANSLATE_NOOP("PerClassModel", "Support"),
)


class PerClassModel(QAbstractTableModel):
    """One row per class: precision, recall, F1 and support (sorted through a proxy)."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.rows: list[dict] = []

    def set_rows(self, rows: list[dict]) -> None:
        self.beginResetModel()
        self.rows = list(rows)
        self.endResetModel()

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: N802, B008
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: N802, B008
        return 0 if parent.isValid() else len(PER_CLASS_COLUMNS)

    def data(self, index: _Index, role: int = _DISPLAY) -> Any:
        if not index.isValid():
            return None
        row, column = self.rows[index.row()], index.column()
        key = PER_CLASS_COLUMNS[column].lower()
        value = row["class"] if column == 0 else row[key]
        if role == _DISPLAY:
            return value if column in (0, 4) else f"{value:.3f}"
        if role == SORT_ROLE:  # classes sort in the model's order, not as text ("10" < "2")
            return value if column else index.row()
        if role == ROW_ROLE:
            return index.row()  # the class index
        if role == Qt.ItemDataRole.TextAlignmentRole and column:
            return Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
        return None

    def headerData(self, section: int, orientation, role: int = _DISPLAY) -> Any:  # noqa: N802
        if orientation == Qt.Orientation.Horizontal and role == _DISPLAY:
            return self.tr(PER_CLASS_COLUMNS[section])
        return None


def sorting_proxy(model: QAbstractTableModel, parent=None) -> QSortFilterProxyModel:
    proxy = QSortFilterProxyModel(parent)
    proxy.setSourceModel(model)
    proxy.setSortRole(SORT_ROLE)
    return proxy


def broken_image(size: int) -> QPixmap:
    """A grey tile crossed in red: a picture that could not be read."""
    pixmap = QPixmap(size, size)
    pixmap.fill(QColor("#eeeeee"))
    painter = QPainter(pixmap)
    painter.setPen(QPen(WRONG_COLOUR, 2))
    margin = size // 3
    painter.drawLine(margin, margin, size - margin, size - margin)
    painter.drawLine(size - margin, margin, margin, size - margin)
    painter.end()
    return pixmap


class GalleryModel(QAbstractListModel):
    """The images of the chosen cell or class, in the order given (most confidently wrong first).

    Signals: ``thumbs_wanted(list)`` with evaluation rows whose thumbnail a view asked
    for and that are not cached (gathered for one event-loop turn).

    A row is asked for once; its answer is a thumbnail, None (the file cannot be read)
    or :meth:`thumbs_failed` (the task making it failed). The last two show a
    broken-image mark; a failed row is asked for again when the gallery shows another
    cell or class (not at once: a task that fails on every try would loop).
    """

    thumbs_wanted = Signal(object)

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.evaluation: Any = None
        self.order: list[int] = []
        self.status: dict[int, str] = {}  # row -> "moved to X" / "set aside"
        self._thumbs: OrderedDict[int, QPixmap | None] = OrderedDict()
        self._wanted: set[int] = set()
        self._asked: set[int] = set()
        self._failed: set[int] = set()  # rows whose thumbnail task failed
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(0)
        self._timer.timeout.connect(self._ask)
        self._placeholder = QPixmap(THUMB_SIZE, THUMB_SIZE)  # keeps the layout while loading
        self._placeholder.fill(QColor("#eeeeee"))
        self._broken = broken_image(THUMB_SIZE)

    def set_evaluation(self, evaluation: Any) -> None:
        self.beginResetModel()
        self.evaluation = evaluation
        self.order = []
        self.status = {}
        self._thumbs.clear()
        self._wanted.clear()
        self._asked.clear()
        self._failed.clear()
        self.endResetModel()

    def set_order(self, order: list[int]) -> None:
        self.beginResetModel()
        self.order = list(order)
        self._wanted.clear()
        self._failed.clear()  # asked again when shown again
        self.endResetModel()

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: N802, B008
        return 0 if parent.isValid() else len(self.order)

    def data(self, index: _Index, role: int = _DISPLAY) -> Any:
        if not index.isValid() or self.evaluation is None:
            return None
        row = self.order[index.row()]
        r = self.evaluation.rows[row]
        names = self.evaluation.class_names
        if role == _DISPLAY:
            status = self.status.get(row)
            head = f"{names[r.true]} → {names[r.pred]}" if not r.correct else names[r.pred]
            return f"{head}\n{r.prob:.0%}" + (f"\n{status}" if status else "")
        if role == Qt.ItemDataRole.DecorationRole:
            return self._thumb(row)
        if role == Qt.ItemDataRole.ForegroundRole:
            if row in self.status:
                return MOVED_COLOUR
            return None if r.correct else WRONG_COLOUR
        if role == Qt.ItemDataRole.ToolTipRole:
            return self.tooltip(row)
        if role == ROW_ROLE:
            return row
        if role == Qt.ItemDataRole.SizeHintRole:
            return self.item_size()
        return None

    def tooltip(self, row: int) -> str:
        r = self.evaluation.rows[row]
        names = self.evaluation.class_names
        if isinstance(r.key, str):
            where = os.path.basename(r.key)
        else:
            where = self.tr("image #{number}").format(number=r.key)
        lines = [
            where,
            self.tr("true: {name}  ({prob})").format(name=names[r.true], prob=f"{r.true_prob:.1%}"),
            self.tr("predicted: {name}  ({prob})").format(name=names[r.pred], prob=f"{r.prob:.1%}"),
            self.tr("loss: {loss}").format(loss=f"{r.loss:.3f}"),
        ]
        if row in self.status:
            lines.append(self.status[row])
        return "\n".join(lines)

    # ----------------------------------------------------------------- thumbnails

    def _thumb(self, row: int) -> QPixmap:
        if row in self._thumbs:
            self._thumbs.move_to_end(row)
            thumb = self._thumbs[row]
            return thumb if thumb is not None else self._broken
        if row in self._failed:
            return self._broken
        if row not in self._asked:
            self._wanted.add(row)
            self._timer.start()
        return self._placeholder

    def _ask(self) -> None:
        wanted = sorted(self._wanted - self._asked)
        self._wanted.clear()
        if wanted:
            self._asked.update(wanted)
            self.thumbs_wanted.emit(wanted)

    def set_thumbs(self, made: list[tuple[int, QImage | None]]) -> None:
        """Thumbnails arrived (None: unreadable); the rows on show repaint."""
        for row, image in made:
            self._asked.discard(row)
            self._thumbs[row] = QPixmap.fromImage(image) if image is not None else None
        while len(self._thumbs) > THUMBS_KEPT:
            self._thumbs.popitem(last=False)
        self._repaint_thumbs([row for row, _ in made])

    def thumbs_failed(self, rows: list[int]) -> None:
        """The task making these rows' thumbnails failed: they show a broken-image mark."""
        self._asked.difference_update(rows)
        self._failed.update(rows)
        self._repaint_thumbs(rows)

    def _repaint_thumbs(self, rows: list[int]) -> None:
        positions = {row: i for i, row in enumerate(self.order)}
        for row in rows:
            i = positions.get(row)
            if i is not None:
                index = self.index(i)
                self.dataChanged.emit(index, index, [Qt.ItemDataRole.DecorationRole])

    def forget_thumb(self, row: int) -> None:
        """The file moved: read its thumbnail again when it is shown."""
        self._thumbs.pop(row, None)
        self._asked.discard(row)
        self._failed.discard(row)

    def set_status(self, row: int, text: str | None) -> None:
        if text:
            self.status[row] = text
        else:
            self.status.pop(row, None)
        if row in self.order:
            index = self.index(self.order.index(row))
            self.dataChanged.emit(index, index)

    def row_at(self, position: int) -> int:
        return self.order[position]

    def item_size(self) -> QSize:
        """Every item's size: room for the thumbnail and three short lines under it."""
        return QSize(THUMB_SIZE + 40, THUMB_SIZE + 56)
