"""The Augment panel: edit the train/eval pipelines and watch their effect live.

The spec edited here is the one training uses (the main window hands
:meth:`AugmentPanel.specs` to the trainer), so the preview shows exactly what the
model will get. The pipelines live in a :class:`Pipeline` (the list views and the
parameter form show and edit it); the preview's images and background work live in
an :class:`AugmentSession`; this module only wires widgets to the two.

No torch import at module top: the panel is built before PyTorch finishes loading;
torch-using work starts after :meth:`AugmentPanel.on_torch_ready`.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image
from PySide6.QtCore import QSettings, Qt, Signal, Slot
from PySide6.QtGui import QGuiApplication, QImage
from PySide6.QtWidgets import (
    QFileDialog,
    QMessageBox,
    QSplitter,
    QVBoxLayout,
)

from core import BUILTIN_DIGITS, augment
from core.augment import TRANSFORMS, SpecError
from core.predict_checks import image_facts
from gui.augment.editor import EditorPane
from gui.augment.params import ParamWidget
from gui.augment.pipeline import WHICH, Edit, Pipeline
from gui.augment.presets import PresetStore
from gui.augment.preview import PreviewRequest, PreviewResult, channel_note
from gui.augment.preview_pane import PreviewPane
from gui.augment.session import AugmentSession
from gui.i18n.core_messages import translate as core_text
from gui.panel import Panel


class AugmentPanel(Panel):
    """Pipeline editor + live preview. ``specs()`` is what training uses."""

    title = "Augment"

    specs_changed = Signal(object)  # {"train": spec, "eval": spec}, valid specs only
    preview_updated = Signal(object)  # {"seed", "n", "view", "shape", "info"}
    preview_failed = Signal(str)

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.pipeline = Pipeline(self)
        self.session = AugmentSession(self)
        self.session.request_builder = self._build_request
        self._presets = PresetStore(Path(QSettings().fileName()).parent / "augment_presets")
        self._pretrained_stats: tuple[list[float], list[float]] | None = None
        self._auto_preset = True  # follow the dataset (digits/seed) until the user edits
        self._active = "train"  # the pipeline whose step the parameter form shows
        self._syncing = False  # selection changes made by the panel itself
        self._programmatic = False  # edits made by the panel itself (presets, restore)
        self._last_grid: QImage | None = None
        self._last_valid: dict | None = None
        self._applied: dict | None = None  # the preset last applied, to spot edits
        self._applied_name: str | None = None
        self._custom: dict | None = None  # the user's own pipelines, kept across presets
        self._build_ui()
        self._connect()
        self._restore()

    @property
    def sample_loader(self) -> Callable[[str], dict]:
        """source -> {class: [images]}; tests replace it."""
        return self.session.sample_loader

    @sample_loader.setter
    def sample_loader(self, loader: Callable[[str], dict]) -> None:
        self.session.sample_loader = loader

    @property
    def presets_dir(self) -> Path:
        return self._presets.folder

    @presets_dir.setter
    def presets_dir(self, folder: Path) -> None:
        self._presets.folder = Path(folder)

    # ----------------------------------------------------------------- layout

    def _build_ui(self) -> None:
        self.editor = editor = EditorPane(self.pipeline)
        self.lists = editor.lists
        self.train_list, self.eval_list = editor.lists["train"], editor.lists["eval"]
        self.preset_combo, self.error_label = editor.preset_combo, editor.error_label
        self.param_editor = editor.param_editor
        self.param_form = editor.param_editor.form
        self.preview_pane = pane = PreviewPane()
        self.class_combo, self.index_spin = pane.class_combo, pane.index_spin
        self.pipeline_combo, self.n_spin = pane.pipeline_combo, pane.n_spin
        self.seed_spin, self.view_combo = pane.seed_spin, pane.view_combo
        self.per_class_box, self.preview_area = pane.per_class_box, pane.preview_area
        self.original_label, self.info_label = pane.original_label, pane.info_label
        self.warning_label = pane.warning_label
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(editor)
        splitter.addWidget(pane)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([520, 740])
        layout = QVBoxLayout(self)
        layout.addWidget(splitter)

    def _connect(self) -> None:
        self.pipeline.changed.connect(self._on_edited)
        self.pipeline.edited.connect(self._on_structure_edited)
        editor, pane, session = self.editor, self.preview_pane, self.session
        for which, lst in self.lists.items():
            lst.current_row_changed.connect(lambda _row, w=which: self._on_current_row(w))
        editor.param_editor.param_changed.connect(self._set_param_value)
        editor.add_requested.connect(lambda which, name: self.add_step(name, which))
        editor.remove_requested.connect(self.remove_step)
        editor.move_requested.connect(lambda which, delta: self.move_step(delta, which))
        editor.preset_chosen.connect(self._on_preset_chosen)
        editor.custom_chosen.connect(self.restore_custom)
        editor.preset_save_requested.connect(
            lambda name: self._or_warn(self.tr("Save preset"), self.save_user_preset, name)
        )
        editor.preset_delete_requested.connect(self.delete_user_preset)
        editor.load_requested.connect(
            lambda p: self._or_warn(self.tr("Load pipeline"), self.load_spec, p)
        )
        editor.save_requested.connect(
            lambda p: self._or_warn(self.tr("Save pipeline"), self.save_spec, p)
        )
        editor.copy_requested.connect(self.copy_code)
        pane.settings_changed.connect(self.schedule_preview)
        pane.class_combo.currentIndexChanged.connect(self._on_source_picked)
        pane.index_spin.valueChanged.connect(self._on_source_picked)
        pane.random_button.clicked.connect(self.pick_random_source)
        pane.open_button.clicked.connect(self._ask_open_image)
        pane.reroll_button.clicked.connect(self.reroll)
        pane.preview_area.file_dropped.connect(self.load_source_file)
        pane.preview_area.image_dropped.connect(self.set_source_image)
        session.samples_loaded.connect(self._on_samples)
        session.source_changed.connect(self._update_warnings)
        session.info.connect(self.info_label.setText)
        session.preview_ready.connect(self._on_preview)
        session.preview_failed.connect(self.preview_failed)

    # ----------------------------------------------------------------- public API

    def specs(self) -> dict:
        """The current {"train": spec, "eval": spec} (normalised when valid)."""
        return self.pipeline.specs()

    def set_specs(self, specs: dict, *, _user: bool = True) -> None:
        """Show ``specs`` in the editor (SpecError for a spec that is not valid)."""
        auto = self._auto_preset
        if _user:
            self._auto_preset = False
        active = self._active
        self._programmatic = self._syncing = True
        try:
            self.pipeline.set_specs(specs)
        except Exception:
            self._auto_preset = auto
            raise
        finally:
            self._programmatic = self._syncing = False
        self._show_params(active)

    def set_dataset(self, source: str) -> None:
        """Preview images from ``source`` (loaded on the pool once torch is ready)."""
        if self._auto_preset:
            natural = "digits" if source in (BUILTIN_DIGITS, "digits") else "seed"
            self.apply_preset(natural, _user=False)
        self.session.set_dataset(source)

    def set_pretrained_stats(self, stats: tuple[list[float], list[float]] | None) -> None:
        """The chosen pretrained weights' mean/std, for the Normalize warning."""
        self._pretrained_stats = stats
        self._update_warnings()

    def on_torch_ready(self) -> None:
        self.session.set_torch_ready()

    def preview_image(self) -> QImage | None:
        """The last preview grid shown (a copy)."""
        return None if self._last_grid is None else self._last_grid.copy()

    def shutdown(self) -> None:
        """Stop the timer and cancel the background work (window close)."""
        self.session.shutdown()

    def closeEvent(self, event) -> None:  # noqa: N802 - Qt name
        self.shutdown()
        super().closeEvent(event)

    # ----------------------------------------------------------------- editing

    def add_step(self, name: str, which: str | None = None) -> None:
        """Insert a new ``name`` step with default params after the selected one."""
        which = which or self._active
        lst = self.lists[which]
        row = lst.currentRow() + 1 if lst.currentRow() >= 0 else None
        row = self.pipeline.add(which, name, row)
        self._active = which
        lst.setCurrentRow(row)
        self._show_params(which)

    def remove_step(self, which: str | None = None) -> None:
        which = which or self._active
        row = self.lists[which].currentRow()
        if row >= 0:
            self.pipeline.remove(which, row)
            self._show_params(which)

    def move_step(self, delta: int, which: str | None = None) -> None:
        which = which or self._active
        lst = self.lists[which]
        row = lst.currentRow()
        if row >= 0 and self.pipeline.move(which, row, row + delta):
            lst.setCurrentRow(row + delta)

    def select_step(self, row: int, pipeline: str = "train") -> None:
        self.lists[pipeline].setCurrentRow(row)
        self._show_params(pipeline)

    def set_param(self, name: str, value: Any) -> None:
        """Change a param of the selected step through its widget (as a user would)."""
        self.param_editor.widgets[name].set_value(value)

    def param_widget(self, name: str) -> ParamWidget:
        return self.param_editor.widgets[name]

    def _on_current_row(self, which: str) -> None:
        if not self._syncing:
            self._show_params(which)

    def _show_params(self, which: str) -> None:
        """Show the selected step of pipeline ``which`` in the parameter form."""
        self._active = which
        self._syncing = True
        try:  # one selected step at a time: the other list lets go of its selection
            self.lists["eval" if which == "train" else "train"].setCurrentRow(-1)
        finally:
            self._syncing = False
        row = self.lists[which].currentRow()
        if not 0 <= row < self.pipeline.count(which):
            self.param_editor.show_hint()
            return
        step = self.pipeline.step(which, row)
        info = TRANSFORMS[step["name"]]
        title = self.tr("{pipeline} step {number}: {transform}").format(
            pipeline=self.pipeline_name(which), number=row + 1, transform=info.name
        )
        self.param_editor.show_step(title, info, step["params"])
        self._show_errors()

    @Slot(object)
    def _on_structure_edited(self, edit: Edit) -> None:
        """A step of the shown pipeline moved (a drag, ↑/↓): its form's title names its row."""
        if edit.kind == "move" and edit.which == self._active:
            self._show_params(edit.which)

    @Slot(str, object)
    def _set_param_value(self, name: str, value: Any) -> None:
        row = self.lists[self._active].currentRow()
        if row >= 0:
            self.pipeline.set_param(self._active, row, name, value)

    @Slot()
    def _on_edited(self) -> None:
        """Any change to either pipeline: show problems, warn, persist, announce, re-preview."""
        if not self._programmatic:
            self._auto_preset = False  # the user edited: keep their pipeline from now on
        self._show_errors()
        valid = self.pipeline.valid_specs()
        self._update_warnings(self._warnings_for(valid))
        if valid is not None and valid != self._last_valid:
            self._last_valid = copy.deepcopy(valid)
            self._mark_custom_if_edited(valid)
            self._persist(valid)
            self.specs_changed.emit(valid)
        self.schedule_preview()

    def _persist(self, valid: dict) -> None:
        """Remember the user's pipelines; while on automatic presets, remember nothing."""
        settings = QSettings()
        if self._auto_preset:
            settings.remove("augment/specs")
        else:
            settings.setValue("augment/specs", json.dumps(valid))

    def _show_errors(self) -> None:
        """The first problem of each pipeline as a sentence, its field framed red.

        The lists mark the step themselves (their model reads the pipeline's errors).
        """
        messages, field = [], None
        for which in WHICH:
            exc = self.pipeline.error(which)
            if exc is None:
                continue
            messages.append(
                self.tr("{pipeline}: {problem}").format(
                    pipeline=self.pipeline_name(which), problem=core_text(str(exc))
                )
            )
            if which == self._active and exc.step == self.lists[which].currentRow():
                field = exc.field
        self.param_editor.mark_error(field)
        self.error_label.setText("\n".join(messages))

    def pipeline_name(self, which: str) -> str:
        """ "train" or "eval" as the interface says it."""
        return self.tr("train") if which == "train" else self.tr("eval")

    def error_text(self) -> str:
        return self.error_label.text()

    def warnings(self) -> list[str]:
        """Current warnings about the pipelines (also shown under the preview)."""
        return self._warnings_for(self.pipeline.valid_specs())

    def _warnings_for(self, valid: dict | None) -> list[str]:
        """Warnings about already validated specs (None: not valid, nothing to warn of)."""
        if valid is None:
            return []
        image = self._source_image()
        size = None if image is None else (image.height, image.width)
        stats = self._pretrained_stats
        out = [core_text(w) for w in augment.spec_warnings(valid["train"], size, stats)]
        for warning in augment.spec_warnings(valid["eval"], size, stats):
            out.append(
                self.tr("{pipeline}: {problem}").format(
                    pipeline=self.pipeline_name("eval"), problem=core_text(warning)
                )
            )
        return out

    @Slot()
    def _update_warnings(self, warnings: list[str] | None = None) -> None:
        self.preview_pane.show_warnings(self.warnings() if warnings is None else warnings)
        self.preview_pane.show_channel_note(self.channel_note())

    def channel_note(self) -> str:
        """Why the pictures are grey or in colour here (see gui.augment.preview.channel_note)."""
        valid = self.pipeline.valid_specs()
        if valid is None:
            return ""
        dropped = self.session.dropped
        colour = dropped is not None and image_facts(dropped).colour
        return channel_note(valid, self.session.channels, colour)

    # ----------------------------------------------------------------- presets & files

    def _refresh_presets(self, select: str | None = None) -> None:
        self.editor.show_presets(self.user_presets(), select)

    def user_presets(self) -> list[str]:
        return self._presets.user_names()

    def apply_preset(self, name: str, *, _user: bool = True) -> None:
        """Load a built-in preset (seed, digits, none) or a saved user preset by name."""
        specs = self._presets.load(name)
        self._applied, self._applied_name = copy.deepcopy(specs), name
        self.set_specs(specs, _user=_user)
        self._refresh_presets(select=name)

    def save_user_preset(self, name: str) -> Path:
        """Save both pipelines as a user preset; returns the JSON file."""
        path = self._presets.save(name, self.specs())
        self._applied = copy.deepcopy(self.specs())
        self._refresh_presets(select=path.stem)
        return path

    def delete_user_preset(self, name: str) -> None:
        self._presets.delete(name)
        self._refresh_presets()

    def save_spec(self, path: str | Path) -> None:
        augment.save_spec_file(path, self.specs())

    def load_spec(self, path: str | Path) -> None:
        self.set_specs(augment.load_spec_file(path))
        self._refresh_presets()

    def code_text(self) -> str:
        """Source of both pipelines: ``transform`` (train) and ``eval_transform``."""
        specs = self.specs()
        train = augment.spec_to_code(specs["train"])
        body = augment.spec_to_code(specs["eval"]).split("transform = ", 1)[1]
        return (
            "# train pipeline (ConvStudio)\n"
            + train
            + "\n# eval pipeline: validation and prediction\neval_transform = "
            + body
        )

    def copy_code(self) -> None:
        try:
            text = self.code_text()
        except SpecError as exc:
            self.error_label.setText(core_text(str(exc)))
            return
        QGuiApplication.clipboard().setText(text)
        self.editor.flash_copied()
        self.show_status(self.tr("Copied both pipelines to the clipboard as torchvision code."))

    def _mark_custom_if_edited(self, valid: dict) -> None:
        if self._applied is not None and self._applied != valid:
            self.editor.show_custom()
            self._keep_custom(valid)

    def _keep_custom(self, specs: dict) -> None:
        """The user's own pipelines: kept when a preset is chosen, back with (custom)."""
        self._custom = copy.deepcopy(specs)
        QSettings().setValue("augment/custom", json.dumps(specs))

    def custom_specs(self) -> dict | None:
        return copy.deepcopy(self._custom)

    @Slot()
    def restore_custom(self) -> None:
        """ "(custom)" chosen: the user's own pipelines again (the preset's stay one click away)."""
        if self._custom is None:
            self.show_status(
                self.tr("No pipeline of your own yet: edit a step and it becomes (custom).")
            )
            self._refresh_presets(select=self._applied_name)
            return
        if self._custom != self.pipeline.valid_specs():
            self.set_specs(self._custom)
        self.editor.show_custom()

    @Slot(str)
    def _on_preset_chosen(self, name: str) -> None:
        try:
            self.apply_preset(name)
        except SpecError as exc:
            self.error_label.setText(core_text(str(exc)))

    def _or_warn(self, title: str, action: Callable[[str], Any], argument: str) -> None:
        """Run a preset or file action the user asked for; a problem becomes a message box."""
        try:
            action(argument)
        except (SpecError, OSError) as exc:
            QMessageBox.warning(self, title, core_text(str(exc)))

    def _restore(self) -> None:
        """Last session's pipelines, else the seed preset until a dataset says otherwise."""
        self._refresh_presets()
        settings = QSettings()
        try:
            custom = json.loads(str(settings.value("augment/custom", "") or "null"))
            self._custom = custom if isinstance(custom, dict) else None
        except ValueError:
            self._custom = None
        saved = settings.value("augment/specs", "")
        if saved:
            try:
                self.set_specs(json.loads(str(saved)))
                if self._custom is None:  # kept before (custom) was remembered apart
                    self._custom = self.pipeline.valid_specs()
                return
            except (SpecError, ValueError, KeyError, TypeError):
                pass
        self.apply_preset("seed", _user=False)

    # ----------------------------------------------------------------- preview source

    @Slot(list)
    def _on_samples(self, names: list[str]) -> None:
        self.preview_pane.set_classes(names)
        self._on_source_changed()

    @Slot()
    def _on_source_picked(self, *_: Any) -> None:
        """The user chose a class or an image number: back to the dataset's images."""
        self.session.use_dataset_image()
        self._on_source_changed()

    def _on_source_changed(self) -> None:
        images = self.session.samples.get(self.class_combo.currentText(), [])
        self.preview_pane.set_index_range(len(images))
        self._update_warnings()
        self.schedule_preview()

    def pick_random_source(self) -> None:
        samples = self.session.samples
        if not samples:
            return
        rng = np.random.default_rng()
        self.class_combo.setCurrentIndex(int(rng.integers(len(samples))))
        count = len(samples[self.class_combo.currentText()])
        self.index_spin.setValue(int(rng.integers(count)))
        self.session.use_dataset_image()
        self.schedule_preview()

    def set_source_image(self, image: Image.Image) -> None:
        """Preview this image (e.g. dropped raw data) instead of a dataset image."""
        self.session.set_image(image)

    def load_source_file(self, path: str) -> None:
        """Load an image file (off the GUI thread) and preview it."""
        self.session.load_file(path)

    def _ask_open_image(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self, self.tr("Preview an image"), "", self.tr("Images (*.*)")
        )
        if path:
            self.load_source_file(path)

    def _source_image(self) -> Image.Image | None:
        return self.session.image(self.class_combo.currentText(), self.index_spin.value())

    # ----------------------------------------------------------------- preview

    def reroll(self) -> None:
        """A new random seed, hence new samples."""
        self.seed_spin.setValue(int(np.random.default_rng().integers(0, 2**31 - 1)))

    @Slot()
    def schedule_preview(self, *_: Any) -> None:
        """Debounce: many quick edits cause one render."""
        self.session.schedule_preview()

    def _build_request(self) -> PreviewRequest | None:
        """The preview the controls ask for now (None: invalid pipeline or no image)."""
        valid = self.pipeline.valid_specs()
        if valid is None:
            return None
        spec = valid[self.pipeline_combo.currentData() or "train"]
        if self.per_class_box.isChecked() and self.session.samples:
            sources, captions = self.session.per_class_images(self.index_spin.value())
            n = len(sources)
        else:
            source = self._source_image()
            if source is None:
                return None
            sources, captions, n = [source], [], self.n_spin.value()
        return PreviewRequest(
            spec=spec,
            sources=sources,
            captions=captions,
            n=n,
            seed=self.seed_spin.value(),
            view=self.view_combo.currentData(),
            # the channels training loads the images with (core.data.build_datasets)
            channels=augment.data_channels(valid["train"], valid["eval"], self.session.channels),
        )

    @Slot(object)
    def _on_preview(self, result: PreviewResult) -> None:
        self._last_grid = result.grid
        self.preview_pane.show_result(result.grid, result.original, result.info)
        self.preview_updated.emit(
            {
                "seed": result.seed,
                "n": result.count,
                "view": result.view,
                "shape": result.shape,
                "info": result.info,
            }
        )
