"""Live training curves with pyqtgraph: batch loss, epoch loss, accuracy, learning rate.

Every plot item is created once and afterwards only updated with ``setData`` (the
pyqtgraph idiom for live data); the series live in growing numpy buffers so an
update never copies Python lists. Long series are drawn with peak downsampling and
clip-to-view. Updates are cheap to request: the owner appends data and calls
:meth:`LivePlots.refresh` from a timer, so redraws stay rare however fast batches
come.

pyqtgraph takes ~0.5 s to import, so this module is imported only after the main
window is on screen (see :meth:`gui.train.panel.TrainPanel.ensure_plots`).
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QFileDialog,
    QGraphicsLinearLayout,
    QGraphicsWidget,
    QGridLayout,
    QHBoxLayout,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from core import runs
from gui.train.axes import (
    DecadeAxis,
    IntegerAxis,
    accuracy_range,
    log_range,
    loss_range,
    nice_ceiling,
)

EMA_WEIGHT = 0.9  # smoothing of the batch-loss line (weight of the running average)

TRAIN_COLOR = (31, 119, 180)
VALID_COLOR = (255, 127, 14)
LR_COLOR = (44, 160, 44)
BEST_COLOR = (214, 39, 40)


class Series:
    """A growable pair of float64 arrays; ``view()`` returns the filled part without copying."""

    def __init__(self, capacity: int = 256) -> None:
        self._x = np.empty(capacity, dtype=np.float64)
        self._y = np.empty(capacity, dtype=np.float64)
        self._n = 0

    def __len__(self) -> int:
        return self._n

    def append(self, x: float, y: float) -> None:
        if self._n == len(self._x):
            self._x = np.resize(self._x, 2 * len(self._x))
            self._y = np.resize(self._y, 2 * len(self._y))
        self._x[self._n] = x
        self._y[self._n] = y
        self._n += 1

    def clear(self) -> None:
        self._n = 0

    def view(self) -> tuple[np.ndarray, np.ndarray]:
        return self._x[: self._n], self._y[: self._n]


EPOCH_PLOTS = ("loss", "acc", "lr")


class DebiasedEMA:
    """An exponential moving average that starts on the data, as TensorBoard smooths.

    A plain EMA started at zero sits below the data for its first ~1/(1-weight)
    points; one started at the first value gives that value a weight of weight**n,
    so while the loss falls fast the line stays far above it (about 30 batches at
    0.9). Dividing the running sum by 1 - weight**n (the weight the points so far
    have in total) makes every point's weight relative to the points seen.
    """

    def __init__(self, weight: float = EMA_WEIGHT) -> None:
        self.weight = float(weight)
        self.clear()

    def clear(self) -> None:
        self._sum = 0.0
        self._n = 0

    def add(self, value: float) -> float:
        """Add a point; returns the smoothed value at it."""
        self._n += 1
        self._sum = self.weight * self._sum + (1.0 - self.weight) * value
        return self._sum / (1.0 - self.weight**self._n)


def _pen(color: tuple[int, int, int], alpha: int = 255, width: float = 1.0, dashed: bool = False):
    pen = pg.mkPen(color=(*color, alpha), width=width)
    if dashed:
        pen.setStyle(Qt.PenStyle.DashLine)
    return pen


def _legend_in_title_row(item: pg.PlotItem) -> pg.LegendItem:
    """A one-row legend right of the title, outside the data: never on a curve or a line.

    In the plot area a legend covered curves and was crossed by the best-epoch line,
    and at 1280 px it had no room.
    """
    legend = pg.LegendItem(colCount=4, horSpacing=2, labelTextSize="8pt")
    header = QGraphicsWidget()
    row = QGraphicsLinearLayout(Qt.Orientation.Horizontal, header)
    row.setContentsMargins(0, 0, 0, 0)
    item.layout.removeItem(item.titleLabel)
    row.addItem(item.titleLabel)
    row.addStretch(1)
    row.addItem(legend)
    item.layout.addItem(header, 0, 1)
    item.legend = legend  # named items added to the plot appear in it
    return legend


def _plot(
    title: str,
    left: str,
    bottom: str,
    legend: bool = True,
    integer_x: bool = False,
    log_y: bool = False,
) -> pg.PlotWidget:
    axes = {"bottom": IntegerAxis("bottom")} if integer_x else {}
    if log_y:
        axes["left"] = DecadeAxis("left")
        axes["left"].setStyle(maxTextLevel=0)  # text on the first level only
    widget = pg.PlotWidget(axisItems=axes or None)
    widget.setBackground("w")
    item = widget.getPlotItem()
    item.setTitle(title, size="10pt")
    item.titleLabel.opts["justify"] = "left"
    item.setLabel("left", left)
    item.setLabel("bottom", bottom)
    item.showGrid(x=True, y=True, alpha=0.2)
    for axis in ("left", "bottom"):
        item.getAxis(axis).enableAutoSIPrefix(False)  # no "(x0.001)" on accuracy or lr
    item.setDownsampling(auto=True, mode="peak")
    item.setClipToView(True)
    if legend:
        _legend_in_title_row(item)
    return widget


class LivePlots(QWidget):
    """Four live plots plus best-epoch markers and a PNG export button.

    Data methods (``add_batch``, ``add_epoch``, ``clear``) only record values and mark
    the view dirty; :meth:`refresh` pushes the buffers to the plot items.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.batch_loss = Series(1024)
        self.batch_smooth = Series(1024)
        self.train_loss = Series()
        self.val_loss = Series()
        self.train_acc = Series()
        self.val_acc = Series()
        self.lr = Series()
        self.best_epoch: int | None = None
        self.best_val_acc: float | None = None
        self._ema = DebiasedEMA()
        self._batch_dirty = False
        self._epoch_todo: set[str] = set()  # epoch plots still to update
        self._shown = dict.fromkeys(EPOCH_PLOTS, 0)  # epochs each epoch plot has
        self._planned = False  # x axes fixed to a run's planned extent (see plan())
        self._y_ranges: dict[str, tuple[float, float]] = {}  # the planned plots'
        self._build()

    # ------------------------------------------------------------------ layout
    def _build(self) -> None:
        loss, epoch = self.tr("loss"), self.tr("epoch")
        self.batch_plot = _plot(self.tr("Loss per batch"), loss, self.tr("batch"))
        self.loss_plot = _plot(self.tr("Loss per epoch"), loss, epoch, integer_x=True)
        self.acc_plot = _plot(self.tr("Accuracy"), self.tr("accuracy"), epoch, integer_x=True)
        self.lr_plot = _plot(
            self.tr("Learning rate"), self.tr("lr"), epoch, legend=False, integer_x=True, log_y=True
        )
        self.lr_plot.getPlotItem().setLogMode(y=True)  # schedules span decades
        self.lr_plot.getPlotItem().getAxis("left").setWidth(62)

        self.batch_raw_curve = self.batch_plot.plot(
            name=self.tr("raw"), pen=_pen(TRAIN_COLOR, alpha=70), skipFiniteCheck=True
        )
        self.batch_smooth_curve = self.batch_plot.plot(
            name=self.tr("smoothed"), pen=_pen(TRAIN_COLOR, width=2), skipFiniteCheck=True
        )
        sym = {"symbol": "o", "symbolSize": 5}
        train, valid = self.tr("train"), self.tr("valid")
        self.train_loss_curve = self.loss_plot.plot(
            name=train, pen=_pen(TRAIN_COLOR, width=2), symbolBrush=TRAIN_COLOR, **sym
        )
        self.val_loss_curve = self.loss_plot.plot(
            name=valid, pen=_pen(VALID_COLOR, width=2), symbolBrush=VALID_COLOR, **sym
        )
        self.train_acc_curve = self.acc_plot.plot(
            name=train, pen=_pen(TRAIN_COLOR, width=2), symbolBrush=TRAIN_COLOR, **sym
        )
        self.val_acc_curve = self.acc_plot.plot(
            name=valid, pen=_pen(VALID_COLOR, width=2), symbolBrush=VALID_COLOR, **sym
        )
        self.lr_curve = self.lr_plot.plot(pen=_pen(LR_COLOR, width=2), symbolBrush=LR_COLOR, **sym)
        self.best_lines = []
        for plot in (self.loss_plot, self.acc_plot):
            line = pg.InfiniteLine(angle=90, movable=False, pen=_pen(BEST_COLOR, dashed=True))
            line.setVisible(False)
            plot.addItem(line)
            self.best_lines.append(line)
        self.best_marker = pg.ScatterPlotItem(
            size=14, symbol="star", brush=pg.mkBrush(*BEST_COLOR), pen=None, name=self.tr("best")
        )
        self.acc_plot.addItem(self.best_marker)

        self.export_button = QPushButton(self.tr("Export PNG..."))
        self.export_button.setToolTip(self.tr("Save the four plots as one PNG image."))
        self.export_button.clicked.connect(self._ask_export)

        grid = QGridLayout()
        grid.addWidget(self.batch_plot, 0, 0)
        grid.addWidget(self.loss_plot, 0, 1)
        grid.addWidget(self.acc_plot, 1, 0)
        grid.addWidget(self.lr_plot, 1, 1)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.export_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(grid, 1)
        layout.addLayout(buttons)

    # ------------------------------------------------------------------ data
    def clear(self) -> None:
        for series in self._all_series():
            series.clear()
        self._ema.clear()
        self.best_epoch = None
        self.best_val_acc = None
        self._batch_dirty = True
        self._epoch_todo = set(EPOCH_PLOTS)
        self.refresh()

    def _all_series(self) -> tuple[Series, ...]:
        return (
            self.batch_loss,
            self.batch_smooth,
            self.train_loss,
            self.val_loss,
            self.train_acc,
            self.val_acc,
            self.lr,
        )

    def plan(self, epochs: int, steps_per_epoch: int | None = None) -> None:
        """Fix the x axes to the whole run, so that live updates do not re-lay them out.

        A growing x range makes pyqtgraph regenerate the axis ticks on every update,
        which is most of a plot's paint cost; with the run's full extent known up
        front only the curves repaint. The epoch axes can be planned when training is
        started, the batch axis once the trainer reports its batches per epoch.
        Loading a finished run keeps auto-range (see :meth:`unplan`).
        """
        self._planned = True
        self._y_ranges.clear()
        for plot in (self.loss_plot, self.acc_plot, self.lr_plot):
            plot.getPlotItem().setXRange(1, max(2, epochs), padding=0.05)
        if steps_per_epoch is not None:
            total = max(1, epochs * steps_per_epoch)
            self.batch_plot.getPlotItem().setXRange(0, total, padding=0.02)

    def unplan(self) -> None:
        """Back to auto-ranged axes (showing an earlier run's metrics)."""
        self._planned = False
        self._y_ranges.clear()
        for plot in (self.batch_plot, self.loss_plot, self.acc_plot):
            plot.getPlotItem().enableAutoRange(axis="y")
        for plot in (self.batch_plot, self.loss_plot, self.acc_plot, self.lr_plot):
            plot.getPlotItem().enableAutoRange(axis="x")

    def add_batch(self, global_step: int, loss: float) -> None:
        """Record one batch loss (non-finite values are skipped: they would break the axes)."""
        if not math.isfinite(loss):
            return
        self.batch_loss.append(global_step, loss)
        self.batch_smooth.append(global_step, self._ema.add(loss))
        self._batch_dirty = True

    def add_epoch(
        self,
        epoch: int,
        train_loss: float,
        train_acc: float,
        val_loss: float,
        val_acc: float,
        lr: float,
        is_best: bool = False,
    ) -> None:
        self.train_loss.append(epoch, train_loss)
        self.val_loss.append(epoch, val_loss)
        self.train_acc.append(epoch, train_acc)
        self.val_acc.append(epoch, val_acc)
        self.lr.append(epoch, lr)
        if is_best:
            self.best_epoch, self.best_val_acc = epoch, val_acc
        self._epoch_todo = set(EPOCH_PLOTS)

    def show_rows(self, rows: list[dict], metric: str = "val_acc") -> int:
        """Show a finished run's metrics rows (core.runs; epoch curves only); returns their count.

        The best epoch is marked by core.runs' rule, as the trainer marked it.
        """
        self.clear()
        self.unplan()
        self.add_rows(rows, metric)
        self.refresh()
        return len(rows)

    def add_rows(self, rows: list[dict], metric: str = "val_acc") -> None:
        """Record metrics rows after those shown (a resumed run's earlier epochs), the best
        marked by core.runs' rule; the next refresh draws them."""
        for row, is_best in runs.with_best(rows, metric):
            self.add_epoch(
                int(row["epoch"]),
                row["train_loss"],
                row["train_acc"],
                row["val_loss"],
                row["val_acc"],
                row["lr"],
                is_best=is_best,
            )

    # ------------------------------------------------------------------ drawing
    def refresh(self, *, live: bool = False) -> None:
        """Push recorded data to the plot items that changed since the last refresh.

        Only plots whose data changed get new data (and so a repaint). With ``live``
        (the timer while training) one call updates either the epoch plots or the
        batch plot, never all four, so no tick paints for long while the training
        thread competes for the GIL. An epoch's points go first: they come once an
        epoch and must show within a second, while the batch plot, which has new
        data on every tick, loses one tick (when it went first, the epoch plots
        stayed empty until the run paused or ended).
        """
        epoch_steps = [
            getattr(self, f"_push_{name}") for name in EPOCH_PLOTS if name in self._epoch_todo
        ]
        if live and epoch_steps:
            for step in epoch_steps:
                step()
            return
        if self._batch_dirty:
            self._push_batch()
        if not live:
            for step in epoch_steps:
                step()

    def shown_epochs(self) -> int:
        """The number of epochs that all three epoch plots show now."""
        return min(self._shown.values())

    def _push_batch(self) -> None:
        self._batch_dirty = False
        x, y = self.batch_loss.view()
        self.batch_raw_curve.setData(x, y)
        self.batch_smooth_curve.setData(*self.batch_smooth.view())
        if self._planned and len(y):
            # a y range that only grows in coarse steps: the axis is laid out again rarely
            self._set_y_range("batch", self.batch_plot, (0.0, nice_ceiling(float(np.max(y)))))

    def _push_loss(self) -> None:
        self._epoch_todo.discard("loss")
        self._shown["loss"] = len(self.train_loss)
        self.train_loss_curve.setData(*self.train_loss.view())
        self.val_loss_curve.setData(*self.val_loss.view())
        if self._planned:
            both = np.concatenate([self.train_loss.view()[1], self.val_loss.view()[1]])
            self._set_y_range("loss", self.loss_plot, loss_range(both))

    def _push_acc(self) -> None:
        self._epoch_todo.discard("acc")
        self._shown["acc"] = len(self.val_acc)
        self.train_acc_curve.setData(*self.train_acc.view())
        self.val_acc_curve.setData(*self.val_acc.view())
        if self._planned:
            both = np.concatenate([self.train_acc.view()[1], self.val_acc.view()[1]])
            self._set_y_range("acc", self.acc_plot, accuracy_range(both))
        self._update_best()

    def _push_lr(self) -> None:
        self._epoch_todo.discard("lr")
        self._shown["lr"] = len(self.lr)
        epochs, lr = self.lr.view()
        shown = lr > 0  # a rate of 0 has no place on a log axis
        self.lr_curve.setData(epochs[shown], lr[shown])
        self._set_y_range("lr", self.lr_plot, log_range(lr))

    def _set_y_range(self, name: str, plot: pg.PlotWidget, y_range) -> None:
        """Set a y range only when it changed: each change lays the axis out again."""
        if y_range is not None and y_range != self._y_ranges.get(name):
            self._y_ranges[name] = y_range
            plot.getPlotItem().setYRange(*y_range, padding=0)

    def _update_best(self) -> None:
        best = self.best_epoch
        for line in self.best_lines:
            line.setVisible(best is not None)
            if best is not None:
                line.setValue(best)
        if best is None:
            self.best_marker.setData([], [])
        else:
            self.best_marker.setData([best], [self.best_val_acc])

    # ------------------------------------------------------------------ export
    def export_png(self, path: str | Path) -> Path:
        """Write the whole plot area (all four plots) as a PNG; returns the path."""
        path = Path(path)
        self.refresh()
        pixmap = self.grab()
        if not pixmap.save(str(path), "PNG"):
            raise OSError(
                self.tr("Could not write {path}; choose a folder you can write to.").format(
                    path=path
                )
            )
        return path

    def export_plot_png(self, plot: pg.PlotWidget, path: str | Path, width: int = 800) -> Path:
        """Write one plot with pyqtgraph's ImageExporter (a sharper, resizable render)."""
        import pyqtgraph.exporters as exporters

        self.refresh()
        exporter = exporters.ImageExporter(plot.getPlotItem())
        exporter.parameters()["width"] = width
        exporter.export(str(path))
        return Path(path)

    def _ask_export(self) -> None:
        path, _ = QFileDialog.getSaveFileName(
            self,
            self.tr("Export plots as PNG"),
            "training-curves.png",
            self.tr("PNG images (*.png)"),
        )
        if not path:
            return
        base = Path(path)
        self.export_png(base)
        for name, plot in (
            ("batch-loss", self.batch_plot),
            ("loss", self.loss_plot),
            ("accuracy", self.acc_plot),
            ("lr", self.lr_plot),
        ):
            self.export_plot_png(plot, base.with_name(f"{base.stem}-{name}.png"))
