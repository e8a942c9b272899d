"""The main window: a thin shell that hosts one panel per feature and wires them together.

Panels (Data, Augment, Train, Calculator, Predict, Evaluate, Runs) are imported when the
window is built, each inside a try/except: a broken panel becomes a placeholder label
with the error, and the rest of the app still works. Tabs show each title in the
interface's language (:func:`gui.panel.tab_text`); the window's lookups
(:meth:`MainWindow.show_tab`, :meth:`MainWindow.current_tab`) take the English titles.

PyTorch takes seconds to import, so the window never imports it on the GUI thread
(:mod:`gui.window.loading`): "Loading PyTorch..." and the next step show meanwhile, then
``torch_ready`` is emitted and every panel's ``on_torch_ready()`` called. Train pressed
before that (F5) waits and starts as soon as PyTorch has loaded. The actions and menus,
drops, settings and the close live in :mod:`gui.window`.
"""

from __future__ import annotations

import importlib
import os
import sys
from pathlib import Path
from typing import Any

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, Qt, QTimer, Signal, Slot
from PySide6.QtWidgets import (
    QLabel,
    QMainWindow,
    QMessageBox,
    QTabWidget,
    QWidget,
)

from gui import errors, sizing, tooltips
from gui import help as help_pages
from gui.panel import Panel, tab_text
from gui.window import actions
from gui.window.dialogs import Dialogs
from gui.window.drops import Drops
from gui.window.lifecycle import Lifecycle
from gui.window.loading import TorchLoading, load_torch

__all__ = ["PANELS", "MainWindow", "load_torch"]

# (tab title, module, class) in tab order; the English titles are marked for translation
PANELS: tuple[tuple[str, str, str], ...] = (
    (QT_TRANSLATE_NOOP("Panel", "Data"), "gui.data", "DataPanel"),
    (QT_TRANSLATE_NOOP("Panel", "Augment"), "gui.augment", "AugmentPanel"),
    (QT_TRANSLATE_NOOP("Panel", "Train"), "gui.train", "TrainPanel"),
    (QT_TRANSLATE_NOOP("Panel", "Calculator"), "gui.calculator", "CalculatorPanel"),
    (QT_TRANSLATE_NOOP("Panel", "Predict"), "gui.predict", "PredictPanel"),
    (QT_TRANSLATE_NOOP("Panel", "Evaluate"), "gui.evaluate", "EvaluatePanel"),
    (QT_TRANSLATE_NOOP("Panel", "Runs"), "gui.runs", "RunsPanel"),
)


def _placeholder(title: str, error: BaseException) -> QLabel:
    text = QCoreApplication.translate(
        "MainWindow", "The {panel} panel is unavailable: {error}\nThe other panels still work."
    ).format(panel=tab_text(title), error=f"{type(error).__name__}: {errors.message(error)}")
    label = QLabel(text)
    label.setObjectName(f"{title.lower()}_placeholder")
    label.setAlignment(Qt.AlignmentFlag.AlignCenter)
    label.setWordWrap(True)
    return label


