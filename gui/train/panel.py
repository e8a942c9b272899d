"""The Train tab's view: the settings form, Start/Pause/Stop, live plots, epoch table, log.

The widgets follow a :class:`~gui.train.session.TrainingSession` (the run, its
progress, the parameter count). The session's event slots only record values; a
5 Hz timer pushes them to the plots and labels, so the GUI thread does little work
however fast batches come.

Nothing here imports torch at module top: the device list, the model help and the
parameter count appear once the main window reports that PyTorch is loaded
(:meth:`TrainPanel.on_torch_ready`). pyqtgraph (slow to import) is loaded when the
plots are first needed (:meth:`TrainPanel.ensure_plots`).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QSettings, Qt, QTimer, Signal, Slot
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QSizePolicy,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from core import BUILTIN_DIGITS, config, runs
from core.config import TrainConfig
from core.events import BatchEnded, CheckpointSaved, EpochEnded, FitEnded, FitStarted
from gui import errors
from gui.i18n.core_messages import translate as core_text
from gui.panel import Panel
from gui.tooltips import wrapped
from gui.train import report
from gui.train.column import SettingsColumn
from gui.train.controls import RunControls
from gui.train.form import SettingsForm
from gui.train.jobs import available_devices, default_runs_folder, earlier_epochs, new_run_dir
from gui.train.lrfind import LRFinder
from gui.train.phase import PhaseDisplay, annotate_form
from gui.train.session import TrainingSession
from gui.train.table import EpochTable

REFRESH_MS = 200  # plots and labels are redrawn at most 5 times a second
PRELOAD_PLOTS_MS = 1000  # after PyTorch is ready, build the plots while the user looks around
LOG_LINES = 5000
SETTINGS_GROUP = "train"


class TrainPanel(Panel):
    """Choose a model and hyperparameters, train in a background thread, watch it live.

    Signals: ``model_choice_changed(str arch, str pretrained)``, ``run_started(str
    run_dir)``, ``run_finished(str run_dir, str best_pt)`` when a run ends with a
    best.pt (also after a stop), ``training_finished(object)`` (the summary dict or
    None) once the training thread is gone, ``training_state_changed(bool running)``,
    and the Panel's ``error_occurred(str)`` for any message the user must see.
    A run's outcome also goes to ``status_message``; ``outcome_label`` keeps the last
    one for the window's status bar.
    """

    title = "Train"

    run_started = Signal(str)
    run_finished = Signal(str, str)
    training_finished = Signal(object)
    training_state_changed = Signal(bool)
    model_choice_changed = Signal(str, str)  # arch, TrainConfig.pretrained

    def __init__(self, parent: QWidget | None = None, *, runs_folder: str | None = None) -> None:
        super().__init__(parent)
        self.torch_ready = False
        self.held: str | None = None  # why no run may start now (see hold_start)
        self.last_error: str | None = None
        self.plots = None
        self._specs_provider: Callable[[], dict | None] | None = None
        self.session = TrainingSession(self)
        self.form = SettingsForm(self)
        self._build(runs_folder or default_runs_folder())
        self.phase = PhaseDisplay(self.progress_bar, self.status_label, self.log, self)
        annotate_form(self.form.widgets)
        self.lr_finder = LRFinder(  # "Find learning rate", under the learning rate
            self.hyper_group.layout(),
            self.form.widgets["lr"],
            lambda: self.build_config(run_dir="lr-find"),  # never written: core.lrfind
            lambda lr: self.form.set_value("lr", lr),
            self._show_error,
            self,
        )
        self._wire()
        self._timer = QTimer(self)
        self._timer.setInterval(REFRESH_MS)
        self._timer.timeout.connect(self.refresh)
        self._plots_timer = QTimer(self)  # owned: never fires on a deleted panel
        self._plots_timer.setSingleShot(True)
        self._plots_timer.timeout.connect(self.ensure_plots)
        self._update_buttons()

    # ================================================================== layout
    def _build(self, runs_folder: str) -> None:
        column = SettingsColumn(self.form, runs_folder)
        self.settings_column = column
        self.data_label, self.arch_help = column.data_label, column.arch_help
        self.params_label, self.output_edit = column.params_label, column.output_edit
        self.model_group, self.hyper_group = column.model_group, column.hyper_group
        self.output_group = column.output_group

        right = QWidget()
        right_box = QVBoxLayout(right)
        right_box.setContentsMargins(0, 0, 0, 0)
        right_box.addWidget(self._build_controls())
        self.plot_holder = QWidget()
        self.plot_holder_layout = QVBoxLayout(self.plot_holder)
        self.plot_holder_layout.setContentsMargins(0, 0, 0, 0)
        self.plot_placeholder = QLabel(self.tr("Loading plots..."))
        self.plot_placeholder.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.plot_holder_layout.addWidget(self.plot_placeholder)
        self.table = EpochTable()
        self.log_view = QPlainTextEdit()
        self.log_view.setReadOnly(True)
        self.log_view.setMaximumBlockCount(LOG_LINES)
        bottom = QTabWidget()
        bottom.addTab(self.table, self.tr("Epochs"))
        bottom.addTab(self.log_view, self.tr("Log"))
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(self.plot_holder)
        split.addWidget(bottom)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 1)
        split.setSizes([3000, 1000])  # the curves get most of the height from the start
        self.plot_holder.setMinimumHeight(280)
        right_box.addWidget(split, 1)

        outer = QSplitter(Qt.Orientation.Horizontal)
        outer.addWidget(column)
        outer.addWidget(right)
        outer.setStretchFactor(0, 0)  # the window's width changes go to the plots
        outer.setStretchFactor(1, 1)
        outer.setCollapsible(0, False)
        outer.setCollapsible(1, False)
        layout = QHBoxLayout(self)
        layout.addWidget(outer)

    def _build_controls(self) -> RunControls:
        self.controls = c = RunControls()
        self.start_button, self.pause_button, self.stop_button = (
            c.start_button,
            c.pause_button,
            c.stop_button,
        )
        self.progress_bar, self.status_label = c.progress_bar, c.status_label
        c.start_button.clicked.connect(self.start_training)
        c.pause_button.clicked.connect(self.toggle_pause)
        c.stop_button.clicked.connect(self.stop_training)
        # the last run's outcome for the window's status bar (a normal widget there: it
        # comes back when Predict's or Evaluate's messages about the run time out)
        self.outcome_label = QLabel("", self)
        self.outcome_label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.outcome_label.hide()
        return c

    def _wire(self) -> None:
        self.form.changed.connect(self._on_field_changed)
        s = self.session
        s.training_state_changed.connect(self._on_state_changed)
        s.started.connect(self._on_started)
        s.batch_ended.connect(self._on_batch)
        s.epoch_ended.connect(self._on_epoch)
        s.checkpoint_saved.connect(self._on_checkpoint)
        s.phase_progressed.connect(self.phase.on_phase)
        s.paused.connect(self._on_paused)
        s.resumed.connect(self._on_resumed)
        s.failed.connect(self._on_failed)
        s.fit_ended.connect(self._on_fit_ended)
        s.run_finished.connect(self.run_finished)
        s.training_finished.connect(self.training_finished)
        s.params_counted.connect(self._on_params_counted)
        s.params_failed.connect(self._on_params_failed)

    def showEvent(self, event) -> None:  # noqa: N802 - Qt name
        """The tab is on screen: build the plots on the next turn ("Loading plots..." first)."""
        super().showEvent(event)
        if self.plots is None:
            self._plots_timer.start(0)

    @Slot()
    def ensure_plots(self):
        """Create the live plots (imports pyqtgraph, ~0.4 s) the first time they are needed.

        Called when the tab is first shown, a second after PyTorch is ready (so the
        plots are there before the user looks), and at the latest when a run starts.
        """
        if self.plots is None:
            from gui.train.plots import LivePlots

            self.plots = LivePlots()
            self.plot_holder_layout.removeWidget(self.plot_placeholder)
            self.plot_placeholder.deleteLater()
            self.plot_holder_layout.addWidget(self.plots)
        return self.plots

    # ================================================================== wiring API
    @property
    def source(self) -> str:
        """The dataset to train on: "builtin:digits" or a folder."""
        return self.session.source

    @property
    def last_run_dir(self) -> str | None:
        return self.session.last_run_dir

    def set_data_source(self, source: str) -> None:
        """The dataset to train on (from the Data panel): "builtin:digits" or a folder."""
        self.session.source = str(source) or BUILTIN_DIGITS
        self.settings_column.show_source(self.session.source)
        self._request_param_count()

    def set_specs_provider(self, provider: Callable[[], dict | None] | None) -> None:
        """A callable returning {"train": spec, "eval": spec} (the Augment panel's specs)."""
        self._specs_provider = provider

    def set_output_folder(self, folder: str | Path) -> None:
        self.output_edit.setText(str(folder))

    def on_torch_ready(self) -> None:
        """PyTorch is importable: offer this machine's devices, describe the model, count."""
        self.torch_ready = True
        self.form.set_choices("device", available_devices())
        from core.launcher import local_slots  # Processes: where several cores or GPUs are

        slots = local_slots()
        self.form.show_row("nproc", slots > 1)
        self.form.widgets["nproc"].setMaximum(max(1, slots))
        self._update_arch_help()
        self._update_buttons()
        self._request_param_count()
        if self.plots is None:
            self._plots_timer.start(PRELOAD_PLOTS_MS)

    # ================================================================== model choice
    def arch(self) -> str:
        return self.form.value("arch")

    def set_arch(self, name: str) -> None:
        self.form.set_value("arch", name)

    def pretrained_value(self) -> str:
        """TrainConfig.pretrained: "none", "imagenet" or the .pth path."""
        return self.form.value("pretrained")

    @Slot(str)
    def _on_field_changed(self, name: str) -> None:
        if name == "pretrained":
            picker = self.form.widgets["pretrained"]
            if picker.key() != "none" and self.form.value("mode") == "scratch":
                self.form.set_value("mode", "finetune")  # pretrained weights are for transfer
        elif name in ("arch", "mode"):
            self._update_arch_help()
            self._request_param_count()
        else:
            return
        self.model_choice_changed.emit(self.arch(), self.pretrained_value())

    def _update_arch_help(self) -> None:
        if not self.torch_ready:
            return
        from core import models

        info = models.ARCHS.get(self.arch())
        self.arch_help.setText(core_text(info.description) if info else "")
        self.form.widgets["pretrained"].allow_imagenet(bool(info and info.pretrained))

    def _request_param_count(self) -> None:
        if not self.torch_ready:
            return
        self.params_label.setText(self.tr("Parameters: counting..."))
        self.session.count_parameters(self.arch(), self.form.value("mode"))

    @Slot(object)
    def _on_params_counted(self, counts: tuple[int, int]) -> None:
        trainable, total = counts
        if trainable == total:
            text = self.tr("Parameters: {total:,}, all trainable").format(total=total)
        else:
            text = self.tr("Parameters: {trainable:,} of {total:,} trainable").format(
                trainable=trainable, total=total
            )
        self.params_label.setText(text)
        tip = self.tr("Trainable / total parameters of the chosen model.")
        self.params_label.setToolTip(f"{text}\n{tip}")

    @Slot(object)
    def _on_params_failed(self, error: BaseException) -> None:
        self.params_label.setText(self.tr("Parameters: unavailable"))
        self.params_label.setToolTip(errors.message(error))

    # ================================================================== config
    def hyperparameters(self) -> dict:
        """The TrainConfig fields the form holds (besides data, specs and out)."""
        return self.form.values()

    def build_config(self, run_dir: str | Path | None = None) -> TrainConfig:
        """A validated TrainConfig for the current choices (ConfigError when a value is bad)."""
        values = self.hyperparameters()
        specs = self._current_specs()
        if specs:
            values["train_transforms"] = specs.get("train")
            values["eval_transforms"] = specs.get("eval")
        if run_dir is None:
            folder = self.output_edit.text().strip() or default_runs_folder()
            run_dir = new_run_dir(folder, values["arch"])
        cfg = TrainConfig(data=self.source, out=str(run_dir), num_workers=0, **values)
        cfg.validate()
        return cfg

    def _current_specs(self) -> dict | None:
        if self._specs_provider is None:
            return None
        specs = self._specs_provider()
        if not specs or not specs.get("train") or not specs.get("eval"):
            return None
        return specs

    # ================================================================== run control
    def is_training(self) -> bool:
        return self.session.is_training()

    def is_paused(self) -> bool:
        return self.session.is_paused()

    @Slot()
    def start_training(self) -> bool:
        """Start a run with the current settings; False (and a message) when it cannot."""
        if self.session.is_training():
            return False
        if self.held:
            self._show_error(self.held)
            return False
        if not self.torch_ready:
            self._show_error(self.tr("PyTorch is still loading; press Start again in a moment."))
            return False
        try:
            cfg = self.build_config()
        except Exception as exc:  # bad value or bad augmentation spec: say so, do not crash
            self._show_error(
                self.tr("Cannot start training: {reason}").format(reason=errors.message(exc))
            )
            return False
        return self._start(cfg)

    def resume_run(self, run_dir: str, epochs: int) -> bool:
        """Continue a run from its last.pt with its own settings up to ``epochs`` (Runs tab)."""
        if self.session.is_training() or not self.torch_ready or self.held:
            self._show_error(
                self.held or self.tr("Resume needs PyTorch loaded and no other run training.")
            )
            return False
        try:
            cfg = TrainConfig.from_dict({**runs.resume_config(run_dir, epochs), "num_workers": 0})
            cfg.validate()
        except ValueError as exc:  # RunError, ConfigError
            self._show_error(
                self.tr("Cannot resume {run}: {reason}").format(
                    run=run_dir, reason=errors.message(exc)
                )
            )
            return False
        for name in self.form.widgets:  # the form shows what trains
            self.form.set_value(name, getattr(cfg, name))
        return self._start(cfg)

    def _start(self, cfg: TrainConfig) -> bool:
        self.last_error = None
        self.ensure_plots()  # the last run's curves stay until this one has started
        self.log(
            self.tr("Starting {arch} on {data} -> {folder}").format(
                arch=cfg.arch, data=cfg.data, folder=cfg.out
            )
        )
        self.session.start(cfg)
        self.run_started.emit(str(cfg.out))
        return True

    @Slot()
    def toggle_pause(self) -> None:
        if self.session.is_paused():
            self.resume()
        else:
            self.pause()

    def pause(self) -> None:
        self.session.pause()
        self._update_buttons()

    def resume(self) -> None:
        self.session.resume()
        self._update_buttons()

    @Slot()
    def stop_training(self) -> None:
        """Ask the run to stop between batches (last.pt is still written)."""
        if self.session.is_training():
            self.session.stop()
            self.log(self.tr("Stopping after the current batch..."))
            self._update_buttons()

    def stop_and_wait(self, timeout_ms: int = 10_000) -> bool:
        """Stop and block until the training thread has ended (window close, app quit)."""
        return self.session.stop_and_wait(timeout_ms)

    def shutdown(self, timeout_ms: int = 10_000) -> bool:
        """Window closing: stop and wait for training, drop background work, ignore late events."""
        ok = self.session.shutdown(timeout_ms)
        self.lr_finder.cancel()
        self._timer.stop()
        self._plots_timer.stop()
        return ok

    # ================================================================== the run's events
    @Slot(bool)
    def _on_state_changed(self, running: bool) -> None:
        if running:
            self._timer.start()
        else:
            self._timer.stop()
            self.phase.reset()
            self.refresh()
            self._show_outcome()
        self._update_buttons()
        self.training_state_changed.emit(running)

    def _show_outcome(self) -> None:
        """The run's thread is gone: say how it ended, here and in the window's status bar."""
        s = self.session
        summary = s.last_summary
        failed = s.error is not None
        self.controls.show_ended("failed" if failed else "done")
        if failed:  # a run that failed at its start shows no progress, not the last run's
            self.controls.show_fraction(s.progress)
        if not failed and summary:
            text = report.outcome_text(summary, s.kept, reached=s.progress.epoch)
            self.status_label.setText(text)
            self.outcome_label.setText(text)
            self.outcome_label.setToolTip(text)
            self.show_status(text, 10_000)
            if summary.get("stopped"):
                self.controls.show_ended("stopped")

    @Slot(object)
    def _on_started(self, ev: FitStarted) -> None:
        """The run really started: only now do the last run's curves and rows go."""
        self.table.clear_rows()
        self.outcome_label.clear()  # the status bar no longer speaks of the last run
        plots = self.ensure_plots()
        plots.clear()
        plots.plan(ev.epochs, ev.steps_per_epoch)
        self.log(report.started_line(ev))
        if ev.start_epoch > 1:  # a resumed run: its earlier epochs first, then the new ones
            self._show_earlier_epochs(ev)

    def _show_earlier_epochs(self, ev: FitStarted) -> None:
        """A resumed run's epochs before ``ev.start_epoch`` (its metrics.csv) and their
        batch losses (its batch_loss.csv)."""
        rows, error = earlier_epochs(ev.run_dir, ev.start_epoch)
        if error is not None:
            reason = errors.message(error)
            self.log(self.tr("Could not read the earlier epochs: {reason}").format(reason=reason))
        metric = self.session.best_metric()
        self.plots.add_rows(rows, metric)
        for step, loss in ev.earlier_batch_losses:  # read with the checkpoint, off this thread
            self.plots.add_batch(step, loss)
        self.plots.refresh()
        self.table.add_rows(rows, metric)

    @Slot(object)
    def _on_batch(self, ev: BatchEnded) -> None:
        if self.plots is not None:
            self.plots.add_batch(ev.global_step, ev.loss)

    @Slot(object)
    def _on_epoch(self, ev: EpochEnded) -> None:
        if self.plots is not None:
            self.plots.add_epoch(
                ev.epoch, ev.train_loss, ev.train_acc, ev.val_loss, ev.val_acc, ev.lr, ev.is_best
            )
        self.table.add_row(ev.row(), ev.is_best)
        self.log(report.epoch_line(ev))

    @Slot(object)
    def _on_checkpoint(self, ev: CheckpointSaved) -> None:
        self.log(report.checkpoint_line(ev))  # after its epoch's line (gui.worker orders them)

    @Slot()
    def _on_paused(self) -> None:
        self.log(self.tr("Paused."))
        self._update_buttons()

    @Slot()
    def _on_resumed(self) -> None:
        self.log(self.tr("Resumed."))
        self._update_buttons()

    @Slot(object)
    def _on_failed(self, exc: BaseException) -> None:
        self._show_error(self.tr("Training failed: {reason}").format(reason=errors.message(exc)))

    @Slot(object)
    def _on_fit_ended(self, ev: FitEnded) -> None:
        self.log(report.fit_end_line(ev))

    # ================================================================== display
    @Slot()
    def refresh(self) -> None:
        """Push recorded values to plots and labels (5 times a second while training)."""
        running = self.session.is_training()
        if self.plots is not None:
            # while training: the epoch plots (first) or the batch plot, never all four
            self.plots.refresh(live=running)
        if running and self.phase.refresh():
            return  # downloading weights or extracting features: the bar shows that
        p = self.session.progress
        if not running and p.epoch == 0:
            return
        self.controls.show_progress(p, paused=self.is_paused(), running=running)

    def hold_start(self, reason: str | None) -> None:
        """No run starts while ``reason`` holds (files of a dataset moving); None: free."""
        self.held = reason
        self.start_button.setToolTip(wrapped(reason) if reason else self.controls.start_tip)
        self._update_buttons()

    def _update_buttons(self) -> None:
        running = self.session.is_training()
        stopping = self.session.is_stopping()
        self.start_button.setEnabled(self.torch_ready and not running and not self.held)
        self.lr_finder.button.setEnabled(self.torch_ready and not self.held)  # reads the data
        self.pause_button.setEnabled(running and not stopping)
        self.stop_button.setEnabled(running and not stopping)
        self.controls.show_paused(self.is_paused())
        # the running config is fixed: editing these during a run would change nothing
        for name in config.fields_in("model"):  # the model's description stays readable
            self.form.widgets[name].setEnabled(not running)
        if not running:  # and the model fields the mode makes moot (head epochs ...) grey
            self.form._update_enabled()
        self.hyper_group.setEnabled(not running)
        self.output_group.setEnabled(not running)

    def log(self, text: str) -> None:
        stamp = time.strftime("%H:%M:%S")
        self.log_view.appendPlainText(f"[{stamp}] {text}")

    def log_text(self) -> str:
        return self.log_view.toPlainText()

    def show_waiting(self, text: str) -> None:
        """Say why a start waits (Train pressed while PyTorch loads) where it says Ready."""
        self.status_label.setText(text)

    def _show_error(self, message: str) -> None:
        """Record and announce a message (the main window shows it in a dialog)."""
        self.last_error = message
        self.log(message)
        self.status_label.setText(message)
        self.error_occurred.emit(message)

    def show_run(self, run: runs.Run) -> int:
        """Show a run folder's metrics (core.runs.read_run) in the plots and the table."""
        self.ensure_plots().show_rows(run.rows, run.best_metric)
        self.table.show_rows(run.rows, run.best_metric)
        self.log(
            self.tr("Loaded %n epoch(s) from {folder}", "", len(run.rows)).format(folder=run.folder)
        )
        return len(run.rows)

    # ================================================================== settings
    def save_settings(self, settings: QSettings) -> None:
        settings.beginGroup(SETTINGS_GROUP)
        self.form.save(settings)
        settings.setValue("output", self.output_edit.text())
        settings.endGroup()

    def load_settings(self, settings: QSettings) -> None:
        """Restore saved choices; missing or unreadable values keep the defaults."""
        settings.beginGroup(SETTINGS_GROUP)
        self.form.load(settings)
        output = settings.value("output", "", type=str)
        settings.endGroup()
        if output:
            self.output_edit.setText(str(output))
