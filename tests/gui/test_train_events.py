"""The Train tab driven by hand-made run events: what it shows, logs and says, no training.

Events go into the session's slots that the worker's signals are connected to (as
they would arrive from the training thread) and the panel's refresh is called as the
5 Hz timer would call it, so these tests need no PyTorch and no thread; what they
check does not depend on timing.
"""

from __future__ import annotations

import pytest
import shiboken6

from core.config import TrainConfig
from core.events import BatchEnded, CheckpointSaved, EpochEnded, FitEnded, FitStarted
from gui.train import TrainPanel
from gui.train.plots import DebiasedEMA
from gui.train.report import outcome_text
from gui.worker import TrainingWorker, _SignalCallback

STEPS = 20


def fit_started(epochs: int = 4, start_epoch: int = 1, run_dir: str = "/runs/a") -> FitStarted:
    return FitStarted(
        run_dir=run_dir,
        arch="mlp",
        num_classes=10,
        class_names=[str(i) for i in range(10)],
        trainable_params=100,
        total_params=100,
        device="cpu",
        precision="fp32",
        epochs=epochs,
        start_epoch=start_epoch,
        steps_per_epoch=STEPS,
        train_size=1000,
        valid_size=200,
        summary={},
    )


def batch(epoch: int, step: int, loss: float = 1.0, epochs: int = 4) -> BatchEnded:
    return BatchEnded(
        epoch=epoch,
        epochs=epochs,
        step=step,
        steps=STEPS,
        loss=loss,
        lr=1e-3,
        images_per_second=500.0,
        global_step=(epoch - 1) * STEPS + step,
    )


def epoch_end(epoch: int, epochs: int = 4, val_acc: float = 0.9) -> EpochEnded:
    return EpochEnded(
        epoch=epoch,
        epochs=epochs,
        train_loss=1.0 / epoch,
        train_acc=0.8,
        val_loss=1.0 / epoch,
        val_acc=val_acc,
        lr=1e-3,
        is_best=True,
        best_val_acc=val_acc,
        best_epoch=epoch,
        seconds=2.0,
    )


def saved(kind: str, epoch: int, val_acc: float | None = 0.9) -> CheckpointSaved:
    return CheckpointSaved(kind=kind, path=f"/runs/a/{kind}.pt", epoch=epoch, val_acc=val_acc)


@pytest.fixture
def panel(qtbot, tmp_path, monkeypatch):
    """A panel whose session believes a run is going (so refresh() is the live tick)."""
    p = TrainPanel(runs_folder=str(tmp_path / "runs"))
    qtbot.addWidget(p)
    p.ensure_plots()
    monkeypatch.setattr(p.session, "is_training", lambda: True)
    return p


def drive_epoch(p: TrainPanel, epoch: int, ticks: int = 5) -> None:
    """One epoch as the GUI receives it: ~4 throttled batches per 200 ms tick, then its end."""
    s = p.session
    for tick in range(ticks):
        for k in range(4):
            step = min(STEPS, tick * 4 + k + 1)
            s._on_batch(batch(epoch, step, loss=2.0 / (step + epoch)))
        if tick < ticks - 1:
            p.refresh()
    s._on_epoch(epoch_end(epoch))


# ------------------------------------------------------------------------------ item 1
def test_epoch_is_plotted_at_the_next_tick_while_batches_keep_coming(panel):
    s = panel.session
    s._on_started(fit_started())
    plots = panel.plots
    for epoch in (1, 2, 3):
        drive_epoch(panel, epoch)
        for k in range(4):  # the next epoch's batches are already arriving
            s._on_batch(batch(epoch + 1, k + 1))
        assert plots.shown_epochs() == epoch - 1
        panel.refresh()  # one tick
        assert plots.shown_epochs() == epoch  # loss, accuracy and learning rate
        panel.refresh()  # and the batch plot is not starved either
        x, _ = plots.batch_raw_curve.getData()
        assert x[-1] == epoch * STEPS + 4


