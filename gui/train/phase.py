"""The Train tab's view of a run's work outside its epochs (core.events.PhaseProgressed).

Before the first epoch a run may download its ImageNet weights (phase "weights") or
extract the features of its frozen backbone (phase "features", core.features); a
two-stage run says when it unfreezes every layer ("finetune"). While a phase runs, the
progress bar shows it ("extracting features: 120/320 images") instead of the epochs;
when it ends its text goes to the log. Stop works during a phase as during training.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from PySide6.QtCore import QObject, Slot
from PySide6.QtWidgets import QLabel, QProgressBar, QSpinBox

from core.events import PhaseProgressed
from gui.train.jobs import fmt_duration

#: what the "Augmented views" box shows at 0, so nobody misses that 0 means no augmentation
NO_VIEWS_TEXT = "0 (no augmentation)"


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
            self.log(ev.text[:1].upper() + ev.text[1:])
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
        if self.bar.format() != ev.text:
            self.bar.setFormat(ev.text)
        status = f"elapsed {fmt_duration(time.monotonic() - self.since)}"
        if self.status.text() != status:
            self.status.setText(status)
        return True


def annotate_form(widgets: dict) -> None:
    """Say in the form itself what 0 augmented views means (its tooltip says more)."""
    box = widgets.get("cache_views")
    if isinstance(box, QSpinBox):
        box.setSpecialValueText(NO_VIEWS_TEXT)
