"""The interface's language: ConvStudio's and Qt's own translations, and a CJK font.

English is the source language of every string (``self.tr`` and
``QCoreApplication.translate`` in gui/, templates marked in core/). Simplified Chinese
lives in ``convstudio_zh_CN.ts`` (kept in the repository) and its compiled
``convstudio_zh_CN.qm`` (also kept, so a checkout runs without the Qt tools);
``convstudio_en.qm`` holds only the English plural forms ("%n image(s)" -> "1 image",
"2 images"). ``python -m gui.i18n.update`` regenerates the .ts files from the sources
(pyside6-lupdate) and builds the .qm files (pyside6-lrelease).

The language is chosen at start: ``--lang`` if given, else the one saved under
:data:`SETTINGS_KEY` (View > Language), else the system locale. Changing it applies
after a restart (:func:`set_language`, :func:`restart_app`): every text is set while
the widgets are built, so a switch while running would leave half the window behind.
"""

from __future__ import annotations

import logging
import os
import sys
from pathlib import Path

from PySide6.QtCore import (
    QCoreApplication,
    QLibraryInfo,
    QLocale,
    QProcess,
    QSettings,
    QTranslator,
)
from PySide6.QtGui import QFont, QFontDatabase, QGuiApplication

log = logging.getLogger("convstudio")

FOLDER = Path(__file__).resolve().parent
SETTINGS_KEY = "ui/language"
ENGLISH = "en"
CHINESE = "zh_CN"
#: (code, the language's own name): what View > Language offers
LANGUAGES = ((ENGLISH, "English"), (CHINESE, "简体中文"))
#: installed fonts with Simplified Chinese glyphs, preferred first
CJK_FONTS = (
    "Noto Sans CJK SC",
    "Noto Sans SC",
    "Source Han Sans SC",
    "Source Han Sans CN",
    "WenQuanYi Micro Hei",
    "WenQuanYi Zen Hei",
    "Droid Sans Fallback",
    "Microsoft YaHei",
    "PingFang SC",
)
CJK_PACKAGE = "fonts-noto-cjk"  # the Debian/Ubuntu package that provides the first one

_installed: list[QTranslator] = []  # held so Python never collects an installed translator
_active = {"language": ENGLISH}  # what install_translators installed last


def ts_path(language: str) -> Path:
    return FOLDER / f"convstudio_{language}.ts"


def qm_path(language: str) -> Path:
    return FOLDER / f"convstudio_{language}.qm"


def normalise(code: str | None) -> str | None:
    """A language code as ConvStudio names it ("zh_CN", "en"), None for an unknown one.

    Any Chinese locale gets Simplified Chinese (the only Chinese translation); any
    other language English.
    """
    text = (code or "").strip().replace("-", "_")
    if not text:
        return None
    if text.lower().startswith("zh"):
        return CHINESE
    if text.lower().startswith("en") or text.lower() in ("c", "posix"):
        return ENGLISH
    return None


def saved_language() -> str | None:
    """The language chosen in View > Language, or None when none was chosen."""
    return normalise(str(QSettings().value(SETTINGS_KEY, "") or ""))


def system_language() -> str:
    """The system locale's language as ConvStudio has it (English when it has no translation)."""
    return normalise(QLocale.system().name()) or ENGLISH


def chosen_language(forced: str | None = None) -> str:
    """``--lang`` when given, else the saved choice, else the system locale's."""
    return normalise(forced) or saved_language() or system_language()


def _load(translator: QTranslator, path: Path | str) -> bool:
    return Path(path).is_file() and translator.load(str(path))


