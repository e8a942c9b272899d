"""The Predict panel's heavy work: plain functions run on pool threads, no widgets.

Each task function takes a :class:`gui.tasks.TaskContext` first (progress, partial
results, the cancel flag) and returns plain values; the session starts them through
:class:`gui.tasks.LatestTask`. PyTorch and the torch-importing core modules are imported
inside the functions, never at module top, so the window can show before PyTorch has
loaded. QImage (not QPixmap) is safe to build off the GUI thread.
"""

from __future__ import annotations

import os
import time
from collections import deque
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image
from PySide6.QtCore import QObject
from PySide6.QtGui import QImage

from gui import errors, tasks
from gui.imageutil import pil_to_qimage, scaled_image
from gui.predict.prepared import Prepared, PreparedFiles
from gui.widgets import TOP_K

VIEW_SIZE = 320  # longest side of the copy kept for the detail view and the Grad-CAM overlay
THUMB_SIZE = 48  # table thumbnails
DETAIL_SIZE = 256
# Rows of a batch reach the GUI in groups: every PARTIAL_EVERY results or PARTIAL_SECONDS,
# whichever comes first, so 10,000 pictures are a few hundred signals, not 10,000.
PARTIAL_EVERY = 16
PARTIAL_SECONDS = 0.05


# --------------------------------------------------------------------------- plain data


@dataclass
class InputItem:
    """One thing to predict: a path (file or folder) or raw image data without a file."""

    name: str
    path: str | None = None
    image: Image.Image | None = None


@dataclass(eq=False)
class PredictionResult:
    """What the panel shows for one image; built in a worker thread from plain values."""

    name: str
    path: str | None
    topk: list[tuple[str, float]]
    error: str | None = None
    view: Image.Image | None = None  # display copy (<= VIEW_SIZE), in its own colours
    thumb: QImage | None = None
    detail: QImage | None = None  # the view at DETAIL_SIZE, ready for the detail pane
    image: Image.Image | None = None  # raw data (no file) kept for Grad-CAM
    cam: np.ndarray | None = None
    cam_view: Image.Image | None = None  # the picture the heatmap is drawn over
    cam_box: tuple[float, float, float, float] | None = None  # (x, y, w, h) in cam_view
    view_error: str | None = None  # why the picture could not be read again for showing
    facts: Any = None  # core.predict_checks.InputFacts of the picture as it came
    warnings: list[str] = field(default_factory=list)  # how it differs from training data

    @property
    def top1(self) -> str:
        return self.topk[0][0] if self.topk else ""

    @property
    def prob(self) -> float:
        return float(self.topk[0][1]) if self.topk else 0.0

    def is_uncertain(self, threshold: float) -> bool:
        return self.error is None and self.prob < threshold

    def to_prediction(self):
        """The core Prediction (for write_csv); needs core.predict, i.e. PyTorch loaded."""
        from core.predict import Prediction

        return Prediction(path=self.path or self.name, topk=list(self.topk), error=self.error)


@dataclass
class ModelInfo:
    """The facts about a loaded bundle the panel shows."""

    path: str
    arch: str
    class_names: list[str]
    input_size: Any
    in_channels: int
    val_acc: float | None
    supports_gradcam: bool = True
    precision: str = "fp32"
    extra: dict = field(default_factory=dict)


# --------------------------------------------------------------------------- loading


class PredictJobs(QObject):
    """The translation context of this module's texts (``PredictJobs.tr`` is thread-safe)."""


def model_fit_problem(info: ModelInfo) -> str | None:
    """A sentence saying why a loaded bundle cannot be used for prediction here, or None."""
    name = Path(info.path).name
    if info.in_channels not in (1, 3):
        return PredictJobs.tr(
            "'{file}' expects {channels}-channel input; only grey (1) or colour (3) "
            "models can predict pictures. Retrain with 1 or 3 input channels."
        ).format(file=name, channels=info.in_channels)
    names = list(info.class_names)
    if len(names) < 2:
        return PredictJobs.tr(
            "'{file}' knows fewer than two classes; train it on at least two classes."
        ).format(file=name)
    if len(set(names)) != len(names):
        return PredictJobs.tr(
            "'{file}' has duplicate class names; retrain it from a dataset with unique classes."
        ).format(file=name)
    declared = info.extra.get("num_classes")
    if declared is not None and int(declared) != len(names):
        return PredictJobs.tr(
            "'{file}' declares {declared} classes but names {named}; the file is "
            "inconsistent. Retrain the model or pick another bundle."
        ).format(file=name, declared=declared, named=len(names))
    return None


