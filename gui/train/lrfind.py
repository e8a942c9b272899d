"""The Train tab's "Find learning rate": the range test in the background, its plot, "Use this".

:class:`LRFinder` puts the button under the learning-rate field and opens an
:class:`LRFindDialog` for the form's current settings. The dialog runs
core.lrfind.lr_find through one :class:`gui.tasks.LatestTask` (progress, Cancel;
closing the dialog cancels too), then plots the loss against the learning rate on a
log axis with the suggestion marked; "Use this" puts the suggestion into the form.
Nothing is trained for real and no run folder is written.

pyqtgraph is imported when a dialog is first opened.
"""

from __future__ import annotations

import math
from collections.abc import Callable

from PySide6.QtCore import QObject, Qt, Signal, Slot
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from core.config import TrainConfig
from gui import errors
from gui.tasks import LatestTask, TaskCancelled

START, END, STEPS = 1e-7, 1.0, 100  # the CLI's defaults
SMOOTH_COLOUR, RAW_COLOUR, MARK_COLOUR = (31, 119, 180), (31, 119, 180, 70), (214, 39, 40)


def find_lr_task(ctx, config: TrainConfig, start: float, end: float, steps: int):
    """Task function: core.lrfind.lr_find with the task's progress and cancel flag."""
    from core.events import StopRequested
    from core.lrfind import lr_find

    try:
        return lr_find(
            config, start, end, steps, progress=ctx.progress, cancelled=lambda: ctx.cancelled
        )
    except StopRequested:
        raise TaskCancelled from None


