"""The Train tab: settings form (from TrainConfig), session (the run), table, plots, panel.

``jobs`` holds the plain functions and ``report`` the texts about a run (log lines,
the outcome after it), ``session`` the state and the background work (no widgets),
``form``, ``column``, ``controls``, ``phase``, ``table``, ``plots`` (with ``axes``) and
``lrfind`` the widgets, ``panel`` the view the main window talks to. Every text is
translated (issue 17) under its class's context.
"""

from gui.train.panel import TrainPanel

__all__ = ["TrainPanel"]