def model_info(path: str, predictor: Any) -> ModelInfo:
    try:
        extra = dict(predictor.info())
    except Exception:  # info() is a convenience; the attributes below are what count
        extra = {}
    arch = str(getattr(predictor, "arch", extra.get("arch", "?")))
    val_acc = getattr(predictor, "val_acc", extra.get("val_acc"))
    return ModelInfo(
        path=path,
        arch=arch,
        class_names=[str(c) for c in predictor.class_names],
        input_size=getattr(predictor, "input_size", extra.get("input_size")),
        in_channels=int(getattr(predictor, "in_channels", extra.get("in_channels", 3))),
        val_acc=None if val_acc is None else float(val_acc),
        supports_gradcam=arch != "mlp",
        precision=str(extra.get("precision", "fp32")),
        extra=extra,
    )


def load_predictor_task(
    ctx: tasks.TaskContext, path: str, precision: str = "fp32"
) -> tuple[Any, ModelInfo]:
    """Pool thread: open a bundle as a Predictor and check it can predict pictures."""
    from core.predict import Predictor

    if not os.path.exists(path):
        raise FileNotFoundError(
            PredictJobs.tr("'{path}' does not exist: pick a best.pt from a run folder.").format(
                path=path
            )
        )
    if os.path.isdir(path):
        best = Path(path) / "best.pt"
        if not best.is_file():
            raise ValueError(
                PredictJobs.tr("'{path}' is a folder without best.pt: pick a model file.").format(
                    path=path
                )
            )
        path = str(best)
    try:
        predictor = Predictor(path, precision=precision)
    except ValueError:  # BundleError and friends already say what went wrong
        raise
    except Exception as exc:  # e.g. weights that do not fit the declared architecture
        raise ValueError(
            PredictJobs.tr(
                "'{file}' could not be turned into a model ({reason}); pick a bundle "
                "saved by ConvStudio (best.pt or last.pt)."
            ).format(file=Path(path).name, reason=errors.message(exc))
        ) from exc
    ctx.check()
    info = model_info(path, predictor)
    problem = model_fit_problem(info)
    if problem:
        raise ValueError(problem)
    _add_checks(info, predictor)
    warm_up(predictor)
    return predictor, info


def _add_checks(info: ModelInfo, predictor: Any) -> None:
    """What the warnings on unlike inputs compare with (see core.predict_checks)."""
    from core.augment_checks import pipeline_crops
    from core.predict_checks import confidence_floor

    info.extra["floor"] = confidence_floor(info.path)
    spec = (getattr(predictor, "bundle", None) or {}).get("eval_transforms") or []
    info.extra["crops"] = pipeline_crops(spec)


def warm_up(predictor: Any) -> None:
    """Make the first dropped picture take as long as any other (and pack the single path)."""
    method = getattr(predictor, "warm_up", None)
    if method is None:
        return
    try:
        method(fast_single=True)  # drops are single pictures: take the packed-conv path
    except TypeError:  # a Predictor from before the fast_single keyword (it always packed)
        method()


# --------------------------------------------------------------------------- display copies


def _display_copy(image: Image.Image, size: int = VIEW_SIZE) -> Image.Image:
    """A small copy for the detail view (resized straight from the original: no big copy)."""
    w, h = image.size
    scale = size / max(w, h, 1)
    if scale >= 1.0:
        return image.copy()
    target = (max(1, round(w * scale)), max(1, round(h * scale)))
    # reducing_gap 1.0: a box reduction by an integer factor first, then bilinear; for a
    # 320 px view it looks the same as 2.0 and halves the time for a photo.
    return image.resize(target, Image.Resampling.BILINEAR, reducing_gap=1.0)


