"""The Predict panel: drop pictures, see what the saved model thinks and where it looked.

Everything heavy (loading a bundle, decoding images, the forward pass, Grad-CAM) runs in
``gui.tasks`` pool threads; this module only turns plain results into widgets. PyTorch and
the torch-importing core modules are imported inside the task functions, never at module
top, so the window can show before PyTorch has loaded.
"""

from __future__ import annotations

import itertools
import os
import queue
import threading
import weakref
from collections import OrderedDict, deque
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image
from PySide6.QtCore import QMimeData, QSettings, QSize, Qt, QTimer, Signal, Slot
from PySide6.QtGui import (
    QColor,
    QDragEnterEvent,
    QDropEvent,
    QGuiApplication,
    QIcon,
    QImage,
    QKeySequence,
    QPainter,
    QPixmap,
    QShortcut,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFileDialog,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QProgressBar,
    QPushButton,
    QSizePolicy,
    QSlider,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from core import IMAGE_EXTENSIONS
from gui import dnd, errors, tasks
from gui.imageutil import (
    heatmap_overlay,
    pil_to_qimage,
    qimage_to_pil,
    scaled_image,
    scaled_pixmap,
)
from gui.panel import Panel

IMAGE_FILTER = "Images (" + " ".join(f"*{e}" for e in IMAGE_EXTENSIONS) + ");;All files (*)"
MODEL_FILTER = "Model bundles (*.pt *.pth);;All files (*)"
TOP_K = 5
BUSY_DELAY_MS = 200  # a batch shows progress and Cancel only when it runs longer than this
KEPT_VIEWS = 256  # results of long batches keep display copies for the newest/last shown only
PREPARE_AHEAD = 4  # files of a hovering drag decoded and preprocessed before the drop
VIEW_SIZE = 320  # longest side of the copy kept for the detail view and the Grad-CAM overlay
THUMB_SIZE = 48  # table thumbnails
DETAIL_SIZE = 256
SETTINGS_MODEL = "predict/model_path"
SETTINGS_THRESHOLD = "predict/uncertain_below"
NO_MODEL_MESSAGE = (
    "No model loaded yet: train one in the Train tab, or use Open model... to load a "
    "best.pt bundle."
)
FILTER_ALL, FILTER_UNCERTAIN, FILTER_ERRORS = "All images", "Uncertain only", "Errors only"


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
    view: Image.Image | None = None  # display copy (<= VIEW_SIZE), model's channels
    thumb: QImage | None = None
    detail: QImage | None = None  # the view at DETAIL_SIZE, ready for the detail pane
    image: Image.Image | None = None  # raw data (no file) kept for Grad-CAM
    cam: np.ndarray | None = None
    cam_view: Image.Image | None = None  # the model-input image the heatmap refers to

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
    extra: dict = field(default_factory=dict)


# --------------------------------------------------------------------------- mime helpers


# --------------------------------------------------------------------------- worker functions


def model_fit_problem(info: ModelInfo) -> str | None:
    """A sentence saying why a loaded bundle cannot be used for prediction here, or None."""
    name = Path(info.path).name
    if info.in_channels not in (1, 3):
        return (
            f"'{name}' expects {info.in_channels}-channel input; only grey (1) or colour (3) "
            f"models can predict pictures. Retrain with 1 or 3 input channels."
        )
    names = list(info.class_names)
    if len(names) < 2:
        return f"'{name}' knows fewer than two classes; train it on at least two classes."
    if len(set(names)) != len(names):
        return f"'{name}' has duplicate class names; retrain it from a dataset with unique classes."
    declared = info.extra.get("num_classes")
    if declared is not None and int(declared) != len(names):
        return (
            f"'{name}' declares {declared} classes but names {len(names)}; the file is "
            f"inconsistent. Retrain the model or pick another bundle."
        )
    return None


def _model_info(path: str, predictor: Any) -> ModelInfo:
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
        extra=extra,
    )


def load_predictor_task(ctx: tasks.TaskContext, path: str) -> tuple[Any, ModelInfo]:
    """Pool thread: open a bundle as a Predictor and check it can predict pictures."""
    from core.predict import Predictor

    if not os.path.exists(path):
        raise FileNotFoundError(f"'{path}' does not exist: pick a best.pt from a run folder.")
    if os.path.isdir(path):
        best = Path(path) / "best.pt"
        if not best.is_file():
            raise ValueError(f"'{path}' is a folder without best.pt: pick a model file.")
        path = str(best)
    try:
        predictor = Predictor(path)
    except ValueError:  # BundleError and friends already say what went wrong
        raise
    except Exception as exc:  # e.g. weights that do not fit the declared architecture
        raise ValueError(
            f"'{Path(path).name}' could not be turned into a model ({exc}); pick a bundle "
            f"saved by ConvStudio (best.pt or last.pt)."
        ) from exc
    ctx.check()
    info = _model_info(path, predictor)
    problem = model_fit_problem(info)
    if problem:
        raise ValueError(problem)
    warm_up = getattr(predictor, "warm_up", None)
    if warm_up is not None:
        warm_up()  # the first dropped image then takes as long as any other
    return predictor, info


def expand_inputs(items: list[InputItem]) -> list[InputItem | PredictionResult]:
    """Folders -> their image files (recursively, sorted); empty folders -> an error row."""
    from core.predict import iter_image_files

    out: list[InputItem | PredictionResult] = []
    for item in items:
        if item.path is not None and os.path.isdir(item.path):
            files = iter_image_files([item.path])
            if not files:
                out.append(
                    PredictionResult(item.name, item.path, [], "this folder holds no image files")
                )
            out.extend(InputItem(name=f, path=f) for f in files)
        else:
            out.append(item)
    return out


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


def _thumb(view: Image.Image) -> QImage:
    return pil_to_qimage(_display_copy(view, THUMB_SIZE))


def display_parts(
    image: Image.Image, with_detail: bool = True
) -> tuple[Image.Image, QImage, QImage | None]:
    """The detail-view copy, the table thumbnail and (if asked) the detail image."""
    view = _display_copy(image)
    detail = scaled_image(pil_to_qimage(view), DETAIL_SIZE) if with_detail else None
    return view, _thumb(view), detail


def view_task(
    ctx: tasks.TaskContext, predictor: Any, path: str
) -> tuple[Image.Image, QImage, QImage | None]:
    """General pool: the display copies of a result whose copies were let go (no model)."""
    return display_parts(_input_image(predictor, InputItem(path, path)))


