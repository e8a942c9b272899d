"""The Train panel: model and hyperparameter choice, Start/Pause/Stop, live progress.

The panel builds a :class:`core.trainer.TrainConfig` from its widgets and hands it to
a :class:`gui.worker.TrainingRun` (the trainer in its own QThread). Events come back
as queued signals; the slots only record values, and a 5 Hz timer pushes them to
the plots and labels, so the GUI thread does little work however fast batches come.

Nothing here imports torch at module top: the model list, the device list and the
parameter count appear once the main window reports that PyTorch is loaded
(:meth:`TrainPanel.on_torch_ready`). pyqtgraph (slow to import) is loaded when the
plots are first needed (:meth:`TrainPanel.ensure_plots`).
"""

from __future__ import annotations

import datetime as _dt
import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QSettings, Qt, QTimer, Signal, Slot
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from core import BUILTIN_DIGITS, MODES, SCHEDULERS
from gui import appdata, errors, tasks
from gui.panel import Panel

DEFAULT_ARCH = "smallcnn"

PRETRAINED_CHOICES = (
    ("none", "None (random init)"),
    ("imagenet", "ImageNet (torchvision)"),
    ("file", "From a .pth file"),
)
TABLE_COLUMNS = ("epoch", "train loss", "train acc", "val loss", "val acc", "lr", "seconds")
REFRESH_MS = 200  # plots and labels are redrawn at most 5 times a second
LOG_LINES = 5000
SETTINGS_GROUP = "train"

# name -> (default, type) of the hyperparameters kept in QSettings
_SETTINGS: dict[str, tuple[Any, type]] = {
    "arch": (DEFAULT_ARCH, str),
    "mode": ("scratch", str),
    "pretrained": ("none", str),
    "pretrained_file": ("", str),
    "epochs": (15, int),
    "batch_size": (64, int),
    "lr": (1e-3, float),
    "optimizer": ("adam", str),
    "momentum": (0.9, float),
    "weight_decay": (0.0, float),
    "scheduler": ("cosine", str),  # as core.trainer.TrainConfig
    "step_size": (5, int),
    "gamma": (0.1, float),
    "val_split": (0.2, float),
    "seed": (0, int),
    "device": ("auto", str),
    "output": ("", str),
}


def default_runs_folder() -> str:
    """runs/ in the app's data folder (~/.local/share/ConvStudio/runs on Linux)."""
    return str(appdata.runs_dir())


def new_run_dir(folder: str | Path, arch: str, now: _dt.datetime | None = None) -> Path:
    """A fresh run folder name under ``folder``: <arch>-<YYYYmmdd-HHMMSS>[-n]."""
    stamp = (now or _dt.datetime.now()).strftime("%Y%m%d-%H%M%S")
    base = Path(folder) / f"{arch}-{stamp}"
    path, n = base, 1
    while path.exists():
        n += 1
        path = base.with_name(f"{base.name}-{n}")
    return path


def dataset_shape(source: str) -> tuple[int, int, int | None]:
    """(classes, channels, natural input size) of a source without reading images.

    Digits are 10 classes of 1x28x28; a folder's class count is its number of class
    sub-folders (under train/ when that layout is used). Used only for the parameter
    count shown before training, so a quick directory listing is enough.
    """
    if source in (BUILTIN_DIGITS, "digits"):
        return 10, 1, 28
    root = Path(source)
    for name in ("train",):
        if (root / name).is_dir():
            root = root / name
    try:
        classes = [e for e in os.scandir(root) if e.is_dir() and not e.name.startswith(".")]
    except OSError:
        return 2, 3, None
    return max(2, len(classes)), 3, None


def count_model_parameters(ctx, arch: str, mode: str, source: str) -> tuple[int, int]:
    """Task function: build the model (no pretrained weights needed) and count parameters."""
    from core import models

    ctx.check()
    num_classes, channels, size = dataset_shape(source)
    info = models.ARCHS[arch]
    model = models.build_model(
        arch,
        num_classes,
        in_channels=channels,
        mode=mode,
        pretrained=None,
        input_size=size or info.default_input_size,
    )
    ctx.check()
    return models.count_parameters(model)


def _fmt_duration(seconds: float | None) -> str:
    if seconds is None or seconds != seconds or seconds < 0:
        return "--:--"
    seconds = int(round(seconds))
    h, rem = divmod(seconds, 3600)
    m, s = divmod(rem, 60)
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m}:{s:02d}"


def _spin(low: int, high: int, value: int, tip: str) -> QSpinBox:
    box = QSpinBox()
    box.setRange(low, high)
    box.setValue(value)
    box.setToolTip(tip)
    return box


def _dspin(
    low: float, high: float, value: float, decimals: int, step: float, tip: str
) -> QDoubleSpinBox:
    box = QDoubleSpinBox()
    box.setDecimals(decimals)
    box.setRange(low, high)
    box.setSingleStep(step)
    box.setValue(value)
    box.setToolTip(tip)
    return box


