"""The Augment panel: editing, presets, code export and a live, reproducible preview."""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch  # loaded up front, as the main window does before on_torch_ready
from PIL import Image
from PySide6.QtCore import QMimeData, QPoint, Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication, QLabel

from core import augment
from gui.augment import AugmentPanel, PreviewRequest, render_preview
from tests.gui.drag import drag_events, url_mime

CLASSES = ("cat", "dog", "fox")

SMALL_SPEC = {
    "train": [
        {"name": "RandomRotation", "params": {"degrees": 30}},
        {"name": "ColorJitter", "params": {"brightness": 0.3, "hue": 0.05}},
        {"name": "RandomHorizontalFlip", "params": {"p": 0.5}},
        {"name": "ToTensor"},
        {"name": "Normalize", "params": {"mean": [0.5, 0.5, 0.5], "std": [0.25, 0.25, 0.25]}},
    ],
    "eval": [
        {"name": "ToTensor"},
        {"name": "Normalize", "params": {"mean": [0.5, 0.5, 0.5], "std": [0.25, 0.25, 0.25]}},
    ],
}


def _picture(seed: int, size: int = 40) -> Image.Image:
    """A structured RGB picture (gradient + square) so rotations visibly change pixels."""
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:size, 0:size]
    arr = np.stack([x * 255 // size, y * 255 // size, np.full_like(x, 80)], axis=-1)
    a, b = rng.integers(2, size // 2, size=2)
    arr[a : a + 10, b : b + 10] = rng.integers(0, 256, size=3)
    return Image.fromarray(arr.astype(np.uint8), "RGB")


def fake_loader(source: str) -> dict[str, list[Image.Image]]:
    return {name: [_picture(10 * i + j) for j in range(3)] for i, name in enumerate(CLASSES)}


@pytest.fixture
def panel(qtbot, tmp_path):
    widget = AugmentPanel()
    qtbot.addWidget(widget)
    widget.presets_dir = tmp_path / "presets"
    widget.sample_loader = fake_loader
    widget.set_specs(SMALL_SPEC)
    with qtbot.waitSignal(widget.preview_updated, timeout=20_000):
        widget.set_dataset("folder:fake")
        widget.on_torch_ready()
    yield widget
    widget.shutdown()


def _grid(panel):
    image = panel.preview_image()
    assert image is not None and not image.isNull()
    return image


def _untick(step_list, row):
    """Untick a step as a click on its check box does (through the list's model)."""
    model = step_list.model()
    assert model.setData(model.index(row), Qt.CheckState.Unchecked, Qt.ItemDataRole.CheckStateRole)


def _change(qtbot, panel, action):
    """Run ``action`` and wait for the preview it causes."""
    with qtbot.waitSignal(panel.preview_updated, timeout=20_000) as blocker:
        action()
    return blocker.args[0]


def test_defaults_and_presets_listed(panel):
    names = [panel.preset_combo.itemText(i) for i in range(panel.preset_combo.count())]
    assert {"seed", "digits", "none"} <= set(names)
    assert panel.class_combo.count() == len(CLASSES)
    assert panel.eval_list.count() == 2  # the eval pipeline is shown beside the train one
    assert panel.presets_dir.parent.exists()


def test_parameter_change_regenerates_preview(qtbot, panel):
    before = _grid(panel)
    panel.select_step(0)
    widget = panel.param_widget("degrees")
    assert widget.spin.maximum() == 180 and "Valid range" in widget.toolTip()
    info = _change(qtbot, panel, lambda: panel.set_param("degrees", 90.0))
    assert panel.specs()["train"][0]["params"]["degrees"] == 90.0
    assert info["shape"] == (3, 40, 40)
    assert _grid(panel) != before


def test_slider_moves_the_value(qtbot, panel):
    panel.select_step(1)
    widget = panel.param_widget("brightness")
    _change(qtbot, panel, lambda: widget.slider.setValue(widget.slider.maximum()))
    assert panel.specs()["train"][1]["params"]["brightness"] == pytest.approx(2.0)


def test_same_seed_same_pixels(qtbot, panel):
    _change(qtbot, panel, lambda: panel.seed_spin.setValue(5))
    first = _grid(panel)
    _change(qtbot, panel, lambda: panel.seed_spin.setValue(6))
    other = _grid(panel)
    _change(qtbot, panel, lambda: panel.seed_spin.setValue(5))
    assert _grid(panel) == first
    assert other != first


def test_reroll_draws_new_samples(qtbot, panel):
    before, seed = _grid(panel), panel.seed_spin.value()
    _change(qtbot, panel, panel.reroll)
    assert panel.seed_spin.value() != seed
    assert _grid(panel) != before


def test_render_is_reproducible_without_the_gui():
    spec = augment.validate_spec(SMALL_SPEC["train"])
    request = PreviewRequest(spec, [_picture(3)], n=6, seed=11)
    a, b = render_preview(request), render_preview(request)
    assert a.grid == b.grid
    assert render_preview(PreviewRequest(spec, [_picture(3)], n=6, seed=12)).grid != a.grid


def test_preview_does_not_disturb_the_global_rng():
    spec = augment.validate_spec(SMALL_SPEC["train"])
    torch.manual_seed(123)
    expected = torch.rand(3)
    torch.manual_seed(123)
    render_preview(PreviewRequest(spec, [_picture(3)], n=4, seed=0))
    assert torch.equal(torch.rand(3), expected)


def test_n_samples_and_model_view(qtbot, panel):
    _change(qtbot, panel, lambda: panel.n_spin.setValue(4))
    person = _grid(panel)
    info = _change(qtbot, panel, lambda: panel.view_combo.setCurrentIndex(1))
    assert info["view"] == "model"
    model = _grid(panel)
    # 4 tiles in 2x2: person tiles are 128 px, model tiles are the 40 px input blown up 3x
    assert person.width() == 2 * 128 + 3 * 2
    assert model.width() == 2 * 120 + 3 * 2
    assert "model input: 3x40x40 float32" in panel.info_label.text()


def test_per_class_mode(qtbot, panel):
    _change(qtbot, panel, lambda: panel.n_spin.setValue(4))
    assert _grid(panel).pixelColor(200, 200).getRgb()[:3] != (235, 235, 235)
    info = _change(qtbot, panel, lambda: panel.per_class_box.setChecked(True))
    assert info["n"] == len(CLASSES)
    grid = _grid(panel)
    assert grid.width() == 2 * 128 + 3 * 2  # 3 tiles in a 2x2 grid: the last cell is empty
    assert grid.pixelColor(200, 200).getRgb()[:3] == (235, 235, 235)


def test_invalid_value_is_shown_inline_not_raised(qtbot, panel):
    changes = []
    panel.specs_changed.connect(changes.append)
    panel.add_step("GaussianBlur")
    assert changes, "adding a valid step announces the new specs"
    changes.clear()
    widget = panel.param_widget("kernel_size")
    widget.spin.setValue(4)  # spin box steps by 2 but typing an even number is possible
    assert "kernel_size must be odd, got 4" in panel.error_text()
    assert "GaussianBlur" in panel.error_text()
    assert widget._editor.styleSheet()  # the field is marked
    assert changes == []  # invalid specs are not handed to training
    widget.spin.setValue(7)
    assert panel.error_text() == ""
    assert not widget._editor.styleSheet()
    blur = [s for s in changes[-1]["train"] if s["name"] == "GaussianBlur"] if changes else []
    assert blur and blur[0]["params"]["kernel_size"] == 7


def test_add_remove_move_disable(qtbot, panel):
    panel.select_step(4)
    panel.add_step("RandomErasing")
    names = [s["name"] for s in panel.specs()["train"]]
    assert names[-1] == "RandomErasing"
    panel.move_step(-1)
    assert [s["name"] for s in panel.specs()["train"]][-2] == "RandomErasing"
    assert panel.param_editor.title().endswith("train step 5: RandomErasing")
    _untick(panel.train_list, 0)
    assert panel.specs()["train"][0]["enabled"] is False
    code = panel.code_text()
    assert "RandomRotation" not in code.split("eval_transform")[0]
    panel.select_step(4)
    panel.remove_step()
    assert "RandomErasing" not in [s["name"] for s in panel.specs()["train"]]


def test_drag_reorder_updates_spec(panel):
    changes = []
    panel.specs_changed.connect(changes.append)
    model = panel.train_list.model()
    from PySide6.QtCore import QModelIndex

    panel.select_step(2)
    assert model.moveRow(QModelIndex(), 2, QModelIndex(), 0)  # what a drag in the list does
    assert panel.specs()["train"][0]["name"] == "RandomHorizontalFlip"
    assert panel.train_list.currentRow() == 0  # the selection follows the step
    assert panel.param_editor.title().endswith("train step 1: RandomHorizontalFlip")
    assert changes and changes[-1]["train"][0]["name"] == "RandomHorizontalFlip"
    assert model.moveRow(QModelIndex(), 0, QModelIndex(), 3)  # down: before old row 3
    names = [s["name"] for s in panel.specs()["train"]]
    assert names[:3] == ["RandomRotation", "ColorJitter", "RandomHorizontalFlip"]


def test_user_preset_round_trip(qtbot, panel, tmp_path):
    panel.select_step(0)
    panel.set_param("degrees", 12.0)
    edited = panel.specs()
    path = panel.save_user_preset("my-rot")
    assert path.parent == tmp_path / "presets"
    assert json.loads(path.read_text()) == edited
    panel.apply_preset("none")
    assert [s["name"] for s in panel.specs()["train"]] == ["ToTensor"]
    assert "my-rot" in panel.user_presets()
    panel.apply_preset("my-rot")
    assert panel.specs() == edited
    panel.delete_user_preset("my-rot")
    assert panel.user_presets() == []


def test_save_and_load_spec_json(panel, tmp_path):
    panel.apply_preset("seed")
    target = tmp_path / "spec.json"
    panel.save_spec(target)
    panel.apply_preset("digits")
    panel.load_spec(target)
    assert panel.specs() == augment.get_preset("seed")
    assert augment.load_spec_file(target) == panel.specs()


def test_copy_as_code_matches_the_panel_pipeline(panel):
    panel.select_step(0)
    panel.set_param("degrees", 25.0)
    panel.add_step("RandomPerspective")
    panel.set_param("p", 1.0)
    panel.copy_code()
    code = QGuiApplication.clipboard().text()
    assert code.startswith("# train pipeline")
    namespace: dict = {}
    exec(code, namespace)  # noqa: S102 - the point of the test
    specs = panel.specs()
    ours = augment.build_pipeline(specs["train"])
    image = _picture(7, size=48)
    for seed in (0, 1, 2):
        torch.manual_seed(seed)
        a = ours(image)
        torch.manual_seed(seed)
        b = namespace["transform"](image)
        assert torch.equal(a, b)
    assert torch.equal(
        augment.build_pipeline(specs["eval"])(image), namespace["eval_transform"](image)
    )


def test_warnings_shown(qtbot, panel):
    panel.apply_preset("seed")
    assert any("CenterCrop 224 is larger than the 40x40 image" in w for w in panel.warnings())
    assert "CenterCrop 224" in panel.warning_label.text()
    panel.set_pretrained_stats(([0.1, 0.1, 0.1], [0.3, 0.3, 0.3]))
    assert any("differ from the pretrained" in w for w in panel.warnings())
    panel.apply_preset("none")
    panel.select_step(0)
    _untick(panel.train_list, 0)
    assert any(w.startswith("no ToTensor step") for w in panel.warnings())


@pytest.mark.filterwarnings("ignore::DeprecationWarning")  # QDragEnterEvent(QPoint, ...)
def test_drop_image_file_on_preview(qtbot, panel, tmp_path):
    path = tmp_path / "dropped.png"
    Image.new("RGB", (30, 20), (200, 10, 10)).save(path)
    mime = url_mime(path)
    area = panel.preview_area
    panel.show()  # Qt delivers drops to visible widgets only
    qtbot.waitExposed(panel)
    enter, event = drag_events(mime, QPoint(5, 5))
    QApplication.sendEvent(area, enter)
    assert enter.isAccepted()
    with qtbot.waitSignal(panel.preview_updated, timeout=20_000) as blocker:
        QApplication.sendEvent(area, event)
    assert event.isAccepted()
    assert blocker.args[0]["shape"] == (3, 20, 30)
    assert panel.original_label.pixmap().width() > 0


def test_a_newer_image_wins_over_a_file_still_loading(qtbot, panel, tmp_path, monkeypatch):
    import threading

    from gui import tasks
    from gui.augment import session as session_module

    release = threading.Event()
    load = session_module.file_task

    def slow_first(ctx, path, channels):
        if path.endswith("slow.png"):
            release.wait(10)
        return load(ctx, path, channels)

    monkeypatch.setattr(session_module, "file_task", slow_first)
    slow, fast = tmp_path / "slow.png", tmp_path / "fast.png"
    Image.new("RGB", (30, 20), (200, 10, 10)).save(slow)
    Image.new("RGB", (24, 36), (10, 200, 10)).save(fast)
    panel.load_source_file(str(slow))
    info = _change(qtbot, panel, lambda: panel.load_source_file(str(fast)))
    assert info["shape"] == (3, 36, 24)
    with qtbot.assertNotEmitted(panel.preview_updated, wait=300):
        release.set()  # the older file arrives late: it must not replace the newer one
        qtbot.waitUntil(lambda: tasks.running_tasks() == 0, timeout=10_000)
    assert panel.session.dropped.size == (24, 36)


def test_settings_restore_and_specs_changed(qtbot, panel):
    panel.select_step(2)
    with qtbot.waitSignal(panel.specs_changed) as blocker:
        panel.set_param("p", 0.25)
    assert blocker.args[0]["train"][2]["params"]["p"] == 0.25
    again = AugmentPanel()
    qtbot.addWidget(again)
    assert again.specs() == panel.specs()
    again.shutdown()


def test_builtin_digits_gets_digits_preset(qtbot, tmp_path):
    widget = AugmentPanel()
    qtbot.addWidget(widget)
    widget.presets_dir = tmp_path
    widget.on_torch_ready()
    with qtbot.waitSignal(widget.preview_updated, timeout=30_000) as blocker:
        widget.set_dataset("builtin:digits")
    assert widget.specs() == augment.get_preset("digits")
    assert blocker.args[0]["shape"] == (1, 28, 28)
    assert widget.class_combo.count() == 10
    widget.shutdown()


@pytest.mark.filterwarnings("ignore::DeprecationWarning")  # QDragEnterEvent(QPoint, ...)
def test_drop_raw_image_data(qtbot, panel):
    from gui.imageutil import pil_to_qimage

    mime = QMimeData()
    mime.setImageData(pil_to_qimage(Image.new("RGB", (24, 36), (10, 200, 10))))
    panel.show()
    qtbot.waitExposed(panel)
    area = panel.preview_area
    enter, drop = drag_events(mime, QPoint(5, 5))
    QApplication.sendEvent(area, enter)
    with qtbot.waitSignal(panel.preview_updated, timeout=20_000) as blocker:
        QApplication.sendEvent(area, drop)
    assert blocker.args[0]["shape"] == (3, 36, 24)


def test_module_import_does_not_load_torch():
    import subprocess
    import sys
    from pathlib import Path

    code = (
        "import sys; import gui.augment; "
        "assert 'torch' not in sys.modules and 'torchvision' not in sys.modules"
    )
    root = Path(__file__).resolve().parents[2]
    subprocess.run([sys.executable, "-c", code], cwd=root, check=True, timeout=120)


def test_panel_fits_a_1280_pixel_window_and_hints_at_parameters(panel):
    # the panel's minimum width is the window's: it was 1393 px, wider than many screens
    assert panel.minimumSizeHint().width() <= 1000
    panel.train_list.setCurrentRow(-1)
    panel.select_step(-1)
    texts = [
        panel.param_form.itemAt(i).widget().text()
        for i in range(panel.param_form.count())
        if isinstance(panel.param_form.itemAt(i).widget(), QLabel)
    ]
    assert any("Click a step" in t for t in texts)
    panel.per_class_box.setChecked(True)  # one sample per class: N does not apply
    assert not panel.n_spin.isEnabled()
    panel.per_class_box.setChecked(False)
    assert panel.n_spin.isEnabled()


def test_long_steps_wrap_in_the_narrow_lists(qtbot):
    from gui.augment import Pipeline, StepList, StepListModel

    steps = [
        {
            "name": "Normalize",
            "params": {"mean": [0.485, 0.456, 0.406], "std": [0.229, 0.224, 0.225]},
        },
        {"name": "ToTensor", "params": {}},
    ]
    pipeline = Pipeline()
    lst = StepList(StepListModel(pipeline, "train"))
    qtbot.addWidget(lst)
    lst.resize(200, 300)
    pipeline.set_specs({"train": steps, "eval": []})
    lst.show()
    qtbot.waitExposed(lst)
    first = lst.model().index(0)
    text = first.data()
    assert text.startswith("Normalize(") and lst.fontMetrics().horizontalAdvance(text) > 200
    long_row, short_row = lst.row_rect(0), lst.row_rect(1)
    assert long_row.height() >= 2 * short_row.height() - 2  # wrapped onto more lines
    assert long_row.right() <= lst.viewport().width()  # nothing hidden to the right
    assert lst.horizontalScrollBar().maximum() == 0
    tip = first.data(Qt.ItemDataRole.ToolTipRole)
    assert tip.startswith(text) and len(tip) > len(text)  # the whole step, then its help


def _pixels(image) -> np.ndarray:
    """An RGB QImage as an HxWx3 uint8 array."""
    from PySide6.QtGui import QImage

    rgb = image.convertToFormat(QImage.Format.Format_RGB888)
    rows = np.frombuffer(rgb.constBits(), np.uint8).reshape(rgb.height(), rgb.bytesPerLine())
    return rows[:, : 3 * rgb.width()].reshape(rgb.height(), rgb.width(), 3).copy()


@pytest.mark.parametrize("view", ["person", "model"])
def test_cli_augment_grid_equals_the_panel_grid(qtbot, panel, tmp_path, view):
    """`main.py augment --seed S` and the panel draw the same pixels for the same inputs."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    image_path, spec_path, out = tmp_path / "photo.png", tmp_path / "spec.json", tmp_path / "g.png"
    _picture(5, size=48).save(image_path)
    augment.save_spec_file(spec_path, SMALL_SPEC)
    args = ["--spec", str(spec_path), "--image", str(image_path), "--n", "9", "--seed", "7"]
    proc = subprocess.run(
        [
            sys.executable,
            str(root / "main.py"),
            "augment",
            *args,
            "--view",
            view,
            "--out",
            str(out),
        ],
        cwd=root,
        env={**os.environ, "PYTHONPATH": str(root)},
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert proc.returncode == 0, proc.stderr
    with Image.open(out) as saved:
        cli_pixels = np.asarray(saved.convert("RGB"))

    _change(qtbot, panel, lambda: panel.load_spec(spec_path))
    _change(qtbot, panel, lambda: panel.n_spin.setValue(9))
    _change(qtbot, panel, lambda: panel.seed_spin.setValue(7))
    if panel.view_combo.currentData() != view:
        _change(
            qtbot, panel, lambda: panel.view_combo.setCurrentIndex(panel.view_combo.findData(view))
        )
    info = _change(qtbot, panel, lambda: panel.load_source_file(str(image_path)))
    assert (info["seed"], info["n"], info["view"], info["shape"]) == (7, 9, view, (3, 48, 48))
    panel_pixels = _pixels(_grid(panel))
    assert panel_pixels.shape == cli_pixels.shape
    assert np.array_equal(panel_pixels, cli_pixels)
