"""The Evaluate panel's heavy work: plain functions run on pool threads, no widgets.

Each takes a :class:`gui.tasks.TaskContext` first and returns plain values. torch and
the torch-importing core modules are imported inside the functions. QImage (not
QPixmap) is safe to build off the GUI thread.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image
from PySide6.QtCore import QObject
from PySide6.QtGui import QImage

from gui import errors, tasks
from gui.evaluate.models import THUMB_SIZE
from gui.gradcam import heat_and_view
from gui.imageutil import pil_to_qimage, scaled_image
from gui.widgets import TOP_K

DETAIL_SIZE = 300


@dataclass
class Opened:
    """An evaluation ready to show: the figures, the model that made them, the pictures.

    ``images`` maps a built-in row key (its index) to its picture; folder rows are read
    from their paths. ``from_files``: read from the run folder, not computed now.
    """

    evaluation: Any
    predictor: Any
    model_path: str
    images: dict[int, Image.Image] | None = None
    from_files: bool = False
    model_mtime: float = 0.0


class EvaluateJobs(QObject):
    """The translation context of this module's texts (``EvaluateJobs.tr`` is thread-safe)."""


def _mtime(path: str) -> float:
    try:
        return os.stat(path).st_mtime
    except OSError:
        return 0.0


def _load_predictor(path: str, shown: Opened | None = None) -> tuple[Any, float]:
    """(Predictor, file time) of ``path``: the one on show when it is that same file."""
    from core.predict import Predictor

    if os.path.isdir(path):
        path = str(Path(path) / "best.pt")
    if not os.path.isfile(path):
        raise FileNotFoundError(
            EvaluateJobs.tr("'{path}' does not exist: pick a best.pt from a run folder.").format(
                path=path
            )
        )
    mtime = _mtime(path)
    if shown is not None and shown.model_path == path and shown.model_mtime == mtime:
        return shown.predictor, mtime  # not written again since (a run with --overwrite is)
    return Predictor(path), mtime


def _images(labelled: Any) -> dict[int, Image.Image] | None:
    """The in-memory pictures of a built-in set (folders are read from disk)."""
    from core import BUILTIN_DIGITS

    if labelled.source != BUILTIN_DIGITS:
        return None
    return {key: image for key, _, image in labelled.items}


def evaluate_task(
    ctx: tasks.TaskContext,
    model_path: str,
    source: str | None,
    split: str,
    shown: Opened | None = None,
) -> Opened:
    """Model thread: load the bundle (unless it is on show) and evaluate it on ``source``."""
    from core.evaluate import evaluate as run
    from core.evaluate import labelled_set

    predictor, mtime = _load_predictor(model_path, shown)
    ctx.check()
    config = predictor.bundle.get("config") or {}
    source = source or config.get("data")
    if not source:
        raise ValueError(
            EvaluateJobs.tr(
                "The model does not record the data it was trained on: open a labelled folder."
            )
        )
    labelled = labelled_set(
        str(source),
        split,
        predictor.class_names,
        channels=predictor.in_channels,
        config=config,
        progress=ctx.progress,
    )
    ctx.check()
    evaluation = run(predictor, labelled, progress=ctx.progress, should_stop=lambda: ctx.cancelled)
    ctx.check()
    return Opened(evaluation, predictor, predictor.path, _images(labelled), model_mtime=mtime)


def open_run_task(
    ctx: tasks.TaskContext, run_dir: str, best_pt: str, shown: Opened | None = None
) -> Opened:
    """Model thread: a finished run's evaluation.json + predictions.csv, or a new evaluation.

    The files are used when they are newer than best.pt (a resumed run writes them
    again); otherwise, or when they cannot be read, best.pt is evaluated on the
    validation split of the data it was trained on.
    """
    from core.evalresult import EVALUATION_JSON, PREDICTIONS_CSV, read_evaluation
    from core.evaluate import labelled_set

    run = Path(run_dir)
    files = [run / EVALUATION_JSON, run / PREDICTIONS_CSV]
    try:
        fresh = all(f.stat().st_mtime >= Path(best_pt).stat().st_mtime for f in files)
        evaluation = read_evaluation(run) if fresh else None
    except (OSError, ValueError):
        evaluation = None
    if evaluation is None:
        return evaluate_task(ctx, best_pt, None, "valid", shown)
    predictor, mtime = _load_predictor(best_pt, shown)
    evaluation.model = best_pt
    images = None
    if evaluation.builtin():
        labelled = labelled_set(
            evaluation.source,
            evaluation.split,
            predictor.class_names,
            channels=predictor.in_channels,
        )
        images = _images(labelled)
    return Opened(evaluation, predictor, best_pt, images, from_files=True, model_mtime=mtime)


