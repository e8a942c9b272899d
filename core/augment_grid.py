"""The grid of augmented samples: one renderer for the CLI and the Augment panel.

:func:`sample_grid` runs a pipeline ``n`` times over source images, each sample
seeded by :func:`sample_seed`, converts the outputs for display (tensors
un-normalized) and tiles them into one RGB array. ``python main.py augment`` saves
that array as a PNG and the Augment panel shows it, so the same spec, image, seed,
``n`` and view give the same pixels in both.

Two views: :data:`VIEW_PERSON` scales every sample smoothly into a
:data:`PERSON_TILE` square (how a person looks at photos); :data:`VIEW_MODEL` keeps
the pixels the model gets, blown up by an integer factor (nearest neighbour) when
they are smaller than :data:`MODEL_TILE_MIN` (28x28 digits), and scaled down to
:data:`MODEL_TILE_MAX` when larger.

Memory stays bounded for any ``n`` and photo: samples are made one at a time and
each is reduced to its tile at once, and a very large source is sampled from a
reduced copy (:func:`grid_source`); a picture that fits gives the same pixels as
before.

torch is imported inside the functions: :mod:`core.augment` re-exports this module
and the GUI imports that before PyTorch has loaded.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from PIL import Image, ImageDraw

from core.augment_build import build_pipeline
from core.augment_checks import normalize_stats
from core.augment_size import floats_at_full_size, needed_short_side
from core.images import LARGE_PIXELS
from core.messages import QT_TRANSLATE_NOOP
from core.rng import drawn_aside

VIEW_PERSON = "person"
VIEW_MODEL = "model"
VIEWS = (VIEW_PERSON, VIEW_MODEL)
PERSON_TILE = 128  # display size of one tile in the "as a person sees it" view
MODEL_TILE_MIN = 96  # small model inputs (28x28 digits) are blown up to at least this
MODEL_TILE_MAX = 512  # larger model inputs are shown scaled down to this (256 tiles: 200 MB)
PREVIEW_PIXELS = 2048 * 2048  # see grid_source
BACKGROUND = 235  # light grey between and around the tiles
PAD = 2


@dataclass(frozen=True)
class SampleGrid:
    """A rendered grid: ``pixels`` (HxWx3 uint8) and what the first sample was."""

    pixels: np.ndarray
    shape: tuple[int, ...]  # the first output's shape: CxHxW for a tensor, (H, W) for an image
    description: str  # one line on the model's input (see describe_output)
    count: int


def sample_seed(seed: int, index: int) -> int:
    """The torch seed of sample ``index``: growing N keeps the earlier samples."""
    return (int(seed) * 1_000_003 + int(index)) % (2**63 - 1)


def iter_samples(spec: Any, sources: Sequence[Image.Image], n: int, seed: int) -> Iterator:
    """Run the pipeline ``n`` times (cycling over ``sources``), each sample seeded,
    yielding one output at a time (so a caller can keep only what it shows).

    The global torch RNG is shared with any training thread, so it is forked (saved
    and restored) under core.rng's lock, which a run holds while it draws: a run's
    random stream continues where it was (core.rng.drawn_aside).
    """
    import torch

    pipeline = build_pipeline(spec)
    with drawn_aside():
        for i in range(n):
            torch.manual_seed(sample_seed(seed, i))
            yield pipeline(sources[i % len(sources)])


def augment_samples(spec: Any, sources: Sequence[Image.Image], n: int, seed: int) -> list:
    """All ``n`` outputs of :func:`iter_samples` as a list."""
    return list(iter_samples(spec, sources, n, seed))


def grid_source(image: Image.Image, spec: Any) -> Image.Image:
    """The picture a grid samples: ``image`` itself when it fits, else a reduced copy.

    It fits when it has at most :data:`PREVIEW_PIXELS` pixels for a pipeline that turns
    the full-size picture into floats (no crop or resize before ToTensor: 12 bytes a
    pixel per sample), or at most core.images.LARGE_PIXELS otherwise. A larger one is
    scaled down smoothly to that many pixels (never below the shorter side a leading
    Resize needs), so memory stays bounded whatever the photo; a person-view tile is
    128 px, so the picture shown is the same.
    """
    limit = PREVIEW_PIXELS if floats_at_full_size(spec) else LARGE_PIXELS
    width, height = image.size
    if width * height <= limit:
        return image
    scale = math.sqrt(limit / (width * height))
    need = needed_short_side(spec)
    if need:
        scale = max(scale, min(1.0, need / min(width, height)))
    size = (max(1, round(width * scale)), max(1, round(height * scale)))
    return image.resize(size, Image.BILINEAR, reducing_gap=2.0)


def _pil_array(image: Image.Image) -> np.ndarray:
    arr = np.asarray(image.convert("L" if image.mode in ("L", "1") else "RGB"))
    return arr[..., None] if arr.ndim == 2 else arr


def display_arrays(outputs: list, spec: Any) -> list[np.ndarray]:
    """HxWx{1,3} uint8 arrays of pipeline outputs: tensors un-normalized, PIL as is.

    Equal-shaped tensors are converted as one batch (one op instead of N).
    """
    import torch

    if not outputs:
        return []
    for o in outputs:
        image_tensor = isinstance(o, torch.Tensor) and o.ndim in (2, 3)
        if not image_tensor and not isinstance(o, Image.Image):
            raise ValueError("the pipeline returned something that is not an image or tensor.")
    if any(isinstance(o, Image.Image) for o in outputs):
        return [
            _pil_array(o) if isinstance(o, Image.Image) else display_arrays([o], spec)[0]
            for o in outputs
        ]
    tensors = [o if o.ndim == 3 else o[None] for o in outputs]
    if len({tuple(t.shape) for t in tensors}) > 1:
        return [display_arrays([t], spec)[0] for t in tensors]
    batch = torch.stack(tensors)
    batch = batch[:, :3] if batch.shape[1] >= 3 else batch[:, :1]
    if batch.dtype == torch.uint8:
        return list(batch.permute(0, 2, 3, 1).contiguous().numpy())
    # unnormalize (x * std + mean, clamped to [0, 1]) fused with the scaling to
    # 0..255 and rounding, in place: a few passes over the batch instead of a dozen
    channels = batch.shape[1]
    stats = normalize_stats(spec) or ([0.0] * channels, [1.0] * channels)
    mean = torch.tensor(stats[0][:channels], dtype=batch.dtype).view(1, -1, 1, 1)
    std = torch.tensor(stats[1][:channels], dtype=batch.dtype).view(1, -1, 1, 1)
    batch = batch.float() if batch.dtype != torch.float32 else batch
    batch.mul_(std * 255.0).add_(mean * 255.0 + 0.5).clamp_(0.0, 255.49)
    return list(batch.to(torch.uint8).permute(0, 2, 3, 1).contiguous().numpy())


def unnormalize(tensor, spec: Any):
    """Undo the spec's last Normalize and clamp to [0, 1] for display."""
    import torch

    if tensor.dtype == torch.uint8:
        return tensor.float() / 255.0
    out = tensor.detach().float()
    stats = normalize_stats(spec)
    if stats is not None:
        mean = torch.tensor(stats[0], dtype=out.dtype).view(-1, 1, 1)
        std = torch.tensor(stats[1], dtype=out.dtype).view(-1, 1, 1)
        out = out * std + mean
    return out.clamp(0.0, 1.0)


