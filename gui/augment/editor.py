"""The editing side of the Augment panel: presets, the two step lists, the parameter form.

Widgets only: buttons and dialogs become signals, which the panel turns into edits
of its :class:`~gui.augment.pipeline.Pipeline`.
"""

from __future__ import annotations

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, QTimer, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QGroupBox,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QMenu,
    QPushButton,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from core.augment import CATEGORIES, TRANSFORMS
from gui.augment.params import ParamEditor
from gui.augment.pipeline import WHICH, Pipeline
from gui.augment.presets import BUILTIN_PRESETS, preset_label
from gui.augment.steps import StepList, StepListModel
from gui.i18n.core_messages import translate as core_text

CUSTOM_LABEL = QT_TRANSLATE_NOOP("EditorPane", "(custom)")
CATEGORY_LABELS = {
    "geometry": QT_TRANSLATE_NOOP("EditorPane", "Geometry"),
    "color": QT_TRANSLATE_NOOP("EditorPane", "Color"),
    "policy": QT_TRANSLATE_NOOP("EditorPane", "Policy"),
    "tensor": QT_TRANSLATE_NOOP("EditorPane", "Tensor"),
}
COPIED_MS = 2000


class EditorPane(QWidget):
    """Presets, the train and eval step lists side by side, the selected step's form.

    Signals: ``add_requested(pipeline, transform)``, ``remove_requested(pipeline)``,
    ``move_requested(pipeline, delta)``; ``preset_chosen(name)``, ``custom_chosen()``,
    ``preset_save_requested(name)``, ``preset_delete_requested(name)``;
    ``load_requested(path)``, ``save_requested(path)``, ``copy_requested()``.
    """

    add_requested = Signal(str, str)
    remove_requested = Signal(str)
    move_requested = Signal(str, int)
    preset_chosen = Signal(str)
    custom_chosen = Signal()  # "(custom)": the user's own pipelines back
    preset_save_requested = Signal(str)
    preset_delete_requested = Signal(str)
    load_requested = Signal(str)
    save_requested = Signal(str)
    copy_requested = Signal()

    def __init__(self, pipeline: Pipeline, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        col = QVBoxLayout(self)
        col.addLayout(self._preset_row())
        lists = QHBoxLayout()
        self.lists = {which: StepList(StepListModel(pipeline, which)) for which in WHICH}
        titles = {"train": self.tr("Train pipeline"), "eval": self.tr("Eval pipeline")}
        for which, title in titles.items():
            group = QGroupBox(title)
            g = QVBoxLayout(group)
            g.addWidget(self.lists[which])
            g.addLayout(self._list_buttons(which))
            lists.addWidget(group)
        self.lists["train"].setToolTip(self.tr("Drag to reorder; tick to enable a step."))
        self.lists["eval"].setToolTip(
            self.tr("What validation and prediction do (stored in the model bundle).")
        )
        col.addLayout(lists, 1)
        self.param_editor = ParamEditor()
        col.addWidget(self.param_editor)
        self.error_label = QLabel()
        self.error_label.setWordWrap(True)
        self.error_label.setStyleSheet("color: #c00;")
        col.addWidget(self.error_label)
        col.addLayout(self._file_row())

    def _preset_row(self) -> QHBoxLayout:
        row = QHBoxLayout()
        row.addWidget(QLabel(self.tr("Preset:")))
        self.preset_combo = QComboBox()
        self.preset_combo.setToolTip(
            self.tr(
                "seed = the notes' pipeline; digits = 28x28 grayscale. Choosing a preset keeps "
                "your own edits: (custom) brings them back."
            )
        )
        self.preset_combo.activated.connect(self._on_preset_activated)
        row.addWidget(self.preset_combo, 1)
        save = QPushButton(self.tr("Save preset…"))
        save.clicked.connect(self._ask_preset_name)
        delete = QPushButton(self.tr("Delete"))
        delete.setToolTip(self.tr("Delete the selected user preset."))
        delete.clicked.connect(self._on_delete_clicked)
        row.addWidget(save)
        row.addWidget(delete)
        return row

    def _add_menu(self, parent: QToolButton, which: str) -> QMenu:
        """The transforms by category, each adding a step to pipeline ``which``."""
        menu = QMenu(parent)
        for category in CATEGORIES:
            label = CATEGORY_LABELS.get(category, category.capitalize())
            sub = menu.addMenu(QCoreApplication.translate("EditorPane", label))
            sub.setToolTipsVisible(True)
            for info in TRANSFORMS.values():
                if info.category == category:
                    action = sub.addAction(info.name)
                    action.setToolTip(core_text(info.help))
                    action.triggered.connect(
                        lambda _=False, n=info.name: self.add_requested.emit(which, n)
                    )
        return menu

    def _list_buttons(self, which: str) -> QHBoxLayout:
        row = QHBoxLayout()
        add = QToolButton()
        add.setText(self.tr("Add ▾"))
        add.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        add.setMenu(self._add_menu(add, which))
        row.addWidget(add)
        for text, tip, slot in (
            (
                self.tr("Remove"),
                self.tr("Remove the selected step."),
                lambda: self.remove_requested.emit(which),
            ),
            (
                "↑",
                self.tr("Move the selected step up."),
                lambda: self.move_requested.emit(which, -1),
            ),
            (
                "↓",
                self.tr("Move the selected step down."),
                lambda: self.move_requested.emit(which, 1),
            ),
        ):
            button = QToolButton()  # compact: the two pipelines sit side by side
            button.setText(text)
            button.setToolTip(tip)
            button.clicked.connect(slot)
            row.addWidget(button)
        row.addStretch(1)
        return row

    def _file_row(self) -> QHBoxLayout:
        row = QHBoxLayout()
        for text, tip, slot in (
            (
                self.tr("Load JSON…"),
                self.tr("Load train/eval pipelines from a JSON file."),
                self._ask_load,
            ),
            (
                self.tr("Save JSON…"),
                self.tr("Save both pipelines as JSON (usable with --augment)."),
                self._ask_save,
            ),
            (
                self.tr("Copy as code"),
                self.tr("Put the torchvision Python source on the clipboard."),
                self.copy_requested,
            ),
        ):
            button = QPushButton(text)
            button.setToolTip(tip)
            button.clicked.connect(slot)
            row.addWidget(button)
        self.copy_button = button  # the last one: its text confirms a copy for a moment
        self._copy_text = button.text()
        self._copied_timer = QTimer(self)
        self._copied_timer.setSingleShot(True)
        self._copied_timer.setInterval(COPIED_MS)
        self._copied_timer.timeout.connect(lambda: self.copy_button.setText(self._copy_text))
        return row

    def flash_copied(self) -> None:
        """Say on the button that the code is on the clipboard (for COPIED_MS)."""
        self.copy_button.setText(self.tr("Copied \u2713"))
        self._copied_timer.start()

    # ----------------------------------------------------------------- presets

    def show_presets(self, user_names: list[str], select: str | None = None) -> None:
        """Fill the preset box: (custom), the built-in presets, the user's; select one."""
        combo = self.preset_combo
        combo.blockSignals(True)
        combo.clear()
        combo.addItem(self.tr(CUSTOM_LABEL), None)
        for name in BUILTIN_PRESETS:
            combo.addItem(preset_label(name), ("builtin", name))
        for name in user_names:
            combo.addItem(self.tr("{name} (mine)").format(name=name), ("user", name))
        index = 0
        for i in range(combo.count()):
            data = combo.itemData(i)
            if select is not None and data is not None and data[1] == select:
                index = i
        combo.setCurrentIndex(index)
        combo.blockSignals(False)

    def show_custom(self) -> None:
        """The pipelines no longer match the preset shown: show (custom)."""
        if self.preset_combo.currentIndex() != 0:
            self.preset_combo.setCurrentIndex(0)

    def _on_preset_activated(self, index: int) -> None:
        data = self.preset_combo.itemData(index)
        if data is not None:
            self.preset_chosen.emit(data[1])
        else:
            self.custom_chosen.emit()

    def _ask_preset_name(self) -> None:
        name, ok = QInputDialog.getText(self, self.tr("Save preset"), self.tr("Preset name:"))
        if ok and name:
            self.preset_save_requested.emit(name)

    def _on_delete_clicked(self) -> None:
        data = self.preset_combo.currentData()
        if data is not None and data[0] == "user":
            self.preset_delete_requested.emit(data[1])

    # ----------------------------------------------------------------- files

    def _ask_load(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self, self.tr("Load pipeline"), "", self.tr("JSON (*.json)")
        )
        if path:
            self.load_requested.emit(path)

    def _ask_save(self) -> None:
        path, _ = QFileDialog.getSaveFileName(
            self, self.tr("Save pipeline"), "augment.json", self.tr("JSON (*.json)")
        )
        if path:
            self.save_requested.emit(path)
