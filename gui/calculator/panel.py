"""The Calculator panel: play with H2 = (H - F + 2P) / S + 1, stack layers, trace a model.

Three tabs: one layer (with a drawing of the kernel over the padded input), a stack of
layers written as text specs, and a real registry model traced in the background.
All arithmetic comes from core.convcalc (import-light); torch and core.models are only
touched by the background trace task.
"""

from __future__ import annotations

from PySide6.QtWidgets import QTabWidget, QVBoxLayout, QWidget

from gui.calculator.model import FromModelTab
from gui.calculator.single import SingleLayerTab
from gui.calculator.stack import LayerStackTab
from gui.panel import Panel


class CalculatorPanel(Panel):
    """The Calculator tab: single layer, layer stack and a traced model."""

    title = "Calculator"

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.tabs = QTabWidget()
        self.single = SingleLayerTab()
        self.stack = LayerStackTab()
        self.model = FromModelTab()
        self.tabs.addTab(self.single, self.tr("Single layer"))
        self.tabs.addTab(self.stack, self.tr("Layer stack"))
        self.tabs.addTab(self.model, self.tr("From model"))
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.tabs)

    def on_torch_ready(self) -> None:
        """Use the registry's real list of architectures once core.models can load."""
        try:
            from core.models import ARCHS
        except Exception:  # keep the built-in list; the trace will report the problem
            return
        self.model.set_archs(list(ARCHS))

    def shutdown(self) -> None:
        """Cancel a running model trace (window close)."""
        self.model.cancel()
