"""View > Language: one entry per language, the current one ticked; another is remembered
and a restart offered (now or later)."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QMessageBox

from gui import i18n
from gui.main_window import MainWindow

pytest.importorskip("torch")


@pytest.fixture
def window(qtbot, monkeypatch):
    monkeypatch.setenv("CONVSTUDIO_NO_DIALOGS", "1")
    w = MainWindow(load_torch_now=False)
    qtbot.addWidget(w)
    yield w
    w.shutdown()


@pytest.fixture
def answers(monkeypatch):
    """The restart question answered without a dialog: append "now" or "later" per question;
    records (text, buttons) of each question asked."""
    state = {"answers": [], "asked": []}

    def exec_(box: QMessageBox) -> int:
        state["asked"].append((box.text(), [b.text() for b in box.buttons()]))
        wanted = state["answers"].pop(0)
        role = (
            QMessageBox.ButtonRole.AcceptRole
            if wanted == "now"
            else QMessageBox.ButtonRole.RejectRole
        )
        next(b for b in box.buttons() if box.buttonRole(b) == role).click()
        return 0

    monkeypatch.setattr(QMessageBox, "exec", exec_)
    return state


@pytest.fixture
def restarts(monkeypatch):
    calls = []
    monkeypatch.setattr(i18n, "restart_app", lambda window=None: calls.append(window) or True)
    return calls


def test_the_language_menu_lists_every_language_with_the_current_one_ticked(window):
    menus = {a.text().replace("&", ""): a.menu() for a in window.menuBar().actions()}
    view = [a.text().replace("&", "") for a in menus["View"].actions() if a.text()]
    assert view[-1] == "Language" and view[0] == "1 Data"
    entries = [(a.text(), a.isChecked(), a.isCheckable()) for a in window.language_menu.actions()]
    assert entries == [("English", True, True), ("简体中文", False, True)]
    assert [code for code, _ in i18n.LANGUAGES] == list(window.language_actions)


def test_choosing_chinese_later_remembers_it_without_restarting(window, answers, restarts):
    answers["answers"] = ["later"]
    window.language_actions[i18n.CHINESE].trigger()
    assert i18n.saved_language() == i18n.CHINESE
    assert restarts == []
    text, buttons = answers["asked"][0]
    assert "简体中文" in text and "restart" in text
    assert sorted(buttons) == ["Later", "Restart now"]
    assert "简体中文" in window.statusBar().currentMessage()  # said where it stays visible
    assert window.language_actions[i18n.CHINESE].isChecked()  # the choice for the next start


def test_choosing_chinese_now_restarts_through_the_window(window, answers, restarts):
    answers["answers"] = ["now"]
    window.language_actions[i18n.CHINESE].trigger()
    assert restarts == [window]
    assert i18n.saved_language() == i18n.CHINESE


def test_choosing_the_language_in_use_asks_nothing(window, answers, restarts):
    answers["answers"] = ["later"]
    window.language_actions[i18n.CHINESE].trigger()
    window.language_actions[i18n.ENGLISH].trigger()  # back before restarting: nothing to do
    assert len(answers["asked"]) == 1 and restarts == []
    assert i18n.saved_language() == i18n.ENGLISH