# One helper thread makes the display copies while the model thread preprocesses and
# classifies the same picture: Pillow releases the GIL while resizing, so on two cores
# the copies cost no time on the way to the result.
_DISPLAY = ThreadPoolExecutor(max_workers=1, thread_name_prefix="predict-display")


def _input_image(predictor: Any, item: InputItem) -> Image.Image:
    """The picture in the model's channels; ImageLoadError for files that cannot be used."""
    return predictor.load(item.image if item.image is not None else item.path)


@dataclass
class Prepared:
    """One file decoded and preprocessed ahead: the model's input and the display copies."""

    owner: weakref.ref  # the Predictor whose eval transforms made ``tensor``
    tensor: Any
    view: Image.Image
    thumb: QImage
    detail: QImage


class PreparedFiles:
    """Files prepared while a drag hovers, each taken once by the prediction of its drop.

    Keyed by path, size and modification time, so a file changed in between is read
    again; at most ``size`` entries, the oldest dropped first. Thread-safe.
    """

    def __init__(self, size: int = 2 * PREPARE_AHEAD) -> None:
        self._size = size
        self._lock = threading.Lock()
        self._items: OrderedDict[tuple, Prepared] = OrderedDict()

    @staticmethod
    def key(path: str) -> tuple | None:
        try:
            stat = os.stat(path)
        except OSError:
            return None
        return (os.path.abspath(path), stat.st_size, stat.st_mtime_ns)

    def __len__(self) -> int:
        with self._lock:
            return len(self._items)

    def has(self, key: tuple | None) -> bool:
        with self._lock:
            return key in self._items

    def put(self, key: tuple, prepared: Prepared) -> None:
        with self._lock:
            self._items[key] = prepared
            while len(self._items) > self._size:
                self._items.popitem(last=False)

    def take(self, predictor: Any, path: str | None) -> Prepared | None:
        """The entry for ``path`` if the same, unchanged file was prepared by ``predictor``."""
        if path is None or not len(self):
            return None
        key = self.key(path)
        with self._lock:
            prepared = self._items.pop(key, None) if key is not None else None
        if prepared is None or prepared.owner() is not predictor:
            return None
        return prepared

    def clear(self) -> None:
        with self._lock:
            self._items.clear()


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
            image = _input_image(predictor, InputItem(path, path))
            display = _DISPLAY.submit(display_parts, image)
            tensor = predictor.preprocess(image, loaded=True)
            view, thumb, detail = display.result()
        except (ImageLoadError, OSError, ValueError, RuntimeError):
            continue
        prepared.put(key, Prepared(weakref.ref(predictor), tensor, view, thumb, detail))
        count += 1
    return count


def predict_one(
    predictor: Any,
    item: InputItem,
    lock: threading.Lock,
    k: int = TOP_K,
    prepared: PreparedFiles | None = None,
    with_detail: bool = True,
):
    """Decode, classify and prepare the display of one item; errors become the row's error.

    A file found in ``prepared`` (read while its drag hovered) only needs the forward pass.
    ``with_detail``: also scale the detail-pane image here (a single drop shows it at once;
    rows of a batch scale theirs when selected).
    """
    from core.data import ImageLoadError

    ready = prepared.take(predictor, item.path) if prepared is not None else None
    if ready is not None:
        try:
            with lock:
                topk = predictor.predict_preprocessed(ready.tensor, k=k)
        except Exception as exc:  # one bad image never stops the batch
            return PredictionResult(item.name, item.path, [], f"prediction failed: {exc}")
        return PredictionResult(
            name=item.name,
            path=item.path,
            topk=[(str(c), float(p)) for c, p in topk],
            view=ready.view,
            thumb=ready.thumb,
            detail=ready.detail,
        )
    try:
        image = _input_image(predictor, item)
    except ImageLoadError as exc:
        return PredictionResult(item.name, item.path, [], str(exc))
    except OSError as exc:
        return PredictionResult(item.name, item.path, [], f"cannot read the file ({exc})")
    display = _DISPLAY.submit(display_parts, image, with_detail)
    try:
        with lock:
            topk = predictor.predict(image, k=k, loaded=True)
    except Exception as exc:  # one bad image never stops the batch
        display.cancel()
        return PredictionResult(item.name, item.path, [], f"prediction failed: {exc}")
    try:
        view, thumb, detail = display.result()
    except Exception as exc:  # noqa: BLE001 - one picture's display never stops the batch
        return PredictionResult(item.name, item.path, [], f"cannot show the image ({exc})")
    return PredictionResult(
        name=item.name,
        path=item.path,
        topk=[(str(c), float(p)) for c, p in topk],
        view=view,
        thumb=thumb,
        detail=detail,
        image=item.image,
    )


def predict_task(
    ctx: tasks.TaskContext,
    predictor: Any,
    items: list[InputItem],
    lock: threading.Lock,
    out: queue.SimpleQueue,
    k: int = TOP_K,
    prepared: PreparedFiles | None = None,
) -> int:
    """Pool thread: predict items one by one, handing each result over through ``out``.

    Results travel through a queue that the GUI drains on every progress signal, so
    rows appear while the batch runs; cancelling stops between images.
    """
    entries = expand_inputs(items)
    total = len(entries)
    # A single image is done in a blink: no progress signal wakes the GUI thread, neither
    # to compete with the forward pass for the cores and the GIL nor to take the result
    # one hop before the task's own "finished" brings it.
    single = total == 1
    if not single:
        ctx.progress(0, total)
    for done, entry in enumerate(entries, start=1):
        ctx.check()
        result = (
            entry
            if isinstance(entry, PredictionResult)
            else predict_one(predictor, entry, lock, k, prepared, with_detail=single)
        )
        out.put(result)
        if not single:
            ctx.progress(done, total)
    return total


def model_view(predictor: Any, image: Image.Image) -> Image.Image | None:
    """The image as the model receives it (after its eval transforms), for the overlay."""
    from core.augment import unnormalize

    spec = (getattr(predictor, "bundle", None) or {}).get("eval_transforms")
    if spec is None:
        return None
    tensor = predictor.preprocess(image, loaded=True)
    arr = (unnormalize(tensor, spec).numpy() * 255.0).round().astype(np.uint8)
    if arr.shape[0] == 1:
        return Image.fromarray(arr[0], "L")
    return Image.fromarray(np.transpose(arr[:3], (1, 2, 0)), "RGB")