def _fit(arr: np.ndarray, box: int) -> np.ndarray:
    """Resize a tile smoothly into a ``box`` square, keeping its aspect ratio."""
    h, w = arr.shape[:2]
    factor = box / max(h, w)
    size = (max(1, round(w * factor)), max(1, round(h * factor)))
    img = Image.fromarray(arr[..., 0] if arr.shape[2] == 1 else arr)
    out = np.asarray(img.resize(size, Image.BILINEAR, reducing_gap=2.0))
    return out[..., None] if out.ndim == 2 else out


def view_tiles(arrays: list[np.ndarray], view: str) -> list[np.ndarray]:
    """The tiles of one view (see the module docstring) for display arrays."""
    if view == VIEW_MODEL:
        biggest = max(max(a.shape[:2]) for a in arrays)
        k = max(1, math.ceil(MODEL_TILE_MIN / biggest))
        return [a if k == 1 else a.repeat(k, axis=0).repeat(k, axis=1) for a in arrays]
    if view == VIEW_PERSON:
        return [_fit(a if a.shape[2] == 3 else a.repeat(3, 2), PERSON_TILE) for a in arrays]
    raise ValueError(f"unknown grid view {view!r}; use one of {', '.join(VIEWS)}.")


def grid_columns(count: int) -> int:
    """Columns of a grid of ``count`` tiles: as square as possible."""
    return max(1, math.ceil(math.sqrt(count)))


def tile_grid(tiles: list[np.ndarray], ncols: int, pad: int = PAD) -> np.ndarray:
    """Tiles (HxWx{1,3} uint8) on a light background, centred in equal cells."""
    if not tiles:
        raise ValueError("a grid needs at least one tile.")
    ncols = max(1, min(ncols, len(tiles)))
    nrows = math.ceil(len(tiles) / ncols)
    ch = max(t.shape[0] for t in tiles)
    cw = max(t.shape[1] for t in tiles)
    grid = np.full((nrows * (ch + pad) + pad, ncols * (cw + pad) + pad, 3), BACKGROUND, np.uint8)
    for i, tile in enumerate(tiles):
        row, col = divmod(i, ncols)
        y = pad + row * (ch + pad) + (ch - tile.shape[0]) // 2
        x = pad + col * (cw + pad) + (cw - tile.shape[1]) // 2
        grid[y : y + tile.shape[0], x : x + tile.shape[1]] = tile  # 1 channel broadcasts
    return grid


