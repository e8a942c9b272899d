"""Issue 17 for the Train tab: every text it shows goes through Qt's translation.

A pseudo-translator wraps whatever it is asked to translate in ⟦ ⟧, so a text shown
without the marks was never translated (a string lupdate cannot see, or one built by
hand). The values a user types or the CLI takes (choices such as "adam"), numbers and
paths stay as they are; the settings' own labels and tips come from core/config.py, the
phase texts from core/phases.py, both marked there and translated through
gui.i18n.core_messages.
"""

from __future__ import annotations

import pytest
from PySide6.QtCore import QTranslator
from PySide6.QtWidgets import QComboBox, QWidget

from core.events import CheckpointSaved, FitEnded, PhaseProgressed
from tests.gui.test_i18n import _texts
from tests.gui.test_train_events import batch, epoch_end, fit_started

OPEN, CLOSE = "⟦", "⟧"


class Marking(QTranslator):
    """Translates everything into itself between ⟦ ⟧ (Qt fills %n in afterwards)."""

    def translate(self, context, source, disambiguation=None, n=-1):  # noqa: ARG002
        return f"{OPEN}{source}{CLOSE}" if source else source

    def isEmpty(self) -> bool:  # noqa: N802 - Qt name
        return False


@pytest.fixture
def marked(qapp):
    translator = Marking()
    qapp.installTranslator(translator)
    yield
    qapp.removeTranslator(translator)


def _unmarked(panel) -> list[str]:
    """The texts on ``panel`` shown without translation (but the dataset's name)."""
    form = panel.form.widgets
    picker = form["pretrained"]
    found = []
    for widget in [panel, *panel.findChildren(QWidget)]:
        if widget is panel.data_label:  # the dataset's name
            continue
        if widget is picker.combo:  # its items are the tab's own
            texts = [widget.toolTip()] + [widget.itemText(i) for i in range(widget.count())]
        elif isinstance(widget, QComboBox):
            texts = [widget.toolTip()]  # its items are the values TrainConfig takes
        else:
            texts = _texts(widget)
        found += [t for t in texts if t.strip() and OPEN not in t and t != "..."]
    return found


def _plot_texts(plots) -> list[str]:
    """The titles, axis labels and legend names of the live plots."""
    out = []
    for plot in (plots.batch_plot, plots.loss_plot, plots.acc_plot, plots.lr_plot):
        item = plot.getPlotItem()
        out.append(item.titleLabel.text)
        out += [item.getAxis(side).labelText for side in ("left", "bottom")]
        if item.legend is not None:
            out += [label.text for _, label in item.legend.items]
    return out


def test_the_train_tab_translates_what_it_shows(qtbot, marked, tmp_path, monkeypatch):
    from gui.train import TrainPanel

    panel = TrainPanel(runs_folder=str(tmp_path / "runs"))
    qtbot.addWidget(panel)
    panel.ensure_plots()
    assert panel.start_button.text() == f"{OPEN}Start training{CLOSE}"
    assert not _unmarked(panel), _unmarked(panel)
    plot_texts = _plot_texts(panel.plots)
    assert len(plot_texts) > 12 and all(OPEN in t for t in plot_texts), plot_texts
    # a run's texts: bar, status line, log, and the outcome afterwards
    monkeypatch.setattr(panel.session, "is_training", lambda: True)
    s = panel.session
    s._on_started(fit_started(epochs=2))
    s._on_batch(batch(1, 3, epochs=2))
    panel.refresh()
    assert OPEN in panel.progress_bar.format() and OPEN in panel.status_label.text()
    s._on_epoch(epoch_end(1, epochs=2))
    s._on_checkpoint(CheckpointSaved("best", "/runs/a/best.pt", 1, 0.9))
    s.phase_progressed.emit(PhaseProgressed("evaluation", 5, 10, "images", "core's text"))
    panel.refresh()
    assert OPEN in panel.progress_bar.format()
    s.phase_progressed.emit(PhaseProgressed("evaluation", 10, 10, "images", "core's text"))
    summary = {"stopped": False, "seconds": 3.0, "epochs": 2, "best_val_acc": 0.9}
    summary.update(best_epoch=1, run_dir="/runs/a")
    s._on_worker_finished(FitEnded(summary=summary, stopped=False, run_dir="/runs/a"))
    monkeypatch.setattr(s, "is_training", lambda: False)
    s.training_state_changed.emit(False)
    lines = [line.split("] ", 1)[1] for line in panel.log_text().splitlines()]
    assert lines and all(line.startswith(OPEN) for line in lines), lines
    assert OPEN in panel.status_label.text() and OPEN in panel.progress_bar.format()
    assert not _unmarked(panel), _unmarked(panel)
    panel.shutdown()


def test_the_learning_rate_dialog_translates_what_it_shows(qtbot, marked):
    from gui.train.lrfind import LRFindDialog

    dialog = LRFindDialog()
    qtbot.addWidget(dialog)
    texts = [t for w in [dialog, *dialog.findChildren(QWidget)] for t in _texts(w)]
    item = dialog.plot.getPlotItem()
    texts += [item.getAxis(side).labelText for side in ("left", "bottom")]
    shown = [t for t in texts if t.strip()]
    assert len(shown) >= 5 and all(OPEN in t for t in shown), shown


def test_core_phase_texts_show_translated_with_their_values(qtbot, marked):
    from PySide6.QtWidgets import QLabel, QProgressBar

    from core import phases
    from gui.train.phase import PhaseDisplay

    bar, status = QProgressBar(), QLabel()
    qtbot.addWidget(bar)
    qtbot.addWidget(status)
    lines = []
    shown = PhaseDisplay(bar, status, lines.append)
    text = phases.EXTRACTING.format(done=30, total=120, views=phases.NO_VIEWS)
    shown.on_phase(PhaseProgressed("features", 30, 120, "images", text))
    assert shown.refresh()
    views = f"{OPEN}no augmentation (0 augmented views){CLOSE}"
    assert bar.format() == f"{OPEN}extracting features: 30/120 images, {views}{CLOSE}"
    start = phases.FROM_BEST_HEAD.format(epoch=2)
    shown.on_phase(
        PhaseProgressed("finetune", 1, 1, "", phases.FINETUNING.format(start=start, lr=0.01))
    )
    best = f"{OPEN}the best head (epoch 2){CLOSE}"
    assert lines[-1] == f"{OPEN}fine-tuning every layer from {best} at lr 0.01{CLOSE}"
    # the evaluation's end: core's line when core made it (a failure is no success) ...
    failed = PhaseProgressed("evaluation", 40, 40, "images", phases.EVALUATION_FAILED)
    shown.on_phase(failed)
    assert lines[-1] == f"{OPEN}{phases.EVALUATION_FAILED}{CLOSE}"
    done = phases.EVALUATED.format(total=40, accuracy=97.5)
    shown.on_phase(PhaseProgressed("evaluation", 40, 40, "images", done))
    assert lines[-1].startswith(f"{OPEN}evaluated best.pt on 40 validation images: accuracy 97.50%")
    # ... else the tab's own
    shown.on_phase(PhaseProgressed("evaluation", 40, 40, "images", "core's text"))
    assert lines[-1] == f"{OPEN}Evaluated best.pt on %n validation image(s).{CLOSE}".replace(
        "%n", "40"
    )
