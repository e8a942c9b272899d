"""Datasets for ConvStudio: the built-in digits, image folders, and safe image loading.

Everything a user can point the tool at ends up here, so this module is where bad input
is stopped: files that cannot be decoded are skipped and listed with a reason instead of
crashing a training run half-way through an epoch. The built-in digits are held in memory
once, so the many epochs of a digits run never touch the disk or re-resize an image.
"""

from __future__ import annotations

import os
import stat as stat_module
import threading
import warnings
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

import numpy as np
import torch
from PIL import Image, ImageOps, UnidentifiedImageError

from core import BUILTIN_DIGITS, IMAGE_EXTENSIONS

__all__ = [
    "BUILTIN_DIGITS",
    "IMAGE_EXTENSIONS",
    "DataError",
    "DataSplits",
    "DatasetSummary",
    "DigitsDataset",
    "ImageDataset",
    "ImageLoadError",
    "SkippedFile",
    "build_datasets",
    "convert_image",
    "digits_images",
    "export_digit_samples",
    "load_image",
    "reuse_image_memory",
    "parse_source",
    "pick_samples",
    "sample_images",
    "scan_folder",
    "verify_image",
]

DEFAULT_MAX_PIXELS = 89_478_485  # Pillow's own decompression-bomb limit
TINY_CLASS = 5
IMBALANCE_RATIO = 5.0
DIGITS_SIZE = 28
DIGITS_SEED = 0
DIGITS_VALID_FRACTION = 0.2

_TRAIN_NAMES = ("train",)
_VALID_NAMES = ("valid", "val")

ProgressFn = Callable[[int, int], None]


class DataError(ValueError):
    """The dataset as a whole cannot be used (no classes, unreadable folder, ...)."""


class ImageLoadError(ValueError):
    """One image could not be used; ``str()`` is the reason in plain words."""


# --------------------------------------------------------------------------- loading

# Pillow signals decompression bombs through a warning whose filter is process-global;
# the lock keeps our own threads (scan + training) from undoing each other's filter.
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


def _file_label(path_or_file: Any) -> str:
    return os.fspath(path_or_file) if isinstance(path_or_file, (str, os.PathLike)) else "image"


def _check_path(path: Path) -> None:
    """Reject what is not a readable, non-empty file before Pillow sees it."""
    try:
        stat = path.stat()
    except FileNotFoundError:
        raise ImageLoadError("file not found") from None
    except OSError as exc:
        raise ImageLoadError(f"file cannot be read ({exc.strerror or exc})") from None
    if stat_module.S_ISDIR(stat.st_mode):
        raise ImageLoadError("this is a folder, not an image file")
    if stat.st_size == 0:
        raise ImageLoadError("file is empty (0 bytes)")


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
        raise ImageLoadError("file is empty (0 bytes)")


def _too_large(width: int, height: int, max_pixels: int) -> ImageLoadError:
    return ImageLoadError(
        f"image is too large ({width}x{height} = {width * height:,} pixels; the limit is "
        f"{max_pixels:,}): it looks like a decompression bomb, so it was refused"
    )


def _open_header(source: Any, max_pixels: int) -> Image.Image:
    """Image.open with every failure turned into an ImageLoadError reason."""
    try:
        with _OPEN_LOCK, warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            img = Image.open(source)
    except Image.DecompressionBombError as exc:
        raise ImageLoadError(
            f"image is too large: it looks like a decompression bomb ({exc})"
        ) from None
    except UnidentifiedImageError:
        raise ImageLoadError("not an image file, or an image format that cannot be read") from None
    except (OSError, SyntaxError, ValueError, EOFError, Image.DecompressionBombWarning) as exc:
        raise ImageLoadError(f"cannot open the image ({exc or type(exc).__name__})") from None
    width, height = img.size
    if width * height > max_pixels:
        img.close()
        raise _too_large(width, height, max_pixels)
    if width < 1 or height < 1:
        img.close()
        raise ImageLoadError(f"image has no pixels ({width}x{height})")
    return img


