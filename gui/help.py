"""The Help menu's pages and the first-minute texts: what to do next, and how.

Content lives here, not in the window: the "next step" lines the status bar shows at
launch, the keyboard shortcuts (read from the window's own actions, so the list never
disagrees with the menus), a short Getting started page, and the log viewer. Each page
is a non-modal dialog: it stays open beside the window while the user tries things.
"""

from __future__ import annotations

import html
import platform
from collections.abc import Iterable
from pathlib import Path

from PySide6.QtCore import Qt, qVersion
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

NEXT_STEP = "Press Train (F5) to train a small CNN on the built-in digits."
LOADING = "Loading PyTorch (a few seconds) ..."
START_QUEUED = "Training starts as soon as PyTorch has loaded (a few seconds) ..."
NAME_CHARS = 32  # a folder's name in the next-step line is cut to this

#: shortcuts a panel handles itself (not window actions): (what, keys)
PANEL_SHORTCUTS = (
    ("Predict: paste an image or copied files", "Ctrl+V"),
    ("Predict: drop images or folders anywhere on the window", "drag and drop"),
    ("Data: drop a folder on the Data tab to train on it", "drag and drop"),
)

GETTING_STARTED = f"""
<h3>Getting started</h3>
<ol>
<li><b>Train.</b> {html.escape(NEXT_STEP)} The curves move after a few seconds; the
best epoch is saved as <i>best.pt</i> in a run folder and loaded in the Predict tab.</li>
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
<p>Everything here also runs from the command line: <code>python main.py train --help</code>.</p>
"""


def next_step(source: str) -> str:
    """The status bar's first-minute hint for the dataset in use."""
    if not source or source == BUILTIN_DIGITS:
        return f"Next: {NEXT_STEP[0].lower()}{NEXT_STEP[1:]}"
    name = Path(source).name or source
    if len(name) > NAME_CHARS:
        name = name[: NAME_CHARS - 3] + "..."
    return f"Next: press Train (F5) to train on {name}."


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
    for action in actions:
        keys = [s.toString(QKeySequence.SequenceFormat.NativeText) for s in action.shortcuts()]
        if keys:
            rows.append((_plain(action.text()), " or ".join(keys)))
    return rows + list(PANEL_SHORTCUTS)


def shortcuts_html(actions: Iterable[QAction]) -> str:
    cells = "".join(
        f"<tr><td>{html.escape(what)}</td><td><b>{html.escape(keys)}</b></td></tr>"
        for what, keys in shortcut_rows(actions)
    )
    return f"<h3>Keyboard shortcuts</h3><table cellpadding='4'>{cells}</table>"


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

    torch_v = info.get("torch", "loading...")
    tv_v = info.get("torchvision", "loading...")
    device = info.get("device", "unknown until PyTorch is loaded")
    bf16 = info.get("bf16")
    bf16_text = "" if bf16 is None else f" (CPU bfloat16 support: {'yes' if bf16 else 'no'})"
    return (
        "ConvStudio: a desktop workbench for training image classifiers with PyTorch.\n\n"
        f"PyTorch {torch_v}\ntorchvision {tv_v}\nQt {qVersion()}\nPySide6 {PySide6.__version__}\n"
        f"Python {platform.python_version()}\nDevice: {device}{bf16_text}"
    )


def log_dialog(parent: QWidget) -> QDialog:
    """Help > Show log: the log file's newest part in a read-only, non-modal window."""
    path = appdata.log_path()
    dialog = QDialog(parent)
    dialog.setWindowTitle(f"ConvStudio log - {path}")
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
    label = QLabel(f"Log file: {path}", dialog)
    label.setWordWrap(True)
    layout.addWidget(label)
    layout.addWidget(text)
    layout.addWidget(buttons)
    dialog.resize(900, 500)
    dialog.show()
    return dialog
