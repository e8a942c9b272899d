"""The built-in digits: scikit-learn's 1,797 handwritten digits as 28x28 images.

No files or network needed: the 8x8 images are scaled to 0-255, upscaled to 28x28 and
split 80/20 (stratified, fixed seed) once, then held in memory, so the many epochs of a
digits run never touch the disk or resize an image again. scikit-learn is imported on
first use. Pillow and numpy only: no torch (:mod:`core.data` wraps them in a Dataset).
"""

from __future__ import annotations

import os
import threading
from pathlib import Path

import numpy as np
from PIL import Image

from core import BUILTIN_DIGITS
from core.folders import DataError, DatasetSummary
from core.messages import QT_TRANSLATE_NOOP

__all__ = [
    "DIGITS_SEED",
    "DIGITS_SIZE",
    "digit_samples",
    "digits_cached",
    "digits_images",
    "digits_summary",
    "export_digit_samples",
]

DIGITS_SIZE = 28
LAYOUT_BUILTIN = QT_TRANSLATE_NOOP("CoreMessages", "builtin")  # the summary's layout
DIGITS_SEED = 0
DIGITS_VALID_FRACTION = 0.2

_DIGITS_CACHE: dict[tuple[int, int], tuple] = {}
_DIGITS_LOCK = threading.Lock()


def _digits_arrays(seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """28x28 uint8 arrays of the stratified 80/20 split of scikit-learn's digits."""
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split

    bunch = load_digits()
    pixels = np.clip(np.rint(bunch.images * (255.0 / 16.0)), 0, 255).astype(np.uint8)
    big = np.stack(
        [
            np.asarray(
                Image.fromarray(p, mode="L").resize(
                    (DIGITS_SIZE, DIGITS_SIZE), Image.Resampling.BILINEAR
                )
            )
            for p in pixels
        ]
    )
    labels = bunch.target.astype(np.int64)
    x_train, x_valid, y_train, y_valid = train_test_split(
        big, labels, test_size=DIGITS_VALID_FRACTION, stratify=labels, random_state=seed
    )
    return x_train, y_train, x_valid, y_valid


def _digits_entry(seed: int, channels: int) -> tuple:
    """(train images, train labels, valid images, valid labels); caller holds the lock."""
    key = (seed, channels)
    if key not in _DIGITS_CACHE:
        if channels == 1:
            x_train, y_train, x_valid, y_valid = _digits_arrays(seed)
            _DIGITS_CACHE[key] = (
                [Image.fromarray(a, mode="L") for a in x_train],
                [int(y) for y in y_train],
                [Image.fromarray(a, mode="L") for a in x_valid],
                [int(y) for y in y_valid],
            )
        else:
            train, y_train, valid, y_valid = _digits_entry(seed, 1)
            _DIGITS_CACHE[key] = (
                [i.convert("RGB") for i in train],
                y_train,
                [i.convert("RGB") for i in valid],
                y_valid,
            )
    return _DIGITS_CACHE[key]


def digits_cached(seed: int, channels: int) -> tuple:
    """(train images, train labels, valid images, valid labels), "L" or "RGB" (shared, read-only)."""
    with _DIGITS_LOCK:
        return _digits_entry(seed, channels)


def digits_images(
    seed: int = DIGITS_SEED,
) -> tuple[list[Image.Image], list[int], list[Image.Image], list[int], list[str]]:
    """The built-in digits: 28x28 "L" images, stratified 80/20 split (1,437 / 360).

    Images are shared from an in-memory cache; treat them as read-only.
    """
    train, y_train, valid, y_valid = digits_cached(seed, 1)
    return list(train), list(y_train), list(valid), list(y_valid), [str(i) for i in range(10)]


def digits_summary(channels: int = 1) -> DatasetSummary:
    """What the built-in digits hold (the fixed seed-0 split), as for a folder."""
    _, y_train, _, y_valid, names = digits_images(DIGITS_SEED)
    counts = {
        "train": {n: int(np.sum(np.asarray(y_train) == i)) for i, n in enumerate(names)},
        "valid": {n: int(np.sum(np.asarray(y_valid) == i)) for i, n in enumerate(names)},
    }
    return DatasetSummary(
        source=BUILTIN_DIGITS,
        layout=LAYOUT_BUILTIN,
        class_names=names,
        counts=counts,
        in_channels=channels,
        image_size=(DIGITS_SIZE, DIGITS_SIZE),
    )


def digit_samples(per_class: int = 4, seed: int = 0) -> dict[str, list[Image.Image]]:
    """A few training images of each digit (copies), chosen at random (seeded)."""
    train, labels, _, _, names = digits_images(DIGITS_SEED)
    out: dict[str, list[Image.Image]] = {}
    for label, name in enumerate(names):
        idx = [i for i, y in enumerate(labels) if y == label]
        order = np.random.default_rng([seed, label]).permutation(len(idx))[:per_class]
        out[name] = [train[idx[i]].copy() for i in order]
    return out


def export_digit_samples(
    out_dir: str | os.PathLike, n_per_class: int = 1, split: str = "valid"
) -> list[Path]:
    """Write the first n images of each digit class as PNGs named <class>_<i>.png."""
    if split not in ("train", "valid"):
        raise DataError(f"split must be 'train' or 'valid', not '{split}'.")
    if n_per_class < 1:
        raise DataError(f"n_per_class must be at least 1, not {n_per_class}.")
    train, y_train, valid, y_valid, names = digits_images(DIGITS_SEED)
    images, labels = (train, y_train) if split == "train" else (valid, y_valid)
    folder = Path(out_dir)
    folder.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    for label, name in enumerate(names):
        idx = [i for i, y in enumerate(labels) if y == label][:n_per_class]
        for k, i in enumerate(idx):
            path = folder / f"{name}_{k}.png"
            images[i].save(path)
            written.append(path)
    return written
