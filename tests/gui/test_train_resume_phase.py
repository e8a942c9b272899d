"""The Train tab with hand-made events (no PyTorch, no thread): a resumed run shows its
earlier epochs before the new ones, and the evaluation of best.pt after the last epoch
is a phase like the others (bar, status, its closing line in the log)."""

from __future__ import annotations

import dataclasses

from PySide6.QtGui import QFont

from core.events import PhaseProgressed
from tests.gui.test_train_events import (
    STEPS,
    batch,
    epoch_end,
    fit_started,
    panel,  # noqa: F401 - the fixture (a run "going")
)

EARLIER = (
    "epoch,train_loss,train_acc,val_loss,val_acc,lr,seconds\n"
    "1,1.0,0.5,0.9,0.60,0.001,1.0\n"
    "2,0.6,0.7,0.5,0.95,0.001,1.0\n"
    "3,0.5,0.8,0.4,0.90,0.001,1.0\n"
    "4,0.4,0.9,0.3,0.99,0.001,1.0\n"  # after last.pt's epoch: the resume redoes it
)


def _bold_rows(table) -> list[int]:
    return [r for r in range(table.rowCount()) if QFont(table.item(r, 0).font()).bold()]


def test_a_resumed_run_shows_its_earlier_epochs_then_the_new_ones(panel, tmp_path):  # noqa: F811
    run = tmp_path / "run"
    run.mkdir()
    (run / "metrics.csv").write_text(EARLIER)
    s = panel.session
    s._on_started(fit_started(epochs=6, start_epoch=4, run_dir=str(run)))
    # epochs 1-3 from metrics.csv (not 4: the resume starts there), best (epoch 2) marked
    assert panel.table.rowCount() == 3 and _bold_rows(panel.table) == [1]
    assert list(panel.plots.val_acc.view()[0]) == [1.0, 2.0, 3.0]
    assert panel.plots.best_epoch == 2 and panel.plots.shown_epochs() == 3
    s._on_epoch(epoch_end(4, epochs=6, val_acc=0.97))  # a new best: its row is bold alone
    assert [panel.table.item(r, 0).text() for r in range(4)] == ["1", "2", "3", "4"]
    assert _bold_rows(panel.table) == [3]
    panel.refresh()
    assert list(panel.plots.val_acc.view()[0]) == [1.0, 2.0, 3.0, 4.0]
    assert panel.plots.best_epoch == 4


def test_a_resumed_run_carries_on_its_batch_curve(panel, tmp_path):  # noqa: F811
    run = tmp_path / "run"
    run.mkdir()
    (run / "metrics.csv").write_text(EARLIER)
    earlier = tuple((step, 2.0 / step) for step in range(1, 3 * STEPS + 1))  # epochs 1-3
    started = fit_started(epochs=6, start_epoch=4, run_dir=str(run))
    panel.session._on_started(dataclasses.replace(started, earlier_batch_losses=earlier))
    s = panel.session
    s._on_batch(batch(4, 1, loss=0.1))
    panel.refresh()
    x, y = panel.plots.batch_loss.view()
    assert list(x) == [*range(1, 3 * STEPS + 1), 3 * STEPS + 1]
    assert list(y[:3]) == [2.0, 1.0, 2.0 / 3] and y[-1] == 0.1


def test_a_resume_without_readable_metrics_still_runs_and_says_why(panel, tmp_path):  # noqa: F811
    s = panel.session
    s._on_started(fit_started(epochs=6, start_epoch=4, run_dir=str(tmp_path / "gone")))
    assert panel.table.rowCount() == 0
    assert "Could not read the earlier epochs" in panel.log_text()
    s._on_epoch(epoch_end(4, epochs=6))
    assert panel.table.rowCount() == 1


def test_a_fresh_run_starts_with_empty_curves(panel, tmp_path):  # noqa: F811
    run = tmp_path / "run"
    run.mkdir()
    (run / "metrics.csv").write_text(EARLIER)  # an old file is not this run's history
    panel.session._on_started(fit_started(epochs=6, start_epoch=1, run_dir=str(run)))
    assert panel.table.rowCount() == 0 and len(panel.plots.val_acc) == 0


def test_the_evaluation_of_best_pt_shows_as_a_phase(panel):  # noqa: F811
    s = panel.session
    s._on_started(fit_started(epochs=1))
    s._on_epoch(epoch_end(1, epochs=1))
    panel.refresh()
    assert panel.progress_bar.format().startswith("epoch 1/1")
    text = "evaluating best.pt: 10/40 images"  # core's English; the tab says its own
    s.phase_progressed.emit(PhaseProgressed("evaluation", 0, 0, "images", text))
    assert panel.progress_bar.maximum() == 0  # not counted yet: a busy bar
    s.phase_progressed.emit(PhaseProgressed("evaluation", 10, 40, "images", text))
    panel.refresh()  # the 5 Hz tick leaves the bar to the phase
    bar = panel.progress_bar
    assert bar.maximum() == 1000 and bar.value() == 250
    assert bar.format() == "evaluating best.pt on the validation set: 10/40 images"
    assert panel.status_label.text().startswith("elapsed ")
    s.phase_progressed.emit(PhaseProgressed("evaluation", 40, 40, "images", text))
    assert panel.log_text().splitlines()[-1].endswith("Evaluated best.pt on 40 validation images.")
    panel.refresh()  # the bar is the epochs' again
    assert bar.format().startswith("epoch 1/1") and bar.maximum() == 1000