def _decode(img: Image.Image) -> None:
    """Fully decode the pixels so truncation or corruption shows up now, not in training."""
    try:
        img.load()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise ImageLoadError(
            f"image is too large: it looks like a decompression bomb ({exc})"
        ) from None
    except OSError as exc:
        text = str(exc)
        if "truncated" in text:
            raise ImageLoadError("image file is truncated (part of it is missing)") from None
        raise ImageLoadError(f"image data is corrupt ({text or type(exc).__name__})") from None
    except (SyntaxError, ValueError, EOFError, IndexError, TypeError, MemoryError) as exc:
        raise ImageLoadError(f"image data is corrupt ({exc or type(exc).__name__})") from None


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
) -> Image.Image:
    """Open one image safely: decoded, EXIF-oriented and in "L" or "RGB" mode.

    Every reason an image cannot be used (missing, empty, truncated, corrupt, not an
    image, too many pixels) becomes an ImageLoadError whose text is that reason, so
    callers can skip the file and tell the user why. ``max_size`` (thumbnails) shrinks
    the result to fit that square, decoding big JPEGs at reduced scale to save time.
    """
    if channels not in (1, 3):
        raise ValueError(f"channels must be 1 or 3, not {channels!r}")
    if isinstance(path_or_file, (str, os.PathLike)):
        path = Path(path_or_file)
        _check_path(path)
        source: Any = path
    else:
        _check_stream(path_or_file)
        source = path_or_file
    img = _open_header(source, max_pixels)
    try:
        if max_size and img.format == "JPEG":
            img.draft(img.mode, (max_size, max_size))
        _decode(img)
        out = _ready(img, channels)
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
    _check_path(file_path)
    img = _open_header(file_path, max_pixels)
    try:
        size = _oriented_size(img)
        if img.format == "JPEG":
            img.draft(img.mode, (max(1, img.width // 8), max(1, img.height // 8)))
        _decode(img)
        return size
    finally:
        img.close()


# --------------------------------------------------------------------------- summary


@dataclass
class SkippedFile:
    """A file left out of the dataset and why."""

    path: str
    reason: str


@dataclass
class DatasetSummary:
    """What a dataset holds, for the data panel, the CLI and the run folder."""

    source: str
    layout: str
    class_names: list[str]
    counts: dict[str, dict[str, int]]
    skipped: list[SkippedFile] = field(default_factory=list)
    empty_classes: list[str] = field(default_factory=list)
    in_channels: int = 3
    image_size: tuple[int, int] | None = None
    dropped_classes: list[str] = field(default_factory=list)

    def total(self, split: str | None = None) -> int:
        """Number of usable images in one split, or in both."""
        splits = [split] if split else list(self.counts)
        return sum(sum(self.counts.get(s, {}).values()) for s in splits)

    def class_totals(self) -> dict[str, int]:
        """Images per class over both splits."""
        return {
            c: sum(self.counts.get(s, {}).get(c, 0) for s in self.counts) for c in self.class_names
        }

    def to_dict(self) -> dict:
        """Plain JSON-able values (lists, dicts, strings, numbers)."""
        data = asdict(self)
        data["image_size"] = list(self.image_size) if self.image_size else None
        data["num_classes"] = len(self.class_names)
        data["totals"] = {split: self.total(split) for split in self.counts}
        data["warnings"] = self.warnings()
        return data

    @classmethod
    def from_dict(cls, data: dict) -> DatasetSummary:
        """Inverse of to_dict (extra keys such as "warnings" are ignored)."""
        size = data.get("image_size")
        return cls(
            source=data["source"],
            layout=data["layout"],
            class_names=list(data["class_names"]),
            counts={s: dict(c) for s, c in data["counts"].items()},
            skipped=[SkippedFile(**s) for s in data.get("skipped", [])],
            empty_classes=list(data.get("empty_classes", [])),
            in_channels=int(data.get("in_channels", 3)),
            image_size=tuple(size) if size else None,
            dropped_classes=list(data.get("dropped_classes", [])),
        )

    def warnings(self) -> list[str]:
        """Human sentences about what may hurt training; empty when all is well."""
        out: list[str] = []
        out.extend(self._skipped_warnings())
        out.extend(self._class_warnings())
        imbalance = self._imbalance_warning()
        if imbalance:
            out.append(imbalance)
        return out

    def _skipped_warnings(self) -> list[str]:
        if not self.skipped:
            return []
        n = len(self.skipped)
        shown = ", ".join(f"{Path(s.path).name} ({s.reason})" for s in self.skipped[:3])
        more = f" and {n - 3} more" if n > 3 else ""
        noun = "file was" if n == 1 else "files were"
        return [f"{n} {noun} skipped: {shown}{more}."]

    def _class_warnings(self) -> list[str]:
        out = [
            f"Class '{name}' has no usable image and was left out; add images to its folder."
            for name in self.dropped_classes
        ]
        for name in self.empty_classes:
            if name in self.dropped_classes:
                continue
            missing = [s for s in self.counts if self.counts[s].get(name, 0) == 0]
            out.append(f"Class '{name}' has no image in the {' and '.join(missing)} split.")
        if len(self.class_names) < 2:
            out.append("At least two classes with images are needed to train a classifier.")
        for name, n in self.class_totals().items():
            if 0 < n < TINY_CLASS:
                out.append(
                    f"Class '{name}' has only {n} image{'s' if n != 1 else ''}; "
                    f"at least {TINY_CLASS} are needed to learn and check it."
                )
        return out

    def _imbalance_warning(self) -> str | None:
        totals = {c: n for c, n in self.class_totals().items() if n > 0}
        if len(totals) < 2:
            return None
        big = max(totals, key=totals.get)
        small = min(totals, key=totals.get)
        ratio = totals[big] / totals[small]
        if ratio <= IMBALANCE_RATIO:
            return None
        return (
            f"Classes are imbalanced {ratio:.0f}:1: '{big}' has {totals[big]} images but "
            f"'{small}' only {totals[small]}; add images to the small classes or expect "
            f"the model to favour the large ones."
        )


# --------------------------------------------------------------------------- sources


def parse_source(source: str) -> str:
    """Normalise a dataset source: "builtin:digits" or an existing folder's full path."""
    text = str(source).strip() if source is not None else ""
    if not text:
        raise DataError("No dataset given: use 'builtin:digits' or the path of an image folder.")
    lowered = text.lower()
    if lowered in ("digits", BUILTIN_DIGITS):
        return BUILTIN_DIGITS
    if lowered.startswith("builtin:"):
        raise DataError(
            f"Unknown built-in dataset '{text}': the only built-in dataset is '{BUILTIN_DIGITS}'."
        )
    path = Path(text).expanduser()
    if not path.exists():
        raise DataError(f"Dataset folder '{text}' does not exist: check the path.")
    if not path.is_dir():
        raise DataError(
            f"'{text}' is a file, not a folder: choose the folder that holds the class folders."
        )
    return str(path.resolve())


def _is_hidden(name: str) -> bool:
    return name.startswith(".") or name.startswith("__")


def _subdirs(folder: Path) -> list[Path]:
    try:
        entries = list(folder.iterdir())
    except OSError as exc:
        raise DataError(
            f"Cannot read the folder '{folder}' ({exc.strerror or exc}): check its permissions."
        ) from None
    return sorted(
        (p for p in entries if p.is_dir() and not _is_hidden(p.name)), key=lambda p: p.name
    )


def _files_under(folder: Path) -> list[Path]:
    """All non-hidden files below a class folder, sorted, following links like ImageFolder."""
    found: list[Path] = []
    seen: set[str] = set()
    top = os.path.realpath(folder)
    for dirpath, dirnames, filenames in os.walk(folder, followlinks=True):
        real = os.path.realpath(dirpath)
        if real in seen or (real != top and os.path.commonpath([real, top]) == real):
            # A link back up the tree: walking it would loop, or pull the other classes'
            # images in under this class's label.
            dirnames[:] = []
            continue
        seen.add(real)
        dirnames[:] = sorted(d for d in dirnames if not _is_hidden(d))
        found.extend(Path(dirpath) / f for f in filenames if not _is_hidden(f))
    return sorted(found)


def _find_split_dirs(root: Path) -> tuple[Path, Path] | None:
    """ROOT/train + ROOT/valid (or val), names matched without regard to case."""
    by_name = {p.name.lower(): p for p in _subdirs(root)}
    train = next((by_name[n] for n in _TRAIN_NAMES if n in by_name), None)
    valid = next((by_name[n] for n in _VALID_NAMES if n in by_name), None)
    if train is not None and valid is not None:
        return train, valid
    return None


def _class_root(root: Path) -> Path:
    """A folder holding only train/ (no valid/) is read as class folders inside train/."""
    dirs = _subdirs(root)
    if len(dirs) == 1 and dirs[0].name.lower() in _TRAIN_NAMES and _subdirs(dirs[0]):
        return dirs[0]
    return root


@dataclass
class _Listing:
    """Candidate files per split and class, before any image is opened."""

    files: dict[str, dict[str, list[Path]]]  # split -> class -> files
    skipped: list[SkippedFile]


def _list_classes(class_root: Path, skipped: list[SkippedFile]) -> dict[str, list[Path]]:
    """class name -> image-extension files; other files go to `skipped`."""
    classes: dict[str, list[Path]] = {}
    for folder in _subdirs(class_root):
        images: list[Path] = []
        for path in _files_under(folder):
            if path.suffix.lower() in IMAGE_EXTENSIONS:
                images.append(path)
            else:
                ext = path.suffix or "no extension"
                skipped.append(SkippedFile(str(path), f"not an image file ({ext})"))
        classes[folder.name] = images
    for path in sorted(p for p in class_root.iterdir() if p.is_file() and not _is_hidden(p.name)):
        if path.suffix.lower() in IMAGE_EXTENSIONS:
            skipped.append(SkippedFile(str(path), "not inside a class folder, so it has no label"))
    return classes


def _stratified_split(
    classes: dict[str, list[Path]], val_split: float, seed: int
) -> dict[str, dict[str, list[Path]]]:
    """Per class: a seeded shuffle, then val_split of it to valid (at least one each side)."""
    train: dict[str, list[Path]] = {}
    valid: dict[str, list[Path]] = {}
    for index, name in enumerate(sorted(classes)):
        files = sorted(classes[name])
        order = np.random.default_rng([seed, index]).permutation(len(files))
        shuffled = [files[i] for i in order]
        n_valid = int(round(len(files) * val_split))
        if len(files) >= 2:
            n_valid = min(max(n_valid, 1), len(files) - 1)
        else:
            n_valid = 0
        valid[name] = sorted(shuffled[:n_valid])
        train[name] = sorted(shuffled[n_valid:])
    return {"train": train, "valid": valid}


_UNSPLIT = "all"  # listing key of class-folder files not yet split into train/valid


def _list_folder(root: Path, val_split: float) -> tuple[str, _Listing]:
    """The layout and its candidate files; class folders stay unsplit (key _UNSPLIT)."""
    skipped: list[SkippedFile] = []
    split_dirs = _find_split_dirs(root)
    if split_dirs is not None:
        train = _list_classes(split_dirs[0], skipped)
        valid = _list_classes(split_dirs[1], skipped)
        for name in set(train) | set(valid):
            train.setdefault(name, [])
            valid.setdefault(name, [])
        return "train/valid folders", _Listing({"train": train, "valid": valid}, skipped)
    if not 0.0 < val_split < 1.0:
        raise DataError(f"val_split must be between 0 and 1 (exclusive), not {val_split}.")
    classes = _list_classes(_class_root(root), skipped)
    return "class folders", _Listing({_UNSPLIT: classes}, skipped)


def _verify_listing(
    listing: _Listing, check_images: bool, max_pixels: int, progress: ProgressFn | None
) -> set[tuple[int, int]]:
    """Drop unusable files from the listing (into skipped); return the sizes seen."""
    all_files = [
        (s, c, p) for s, per in listing.files.items() for c, files in per.items() for p in files
    ]
    total = len(all_files)
    if progress:
        progress(0, total)
    bad: set[Path] = set()
    sizes: set[tuple[int, int]] = set()
    for done, (_split, _cls, path) in enumerate(all_files, start=1):
        try:
            if check_images:
                sizes.add(verify_image(path, max_pixels))
            else:
                _check_path(path)
        except ImageLoadError as exc:
            bad.add(path)
            listing.skipped.append(SkippedFile(str(path), str(exc)))
        if progress:
            progress(done, total)
    for per in listing.files.values():
        for name in per:
            per[name] = [p for p in per[name] if p not in bad]
    return sizes


def scan_folder(
    root: str | os.PathLike,
    val_split: float = 0.2,
    seed: int = 0,
    check_images: bool = True,
    *,
    progress: ProgressFn | None = None,
    max_pixels: int = DEFAULT_MAX_PIXELS,
) -> tuple[list[tuple[str, int]], list[tuple[str, int]], DatasetSummary]:
    """List a folder dataset in either layout and report what is in it.

    Layouts: ROOT/train/<class>/ with ROOT/valid/<class>/ (or val/), or ROOT/<class>/
    split here, stratified and seeded, after bad files are removed. With check_images
    every file is decoded once, so a bad file is listed in ``summary.skipped`` instead
    of failing mid-training. A class
    with no usable image at all is left out of ``class_names`` (and reported).
    """
    root_path = Path(parse_source(os.fspath(root)))
    layout, listing = _list_folder(root_path, val_split)
    if not any(listing.files.values()):
        raise DataError(
            f"No class folders found in '{root_path}': put the images of each class in a "
            f"folder named after the class (e.g. {root_path.name}/cats/, {root_path.name}/dogs/)."
        )
    sizes = _verify_listing(listing, check_images, max_pixels, progress)
    if _UNSPLIT in listing.files:
        # Split only the usable files, so a bad file never costs a class its valid images.
        listing.files = _stratified_split(listing.files.pop(_UNSPLIT), val_split, seed)
    return _assemble(str(root_path), layout, listing, sizes)


def _assemble(
    source: str, layout: str, listing: _Listing, sizes: set[tuple[int, int]]
) -> tuple[list[tuple[str, int]], list[tuple[str, int]], DatasetSummary]:
    all_names = sorted(set(listing.files["train"]) | set(listing.files["valid"]))
    counts_all = {
        s: {c: len(listing.files[s].get(c, [])) for c in all_names} for s in ("train", "valid")
    }
    dropped = [c for c in all_names if counts_all["train"][c] + counts_all["valid"][c] == 0]
    class_names = [c for c in all_names if c not in dropped]
    counts = {s: {c: counts_all[s][c] for c in class_names} for s in ("train", "valid")}
    empty = [
        c
        for c in all_names
        if c in dropped or 0 in (counts_all["train"][c], counts_all["valid"][c])
    ]
    samples = {
        s: [
            (str(p), label)
            for label, c in enumerate(class_names)
            for p in listing.files[s].get(c, [])
        ]
        for s in ("train", "valid")
    }
    summary = DatasetSummary(
        source=source,
        layout=layout,
        class_names=class_names,
        counts=counts,
        skipped=listing.skipped,
        empty_classes=empty,
        in_channels=3,
        image_size=next(iter(sizes)) if len(sizes) == 1 else None,
        dropped_classes=dropped,
    )
    return samples["train"], samples["valid"], summary


# --------------------------------------------------------------------------- datasets


class ImageDataset(torch.utils.data.Dataset):
    """Images on disk as (path, label) pairs, loaded safely on each access."""

    def __init__(
        self,
        samples: Sequence[tuple[str, int]],
        transform: Callable[[Image.Image], Any] | None = None,
        channels: int = 3,
        class_names: Sequence[str] | None = None,
        max_pixels: int = DEFAULT_MAX_PIXELS,
    ) -> None:
        self.samples = [(str(p), int(y)) for p, y in samples]
        self.targets = [y for _, y in self.samples]
        self.transform = transform
        self.channels = channels
        self.class_names = list(class_names) if class_names is not None else None
        self.max_pixels = max_pixels

    def __len__(self) -> int:
        return len(self.samples)

    def load(self, index: int) -> Image.Image:
        """The PIL image of one sample; ImageLoadError names the file on failure."""
        path, _ = self.samples[index]
        try:
            return load_image(path, self.channels, self.max_pixels)
        except ImageLoadError as exc:
            raise ImageLoadError(f"{path}: {exc}") from None

    def __getitem__(self, index: int) -> tuple[Any, int]:
        image = self.load(index)
        label = self.samples[index][1]
        return (self.transform(image) if self.transform else image), label


class DigitsDataset(torch.utils.data.Dataset):
    """The built-in digits held in memory: __getitem__ only applies the transform."""

    def __init__(
        self,
        images: Sequence[Image.Image],
        labels: Sequence[int],
        transform: Callable[[Image.Image], Any] | None = None,
        class_names: Sequence[str] | None = None,
    ) -> None:
        self.images = list(images)
        self.targets = [int(y) for y in labels]
        self.transform = transform
        self.class_names = list(class_names) if class_names is not None else None
        self.channels = 1 if not self.images or self.images[0].mode == "L" else 3

    def __len__(self) -> int:
        return len(self.images)

    def __getitem__(self, index: int) -> tuple[Any, int]:
        image = self.images[index]
        return (self.transform(image) if self.transform else image), self.targets[index]


_DIGITS_CACHE: dict[tuple[int, int], tuple] = {}
_DIGITS_LOCK = threading.Lock()


def _digits_arrays(seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """28x28 uint8 arrays of the stratified 80/20 split of scikit-learn's digits."""
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split

    bunch = load_digits()
    pixels = np.clip(np.rint(bunch.images * (255.0 / 16.0)), 0, 255).astype(np.uint8)
    big = np.stack(
        [
            np.asarray(
                Image.fromarray(p, mode="L").resize(
                    (DIGITS_SIZE, DIGITS_SIZE), Image.Resampling.BILINEAR
                )
            )
            for p in pixels
        ]
    )
    labels = bunch.target.astype(np.int64)
    x_train, x_valid, y_train, y_valid = train_test_split(
        big, labels, test_size=DIGITS_VALID_FRACTION, stratify=labels, random_state=seed
    )
    return x_train, y_train, x_valid, y_valid


def _digits_entry(seed: int, channels: int) -> tuple:
    """(train images, train labels, valid images, valid labels); caller holds the lock."""
    key = (seed, channels)
    if key not in _DIGITS_CACHE:
        if channels == 1:
            x_train, y_train, x_valid, y_valid = _digits_arrays(seed)
            _DIGITS_CACHE[key] = (
                [Image.fromarray(a, mode="L") for a in x_train],
                [int(y) for y in y_train],
                [Image.fromarray(a, mode="L") for a in x_valid],
                [int(y) for y in y_valid],
            )
        else:
            train, y_train, valid, y_valid = _digits_entry(seed, 1)
            _DIGITS_CACHE[key] = (
                [i.convert("RGB") for i in train],
                y_train,
                [i.convert("RGB") for i in valid],
                y_valid,
            )
    return _DIGITS_CACHE[key]


def _digits_cached(seed: int, channels: int) -> tuple:
    with _DIGITS_LOCK:
        return _digits_entry(seed, channels)


def digits_images(
    seed: int = DIGITS_SEED,
) -> tuple[list[Image.Image], list[int], list[Image.Image], list[int], list[str]]:
    """The built-in digits: 28x28 "L" images, stratified 80/20 split (1,437 / 360).

    Images are shared from an in-memory cache; treat them as read-only.
    """
    train, y_train, valid, y_valid = _digits_cached(seed, 1)
    return list(train), list(y_train), list(valid), list(y_valid), [str(i) for i in range(10)]


def _digits_summary(channels: int) -> DatasetSummary:
    _, y_train, _, y_valid, names = digits_images(DIGITS_SEED)
    counts = {
        "train": {n: int(np.sum(np.asarray(y_train) == i)) for i, n in enumerate(names)},
        "valid": {n: int(np.sum(np.asarray(y_valid) == i)) for i, n in enumerate(names)},
    }
    return DatasetSummary(
        source=BUILTIN_DIGITS,
        layout="builtin",
        class_names=names,
        counts=counts,
        in_channels=channels,
        image_size=(DIGITS_SIZE, DIGITS_SIZE),
    )


@dataclass
class DataSplits:
    """The train and valid datasets with the summary they were built from."""

    train: torch.utils.data.Dataset
    valid: torch.utils.data.Dataset
    summary: DatasetSummary


def _check_trainable(summary: DatasetSummary) -> None:
    if not summary.class_names:
        raise DataError(
            f"No class in '{summary.source}' has a usable image: add images to the class folders."
        )
    if len(summary.class_names) < 2:
        raise DataError(
            f"Only one class ('{summary.class_names[0]}') has usable images in '{summary.source}': "
            f"a classifier needs at least two class folders with images."
        )
    if summary.total("train") == 0:
        raise DataError(f"The training split of '{summary.source}' has no usable image.")
    if summary.total("valid") == 0:
        raise DataError(
            f"The validation split of '{summary.source}' has no usable image: add images "
            f"to valid/ or give each class at least two images."
        )


def build_datasets(
    source: str,
    train_transform: Callable | None = None,
    eval_transform: Callable | None = None,
    val_split: float = 0.2,
    seed: int = 0,
    channels: int | None = None,
    progress: ProgressFn | None = None,
) -> DataSplits:
    """Train and valid datasets for a source, ready for a DataLoader.

    The digits split is always the fixed seed-0 80/20 split (so results compare across
    runs and with other tools); ``seed`` and ``val_split`` shape folder splits only.
    """
    resolved = parse_source(source)
    if channels not in (None, 1, 3):
        raise DataError(f"channels must be 1 or 3, not {channels!r}.")
    if resolved == BUILTIN_DIGITS:
        ch = channels or 1
        summary = _digits_summary(ch)
        tr_img, tr_y, va_img, va_y = _digits_cached(DIGITS_SEED, ch)
        names = summary.class_names
        train: torch.utils.data.Dataset = DigitsDataset(tr_img, tr_y, train_transform, names)
        valid: torch.utils.data.Dataset = DigitsDataset(va_img, va_y, eval_transform, names)
        if progress:
            progress(1, 1)
        return DataSplits(train, valid, summary)
    train_samples, valid_samples, summary = scan_folder(
        resolved, val_split, seed, True, progress=progress
    )
    _check_trainable(summary)
    ch = channels or 3
    summary.in_channels = ch
    train = ImageDataset(train_samples, train_transform, ch, summary.class_names)
    valid = ImageDataset(valid_samples, eval_transform, ch, summary.class_names)
    return DataSplits(train, valid, summary)


# --------------------------------------------------------------------------- samples


def pick_samples(
    samples: Sequence[tuple[str, int]],
    class_names: Sequence[str],
    per_class: int = 4,
    seed: int = 0,
    channels: int = 3,
    max_size: int | None = None,
) -> dict[str, list[Image.Image]]:
    """Up to per_class loaded images for each class, chosen at random (seeded).

    Files that fail to load are passed over, so a bad file never blanks a thumbnail.
    ``max_size`` shrinks each image to fit that square (see load_image).
    """
    by_class: dict[int, list[str]] = {i: [] for i in range(len(class_names))}
    for path, label in samples:
        by_class.setdefault(label, []).append(path)
    out: dict[str, list[Image.Image]] = {}
    for label, name in enumerate(class_names):
        paths = by_class.get(label, [])
        order = np.random.default_rng([seed, label]).permutation(len(paths))
        chosen: list[Image.Image] = []
        for i in order:
            if len(chosen) >= per_class:
                break
            try:
                chosen.append(load_image(paths[i], channels, max_size=max_size))
            except ImageLoadError:
                continue
        out[name] = chosen
    return out


def sample_images(source: str, per_class: int = 4, seed: int = 0) -> dict[str, list[Image.Image]]:
    """A few images of each class (from the train split) for thumbnails and previews."""
    resolved = parse_source(source)
    if resolved == BUILTIN_DIGITS:
        train, labels, _, _, names = digits_images(DIGITS_SEED)
        out: dict[str, list[Image.Image]] = {}
        for label, name in enumerate(names):
            idx = [i for i, y in enumerate(labels) if y == label]
            order = np.random.default_rng([seed, label]).permutation(len(idx))[:per_class]
            out[name] = [train[idx[i]].copy() for i in order]
        return out
    train_samples, valid_samples, summary = scan_folder(resolved, check_images=False)
    return pick_samples(train_samples or valid_samples, summary.class_names, per_class, seed)


def export_digit_samples(
    out_dir: str | os.PathLike, n_per_class: int = 1, split: str = "valid"
) -> list[Path]:
    """Write the first n images of each digit class as PNGs named <class>_<i>.png."""
    if split not in ("train", "valid"):
        raise DataError(f"split must be 'train' or 'valid', not '{split}'.")
    if n_per_class < 1:
        raise DataError(f"n_per_class must be at least 1, not {n_per_class}.")
    train, y_train, valid, y_valid, names = digits_images(DIGITS_SEED)
    images, labels = (train, y_train) if split == "train" else (valid, y_valid)
    folder = Path(out_dir)
    folder.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    for label, name in enumerate(names):
        idx = [i for i, y in enumerate(labels) if y == label][:n_per_class]
        for k, i in enumerate(idx):
            path = folder / f"{name}_{k}.png"
            images[i].save(path)
            written.append(path)
    return written
