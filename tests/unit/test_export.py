"""core.export: TorchScript/ONNX files that predict what the bundle predicts, the usage
snippet, and the run as a plain training script for every architecture and mode."""

from __future__ import annotations

import itertools
import json
import os
import py_compile
import runpy
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image

from core import ARCH_NAMES, export
from core.augment import get_preset
from core.checkpoint import load_bundle, model_from_bundle, save_bundle
from core.config import TrainConfig
from core.export_script import training_script
from core.export_snippet import numpy_ready, usage_snippet
from core.models import ARCHS, build_model
from core.predict import Predictor
from tests.unit.test_predict import _bundle as predict_bundle
from tests.unit.test_predict import _randomise_batchnorm

pytestmark = pytest.mark.filterwarnings("ignore:`torch.jit:FutureWarning")  # still loads

STEP = {"enabled": True}
SMALL_PHOTO_EVAL = [
    {"name": "Resize", "params": {"size": 36}, **STEP},
    {"name": "CenterCrop", "params": {"size": 32}, **STEP},
    {"name": "ToTensor", "params": {}, **STEP},
    {"name": "Normalize", "params": {"mean": [0.485, 0.456, 0.406], "std": [0.229, 0.224, 0.225]}, **STEP},
]  # fmt: skip


def _bundle(arch: str, channels: int, size: int, classes: list[str], spec: list, data: str):
    """A bundle of random weights with trained-looking BatchNorm and a full run config."""
    torch.manual_seed(0)
    model = _randomise_batchnorm(build_model(arch, len(classes), channels, input_size=size))
    bundle = predict_bundle(model, arch, classes, size, spec, channels)
    bundle["config"].update(TrainConfig(data=data, arch=arch, epochs=3).to_dict())
    bundle["config"].update(eval_transforms=spec, in_channels=channels, input_size=size)
    return bundle


@pytest.fixture(scope="module")
def bundles(tmp_path_factory):
    """A digits smallcnn (checked on digits samples) and a 32-pixel RGB resnet18."""
    folder = tmp_path_factory.mktemp("export")
    digits = _bundle(
        "smallcnn",
        1,
        28,
        [str(i) for i in range(10)],
        get_preset("digits")["eval"],
        "builtin:digits",
    )
    photos = _bundle(
        "resnet18", 3, 32, ["cat", "dog", "owl"], SMALL_PHOTO_EVAL, str(folder / "gone")
    )
    paths = {}
    for name, bundle in (("smallcnn", digits), ("resnet18", photos)):
        paths[name] = folder / f"{name}.pt"
        save_bundle(bundle, paths[name])
    return paths


@pytest.fixture(scope="module")
def exported(bundles):
    """Each bundle exported once in each model format: (arch, format) -> ExportResult."""
    out = {}
    for (arch, path), fmt in itertools.product(bundles.items(), ("torchscript", "onnx")):
        target = path.parent / f"{arch}{export.SUFFIXES[fmt]}"
        if fmt == "torchscript":
            target = path.parent / f"{arch}_ts.pt"
        out[arch, fmt] = export.export_model(path, fmt, target)
    return out


def _run_file(fmt: str, path: str, batch: torch.Tensor) -> torch.Tensor:
    if fmt == "torchscript":
        return torch.jit.load(path, map_location="cpu")(batch).detach()
    import onnxruntime as ort

    session = ort.InferenceSession(path, providers=["CPUExecutionProvider"])
    return torch.from_numpy(session.run(None, {"input": batch.numpy()})[0])


@pytest.mark.parametrize("fmt", ["torchscript", "onnx"])
@pytest.mark.parametrize("arch", ["smallcnn", "resnet18"])
def test_exported_files_predict_what_the_bundle_predicts(bundles, exported, arch, fmt):
    result = exported[arch, fmt]
    check = result.check
    assert check.passed and check.top1_agree == check.images >= 8
    assert check.max_logit_diff < export.MAX_LOGIT_DIFF
    assert Path(result.path).is_file() and result.size_bytes == os.path.getsize(result.path)
    assert ("dataset samples" in check.source) == (arch == "smallcnn")
    # independently, on a batch size the export never saw (the batch axis is dynamic)
    bundle = load_bundle(bundles[arch])
    size, channels = bundle["input_size"], bundle["in_channels"]
    batch = torch.rand(5, channels, size, size, generator=torch.Generator().manual_seed(3))
    with torch.no_grad():
        want = model_from_bundle(bundle)(batch)
    got = _run_file(fmt, result.path, batch)
    assert torch.equal(got.argmax(1), want.argmax(1))
    assert (got - want).abs().max().item() < export.MAX_LOGIT_DIFF
    assert result.to_dict()["check"]["passed"] is True and "agrees on" in result.text()


