"""The Train panel drives real (tiny) training runs and shows them live."""

from __future__ import annotations

import pytest
from PIL import Image
from PySide6.QtCore import QSettings

from core import runs
from gui.train import TrainPanel
from gui.train.jobs import dataset_shape, new_run_dir

pytest.importorskip("torch")


@pytest.fixture
def panel(qtbot, tmp_path):
    """A panel with PyTorch ready, quick settings (MLP, 256 per batch) and runs in tmp_path."""
    import core.trainer  # noqa: F401  (what the main window's loader imports)

    p = TrainPanel(runs_folder=str(tmp_path / "runs"))
    qtbot.addWidget(p)
    p.on_torch_ready()
    p.set_arch("mlp")
    p.form.set_value("epochs", 1)
    p.form.set_value("batch_size", 256)
    yield p
    p.stop_and_wait(15_000)
    if p.session.params.handle is not None:
        p.session.params.handle.wait(10)


def train(qtbot, p: TrainPanel, timeout: int = 90_000) -> dict | None:
    with qtbot.waitSignal(p.training_finished, timeout=timeout) as sig:
        assert p.start_training()
    return sig.args[0]


def one_class_folder(root):
    folder = root / "one_class" / "cats"
    folder.mkdir(parents=True)
    for i in range(6):
        Image.new("RGB", (16, 16), (i * 30, 0, 0)).save(folder / f"{i}.png")
    return str(folder.parent)


def test_specs_provider_reaches_config(qtbot, panel, tmp_path):
    from core.augment import get_preset

    specs = get_preset("none")
    panel.set_specs_provider(lambda: specs)
    config = panel.build_config(tmp_path / "r")
    assert config.train_transforms == specs["train"]
    assert config.eval_transforms == specs["eval"]
    assert config.data == "builtin:digits" and config.num_workers == 0


def test_pause_then_resume(qtbot, panel):
    panel.form.set_value("batch_size", 64)  # 23 batches: the pause lands mid-epoch
    with qtbot.waitSignal(panel.training_finished, timeout=90_000) as sig:
        assert panel.start_training()
        qtbot.waitUntil(lambda: len(panel.plots.batch_loss) >= 1, timeout=60_000)
        assert not panel.hyper_group.isEnabled()  # the running config cannot change
        panel.pause()
        qtbot.waitUntil(lambda: "Paused." in panel.log_text(), timeout=60_000)
        assert panel.is_paused()
        assert panel.pause_button.text() == "Resume"
        panel.toggle_pause()
        qtbot.waitUntil(lambda: "Resumed." in panel.log_text(), timeout=10_000)
    assert sig.args[0]["stopped"] is False
    assert len(panel.plots.val_acc) == 1
    # the status line sums the run up instead of a stale "ETA 0:00"
    status = panel.status_label.text()
    assert status.startswith("Training finished") and "best val acc" in status, status
    assert "ETA" not in status
    assert panel.hyper_group.isEnabled() and panel.output_group.isEnabled()


def test_stop_mid_epoch_leaves_loadable_last_pt(qtbot, panel):
    from core.checkpoint import load_bundle

    panel.form.set_value("epochs", 5)
    panel.form.set_value("batch_size", 64)
    with qtbot.waitSignal(panel.training_finished, timeout=90_000) as sig:
        assert panel.start_training()
        qtbot.waitUntil(lambda: len(panel.plots.batch_loss) >= 1, timeout=60_000)
        panel.stop_training()
        assert not panel.stop_button.isEnabled()
    summary = sig.args[0]
    assert summary["stopped"] is True
    assert summary["epochs"] < 5
    status = panel.status_label.text()
    assert status.startswith("Training stopped") and "last.pt" in status, status
    assert panel.progress_bar.format() == "stopped"
    bundle = load_bundle(summary["last_pt"])
    assert bundle["arch"] == "mlp" and bundle["num_classes"] == 10


