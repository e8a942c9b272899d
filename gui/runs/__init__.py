"""The Runs tab: the run history, compared and annotated (issue 16).

``session`` holds the listed folders and their background scan (no widgets),
``table`` the Qt item model and its sort/filter proxy, ``plots`` the overlaid curves
(pyqtgraph), ``views`` the settings diff and the note editor, ``panel`` the view the
main window talks to.
"""

from gui.runs.panel import RunsPanel

__all__ = ["RunsPanel"]
