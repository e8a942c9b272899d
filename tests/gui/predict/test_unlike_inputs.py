"""Predict: one probability format, warnings on unlike inputs, Grad-CAM over the picture."""

from __future__ import annotations

import shutil

import numpy as np
import pytest
from PIL import Image

from gui.predict import jobs
from gui.predict.table import COL_PROB, COL_TOP1, COL_TOPK, WARNING_MARK
from tests.gui.predict.helpers import SAMPLES, WAIT_MS, digits

pytest.importorskip("torch")


def _predict(qtbot, panel, paths) -> list:
    with qtbot.waitSignal(panel.predictions_ready, timeout=WAIT_MS) as blocker:
        panel.predict_paths([str(p) for p in paths])
    return blocker.args[0]


def _cell(panel, row: int, column: int, role=None):
    from PySide6.QtCore import Qt

    index = panel.proxy.index(row, column)
    return panel.proxy.data(index, role or Qt.ItemDataRole.DisplayRole)


def test_table_texts_follow_one_format(loaded, qtbot, tmp_path):
    (result,) = _predict(qtbot, loaded, digits(tmp_path, ("digit_3_a.png",)))
    probability = _cell(loaded, 0, COL_PROB)
    top5 = _cell(loaded, 0, COL_TOPK)
    assert probability == f"{result.prob:.1%}"
    name, prob = result.topk[0]
    assert top5.startswith(f"{name}: {prob:.1%}, ")  # "0: 99.7%, 9: 0.2%, ..."
    assert top5.count(": ") == 5


def test_a_colour_photo_on_a_grey_model_is_marked(loaded, qtbot, tmp_path):
    photo = shutil.copy(SAMPLES / "photo_meadow.jpg", tmp_path / "meadow.jpg")
    (result,) = _predict(qtbot, loaded, [photo])
    assert any("colour picture" in w for w in result.warnings)
    assert result.facts.colour and result.facts.width > 100
    from PySide6.QtCore import Qt

    assert _cell(loaded, 0, COL_TOP1) == f"{WARNING_MARK} {result.top1}"
    tip = _cell(loaded, 0, COL_TOP1, Qt.ItemDataRole.ToolTipRole)
    assert "unlike the model's training data" in tip
    label = loaded.detail.unlike_label
    assert not label.isHidden() and "colour picture" in label.text()
    assert "training data" in label.toolTip()
    assert result.view.mode == "RGB"  # the detail view shows the photo in colour


def test_a_digit_like_the_training_data_gets_no_colour_or_size_warning(loaded, qtbot, tmp_path):
    (result,) = _predict(qtbot, loaded, digits(tmp_path, ("digit_7_a.png",)))
    assert not result.facts.colour
    assert not [w for w in result.warnings if "picture" in w]  # only the (untrained) confidence


def test_the_floor_comes_from_the_run_folder(loaded, qtbot, bundles, tmp_path):
    info = loaded.model_info()
    assert info.extra["floor"].value == pytest.approx(0.8)  # no predictions.csv: fixed
    run = tmp_path / "run"
    run.mkdir()
    shutil.copy(bundles["smallcnn"], run / "best.pt")
    rows = ["path,true,pred,prob,true_prob,loss,correct"]
    rows += [f"{i},1,1,{0.05 + i / 100:.2f},0.9,0.1,1" for i in range(40)]
    (run / "predictions.csv").write_text("\n".join(rows) + "\n")
    with qtbot.waitSignal(loaded.model_loaded, timeout=WAIT_MS):
        loaded.load_model(str(run / "best.pt"))
    floor = loaded.model_info().extra["floor"]
    assert floor.value == pytest.approx(0.0695, abs=1e-3) and "40 validation images" in floor.source


def test_gradcam_is_drawn_over_the_picture_with_the_crop_marked():
    class CroppingPredictor:
        bundle = {
            "eval_transforms": [
                {"name": "Resize", "params": {"size": 256}, "enabled": True},
                {"name": "CenterCrop", "params": {"size": 224}, "enabled": True},
            ]
        }

    box = jobs.cam_box(CroppingPredictor(), (640, 480), (320, 240))
    # 640x480 -> Resize 341x256 -> centre 224: x 58 and y 16 of 341x256, in a half-size view
    assert box == pytest.approx((54.4, 15.0, 210.2, 210.0), abs=0.1)

    class SquashingPredictor:
        bundle = {"eval_transforms": [{"name": "ToTensor", "params": {}, "enabled": True}]}

    assert jobs.cam_box(SquashingPredictor(), (640, 480), (320, 240)) is None


def test_overlay_only_inside_the_box():
    from gui.imageutil import heatmap_overlay

    base = Image.new("RGB", (100, 80), (128, 128, 128))
    out = np.asarray(heatmap_overlay(base, np.ones((8, 8)), 0.5, (20, 10, 40, 40)))
    assert (out[70, 90] == 128).all()  # outside the box: the picture as it is
    assert out[30, 40, 1] < 100 and out[30, 40, 0] > out[30, 40, 1]  # inside: heat blended in
    assert (out[10, 20] == 255).all()  # the box's outline