def gradcam_task(
    ctx: tasks.TaskContext, predictor: Any, result: PredictionResult, lock: threading.Lock
) -> tuple[PredictionResult, np.ndarray, Image.Image]:
    """Pool thread: the Grad-CAM heatmap of the top-1 class and the image it refers to."""
    item = InputItem(result.name, result.path, result.image)
    image = _input_image(predictor, item)
    ctx.check()
    index = None
    names = list(predictor.class_names)
    if result.top1 in names:
        index = names.index(result.top1)
    with lock:
        heat = np.asarray(predictor.gradcam(image, class_index=index), dtype=np.float32)
    view = model_view(predictor, image)
    if view is None:  # no spec known: stretch the whole picture under the map
        view = _display_copy(image)
    return result, heat, view


# --------------------------------------------------------------------------- widgets


class DropZone(QFrame):
    """A framed area that accepts files, folders, local URLs and raw image data."""

    paths_dropped = Signal(list)
    images_dropped = Signal(list)
    drop_rejected = Signal(str)
    drag_entered = Signal(object)  # the drag's QMimeData, valid during the emit only

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAcceptDrops(True)
        self.setObjectName("dropZone")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setMinimumHeight(90)
        self._label = QLabel(
            "Drop images or folders here\n(or use Open images..., or paste with Ctrl+V)", self
        )
        self._label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self._label.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addWidget(self._label)
        self._set_highlight(False)

    def _set_highlight(self, on: bool) -> None:
        colour = "#3d7edb" if on else "#8a8a8a"
        self.setStyleSheet(
            f"QFrame#dropZone {{ border: 2px dashed {colour}; border-radius: 8px; }}"
        )

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:  # noqa: N802 (Qt name)
        if dnd.has_input(event.mimeData()):
            event.acceptProposedAction()
            self._set_highlight(True)
            self.drag_entered.emit(event.mimeData())
        else:
            event.ignore()

    def dragMoveEvent(self, event) -> None:  # noqa: N802
        if dnd.has_input(event.mimeData()):
            event.acceptProposedAction()

    def dragLeaveEvent(self, event) -> None:  # noqa: N802
        self._set_highlight(False)
        super().dragLeaveEvent(event)

    def dropEvent(self, event: QDropEvent) -> None:  # noqa: N802
        self._set_highlight(False)
        paths, images, problems = dnd.inputs(event.mimeData())
        if not (paths or images or problems):
            event.ignore()
            return
        event.acceptProposedAction()
        if problems:
            self.drop_rejected.emit(" ".join(problems))
        if paths:
            self.paths_dropped.emit(paths)
        if images:
            self.images_dropped.emit(images)


class TopKBars(QWidget):
    """Painted horizontal bars: class names and probabilities, best first."""

    BAR_COLOUR = QColor("#3d7edb")
    UNCERTAIN_COLOUR = QColor("#d98c1f")

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._topk: list[tuple[str, float]] = []
        self._uncertain = False
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setMinimumHeight(self._row_height() * TOP_K + 4)

    def _row_height(self) -> int:
        return self.fontMetrics().height() + 8

    def set_topk(self, topk: list[tuple[str, float]], uncertain: bool = False) -> None:
        self._topk = list(topk)
        self._uncertain = uncertain
        self.setToolTip("\n".join(f"{n}: {p:.1%}" for n, p in self._topk))
        self.update()

    def topk(self) -> list[tuple[str, float]]:
        return list(self._topk)

    def sizeHint(self) -> QSize:  # noqa: N802
        return QSize(320, self._row_height() * TOP_K + 4)

    def paintEvent(self, event) -> None:  # noqa: N802
        painter = QPainter(self)
        try:
            self._paint(painter)
        finally:
            painter.end()

    def _paint(self, painter: QPainter) -> None:
        metrics = self.fontMetrics()
        row = self._row_height()
        names_w = min(
            self.width() // 3, max((metrics.horizontalAdvance(n) for n, _ in self._topk), default=0)
        )
        value_w = metrics.horizontalAdvance("100.0%") + 6
        bar_x = names_w + 8
        bar_w = max(1, self.width() - bar_x - value_w)
        text = self.palette().color(self.foregroundRole())
        for i, (name, prob) in enumerate(self._topk):
            y = 2 + i * row
            colour = self.UNCERTAIN_COLOUR if (self._uncertain and i == 0) else self.BAR_COLOUR
            if i > 0:
                colour = colour.lighter(130)
            painter.setPen(text)
            elided = metrics.elidedText(name, Qt.TextElideMode.ElideRight, names_w)
            painter.drawText(0, y, names_w, row - 2, Qt.AlignmentFlag.AlignVCenter, elided)
            painter.fillRect(bar_x, y + 3, max(1, int(bar_w * prob)), row - 8, colour)
            painter.drawText(
                bar_x + bar_w + 4,
                y,
                value_w,
                row - 2,
                Qt.AlignmentFlag.AlignVCenter,
                f"{prob:.1%}",
            )


class _SortItem(QTableWidgetItem):
    """A table cell that sorts by a number stored in UserRole, not by its text."""

    def __lt__(self, other: QTableWidgetItem) -> bool:
        a = self.data(Qt.ItemDataRole.UserRole)
        b = other.data(Qt.ItemDataRole.UserRole)
        if isinstance(a, (int, float)) and isinstance(b, (int, float)):
            return a < b
        return super().__lt__(other)


COLUMNS = ("", "File", "Top-1", "Probability", "Top-5", "Error")
COL_THUMB, COL_FILE, COL_TOP1, COL_PROB, COL_TOPK, COL_ERROR = range(len(COLUMNS))


# --------------------------------------------------------------------------- the panel


