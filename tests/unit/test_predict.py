"""Predictor: top-k from a bundle, batches with bad files, Grad-CAM, file walking, CSV."""

from __future__ import annotations

import csv
import os

import numpy as np
import pytest
import torch
from PIL import Image

from core.checkpoint import BundleError, make_bundle, save_bundle
from core.models import ModelError, build_model
from core.predict import Prediction, Predictor, iter_image_files, write_csv

TO_TENSOR = {"name": "ToTensor", "params": {}, "enabled": True}
NORMALIZE = {"name": "Normalize", "params": {"mean": [0.5], "std": [0.5]}, "enabled": True}
CLASSES = ["zero", "one", "two", "three"]


def _bundle(model, arch="smallcnn", classes=CLASSES, size=28, spec=None, channels=1):
    return make_bundle(
        model=model,
        arch=arch,
        class_names=classes,
        in_channels=channels,
        input_size=size,
        eval_transforms=spec if spec is not None else [TO_TENSOR, NORMALIZE],
        epoch=3,
        metrics={"val_acc": 0.875},
        config={"arch": arch},
    )


@pytest.fixture(scope="module")
def bundle_path(tmp_path_factory):
    torch.manual_seed(0)
    model = build_model("smallcnn", len(CLASSES), in_channels=1, input_size=28).eval()
    path = tmp_path_factory.mktemp("run") / "best.pt"
    save_bundle(_bundle(model), path)
    return path


@pytest.fixture(scope="module")
def predictor(bundle_path):
    return Predictor(bundle_path)


def _digit_png(path, value=200, size=(28, 28), mode="L"):
    rng = np.random.default_rng(value)
    arr = rng.integers(0, 255, size=(size[1], size[0]), dtype=np.uint8)
    Image.fromarray(arr, "L").convert(mode).save(path)
    return path


def test_predictor_reads_the_bundle(predictor, bundle_path):
    assert predictor.class_names == CLASSES
    assert predictor.arch == "smallcnn"
    assert predictor.input_size == 28 and predictor.in_channels == 1
    assert predictor.val_acc == pytest.approx(0.875)
    assert predictor.path == str(bundle_path)
    info = predictor.info()
    assert info["num_classes"] == 4 and info["precision"] == "fp32"
    assert info["eval_transforms"] == [TO_TENSOR, NORMALIZE]


def test_topk_is_sorted_and_sums_to_one(predictor, tmp_path):
    path = _digit_png(tmp_path / "a.png")
    full = predictor.predict(path, k=10)  # k clamps to the class count
    assert sorted(name for name, _ in full) == sorted(CLASSES)
    probs = [p for _, p in full]
    assert probs == sorted(probs, reverse=True)
    assert sum(probs) == pytest.approx(1.0, abs=1e-5)
    top2 = predictor.predict(path, k=2)
    assert [n for n, _ in top2] == [n for n, _ in full[:2]]
    assert [p for _, p in top2] == pytest.approx(probs[:2])
    from_pil = predictor.predict(Image.open(path), k=4)
    assert [n for n, _ in from_pil] == [n for n, _ in full]
    assert [p for _, p in from_pil] == pytest.approx(probs)


def test_preprocessing_uses_the_bundle_eval_transforms(predictor, tmp_path):
    path = _digit_png(tmp_path / "b.png", value=7)
    arr = np.asarray(Image.open(path), dtype=np.float32) / 255.0
    expected = (torch.from_numpy(arr)[None] - 0.5) / 0.5
    assert torch.allclose(predictor.preprocess(path), expected, atol=1e-6)
    with torch.no_grad():
        manual = torch.softmax(predictor.model(expected[None]), dim=1)[0]
    best = int(manual.argmax())
    name, prob = predictor.predict(path, k=1)[0]
    assert name == CLASSES[best] and prob == pytest.approx(float(manual[best]), abs=1e-5)