# --------------------------------------------------------------------------- fixing the data

FIX_PROGRESS_EVERY = 50  # files between two progress reports


def fix_task(
    ctx: tasks.TaskContext, steps: list[tuple[int | None, Callable[[], Any]]], stop: Any
) -> list[tuple[int | None, Any, str | None]]:
    """General pool: each (row, move) in turn, a core.datafix move that logs itself.

    Returns (row, its core.datafix.Change or None, why it failed or None) for each move
    made or tried. ``stop`` (a threading.Event) ends it between two files: the moves made
    so far are returned, not dropped, so they can be shown and undone. (The task's own
    cancel, at shutdown, drops them; each is in the dataset's change log all the same.)
    """
    from core.datafix import DataFixError

    out: list[tuple[int | None, Any, str | None]] = []
    for i, (row, move) in enumerate(steps, 1):
        if stop.is_set() or ctx.cancelled:  # Cancel, or the app closing
            break
        try:
            out.append((row, move(), None))
        except DataFixError as exc:
            out.append((row, None, errors.message(exc)))
        except Exception as exc:  # noqa: BLE001 - the moves so far must reach the undo stack
            out.append((row, None, errors.report(exc, "moving a dataset's files", show=False)))
        if i % FIX_PROGRESS_EVERY == 0 or i == len(steps):
            ctx.progress(i, len(steps))
    return out


# --------------------------------------------------------------------------- pictures


def picture(source: Any, channels: int = 3, max_size: int | None = None) -> Image.Image:
    """A row's picture: an in-memory image as it is, a file read safely (ImageLoadError)."""
    from core.images import load_image

    if isinstance(source, Image.Image):
        return source
    return load_image(source, channels, max_size=max_size)


def _thumb(image: Image.Image, size: int) -> QImage:
    small = image.copy()
    small.thumbnail((size, size))
    return scaled_image(pil_to_qimage(small), size)


def thumbs_task(
    ctx: tasks.TaskContext, wanted: list[tuple[int, Any]], size: int = THUMB_SIZE
) -> list[tuple[int, QImage | None]]:
    """General pool: thumbnails of (row, source); None for a file that cannot be read."""
    out: list[tuple[int, QImage | None]] = []
    for row, source in wanted:
        ctx.check()
        try:
            out.append((row, _thumb(picture(source, 3, max_size=size * 2), size)))
        except (OSError, ValueError):
            out.append((row, None))
    return out


def detail_task(
    ctx: tasks.TaskContext, predictor: Any, row: int, source: Any
) -> tuple[int, QImage, list[tuple[str, float]]]:
    """Model thread: a row's picture at detail size and the model's top-5 for it."""
    image = picture(source, predictor.in_channels)
    ctx.check()
    k = min(TOP_K, len(predictor.class_names))
    topk = predictor.predict(image, k=k, loaded=isinstance(source, str))
    view = image if max(image.size) <= DETAIL_SIZE else _fit(image, DETAIL_SIZE)
    return row, scaled_image(pil_to_qimage(view), DETAIL_SIZE), topk


def _fit(image: Image.Image, size: int) -> Image.Image:
    small = image.copy()
    small.thumbnail((size, size))
    return small


def gradcam_task(
    ctx: tasks.TaskContext, predictor: Any, row: int, source: Any, class_index: int
) -> tuple[int, np.ndarray, Image.Image]:
    """Model thread: where the model looked for its prediction, and the picture under it."""
    image = picture(source, predictor.in_channels)
    ctx.check()
    heat, view = heat_and_view(predictor, image, class_index)
    return row, heat, view if view is not None else _fit(image, DETAIL_SIZE)
