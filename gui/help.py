"""The Help menu's pages and the first-minute texts: what to do next, and how.

Content lives here, not in the window: the "next step" lines the status bar shows at
launch, the keyboard shortcuts (read from the window's own actions, so the list never
disagrees with the menus), a short Getting started page, and the log viewer. Each page
is a non-modal dialog: it stays open beside the window while the user tries things.

Every text is translated when it is used (:func:`getting_started`, :func:`loading_text`
...); ``LOADING``, ``START_QUEUED`` and ``GETTING_STARTED`` read as module attributes
give the same translated texts (see :func:`__getattr__`).
"""

from __future__ import annotations

import html
import platform
from collections.abc import Iterable
from pathlib import Path

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, Qt, qVersion
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QPlainTextEdit,
    QStatusBar,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from core import BUILTIN_DIGITS
from gui import appdata, errors

CONTEXT = "HelpPages"
NAME_CHARS = 32  # a folder's name in the next-step line is cut to this

_LOADING = QT_TRANSLATE_NOOP("HelpPages", "Loading PyTorch (a few seconds) ...")
_START_QUEUED = QT_TRANSLATE_NOOP(
    "HelpPages", "Training starts as soon as PyTorch has loaded (a few seconds) ..."
)
_DRAG_AND_DROP = QT_TRANSLATE_NOOP("HelpPages", "drag and drop")

#: shortcuts a panel handles itself (not window actions): (what, keys), in English
PANEL_SHORTCUTS = (
    (QT_TRANSLATE_NOOP("HelpPages", "Predict: paste an image or copied files"), "Ctrl+V"),
    (
        QT_TRANSLATE_NOOP("HelpPages", "Predict: drop images or folders anywhere on the window"),
        _DRAG_AND_DROP,
    ),
    (
        QT_TRANSLATE_NOOP("HelpPages", "Data: drop a folder on the Data tab to train on it"),
        _DRAG_AND_DROP,
    ),
)

_GETTING_STARTED = QT_TRANSLATE_NOOP(
    "HelpPages",
    """<h3>Getting started</h3>
<ol>
<li><b>Train.</b> Press Train (F5) to train a small CNN on the built-in digits. The curves
move after a few seconds; the best epoch is saved as <i>best.pt</i> in a run folder and
loaded in the Predict tab.</li>
<li><b>Predict.</b> Drop a picture (or a folder of them) anywhere on the window: the
Predict tab shows the top-5 classes, and Grad-CAM shows where the model looked. A
&#9888; mark says the picture is unlike what the model was trained on.</li>
<li><b>Your own pictures.</b> Put them in one folder per class
(<i>photos/cat/</i>, <i>photos/dog/</i> ...), then File &gt; Open dataset folder
(Ctrl+O) or drop the folder on the Data tab. The Data tab lists skipped files and
warns of tiny or unbalanced classes.</li>
<li><b>Augment.</b> The Augment tab shows what training does to the pictures: pick a
preset (<i>seed</i> is the classic ImageNet recipe, <i>digits</i> suits the built-in
digits) or edit the steps, and watch the preview.</li>
<li><b>Understand.</b> The Calculator tab works out a convolution's output size
<i>H2 = (H - F + 2P) / S + 1</i> and traces a real model layer by layer.</li>
</ol>
<p>Everything here also runs from the command line: <code>python main.py train --help</code>.</p>""",
)


def _tr(text: str) -> str:
    return QCoreApplication.translate(CONTEXT, text)


def loading_text() -> str:
    """The status bar while PyTorch loads."""
    return _tr(_LOADING)


def start_queued_text() -> str:
    """The status bar after Train was pressed before PyTorch had loaded."""
    return _tr(_START_QUEUED)


def getting_started() -> str:
    """Help > Getting started, as HTML."""
    return _tr(_GETTING_STARTED)


_TRANSLATED = {
    "LOADING": loading_text,
    "START_QUEUED": start_queued_text,
    "GETTING_STARTED": getting_started,
}


def __getattr__(name: str) -> str:
    """``LOADING``, ``START_QUEUED`` and ``GETTING_STARTED``: translated when read."""
    if name in _TRANSLATED:
        return _TRANSLATED[name]()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def next_step(source: str) -> str:
    """The status bar's first-minute hint for the dataset in use."""
    if not source or source == BUILTIN_DIGITS:
        return QCoreApplication.translate(
            "HelpPages", "Next: press Train (F5) to train a small CNN on the built-in digits."
        )
    name = Path(source).name or source
    if len(name) > NAME_CHARS:
        name = name[: NAME_CHARS - 3] + "..."
    return QCoreApplication.translate(
        "HelpPages", "Next: press Train (F5) to train on {name}."
    ).format(name=name)