def test_bad_dataset_error_reaches_panel(qtbot, panel, tmp_path):
    panel.set_data_source(one_class_folder(tmp_path))
    errors = []
    panel.error_occurred.connect(errors.append)
    assert train(qtbot, panel) is None
    assert errors and "class" in errors[0].lower()
    assert panel.last_error == errors[0]
    assert "Training failed" in panel.log_text()
    assert panel.start_button.isEnabled()  # the panel is usable again


def test_missing_pretrained_file_is_named(qtbot, panel, tmp_path):
    panel.set_arch("smallcnn")
    choices = []
    panel.model_choice_changed.connect(lambda arch, pretrained: choices.append(pretrained))
    missing = tmp_path / "no-such-weights.pth"
    panel.form.set_value("pretrained", str(missing))
    assert panel.pretrained_value() == str(missing) == choices[-1]
    assert panel.form.widgets["pretrained"].path_row.isVisibleTo(panel)
    assert panel.form.value("mode") == "finetune"  # picked with the weights
    assert train(qtbot, panel) is None
    assert "no-such-weights.pth" in panel.last_error


def test_bad_value_is_refused_before_starting(qtbot, panel, tmp_path):
    panel.set_specs_provider(lambda: {"train": [{"name": "Nope"}], "eval": [{"name": "Nope"}]})
    errors = []
    panel.error_occurred.connect(errors.append)
    assert panel.build_config(tmp_path / "x").train_transforms == [{"name": "Nope"}]

    def broken():
        raise ValueError("step 1 (Nope): unknown transform")

    panel.set_specs_provider(broken)
    assert panel.start_training() is False
    assert "unknown transform" in errors[-1]
    assert not panel.is_training()


def test_parameter_count_matches_model(qtbot, panel):
    from core import models

    panel.set_arch("smallcnn")
    qtbot.waitUntil(lambda: "trainable" in panel.params_label.text(), timeout=30_000)
    expected = models.count_parameters(
        models.build_model("smallcnn", 10, in_channels=1, input_size=28)
    )
    assert panel.session.param_counts == expected


def test_settings_round_trip(qtbot, panel, tmp_path):
    panel.set_arch("smallcnn")
    values = {"mode": "finetune", "epochs": 7, "batch_size": 32, "lr": 0.0025}
    values.update(optimizer="sgd", scheduler="step", seed=42, gamma=0.5, val_split=0.3)
    for name, value in values.items():
        panel.form.set_value(name, value)
    panel.form.widgets["pretrained"].path_edit.setText("/some/weights.pth")
    panel.set_output_folder(tmp_path / "elsewhere")
    panel.save_settings(QSettings())
    expected = panel.hyperparameters()

    other = TrainPanel(runs_folder=str(tmp_path / "default"))
    qtbot.addWidget(other)
    other.load_settings(QSettings())
    assert other.hyperparameters() == expected
    assert {k: expected[k] for k in values} == values
    assert other.form.widgets["pretrained"].path_edit.text() == "/some/weights.pth"
    assert other.output_edit.text() == str(tmp_path / "elsewhere")
    other.on_torch_ready()  # the saved model survives filling the device list
    assert other.arch() == "smallcnn"
    qtbot.waitUntil(lambda: other.session.param_counts is not None, timeout=30_000)


def test_metrics_csv_loads_into_plots_and_table(qtbot, panel, tmp_path):
    csv_path = tmp_path / "metrics.csv"
    csv_path.write_text(
        "epoch,train_loss,train_acc,val_loss,val_acc,lr,seconds\n"
        "1,1.0,0.5,0.9,0.6,0.001,1.0\n2,0.5,0.8,0.4,0.9,0.001,1.0\n3,0.4,0.85,0.5,0.85,0.001,1.0\n"
    )
    assert panel.show_run(runs.read_run(tmp_path)) == 3
    assert len(panel.plots.val_acc) == 3
    assert panel.plots.best_epoch == 2
    assert panel.table.rowCount() == 3
    assert panel.table.item(1, 0).font().bold()

    from PySide6.QtGui import QImage

    combined = panel.plots.export_png(tmp_path / "curves.png")
    single = panel.plots.export_plot_png(panel.plots.acc_plot, tmp_path / "acc.png", width=400)
    assert not QImage(str(combined)).isNull()
    assert QImage(str(single)).width() == 400