class LRFindDialog(QDialog):
    """The range test's progress, then its plot and suggestion.

    Signal ``lr_chosen(float)`` when "Use this" is pressed (the dialog then closes).
    """

    lr_chosen = Signal(float)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Find learning rate"))
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.result = None
        self.task = LatestTask(self)
        self.task.progressed.connect(self._on_progress)
        self.task.finished.connect(self._on_finished)
        self.task.errored.connect(self._on_error)
        self.task.aborted.connect(self._on_aborted)
        self._build()
        self.resize(720, 520)

    def _build(self) -> None:
        import pyqtgraph as pg

        self.message = QLabel(
            self.tr(
                "Training a copy of the model on one batch per learning rate, from {start:g} "
                "up, until the loss diverges..."
            ).format(start=START)
        )
        self.message.setWordWrap(True)
        self.progress = QProgressBar()
        self.progress.setRange(0, STEPS)
        self.plot = pg.PlotWidget()
        self.plot.setBackground("w")
        item = self.plot.getPlotItem()
        item.setLogMode(x=True)
        item.setLabel("bottom", self.tr("learning rate (log scale)"))
        item.setLabel("left", self.tr("training loss"))
        item.showGrid(x=True, y=True, alpha=0.2)
        item.addLegend(offset=(-5, 5))
        raw, smooth = self.tr("loss per batch"), self.tr("smoothed")
        self.raw_curve = item.plot(name=raw, pen=pg.mkPen(RAW_COLOUR, width=1))
        self.smooth_curve = item.plot(name=smooth, pen=pg.mkPen(SMOOTH_COLOUR, width=2))
        self.mark_line = pg.InfiniteLine(
            angle=90, movable=False, pen=pg.mkPen(MARK_COLOUR, width=1, style=Qt.PenStyle.DashLine)
        )
        self.mark_line.setVisible(False)
        item.addItem(self.mark_line)
        self.mark_point = pg.ScatterPlotItem(size=12, brush=pg.mkBrush(*MARK_COLOUR), pen=None)
        item.addItem(self.mark_point)
        self.buttons = QDialogButtonBox()
        self.use_button = self.buttons.addButton(
            self.tr("Use this"), QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.use_button.setEnabled(False)
        self.use_button.setToolTip(self.tr("Put the suggested rate into the Learning rate field."))
        self.cancel_button = self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        self.use_button.clicked.connect(self._use)
        self.cancel_button.clicked.connect(self.reject)
        box = QVBoxLayout(self)
        box.addWidget(self.message)
        box.addWidget(self.progress)
        box.addWidget(self.plot, 1)
        box.addWidget(self.buttons)

    # ------------------------------------------------------------------ the test
    def start(
        self, config: TrainConfig, start: float = START, end: float = END, steps: int = STEPS
    ) -> None:
        self.progress.setRange(0, steps)
        self.progress.setValue(0)
        self.plot.getPlotItem().setXRange(math.log10(start), math.log10(end))  # log mode
        self.task.start(find_lr_task, config, start, end, steps)

    def is_running(self) -> bool:
        return self.task.busy

    def cancel(self) -> None:
        self.task.cancel()

    @Slot(int, int)
    def _on_progress(self, done: int, total: int) -> None:
        self.progress.setMaximum(total)
        self.progress.setValue(done)

    @Slot(object)
    def _on_finished(self, result) -> None:
        self.result = result
        self.progress.setValue(self.progress.maximum())
        self.raw_curve.setData(result.lrs, result.raw_losses)
        self.smooth_curve.setData(result.lrs, result.losses)
        if result.losses:  # the smoothed curve fills the height; a diverging batch may not
            self.plot.getPlotItem().setYRange(0, 1.1 * max(result.losses), padding=0)
        lr = result.suggested_lr
        if result.diverged:
            tried = self.tr(
                "%n learning rate(s) from {low:.2g} to {high:.2g} (stopped there: the loss "
                "diverged).",
                "",
                len(result.lrs),
            )
        else:
            tried = self.tr(
                "%n learning rate(s) from {low:.2g} to {high:.2g}.", "", len(result.lrs)
            )
        tried = tried.format(low=result.lrs[0], high=result.lrs[-1])
        if lr is None:
            self.message.setText(
                self.tr(
                    "No suggestion: the loss did not fall over {tried} Try other settings."
                ).format(tried=tried)
            )
            return
        self.mark_line.setValue(math.log10(lr))  # log mode: the axis holds log10(lr)
        self.mark_line.setVisible(True)
        at = min(range(len(result.lrs)), key=lambda i: abs(result.lrs[i] - lr))
        self.mark_point.setData([math.log10(lr)], [result.losses[at]])
        self.message.setText(
            self.tr(
                "<b>Suggested learning rate: {lr:.3g}</b>, where the smoothed loss falls "
                "fastest. Tried {tried}"
            ).format(lr=lr, tried=tried)
        )
        self.use_button.setEnabled(True)
        self.use_button.setDefault(True)
        self.cancel_button.setText(self.tr("Close"))

    @Slot(object)
    def _on_error(self, error: BaseException) -> None:
        self.message.setText(
            self.tr("The range test failed: {reason}").format(reason=errors.message(error))
        )
        self.cancel_button.setText(self.tr("Close"))

    @Slot()
    def _on_aborted(self) -> None:
        self.message.setText(self.tr("Cancelled."))

    def _use(self) -> None:
        if self.result is not None and self.result.suggested_lr is not None:
            self.lr_chosen.emit(float(self.result.suggested_lr))
        self.accept()

    def done(self, code: int) -> None:  # accept, reject, Esc, the close box
        self.task.cancel()
        super().done(code)


class LRFinder(QObject):
    """The "Find learning rate" button under the form's learning rate, and its dialog.

    ``config_for_test()`` builds the TrainConfig to test (ConfigError when a value is
    bad); ``use(lr)`` takes the chosen rate; ``report(text)`` shows a message.
    """

    start, end, steps = START, END, STEPS  # the range tested

    def __init__(
        self,
        form_layout: QFormLayout,
        lr_widget: QWidget,
        config_for_test: Callable[[], TrainConfig],
        use: Callable[[float], None],
        report: Callable[[str], None],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._config_for_test, self._use, self._report = config_for_test, use, report
        self.dialog: LRFindDialog | None = None
        self.button = QPushButton(self.tr("Find learning rate"))
        self.button.setToolTip(
            self.tr(
                "Try learning rates from {start:g} to {end:g} on a copy of the model, one batch "
                "each, and suggest the one where the loss falls fastest (nothing is saved)."
            ).format(start=self.start, end=self.end)
        )
        self.button.clicked.connect(self.open)
        row, _ = form_layout.getWidgetPosition(lr_widget)
        form_layout.insertRow(row + 1, "", self.button)

    @Slot()
    def open(self) -> LRFindDialog | None:
        """Start the range test on the form's settings in a dialog (None when they are bad)."""
        try:
            config = self._config_for_test()
        except Exception as exc:  # a bad value or spec: say so, never crash
            self._report(
                self.tr("Cannot find a learning rate: {reason}").format(reason=errors.message(exc))
            )
            return None
        self.cancel()
        self.dialog = LRFindDialog(self.button.window())
        self.dialog.lr_chosen.connect(self._use)
        self.dialog.destroyed.connect(self._forget)
        self.dialog.start(config, self.start, self.end, self.steps)
        self.dialog.open()
        return self.dialog

    @Slot()
    def _forget(self) -> None:
        self.dialog = None

    def cancel(self) -> None:
        if self.dialog is not None:
            self.dialog.reject()
