"""The shipped sample images load, and the digit samples are the built-in valid images."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest

from core.data import IMAGE_EXTENSIONS, digits_images, load_image

SAMPLES = Path(__file__).resolve().parents[2] / "resources" / "samples"
DIGIT_NAME = re.compile(r"digit_(\d)_([a-z])\.png")


def _images() -> list[Path]:
    return sorted(p for p in SAMPLES.iterdir() if p.suffix.lower() in IMAGE_EXTENSIONS)


def _digit_files() -> list[Path]:
    return [p for p in _images() if DIGIT_NAME.fullmatch(p.name)]


def test_every_class_has_a_digit_sample_and_there_are_photos():
    classes = {DIGIT_NAME.fullmatch(p.name).group(1) for p in _digit_files()}
    assert classes == {str(i) for i in range(10)}
    photos = [p for p in _images() if p.name.startswith("photo_")]
    assert len(photos) >= 2


def test_samples_folder_is_small():
    assert sum(p.stat().st_size for p in SAMPLES.iterdir() if p.is_file()) < 300 * 1024


@pytest.mark.parametrize("path", _images(), ids=lambda p: p.name)
def test_sample_loads(path):
    img = load_image(path, channels=3)
    assert img.mode == "RGB"
    assert min(img.size) >= 8


def test_digit_samples_match_the_valid_split_pixel_for_pixel():
    _, _, valid, labels, names = digits_images()
    for path in _digit_files():
        cls, letter = DIGIT_NAME.fullmatch(path.name).groups()
        nth = ord(letter) - ord("a")
        index = [i for i, y in enumerate(labels) if names[y] == cls][nth]
        expected = np.asarray(valid[index], dtype=np.int16)
        got = np.asarray(load_image(path, channels=1), dtype=np.int16)
        assert got.shape == (28, 28)
        assert np.abs(got - expected).max() <= 1, path.name
