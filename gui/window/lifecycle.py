"""The main window's settings and its close: restore and save, the question, a bounded wait.

Closing stops training and every background task, then saves the settings. It waits
:data:`CLOSE_WAIT_MS` at most in all: a worker that does not stop in time (a weights
download stalled on the network, a training step stuck in a library call) cannot be
killed (a Python thread never can), so it is left behind, the user is told, and
:func:`gui.app.run_app` then exits the process without waiting for it (Qt's thread
pool would otherwise wait for it forever at exit).
"""

from __future__ import annotations

import logging
import sys
import time
from pathlib import Path

import shiboken6
from PySide6.QtCore import QCoreApplication, QSettings
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import QMessageBox

from core import BUILTIN_DIGITS
from gui import errors, sizing, tasks

log = logging.getLogger("convstudio")

CLOSE_WAIT_MS = 5_000  # training and background work get this long, together, to stop


def _left_ms(deadline: float) -> int:
    return max(0, int((deadline - time.monotonic()) * 1000))


class Lifecycle:
    """Settings, close and shutdown (a mixin of the main window)."""

    #: False once a shutdown left a worker running (the app then exits without it)
    clean_shutdown = True

    # ------------------------------------------------------------------ settings
    def _restore_geometry(self) -> None:
        geometry = QSettings().value("window/geometry")
        # Qt refuses a geometry saved on a screen of a quite different width (it returns
        # False): the default size then, never the panels' own size hint
        if geometry is None or not self.restoreGeometry(geometry):
            self.resize(*sizing.DEFAULT_SIZE)
        sizing.fit_to_screen(self)  # saved on a bigger screen, or the default on a small one

    def _restore_settings(self, data_source: str | None) -> None:
        settings = QSettings()
        for panel in self.real_panels():
            panel.load_settings(settings)
        self._sync_split()
        source = data_source or str(settings.value("data/source", BUILTIN_DIGITS) or BUILTIN_DIGITS)
        if data_source is None and source != BUILTIN_DIGITS and not Path(source).is_dir():
            source = BUILTIN_DIGITS  # the remembered folder is gone
        self.set_data_source(source)

    def save_settings(self) -> None:
        if not self.panels_ready:
            return  # nothing was restored yet, so nothing to keep
        settings = QSettings()
        settings.setValue("window/geometry", self.saveGeometry())
        settings.setValue("data/source", self._source or BUILTIN_DIGITS)
        for panel in self.real_panels():
            panel.save_settings(settings)
        settings.sync()

    # ------------------------------------------------------------------ close
    def closeEvent(self, event: QCloseEvent) -> None:
        if self._training():
            answer = QMessageBox.question(
                self,
                QCoreApplication.translate("MainWindow", "Training is running"),
                QCoreApplication.translate(
                    "MainWindow",
                    "A training run is in progress. Stop it and quit? "
                    "The last finished epoch is kept in last.pt.",
                ),
                QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
                QMessageBox.StandardButton.No,
            )
            if answer != QMessageBox.StandardButton.Yes:
                event.ignore()
                return
        self.shutdown()
        event.accept()

    def shutdown(self) -> bool:
        """Stop training and background work, then save settings (close and aboutToQuit).

        Waits :data:`CLOSE_WAIT_MS` at most; returns whether everything stopped in
        time (also kept in ``clean_shutdown``; ``stalled`` holds what was said).
        """
        if self._closing_done:
            return self.clean_shutdown
        self._closing_done = True
        deadline = time.monotonic() + CLOSE_WAIT_MS / 1000
        seconds = round(CLOSE_WAIT_MS / 1000)
        if self._training() or tasks.running_tasks():
            self._say(
                QCoreApplication.translate(
                    "MainWindow", "Stopping training and background work (at most {seconds} s)..."
                ).format(seconds=seconds)
            )
        self._close_dialogs()
        stalled = []
        if not self._shutdown_panels(deadline):
            stalled.append(
                QCoreApplication.translate(
                    "MainWindow",
                    "The training run did not stop within {seconds} s; "
                    "ConvStudio quits without waiting for it.",
                ).format(seconds=seconds)
            )
        self.save_settings()
        lane_ms = max(100, _left_ms(deadline) // max(1, len(tasks.LANES)))
        if not tasks.shutdown(lane_ms):
            stalled.append(
                QCoreApplication.translate(
                    "MainWindow",
                    "Background work (such as a weights download) did not stop within "
                    "{seconds} s; ConvStudio quits without waiting for it.",
                ).format(seconds=seconds)
            )
        self.stalled = stalled
        self.clean_shutdown = not stalled
        if stalled:
            text = " ".join(stalled)
            self._say(text)
            log.warning("closing: %s", text)
            print(f"ConvStudio: {text}", file=sys.stderr)
        return self.clean_shutdown

    def _shutdown_panels(self, deadline: float) -> bool:
        """Every panel's shutdown; the Train panel waits for its run until ``deadline``."""
        train, stopped = self.train_panel, True
        for panel in self.real_panels():
            try:
                if panel is train:
                    stopped = bool(train.shutdown(_left_ms(deadline)))
                else:
                    panel.shutdown()
            except Exception as exc:
                errors.report(exc, f"{panel.title} panel: shutdown", show=False)
                print(f"ConvStudio: panel shutdown failed: {exc}", file=sys.stderr)
        return stopped

    def _close_dialogs(self) -> None:
        """The weights dialog cancels its download when it closes (nothing half-written)."""
        dialog = getattr(self, "_weights_dialog", None)
        if dialog is not None and shiboken6.isValid(dialog):
            dialog.close()

    def _say(self, text: str) -> None:
        """A status line painted at once (the event loop is not running while closing)."""
        bar = self.statusBar()
        bar.showMessage(text)
        bar.repaint()
