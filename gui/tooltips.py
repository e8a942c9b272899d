"""Tooltips wrap: one pass over the window instead of editing every tooltip.

Qt shows a plain-text tooltip on one line (it wraps only lines wider than the whole
screen), so a sentence-long tip became a strip about 1,000 px wide; rich text it
word-wraps at about 80 characters. :func:`wrap_all` turns every long plain tooltip of
a window's widgets and actions into escaped rich text; the window runs it once its
panels are built and again once PyTorch has loaded (panels describe models then).
Code that sets a long tooltip later (an item model's ToolTipRole, say) passes it
through :func:`wrapped`.

Not an application-wide event filter: that would run Python, and take the GIL, for
every event of the GUI thread, and the training thread holds the GIL often.
"""

from __future__ import annotations

import html

from PySide6.QtGui import QFontMetrics, Qt
from PySide6.QtWidgets import QToolTip, QWidget

WRAP_AFTER = 70  # characters: longer plain tips are wrapped
LINE_CHARS = 60  # ... at about this many average characters per line


def wrapped(text: str) -> str:
    """A tooltip text that Qt will wrap: long plain text as escaped rich text.

    In a table of a fixed width: left to itself, Qt halves the width of a short
    rich tip and shows a 70-character sentence as a narrow column of five lines.
    """
    if not text or len(text) <= WRAP_AFTER or Qt.mightBeRichText(text):
        return text
    metrics = QFontMetrics(QToolTip.font())
    longest = max(metrics.horizontalAdvance(line) for line in text.splitlines())
    width = min(longest, metrics.averageCharWidth() * LINE_CHARS)
    body = html.escape(text, quote=False).replace("\n", "<br>")
    return f"<table width={width} cellspacing=0><tr><td>{body}</td></tr></table>"


def wrap_all(root: QWidget) -> int:
    """Wrap the long plain tooltips of ``root``, its widgets and their actions; the count."""
    changed = 0
    widgets = [root, *root.findChildren(QWidget)]
    for item in [*widgets, *(a for w in widgets for a in w.actions())]:
        text = item.toolTip()
        shown = wrapped(text)
        if shown != text:
            item.setToolTip(shown)
            changed += 1
    return changed
