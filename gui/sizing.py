"""The window keeps its size and stays on the screen, whatever its contents say.

Two things made it grow: a long message in a label without word wrap raised the
page's minimum width (a missing-weights error widened a 1280 px window to 2257 px),
and a geometry saved on a big screen was restored as is on a small one. Each tab's
page therefore sits in a scroll area (a page that needs more room scrolls instead of
pushing the window wider), and a restored geometry is clamped to the screen's
available area. Single-line texts that may be long (a folder path) use
:class:`ElidedLabel`, which shortens them to the room it gets.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QRect, QSize, Qt
from PySide6.QtGui import QGuiApplication, QPixmap
from PySide6.QtWidgets import QFrame, QLabel, QScrollArea, QSizePolicy, QWidget

DEFAULT_SIZE = (1280, 820)


def page(widget: QWidget) -> QScrollArea:
    """``widget`` in a frameless scroll area: its minimum size stops at the tab."""
    area = QScrollArea()
    area.setObjectName(f"{widget.objectName() or type(widget).__name__}_page")
    area.setFrameShape(QFrame.Shape.NoFrame)
    area.setWidgetResizable(True)
    area.setWidget(_Holder(widget))
    return area


class _Holder(QWidget):
    """One widget at the holder's whole size, without height-for-width.

    A scroll area asks a widget whose layout has height-for-width (any word-wrapped
    label) for its *preferred* height at the viewport's width, and scrolls when that is
    taller than the tab, as the Data panel did at 1280x820. Held here, a panel gets
    the viewport's size, and scrolls only below its minimum size.
    """

    def __init__(self, child: QWidget) -> None:
        super().__init__()
        self.child = child
        child.setParent(self)
        child.show()

    def minimumSizeHint(self) -> QSize:  # noqa: N802 - Qt name
        return self.child.minimumSizeHint().expandedTo(self.child.minimumSize())

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt name
        return self.child.sizeHint()

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt name
        self.child.setGeometry(self.rect())

    def event(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.LayoutRequest:  # the child's minimum size changed
            self.updateGeometry()
        return super().event(event)


def fitted(geometry: QRect, available: QRect) -> QRect:
    """``geometry`` moved and shrunk as little as needed to lie inside ``available``."""
    width = min(geometry.width(), available.width())
    height = min(geometry.height(), available.height())
    left = min(max(geometry.left(), available.left()), available.right() - width + 1)
    top = min(max(geometry.top(), available.top()), available.bottom() - height + 1)
    return QRect(left, top, width, height)


def fit_to_screen(window: QWidget) -> None:
    """Shrink and move a top-level window so that its frame fits the available screen.

    The frame (title bar, borders) is counted when the window manager reports it;
    before the first show it is estimated as the difference seen on screen later.
    """
    screen = window.screen() or QGuiApplication.primaryScreen()
    if screen is None:
        return
    available = screen.availableGeometry()
    frame = window.frameGeometry()
    inner = window.geometry()
    extra_w = max(0, frame.width() - inner.width())
    extra_h = max(0, frame.height() - inner.height())
    target = fitted(
        QRect(frame.left(), frame.top(), frame.width(), frame.height()),
        available,
    )
    if target.size() != frame.size():
        window.resize(max(1, target.width() - extra_w), max(1, target.height() - extra_h))
    if target.topLeft() != frame.topLeft():
        window.move(target.topLeft())


class ElidedLabel(QLabel):
    """One line that never widens its window: elided in the middle, whole in its tooltip."""

    def __init__(self, text: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._full = ""
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.setText(text)

    def setText(self, text: str) -> None:  # noqa: N802 - Qt name
        self._full = str(text)
        self.setToolTip(self._full)
        self._elide()

    def text(self) -> str:
        """The whole text (what is shown may be elided)."""
        return self._full

    def minimumSizeHint(self) -> QSize:  # noqa: N802 - Qt name
        return QSize(40, super().minimumSizeHint().height())

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt name
        super().resizeEvent(event)
        self._elide()

    def _elide(self) -> None:
        width = max(40, self.contentsRect().width())
        metrics = self.fontMetrics()
        super().setText(metrics.elidedText(self._full, Qt.TextElideMode.ElideMiddle, width))


class FitImageLabel(QLabel):
    """A picture shrunk to the room its label gets (never enlarged), so a small window
    shows it smaller instead of pushing the texts under it out of view.

    ``pixmap()`` is the picture as set; text and clear() work as for a QLabel.
    """

    def __init__(self, parent: QWidget | None = None, hint: int = 256, minimum: int = 96):
        super().__init__(parent)
        self._picture: QPixmap | None = None
        self._hint, self._minimum = hint, minimum
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)

    def setPixmap(self, pixmap: QPixmap) -> None:  # noqa: N802 - Qt name
        self._picture = QPixmap(pixmap)
        self._fit()

    def pixmap(self) -> QPixmap:
        return self._picture if self._picture is not None else super().pixmap()

    def setText(self, text: str) -> None:  # noqa: N802 - Qt name
        self._picture = None
        super().setText(text)

    def clear(self) -> None:
        self._picture = None
        super().clear()

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt name
        if self._picture is not None and not self._picture.isNull():
            return self._picture.size()
        return QSize(self._hint, self._hint)

    def minimumSizeHint(self) -> QSize:  # noqa: N802 - Qt name
        return QSize(self._minimum, self._minimum)

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt name
        super().resizeEvent(event)
        self._fit()

    def _fit(self) -> None:
        picture = self._picture
        if picture is None:
            return
        room = self.contentsRect().size()
        if picture.width() <= room.width() and picture.height() <= room.height():
            super().setPixmap(picture)
        else:
            mode = Qt.TransformationMode.SmoothTransformation
            super().setPixmap(picture.scaled(room, Qt.AspectRatioMode.KeepAspectRatio, mode))