def test_each_bundle_brings_its_own_eval_transforms():
    """Not the preset's: a bundle with an unusual crop and statistics is fed exactly that."""
    mean, std = [0.1, 0.2, 0.3], [0.5, 0.25, 0.125]
    spec = [
        {"name": "CenterCrop", "params": {"size": 16}, "enabled": True},
        TO_TENSOR,
        {"name": "Normalize", "params": {"mean": mean, "std": std}, "enabled": True},
    ]
    model = build_model("smallcnn", 2, in_channels=3, input_size=16)
    predictor = Predictor(_bundle(model, classes=["a", "b"], size=16, spec=spec, channels=3))
    arr = np.random.default_rng(5).integers(0, 255, (24, 20, 3), dtype=np.uint8)
    crop = torch.from_numpy(arr[4:20, 2:18].astype(np.float32) / 255.0).permute(2, 0, 1)
    expected = (crop - torch.tensor(mean)[:, None, None]) / torch.tensor(std)[:, None, None]
    assert torch.allclose(predictor.preprocess(Image.fromarray(arr)), expected, atol=1e-5)
    grey = predictor.preprocess(Image.new("L", (16, 16), 51))  # 1 channel -> the model's 3
    assert grey.shape == (3, 16, 16)
    assert torch.allclose(grey[:, 0, 0], (0.2 - torch.tensor(mean)) / torch.tensor(std), atol=1e-6)


def test_float32_by_default_on_every_cpu_bf16_only_when_asked(bundle_path, tmp_path, monkeypatch):
    """Prediction gives the same answers on every CPU: bf16 CPUs included."""
    from core import models

    path = _digit_png(tmp_path / "c.png", value=3)
    for assumed in ("1", "0"):  # a CPU with native bf16, and one without
        monkeypatch.setenv(models.ASSUME_BF16_ENV, assumed)
        assert models.cpu_supports_bf16() is (assumed == "1")
        default = Predictor(bundle_path)
        assert not default.use_bf16 and default.info()["precision"] == "fp32"
    forced = Predictor(bundle_path, precision="bf16")
    assert forced.use_bf16 and forced.info()["precision"] == "bf16"
    top = forced.predict(path, k=4)  # runs under bf16 autocast
    assert sorted(n for n, _ in top) == sorted(CLASSES)
    assert sum(p for _, p in top) == pytest.approx(1.0, abs=2e-2)  # bf16 keeps ~3 digits
    with pytest.raises(ValueError, match="precision"):
        Predictor(bundle_path, precision="fp8")
    with pytest.raises(ValueError, match="precision"):
        Predictor(bundle_path, precision="auto")  # prediction never picks bf16 by itself


def test_other_sizes_and_modes_are_fitted_to_the_model(predictor, tmp_path):
    rgb = _digit_png(tmp_path / "wide.png", size=(50, 40), mode="RGB")
    assert predictor.preprocess(rgb).shape == (1, 28, 28)
    rgba = Image.new("RGBA", (28, 28), (0, 0, 0, 0))  # transparent -> white
    assert torch.allclose(predictor.preprocess(rgba), torch.ones(1, 28, 28))
    wide = Image.fromarray(np.full((28, 28), 65535, dtype=np.uint16))
    assert torch.allclose(predictor.preprocess(wide), torch.ones(1, 28, 28))
    assert len(predictor.predict(Image.new("P", (28, 28)), k=3)) == 3


def test_predict_many_reports_bad_files_and_predicts_the_rest(predictor, tmp_path):
    good1 = _digit_png(tmp_path / "1.png", value=1)
    empty = tmp_path / "empty.png"
    empty.write_bytes(b"")
    text = tmp_path / "notes.jpg"
    text.write_text("not an image")
    good2 = _digit_png(tmp_path / "2.png", value=2)
    missing = tmp_path / "missing.png"
    calls = []
    paths = [good1, empty, text, good2, missing]
    results = predictor.predict_many(paths, k=3, progress=lambda d, t: calls.append((d, t)))
    assert [r.path for r in results] == [str(p) for p in paths]
    assert [r.error is None for r in results] == [True, False, False, True, False]
    for r in results:
        if r.error is None:
            assert len(r.topk) == 3
            assert r.topk == pytest.approx(predictor.predict(r.path, k=3))
        else:
            assert r.topk == [] and r.error.strip()
    assert calls[-1] == (5, 5)


