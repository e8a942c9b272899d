"""Fixtures shared by the unit tests of training (test_trainer, test_reliability)."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image


@pytest.fixture(scope="module")
def tiny_folder(tmp_path_factory):
    """Two classes told apart by which half is bright: 12 noisy 8x8 images each.

    Both classes share the same mean brightness, so the task is linear with no bias
    trick and an MLP learns it in a few steps whatever the seed.
    """
    root = tmp_path_factory.mktemp("tiny")
    rng = np.random.default_rng(0)
    for name, side in (("left", 0), ("right", 1)):
        folder = root / name
        folder.mkdir()
        for i in range(12):
            px = rng.normal(60, 20, size=(8, 8, 3))
            px[:, side * 4 : side * 4 + 4] += 140
            Image.fromarray(np.clip(px, 0, 255).astype(np.uint8), "RGB").save(folder / f"{i}.png")
    return root
