"""The Evaluate tab: where a model fails (confusion matrix, per-class figures, a gallery
of mistakes with Grad-CAM) and fixing a folder dataset from there.

jobs (the pure task functions) -> session (state, LatestTasks, plain signals) ->
panel (the view), with models (the Qt item models), panes (its parts), summary (the
headline figures as text) and fixes (moving or setting aside files, asked once).
"""

from gui.evaluate.panel import EvaluatePanel

__all__ = ["EvaluatePanel"]