def test_predict_many_honours_should_stop(predictor, tmp_path):
    paths = [_digit_png(tmp_path / f"{i}.png", value=i) for i in range(5)]
    asked = []

    def stop_on_third_question():
        asked.append(True)
        return len(asked) >= 3

    results = predictor.predict_many(paths, should_stop=stop_on_third_question)
    assert [r.path for r in results] == [str(p) for p in paths[:2]]
    assert all(r.error is None and len(r.topk) == 4 for r in results)


def test_not_a_bundle_raises_bundle_error(tmp_path):
    bad = tmp_path / "weights.pt"
    torch.save(build_model("smallcnn", 2, input_size=28).state_dict(), bad)
    with pytest.raises(BundleError, match="state_dict"):
        Predictor(bad)
    with pytest.raises(BundleError):
        Predictor({"format": "something else"})


def test_iter_image_files_walks_folders(tmp_path):
    root = tmp_path / "imgs"
    (root / "b").mkdir(parents=True)
    (root / "a").mkdir()
    (root / ".hidden").mkdir()
    for rel in ("b/2.PNG", "a/1.jpg", "a/z.webp", "top.bmp", ".hidden/x.png", "a/readme.txt"):
        (root / rel).write_bytes(b"x")
    single = tmp_path / "given.txt"
    single.write_text("kept as given")
    files = iter_image_files([single, root, root / "a" / "1.jpg"])
    assert files == [
        str(single),
        str(root / "top.bmp"),
        str(root / "a" / "1.jpg"),
        str(root / "a" / "z.webp"),
        str(root / "b" / "2.PNG"),
    ]


def test_write_csv_header_and_rows(tmp_path):
    preds = [
        Prediction("a.png", [("cat", 0.75), ("dog", 0.25)]),
        Prediction("bad.png", [], error="image file is truncated"),
    ]
    out = tmp_path / "out.csv"
    write_csv(preds, out, k=3)
    rows = list(csv.reader(out.open(newline="", encoding="utf-8")))
    assert rows[0] == ["path", "top1", "prob", "top2", "prob2", "top3", "prob3", "error"]
    assert rows[1][:5] == ["a.png", "cat", "0.750000", "dog", "0.250000"]
    assert rows[1][5:] == ["", "", ""]
    assert rows[2] == ["bad.png", "", "", "", "", "", "", "image file is truncated"]
    assert preds[0].to_dict() == {
        "path": "a.png",
        "topk": [{"class": "cat", "prob": 0.75}, {"class": "dog", "prob": 0.25}],
    }
    assert preds[1].to_dict() == {"path": "bad.png", "error": "image file is truncated"}


def test_write_csv_escapes_names_that_are_not_utf8(tmp_path):
    """Issue 13 #11: the CSV stays valid UTF-8; undecodable bytes read as \\xNN."""
    odd = os.fsdecode(b"caf\xe9 \xff.png")  # Latin-1 bytes in a Linux file name
    out = tmp_path / "odd.csv"
    write_csv([Prediction(odd, [("cat", 1.0)]), Prediction("ünï.png", [("dog", 1.0)])], out)
    rows = list(csv.reader(out.open(newline="", encoding="utf-8")))  # strict UTF-8 parses
    assert rows[1][:2] == ["caf\\xe9 \\xff.png", "cat"]
    assert rows[2][:2] == ["ünï.png", "dog"]
    assert Prediction(odd, [("cat", 1.0)]).to_dict()["path"] == "caf\\xe9 \\xff.png"


