"""The Augment panel's session: the preview's source images and its background work.

One :class:`gui.tasks.LatestTask` per kind of work: the dataset's sample images,
an image file to preview, and the preview render. A new dataset or file replaces
the one loading (its late result can never arrive); previews are debounced and
coalesced (while one renders, only the newest request waits for it).

Signals (plain values): ``samples_loaded(list)`` (the class names), ``source_changed()``
(a dropped or opened image replaced the dataset image), ``info(str)`` (a line for the
panel's info label), ``preview_ready(PreviewResult)`` and ``preview_failed(str)``.
"""

from __future__ import annotations

from collections.abc import Callable

from PIL import Image
from PySide6.QtCore import QObject, QTimer, Signal, Slot

from core import BUILTIN_DIGITS
from gui import errors
from gui.augment.preview import (
    PreviewRequest,
    default_sample_loader,
    file_task,
    preview_task,
    samples_task,
)
from gui.tasks import LatestTask

DEBOUNCE_MS = 100


class AugmentSession(QObject):
    """Source images (a dataset's samples, or one dropped or opened image) and the tasks."""

    samples_loaded = Signal(list)
    source_changed = Signal()
    info = Signal(str)
    preview_ready = Signal(object)  # PreviewResult
    preview_failed = Signal(str)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.sample_loader: Callable[[str], dict] = default_sample_loader
        #: builds the next preview from the panel's controls (None: nothing to show)
        self.request_builder: Callable[[], PreviewRequest | None] = lambda: None
        self.torch_ready = False
        self.source = ""
        self.samples: dict[str, list[Image.Image]] = {}
        self.channels = 3
        self.dropped: Image.Image | None = None
        self.samples_task = LatestTask(self)
        self.file_task = LatestTask(self)
        self.preview_task = LatestTask(self)
        self.samples_task.finished.connect(self._on_samples)
        self.samples_task.errored.connect(self._on_samples_error)
        self.file_task.finished.connect(self._use_image)
        self.file_task.errored.connect(self._on_file_error)
        self.preview_task.finished.connect(self.preview_ready)
        self.preview_task.errored.connect(self._on_preview_error)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(DEBOUNCE_MS)
        self._timer.timeout.connect(self._render)

    # ----------------------------------------------------------------- sources

    def set_dataset(self, source: str) -> None:
        """Preview images from ``source`` (loaded once torch is ready)."""
        self.source = source
        self.channels = 1 if source in (BUILTIN_DIGITS, "digits") else 3  # until samples come
        self.use_dataset_image()
        if self.torch_ready:
            self._load_samples()

    def set_torch_ready(self) -> None:
        self.torch_ready = True
        if self.source:
            self._load_samples()
        self.schedule_preview()

    def _load_samples(self) -> None:
        self.info.emit(self.tr("Loading images of {source}…").format(source=self.source))
        self.samples_task.start(samples_task, self.sample_loader, self.source)

    @Slot(object)
    def _on_samples(self, samples: dict) -> None:
        self.samples = samples
        first = next(iter(samples.values()), [])
        self.channels = 1 if first and first[0].mode == "L" else 3
        self.samples_loaded.emit(list(samples))

    @Slot(object)
    def _on_samples_error(self, error: BaseException) -> None:
        self.info.emit(
            self.tr("Could not load preview images: {reason}").format(reason=errors.message(error))
        )

    def load_file(self, path: str) -> None:
        """Load an image file off the GUI thread and preview it (the newest file wins).

        In colour: each render converts it to the channels the pipeline gets (as the
        dataset's images), and the panel says so when that turns a colour picture grey.
        """
        self.file_task.start(file_task, str(path), 3)

    def set_image(self, image: Image.Image) -> None:
        """Preview this image (e.g. dropped raw data) instead of a dataset image."""
        self.file_task.cancel()  # the newest input wins over a file still loading
        self._use_image(image)

    @Slot(object)
    def _use_image(self, image: Image.Image) -> None:
        if image.mode not in ("L", "RGB"):
            image = image.convert("RGB")
        self.dropped = image
        self.source_changed.emit()
        self.schedule_preview()

    @Slot(object)
    def _on_file_error(self, error: BaseException) -> None:
        self._failed(self.tr("Cannot use that file: {reason}"), error)

    def _failed(self, template: str, error: BaseException) -> None:
        """A file or a preview failed: say so under the preview and to the panel.

        ``template``: the sentence, translated, with a {reason} field.
        """
        message = errors.message(error)
        self.info.emit(template.format(reason=message))
        self.preview_failed.emit(message)

    def use_dataset_image(self) -> None:
        """Back to the dataset's images: forget the dropped image and any file loading."""
        self.file_task.cancel()
        self.dropped = None

    def image(self, class_name: str, index: int) -> Image.Image | None:
        """The image to preview: the dropped one, else image ``index`` of ``class_name``."""
        if self.dropped is not None:
            return self.dropped
        images = self.samples.get(class_name, [])
        return images[min(index, len(images) - 1)] if images else None

    def per_class_images(self, index: int) -> tuple[list[Image.Image], list[str]]:
        """Image ``index`` of every class (wrapping), and the class names."""
        names = list(self.samples)
        return [self.samples[n][index % len(self.samples[n])] for n in names], names

    # ----------------------------------------------------------------- preview

    def schedule_preview(self) -> None:
        """Debounce: many quick edits cause one render."""
        self._timer.start()

    @Slot()
    def _render(self) -> None:
        if not self.torch_ready:
            self.info.emit(self.tr("Preview starts once PyTorch has loaded…"))
            return
        request = self.request_builder()
        if request is not None:
            self.preview_task.request(preview_task, request)

    @Slot(object)
    def _on_preview_error(self, error: BaseException) -> None:
        self._failed(self.tr("Preview failed: {reason}"), error)

    def shutdown(self) -> None:
        """Stop the timer and cancel every task (window close)."""
        self._timer.stop()
        for task in (self.samples_task, self.file_task, self.preview_task):
            task.cancel()
