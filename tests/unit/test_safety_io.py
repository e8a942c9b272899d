"""Issue 13: prediction output, bundles, images, grids and folders that cannot hurt.

Bounded memory whatever the input (k, n, image and metadata sizes), names of any
encoding, no formula in a CSV, no model or image overwritten, links that cannot
smuggle images into another class, one clear line for a bad device or model path.
"""

from __future__ import annotations

import csv
import os

import numpy as np
import pytest
import torch
from PIL import Image

from core import augment, checkpoint, cli, folders, images
from core.augment_grid import display_arrays, grid_source, view_tiles
from core.checkpoint import BundleError, make_bundle, model_from_bundle, save_bundle
from core.models import build_model
from core.predict import Prediction, write_csv
from core.textsafe import csv_cell, printable

CLASSES = ["cat", "dog", "owl"]
SPEC = [{"name": "ToTensor"}]


def _bundle(**overrides) -> dict:
    torch.manual_seed(0)
    model = build_model("mlp", len(CLASSES), in_channels=1, input_size=8)
    bundle = make_bundle(
        model=model,
        arch="mlp",
        class_names=CLASSES,
        in_channels=1,
        input_size=8,
        eval_transforms=SPEC,
        epoch=1,
        metrics={},
        config={},
    )
    bundle.update(overrides)
    return bundle


@pytest.fixture(scope="module")
def model_and_images(tmp_path_factory):
    base = tmp_path_factory.mktemp("predict")
    model = base / "best.pt"
    save_bundle(_bundle(), model)
    pics = base / "pics"
    pics.mkdir()
    for i in range(3):
        Image.new("L", (8, 8), 60 * i).save(pics / f"{i}.png")
    return model, pics


# ----------------------------------------------------------------------------- 6, 7


def test_predict_csv_never_writes_over_the_model_or_an_input(model_and_images, capsys):
    """#6: `predict --csv best.pt` once replaced the model with a CSV."""
    model, pics = model_and_images
    kept = model.read_bytes()
    image = pics / "0.png"
    for target in (model, image):
        before = target.read_bytes()
        code = cli.main(["predict", "--model", str(model), str(pics), "--csv", str(target)])
        assert code == 2
        err = capsys.readouterr().err
        assert "would be overwritten" in err and len(err.strip().splitlines()) == 1
        assert target.read_bytes() == before
    other = model.with_name("copy.pt")
    other.write_bytes(kept)
    assert cli.main(["predict", "--model", str(model), str(image), "--csv", str(other)]) == 2
    assert other.read_bytes() == kept and model.read_bytes() == kept


def test_topk_is_clamped_to_the_class_count(model_and_images, tmp_path, capsys):
    """#7: --topk 100000000 once grew to 23.8 GB (a header of 2e8 columns)."""
    model, pics = model_and_images
    out = tmp_path / "res.csv"
    args = ["predict", "--model", str(model), str(pics), "--topk", "1000000", "--csv", str(out)]
    assert cli.main([*args, "--json"]) == 0
    rows = list(csv.reader(out.open(newline="", encoding="utf-8")))
    assert len(rows[0]) == 2 * len(CLASSES) + 2 and len(rows) == 4
    import json

    printed = json.loads(capsys.readouterr().out)
    assert all(len(p["topk"]) == len(CLASSES) for p in printed)
    path = tmp_path / "direct.csv"
    write_csv([Prediction("a.png", [], error="bad")], path, k=10**8)  # no class count known
    assert len(next(csv.reader(path.open()))) <= 2 * 1000 + 2


# ----------------------------------------------------------------------------- 11, 12


