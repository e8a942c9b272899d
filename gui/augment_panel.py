"""The Augment panel: edit the train/eval pipelines and watch their effect live.

The spec edited here is the one training uses (the main window hands
:meth:`AugmentPanel.specs` to the trainer), so the preview shows exactly what the
model will get. Everything heavy (loading samples, running the pipeline, building
the preview grid) runs on the shared thread pool of :mod:`gui.tasks`; stale results
are dropped through a generation counter.

No torch import at module top: the panel is built before PyTorch finishes loading;
torch-using work starts after :meth:`AugmentPanel.on_torch_ready`.
"""

from __future__ import annotations

import copy
import json
import math
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image, ImageDraw
from PySide6.QtCore import QSettings, Qt, QTimer, Signal, Slot
from PySide6.QtGui import QGuiApplication, QImage, QPixmap
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QListView,
    QListWidget,
    QListWidgetItem,
    QMenu,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QSlider,
    QSpinBox,
    QSplitter,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from core import BUILTIN_DIGITS, augment
from core.augment import TRANSFORMS, ParamInfo, SpecError
from gui import dnd, errors, tasks
from gui.imageutil import array_to_qimage, pil_to_qimage, qimage_to_pil
from gui.panel import Panel
from gui.runtime import single_threaded

BUILTIN_PRESETS = ("seed", "digits", "none")
CUSTOM_LABEL = "(custom)"
SAMPLES_PER_CLASS = 16
PERSON_TILE = 128  # display size of one tile in the "as a person sees it" view
MODEL_TILE_MIN = 96  # small model inputs (28x28 digits) are blown up to at least this
DEBOUNCE_MS = 100
VIEW_PERSON = "person"
VIEW_MODEL = "model"
ERROR_STYLE = "border: 1px solid #d33;"

# Values a nullable parameter takes when the user switches it on.
_ON_VALUES: dict[tuple[str, str], Any] = {
    ("RandomAffine", "translate"): [0.1, 0.1],
    ("RandomAffine", "scale"): [0.9, 1.1],
    ("RandomAffine", "shear"): 10.0,
    ("Resize", "max_size"): 1024,
    ("RandomCrop", "padding"): 4,
}

_RNG_LOCK = threading.Lock()


# --------------------------------------------------------------------------- preview work
# Plain functions run on the thread pool: no widgets, only plain values and QImages.


@dataclass
class PreviewRequest:
    """Everything one preview render needs, copied so the GUI may change meanwhile."""

    generation: int
    spec: list[dict]
    sources: list[Image.Image]  # one image, or one per class in per-class mode
    captions: list[str] = field(default_factory=list)
    n: int = 16
    seed: int = 0
    view: str = VIEW_PERSON
    per_class: bool = False


@dataclass
class PreviewResult:
    generation: int
    grid: QImage
    original: QImage
    shape: tuple[int, ...]
    info: str
    seed: int
    count: int


def sample_seed(seed: int, index: int) -> int:
    """The torch seed of sample ``index``: growing N keeps the earlier samples."""
    return (int(seed) * 1_000_003 + int(index)) % (2**63 - 1)


def augment_samples(spec: list[dict], sources: list[Image.Image], n: int, seed: int) -> list:
    """Run the pipeline ``n`` times (cycling over ``sources``), each sample seeded.

    The global torch RNG is shared with any training thread, so it is forked (saved
    and restored) under a lock: a run's random stream continues where it was.
    """
    import torch

    pipeline = augment.build_pipeline(spec)
    outputs = []
    with _RNG_LOCK, torch.random.fork_rng(devices=[]):
        for i in range(n):
            torch.manual_seed(sample_seed(seed, i))
            outputs.append(pipeline(sources[i % len(sources)]))
    return outputs


def _pil_array(image: Image.Image) -> np.ndarray:
    arr = np.asarray(image.convert("L" if image.mode in ("L", "1") else "RGB"))
    return arr[..., None] if arr.ndim == 2 else arr


def display_arrays(outputs: list, spec: list[dict]) -> list[np.ndarray]:
    """HxWx{1,3} uint8 arrays of pipeline outputs: tensors un-normalized, PIL as is.

    Equal-shaped tensors are converted as one batch (one op instead of N).
    """
    import torch

    if not outputs:
        return []
    for o in outputs:
        image_tensor = isinstance(o, torch.Tensor) and o.ndim in (2, 3)
        if not image_tensor and not isinstance(o, Image.Image):
            raise ValueError("the pipeline returned something that is not an image or tensor.")
    if any(isinstance(o, Image.Image) for o in outputs):
        return [
            _pil_array(o) if isinstance(o, Image.Image) else display_arrays([o], spec)[0]
            for o in outputs
        ]
    tensors = [o if o.ndim == 3 else o[None] for o in outputs]
    if len({tuple(t.shape) for t in tensors}) > 1:
        return [display_arrays([t], spec)[0] for t in tensors]
    batch = torch.stack(tensors)
    batch = batch[:, :3] if batch.shape[1] >= 3 else batch[:, :1]
    if batch.dtype == torch.uint8:
        return list(batch.permute(0, 2, 3, 1).contiguous().numpy())
    # augment.unnormalize (x * std + mean, clamped to [0, 1]) fused with the scaling to
    # 0..255 and rounding, in place: a few passes over the batch instead of a dozen
    channels = batch.shape[1]
    stats = augment.normalize_stats(spec) or ([0.0] * channels, [1.0] * channels)
    mean = torch.tensor(stats[0][:channels], dtype=batch.dtype).view(1, -1, 1, 1)
    std = torch.tensor(stats[1][:channels], dtype=batch.dtype).view(1, -1, 1, 1)
    batch = batch.float() if batch.dtype != torch.float32 else batch
    batch.mul_(std * 255.0).add_(mean * 255.0 + 0.5).clamp_(0.0, 255.49)
    return list(batch.to(torch.uint8).permute(0, 2, 3, 1).contiguous().numpy())


def _fit(arr: np.ndarray, box: int, smooth: bool, scale: int = 1) -> np.ndarray:
    """Resize a tile: smoothly into a ``box`` square, or by an integer ``scale`` (nearest)."""
    if not smooth:
        return arr if scale == 1 else arr.repeat(scale, axis=0).repeat(scale, axis=1)
    h, w = arr.shape[:2]
    factor = box / max(h, w)
    size = (max(1, round(w * factor)), max(1, round(h * factor)))
    img = Image.fromarray(arr[..., 0] if arr.shape[2] == 1 else arr)
    out = np.asarray(img.resize(size, Image.BILINEAR, reducing_gap=2.0))
    return out[..., None] if out.ndim == 2 else out