def test_helpers(tmp_path):
    (tmp_path / "data" / "train" / "a").mkdir(parents=True)
    (tmp_path / "data" / "train" / "b").mkdir()
    (tmp_path / "data" / "train" / "c").mkdir()
    assert dataset_shape("builtin:digits") == (10, 1, 28)
    assert dataset_shape(str(tmp_path / "data"))[:2] == (3, 3)
    first = new_run_dir(tmp_path, "mlp")
    first.mkdir()
    second = new_run_dir(tmp_path, "mlp")
    assert second != first and second.parent == tmp_path


def test_settings_the_optimizer_ignores_are_greyed_out(panel):
    w = panel.form.widgets
    panel.form.set_value("optimizer", "adam")
    panel.form.set_value("scheduler", "none")
    assert not w["momentum"].isEnabled()
    assert not w["step_size"].isEnabled() and not w["gamma"].isEnabled()
    panel.form.set_value("optimizer", "sgd")
    assert w["momentum"].isEnabled()
    panel.form.set_value("scheduler", "step")
    assert w["step_size"].isEnabled() and w["gamma"].isEnabled()
    panel.form.set_value("scheduler", "cosine")
    assert not w["step_size"].isEnabled()
    assert panel.hyperparameters()["momentum"] == w["momentum"].value()


def test_epoch_axes_tick_whole_epochs_and_lr_axis_has_few_labels(qtbot):
    import numpy as np

    from gui.train.axes import LABEL_PX, IntegerAxis, log_range, log_ticks, lr_label
    from gui.train.plots import LivePlots

    axis = IntegerAxis("bottom")
    levels = axis.tickValues(1.0, 3.0, 400)  # pyqtgraph alone would tick 1.0, 1.5, 2.0 ...
    ticks = sorted(t for _spacing, values in levels for t in values)
    assert ticks == [1.0, 2.0, 3.0]
    # a constant rate: a decade in view, centred on it; a cosine from 1e-3 to 1e-5
    assert log_range(np.array([1e-3, 1e-3])) == pytest.approx((-3.65, -2.35))
    assert log_range(np.array([1e-3, 1e-5])) == pytest.approx((-5.15, -2.85))
    # it moves in half decades: an epoch of a cosine schedule mostly leaves it alone
    assert log_range(np.array([1e-3, 4e-4])) == log_range(np.array([1e-3, 3.2e-4]))
    assert log_range(np.array([0.0, 1e-3]))[1] == pytest.approx(-2.35)  # 0 cannot be shown
    assert log_range(np.array([0.0])) is None

    # the constant rate reads: 5e-4, 1e-3, 2e-3 labelled, nothing else
    labelled, bare = log_ticks(-3.5, -2.5, 100)
    assert [lr_label(10**v) for v in labelled] == ["0.0005", "0.001", "0.002"]
    assert bare  # 3e-4 ... 9e-4 and 3e-3 as bare ticks at 100 px a decade
    # a one-cycle schedule down to 4e-9 on a short axis: decades only, never crowded
    for size in (60, 110, 300):
        labelled, bare = log_ticks(-8.9, -2.6, size)
        gaps = np.diff(labelled) * size / 6.3
        assert len(labelled) >= 2 and gaps.min() >= LABEL_PX
        assert all(float(v).is_integer() for v in labelled)
    assert lr_label(2e-5) == "2e-5" and lr_label(0.1) == "0.1"

    plots = LivePlots()
    qtbot.addWidget(plots)
    for epoch in (1, 2, 3):
        plots.add_epoch(epoch, 1.0, 0.5, 1.0, 0.5, 1e-3)
    plots.refresh()
    low, high = plots.lr_plot.getPlotItem().viewRange()[1]
    assert low == pytest.approx(-3.65) and high == pytest.approx(-2.35)
    # a cosine schedule over 1.4 decades: text on 1e-4 and 1e-3 only, bare ticks between
    lr_axis = plots.lr_plot.getPlotItem().getAxis("left")
    levels = lr_axis.tickValues(-4.2, -2.8, 150)
    assert levels[0] == (1.0, [-4.0, -3.0])
    assert len(levels[1][1]) == 3 + 8 and lr_axis.style["maxTextLevel"] == 0  # 7e-5..9e-4


