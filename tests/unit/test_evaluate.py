"""core.evaluate and core.evalresult: the figures, the gallery order, mismatches, bad files."""

from __future__ import annotations

import json
import shutil

import numpy as np
import pytest
from sklearn.metrics import precision_recall_fscore_support

from core.evalresult import (
    Evaluation,
    ImageRow,
    read_evaluation,
    summarise,
    topk_for,
    write_evaluation,
    write_predictions,
)
from core.evaluate import EvaluationError, evaluate, known_subfolders, labelled_set
from tests import evalkit


@pytest.fixture(scope="module")
def run():
    return evalkit.trained_folder()


@pytest.fixture(scope="module")
def predictor(run):
    from core.predict import Predictor

    return Predictor(run[1] / "best.pt")


@pytest.fixture(scope="module")
def whole(run, predictor):
    """The made folder evaluated whole (all 160 images)."""
    return evaluate(predictor, str(run[0]), "all")


def test_totals_agree_with_the_rows_and_with_sklearn(whole):
    ev = whole
    matrix = ev.confusion
    assert matrix.shape == (3, 3) and matrix.sum() == len(ev.rows) == 160
    assert np.trace(matrix) / matrix.sum() == pytest.approx(ev.accuracy)
    y_true = [r.true for r in ev.rows]
    y_pred = [r.pred for r in ev.rows]
    p, r, f, s = precision_recall_fscore_support(y_true, y_pred, labels=[0, 1, 2], zero_division=0)
    for i, row in enumerate(ev.metrics["per_class"]):
        assert row["class"] == evalkit.CLASSES[i]
        assert (row["precision"], row["recall"], row["f1"]) == pytest.approx((p[i], r[i], f[i]))
        assert row["support"] == s[i] == matrix[i].sum()
    macro = precision_recall_fscore_support(y_true, y_pred, average="macro", zero_division=0)
    assert ev.metrics["macro_f1"] == pytest.approx(macro[2])
    assert ev.metrics["topk"] == 3 and ev.metrics["topk_accuracy"] == 1.0  # 3 classes
    bins = ev.metrics["reliability"]
    assert sum(b["count"] for b in bins) == 160 and 0.0 <= ev.metrics["ece"] <= 1.0
    for r in ev.rows:
        assert r.prob >= r.true_prob and r.loss == pytest.approx(-np.log(r.true_prob), rel=1e-4)


def test_deliberately_mislabelled_images_lead_the_gallery(whole):
    first = [whole.rows[i].key for i in whole.gallery()[:20]]
    assert len(evalkit.mislabelled(first)) >= 8, first
    wrong = [whole.rows[i] for i in whole.gallery() if not whole.rows[i].correct]
    assert [r.prob for r in wrong] == sorted((r.prob for r in wrong), reverse=True)
    cell = whole.cell(2, 1)  # filed under "7", predicted "1"
    assert all(whole.rows[i].true == 2 and whole.rows[i].pred == 1 for i in cell)
    assert len(cell) == whole.confusion[2, 1]


def test_the_runs_own_class_folders_are_split_as_the_trainer_split_them(run, predictor):
    ev = evaluate(predictor)  # the data and split recorded in the bundle
    summary = json.loads((run[1] / "summary.json").read_text())
    assert ev.split == "valid" and len(ev.rows) == 32 and not ev.messages
    assert ev.accuracy == pytest.approx(summary["best_val_acc"])


def test_a_folder_is_scanned_once_decoded_only_when_the_run_split_it(run, tmp_path, monkeypatch):
    from core import folders

    real, decoded = folders.scan_folder, []

    def scan(root, val_split=0.2, seed=0, check_images=True, **kwargs):
        decoded.append(check_images)
        return real(root, val_split, seed, check_images, **kwargs)

    monkeypatch.setattr(folders, "scan_folder", scan)
    config = {"data": str(run[0]), "val_split": 0.2, "seed": 0}
    names = list(evalkit.CLASSES)
    assert len(labelled_set(str(run[0]), "valid", names, config=config).items) == 32
    assert decoded == [True]  # the run's own class folders: split as the trainer did
    other = shutil.copytree(run[0], tmp_path / "other")
    assert len(labelled_set(str(other), "all", names, config=config).items) == 160
    assert decoded == [True, False]  # another folder: listed, its images read once later


def test_unknown_classes_are_left_out_with_a_message(run, predictor, tmp_path):
    data = shutil.copytree(run[0], tmp_path / "d")
    shutil.rmtree(data / "0")
    (data / "cat").mkdir()
    shutil.copy(data / "1" / "1_000.png", data / "cat" / "x.png")
    ev = evaluate(predictor, str(data), "all")
    assert ev.unknown_classes == {"cat": 1}
    assert len(ev.rows) == 110 and not any("cat" in str(r.key) for r in ev.rows)
    text = " ".join(ev.messages)
    assert "'cat'" in text and "left out" in text and "no images of '0'" in text
    assert ev.metrics["per_class"][0]["support"] == 0 and ev.confusion.sum() == 110
    assert "taken whole" not in text and "all of its images" not in text  # asked for "all"
    with pytest.raises(EvaluationError, match="None of the data's classes"):
        labelled_set(str(data), "all", ["a", "b"], config=None)