def tile_grid(tiles: list[np.ndarray], ncols: int, pad: int = 2) -> np.ndarray:
    """Tiles (HxWx{1,3} uint8) on a light background, centred in equal cells."""
    ncols = max(1, min(ncols, len(tiles)))
    nrows = math.ceil(len(tiles) / ncols)
    ch = max(t.shape[0] for t in tiles)
    cw = max(t.shape[1] for t in tiles)
    grid = np.full((nrows * (ch + pad) + pad, ncols * (cw + pad) + pad, 3), 235, np.uint8)
    for i, tile in enumerate(tiles):
        row, col = divmod(i, ncols)
        y = pad + row * (ch + pad) + (ch - tile.shape[0]) // 2
        x = pad + col * (cw + pad) + (cw - tile.shape[1]) // 2
        grid[y : y + tile.shape[0], x : x + tile.shape[1]] = tile  # 1 channel broadcasts
    return grid


def _caption(grid: np.ndarray, captions: list[str], ncols: int, cell: tuple[int, int]) -> None:
    """Write a short label into the corner of each tile (per-class mode)."""
    img = Image.fromarray(grid)
    draw = ImageDraw.Draw(img)
    for i, text in enumerate(captions):
        row, col = divmod(i, ncols)
        x, y = 2 + col * (cell[1] + 2) + 2, 2 + row * (cell[0] + 2) + 1
        draw.rectangle((x - 1, y, x + 6 * len(text) + 1, y + 11), fill=(0, 0, 0))
        draw.text((x, y), text, fill=(255, 255, 0))
    grid[...] = np.asarray(img)


def _describe(output, spec: list[dict]) -> str:
    """One line on the model's input: shape, dtype and the normalization undone."""
    if isinstance(output, Image.Image):
        return (
            f"output: {output.mode} image {output.height}x{output.width} — not a tensor; "
            "add ToTensor."
        )
    shape = "x".join(str(s) for s in output.shape)
    dtype = str(output.dtype).replace("torch.", "")
    text = f"model input: {shape} {dtype}"
    stats = augment.normalize_stats(spec)
    if stats is not None:
        mean = ", ".join(f"{m:g}" for m in stats[0])
        std = ", ".join(f"{s:g}" for s in stats[1])
        text += f", normalized with mean [{mean}] std [{std}] (shown un-normalized)"
    return text


def render_preview(request: PreviewRequest) -> PreviewResult:
    """Augment, convert for display and tile: the whole preview, off the GUI thread."""
    with single_threaded():
        outputs = augment_samples(request.spec, request.sources, request.n, request.seed)
        arrays = display_arrays(outputs, request.spec)
    if request.view == VIEW_MODEL:
        biggest = max(max(a.shape[:2]) for a in arrays)
        scale = max(1, math.ceil(MODEL_TILE_MIN / biggest))
        tiles = [_fit(a, 0, smooth=False, scale=scale) for a in arrays]
    else:
        tiles = [_fit(a if a.shape[2] == 3 else a.repeat(3, 2), PERSON_TILE, True) for a in arrays]
    ncols = max(1, math.ceil(math.sqrt(len(tiles))))
    grid = tile_grid(tiles, ncols)
    if request.per_class and request.captions:
        cell = (max(t.shape[0] for t in tiles), max(t.shape[1] for t in tiles))
        _caption(grid, request.captions, ncols, cell)
    original = request.sources[0].copy()
    original.thumbnail((192, 192))
    if max(original.size) < 96:  # tiny digits: blow up without smoothing
        k = math.ceil(96 / max(original.size))
        original = original.resize((original.width * k, original.height * k), Image.NEAREST)
    first = outputs[0]
    shape = tuple(first.shape) if hasattr(first, "shape") else (first.height, first.width)
    return PreviewResult(
        generation=request.generation,
        grid=array_to_qimage(grid),
        original=pil_to_qimage(original),
        shape=shape,
        info=_describe(first, request.spec),
        seed=request.seed,
        count=len(outputs),
    )


def _preview_task(ctx: tasks.TaskContext, request: PreviewRequest) -> PreviewResult:
    ctx.check()
    return render_preview(request)


def default_sample_loader(source: str) -> dict[str, list[Image.Image]]:
    """A few images of each class of ``source`` (core.data imports torch: pool only)."""
    from core import data

    return data.sample_images(source, per_class=SAMPLES_PER_CLASS, seed=0)


def _samples_task(ctx: tasks.TaskContext, loader: Callable, source: str, generation: int) -> tuple:
    return generation, loader(source)


def load_image_file(path: str, channels: int) -> Image.Image:
    """A dropped or opened image, converted like the dataset's images."""
    from core import data

    return data.load_image(path, channels=channels)


def _file_task(ctx: tasks.TaskContext, path: str, channels: int) -> tuple:
    return path, load_image_file(path, channels)


# --------------------------------------------------------------------------- widgets


def _tooltip(info: ParamInfo) -> str:
    parts = [info.help]
    if info.minimum is not None or info.maximum is not None:
        lo = "-∞" if info.minimum is None else f"{info.minimum:g}"
        hi = "∞" if info.maximum is None else f"{info.maximum:g}"
        parts.append(f"Valid range: {'(' if info.exclusive_minimum else '['}{lo}, {hi}].")
    if info.nullable:
        parts.append("Untick to switch it off.")
    return " ".join(parts)


def _float_step(info: ParamInfo) -> float:
    if info.step:
        return info.step
    span = (info.soft_max or info.maximum or 1.0) - (info.minimum or 0.0)
    return 1.0 if span >= 50 else 0.1 if span >= 5 else 0.01 if span >= 0.2 else 0.001


def _summary(step: dict) -> str:
    """List text for a step: its name and the params that differ from the defaults."""
    info = TRANSFORMS.get(step.get("name", ""))
    if info is None:
        return str(step.get("name"))
    params = step.get("params", {})
    defaults = info.defaults()
    shown = []
    for p in info.params:
        if p.name in params and (p.required or params[p.name] != defaults[p.name]):
            shown.append(f"{p.name}={_short(params[p.name])}")
    return f"{info.name}({', '.join(shown)})"


def _step_tip(step: dict) -> str:
    """Tooltip of a list item: the whole step as code, then what the transform does."""
    info = TRANSFORMS.get(step.get("name", ""))
    return f"{_summary(step)}\n\n{info.help}" if info else _summary(step)


def _short(value: Any) -> str:
    """Compact text of a param value: 0.2 rather than 0.2000, lists in brackets."""
    if isinstance(value, list):
        return "[" + ", ".join(_short(v) for v in value) + "]"
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


NO_STEP_HINT = "Click a step of a pipeline to edit its parameters here."