class PredictPanel(Panel):
    """Drop images on a trained model: top-5 bars, Grad-CAM, a results table and CSV export."""

    title = "Predict"

    model_loaded = Signal(str)
    model_failed = Signal(str)
    predictions_ready = Signal(object)  # list[PredictionResult] of one finished batch
    busy_changed = Signal(bool)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAcceptDrops(True)
        self._predictor: Any = None
        self._info: ModelInfo | None = None
        self._model_lock = threading.Lock()
        self._load_handle: tasks.TaskHandle | None = None
        self._loading_path: str | None = None
        self._batch_handle: tasks.TaskHandle | None = None
        self._batch_results: list[PredictionResult] = []
        self._batch_total = 0
        self._queue: queue.SimpleQueue = queue.SimpleQueue()
        self._pending: list[list[InputItem]] = []
        self._cam_handle: tasks.TaskHandle | None = None
        self._prepare_handle: tasks.TaskHandle | None = None
        self._prepared = PreparedFiles()  # files read while their drag hovered
        self._viewed: deque[PredictionResult] = deque()  # results holding display copies
        self._view_handle: tasks.TaskHandle | None = None
        self._view_for: PredictionResult | None = None
        self._no_view: dict[int, str] = {}  # results whose file could not be read again
        self._results: list[PredictionResult] = []
        self._by_key: dict[int, PredictionResult] = {}  # table rows find results in O(1)
        self._classes: list[str] = []  # predicted classes not in the model's list
        self._shown: PredictionResult | None = None
        self._raw_counter = itertools.count(1)
        self._build_ui()
        self._show_model_info()
        self._set_message(NO_MODEL_MESSAGE, "info")

    # ----------------------------------------------------------------- layout

    def _build_ui(self) -> None:
        root = QVBoxLayout(self)
        root.addWidget(self._build_model_box())
        self.message_label = QLabel(self)
        self.message_label.setWordWrap(True)
        self.message_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        root.addWidget(self.message_label)
        splitter = QSplitter(Qt.Orientation.Horizontal, self)
        splitter.addWidget(self._build_left())
        splitter.addWidget(self._build_right())
        splitter.setStretchFactor(1, 1)
        root.addWidget(splitter, 1)
        self._paste_shortcut = QShortcut(QKeySequence.StandardKey.Paste, self)
        self._paste_shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self._paste_shortcut.activated.connect(self.paste_from_clipboard)

    def _build_model_box(self) -> QGroupBox:
        box = QGroupBox("Model", self)
        layout = QHBoxLayout(box)
        self.model_label = QLabel(box)
        self.model_label.setWordWrap(True)
        self.model_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.model_label, 1)
        self.open_model_button = QPushButton("Open model...", box)
        self.open_model_button.setToolTip("Load a model bundle (best.pt or last.pt of a run).")
        self.open_model_button.clicked.connect(self._choose_model)
        layout.addWidget(self.open_model_button)
        return box

    def _build_left(self) -> QWidget:
        left = QWidget(self)
        layout = QVBoxLayout(left)
        self.drop_zone = DropZone(left)
        self.drop_zone.paths_dropped.connect(self.predict_paths)
        self.drop_zone.images_dropped.connect(self._predict_qimages)
        self.drop_zone.drop_rejected.connect(lambda text: self._set_message(text, "error"))
        self.drop_zone.drag_entered.connect(self.prepare_drag)
        layout.addWidget(self.drop_zone)
        layout.addLayout(self._build_buttons(left))
        layout.addLayout(self._build_options(left))
        self.image_label = QLabel(left)
        self.image_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.image_label.setMinimumSize(DETAIL_SIZE, DETAIL_SIZE)
        layout.addWidget(self.image_label)
        self.class_label = QLabel(left)
        font = self.class_label.font()
        font.setPointSizeF(font.pointSizeF() * 1.4)
        font.setBold(True)
        self.class_label.setFont(font)
        self.class_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout.addWidget(self.class_label)
        self.uncertain_label = QLabel(left)
        self.uncertain_label.setStyleSheet("color: #b86e00; font-weight: bold;")
        self.uncertain_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.uncertain_label.hide()
        layout.addWidget(self.uncertain_label)
        self.bars = TopKBars(left)
        layout.addWidget(self.bars)
        layout.addStretch(1)
        return left

    def _build_buttons(self, parent: QWidget) -> QHBoxLayout:
        row = QHBoxLayout()
        self.open_images_button = QPushButton("Open images...", parent)
        self.open_images_button.clicked.connect(self._choose_images)
        self.open_folder_button = QPushButton("Open folder...", parent)
        self.open_folder_button.clicked.connect(self._choose_folder)
        self.paste_button = QPushButton("Paste", parent)
        self.paste_button.setToolTip("Predict the image or files on the clipboard (Ctrl+V).")
        self.paste_button.clicked.connect(self.paste_from_clipboard)
        for button in (self.open_images_button, self.open_folder_button, self.paste_button):
            row.addWidget(button)
        return row

    def _build_options(self, parent: QWidget) -> QHBoxLayout:
        row = QHBoxLayout()
        row.addWidget(QLabel("Uncertain below", parent))
        self.threshold_spin = QDoubleSpinBox(parent)
        self.threshold_spin.setRange(0.0, 100.0)
        self.threshold_spin.setDecimals(0)
        self.threshold_spin.setSingleStep(5.0)
        self.threshold_spin.setSuffix(" %")
        self.threshold_spin.setToolTip(
            "Mark a prediction as uncertain when its top probability is below this value."
        )
        self.threshold_spin.setValue(float(QSettings().value(SETTINGS_THRESHOLD, 60.0, float)))
        self.threshold_spin.valueChanged.connect(self._on_threshold_changed)
        row.addWidget(self.threshold_spin)
        self.gradcam_check = QCheckBox("Grad-CAM", parent)
        self.gradcam_check.setToolTip("Overlay where the model looked (last convolutional block).")
        self.gradcam_check.toggled.connect(self._on_gradcam_toggled)
        row.addWidget(self.gradcam_check)
        self.opacity_slider = QSlider(Qt.Orientation.Horizontal, parent)
        self.opacity_slider.setRange(0, 100)
        self.opacity_slider.setValue(50)
        self.opacity_slider.setToolTip("Heatmap opacity")
        self.opacity_slider.setEnabled(False)
        self.opacity_slider.valueChanged.connect(self._refresh_image)
        opacity_label = QLabel("opacity", parent)
        opacity_label.setToolTip("Heatmap opacity")
        row.addWidget(opacity_label)
        row.addWidget(self.opacity_slider, 1)
        return row

    def _build_right(self) -> QWidget:
        right = QWidget(self)
        layout = QVBoxLayout(right)
        top = QHBoxLayout()
        top.addWidget(QLabel("Show", right))
        self.filter_combo = QComboBox(right)
        self.filter_combo.setToolTip("Show only images predicted as one class.")
        self.filter_combo.addItems([FILTER_ALL, FILTER_UNCERTAIN, FILTER_ERRORS])
        self.filter_combo.currentIndexChanged.connect(self._apply_filter)
        top.addWidget(self.filter_combo, 1)
        self.export_button = QPushButton("Export CSV...", right)
        self.export_button.setToolTip("Write one row per image: path,top1,prob,top2,prob2,...")
        self.export_button.clicked.connect(self._choose_csv)
        top.addWidget(self.export_button)
        self.clear_button = QPushButton("Clear", right)
        self.clear_button.clicked.connect(self.clear_results)
        top.addWidget(self.clear_button)
        self.export_button.setEnabled(False)  # nothing to export or clear yet
        self.clear_button.setEnabled(False)
        layout.addLayout(top)
        layout.addWidget(self._build_table(right), 1)
        bottom = QHBoxLayout()
        self.progress_bar = QProgressBar(right)
        self.progress_bar.setFormat("%v / %m images")
        self.cancel_button = QPushButton("Cancel", right)
        self.cancel_button.clicked.connect(self.cancel)
        bottom.addWidget(self.progress_bar, 1)
        bottom.addWidget(self.cancel_button)
        layout.addLayout(bottom)
        self._set_busy_widgets(False)
        # Progress and Cancel appear only for batches that take a while: a single drop
        # finishes first, and no animated bar competes with the forward pass for the CPU.
        self._busy_timer = QTimer(self)
        self._busy_timer.setSingleShot(True)
        self._busy_timer.setInterval(BUSY_DELAY_MS)
        self._busy_timer.timeout.connect(self._show_busy)
        return right

    def _build_table(self, parent: QWidget) -> QTableWidget:
        table = QTableWidget(0, len(COLUMNS), parent)
        table.setHorizontalHeaderLabels(list(COLUMNS))
        table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        table.setIconSize(QSize(THUMB_SIZE, THUMB_SIZE))
        table.verticalHeader().setDefaultSectionSize(THUMB_SIZE + 4)
        table.verticalHeader().hide()
        table.setWordWrap(False)
        table.setTextElideMode(Qt.TextElideMode.ElideRight)
        header = table.horizontalHeader()
        header.setSectionResizeMode(COL_TOPK, QHeaderView.ResizeMode.Stretch)
        for column in (COL_TOP1, COL_PROB):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        table.setColumnWidth(COL_THUMB, THUMB_SIZE + 8)
        table.setColumnWidth(COL_FILE, 170)
        table.setColumnWidth(COL_ERROR, 160)
        table.setSortingEnabled(True)
        header.setSortIndicator(-1, Qt.SortOrder.DescendingOrder)  # insertion order until a click
        table.itemSelectionChanged.connect(self._on_selection_changed)
        self.table = table
        return table

    # ----------------------------------------------------------------- public API

    @property
    def predictor(self) -> Any:
        return self._predictor

    def model_info(self) -> ModelInfo | None:
        return self._info

    def results(self) -> list[PredictionResult]:
        return list(self._results)

    def message(self) -> str:
        return self.message_label.text()

    def is_busy(self) -> bool:
        return self._batch_handle is not None or self._load_handle is not None

    def threshold(self) -> float:
        return self.threshold_spin.value() / 100.0

    def on_torch_ready(self) -> None:
        """Reload the last model the user had, once PyTorch can be imported."""
        if self._predictor is not None or self._load_handle is not None:
            return
        path = QSettings().value(SETTINGS_MODEL, "", str)
        if path and os.path.isfile(path):
            self.load_model(path)

    def load_model(self, path: str | os.PathLike) -> None:
        """Load a bundle off the GUI thread; the current model stays until the new one works."""
        path = str(path)
        if self._load_handle is not None:
            self._load_handle.cancel()
        self._loading_path = path
        self._set_message(f"Loading model '{path}' ...", "info")
        handle = tasks.run_task(
            load_predictor_task,
            path,
            on_finished=self._on_model_loaded,
            on_error=self._on_model_error,
            lane=self._model_lane(),
        )
        handle.done.connect(self._on_load_done)
        self._load_handle = handle

    def _model_lane(self) -> str:
        """Where to load a model or draw Grad-CAM: the model thread, unless a batch holds it.

        Predictions always run on the model thread (see gui.tasks); a load or a heatmap
        asked for during a long batch goes to the general pool instead of waiting for it.
        """
        return "model" if self._batch_handle is None else "general"

    def predict_paths(self, paths: list[str]) -> None:
        """Predict files and folders (walked recursively); drops on the window end here."""
        items = [InputItem(name=str(p), path=str(p)) for p in paths if str(p)]
        if items:
            self._submit(items)

    def predict_image(self, image: QImage) -> None:
        """Predict raw image data (a drop from another application or the clipboard)."""
        if isinstance(image, QPixmap):
            image = image.toImage()
        if not isinstance(image, QImage) or image.isNull():
            self._set_message("The image data is empty or unreadable.", "error")
            return
        name = f"pasted image {next(self._raw_counter)}"
        self._submit([InputItem(name=name, image=qimage_to_pil(image))])

    def paste_from_clipboard(self) -> None:
        """Ctrl+V: image data or copied files on the clipboard."""
        mime = QGuiApplication.clipboard().mimeData()
        if mime is None:
            self._set_message(
                "The clipboard is empty: copy an image or image files first.", "error"
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
                "The clipboard holds no image: copy an image or image files first.", "error"
            )

    def cancel(self) -> None:
        """Stop the running batch between two images and drop the queued ones."""
        self._pending.clear()
        if self._batch_handle is not None:
            self._batch_handle.cancel()

    def clear_results(self) -> None:
        self._results.clear()
        self._viewed.clear()
        self._no_view.clear()
        self._by_key.clear()
        self._classes.clear()
        self._shown = None
        self.table.setRowCount(0)
        self._show_result(None)
        self._refresh_filter_classes()
        self.export_button.setEnabled(False)
        self.clear_button.setEnabled(False)

    def export_csv(self, path: str | os.PathLike) -> int:
        """Write every result in core.predict.write_csv's format; returns the row count."""
        if not self._results:
            self._set_message("Nothing to export yet: drop some images first.", "error")
            return 0
        from core.predict import write_csv

        try:
            write_csv([r.to_prediction() for r in self._results], str(path), k=TOP_K)
        except OSError as exc:
            self._set_message(f"Could not write '{path}': {exc}. Choose another place.", "error")
            return 0
        self._set_message(f"Exported {len(self._results)} rows to '{path}'.", "info")
        return len(self._results)

    def shutdown(self) -> None:
        """Cancel every task this panel started (the window calls tasks.shutdown after)."""
        self.cancel()
        for handle in (
            self._load_handle,
            self._cam_handle,
            self._prepare_handle,
            self._view_handle,
        ):
            if handle is not None:
                handle.cancel()

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
        if (
            not paths
            or self._predictor is None
            or self._batch_handle is not None
            or self._prepare_handle is not None
            or self._loading_path is not None
        ):
            return
        handle = tasks.run_task(
            prepare_task, self._predictor, list(paths), self._prepared, lane="model"
        )
        handle.done.connect(self._on_prepare_done)
        self._prepare_handle = handle

    @Slot()
    def _on_prepare_done(self) -> None:
        if self.sender() is self._prepare_handle:
            self._prepare_handle = None

    # ----------------------------------------------------------------- model loading

    @Slot(object)
    def _on_model_loaded(self, result: tuple[Any, ModelInfo]) -> None:
        if self.sender() is not self._load_handle:
            return  # a newer load_model call superseded this one
        predictor, info = result
        self._predictor, self._info = predictor, info
        self._loading_path = None  # drops that waited for this model may go now
        self._prepared.clear()  # prepared with the previous model's transforms
        QSettings().setValue(SETTINGS_MODEL, info.path)
        self._show_model_info()
        for result_ in self._results:  # heatmaps belong to the model that made them
            result_.cam = result_.cam_view = None
        self._set_message(
            f"Model loaded: {info.arch}, {len(info.class_names)} classes. Drop images to "
            f"classify them.",
            "info",
        )
        self.model_loaded.emit(info.path)
        self._start_next()
        self._refresh_image()

    @Slot(object)
    def _on_model_error(self, error: BaseException) -> None:
        message = errors.message(error)
        if self.sender() is not self._load_handle:
            return
        text = f"Could not load the model: {message}"
        if self._info is not None:
            text += f" The previous model ({Path(self._info.path).name}) is still in use."
        self._set_message(text, "error")
        self.model_failed.emit(message)

    @Slot()
    def _on_load_done(self) -> None:
        if self.sender() is self._load_handle:
            self._load_handle = None
            self._loading_path = None
            if self._predictor is None and self._pending:
                count = sum(len(b) for b in self._pending)
                self._set_message(
                    f"{self.message()} {count} dropped item(s) wait for a model.", "error"
                )
            else:  # a failed load: what waited for it goes to the model still in use
                self._start_next()

    def _show_model_info(self) -> None:
        info = self._info
        if info is None:
            self.model_label.setText("<i>No model loaded.</i>")
            self.gradcam_check.setEnabled(False)
            self.gradcam_check.setToolTip("Load a model first.")
            return
        names = ", ".join(info.class_names[:12]) + (" ..." if len(info.class_names) > 12 else "")
        acc = "n/a" if info.val_acc is None else f"{info.val_acc:.2%}"
        channels = "grey" if info.in_channels == 1 else "colour"
        self.model_label.setText(
            f"<b>{info.arch}</b> &nbsp; {len(info.class_names)} classes: {names}<br>"
            f"input {info.input_size} ({channels}) &nbsp; validation accuracy {acc}<br>"
            f"<small>{info.path}</small>"
        )
        self.model_label.setToolTip(info.path)
        self.gradcam_check.setEnabled(info.supports_gradcam)
        if info.supports_gradcam:
            self.gradcam_check.setToolTip(
                "Overlay where the model looked (Grad-CAM on the last convolutional block)."
            )
        else:
            self.gradcam_check.setChecked(False)
            self.gradcam_check.setToolTip(
                f"Grad-CAM needs convolutional layers; the {info.arch} model has none."
            )
        self._refresh_filter_classes()

    # ----------------------------------------------------------------- batches

    def _submit(self, items: list[InputItem]) -> None:
        self._pending.append(items)
        if self._loading_path is not None:
            # The model asked for last predicts them, not the one on its way out.
            self._set_message("The model is still loading; the images follow.", "info")
        elif self._predictor is None:
            self._set_message(NO_MODEL_MESSAGE, "error")
        elif self._batch_handle is None:
            self._start_next()

    def _start_next(self) -> None:
        if (
            self._batch_handle is not None
            or not self._pending
            or self._predictor is None
            or self._loading_path is not None
        ):
            return
        items = [item for batch in self._pending for item in batch]
        self._pending.clear()
        self._queue = queue.SimpleQueue()
        self._batch_results = []
        self._batch_total = 0
        handle = tasks.run_task(
            predict_task,
            self._predictor,
            items,
            self._model_lock,
            self._queue,
            prepared=self._prepared,
            on_finished=self._on_batch_finished,
            on_error=self._on_batch_error,
            on_progress=self._on_progress,
            lane="model",
        )
        handle.aborted.connect(self._on_batch_aborted)
        handle.done.connect(self._on_batch_done)
        self._batch_handle = handle
        self._busy_timer.start()
        self.busy_changed.emit(True)

    @Slot()
    def _show_busy(self) -> None:
        if self._batch_handle is not None:
            self._set_busy_widgets(True)

    def _set_busy_widgets(self, busy: bool) -> None:
        self.progress_bar.setVisible(busy)
        self.cancel_button.setVisible(busy)
        self.cancel_button.setEnabled(busy)
        if busy:
            self.progress_bar.setRange(0, 0)

    @Slot(int, int)
    def _on_progress(self, done: int, total: int) -> None:
        self._batch_total = total
        self.progress_bar.setRange(0, max(1, total))
        self.progress_bar.setValue(done)
        self._drain()

    def _drain(self) -> None:
        new: list[PredictionResult] = []
        while True:
            try:
                new.append(self._queue.get_nowait())
            except queue.Empty:
                break
        if new:
            self._add_results(new)

    @Slot(object)
    def _on_batch_finished(self, total: int) -> None:
        self._drain()
        results = list(self._batch_results)
        errors = sum(1 for r in results if r.error)
        if total == 0:
            self._set_message("No image files found in what was dropped.", "error")
        elif errors:
            self._set_message(
                f"Predicted {len(results) - errors} of {len(results)} images; {errors} could "
                f"not be used (see the Error column).",
                "error",
            )
        else:
            self._set_message(f"Predicted {len(results)} image(s).", "info")
        self.predictions_ready.emit(results)

    @Slot(object)
    def _on_batch_error(self, error: BaseException) -> None:
        message = errors.message(error)
        self._drain()
        self._set_message(f"Prediction stopped: {message}", "error")

    @Slot()
    def _on_batch_aborted(self) -> None:
        self._drain()
        self._set_message(
            f"Cancelled after {len(self._batch_results)} of {self._batch_total} images.", "info"
        )

    @Slot()
    def _on_batch_done(self) -> None:
        if self.sender() is not self._batch_handle:
            return
        self._batch_handle = None
        self._busy_timer.stop()
        self._set_busy_widgets(False)
        if self._pending:
            self._start_next()
        else:
            self.busy_changed.emit(False)

    # ----------------------------------------------------------------- results table

    def _add_results(self, new: list[PredictionResult]) -> None:
        first_of_batch = not self._batch_results
        self._batch_results.extend(new)
        self._results.extend(new)
        known = set(self._info.class_names if self._info else []) | set(self._classes)
        for result in new:
            self._by_key[id(result)] = result
            self._keep_view(result)
            if result.top1 and result.top1 not in known:
                self._classes.append(result.top1)
                known.add(result.top1)
        self.table.setSortingEnabled(False)
        for result in new:
            self._append_row(result)
        self.table.setSortingEnabled(True)
        self._refresh_filter_classes()
        self.export_button.setEnabled(bool(self._results))
        self.clear_button.setEnabled(bool(self._results))
        if self.filter_combo.currentText() not in ("", FILTER_ALL):
            self._apply_filter()
        if first_of_batch:
            self._select_result(new[0])
        self._trim_views()

    def _keep_view(self, result: PredictionResult) -> None:
        """Note that ``result`` holds display copies; _trim_views lets the oldest go.

        A 320 px copy is ~230 KB, so a folder of thousands would hold gigabytes. Results
        read from files get theirs back from disk when shown again (see _refresh_image).
        """
        if result.view is not None and result.path is not None:
            self._viewed.append(result)

    def _trim_views(self) -> None:
        excess = len(self._viewed) - KEPT_VIEWS
        for _ in range(len(self._viewed)):  # one pass at most: the shown one stays
            if excess <= 0:
                break
            old = self._viewed.popleft()
            if old is self._shown:
                self._viewed.append(old)
                continue
            old.view = old.detail = old.cam_view = None
            old.cam = None
            excess -= 1

    def _request_view(self, result: PredictionResult) -> None:
        if id(result) in self._no_view:
            self.image_label.setText(self._no_view[id(result)])
            return
        if self._view_handle is not None or self._predictor is None or result.path is None:
            return
        handle = tasks.run_task(
            view_task,
            self._predictor,
            result.path,
            on_finished=self._on_view_ready,
            on_error=self._on_view_error,
        )
        handle.done.connect(self._on_view_done)
        self._view_handle, self._view_for = handle, result

    @Slot(object)
    def _on_view_ready(self, parts: tuple) -> None:
        result = self._view_for
        if result is None or id(result) not in self._by_key:
            return  # cleared meanwhile
        result.view, result.thumb, result.detail = parts
        self._keep_view(result)
        self._trim_views()
        if self._shown is result:
            self._refresh_image()

    @Slot(object)
    def _on_view_error(self, error: BaseException) -> None:
        message = errors.message(error)
        result = self._view_for
        if result is None:
            return
        text = f"Cannot show the picture again: {message}"
        self._no_view[id(result)] = text  # asked once, not again on every showing
        if self._shown is result:
            self.image_label.setText(text)

    @Slot()
    def _on_view_done(self) -> None:
        if self.sender() is self._view_handle:
            self._view_handle = self._view_for = None
            shown = self._shown
            if (
                shown is not None
                and shown.view is None
                and shown.path
                and not shown.error
                and id(shown) not in self._no_view
            ):
                self._request_view(shown)  # the selection moved on while this one loaded

    def _append_row(self, result: PredictionResult) -> None:
        row = self.table.rowCount()
        self.table.insertRow(row)
        thumb = QTableWidgetItem()
        if result.thumb is not None:
            thumb.setIcon(QIcon(QPixmap.fromImage(result.thumb)))
        file_item = _SortItem(Path(result.name).name if result.path else result.name)
        file_item.setToolTip(result.name)
        file_item.setData(Qt.ItemDataRole.UserRole + 1, id(result))
        prob = _SortItem("" if result.error else f"{result.prob:.1%}")
        prob.setData(Qt.ItemDataRole.UserRole, -1.0 if result.error else result.prob)
        topk = ", ".join(f"{n} {p:.0%}" for n, p in result.topk)
        topk_item = QTableWidgetItem(topk)
        topk_item.setToolTip("\n".join(f"{n}: {p:.1%}" for n, p in result.topk))
        error_item = QTableWidgetItem(result.error or "")
        error_item.setToolTip(result.error or "")
        cells = {
            COL_THUMB: thumb,
            COL_FILE: file_item,
            COL_TOP1: QTableWidgetItem(result.top1),
            COL_PROB: prob,
            COL_TOPK: topk_item,
            COL_ERROR: error_item,
        }
        for column, item in cells.items():
            self.table.setItem(row, column, item)
        self._style_row(row, result)

    def _style_row(self, row: int, result: PredictionResult) -> None:
        colour = QColor("#b3261e") if result.error else None
        if colour is None and result.is_uncertain(self.threshold()):
            colour = QColor("#b86e00")
        for column in range(len(COLUMNS)):
            item = self.table.item(row, column)
            if item is not None:
                item.setForeground(colour if colour is not None else self.palette().text())

    def _result_at(self, row: int) -> PredictionResult | None:
        item = self.table.item(row, COL_FILE)
        if item is None:
            return None
        key = item.data(Qt.ItemDataRole.UserRole + 1)
        return self._by_key.get(key)

    def _row_of(self, result: PredictionResult) -> int:
        for row in range(self.table.rowCount()):
            item = self.table.item(row, COL_FILE)
            if item is not None and item.data(Qt.ItemDataRole.UserRole + 1) == id(result):
                return row
        return -1

    def _select_result(self, result: PredictionResult) -> None:
        row = self._row_of(result)
        if row >= 0 and not self.table.isRowHidden(row):
            self.table.selectRow(row)  # shows it through _on_selection_changed
        if self._shown is not result:
            self._show_result(result)

    @Slot()
    def _on_selection_changed(self) -> None:
        rows = {i.row() for i in self.table.selectedItems()}
        if rows:
            result = self._result_at(min(rows))
            if result is not None and result is not self._shown:
                self._show_result(result)

    def _refresh_filter_classes(self) -> None:
        names: list[str] = list(self._info.class_names) if self._info else []
        names += [c for c in self._classes if c not in names]
        wanted = [FILTER_ALL, FILTER_UNCERTAIN, FILTER_ERRORS] + names
        current = [self.filter_combo.itemText(i) for i in range(self.filter_combo.count())]
        if wanted == current:
            return
        keep = self.filter_combo.currentText()
        self.filter_combo.blockSignals(True)
        self.filter_combo.clear()
        self.filter_combo.addItems(wanted)
        self.filter_combo.setCurrentIndex(max(0, wanted.index(keep) if keep in wanted else 0))
        self.filter_combo.blockSignals(False)

    def set_class_filter(self, text: str) -> None:
        """Show only rows predicted as ``text`` (or FILTER_ALL/UNCERTAIN/ERRORS)."""
        index = self.filter_combo.findText(text)
        if index >= 0:
            self.filter_combo.setCurrentIndex(index)

    def _matches(self, result: PredictionResult, choice: str) -> bool:
        if choice == FILTER_ALL:
            return True
        if choice == FILTER_UNCERTAIN:
            return result.is_uncertain(self.threshold())
        if choice == FILTER_ERRORS:
            return result.error is not None
        return result.error is None and result.top1 == choice

    @Slot()
    def _apply_filter(self) -> None:
        choice = self.filter_combo.currentText() or FILTER_ALL
        for row in range(self.table.rowCount()):
            result = self._result_at(row)
            self.table.setRowHidden(row, result is None or not self._matches(result, choice))

    def visible_results(self) -> list[PredictionResult]:
        """Results in the table's current order, filtered rows left out."""
        out = []
        for row in range(self.table.rowCount()):
            if not self.table.isRowHidden(row):
                result = self._result_at(row)
                if result is not None:
                    out.append(result)
        return out

    @Slot()
    def _on_threshold_changed(self) -> None:
        QSettings().setValue(SETTINGS_THRESHOLD, self.threshold_spin.value())
        for row in range(self.table.rowCount()):
            result = self._result_at(row)
            if result is not None:
                self._style_row(row, result)
        self._apply_filter()
        self._show_result(self._shown)

    # ----------------------------------------------------------------- detail view

    def _show_result(self, result: PredictionResult | None) -> None:
        self._shown = result
        if result is None:
            self.image_label.clear()
            self.class_label.clear()
            self.uncertain_label.hide()
            self.bars.set_topk([])
            return
        if result.error:
            self.class_label.setText("cannot predict")
            self.uncertain_label.setText(result.error)
            self.uncertain_label.show()
            self.bars.set_topk([])
        else:
            self.class_label.setText(f"{result.top1}  ({result.prob:.1%})")
            uncertain = result.is_uncertain(self.threshold())
            self.uncertain_label.setText(
                f"uncertain: top probability below {self.threshold_spin.value():.0f} %"
            )
            self.uncertain_label.setVisible(uncertain)
            self.bars.set_topk(result.topk, uncertain)
        self._refresh_image()

    @Slot()
    def _refresh_image(self) -> None:
        result = self._shown
        if result is None or result.view is None:
            self.image_label.clear()
            if result is not None and result.path and not result.error:
                self.image_label.setText("Loading the picture ...")
                self._request_view(result)  # its copies were let go in a long batch
            return
        image = result.view
        if self.gradcam_check.isChecked() and self.gradcam_check.isEnabled():
            if result.cam is not None and result.cam_view is not None:
                image = heatmap_overlay(
                    result.cam_view, result.cam, self.opacity_slider.value() / 100.0
                )
            else:
                self._request_gradcam(result)
        if image is result.view and result.detail is not None:
            self.image_label.setPixmap(QPixmap.fromImage(result.detail))
            result.detail = None  # made for the first showing; later ones scale the view
        else:
            self.image_label.setPixmap(scaled_pixmap(pil_to_qimage(image), DETAIL_SIZE))

    def overlay_image(self) -> Image.Image | None:
        """The Grad-CAM overlay of the shown result, or None when there is none yet."""
        result = self._shown
        if result is None or result.cam is None or result.cam_view is None:
            return None
        return heatmap_overlay(result.cam_view, result.cam, self.opacity_slider.value() / 100.0)

    @Slot(bool)
    def _on_gradcam_toggled(self, on: bool) -> None:
        self.opacity_slider.setEnabled(on)
        self._refresh_image()

    def _request_gradcam(self, result: PredictionResult) -> None:
        if self._cam_handle is not None or self._predictor is None or result.error:
            return
        handle = tasks.run_task(
            gradcam_task,
            self._predictor,
            result,
            self._model_lock,
            on_finished=self._on_gradcam_ready,
            on_error=self._on_gradcam_error,
            lane=self._model_lane(),
        )
        handle.done.connect(self._on_gradcam_done)
        self._cam_handle = handle

    @Slot(object)
    def _on_gradcam_ready(self, payload: tuple[PredictionResult, np.ndarray, Image.Image]) -> None:
        result, heat, view = payload
        result.cam, result.cam_view = heat, view
        if result is self._shown:
            self._refresh_image()

    @Slot(object)
    def _on_gradcam_error(self, error: BaseException) -> None:
        message = errors.message(error)
        self.gradcam_check.setChecked(False)
        self._set_message(f"Grad-CAM failed: {message}", "error")

    @Slot()
    def _on_gradcam_done(self) -> None:
        if self.sender() is self._cam_handle:
            self._cam_handle = None
            shown = self._shown
            if shown is not None and shown.cam is None and self.gradcam_check.isChecked():
                self._refresh_image()  # the user moved on while the last map was computed

    # ----------------------------------------------------------------- dialogs & messages

    def _choose_model(self) -> None:
        start = self._info.path if self._info else QSettings().value(SETTINGS_MODEL, "", str)
        path, _ = QFileDialog.getOpenFileName(self, "Open model", start or "", MODEL_FILTER)
        if path:
            self.load_model(path)

    def _choose_images(self) -> None:
        paths, _ = QFileDialog.getOpenFileNames(self, "Open images", "", IMAGE_FILTER)
        if paths:
            self.predict_paths(paths)

    def _choose_folder(self) -> None:
        path = QFileDialog.getExistingDirectory(self, "Open a folder of images")
        if path:
            self.predict_paths([path])

    def _choose_csv(self) -> None:
        if not self._results:
            self._set_message("Nothing to export yet: drop some images first.", "error")
            return
        path, _ = QFileDialog.getSaveFileName(
            self, "Export predictions", "predictions.csv", "CSV files (*.csv)"
        )
        if path:
            self.export_csv(path)

    @Slot(list)
    def _predict_qimages(self, images: list[QImage]) -> None:
        for image in images:
            self.predict_image(image)

    def _set_message(self, text: str, level: str = "info") -> None:
        colour = {"error": "#b3261e", "info": ""}.get(level, "")
        self.message_label.setStyleSheet(f"color: {colour};" if colour else "")
        self.message_label.setText(text)
        self.message_label.setProperty("level", level)
