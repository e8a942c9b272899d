"""The small interface the main window talks to: one :class:`Panel` per tab.

A panel is a package under gui/ (a session object with the state and the background
tasks, view widgets, Qt item models, pure task functions). Its top widget subclasses
:class:`Panel`, so the window calls these hooks on every panel without checking what
each one has, and panels report messages through two signals instead of reaching
for the window.
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QSettings, Signal
from PySide6.QtWidgets import QWidget


def tab_text(title: str) -> str:
    """A tab's title as the tab shows it (in the interface's language). A title (marked
    in gui.main_window.PANELS) names its panel in the window's lookups, settings and
    logs; only the tab shows this."""
    return QCoreApplication.translate("Panel", title)


class Panel(QWidget):
    """Base of every tab's widget.

    Signals: ``status_message(text, timeout_ms)`` for the status bar, and
    ``error_occurred(text)`` for a message the user must see (the window shows it).
    """

    status_message = Signal(str, int)
    error_occurred = Signal(str)

    #: the tab's English title (the panel's name in settings and lookups; the tab shows
    #: :func:`tab_text` of it)
    title = ""

    def tab_text(self) -> str:
        return tab_text(self.title)

    def on_torch_ready(self) -> None:
        """PyTorch and the core modules are imported: finish what needed them."""

    def load_settings(self, settings: QSettings) -> None:
        """Restore what the user chose last time (called once, after building)."""

    def save_settings(self, settings: QSettings) -> None:
        """Keep what the user chose (window close)."""

    def shutdown(self) -> None:
        """Cancel this panel's background work (window close; the window waits after)."""

    def show_status(self, text: str, timeout_ms: int = 8000) -> None:
        self.status_message.emit(text, timeout_ms)
