"""Safe image loading: every reason an image cannot be used becomes a sentence.

Everything a user can point the tool at (a dataset folder, a dropped photo, pasted
image data) is opened here, so this is where bad input is stopped: missing, empty,
truncated, corrupt and non-image files, decompression bombs, odd modes (16-bit, float,
palette with transparency, CMYK ...) and EXIF rotation. A file that cannot be used
raises :class:`ImageLoadError` whose text is the reason, so callers skip it and tell
the user why instead of crashing half-way through an epoch.

Pillow and numpy only: no torch, no Qt.
"""

from __future__ import annotations

import os
import stat as stat_module
import threading
import warnings
from pathlib import Path
from typing import Any, BinaryIO

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

from core.messages import QT_TRANSLATE_NOOP

__all__ = [
    "BYTES_PER_PIXEL",
    "DEFAULT_MAX_PIXELS",
    "IMAGE_BLOCKS_KEPT",
    "LARGE_PIXELS",
    "ImageLoadError",
    "check_file",
    "convert_image",
    "load_image",
    "reuse_image_memory",
    "verify_image",
]

DEFAULT_MAX_PIXELS = 89_478_485  # Pillow's own decompression-bomb limit
#: images above this many pixels (4096x4096) are "large": the Data panel warns about
#: their memory, and loading decodes them reduced when the pipeline allows (min_side)
LARGE_PIXELS = 4096 * 4096
BYTES_PER_PIXEL = 4  # Pillow keeps RGB images as 32 bits per pixel while decoding


class ImageLoadError(ValueError):
    """One image could not be used; ``str()`` is the reason in plain words."""


# Pillow signals decompression bombs through a warning whose filter is process-global;
# the lock keeps our own threads (scan + training) from undoing each other's filter.
# Why an image was skipped (ImageLoadError); the window shows them translated.
NOT_FOUND = QT_TRANSLATE_NOOP("CoreMessages", "file not found")
UNREADABLE = QT_TRANSLATE_NOOP("CoreMessages", "file cannot be read ({reason})")
A_FOLDER = QT_TRANSLATE_NOOP("CoreMessages", "this is a folder, not an image file")
EMPTY_FILE = QT_TRANSLATE_NOOP("CoreMessages", "file is empty (0 bytes)")
TOO_LARGE = QT_TRANSLATE_NOOP(
    "CoreMessages",
    "image is too large ({width}x{height} = {pixels} pixels; the limit is {limit}): it looks "
    "like a decompression bomb, so it was refused",
)
BOMB = QT_TRANSLATE_NOOP(
    "CoreMessages", "image is too large: it looks like a decompression bomb ({reason})"
)
NOT_AN_IMAGE = QT_TRANSLATE_NOOP(
    "CoreMessages", "not an image file, or an image format that cannot be read"
)
CANNOT_OPEN = QT_TRANSLATE_NOOP("CoreMessages", "cannot open the image ({reason})")
NO_PIXELS = QT_TRANSLATE_NOOP("CoreMessages", "image has no pixels ({width}x{height})")
TRUNCATED = QT_TRANSLATE_NOOP("CoreMessages", "image file is truncated (part of it is missing)")
CORRUPT = QT_TRANSLATE_NOOP("CoreMessages", "image data is corrupt ({reason})")

_OPEN_LOCK = threading.Lock()
IMAGE_BLOCKS_KEPT = 8


def reuse_image_memory(blocks: int = IMAGE_BLOCKS_KEPT) -> None:
    """Let Pillow keep up to ``blocks`` freed image buffers (each at most 16 MB) for reuse.

    By default Pillow hands every freed image back to the OS, so each decoded photo
    starts on fresh pages: for a 1024x768 JPEG that was 1,500-2,300 page faults and
    about 6 ms of a 9 ms load here. The app and the CLI call this once at start
    (Pillow's block allocator, the PILLOW_BLOCKS_MAX setting).
    """
    setter = getattr(getattr(Image, "core", None), "set_blocks_max", None)
    if setter is not None:
        setter(int(blocks))


def check_file(path: Path) -> None:
    """Reject what is not a readable, non-empty file before Pillow sees it (ImageLoadError).

    The cheap check a folder scan runs on every file when it does not decode them.
    """
    try:
        stat = path.stat()
    except FileNotFoundError:
        raise ImageLoadError(NOT_FOUND) from None
    except OSError as exc:
        raise ImageLoadError(UNREADABLE.format(reason=exc.strerror or exc)) from None
    if stat_module.S_ISDIR(stat.st_mode):
        raise ImageLoadError(A_FOLDER)
    if stat.st_size == 0:
        raise ImageLoadError(EMPTY_FILE)