def test_legends_sit_in_the_title_row_outside_the_data(qtbot):
    """No legend on the data: it can neither cover a curve nor be crossed by the best line."""
    from gui.train.plots import LivePlots

    plots = LivePlots()
    qtbot.addWidget(plots)
    for plot, names in (
        (plots.batch_plot, ["raw", "smoothed"]),
        (plots.loss_plot, ["train", "valid"]),
        (plots.acc_plot, ["train", "valid", "best"]),
    ):
        item = plot.getPlotItem()
        legend = item.legend
        assert legend.parentItem() is not item.vb  # not anchored inside the view box
        assert [label.text for _sample, label in legend.items] == names
    assert plots.lr_plot.getPlotItem().legend is None  # one curve: its title says it


def test_live_refresh_puts_an_epoch_first_on_a_planned_axis(qtbot):
    """While training, a tick updates the epoch plots or the batch plot, the epoch first."""
    from gui.train.plots import LivePlots

    plots = LivePlots()
    qtbot.addWidget(plots)
    plots.plan(epochs=10, steps_per_epoch=20)
    low, high = plots.batch_plot.getPlotItem().viewRange()[0]
    assert low <= 0 and 200 <= high < 210
    for step in range(1, 21):
        plots.add_batch(step, 1.0 / step)
    plots.add_epoch(1, 0.5, 0.8, 0.6, 0.7, 1e-3, is_best=True)

    def points(curve):
        x, _y = curve.getData()
        return 0 if x is None else len(x)

    counts = []
    for _ in range(3):
        plots.refresh(live=True)
        counts.append(
            (
                points(plots.batch_raw_curve),
                points(plots.train_loss_curve),
                points(plots.val_acc_curve),
                points(plots.lr_curve),
            )
        )
    assert counts == [(0, 1, 1, 1), (20, 1, 1, 1), (20, 1, 1, 1)]
    assert plots.shown_epochs() == 1
    assert plots.batch_plot.getPlotItem().viewRange()[0][1] == high  # x axis did not move
    assert plots.best_epoch == 1


def test_planned_batch_plot_grows_its_y_range_in_coarse_steps(qtbot):
    from gui.train.axes import nice_ceiling
    from gui.train.plots import LivePlots

    assert [nice_ceiling(v) for v in (0.9, 1.0, 1.2, 2.6, 4.0, 7.0, 0.031)] == [
        1.0,
        1.0,
        1.5,
        3.0,
        5.0,
        7.5,
        0.05,
    ]
    plots = LivePlots()
    qtbot.addWidget(plots)
    plots.plan(epochs=2, steps_per_epoch=10)
    for step, loss in enumerate((2.3, 1.9, 1.2), start=1):
        plots.add_batch(step, loss)
    plots.refresh()
    assert plots.batch_plot.getPlotItem().viewRange()[1] == pytest.approx([0.0, 3.0])
    plots.add_batch(4, 3.4)  # a spike above the range widens it to the next step
    plots.refresh()
    assert plots.batch_plot.getPlotItem().viewRange()[1] == pytest.approx([0.0, 5.0])


