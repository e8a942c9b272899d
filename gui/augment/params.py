"""Parameter editing: one widget per parameter kind, and the form of the selected step.

Everything a widget offers (range, step, slider end, tooltip, on/off switch) comes
from the step's :class:`core.augment.ParamInfo` in the declarative registry.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, Qt, Signal, Slot
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QSlider,
    QSpinBox,
    QWidget,
)

from core.augment import ParamInfo, TransformInfo
from gui.i18n.core_messages import translate as core_text

ERROR_STYLE = "border: 1px solid #d33;"
NO_STEP_HINT = QT_TRANSLATE_NOOP(
    "ParamEditor", "Click a step of a pipeline to edit its parameters here."
)

# Values a nullable parameter takes when the user switches it on.
_ON_VALUES: dict[tuple[str, str], Any] = {
    ("RandomAffine", "translate"): [0.1, 0.1],
    ("RandomAffine", "scale"): [0.9, 1.1],
    ("RandomAffine", "shear"): 10.0,
    ("Resize", "max_size"): 1024,
    ("RandomCrop", "padding"): 4,
}


def tooltip(info: ParamInfo) -> str:
    """What the parameter does (from the registry), its valid range, how to switch it off."""
    parts = [core_text(info.help)]
    if info.minimum is not None or info.maximum is not None:
        lo = "-∞" if info.minimum is None else f"{info.minimum:g}"
        hi = "∞" if info.maximum is None else f"{info.maximum:g}"
        bounds = f"{'(' if info.exclusive_minimum else '['}{lo}, {hi}]"
        parts.append(
            QCoreApplication.translate("ParamWidget", "Valid range: {range}.").format(range=bounds)
        )
    if info.nullable:
        parts.append(QCoreApplication.translate("ParamWidget", "Untick to switch it off."))
    return " ".join(parts)


def _float_step(info: ParamInfo) -> float:
    if info.step:
        return info.step
    span = (info.soft_max or info.maximum or 1.0) - (info.minimum or 0.0)
    return 1.0 if span >= 50 else 0.1 if span >= 5 else 0.01 if span >= 0.2 else 0.001


class ParamWidget(QWidget):
    """Edits one parameter with the widget its kind calls for; emits ``changed(value)``."""

    changed = Signal(object)

    def __init__(self, transform: str, info: ParamInfo, value: Any, parent=None) -> None:
        super().__init__(parent)
        self.info = info
        self.transform = transform
        self._updating = False
        self._on_box: QCheckBox | None = None
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        if info.nullable:
            self._on_box = QCheckBox()
            self._on_box.setToolTip(self.tr("On/off"))
            self._on_box.setChecked(value is not None)
            self._on_box.toggled.connect(self._on_toggled)
            layout.addWidget(self._on_box)
        shown = value if value is not None else self._on_value()
        self._editor = QWidget()
        self._editor_layout = QHBoxLayout(self._editor)
        self._editor_layout.setContentsMargins(0, 0, 0, 0)
        self._getter = self._build(shown)
        layout.addWidget(self._editor, 1)
        self._editor.setEnabled(value is not None or not info.nullable)
        self.setToolTip(tooltip(info))

    # ----------------------------------------------------------------- building

    def _on_value(self) -> Any:
        value = _ON_VALUES.get((self.transform, self.info.name))
        if value is not None:
            return value
        if self.info.kind == "floats":
            return [self.info.minimum or 0.0] * (self.info.length or 1)
        return self.info.minimum or 0

    def _build(self, value: Any) -> Callable[[], Any]:
        kind = self.info.kind
        if kind == "bool":
            return self._build_bool(value)
        if kind == "choice":
            return self._build_choice(value)
        if kind in ("float", "int"):
            return self._build_number(value)
        if kind == "size":
            return self._build_size(value)
        if self.info.length:
            return self._build_pair(value)
        return self._build_list(value)

    def _build_bool(self, value: bool) -> Callable[[], Any]:
        box = QCheckBox()
        box.setChecked(bool(value))
        box.toggled.connect(self._emit)
        self._editor_layout.addWidget(box)
        self.check_box = box
        return box.isChecked

    def _build_choice(self, value: Any) -> Callable[[], Any]:
        combo = QComboBox()
        for choice in self.info.choices or ():
            combo.addItem(str(choice), choice)
        combo.setCurrentIndex(max(0, combo.findData(value)))
        combo.currentIndexChanged.connect(self._emit)
        self._editor_layout.addWidget(combo)
        self.combo = combo
        return combo.currentData

    def _spin(self, integer: bool) -> QSpinBox | QDoubleSpinBox:
        info = self.info
        lo = info.minimum if info.minimum is not None else -1e6
        hi = info.maximum if info.maximum is not None else 1e6
        if integer:
            spin = QSpinBox()
            spin.setRange(int(lo), int(hi))
            spin.setSingleStep(int(info.step or 1))
        else:
            spin = QDoubleSpinBox()
            step = _float_step(info)
            spin.setDecimals(1 if step >= 1 else 2 if step >= 0.1 else 3)
            spin.setRange(float(lo), float(hi))
            spin.setSingleStep(step)
        spin.setKeyboardTracking(False)
        spin.setToolTip(tooltip(info))
        return spin

    def _build_number(self, value: float) -> Callable[[], Any]:
        integer = self.info.kind == "int"
        spin = self._spin(integer)
        slider = QSlider(Qt.Orientation.Horizontal)
        lo = self.info.minimum if self.info.minimum is not None else 0.0
        hi = self.info.soft_max or self.info.maximum or lo + 100
        step = (self.info.step or 1) if integer else _float_step(self.info)
        slider.setRange(0, max(1, round((hi - lo) / step)))
        slider.setToolTip(tooltip(self.info))

        def from_slider(pos: int) -> None:
            if not self._updating:
                spin.setValue(lo + pos * step)

        def to_slider(v: float) -> None:
            self._updating = True
            slider.setValue(round((v - lo) / step))
            self._updating = False
            self._emit()

        spin.setValue(value)
        slider.setValue(round((float(value) - lo) / step))
        slider.valueChanged.connect(from_slider)
        spin.valueChanged.connect(to_slider)
        self._editor_layout.addWidget(slider, 1)
        self._editor_layout.addWidget(spin)
        self.slider, self.spin = slider, spin
        return (lambda: int(spin.value())) if integer else (lambda: round(spin.value(), 6))

    def _build_size(self, value: int | list[int]) -> Callable[[], Any]:
        h = self._spin(True)
        w = self._spin(True)
        rect = QCheckBox("h×w")
        rect.setToolTip(self.tr("Give height and width separately (otherwise a square)."))
        pair = isinstance(value, list)
        h.setValue(value[0] if pair else value)
        w.setValue(value[1] if pair else value)
        rect.setChecked(pair)
        w.setEnabled(pair)
        rect.toggled.connect(w.setEnabled)
        for signal in (h.valueChanged, w.valueChanged, rect.toggled):
            signal.connect(self._emit)
        for widget in (h, rect, w):
            self._editor_layout.addWidget(widget)
        self.spin, self.spin_w, self.rect_box = h, w, rect
        return lambda: [h.value(), w.value()] if rect.isChecked() else h.value()

    def _build_pair(self, value: list[float]) -> Callable[[], Any]:
        spins = []
        for v in list(value)[: self.info.length]:
            spin = self._spin(False)
            spin.setValue(v)
            spin.valueChanged.connect(self._emit)
            self._editor_layout.addWidget(spin)
            spins.append(spin)
        self.spins = spins
        return lambda: [round(s.value(), 6) for s in spins]

    def _build_list(self, value: list[float]) -> Callable[[], Any]:
        edit = QLineEdit(", ".join(f"{v:g}" for v in value))
        edit.setToolTip(f"{tooltip(self.info)} {self.tr('Comma-separated, one per channel.')}")
        edit.editingFinished.connect(self._emit)
        self._editor_layout.addWidget(edit)
        self.line_edit = edit

        def parse() -> Any:
            parts = [p for p in edit.text().replace(";", ",").split(",") if p.strip()]
            try:
                return [float(p) for p in parts]
            except ValueError:
                return edit.text()  # validation reports it inline

        return parse

    # ----------------------------------------------------------------- values

    def value(self) -> Any:
        if self._on_box is not None and not self._on_box.isChecked():
            return None
        return self._getter()

    def set_error(self, on: bool) -> None:
        self._editor.setStyleSheet(ERROR_STYLE if on else "")

    @Slot(bool)
    def _on_toggled(self, on: bool) -> None:
        self._editor.setEnabled(on)
        self._emit()

    def _emit(self, *_: Any) -> None:
        if not self._updating:
            self.changed.emit(self.value())

    def set_value(self, value: Any) -> None:
        """Set the value through the widget, as a user would (emits ``changed``)."""
        kind = self.info.kind
        if kind == "bool":
            self.check_box.setChecked(bool(value))
        elif kind == "choice":
            self.combo.setCurrentIndex(self.combo.findData(value))
        elif kind in ("float", "int"):
            self.spin.setValue(value)
        else:
            self.changed.emit(value)


class ParamEditor(QGroupBox):
    """The form of the selected step's parameters; ``param_changed(name, value)``."""

    param_changed = Signal(str, object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setTitle(self.tr("Parameters"))
        self.form = QFormLayout(self)
        self.widgets: dict[str, ParamWidget] = {}
        self.show_hint()

    def _clear(self) -> None:
        while self.form.rowCount():
            self.form.removeRow(0)
        self.widgets = {}

    def show_hint(self, text: str = NO_STEP_HINT) -> None:
        """No step selected: say how to get one."""
        self._clear()
        self.setTitle(self.tr("Parameters"))
        self.form.addRow(QLabel(self.tr(text)))

    def show_step(self, title: str, info: TransformInfo, params: dict) -> None:
        """One row per parameter of ``info``, showing ``params`` (defaults where missing)."""
        self._clear()
        self.setTitle(self.tr("Parameters — {step}").format(step=title))
        if not info.params:
            self.form.addRow(QLabel(self.tr("This step has no parameters.")))
        defaults = info.defaults()
        for p in info.params:
            widget = ParamWidget(info.name, p, params.get(p.name, defaults[p.name]))
            widget.changed.connect(lambda v, name=p.name: self.param_changed.emit(name, v))
            label = QLabel(p.name)
            label.setToolTip(tooltip(p))
            self.form.addRow(label, widget)
            self.widgets[p.name] = widget

    def mark_error(self, field: str | None) -> None:
        """Frame the field named in a problem red (None: no field is wrong)."""
        for name, widget in self.widgets.items():
            widget.set_error(name == field)
