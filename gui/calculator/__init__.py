"""The Calculator tab: single layer (with the kernel drawing), layer stack, traced model."""

from gui.calculator.kernel_view import KernelView
from gui.calculator.panel import CalculatorPanel

__all__ = ["CalculatorPanel", "KernelView"]