def display_parts(
    image: Image.Image, with_detail: bool = True
) -> tuple[Image.Image, QImage, QImage | None]:
    """The detail-view copy, the table thumbnail and (if asked) the detail image."""
    view = _display_copy(image)
    detail = scaled_image(pil_to_qimage(view), DETAIL_SIZE) if with_detail else None
    return view, pil_to_qimage(_display_copy(view, THUMB_SIZE)), detail


def _picture(predictor: Any, item: InputItem) -> tuple[Image.Image, Image.Image, Any]:
    """(the picture as it came, in colour; the same in the model's channels; its facts).

    The first is what the detail view and Grad-CAM show, the facts feed the warnings
    on unlike inputs; ImageLoadError for files that cannot be used.
    """
    from core.data import convert_image, load_image
    from core.predict_checks import image_facts

    if item.image is not None:
        shown = convert_image(item.image, 3)
    else:
        shown = load_image(item.path, channels=3)
    # a colour model takes the colour picture as it is (what Predictor.load would make)
    image = shown if getattr(predictor, "in_channels", 1) == 3 else predictor.load(shown)
    return shown, image, image_facts(shown)


def view_task(
    ctx: tasks.TaskContext, predictor: Any, result: PredictionResult
) -> tuple[PredictionResult, tuple[Image.Image, QImage, QImage | None]]:
    """General pool: the display copies of a result whose copies were let go (no model)."""
    shown, _, _ = _picture(predictor, InputItem(result.name, result.path))
    return result, display_parts(shown)


# One helper thread makes the display copies while the model thread preprocesses and
# classifies: Pillow releases the GIL while decoding and resizing, so on two cores the
# copies cost little time on the way to the result.
_DISPLAY = ThreadPoolExecutor(max_workers=1, thread_name_prefix="predict-display")


# --------------------------------------------------------------------------- prediction


def prepare_task(
    ctx: tasks.TaskContext, predictor: Any, paths: list[str], prepared: PreparedFiles
) -> int:
    """Model thread: decode and preprocess files a drag carries, before they are dropped.

    Unreadable files are left alone: the prediction after the drop reports them. Returns
    how many files were prepared.
    """
    from core.data import ImageLoadError

    count = 0
    for path in paths:
        ctx.check()
        key = prepared.key(path)
        if key is None or prepared.has(key):
            continue
        try:
            shown, image, facts = _picture(predictor, InputItem(path, path))
            display = _DISPLAY.submit(display_parts, shown)
            tensor = predictor.preprocess(image, loaded=True)
            view, thumb, detail = display.result()
        except (ImageLoadError, OSError, ValueError, RuntimeError):
            continue
        prepared.put(key, Prepared.of(predictor, tensor, view, thumb, detail, facts))
        count += 1
    return count


def _result(item: InputItem, topk, parts, image=None, facts=None) -> PredictionResult:
    view, thumb, detail = parts
    return PredictionResult(
        name=item.name,
        path=item.path,
        topk=[(str(c), float(p)) for c, p in topk],
        view=view,
        thumb=thumb,
        detail=detail,
        image=image,
        facts=facts,
    )


def predict_one(
    predictor: Any,
    item: InputItem,
    k: int = TOP_K,
    ready: Prepared | None = None,
    with_detail: bool = True,
) -> PredictionResult:
    """Decode, classify and prepare the display of one item; errors become the row's error.

    ``ready``: the file read and preprocessed while its drag hovered, which then only needs
    the forward pass. ``with_detail``: also scale the detail-pane image here (a single drop
    shows it at once; rows of a batch scale theirs when selected).
    """
    from core.data import ImageLoadError

    if ready is not None:
        try:
            topk = predictor.predict_preprocessed(ready.tensor, k=k)
        except Exception as exc:  # one bad image never stops the batch
            return _failed(item, PredictJobs.tr("prediction failed: {reason}"), exc)
        return _result(item, topk, (ready.view, ready.thumb, ready.detail), facts=ready.facts)
    try:
        shown, image, facts = _picture(predictor, item)
    except ImageLoadError as exc:
        return PredictionResult(item.name, item.path, [], errors.message(exc))
    except OSError as exc:
        return _failed(item, PredictJobs.tr("cannot read the file ({reason})"), exc)
    display = _DISPLAY.submit(display_parts, shown, with_detail)
    try:
        topk = predictor.predict(image, k=k, loaded=True)
    except Exception as exc:  # one bad image never stops the batch
        display.cancel()
        return _failed(item, PredictJobs.tr("prediction failed: {reason}"), exc)
    try:
        parts = display.result()
    except Exception as exc:  # noqa: BLE001 - one picture's display never stops the batch
        return _failed(item, PredictJobs.tr("cannot show the image ({reason})"), exc)
    return _result(item, topk, parts, image=item.image, facts=facts)


