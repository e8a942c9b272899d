"""The step lists: a Qt list model over one pipeline of :class:`Pipeline`, and its view.

The model holds no steps of its own: it reads them from the pipeline and turns the
pipeline's edits into Qt's row signals, so a view keeps its current row and
selection through inserts, removals and moves. Ticking a step and dragging it to
another row edit the pipeline through :meth:`StepListModel.setData` and
:meth:`StepListModel.moveRows` (QListView's internal move calls ``moveRow``).
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import (
    QAbstractListModel,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    Signal,
    Slot,
)
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import QAbstractItemView, QListView, QWidget

from core.augment import TRANSFORMS
from gui.augment.pipeline import Edit, Pipeline
from gui.i18n.core_messages import translate as core_text

ERROR_COLOUR = QColor("#d00")
_ROLES = {
    Qt.ItemDataRole.DisplayRole,
    Qt.ItemDataRole.ToolTipRole,
    Qt.ItemDataRole.CheckStateRole,
    Qt.ItemDataRole.ForegroundRole,
    Qt.ItemDataRole.UserRole,
}
Index = QModelIndex | QPersistentModelIndex


def short(value: Any) -> str:
    """Compact text of a param value: 0.2 rather than 0.2000, lists in brackets."""
    if isinstance(value, list):
        return "[" + ", ".join(short(v) for v in value) + "]"
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def summary(step: dict) -> str:
    """List text for a step: its name and the params that differ from the defaults."""
    info = TRANSFORMS.get(step.get("name", ""))
    if info is None:
        return str(step.get("name"))
    params = step.get("params", {})
    defaults = info.defaults()
    shown = []
    for p in info.params:
        if p.name in params and (p.required or params[p.name] != defaults[p.name]):
            shown.append(f"{p.name}={short(params[p.name])}")
    return f"{info.name}({', '.join(shown)})"


def step_tip(step: dict) -> str:
    """Tooltip of a list row: the whole step as code, then what the transform does."""
    info = TRANSFORMS.get(step.get("name", ""))
    return f"{summary(step)}\n\n{core_text(info.help)}" if info else summary(step)


class StepListModel(QAbstractListModel):
    """One pipeline (``which``) of a :class:`Pipeline` as checkable, movable rows.

    The row of the pipeline's first problem is drawn red, its tooltip the problem.
    """

    def __init__(self, pipeline: Pipeline, which: str, parent=None) -> None:
        super().__init__(parent)
        self.pipeline = pipeline
        self.which = which
        pipeline.about_to_edit.connect(self._begin)
        pipeline.edited.connect(self._end)

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, N802 - Qt API
        return 0 if parent.isValid() else self.pipeline.count(self.which)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role not in _ROLES or not index.isValid() or not 0 <= index.row() < self.rowCount():
            return None
        step = self.pipeline.step(self.which, index.row())
        error = self.pipeline.error(self.which)
        bad = error is not None and error.step == index.row()
        if role == Qt.ItemDataRole.DisplayRole:
            return summary(step)
        if role == Qt.ItemDataRole.ToolTipRole:
            return core_text(str(error)) if bad else step_tip(step)
        if role == Qt.ItemDataRole.CheckStateRole:
            return Qt.CheckState.Checked if step["enabled"] else Qt.CheckState.Unchecked
        if role == Qt.ItemDataRole.ForegroundRole and bad:
            return QBrush(ERROR_COLOUR)
        if role == Qt.ItemDataRole.UserRole:
            return step
        return None

    def setData(self, index: Index, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:  # noqa: N802
        if role != Qt.ItemDataRole.CheckStateRole or not index.isValid():
            return False
        on = Qt.CheckState(value) == Qt.CheckState.Checked
        self.pipeline.set_enabled(self.which, index.row(), on)
        return True

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.ItemIsDropEnabled  # drop between rows
        return (
            Qt.ItemFlag.ItemIsEnabled
            | Qt.ItemFlag.ItemIsSelectable
            | Qt.ItemFlag.ItemIsUserCheckable
            | Qt.ItemFlag.ItemIsDragEnabled
        )

    def supportedDropActions(self) -> Qt.DropAction:  # noqa: N802 - Qt API
        return Qt.DropAction.MoveAction

    def moveRows(  # noqa: N802 - Qt API
        self, source: Index, row: int, count: int, parent: Index, destination: int
    ) -> bool:
        """Qt's move (``destination``: the row it goes before) as a pipeline move."""
        if source.isValid() or parent.isValid() or count != 1:
            return False
        to = destination if destination <= row else destination - 1
        return self.pipeline.move(self.which, row, to)

    # ----------------------------------------------------------------- the pipeline's edits

    @Slot(object)
    def _begin(self, edit: Edit) -> None:
        if edit.which != self.which:
            return
        root = QModelIndex()
        if edit.kind == "insert":
            self.beginInsertRows(root, edit.row, edit.row)
        elif edit.kind == "remove":
            self.beginRemoveRows(root, edit.row, edit.row)
        elif edit.kind == "move":
            # Qt counts the destination before the move: below means after the target row
            destination = edit.to + 1 if edit.to > edit.row else edit.to
            self.beginMoveRows(root, edit.row, edit.row, root, destination)
        elif edit.kind == "reset":
            self.beginResetModel()

    @Slot(object)
    def _end(self, edit: Edit) -> None:
        if edit.which != self.which:
            return
        if edit.kind == "insert":
            self.endInsertRows()
        elif edit.kind == "remove":
            self.endRemoveRows()
        elif edit.kind == "move":
            self.endMoveRows()
        elif edit.kind == "reset":
            self.endResetModel()
        if self.rowCount():  # any edit may move the red mark of the first problem
            self.dataChanged.emit(self.index(0), self.index(self.rowCount() - 1))


class StepList(QListView):
    """A pipeline as an ordered, checkable, drag-reorderable list of steps.

    Signal ``current_row_changed(int)``: the selected step (-1: none; also after the
    pipeline is replaced, so that no form shows a step that is gone).
    """

    current_row_changed = Signal(int)

    def __init__(self, model: StepListModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setModel(model)
        self.setDragDropMode(QAbstractItemView.DragDropMode.InternalMove)
        self.setDefaultDropAction(Qt.DropAction.MoveAction)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        # Long steps (Normalize's three means and stds) wrap instead of running off the
        # narrow list behind a horizontal scrollbar.
        self.setWordWrap(True)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setResizeMode(QListView.ResizeMode.Adjust)
        self.selectionModel().currentRowChanged.connect(
            lambda current, _previous: self.current_row_changed.emit(current.row())
        )

    def count(self) -> int:
        return self.model().rowCount()

    def currentRow(self) -> int:  # noqa: N802 - named like QListWidget's
        return self.currentIndex().row()

    def setCurrentRow(self, row: int) -> None:  # noqa: N802 - named like QListWidget's
        """Select step ``row``; -1 (or a row out of range) selects nothing."""
        if 0 <= row < self.count():
            self.setCurrentIndex(self.model().index(row))
        else:
            self.clearSelection()
            self.setCurrentIndex(QModelIndex())

    def row_rect(self, row: int):
        """Where step ``row`` is drawn (viewport coordinates)."""
        return self.visualRect(self.model().index(row))
