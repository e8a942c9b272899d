"""Overlaid epoch curves of the selected runs: one colour per run, the legend by run name.

The legend is a line of coloured run names above the four plots rather than a box in
one of them: at 1024 px wide a box covered the curves it names.

Curves are pyqtgraph items created when first needed and then only updated with
``setData`` (a pool per plot that grows to the most runs ever shown at once); the
unused ones are emptied and hidden. Each run's best epoch (by its own best-model
metric, core.runs' rule) is marked with a star on the validation-accuracy plot.
"""

from __future__ import annotations

import html
from dataclasses import dataclass

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QT_TRANSLATE_NOOP
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QGridLayout, QLabel, QVBoxLayout, QWidget

from core import runs

# (metrics column, title, y label), in grid order: 2 x 2
PLOTS = (
    (
        "val_acc",
        QT_TRANSLATE_NOOP("OverlayPlots", "Validation accuracy"),
        QT_TRANSLATE_NOOP("OverlayPlots", "accuracy"),
    ),
    (
        "val_loss",
        QT_TRANSLATE_NOOP("OverlayPlots", "Validation loss"),
        QT_TRANSLATE_NOOP("OverlayPlots", "loss"),
    ),
    (
        "train_acc",
        QT_TRANSLATE_NOOP("OverlayPlots", "Training accuracy"),
        QT_TRANSLATE_NOOP("OverlayPlots", "accuracy"),
    ),
    (
        "train_loss",
        QT_TRANSLATE_NOOP("OverlayPlots", "Training loss"),
        QT_TRANSLATE_NOOP("OverlayPlots", "loss"),
    ),
)
#: matplotlib's tab10, told apart by most readers; more runs than colours reuse them
PALETTE = (
    (31, 119, 180),
    (255, 127, 14),
    (44, 160, 44),
    (214, 39, 40),
    (148, 103, 189),
    (140, 86, 75),
    (227, 119, 194),
    (127, 127, 127),
    (188, 189, 34),
    (23, 190, 207),
)
MAX_TICKS = 10


@dataclass(frozen=True)
class Curve:
    """One run on the plots: its name (the legend), metrics rows and colour."""

    name: str
    rows: list[dict]
    colour: QColor
    best_metric: str = "val_acc"


def palette_colour(index: int) -> QColor:
    return QColor(*PALETTE[index % len(PALETTE)])


def epoch_ticks(last: int) -> list[tuple[float, str]]:
    """Whole-number epoch ticks up to ``last``, at most about MAX_TICKS of them."""
    step = max(1, int(np.ceil(last / MAX_TICKS)))
    return [(float(e), str(e)) for e in range(1, max(1, last) + 1, step)]


class OverlayPlots(QWidget):
    """Four plots (validation and training accuracy and loss per epoch) of the runs shown."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.plots: dict[str, pg.PlotWidget] = {}
        self.curves: dict[str, list[pg.PlotDataItem]] = {key: [] for key, _, _ in PLOTS}
        self.shown: list[Curve] = []
        self.legend = QLabel()
        self.legend.setWordWrap(True)
        self.legend.setToolTip(self.tr("Each run's colour; a star marks its best epoch."))
        grid = QGridLayout()
        grid.setContentsMargins(0, 0, 0, 0)
        box = QVBoxLayout(self)
        box.setContentsMargins(0, 0, 0, 0)
        box.addWidget(self.legend)
        box.addLayout(grid, 1)
        for i, (key, title, label) in enumerate(PLOTS):
            widget = pg.PlotWidget(title=self.tr(title))
            widget.setBackground("w")
            item = widget.getPlotItem()
            item.setLabel("left", self.tr(label))
            item.setLabel("bottom", self.tr("epoch"))
            item.showGrid(x=True, y=True, alpha=0.2)
            item.getAxis("left").enableAutoSIPrefix(False)
            self.plots[key] = widget
            grid.addWidget(widget, i // 2, i % 2)
        self.best_marks = pg.ScatterPlotItem(size=13, symbol="star", pen=pg.mkPen("k", width=0.5))
        self.plots["val_acc"].addItem(self.best_marks)

    def show_runs(self, curves: list[Curve]) -> None:
        """Show these runs (and hide any other shown before)."""
        self.shown = list(curves)
        for key, _, _ in PLOTS:
            pool = self.curves[key]
            while len(pool) < len(curves):
                pool.append(self.plots[key].plot(symbol="o", symbolSize=4))
            for i, item in enumerate(pool):
                if i < len(curves):
                    self._draw(item, curves[i], key)
                else:
                    item.setData([], [])
                    item.setVisible(False)
        self.legend.setText(
            "&nbsp;&nbsp;&nbsp;".join(
                f'<span style="color:{c.colour.name()}">&#9632;&#9632;</span>&nbsp;'
                f"{html.escape(c.name)}"
                for c in curves
            )
        )
        self._mark_best(curves)
        last = max((int(c.rows[-1]["epoch"]) for c in curves if c.rows), default=1)
        for widget in self.plots.values():
            item = widget.getPlotItem()
            item.getAxis("bottom").setTicks([epoch_ticks(last)])
            item.enableAutoRange()

    def _draw(self, item: pg.PlotDataItem, curve: Curve, key: str) -> None:
        x = np.array([row["epoch"] for row in curve.rows], dtype=np.float64)
        y = np.array([row[key] for row in curve.rows], dtype=np.float64)
        item.setData(x, y)
        item.setPen(pg.mkPen(curve.colour, width=2))
        item.setSymbolBrush(curve.colour)
        item.setSymbolPen(curve.colour)
        item.setVisible(True)

    def _mark_best(self, curves: list[Curve]) -> None:
        spots = []
        for curve in curves:
            best = runs.best_row(curve.rows, curve.best_metric)
            if best is not None:
                spots.append(
                    {"pos": (best["epoch"], best["val_acc"]), "brush": pg.mkBrush(curve.colour)}
                )
        self.best_marks.setData(spots)

    def curve_data(self, key: str) -> list[tuple[np.ndarray, np.ndarray]]:
        """The (x, y) of each shown run on one plot (tests, exports)."""
        return [item.getData() for item in self.curves[key][: len(self.shown)]]

    def pen_colours(self, key: str = "val_acc") -> list[str]:
        return [item.opts["pen"].color().name() for item in self.curves[key][: len(self.shown)]]


__all__ = ["PLOTS", "Curve", "OverlayPlots", "epoch_ticks", "palette_colour"]
