"""The Predict panel's state and background work, without widgets.

:class:`PredictSession` owns the loaded predictor, the drops waiting for a model, the
results, which of them keep display copies, the files prepared while a drag hovers, and
one :class:`gui.tasks.LatestTask` per kind of work (load, batch, view, Grad-CAM,
prepare, and whether a dropped folder is labelled). It tells the view what happened
through plain signals.
"""

from __future__ import annotations

import itertools
import os
from collections import deque
from pathlib import Path
from typing import Any

from PIL import Image
from PySide6.QtCore import QT_TRANSLATE_NOOP, QObject, Signal, Slot

from gui import errors, tasks
from gui.predict import jobs
from gui.predict.jobs import InputItem, ModelInfo, PredictionResult
from gui.predict.prepared import PreparedFiles

KEPT_VIEWS = 256  # results of long batches keep display copies for the newest/last shown only
NO_MODEL_MESSAGE = QT_TRANSLATE_NOOP(
    "PredictSession",
    "No model loaded yet: train one in the Train tab, or use Open model... to load a "
    "best.pt bundle.",
)
PRECISIONS = ("fp32", "bf16")  # core.predict's names


class KeptViews:
    """Which results hold display copies, so that the oldest let theirs go.

    A 320 px copy is ~230 KB, so a folder of thousands would hold gigabytes. Results read
    from files get theirs back from disk when shown again (the session's view task).
    """

    def __init__(self) -> None:
        self._held: deque[PredictionResult] = deque()

    def keep(self, result: PredictionResult) -> None:
        if result.view is not None and result.path is not None:
            self._held.append(result)

    def trim(self, limit: int, shown: PredictionResult | None) -> None:
        """Let the oldest copies go beyond ``limit``; the shown result keeps its own."""
        excess = len(self._held) - limit
        if excess <= 0:
            return
        kept: deque[PredictionResult] = deque()
        for old in self._held:
            if excess > 0 and old is not shown:
                old.view = old.detail = old.cam_view = None
                old.cam = None
                excess -= 1
            else:
                kept.append(old)
        self._held = kept

    def clear(self) -> None:
        self._held.clear()


