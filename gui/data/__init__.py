"""The Data tab: scan (pure task function), session (state and the scan), views, panel."""

from gui.data.panel import DataPanel

__all__ = ["DataPanel"]
