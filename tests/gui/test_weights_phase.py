"""The window's side of issue 14: the "extracting features" phase in the Train tab, a
two-stage run there, and File > Import weights... (import, download, cancel)."""

from __future__ import annotations

import time

import numpy as np
import pytest
import torch
import torchvision
from PIL import Image
from PySide6.QtWidgets import QLabel, QProgressBar

from core import features, models
from core.events import PhaseProgressed
from gui.train.phase import NO_VIEWS_TEXT, PhaseDisplay
from gui.weights import WeightsDialog
from tests.gui.test_train_panel import panel, train  # noqa: F401 - the fixture and helper

WAIT_MS = 60_000


@pytest.fixture(autouse=True)
def _isolated(tmp_path, monkeypatch):
    monkeypatch.setenv(features.CACHE_ENV, str(tmp_path / "feature-cache"))
    monkeypatch.setenv("TORCH_HOME", str(tmp_path / "torch"))


@pytest.fixture
def photo_folder(tmp_path):
    rng = np.random.default_rng(0)
    for c, name in enumerate(("a", "b")):
        (tmp_path / "photos" / name).mkdir(parents=True)
        for i in range(8):
            px = rng.normal(90, 20, size=(16, 16, 3))
            px[:, c * 8 : c * 8 + 8] += 120
            img = Image.fromarray(np.clip(px, 0, 255).astype(np.uint8))
            img.save(tmp_path / "photos" / name / f"{i}.png")
    return tmp_path / "photos"


def test_phase_display_takes_the_bar_and_gives_it_back(qtbot):
    bar, status = QProgressBar(), QLabel()
    qtbot.addWidget(bar)
    qtbot.addWidget(status)
    bar.setRange(0, 1000)
    lines = []
    shown = PhaseDisplay(bar, status, lines.append)
    shown.on_phase(PhaseProgressed("features", 30, 120, "images", "extracting features: 30/120"))
    assert shown.refresh() and bar.value() == 250 and bar.format() == "extracting features: 30/120"
    assert status.text() == "elapsed 0:00"
    shown.on_phase(PhaseProgressed("weights", 5 << 20, 0, "bytes", "downloading x.pth: 5.0 MB"))
    assert bar.maximum() == 0  # size unknown: a busy bar
    shown.on_phase(PhaseProgressed("features", 120, 120, "images", "extracting features: done"))
    assert not shown.refresh() and bar.maximum() == 1000
    assert lines == ["Extracting features: done"]


def test_a_two_stage_run_in_the_window_extracts_then_fine_tunes(
    qtbot,
    panel,  # noqa: F811 - the fixture imported above
    photo_folder,
    tmp_path,
):
    torch.manual_seed(0)
    weights = tmp_path / "smallcnn.pth"
    torch.save(models.build_model("smallcnn", 2, input_size=16).state_dict(), weights)
    panel.set_data_source(str(photo_folder))
    panel.set_arch("smallcnn")
    assert panel.form.widgets["cache_views"].specialValueText() == NO_VIEWS_TEXT
    panel.form.set_value("pretrained", str(weights))
    panel.form.set_value("mode", "two-stage")
    assert panel.form.widgets["head_epochs"].isEnabled()
    panel.form.set_value("head_epochs", 1)
    panel.form.set_value("epochs", 2)
    panel.form.set_value("batch_size", 4)
    seen = []
    panel.session.phase_progressed.connect(lambda ev: seen.append(panel.progress_bar.format()))
    summary = train(qtbot, panel, WAIT_MS)
    assert summary and summary["epochs"] == 2 and summary["mode"] == "two-stage"
    assert any(text.startswith("extracting features") for text in seen)
    log = panel.log_text()
    assert "Extracting features: " in log and "no augmentation" in log
    assert "Fine-tuning every layer from the best head (epoch 1)" in log
    assert panel.progress_bar.maximum() == 1000


def test_import_weights_dialog_checks_and_copies(qtbot, tmp_path):
    torch.manual_seed(1)
    source = tmp_path / "mine.pth"
    torch.save(torchvision.models.resnet18().state_dict(), source)
    dialog = WeightsDialog("resnet18")
    qtbot.addWidget(dialog)
    assert "Not in the cache: resnet18-f37072fd.pth" in dialog.state_label.text()
    assert dialog.download_button.isEnabled()
    with qtbot.waitSignal(dialog.imported, timeout=WAIT_MS) as blocker:
        dialog.start_import(str(source))
    assert blocker.args[0] == str(models.expected_weights_path("resnet18"))
    qtbot.waitUntil(lambda: dialog.import_button.isEnabled(), timeout=5_000)
    assert "In the cache" in dialog.state_label.text() and not dialog.download_button.isEnabled()
    dialog.set_arch("vgg11_bn")
    with qtbot.waitSignal(dialog.failed, timeout=WAIT_MS) as blocker:
        dialog.start_import(str(source))
    assert "do not fit vgg11_bn" in blocker.args[0]
    qtbot.waitUntil(lambda: dialog.import_button.isEnabled(), timeout=5_000)


def test_download_shows_progress_and_cancel_keeps_nothing(qtbot, tmp_path, monkeypatch):
    from core import weights

    source = tmp_path / "r18.pth"
    torch.save(torchvision.models.resnet18().state_dict(), source)
    monkeypatch.setattr(weights, "CHUNK_BYTES", 1 << 16)
    real = weights.download_weights

    def slow(arch, progress, cancelled, url=None):  # a slow network: Cancel comes mid-way
        def later():
            time.sleep(0.002)
            return cancelled()

        return real(arch, progress, later, url=url, check_hash=False)

    monkeypatch.setattr(weights, "download_weights", slow)
    dialog = WeightsDialog("resnet18")
    qtbot.addWidget(dialog)
    dialog.download_url = source.as_uri()
    progress = []
    dialog.task.progressed.connect(lambda d, t: progress.append(d))
    dialog.task.progressed.connect(lambda d, t: dialog.cancel() if d > t // 4 else None)
    with qtbot.waitSignal(dialog.task.aborted, timeout=WAIT_MS):
        dialog.start_download()
        assert dialog.cancel_button.isVisibleTo(dialog)
    qtbot.waitUntil(lambda: not dialog.task.busy, timeout=5_000)
    assert "cancelled" in dialog.result_label.text() and progress
    hub = models.expected_weights_path("resnet18").parent
    assert not hub.exists() or list(hub.iterdir()) == []
    assert not dialog.cancel_button.isVisibleTo(dialog)
