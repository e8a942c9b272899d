"""The app's one error sink: every background error is logged with its traceback.

Task functions run on pool threads; their exceptions reach the GUI thread as the
exception object itself (see :mod:`gui.tasks`) and end here. :func:`report` writes
them to the ``convstudio`` logger and, when no panel shows the message itself, emits
:attr:`ErrorSink.reported` with a one-line message, which the main window shows.
:func:`setup_logging` (called once at app start) sends that logger to a rotating
file in the app's data folder, which Help > Show log opens.
"""

from __future__ import annotations

import logging
import logging.handlers
import traceback
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QObject, Signal

from gui.i18n import core_messages

log = logging.getLogger("convstudio")
LOG_BYTES = 1_000_000  # one file this size, plus one older one


def message(exc: BaseException) -> str:
    """The text a user sees for an exception: its message (in the interface's language
    when core made it from a known template, see :mod:`gui.i18n.core_messages`), else
    its type's name."""
    return core_messages.translate(str(exc).strip()) or type(exc).__name__


def shown(text: str) -> str:
    """A message for the user in the interface's language (the main window's show_error
    passes every message through this; text already translated is left as it is)."""
    return core_messages.translate(str(text))


def format_exception(exc: BaseException) -> str:
    return "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))


class ErrorSink(QObject):
    """Signals ``reported(str)``: a message for the user (the main window shows it)."""

    reported = Signal(str)


_SINK: ErrorSink | None = None


def sink() -> ErrorSink:
    global _SINK
    if _SINK is None:
        _SINK = ErrorSink()
    return _SINK


def report(exc: BaseException, where: str = "", *, show: bool = True) -> str:
    """Log ``exc`` with its traceback; emit it for the user when ``show``. Returns the message."""
    text = message(exc)
    english = str(exc).strip() or type(exc).__name__  # the log stays in one language
    log.error("%s: %s", where or "error", english, exc_info=(type(exc), exc, exc.__traceback__))
    if show:
        sink().reported.emit(text)
    return text


def setup_logging(path: Path) -> Path | None:
    """Log warnings and errors of the app to ``path`` (rotated); None when it cannot be written."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handler = logging.handlers.RotatingFileHandler(
            path, maxBytes=LOG_BYTES, backupCount=1, encoding="utf-8", errors="backslashreplace"
        )
    except OSError as exc:
        log.warning("cannot write the log file %s: %s", path, exc)
        return None
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.setLevel(logging.INFO)
    log.addHandler(handler)
    log.setLevel(logging.INFO)
    log.info("ConvStudio started")
    return path


def read_log_tail(path: Path, limit: int = 200_000) -> str:
    """The last ``limit`` bytes of the log (what Help > Show log displays)."""
    try:
        with open(path, "rb") as fh:
            fh.seek(0, 2)
            size = fh.tell()
            fh.seek(max(0, size - limit))
            return fh.read().decode("utf-8", "replace")
    except OSError as exc:
        return QCoreApplication.translate("ErrorLog", "No log yet ({reason}).").format(
            reason=exc.strerror or exc
        )