class MainWindow(TorchLoading, Dialogs, Drops, Lifecycle, QMainWindow):
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
        self.stalled: list[str] = []  # what a shutdown had to leave running
        self._source = ""
        self._pending_data_source: str | None = None
        self.start_queued = False  # Train pressed while PyTorch loads: start once it has
        self._load_torch_now = load_torch_now
        self.tabs = QTabWidget()
        self.tabs.setDocumentMode(True)
        self.setCentralWidget(self.tabs)
        self._tab_titles = [title for title, _, _ in PANELS]  # English, in tab order
        for title in self._tab_titles:
            loading = QLabel(self.tr("Loading the {panel} panel...").format(panel=tab_text(title)))
            loading.setAlignment(Qt.AlignmentFlag.AlignCenter)
            self.tabs.addTab(loading, tab_text(title))
        actions.build_actions(self, self._tab_titles)
        self.menus = actions.build_menus(self)
        self._on_training_state(False)
        errors.sink().reported.connect(self.show_error)
        self.statusBar().showMessage(help_pages.loading_text())
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
            self.tabs.insertTab(index, page, tab_text(title))
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
            self.panel_errors[title] = f"{type(exc).__name__}: {exc}"  # English, for the log
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
            evaluate.session.fixing.busy_changed.connect(self._on_files_moving)
            if predict is not None:
                predict.evaluate_requested.connect(self.open_in_evaluate)
        self._wire_runs()

    @Slot(bool)
    def _on_files_moving(self, moving: bool) -> None:
        """No run starts on a dataset whose files the Evaluate tab is moving."""
        if self.train_panel is not None:
            reason = self.tr(
                "The Evaluate tab is moving files of a dataset; train when that is done."
            )
            self.train_panel.hold_start(reason if moving else None)

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
            self.show_error(self.tr("The Train panel is unavailable, so no run can be resumed."))
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
            self._augment_problem(exc)

    def _augment_problem(self, exc: BaseException) -> None:
        self.statusBar().showMessage(
            self.tr("Augment panel: {reason}").format(reason=errors.message(exc)), 8000
        )

    def show_tab(self, title: str) -> None:
        """Show the tab of an English title ("Train"); the tab itself shows tab_text(title)."""
        if title in self.panels:  # each panel's tab holds it in a scroll area
            self.tabs.setCurrentIndex(self._tab_titles.index(title))

    def current_tab(self) -> str:
        """The English title of the tab shown ("" before there is one)."""
        index = self.tabs.currentIndex()
        return self._tab_titles[index] if 0 <= index < len(self._tab_titles) else ""

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
            self.show_error(
                self.tr("Could not open the dataset {source}: {reason}").format(
                    source=source, reason=errors.message(exc)
                )
            )
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
                self._augment_problem(exc)

    def open_dataset(self, folder: str) -> None:
        self.set_data_source(str(folder))
        self.show_tab("Data")

    def open_model(self, path: str) -> bool:
        predict = self.predict_panel
        if predict is None:
            self.show_error(self.tr("The Predict panel is unavailable, so no model can be loaded."))
            return False
        predict.load_model(str(path))
        self.show_tab("Predict")
        self.statusBar().showMessage(self.tr("Model: {path}").format(path=path), 8000)
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
            self.show_error(" ".join(errors.shown(p) for p in run.problems))
        train = self.train_panel
        if run.rows and train is not None:
            train.show_run(run)
        if run.best_pt is not None and self.predict_panel is not None:
            self.predict_panel.load_model(str(run.best_pt))
        self.show_tab("Train" if train is not None else "Predict")
        self.statusBar().showMessage(self.tr("Opened run {folder}").format(folder=run.folder), 8000)
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
                self.show_error(
                    self.tr("The Predict panel could not load {file}: {reason}").format(
                        file=best_pt, reason=errors.message(exc)
                    )
                )
        if self.evaluate_panel is not None:
            # not over an evaluation the user opened and works in: then it is offered
            self.evaluate_panel.offer_run(run_dir, best_pt)

    def open_in_evaluate(self, model: str = "", folder: str = "") -> None:
        """Evaluate a bundle on a labelled folder; without a model, ask for both."""
        evaluate = self.evaluate_panel
        if evaluate is None:
            self.show_error(self.tr("The Evaluate panel is unavailable."))
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
        if train.held:  # refused at once, with the reason: not queued to fail later
            train.start_training()
            return
        if not self.torch_loaded:
            self.start_queued = True
            self.next_step_label.hide()  # taken: it only waits for PyTorch
            self.statusBar().showMessage(help_pages.start_queued_text())
            train.show_waiting(help_pages.start_queued_text())  # not "Ready."
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

    # ================================================================== messages
    @Slot(str)
    def show_error(self, message: str) -> None:
        """Show a message without blocking (a window-modal box); also kept in ``last_error``.

        Core's messages arrive in English and are shown in the interface's language."""
        message = errors.shown(message)
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

    # ================================================================== show
    def showEvent(self, event) -> None:
        super().showEvent(event)
        if not self._shown_once:
            self._shown_once = True
            self.first_shown.emit()
            train = self.train_panel
            if train is not None:  # import pyqtgraph once the window is up
                QTimer.singleShot(200, train.ensure_plots)
