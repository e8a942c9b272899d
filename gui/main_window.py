"""The main window: a thin shell that hosts one panel per feature and wires them together.

Panels (Data, Augment, Train, Calculator, Predict, Evaluate, Runs) are imported when the
window is built, each inside a try/except: a broken panel becomes a placeholder label
with the error, and the rest of the app still works.

PyTorch takes seconds to import, so the window never imports it on the GUI thread: it
starts a background task that imports torch and the core modules, shows
"Loading PyTorch..." and the next step meanwhile, then emits ``torch_ready`` and calls
every panel's ``on_torch_ready()``. Train pressed before that (F5) waits and starts as
soon as PyTorch has loaded.
"""

from __future__ import annotations

import importlib
import os
import sys
from pathlib import Path
from typing import Any

from PySide6.QtCore import QSettings, Qt, QTimer, Signal, Slot
from PySide6.QtGui import QAction, QCloseEvent, QDragEnterEvent, QDropEvent, QKeySequence
from PySide6.QtWidgets import (
    QDialog,
    QFileDialog,
    QLabel,
    QMainWindow,
    QMessageBox,
    QTabWidget,
    QWidget,
)

from core import BUILTIN_DIGITS, IMAGE_EXTENSIONS
from gui import dnd, errors, runtime, sizing, tasks, tooltips
from gui import help as help_pages
from gui.panel import Panel

# (tab title, module, class) in tab order
PANELS: tuple[tuple[str, str, str], ...] = (
    ("Data", "gui.data", "DataPanel"),
    ("Augment", "gui.augment", "AugmentPanel"),
    ("Train", "gui.train", "TrainPanel"),
    ("Calculator", "gui.calculator", "CalculatorPanel"),
    ("Predict", "gui.predict", "PredictPanel"),
    ("Evaluate", "gui.evaluate", "EvaluatePanel"),
    ("Runs", "gui.runs", "RunsPanel"),
)
CLOSE_WAIT_MS = 15_000


def load_torch(ctx) -> dict:
    """Task function: import torch, torchvision and the core modules; return version info."""
    import torch
    import torchvision

    for name in ("core.data", "core.models", "core.checkpoint", "core.trainer"):
        importlib.import_module(name)
    from core.data import reuse_image_memory

    reuse_image_memory()
    info = {
        "torch": torch.__version__,
        "torchvision": torchvision.__version__,
        "cuda": bool(torch.cuda.is_available()),
        "device": "cuda" if torch.cuda.is_available() else "cpu",
    }
    if info["cuda"]:
        info["device"] = f"cuda ({torch.cuda.get_device_name(0)})"
    try:
        from core.models import cpu_supports_bf16

        info["bf16"] = bool(cpu_supports_bf16())
    except Exception:  # an optional detail for the About box
        info["bf16"] = None
    try:
        importlib.import_module("core.predict")
    except Exception:  # the Predict panel reports its own problem
        pass
    return info


def _placeholder(title: str, error: BaseException) -> QLabel:
    label = QLabel(
        f"The {title} panel is unavailable: {type(error).__name__}: {error}\n"
        "The other panels still work."
    )
    label.setObjectName(f"{title.lower()}_placeholder")
    label.setAlignment(Qt.AlignmentFlag.AlignCenter)
    label.setWordWrap(True)
    return label


def _is_image_file(path: str) -> bool:
    return Path(path).suffix.lower() in IMAGE_EXTENSIONS and Path(path).is_file()


