"""Fixing a folder dataset from the Evaluate panel: the selected images' files moved
to another class folder or set aside, each kind of change confirmed once per session.

The moves themselves (logged, undoable) are the session's
(:meth:`gui.evaluate.session.EvaluateSession.move_rows`); this asks and picks.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QObject, Slot
from PySide6.QtWidgets import QInputDialog, QMessageBox

from gui.i18n.core_messages import translate as core_text


class DataFixes(QObject):
    """The panel's "Move to class..." and "Set aside" actions.

    The question goes through ``panel.confirm(action, text) -> bool`` (tests replace it);
    after a fix the next image of the gallery is selected, so mistakes are fixed one
    after another.
    """

    def __init__(self, panel: Any) -> None:
        super().__init__(panel)
        self.panel = panel
        self._confirmed: set[str] = set()

    def move_selected_to(self, class_name: str) -> int:
        """Move the selected images' files to another class folder (on a pool thread);
        returns how many files it started to move."""
        rows = self._rows_to_fix("move", class_name)
        return self._fixed(rows, self.panel.session.move_rows(rows, class_name) if rows else 0)

    @Slot()
    def set_aside_selected(self) -> int:
        """Move the selected images' files into DATASET/_set_aside/ (on a pool thread); returns
        how many files it started to move."""
        rows = self._rows_to_fix("set aside", "")
        return self._fixed(rows, self.panel.session.move_rows(rows, None) if rows else 0)

    @Slot()
    def choose_class_to_move(self) -> None:
        """Ask which class folder the selected images go to (their prediction first)."""
        ev = self.panel.session.evaluation
        rows = self.panel.selected_rows()
        if ev is None or not rows:
            return
        current = ev.class_names[ev.rows[rows[0]].true]
        choices = [n for n in ev.class_names if n != current]
        guess = ev.class_names[ev.rows[rows[0]].pred]
        start = choices.index(guess) if guess in choices else 0
        name, ok = QInputDialog.getItem(
            self.panel, self.tr("Move to class"), self.tr("Class folder:"), choices, start, False
        )
        if ok and name:
            self.move_selected_to(name)

    def ask(self, action: str, text: str) -> bool:
        """The question as a message box: Yes or No."""
        title = self.tr("Move?") if action == "move" else self.tr("Set aside?")
        answer = QMessageBox.question(self.panel, title, text)
        return answer == QMessageBox.StandardButton.Yes

    def _fixed(self, rows: list[int], moved: int) -> int:
        """After a fix, the next image is selected: mistakes are fixed one after another."""
        if moved and rows:
            order = self.panel.gallery_model.order
            position = {row: i for i, row in enumerate(order)}
            after = max(position.get(r, -1) for r in rows) + 1
            if 0 < after < len(order):
                self.panel.select_gallery_item(after)
        return moved

    def _rows_to_fix(self, action: str, where: str) -> list[int]:
        """The selected rows, once the data can be fixed and the user agreed (else [])."""
        rows = self.panel.selected_rows()
        problem = self.panel.session.fix_problem()
        if problem:
            self.panel.set_message(core_text(problem), "error")
            return []
        if not rows or not self._confirmed_once(action, len(rows), where):
            return []
        return rows

    def _confirmed_once(self, action: str, count: int, where: str) -> bool:
        """Ask before the first change of each kind this session."""
        if action in self._confirmed:
            return True
        if action == "move":
            question = self.tr(
                "Move %n file(s) into the class folder '{where}' of the dataset?", "", count
            ).format(where=where)
        else:
            question = self.tr(
                "Move %n file(s) out of the classes, into the dataset's _set_aside/ folder?",
                "",
                count,
            )
        safety = self.tr(
            "Nothing is deleted: each move is logged in the dataset's "
            "_convstudio_changes.csv, and Undo puts the files back. You will not be asked "
            "again for this action until ConvStudio restarts."
        )
        text = f"{question}\n\n{safety}"  # two paragraphs, each translated whole
        if not self.panel.confirm(action, text):
            return False
        self._confirmed.add(action)
        return True