# ------------------------------------------------------------------------------ item 9
def test_smoothed_batch_loss_starts_on_the_data():
    ema = DebiasedEMA(0.9)
    assert ema.add(2.0) == pytest.approx(2.0)  # the first point is the data itself
    losses = [2.3 * 0.9**i for i in range(30)]  # a loss falling fast, as it starts
    ema.clear()
    smooth = [ema.add(v) for v in losses]
    # what the old EMA (started at the first value) gave at batch 10
    old = losses[0]
    for v in losses[1:10]:
        old = 0.1 * v + 0.9 * old
    assert smooth[9] < old - 0.3
    assert all(lo <= sm for lo, sm in zip(losses, smooth, strict=True))  # still a lagging mean
    # a constant loss is smoothed to itself from the first point on
    ema.clear()
    assert [round(ema.add(1.5), 12) for _ in range(5)] == [1.5] * 5


def test_batch_plot_smooths_with_the_debiased_average(panel):
    plots = panel.plots
    for step, loss in enumerate((3.0, 1.0, 1.0), start=1):
        plots.add_batch(step, loss)
    _, smooth = plots.batch_smooth.view()
    assert smooth[0] == pytest.approx(3.0)
    assert smooth[1] == pytest.approx((0.09 * 3.0 + 0.1 * 1.0) / 0.19)
    plots.clear()
    plots.add_batch(1, 0.5)
    assert plots.batch_smooth.view()[1][0] == pytest.approx(0.5)  # a new run starts afresh


# ------------------------------------------------------------------------------ item 12
def test_stop_says_where_it_stopped_and_what_was_kept():
    summary = {
        "stopped": True,
        "seconds": 30.0,
        "epochs": 3,
        "epochs_planned": 15,
        "best_val_acc": 0.9889,
        "best_epoch": 3,
        "best_pt": "/runs/smallcnn-1/best.pt",
        "run_dir": "/runs/smallcnn-1",
    }
    kept = {"best": saved("best", 3, 0.9889), "last": saved("last", 3, None)}
    text = outcome_text(summary, kept, reached=4)
    assert text.startswith("Training stopped during epoch 4/15 after 0:30")
    assert "best.pt (epoch 3, val acc 0.9889" in text
    assert "last.pt (resumes at epoch 4)" in text and "smallcnn-1" in text
    assert "done" not in text.lower()
    # stopped between epochs: after epoch 3
    between = outcome_text(summary, kept, reached=3)
    assert between.startswith("Training stopped at the end of epoch 3/15 after 0:30")
    # before any epoch finished: no best.pt, and it says so
    early = dict(summary, epochs=0, best_val_acc=None, best_epoch=None, best_pt=None)
    text = outcome_text(early, {"last": saved("last", 0, None)}, reached=1)
    assert text.startswith("Training stopped during epoch 1/15")
    assert "no best.pt" in text and "last.pt (resumes at epoch 1)" in text
    finished = dict(summary, stopped=False, epochs=15)
    assert outcome_text(finished, kept).startswith("Training finished after 0:30")


def test_stop_outcome_reaches_the_status_line_and_the_status_bar(qtbot, panel, monkeypatch):
    s = panel.session
    s._on_started(fit_started(epochs=4))
    drive_epoch(panel, 1)
    s._on_checkpoint(saved("best", 1))
    s._on_checkpoint(saved("last", 1))
    s._on_batch(batch(2, 3))
    summary = {"stopped": True, "seconds": 5.0, "epochs": 1, "epochs_planned": 4}
    summary.update(best_val_acc=0.9, best_epoch=1, best_pt="/runs/a/best.pt", run_dir="/runs/a")
    s._on_worker_finished(FitEnded(summary=summary, stopped=True, run_dir="/runs/a"))
    monkeypatch.setattr(s, "is_training", lambda: False)
    with qtbot.waitSignal(panel.status_message) as sig:
        s.training_state_changed.emit(False)  # the thread is gone
    text = panel.status_label.text()
    assert text.startswith("Training stopped during epoch 2/4") and "last.pt" in text
    assert sig.args == [text, 10_000]
    assert panel.outcome_label.text() == text  # what the window's status bar keeps showing
    assert panel.progress_bar.format() == "stopped"


