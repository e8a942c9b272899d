"""The Train tab's settings form, built from the TrainConfig dataclass.

Each field's :class:`core.config.Setting` says which widget it gets (a combo box for
choices, a spin box with its range for numbers), its label, its tooltip and when it
is greyed out; the same declaration gives the values for a TrainConfig and the keys
kept in QSettings. Adding a field to TrainConfig with a group adds it here.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from PySide6.QtCore import QT_TRANSLATE_NOOP, QObject, QSettings, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLineEdit,
    QSpinBox,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from core import config
from gui.i18n.core_messages import translate as core_text

#: (TrainConfig.pretrained, the picker's label, translated where shown)
PRETRAINED_CHOICES = (
    ("none", QT_TRANSLATE_NOOP("PretrainedPicker", "None (random init)")),
    ("imagenet", QT_TRANSLATE_NOOP("PretrainedPicker", "ImageNet (torchvision)")),
    ("file", QT_TRANSLATE_NOOP("PretrainedPicker", "From a .pth file")),
)


class PretrainedPicker(QWidget):
    """TrainConfig.pretrained: no weights, ImageNet, or a .pth file (with its path row).

    Signal ``changed()`` when the choice (not the path) changes.
    """

    changed = Signal()

    def __init__(self, tip: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.combo = QComboBox()
        for key, label in PRETRAINED_CHOICES:
            self.combo.addItem(self.tr(label), key)
        self.combo.setToolTip(tip)
        self.combo.currentIndexChanged.connect(self._on_choice)
        self.path_edit = QLineEdit()
        self.path_edit.setPlaceholderText(self.tr("path to weights .pth"))
        self.path_edit.setToolTip(
            self.tr("A .pth file holding a state_dict for this architecture.")
        )
        browse = QToolButton()
        browse.setText("...")
        browse.setToolTip(self.tr("Choose the .pth file."))
        browse.clicked.connect(self._browse)
        self.path_row = QWidget()
        row = QHBoxLayout(self.path_row)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.path_edit, 1)
        row.addWidget(browse)
        self.path_row.setVisible(False)
        box = QVBoxLayout(self)
        box.setContentsMargins(0, 0, 0, 0)
        box.addWidget(self.combo)
        box.addWidget(self.path_row)

    def key(self) -> str:
        return self.combo.currentData()

    def set_key(self, key: str) -> None:
        self.combo.setCurrentIndex(max(0, self.combo.findData(key)))

    def value(self) -> str:
        """ "none", "imagenet" or the .pth path ("none" while no path is given)."""
        if self.key() == "file":
            return self.path_edit.text().strip() or "none"
        return self.key()

    def set_value(self, value: str) -> None:
        if value in ("none", "imagenet"):
            self.set_key(value)
        else:
            self.path_edit.setText(value)
            self.set_key("file")

    def allow_imagenet(self, allowed: bool) -> None:
        """Only architectures with torchvision weights offer ImageNet."""
        self.combo.model().item(1).setEnabled(allowed)
        if not allowed and self.key() == "imagenet":
            self.set_key("none")

    def _on_choice(self, *_: Any) -> None:
        self.path_row.setVisible(self.key() == "file")
        self.changed.emit()

    def _browse(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self, self.tr("Pretrained weights"), "", self.tr("Weights (*.pth *.pt)")
        )
        if path:
            self.path_edit.setText(path)


def _spin(name: str, info: config.Setting) -> QWidget:
    low, high, *fmt = info.ui or info.bounds[:2]
    if isinstance(config.default(name), float):
        box = QDoubleSpinBox()
        decimals, step = fmt or (3, 0.1)
        box.setDecimals(int(decimals))
        box.setSingleStep(step)
    else:
        box = QSpinBox()
    box.setRange(low, high)
    box.setValue(config.default(name))
    return box


def _combo(name: str, info: config.Setting) -> QComboBox:
    box = QComboBox()
    box.addItems(list(info.choices))
    box.setCurrentText(config.default(name))
    return box


class SettingsForm(QObject):
    """The widgets of the TrainConfig fields the Train tab shows, and their values.

    Signal ``changed(str)`` with the name of the field whose value the user changed
    (the pretrained picker: its choice).
    """

    changed = Signal(str)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.widgets: dict[str, QWidget] = {}
        self._wanted: dict[str, str] = {}  # combo values not offered (yet): see set_choices
        self._layouts: dict[str, QFormLayout] = {}  # rows shown only where they apply

    def add_rows(self, layout: QFormLayout, names: Iterable[str]) -> None:
        """A labelled row per field, in the given order."""
        for name in names:
            info = config.setting(name)
            tip = core_text(info.tip)  # core marks labels and tips (QT_TRANSLATE_NOOP)
            if name == "pretrained":
                widget = PretrainedPicker(tip)
                widget.changed.connect(lambda name=name: self.changed.emit(name))
            elif info.choices:
                widget = _combo(name, info)
                widget.currentTextChanged.connect(lambda _, name=name: self._on_changed(name))
            else:
                widget = _spin(name, info)
                widget.valueChanged.connect(lambda _, name=name: self._on_changed(name))
            widget.setToolTip(tip)
            self.widgets[name] = widget
            layout.addRow(self.tr("{setting}:").format(setting=core_text(info.label)), widget)
            if info.shown_when:  # hidden until the panel knows the machine has it
                self._layouts[name] = layout
                layout.setRowVisible(widget, False)
        self._update_enabled()

    def show_row(self, name: str, visible: bool) -> None:
        """Show or hide the row of a field with ``Setting.shown_when`` (the panel decides)."""
        layout = self._layouts.get(name)
        if layout is not None:
            layout.setRowVisible(self.widgets[name], visible)

    # ------------------------------------------------------------------ values
    def value(self, name: str) -> Any:
        widget = self.widgets[name]
        if isinstance(widget, QComboBox):
            return widget.currentText()
        return widget.value()

    def set_value(self, name: str, value: Any) -> None:
        """Show ``value``; a choice the combo box does not offer (yet) is remembered."""
        widget = self.widgets[name]
        if isinstance(widget, QComboBox):
            if widget.findText(str(value)) >= 0:
                widget.setCurrentText(str(value))
                self._wanted.pop(name, None)
            else:
                self._wanted[name] = str(value)
        elif isinstance(widget, PretrainedPicker):
            widget.set_value(str(value))
        else:
            widget.setValue(value)

    def values(self) -> dict[str, Any]:
        """The TrainConfig values of every field on the form."""
        return {name: self.value(name) for name in self.widgets}

    def set_choices(self, name: str, choices: Sequence[str]) -> None:
        """Offer ``choices`` (e.g. the devices this machine has); keeps a remembered value."""
        box = self.widgets[name]
        wanted = self._wanted.pop(name, box.currentText())
        box.blockSignals(True)
        box.clear()
        box.addItems(list(choices))
        box.blockSignals(False)
        for value in (wanted, config.default(name)):
            if value in choices:
                box.setCurrentText(value)
                break
        if wanted not in choices:
            self._wanted[name] = wanted  # still wanted when a later list offers it

    # ------------------------------------------------------------------ settings
    def save(self, settings: QSettings) -> None:
        """Each field under its name; the picker's choice and path under two keys."""
        for name, widget in self.widgets.items():
            if isinstance(widget, PretrainedPicker):
                settings.setValue(name, widget.key())
                settings.setValue(f"{name}_file", widget.path_edit.text())
            else:
                settings.setValue(name, self._wanted.get(name, self.value(name)))

    def load(self, settings: QSettings) -> None:
        """Restore saved values; a missing or unreadable one keeps what the form shows."""
        for name, widget in self.widgets.items():
            if isinstance(widget, PretrainedPicker):
                widget.path_edit.setText(_read(settings, f"{name}_file", ""))
                widget.set_key(_read(settings, name, widget.key()))
            else:
                current = self.value(name)
                self.set_value(name, _read(settings, name, current))

    # ------------------------------------------------------------------ greying out
    def _on_changed(self, name: str) -> None:
        self._wanted.pop(name, None)  # a choice made now replaces a remembered one
        self._update_enabled()
        self.changed.emit(name)

    def _update_enabled(self) -> None:
        """Grey out the fields that the other choices make irrelevant (Setting.used_when)."""
        for name, widget in self.widgets.items():
            rule = config.setting(name).used_when
            if rule is not None and rule[0] in self.widgets:
                widget.setEnabled(self.value(rule[0]) in rule[1])


def _read(settings: QSettings, key: str, default: Any) -> Any:
    kind = type(default)
    try:
        return kind(settings.value(key, default, type=kind))
    except (TypeError, ValueError):
        return default
