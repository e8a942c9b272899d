"""The main window's actions and menus: File, Train, View (tabs, Language), Help.

Every action is a row of :data:`ACTIONS` (its text and status tip marked for
translation, translated when the action is made), so the menus, the shortcuts and
Help > Keyboard shortcuts (read from the window's actions) never disagree. Actions are
added to the window itself, so their shortcuts work whichever tab has focus.

View > Language lists :data:`gui.i18n.LANGUAGES` by their own names; choosing another
one remembers it (:func:`gui.i18n.set_language`) and offers to restart, because every
text is set while the widgets are built.
"""

from __future__ import annotations

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication
from PySide6.QtGui import QAction, QActionGroup, QKeySequence
from PySide6.QtWidgets import QMainWindow, QMenu, QMessageBox

from gui import i18n
from gui.panel import tab_text

CONTEXT = "MainWindow"

#: (attribute, text, the window's method, shortcuts (the first is the one menus show), tip)
ACTIONS: tuple[tuple[str, str, str, tuple[str, ...], str], ...] = (
    (
        "open_folder_action",
        QT_TRANSLATE_NOOP("MainWindow", "Open dataset &folder..."),
        "ask_open_dataset",
        ("Ctrl+O",),
        QT_TRANSLATE_NOOP("MainWindow", "Train on a folder of images (one sub-folder per class)."),
    ),
    (
        "open_model_action",
        QT_TRANSLATE_NOOP("MainWindow", "Open &model..."),
        "ask_open_model",
        ("Ctrl+M",),
        QT_TRANSLATE_NOOP("MainWindow", "Load a .pt bundle for prediction."),
    ),
    (
        "open_run_action",
        QT_TRANSLATE_NOOP("MainWindow", "Open &run folder..."),
        "ask_open_run",
        (),
        QT_TRANSLATE_NOOP("MainWindow", "Show a run's curves and predict with its best.pt."),
    ),
    (
        "import_weights_action",
        QT_TRANSLATE_NOOP("MainWindow", "Import &weights..."),
        "show_weights_dialog",
        (),
        QT_TRANSLATE_NOOP(
            "MainWindow",
            "Put pretrained weights into the torch hub cache: import a .pth, or download.",
        ),
    ),
    (
        "export_action",
        QT_TRANSLATE_NOOP("MainWindow", "&Export model..."),
        "show_export_dialog",
        (),
        QT_TRANSLATE_NOOP(
            "MainWindow",
            "Save a model as TorchScript or ONNX (checked), a usage snippet or a training script.",
        ),
    ),
    (
        "copy_script_action",
        QT_TRANSLATE_NOOP("MainWindow", "Copy as training &script"),
        "copy_training_script",
        (),
        QT_TRANSLATE_NOOP(
            "MainWindow", "Put the last run as a plain PyTorch training script on the clipboard."
        ),
    ),
    (
        "evaluate_action",
        QT_TRANSLATE_NOOP("MainWindow", "Open in &Evaluate..."),
        "open_in_evaluate",
        (),
        QT_TRANSLATE_NOOP(
            "MainWindow",
            "Evaluate a model bundle on a labelled folder: confusion matrix, mistakes, fixes.",
        ),
    ),
    ("quit_action", QT_TRANSLATE_NOOP("MainWindow", "&Quit"), "close", ("Ctrl+Q",), ""),
    (
        "start_action",
        QT_TRANSLATE_NOOP("MainWindow", "&Start training"),
        "start_training",
        ("F5", "Ctrl+T"),
        QT_TRANSLATE_NOOP("MainWindow", "Train with the Train tab's settings."),
    ),
    (
        "pause_action",
        QT_TRANSLATE_NOOP("MainWindow", "&Pause / resume"),
        "_toggle_pause",
        ("Ctrl+P",),
        "",
    ),
    (
        "stop_action",
        QT_TRANSLATE_NOOP("MainWindow", "S&top training"),
        "stop_training",
        ("Esc", "Ctrl+."),
        "",
    ),
    (
        "about_action",
        QT_TRANSLATE_NOOP("MainWindow", "&About ConvStudio"),
        "show_about",
        (),
        "",
    ),
    (
        "getting_started_action",
        QT_TRANSLATE_NOOP("MainWindow", "&Getting started"),
        "show_getting_started",
        ("F1",),
        QT_TRANSLATE_NOOP("MainWindow", "The first steps, in short."),
    ),
    (
        "shortcuts_action",
        QT_TRANSLATE_NOOP("MainWindow", "&Keyboard shortcuts"),
        "show_shortcuts",
        (),
        QT_TRANSLATE_NOOP("MainWindow", "Every shortcut of the window."),
    ),
    (
        "show_log_action",
        QT_TRANSLATE_NOOP("MainWindow", "Show &log"),
        "show_log",
        (),
        QT_TRANSLATE_NOOP("MainWindow", "Errors of background work, with their details."),
    ),
)

