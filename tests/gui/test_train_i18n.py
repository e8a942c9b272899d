"""Issue 17 for the Train tab: every text it shows goes through Qt's translation.

A pseudo-translator wraps whatever it is asked to translate in ⟦ ⟧, so a text shown
without the marks was never translated (a string lupdate cannot see, or one built by
hand). The values a user types or the CLI takes (choices such as "adam"), numbers and
paths stay as they are; the settings' own labels and tips come from core/config.py and
are translated through gui.i18n.core_messages once core marks them.
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
    """The texts on ``panel`` shown without translation, but for the exempt ones."""
    form = panel.form.widgets
    exempt = {panel.data_label, *form.values()}  # the dataset's name; core's tips
    picker = form["pretrained"]
    found = []
    for widget in [panel, *panel.findChildren(QWidget)]:
        if widget in exempt:
            continue
        if widget is picker.combo:  # its tip is core's; its items are the tab's own
            texts = [widget.itemText(i) for i in range(widget.count())]
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