def _failed(item: InputItem, template: str, exc: BaseException) -> PredictionResult:
    """A row for an item that could not be predicted: ``template`` has a {reason}."""
    reason = errors.message(exc)
    return PredictionResult(item.name, item.path, [], template.format(reason=reason))


def expand_inputs(items: list[InputItem]) -> list[InputItem | PredictionResult]:
    """Folders -> their image files (recursively, sorted); empty folders -> an error row."""
    from core.predict import iter_image_files

    out: list[InputItem | PredictionResult] = []
    for item in items:
        if item.path is not None and os.path.isdir(item.path):
            files = iter_image_files([item.path])
            if not files:
                empty = PredictJobs.tr("this folder holds no image files")
                out.append(PredictionResult(item.name, item.path, [], empty))
            out.extend(InputItem(name=f, path=f) for f in files)
        else:
            out.append(item)
    return out


def labelled_folder_task(
    ctx: tasks.TaskContext, paths: list[str], class_names: list[str]
) -> tuple[str, list[str]]:
    """General pool: the first dropped folder labelled with the model's classes, and them.

    ("", []) when none is. Telling lists each folder and stats every entry, which on a
    network share or a folder of many thousand files takes seconds: never on the GUI
    thread, and beside the batch (which holds the model thread) so the offer comes first.
    """
    from core.evaluate import known_subfolders

    for path in paths:
        ctx.check()
        if os.path.isdir(path):
            classes = known_subfolders(path, class_names)
            if classes:
                return str(path), classes
    return "", []


