"""A run's random numbers are its own while the augmentation preview draws beside it
(core.rng): the same seed gives the same weights with or without previews."""

from __future__ import annotations

import threading
from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image

from core import augment
from core.config import TrainConfig
from core.trainer import fit

SPEC = [
    {"name": "RandomResizedCrop", "params": {"size": 8, "scale": [0.5, 1.0]}},
    {"name": "RandomHorizontalFlip", "params": {"p": 0.5}},
    {"name": "ToTensor", "params": {}},
]


def _weights(run) -> dict:
    return torch.load(run / "last.pt", weights_only=False)["state_dict"]


def _fit_beside_previews(cfg: TrainConfig, previews: bool) -> dict:
    _beside_previews(lambda: fit(cfg), previews)
    return _weights(Path(cfg.out))


def _beside_previews(work, previews: bool):
    """``work()``'s result, with the Augment preview rendering in another thread or not."""
    stop = threading.Event()
    rendered = []
    picture = Image.fromarray(np.full((24, 24, 3), 128, np.uint8))

    failures = []

    def preview() -> None:  # what the Augment panel's render task does, over and over
        while not stop.is_set():
            try:
                rendered.append(len(augment.augment_samples(SPEC, [picture], 4, seed=7)))
            except Exception as exc:  # (torch.fx's tracing once broke every module call)
                failures.append(exc)
                return

    thread = threading.Thread(target=preview, daemon=True)
    if previews:
        thread.start()
    try:
        result = work()
    finally:
        stop.set()
        if previews:
            thread.join()
    assert not previews or rendered  # the previews did run beside the run
    assert failures == []  # nor did the run's evaluation (a Predictor) break them
    return result


@pytest.mark.parametrize(
    ("arch", "data"),
    [("smallcnn", "builtin:digits"), ("mlp", "folder")],  # Dropout; batches made ahead
)
def test_previews_drawn_beside_a_run_leave_its_numbers_alone(arch, data, tiny_folder, tmp_path):
    source = str(tiny_folder) if data == "folder" else data
    kw = dict(data=source, arch=arch, epochs=2, batch_size=32, lr=0.01, seed=3)
    if data == "folder":
        kw.update(train_transforms=SPEC, eval_transforms=SPEC[2:])
    quiet = _fit_beside_previews(TrainConfig(out=str(tmp_path / "a"), **kw), previews=False)
    busy = _fit_beside_previews(TrainConfig(out=str(tmp_path / "b"), **kw), previews=True)
    assert quiet.keys() == busy.keys()
    for name, tensor in quiet.items():
        assert torch.equal(tensor, busy[name]), name


def test_previews_drawn_beside_an_lr_range_test_leave_its_curve_alone(tmp_path):
    from core.lrfind import lr_find

    cfg = TrainConfig(
        data="builtin:digits", arch="smallcnn", batch_size=32, seed=5, out=str(tmp_path / "x")
    )  # Dropout, and the digits preset's random augmentation in the loader

    def curve():
        return lr_find(cfg, 1e-4, 1.0, steps=40).raw_losses

    quiet = _beside_previews(curve, previews=False)
    assert len(quiet) > 20
    assert _beside_previews(curve, previews=True) == quiet


def test_networks_built_for_a_trace_or_a_bundle_leave_the_generator_as_it_was():
    from core import convtrace
    from core.rng import drawn_aside

    state = torch.random.get_rng_state()
    convtrace._build("alexnet", (3, 64, 64), 10)  # the Calculator's CPU fallback
    assert torch.equal(torch.random.get_rng_state(), state)
    with drawn_aside():
        torch.manual_seed(123)
        torch.rand(3)
    assert torch.equal(torch.random.get_rng_state(), state)
