"""The Predict panel: drop pictures, see what the saved model thinks and where it looked.

The view only: the layout, and the session's signals turned into widgets. The model, the
results and every background task live in :class:`gui.predict.session.PredictSession`.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from PIL import Image
from PySide6.QtCore import QMimeData, QSettings, Qt, Signal, Slot
from PySide6.QtGui import (
    QDragEnterEvent,
    QDropEvent,
    QGuiApplication,
    QImage,
    QKeySequence,
    QPixmap,
    QShortcut,
)
from PySide6.QtWidgets import (
    QFileDialog,
    QLabel,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from core import IMAGE_EXTENSIONS
from gui import dnd, sizing
from gui.imageutil import heatmap_overlay, pil_to_qimage, qimage_to_pil, scaled_pixmap
from gui.panel import Panel
from gui.predict.jobs import DETAIL_SIZE, ModelInfo, PredictionResult
from gui.predict.panes import InputPane, LabelledNote, ModelBox, ResultsPane
from gui.predict.prepared import PREPARE_AHEAD
from gui.predict.session import NO_MODEL_MESSAGE, PredictSession
from gui.predict.table import COL_FILE, ResultsFilter, ResultsModel

IMAGE_PATTERNS = " ".join(f"*{e}" for e in IMAGE_EXTENSIONS)
SETTINGS_MODEL = "predict/model_path"
SETTINGS_THRESHOLD = "predict/uncertain_below"
SETTINGS_PRECISION = "predict/precision"


class PredictPanel(Panel):
    """Drop images on a trained model: top-5 bars, Grad-CAM, a results table and CSV export."""

    title = "Predict"

    model_loaded = Signal(str)
    model_failed = Signal(str)
    predictions_ready = Signal(object)  # list[PredictionResult] of one finished batch
    evaluate_requested = Signal(str, str)  # model path, a dropped labelled folder
    busy_changed = Signal(bool)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAcceptDrops(True)
        self.session = PredictSession(self)
        self.results_model = ResultsModel(self)
        self.proxy = ResultsFilter(self)
        self.proxy.setSourceModel(self.results_model)
        self._build_ui()
        self._connect_session()
        self.load_settings(QSettings())
        self._show_model_info()
        self._set_message(self.session.tr(NO_MODEL_MESSAGE), "info")

    # ----------------------------------------------------------------- layout

    def _build_ui(self) -> None:
        root = QVBoxLayout(self)
        self.model_box = ModelBox(self)
        self.model_box.open_requested.connect(self._choose_model)
        self.model_box.precision_chosen.connect(self._on_precision_chosen)
        self.model_label = self.model_box.label
        self.precision_combo = self.model_box.precision_combo
        root.addWidget(self.model_box)
        self.message_label = QLabel(self)
        self.message_label.setWordWrap(True)
        self.message_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        root.addWidget(self.message_label)
        self.labelled_note = LabelledNote(self)
        self.labelled_note.open_requested.connect(self._open_in_evaluate)
        root.addWidget(self.labelled_note)
        splitter = QSplitter(Qt.Orientation.Horizontal, self)
        splitter.addWidget(self._build_left())
        splitter.addWidget(self._build_right())
        splitter.setStretchFactor(1, 1)
        root.addWidget(splitter, 1)
        self._paste_shortcut = QShortcut(QKeySequence.StandardKey.Paste, self)
        self._paste_shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self._paste_shortcut.activated.connect(self.paste_from_clipboard)

    def _build_left(self) -> QWidget:
        pane = self.input_pane = InputPane(self)
        pane.drop_zone.paths_dropped.connect(self.predict_paths)
        pane.drop_zone.images_dropped.connect(self._predict_qimages)
        pane.drop_zone.drop_rejected.connect(self._on_drop_rejected)
        pane.drop_zone.drag_entered.connect(self.prepare_drag)
        pane.open_images_button.clicked.connect(self._choose_images)
        pane.open_folder_button.clicked.connect(self._choose_folder)
        pane.paste_button.clicked.connect(self.paste_from_clipboard)
        pane.threshold_spin.valueChanged.connect(self._on_threshold_changed)
        pane.gradcam_check.toggled.connect(self._on_gradcam_toggled)
        pane.opacity_slider.valueChanged.connect(self._refresh_image)
        self.drop_zone, self.threshold_spin = pane.drop_zone, pane.threshold_spin
        self.gradcam_check, self.opacity_slider = pane.gradcam_check, pane.opacity_slider
        self.detail = pane.detail
        self.image_label, self.class_label = self.detail.image_label, self.detail.class_label
        self.uncertain_label, self.bars = self.detail.uncertain_label, self.detail.bars
        # On a short screen the column scrolls (below its minimum height only: see
        # gui.sizing.page) instead of pushing the window taller.
        scroll = sizing.page(pane)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        bar = scroll.verticalScrollBar().sizeHint().width()
        scroll.setMinimumWidth(pane.minimumSizeHint().width() + bar)
        return scroll

    def _build_right(self) -> QWidget:
        pane = self.results_pane = ResultsPane(self.proxy, self)
        pane.export_button.clicked.connect(self._choose_csv)
        pane.clear_button.clicked.connect(self.clear_results)
        pane.cancel_button.clicked.connect(self.cancel)
        pane.table.selectionModel().currentRowChanged.connect(self._on_current_changed)
        self.table, self.filter_combo = pane.table, pane.filter_combo
        self.export_button, self.clear_button = pane.export_button, pane.clear_button
        self.progress_bar, self.cancel_button = pane.progress_bar, pane.cancel_button
        return pane

    def _connect_session(self) -> None:
        s = self.session
        s.message.connect(self._set_message)
        s.model_loaded.connect(self._on_model_loaded)
        s.model_failed.connect(self.model_failed)
        s.model_failed.connect(self._on_model_failed)
        s.results_added.connect(self._on_results_added)
        s.results_cleared.connect(self._on_results_cleared)
        s.predictions_ready.connect(self.predictions_ready)
        s.batch_started.connect(self.results_pane.batch_started)
        s.progressed.connect(self.results_pane.set_progress)
        s.busy_changed.connect(self._on_busy_changed)
        s.view_changed.connect(self._on_view_changed)
        s.gradcam_failed.connect(self._on_gradcam_failed)
        s.labelled_found.connect(self.labelled_note.offer)  # a labelled folder: Evaluate

    # ----------------------------------------------------------------- public API

    @property
    def predictor(self) -> Any:
        return self.session.predictor

    def model_info(self) -> ModelInfo | None:
        return self.session.info

    def results(self) -> list[PredictionResult]:
        return list(self.session.results)

    def shown_result(self) -> PredictionResult | None:
        return self.session.shown

    def message(self) -> str:
        return self.message_label.text()

    def is_busy(self) -> bool:
        return self.session.is_busy()

    def threshold(self) -> float:
        return self.threshold_spin.value() / 100.0

    def precision(self) -> str:
        return self.session.precision

    def on_torch_ready(self) -> None:
        """Reload the last model the user had, once PyTorch can be imported."""
        if self.session.predictor is not None or self.session.loading.busy:
            return
        path = QSettings().value(SETTINGS_MODEL, "", str)
        if path and os.path.isfile(path):
            self.load_model(path)

    def load_settings(self, settings: QSettings) -> None:
        threshold = settings.value(SETTINGS_THRESHOLD, 60.0, float)
        self.threshold_spin.setValue(float(threshold))
        if not self.model_box.set_precision(settings.value(SETTINGS_PRECISION, "fp32", str)):
            self.model_box.set_precision("fp32")

    def save_settings(self, settings: QSettings) -> None:
        settings.setValue(SETTINGS_THRESHOLD, self.threshold_spin.value())
        settings.setValue(SETTINGS_PRECISION, self.session.precision)

    def load_model(self, path: str | os.PathLike) -> None:
        """Load a bundle off the GUI thread; the current model stays until the new one works."""
        self.session.load_model(path)

    def set_precision(self, precision: str) -> None:
        """ "fp32" or "bf16" (as the Precision choice does): remembered, model reloaded."""
        if not self.model_box.set_precision(precision):
            raise ValueError(f"unknown precision {precision!r}")

    def predict_paths(self, paths: list[str]) -> None:
        """Predict files and folders (walked recursively); drops on the window end here."""
        self.session.predict_paths(paths)

    @Slot(str)
    def _open_in_evaluate(self, folder: str) -> None:
        if self.session.info is not None:
            self.evaluate_requested.emit(self.session.info.path, folder)

    def predict_image(self, image: QImage) -> None:
        """Predict raw image data (a drop from another application or the clipboard)."""
        if isinstance(image, QPixmap):
            image = image.toImage()
        if not isinstance(image, QImage) or image.isNull():
            self._set_message(self.tr("The image data is empty or unreadable."), "error")
            return
        self.session.predict_picture(qimage_to_pil(image))

    def paste_from_clipboard(self) -> None:
        """Ctrl+V: image data or copied files on the clipboard."""
        mime = QGuiApplication.clipboard().mimeData()
        if mime is None:
            self._set_message(
                self.tr("The clipboard is empty: copy an image or image files first."), "error"
            )
            return
        paths, images, problems = dnd.inputs(mime)
        if problems:
            self._set_message(" ".join(problems), "error")
        if paths:
            self.predict_paths(paths)
        for image in images:
            self.predict_image(image)
        if not (paths or images or problems):
            self._set_message(
                self.tr("The clipboard holds no image: copy an image or image files first."),
                "error",
            )

    def cancel(self) -> None:
        """Stop the running batch between two images and drop the queued ones."""
        self.session.cancel()

    def clear_results(self) -> None:
        self.session.clear_results()

    def export_csv(self, path: str | os.PathLike) -> int:
        """Write every result in core.predict.write_csv's format; returns the row count."""
        return self.session.export_csv(path)

    def shutdown(self) -> None:
        """Cancel every task this panel started (the window calls tasks.shutdown after)."""
        self.session.shutdown()

    def set_class_filter(self, text: str) -> None:
        """Show only rows predicted as ``text`` (or FILTER_ALL/UNCERTAIN/ERRORS)."""
        index = self.filter_combo.findData(text)
        if index >= 0:
            self.filter_combo.setCurrentIndex(index)

    def visible_results(self) -> list[PredictionResult]:
        """Results in the table's current order, filtered rows left out."""
        return self.proxy.visible_results()

    def select_result(self, result: PredictionResult) -> None:
        """Select ``result``'s row (when the filter shows it) and show it in detail."""
        source = self.results_model.index(self.results_model.row_of(result), COL_FILE)
        index = self.proxy.mapFromSource(source) if source.isValid() else source
        if index.isValid():
            self.table.selectRow(index.row())  # shows it through _on_current_changed
        if self.session.shown is not result:
            self._show_result(result)

    def overlay_image(self) -> Image.Image | None:
        """The Grad-CAM overlay of the shown result, or None when there is none yet."""
        result = self.session.shown
        if result is None or result.cam is None or result.cam_view is None:
            return None
        opacity = self.opacity_slider.value() / 100.0
        return heatmap_overlay(result.cam_view, result.cam, opacity, result.cam_box)

    # ----------------------------------------------------------------- drops on the panel

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:  # noqa: N802
        if dnd.has_input(event.mimeData()):
            event.acceptProposedAction()
            self.prepare_drag(event.mimeData())
        else:
            event.ignore()

    def dropEvent(self, event: QDropEvent) -> None:  # noqa: N802
        self.drop_zone.dropEvent(event)

    @Slot(object)
    def prepare_drag(self, mime: QMimeData | None) -> None:
        """A drag with image files came in: read them now, so the drop only runs the model.

        Decoding and the eval transforms take a quarter of a photo's prediction; a drag
        usually hovers far longer than that before the drop. Only the first few local
        files are read, on the model thread and only while it is free.
        """
        self.prepare_paths(dnd.image_files(mime, PREPARE_AHEAD))

    def prepare_paths(self, paths: list[str]) -> None:
        self.session.prepare_paths(paths)

    @Slot(list)
    def _predict_qimages(self, images: list[QImage]) -> None:
        for image in images:
            self.predict_image(image)

    # ----------------------------------------------------------------- the session's news

    @Slot(object)
    def _on_model_loaded(self, info: ModelInfo) -> None:
        QSettings().setValue(SETTINGS_MODEL, info.path)
        self._show_model_info()
        self.show_status(
            self.tr("Predict: model {file} loaded ({arch})").format(
                file=Path(info.path).name, arch=info.arch
            )
        )
        self.model_loaded.emit(info.path)
        self._refresh_image()

    @Slot(str)
    def _on_model_failed(self, text: str) -> None:
        self.show_status(self.tr("Could not load the model: {reason}").format(reason=text))

    @Slot(str)
    def _on_drop_rejected(self, text: str) -> None:
        self._set_message(text, "error")

    def _show_model_info(self) -> None:
        info = self.session.info
        self.model_box.show_info(info)
        if info is None:
            self.gradcam_check.setEnabled(False)
            self.gradcam_check.setToolTip(self.tr("Load a model first."))
            return
        self.gradcam_check.setEnabled(info.supports_gradcam)
        if info.supports_gradcam:
            self.gradcam_check.setToolTip(
                self.tr(
                    "Overlay where the model looked (Grad-CAM on the last convolutional block)."
                )
            )
        else:
            self.gradcam_check.setChecked(False)
            self.gradcam_check.setToolTip(
                self.tr("Grad-CAM needs convolutional layers; the {arch} model has none.").format(
                    arch=info.arch
                )
            )
        self.results_pane.set_classes(self.session.class_names())

    @Slot(object, bool)
    def _on_results_added(self, new: list[PredictionResult], first_of_batch: bool) -> None:
        self.results_model.append(new)
        self.results_pane.set_classes(self.session.class_names())
        self.results_pane.set_has_rows(True)
        if first_of_batch:
            self.select_result(new[0])

    @Slot()
    def _on_results_cleared(self) -> None:
        self.results_model.clear()
        self._show_result(None)
        self.results_pane.set_classes(self.session.class_names())
        self.results_pane.set_has_rows(False)

    @Slot(bool)
    def _on_busy_changed(self, busy: bool) -> None:
        if not busy:
            self.results_pane.batch_ended()
        self.busy_changed.emit(busy)

    @Slot()
    def _on_threshold_changed(self) -> None:
        QSettings().setValue(SETTINGS_THRESHOLD, self.threshold_spin.value())
        self.results_model.set_threshold(self.threshold())
        self.proxy.threshold_changed()
        self._show_result(self.session.shown)

    @Slot(str)
    def _on_precision_chosen(self, precision: str) -> None:
        QSettings().setValue(SETTINGS_PRECISION, precision)
        self.session.set_precision(precision)

    # ----------------------------------------------------------------- detail view

    @Slot()
    def _on_current_changed(self) -> None:
        result = self.proxy.result_at(self.table.currentIndex().row())
        if result is not None and result is not self.session.shown:
            self._show_result(result)

    def _show_result(self, result: PredictionResult | None) -> None:
        self.session.show(result)
        self.detail.show_result(result, self.threshold_spin.value())
        if result is not None:
            self._refresh_image()

    @Slot(object)
    def _on_view_changed(self, result: PredictionResult) -> None:
        self.results_model.refresh(result)
        if result is self.session.shown:
            self._refresh_image()

    @Slot()
    def _refresh_image(self) -> None:
        result = self.session.shown
        if result is None or result.view is None:
            self.image_label.clear()
            if result is not None and result.view_error:
                self.image_label.setText(result.view_error)
            elif result is not None and result.path and not result.error:
                self.image_label.setText(self.tr("Loading the picture ..."))
                self.session.request_view(result)  # its copies were let go in a long batch
            return
        image = result.view
        if self.gradcam_check.isChecked() and self.gradcam_check.isEnabled():
            if result.cam is not None and result.cam_view is not None:
                image = self.overlay_image()
            else:
                self.session.request_gradcam(result)
        if image is result.view and result.detail is not None:
            self.image_label.setPixmap(QPixmap.fromImage(result.detail))
            result.detail = None  # made for the first showing; later ones scale the view
        else:
            self.image_label.setPixmap(scaled_pixmap(pil_to_qimage(image), DETAIL_SIZE))

    @Slot(bool)
    def _on_gradcam_toggled(self, on: bool) -> None:
        self.session.gradcam_on = on
        self.opacity_slider.setEnabled(on)
        self._refresh_image()

    @Slot(str)
    def _on_gradcam_failed(self, text: str) -> None:
        self.gradcam_check.setChecked(False)
        self._set_message(text, "error")

    # ----------------------------------------------------------------- dialogs & messages

    def _choose_model(self) -> None:
        info = self.session.info
        start = info.path if info else QSettings().value(SETTINGS_MODEL, "", str)
        path, _ = QFileDialog.getOpenFileName(
            self,
            self.tr("Open model"),
            start or "",
            self.tr("Model bundles (*.pt *.pth);;All files (*)"),
        )
        if path:
            self.load_model(path)

    def _choose_images(self) -> None:
        images = self.tr("Images ({patterns});;All files (*)").format(patterns=IMAGE_PATTERNS)
        paths, _ = QFileDialog.getOpenFileNames(self, self.tr("Open images"), "", images)
        if paths:
            self.predict_paths(paths)

    def _choose_folder(self) -> None:
        path = QFileDialog.getExistingDirectory(self, self.tr("Open a folder of images"))
        if path:
            self.predict_paths([path])

    def _choose_csv(self) -> None:
        if not self.session.results:
            self._set_message(self.tr("Nothing to export yet: drop some images first."), "error")
            return
        path, _ = QFileDialog.getSaveFileName(
            self, self.tr("Export predictions"), "predictions.csv", self.tr("CSV files (*.csv)")
        )
        if path:
            self.export_csv(path)

    @Slot(str, str)
    def _set_message(self, text: str, level: str = "info") -> None:
        colour = {"error": "#b3261e", "info": ""}.get(level, "")
        self.message_label.setStyleSheet(f"color: {colour};" if colour else "")
        self.message_label.setText(text)
        self.message_label.setProperty("level", level)
