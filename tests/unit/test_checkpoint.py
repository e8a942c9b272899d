"""Model bundles: plain-data round trip, atomic saves, and refusal of anything unsafe."""

from __future__ import annotations

import argparse
import io
import os
import pickle
import zipfile
from pathlib import Path

import numpy as np
import pytest
import torch

from core import checkpoint
from core.checkpoint import (
    BUNDLE_FORMAT,
    BUNDLE_KEYS,
    BundleError,
    load_bundle,
    make_bundle,
    model_from_bundle,
    save_atomic,
    save_bundle,
)
from core.models import build_model

EVAL_SPEC = [
    {"name": "ToTensor", "params": {}, "enabled": True},
    {"name": "Normalize", "params": {"mean": [0.5], "std": [0.5]}, "enabled": True},
]


def _model(seed: int = 0):
    torch.manual_seed(seed)
    return build_model("smallcnn", 3, in_channels=1, input_size=28)


def _bundle(model=None, **overrides) -> dict:
    args = {
        "model": model if model is not None else _model(),
        "arch": "smallcnn",
        "class_names": ["cat", "dog", "owl"],
        "in_channels": 1,
        "input_size": 28,
        "eval_transforms": EVAL_SPEC,
        "epoch": 4,
        "metrics": {"val_acc": 0.75, "val_loss": 0.5},
        "config": {"arch": "smallcnn", "epochs": 5, "lr": 1e-3},
    }
    args.update(overrides)
    return make_bundle(**args)


def test_bundle_round_trip_loads_with_weights_only(tmp_path):
    model = _model().eval()
    bundle = _bundle(model)
    path = tmp_path / "best.pt"
    save_bundle(bundle, path)

    raw = torch.load(path, weights_only=True)
    assert set(raw) == set(BUNDLE_KEYS)
    assert raw["format"] == BUNDLE_FORMAT and raw["version"] == 1
    assert raw["num_classes"] == 3 and raw["class_names"] == ["cat", "dog", "owl"]
    assert raw["eval_transforms"] == EVAL_SPEC
    assert raw["metrics"] == {"val_acc": 0.75, "val_loss": 0.5}

    loaded = load_bundle(path)
    rebuilt = model_from_bundle(loaded)
    assert not rebuilt.training
    x = torch.randn(4, 1, 28, 28)
    with torch.no_grad():
        assert torch.allclose(rebuilt(x), model(x))


def test_bundle_is_a_snapshot_of_the_weights():
    model = _model()
    bundle = _bundle(model)
    with torch.no_grad():
        model.head.weight.add_(1.0)
    assert not torch.equal(bundle["state_dict"]["head.weight"], model.head.weight)


def test_make_bundle_turns_values_plain_and_refuses_objects(tmp_path):
    bundle = _bundle(
        metrics={"val_acc": np.float32(0.5), "best": torch.tensor(0.25)},
        config={"out": Path("runs/a"), "sizes": (1, 2)},
    )
    assert bundle["metrics"]["val_acc"] == pytest.approx(0.5)
    assert isinstance(bundle["metrics"]["val_acc"], float)
    assert bundle["config"] == {"out": "runs/a", "sizes": [1, 2]}
    save_bundle(bundle, tmp_path / "b.pt")
    assert torch.load(tmp_path / "b.pt", weights_only=True)["config"]["out"] == "runs/a"

    with pytest.raises(BundleError, match="Namespace"):
        _bundle(config={"args": argparse.Namespace(lr=0.1)})