def test_torchscript_carries_classes_and_preprocessing(bundles, exported):
    extra = dict.fromkeys(export.TORCHSCRIPT_EXTRA_FILES, "")
    torch.jit.load(exported["resnet18", "torchscript"].path, _extra_files=extra)
    assert json.loads(extra["class_names.json"]) == ["cat", "dog", "owl"]
    pre = json.loads(extra["preprocess.json"])
    assert (pre["channels"], pre["input_size"], pre["resize"], pre["crop"]) == (3, 32, 36, 32)
    assert pre["mean"] == [0.485, 0.456, 0.406] and pre["std"] == [0.229, 0.224, 0.225]
    assert pre["eval_transforms"] == load_bundle(bundles["resnet18"])["eval_transforms"]
    assert json.loads(extra["convstudio.json"])["arch"] == "resnet18"


def test_onnx_carries_metadata_and_a_dynamic_batch_axis(exported):
    import onnx

    proto = onnx.load(exported["smallcnn", "onnx"].path)
    meta = {p.key: json.loads(p.value) for p in proto.metadata_props}
    assert meta["class_names"] == [str(i) for i in range(10)]
    assert (meta["channels"], meta["input_size"], meta["resize"], meta["crop"]) == (
        1,
        28,
        None,
        None,
    )
    assert (meta["mean"], meta["std"]) == ([0.5], [0.5])
    assert {p.version for p in proto.opset_import if p.domain in ("", "ai.onnx")} == {
        export.ONNX_OPSET
    }
    (first,) = proto.graph.input
    assert first.name == "input" and first.type.tensor_type.shape.dim[0].dim_param


def test_a_file_that_fails_the_check_is_not_left_behind(bundles, tmp_path, monkeypatch):
    real_runner = export._runner

    def perturbed(fmt, path):
        run = real_runner(fmt, path)
        return lambda batch: run(batch) + 1e-3

    monkeypatch.setattr(export, "_runner", perturbed)
    out = tmp_path / "model.pt"
    with pytest.raises(export.ExportError, match=r"largest logit difference is 0\.001"):
        export.export_model(bundles["smallcnn"], "torchscript", out)
    assert not out.exists() and list(tmp_path.iterdir()) == []
    out.write_text("an earlier export")  # a failed export keeps the previous file
    with pytest.raises(export.ExportError, match="the file was not written"):
        export.export_model(bundles["smallcnn"], "torchscript", out)
    assert out.read_text() == "an earlier export" and len(list(tmp_path.iterdir())) == 1


def test_missing_onnx_packages_name_the_extra(bundles, tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "onnxscript", None)  # import onnxscript -> ImportError
    with pytest.raises(export.MissingExtraError) as info:
        export.export_model(bundles["smallcnn"], "onnx", tmp_path / "m.onnx")
    message = str(info.value)
    assert 'pip install -e ".[export]"' in message and "onnxscript" in message
    assert "\n" not in message and not (tmp_path / "m.onnx").exists()


def test_check_images_are_the_given_ones(bundles, tmp_path):
    pictures = tmp_path / "pictures"
    pictures.mkdir()
    rng = np.random.default_rng(0)
    for i in range(3):
        Image.fromarray(rng.integers(0, 255, (40, 50, 3), dtype=np.uint8)).save(
            pictures / f"{i}.png"
        )
    (pictures / "notes.png").write_text("not an image")  # unreadable: not used
    result = export.export_model(
        bundles["smallcnn"], "torchscript", tmp_path / "m.pt", check_images=[str(pictures)]
    )
    assert result.check.images == 3 and result.check.source == "3 given images"
    with pytest.raises(ValueError, match="readable image"):
        export.export_model(
            bundles["smallcnn"],
            "torchscript",
            tmp_path / "n.pt",
            check_images=[str(tmp_path / "m.pt")],
        )
    with pytest.raises(ValueError, match="bundle itself"):
        export.export_model(bundles["resnet18"], "script", bundles["resnet18"])


def test_usage_snippet_preprocesses_and_predicts_like_the_app(bundles, exported, tmp_path, capsys):
    photo = tmp_path / "photo.jpg"
    rng = np.random.default_rng(1)
    Image.fromarray(rng.integers(0, 255, (45, 61, 3), dtype=np.uint8)).save(photo)
    snippet = tmp_path / "use_model.py"
    result = export.export_model(bundles["resnet18"], "snippet", snippet)
    assert result.check is None and result.size_bytes > 0
    module = runpy.run_path(str(snippet), run_name="snippet")
    predictor = Predictor(bundles["resnet18"])
    want = predictor.preprocess(str(photo))
    as_numpy = module["preprocess_numpy"](module["load_image"](photo))
    assert np.abs(as_numpy[0] - want.numpy()).max() < 1e-6
    assert (module["preprocess_torch"](module["load_image"](photo))[0] - want).abs().max() < 1e-6
    top = predictor.predict(str(photo), k=3)
    for fmt in ("torchscript", "onnx"):
        assert module["main"]([exported["resnet18", fmt].path, str(photo)]) == 0
        line = capsys.readouterr().out.strip()
        shown = [part.rsplit(" ", 1) for part in line.split(": ", 1)[1].split(", ")]
        assert [name for name, _ in shown] == [name for name, _ in top]
        assert all(abs(float(p) - q) < 1e-4 for (_, p), (_, q) in zip(shown, top, strict=True))


