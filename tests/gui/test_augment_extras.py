"""Augment panel: presets keep the user's pipeline, Copy as code says so, channel notes."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image
from PySide6.QtGui import QGuiApplication

from core import BUILTIN_DIGITS, augment
from gui.augment import AugmentPanel
from gui.augment.editor import CUSTOM_LABEL
from gui.augment.preview import PreviewRequest, channel_note, render_preview

pytest.importorskip("torch")


def _digits_loader(source: str) -> dict[str, list[Image.Image]]:
    rng = np.random.default_rng(0)
    return {
        str(d): [Image.fromarray(rng.integers(0, 255, (28, 28), dtype=np.uint8), "L")]
        for d in range(3)
    }


@pytest.fixture
def panel(qtbot, tmp_path):
    widget = AugmentPanel()
    qtbot.addWidget(widget)
    widget.presets_dir = tmp_path / "presets"
    widget.sample_loader = _digits_loader
    with qtbot.waitSignal(widget.preview_updated, timeout=20_000):
        widget.set_dataset(BUILTIN_DIGITS)
        widget.on_torch_ready()
    yield widget
    widget.shutdown()


def _choose(panel, text: str) -> None:
    """Pick a preset in the combo as a user does (activation)."""
    combo = panel.preset_combo
    index = combo.findText(text)
    assert index >= 0, text
    combo.setCurrentIndex(index)
    combo.activated.emit(index)


def test_switching_presets_keeps_the_custom_pipeline(panel):
    assert panel.preset_combo.currentText() == "digits"
    panel.select_step(0)
    panel.set_param("degrees", 33.0)
    assert panel.preset_combo.currentText() == CUSTOM_LABEL
    mine = panel.specs()
    _choose(panel, "seed")
    assert panel.specs() == augment.get_preset("seed")
    assert panel.custom_specs() == mine  # kept while another preset is shown
    _choose(panel, CUSTOM_LABEL)
    assert panel.specs() == mine
    assert panel.preset_combo.currentText() == CUSTOM_LABEL


def test_custom_pipeline_survives_a_restart(qtbot, panel, tmp_path):
    panel.select_step(0)
    panel.set_param("degrees", 21.0)
    mine = panel.specs()
    _choose(panel, "none")
    again = AugmentPanel()
    qtbot.addWidget(again)
    assert again.custom_specs() == mine
    again.shutdown()


def test_custom_without_edits_says_so(qtbot, panel):
    with qtbot.waitSignal(panel.status_message) as blocker:
        _choose(panel, CUSTOM_LABEL)
    assert "No pipeline of your own" in blocker.args[0]
    assert panel.preset_combo.currentText() == "digits"  # back to what is shown


def test_copy_as_code_confirms(qtbot, panel):
    panel.editor._copied_timer.setInterval(50)  # the app shows it for COPIED_MS
    with qtbot.waitSignal(panel.status_message) as blocker:
        panel.editor.copy_button.click()
    assert "Copied" in blocker.args[0]
    assert "Copied" in panel.editor.copy_button.text()
    assert "v2.Compose" in QGuiApplication.clipboard().text()
    qtbot.waitUntil(lambda: panel.editor.copy_button.text() == "Copy as code", timeout=5000)


def test_seed_on_grayscale_digits_is_stated_and_previewed_in_rgb(qtbot, panel):
    assert panel.channel_note() == ""  # digits preset on digits: nothing converted
    with qtbot.waitSignal(panel.preview_updated, timeout=20_000) as blocker:
        _choose(panel, "seed")
    note = panel.channel_note()
    assert "grayscale" in note and "3 channels" in note
    assert panel.preview_pane.channel_label.text() == note
    assert blocker.args[0]["shape"][0] == 3


def test_a_colour_picture_shown_grey_says_why(qtbot, panel, tmp_path):
    path = tmp_path / "photo.png"
    arr = np.zeros((30, 40, 3), np.uint8)
    arr[..., 0] = 220  # red
    Image.fromarray(arr, "RGB").save(path)
    with qtbot.waitSignal(panel.preview_updated, timeout=20_000):
        panel.load_source_file(str(path))
    assert panel.session.dropped.mode == "RGB"  # kept in colour, converted per render
    note = panel.channel_note()
    assert note.startswith("The opened picture is shown in grey")
    assert "Normalize has 1 value" in note


def test_channel_note_rules():
    seed, digits, none = (augment.get_preset(n) for n in ("seed", "digits", "none"))
    assert channel_note(digits, 1, False) == ""
    assert "repeated to 3 channels" in channel_note(seed, 1, False)
    assert "converted to grayscale" in channel_note(digits, 3, False)
    assert "the dataset is grayscale" in channel_note(none, 1, True)
    assert channel_note(seed, 3, True) == ""


def test_render_converts_sources_to_the_requested_channels():
    grey = Image.new("L", (20, 20), 100)
    spec = augment.get_preset("seed")["eval"]
    result = render_preview(PreviewRequest(spec, [grey], n=1, seed=0, channels=3))
    assert result.shape == (3, 224, 224)