def test_gradcam_needs_a_cnn(tmp_path):
    mlp = build_model("mlp", 2, in_channels=1, input_size=28)
    predictor = Predictor(_bundle(mlp, arch="mlp", classes=["a", "b"]))
    with pytest.raises(ModelError, match="mlp"):
        predictor.gradcam(Image.new("L", (28, 28)))


@pytest.mark.parametrize("arch,size", [("resnet18", 32), ("alexnet", 63)])
def test_gradcam_on_torchvision_networks(arch, size):
    torch.manual_seed(0)
    model = build_model(arch, 3, in_channels=3, input_size=size)
    spec = [TO_TENSOR, {"name": "Resize", "params": {"size": size}, "enabled": True}]
    bundle = _bundle(model, arch=arch, classes=["a", "b", "c"], size=size, spec=spec, channels=3)
    predictor = Predictor(bundle)
    image = Image.fromarray(np.random.default_rng(0).integers(0, 255, (40, 40, 3), np.uint8))
    heat = predictor.gradcam(image, class_index=1)
    assert heat.shape == (size, size)
    assert 0.0 <= heat.min() and heat.max() == pytest.approx(1.0)
    if arch == "resnet18":  # average-pool head: both methods give the same map
        classic = predictor.gradcam(image, class_index=1, method="gradcam")
        assert np.allclose(heat, classic, atol=1e-4)


# --------------------------------------------------------------------------- Grad-CAM