def test_snippet_falls_back_to_torchvision_for_other_steps(bundles):
    bundle = load_bundle(bundles["resnet18"])
    bundle["eval_transforms"] = [
        {"name": "Pad", "params": {"padding": 2}, **STEP},
        *SMALL_PHOTO_EVAL,
    ]
    assert numpy_ready(SMALL_PHOTO_EVAL) and not numpy_ready(bundle["eval_transforms"])
    text = usage_snippet(bundle, 'odd "name"\\ .pt')
    assert "def preprocess_numpy" not in text and "preprocess_torch(image).numpy()" in text
    compile(text, "use_model.py", "exec")


# --------------------------------------------------------------------------- training script


def _script_bundle(arch, mode, pretrained, channels, optimizer, scheduler, data):
    size = max(ARCHS[arch].min_input_size, 28 if arch in ("mlp", "smallcnn") else 64)
    preset = get_preset("digits" if channels == 1 else "seed")
    config = TrainConfig(
        data=data,
        arch=arch,
        mode=mode,
        pretrained=pretrained,
        optimizer=optimizer,
        scheduler=scheduler,
    ).to_dict()
    config.update(train_transforms=preset["train"], eval_transforms=preset["eval"])
    config.update(in_channels=channels, input_size=size)
    return {
        "arch": arch,
        "class_names": ["a", "b", "c"],
        "in_channels": channels,
        "input_size": size,
        "eval_transforms": preset["eval"],
        "config": config,
    }


def _script_cases():
    optimizers = itertools.cycle(("sgd", "adam", "adamw"))
    schedulers = itertools.cycle(("none", "step", "cosine", "onecycle"))
    for arch in ARCH_NAMES:
        pretrained = "imagenet" if ARCHS[arch].pretrained else "none"
        data = "builtin:digits" if arch in ("mlp", "smallcnn") else "/data/photos"
        for mode in ("scratch", "finetune", "feature-extract", "two-stage"):
            weights = "none" if mode == "scratch" else pretrained
            channels = 1 if arch in ("mlp", "smallcnn", "resnet18", "vgg11_bn") else 3
            yield arch, mode, weights, channels, next(optimizers), next(schedulers), data
    odd = '/data/it\'s "odd"\\ \u00e9 photos'  # quotes, a backslash: still one string literal
    yield "resnet34", "finetune", "/weights/my resnet34.pth", 3, "sgd", "step", odd


def _ruff() -> list[str] | None:
    try:
        import ruff  # noqa: F401
    except ImportError:
        found = shutil.which("ruff")
        return [found] if found else None
    return [sys.executable, "-m", "ruff"]