class ParamWidget(QWidget):
    """Edits one parameter with the widget its kind calls for; emits ``changed(value)``."""

    changed = Signal(object)

    def __init__(self, transform: str, info: ParamInfo, value: Any, parent=None) -> None:
        super().__init__(parent)
        self.info = info
        self.transform = transform
        self._updating = False
        self._on_box: QCheckBox | None = None
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        if info.nullable:
            self._on_box = QCheckBox()
            self._on_box.setToolTip("On/off")
            self._on_box.setChecked(value is not None)
            self._on_box.toggled.connect(self._on_toggled)
            layout.addWidget(self._on_box)
        shown = value if value is not None else self._on_value()
        self._editor = QWidget()
        self._editor_layout = QHBoxLayout(self._editor)
        self._editor_layout.setContentsMargins(0, 0, 0, 0)
        self._getter = self._build(shown)
        layout.addWidget(self._editor, 1)
        self._editor.setEnabled(value is not None or not info.nullable)
        self.setToolTip(_tooltip(info))

    # ----------------------------------------------------------------- building

    def _on_value(self) -> Any:
        value = _ON_VALUES.get((self.transform, self.info.name))
        if value is not None:
            return value
        if self.info.kind == "floats":
            return [self.info.minimum or 0.0] * (self.info.length or 1)
        return self.info.minimum or 0

    def _build(self, value: Any) -> Callable[[], Any]:
        kind = self.info.kind
        if kind == "bool":
            return self._build_bool(value)
        if kind == "choice":
            return self._build_choice(value)
        if kind in ("float", "int"):
            return self._build_number(value)
        if kind == "size":
            return self._build_size(value)
        if self.info.length:
            return self._build_pair(value)
        return self._build_list(value)

    def _build_bool(self, value: bool) -> Callable[[], Any]:
        box = QCheckBox()
        box.setChecked(bool(value))
        box.toggled.connect(self._emit)
        self._editor_layout.addWidget(box)
        self.check_box = box
        return box.isChecked

    def _build_choice(self, value: Any) -> Callable[[], Any]:
        combo = QComboBox()
        for choice in self.info.choices or ():
            combo.addItem(str(choice), choice)
        combo.setCurrentIndex(max(0, combo.findData(value)))
        combo.currentIndexChanged.connect(self._emit)
        self._editor_layout.addWidget(combo)
        self.combo = combo
        return combo.currentData

    def _spin(self, integer: bool) -> QSpinBox | QDoubleSpinBox:
        info = self.info
        lo = info.minimum if info.minimum is not None else -1e6
        hi = info.maximum if info.maximum is not None else 1e6
        if integer:
            spin = QSpinBox()
            spin.setRange(int(lo), int(hi))
            spin.setSingleStep(int(info.step or 1))
        else:
            spin = QDoubleSpinBox()
            step = _float_step(info)
            spin.setDecimals(1 if step >= 1 else 2 if step >= 0.1 else 3)
            spin.setRange(float(lo), float(hi))
            spin.setSingleStep(step)
        spin.setKeyboardTracking(False)
        spin.setToolTip(_tooltip(info))
        return spin

    def _build_number(self, value: float) -> Callable[[], Any]:
        integer = self.info.kind == "int"
        spin = self._spin(integer)
        slider = QSlider(Qt.Orientation.Horizontal)
        lo = self.info.minimum if self.info.minimum is not None else 0.0
        hi = self.info.soft_max or self.info.maximum or lo + 100
        step = (self.info.step or 1) if integer else _float_step(self.info)
        slider.setRange(0, max(1, round((hi - lo) / step)))
        slider.setToolTip(_tooltip(self.info))

        def from_slider(pos: int) -> None:
            if not self._updating:
                spin.setValue(lo + pos * step)

        def to_slider(v: float) -> None:
            self._updating = True
            slider.setValue(round((v - lo) / step))
            self._updating = False
            self._emit()

        spin.setValue(value)
        slider.setValue(round((float(value) - lo) / step))
        slider.valueChanged.connect(from_slider)
        spin.valueChanged.connect(to_slider)
        self._editor_layout.addWidget(slider, 1)
        self._editor_layout.addWidget(spin)
        self.slider, self.spin = slider, spin
        return (lambda: int(spin.value())) if integer else (lambda: round(spin.value(), 6))

    def _build_size(self, value: int | list[int]) -> Callable[[], Any]:
        h = self._spin(True)
        w = self._spin(True)
        rect = QCheckBox("h×w")
        rect.setToolTip("Give height and width separately (otherwise a square).")
        pair = isinstance(value, list)
        h.setValue(value[0] if pair else value)
        w.setValue(value[1] if pair else value)
        rect.setChecked(pair)
        w.setEnabled(pair)
        rect.toggled.connect(w.setEnabled)
        for signal in (h.valueChanged, w.valueChanged, rect.toggled):
            signal.connect(self._emit)
        for widget in (h, rect, w):
            self._editor_layout.addWidget(widget)
        self.spin, self.spin_w, self.rect_box = h, w, rect
        return lambda: [h.value(), w.value()] if rect.isChecked() else h.value()

    def _build_pair(self, value: list[float]) -> Callable[[], Any]:
        spins = []
        for v in list(value)[: self.info.length]:
            spin = self._spin(False)
            spin.setValue(v)
            spin.valueChanged.connect(self._emit)
            self._editor_layout.addWidget(spin)
            spins.append(spin)
        self.spins = spins
        return lambda: [round(s.value(), 6) for s in spins]

    def _build_list(self, value: list[float]) -> Callable[[], Any]:
        edit = QLineEdit(", ".join(f"{v:g}" for v in value))
        edit.setToolTip(_tooltip(self.info) + " Comma-separated, one per channel.")
        edit.editingFinished.connect(self._emit)
        self._editor_layout.addWidget(edit)
        self.line_edit = edit

        def parse() -> Any:
            parts = [p for p in edit.text().replace(";", ",").split(",") if p.strip()]
            try:
                return [float(p) for p in parts]
            except ValueError:
                return edit.text()  # validation reports it inline

        return parse

    # ----------------------------------------------------------------- values

    def value(self) -> Any:
        if self._on_box is not None and not self._on_box.isChecked():
            return None
        return self._getter()

    def set_error(self, on: bool) -> None:
        self._editor.setStyleSheet(ERROR_STYLE if on else "")

    @Slot(bool)
    def _on_toggled(self, on: bool) -> None:
        self._editor.setEnabled(on)
        self._emit()

    def _emit(self, *_: Any) -> None:
        if not self._updating:
            self.changed.emit(self.value())