# ------------------------------------------------------------------------------ item 13
def test_worker_sends_an_epochs_checkpoints_after_its_end(qapp):
    worker = TrainingWorker(TrainConfig(arch="mlp", epochs=2, out="/tmp/unused"))
    seen: list[str] = []
    worker.epoch_ended.connect(lambda ev: seen.append(f"epoch {ev.epoch}"))
    worker.checkpoint_saved.connect(lambda ev: seen.append(f"{ev.kind} {ev.epoch}"))
    cb = _SignalCallback(worker)
    cb.on_fit_start(fit_started(epochs=2))
    for epoch in (1, 2):  # the trainer's order: its checkpoint writer runs first
        cb.on_checkpoint(saved("best", epoch))
        cb.on_checkpoint(saved("last", epoch))
        cb.on_epoch_end(epoch_end(epoch, epochs=2))
    cb.on_checkpoint(saved("last", 2, None))  # a stop's last.pt: its epoch is out already
    assert seen == ["epoch 1", "best 1", "last 1", "epoch 2", "best 2", "last 2", "last 2"]
    # a checkpoint whose epoch end never comes (the run failed) still goes out
    cb.on_checkpoint(saved("best", 3))
    cb.on_exception(RuntimeError("nan"))
    assert seen[-1] == "best 3"
    worker.deleteLater()


def test_log_puts_the_epoch_line_before_its_checkpoints(panel):
    s = panel.session
    s._on_started(fit_started())
    s._on_epoch(epoch_end(3))
    s._on_checkpoint(saved("best", 3))
    log = panel.log_text()
    assert log.index("epoch 3/4") < log.index("saved best.pt (epoch 3")


# ------------------------------------------------------------------------------ item 15
def test_curves_stay_until_a_new_run_really_starts(panel):
    s = panel.session
    s._on_started(fit_started(epochs=2, run_dir="/runs/first"))
    for epoch in (1, 2):
        drive_epoch(panel, epoch)
    panel.refresh()
    assert panel.plots.shown_epochs() == 2 and panel.table.rowCount() == 2
    assert s.last_run_dir == "/runs/first"
    # a start whose run fails before FitStarted (bad data, missing weights) clears nothing
    s._on_errored(ValueError("only one class"))
    panel.refresh()
    assert panel.plots.shown_epochs() == 2 and panel.table.rowCount() == 2
    assert len(panel.plots.batch_loss) > 0
    # a run that really starts replaces them, and the last run's outcome
    panel.outcome_label.setText("Training finished after 0:15.")
    s._on_started(fit_started(epochs=3, run_dir="/runs/second"))
    assert len(panel.plots.val_acc) == 0 and panel.table.rowCount() == 0
    assert panel.outcome_label.text() == ""
    assert s.last_run_dir == "/runs/second"


# ------------------------------------------------------------------------------ item 6
def test_settings_column_keeps_its_width_when_the_window_shrinks_and_grows(qtbot, tmp_path):
    p = TrainPanel(runs_folder=str(tmp_path / "runs"))
    qtbot.addWidget(p)
    column = p.settings_column
    p.resize(1580, 900)
    p.show()
    qtbot.waitExposed(p)
    wide = column.width()
    content = column.widget()
    assert wide >= content.minimumSizeHint().width()  # no row is cut off
    for size in ((1000, 640), (1260, 660), (1580, 900)):
        p.resize(*size)
        qtbot.wait(10)
        assert column.width() >= content.minimumSizeHint().width()
        assert not column.horizontalScrollBar().isVisible()
    assert column.width() == wide  # enlarged again: as wide as before
    # a long dataset folder wraps instead of widening the column
    p.set_data_source("/a/very/long/folder/name/of/photos/" * 4)
    qtbot.wait(10)
    assert column.width() == wide


# ------------------------------------------------------------------------------ item 3
def test_plots_replace_the_placeholder_once_the_tab_is_shown(qtbot, tmp_path):
    p = TrainPanel(runs_folder=str(tmp_path / "runs"))
    qtbot.addWidget(p)
    assert p.plots is None and p.plot_placeholder.text() == "Loading plots..."
    p.show()  # no run started: the plots still come
    qtbot.waitUntil(lambda: p.plots is not None and p.plots.isVisibleTo(p), timeout=10_000)
    qtbot.waitUntil(lambda: not shiboken6.isValid(p.plot_placeholder))  # and it is gone