def test_panel_defaults_are_the_trainers(qtbot, tmp_path):
    """A first run from the window trains as `main.py train` does with no options."""
    from dataclasses import fields

    from core import SCHEDULERS
    from core.config import TrainConfig

    trainer = {f.name: f.default for f in fields(TrainConfig)}
    fresh = TrainPanel(runs_folder=str(tmp_path / "runs"))
    qtbot.addWidget(fresh)
    shown = fresh.hyperparameters()
    assert len(shown) >= 15
    assert shown == {k: trainer[k] for k in shown}
    scheduler = fresh.form.widgets["scheduler"]
    assert [scheduler.itemText(i) for i in range(scheduler.count())] == list(SCHEDULERS)
    assert fresh.form.widgets["epochs"].toolTip() == "Passes over the training set."
    assert fresh.form.widgets["batch_size"].maximum() == 65_536  # the Setting's ui range


def test_device_choice_waits_for_the_device_list(qtbot, tmp_path):
    """A saved device this list does not offer (yet) is kept, and chosen once offered."""
    fresh = TrainPanel(runs_folder=str(tmp_path / "runs"))
    qtbot.addWidget(fresh)
    settings = QSettings()
    settings.setValue("train/device", "cuda")
    fresh.load_settings(settings)
    assert fresh.hyperparameters()["device"] == "auto"  # not offered before torch loads
    fresh.save_settings(settings)
    assert settings.value("train/device") == "cuda"
    fresh.form.set_choices("device", ["auto", "cpu", "cuda"])
    assert fresh.hyperparameters()["device"] == "cuda"
    fresh.form.set_value("device", "cpu")
    fresh.form.set_choices("device", ["auto", "cpu"])
    assert fresh.hyperparameters()["device"] == "cpu"


def test_planned_epoch_plots_move_their_y_range_rarely(qtbot):
    """Live epoch plots keep coarse y ranges: a range change re-lays the axis out."""
    import numpy as np

    from gui.train.axes import accuracy_range, loss_range
    from gui.train.plots import LivePlots

    assert loss_range(np.array([1.36, 0.9, 0.4])) == pytest.approx((-0.045, 1.575))
    assert loss_range(np.array([np.nan])) is None
    assert accuracy_range(np.array([0.57, 0.99])) == pytest.approx((0.48, 1.02))
    plots = LivePlots()
    qtbot.addWidget(plots)
    plots.plan(epochs=15, steps_per_epoch=10)
    set_ranges = []
    for name in ("loss_plot", "acc_plot"):
        item = getattr(plots, name).getPlotItem()
        item.sigYRangeChanged.connect(lambda *_, name=name: set_ranges.append(name))
    after_first = None
    for epoch in range(1, 16):  # a typical run: losses fall, accuracies rise
        loss = 1.4 / epoch
        plots.add_epoch(epoch, loss, 1 - loss / 3, loss * 0.8, 1 - loss / 4, 1e-3)
        plots.refresh()
        after_first = after_first or list(set_ranges)
    assert set(after_first) == {"loss_plot", "acc_plot"}
    assert set_ranges == after_first  # set at the first epoch, never again
    low, high = plots.acc_plot.getPlotItem().viewRange()[1]
    assert low < 0.5 and 1.0 < high < 1.05
    plots.unplan()  # a finished run's rows: ranges follow the data again
    assert plots.acc_plot.getPlotItem().getViewBox().autoRangeEnabled()[1]