def test_last_pt_extras_are_kept_and_checked(tmp_path):
    model = _model()
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    model(torch.randn(2, 1, 28, 28)).sum().backward()
    optimizer.step()
    bundle = _bundle(model)
    bundle.update(
        optimizer=optimizer.state_dict(),
        scheduler={"last_epoch": 3},
        rng={"torch": torch.get_rng_state()},
        best_val_acc=0.75,
    )
    path = tmp_path / "last.pt"
    save_bundle(bundle, path)
    loaded = load_bundle(path)
    assert loaded["best_val_acc"] == 0.75
    assert loaded["optimizer"]["param_groups"][0]["lr"] == 1e-3
    assert torch.equal(loaded["rng"]["torch"], bundle["rng"]["torch"])

    bundle["rng"] = {"numpy": np.random.get_state()}
    with pytest.raises(BundleError, match="rng"):
        save_bundle(bundle, tmp_path / "numpy.pt")
    assert not (tmp_path / "numpy.pt").exists()


def test_failed_save_leaves_the_old_file_intact(tmp_path, monkeypatch):
    path = tmp_path / "best.pt"
    save_bundle(_bundle(epoch=1), path)
    before = path.read_bytes()

    real_save = torch.save

    def crash_midway(obj, fh, *args, **kwargs):
        buffer = io.BytesIO()
        real_save(obj, buffer)
        fh.write(buffer.getvalue()[:1000])  # half a file reaches the disk ...
        raise OSError("disk full")  # ... then the writer dies

    monkeypatch.setattr(torch, "save", crash_midway)
    with pytest.raises(OSError, match="disk full"):
        save_bundle(_bundle(_model(seed=9), epoch=2), path)
    monkeypatch.undo()

    assert path.read_bytes() == before
    assert load_bundle(path)["epoch"] == 1
    assert [p.name for p in tmp_path.iterdir()] == ["best.pt"]  # no temp file left


def test_save_atomic_replaces_and_creates_folders(tmp_path):
    path = tmp_path / "run" / "x.pt"
    save_atomic({"a": 1}, path)
    save_atomic({"a": 2}, path)
    assert torch.load(path, weights_only=True) == {"a": 2}
    assert sorted(p.name for p in path.parent.iterdir()) == ["x.pt"]


def _write_zip_not_torch(path: Path) -> None:
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("hello.txt", "not a model")


@pytest.mark.parametrize(
    "maker,match",
    [
        (lambda p: p.write_text("just some notes\n"), "not a ConvStudio model bundle"),
        (lambda p: p.write_bytes(np.random.default_rng(0).bytes(4096)), "not a ConvStudio"),
        (lambda p: p.write_bytes(b""), "empty"),
        (_write_zip_not_torch, "not a ConvStudio model bundle"),
        (lambda p: torch.save(_model().state_dict(), p), "plain PyTorch state_dict"),
        (lambda p: torch.save({"epoch": 3, "model": {}}, p), "without the bundle format"),
        (lambda p: torch.save([1, 2, 3], p), "holds a list"),
    ],
    ids=["text", "random", "empty", "zip", "state_dict", "no_format", "list"],
)
def test_files_that_are_not_bundles_are_refused(tmp_path, maker, match):
    path = tmp_path / "model.pt"
    maker(path)
    with pytest.raises(BundleError, match=match) as info:
        load_bundle(path)
    assert str(path) in str(info.value)


