"""Datasets for ConvStudio: the PyTorch datasets of the built-in digits and of folders.

:func:`build_datasets` turns a source ("builtin:digits" or a folder) into train and
valid datasets ready for a DataLoader; :func:`sample_images` picks a few images per
class for thumbnails and previews. The work below them lives in three torch-free
modules, whose names are also importable from here (``from core.data import
load_image`` keeps working):

- :mod:`core.images`: safe image loading (every unusable file becomes a reason);
- :mod:`core.folders`: folder layouts, the scan, the split, the summary, sample picks;
- :mod:`core.digits`: the built-in digits, held in memory once.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import torch
from PIL import Image

from core import BUILTIN_DIGITS, IMAGE_EXTENSIONS
from core.digits import (
    DIGITS_SEED,
    digit_samples,
    digits_cached,
    digits_images,
    digits_summary,
    export_digit_samples,
)
from core.folders import (
    DataError,
    DatasetSummary,
    ProgressFn,
    SkippedFile,
    parse_source,
    pick_samples,
    scan_folder,
)
from core.images import (
    DEFAULT_MAX_PIXELS,
    IMAGE_BLOCKS_KEPT,
    ImageLoadError,
    convert_image,
    load_image,
    reuse_image_memory,
    verify_image,
)
from core.messages import QT_TRANSLATE_NOOP

__all__ = [
    "BUILTIN_DIGITS",
    "DEFAULT_MAX_PIXELS",
    "IMAGE_BLOCKS_KEPT",
    "IMAGE_EXTENSIONS",
    "DataError",
    "DataSplits",
    "DatasetSummary",
    "DigitsDataset",
    "ImageDataset",
    "ImageLoadError",
    "SkippedFile",
    "build_datasets",
    "convert_image",
    "digits_images",
    "export_digit_samples",
    "load_image",
    "reuse_image_memory",
    "parse_source",
    "pick_samples",
    "sample_images",
    "scan_folder",
    "verify_image",
]

# What the window shows translated (core.messages)
FILE_PROBLEM = QT_TRANSLATE_NOOP("CoreMessages", "{path}: {reason}")
NO_USABLE_CLASS = QT_TRANSLATE_NOOP(
    "CoreMessages", "No class in '{source}' has a usable image: add images to the class folders."
)
ONE_CLASS = QT_TRANSLATE_NOOP(
    "CoreMessages",
    "Only one class ('{name}') has usable images in '{source}': a classifier needs at least "
    "two class folders with images.",
)
NO_TRAINING_IMAGE = QT_TRANSLATE_NOOP(
    "CoreMessages", "The training split of '{source}' has no usable image."
)
NO_VALIDATION_IMAGE = QT_TRANSLATE_NOOP(
    "CoreMessages",
    "The validation split of '{source}' has no usable image: add images to valid/ or give "
    "each class at least two images.",
)


# --------------------------------------------------------------------------- datasets


class ImageDataset(torch.utils.data.Dataset):
    """Images on disk as (path, label) pairs, loaded safely on each access."""

    def __init__(
        self,
        samples: Sequence[tuple[str, int]],
        transform: Callable[[Image.Image], Any] | None = None,
        channels: int = 3,
        class_names: Sequence[str] | None = None,
        max_pixels: int = DEFAULT_MAX_PIXELS,
    ) -> None:
        self.samples = [(str(p), int(y)) for p, y in samples]
        self.targets = [y for _, y in self.samples]
        self.transform = transform
        self.channels = channels
        self.class_names = list(class_names) if class_names is not None else None
        self.max_pixels = max_pixels
        # large photos are decoded reduced to what the pipeline needs (build_pipeline's
        # input_min_side, core.augment_size): an 81 MP PNG no longer costs 1.4 GB a load
        self.min_side = getattr(transform, "input_min_side", None)

    def __len__(self) -> int:
        return len(self.samples)

    def load(self, index: int) -> Image.Image:
        """The PIL image of one sample; ImageLoadError names the file on failure."""
        path, _ = self.samples[index]
        try:
            return load_image(path, self.channels, self.max_pixels, min_side=self.min_side)
        except ImageLoadError as exc:
            raise ImageLoadError(FILE_PROBLEM.format(path=path, reason=exc)) from None

    def __getitem__(self, index: int) -> tuple[Any, int]:
        image = self.load(index)
        label = self.samples[index][1]
        return (self.transform(image) if self.transform else image), label


class DigitsDataset(torch.utils.data.Dataset):
    """The built-in digits held in memory: __getitem__ only applies the transform."""

    def __init__(
        self,
        images: Sequence[Image.Image],
        labels: Sequence[int],
        transform: Callable[[Image.Image], Any] | None = None,
        class_names: Sequence[str] | None = None,
    ) -> None:
        self.images = list(images)
        self.targets = [int(y) for y in labels]
        self.transform = transform
        self.class_names = list(class_names) if class_names is not None else None
        self.channels = 1 if not self.images or self.images[0].mode == "L" else 3

    def __len__(self) -> int:
        return len(self.images)

    def __getitem__(self, index: int) -> tuple[Any, int]:
        image = self.images[index]
        return (self.transform(image) if self.transform else image), self.targets[index]


@dataclass
class DataSplits:
    """The train and valid datasets with the summary they were built from."""

    train: torch.utils.data.Dataset
    valid: torch.utils.data.Dataset
    summary: DatasetSummary


def _check_trainable(summary: DatasetSummary) -> None:
    if not summary.class_names:
        raise DataError(NO_USABLE_CLASS.format(source=summary.source))
    if len(summary.class_names) < 2:
        raise DataError(ONE_CLASS.format(name=summary.class_names[0], source=summary.source))
    if summary.total("train") == 0:
        raise DataError(NO_TRAINING_IMAGE.format(source=summary.source))
    if summary.total("valid") == 0:
        raise DataError(NO_VALIDATION_IMAGE.format(source=summary.source))


def _pipelines_channels(*pipelines: Callable | None) -> int | None:
    """The first channel count a pipeline asks for (build_pipeline's input_channels)."""
    for pipeline in pipelines:
        wanted = getattr(pipeline, "input_channels", None)
        if wanted in (1, 3):
            return wanted
    return None


def build_datasets(
    source: str,
    train_transform: Callable | None = None,
    eval_transform: Callable | None = None,
    val_split: float = 0.2,
    seed: int = 0,
    channels: int | None = None,
    progress: ProgressFn | None = None,
) -> DataSplits:
    """Train and valid datasets for a source, ready for a DataLoader.

    The digits split is always the fixed seed-0 80/20 split (so results compare across
    runs and with other tools); ``seed`` and ``val_split`` shape folder splits only.
    ``channels`` None: what the pipelines need (their ``input_channels``, see
    core.augment_checks.data_channels), else the dataset's own (digits 1, folders 3),
    so grayscale digits feed a 3-channel pipeline as RGB and photos a 1-channel one
    as grayscale.
    """
    resolved = parse_source(source)
    if channels not in (None, 1, 3):
        raise DataError(f"channels must be 1 or 3, not {channels!r}.")
    if channels is None:
        channels = _pipelines_channels(eval_transform, train_transform)
    if resolved == BUILTIN_DIGITS:
        ch = channels or 1
        summary = digits_summary(ch)
        tr_img, tr_y, va_img, va_y = digits_cached(DIGITS_SEED, ch)
        names = summary.class_names
        train: torch.utils.data.Dataset = DigitsDataset(tr_img, tr_y, train_transform, names)
        valid: torch.utils.data.Dataset = DigitsDataset(va_img, va_y, eval_transform, names)
        if progress:
            progress(1, 1)
        return DataSplits(train, valid, summary)
    train_samples, valid_samples, summary = scan_folder(
        resolved, val_split, seed, True, progress=progress
    )
    _check_trainable(summary)
    ch = channels or 3
    summary.in_channels = ch
    train = ImageDataset(train_samples, train_transform, ch, summary.class_names)
    valid = ImageDataset(valid_samples, eval_transform, ch, summary.class_names)
    return DataSplits(train, valid, summary)


# --------------------------------------------------------------------------- samples


def sample_images(source: str, per_class: int = 4, seed: int = 0) -> dict[str, list[Image.Image]]:
    """A few images of each class (from the train split) for thumbnails and previews."""
    resolved = parse_source(source)
    if resolved == BUILTIN_DIGITS:
        return digit_samples(per_class, seed)
    train_samples, valid_samples, summary = scan_folder(resolved, check_images=False)
    return pick_samples(train_samples or valid_samples, summary.class_names, per_class, seed)
