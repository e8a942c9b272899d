"""GUI test fixtures: temporary QSettings, no thread may outlive its test, English as shipped."""

from __future__ import annotations

import weakref

import pytest
from PySide6.QtCore import QCoreApplication, QSettings, QThread

_STARTED: list[weakref.ref] = []
_original_start = QThread.start


def _recording_start(self, *args, **kwargs):
    _STARTED.append(weakref.ref(self))
    return _original_start(self, *args, **kwargs)


QThread.start = _recording_start


@pytest.fixture(scope="session", autouse=True)
def english_plurals(qapp):
    """The interface as an English user gets it: "%n run(s)" reads "1 run", "4 runs".

    The app installs these plural forms at start (gui.i18n); a test that switches the
    language (tests/gui/test_i18n.py) puts them back.
    """
    from gui import i18n

    i18n.install_translators(qapp, i18n.ENGLISH)
    yield
    i18n.uninstall_translators(qapp)


@pytest.fixture(scope="module", autouse=True)
def gc_on_the_gui_thread(qapp):
    """As in the app (gui.runtime.GuiThreadCollector): a worker thread that allocated
    during a test once started a collection that destroyed an earlier test's QMenu on
    that thread and deadlocked the suite."""
    from gui import runtime

    collector = runtime.GuiThreadCollector()
    yield
    collector.stop()


@pytest.fixture(autouse=True)
def temp_settings(tmp_path_factory, qapp):
    """Point QSettings at a fresh temporary INI folder for every test."""
    folder = tmp_path_factory.mktemp("settings")
    QCoreApplication.setOrganizationName("ConvStudio")
    QCoreApplication.setApplicationName("ConvStudio")
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(folder))
    QSettings().clear()
    yield folder


@pytest.fixture(autouse=True)
def no_leftover_threads(qapp):
    """Fail a test that leaves a QThread or a background task running."""
    _STARTED.clear()
    yield
    from gui import tasks

    drained = tasks.shutdown(timeout_ms=10_000)
    running = []
    for ref in _STARTED:
        thread = ref()
        if thread is None:
            continue
        try:
            if thread.isRunning() and not thread.wait(5_000):
                running.append(thread)
        except RuntimeError:  # the C++ object is already gone: not running
            continue
    _STARTED.clear()
    assert drained, "a background task was still running after the test"
    assert not running, f"{len(running)} QThread(s) still running after the test"
