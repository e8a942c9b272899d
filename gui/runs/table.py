"""The Runs tab's table: a Qt model over core.runs' listing, and its sort/filter proxy.

One row per folder (:class:`core.runs.RunEntry`), the columns of core.runs.COLUMNS
formatted as ``main.py runs`` prints them. Sorting uses :data:`SORT_ROLE` (numbers
as numbers, a missing value last); the filter matches any column's text. The Note
column is editable: an edit is handed to ``note_edited`` and shown once saved.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import (
    QT_TRANSLATE_NOOP,
    QAbstractTableModel,
    QCoreApplication,
    QModelIndex,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
    Signal,
)
from PySide6.QtGui import QColor

from core import runs
from core.runs_cmd import cell
from gui.i18n.core_messages import translate as core_text

SORT_ROLE = Qt.ItemDataRole.UserRole + 1
KEYS = tuple(key for key, _ in runs.COLUMNS)
NUMERIC = {"date", "epochs", "best_val_acc", "best_epoch", "train_images_per_second", "seconds"}
NOTE = KEYS.index("note")
NAME = KEYS.index("name")
STATUS = KEYS.index("status")
MISSING = float("-inf")  # sorts a missing number below every real one
TIPS = {
    "name": QT_TRANSLATE_NOOP("RunsTableModel", "The run folder's name (Rename... changes it)."),
    "date": QT_TRANSLATE_NOOP("RunsTableModel", "When the run (or its last resume) started."),
    "epochs": QT_TRANSLATE_NOOP("RunsTableModel", "Epochs done / planned."),
    "best_val_acc": QT_TRANSLATE_NOOP(
        "RunsTableModel", "Validation accuracy of the best epoch (by the run's best-model metric)."
    ),
    "train_images_per_second": QT_TRANSLATE_NOOP(
        "RunsTableModel", "Training throughput over the whole run."
    ),
    "seconds": QT_TRANSLATE_NOOP("RunsTableModel", "Wall time of the run."),
    "status": QT_TRANSLATE_NOOP(
        "RunsTableModel",
        "running, finished, stopped, failed, incomplete (half-written) or not a run.",
    ),
    "note": QT_TRANSLATE_NOOP(
        "RunsTableModel", "Your note on the run (double-click to edit; kept in RUN/notes.txt)."
    ),
}
#: core.runs.STATUSES as the table shows them (the filter matches these texts)
STATUS_LABELS = {
    "running": QT_TRANSLATE_NOOP("RunsTableModel", "running"),
    "finished": QT_TRANSLATE_NOOP("RunsTableModel", "finished"),
    "stopped": QT_TRANSLATE_NOOP("RunsTableModel", "stopped"),
    "failed": QT_TRANSLATE_NOOP("RunsTableModel", "failed"),
    "incomplete": QT_TRANSLATE_NOOP("RunsTableModel", "incomplete"),
    "not a run": QT_TRANSLATE_NOOP("RunsTableModel", "not a run"),
}


def status_text(entry: runs.RunEntry) -> str:
    """The Status column: the status in the interface's language, an early stop said."""
    label = STATUS_LABELS.get(entry.status)
    status = QCoreApplication.translate("RunsTableModel", label) if label else entry.status
    if entry.stopped_early:
        return QCoreApplication.translate("RunsTableModel", "{status} (early stop)").format(
            status=status
        )
    return status


GREY = QColor(128, 128, 128)
STATUS_COLOURS = {"failed": QColor(190, 30, 30), "running": QColor(20, 120, 40)}

Index = QModelIndex | QPersistentModelIndex