def _caption(grid: np.ndarray, captions: Sequence[str], ncols: int, cell: tuple[int, int]) -> None:
    """Write a short label into the corner of each tile (one sample per class)."""
    img = Image.fromarray(grid)
    draw = ImageDraw.Draw(img)
    for i, text in enumerate(captions):
        row, col = divmod(i, ncols)
        x, y = PAD + col * (cell[1] + PAD) + 2, PAD + row * (cell[0] + PAD) + 1
        draw.rectangle((x - 1, y, x + 6 * len(text) + 1, y + 11), fill=(0, 0, 0))
        draw.text((x, y), text, fill=(255, 255, 0))
    grid[...] = np.asarray(img)


# The line under a preview, as the window shows it translated (core.messages)
OUTPUT_NOT_TENSOR = QT_TRANSLATE_NOOP(
    "CoreMessages", "output: {mode} image {height}x{width} — not a tensor; add ToTensor."
)
MODEL_INPUT = QT_TRANSLATE_NOOP("CoreMessages", "model input: {shape} {dtype}")
MODEL_INPUT_NORMALIZED = QT_TRANSLATE_NOOP(
    "CoreMessages",
    "model input: {shape} {dtype}, normalized with mean [{mean}] std [{std}] (shown un-normalized)",
)
SAMPLED_REDUCED = QT_TRANSLATE_NOOP(
    "CoreMessages",
    "{description}; sampled from the picture reduced from {w0}x{h0} to {w1}x{h1} to save memory",
)


def describe_output(output: Any, spec: Any) -> str:
    """One line on the model's input: shape, dtype and the normalization undone."""
    if isinstance(output, Image.Image):
        return OUTPUT_NOT_TENSOR.format(mode=output.mode, height=output.height, width=output.width)
    shape = "x".join(str(s) for s in output.shape)
    dtype = str(output.dtype).replace("torch.", "")
    stats = normalize_stats(spec)
    if stats is None:
        return MODEL_INPUT.format(shape=shape, dtype=dtype)
    mean = ", ".join(f"{m:g}" for m in stats[0])
    std = ", ".join(f"{s:g}" for s in stats[1])
    return MODEL_INPUT_NORMALIZED.format(shape=shape, dtype=dtype, mean=mean, std=std)


def sample_grid(
    spec: Any,
    sources: Sequence[Image.Image],
    n: int,
    seed: int,
    *,
    view: str = VIEW_PERSON,
    captions: Sequence[str] = (),
) -> SampleGrid:
    """``n`` seeded samples of ``spec`` over ``sources`` (cycled), tiled for display.

    ``captions`` label the tiles in order (the panel's one-sample-per-class mode).
    Raises SpecError for a spec that cannot be built and ValueError for no sources,
    ``n`` < 1 or an unknown view.
    """
    if not sources or n < 1:
        raise ValueError("a grid needs at least one source image and one sample.")
    if view not in VIEWS:
        raise ValueError(f"unknown grid view {view!r}; use one of {', '.join(VIEWS)}.")
    fitted = [grid_source(image, spec) for image in sources]
    # One sample at a time, reduced to its tile at once: memory does not grow with n
    # (256 full-size samples of a 12 MP photo once needed 58 GB).
    arrays, shape, text = [], (), ""
    for i, output in enumerate(iter_samples(spec, fitted, n, seed)):
        if i == 0:
            shape = _shape(output)
            text = describe_output(output, spec)
        arr = display_arrays([output], spec)[0]
        del output
        arrays.append(view_tiles([arr], view)[0] if view == VIEW_PERSON else _cap(arr))
    tiles = arrays if view == VIEW_PERSON else view_tiles(arrays, view)
    ncols = grid_columns(len(tiles))
    pixels = tile_grid(tiles, ncols)
    if captions:
        cell = (max(t.shape[0] for t in tiles), max(t.shape[1] for t in tiles))
        _caption(pixels, captions, ncols, cell)
    reduced = [(a.size, b.size) for a, b in zip(sources, fitted, strict=True) if a is not b]
    if reduced:
        (w0, h0), (w1, h1) = reduced[0]
        text = SAMPLED_REDUCED.format(description=text, w0=w0, h0=h0, w1=w1, h1=h1)
    return SampleGrid(pixels, shape, text, len(arrays))


def _shape(output: Any) -> tuple[int, ...]:
    return tuple(output.shape) if hasattr(output, "shape") else (output.height, output.width)


def _cap(arr: np.ndarray) -> np.ndarray:
    """A model-view array no larger than :data:`MODEL_TILE_MAX` (shown scaled down)."""
    return _fit(arr, MODEL_TILE_MAX) if max(arr.shape[:2]) > MODEL_TILE_MAX else arr
