"""The Augment panel's background work as plain functions: no widgets, only values.

Each ``*_task`` runs on the thread pool of :mod:`gui.tasks` (its first argument is
the task context). The grid itself is :func:`core.augment.sample_grid`, the function
``python main.py augment`` renders with, so the panel and the CLI show the same
pixels for the same pipeline, image, seed, N and view. Modules that import torch
(core.data) are imported inside the functions: the panel is built before PyTorch
has loaded.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field

from PIL import Image
from PySide6.QtCore import QObject
from PySide6.QtGui import QImage

from core import augment
from gui import tasks
from gui.imageutil import array_to_qimage, pil_to_qimage
from gui.runtime import single_threaded

SAMPLES_PER_CLASS = 16
ORIGINAL_BOX = 192  # the original image beside the grid fits this square
ORIGINAL_MIN = 96  # smaller originals (28x28 digits) are blown up to at least this


@dataclass
class PreviewRequest:
    """Everything one preview render needs, copied so the GUI may change meanwhile.

    ``captions`` label one sample per source (the one-sample-per-class mode).
    """

    spec: list[dict]
    sources: list[Image.Image]  # one image, or one per class
    captions: list[str] = field(default_factory=list)
    n: int = 16
    seed: int = 0
    view: str = augment.VIEW_PERSON
    channels: int | None = None  # what the sources become first (as the dataset loads them)


@dataclass
class PreviewResult:
    grid: QImage
    original: QImage
    shape: tuple[int, ...]
    info: str
    seed: int
    count: int
    view: str


def original_thumbnail(image: Image.Image) -> Image.Image:
    """The source image at display size: shrunk smoothly, tiny ones blown up sharp."""
    original = image.copy()
    original.thumbnail((ORIGINAL_BOX, ORIGINAL_BOX))
    if max(original.size) < ORIGINAL_MIN:
        k = math.ceil(ORIGINAL_MIN / max(original.size))
        original = original.resize((original.width * k, original.height * k), Image.NEAREST)
    return original


def render_preview(request: PreviewRequest) -> PreviewResult:
    """Augment, convert for display and tile: the whole preview, off the GUI thread."""
    sources = [as_channels(s, request.channels) for s in request.sources]
    with single_threaded():  # many tiny ops: one core is faster and leaves one to training
        grid = augment.sample_grid(
            request.spec,
            sources,
            request.n,
            request.seed,
            view=request.view,
            captions=request.captions,
        )
    return PreviewResult(
        grid=array_to_qimage(grid.pixels),
        original=pil_to_qimage(original_thumbnail(sources[0])),
        shape=grid.shape,
        info=grid.description,
        seed=request.seed,
        count=grid.count,
        view=request.view,
    )


def as_channels(image: Image.Image, channels: int | None) -> Image.Image:
    """``image`` in 1 ("L") or 3 ("RGB") channels, as core.data loads it; None: as it is."""
    mode = {1: "L", 3: "RGB"}.get(channels or 0)
    return image if mode is None or image.mode == mode else image.convert(mode)


def channel_note(specs: dict, natural: int, picture_colour: bool) -> str:
    """Why the preview's pictures have the channels they have ("" when nothing changes).

    ``specs``: {"train", "eval"}; ``natural``: the dataset's own channels (digits 1,
    folders 3); ``picture_colour``: an opened colour picture is on show. The channels
    are core.augment_checks.data_channels', the ones training loads the images with.
    """
    train, eval_ = specs["train"], specs["eval"]
    need = augment.data_channels(train, eval_, natural)
    normalize = bool(augment.pipeline_channels(eval_) or augment.pipeline_channels(train))
    # Without a Normalize the images keep the dataset's channels: only a colour picture
    # opened on a grayscale dataset changes. With one, its channel count decides.
    if need == 1 and picture_colour:
        if normalize:
            return AugmentPreview.tr(
                "The opened picture is shown in grey: this pipeline's Normalize has 1 value, "
                "so the model gets grayscale images; training converts every picture the "
                "same way."
            )
        return AugmentPreview.tr(
            "The opened picture is shown in grey: the dataset is grayscale, so the model "
            "gets grayscale images; training converts every picture the same way."
        )
    if need == natural:
        return ""
    if need == 3:
        return AugmentPreview.tr(
            "The dataset is grayscale but this pipeline's Normalize has 3 values: its images "
            "are repeated to 3 channels (RGB) for training, validation and this preview."
        )
    return AugmentPreview.tr(
        "The dataset is in colour but this pipeline's Normalize has 1 value: its images are "
        "converted to grayscale for training, validation and this preview."
    )


class AugmentPreview(QObject):
    """The translation context of this module's texts: ``AugmentPreview.tr(...)``."""


def preview_task(ctx: tasks.TaskContext, request: PreviewRequest) -> PreviewResult:
    ctx.check()
    return render_preview(request)


def default_sample_loader(source: str) -> dict[str, list[Image.Image]]:
    """A few images of each class of ``source`` (core.data imports torch: pool only)."""
    from core import data

    return data.sample_images(source, per_class=SAMPLES_PER_CLASS, seed=0)


def samples_task(
    ctx: tasks.TaskContext, loader: Callable[[str], dict], source: str
) -> dict[str, list[Image.Image]]:
    """The sample images of a dataset, classes without images left out."""
    return {name: images for name, images in loader(source).items() if images}


def load_image_file(path: str, channels: int) -> Image.Image:
    """A dropped or opened image, converted like the dataset's images."""
    from core import data

    return data.load_image(path, channels=channels)


def file_task(ctx: tasks.TaskContext, path: str, channels: int) -> Image.Image:
    return load_image_file(path, channels)
