"""The Train tab's run controls: Start, Pause/Resume and Stop, the progress bar, the status line.

:class:`RunControls` holds the widgets and says what a run's :class:`Progress` is at
(epoch and batch in the bar; elapsed, ETA and speed in the status line), setting only
what changed, since each change repaints on the GUI thread. The panel wires the
buttons and decides when they are enabled.
"""

from __future__ import annotations

from PySide6.QtWidgets import QHBoxLayout, QLabel, QProgressBar, QPushButton, QVBoxLayout, QWidget

from core.runs import duration
from gui.train.session import Progress

BAR_SCALE = 1000  # the bar's range: 0..1000 of the run's planned batches


class RunControls(QWidget):
    """``start_button``, ``pause_button``, ``stop_button``, ``progress_bar``, ``status_label``."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        buttons = QHBoxLayout()
        self.start_button = QPushButton(self.tr("Start training"))
        self.start_tip = self.tr("Train with these settings (Ctrl+T / F5).")
        self.start_button.setToolTip(self.start_tip)
        self.pause_button = QPushButton(self.tr("Pause"))
        self.pause_button.setToolTip(self.tr("Pause between batches; press again to resume."))
        self.stop_button = QPushButton(self.tr("Stop"))
        self.stop_button.setToolTip(
            self.tr("Stop after the current batch; last.pt is still written (Esc).")
        )
        for b in (self.start_button, self.pause_button, self.stop_button):
            buttons.addWidget(b)
        buttons.addStretch(1)
        self.progress_bar = QProgressBar()
        self.progress_bar.setRange(0, BAR_SCALE)
        self.progress_bar.setValue(0)
        self.progress_bar.setFormat(self.tr("idle"))
        self.status_label = QLabel(self.tr("Ready."))
        self.status_label.setWordWrap(True)  # a long outcome or error never widens the window
        box = QVBoxLayout(self)
        box.setContentsMargins(0, 0, 0, 0)
        box.addLayout(buttons)
        box.addWidget(self.progress_bar)
        box.addWidget(self.status_label)

    def show_paused(self, paused: bool) -> None:
        self.pause_button.setText(self.tr("Resume") if paused else self.tr("Pause"))

    def show_ended(self, how: str) -> None:
        """The bar's text once a run has ended: "done", "stopped" or "failed"."""
        texts = {
            "done": self.tr("done"),
            "stopped": self.tr("stopped"),
            "failed": self.tr("failed"),
        }
        self.progress_bar.setFormat(texts[how])

    def show_fraction(self, p: Progress) -> None:
        value = int(p.fraction() * BAR_SCALE)
        if value != self.progress_bar.value():
            self.progress_bar.setValue(value)

    def show_progress(self, p: Progress, *, paused: bool, running: bool) -> None:
        """The run's epoch and batch in the bar; while it runs, its time and speed below."""
        self.show_fraction(p)
        text = self.tr("epoch {epoch}/{epochs} · batch {step}/{steps}").format(
            epoch=p.epoch, epochs=p.epochs, step=p.step, steps=p.steps
        )
        if text != self.progress_bar.format():
            self.progress_bar.setFormat(text)
        if not running:
            return  # after a run the status line holds its summary
        values = {
            "elapsed": duration(p.elapsed()),
            "eta": duration(p.eta()),
            "speed": f"{p.images_per_second:,.0f}",
        }
        if paused:
            status = self.tr("elapsed {elapsed} · ETA {eta} · {speed} images/s · paused")
        else:
            status = self.tr("elapsed {elapsed} · ETA {eta} · {speed} images/s")
        status = status.format(**values)
        if status != self.status_label.text():
            self.status_label.setText(status)
