"""Real drag-and-drop events for the GUI tests: what Qt sends a widget during a drag."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt, QUrl
from PySide6.QtGui import QDragEnterEvent, QDropEvent


def url_mime(*paths: Path | str) -> QMimeData:
    """Mime data carrying local file URLs, as a file manager's drag does."""
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(p)) for p in paths])
    return mime


def drag_events(mime: QMimeData, at: QPoint | None = None) -> tuple[QDragEnterEvent, QDropEvent]:
    """A drag-enter and a drop at ``at`` (the mime data must outlive them).

    Older PySide6 takes a QPoint for the enter event, newer ones a QPointF.
    """
    at = QPoint(10, 10) if at is None else at
    how = (
        Qt.DropAction.CopyAction,
        mime,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    try:
        enter = QDragEnterEvent(at, *how)
    except TypeError:
        enter = QDragEnterEvent(QPointF(at), *how)
    return enter, QDropEvent(QPointF(at), *how)