def test_csv_cells_never_become_formulas_and_names_stay_utf8(tmp_path):
    """#11/#12: a file or class named "=cmd" is quoted; undecodable bytes become \\xNN."""
    odd = os.fsdecode(b"=caf\xe9.png")
    preds = [
        Prediction(odd, [("+evil", 0.6), ("@x", 0.4)]),
        Prediction("-2.png", [("cat", 1.0)]),
        Prediction("fine.png", [], error="=HYPERLINK(1)"),
    ]
    out = tmp_path / "p.csv"
    write_csv(preds, out, k=2)
    rows = list(csv.reader(out.open(newline="", encoding="utf-8")))  # strict UTF-8
    assert rows[1][:5] == ["'=caf\\xe9.png", "'+evil", "0.600000", "'@x", "0.400000"]
    assert rows[2][0] == "'-2.png" and rows[2][2] == "1.000000"  # our numbers stay numbers
    assert rows[3][-1] == "'=HYPERLINK(1)"
    assert csv_cell("\tx") == "'\tx" and csv_cell("plain") == "plain"
    assert printable(odd) == "=caf\\xe9.png"


# ----------------------------------------------------------------------------- 9


def _spy_builds(monkeypatch) -> list[str]:
    """The device each network is built on (meta: shapes only, no memory)."""
    from core import models

    real, devices = models.build_model, []

    def spy(*args, **kwargs):
        devices.append(torch.empty(0).device.type)
        return real(*args, **kwargs)

    monkeypatch.setattr(models, "build_model", spy)
    return devices


def test_edited_metadata_is_refused_before_anything_is_built(monkeypatch):
    """#9: input_size 2000 on mlp once built a 2.7 GB model before checking the weights."""
    devices = _spy_builds(monkeypatch)
    with pytest.raises(BundleError, match="do not fit"):
        model_from_bundle(_bundle(input_size=2000))
    assert devices == ["meta"]  # bench/bench_memory.py prints the time and memory it takes
    with pytest.raises(BundleError, match="input_size"):
        model_from_bundle(_bundle(input_size=50_000))
    many = [f"c{i}" for i in range(2_000_000)]
    with pytest.raises(BundleError, match="class_names"):
        model_from_bundle(_bundle(class_names=many, num_classes=len(many)))
    assert devices == ["meta"]


def test_integer_weights_are_refused(model_and_images):
    """#9: weights cast to integers once loaded and gave every class the same 33%."""
    bundle = _bundle()
    bundle["state_dict"] = {k: v.to(torch.int64) for k, v in bundle["state_dict"].items()}
    with pytest.raises(BundleError, match="stored as int64"):
        model_from_bundle(bundle)


# ----------------------------------------------------------------------------- 18


