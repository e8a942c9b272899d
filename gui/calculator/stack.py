"""The Layer stack tab: layers written as text specs, edited in a table; the results beside."""

from __future__ import annotations

from PySide6.QtCore import Signal, Slot
from PySide6.QtGui import QBrush
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from core import convcalc as cc
from gui.calculator.widgets import ERROR_STYLE, RED, fill_results, results_table, spin_box
from gui.i18n.core_messages import translate as core_text


class LayerStackTab(QWidget):
    """Rows of text specs you can add, edit, remove and reorder; a results table beside."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.rows: list[cc.LayerResult] = []
        self.preset_combo = QComboBox()
        self.preset_combo.addItem(self.tr("Presets..."), None)
        for key, preset in cc.PRESETS.items():
            self.preset_combo.addItem(core_text(preset.title), key)
        self.preset_combo.activated.connect(self._on_preset)
        self.c_spin = spin_box(1, 4096, 3, self.tr("input channels"))
        self.h_spin = spin_box(1, 4096, 224, self.tr("input height"))
        self.w_spin = spin_box(1, 4096, 224, self.tr("input width"))
        for box in (self.c_spin, self.h_spin, self.w_spin):
            box.valueChanged.connect(self.recompute)

        self.spec_table = QTableWidget(0, 1)
        self.spec_table.setHorizontalHeaderLabels([self.tr("layer spec (double-click to edit)")])
        self.spec_table.horizontalHeader().setStretchLastSection(True)
        self.spec_table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.spec_table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.spec_table.setToolTip(core_text(cc.SPEC_HELP))
        self.spec_table.itemChanged.connect(self._on_item_changed)

        self.add_button = QPushButton(self.tr("Add"))
        self.add_button.setToolTip(self.tr("add a layer below the selected one"))
        self.remove_button = QPushButton(self.tr("Remove"))
        self.up_button = QPushButton(self.tr("Up"))
        self.down_button = QPushButton(self.tr("Down"))
        self.add_button.clicked.connect(lambda: self.add_layer())
        self.remove_button.clicked.connect(self.remove_selected)
        self.up_button.clicked.connect(lambda: self.move_selected(-1))
        self.down_button.clicked.connect(lambda: self.move_selected(1))

        self.results = results_table()
        self.error_label = QLabel()
        self.error_label.setWordWrap(True)
        self.error_label.setStyleSheet(ERROR_STYLE)
        self.total_label = QLabel()
        self.description_label = QLabel()
        self.description_label.setWordWrap(True)
        self.help_label = QLabel(self.tr("Specs: {help}").format(help=core_text(cc.SPEC_HELP)))
        self.help_label.setWordWrap(True)

        top = QHBoxLayout()
        top.addWidget(self.preset_combo)
        top.addWidget(QLabel(self.tr("input C, H, W")))
        for box in (self.c_spin, self.h_spin, self.w_spin):
            top.addWidget(box)
        top.addStretch(1)
        buttons = QHBoxLayout()
        for button in (self.add_button, self.remove_button, self.up_button, self.down_button):
            buttons.addWidget(button)
        left = QVBoxLayout()
        left.addWidget(self.spec_table, 1)
        left.addLayout(buttons)
        left.addWidget(self.help_label)
        right = QVBoxLayout()
        right.addWidget(self.results, 1)
        right.addWidget(self.total_label)
        right.addWidget(self.error_label)
        body = QGridLayout()
        body.addLayout(left, 0, 0)
        body.addLayout(right, 0, 1)
        body.setColumnStretch(0, 2)
        body.setColumnStretch(1, 3)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.description_label)
        layout.addLayout(body, 1)
        self.load_preset("alexnet_features")

    # editing -------------------------------------------------------------------------
    def specs(self) -> list[str]:
        out = []
        for r in range(self.spec_table.rowCount()):
            item = self.spec_table.item(r, 0)
            out.append(item.text() if item else "")
        return out

    def set_specs(self, specs: list[str]) -> None:
        self.spec_table.blockSignals(True)
        self.spec_table.setRowCount(0)
        for spec in specs:
            self._insert_row(self.spec_table.rowCount(), spec)
        self.spec_table.blockSignals(False)
        self.recompute()

    def _insert_row(self, row: int, spec: str) -> None:
        self.spec_table.insertRow(row)
        self.spec_table.setItem(row, 0, QTableWidgetItem(spec))

    def set_input(self, shape: tuple[int, int, int]) -> None:
        for box, value in zip((self.c_spin, self.h_spin, self.w_spin), shape, strict=True):
            box.blockSignals(True)
            box.setValue(int(value))
            box.blockSignals(False)
        self.recompute()

    def input_shape(self) -> tuple[int, int, int]:
        return self.c_spin.value(), self.h_spin.value(), self.w_spin.value()

    def load_preset(self, key: str) -> None:
        preset = cc.PRESETS[key]
        index = self.preset_combo.findData(key)
        if index >= 0:
            self.preset_combo.setCurrentIndex(index)
        self.description_label.setText(core_text(preset.description))
        self.set_input(preset.input_shape)
        self.set_specs(list(preset.layers))

    @Slot(int)
    def _on_preset(self, index: int) -> None:
        key = self.preset_combo.itemData(index)
        if key:
            self.load_preset(key)

    def selected_row(self) -> int:
        rows = self.spec_table.selectionModel().selectedRows()
        return rows[0].row() if rows else -1

    def add_layer(self, spec: str = "conv:out=16,k=3,s=1,p=1", row: int | None = None) -> None:
        if row is None:
            selected = self.selected_row()
            row = selected + 1 if selected >= 0 else self.spec_table.rowCount()
        self.spec_table.blockSignals(True)
        self._insert_row(row, spec)
        self.spec_table.blockSignals(False)
        self.spec_table.selectRow(row)
        self.recompute()

    @Slot()
    def remove_selected(self) -> None:
        row = self.selected_row()
        if row < 0:
            return
        self.spec_table.removeRow(row)
        if self.spec_table.rowCount():
            self.spec_table.selectRow(min(row, self.spec_table.rowCount() - 1))
        self.recompute()

    def move_selected(self, step: int) -> None:
        row = self.selected_row()
        target = row + step
        if row < 0 or not 0 <= target < self.spec_table.rowCount():
            return
        specs = self.specs()
        specs[row], specs[target] = specs[target], specs[row]
        self.set_specs(specs)
        self.spec_table.selectRow(target)

    @Slot(QTableWidgetItem)
    def _on_item_changed(self, item: QTableWidgetItem) -> None:
        self.recompute()

    # results ---------------------------------------------------------------------------
    @Slot()
    def recompute(self) -> None:
        specs = [s for s in self.specs() if s.strip()]
        error_index = None
        try:
            self.rows = cc.compute_table(self.input_shape(), specs)
            self.error_label.setText("")
        except cc.ConvCalcError as exc:
            self.rows = exc.rows
            error_index = exc.index
            self.error_label.setText(core_text(str(exc)))
        fill_results(self.results, self.rows)
        self._mark_bad_spec(error_index)
        total = cc.total_params(self.rows)
        last = self.rows[-1] if self.rows else None
        facts = [self.tr("total parameters: {count}").format(count=f"{total:,}")]
        if last is not None:  # a list of facts, each translated whole
            shape = cc.format_shape(last.out_shape)
            facts.append(self.tr("output: {shape}").format(shape=shape))
            rf = [r for r in self.rows if r.rf is not None]
            if rf:
                facts.append(
                    self.tr("receptive field: {size} (at {layer})").format(
                        size=cc.format_pair(rf[-1].rf), layer=rf[-1].layer
                    )
                )
        self.total_label.setText("   ".join(facts))
        self.changed.emit()

    def _mark_bad_spec(self, error_index: int | None) -> None:
        """Shade the spec row the error is about (indices count non-empty rows)."""
        self.spec_table.blockSignals(True)
        nonempty = -1
        for r in range(self.spec_table.rowCount()):
            item = self.spec_table.item(r, 0)
            if item is None:
                continue
            if item.text().strip():
                nonempty += 1
            bad = error_index is not None and nonempty == error_index and item.text().strip()
            item.setBackground(QBrush(RED) if bad else QBrush())
        self.spec_table.blockSignals(False)