class PredictSession(QObject):
    """The model, the drops, the results and the tasks of the Predict panel.

    Signals: ``model_loaded(ModelInfo)``, ``model_failed(str)``, ``results_added(list,
    bool)`` (new results; True when they start a batch), ``results_cleared()``,
    ``predictions_ready(list)`` (one finished batch), ``batch_started()``,
    ``progressed(done, total)``, ``busy_changed(bool)`` (a batch runs),
    ``view_changed(result)`` (its display copy or heatmap arrived or failed),
    ``gradcam_failed(str)``, ``labelled_found(folder, classes)`` (a dropped folder is
    labelled with the model's classes; "" and [] after a drop that is not) and
    ``message(text, level)`` with level "info" or "error".
    """

    model_loaded = Signal(object)
    model_failed = Signal(str)
    results_added = Signal(object, bool)
    results_cleared = Signal()
    predictions_ready = Signal(object)
    batch_started = Signal()
    progressed = Signal(int, int)
    busy_changed = Signal(bool)
    view_changed = Signal(object)
    gradcam_failed = Signal(str)
    labelled_found = Signal(str, object)
    message = Signal(str, str)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.predictor: Any = None
        self.info: ModelInfo | None = None
        self.precision = "fp32"
        self.loading_path: str | None = None
        self.results: list[PredictionResult] = []
        self.shown: PredictionResult | None = None  # on show in the detail view
        self.gradcam_on = False
        self.last_message = ""
        self._pending: list[list[InputItem]] = []  # drops waiting for the model
        self._batch_results: list[PredictionResult] = []
        self._batch_total = 0
        self._classes: list[str] = []  # predicted classes not in the model's list
        self._kept = KeptViews()
        self._prepared = PreparedFiles()  # files read while their drag hovered
        self._view_for: PredictionResult | None = None  # whose picture is read again
        self._raw_counter = itertools.count(1)
        self.loading = tasks.LatestTask(self, lane="model")
        self.batch = tasks.LatestTask(self, lane="model")
        self.viewing = tasks.LatestTask(self)
        self.gradcam = tasks.LatestTask(self, lane="model")
        self.preparing = tasks.LatestTask(self, lane="model")
        self.labelling = tasks.LatestTask(self)
        self._connect()

    def _connect(self) -> None:
        self.loading.finished.connect(self._on_model_loaded)
        self.loading.errored.connect(self._on_model_error)
        self.loading.done.connect(self._on_load_done)
        self.batch.started.connect(self.batch_started)
        self.batch.progressed.connect(self._on_progress)
        self.batch.yielded.connect(self._add_results)
        self.batch.finished.connect(self._on_batch_finished)
        self.batch.errored.connect(self._on_batch_error)
        self.batch.aborted.connect(self._on_batch_aborted)
        self.batch.done.connect(self._start_next)
        self.batch.busy_changed.connect(self.busy_changed)
        self.viewing.finished.connect(self._on_view_ready)
        self.viewing.errored.connect(self._on_view_error)
        self.viewing.done.connect(self._on_view_done)
        self.gradcam.finished.connect(self._on_gradcam_ready)
        self.gradcam.errored.connect(self._on_gradcam_error)
        self.gradcam.done.connect(self._on_gradcam_done)
        self.labelling.finished.connect(self._on_labelled)

    # ----------------------------------------------------------------- state

    def is_busy(self) -> bool:
        return self.batch.busy or self.loading.busy

    def class_names(self) -> list[str]:
        """The model's classes, then predicted classes it does not list (an older model's)."""
        names: list[str] = list(self.info.class_names) if self.info else []
        return names + [c for c in self._classes if c not in names]

    def prepared_count(self) -> int:
        return len(self._prepared)

    def _say(self, text: str, level: str = "info") -> None:
        self.last_message = text
        self.message.emit(text, level)

    def _model_lane(self) -> str:
        """Where to load a model or draw Grad-CAM: the model thread, unless a batch holds it.

        Predictions always run on the model thread (see gui.tasks); a load or a heatmap
        asked for during a long batch goes to the general pool instead of waiting for it.
        """
        return "general" if self.batch.busy else "model"

    # ----------------------------------------------------------------- model

    def load_model(self, path: str | os.PathLike) -> None:
        """Load a bundle off the GUI thread; the current model stays until the new one works."""
        path = str(path)
        self.loading_path = path
        self._say(self.tr("Loading model '{path}' ...").format(path=path))
        self.loading.start(jobs.load_predictor_task, path, self.precision, lane=self._model_lane())

    def set_precision(self, precision: str) -> None:
        """Predict in "fp32" or "bf16" from now on: the model in use is loaded again."""
        if precision not in PRECISIONS:
            raise ValueError(f"precision must be one of {', '.join(PRECISIONS)}")
        if precision == self.precision:
            return
        self.precision = precision
        path = self.loading_path or (self.info.path if self.info else None)
        if path:
            self.load_model(path)

    @Slot(object)
    def _on_model_loaded(self, loaded: tuple[Any, ModelInfo]) -> None:
        self.predictor, self.info = loaded
        self.loading_path = None  # drops that waited for this model may go now
        self._prepared.clear()  # prepared with the previous model's transforms
        self.gradcam.cancel()
        for result in self.results:  # heatmaps belong to the model that made them
            result.cam = result.cam_view = None
        info = self.info
        self._say(
            self.tr(
                "Model loaded: {arch}, %n class(es). Drop images to classify them.",
                "",
                len(info.class_names),
            ).format(arch=info.arch)
        )
        self.model_loaded.emit(info)
        self._start_next()

    @Slot(object)
    def _on_model_error(self, error: BaseException) -> None:
        message = errors.message(error)
        if self.info is not None:
            text = self.tr(
                "Could not load the model: {reason} The previous model ({file}) is still in use."
            ).format(reason=message, file=Path(self.info.path).name)
        else:
            text = self.tr("Could not load the model: {reason}").format(reason=message)
        self._say(text, "error")
        self.model_failed.emit(message)

    @Slot()
    def _on_load_done(self) -> None:
        self.loading_path = None
        if self.predictor is None and self._pending:
            count = sum(len(b) for b in self._pending)
            text = self.tr("{previous} %n dropped item(s) wait for a model.", "", count)
            self._say(text.format(previous=self.last_message), "error")
        else:  # a failed load: what waited for it goes to the model still in use
            self._start_next()

    # ----------------------------------------------------------------- drops and batches

    def predict_paths(self, paths: list[str]) -> None:
        items = [InputItem(name=str(p), path=str(p)) for p in paths if str(p)]
        self._check_labelled([item.path for item in items])
        if items:
            self.submit(items)

    def _check_labelled(self, paths: list[str]) -> None:
        """Whether a dropped folder is labelled with the model's classes (Evaluate offers)."""
        if self.info is None or not paths:
            self.labelling.cancel()
            self.labelled_found.emit("", [])
            return
        self.labelling.start(jobs.labelled_folder_task, paths, list(self.info.class_names))

    @Slot(object)
    def _on_labelled(self, found: tuple[str, list[str]]) -> None:
        self.labelled_found.emit(*found)

    def predict_picture(self, image: Image.Image) -> None:
        """Raw image data without a file (a drop from another application, the clipboard)."""
        name = self.tr("pasted image {number}").format(number=next(self._raw_counter))
        self.submit([InputItem(name=name, image=image)])

    def submit(self, items: list[InputItem]) -> None:
        self._pending.append(items)
        if self.loading_path is not None:
            # The model asked for last predicts them, not the one on its way out.
            self._say(self.tr("The model is still loading; the images follow."))
        elif self.predictor is None:
            self._say(self.tr(NO_MODEL_MESSAGE), "error")
        elif not self.batch.busy:
            self._start_next()

    @Slot()
    def _start_next(self) -> None:
        if (
            self.batch.busy
            or not self._pending
            or self.predictor is None
            or self.loading_path is not None
        ):
            return
        items = [item for batch in self._pending for item in batch]
        self._pending.clear()
        self._batch_results = []
        self._batch_total = 0
        self.batch.start(jobs.predict_task, self.predictor, items, prepared=self._prepared)

    def cancel(self) -> None:
        """Stop the running batch between two images and drop the queued ones."""
        self._pending.clear()
        self.batch.stop()

    def prepare_paths(self, paths: list[str]) -> None:
        """Read files a drag carries on the model thread while it is free (see prepare_task)."""
        if (
            not paths
            or self.predictor is None
            or self.batch.busy
            or self.preparing.busy
            or self.loading_path is not None
        ):
            return
        self.preparing.start(jobs.prepare_task, self.predictor, list(paths), self._prepared)

    @Slot(int, int)
    def _on_progress(self, done: int, total: int) -> None:
        self._batch_total = total
        self.progressed.emit(done, total)

    @Slot(object)
    def _on_batch_finished(self, outcome: tuple[int, list[PredictionResult]]) -> None:
        total, tail = outcome
        if tail:
            self._add_results(tail)
        results = list(self._batch_results)
        failed = sum(1 for r in results if r.error)
        if total == 0:
            self._say(self.tr("No image files found in what was dropped."), "error")
        elif failed:
            text = self.tr(
                "Predicted {done} of {total} images; %n could not be used (see the Error column).",
                "",
                failed,
            )
            self._say(text.format(done=len(results) - failed, total=len(results)), "error")
        else:
            self._say(self.tr("Predicted %n image(s).", "", len(results)))
        self.predictions_ready.emit(results)

    @Slot(object)
    def _on_batch_error(self, error: BaseException) -> None:
        self._say(
            self.tr("Prediction stopped: {reason}").format(reason=errors.message(error)), "error"
        )

    @Slot()
    def _on_batch_aborted(self) -> None:
        self._say(
            self.tr("Cancelled after {done} of {total} images.").format(
                done=len(self._batch_results), total=self._batch_total
            )
        )

    @Slot(object)
    def _add_results(self, new: list[PredictionResult]) -> None:
        first_of_batch = not self._batch_results
        self._batch_results.extend(new)
        self.results.extend(new)
        known = set(self.class_names())
        for result in new:
            result.warnings = self.warnings_for(result)
            self._kept.keep(result)
            if result.top1 and result.top1 not in known:
                self._classes.append(result.top1)
                known.add(result.top1)
        self.results_added.emit(new, first_of_batch)
        self._kept.trim(KEPT_VIEWS, self.shown)

    def warnings_for(self, result: PredictionResult) -> list[str]:
        """How ``result``'s input differs from the loaded model's training data."""
        from core.predict_checks import input_warnings

        info = self.info
        if info is None or result.error:
            return []
        return input_warnings(
            result.facts,
            result.prob,
            in_channels=info.in_channels,
            input_size=info.input_size if isinstance(info.input_size, int) else None,
            floor=info.extra.get("floor"),
            crops=bool(info.extra.get("crops")),
        )

    def clear_results(self) -> None:
        self.results.clear()
        self._kept.clear()
        self._classes.clear()
        self.shown = None
        self.viewing.cancel()
        self.gradcam.cancel()
        self.results_cleared.emit()

    def export_csv(self, path: str | os.PathLike) -> int:
        """Write every result in core.predict.write_csv's format; returns the row count."""
        if not self.results:
            self._say(self.tr("Nothing to export yet: drop some images first."), "error")
            return 0
        from core.predict import write_csv

        try:
            write_csv([r.to_prediction() for r in self.results], str(path), k=jobs.TOP_K)
        except OSError as exc:
            text = self.tr("Could not write '{path}': {reason}. Choose another place.")
            self._say(text.format(path=path, reason=errors.message(exc)), "error")
            return 0
        text = self.tr("Exported %n row(s) to '{path}'.", "", len(self.results))
        self._say(text.format(path=path))
        return len(self.results)

    # ----------------------------------------------------------------- the shown result

    def show(self, result: PredictionResult | None) -> None:
        """``result`` is on show now: it keeps its display copy while it is."""
        self.shown = result

    def request_view(self, result: PredictionResult) -> None:
        """Read a result's picture again (its copies were let go in a long batch)."""
        if result.view_error or result.path is None or self.predictor is None:
            return
        if self.viewing.busy:
            return  # when it is done, the result then shown gets its turn
        self._view_for = result
        self.viewing.start(jobs.view_task, self.predictor, result)

    @Slot(object)
    def _on_view_ready(self, ready: tuple) -> None:
        result, parts = ready
        result.view, result.thumb, result.detail = parts
        self._kept.keep(result)
        self._kept.trim(KEPT_VIEWS, self.shown)
        self.view_changed.emit(result)

    @Slot(object)
    def _on_view_error(self, error: BaseException) -> None:
        result = self._view_for
        if result is not None:  # asked once, not again on every showing
            result.view_error = self.tr("Cannot show the picture again: {reason}").format(
                reason=errors.message(error)
            )
            self.view_changed.emit(result)

    @Slot()
    def _on_view_done(self) -> None:
        self._view_for = None
        shown = self.shown
        if shown is not None and shown.view is None and not shown.error:
            self.request_view(shown)  # the selection moved on while this one loaded

    def request_gradcam(self, result: PredictionResult) -> None:
        if self.gradcam.busy or self.predictor is None or result.error:
            return  # when it is done, the result then shown gets its turn
        self.gradcam.start(jobs.gradcam_task, self.predictor, result, lane=self._model_lane())

    @Slot(object)
    def _on_gradcam_ready(self, ready: tuple) -> None:
        result, heat, view, box = ready
        result.cam, result.cam_view, result.cam_box = heat, view, box
        self.view_changed.emit(result)

    @Slot(object)
    def _on_gradcam_error(self, error: BaseException) -> None:
        self.gradcam_on = False
        self.gradcam_failed.emit(
            self.tr("Grad-CAM failed: {reason}").format(reason=errors.message(error))
        )

    @Slot()
    def _on_gradcam_done(self) -> None:
        shown = self.shown
        if self.gradcam_on and shown is not None and shown.cam is None:
            self.request_gradcam(shown)  # the user moved on while the last map was computed

    def shutdown(self) -> None:
        """Cancel every task (the window waits for the pools after)."""
        self._pending.clear()
        for task in (
            self.batch,
            self.loading,
            self.gradcam,
            self.preparing,
            self.viewing,
            self.labelling,
        ):
            task.cancel()