def test_bad_files_are_listed_and_the_rest_evaluated(run, predictor, tmp_path):
    data = shutil.copytree(run[0], tmp_path / "d")
    (data / "0" / "empty.png").write_bytes(b"")
    (data / "1" / "broken.png").write_bytes(b"\x89PNG\r\n\x1a\nnot really")
    (data / "7" / "notes.txt").write_text("hello")
    ev = evaluate(predictor, str(data), "valid")  # no split, not the run's data: taken whole
    assert ev.split == "all" and any("all of its images" in m for m in ev.messages)
    reasons = {p.split("/")[-1]: e for p, e in ev.skipped}
    assert set(reasons) == {"empty.png", "broken.png", "notes.txt"}
    assert "empty" in reasons["empty.png"] and "not an image" in reasons["notes.txt"]
    assert len(ev.rows) == 160


def test_evaluation_files_round_trip(whole, tmp_path):
    write_evaluation(whole, tmp_path / "evaluation.json")
    write_predictions(whole, tmp_path / "predictions.csv")
    header = (tmp_path / "predictions.csv").read_text().splitlines()[0]
    assert header == "path,true,pred,prob,true_prob,loss,correct"
    back = read_evaluation(tmp_path)
    assert back.class_names == whole.class_names and len(back.rows) == len(whole.rows)
    assert (
        back.accuracy == whole.accuracy and back.metrics["confusion"] == whole.metrics["confusion"]
    )
    assert [r.key for r in back.rows] == [r.key for r in whole.rows]
    assert back.gallery()[:10] == whole.gallery()[:10]
    data = json.loads((tmp_path / "evaluation.json").read_text())
    assert "images" in data and isinstance(data["images"], int)  # the count, not the rows


def test_calibration_of_a_made_up_case():
    rows = [
        ImageRow(i, 0, 0 if i < 8 else 1, 0.95, 0.95 if i < 8 else 0.05, 0.1) for i in range(10)
    ]
    m = summarise(rows, ["a", "b"])
    assert m["accuracy"] == 0.8 and m["ece"] == pytest.approx(0.15)
    last = m["reliability"][-1]
    assert last["count"] == 10 and last["accuracy"] == 0.8
    assert last["confidence"] == pytest.approx(0.95)
    assert summarise([], ["a", "b"])["accuracy"] is None
    assert [topk_for(n) for n in (2, 3, 9, 10, 100)] == [2, 3, 3, 5, 5]
    ev = Evaluation(["a", "b"], rows, m)
    assert ev.gallery()[0] == 8 and ev.to_dict()["images"][8]["pred"] == "b"


def test_builtin_digits_splits_and_keys():
    labelled = labelled_set("builtin:digits", "valid", [str(i) for i in range(10)], channels=1)
    assert len(labelled.items) == 360 and labelled.items[5][0] == 5
    everything = labelled_set("builtin:digits", "all", [str(i) for i in range(10)], channels=1)
    assert len(everything.items) == 1797
    with pytest.raises(EvaluationError, match="split"):
        labelled_set("builtin:digits", "test", ["0"])


def test_known_subfolders(run, tmp_path):
    assert known_subfolders(run[0], ["0", "1", "7", "9"]) == ["0", "1", "7"]
    assert known_subfolders(run[0], ["0", "1"]) == []  # "7" is not a class it knows
    (tmp_path / "train" / "a").mkdir(parents=True)
    (tmp_path / "valid" / "b").mkdir(parents=True)
    assert known_subfolders(tmp_path, ["a", "b"]) == ["a", "b"]
    assert known_subfolders(tmp_path / "missing", ["a"]) == []
    # the folders a dataset scan skips are skipped here too; "_b" is a class folder there
    for skipped in ("_set_aside", "__MACOSX", ".git"):
        (tmp_path / "train" / skipped).mkdir()
    assert known_subfolders(tmp_path, ["a", "b"]) == ["a", "b"]
    (tmp_path / "valid" / "_b").mkdir()
    assert known_subfolders(tmp_path, ["a", "b"]) == []
    assert known_subfolders(tmp_path, ["a", "b", "_b"]) == ["a", "b", "_b"]


# --------------------------------------------------------------------------- batching


def _counting(predictor, monkeypatch) -> list:
    """Record each image the predictor preprocesses (the readers' work)."""
    seen: list = []
    original = predictor.preprocess

    def preprocess(image, **kwargs):
        seen.append(image)
        return original(image, **kwargs)

    monkeypatch.setattr(predictor, "preprocess", preprocess)
    return seen


