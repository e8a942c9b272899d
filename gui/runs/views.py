"""The Runs tab's side views: the settings that differ between selected runs, and the note.

The diff is core.runs.config_diff (the same as ``main.py runs --diff``), a handful
of rows, so a plain QTableWidget holds it. The note editor saves by itself a moment
after typing stops (and when another run is selected), through ``note_changed``.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QTimer, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QLabel,
    QPlainTextEdit,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from core import runs

NOTE_SAVE_MS = 800  # after the last key press


class DiffView(QWidget):
    """Setting | run 1 | run 2 ...: only the settings whose values differ."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.caption = QLabel(self.tr("Select two or more runs to see the settings that differ."))
        self.caption.setWordWrap(True)
        self.table = QTableWidget(0, 0)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        self.table.setWordWrap(False)
        box = QVBoxLayout(self)
        box.setContentsMargins(0, 0, 0, 0)
        box.addWidget(self.caption)
        box.addWidget(self.table, 1)
        self.diff: list[tuple[str, list]] = []

    def show_runs(
        self, names: list[str], configs: list[dict | None], colours: list[QColor]
    ) -> None:
        """Compare these runs' config.json settings (fewer than two: clear)."""
        self.diff = runs.config_diff(configs) if len(configs) >= 2 else []
        table = self.table
        table.clear()
        table.setColumnCount(len(names) + 1 if len(configs) >= 2 else 0)
        table.setRowCount(len(self.diff))
        if len(configs) < 2:
            self.caption.setText(
                self.tr("Select two or more runs to see the settings that differ.")
            )
            return
        missing = [n for n, c in zip(names, configs, strict=True) if c is None]
        sentences = [self.tr("Settings that differ between %n run(s).", "", len(names))]
        if not self.diff:
            sentences.append(self.tr("All their settings are the same."))
        if missing:
            sentences.append(
                self.tr("No readable config.json: {runs}.").format(runs=", ".join(missing))
            )
        self.caption.setText(" ".join(sentences))
        table.setHorizontalHeaderLabels([self.tr("Setting"), *names])
        for col, colour in enumerate(colours, start=1):
            header = table.horizontalHeaderItem(col)
            if header is not None:
                header.setForeground(colour)
        for row, (key, values) in enumerate(self.diff):
            table.setItem(row, 0, QTableWidgetItem(key))
            for col, value in enumerate(values, start=1):
                text = runs.setting_text(value)
                item = QTableWidgetItem(text)
                item.setToolTip(text)
                table.setItem(row, col, item)
        header = table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)

    def settings(self) -> list[str]:
        return [key for key, _ in self.diff]


class NoteEditor(QWidget):
    """The selected run's note. Signal ``note_changed(str folder, str text)`` to save it."""

    note_changed = Signal(str, str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.caption = QLabel(self.tr("Select one run to write a note on it."))
        self.caption.setWordWrap(True)
        self.edit = QPlainTextEdit()
        self.edit.setPlaceholderText(
            self.tr("What you tried, what you saw... (kept in RUN/notes.txt)")
        )
        self.edit.setEnabled(False)
        self.edit.textChanged.connect(self._on_typed)
        self.saved_label = QLabel("")
        self.saved_label.setStyleSheet("color: gray")
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(NOTE_SAVE_MS)
        self._timer.timeout.connect(self._emit)
        self.folder: Path | None = None
        self._loading = False
        box = QVBoxLayout(self)
        box.setContentsMargins(0, 0, 0, 0)
        box.addWidget(self.caption)
        box.addWidget(self.edit, 1)
        box.addWidget(self.saved_label)

    def show_run(self, folder: Path | None, note: str = "") -> None:
        """Edit this run's note (None: nothing to edit); a pending edit is saved first."""
        self.save_now()
        if folder == self.folder and folder is not None:
            return
        self.folder = folder
        self._loading = True
        self.edit.setPlainText(note if folder is not None else "")
        self._loading = False
        self.edit.setEnabled(folder is not None)
        self.caption.setText(
            self.tr("Note on {run}").format(run=folder.name)
            if folder
            else self.tr("Select one run to write a note on it.")
        )
        self.saved_label.setText("")

    def set_saved(self, ok: bool, message: str = "") -> None:
        self.saved_label.setText(message or (self.tr("Saved.") if ok else self.tr("Not saved.")))

    def _on_typed(self) -> None:
        if not self._loading and self.folder is not None:
            self.saved_label.setText("")
            self._timer.start()

    def save_now(self) -> None:
        """Hand a pending edit over at once (selection change, window close)."""
        if self._timer.isActive():
            self._timer.stop()
            self._emit()

    def _emit(self) -> None:
        if self.folder is not None:
            self.note_changed.emit(str(self.folder), self.edit.toPlainText())

    def stop(self) -> None:
        self.save_now()
        self._timer.stop()


def elide_names(names: list[str], width: int = 24) -> list[str]:
    """Run names short enough for column headers (the full name is in the table)."""
    return [n if len(n) <= width else n[: width - 1] + "\u2026" for n in names]


__all__ = ["DiffView", "NoteEditor", "elide_names"]
