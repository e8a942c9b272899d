"""The input pipeline (core.prefetch): pictures decoded reduced and kept within a budget,
batches identical to the DataLoader's, the decoding thread ending with its epoch."""

from __future__ import annotations

import threading

import numpy as np
import pytest
import torch
from PIL import Image
from torch.utils.data import DataLoader

from core import augment
from core.data import ImageDataset
from core.prefetch import AheadLoader, DecodedImages, MemoryBudget, fast_loader
from core.trainsetup import SkipUnreadable, collate_readable

EVAL = [
    {"name": "Resize", "params": {"size": 32}},
    {"name": "CenterCrop", "params": {"size": 32}},
    {"name": "ToTensor", "params": {}},
]
TRAIN = [
    {"name": "RandomResizedCrop", "params": {"size": 24, "scale": [0.5, 1.0]}},
    {"name": "RandomHorizontalFlip", "params": {"p": 0.5}},
    {"name": "ToTensor", "params": {}},
]


@pytest.fixture(scope="module")
def photos(tmp_path_factory):
    """Ten 256x192 JPEGs (two classes) and one file that is not an image."""
    root = tmp_path_factory.mktemp("photos")
    rng = np.random.default_rng(1)
    samples = []
    for i in range(10):
        px = rng.integers(0, 255, size=(192, 256, 3), dtype=np.uint8)
        path = root / f"{i}.jpg"
        Image.fromarray(px).save(path, quality=90)
        samples.append((str(path), i % 2))
    bad = root / "bad.jpg"
    bad.write_bytes(b"not a jpeg")
    return samples, (str(bad), 0)


def _dataset(samples, spec):
    return ImageDataset(samples, augment.build_pipeline(spec), 3, ["a", "b"])


def test_pictures_are_decoded_reduced_to_what_the_pipeline_needs(photos):
    samples, _ = photos
    images = DecodedImages(_dataset(samples, EVAL), MemoryBudget(1 << 30))
    pic = images.picture(0)
    assert min(pic.size) == 32 and pic.size == (42, 32)  # Resize(32)'s own output size
    full = Image.open(samples[0][0]).convert("RGB").resize((42, 32), Image.Resampling.BILINEAR)
    diff = np.abs(np.asarray(pic, dtype=int) - np.asarray(full, dtype=int))
    assert diff.mean() < 12  # decoded in draft mode at 1/4, then the same resize
    x, y = images[0]
    assert tuple(x.shape) == (3, 32, 32) and y == 0


def test_the_budget_bounds_what_is_kept(photos):
    samples, _ = photos
    one = 42 * 32 * 3
    budget = MemoryBudget(3 * one)
    images = DecodedImages(_dataset(samples, EVAL), budget)
    for i in range(len(samples)):
        images[i]
    assert images.kept == 3 and budget.used == 3 * one
    assert np.array_equal(np.asarray(images.picture(1)), np.asarray(images.picture(1)))
    nothing = DecodedImages(_dataset(samples, EVAL), MemoryBudget(0))
    nothing[0]
    assert nothing.kept == 0


def _loader(samples, spec, seed=3):
    gen = torch.Generator()
    gen.manual_seed(seed)
    ds = SkipUnreadable(_dataset(samples, spec))
    return DataLoader(ds, batch_size=3, shuffle=True, generator=gen, collate_fn=collate_readable)


def test_ahead_loader_gives_the_dataloaders_batches(photos):
    samples, bad = photos
    samples = [*samples, bad]
    plain = _loader(samples, TRAIN)
    torch.manual_seed(0)
    want = list(plain)
    fast = fast_loader(_loader(samples, TRAIN), MemoryBudget(0))  # nothing kept: decoded ahead
    assert isinstance(fast, AheadLoader) and len(fast) == len(plain)
    for _ in range(2):  # and again in a second epoch, from memory
        torch.manual_seed(0)
        fast.generator.manual_seed(3)
        got = list(fast)
        assert len(got) == len(want)
        for (x1, y1, bad1), (x2, y2, bad2) in zip(want, got, strict=True):
            assert torch.equal(y1, y2) and len(bad1) == len(bad2) == (1 if bad1 else 0)
            assert x1.shape == x2.shape
    assert fast.images._ahead == {}


def test_pictures_decoded_ahead_past_the_budget_are_not_hoarded(photos, monkeypatch):
    """A decoding thread slower than the loop (no network to wait for) must not keep the
    pictures the loop already decoded itself: at most the batches ahead are held."""
    import time

    from core import prefetch

    samples, _ = photos
    fast = fast_loader(_loader(samples * 6, EVAL), MemoryBudget(0))
    real = prefetch.DecodedImages.decode
    monkeypatch.setattr(
        prefetch.DecodedImages, "decode", lambda self, i: (time.sleep(0.01), real(self, i))[1]
    )
    held = []
    for _ in fast:
        held.append(len(fast.images._ahead))
    assert max(held) <= prefetch.AHEAD_BATCHES * 3 and fast.images._ahead == {}