class RunsTableModel(QAbstractTableModel):
    """The listed folders. Signal ``note_edited(str folder, str text)`` when a note is typed."""

    note_edited = Signal(str, str)

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self._entries: list[runs.RunEntry] = []
        self._colours: dict[Path, QColor] = {}

    # ------------------------------------------------------------------ content
    def set_entries(self, entries: list[runs.RunEntry]) -> None:
        self.beginResetModel()
        self._entries = list(entries)
        self.endResetModel()

    def entries(self) -> list[runs.RunEntry]:
        return list(self._entries)

    def entry(self, row: int) -> runs.RunEntry:
        return self._entries[row]

    def row_of(self, path: Path) -> int | None:
        for row, entry in enumerate(self._entries):
            if entry.path == path:
                return row
        return None

    def set_note(self, path: Path, text: str) -> None:
        """Show a saved note."""
        row = self.row_of(path)
        if row is not None:
            self._entries[row].note = text
            index = self.index(row, NOTE)
            self.dataChanged.emit(index, index)

    def set_colours(self, colours: dict[Path, QColor]) -> None:
        """The plot colour of each selected run, shown as a swatch by its name."""
        self._colours = dict(colours)
        if self._entries:
            self.dataChanged.emit(self.index(0, NAME), self.index(len(self._entries) - 1, NAME))

    # ------------------------------------------------------------------ Qt model
    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: N802, B008
        return 0 if parent.isValid() else len(self._entries)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: N802, B008
        return 0 if parent.isValid() else len(KEYS)

    def headerData(self, section: int, orientation, role=Qt.ItemDataRole.DisplayRole) -> Any:  # noqa: N802
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(KEYS):
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return core_text(runs.COLUMNS[section][1])
        if role == Qt.ItemDataRole.ToolTipRole:
            tip = TIPS.get(KEYS[section])
            return self.tr(tip) if tip else None
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        flags = super().flags(index)
        if index.isValid() and index.column() == NOTE and self._entries[index.row()].is_run:
            flags |= Qt.ItemFlag.ItemIsEditable
        return flags

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        entry, key = self._entries[index.row()], KEYS[index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            return status_text(entry) if key == "status" else cell(entry, key)
        if role == Qt.ItemDataRole.EditRole:
            return entry.note if key == "note" else cell(entry, key)
        if role == SORT_ROLE:
            return _sort_key(entry, key)
        if role == Qt.ItemDataRole.ToolTipRole:
            return _tooltip(entry, key)
        if role == Qt.ItemDataRole.ForegroundRole:
            if entry.status in ("not a run", "incomplete"):
                return GREY
            return STATUS_COLOURS.get(entry.status) if key == "status" else None
        if role == Qt.ItemDataRole.DecorationRole and key == "name":
            return self._colours.get(entry.path)
        if role == Qt.ItemDataRole.TextAlignmentRole and key in NUMERIC:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def setData(self, index: Index, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:  # noqa: N802
        if not index.isValid() or index.column() != NOTE or role != Qt.ItemDataRole.EditRole:
            return False
        entry = self._entries[index.row()]
        text = str(value or "").strip()
        if text != entry.note:
            self.note_edited.emit(str(entry.path), text)  # the panel saves, then set_note()
        return True


def _sort_key(entry: runs.RunEntry, key: str) -> Any:
    if key == "name":
        return entry.name.lower()
    value = getattr(entry, key)
    if key in NUMERIC:
        return MISSING if value is None else float(value)
    return (value or "").lower()


def _tooltip(entry: runs.RunEntry, key: str) -> str:
    if key == "note" and entry.note:
        return entry.note
    if key == "data" and entry.data:
        return entry.data
    lines = [str(entry.path)]
    if entry.problem:
        lines.append(core_text(entry.problem))
    if entry.stopped_early:
        lines.append(
            RunsTableModel.tr("Stopped early after epoch {epoch} (no improvement).").format(
                epoch=entry.epochs
            )
        )
    if entry.best_metric != "val_acc":
        lines.append(RunsTableModel.tr("Best model by {metric}.").format(metric=entry.best_metric))
    return "\n".join(lines)


class RunsFilterProxy(QSortFilterProxyModel):
    """Sorts by SORT_ROLE; the filter text matches any column, ignoring case."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setSortRole(SORT_ROLE)
        self.setFilterKeyColumn(-1)
        self.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.setSortCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