class MainWindow(QMainWindow):
    """ConvStudio's window.

    Signals: ``torch_ready()`` once PyTorch and the core modules are imported,
    ``panels_built()`` once the panels exist, ``first_shown()``, ``error_shown(str)``.

    ``defer_panels=True`` (what the app uses) shows the window shell first and builds
    the panels on the event loop's first turn, so the window is on screen before the
    panels' imports (numpy, PIL ...) run; tests build them at once.
    """

    torch_ready = Signal()
    panels_built = Signal()
    first_shown = Signal()
    error_shown = Signal(str)

    def __init__(
        self,
        data_source: str | None = None,
        *,
        load_torch_now: bool = True,
        defer_panels: bool = False,
    ) -> None:
        super().__init__()
        self.setWindowTitle("ConvStudio")
        self.setAcceptDrops(True)
        self.torch_loaded = False
        self.torch_info: dict = {}
        self.last_error: str | None = None
        self.panel_errors: dict[str, str] = {}
        self.panels: dict[str, QWidget] = {}  # tab title -> Panel, or a placeholder label
        self.panels_ready = False
        self._shown_once = False
        self._closing_done = False
        self._message_boxes: list[QMessageBox] = []
        self._torch_task = None
        self._source = ""
        self._pending_data_source: str | None = None
        self.start_queued = False  # Train pressed while PyTorch loads: start once it has
        self._load_torch_now = load_torch_now
        self.tabs = QTabWidget()
        self.tabs.setDocumentMode(True)
        self.setCentralWidget(self.tabs)
        for title, _, _ in PANELS:
            loading = QLabel(f"Loading the {title} panel...")
            loading.setAlignment(Qt.AlignmentFlag.AlignCenter)
            self.tabs.addTab(loading, title)
        self._build_actions()
        self._build_menus()
        errors.sink().reported.connect(self.show_error)
        self.statusBar().showMessage(help_pages.LOADING)
        self.next_step_label = help_pages.add_next_step(self.statusBar())
        self._restore_geometry()
        if defer_panels:
            QTimer.singleShot(30, lambda: self.build_panels(data_source))
        else:
            self.build_panels(data_source)

    def build_panels(self, data_source: str | None = None) -> None:
        """Import and build the panels (once), wire them, restore settings, load torch."""
        if self.panels_ready or self._closing_done:
            return
        if self._load_torch_now:
            # the import runs beside the panels' building: Train is ready ~0.5 s sooner
            self.start_torch_loader()
        current = self.tabs.currentIndex()
        for index, (title, module, cls) in enumerate(PANELS):
            widget = self._make_panel(title, module, cls)
            self.panels[title] = widget
            loading = self.tabs.widget(index)
            self.tabs.removeTab(index)
            # a panel that needs more room scrolls; it never widens the window (gui.sizing)
            page = sizing.page(widget) if isinstance(widget, Panel) else widget
            self.tabs.insertTab(index, page, title)
            loading.deleteLater()
        self.tabs.setCurrentIndex(max(0, current))
        self.panels_ready = True
        self._wire_panels()
        self._restore_settings(data_source)
        self._on_training_state(False)
        tooltips.wrap_all(self)
        self.panels_built.emit()

    # ================================================================== panels
    def _make_panel(self, title: str, module: str, cls: str) -> QWidget:
        """Import and build one panel; any failure becomes a placeholder label."""
        try:
            panel = getattr(importlib.import_module(module), cls)()
            if not isinstance(panel, Panel):
                raise TypeError(f"{module}.{cls} is not a gui.panel.Panel")
        except Exception as exc:
            self.panel_errors[title] = f"{type(exc).__name__}: {exc}"
            errors.report(exc, f"building the {title} panel", show=False)
            print(f"ConvStudio: the {title} panel is unavailable: {exc}", file=sys.stderr)
            return _placeholder(title, exc)
        panel.status_message.connect(self.statusBar().showMessage)
        panel.error_occurred.connect(self.show_error)
        return panel

    def panel(self, title: str) -> Any:
        """The real panel widget for a tab title, or None when it is a placeholder."""
        return None if title in self.panel_errors else self.panels.get(title)

    def real_panels(self) -> list[Panel]:
        return [w for t, w in self.panels.items() if t not in self.panel_errors]

    @property
    def data_panel(self) -> Any:
        return self.panel("Data")

    @property
    def augment_panel(self) -> Any:
        return self.panel("Augment")

    @property
    def train_panel(self) -> Any:
        return self.panel("Train")

    @property
    def calculator_panel(self) -> Any:
        return self.panel("Calculator")

    @property
    def predict_panel(self) -> Any:
        return self.panel("Predict")

    @property
    def evaluate_panel(self) -> Any:
        return self.panel("Evaluate")

    def _wire_panels(self) -> None:
        data, augment, train = self.data_panel, self.augment_panel, self.train_panel
        if data is not None:
            data.dataset_changed.connect(self._on_dataset_changed)
        if train is not None:
            if augment is not None:
                train.set_specs_provider(augment.specs)
            train.run_finished.connect(self._on_run_finished)
            train.training_state_changed.connect(self._on_training_state)
            train.model_choice_changed.connect(self._on_model_choice)
            train.form.changed.connect(self._on_train_setting)
            # the last run's outcome stays in the status bar between other messages
            self.statusBar().addWidget(train.outcome_label, 1)
            train.outcome_label.show()
        evaluate, predict = self.evaluate_panel, self.predict_panel
        if evaluate is not None:
            evaluate.retrain_requested.connect(self._retrain)
            evaluate.data_changed.connect(self._on_data_fixed)
            if predict is not None:
                predict.evaluate_requested.connect(self.open_in_evaluate)
        self._wire_runs()

    def _wire_runs(self) -> None:
        """The Runs tab's actions go to Predict, Evaluate and Train; runs refresh it."""
        runs_panel, train = self.panel("Runs"), self.train_panel
        if runs_panel is None:
            return
        runs_panel.open_model_requested.connect(self.open_model)
        runs_panel.evaluate_requested.connect(self.open_in_evaluate)
        runs_panel.resume_requested.connect(self.resume_run)
        runs_panel.set_evaluate_available(self.evaluate_panel is not None)
        if train is not None:
            train.run_started.connect(self._list_run)
            train.training_finished.connect(runs_panel.refresh)

    @Slot(str)
    def _list_run(self, run_dir: str) -> None:
        """A run started: the Runs tab lists its folder (also outside the runs folder)."""
        runs_panel = self.panel("Runs")
        parent = Path(run_dir).parent
        if parent != runs_panel.runs_dir():
            runs_panel.add_folder(parent)
        runs_panel.refresh()

    @Slot(str, int)
    def resume_run(self, run_dir: str, epochs: int) -> bool:
        """Continue a run in the Train tab (the Runs tab's Resume)."""
        train = self.train_panel
        if train is None:
            self.show_error("The Train panel is unavailable, so no run can be resumed.")
            return False
        self.show_tab("Train")
        return train.resume_run(run_dir, epochs)

    @Slot(str)
    def _on_train_setting(self, name: str) -> None:
        if name in ("val_split", "seed"):
            self._sync_split()

    def _sync_split(self) -> None:
        """The Data panel counts train/valid with the Train tab's split and seed."""
        data, train = self.data_panel, self.train_panel
        if data is not None and train is not None:
            data.set_split(float(train.form.value("val_split")), int(train.form.value("seed")))

    @Slot(str, str)
    def _on_model_choice(self, arch: str, pretrained: str) -> None:
        """Tell the Augment panel the pretrained weights' mean/std (its Normalize warning)."""
        augment = self.augment_panel
        if not self.torch_loaded or augment is None:
            return
        from core.models import pretrained_stats

        stats = None if pretrained in ("", "none") else pretrained_stats(arch)
        try:
            augment.set_pretrained_stats(stats)
        except Exception as exc:  # a warning helper must never break the window
            self.statusBar().showMessage(f"Augment panel: {exc}", 8000)

    def show_tab(self, title: str) -> None:
        if title in self.panels:  # each panel's tab holds it in a scroll area
            titles = [self.tabs.tabText(i) for i in range(self.tabs.count())]
            self.tabs.setCurrentIndex(titles.index(title))

    def current_tab(self) -> str:
        return self.tabs.tabText(self.tabs.currentIndex())

    # ================================================================== actions and menus
    def _action(self, text: str, slot, shortcuts: tuple[str, ...] = (), tip: str = "") -> QAction:
        action = QAction(text, self)
        if shortcuts:
            action.setShortcuts([QKeySequence(s) for s in shortcuts])
        if tip:
            action.setStatusTip(tip)
        action.triggered.connect(slot)
        self.addAction(action)  # shortcuts work whichever tab has focus
        return action

    def _build_actions(self) -> None:
        self.open_folder_action = self._action(
            "Open dataset &folder...",
            self.ask_open_dataset,
            ("Ctrl+O",),
            "Train on a folder of images (one sub-folder per class).",
        )
        self.open_model_action = self._action(
            "Open &model...", self.ask_open_model, ("Ctrl+M",), "Load a .pt bundle for prediction."
        )
        self.open_run_action = self._action(
            "Open &run folder...",
            self.ask_open_run,
            (),
            "Show a run's curves and predict with its best.pt.",
        )
        self.import_weights_action = self._action(
            "Import &weights...",
            self.show_weights_dialog,
            (),
            "Put pretrained weights into the torch hub cache: import a .pth, or download.",
        )
        self.export_action = self._action(
            "&Export model...",
            self.show_export_dialog,
            (),
            "Save a model as TorchScript or ONNX (checked), a usage snippet or a training script.",
        )
        self.copy_script_action = self._action(
            "Copy as training &script",
            self.copy_training_script,
            (),
            "Put the last run as a plain PyTorch training script on the clipboard.",
        )
        self.evaluate_action = self._action(
            "Open in &Evaluate...",
            lambda: self.open_in_evaluate(),
            (),
            "Evaluate a model bundle on a labelled folder: confusion matrix, mistakes, fixes.",
        )
        self.quit_action = self._action("&Quit", self.close, ("Ctrl+Q",))
        self.start_action = self._action(
            "&Start training",
            self.start_training,
            ("F5", "Ctrl+T"),  # the first one is the one menus show
            "Train with the Train tab's settings.",
        )
        self.pause_action = self._action("&Pause / resume", self._toggle_pause, ("Ctrl+P",))
        self.stop_action = self._action("S&top training", self.stop_training, ("Esc", "Ctrl+."))
        self.tab_actions = []
        for i, (title, _, _) in enumerate(PANELS, start=1):
            act = self._action(f"&{i} {title}", self._tab_slot(title), (f"Ctrl+{i}",))
            self.tab_actions.append(act)
        self.about_action = self._action("&About ConvStudio", self.show_about)
        self.getting_started_action = self._action(
            "&Getting started", self.show_getting_started, ("F1",), "The first steps, in short."
        )
        self.shortcuts_action = self._action(
            "&Keyboard shortcuts", self.show_shortcuts, (), "Every shortcut of the window."
        )
        self.show_log_action = self._action(
            "Show &log", self.show_log, (), "Errors of background work, with their details."
        )
        self._on_training_state(False)

    def _tab_slot(self, title: str):
        return lambda: self.show_tab(title)

    def _build_menus(self) -> None:
        bar = self.menuBar()
        file_menu = bar.addMenu("&File")
        for act in (self.open_folder_action, self.open_model_action, self.open_run_action):
            file_menu.addAction(act)
        file_menu.addAction(self.evaluate_action)
        file_menu.addAction(self.export_action)
        file_menu.addAction(self.import_weights_action)
        file_menu.addSeparator()
        file_menu.addAction(self.quit_action)
        train_menu = bar.addMenu("&Train")
        for act in (self.start_action, self.pause_action, self.stop_action):
            train_menu.addAction(act)
        train_menu.addSeparator()
        train_menu.addAction(self.copy_script_action)
        view_menu = bar.addMenu("&View")
        for act in self.tab_actions:
            view_menu.addAction(act)
        help_menu = bar.addMenu("&Help")
        help_menu.addAction(self.getting_started_action)
        help_menu.addAction(self.shortcuts_action)
        help_menu.addSeparator()
        help_menu.addAction(self.show_log_action)
        help_menu.addAction(self.about_action)

    # ================================================================== PyTorch loading
    @Slot()
    def start_torch_loader(self) -> None:
        """Import torch and the core modules in the background (once)."""
        if self._torch_task is not None or self.torch_loaded:
            return
        self.statusBar().showMessage(help_pages.LOADING)
        self._torch_task = tasks.run_task(
            load_torch, on_finished=self._on_torch_loaded, on_error=self._on_torch_failed
        )

    @Slot(object)
    def _on_torch_loaded(self, info: dict) -> None:
        self.torch_loaded = True
        self.torch_info = dict(info)
        pending, self._pending_data_source = self._pending_data_source, None
        if pending is not None:
            self.set_data_source(pending)
        self.statusBar().showMessage(
            f"PyTorch {info['torch']} ready · device {info['device']}", 8000
        )
        for panel in self.real_panels():
            try:
                panel.on_torch_ready()
            except Exception as exc:  # one panel's problem must not stop the others
                self.panel_errors.setdefault(f"{panel.title}.on_torch_ready", str(exc))
                errors.report(exc, f"{panel.title} panel: finishing loading", show=False)
                print(
                    f"ConvStudio: {panel.title} panel could not finish loading: {exc}",
                    file=sys.stderr,
                )
        self._on_training_state(self._training())
        # torch, Qt and the panels are loaded for good (see gui.runtime)
        runtime.freeze_heap()
        train = self.train_panel
        if train is not None:
            self._on_model_choice(train.arch(), train.pretrained_value())
        tooltips.wrap_all(self)  # the panels described their models just now
        if self.start_queued:
            self.start_training()
        self.torch_ready.emit()

    @Slot(object)
    def _on_torch_failed(self, error: BaseException) -> None:
        message = errors.message(error)
        self.start_queued = False
        self.show_error(
            f"PyTorch could not be loaded ({message}); training and prediction are off."
        )

    # ================================================================== data, runs, models
    def data_source(self) -> str:
        return self._source

    def set_data_source(self, source: str) -> None:
        """Select a dataset everywhere: the Data panel when it can, else the other panels.

        Before PyTorch is loaded the Data panel is not asked yet (its scan imports
        torch on a pool thread, which would slow the window's first second); the
        other panels get the source at once and the Data panel when torch is ready.
        """
        data = self.data_panel
        if data is None or not self.torch_loaded:
            self._pending_data_source = source if data is not None else None
            self._on_dataset_changed(source)
            return
        before = self._source
        try:
            data.set_source(source)
        except Exception as exc:
            self.show_error(f"Could not open the dataset {source}: {exc}")
            return
        if self._source == before:
            # the panel scans first and announces later; keep the others in step now
            self._on_dataset_changed(source)

    @Slot(str)
    def _on_dataset_changed(self, source: str) -> None:
        self._source = str(source)
        self.next_step_label.setText(help_pages.next_step(self._source))
        train, augment = self.train_panel, self.augment_panel
        if train is not None:
            train.set_data_source(self._source)
        if augment is not None:
            try:
                augment.set_dataset(self._source)
            except Exception as exc:
                self.statusBar().showMessage(f"Augment panel: {exc}", 8000)

    def open_dataset(self, folder: str) -> None:
        self.set_data_source(str(folder))
        self.show_tab("Data")

    def open_model(self, path: str) -> bool:
        predict = self.predict_panel
        if predict is None:
            self.show_error("The Predict panel is unavailable, so no model can be loaded.")
            return False
        predict.load_model(str(path))
        self.show_tab("Predict")
        self.statusBar().showMessage(f"Model: {path}", 8000)
        return True

    def open_run(self, folder: str) -> bool:
        """Load RUN/best.pt into Predict and RUN/metrics.csv into the Train plots."""
        from core import runs

        try:
            run = runs.read_run(folder)
        except runs.RunError as exc:
            self.show_error(str(exc))
            return False
        if run.problems:  # what could be read is still shown
            self.show_error(" ".join(run.problems))
        train = self.train_panel
        if run.rows and train is not None:
            train.show_run(run)
        if run.best_pt is not None and self.predict_panel is not None:
            self.predict_panel.load_model(str(run.best_pt))
        self.show_tab("Train" if train is not None else "Predict")
        self.statusBar().showMessage(f"Opened run {run.folder}", 8000)
        return True

    @Slot(str, str)
    def _on_run_finished(self, run_dir: str, best_pt: str) -> None:
        # the status line (finished or stopped, at which epoch, what was kept) is the
        # Train panel's: it sends it through status_message once the run's thread is gone
        predict = self.predict_panel
        if predict is not None:
            try:
                predict.load_model(best_pt)
            except Exception as exc:
                self.show_error(f"The Predict panel could not load {best_pt}: {exc}")
        if self.evaluate_panel is not None:
            # not over an evaluation the user opened and works in: then it is offered
            self.evaluate_panel.offer_run(run_dir, best_pt)

    def open_in_evaluate(self, model: str = "", folder: str = "") -> None:
        """Evaluate a bundle on a labelled folder; without a model, ask for both."""
        evaluate = self.evaluate_panel
        if evaluate is None:
            self.show_error("The Evaluate panel is unavailable.")
            return
        self.show_tab("Evaluate")
        if model:
            evaluate.open_evaluation(model, folder or None)
        else:
            evaluate.ask_open()

    @Slot(str)
    def _on_data_fixed(self, root: str) -> None:
        """Files of a dataset were moved in Evaluate: the Data panel counts again if it shows it."""
        data = self.data_panel
        if data is not None and os.path.realpath(data.source()) == os.path.realpath(root):
            data.rescan()

    @Slot(str)
    def _retrain(self, source: str) -> None:
        """Retrain with these changes: the Train tab's settings on the fixed dataset."""
        if source != self._source:
            self.set_data_source(source)
            self._on_dataset_changed(source)  # Train starts on it now; Data scans meanwhile
        self.start_training()

    def ask_open_dataset(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Open dataset folder")
        if folder:
            self.open_dataset(folder)

    def ask_open_model(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self, "Open model", "", "Model bundles (*.pt);;All files (*)"
        )
        if path:
            self.open_model(path)

    def ask_open_run(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Open run folder")
        if folder:
            self.open_run(folder)

    def show_export_dialog(self) -> QDialog:
        """File > Export model...: the dialog, on the Predict panel's model or the last run's."""
        from gui.export_dialog import ExportDialog, current_bundle

        self._export_dialog = ExportDialog(current_bundle(self), self)
        self._export_dialog.show()
        return self._export_dialog

    def show_weights_dialog(self) -> QDialog:
        """File > Import weights...: for the Train tab's architecture (gui.weights)."""
        from gui.weights import WeightsDialog

        train = self.train_panel
        self._weights_dialog = WeightsDialog(train.arch() if train else "resnet18", self)
        self._weights_dialog.show()
        return self._weights_dialog

    def copy_training_script(self) -> None:
        """Train > Copy as training script: the last run as a plain PyTorch script."""
        from gui.export_dialog import ScriptCopier

        ScriptCopier.for_window(self).copy()

    # ================================================================== training
    def _training(self) -> bool:
        train = self.train_panel
        return bool(train is not None and train.is_training())

    @Slot()
    def start_training(self) -> None:
        """Start a run; pressed while PyTorch loads, it starts as soon as that is done."""
        train = self.train_panel
        if train is None:
            return
        self.show_tab("Train")
        if not self.torch_loaded:
            self.start_queued = True
            self.next_step_label.hide()  # taken: it only waits for PyTorch
            self.statusBar().showMessage(help_pages.START_QUEUED)
            return
        self.start_queued = False
        train.start_training()

    @Slot()
    def stop_training(self) -> None:
        if self._training():
            self.train_panel.stop_training()

    def _toggle_pause(self) -> None:
        if self._training():
            self.train_panel.toggle_pause()

    @Slot(bool)
    def _on_training_state(self, running: bool) -> None:
        if running:
            self.next_step_label.hide()  # the first step is taken
        # before PyTorch has loaded too: the start then waits for it (start_training)
        self.start_action.setEnabled(not running and self.train_panel is not None)
        self.pause_action.setEnabled(running)
        self.stop_action.setEnabled(running)

    # ================================================================== drops
    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if self.predict_panel is None:
            event.ignore()
            return
        if dnd.has_input(event.mimeData()):
            event.acceptProposedAction()
            self.predict_panel.prepare_drag(event.mimeData())
        else:
            event.ignore()

    def dragMoveEvent(self, event) -> None:
        event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        """Files, folders and image data from anywhere: the same reading as the drop zone."""
        if self.predict_panel is None:
            event.ignore()
            return
        paths, images, problems = dnd.inputs(event.mimeData())
        event.acceptProposedAction()
        if problems:
            self.statusBar().showMessage(" ".join(problems), 8000)
        if paths:
            self.handle_dropped_paths(paths)
        elif images:
            for image in images:
                self.predict_panel.predict_image(image)
            self.show_tab("Predict")

    def handle_dropped_paths(self, paths: list[str]) -> str:
        """Route dropped paths; returns where they went ("data", "predict" or "")."""
        folders = [p for p in paths if Path(p).is_dir()]
        # only folders, dropped while the Data tab shows: a dataset. Files in the drop
        # make it a batch to predict (the folders are walked for images).
        if folders and len(folders) == len(paths) and self.current_tab() == "Data":
            self.open_dataset(folders[0])
            return "data"
        found = set(folders)
        wanted = [p for p in paths if p in found or _is_image_file(p)]
        if not wanted or self.predict_panel is None:
            self.statusBar().showMessage("Drop image files or folders of images.", 5000)
            return ""
        self.predict_panel.predict_paths(wanted)
        self.show_tab("Predict")
        return "predict"

    # ================================================================== messages
    @Slot(str)
    def show_error(self, message: str) -> None:
        """Show a message without blocking (a window-modal box); also kept in ``last_error``."""
        self.last_error = message
        self.statusBar().showMessage(message, 15_000)
        self.error_shown.emit(message)
        if os.environ.get("CONVSTUDIO_NO_DIALOGS"):
            return
        box = QMessageBox(
            QMessageBox.Icon.Warning, "ConvStudio", message, QMessageBox.StandardButton.Ok, self
        )
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.finished.connect(self._forget_boxes)
        self._message_boxes.append(box)
        box.open()

    @Slot()
    def _forget_boxes(self) -> None:
        self._message_boxes = [b for b in self._message_boxes if b.isVisible()]

    def about_text(self) -> str:
        return help_pages.about_text(self.torch_info)

    def show_log(self) -> QDialog:
        """Help > Show log: the log file's newest part in a read-only, non-modal window."""
        self._log_dialog = help_pages.log_dialog(self)
        return self._log_dialog

    def show_getting_started(self) -> QDialog:
        """Help > Getting started: the first steps (non-modal)."""
        return help_pages.page(
            self, "Getting started", help_pages.GETTING_STARTED, "getting_started"
        )

    def show_shortcuts(self) -> QDialog:
        """Help > Keyboard shortcuts: read from the window's actions (non-modal)."""
        text = help_pages.shortcuts_html(self.actions())
        return help_pages.page(self, "Keyboard shortcuts", text, "shortcuts")

    def show_about(self) -> None:
        QMessageBox.about(self, "About ConvStudio", self.about_text())

    # ================================================================== settings
    def _restore_geometry(self) -> None:
        geometry = QSettings().value("window/geometry")
        # Qt refuses a geometry saved on a screen of a quite different width (it returns
        # False): the default size then, never the panels' own size hint
        if geometry is None or not self.restoreGeometry(geometry):
            self.resize(*sizing.DEFAULT_SIZE)
        sizing.fit_to_screen(self)  # saved on a bigger screen, or the default on a small one

    def _restore_settings(self, data_source: str | None) -> None:
        settings = QSettings()
        for panel in self.real_panels():
            panel.load_settings(settings)
        self._sync_split()
        source = data_source or str(settings.value("data/source", BUILTIN_DIGITS) or BUILTIN_DIGITS)
        if data_source is None and source != BUILTIN_DIGITS and not Path(source).is_dir():
            source = BUILTIN_DIGITS  # the remembered folder is gone
        self.set_data_source(source)

    def save_settings(self) -> None:
        if not self.panels_ready:
            return  # nothing was restored yet, so nothing to keep
        settings = QSettings()
        settings.setValue("window/geometry", self.saveGeometry())
        settings.setValue("data/source", self._source or BUILTIN_DIGITS)
        for panel in self.real_panels():
            panel.save_settings(settings)
        settings.sync()

    # ================================================================== show and close
    def showEvent(self, event) -> None:
        super().showEvent(event)
        if not self._shown_once:
            self._shown_once = True
            self.first_shown.emit()
            train = self.train_panel
            if train is not None:  # import pyqtgraph once the window is up
                QTimer.singleShot(200, train.ensure_plots)

    def closeEvent(self, event: QCloseEvent) -> None:
        if self._training():
            answer = QMessageBox.question(
                self,
                "Training is running",
                "A training run is in progress. Stop it and quit? "
                "The last finished epoch is kept in last.pt.",
                QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
                QMessageBox.StandardButton.No,
            )
            if answer != QMessageBox.StandardButton.Yes:
                event.ignore()
                return
        self.shutdown()
        event.accept()

    def shutdown(self) -> None:
        """Stop training and background work, then save settings (close and aboutToQuit)."""
        if self._closing_done:
            return
        self._closing_done = True
        train = self.train_panel
        if train is not None and train.is_training():
            self.statusBar().showMessage("Stopping training...")
            if not train.stop_and_wait(CLOSE_WAIT_MS):
                print("ConvStudio: the training thread did not stop in time.", file=sys.stderr)
        for panel in self.real_panels():
            try:
                panel.shutdown()
            except Exception as exc:
                errors.report(exc, f"{panel.title} panel: shutdown", show=False)
                print(f"ConvStudio: panel shutdown failed: {exc}", file=sys.stderr)
        self.save_settings()
        tasks.shutdown(3000)
