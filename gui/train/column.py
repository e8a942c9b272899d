"""The Train tab's settings column: the Model, Hyperparameters and Output boxes.

The column scrolls up and down (twenty settings do not fit 720 px) but is always as
wide as its widest row needs: it never shows a horizontal scrollbar, and the
splitter next to it cannot make it narrower. Shrinking the window and enlarging it
again so leaves the column as it was; the plots take what the window gains or loses.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QSize, Qt
from PySide6.QtWidgets import (
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QScrollArea,
    QSizePolicy,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from core import BUILTIN_DIGITS, config
from gui.i18n.core_messages import translate as core_text
from gui.train.form import SettingsForm


class SettingsColumn(QScrollArea):
    """The settings boxes in a vertical scroll area sized to their width.

    Widgets the panel updates: ``data_label``, ``arch_help``, ``params_label``,
    ``output_edit``; the boxes ``model_group``, ``hyper_group``, ``output_group``.
    """

    def __init__(self, form: SettingsForm, runs_folder: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.form = form
        content = QWidget()
        box = QVBoxLayout(content)
        box.addWidget(self._build_model_group())
        box.addWidget(self._build_hyper_group())
        box.addWidget(self._build_output_group(runs_folder))
        box.addStretch(1)
        self.setWidgetResizable(True)
        self.setWidget(content)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        content.installEventFilter(self)  # its rows changed size: so does the column

    # ------------------------------------------------------------------ size
    def minimumSizeHint(self) -> QSize:  # noqa: N802 - Qt name
        return self._content_wide(super().minimumSizeHint(), "minimumSizeHint")

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt name
        return self._content_wide(super().sizeHint(), "sizeHint")

    def _content_wide(self, hint: QSize, which: str) -> QSize:
        """``hint`` made as wide as the content's own hint of that kind, plus the scrollbar."""
        content = self.widget()
        if content is None:
            return hint
        scrollbar = self.verticalScrollBar().sizeHint().width()  # room kept even when hidden
        width = getattr(content, which)().width() + scrollbar + 2 * self.frameWidth()
        return QSize(width, hint.height())

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt name
        if watched is self.widget() and event.type() == QEvent.Type.LayoutRequest:
            self.updateGeometry()
        return super().eventFilter(watched, event)

    # ------------------------------------------------------------------ boxes
    def _build_model_group(self) -> QGroupBox:
        group = QGroupBox(self.tr("Model"))
        rows = QFormLayout(group)
        self.data_label = QLabel(BUILTIN_DIGITS)
        self.data_label.setToolTip(self.tr("The dataset chosen in the Data tab."))
        self.data_label.setWordWrap(True)
        data = core_text(config.setting("data").label)
        rows.addRow(self.tr("{setting}:").format(setting=data), self.data_label)
        self.form.add_rows(rows, config.fields_in("model"))
        self.arch_help = QLabel("")
        self.arch_help.setWordWrap(True)
        self.arch_help.setStyleSheet("color: gray")
        rows.insertRow(2, self.arch_help)  # under the model choice
        self.params_label = QLabel(self.tr("Parameters: (loading PyTorch...)"))
        self.params_label.setToolTip(self.tr("Trainable / total parameters of the chosen model."))
        # one short line that never widens the column (a wrapped label in a scroll area
        # kept its old height and was cut off after the window was resized)
        self.params_label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        rows.addRow(self.params_label)
        self.model_group = group
        return group

    def _build_hyper_group(self) -> QGroupBox:
        group = QGroupBox(self.tr("Hyperparameters"))
        self.form.add_rows(QFormLayout(group), config.fields_in("hyper"))
        self.form.set_choices("device", ("auto", "cpu"))  # this machine's list: on_torch_ready
        self.hyper_group = group
        return group

    def _build_output_group(self, runs_folder: str) -> QGroupBox:
        group = QGroupBox(self.tr("Output"))
        self.output_group = group
        row = QHBoxLayout(group)
        self.output_edit = QLineEdit(runs_folder)
        self.output_edit.setToolTip(
            self.tr("Each run gets its own folder here (config, metrics, best.pt, last.pt).")
        )
        browse = QToolButton()
        browse.setText("...")
        browse.setToolTip(self.tr("Choose the folder for training runs."))
        browse.clicked.connect(self.browse_output)
        row.addWidget(self.output_edit, 1)
        row.addWidget(browse)
        return group

    def show_source(self, source: str) -> None:
        """The dataset's name or folder, wrapped at path separators (a long one never widens)."""
        self.data_label.setText(source.replace("/", "/\u200b").replace("\\", "\\\u200b"))
        tip = self.tr("The dataset chosen in the Data tab.")
        self.data_label.setToolTip(f"{source}\n{tip}")

    def browse_output(self) -> None:
        path = QFileDialog.getExistingDirectory(
            self, self.tr("Folder for training runs"), self.output_edit.text()
        )
        if path:
            self.output_edit.setText(path)
