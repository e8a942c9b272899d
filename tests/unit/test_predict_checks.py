"""core.predict_checks: one probability format, input facts, the warnings; crop geometry."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from core import augment
from core.augment_checks import output_region, pipeline_crops
from core.predict_checks import (
    FIXED_FLOOR,
    ConfidenceFloor,
    InputFacts,
    confidence_floor,
    format_prob,
    format_topk,
    image_facts,
    input_warnings,
)


def test_one_rounding_rule_and_format():
    assert format_prob(0.9974) == "99.7%"
    assert format_prob(0.0016) == "0.2%"
    assert format_topk([("0", 0.9974), ("9", 0.0016)]) == "0: 99.7%, 9: 0.2%"


def test_cli_prints_the_same_format(capsys, tmp_path):
    import re

    from core import cli
    from tests.gui.predict.helpers import SAMPLES, save_bundle

    model = save_bundle(tmp_path / "m.pt", "smallcnn")
    image = SAMPLES / "digit_3_a.png"
    assert cli.main(["predict", "--model", str(model), str(image), "--topk", "2"]) == 0
    line = capsys.readouterr().out.strip()
    assert re.fullmatch(r".*digit_3_a\.png: \d: \d+\.\d%, \d: \d+\.\d%", line), line


def test_image_facts_tell_colour_by_content():
    assert not image_facts(Image.new("L", (30, 20))).colour
    assert not image_facts(Image.new("RGB", (30, 20), (90, 90, 90))).colour  # grey saved as RGB
    arr = np.zeros((20, 30, 3), np.uint8)
    arr[..., 1] = 200
    facts = image_facts(Image.fromarray(arr, "RGB"))
    assert facts == InputFacts(True, 30, 20)


def test_warnings_name_what_differs():
    photo = InputFacts(True, 1024, 683)
    floor = ConfidenceFloor(0.9, "95% of the validation images ...")
    out = input_warnings(photo, 0.62, in_channels=1, input_size=28, floor=floor)
    assert any("colour picture" in w for w in out)
    assert any("far larger" in w for w in out)
    assert any("62.0% is below 90.0%" in w for w in out)
    digit = InputFacts(False, 28, 28)
    assert input_warnings(digit, 0.99, in_channels=1, input_size=28, floor=floor) == []
    tiny = InputFacts(True, 50, 40)
    out = input_warnings(tiny, 0.99, in_channels=3, input_size=224, floor=None)
    assert out == ["the picture (50x40) is blown up to the model's 224 px input"]
    wide = InputFacts(True, 900, 300)
    assert input_warnings(wide, 0.99, in_channels=3, input_size=224, floor=None, crops=True) == []
    assert "squashed" in input_warnings(wide, 0.99, in_channels=3, input_size=224, floor=None)[0]


def test_confidence_floor_reads_predictions_csv(tmp_path):
    assert confidence_floor(None).value == FIXED_FLOOR
    (tmp_path / "predictions.csv").write_text(
        "path,true,pred,prob,true_prob,loss,correct\n"
        + "".join(f"{i},0,0,{(i + 1) / 100},0.5,0.1,1\n" for i in range(100))
    )
    floor = confidence_floor(tmp_path / "best.pt")
    assert floor.value == pytest.approx(np.percentile(np.arange(1, 101) / 100, 5))
    assert "100 validation images" in floor.source


def test_confidence_floor_reads_predictions_through_core_evalresult(tmp_path):
    """One reader of predictions.csv, core.evalresult's (torch-free: gui.predict imports
    this module before PyTorch, which tests/gui/predict checks)."""
    from core.evalresult import Evaluation, ImageRow, read_top_probs, summarise, write_predictions

    names = ["=cat", "dog"]  # a formula-like class name is written as a safe cell
    rows = [ImageRow(f"{i}.png", i % 2, 0, (i + 1) / 40, 0.5, 0.1) for i in range(40)]
    csv_path = tmp_path / "predictions.csv"
    write_predictions(Evaluation(names, rows, summarise(rows, names)), csv_path)
    assert read_top_probs(csv_path) == pytest.approx([r.prob for r in rows])
    floor = confidence_floor(tmp_path / "best.pt")
    assert floor.value == pytest.approx(np.percentile([r.prob for r in rows], 5))
    csv_path.write_text("prob\n" + "0.9\n" * 40)  # not the file core.evalresult writes
    assert confidence_floor(tmp_path / "best.pt").value == FIXED_FLOOR


def test_output_region_follows_resize_and_crops():
    seed_eval = augment.get_preset("seed")["eval"]
    top, left, h, w = output_region(seed_eval, (480, 640))
    assert (top, h) == pytest.approx((30.0, 420.0))
    assert left == pytest.approx(58 * 640 / 341) and w == pytest.approx(224 * 640 / 341)
    assert output_region(augment.get_preset("digits")["eval"], (28, 28)) == (0, 0, 28, 28)
    padded = [
        {"name": "Pad", "params": {"padding": 4}},
        {"name": "CenterCrop", "params": {"size": 10}},
    ]
    assert output_region(padded, (20, 20)) == pytest.approx((5.0, 5.0, 10.0, 10.0))
    assert pipeline_crops(seed_eval) and not pipeline_crops(augment.get_preset("digits")["eval"])
