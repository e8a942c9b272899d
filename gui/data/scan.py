"""The Data panel's background work: one plain task function, testable without widgets.

:func:`scan_source` runs on a pool thread (through :class:`gui.tasks.LatestTask`): it
summarises a dataset source, checks every image once (so bad files are found now, not
in the middle of an epoch) and picks a few thumbnails per class as QImages (safe off
the GUI thread, unlike widgets or pixmaps). The core modules it uses are torch-free and
imported inside the function, so importing the panel stays cheap.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from PIL import Image
from PySide6.QtGui import QImage

from core import BUILTIN_DIGITS
from gui.imageutil import pil_to_qimage

THUMBS_PER_CLASS = 6
THUMB_SIZE = 56
MAX_THUMB_CLASSES = 100  # beyond this the strip would only be scrolled past
PROGRESS_STEPS = 200  # at most this many progress signals per scan


@dataclass
class ScanResult:
    """What one scan found: the summary and a few thumbnails per class (QImages)."""

    source: str
    summary: Any  # core.folders.DatasetSummary
    thumbnails: dict[str, list[QImage]] = field(default_factory=dict)


class _Progress:
    """Forward scan progress to the task context, rarely, and honour cancel between files."""

    def __init__(self, ctx: Any) -> None:
        self._ctx = ctx
        self._last = -1

    def __call__(self, done: int, total: int) -> None:
        self._ctx.check()
        step = max(1, total // PROGRESS_STEPS)
        if done in (0, total) or done - self._last >= step:
            self._last = done
            self._ctx.progress(done, total)


def _thumbnail(image: Image.Image) -> QImage:
    small = image.copy()
    small.thumbnail((2 * THUMB_SIZE, 2 * THUMB_SIZE))
    return pil_to_qimage(small)


def scan_source(
    ctx: Any, source: str, val_split: float = 0.2, seed: int = 0, per_class: int = THUMBS_PER_CLASS
) -> ScanResult:
    """Task function (pool thread): summarise a dataset source and pick thumbnails.

    Raises core.folders.DataError (a clear sentence) for a source that cannot be used.
    """
    from core import digits, folders

    resolved = folders.parse_source(source)
    progress = _Progress(ctx)
    if resolved == BUILTIN_DIGITS:
        progress(0, 1)
        summary = digits.digits_summary()
        samples = digits.digit_samples(per_class=per_class, seed=seed)
        progress(1, 1)
    else:
        train, valid, summary = folders.scan_folder(
            resolved, val_split=val_split, seed=seed, check_images=True, progress=progress
        )
        names = summary.class_names[:MAX_THUMB_CLASSES]
        samples = folders.pick_samples(
            train + valid, names, per_class=per_class, seed=seed, max_size=2 * THUMB_SIZE
        )
    ctx.check()
    thumbs = {name: [_thumbnail(img) for img in images] for name, images in samples.items()}
    return ScanResult(resolved, summary, thumbs)