class StepList(QListWidget):
    """One pipeline as an ordered, checkable, drag-reorderable list of steps."""

    edited = Signal()

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setDragDropMode(QAbstractItemView.DragDropMode.InternalMove)
        self.setDefaultDropAction(Qt.DropAction.MoveAction)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        # Long steps (Normalize's three means and stds) wrap instead of running off the
        # narrow list behind a horizontal scrollbar.
        self.setWordWrap(True)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setResizeMode(QListView.ResizeMode.Adjust)
        self.model().rowsMoved.connect(lambda *_: self.edited.emit())
        self.model().layoutChanged.connect(lambda *_: self.edited.emit())
        self.itemChanged.connect(lambda *_: self.edited.emit())

    def steps(self) -> list[dict]:
        out = []
        for row in range(self.count()):
            item = self.item(row)
            step = copy.deepcopy(item.data(Qt.ItemDataRole.UserRole))
            step["enabled"] = item.checkState() == Qt.CheckState.Checked
            out.append(step)
        return out

    def set_steps(self, steps: list[dict]) -> None:
        row = self.currentRow()
        self.blockSignals(True)
        self.clear()
        for step in steps:
            self.addItem(self._make_item(step))
        self.blockSignals(False)
        if self.count():
            self.setCurrentRow(min(max(row, 0), self.count() - 1))

    def _make_item(self, step: dict) -> QListWidgetItem:
        item = QListWidgetItem(_summary(step))
        data = {"name": step["name"], "params": copy.deepcopy(step.get("params") or {})}
        item.setData(Qt.ItemDataRole.UserRole, data)
        item.setFlags(
            Qt.ItemFlag.ItemIsEnabled
            | Qt.ItemFlag.ItemIsSelectable
            | Qt.ItemFlag.ItemIsUserCheckable
            | Qt.ItemFlag.ItemIsDragEnabled
        )
        enabled = step.get("enabled", True)
        item.setCheckState(Qt.CheckState.Checked if enabled else Qt.CheckState.Unchecked)
        item.setToolTip(_step_tip(step))
        return item

    def set_param(self, row: int, name: str, value: Any) -> None:
        item = self.item(row)
        data = copy.deepcopy(item.data(Qt.ItemDataRole.UserRole))
        data["params"][name] = value
        self.blockSignals(True)
        item.setData(Qt.ItemDataRole.UserRole, data)
        item.setText(_summary(data))
        item.setToolTip(_step_tip(data))
        self.blockSignals(False)
        self.edited.emit()

    def mark_error(self, row: int | None, message: str = "") -> None:
        for r in range(self.count()):
            item = self.item(r)
            bad = r == row
            self.blockSignals(True)
            item.setForeground(Qt.GlobalColor.red if bad else self.palette().text().color())
            item.setToolTip(message if bad else _step_tip(item.data(Qt.ItemDataRole.UserRole)))
            self.blockSignals(False)


class PreviewArea(QWidget):
    """The scrollable preview grid; accepts a dropped image file or raw image data.

    A plain QWidget takes the drop (a QScrollArea hands drag events to its viewport).
    """

    file_dropped = Signal(str)
    image_dropped = Signal(object)  # PIL image

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setAcceptDrops(True)
        self.scroll = QScrollArea()
        self.scroll.setWidgetResizable(True)
        self.label = QLabel("No preview yet.")
        self.label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.scroll.setWidget(self.label)
        self.setToolTip("Drop an image file here to preview it.")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.scroll)

    def dragEnterEvent(self, event) -> None:  # noqa: N802 - Qt name
        mime = event.mimeData()
        if dnd.has_image_data(mime) or dnd.local_paths(mime):
            event.acceptProposedAction()

    def dragMoveEvent(self, event) -> None:  # noqa: N802 - Qt name
        event.acceptProposedAction()

    def dropEvent(self, event) -> None:  # noqa: N802 - Qt name
        mime = event.mimeData()
        files = dnd.local_paths(mime)
        if files:
            self.file_dropped.emit(files[0])
            event.acceptProposedAction()
        else:
            images, _problems = dnd.images(mime)
            if images:
                self.image_dropped.emit(qimage_to_pil(images[0]))
                event.acceptProposedAction()


# --------------------------------------------------------------------------- the panel