def _square_image(rng, side: int, size: int = 32, square: int = 8):
    """Noise with one bright square; the class is which half (0 left, 1 right) holds it."""
    arr = rng.integers(0, 60, size=(size, size)).astype(np.uint8)
    x0 = rng.integers(0, size // 2 - square + 1) + side * size // 2
    y0 = rng.integers(0, size - square + 1)
    arr[y0 : y0 + square, x0 : x0 + square] = 255
    return arr, (x0, y0)


def _square_set(rng, n):
    arrays, labels, boxes = [], [], []
    for i in range(n):
        arr, box = _square_image(rng, i % 2)
        arrays.append(arr)
        labels.append(i % 2)
        boxes.append(box)
    x = torch.from_numpy(np.stack(arrays)).float().div(255.0).unsqueeze(1)
    return x, torch.tensor(labels), arrays, boxes


def test_gradcam_looks_at_the_square():
    torch.manual_seed(0)
    # 96 images x 2 epochs is the smallest run whose maps pass with margin over seeds.
    x, y, _, _ = _square_set(np.random.default_rng(0), 96)
    model = build_model("smallcnn", 2, in_channels=1, input_size=32)
    optimizer = torch.optim.Adam(model.parameters(), lr=3e-3)
    model.train()
    for _ in range(2):
        for i in range(0, len(x), 32):
            loss = torch.nn.functional.cross_entropy(model(x[i : i + 32]), y[i : i + 32])
            loss.backward()
            optimizer.step()
            optimizer.zero_grad()
    predictor = Predictor(_bundle(model, classes=["left", "right"], size=32, spec=[TO_TENSOR]))

    _, labels, arrays, boxes = _square_set(np.random.default_rng(1), 20)
    hits = {"hirescam": [0, 0], "gradcam": [0, 0]}  # [peak in the half, peak on the square]
    correct = 0
    for arr, label, (x0, y0) in zip(arrays, labels.tolist(), boxes, strict=True):
        image = Image.fromarray(arr, "L")
        correct += predictor.predict(image, k=1)[0][0] == ["left", "right"][label]
        for method, counts in hits.items():
            heat = predictor.gradcam(image, method=method)
            assert heat.shape == (32, 32) and heat.dtype == np.float32
            assert heat.min() >= 0.0 and heat.max() == pytest.approx(1.0)
            py, px = np.unravel_index(int(np.argmax(heat)), heat.shape)
            counts[0] += (px >= 16) == bool(label)
            counts[1] += (x0 - 2 <= px < x0 + 10) and (y0 - 2 <= py < y0 + 10)
    assert correct >= 18
    assert hits["hirescam"][0] >= 18, f"peak in the square's half: {hits}"
    assert hits["hirescam"][1] >= 16, f"peak on the square: {hits}"
    assert hits["gradcam"][0] >= 12, f"classic Grad-CAM peak in the square's half: {hits}"
    first = Image.fromarray(arrays[0], "L")
    assert np.array_equal(predictor.gradcam(first), predictor.gradcam(first, class_index=0))
    with pytest.raises(ValueError, match="out of range"):
        predictor.gradcam(first, class_index=2)


# --------------------------------------------------------------------------- speed paths


def _randomise_batchnorm(model: torch.nn.Module, seed: int = 1) -> torch.nn.Module:
    """Non-trivial BatchNorm statistics and affine terms, as after real training."""
    gen = torch.Generator().manual_seed(seed)
    for m in model.modules():
        if isinstance(m, torch.nn.modules.batchnorm._BatchNorm):
            n = m.num_features
            m.running_mean.copy_(torch.randn(n, generator=gen) * 0.5)
            m.running_var.copy_(torch.rand(n, generator=gen) * 2.0 + 0.1)
            m.weight.data.copy_(torch.rand(n, generator=gen) + 0.5)
            m.bias.data.copy_(torch.randn(n, generator=gen) * 0.2)
    return model.eval()


@pytest.mark.parametrize(("arch", "channels", "size"), [("smallcnn", 1, 28), ("resnet18", 3, 32)])
def test_folded_inference_model_gives_the_same_logits(arch, channels, size):
    torch.manual_seed(0)
    model = _randomise_batchnorm(build_model(arch, 4, in_channels=channels, input_size=size))
    predictor = Predictor(_bundle(model, arch=arch, size=size, channels=channels), precision="fp32")
    folded = predictor.inference_model
    assert folded is not predictor.model
    assert not any(isinstance(m, torch.nn.BatchNorm2d) for m in folded.modules())
    # Grad-CAM's model keeps its BatchNorm layers (hooks and gradients go there).
    assert any(isinstance(m, torch.nn.BatchNorm2d) for m in predictor.model.modules())
    x = torch.rand(8, channels, size, size, generator=torch.Generator().manual_seed(2))
    with torch.inference_mode():
        eager = predictor.model(x)
        fast = folded(x.contiguous(memory_format=torch.channels_last))
    assert torch.allclose(fast, eager, atol=1e-4, rtol=1e-4)
    assert torch.equal(fast.argmax(1), eager.argmax(1))
    assert predictor.gradcam(Image.new("L" if channels == 1 else "RGB", (size, size))).shape == (
        size,
        size,
    )


def test_models_without_batchnorm_are_used_as_they_are(tmp_path):
    model = build_model("mlp", 4, in_channels=1, input_size=28).eval()
    predictor = Predictor(_bundle(model, arch="mlp"))
    assert predictor.inference_model is predictor.model


def test_warm_up_and_loaded_images_predict_the_same(predictor, tmp_path):
    path = _digit_png(tmp_path / "w.png", value=11)
    before = predictor.predict(path, k=4)
    predictor.warm_up(fast_single=True)
    image = predictor.load(path)
    after = predictor.predict(image, k=4, loaded=True)  # packed conv weights since warm_up
    assert [p for _, p in after] == pytest.approx([p for _, p in before], abs=1e-6)
    assert [n for n, _ in after] == [n for n, _ in before]
    assert torch.equal(predictor.preprocess(image, loaded=True), predictor.preprocess(path))


def test_folded_model_shares_the_weights_it_does_not_fold():
    model = _randomise_batchnorm(build_model("smallcnn", 4, in_channels=1, input_size=28))
    predictor = Predictor(_bundle(model))
    shared = {id(p) for p in predictor.model.parameters()}
    linear = [m for m in predictor.inference_model.modules() if isinstance(m, torch.nn.Linear)]
    assert linear and all(id(m.weight) in shared for m in linear)
    convs = [m for m in predictor.inference_model.modules() if isinstance(m, torch.nn.Conv2d)]
    assert convs and not any(id(m.weight) in shared for m in convs)


@pytest.mark.parametrize(("arch", "channels", "size"), [("smallcnn", 1, 28), ("resnet18", 3, 32)])
def test_single_images_use_packed_conv_weights_with_the_same_logits(arch, channels, size):
    from core.fastpath import PackedConv2d

    torch.manual_seed(0)
    model = _randomise_batchnorm(build_model(arch, 4, in_channels=channels, input_size=size))
    predictor = Predictor(_bundle(model, arch=arch, size=size, channels=channels), precision="fp32")
    assert predictor._single_model is None
    predictor.warm_up(fast_single=True)  # the app packs at load, off the GUI thread
    single = predictor._single_model
    if not torch.backends.mkldnn.is_available():
        assert single is predictor.inference_model
        return
    packed = [m for m in single.modules() if isinstance(m, PackedConv2d)]
    convs = [m for m in predictor.inference_model.modules() if isinstance(m, torch.nn.Conv2d)]
    assert len(packed) == len(convs) > 0
    assert not any(isinstance(m, torch.nn.Conv2d) for m in single.modules())
    x = torch.rand(5, channels, size, size, generator=torch.Generator().manual_seed(3))
    with torch.inference_mode():
        eager = predictor.model(x)
        one_by_one = torch.cat([single(predictor._to_device(x[i : i + 1])) for i in range(5)])
    assert torch.allclose(one_by_one, eager, atol=1e-4, rtol=1e-4)
    picture = Image.new("L" if channels == 1 else "RGB", (size, size), 90)
    alone = predictor.predict(picture, k=4)
    in_batch = predictor._probabilities(
        torch.stack([predictor.preprocess(picture)] * 2)  # batches keep the folded model
    )[0]
    assert [p for _, p in alone] == pytest.approx(sorted(in_batch.tolist(), reverse=True), abs=1e-5)


def test_packed_copy_that_disagrees_is_not_used(monkeypatch, caplog):
    from core import fastpath

    model = _randomise_batchnorm(build_model("smallcnn", 4, in_channels=1, input_size=28))
    predictor = Predictor(_bundle(model))
    real = fastpath.PackedConv2d.forward
    monkeypatch.setattr(fastpath.PackedConv2d, "forward", lambda self, x: real(self, x) + 0.1)
    monkeypatch.setattr(fastpath, "_warned", False)
    with caplog.at_level("WARNING", logger="convstudio.fastpath"):
        predictor.warm_up(fast_single=True)
        assert predictor._single_model is predictor.inference_model  # checked, then left out
        Predictor(_bundle(model)).warm_up(fast_single=True)
    said = [r.getMessage() for r in caplog.records if r.name == "convstudio.fastpath"]
    assert len(said) == 1 and "differed" in said[0]  # said once, not on every load

    def broken(self, x):
        raise RuntimeError("this oneDNN cannot run packed weights")

    monkeypatch.setattr(fastpath.PackedConv2d, "forward", broken)
    again = Predictor(_bundle(model))
    again.warm_up(fast_single=True)
    assert again._single_model is again.inference_model
    assert len(again.predict(Image.new("L", (28, 28)), k=2)) == 2


def test_one_off_predictions_do_not_pack(predictor, tmp_path):
    """Packing pays off over many drops; the CLI's single prediction skips it."""
    fresh = Predictor(predictor.bundle)
    assert len(fresh.predict(_digit_png(tmp_path / "one.png"), k=3)) == 3
    assert fresh._single_model is None
    fresh.warm_up()  # the fast path is opt-in
    assert fresh._single_model is None
