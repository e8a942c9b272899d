"""The Train tab's plot axes: whole-number epoch ticks, a log learning-rate axis with
few labels, and y ranges that change only in coarse steps (so an axis is laid out
again rarely while a run draws).
"""

from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg


def nice_ceiling(value: float) -> float:
    """The smallest of 1, 1.5, 2, 3, 5, 7.5 times a power of ten that is >= value (> 0)."""
    if not math.isfinite(value) or value <= 0:
        return 1.0
    power = 10.0 ** math.floor(math.log10(value))
    for step in (1.0, 1.5, 2.0, 3.0, 5.0, 7.5, 10.0):
        if step * power >= value * (1 - 1e-12):
            return step * power
    return 10.0 * power


class IntegerAxis(pg.AxisItem):
    """An axis that puts ticks (and labels) on whole numbers only: epochs are 1, 2, 3..."""

    def tickValues(self, minVal, maxVal, size):  # noqa: N802 - pyqtgraph name
        levels, seen = [], set()
        for spacing, ticks in super().tickValues(minVal, maxVal, size):
            whole = [t for t in ticks if float(t).is_integer() and t not in seen]
            seen.update(whole)
            if whole:
                levels.append((max(1.0, spacing), whole))
        return levels


LABEL_PX = 20  # room a tick label needs on a vertical axis
BARE_TICKS_PX = 40  # a decade this tall also gets bare ticks at 2..9 times it


def log_ticks(low: float, high: float, size_px: float) -> tuple[list[float], list[float]]:
    """(labelled, bare) tick positions, in log10 units, for a log axis of ``size_px`` pixels.

    Labels go on whole decades, on every second (third ...) one where they would be
    closer than LABEL_PX; when fewer than two decades are in view, on 2 and 5 times
    a decade too, so a narrow range (a constant or step schedule) still reads. The
    other 2..9 multiples get bare ticks where a decade is tall enough for them.
    """
    per_decade = size_px / max(high - low, 1e-9)
    first, last = math.floor(low), math.ceil(high)

    def inside(values):
        return [v for v in values if low <= v <= high]

    def spaced(values):
        return all(b - a >= LABEL_PX / per_decade for a, b in zip(values, values[1:], strict=False))

    every = max(1, math.ceil(LABEL_PX / per_decade))
    labelled = inside([float(v) for v in range(first, last + 1) if v % every == 0])
    if len(labelled) < 2:
        more = inside(sorted(v + math.log10(m) for v in range(first, last + 1) for m in (1, 2, 5)))
        if spaced(more):
            labelled = more
    bare = []
    if per_decade >= BARE_TICKS_PX:
        multiples = (v + math.log10(m) for v in range(first, last) for m in range(2, 10))
        taken = {round(v, 9) for v in labelled}
        bare = [m for m in inside(multiples) if low < m < high and round(m, 9) not in taken]
    return labelled, bare


def lr_label(value: float) -> str:
    """A learning rate as a tick label: 0.001, 0.0005, 2e-5."""
    return f"{value:.3g}".replace("e-0", "e-").replace("e+0", "e+")


class DecadeAxis(pg.AxisItem):
    """A log axis with few labelled ticks (:func:`log_ticks`); text on the first level only.

    Left to itself, pyqtgraph labels every 2..9 tick over less than a few decades, and
    the labels overlap (a cosine schedule from 1e-3 showed eleven on a 150 px axis).
    Use with ``setStyle(maxTextLevel=0)``.
    """

    def logTickValues(self, minVal, maxVal, size, stdTicks):  # noqa: N802 - pyqtgraph name
        labelled, bare = log_ticks(minVal, maxVal, size)
        return [(1.0, labelled), (None, bare)]

    def logTickStrings(self, values, scale, spacing):  # noqa: N802 - pyqtgraph name
        return [lr_label(10.0**v * scale) for v in values]


def log_range(values: np.ndarray) -> tuple[float, float] | None:
    """The log10 y range for a learning-rate plot: half decades around the positive values.

    It moves in half-decade steps (a cosine schedule over two decades re-lays the axis
    out four times, not every epoch), spans at least a decade so some labelled ticks
    are in view (:func:`log_ticks`), and leaves room for a label at either end. None
    when no value can be shown on a log axis.
    """
    positive = values[values > 0]
    if not len(positive):
        return None
    logs = np.round(np.log10(positive), 9)
    low, high = math.floor(2 * logs.min()) / 2, math.ceil(2 * logs.max()) / 2
    widen = max(0.0, 1.0 - (high - low)) / 2 + 0.15
    return low - widen, high + widen


def loss_range(values: np.ndarray) -> tuple[float, float] | None:
    """A planned loss plot's y range: 0 to the next nice ceiling of the largest loss.

    Like the batch plot's, it changes only when a loss passes the ceiling: a y range
    that follows the data lays the axis out again on every epoch (the three epoch
    plots' repaint took 18-22 ms of CPU instead of 15-17).
    """
    finite = values[np.isfinite(values)]
    if not len(finite):
        return None
    top = nice_ceiling(float(finite.max()))
    return -0.03 * top, 1.05 * top


def accuracy_range(values: np.ndarray) -> tuple[float, float] | None:
    """A planned accuracy plot's y range: the lowest accuracy's tenth up to 1."""
    finite = values[np.isfinite(values)]
    if not len(finite):
        return None
    bottom = min(0.9, max(0.0, math.floor(float(finite.min()) * 10) / 10))
    margin = 0.04 * (1.0 - bottom)
    return bottom - margin, 1.0 + margin
