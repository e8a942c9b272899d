"""The Train tab's view of a run's work outside its epochs (core.events.PhaseProgressed).

Before the first epoch a run may download its ImageNet weights (phase "weights") or
extract the features of its frozen backbone (phase "features", core.features); a
two-stage run says when it unfreezes every layer ("finetune"); after the last epoch
the trainer evaluates best.pt on the validation split ("evaluation",
core.evaluate's EvaluationWriter). While a phase runs, the progress bar shows it
("extracting features: 120/320 images") instead of the epochs; when it ends its text
goes to the log. Stop works during a phase as during training.

The evaluation phase's progress is the Train tab's own text (translated here), its
closing line core's (evaluated with the accuracy, failed, stopped) when core made it
from one of its templates; the other phases show core's text. Core's texts are
translated through :func:`gui.errors.shown` from the templates of :mod:`core.phases`,
imported here so they are known even when the run trains in other processes.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, QObject, Slot
from PySide6.QtWidgets import QLabel, QProgressBar, QSpinBox

from core import phases
from core.events import PhaseProgressed
from core.runs import duration
from gui import errors
from gui.i18n import core_messages

# how the evaluation phase ends, as core says it (core.callbacks.EvaluationWriter)
EVALUATION_ENDS = (
    phases.EVALUATED,
    phases.EVALUATED_NO_ACCURACY,
    phases.EVALUATION_FAILED,
    phases.EVALUATION_STOPPED,
)

#: what the "Augmented views" box shows at 0, so nobody misses that 0 means no augmentation
NO_VIEWS_TEXT = QT_TRANSLATE_NOOP("PhaseDisplay", "0 (no augmentation)")


class PhaseDisplay(QObject):
    """Shows the running phase in ``bar`` and its time in ``status``; ``log`` gets each
    phase's closing line."""

    def __init__(
        self, bar: QProgressBar, status: QLabel, log: Callable[[str], None], parent=None
    ) -> None:
        super().__init__(parent)
        self.bar = bar
        self.status = status
        self.log = log
        self.current: PhaseProgressed | None = None
        self.since = 0.0

    @Slot(object)
    def on_phase(self, ev: PhaseProgressed) -> None:
        ended = ev.total > 0 and ev.done >= ev.total
        if ended:
            self.reset()
            self.log(self.closing_line(ev))
        else:
            if self.current is None or self.current.phase != ev.phase:
                self.since = time.monotonic()
            self.current = ev
            self.refresh()

    def reset(self) -> None:
        """No phase runs: the bar goes back to the epochs' 0..1000 scale."""
        self.current = None
        if self.bar.maximum() == 0:
            self.bar.setRange(0, 1000)

    def refresh(self) -> bool:
        """Show the running phase (True), or leave the bar to the epochs (False)."""
        ev = self.current
        if ev is None:
            return False
        busy = ev.total <= 0  # size not known: a busy bar
        if (self.bar.maximum() == 0) != busy:
            self.bar.setRange(0, 0 if busy else 1000)
        value = 0 if busy else int(1000 * ev.done / ev.total)
        if value != self.bar.value():
            self.bar.setValue(value)
        text = self.bar_text(ev)
        if self.bar.format() != text:
            self.bar.setFormat(text)
        status = self.tr("elapsed {time}").format(time=duration(time.monotonic() - self.since))
        if self.status.text() != status:
            self.status.setText(status)
        return True

    def bar_text(self, ev: PhaseProgressed) -> str:
        """What the progress bar says while ``ev``'s phase runs."""
        if ev.phase != "evaluation":
            return errors.shown(ev.text)
        if ev.total <= 0:
            return self.tr("evaluating best.pt on the validation set...")
        text = self.tr("evaluating best.pt on the validation set: {done}/%n image(s)", "", ev.total)
        return text.format(done=ev.done)

    def closing_line(self, ev: PhaseProgressed) -> str:
        """The log's line when ``ev`` ended its phase (a sentence: capitalised)."""
        if ev.phase == "evaluation" and not core_messages.made_from(ev.text, EVALUATION_ENDS):
            return self.tr("Evaluated best.pt on %n validation image(s).", "", ev.total)
        text = errors.shown(ev.text)
        return text[:1].upper() + text[1:]


def annotate_form(widgets: dict) -> None:
    """Say in the form itself what 0 augmented views means (its tooltip says more)."""
    box = widgets.get("cache_views")
    if isinstance(box, QSpinBox):
        box.setSpecialValueText(QCoreApplication.translate("PhaseDisplay", NO_VIEWS_TEXT))