def _check_stream(stream: BinaryIO) -> None:
    """A zero-length in-memory or open file is reported like an empty file on disk."""
    try:
        pos = stream.tell()
        stream.seek(0, os.SEEK_END)
        end = stream.tell()
        stream.seek(pos)
    except (OSError, AttributeError, ValueError):
        return
    if end - pos <= 0:
        raise ImageLoadError(EMPTY_FILE)


def _too_large(width: int, height: int, max_pixels: int) -> ImageLoadError:
    return ImageLoadError(
        TOO_LARGE.format(
            width=width, height=height, pixels=f"{width * height:,}", limit=f"{max_pixels:,}"
        )
    )


def _open_header(source: Any, max_pixels: int) -> Image.Image:
    """Image.open with every failure turned into an ImageLoadError reason."""
    try:
        with _OPEN_LOCK, warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            img = Image.open(source)
    except Image.DecompressionBombError as exc:
        raise ImageLoadError(BOMB.format(reason=exc)) from None
    except UnidentifiedImageError:
        raise ImageLoadError(NOT_AN_IMAGE) from None
    except (OSError, SyntaxError, ValueError, EOFError, Image.DecompressionBombWarning) as exc:
        raise ImageLoadError(CANNOT_OPEN.format(reason=exc or type(exc).__name__)) from None
    width, height = img.size
    if width * height > max_pixels:
        img.close()
        raise _too_large(width, height, max_pixels)
    if width < 1 or height < 1:
        img.close()
        raise ImageLoadError(NO_PIXELS.format(width=width, height=height))
    return img


def _decode(img: Image.Image) -> None:
    """Fully decode the pixels so truncation or corruption shows up now, not in training."""
    try:
        img.load()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise ImageLoadError(BOMB.format(reason=exc)) from None
    except OSError as exc:
        text = str(exc)
        if "truncated" in text:
            raise ImageLoadError(TRUNCATED) from None
        raise ImageLoadError(CORRUPT.format(reason=text or type(exc).__name__)) from None
    except (SyntaxError, ValueError, EOFError, IndexError, TypeError, MemoryError) as exc:
        raise ImageLoadError(CORRUPT.format(reason=exc or type(exc).__name__)) from None


def _apply_exif(img: Image.Image) -> Image.Image:
    """Rotate/flip as the camera recorded it; a broken EXIF block is simply ignored."""
    try:
        return ImageOps.exif_transpose(img)
    except Exception:  # noqa: BLE001 - bad EXIF must not cost the user an image
        return img


def _wide_to_l(img: Image.Image) -> Image.Image:
    """16-bit, 32-bit integer and float grayscale -> 8-bit "L" with the range kept."""
    arr = np.asarray(img)
    if arr.dtype.kind == "f":
        arr = np.nan_to_num(arr.astype(np.float64), nan=0.0, posinf=0.0, neginf=0.0)
        hi = float(arr.max()) if arr.size else 0.0
        lo = float(arr.min()) if arr.size else 0.0
        scale = 255.0 if lo >= 0.0 and hi <= 1.0 else 1.0
        out = arr * scale
    else:
        arr = arr.astype(np.int64)
        if img.mode.startswith("I;16") or arr.max(initial=0) > 255:
            top = 65535 if arr.max(initial=0) <= 65535 and arr.min(initial=0) >= 0 else None
            if top is None:
                lo, hi = arr.min(initial=0), arr.max(initial=0)
                out = (arr - lo) * (255.0 / max(hi - lo, 1))
            else:
                out = arr * (255.0 / top)
        else:
            out = arr
    return Image.fromarray(np.clip(np.rint(out), 0, 255).astype(np.uint8), mode="L")


def _flatten_alpha(img: Image.Image) -> Image.Image:
    """Composite any transparency on white, as an image viewer shows it."""
    rgba = img.convert("RGBA")
    background = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
    return Image.alpha_composite(background, rgba).convert("RGB")


def _to_channels(img: Image.Image, channels: int) -> Image.Image:
    """Any Pillow mode -> "L" (1 channel) or "RGB" (3 channels)."""
    mode = img.mode
    if mode in ("I", "F") or mode.startswith("I;16"):
        img = _wide_to_l(img)
    elif mode == "P":
        img = _flatten_alpha(img) if "transparency" in img.info else img.convert("RGB")
    elif mode in ("LA", "La", "PA", "RGBA", "RGBa") or "transparency" in img.info:
        img = _flatten_alpha(img)
    elif mode not in ("L", "RGB"):
        img = img.convert("RGB")  # 1, CMYK, YCbCr, LAB, HSV, RGBX ...
    target = "L" if channels == 1 else "RGB"
    return img if img.mode == target else img.convert(target)


def _ready(img: Image.Image, channels: int) -> Image.Image:
    """EXIF-oriented, in "L" or "RGB", and never ``img`` itself (the caller may close it).

    ImageOps.exif_transpose already returns a new image, so a photo in the right mode
    is copied once, not twice.
    """
    out = _to_channels(_apply_exif(img), channels)
    return img.copy() if out is img else out


