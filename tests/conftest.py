"""Shared test setup: offscreen Qt, no real settings, no real weights cache."""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("OMP_NUM_THREADS", "2")
# the app's data folder (runs, log, presets) goes to a temporary folder, never the real one
os.environ["XDG_DATA_HOME"] = tempfile.mkdtemp(prefix="convstudio-test-data-")
# and the feature cache (core.features: $XDG_CACHE_HOME/convstudio/features) likewise
os.environ["XDG_CACHE_HOME"] = tempfile.mkdtemp(prefix="convstudio-test-cache-")

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import pytest  # noqa: E402


@pytest.fixture(autouse=True)
def _isolated_torch_home(tmp_path_factory, monkeypatch):
    """Never read or write the user's real torch hub cache."""
    home = tmp_path_factory.getbasetemp() / "torch_home"
    home.mkdir(exist_ok=True)
    monkeypatch.setenv("TORCH_HOME", str(home))
    yield home
