"""Pretrained weights into the hub cache (core.weights): download with progress and
cancel, checked and atomic; import of a local .pth under torchvision's name; and the
download a run makes itself (core.stages.fetch_weights)."""

from __future__ import annotations

import hashlib

import pytest
import torch
import torchvision

from core import models, weights
from core.config import TrainConfig
from core.events import Callback, TrainControl
from core.models import WeightsError
from core.trainer import fit

SIXTEEN = [{"name": "Resize", "params": {"size": 16}}, {"name": "ToTensor", "params": {}}]


@pytest.fixture
def hub(tmp_path, monkeypatch):
    monkeypatch.setenv("TORCH_HOME", str(tmp_path / "torch"))
    return tmp_path / "torch" / "hub" / "checkpoints"


@pytest.fixture(scope="module")
def resnet_file(tmp_path_factory):
    """A resnet18 state_dict saved here (as torchvision's file would be, without a download)."""
    torch.manual_seed(2)
    path = tmp_path_factory.mktemp("src") / "resnet18-mine.pth"
    torch.save(torchvision.models.resnet18().state_dict(), path)
    return path


def test_download_reports_progress_and_lands_under_torchvisions_name(hub, resnet_file):
    seen = []
    path = weights.download_weights(
        "resnet18", lambda d, t: seen.append((d, t)), url=resnet_file.as_uri(), check_hash=False
    )
    assert path == hub / "resnet18-f37072fd.pth" == models.expected_weights_path("resnet18")
    assert path.read_bytes() == resnet_file.read_bytes()
    size = resnet_file.stat().st_size
    assert seen[0] == (0, size) and seen[-1] == (size, size) and len(seen) > 3
    assert [p.name for p in hub.iterdir()] == [path.name]  # no partial file left
    # and the weights API finds it: the model builds offline
    models.build_model("resnet18", 3, mode="finetune", pretrained="imagenet", input_size=32)


def test_a_cancelled_download_keeps_nothing(hub, resnet_file):
    calls = []
    with pytest.raises(weights.DownloadCancelled):
        weights.download_weights(
            "resnet18",
            lambda d, t: calls.append(d),
            lambda: len(calls) > 2,
            url=resnet_file.as_uri(),
            check_hash=False,
        )
    assert not hub.exists() or list(hub.iterdir()) == []


def test_a_damaged_or_wrong_download_is_refused(hub, resnet_file, tmp_path):
    with pytest.raises(WeightsError, match="checksum"):
        weights.download_weights("resnet18", url=resnet_file.as_uri())  # not f37072fd...
    junk = tmp_path / "junk.pth"
    junk.write_bytes(b"\0" * 1000)
    with pytest.raises(WeightsError):
        weights.download_weights("resnet18", url=junk.as_uri(), check_hash=False)
    assert list(hub.iterdir()) == []


def test_the_checksum_in_the_name_is_checked(hub, resnet_file, monkeypatch):
    digest = hashlib.sha256(resnet_file.read_bytes()).hexdigest()[:8]
    monkeypatch.setattr(
        models, "weights_filename", lambda arch: f"resnet18-{digest}.pth", raising=True
    )
    path = weights.download_weights("resnet18", url=resnet_file.as_uri())
    assert path.name == f"resnet18-{digest}.pth"


def test_offline_the_message_names_the_file_and_folder(hub):
    def offline(url, timeout):
        raise OSError("Name or service not known")

    with pytest.raises(WeightsError, match=r"resnet18-f37072fd\.pth.*Import weights"):
        weights.download_weights("resnet18", opener=offline)


def test_import_checks_and_unwraps_into_the_expected_name(hub, resnet_file, tmp_path):
    wrapped = tmp_path / "checkpoint.pt"
    state = torch.load(resnet_file, weights_only=True)
    torch.save({"epoch": 3, "state_dict": {f"module.{k}": v for k, v in state.items()}}, wrapped)
    path = weights.import_weights(wrapped, "resnet18")
    assert path == models.expected_weights_path("resnet18")
    saved = torch.load(path, weights_only=True)
    assert set(saved) == set(state) and torch.equal(saved["conv1.weight"], state["conv1.weight"])
    with pytest.raises(WeightsError, match="do not fit"):
        weights.import_weights(resnet_file, "vgg11_bn")  # another architecture
    assert not models.expected_weights_path("vgg11_bn").exists()


def test_a_run_downloads_missing_weights_as_a_phase_and_a_stop_cancels(
    hub, resnet_file, tiny_folder, tmp_path, monkeypatch
):
    monkeypatch.setattr(weights, "weights_url", lambda arch: resnet_file.as_uri())
    monkeypatch.setattr(weights, "CHUNK_BYTES", 1 << 20)
    real = weights.download_weights
    monkeypatch.setattr(
        weights, "download_weights", lambda *a, **k: real(*a, check_hash=False, **k)
    )
    control = TrainControl()

    class StopMidway(Callback):
        def __init__(self):
            self.events = []

        def on_phase(self, ev):
            self.events.append(ev)
            if ev.phase == "weights" and ev.done > ev.total // 3:
                control.stop()

    cfg = dict(
        data=str(tiny_folder),
        arch="resnet18",
        mode="finetune",
        pretrained="imagenet",
        train_transforms=SIXTEEN,
        eval_transforms=SIXTEEN,
        epochs=1,
        batch_size=8,
    )
    watcher = StopMidway()
    summary = fit(TrainConfig(**cfg, out=str(tmp_path / "a")), [watcher], control)
    assert summary["stopped"] and not list(hub.iterdir())
    assert watcher.events[0].phase == "weights" and watcher.events[0].unit == "bytes"
    assert "resnet18-f37072fd.pth" in watcher.events[0].text
    fit(TrainConfig(**cfg, out=str(tmp_path / "b")))  # downloads, then trains
    assert models.expected_weights_path("resnet18").is_file()