def _combo(items: tuple[str, ...] | list[str], tip: str) -> QComboBox:
    box = QComboBox()
    box.addItems(list(items))
    box.setToolTip(tip)
    return box


class _Progress:
    """What the timer shows: updated by the event slots, read by :meth:`TrainPanel.refresh`."""

    def __init__(self) -> None:
        self.t0 = time.monotonic()
        self.paused_since: float | None = None
        self.paused_total = 0.0
        self.epoch = 0
        self.epochs = 0
        self.start_epoch = 1
        self.step = 0
        self.steps = 0
        self.images_per_second = 0.0
        self.done_epochs = 0

    def elapsed(self) -> float:
        now = self.paused_since or time.monotonic()
        return now - self.t0 - self.paused_total

    def fraction(self) -> float:
        """Share of this run's planned batches done (epochs resumed from count as done)."""
        total = self.epochs - self.start_epoch + 1
        if total <= 0 or self.steps <= 0:
            return 0.0
        done = (self.epoch - self.start_epoch) + self.step / self.steps if self.epoch else 0.0
        return min(1.0, max(0.0, done / total))

    def eta(self) -> float | None:
        f = self.fraction()
        return None if f <= 0 else self.elapsed() * (1 - f) / f


class TrainPanel(Panel):
    """Choose a model and hyperparameters, train in a background thread, watch it live.

    Signals: ``model_choice_changed(str arch, str pretrained)``, ``run_started(str run_dir)``, ``run_finished(str run_dir, str best_pt)``
    when a run ends with a best.pt (also after a stop), ``training_finished(object)``
    (the summary dict or None) once the training thread is gone, ``error_occurred(str)``
    for any message the user must see, ``training_state_changed(bool running)``.
    """

    title = "Train"

    run_started = Signal(str)
    run_finished = Signal(str, str)
    training_finished = Signal(object)
    error_occurred = Signal(str)
    training_state_changed = Signal(bool)
    model_choice_changed = Signal(str, str)  # arch, TrainConfig.pretrained

    def __init__(self, parent: QWidget | None = None, *, runs_folder: str | None = None) -> None:
        super().__init__(parent)
        self.source = BUILTIN_DIGITS
        self.torch_ready = False
        self.last_error: str | None = None
        self.last_error_details = ""
        self.last_summary: dict | None = None
        self.last_run_dir: str | None = None
        self.best_pt: str | None = None
        self.param_counts: tuple[int, int] | None = None
        self.plots = None
        self._run = None
        self._specs_provider: Callable[[], dict | None] | None = None
        self._wanted_arch = DEFAULT_ARCH
        self._wanted_device = "auto"
        self._param_task = None
        self._best_row: int | None = None
        self._shut_down = False
        self._progress = _Progress()
        self._build(runs_folder or default_runs_folder())
        self._timer = QTimer(self)
        self._timer.setInterval(REFRESH_MS)
        self._timer.timeout.connect(self.refresh)
        self._update_buttons()

    # ================================================================== layout
    def _build(self, runs_folder: str) -> None:
        settings = QWidget()
        form_box = QVBoxLayout(settings)
        form_box.addWidget(self._build_model_group())
        form_box.addWidget(self._build_hyper_group())
        form_box.addWidget(self._build_output_group())
        form_box.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(settings)
        scroll.setMinimumWidth(330)
        self.output_edit.setText(runs_folder)

        right = QWidget()
        right_box = QVBoxLayout(right)
        right_box.setContentsMargins(0, 0, 0, 0)
        right_box.addLayout(self._build_controls())
        self.plot_holder = QWidget()
        self.plot_holder_layout = QVBoxLayout(self.plot_holder)
        self.plot_holder_layout.setContentsMargins(0, 0, 0, 0)
        self.plot_placeholder = QLabel("Loading plots...")
        self.plot_placeholder.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.plot_holder_layout.addWidget(self.plot_placeholder)
        bottom = QTabWidget()
        bottom.addTab(self._build_table(), "Epochs")
        bottom.addTab(self._build_log(), "Log")
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(self.plot_holder)
        split.addWidget(bottom)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 1)
        split.setSizes([3000, 1000])  # the curves get most of the height from the start
        self.plot_holder.setMinimumHeight(280)
        right_box.addWidget(split, 1)

        outer = QSplitter(Qt.Orientation.Horizontal)
        outer.addWidget(scroll)
        outer.addWidget(right)
        outer.setStretchFactor(1, 1)
        layout = QHBoxLayout(self)
        layout.addWidget(outer)

    def _build_model_group(self) -> QGroupBox:
        group = QGroupBox("Model")
        form = QFormLayout(group)
        self.data_label = QLabel(BUILTIN_DIGITS)
        self.data_label.setToolTip("The dataset chosen in the Data tab.")
        self.data_label.setWordWrap(True)
        form.addRow("Dataset:", self.data_label)
        self.arch_combo = _combo([DEFAULT_ARCH], "Network architecture from the model registry.")
        self.arch_combo.setEnabled(False)
        self.arch_combo.currentTextChanged.connect(self._on_model_changed)
        form.addRow("Model:", self.arch_combo)
        self.arch_help = QLabel("")
        self.arch_help.setWordWrap(True)
        self.arch_help.setStyleSheet("color: gray")
        form.addRow(self.arch_help)
        self.mode_combo = _combo(
            MODES,
            "scratch: random weights, all layers train. finetune: start from pretrained "
            "weights and train all layers. feature-extract: freeze the backbone, train only "
            "the new head.",
        )
        self.mode_combo.currentTextChanged.connect(self._on_model_changed)
        form.addRow("Transfer mode:", self.mode_combo)
        self.pretrained_combo = QComboBox()
        for key, label in PRETRAINED_CHOICES:
            self.pretrained_combo.addItem(label, key)
        self.pretrained_combo.setToolTip(
            "Start from ImageNet weights (torchvision, from the torch hub cache) or from a "
            "local .pth state_dict. Missing weights stop the run with a message naming the file."
        )
        self.pretrained_combo.currentIndexChanged.connect(self._on_pretrained_changed)
        form.addRow("Pretrained:", self.pretrained_combo)
        row = QHBoxLayout()
        self.pretrained_edit = QLineEdit()
        self.pretrained_edit.setPlaceholderText("path to weights .pth")
        self.pretrained_edit.setToolTip("A .pth file holding a state_dict for this architecture.")
        browse = QToolButton()
        browse.setText("...")
        browse.clicked.connect(self._browse_weights)
        row.addWidget(self.pretrained_edit, 1)
        row.addWidget(browse)
        self.pretrained_row = QWidget()
        self.pretrained_row.setLayout(row)
        row.setContentsMargins(0, 0, 0, 0)
        form.addRow("", self.pretrained_row)
        self.pretrained_row.setVisible(False)
        self.params_label = QLabel("Parameters: (loading PyTorch...)")
        self.params_label.setToolTip("Trainable / total parameters of the chosen model.")
        form.addRow(self.params_label)
        return group

    def _build_hyper_group(self) -> QGroupBox:
        group = QGroupBox("Hyperparameters")
        form = QFormLayout(group)
        self.epochs_spin = _spin(1, 100_000, 15, "Passes over the training set.")
        self.batch_spin = _spin(1, 65_536, 64, "Images per optimizer step.")
        self.lr_spin = _dspin(
            1e-6, 10.0, 1e-3, 6, 1e-4, "Learning rate: the optimizer's step size."
        )
        self.optimizer_combo = _combo(
            ("adam", "adamw", "sgd"), "Adam/AdamW adapt the step per weight; SGD uses momentum."
        )
        self.momentum_spin = _dspin(0.0, 0.999, 0.9, 3, 0.05, "SGD momentum (ignored by Adam).")
        self.wd_spin = _dspin(0.0, 1.0, 0.0, 6, 1e-4, "Weight decay (L2 penalty on the weights).")
        self.scheduler_combo = _combo(
            SCHEDULERS,
            "Learning-rate schedule: none (constant), step (multiply by gamma every step size "
            "epochs), cosine (anneal to zero over the run), onecycle (warm up to the learning "
            "rate, then anneal; stepped every batch).",
        )
        self.scheduler_combo.setCurrentText(_SETTINGS["scheduler"][0])
        self.step_spin = _spin(1, 10_000, 5, "StepLR: epochs between learning-rate drops.")
        self.gamma_spin = _dspin(0.001, 1.0, 0.1, 3, 0.05, "StepLR: factor applied at each drop.")
        self.val_spin = _dspin(
            0.05,
            0.9,
            0.2,
            2,
            0.05,
            "Share of images held out for validation when the folder has no valid/ split.",
        )
        self.seed_spin = _spin(0, 2**31 - 1, 0, "Random seed: same seed, same run on CPU.")
        self.device_combo = _combo(["auto", "cpu"], "Where to train: auto picks CUDA when present.")
        for label, widget in (
            ("Epochs:", self.epochs_spin),
            ("Batch size:", self.batch_spin),
            ("Learning rate:", self.lr_spin),
            ("Optimizer:", self.optimizer_combo),
            ("Momentum:", self.momentum_spin),
            ("Weight decay:", self.wd_spin),
            ("LR schedule:", self.scheduler_combo),
            ("Step size:", self.step_spin),
            ("Gamma:", self.gamma_spin),
            ("Validation split:", self.val_spin),
            ("Seed:", self.seed_spin),
            ("Device:", self.device_combo),
        ):
            form.addRow(label, widget)
        self.optimizer_combo.currentTextChanged.connect(self._update_hyper_enabled)
        self.scheduler_combo.currentTextChanged.connect(self._update_hyper_enabled)
        self.hyper_group = group
        self._update_hyper_enabled()
        return group

    def _update_hyper_enabled(self, *_: Any) -> None:
        """Grey out the settings the chosen optimizer and schedule ignore."""
        self.momentum_spin.setEnabled(self.optimizer_combo.currentText() == "sgd")
        step = self.scheduler_combo.currentText() == "step"
        self.step_spin.setEnabled(step)
        self.gamma_spin.setEnabled(step)

    def _build_output_group(self) -> QGroupBox:
        group = QGroupBox("Output")
        self.output_group = group
        row = QHBoxLayout(group)
        self.output_edit = QLineEdit()
        self.output_edit.setToolTip(
            "Each run gets its own folder here (config, metrics, best.pt, last.pt)."
        )
        browse = QToolButton()
        browse.setText("...")
        browse.clicked.connect(self._browse_output)
        row.addWidget(self.output_edit, 1)
        row.addWidget(browse)
        return group

    def _build_controls(self) -> QVBoxLayout:
        box = QVBoxLayout()
        buttons = QHBoxLayout()
        self.start_button = QPushButton("Start training")
        self.start_button.setToolTip("Train with these settings (Ctrl+T / F5).")
        self.start_button.clicked.connect(self.start_training)
        self.pause_button = QPushButton("Pause")
        self.pause_button.setToolTip("Pause between batches; press again to resume.")
        self.pause_button.clicked.connect(self.toggle_pause)
        self.stop_button = QPushButton("Stop")
        self.stop_button.setToolTip("Stop after the current batch; last.pt is still written (Esc).")
        self.stop_button.clicked.connect(self.stop_training)
        for b in (self.start_button, self.pause_button, self.stop_button):
            buttons.addWidget(b)
        buttons.addStretch(1)
        box.addLayout(buttons)
        self.progress_bar = QProgressBar()
        self.progress_bar.setRange(0, 1000)
        self.progress_bar.setValue(0)
        self.progress_bar.setFormat("idle")
        box.addWidget(self.progress_bar)
        self.status_label = QLabel("Ready.")
        box.addWidget(self.status_label)
        return box

    def _build_table(self) -> QTableWidget:
        self.table = QTableWidget(0, len(TABLE_COLUMNS))
        self.table.setHorizontalHeaderLabels(list(TABLE_COLUMNS))
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.horizontalHeader().setStretchLastSection(True)
        return self.table

    def _build_log(self) -> QPlainTextEdit:
        self.log_view = QPlainTextEdit()
        self.log_view.setReadOnly(True)
        self.log_view.setMaximumBlockCount(LOG_LINES)
        return self.log_view

    def ensure_plots(self):
        """Create the live plots (imports pyqtgraph) the first time they are needed."""
        if self.plots is None:
            from gui.plots import LivePlots

            self.plots = LivePlots()
            self.plot_holder_layout.removeWidget(self.plot_placeholder)
            self.plot_placeholder.deleteLater()
            self.plot_holder_layout.addWidget(self.plots)
        return self.plots

    # ================================================================== wiring API
    def set_data_source(self, source: str) -> None:
        """The dataset to train on (from the Data panel): "builtin:digits" or a folder."""
        self.source = str(source) or BUILTIN_DIGITS
        self.data_label.setText(self.source)
        self._request_param_count()

    def set_specs_provider(self, provider: Callable[[], dict | None] | None) -> None:
        """A callable returning {"train": spec, "eval": spec} (the Augment panel's specs)."""
        self._specs_provider = provider

    def set_output_folder(self, folder: str | Path) -> None:
        self.output_edit.setText(str(folder))

    def on_torch_ready(self) -> None:
        """PyTorch is importable: fill the model and device lists, count parameters."""
        from core import models

        self.torch_ready = True
        self._fill_archs(list(models.ARCHS))
        self._fill_devices()
        self._update_buttons()
        self._request_param_count()

    def _fill_archs(self, names: list[str]) -> None:
        wanted = self._wanted_arch if self._wanted_arch in names else DEFAULT_ARCH
        self.arch_combo.blockSignals(True)
        self.arch_combo.clear()
        self.arch_combo.addItems(names)
        self.arch_combo.setCurrentText(wanted)
        self.arch_combo.blockSignals(False)
        self.arch_combo.setEnabled(True)
        self._update_arch_help()

    def _fill_devices(self) -> None:
        import torch

        devices = ["auto", "cpu"]
        if torch.cuda.is_available():
            devices.append("cuda")
        mps = getattr(torch.backends, "mps", None)
        if mps is not None and mps.is_available():
            devices.append("mps")
        self.device_combo.clear()
        self.device_combo.addItems(devices)
        self.device_combo.setCurrentText(
            self._wanted_device if self._wanted_device in devices else "auto"
        )

    # ================================================================== model choice
    def arch(self) -> str:
        return self.arch_combo.currentText() if self.torch_ready else self._wanted_arch

    def set_arch(self, name: str) -> None:
        self._wanted_arch = name
        if self.torch_ready:
            self.arch_combo.setCurrentText(name)
        else:
            self.arch_combo.blockSignals(True)
            self.arch_combo.clear()
            self.arch_combo.addItem(name)
            self.arch_combo.blockSignals(False)

    def pretrained_value(self) -> str:
        """TrainConfig.pretrained: "none", "imagenet" or the .pth path."""
        key = self.pretrained_combo.currentData()
        if key == "file":
            return self.pretrained_edit.text().strip() or "none"
        return key

    @Slot()
    def _on_model_changed(self, *_: Any) -> None:
        if self.torch_ready:
            self._wanted_arch = self.arch_combo.currentText()
        self._update_arch_help()
        self._request_param_count()
        self.model_choice_changed.emit(self.arch(), self.pretrained_value())

    @Slot()
    def _on_pretrained_changed(self, *_: Any) -> None:
        key = self.pretrained_combo.currentData()
        self.pretrained_row.setVisible(key == "file")
        if key != "none" and self.mode_combo.currentText() == "scratch":
            self.mode_combo.setCurrentText("finetune")  # pretrained weights are for transfer
        self.model_choice_changed.emit(self.arch(), self.pretrained_value())

    def _update_arch_help(self) -> None:
        if not self.torch_ready:
            return
        from core import models

        info = models.ARCHS.get(self.arch_combo.currentText())
        self.arch_help.setText(info.description if info else "")
        imagenet = self.pretrained_combo.model().item(1)
        if imagenet is not None:
            imagenet.setEnabled(bool(info and info.pretrained))
        if info and not info.pretrained and self.pretrained_combo.currentData() == "imagenet":
            self.pretrained_combo.setCurrentIndex(0)

    def _request_param_count(self) -> None:
        """Count parameters off the GUI thread (building vgg16 takes a moment)."""
        if not self.torch_ready:
            return
        if self._param_task is not None:
            self._param_task.cancel()
        self.params_label.setText("Parameters: counting...")
        self._param_task = tasks.run_task(
            count_model_parameters,
            self.arch_combo.currentText(),
            self.mode_combo.currentText(),
            self.source,
            on_finished=self._on_params_counted,
            on_error=self._on_params_error,
        )

    @Slot(object)
    def _on_params_counted(self, counts: tuple[int, int]) -> None:
        if self.sender() is not self._param_task:
            return  # a stale answer for an earlier choice
        self.param_counts = (int(counts[0]), int(counts[1]))
        trainable, total = self.param_counts
        self.params_label.setText(f"Parameters: {trainable:,} trainable / {total:,} total")

    @Slot(object)
    def _on_params_error(self, error: BaseException) -> None:
        message = errors.message(error)
        if self.sender() is self._param_task:
            self.params_label.setText(f"Parameters: unavailable ({message})")

    def _browse_weights(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self, "Pretrained weights", "", "Weights (*.pth *.pt)"
        )
        if path:
            self.pretrained_edit.setText(path)

    def _browse_output(self) -> None:
        path = QFileDialog.getExistingDirectory(
            self, "Folder for training runs", self.output_edit.text()
        )
        if path:
            self.output_edit.setText(path)

    # ================================================================== config
    def hyperparameters(self) -> dict:
        """The TrainConfig fields the widgets hold (besides data, specs and out)."""
        return {
            "arch": self.arch(),
            "mode": self.mode_combo.currentText(),
            "pretrained": self.pretrained_value(),
            "epochs": self.epochs_spin.value(),
            "batch_size": self.batch_spin.value(),
            "lr": self.lr_spin.value(),
            "optimizer": self.optimizer_combo.currentText(),
            "momentum": self.momentum_spin.value(),
            "weight_decay": self.wd_spin.value(),
            "scheduler": self.scheduler_combo.currentText(),
            "step_size": self.step_spin.value(),
            "gamma": self.gamma_spin.value(),
            "val_split": self.val_spin.value(),
            "seed": self.seed_spin.value(),
            "device": self.device_combo.currentText(),
        }

    def build_config(self, run_dir: str | Path | None = None):
        """A validated TrainConfig for the current choices (ConfigError when a value is bad)."""
        from core.trainer import TrainConfig

        values = self.hyperparameters()
        specs = self._current_specs()
        if specs:
            values["train_transforms"] = specs.get("train")
            values["eval_transforms"] = specs.get("eval")
        if run_dir is None:
            run_dir = new_run_dir(
                self.output_edit.text().strip() or default_runs_folder(), values["arch"]
            )
        config = TrainConfig(data=self.source, out=str(run_dir), num_workers=0, **values)
        config.validate()
        return config

    def _current_specs(self) -> dict | None:
        if self._specs_provider is None:
            return None
        specs = self._specs_provider()
        if not specs or not specs.get("train") or not specs.get("eval"):
            return None
        return specs

    # ================================================================== run control
    def is_training(self) -> bool:
        return self._run is not None

    @Slot()
    def start_training(self) -> bool:
        """Start a run with the current settings; False (and a message) when it cannot."""
        if self._run is not None:
            return False
        if not self.torch_ready:
            self._show_error("PyTorch is still loading; press Start again in a moment.")
            return False
        try:
            config = self.build_config()
        except Exception as exc:  # bad value or bad augmentation spec: say so, do not crash
            self._show_error(f"Cannot start training: {exc}")
            return False
        self._begin(config)
        return True

    def _begin(self, config: Any) -> None:
        from gui.worker import TrainingRun

        self.ensure_plots().clear()
        self.table.setRowCount(0)
        self._best_row = None
        self.last_error = None
        self.last_summary = None
        self.best_pt = None
        self.last_run_dir = config.out
        self._progress = _Progress()
        self._progress.epochs = config.epochs
        run = TrainingRun(config)
        worker = run.worker
        worker.started.connect(self._on_started)
        worker.batch_ended.connect(self._on_batch)
        worker.epoch_ended.connect(self._on_epoch)
        worker.checkpoint_saved.connect(self._on_checkpoint)
        worker.paused.connect(self._on_paused)
        worker.resumed.connect(self._on_resumed)
        worker.errored.connect(self._on_errored)
        worker.finished.connect(self._on_worker_finished)
        run.thread.finished.connect(self._on_thread_finished)
        self._run = run
        # lay the epoch axes out now, before the training thread competes for the GIL
        self.plots.plan(config.epochs)
        self.plots.repaint()
        self.log(f"Starting {config.arch} on {config.data} -> {config.out}")
        run.start()
        self._timer.start()
        self._update_buttons()
        self.training_state_changed.emit(True)
        self.run_started.emit(str(config.out))

    @Slot()
    def toggle_pause(self) -> None:
        if self._run is None:
            return
        if self._run.is_paused:
            self.resume()
        else:
            self.pause()

    def pause(self) -> None:
        if self._run is not None and not self._run.is_paused:
            self._run.pause()
            if self._progress.paused_since is None:
                self._progress.paused_since = time.monotonic()
            self._update_buttons()

    def resume(self) -> None:
        if self._run is not None and self._run.is_paused:
            self._run.resume()
            self._end_pause_clock()
            self._update_buttons()

    def is_paused(self) -> bool:
        return self._run is not None and self._run.is_paused

    @Slot()
    def stop_training(self) -> None:
        """Ask the run to stop between batches (last.pt is still written)."""
        if self._run is not None:
            self._run.stop()
            self._end_pause_clock()
            self.log("Stopping after the current batch...")
            self._update_buttons()

    def stop_and_wait(self, timeout_ms: int = 10_000) -> bool:
        """Stop and block until the training thread has ended (window close, app quit)."""
        run = self._run
        if run is None:
            return True
        run.stop()
        if not run.wait(timeout_ms):
            return False
        self._cleanup_run()
        return True

    def shutdown(self, timeout_ms: int = 10_000) -> bool:
        """Window closing: stop and wait for training, drop background work, ignore late events."""
        ok = self.stop_and_wait(timeout_ms)
        self._shut_down = True
        self._timer.stop()
        if self._param_task is not None:
            self._param_task.cancel()
        return ok

    def _end_pause_clock(self) -> None:
        p = self._progress
        if p.paused_since is not None:
            p.paused_total += time.monotonic() - p.paused_since
            p.paused_since = None

    # ================================================================== worker events
    @Slot(object)
    def _on_started(self, ev: Any) -> None:
        p = self._progress
        p.epochs, p.start_epoch, p.steps = ev.epochs, ev.start_epoch, ev.steps_per_epoch
        if self.plots is not None:
            self.plots.plan(ev.epochs, ev.steps_per_epoch)
        self.log(
            f"{ev.arch}: {ev.trainable_params:,} trainable / {ev.total_params:,} parameters; "
            f"{ev.num_classes} classes; {ev.train_size} train / {ev.valid_size} valid images; "
            f"{ev.steps_per_epoch} batches per epoch; device {ev.device}, {ev.precision}."
        )

    @Slot(object)
    def _on_batch(self, ev: Any) -> None:
        p = self._progress
        p.epoch, p.epochs, p.step, p.steps = ev.epoch, ev.epochs, ev.step, ev.steps
        p.images_per_second = ev.images_per_second
        if self.plots is not None:
            self.plots.add_batch(ev.global_step, ev.loss)

    @Slot(object)
    def _on_epoch(self, ev: Any) -> None:
        p = self._progress
        p.epoch, p.step = ev.epoch, p.steps
        p.done_epochs += 1
        if self.plots is not None:
            self.plots.add_epoch(
                ev.epoch, ev.train_loss, ev.train_acc, ev.val_loss, ev.val_acc, ev.lr, ev.is_best
            )
        self._append_row(ev)
        self.log(
            f"epoch {ev.epoch}/{ev.epochs}: train loss {ev.train_loss:.4f} acc {ev.train_acc:.4f}"
            f" | val loss {ev.val_loss:.4f} acc {ev.val_acc:.4f}"
            f"{' (best)' if ev.is_best else ''} | {ev.seconds:.1f}s"
        )

    def _append_row(self, ev: Any) -> None:
        row = self.table.rowCount()
        self.table.insertRow(row)
        values = (
            str(ev.epoch),
            f"{ev.train_loss:.4f}",
            f"{ev.train_acc:.4f}",
            f"{ev.val_loss:.4f}",
            f"{ev.val_acc:.4f}",
            f"{ev.lr:.3g}",
            f"{ev.seconds:.1f}",
        )
        for col, text in enumerate(values):
            item = QTableWidgetItem(text)
            item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            self.table.setItem(row, col, item)
        if ev.is_best:
            self._mark_best_row(row)
        self.table.scrollToBottom()

    def _mark_best_row(self, best_row: int) -> None:
        """Bold the best epoch's row only (touches two rows, never refills the table)."""
        for row in (getattr(self, "_best_row", None), best_row):
            if row is None or row >= self.table.rowCount():
                continue
            for col in range(self.table.columnCount()):
                item = self.table.item(row, col)
                if item is not None:
                    font = QFont(item.font())
                    font.setBold(row == best_row)
                    item.setFont(font)
        self._best_row = best_row

    @Slot(object)
    def _on_checkpoint(self, ev: Any) -> None:
        if ev.kind == "best":
            self.best_pt = ev.path
        acc = "" if ev.val_acc is None else f", val acc {ev.val_acc:.4f}"
        self.log(f"saved {Path(ev.path).name} (epoch {ev.epoch}{acc})")

    @Slot()
    def _on_paused(self) -> None:
        self.log("Paused.")
        self._update_buttons()

    @Slot()
    def _on_resumed(self) -> None:
        self.log("Resumed.")
        self._update_buttons()

    @Slot(str)
    def _on_errored(self, message: str) -> None:
        if self._shut_down:
            return
        if self._run is not None:
            self.last_error_details = self._run.outcome.error_details
        self._show_error(f"Training failed: {message}")

    @Slot(object)
    def _on_worker_finished(self, ev: Any) -> None:
        if ev is None or self._shut_down:
            return
        self.last_summary = dict(ev.summary)
        s = self.last_summary
        state = "stopped" if ev.stopped else "finished"
        best = s.get("best_val_acc")
        best_text = "n/a" if best is None else f"{best:.4f} (epoch {s.get('best_epoch')})"
        self.log(
            f"Training {state} after {_fmt_duration(s.get('seconds'))}: best val acc {best_text}."
        )
        best_pt = s.get("best_pt") or self.best_pt
        if best_pt and Path(best_pt).is_file():
            self.best_pt = best_pt
            self.run_finished.emit(str(ev.run_dir), str(best_pt))

    @Slot()
    def _on_thread_finished(self) -> None:
        self._cleanup_run()

    def _cleanup_run(self) -> None:
        run, self._run = self._run, None
        if run is None:
            return
        run.release()
        self._timer.stop()
        self.refresh()
        self._update_buttons()
        self.progress_bar.setFormat("done" if self.last_error is None else "failed")
        if self.last_error is None and self.last_summary:
            self.status_label.setText(self.finished_text(self.last_summary))
            if self.last_summary.get("stopped"):
                self.progress_bar.setFormat("stopped")
        self.training_state_changed.emit(False)
        self.training_finished.emit(self.last_summary)

    @staticmethod
    def finished_text(summary: dict) -> str:
        """The status line after a run: how it ended, the best epoch, where the model went."""
        state = "stopped" if summary.get("stopped") else "finished"
        best = summary.get("best_val_acc")
        text = f"Training {state} after {_fmt_duration(summary.get('seconds'))}"
        if best is not None:
            text += (
                f" · best val acc {best:.4f} at epoch {summary.get('best_epoch')}"
                " · its best.pt is loaded in the Predict tab"
            )
        return text + "."

    # ================================================================== display
    @Slot()
    def refresh(self) -> None:
        """Push recorded values to plots and labels (5 times a second while training)."""
        if self.plots is not None:
            # while training: one plot per tick, so no tick paints all four at once
            self.plots.refresh(one_step=self._run is not None)
        p = self._progress
        if self._run is None and p.epoch == 0:
            return
        # set only what changed: each change repaints a widget on the GUI thread
        value = int(p.fraction() * 1000)
        if value != self.progress_bar.value():
            self.progress_bar.setValue(value)
        text = f"epoch {p.epoch}/{p.epochs} · batch {p.step}/{p.steps}"
        if text != self.progress_bar.format():
            self.progress_bar.setFormat(text)
        paused = " · paused" if self.is_paused() else ""
        status = (
            f"elapsed {_fmt_duration(p.elapsed())} · ETA {_fmt_duration(p.eta())}"
            f" · {p.images_per_second:,.0f} images/s{paused}"
        )
        if self._run is not None and status != self.status_label.text():
            self.status_label.setText(status)  # after a run it holds the summary

    def _update_buttons(self) -> None:
        running = self._run is not None
        stopping = running and self._run.control.should_stop
        self.start_button.setEnabled(self.torch_ready and not running)
        self.pause_button.setEnabled(running and not stopping)
        self.stop_button.setEnabled(running and not stopping)
        self.pause_button.setText("Resume" if self.is_paused() else "Pause")
        for widget in (self.arch_combo, self.mode_combo, self.pretrained_combo):
            widget.setEnabled(not running and (widget is not self.arch_combo or self.torch_ready))
        # the running config is fixed: editing these during a run would change nothing
        self.hyper_group.setEnabled(not running)
        self.output_group.setEnabled(not running)

    def log(self, text: str) -> None:
        stamp = time.strftime("%H:%M:%S")
        self.log_view.appendPlainText(f"[{stamp}] {text}")

    def log_text(self) -> str:
        return self.log_view.toPlainText()

    def _show_error(self, message: str) -> None:
        """Record and announce a message (the main window shows it in a dialog)."""
        self.last_error = message
        self.log(message)
        self.status_label.setText(message)
        self.error_occurred.emit(message)

    def load_metrics_csv(self, path: str | Path) -> int:
        """Show a finished run's metrics.csv in the plots and the table."""
        from gui.plots import read_metrics_csv, with_best

        rows = read_metrics_csv(path)
        self.ensure_plots().show_rows(rows)
        self.table.setRowCount(0)
        self._best_row = None
        for row, is_best in with_best(rows):
            self._append_row(_RowEvent(**row, is_best=is_best))
        self.log(f"Loaded {len(rows)} epochs from {path}")
        return len(rows)

    # ================================================================== settings
    def save_settings(self, settings: QSettings) -> None:
        settings.beginGroup(SETTINGS_GROUP)
        values = self.hyperparameters()
        values["pretrained"] = self.pretrained_combo.currentData()
        values["pretrained_file"] = self.pretrained_edit.text()
        values["output"] = self.output_edit.text()
        if not self.torch_ready:  # the device list is not filled yet: keep the saved choice
            values["device"] = self._wanted_device
        for key in _SETTINGS:
            settings.setValue(key, values[key])
        settings.endGroup()

    def load_settings(self, settings: QSettings) -> None:
        """Restore saved choices; missing or unreadable values keep the defaults."""
        settings.beginGroup(SETTINGS_GROUP)
        values = {}
        for key, (default, kind) in _SETTINGS.items():
            try:
                values[key] = kind(settings.value(key, default, type=kind))
            except (TypeError, ValueError):
                values[key] = default
        settings.endGroup()
        self.set_arch(values["arch"])
        self.mode_combo.setCurrentText(values["mode"] if values["mode"] in MODES else "scratch")
        index = self.pretrained_combo.findData(values["pretrained"])
        self.pretrained_combo.setCurrentIndex(max(0, index))
        self.pretrained_edit.setText(values["pretrained_file"])
        self.epochs_spin.setValue(values["epochs"])
        self.batch_spin.setValue(values["batch_size"])
        self.lr_spin.setValue(values["lr"])
        self.optimizer_combo.setCurrentText(values["optimizer"])
        self.momentum_spin.setValue(values["momentum"])
        self.wd_spin.setValue(values["weight_decay"])
        self.scheduler_combo.setCurrentText(values["scheduler"])
        self.step_spin.setValue(values["step_size"])
        self.gamma_spin.setValue(values["gamma"])
        self.val_spin.setValue(values["val_split"])
        self.seed_spin.setValue(values["seed"])
        self._wanted_device = values["device"]
        if self.device_combo.findText(values["device"]) >= 0:
            self.device_combo.setCurrentText(values["device"])
        if values["output"]:
            self.output_edit.setText(values["output"])


class _RowEvent:
    """An EpochEnded-like record for rows read back from metrics.csv."""

    def __init__(self, **kw: Any) -> None:
        self.__dict__.update(kw)
        self.epoch = int(kw["epoch"])