def add_next_step(bar: QStatusBar) -> QLabel:
    """The hint on the status bar's right; the window hides it once a run has started."""
    label = QLabel(next_step(BUILTIN_DIGITS), bar)
    label.setObjectName("next_step")
    label.setStyleSheet("color: #1a5fb4;")
    bar.addPermanentWidget(label)
    return label


def _plain(text: str) -> str:
    return text.replace("&&", "\0").replace("&", "").replace("\0", "&")


def shortcut_rows(actions: Iterable[QAction]) -> list[tuple[str, str]]:
    """(what, keys) for every action with a shortcut, then the panels' own."""
    rows = []
    either = QCoreApplication.translate("HelpPages", " or ")  # between two key sequences
    for action in actions:
        keys = [s.toString(QKeySequence.SequenceFormat.NativeText) for s in action.shortcuts()]
        if keys:
            rows.append((_plain(action.text()), either.join(keys)))
    return rows + [(_tr(what), _tr(keys)) for what, keys in PANEL_SHORTCUTS]


def shortcuts_html(actions: Iterable[QAction]) -> str:
    cells = "".join(
        f"<tr><td>{html.escape(what)}</td><td><b>{html.escape(keys)}</b></td></tr>"
        for what, keys in shortcut_rows(actions)
    )
    title = html.escape(QCoreApplication.translate("HelpPages", "Keyboard shortcuts"))
    return f"<h3>{title}</h3><table cellpadding='4'>{cells}</table>"


def page(parent: QWidget, title: str, text: str, name: str) -> QDialog:
    """A non-modal page of rich text with a Close button (deleted when closed)."""
    dialog = QDialog(parent)
    dialog.setObjectName(name)
    dialog.setWindowTitle(title)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    browser = QTextBrowser(dialog)
    browser.setOpenExternalLinks(False)
    browser.setHtml(text)
    buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, dialog)
    buttons.rejected.connect(dialog.close)
    layout = QVBoxLayout(dialog)
    layout.addWidget(browser)
    layout.addWidget(buttons)
    dialog.resize(560, 520)
    dialog.show()
    return dialog


def about_text(info: dict) -> str:
    """Help > About: versions and the device (``info``: the window's torch_info)."""
    import PySide6

    loading = _tr(QT_TRANSLATE_NOOP("HelpPages", "loading..."))
    torch_v = info.get("torch", loading)
    tv_v = info.get("torchvision", loading)
    device = info.get(
        "device", _tr(QT_TRANSLATE_NOOP("HelpPages", "unknown until PyTorch is loaded"))
    )
    bf16 = info.get("bf16")
    if bf16 is None:
        device_line = _tr(QT_TRANSLATE_NOOP("HelpPages", "Device: {device}"))
    elif bf16:
        device_line = _tr(
            QT_TRANSLATE_NOOP("HelpPages", "Device: {device} (CPU bfloat16 support: yes)")
        )
    else:
        device_line = _tr(
            QT_TRANSLATE_NOOP("HelpPages", "Device: {device} (CPU bfloat16 support: no)")
        )
    about = _tr(
        QT_TRANSLATE_NOOP(
            "HelpPages",
            "ConvStudio: a desktop workbench for training image classifiers with PyTorch.",
        )
    )
    return (
        f"{about}\n\n"
        f"PyTorch {torch_v}\ntorchvision {tv_v}\nQt {qVersion()}\nPySide6 {PySide6.__version__}\n"
        f"Python {platform.python_version()}\n{device_line.format(device=device)}"
    )


def log_dialog(parent: QWidget) -> QDialog:
    """Help > Show log: the log file's newest part in a read-only, non-modal window."""
    path = appdata.log_path()
    dialog = QDialog(parent)
    dialog.setWindowTitle(
        QCoreApplication.translate("HelpPages", "ConvStudio log - {path}").format(path=path)
    )
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    text = QPlainTextEdit(dialog)
    text.setObjectName("log_text")
    text.setReadOnly(True)
    text.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
    text.setPlainText(errors.read_log_tail(path))
    text.moveCursor(text.textCursor().MoveOperation.End)
    buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, dialog)
    buttons.rejected.connect(dialog.close)
    layout = QVBoxLayout(dialog)
    label = QLabel(
        QCoreApplication.translate("HelpPages", "Log file: {path}").format(path=path), dialog
    )
    label.setWordWrap(True)
    layout.addWidget(label)
    layout.addWidget(text)
    layout.addWidget(buttons)
    dialog.resize(900, 500)
    dialog.show()
    return dialog
