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
import threading
from dataclasses import dataclass, field
from functools import partial
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


@dataclass
class _FixJob:
    """A move or undo under way: where, to which class (None: aside), on which evaluation."""

    root: str
    to_class: str | None
    opened: Any  # the jobs.Opened on show when it started
    problems: list[str]  # found before it started (files moved already)
    count: int  # files it tries to move
    undoing: Fix | None = None  # the change an undo puts back
    rows: set[int] = field(default_factory=set)  # the evaluation rows whose files move


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
        self.fixing = tasks.LatestTask(self)  # moving a dataset's files; one at a time
        self._fix_job: _FixJob | None = None
        self._fix_stop = threading.Event()
        self.replacing = False  # an evaluation asked for has not opened (or failed) yet
        self._connect()

    def _connect(self) -> None:
        self.evaluating.started.connect(self.started)
        self.evaluating.progressed.connect(self.progressed)
        self.evaluating.finished.connect(self._on_opened)
        self.evaluating.errored.connect(self._on_error)
        self.evaluating.aborted.connect(self._on_aborted)
        self.evaluating.busy_changed.connect(self._on_busy_changed)
        self.evaluating.done.connect(self._on_evaluation_done)
        self.fixing.started.connect(self.started)
        self.fixing.progressed.connect(self.progressed)
        self.fixing.finished.connect(self._on_fixes_done)
        self.fixing.errored.connect(self._on_fix_error)
        self.fixing.busy_changed.connect(self._on_busy_changed)
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
        """Evaluating, or moving a dataset's files."""
        return self.evaluating.busy or self.fixing.busy

    @Slot(bool)
    def _on_busy_changed(self, _busy: bool) -> None:
        self.busy_changed.emit(self.is_busy())

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
        if self.fixing.busy:
            self._say(self._moving_now(), "error")
            return
        self.model_path, self.source, self.split = str(best_pt), "", "valid"
        self._say(self.tr("Opening the evaluation of {run} ...").format(run=Path(run_dir).name))
        self.replacing = True
        self.evaluating.start(jobs.open_run_task, str(run_dir), str(best_pt), self.current)

    def evaluate(
        self, model_path: str | None = None, source: str | None = None, split=None
    ) -> bool:
        """Evaluate a bundle on labelled data ("" or None: the data it was trained on)."""
        if self.fixing.busy:  # the evaluation would read a half-moved dataset
            self._say(self._moving_now(), "error")
            return False
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
        self.replacing = True
        self.evaluating.start(
            jobs.evaluate_task, self.model_path, self.source or None, self.split, self.current
        )
        return True

    def cancel(self) -> None:
        """The Cancel button: stops the evaluation or the moving of files under way."""
        self.evaluating.stop()
        self.stop_fixing()

    @Slot(object)
    def _on_opened(self, opened: jobs.Opened) -> None:
        self.replacing = False
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

    @Slot()
    def _on_evaluation_done(self) -> None:
        self.replacing = False

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

    def _moving(self, row: int) -> bool:
        """Whether the row's file is being moved now (where it is, is not yet known)."""
        return self._fix_job is not None and row in self._fix_job.rows

    def request_detail(self, row: int) -> None:
        if self.predictor is not None and not self._moving(row):
            self.detail.start(jobs.detail_task, self.predictor, row, self.source_of(row))

    def request_gradcam(self, row: int) -> None:
        if self.predictor is None or self._moving(row):
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
        busy = self._busy_reason()
        if busy:
            return busy
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
        """Start moving the rows' files to ``to_class`` (None: set them aside).

        The files move on a pool thread (a whole gallery of them takes seconds), with
        progress and Cancel; ``fixed`` and a message follow. Returns how many files it
        started to move (0 when it could not start: the message says why).
        """
        from core import datafix

        root = self.dataset_root()
        problem = self.fix_problem()
        if root is None or problem:
            self._say(problem or self.tr("Nothing to fix."), "error")
            return 0
        ev = self.evaluation
        steps, problems = [], []
        for row in rows:
            if row in self.moved:
                problems.append(
                    self.tr("'{file}' was moved already.").format(
                        file=Path(self.moved[row][0].dst).name
                    )
                )
                continue
            path = ev.rows[row].key
            if to_class is None:
                move = partial(datafix.set_aside, root, path)
            else:
                true = ev.class_names[ev.rows[row].true]
                move = partial(datafix.move_to_class, root, path, true, to_class)
            steps.append((row, move))
        job = _FixJob(root, to_class, self.current, problems, len(steps))
        if not steps:
            self._report_moves(job, [])
            return 0
        if to_class is None:
            text = self.tr("Setting %n file(s) aside ...", "", len(steps))
        else:
            text = self.tr("Moving %n file(s) to '{name}' ...", "", len(steps))
        self._say(text.format(name=to_class))
        self._start_fixing(job, steps)
        return len(steps)

    def undo(self) -> int:
        """Start putting back the newest change's files; returns how many it will put back."""
        from core import datafix

        busy = self._busy_reason(undoing=True)
        if busy:
            self._say(busy, "error")
            return 0
        stack = self.changes
        if not stack:
            self._say(self._nothing_to_undo(), "error")
            return 0
        fix = stack.pop()
        if not stack:
            self._undo.pop(root_key(fix.root), None)
        rows = fix.rows or [None] * len(fix.changes)
        steps = [
            (row, partial(datafix.undo, fix.root, change))
            for row, change in zip(rows, fix.changes, strict=True)
        ]
        self._say(self.tr("Putting %n file(s) back ...", "", len(steps)))
        self._start_fixing(
            _FixJob(fix.root, None, self.current, [], len(steps), undoing=fix), steps
        )
        return len(steps)

    def stop_fixing(self) -> None:
        """Stop moving files after the current one (what moved stays moved, and undoable)."""
        self._fix_stop.set()

    def _start_fixing(self, job: _FixJob, steps: list) -> None:
        job.rows = {row for row, _ in steps if row is not None}
        self._fix_job = job
        self._fix_stop = threading.Event()
        self.fixing.start(jobs.fix_task, steps, self._fix_stop)

    @Slot(object)
    def _on_fixes_done(self, results: list) -> None:
        job, self._fix_job = self._fix_job, None
        if job is None:
            return
        if job.undoing is not None:
            self._report_undo(job, results)
        else:
            self._report_moves(job, results)

    @Slot(object)
    def _on_fix_error(self, error: BaseException) -> None:
        from core import datafix

        job, self._fix_job = self._fix_job, None
        if job is not None and job.undoing is not None:  # can be undone again
            self._undo.setdefault(root_key(job.root), []).append(job.undoing)
        self._say(
            self.tr("Moving files stopped: {reason}. Each file moved is logged in {log}.").format(
                reason=errors.message(error), log=datafix.CHANGES_CSV
            ),
            "error",
        )

    def _report_moves(self, job: _FixJob, results: list) -> None:
        """Keep what a move did (status, undo stack) and say so."""
        from core import datafix

        here = self.current is job.opened  # rows of another evaluation are not ours to mark
        if job.to_class:
            status = self.tr("moved to {name}").format(name=job.to_class)
        else:
            status = self.tr("set aside")
        problems, done_rows, done = list(job.problems), [], []
        for row, change, error in results:
            if error is not None:
                problems.append(error)
                continue
            done.append(change)
            if here:
                self.moved[row] = (change, status)
                done_rows.append(row)
        if done:
            self._undo.setdefault(root_key(job.root), []).append(Fix(job.root, done_rows, done))
            self._announce(done_rows, job.root)
        failed = bool(problems)
        if len(results) < job.count:  # stopped
            left = job.count - len(results)
            problems.insert(0, self.tr("Stopped: %n file(s) were not moved.", "", left))
        if problems:
            if job.to_class is None:
                text = self.tr("%n file(s) set aside. {problems}", "", len(done))
            else:
                text = self.tr("%n file(s) moved to '{name}'. {problems}", "", len(done))
            text = text.format(name=job.to_class, problems=" ".join(problems[:3]))
            self._say(text, "error" if failed else "info")
        elif done:
            if job.to_class is None:
                text = self.tr(
                    "%n file(s) set aside; logged in {log}. Undo puts them back.", "", len(done)
                )
            else:
                text = self.tr(
                    "%n file(s) moved to '{name}'; logged in {log}. Undo puts them back.",
                    "",
                    len(done),
                )
            self._say(text.format(name=job.to_class, log=datafix.CHANGES_CSV))

    def _report_undo(self, job: _FixJob, results: list) -> None:
        """Forget the moves an undo reversed; a stopped undo leaves the rest to undo."""
        fix = job.undoing
        here = self.current is job.opened  # rows of another evaluation are not ours to mark
        back, problems = [], []
        for row, _change, error in results:
            if error is not None:
                problems.append(error)
            elif row is not None and here:
                self.moved.pop(row, None)
                back.append(row)
        rest = len(results)
        if rest < len(fix.changes):  # stopped: the files not reached can still be put back
            rows = fix.rows[rest:] if fix.rows and here else []
            self._undo.setdefault(root_key(fix.root), []).append(
                Fix(fix.root, rows, fix.changes[rest:])
            )
            left = len(fix.changes) - rest
            problems.insert(0, self.tr("Stopped: %n file(s) were not put back.", "", left))
        done = len(results) - sum(error is not None for _, _, error in results)
        if done:
            self._announce(back, fix.root)
        elif rest < len(fix.changes):
            self.fixed.emit([])  # the panel's Undo comes back
        if problems:
            failed = len(results) - done
            text = self.tr("%n file(s) put back. {problems}", "", done)
            self._say(text.format(problems=" ".join(problems[:3])), "error" if failed else "info")
        else:
            self._say(self.tr("Undone: %n file(s) are back where they were.", "", done))

    def _busy_reason(self, undoing: bool = False) -> str | None:
        """Why no fix or undo starts now: files are moving, or an evaluation is replacing
        the one on show (the rows of a fix belong to that one); None when one may."""
        if self.fixing.busy:
            return self._moving_now()
        if not self.replacing:
            return None
        if undoing:
            return self.tr("An evaluation is running; undo when it has finished.")
        return self.tr("An evaluation is running; fix the data when it has finished.")

    def _moving_now(self) -> str:
        return self.tr("Files are being moved; wait until that is done (or press Cancel).")

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
        self.stop_fixing()  # every file moved so far is in the dataset's change log
        handle = self.fixing.handle
        if handle is not None:
            handle.wait(5.0)
        self.fixing.cancel()