def install_translators(app: QCoreApplication, language: str) -> list[str]:
    """Install the translators of ``language`` (replacing any installed before).

    English gets its plural forms; Chinese gets ConvStudio's translation, Qt's own
    (standard buttons and dialogs, from Qt's TranslationsPath), the zh_CN locale and a
    CJK font. Returns the files loaded. A missing file is logged, never fatal.
    """
    uninstall_translators(app)
    language = normalise(language) or ENGLISH
    _active["language"] = language
    qt_folder = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
    wanted = [qm_path(language)]
    if language != ENGLISH:
        wanted.insert(0, Path(qt_folder) / f"qtbase_{language}.qm")
    loaded = []
    for path in wanted:
        translator = QTranslator(app)
        if _load(translator, path):
            app.installTranslator(translator)
            _installed.append(translator)
            loaded.append(str(path))
        else:
            log.warning("translation file %s is missing; texts stay in English", path)
    if language != ENGLISH:
        QLocale.setDefault(QLocale(language))
        if isinstance(app, QGuiApplication):
            use_cjk_font(app)
    return loaded


def active_language() -> str:
    """The language the interface is in now (View > Language ticks it)."""
    return _active["language"]


def uninstall_translators(app: QCoreApplication) -> None:
    """Remove the translators :func:`install_translators` installed (the sources' English)."""
    for old in _installed:
        app.removeTranslator(old)
    _installed.clear()
    _active["language"] = ENGLISH


def installed_font_families() -> set[str]:
    return set(QFontDatabase.families())


def cjk_font(families: set[str] | None = None) -> str | None:
    """The first installed font of :data:`CJK_FONTS`, or None."""
    families = installed_font_families() if families is None else families
    return next((name for name in CJK_FONTS if name in families), None)


def use_cjk_font(app: QGuiApplication) -> str | None:
    """Let the app's font fall back to an installed CJK font; log clearly when there is none.

    The Latin letters keep the default font; Chinese characters come from the CJK
    font (a Simplified Chinese one, so the glyphs have the mainland forms).
    """
    family = cjk_font()
    if family is None:
        text = (
            "No Chinese (CJK) font is installed, so Chinese text may show as boxes: install "
            f"one, e.g. `sudo apt-get install {CJK_PACKAGE}` (Noto Sans CJK SC)."
        )
        log.warning(text)
        print(f"ConvStudio: {text}", file=sys.stderr)
        return None
    font = QFont(app.font())
    font.setFamilies([app.font().family(), family])
    app.setFont(font)
    log.info("Chinese text uses the font %s", family)
    return family


def set_language(code: str) -> str:
    """Remember ``code`` as the language for the next start; the sentence to tell the user.

    The caller (View > Language) shows the sentence and may offer :func:`restart_app`.
    """
    language = normalise(code) or ENGLISH
    QSettings().setValue(SETTINGS_KEY, language)
    name = dict(LANGUAGES)[language]
    return QCoreApplication.translate(
        "Language", "The interface will be in {language} after ConvStudio restarts."
    ).format(language=name)


def restart_arguments(argv: list[str]) -> list[str]:
    """``argv`` without ``--lang X`` / ``--lang=X``: the restarted app uses the saved choice."""
    out, skip = [], False
    for arg in argv:
        if skip:
            skip = False
        elif arg == "--lang":
            skip = True
        elif not arg.startswith("--lang="):
            out.append(arg)
    return out


def restart_app(window=None) -> bool:
    """Start ConvStudio again and quit this one; False when the window refused to close.

    ``window`` (the main window) is closed first, so a run in progress is stopped and
    the settings are saved as on any close; a new process with the same arguments
    (less ``--lang``) starts only once it has closed.
    """
    if window is not None and not window.close():
        return False
    program = sys.executable
    args = [os.path.abspath(sys.argv[0]), *restart_arguments(sys.argv[1:])] if sys.argv else []
    started = QProcess.startDetached(program, args, os.getcwd())
    ok = started[0] if isinstance(started, tuple) else bool(started)
    if not ok:
        log.error("could not restart ConvStudio: %s %s", program, args)
        return False
    app = QCoreApplication.instance()
    if app is not None:
        app.quit()
    return True