def test_training_scripts_for_every_architecture_and_mode_compile_and_lint(tmp_path):
    files = []
    for case in _script_cases():
        path = tmp_path / f"{'_'.join(str(v).replace('/', '') for v in case[:3])}.py"
        path.write_text(training_script(_script_bundle(*case), "runs/x/best.pt"), encoding="utf-8")
        py_compile.compile(str(path), doraise=True)
        files.append(path)
    ruff = _ruff()
    if ruff is None:
        pytest.skip("ruff is not installed")
    lint = [*ruff, "check", "--isolated", "--select", "F,E9,B,UP", "--target-version", "py310"]
    proc = subprocess.run([*lint, *map(str, files)], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stdout + proc.stderr


@pytest.mark.parametrize(
    ("arch", "mode", "channels"),
    [
        ("mlp", "scratch", 1),
        ("smallcnn", "feature-extract", 3),
        ("resnet18", "feature-extract", 1),
        ("alexnet", "scratch", 3),
        ("mlp", "two-stage", 1),
        ("vgg11_bn", "two-stage", 3),
    ],
)
def test_script_models_have_the_registry_layers_and_freezing(tmp_path, arch, mode, channels):
    bundle = _script_bundle(arch, mode, "none", channels, "adam", "cosine", "builtin:digits")
    path = tmp_path / "train_again.py"
    path.write_text(training_script(bundle), encoding="utf-8")
    script = runpy.run_path(str(path), run_name="generated")["build_model"](3)
    ours = build_model(arch, 3, channels, mode=mode, input_size=bundle["input_size"])
    shapes = {k: tuple(v.shape) for k, v in script.state_dict().items()}
    assert shapes == {k: tuple(v.shape) for k, v in ours.state_dict().items()}
    trainable = {n for n, p in script.named_parameters() if p.requires_grad}
    assert trainable == {n for n, p in ours.named_parameters() if p.requires_grad}


def test_the_cli_offers_every_format():
    from core import cli

    assert cli.EXPORT_FORMATS == export.FORMATS == tuple(export.SUFFIXES)


def test_script_records_the_runs_settings():
    bundle = _script_bundle("resnet18", "feature-extract", "imagenet", 3, "sgd", "onecycle", "/d")
    bundle["config"].update(lr=0.02, batch_size=16, weight_decay=1e-4, seed=7, momentum=0.8)
    text = training_script(bundle, "runs/r/best.pt")
    for expected in (
        'DATA = "/d"',
        "BATCH_SIZE = 16",
        "LR = 0.02",
        "MOMENTUM = 0.8",
        "WEIGHT_DECAY = 0.0001",
        "SEED = 7",
        "weights=models.ResNet18_Weights.DEFAULT",
        "param.requires_grad = False",
        "OneCycleLR(",
        "scheduler.step()  # one-cycle",
        "torch.optim.SGD(params, lr=lr, momentum=MOMENTUM, weight_decay=WEIGHT_DECAY)",
        "optimizer = make_optimizer(model, LR)",
        "v2.CenterCrop(size=224)",
        'print(f"best_val_acc: {best_val_acc:.4f}")',
    ):
        assert expected in text, expected
    assert (
        text.index("loss.backward()")
        < text.index("optimizer.step()")
        < text.index("optimizer.zero_grad()")
    )


def _tiny_folder(root: Path, per_class: int = 8) -> Path:
    """ROOT/<class>/ of 28x28 grey PNGs: dark, middle and bright noise."""
    rng = np.random.default_rng(0)
    for label, name in enumerate(("a", "b", "c")):
        (root / name).mkdir(parents=True)
        for i in range(per_class):
            pixels = rng.integers(0, 85, (28, 28)) + 85 * label
            Image.fromarray(pixels.astype(np.uint8), "L").save(root / name / f"{i}.png")
    return root


def _run_script(path: Path, *args: str) -> list[str]:
    proc = subprocess.run(
        [sys.executable, str(path), *args],
        cwd=path.parent,
        env={**os.environ, "OMP_WAIT_POLICY": "PASSIVE"},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    return proc.stdout.strip().splitlines()


def test_a_two_stage_script_trains_the_head_then_every_layer(tmp_path):
    """The script of a two-stage run freezes the backbone for HEAD_EPOCHS (kept in eval
    mode: its weights and BatchNorm statistics do not move), then unfreezes every layer
    from the best head at lr * finetune_lr_factor, as core.stages does."""
    data = _tiny_folder(tmp_path / "data")
    bundle = _script_bundle("smallcnn", "two-stage", "none", 1, "sgd", "cosine", str(data))
    bundle["config"].update(head_epochs=1, finetune_lr_factor=0.25, lr=0.02, batch_size=8)
    script = tmp_path / "train_again.py"
    script.write_text(training_script(bundle), encoding="utf-8")
    ours = build_model("smallcnn", 3, 1, mode="two-stage", input_size=28)
    total = sum(p.numel() for p in ours.parameters())
    head = sum(p.numel() for p in ours.head.parameters())

    lines = _run_script(script, "--epochs", "3", "--out", str(tmp_path / "best.pt"))
    assert lines[0] == (
        f"stage 1: the head alone for 1 epoch(s), backbone frozen, "
        f"{head:,} of {total:,} parameters train"
    )
    assert lines[1].startswith("epoch 1/3") and lines[1].endswith("*best")
    assert lines[2] == (
        "stage 2: fine-tuning every layer from the best head (epoch 1) at lr 0.005, "
        f"{total:,} of {total:,} parameters train"
    )
    assert [line.split()[1] for line in lines[3:5]] == ["2/3", "3/3"]
    assert lines[5].startswith("best_val_acc: ") and len(lines) == 6
    weights = torch.load(tmp_path / "best.pt", map_location="cpu", weights_only=True)
    ours.load_state_dict(weights, strict=True)  # the app's network, as it is

    # the first stage alone: only the head moved, the backbone's BatchNorm kept its statistics
    lines = _run_script(script, "--epochs", "1", "--out", str(tmp_path / "head.pt"))
    assert len(lines) == 3 and not any(line.startswith("stage 2") for line in lines)
    after = torch.load(tmp_path / "head.pt", map_location="cpu", weights_only=True)
    generated = runpy.run_path(str(script), run_name="generated")
    torch.manual_seed(generated["SEED"])
    before = generated["build_model"](3).state_dict()
    moved = {k for k in before if not torch.equal(before[k], after[k])}
    assert moved == {"head.weight", "head.bias"}
