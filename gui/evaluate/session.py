"""The Evaluate panel's state and background work, without widgets.

:class:`EvaluateSession` owns the evaluation on show, the model that made it, the
fixes made to datasets from it (an undo stack per dataset folder, kept while other
evaluations are shown, so a fix can be undone whenever its dataset is open), and one
:class:`gui.tasks.LatestTask` per kind of work: evaluating (model thread),
thumbnails (general pool), the detail view and Grad-CAM (model thread). It tells the
view what happened through plain signals.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Signal, Slot

from gui import errors, tasks
from gui.evaluate import jobs

THUMBS_PER_TASK = 48


@dataclass
class Fix:
    """One fix action: the dataset, the evaluation rows it touched, its core.datafix Changes."""

    root: str
    rows: list[int]
    changes: list[Any]


def root_key(root: str) -> str:
    """One key per dataset folder, however its path was spelled (a link, a trailing /)."""
    return os.path.normcase(os.path.realpath(root))


class EvaluateSession(QObject):
    """The evaluation, its model and its tasks.

    Signals: ``started()``, ``progressed(done, total)``, ``opened(jobs.Opened)``,
    ``failed(str)``, ``cancelled()``, ``busy_changed(bool)``, ``thumbs_ready(list)``,
    ``thumbs_failed(list)`` with the rows of a thumbnail task that failed,
    ``detail_ready(row, QImage, topk)``, ``gradcam_ready(row, heat, view)``,
    ``fixed(list)`` with the rows a change or undo touched, ``data_changed(root)`` after
    files moved, and ``message(text, level)`` with level "info" or "error".
    """

    started = Signal()
    progressed = Signal(int, int)
    opened = Signal(object)
    failed = Signal(str)
    cancelled = Signal()
    busy_changed = Signal(bool)
    thumbs_ready = Signal(object)
    thumbs_failed = Signal(object)
    detail_ready = Signal(int, object, object)
    gradcam_ready = Signal(int, object, object)
    fixed = Signal(object)
    data_changed = Signal(str)
    message = Signal(str, str)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.current: jobs.Opened | None = None
        self.model_path = ""
        self.source = ""
        self.split = "valid"
        self._undo: dict[str, list[Fix]] = {}  # root_key -> that dataset's fixes, newest last
        self.moved: dict[int, tuple[Any, str]] = {}  # row -> (core.datafix.Change, "moved to X")
        self._thumb_queue: list[int] = []
        self._thumb_batch: list[int] = []  # the rows the running thumbnail task makes
        self.evaluating = tasks.LatestTask(self, lane="model")
        self.thumbs = tasks.LatestTask(self)
        self.detail = tasks.LatestTask(self, lane="model")
        self.gradcam = tasks.LatestTask(self, lane="model")
        self._connect()

    def _connect(self) -> None:
        self.evaluating.started.connect(self.started)
        self.evaluating.progressed.connect(self.progressed)
        self.evaluating.finished.connect(self._on_opened)
        self.evaluating.errored.connect(self._on_error)
        self.evaluating.aborted.connect(self._on_aborted)
        self.evaluating.busy_changed.connect(self.busy_changed)
        self.thumbs.finished.connect(self.thumbs_ready)
        self.thumbs.errored.connect(self._on_thumbs_error)
        self.thumbs.done.connect(self._next_thumbs)
        self.detail.finished.connect(lambda r: self.detail_ready.emit(*r))
        self.detail.errored.connect(self._on_side_error)
        self.gradcam.finished.connect(lambda r: self.gradcam_ready.emit(*r))
        self.gradcam.errored.connect(self._on_side_error)

    # ----------------------------------------------------------------- state

    @property
    def evaluation(self) -> Any:
        return self.current.evaluation if self.current else None

    @property
    def predictor(self) -> Any:
        return self.current.predictor if self.current else None

    def is_busy(self) -> bool:
        return self.evaluating.busy

    @property
    def changes(self) -> list[Fix]:
        """The undo stack of the dataset on show (newest last); [] for none or the built-in set."""
        root = self.dataset_root()
        return self._undo.get(root_key(root), []) if root else []

    def undoable_elsewhere(self) -> list[str]:
        """The dataset folders, other than the one on show, with fixes to undo."""
        here = self.dataset_root()
        mine = root_key(here) if here else None
        return [stack[-1].root for key, stack in self._undo.items() if key != mine]

    def _say(self, text: str, level: str = "info") -> None:
        self.message.emit(text, level)

    # ----------------------------------------------------------------- evaluating

    def open_run(self, run_dir: str, best_pt: str) -> None:
        """A finished run: its evaluation files, or best.pt evaluated on its validation split."""
        self.model_path, self.source, self.split = str(best_pt), "", "valid"
        self._say(self.tr("Opening the evaluation of {run} ...").format(run=Path(run_dir).name))
        self.evaluating.start(jobs.open_run_task, str(run_dir), str(best_pt), self.current)

    def evaluate(
        self, model_path: str | None = None, source: str | None = None, split=None
    ) -> bool:
        """Evaluate a bundle on labelled data ("" or None: the data it was trained on)."""
        if model_path:
            self.model_path = str(model_path)
        if source is not None:
            self.source = str(source)
        if split:
            self.split = split
        if not self.model_path:
            self._say(
                self.tr("Open a model first (a best.pt bundle), then a labelled folder."), "error"
            )
            return False
        where = self.source or self.tr("the data the model was trained on")
        self._say(
            self.tr("Evaluating {model} on {data} ({split}) ...").format(
                model=Path(self.model_path).name, data=where, split=self.split
            )
        )
        self.evaluating.start(
            jobs.evaluate_task, self.model_path, self.source or None, self.split, self.current
        )
        return True

    def cancel(self) -> None:
        self.evaluating.stop()

    @Slot(object)
    def _on_opened(self, opened: jobs.Opened) -> None:
        self.current = opened
        self.model_path = opened.model_path
        self.source = opened.evaluation.source
        self.split = opened.evaluation.split or self.split
        # Every dataset's fixes can still be undone (when it is open); their rows belonged
        # to the evaluation that was on show.
        for stack in self._undo.values():
            stack[:] = [Fix(f.root, [], f.changes) for f in stack]
        self.moved.clear()
        self._thumb_queue.clear()
        self.thumbs.cancel()
        self.detail.cancel()
        self.gradcam.cancel()
        self.opened.emit(opened)

    @Slot(object)
    def _on_error(self, error: BaseException) -> None:
        text = self.tr("Could not evaluate: {reason}").format(reason=errors.message(error))
        self._say(text, "error")
        self.failed.emit(text)

    @Slot()
    def _on_aborted(self) -> None:
        self._say(self.tr("Evaluation cancelled; the previous one is still shown."))
        self.cancelled.emit()

    @Slot(object)
    def _on_side_error(self, error: BaseException) -> None:
        self._say(errors.message(error), "error")

    # ----------------------------------------------------------------- pictures

    def source_of(self, row: int) -> Any:
        """What to read a row's picture from: its file (where it is now) or the image."""
        moved = self.moved.get(row)
        if moved is not None:
            return moved[0].dst
        key = self.evaluation.rows[row].key
        images = self.current.images
        return images[key] if images is not None and not isinstance(key, str) else key

    def request_thumbs(self, rows: list[int]) -> None:
        if self.current is None:
            return
        self._thumb_queue.extend(rows)
        if not self.thumbs.busy:
            self._next_thumbs()

    @Slot()
    def _next_thumbs(self) -> None:
        if not self._thumb_queue or self.current is None:
            return
        batch, self._thumb_queue = (
            self._thumb_queue[:THUMBS_PER_TASK],
            self._thumb_queue[THUMBS_PER_TASK:],
        )
        self._thumb_batch = batch
        wanted = [(row, self.source_of(row)) for row in batch]
        self.thumbs.start(jobs.thumbs_task, wanted)

    @Slot(object)
    def _on_thumbs_error(self, _error: BaseException) -> None:
        # logged by the task (gui.errors); the rows must not wait for an answer forever
        self.thumbs_failed.emit(list(self._thumb_batch))

    def request_detail(self, row: int) -> None:
        if self.predictor is not None:
            self.detail.start(jobs.detail_task, self.predictor, row, self.source_of(row))

    def request_gradcam(self, row: int) -> None:
        if self.predictor is None:
            return
        pred = self.evaluation.rows[row].pred
        self.gradcam.start(jobs.gradcam_task, self.predictor, row, self.source_of(row), pred)

    # ----------------------------------------------------------------- fixing the data

    def dataset_root(self) -> str | None:
        """The folder being fixed, or None for the built-in set (or nothing open)."""
        ev = self.evaluation
        if ev is None or ev.builtin() or not ev.source:
            return None
        return ev.source

    def fix_problem(self) -> str | None:
        """Why the data cannot be fixed from here, or None when it can."""
        if self.evaluation is None:
            return self.tr("Evaluate a model on a folder dataset first.")
        if self.evaluation.builtin():
            return self.tr(
                "The built-in digits are read-only: fixes work on a folder dataset "
                "(open one with File > Open in Evaluate...)."
            )
        root = self.dataset_root()
        if not root or not os.access(root, os.W_OK):
            return self.tr("The dataset folder '{folder}' cannot be written to.").format(
                folder=root
            )
        return None

    def move_rows(self, rows: list[int], to_class: str | None) -> int:
        """Move the rows' files to ``to_class`` (None: set them aside); returns how many moved."""
        from core import datafix

        root = self.dataset_root()
        problem = self.fix_problem()
        if root is None or problem:
            self._say(problem or self.tr("Nothing to fix."), "error")
            return 0
        names = self.evaluation.class_names
        done_rows, done = [], []
        problems = []
        for row in rows:
            if row in self.moved:
                problems.append(
                    self.tr("'{file}' was moved already.").format(
                        file=Path(self.moved[row][0].dst).name
                    )
                )
                continue
            path = self.evaluation.rows[row].key
            try:
                if to_class is None:
                    change = datafix.set_aside(root, path)
                else:
                    change = datafix.move_to_class(
                        root, path, names[self.evaluation.rows[row].true], to_class
                    )
            except datafix.DataFixError as exc:
                problems.append(errors.message(exc))
                continue
            if to_class:
                status = self.tr("moved to {name}").format(name=to_class)
            else:
                status = self.tr("set aside")
            self.moved[row] = (change, status)
            done_rows.append(row)
            done.append(change)
        if done:
            self._undo.setdefault(root_key(root), []).append(Fix(root, done_rows, done))
            self._announce(done_rows, root)
        if problems:
            if to_class is None:
                text = self.tr("%n file(s) set aside. {problems}", "", len(done))
            else:
                text = self.tr("%n file(s) moved to '{name}'. {problems}", "", len(done))
            self._say(text.format(name=to_class, problems=" ".join(problems[:3])), "error")
        elif done:
            if to_class is None:
                text = self.tr(
                    "%n file(s) set aside; logged in {log}. Undo puts them back.", "", len(done)
                )
            else:
                text = self.tr(
                    "%n file(s) moved to '{name}'; logged in {log}. Undo puts them back.",
                    "",
                    len(done),
                )
            self._say(text.format(name=to_class, log=datafix.CHANGES_CSV))
        return len(done)

    def undo(self) -> int:
        """Undo the newest change (all files it moved); returns how many went back."""
        from core import datafix

        stack = self.changes
        if not stack:
            self._say(self._nothing_to_undo(), "error")
            return 0
        fix = stack.pop()
        if not stack:
            self._undo.pop(root_key(fix.root), None)
        rows = fix.rows or [None] * len(fix.changes)
        back, problems = [], []
        for row, change in zip(rows, fix.changes, strict=True):
            try:
                datafix.undo(fix.root, change)
            except datafix.DataFixError as exc:
                problems.append(errors.message(exc))
                continue
            if row is not None:
                self.moved.pop(row, None)
                back.append(row)
        done = len(fix.changes) - len(problems)
        if done:
            self._announce(back, fix.root)
        if problems:
            text = self.tr("%n file(s) put back. {problems}", "", done)
            self._say(text.format(problems=" ".join(problems[:3])), "error")
        else:
            self._say(self.tr("Undone: %n file(s) are back where they were.", "", done))
        return done

    def elsewhere_note(self) -> str:
        """A sentence naming the other datasets with fixes to undo ("" when none)."""
        elsewhere = self.undoable_elsewhere()
        if not elsewhere:
            return ""
        names = ", ".join(f"'{Path(root).name}'" for root in elsewhere)
        return self.tr(
            "Fixes made in {names} can be undone when that dataset is open here again."
        ).format(names=names)

    def _nothing_to_undo(self) -> str:
        note = self.elsewhere_note()
        if note:
            return self.tr("Nothing to undo in this dataset. {note}").format(note=note)
        return self.tr("Nothing to undo.")

    def _announce(self, rows: list[int], root: str) -> None:
        self.fixed.emit(rows)
        self.data_changed.emit(root)

    def status_of(self, row: int) -> str | None:
        """The status "moved to X" / "set aside" for a row whose file was moved, else None."""
        moved = self.moved.get(row)
        return moved[1] if moved else None

    def shutdown(self) -> None:
        self._thumb_queue.clear()
        for task in (self.evaluating, self.thumbs, self.detail, self.gradcam):
            task.cancel()