def convert_image(img: Image.Image, channels: int = 3) -> Image.Image:
    """An in-memory image (pasted, dropped as data) made ready like a loaded file.

    EXIF orientation applied and any mode converted to "L" or "RGB" exactly as
    :func:`load_image` does, so a picture gives the same pixels however it arrives.
    Undecodable pixel data: ImageLoadError.
    """
    if channels not in (1, 3):
        raise ValueError(f"channels must be 1 or 3, not {channels!r}")
    _decode(img)
    try:
        return _ready(img, channels)
    except (OSError, ValueError, SyntaxError, EOFError) as exc:
        raise ImageLoadError(
            f"image data cannot be converted ({exc or type(exc).__name__})"
        ) from None


def load_image(
    path_or_file: str | os.PathLike | BinaryIO,
    channels: int = 3,
    max_pixels: int = DEFAULT_MAX_PIXELS,
    *,
    max_size: int | None = None,
    min_side: int | None = None,
    reduce_any: bool = False,
) -> Image.Image:
    """Open one image safely: decoded, EXIF-oriented and in "L" or "RGB" mode.

    Every reason an image cannot be used (missing, empty, truncated, corrupt, not an
    image, too many pixels) becomes an ImageLoadError whose text is that reason, so
    callers can skip the file and tell the user why. ``max_size`` (thumbnails) shrinks
    the result to fit that square, decoding big JPEGs at reduced scale to save time.
    ``min_side`` (what the pipeline needs, core.augment_size.needed_short_side): a large
    image (over :data:`LARGE_PIXELS`) is decoded reduced, by a whole factor that keeps
    its shorter side at least that long (JPEG: at reduced scale; others: reduced right
    after decoding, before any copy). Smaller images load exactly as without it, unless
    ``reduce_any`` (the decoded-image cache of training, core.prefetch) asks for any size.
    """
    if channels not in (1, 3):
        raise ValueError(f"channels must be 1 or 3, not {channels!r}")
    if isinstance(path_or_file, (str, os.PathLike)):
        path = Path(path_or_file)
        check_file(path)
        source: Any = path
    else:
        _check_stream(path_or_file)
        source = path_or_file
    img = _open_header(source, max_pixels)
    try:
        factor = 1 if max_size else _shrink_factor(img.size, min_side, reduce_any)
        if max_size and img.format == "JPEG":
            img.draft(img.mode, (max_size, max_size))
        elif factor > 1 and img.format == "JPEG":
            img.draft(img.mode, (img.width // factor, img.height // factor))
        _decode(img)
        out = _ready(_reduced(img, min_side) if factor > 1 else img, channels)
        if max_size:
            out.thumbnail((max_size, max_size))
        return out
    except ImageLoadError:
        raise
    except (OSError, ValueError, SyntaxError, EOFError) as exc:
        raise ImageLoadError(
            f"image data cannot be converted ({exc or type(exc).__name__})"
        ) from None
    finally:
        img.close()


def _shrink_factor(size: tuple[int, int], min_side: int | None, any_size: bool = False) -> int:
    """The whole factor a large image may shrink by and keep ``min_side`` (1: none)."""
    width, height = size
    if not min_side or (width * height <= LARGE_PIXELS and not any_size):
        return 1
    return max(1, min(width, height) // int(min_side))


def _reduced(img: Image.Image, min_side: int | None) -> Image.Image:
    """A decoded image box-reduced to what is still needed (a JPEG draft may have done it)."""
    factor = max(1, min(img.size) // int(min_side or 1))
    if factor < 2:
        return img
    try:
        return img.reduce(factor)  # keeps img.info, so the EXIF rotation still applies
    except (ValueError, OSError):  # a mode Pillow cannot reduce: keep the full picture
        return img


def _oriented_size(img: Image.Image) -> tuple[int, int]:
    """(height, width) as displayed, i.e. after the EXIF rotation."""
    width, height = img.size
    try:
        orientation = img.getexif().get(0x0112, 1)
    except Exception:  # noqa: BLE001 - unreadable EXIF: the stored size is the answer
        orientation = 1
    if orientation in (5, 6, 7, 8):
        width, height = height, width
    return height, width


def verify_image(path: str | os.PathLike, max_pixels: int = DEFAULT_MAX_PIXELS) -> tuple[int, int]:
    """Check that a file decodes completely; return its displayed (height, width).

    Cheaper than load_image: JPEGs are decoded at reduced scale (the whole compressed
    stream is still read, so truncation is still found) and no mode conversion is done.
    """
    file_path = Path(path)
    check_file(file_path)
    img = _open_header(file_path, max_pixels)
    try:
        size = _oriented_size(img)
        if img.format == "JPEG":
            img.draft(img.mode, (max(1, img.width // 8), max(1, img.height // 8)))
        _decode(img)
        return size
    finally:
        img.close()
