"""Feature cache for frozen backbones (core.features via core.stages): key, reuse, memory,
the same results as without it, stopping, the phase events."""

from __future__ import annotations

import os

import numpy as np
import pytest
import torch
from PIL import Image

from core import features, models
from core.config import TrainConfig
from core.events import Callback, TrainControl
from core.trainer import Trainer, fit

# no augmentation: with and without the cache the head sees the same pixels
PLAIN = [
    {"name": "ToTensor", "params": {}},
    {"name": "Normalize", "params": {"mean": [0.5, 0.5, 0.5], "std": [0.25, 0.25, 0.25]}},
]
FLIP = [{"name": "RandomHorizontalFlip", "params": {"p": 0.5}}, *PLAIN]


@pytest.fixture(autouse=True)
def _cache_folder(tmp_path, monkeypatch):
    monkeypatch.setenv(features.CACHE_ENV, str(tmp_path / "feature-cache"))


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    """Three classes of 16x16 photos told apart by a bright vertical band."""
    root = tmp_path_factory.mktemp("bands")
    rng = np.random.default_rng(0)
    for c, name in enumerate(("a", "b", "c")):
        (root / name).mkdir()
        for i in range(14):
            px = rng.normal(90, 25, size=(16, 16, 3))
            px[:, c * 5 : c * 5 + 5] += 110
            Image.fromarray(np.clip(px, 0, 255).astype(np.uint8)).save(root / name / f"{i}.png")
    return root


@pytest.fixture(scope="module")
def weights(tmp_path_factory):
    """A "pretrained" smallcnn backbone: a state_dict file made here (no download)."""
    torch.manual_seed(3)
    path = tmp_path_factory.mktemp("w") / "smallcnn.pth"
    torch.save(models.build_model("smallcnn", 3, input_size=16).state_dict(), path)
    return str(path)


def _config(folder, tmp_path, weights, **kw) -> TrainConfig:
    base = dict(
        data=str(folder),
        arch="smallcnn",
        mode="feature-extract",
        pretrained=weights,
        train_transforms=PLAIN,
        eval_transforms=PLAIN,
        epochs=3,
        batch_size=8,
        lr=0.01,
        val_split=0.25,
        scheduler="none",
        out=str(tmp_path / f"run{len(list(tmp_path.glob('run*')))}"),
    )
    base.update(kw)
    return TrainConfig(**base)


class Phases(Callback):
    def __init__(self) -> None:
        self.events = []
        self.notes = ()

    def on_phase(self, ev) -> None:
        if ev.phase != "evaluation":  # best.pt evaluated after training: not a setup phase
            self.events.append(ev)

    def on_fit_start(self, ev) -> None:
        self.notes = ev.notes


def _entries() -> list:
    root = features.cache_root()
    return sorted(p for p in root.iterdir() if not p.name.startswith(".")) if root.exists() else []


def test_same_accuracy_with_and_without_the_cache(folder, tmp_path, weights):
    on = fit(_config(folder, tmp_path, weights))
    off = fit(_config(folder, tmp_path, weights, feature_cache="off"))
    assert on["best_val_acc"] == pytest.approx(off["best_val_acc"], abs=1e-9)
    # the same batches in the same order; only float16 rounding of the features differs
    assert on["final_val_loss"] == pytest.approx(off["final_val_loss"], abs=0.01)
    assert on["final_train_loss"] == pytest.approx(off["final_train_loss"], abs=0.01)


def test_a_following_run_with_the_same_key_reuses_the_cache(folder, tmp_path, weights):
    first, second = Phases(), Phases()
    a = fit(_config(folder, tmp_path, weights), [first])
    assert [ev.phase for ev in first.events][-1] == "features"
    last = first.events[-1]
    assert last.done == last.total == 42 and last.unit == "images"
    assert "no augmentation" in last.text
    entry = _entries()
    assert len(entry) == 1
    stamp = os.stat(entry[0] / "train.f16").st_mtime_ns
    b = fit(_config(folder, tmp_path, weights), [second])
    assert second.events == []  # nothing extracted
    assert any("reused" in note for note in second.notes)
    assert os.stat(entry[0] / "train.f16").st_mtime_ns == stamp
    assert a["best_val_acc"] == b["best_val_acc"]


def test_the_key_follows_files_weights_pipeline_and_views(
    folder, tmp_path, weights, tmp_path_factory
):
    fit(_config(folder, tmp_path, weights, epochs=1))
    assert len(_entries()) == 1
    fit(_config(folder, tmp_path, weights, epochs=1, cache_views=2, train_transforms=FLIP))
    assert len(_entries()) == 2  # augmented views: another entry
    other = tmp_path_factory.mktemp("w2") / "other.pth"
    torch.manual_seed(11)
    torch.save(models.build_model("smallcnn", 3, input_size=16).state_dict(), other)
    fit(_config(folder, tmp_path, str(other), epochs=1))
    assert len(_entries()) == 3  # other backbone weights
    fit(_config(folder, tmp_path, weights, epochs=1, eval_transforms=PLAIN[:1]))
    assert len(_entries()) == 4  # another evaluation pipeline
    touched = folder / "a" / "0.png"
    st = touched.stat()
    os.utime(touched, ns=(st.st_atime_ns, st.st_mtime_ns + 10**9))
    try:
        fit(_config(folder, tmp_path, weights, epochs=1))
    finally:
        os.utime(touched, ns=(st.st_atime_ns, st.st_mtime_ns))
    assert len(_entries()) == 5  # a data file changed


