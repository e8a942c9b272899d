"""Regenerate the sample images in this folder: ``python resources/samples/make_samples.py``.

Digits: the first two images of each class in the built-in dataset's valid split
(scikit-learn's digits, 28x28 "L"), named ``digit_<class>_a.png`` and ``digit_<class>_b.png``.
Photos: small synthetic scenes drawn here with PIL and numpy (no third-party pictures), so
a new user has colour images to drop on a model trained on a folder of photos.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFilter

HERE = Path(__file__).resolve().parent
DIGIT_SUFFIXES = ("a", "b")
PHOTO_SIZE = (192, 144)


def write_digits(folder: Path = HERE) -> list[Path]:
    """digit_<c>_a.png / digit_<c>_b.png: the first valid images of each class."""
    sys.path.insert(0, str(HERE.parent.parent))
    from core.data import digits_images

    _, _, valid, labels, names = digits_images()
    written = []
    for label, name in enumerate(names):
        idx = [i for i, y in enumerate(labels) if y == label][: len(DIGIT_SUFFIXES)]
        for suffix, i in zip(DIGIT_SUFFIXES, idx, strict=True):
            path = folder / f"digit_{name}_{suffix}.png"
            valid[i].save(path, optimize=True)
            written.append(path)
    return written


def _sky(w: int, h: int, top: tuple, bottom: tuple) -> np.ndarray:
    t = np.linspace(0.0, 1.0, h)[:, None, None]
    col = (1 - t) * np.array(top, float) + t * np.array(bottom, float)
    return np.repeat(col, w, axis=1)


def sunset() -> Image.Image:
    """An orange sky, a sun and dark hills."""
    w, h = PHOTO_SIZE
    img = Image.fromarray(_sky(w, h, (40, 60, 140), (250, 150, 60)).astype(np.uint8), "RGB")
    draw = ImageDraw.Draw(img)
    draw.ellipse((110, 50, 150, 90), fill=(255, 230, 120))
    xs = np.arange(w + 1)
    ridge = 100 + 12 * np.sin(xs / 23.0) + 6 * np.sin(xs / 7.0)
    draw.polygon(
        [(0, h)] + [(int(x), int(y)) for x, y in zip(xs, ridge, strict=True)] + [(w, h)],
        fill=(30, 40, 35),
    )
    return img.filter(ImageFilter.GaussianBlur(0.8))


def meadow() -> Image.Image:
    """A blue sky over green grass with a red flower."""
    w, h = PHOTO_SIZE
    arr = _sky(w, h, (110, 170, 235), (200, 225, 250))
    rng = np.random.default_rng(3)
    grass = _sky(w, h - 80, (70, 150, 50), (30, 90, 25)) + rng.normal(0, 12, (h - 80, w, 3))
    arr[80:] = grass
    img = Image.fromarray(np.clip(arr, 0, 255).astype(np.uint8), "RGB")
    draw = ImageDraw.Draw(img)
    draw.line((60, 130, 62, 92), fill=(40, 110, 30), width=3)
    for dx, dy in ((-7, 0), (7, 0), (0, -7), (0, 7)):
        draw.ellipse((56 + dx, 84 + dy, 68 + dx, 96 + dy), fill=(210, 30, 50))
    draw.ellipse((58, 86, 66, 94), fill=(250, 210, 40))
    return img


def shapes() -> Image.Image:
    """Coloured shapes on a light table, for a quick colour-photo smoke test."""
    w, h = PHOTO_SIZE
    img = Image.fromarray(_sky(w, h, (235, 230, 220), (190, 180, 170)).astype(np.uint8), "RGB")
    draw = ImageDraw.Draw(img)
    draw.rectangle((20, 40, 75, 95), fill=(40, 90, 200))
    draw.ellipse((95, 30, 160, 95), fill=(230, 120, 30))
    draw.polygon([(60, 130), (100, 70), (140, 130)], fill=(50, 160, 90))
    return img.filter(ImageFilter.GaussianBlur(0.6))


def write_photos(folder: Path = HERE) -> list[Path]:
    out = []
    for name, make, fmt in (
        ("photo_sunset.jpg", sunset, "JPEG"),
        ("photo_meadow.jpg", meadow, "JPEG"),
        ("photo_shapes.png", shapes, "PNG"),
    ):
        path = folder / name
        kwargs = {"quality": 85} if fmt == "JPEG" else {"optimize": True}
        make().save(path, fmt, **kwargs)
        out.append(path)
    return out


if __name__ == "__main__":
    files = write_digits() + write_photos()
    total = sum(p.stat().st_size for p in files)
    print(f"wrote {len(files)} files, {total / 1024:.1f} KB")