def test_failed_start_keeps_the_last_runs_curves(qtbot, panel, tmp_path):
    (tmp_path / "last").mkdir()
    (tmp_path / "last" / "metrics.csv").write_text(
        "epoch,train_loss,train_acc,val_loss,val_acc,lr,seconds\n"
        "1,1.0,0.5,0.9,0.6,0.001,1.0\n2,0.5,0.8,0.4,0.9,0.001,1.0\n"
    )
    panel.show_run(runs.read_run(tmp_path / "last"))
    panel.set_data_source(one_class_folder(tmp_path))  # fails before the run starts
    assert train(qtbot, panel) is None
    assert len(panel.plots.val_acc) == 2 and panel.table.rowCount() == 2
    assert panel.progress_bar.format() == "failed" and panel.progress_bar.value() == 0


def test_the_train_tab_formats_durations_with_core_runs():
    from gui.train import controls, jobs, phase, report

    # one formatter, torch-free, in core; no local alias of it
    assert not hasattr(jobs, "fmt_duration")
    assert controls.duration is phase.duration is report.duration is runs.duration
    assert runs.duration(None) == "--:--" and runs.duration(3725) == "1:02:05"


@pytest.mark.parametrize(
    ("arch", "mode"), [("smallcnn", "scratch"), ("resnet18", "feature-extract")]
)
def test_counting_parameters_draws_no_random_numbers(arch, mode):
    """The count runs on a pool thread, often as a run starts (Train pressed while PyTorch
    loads): it must leave torch's global generator alone, or a seed's run changes."""
    import types

    import torch

    from core import models
    from gui.train.jobs import count_model_parameters

    ctx = types.SimpleNamespace(check=lambda: None)
    state = torch.random.get_rng_state()
    counts = count_model_parameters(ctx, arch, mode, "builtin:digits")
    assert torch.equal(torch.random.get_rng_state(), state)
    shape = dataset_shape("builtin:digits")
    real = models.build_model(
        arch, shape[0], in_channels=shape[1], mode=mode, pretrained=None,
        input_size=shape[2] or models.ARCHS[arch].default_input_size,
    )  # fmt: skip
    assert counts == models.count_parameters(real) and counts[0] <= counts[1]


def test_loading_and_warming_up_a_predictor_draws_no_random_numbers(tmp_path):
    import torch

    from core.checkpoint import make_bundle, save_bundle
    from core.models import build_model
    from core.predict import Predictor

    bundle = make_bundle(
        model=build_model("smallcnn", 10, in_channels=1, input_size=28), arch="smallcnn",
        class_names=[str(i) for i in range(10)], in_channels=1, input_size=28,
        eval_transforms=[{"name": "ToTensor", "params": {}}], epoch=1, metrics={}, config={},
    )  # fmt: skip
    save_bundle(bundle, tmp_path / "m.pt")
    state = torch.random.get_rng_state()
    predictor = Predictor(tmp_path / "m.pt")  # builds the network, then loads the weights
    predictor.warm_up(fast_single=True)  # the Predict panel's: packs the convolutions
    assert torch.equal(torch.random.get_rng_state(), state)


def test_no_run_starts_while_the_evaluate_tab_moves_files(qtbot, panel, tmp_path):
    from gui.main_window import MainWindow

    panel.hold_start("files are moving")
    assert not panel.start_button.isEnabled() and panel.start_button.toolTip() == "files are moving"
    assert panel.start_training() is False and panel.last_error == "files are moving"
    assert not panel.lr_finder.button.isEnabled()  # the range test reads the data too
    assert not panel.is_training() and not (tmp_path / "runs").exists()
    panel.hold_start(None)
    assert panel.start_button.isEnabled() and "F5" in panel.start_button.toolTip()
    # the window holds its Train tab while the Evaluate tab's files move
    window = MainWindow(load_torch_now=False)
    qtbot.addWidget(window)
    window.evaluate_panel.session.fixing.busy_changed.emit(True)
    assert "moving files" in window.train_panel.held
    window.start_training()  # F5 while PyTorch loads: refused at once, not queued
    assert not window.start_queued and window.train_panel.last_error == window.train_panel.held
    window.evaluate_panel.session.fixing.busy_changed.emit(False)
    assert window.train_panel.held is None
    window.shutdown()
