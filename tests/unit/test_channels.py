"""Grayscale data under a 3-channel pipeline (and the reverse): the data follows the pipeline."""

from __future__ import annotations

from core import BUILTIN_DIGITS, augment
from core.augment_checks import data_channels, pipeline_channels


def _normalize(n: int) -> dict:
    return {"name": "Normalize", "params": {"mean": [0.5] * n, "std": [0.5] * n}}


def test_pipeline_channels_follow_the_first_normalize():
    seed = augment.get_preset("seed")
    assert pipeline_channels(seed["eval"]) == 3
    assert pipeline_channels(augment.get_preset("digits")["eval"]) == 1
    assert pipeline_channels(augment.get_preset("none")["eval"]) is None
    grey_first = [{"name": "Grayscale", "params": {"num_output_channels": 3}}, _normalize(3)]
    assert pipeline_channels(grey_first) is None  # Grayscale sets the channels itself
    off = [{**_normalize(3), "enabled": False}]
    assert pipeline_channels(off) is None
    assert data_channels(seed["train"], seed["eval"], natural=1) == 3
    assert data_channels([_normalize(1)], [], natural=3) == 1
    assert data_channels([], [], natural=1) == 1


def test_digits_under_the_seed_preset_load_as_rgb():
    from core.data import build_datasets

    specs = augment.get_preset("seed")
    splits = build_datasets(
        BUILTIN_DIGITS,
        augment.build_pipeline(specs["train"]),
        augment.build_pipeline(specs["eval"]),
    )
    assert splits.summary.in_channels == 3
    for dataset in (splits.train, splits.valid):
        x, _ = dataset[0]
        assert tuple(x.shape) == (3, 224, 224)


def test_photos_under_a_one_channel_pipeline_load_as_grayscale(tmp_path):
    from PIL import Image

    from core.data import build_datasets

    for name, colour in (("red", (200, 30, 30)), ("blue", (30, 30, 200))):
        folder = tmp_path / name
        folder.mkdir()
        for i in range(3):
            Image.new("RGB", (20, 20), colour).save(folder / f"{i}.png")
    specs = augment.get_preset("digits")
    splits = build_datasets(
        str(tmp_path),
        augment.build_pipeline(specs["train"]),
        augment.build_pipeline(specs["eval"]),
        val_split=0.34,
    )
    assert splits.summary.in_channels == 1
    x, _ = splits.train[0]
    assert x.shape[0] == 1


def test_the_seed_preset_trains_on_the_builtin_digits(tmp_path):
    """The trainer's own set-up and a first batch (then a stop): no channel error."""
    import math

    import torch

    from core.checkpoint import load_bundle
    from core.config import TrainConfig
    from core.events import Callback, TrainControl
    from core.trainer import fit

    control, losses = TrainControl(), []

    class StopAfterOneBatch(Callback):
        def on_batch_end(self, ev) -> None:
            losses.append(ev.loss)
            control.stop()

    cfg = TrainConfig(
        data=BUILTIN_DIGITS,
        arch="smallcnn",
        augment="seed",
        epochs=1,
        batch_size=4,
        out=str(tmp_path / "run"),
        device="cpu",
        num_workers=0,
    )
    summary = fit(cfg, [StopAfterOneBatch()], control, sampler=range(8))  # 2 batches
    assert summary["error"] is None and summary["stopped"]
    assert len(losses) == 1 and math.isfinite(losses[0])
    bundle = load_bundle(tmp_path / "run" / "last.pt")
    assert bundle["in_channels"] == 3 and bundle["input_size"] == 224
    assert torch.is_tensor(next(iter(bundle["state_dict"].values())))