class PartialResults:
    """Hands a batch's rows to the GUI in groups, in order (see PARTIAL_EVERY).

    A row may still be a Future of the display-copy thread; only the ready front of the
    queue goes out, so the model thread never waits for the copies, except when more than
    four groups are behind (which bounds the memory they hold) and at the end.
    """

    def __init__(
        self,
        emit: Callable[[list[PredictionResult]], None],
        every: int = PARTIAL_EVERY,
        seconds: float = PARTIAL_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._emit = emit
        self._every = every
        self._seconds = seconds
        self._clock = clock
        self._rows: deque[PredictionResult | Future] = deque()
        self._last = clock()

    def add(self, row: PredictionResult | Future) -> None:
        self._rows.append(row)
        if len(self._rows) >= 4 * self._every:
            self.flush(wait=True)
        elif len(self._rows) >= self._every or self._clock() - self._last >= self._seconds:
            self.flush()

    def flush(self, wait: bool = False) -> None:
        out: list[PredictionResult] = []
        rows = self._rows
        while rows and (wait or not isinstance(rows[0], Future) or rows[0].done()):
            row = rows.popleft()
            out.append(row.result() if isinstance(row, Future) else row)
        if out:
            self._last = self._clock()
            self._emit(out)


def _batch_row(predictor: Any, path: str, topk: list) -> PredictionResult:
    """Display thread: a predicted file's row with its display copies (no detail image)."""
    result = PredictionResult(path, path, [(str(c), float(p)) for c, p in topk])
    try:
        shown, _, result.facts = _picture(predictor, InputItem(path, path))
        result.view, result.thumb, _ = display_parts(shown, with_detail=False)
    except Exception:  # noqa: BLE001 - the row stays; showing it reads the file again
        pass
    return result


def _predict_files(
    ctx: tasks.TaskContext, predictor: Any, paths: list[str], k: int, out: PartialResults
) -> None:
    """Files through core's batched path (Predictor.predict_many), rows handed to ``out``.

    predict_many keeps only the model's input of each file; the display thread decodes the
    file again for its copies while the model works on the next batch (Pillow releases the
    GIL), so on two cores the copies add little time to the batch.
    """

    def on_result(prediction) -> None:
        if prediction.error is not None:
            out.add(PredictionResult(prediction.path, prediction.path, [], prediction.error))
        else:
            out.add(_DISPLAY.submit(_batch_row, predictor, prediction.path, prediction.topk))

    predictor.predict_many(paths, k=k, should_stop=lambda: ctx.cancelled, on_result=on_result)


def predict_task(
    ctx: tasks.TaskContext,
    predictor: Any,
    items: list[InputItem],
    k: int = TOP_K,
    prepared: PreparedFiles | None = None,
) -> tuple[int, list[PredictionResult]]:
    """Pool thread: predict what was dropped; returns (images, results not yielded yet).

    A single picture is done in a blink: no signal wakes the GUI thread, neither to
    compete with the forward pass for the cores and the GIL nor to take the result one hop
    before the task's own "finished" brings it. A batch yields its rows in groups through
    ``ctx.partial`` with ``ctx.progress`` beside them; runs of plain files go through
    core's batched path, raw images and files prepared while their drag hovered one by one.
    Cancelling stops between images; the rows made so far are still handed over.
    """
    entries = expand_inputs(items)
    total = len(entries)
    if total == 1:
        (entry,) = entries
        if isinstance(entry, PredictionResult):
            return total, [entry]
        ready = prepared.take(predictor, entry.path) if prepared is not None else None
        return total, [predict_one(predictor, entry, k, ready)]
    done = 0

    def emit(rows: list[PredictionResult]) -> None:
        nonlocal done
        done += len(rows)
        ctx.progress(done, total)
        ctx.partial(rows)

    out = PartialResults(emit)
    ctx.progress(0, total)
    files: list[str] = []
    for entry in entries:
        if ctx.cancelled:
            break
        ready = None
        if isinstance(entry, InputItem) and entry.image is None:
            ready = prepared.take(predictor, entry.path) if prepared is not None else None
            if ready is None:
                files.append(str(entry.path))
                continue
        if files:
            _predict_files(ctx, predictor, files, k, out)
            files = []
        if isinstance(entry, PredictionResult):
            out.add(entry)
        elif not ctx.cancelled:
            out.add(predict_one(predictor, entry, k, ready, with_detail=False))
    if files and not ctx.cancelled:
        _predict_files(ctx, predictor, files, k, out)
    out.flush(wait=True)
    ctx.check()
    return total, []


# --------------------------------------------------------------------------- Grad-CAM


def gradcam_task(
    ctx: tasks.TaskContext, predictor: Any, result: PredictionResult
) -> tuple[PredictionResult, np.ndarray, Image.Image, tuple | None]:
    """Pool thread: the top-1 class's Grad-CAM heatmap, to be drawn over the picture.

    Returns the heatmap (at the model's input size), the display copy of the picture as
    it came and where in that copy the model's input lies, (x, y, w, h): the eval
    pipeline's crop; None when the input is the whole picture (squashed to a square).
    """
    shown, image, _ = _picture(predictor, InputItem(result.name, result.path, result.image))
    ctx.check()
    names = list(predictor.class_names)
    index = names.index(result.top1) if result.top1 in names else None
    heat = np.asarray(predictor.gradcam(image, class_index=index), dtype=np.float32)
    view = _display_copy(shown)
    return result, heat, view, cam_box(predictor, shown.size, view.size)


def cam_box(
    predictor: Any, picture_size: tuple[int, int], view_size: tuple[int, int]
) -> tuple[float, float, float, float] | None:
    """Where the model's input lies in a view of a (w, h) picture: (x, y, w, h), or None.

    core.augment_checks.output_region follows the eval pipeline's Resize, crops and
    padding; None when the input covers the whole picture.
    """
    from core.augment_checks import output_region

    spec = (getattr(predictor, "bundle", None) or {}).get("eval_transforms")
    if not spec:
        return None
    width, height = picture_size
    top, left, box_h, box_w = output_region(spec, (height, width))
    if abs(top) < 0.5 and abs(left) < 0.5 and abs(box_h - height) < 1 and abs(box_w - width) < 1:
        return None
    scale = view_size[0] / max(1, width)
    return left * scale, top * scale, box_w * scale, box_h * scale
