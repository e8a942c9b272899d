"""The Predict tab: drop pictures on a saved model, see its top-5, Grad-CAM and a table.

jobs (the pure task functions) -> session (state, LatestTasks, plain signals) ->
panel (the view), with table (the results' Qt model and filter) and widgets.
"""

from gui.predict.jobs import (
    DETAIL_SIZE,
    THUMB_SIZE,
    InputItem,
    ModelInfo,
    PredictionResult,
    display_parts,
)
from gui.predict.panel import PredictPanel
from gui.predict.widgets import DropZone, TopKBars

__all__ = [
    "DETAIL_SIZE",
    "THUMB_SIZE",
    "DropZone",
    "InputItem",
    "ModelInfo",
    "PredictPanel",
    "PredictionResult",
    "TopKBars",
    "display_parts",
]
