"""Start the desktop app: QApplication, the main window on screen at once, event loop.

Nothing heavy is imported here (no torch): the window must be on screen within a
second; :class:`gui.main_window.MainWindow` loads PyTorch in the background.

The interface's language is chosen before any widget exists (see :mod:`gui.i18n`):
``--lang zh_CN`` forces Simplified Chinese, ``--lang en`` English.

``CONVSTUDIO_EXIT_AFTER_SHOW=1`` makes the app print how long after process start
the window was shown, then exit; ``CONVSTUDIO_EXIT_WHEN_READY=1`` prints when Train can
start (PyTorch loaded), then exits (both used by bench/bench_gui.py).

Closing never hangs: the window waits a few seconds at most for training and background
work to stop (:mod:`gui.window.lifecycle`); when something was left running,
:func:`finish` ends the process at once instead of letting Qt wait for it forever.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import time

from PySide6.QtCore import QCoreApplication, QTimer
from PySide6.QtWidgets import QApplication

ORG_NAME = "ConvStudio"
APP_NAME = "ConvStudio"
_IMPORTED_AT = time.monotonic()


def process_age_s() -> float:
    """Seconds since this process started (from /proc; since this module's import elsewhere)."""
    try:
        with open("/proc/self/stat", encoding="ascii") as fh:
            fields = fh.read().rsplit(")", 1)[1].split()
        start_ticks = int(fields[19])  # field 22 of stat: starttime in clock ticks
        with open("/proc/uptime", encoding="ascii") as fh:
            uptime = float(fh.read().split()[0])
        return uptime - start_ticks / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return time.monotonic() - _IMPORTED_AT


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="convstudio", description="ConvStudio desktop app.")
    parser.add_argument(
        "--data", metavar="SOURCE", default=None, help="dataset to open: builtin:digits or a folder"
    )
    parser.add_argument(
        "--lang",
        metavar="CODE",
        default=None,
        help="interface language: zh_CN (Simplified Chinese) or en; default: the one chosen "
        "in View > Language, else the system's",
    )
    args, _qt_args = parser.parse_known_args(argv)
    return args


class _LaunchTimer:
    """Bench mode: print when the window was shown and when its panels were built, then exit."""

    def __init__(self, window) -> None:
        self.shown_at: float | None = None
        window.first_shown.connect(self.on_shown)
        window.panels_built.connect(self.on_panels)

    def on_shown(self) -> None:
        self.shown_at = process_age_s()
        print(f"window shown {self.shown_at:.3f} s after process start", flush=True)

    def on_panels(self) -> None:
        print(f"panels built {process_age_s():.3f} s after process start", flush=True)
        QTimer.singleShot(0, self.exit)

    def exit(self) -> None:
        print(f"event loop idle {process_age_s():.3f} s after process start", flush=True)
        os._exit(0)  # a bench needs no cleanup; the PyTorch import has not started yet


class _ReadyTimer:
    """Bench mode: print when Train can start (PyTorch and the panels ready), then exit."""

    def __init__(self, window) -> None:
        window.torch_ready.connect(self.on_ready)

    def on_ready(self) -> None:
        print(f"train ready {process_age_s():.3f} s after process start", flush=True)
        from gui import runtime

        collector = runtime._COLLECTOR
        if collector is not None and collector.released_after_s is not None:
            print(
                f"collector started {collector.released_after_s:.3f} s after it was set up "
                f"(held at most {runtime.LOAD_HOLD_MS / 1000:.0f} s)",
                flush=True,
            )
        os._exit(0)  # a bench needs no cleanup


def run_app(argv: list[str] | None = None) -> int:
    """Run the app until the window closes; returns the exit code."""
    argv = list(sys.argv[1:] if argv is None else argv)
    args = parse_args(argv)
    QCoreApplication.setOrganizationName(ORG_NAME)
    QCoreApplication.setApplicationName(APP_NAME)
    app = QApplication.instance() or QApplication([sys.argv[0] if sys.argv else "convstudio"])
    app.setApplicationDisplayName("ConvStudio")
    from gui import appdata, errors, i18n, runtime  # light: Qt and the standard library only

    runtime.configure_process()
    runtime.collect_on_gui_thread()  # garbage (Qt widgets too) dies on this thread
    errors.setup_logging(appdata.log_path())
    i18n.install_translators(app, i18n.chosen_language(args.lang))

    from gui.main_window import MainWindow

    window = MainWindow(data_source=args.data, defer_panels=True)
    if os.environ.get("CONVSTUDIO_EXIT_AFTER_SHOW"):
        window._launch_timer = _LaunchTimer(window)
    elif os.environ.get("CONVSTUDIO_EXIT_WHEN_READY"):
        window._launch_timer = _ReadyTimer(window)
    app.aboutToQuit.connect(window.shutdown)
    window.show()
    return finish(window, app.exec())


def finish(window, code: int, exit_now=os._exit) -> int:
    """After the event loop: ``code`` when everything stopped; else exit at once.

    A thread left running (a stalled download, a worker that did not stop) would make
    Qt's thread pool wait for it forever while Python exits. The settings are saved
    and the user told by then (``window.shutdown``); the log is flushed first.
    """
    if window.shutdown():  # done already on close; its outcome
        return code
    for handler in logging.getLogger("convstudio").handlers:
        handler.flush()
    sys.stdout.flush()
    sys.stderr.flush()
    exit_now(code)
    return code