def test_truncated_bundle_is_refused(tmp_path):
    path = tmp_path / "best.pt"
    save_bundle(_bundle(), path)
    data = path.read_bytes()
    for cut in (len(data) // 2, len(data) - 30):
        path.write_bytes(data[:cut])
        with pytest.raises(BundleError, match="damaged|not a ConvStudio"):
            load_bundle(path)


def test_missing_path_and_folder_are_refused(tmp_path):
    with pytest.raises(BundleError, match="does not exist"):
        load_bundle(tmp_path / "nope.pt")
    with pytest.raises(BundleError, match="folder"):
        load_bundle(tmp_path)


class _Evil:
    """Unpickling this creates a marker file: proof that code ran."""

    def __init__(self, marker: Path):
        self.marker = str(marker)

    def __reduce__(self):
        return (open, (self.marker, "w"))


def test_malicious_pickle_is_refused_without_running(tmp_path):
    proof = tmp_path / "proof_payload_works"
    pickle.loads(pickle.dumps(_Evil(proof))).close()
    assert proof.exists()  # the payload really runs under a plain unpickler

    marker = tmp_path / "pwned"
    raw = tmp_path / "raw_pickle.pt"
    raw.write_bytes(pickle.dumps({"format": BUNDLE_FORMAT, "x": _Evil(marker)}, protocol=2))
    zipped = tmp_path / "torch_zip.pt"
    bundle = _bundle()
    bundle["metrics"] = {"evil": _Evil(marker)}
    torch.save(bundle, zipped)

    for path in (raw, zipped):
        with pytest.raises(BundleError, match="could run code") as info:
            load_bundle(path)
        assert "open" in str(info.value)
    assert not marker.exists()


class _Shell:
    """Unpickling this would run a shell command (os.system), the classic payload."""

    def __init__(self, marker: Path):
        self.command = f"touch '{marker}'"

    def __reduce__(self):
        return (os.system, (self.command,))


def test_os_system_payload_is_named_and_never_runs(tmp_path):
    marker = tmp_path / "pwned"
    bundle = _bundle()
    bundle["config"] = {"evil": _Shell(marker)}
    path = tmp_path / "shell.pt"
    torch.save(bundle, path)
    with pytest.raises(BundleError, match=r"refers to (posix|os|nt)\.system.*could run code"):
        load_bundle(path)
    raw = tmp_path / "raw.pt"
    raw.write_bytes(pickle.dumps(_Shell(marker), protocol=4))
    with pytest.raises(BundleError, match="nothing in it was run") as info:
        load_bundle(raw)
    assert "weights_only" not in str(info.value)  # never advise the unsafe retry
    assert not marker.exists()


def test_damaged_files_never_suggest_unsafe_loading(tmp_path):
    for name, data in {"zeros.pt": b"\0" * 1000, "text.pt": b"hello world"}.items():
        path = tmp_path / name
        path.write_bytes(data)
        with pytest.raises(BundleError, match="damaged") as info:
            load_bundle(path)
        assert "weights_only" not in str(info.value)


def test_unreadable_file_is_not_called_damaged(tmp_path, monkeypatch):
    path = tmp_path / "best.pt"
    save_bundle(_bundle(), path)

    def denied(*args, **kwargs):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(torch, "load", denied)
    with pytest.raises(BundleError, match="cannot be read .Permission denied") as info:
        load_bundle(path)
    assert "damaged" not in str(info.value)


def test_inconsistent_bundles_are_refused(tmp_path):
    cases = {
        "arch": ("arch", "lenet", "does not know"),
        "names": ("num_classes", 5, "num_classes"),
        "channels": ("in_channels", 2, "in_channels"),
        "version": ("version", 99, "newer ConvStudio"),
    }
    for name, (key, value, match) in cases.items():
        bundle = _bundle()
        bundle[key] = value
        path = tmp_path / f"{name}.pt"
        torch.save(bundle, path)
        with pytest.raises(BundleError, match=match):
            load_bundle(path)
    bundle = _bundle()
    del bundle["eval_transforms"]
    with pytest.raises(BundleError, match="lacks eval_transforms"):
        checkpoint.check_bundle(bundle)


def test_weights_that_do_not_fit_the_arch_are_refused():
    bundle = _bundle()
    bundle["state_dict"]["head.weight"] = torch.zeros(3, 7)
    with pytest.raises(BundleError, match=r"do not fit.*'head.weight' has shape \(3, 7\)"):
        model_from_bundle(bundle)
    extra = _bundle()
    extra["state_dict"]["surprise.weight"] = torch.zeros(1)
    with pytest.raises(BundleError, match="unexpected surprise.weight"):
        model_from_bundle(extra)
    nan = _bundle()
    nan["state_dict"]["head.bias"] = torch.tensor([0.0, float("nan"), 0.0])
    with pytest.raises(BundleError, match="NaN"):
        model_from_bundle(nan)