def test_key_parts_are_plain_and_stable(folder):
    from core.data import build_datasets

    splits = build_datasets(str(folder), val_split=0.25)
    ident = features.data_identity(splits.train)
    assert ident == features.data_identity(splits.train)
    assert all(len(row) == 4 for row in ident)
    model = models.build_model("smallcnn", 3, input_size=16)
    d1 = features.weights_digest(model, "head.")
    with torch.no_grad():
        model.head.weight.add_(1.0)  # the head does not change the features
    assert features.weights_digest(model, "head.") == d1
    with torch.no_grad():
        model.features[0][0].weight.add_(1.0)
    assert features.weights_digest(model, "head.") != d1
    assert features.cache_key({"a": 1}) == features.cache_key({"a": 1})
    assert features.cache_key({"a": 1}) != features.cache_key({"a": 2})


def test_over_the_memory_limit_features_are_read_from_the_file(folder, tmp_path, weights):
    phases = Phases()
    small = fit(_config(folder, tmp_path, weights, cache_memory_mb=0), [phases])
    assert any("read from its file" in note for note in phases.notes)
    entry = _entries()[0]
    store = features.open_store(entry, 0)
    assert not store.in_memory and isinstance(store.train, np.memmap)
    assert features.open_store(entry, 10**9).in_memory
    big = fit(_config(folder, tmp_path, weights))
    assert small["best_val_acc"] == big["best_val_acc"]


def test_extraction_writes_rows_as_it_goes_not_in_memory(folder, tmp_path, weights, monkeypatch):
    """Each batch's rows reach the file when computed: nothing is held until the end."""
    writes = []
    real = features._pass

    class Counting:
        def __init__(self, out):
            self.out = out

        def write(self, data):
            writes.append(len(data))
            return self.out.write(data)

    monkeypatch.setattr(features, "_pass", lambda ex, ds, out, *a: real(ex, ds, Counting(out), *a))
    fit(_config(folder, tmp_path, weights, epochs=1, cache_views=3, train_transforms=FLIP))
    row = 128 * 9 * 2  # smallcnn's 1152 features in float16
    assert max(writes) <= 8 * row  # one batch (batch size 8) at a time
    meta = features.open_store(_entries()[0], 0).meta
    assert sum(writes) == (meta["n_valid"] + 3 * meta["n_train"]) * row


def test_views_give_each_epoch_another_augmented_version(folder, tmp_path, weights):
    fit(_config(folder, tmp_path, weights, epochs=1, cache_views=2, train_transforms=FLIP))
    store = features.open_store(_entries()[0], 10**9)
    assert store.views == 2
    assert not np.array_equal(store.train[0], store.train[1])  # flipped differently
    loader = features.FeatureLoader(store.train, store.train_labels, [[0, 1]])
    loader.set_view(3)
    assert loader.view == 1


def test_a_stop_during_extraction_leaves_no_cache_entry(folder, tmp_path, weights):
    control = TrainControl()

    class StopAtHalf(Callback):
        def on_phase(self, ev):
            if ev.phase == "features" and ev.done >= ev.total // 2:
                control.stop()

    summary = fit(_config(folder, tmp_path, weights), [StopAtHalf()], control)
    assert summary["stopped"] and summary["epochs"] == 0
    root = features.cache_root()
    assert not root.exists() or list(root.iterdir()) == []


def test_feature_loader_follows_the_image_loaders_batches(folder, tmp_path, weights):
    t = Trainer(_config(folder, tmp_path, weights, feature_cache="off"))
    t.setup()
    t.generator.manual_seed(7)
    image_batches = [y.tolist() for _, y, *_ in t.train_loader]
    labels = np.array([y for _, y in t.splits.train.samples])
    feats = np.zeros((1, len(labels), 2), dtype=np.float16)
    t.generator.manual_seed(7)
    loader = features.FeatureLoader(feats, labels, t.train_loader.batch_sampler, t.generator)
    assert [y.tolist() for _, y, _ in loader] == image_batches
    labels[0] = -1  # an unreadable image is left out of its batch
    assert sum(len(y) for _, y, _ in loader) == len(labels) - 1


def test_the_frozen_backbone_keeps_batchnorm_statistics(folder, tmp_path, weights):
    """Without the cache the frozen part stays in eval mode, as when features are cached."""
    t = Trainer(_config(folder, tmp_path, weights, feature_cache="off", epochs=1))
    t.setup()
    before = {k: v.clone() for k, v in t.model.state_dict().items() if "running" in k}
    t.train_one_epoch(1)
    after = t.model.state_dict()
    assert all(torch.equal(before[k], after[k]) for k in before)
