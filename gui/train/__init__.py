"""The Train tab: settings form (from TrainConfig), session (the run), table, plots, panel.

``jobs`` holds the plain functions, ``session`` the state and the background work
(no widgets), ``form``, ``table`` and ``plots`` the widgets, ``panel`` the view the
main window talks to.
"""

from gui.train.panel import TrainPanel

__all__ = ["TrainPanel"]