class AugmentPanel(Panel):
    """Pipeline editor + live preview. ``specs()`` is what training uses."""

    title = "Augment"

    specs_changed = Signal(object)  # {"train": spec, "eval": spec}, valid specs only
    preview_updated = Signal(object)  # {"generation", "seed", "n", "view", "shape", "info"}
    preview_failed = Signal(str)

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.sample_loader: Callable[[str], dict] = default_sample_loader
        self.presets_dir = Path(QSettings().fileName()).parent / "augment_presets"
        self._torch_ready = False
        self._source = ""
        self._samples: dict[str, list[Image.Image]] = {}
        self._channels = 3
        self._dropped: Image.Image | None = None
        self._pretrained_stats: tuple[list[float], list[float]] | None = None
        self._auto_preset = True
        self._active_list: StepList | None = None
        self._param_widgets: dict[str, ParamWidget] = {}
        self._generation = 0
        self._dataset_generation = 0
        self._in_flight: tasks.TaskHandle | None = None
        self._pending = False
        self._last_grid: QImage | None = None
        self._last_valid: dict | None = None
        self._applied: dict | None = None
        self._programmatic = False
        self._build_ui()
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(DEBOUNCE_MS)
        self._timer.timeout.connect(self._start_preview)
        self._restore()

    # ----------------------------------------------------------------- layout

    def _build_ui(self) -> None:
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(self._build_editor())
        splitter.addWidget(self._build_preview())
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([520, 740])
        layout = QVBoxLayout(self)
        layout.addWidget(splitter)

    def _build_editor(self) -> QWidget:
        box = QWidget()
        col = QVBoxLayout(box)
        col.addLayout(self._preset_row())
        lists = QHBoxLayout()
        self.train_list = StepList()
        self.eval_list = StepList()
        for title, lst in (("Train pipeline", self.train_list), ("Eval pipeline", self.eval_list)):
            group = QGroupBox(title)
            g = QVBoxLayout(group)
            g.addWidget(lst)
            g.addLayout(self._list_buttons(lst))
            lists.addWidget(group)
            lst.edited.connect(self._on_edited)
            lst.currentRowChanged.connect(lambda _row, lst=lst: self._show_params(lst))
        self.train_list.setToolTip("Drag to reorder; tick to enable a step.")
        self.eval_list.setToolTip("What validation and prediction do (stored in the model bundle).")
        col.addLayout(lists, 1)
        self.param_box = QGroupBox("Parameters")
        self.param_form = QFormLayout(self.param_box)
        self.param_form.addRow(QLabel(NO_STEP_HINT))
        col.addWidget(self.param_box)
        self.error_label = QLabel()
        self.error_label.setWordWrap(True)
        self.error_label.setStyleSheet("color: #c00;")
        col.addWidget(self.error_label)
        col.addLayout(self._file_row())
        return box

    def _preset_row(self) -> QHBoxLayout:
        row = QHBoxLayout()
        row.addWidget(QLabel("Preset:"))
        self.preset_combo = QComboBox()
        self.preset_combo.setToolTip("seed = the notes' pipeline; digits = 28x28 grayscale.")
        self.preset_combo.activated.connect(self._on_preset_chosen)
        row.addWidget(self.preset_combo, 1)
        save = QPushButton("Save preset…")
        save.clicked.connect(self._ask_save_preset)
        delete = QPushButton("Delete")
        delete.setToolTip("Delete the selected user preset.")
        delete.clicked.connect(self._delete_selected_preset)
        row.addWidget(save)
        row.addWidget(delete)
        return row

    def _list_buttons(self, lst: StepList) -> QHBoxLayout:
        row = QHBoxLayout()
        add = QToolButton()
        add.setText("Add ▾")
        add.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        menu = QMenu(add)
        for category in augment.CATEGORIES:
            sub = menu.addMenu(category.capitalize())
            sub.setToolTipsVisible(True)
            for info in TRANSFORMS.values():
                if info.category == category:
                    action = sub.addAction(info.name)
                    action.setToolTip(info.help)
                    action.triggered.connect(
                        lambda _=False, n=info.name, lst=lst: self.add_step(n, lst)
                    )
        add.setMenu(menu)
        row.addWidget(add)
        for text, tip, slot in (
            ("Remove", "Remove the selected step.", lambda: self.remove_step(lst)),
            ("↑", "Move the selected step up.", lambda: self.move_step(-1, lst)),
            ("↓", "Move the selected step down.", lambda: self.move_step(1, lst)),
        ):
            button = QToolButton()  # compact: the two pipelines sit side by side
            button.setText(text)
            button.setToolTip(tip)
            button.clicked.connect(slot)
            row.addWidget(button)
        row.addStretch(1)
        return row

    def _file_row(self) -> QHBoxLayout:
        row = QHBoxLayout()
        for text, tip, slot in (
            ("Load JSON…", "Load train/eval pipelines from a JSON file.", self._ask_load),
            ("Save JSON…", "Save both pipelines as JSON (usable with --augment).", self._ask_save),
            ("Copy as code", "Put the torchvision Python source on the clipboard.", self.copy_code),
        ):
            button = QPushButton(text)
            button.setToolTip(tip)
            button.clicked.connect(slot)
            row.addWidget(button)
        return row

    def _build_preview(self) -> QWidget:
        box = QWidget()
        col = QVBoxLayout(box)
        col.addLayout(self._source_row())
        controls, view_row = self._preview_controls()
        col.addLayout(controls)
        col.addLayout(view_row)
        images = QHBoxLayout()
        self.original_label = QLabel()
        self.original_label.setAlignment(Qt.AlignmentFlag.AlignTop)
        self.original_label.setToolTip("The original image.")
        self.original_label.setMinimumWidth(100)
        images.addWidget(self.original_label)
        self.preview_area = PreviewArea()
        self.preview_area.file_dropped.connect(self.load_source_file)
        self.preview_area.image_dropped.connect(self.set_source_image)
        images.addWidget(self.preview_area, 1)
        col.addLayout(images, 1)
        self.info_label = QLabel()
        self.info_label.setWordWrap(True)
        col.addWidget(self.info_label)
        self.warning_label = QLabel()
        self.warning_label.setWordWrap(True)
        self.warning_label.setStyleSheet("color: #a60;")
        col.addWidget(self.warning_label)
        return box

    def _source_row(self) -> QHBoxLayout:
        row = QHBoxLayout()
        row.addWidget(QLabel("Image:"))
        self.class_combo = QComboBox()
        self.class_combo.setToolTip("Class of the source image.")
        self.index_spin = QSpinBox()
        self.index_spin.setToolTip("Which image of that class.")
        self.class_combo.currentIndexChanged.connect(self._on_source_changed)
        self.index_spin.valueChanged.connect(self._on_source_changed)
        random_button = QPushButton("Random")
        random_button.setToolTip("Pick a random image of the dataset.")
        random_button.clicked.connect(self.pick_random_source)
        open_button = QPushButton("Open…")
        open_button.setToolTip("Preview any image file (or drop one on the preview).")
        open_button.clicked.connect(self._ask_open_image)
        for widget in (self.class_combo, self.index_spin, random_button, open_button):
            row.addWidget(widget)
        row.addStretch(1)
        return row

    def _preview_controls(self) -> tuple[QHBoxLayout, QHBoxLayout]:
        row = QHBoxLayout()
        self.pipeline_combo = QComboBox()
        self.pipeline_combo.addItem("train", "train")
        self.pipeline_combo.addItem("eval", "eval")
        self.pipeline_combo.setToolTip("Which pipeline the preview runs.")
        self.n_spin = QSpinBox()
        self.n_spin.setRange(4, 64)
        self.n_spin.setValue(16)
        self.n_spin.setToolTip("Number of augmented samples.")
        self.seed_spin = QSpinBox()
        self.seed_spin.setRange(0, 2**31 - 1)
        self.seed_spin.setToolTip("Same seed, same samples.")
        self.seed_spin.setMaximumWidth(110)
        reroll = QPushButton("Re-roll")
        reroll.setToolTip("Draw new random samples (new seed).")
        reroll.clicked.connect(self.reroll)
        self.per_class_box = QCheckBox("Per class")
        self.per_class_box.setToolTip("One augmented sample of each class.")
        # per class shows one sample per class: N does not apply then
        self.per_class_box.toggled.connect(lambda on: self.n_spin.setEnabled(not on))
        self.view_combo = QComboBox()
        self.view_combo.addItem("As a person sees it", VIEW_PERSON)
        self.view_combo.addItem("What the model sees", VIEW_MODEL)
        self.view_combo.setToolTip(
            "What the model sees: the final tensor at the model's input size and channels, "
            "un-normalized for display, pixel for pixel."
        )
        for signal in (
            self.pipeline_combo.currentIndexChanged,
            self.n_spin.valueChanged,
            self.seed_spin.valueChanged,
            self.per_class_box.toggled,
            self.view_combo.currentIndexChanged,
        ):
            signal.connect(self.schedule_preview)
        for label, widget in (
            ("Pipeline:", self.pipeline_combo),
            ("N:", self.n_spin),
            ("Seed:", self.seed_spin),
        ):
            row.addWidget(QLabel(label))
            row.addWidget(widget)
        row.addWidget(reroll)
        row.addStretch(1)
        # the view choice gets its own row so the panel fits a 1280-pixel-wide window
        view_row = QHBoxLayout()
        view_row.addWidget(QLabel("Show:"))
        view_row.addWidget(self.view_combo)
        view_row.addWidget(self.per_class_box)
        view_row.addStretch(1)
        return row, view_row

    # ----------------------------------------------------------------- public API

    def specs(self) -> dict:
        """The current {"train": spec, "eval": spec} (normalised when valid)."""
        valid = self._valid_specs()
        if valid is not None:
            return valid
        return {"train": self.train_list.steps(), "eval": self.eval_list.steps()}

    def set_specs(self, specs: dict, *, _user: bool = True) -> None:
        """Show ``specs`` in the editor (SpecError for a spec that is not valid)."""
        checked = {
            "train": augment.validate_spec(specs["train"]),
            "eval": augment.validate_spec(specs["eval"]),
        }
        if _user:
            self._auto_preset = False
        active = self._active_list or self.train_list
        self._programmatic = True
        try:
            self.train_list.set_steps(checked["train"])
            self.eval_list.set_steps(checked["eval"])
            self._show_params(active)
            self._on_edited()
        finally:
            self._programmatic = False

    def set_dataset(self, source: str) -> None:
        """Preview images from ``source`` (loaded on the pool once torch is ready)."""
        self._source = source
        self._dropped = None
        if self._auto_preset:
            natural = "digits" if source in (BUILTIN_DIGITS, "digits") else "seed"
            self.apply_preset(natural, _user=False)
        if self._torch_ready:
            self._load_samples()

    def set_pretrained_stats(self, stats: tuple[list[float], list[float]] | None) -> None:
        """The chosen pretrained weights' mean/std, for the Normalize warning."""
        self._pretrained_stats = stats
        self._update_warnings()

    def on_torch_ready(self) -> None:
        self._torch_ready = True
        if self._source:
            self._load_samples()
        self.schedule_preview()

    def preview_image(self) -> QImage | None:
        """The last preview grid shown (a copy)."""
        return None if self._last_grid is None else self._last_grid.copy()

    def shutdown(self) -> None:
        """Stop the timer and cancel the running render (window close)."""
        self._timer.stop()
        self._pending = False
        if self._in_flight is not None:
            self._in_flight.cancel()

    def closeEvent(self, event) -> None:  # noqa: N802 - Qt name
        self.shutdown()
        super().closeEvent(event)

    # ----------------------------------------------------------------- editing

    def _current_list(self, lst: StepList | None) -> StepList:
        return lst or self._active_list or self.train_list

    def add_step(self, name: str, lst: StepList | None = None) -> None:
        """Insert a new ``name`` step with default params after the selected one."""
        lst = self._current_list(lst)
        step = {"name": name, "params": TRANSFORMS[name].defaults(), "enabled": True}
        row = lst.currentRow() + 1 if lst.currentRow() >= 0 else lst.count()
        lst.insertItem(row, lst._make_item(step))
        lst.setCurrentRow(row)
        self._active_list = lst
        self._on_edited()

    def remove_step(self, lst: StepList | None = None) -> None:
        lst = self._current_list(lst)
        row = lst.currentRow()
        if row >= 0:
            lst.takeItem(row)
            self._on_edited()
            self._show_params(lst)

    def move_step(self, delta: int, lst: StepList | None = None) -> None:
        lst = self._current_list(lst)
        row = lst.currentRow()
        target = row + delta
        if row < 0 or not 0 <= target < lst.count():
            return
        item = lst.takeItem(row)
        lst.insertItem(target, item)
        lst.setCurrentRow(target)
        self._on_edited()

    def select_step(self, row: int, pipeline: str = "train") -> None:
        lst = self.train_list if pipeline == "train" else self.eval_list
        lst.setCurrentRow(row)
        self._show_params(lst)

    def set_param(self, name: str, value: Any) -> None:
        """Change a param of the selected step through its widget (as a user would)."""
        widget = self._param_widgets[name]
        kind = widget.info.kind
        if kind == "bool":
            widget.check_box.setChecked(bool(value))
        elif kind == "choice":
            widget.combo.setCurrentIndex(widget.combo.findData(value))
        elif kind in ("float", "int"):
            widget.spin.setValue(value)
        else:
            self._set_param_value(name, value)

    def param_widget(self, name: str) -> ParamWidget:
        return self._param_widgets[name]

    def _show_params(self, lst: StepList) -> None:
        """Rebuild the parameter form for the selected step of ``lst``."""
        self._active_list = lst
        other = self.eval_list if lst is self.train_list else self.train_list
        other.blockSignals(True)
        other.clearSelection()
        other.setCurrentRow(-1)
        other.blockSignals(False)
        while self.param_form.rowCount():
            self.param_form.removeRow(0)
        self._param_widgets = {}
        row = lst.currentRow()
        if row < 0 or row >= lst.count():
            self.param_box.setTitle("Parameters")
            self.param_form.addRow(QLabel(NO_STEP_HINT))
            return
        step = lst.item(row).data(Qt.ItemDataRole.UserRole)
        info = TRANSFORMS[step["name"]]
        which = "train" if lst is self.train_list else "eval"
        self.param_box.setTitle(f"Parameters — {which} step {row + 1}: {info.name}")
        if not info.params:
            self.param_form.addRow(QLabel("This step has no parameters."))
        for p in info.params:
            value = step["params"].get(p.name, info.defaults()[p.name])
            widget = ParamWidget(info.name, p, value)
            widget.changed.connect(lambda v, name=p.name: self._set_param_value(name, v))
            label = QLabel(p.name)
            label.setToolTip(_tooltip(p))
            self.param_form.addRow(label, widget)
            self._param_widgets[p.name] = widget
        self._update_errors()

    def _set_param_value(self, name: str, value: Any) -> None:
        lst = self._current_list(None)
        row = lst.currentRow()
        if row >= 0:
            lst.set_param(row, name, value)

    @Slot()
    def _on_edited(self) -> None:
        """Any change to either list: validate, warn, persist, announce, re-preview."""
        if not self._programmatic:
            self._auto_preset = False  # the user edited: keep their pipeline from now on
        valid = self._update_errors()
        self._update_warnings(self._warnings_for(valid))
        if valid is not None and valid != self._last_valid:
            self._last_valid = copy.deepcopy(valid)
            self._mark_custom_if_edited(valid)
            self._persist(valid)
            self.specs_changed.emit(copy.deepcopy(valid))
        self.schedule_preview()

    def _persist(self, valid: dict) -> None:
        """Remember the user's pipelines; while on automatic presets, remember nothing."""
        settings = QSettings()
        if self._auto_preset:
            settings.remove("augment/specs")
        else:
            settings.setValue("augment/specs", json.dumps(valid))

    def _valid_specs(self) -> dict | None:
        try:
            return {"train": augment.validate_spec(self.train_list.steps()),
                    "eval": augment.validate_spec(self.eval_list.steps())}  # fmt: skip
        except SpecError:
            return None

    def _update_errors(self) -> dict | None:
        """Show the first problem of each list inline: red step, red field, a sentence.

        Returns the validated {"train", "eval"} specs, or None when either has a problem.
        """
        messages = []
        valid: dict = {}
        for which, lst in (("train", self.train_list), ("eval", self.eval_list)):
            try:
                valid[which] = augment.validate_spec(lst.steps())
                lst.mark_error(None)
            except SpecError as exc:
                lst.mark_error(exc.step, str(exc))
                messages.append(f"{which}: {exc}")
                if lst is self._active_list and exc.step == lst.currentRow():
                    for name, widget in self._param_widgets.items():
                        widget.set_error(name == exc.field)
                    continue
            if lst is self._active_list:
                for widget in self._param_widgets.values():
                    widget.set_error(False)
        self.error_label.setText("\n".join(messages))
        return None if messages else valid

    def error_text(self) -> str:
        return self.error_label.text()

    def warnings(self) -> list[str]:
        """Current warnings about the pipelines (also shown under the preview)."""
        return self._warnings_for(self._valid_specs())

    def _warnings_for(self, valid: dict | None) -> list[str]:
        """Warnings about already validated specs (None: not valid, nothing to warn of)."""
        if valid is None:
            return []
        size = self._source_size()
        out = augment.spec_warnings(valid["train"], size, self._pretrained_stats)
        out += [
            f"eval: {w}" for w in augment.spec_warnings(valid["eval"], size, self._pretrained_stats)
        ]
        return out

    def _update_warnings(self, warnings: list[str] | None = None) -> None:
        shown = self.warnings() if warnings is None else warnings
        self.warning_label.setText("\n".join(f"⚠ {w}" for w in shown))

    def _source_size(self) -> tuple[int, int] | None:
        image = self._source_image()
        return None if image is None else (image.height, image.width)

    # ----------------------------------------------------------------- presets & files

    def _refresh_presets(self, select: str | None = None) -> None:
        self.preset_combo.blockSignals(True)
        self.preset_combo.clear()
        self.preset_combo.addItem(CUSTOM_LABEL, None)
        for name in BUILTIN_PRESETS:
            self.preset_combo.addItem(name, ("builtin", name))
        for name in self.user_presets():
            self.preset_combo.addItem(f"{name} (mine)", ("user", name))
        index = 0
        if select is not None:
            for i in range(self.preset_combo.count()):
                data = self.preset_combo.itemData(i)
                if data is not None and data[1] == select:
                    index = i
        self.preset_combo.setCurrentIndex(index)
        self.preset_combo.blockSignals(False)

    def user_presets(self) -> list[str]:
        if not self.presets_dir.is_dir():
            return []
        return sorted(p.stem for p in self.presets_dir.glob("*.json"))

    def apply_preset(self, name: str, *, _user: bool = True) -> None:
        """Load a built-in preset (seed, digits, none) or a saved user preset by name."""
        if name in BUILTIN_PRESETS:
            specs = augment.get_preset(name)
        else:
            specs = augment.load_spec_file(self.presets_dir / f"{name}.json")
        self._applied = copy.deepcopy(specs)
        self.set_specs(specs, _user=_user)
        self._refresh_presets(select=name)

    def save_user_preset(self, name: str) -> Path:
        """Save both pipelines as a user preset; returns the JSON file."""
        name = name.strip()
        if not name or any(c in name for c in '/\\:*?"<>|') or name in BUILTIN_PRESETS:
            raise SpecError(f"{name!r} cannot be a preset name; use letters, digits, - or _.")
        self.presets_dir.mkdir(parents=True, exist_ok=True)
        path = self.presets_dir / f"{name}.json"
        augment.save_spec_file(path, self.specs())
        self._applied = copy.deepcopy(self.specs())
        self._refresh_presets(select=name)
        return path

    def delete_user_preset(self, name: str) -> None:
        (self.presets_dir / f"{name}.json").unlink(missing_ok=True)
        self._refresh_presets()

    def save_spec(self, path: str | Path) -> None:
        augment.save_spec_file(path, self.specs())

    def load_spec(self, path: str | Path) -> None:
        self.set_specs(augment.load_spec_file(path))
        self._refresh_presets()

    def code_text(self) -> str:
        """Source of both pipelines: ``transform`` (train) and ``eval_transform``."""
        specs = self.specs()
        train = augment.spec_to_code(specs["train"])
        body = augment.spec_to_code(specs["eval"]).split("transform = ", 1)[1]
        return (
            "# train pipeline (ConvStudio)\n"
            + train
            + "\n# eval pipeline: validation and prediction\neval_transform = "
            + body
        )

    def copy_code(self) -> None:
        try:
            text = self.code_text()
        except SpecError as exc:
            self.error_label.setText(str(exc))
            return
        QGuiApplication.clipboard().setText(text)

    def _mark_custom_if_edited(self, valid: dict) -> None:
        applied = self._applied
        if applied is not None and applied != valid and self.preset_combo.currentIndex() != 0:
            self.preset_combo.setCurrentIndex(0)

    @Slot(int)
    def _on_preset_chosen(self, index: int) -> None:
        data = self.preset_combo.itemData(index)
        if data is None:
            return
        try:
            self.apply_preset(data[1])
        except SpecError as exc:
            self.error_label.setText(str(exc))

    def _ask_save_preset(self) -> None:
        name, ok = QInputDialog.getText(self, "Save preset", "Preset name:")
        if ok and name:
            try:
                self.save_user_preset(name)
            except (SpecError, OSError) as exc:
                QMessageBox.warning(self, "Save preset", str(exc))

    def _delete_selected_preset(self) -> None:
        data = self.preset_combo.currentData()
        if data is not None and data[0] == "user":
            self.delete_user_preset(data[1])

    def _ask_load(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Load pipeline", "", "JSON (*.json)")
        if path:
            try:
                self.load_spec(path)
            except SpecError as exc:
                QMessageBox.warning(self, "Load pipeline", str(exc))

    def _ask_save(self) -> None:
        path, _ = QFileDialog.getSaveFileName(
            self, "Save pipeline", "augment.json", "JSON (*.json)"
        )
        if path:
            try:
                self.save_spec(path)
            except (SpecError, OSError) as exc:
                QMessageBox.warning(self, "Save pipeline", str(exc))

    def _restore(self) -> None:
        """Last session's pipelines, else the seed preset until a dataset says otherwise."""
        self._refresh_presets()
        saved = QSettings().value("augment/specs", "")
        if saved:
            try:
                self.set_specs(json.loads(str(saved)))
                return
            except (SpecError, ValueError, KeyError, TypeError):
                pass
        self.apply_preset("seed", _user=False)

    # ----------------------------------------------------------------- preview source

    def _load_samples(self) -> None:
        self._dataset_generation += 1
        self.info_label.setText(f"Loading images of {self._source}…")
        # callbacks go through run_task so they are connected before the task can finish
        tasks.run_task(
            _samples_task,
            self.sample_loader,
            self._source,
            self._dataset_generation,
            on_finished=self._on_samples,
            on_error=self._on_samples_error,
        )

    @Slot(object)
    def _on_samples(self, result: tuple) -> None:
        """Sample images arrived; ignore them when another dataset was chosen since."""
        generation, samples = result
        if generation != self._dataset_generation:
            return
        self._samples = {k: v for k, v in samples.items() if v}
        first = next(iter(self._samples.values()), [])
        self._channels = 1 if first and first[0].mode == "L" else 3
        self.class_combo.blockSignals(True)
        self.class_combo.clear()
        self.class_combo.addItems(list(self._samples))
        self.class_combo.blockSignals(False)
        self._on_source_changed()

    @Slot(object)
    def _on_samples_error(self, error: BaseException) -> None:
        message = errors.message(error)
        self.info_label.setText(f"Could not load preview images: {message}")

    def _on_source_changed(self, *_: Any) -> None:
        images = self._samples.get(self.class_combo.currentText(), [])
        self.index_spin.blockSignals(True)
        self.index_spin.setRange(0, max(0, len(images) - 1))
        self.index_spin.blockSignals(False)
        if self.sender() in (self.class_combo, self.index_spin):
            self._dropped = None
        self._update_warnings()
        self.schedule_preview()

    def pick_random_source(self) -> None:
        if not self._samples:
            return
        rng = np.random.default_rng()
        cls = int(rng.integers(len(self._samples)))
        self.class_combo.setCurrentIndex(cls)
        count = len(self._samples[self.class_combo.currentText()])
        self.index_spin.setValue(int(rng.integers(count)))
        self._dropped = None
        self.schedule_preview()

    def set_source_image(self, image: Image.Image) -> None:
        """Preview this image (e.g. dropped raw data) instead of a dataset image."""
        if self._channels == 1:
            image = image.convert("L")
        elif image.mode != "RGB":
            image = image.convert("RGB")
        self._dropped = image
        self._update_warnings()
        self.schedule_preview()

    def load_source_file(self, path: str) -> None:
        """Load an image file (off the GUI thread) and preview it."""
        tasks.run_task(
            _file_task,
            str(path),
            self._channels,
            on_finished=self._on_file_loaded,
            on_error=self._on_file_error,
        )

    @Slot(object)
    def _on_file_loaded(self, result: tuple) -> None:
        self.set_source_image(result[1])

    @Slot(object)
    def _on_file_error(self, error: BaseException) -> None:
        message = errors.message(error)
        self.info_label.setText(f"Cannot use that file: {message}")
        self.preview_failed.emit(message)

    def _ask_open_image(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Preview an image", "", "Images (*.*)")
        if path:
            self.load_source_file(path)

    def _source_image(self) -> Image.Image | None:
        if self._dropped is not None:
            return self._dropped
        images = self._samples.get(self.class_combo.currentText(), [])
        if not images:
            return None
        return images[min(self.index_spin.value(), len(images) - 1)]

    def _per_class_sources(self) -> tuple[list[Image.Image], list[str]]:
        index = self.index_spin.value()
        names = list(self._samples)
        return [self._samples[n][index % len(self._samples[n])] for n in names], names

    # ----------------------------------------------------------------- preview

    def reroll(self) -> None:
        """A new random seed, hence new samples."""
        self.seed_spin.setValue(int(np.random.default_rng().integers(0, 2**31 - 1)))

    @Slot()
    def schedule_preview(self, *_: Any) -> None:
        """Debounce: many quick edits cause one render; older renders become stale."""
        self._generation += 1
        self._timer.start()

    def _build_request(self) -> PreviewRequest | None:
        valid = self._valid_specs()
        if valid is None:
            return None
        spec = valid[self.pipeline_combo.currentData() or "train"]
        per_class = self.per_class_box.isChecked() and bool(self._samples)
        if per_class:
            sources, captions = self._per_class_sources()
            n = len(sources)
        else:
            source = self._source_image()
            if source is None:
                return None
            sources, captions, n = [source], [], self.n_spin.value()
        return PreviewRequest(
            generation=self._generation,
            spec=spec,
            sources=sources,
            captions=captions,
            n=n,
            seed=self.seed_spin.value(),
            view=self.view_combo.currentData(),
            per_class=per_class,
        )

    @Slot()
    def _start_preview(self) -> None:
        if not self._torch_ready:
            self.info_label.setText("Preview starts once PyTorch has loaded…")
            return
        if self._in_flight is not None:
            self._pending = True  # render again when the running one is done
            return
        request = self._build_request()
        if request is None:
            return
        self._in_flight = tasks.run_task(
            _preview_task,
            request,
            on_finished=self._on_preview,
            on_error=self._on_preview_error,
        )

    @Slot(object)
    def _on_preview(self, result: PreviewResult) -> None:
        self._preview_done()
        if result.generation != self._generation:
            return  # a newer request exists: this picture is stale
        self._last_grid = result.grid
        self.preview_area.label.setPixmap(QPixmap.fromImage(result.grid))
        self.original_label.setPixmap(QPixmap.fromImage(result.original))
        self.info_label.setText(result.info)
        self.preview_updated.emit(
            {
                "generation": result.generation,
                "seed": result.seed,
                "n": result.count,
                "view": self.view_combo.currentData(),
                "shape": result.shape,
                "info": result.info,
            }
        )

    @Slot(object)
    def _on_preview_error(self, error: BaseException) -> None:
        message = errors.message(error)
        self._preview_done()
        self.info_label.setText(f"Preview failed: {message}")
        self.preview_failed.emit(message)

    def _preview_done(self) -> None:
        """The running render has reported; start the one that waited for it, if any."""
        self._in_flight = None
        if self._pending:
            self._pending = False
            self._timer.start()
