"""Fixtures of the Predict panel's tests: saved bundles, a panel, a panel with a model."""

from __future__ import annotations

from pathlib import Path

import pytest

from gui.predict import PredictPanel
from tests.gui.predict.helpers import WAIT_MS, save_bundle


@pytest.fixture(scope="session")
def bundles(tmp_path_factory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("bundles")
    return {arch: save_bundle(folder / f"{arch}.pt", arch) for arch in ("smallcnn", "mlp")}


@pytest.fixture
def panel(qtbot) -> PredictPanel:
    widget = PredictPanel()
    qtbot.addWidget(widget)
    widget.resize(900, 600)
    return widget


@pytest.fixture
def loaded(panel, qtbot, bundles) -> PredictPanel:
    with qtbot.waitSignal(panel.model_loaded, timeout=WAIT_MS):
        panel.load_model(str(bundles["smallcnn"]))
    return panel