def test_a_bad_device_or_model_path_is_one_clear_line(model_and_images, capsys, monkeypatch):
    """#18: raw torch messages for --device bogus / cuda without a GPU, and
    "does not exist" for --model /dev/zero."""
    model, pics = model_and_images
    cases = [
        (["--device", "bogus"], "'bogus' is not a device"),
        (["--device", "cuda:x"], "is not a device"),
    ]
    for extra, expected in cases:
        assert cli.main(["predict", "--model", str(model), str(pics), *extra]) != 0
        err = capsys.readouterr().err.strip().splitlines()
        assert len(err) == 1 and expected in err[0], err
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    assert cli.main(["predict", "--model", str(model), str(pics), "--device", "cuda"]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert err == ["error: CUDA was requested but no CUDA GPU is available; use --device cpu."]
    if os.path.exists("/dev/zero"):
        assert cli.main(["predict", "--model", "/dev/zero", str(pics)]) == 2
        err = capsys.readouterr().err.strip().splitlines()
        assert len(err) == 1 and "not a regular file" in err[0]
    with pytest.raises(BundleError, match="not a regular file"):
        checkpoint.load_bundle("/dev/null")


# ----------------------------------------------------------------------------- 8


def test_grid_samples_a_reduced_copy_of_a_huge_picture_only():
    """#8: 256 full-size samples of a 4000x3000 photo once needed 58 GB; pictures that
    fit give exactly the pixels the old all-at-once renderer gave."""
    none = augment.get_preset("none")["train"]
    seed = augment.get_preset("seed")["train"]
    small = Image.new("RGB", (300, 200), (10, 200, 30))
    assert grid_source(small, none) is small and grid_source(small, seed) is small
    big = Image.new("RGB", (3000, 2000))
    reduced = grid_source(big, none)  # ToTensor at full size: 12 bytes a pixel a sample
    assert reduced.width * reduced.height <= 2048 * 2048 and reduced.width / reduced.height == 1.5
    assert grid_source(big, seed) is big  # crops before ToTensor: small samples already
    grid = augment.sample_grid(none, [big], 3, seed=0)
    assert "reduced from 3000x2000" in grid.description
    for spec, view in ((seed, "person"), (none, "model"), (seed, "model")):
        image = Image.new("RGB", (240, 230), (200, 10, 90))
        outputs = augment.augment_samples(spec, [image], 5, 7)
        old = view_tiles(display_arrays(outputs, spec), view)
        new = augment.sample_grid(spec, [image], 5, 7, view=view)
        from core.augment_grid import grid_columns, tile_grid

        assert np.array_equal(new.pixels, tile_grid(old, grid_columns(len(old)))), view


# ----------------------------------------------------------------------------- 10


def test_large_images_decode_reduced_and_the_data_panel_states_the_memory(tmp_path):
    """#10: an 81 MP PNG once cost 350 MB per load and 1.4 GB in training."""
    width, height = 4200, 4100  # just over LARGE_PIXELS
    root = tmp_path / "data"
    for name in ("a", "b"):
        (root / name).mkdir(parents=True)
        Image.new("RGB", (16, 16), (5, 5, 5)).save(root / name / "small.png")
    big = root / "a" / "huge.png"
    Image.new("RGB", (width, height), (120, 30, 30)).save(big)
    Image.new("RGB", (width, height), (30, 120, 30)).save(root / "b" / "huge.jpg", quality=80)
    for path in (big, root / "b" / "huge.jpg"):
        img = images.load_image(path, min_side=256)
        assert 256 <= min(img.size) < 2 * 256, (path, img.size)
    assert images.load_image(big).size == (width, height)  # without a need: full size
    small = images.load_image(root / "a" / "small.png", min_side=4)
    assert small.size == (16, 16)  # small pictures are never touched
    _, _, summary = folders.scan_folder(root, val_split=0.5)
    text = " ".join(summary.warnings())
    assert "very large" in text and "MB of memory" in text and "4200x4100" in text
    eval_seed = augment.build_pipeline(augment.get_preset("seed")["eval"])
    from core.data import ImageDataset

    assert ImageDataset([(str(big), 0)], eval_seed).min_side == 256


# ----------------------------------------------------------------------------- 17


def test_links_into_another_class_folder_are_left_out_and_reported(tmp_path):
    """#17: a link from cats/ into dogs/ once added dogs' images under the label cats."""
    root = tmp_path / "data"
    outside = tmp_path / "outside"
    outside.mkdir()
    Image.new("RGB", (8, 8)).save(outside / "shared.png")
    for name in ("cats", "dogs"):
        (root / name).mkdir(parents=True)
        for i in range(2):
            Image.new("RGB", (8, 8), (i, 0, 0)).save(root / name / f"{name}{i}.png")
    os.symlink(root / "dogs" / "dogs0.png", root / "cats" / "linked.png")
    os.symlink(root / "dogs", root / "cats" / "all_dogs")
    os.symlink(outside / "shared.png", root / "cats" / "outside.png")
    train, valid, summary = folders.scan_folder(root, val_split=0.5)
    cats = {os.path.basename(p) for p, label in train + valid if label == 0}
    assert cats == {"cats0.png", "cats1.png", "outside.png"}
    reasons = {os.path.basename(s.path): s.reason for s in summary.skipped}
    assert "another folder of this dataset" in reasons["linked.png"]
    assert "dogs" in reasons["all_dogs"]