#: (menu title, the actions' attributes in order; "" is a separator)
MENUS = (
    (
        QT_TRANSLATE_NOOP("MainWindow", "&File"),
        (
            "open_folder_action",
            "open_model_action",
            "open_run_action",
            "evaluate_action",
            "export_action",
            "import_weights_action",
            "",
            "quit_action",
        ),
    ),
    (
        QT_TRANSLATE_NOOP("MainWindow", "&Train"),
        ("start_action", "pause_action", "stop_action", "", "copy_script_action"),
    ),
    (QT_TRANSLATE_NOOP("MainWindow", "&View"), ()),  # the tabs and Language (below)
    (
        QT_TRANSLATE_NOOP("MainWindow", "&Help"),
        ("getting_started_action", "shortcuts_action", "", "show_log_action", "about_action"),
    ),
)


def _tr(text: str) -> str:
    return QCoreApplication.translate(CONTEXT, text) if text else ""


def make_action(
    window: QMainWindow, text: str, slot, shortcuts: tuple[str, ...] = (), tip: str = ""
) -> QAction:
    """An action of the window (``text`` and ``tip`` already in the interface's language)."""
    action = QAction(text, window)
    if shortcuts:
        action.setShortcuts([QKeySequence(s) for s in shortcuts])
    if tip:
        action.setStatusTip(tip)
    action.triggered.connect(slot)
    window.addAction(action)  # shortcuts work whichever tab has focus
    return action


def _calls(window: QMainWindow, method: str):
    # looked up when triggered, and without the triggered(bool) argument:
    # open_in_evaluate's first parameter is a model path
    return lambda *_: getattr(window, method)()


def build_actions(window: QMainWindow, titles: list[str]) -> None:
    """Make the window's actions as attributes (``window.start_action`` ...) and the
    tab actions (``window.tab_actions``: Ctrl+1 ... for ``titles``, English tab titles)."""
    for attribute, text, method, shortcuts, tip in ACTIONS:
        action = make_action(window, _tr(text), _calls(window, method), shortcuts, _tr(tip))
        setattr(window, attribute, action)
    # its dialog lists the networks from core.models, which imports torch: not on the GUI
    # thread while the loader imports it (gui.window.loading enables it when torch is in)
    window.import_weights_action.setEnabled(False)
    window.tab_actions = []
    for number, title in enumerate(titles, start=1):
        text = QCoreApplication.translate("MainWindow", "&{number} {tab}").format(
            number=number, tab=tab_text(title)
        )
        action = make_action(
            window, text, lambda *_, t=title: window.show_tab(t), (f"Ctrl+{number}",)
        )
        window.tab_actions.append(action)


def build_menus(window: QMainWindow) -> dict[str, QMenu]:
    """The menu bar; returns the menus by their English titles (without "&")."""
    bar = window.menuBar()
    menus: dict[str, QMenu] = {}
    for title, attributes in MENUS:
        menu = bar.addMenu(_tr(title))
        menus[title.replace("&", "")] = menu
        for attribute in attributes:
            if attribute:
                menu.addAction(getattr(window, attribute))
            else:
                menu.addSeparator()
    view = menus["View"]
    for action in window.tab_actions:
        view.addAction(action)
    view.addSeparator()
    window.language_menu = build_language_menu(window, view)
    return menus


# --------------------------------------------------------------------------- View > Language


def build_language_menu(window: QMainWindow, parent: QMenu) -> QMenu:
    """View > Language: one checkable entry per language, the interface's own ticked."""
    menu = parent.addMenu(QCoreApplication.translate("MainWindow", "&Language"))
    menu.setObjectName("language_menu")
    group = QActionGroup(menu)
    group.setExclusive(True)
    current = i18n.active_language()
    window.language_actions = {}
    for code, name in i18n.LANGUAGES:
        action = QAction(name, menu)  # each language by its own name
        action.setCheckable(True)
        action.setChecked(code == current)
        action.setData(code)
        action.triggered.connect(lambda *_, c=code: choose_language(window, c))
        group.addAction(action)
        menu.addAction(action)
        window.language_actions[code] = action
    return menu


def choose_language(window: QMainWindow, code: str) -> bool:
    """Remember ``code`` for the next start and offer to restart now; True when it restarts."""
    if code == i18n.active_language():
        i18n.set_language(code)  # back to the language in use: nothing to restart for
        return False
    said = i18n.set_language(code)
    if not ask_restart(window, said):
        window.statusBar().showMessage(said, 15_000)
        return False
    if i18n.restart_app(window):
        return True
    # the window stayed open (a run is still going and the user kept it), or the new
    # process could not start: the choice is kept for the next start anyway
    window.statusBar().showMessage(said, 15_000)
    return False


def ask_restart(window: QMainWindow, said: str) -> bool:
    """A question box: restart now or later; True for now."""
    box = QMessageBox(window)
    box.setIcon(QMessageBox.Icon.Question)
    box.setWindowTitle(QCoreApplication.translate("MainWindow", "Language"))
    box.setText(said)
    box.setInformativeText(
        QCoreApplication.translate("MainWindow", "Restart ConvStudio now to switch?")
    )
    now = box.addButton(
        QCoreApplication.translate("MainWindow", "Restart now"), QMessageBox.ButtonRole.AcceptRole
    )
    later = box.addButton(
        QCoreApplication.translate("MainWindow", "Later"), QMessageBox.ButtonRole.RejectRole
    )
    box.setDefaultButton(now)
    box.setEscapeButton(later)
    box.exec()
    restart = box.clickedButton() is now
    box.deleteLater()
    return restart
