"""The Augment panel as a package.

* :mod:`~gui.augment.pipeline`: the model, both pipelines (single source of truth);
* :mod:`~gui.augment.steps`: the step lists, a Qt list model + view over it;
* :mod:`~gui.augment.params`: the parameter widgets and the form of one step;
* :mod:`~gui.augment.presets`: built-in and user presets;
* :mod:`~gui.augment.preview`: the background work as plain task functions;
* :mod:`~gui.augment.session`: the preview's images and tasks (one LatestTask each);
* :mod:`~gui.augment.preview_pane`: the preview's widgets;
* :mod:`~gui.augment.panel`: :class:`AugmentPanel`, the view that wires them.
"""

from gui.augment.panel import AugmentPanel
from gui.augment.params import ParamEditor, ParamWidget
from gui.augment.pipeline import Pipeline
from gui.augment.preview import PreviewRequest, PreviewResult, render_preview
from gui.augment.session import AugmentSession
from gui.augment.steps import StepList, StepListModel

__all__ = [
    "AugmentPanel",
    "AugmentSession",
    "ParamEditor",
    "ParamWidget",
    "Pipeline",
    "PreviewRequest",
    "PreviewResult",
    "StepList",
    "StepListModel",
    "render_preview",
]