def test_the_decoding_thread_ends_when_the_loop_leaves_early(photos):
    samples, _ = photos
    fast = fast_loader(_loader(samples, EVAL), MemoryBudget(0))
    before = threading.active_count()
    for _ in fast:
        break  # a stop request between batches
    assert threading.active_count() == before
    assert not [t for t in threading.enumerate() if t.name == "convstudio-decode"]


def test_loaders_it_cannot_speed_up_are_left_alone(photos):
    samples, _ = photos
    loader = _loader(samples, EVAL)
    workers = DataLoader(loader.dataset, batch_size=2, num_workers=1)
    assert fast_loader(workers, MemoryBudget(1 << 20)) is workers
    digits = DataLoader([(torch.zeros(1, 8, 8), 0)] * 4, batch_size=2)
    assert fast_loader(digits, MemoryBudget(1 << 20)) is digits


def _batches_made(samples, made_ahead: bool, seed: int = 0) -> list:
    fast = fast_loader(_loader(samples, TRAIN), MemoryBudget(1 << 30), make_ahead=made_ahead)
    assert isinstance(fast, AheadLoader) and fast.make_ahead is made_ahead
    out = []
    for _ in range(2):  # the second epoch from the kept pictures
        torch.manual_seed(seed)
        out += list(fast)
    return out


def test_batches_made_ahead_are_the_training_threads_batches(photos):
    """The random augmentation on the batch thread draws the same numbers in the same
    order: bit-identical batches, so a seed still gives the same run."""
    samples, bad = photos
    samples = [*samples, bad]
    here, ahead = _batches_made(samples, False), _batches_made(samples, True)
    assert len(here) == len(ahead) == 8
    for (x1, y1, bad1), (x2, y2, bad2) in zip(here, ahead, strict=True):
        assert torch.equal(x1, x2) and torch.equal(y1, y2) and bad1 == bad2
    other = _batches_made(samples, True, seed=1)
    assert not all(torch.equal(a[0], b[0]) for a, b in zip(ahead, other, strict=True))


def test_the_batch_thread_ends_when_the_loop_leaves_early_or_fails(photos):
    samples, _ = photos
    fast = fast_loader(_loader(samples * 4, TRAIN), MemoryBudget(0), make_ahead=True)
    for _ in fast:
        break  # a stop request between batches
    names = ("convstudio-decode", "convstudio-batches")
    assert not [t for t in threading.enumerate() if t.name in names]
    calls = []
    collate = fast.loader.collate_fn

    def failing(items):
        calls.append(len(items))
        if len(calls) == 2:
            raise RuntimeError("the second batch failed")
        return collate(items)

    fast.loader.collate_fn = failing
    got = []
    with pytest.raises(RuntimeError, match="second batch failed"):
        for batch in fast:
            got.append(batch)
    assert len(got) == 1 and len(calls) == 2  # nothing made after the failure
    assert not [t for t in threading.enumerate() if t.name in names]


def test_only_networks_that_draw_no_random_numbers_get_batches_made_ahead():
    from torch import nn
    from torchvision.ops import StochasticDepth

    from core.models import build_model
    from core.prefetch import draws_random

    assert not draws_random(build_model("resnet18", 2, input_size=32))
    assert draws_random(build_model("smallcnn", 2, in_channels=1, input_size=28))  # Dropout
    assert draws_random(build_model("alexnet", 2, input_size=64))  # Dropout in the head
    assert draws_random(nn.Sequential(StochasticDepth(0.1, "row")))  # as in efficientnets
    assert not draws_random(nn.Sequential(StochasticDepth(0.0, "row")))
    assert not draws_random(nn.Sequential(nn.Linear(2, 2), nn.Dropout(0.0)))
    assert draws_random(nn.Sequential(nn.RReLU()))


@pytest.mark.parametrize(("arch", "ahead"), [("mlp", True), ("smallcnn", False)])
def test_a_run_makes_batches_ahead_unless_its_network_uses_dropout(
    tiny_folder, tmp_path, arch, ahead
):
    from core.config import TrainConfig
    from core.trainer import Trainer

    cfg = TrainConfig(data=str(tiny_folder), arch=arch, augment="none", epochs=1,
                      batch_size=4, out=str(tmp_path / "run"))  # fmt: skip
    trainer = Trainer(cfg)
    trainer.setup()
    assert isinstance(trainer.train_loader, AheadLoader)
    assert trainer.train_loader.make_ahead is ahead
    assert trainer.valid_loader.make_ahead  # evaluation mode draws nothing