def test_batched_rows_are_predictors_one_by_one_answers(whole, predictor):
    for row in whole.rows[::7]:  # every 7th image: the batches' first, middle and last
        (name, prob), *_ = predictor.predict(row.key, k=1)
        assert whole.class_names[row.pred] == name and row.prob == pytest.approx(prob, abs=1e-5)


def test_batch_size_readers_and_read_ahead_do_not_change_the_rows(whole, predictor, run):
    other = evaluate(predictor, str(run[0]), "all", batch_size=7, workers=1, ahead=2)
    assert [r.key for r in other.rows] == [r.key for r in whole.rows]  # 160 = 22 x 7 + 6
    assert [r.pred for r in other.rows] == [r.pred for r in whole.rows]
    assert [r.prob for r in other.rows] == pytest.approx([r.prob for r in whole.rows], abs=1e-5)
    assert other.metrics["confusion"] == whole.metrics["confusion"]


def test_a_stop_reads_no_further_batch(run, predictor, monkeypatch):
    labelled = labelled_set(str(run[0]), "all", predictor.class_names)
    seen = _counting(predictor, monkeypatch)
    asked: list = []
    ev = evaluate(
        predictor,
        labelled,
        should_stop=lambda: bool(asked.append(1)) or len(asked) > 2,
        batch_size=16,
        ahead=0,
    )
    assert ev.stopped and len(ev.rows) == 32 and len(seen) == 32
    # asked between batches only: never after the last one
    asked.clear()
    ev = evaluate(predictor, labelled, should_stop=lambda: bool(asked.append(1)), batch_size=16)
    assert not ev.stopped and len(ev.rows) == 160 and len(asked) == 10


def test_photos_at_224_match_predict_in_the_cpu_batches(tmp_path):
    """resnet18 at 224 on JPEG photos (the bench's case): batches of CPU_BATCH, float32."""
    import torch
    from PIL import Image

    from core.augment import get_preset
    from core.evaluate import CPU_BATCH
    from core.models import build_model
    from core.predict import Predictor
    from tests.unit.test_predict import _bundle

    torch.manual_seed(0)
    model = build_model("resnet18", 2, in_channels=3, input_size=224)
    spec = get_preset("seed")["eval"]  # Resize 256, CenterCrop 224, Normalize
    bundle = _bundle(model, "resnet18", ["a", "b"], size=224, spec=spec, channels=3)
    predictor = Predictor(bundle)
    rng = np.random.default_rng(0)
    for i in range(CPU_BATCH + 3):  # one full batch and a part
        folder = tmp_path / "ab"[i % 2]
        folder.mkdir(exist_ok=True)
        pixels = rng.integers(0, 256, (48, 64, 3), dtype=np.uint8)
        big = Image.fromarray(pixels).resize((640, 480), Image.Resampling.BICUBIC)
        big.save(folder / f"p{i:02d}.jpg", quality=90)
    ev = evaluate(predictor, str(tmp_path), "all")
    assert len(ev.rows) == CPU_BATCH + 3 and not ev.skipped
    for row in ev.rows:
        top = dict(predictor.predict(row.key, k=2))
        assert ev.class_names[row.pred] == max(top, key=top.get)
        assert row.prob == pytest.approx(max(top.values()), abs=1e-5)
        assert row.true_prob == pytest.approx(top[ev.class_names[row.true]], abs=1e-5)


def test_defaults_batch_by_input_size_and_device(predictor):
    from types import SimpleNamespace

    import torch

    from core.evaluate import BATCH, CPU_BATCH, batch_size_for, read_ahead, read_workers

    cpu, gpu = torch.device("cpu"), torch.device("cuda")
    assert batch_size_for(predictor) == BATCH  # 28 px digits: the forward pass is cheap
    assert batch_size_for(SimpleNamespace(input_size=224, device=cpu)) == CPU_BATCH < BATCH
    assert batch_size_for(SimpleNamespace(input_size=224, device=gpu)) == BATCH
    assert read_ahead(cpu) == 0 and read_ahead(gpu) == 1
    assert 1 <= read_workers() <= 8


def test_per_class_csv_keeps_its_figures_and_never_holds_a_formula(tmp_path):
    import csv
    import types

    from core.report import write_per_class

    per_class = [
        {"class": "=HYPERLINK(1)", "precision": 0.5, "recall": 1.0, "f1": 2 / 3, "support": 3},
        {"class": "cat", "precision": 1.0, "recall": 0.25, "f1": 0.4, "support": 4},
    ]
    path = tmp_path / "per_class.csv"
    path.write_text("an earlier report\n")
    write_per_class(types.SimpleNamespace(metrics={"per_class": per_class}), path)
    with open(path, newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert [r["class"] for r in rows] == ["'=HYPERLINK(1)", "cat"]
    assert [r["f1"] for r in rows] == ["0.6667", "0.4000"] and rows[1]["support"] == "4"
    assert [p.name for p in tmp_path.iterdir()] == ["per_class.csv"]  # no temp file left
