"""The Single layer tab: H2 = (H - F + 2P) / S + 1 with the numbers, and the kernel drawing."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QFormLayout, QGroupBox, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from core import convcalc as cc
from gui.calculator.kernel_view import KernelView
from gui.calculator.widgets import ERROR_STYLE, WARN_STYLE, spin_box
from gui.i18n.core_messages import translate as core_text


class SingleLayerTab(QWidget):
    """One convolution: inputs, H2 x W2 x K, the formula with numbers, params, warnings."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.h_spin = spin_box(1, 4096, 224, self.tr("input height H in pixels"))
        self.w_spin = spin_box(1, 4096, 224, self.tr("input width W in pixels"))
        self.c_spin = spin_box(
            1, 4096, 3, self.tr("input channels C_in (3 for RGB, 1 for grayscale)")
        )
        self.k_spin = spin_box(1, 64, 7, self.tr("kernel size F (square F x F)"))
        self.s_spin = spin_box(
            1, 64, 2, self.tr("stride S: how many pixels the kernel moves per step")
        )
        self.p_spin = spin_box(0, 64, 3, self.tr("zero padding P added on every side"))
        self.d_spin = spin_box(1, 16, 1, self.tr("dilation D: gaps between kernel taps (1 = none)"))
        self.out_spin = spin_box(1, 4096, 64, self.tr("number of kernels K = output channels"))
        form = QFormLayout()
        for label, box in (
            ("H", self.h_spin),
            ("W", self.w_spin),
            ("C_in", self.c_spin),
            (self.tr("kernel F"), self.k_spin),
            (self.tr("stride S"), self.s_spin),
            (self.tr("padding P"), self.p_spin),
            (self.tr("dilation D"), self.d_spin),
            (self.tr("kernels K"), self.out_spin),
        ):
            form.addRow(label, box)
            box.valueChanged.connect(self.recompute)

        self.output_label = QLabel()
        font = self.output_label.font()
        font.setPointSizeF(font.pointSizeF() * 1.6)
        font.setBold(True)
        self.output_label.setFont(font)
        self.formula_label = QLabel()
        self.formula_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        mono = QFont("monospace")
        mono.setStyleHint(QFont.StyleHint.Monospace)
        self.formula_label.setFont(mono)
        self.formula_label.setWordWrap(True)
        self.params_label = QLabel()
        self.warning_label = QLabel()
        self.warning_label.setWordWrap(True)
        self.hover_label = QLabel()
        self.view = KernelView()
        self.view.hovered_changed.connect(self._on_hover)

        results = QVBoxLayout()
        results.addWidget(self.output_label)
        results.addWidget(self.formula_label)
        results.addWidget(self.params_label)
        results.addWidget(self.warning_label)
        results.addWidget(self.hover_label)
        results.addWidget(self.view, 1)

        layout = QHBoxLayout(self)
        inputs = QGroupBox(self.tr("Layer"))
        inputs.setLayout(form)
        layout.addWidget(inputs)
        layout.addLayout(results, 1)
        self.recompute()

    def values(self) -> dict[str, int]:
        return {
            "h": self.h_spin.value(),
            "w": self.w_spin.value(),
            "c": self.c_spin.value(),
            "k": self.k_spin.value(),
            "s": self.s_spin.value(),
            "p": self.p_spin.value(),
            "d": self.d_spin.value(),
            "out": self.out_spin.value(),
        }

    def set_values(self, **values: int) -> None:
        """Set several inputs at once and recompute once (tests and presets)."""
        boxes = {
            "h": self.h_spin,
            "w": self.w_spin,
            "c": self.c_spin,
            "k": self.k_spin,
            "s": self.s_spin,
            "p": self.p_spin,
            "d": self.d_spin,
            "out": self.out_spin,
        }
        for key, value in values.items():
            boxes[key].blockSignals(True)
            boxes[key].setValue(int(value))
            boxes[key].blockSignals(False)
        self.recompute()

    @Slot()
    def recompute(self) -> None:
        v = self.values()
        layer = cc.Conv(
            out=v["out"],
            k=(v["k"], v["k"]),
            s=(v["s"], v["s"]),
            p=(v["p"], v["p"]),
            d=(v["d"], v["d"]),
        )
        formulas = [  # each part (the formula, its notes) translated whole
            "   ".join(map(core_text, cc.formula_parts(v[n], v["k"], v["s"], v["p"], v["d"], axis)))
            for n, axis in (("h", "H"), ("w", "W"))
        ]
        self.formula_label.setText("\n".join(formulas))
        self.view.set_params(v["h"], v["w"], v["k"], v["s"], v["p"], v["d"])
        try:
            row = cc.compute_table((v["c"], v["h"], v["w"]), [layer])[0]
        except cc.ConvCalcError as exc:
            self.output_label.setText(self.tr("output < 1"))
            self.params_label.setText("")
            message = core_text(str(exc).split(": ", 2)[-1])
            self.warning_label.setText(self.tr("Error: {message}").format(message=message))
            self.warning_label.setStyleSheet(ERROR_STYLE)
        else:
            c, h2, w2 = row.out_shape
            self.output_label.setText(f"{h2} x {w2} x {c}")
            weights = v["out"] * v["c"] * v["k"] * v["k"]
            self.params_label.setText(
                self.tr(
                    "parameters: {params}  = K*C_in*F*F + K = {k}*{c}*{f}*{f} + {k} = "
                    "{weights} + {k}"
                ).format(
                    params=f"{row.params:,}",
                    k=v["out"],
                    c=v["c"],
                    f=v["k"],
                    weights=f"{weights:,}",
                )
            )
            self.warning_label.setText(
                "\n".join(
                    self.tr("Warning: {message}").format(message=core_text(w)) for w in row.warnings
                )
            )
            self.warning_label.setStyleSheet(WARN_STYLE)
        self._on_hover(self.view.hovered)
        self.changed.emit()

    @Slot(object)
    def _on_hover(self, cell: object) -> None:
        active = self.view.active_cell()
        if active is None:
            self.hover_label.setText("")
            return
        r, c = active
        top, left = r * self.view.s, c * self.view.s
        span = cc.effective_kernel(self.view.k, self.view.d)
        self.hover_label.setText(
            self.tr(
                "output ({row}, {col}) sees padded input rows {top}..{bottom}, "
                "columns {left}..{right} (hover the output grid)"
            ).format(row=r, col=c, top=top, bottom=top + span - 1, left=left, right=left + span - 1)
        )
