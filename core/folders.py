"""Folder datasets: the two layouts, the scan, the split, and what a dataset holds.

A folder dataset is ROOT/<class>/ (split here, stratified and seeded) or ROOT/train/
and ROOT/valid/ (or val/) that each hold the class folders. :func:`scan_folder` lists
either layout, decodes every image once through :mod:`core.images` (so a bad file is
listed with its reason now, not found mid-epoch), and returns the samples with a
:class:`DatasetSummary`: classes, counts per split, skipped files, and the warnings a
user should read before training (tiny classes, imbalance, empty splits).
:func:`pick_samples` loads a few images per class for thumbnails and previews.

Pillow and numpy only: no torch, no Qt. :mod:`core.data` builds the datasets.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
from PIL import Image

from core import BUILTIN_DIGITS, IMAGE_EXTENSIONS
from core.images import (
    BYTES_PER_PIXEL,
    DEFAULT_MAX_PIXELS,
    LARGE_PIXELS,
    ImageLoadError,
    check_file,
    load_image,
    verify_image,
)
from core.messages import QT_TRANSLATE_NOOP

__all__ = [
    "DataError",
    "DatasetSummary",
    "ProgressFn",
    "SkippedFile",
    "has_split_folders",
    "is_hidden_name",
    "parse_source",
    "pick_samples",
    "scan_folder",
]

TINY_CLASS = 5
IMBALANCE_RATIO = 5.0

_TRAIN_NAMES = ("train",)
_VALID_NAMES = ("valid", "val")

ProgressFn = Callable[[int, int], None]

#: where the Evaluate panel's "Set aside" puts images: inside the dataset, never scanned
SET_ASIDE_DIR = "_set_aside"


class DataError(ValueError):
    """The dataset as a whole cannot be used (no classes, unreadable folder, ...)."""


# What the window shows translated (core.messages): layouts, problems, warnings.
LAYOUT_SPLIT = QT_TRANSLATE_NOOP("CoreMessages", "train/valid folders")
LAYOUT_CLASSES = QT_TRANSLATE_NOOP("CoreMessages", "class folders")
NO_SOURCE = QT_TRANSLATE_NOOP(
    "CoreMessages", "No dataset given: use 'builtin:digits' or the path of an image folder."
)
UNKNOWN_BUILTIN = QT_TRANSLATE_NOOP(
    "CoreMessages",
    "Unknown built-in dataset '{name}': the only built-in dataset is '{builtin}'.",
)
FOLDER_MISSING = QT_TRANSLATE_NOOP(
    "CoreMessages", "Dataset folder '{path}' does not exist: check the path."
)
NOT_A_FOLDER = QT_TRANSLATE_NOOP(
    "CoreMessages",
    "'{path}' is a file, not a folder: choose the folder that holds the class folders.",
)
CANNOT_READ_FOLDER = QT_TRANSLATE_NOOP(
    "CoreMessages", "Cannot read the folder '{path}' ({reason}): check its permissions."
)
NO_CLASS_FOLDERS = QT_TRANSLATE_NOOP(
    "CoreMessages",
    "No class folders found in '{path}': put the images of each class in a folder named "
    "after the class (e.g. {name}/cats/, {name}/dogs/).",
)
SKIPPED_ONE = QT_TRANSLATE_NOOP("CoreMessages", "{n} file was skipped: {files}.")
SKIPPED_SOME = QT_TRANSLATE_NOOP("CoreMessages", "{n} files were skipped: {files}.")
SKIPPED_MORE = QT_TRANSLATE_NOOP("CoreMessages", "{n} files were skipped: {files} and {more} more.")
LARGE_ONE = QT_TRANSLATE_NOOP(
    "CoreMessages",
    "{n} image is very large (the largest, {name}, is {width}x{height} = {mp} megapixels): "
    "decoding one takes about {mb} MB of memory. Training decodes them reduced when the "
    "pipeline starts with Resize or RandomResizedCrop; otherwise shrink them (4096 pixels "
    "on the longer side is plenty) to use less memory.",
)
LARGE_MANY = QT_TRANSLATE_NOOP(
    "CoreMessages",
    "{n} images are very large (the largest, {name}, is {width}x{height} = {mp} megapixels): "
    "decoding one takes about {mb} MB of memory. Training decodes them reduced when the "
    "pipeline starts with Resize or RandomResizedCrop; otherwise shrink them (4096 pixels "
    "on the longer side is plenty) to use less memory.",
)
CLASS_LEFT_OUT = QT_TRANSLATE_NOOP(
    "CoreMessages",
    "Class '{name}' has no usable image and was left out; add images to its folder.",
)
CLASS_NOT_IN_SPLIT = {
    ("train",): QT_TRANSLATE_NOOP(
        "CoreMessages", "Class '{name}' has no image in the train split."
    ),
    ("valid",): QT_TRANSLATE_NOOP(
        "CoreMessages", "Class '{name}' has no image in the valid split."
    ),
    ("train", "valid"): QT_TRANSLATE_NOOP(
        "CoreMessages", "Class '{name}' has no image in the train and valid split."
    ),
}
TWO_CLASSES_NEEDED = QT_TRANSLATE_NOOP(
    "CoreMessages", "At least two classes with images are needed to train a classifier."
)
TINY_ONE = QT_TRANSLATE_NOOP(
    "CoreMessages",
    "Class '{name}' has only {n} image; at least {need} are needed to learn and check it.",
)
TINY_MANY = QT_TRANSLATE_NOOP(
    "CoreMessages",
    "Class '{name}' has only {n} images; at least {need} are needed to learn and check it.",
)
IMBALANCED = QT_TRANSLATE_NOOP(
    "CoreMessages",
    "Classes are imbalanced {ratio}:1: '{big}' has {big_n} images but '{small}' only "
    "{small_n}; add images to the small classes or expect the model to favour the large ones.",
)


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
    #: [path, height, width] of each image over core.images.LARGE_PIXELS
    large_images: list[list] = field(default_factory=list)
    #: up to 20 of the [height, width] seen when the images are not all one size
    mixed_sizes: list[list[int]] = field(default_factory=list)

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
            large_images=[list(e) for e in data.get("large_images", [])],
            mixed_sizes=[list(s) for s in data.get("mixed_sizes", [])],
        )

    def warnings(self) -> list[str]:
        """Human sentences about what may hurt training; empty when all is well."""
        out: list[str] = []
        out.extend(self._skipped_warnings())
        out.extend(self._large_warnings())
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
        template = SKIPPED_ONE if n == 1 else SKIPPED_SOME if n <= 3 else SKIPPED_MORE
        return [template.format(n=n, files=shown, more=n - 3)]

    def _large_warnings(self) -> list[str]:
        """How much memory very large images take (an 81 MP PNG: over 300 MB a load)."""
        if not self.large_images:
            return []
        n = len(self.large_images)
        path, height, width = max(self.large_images, key=lambda e: e[1] * e[2])
        pixels = height * width
        return [
            (LARGE_ONE if n == 1 else LARGE_MANY).format(
                n=n,
                name=Path(path).name,
                width=width,
                height=height,
                mp=f"{pixels / 1e6:.0f}",
                mb=f"{pixels * BYTES_PER_PIXEL / 1e6:,.0f}",
            )
        ]

    def _class_warnings(self) -> list[str]:
        out = [CLASS_LEFT_OUT.format(name=name) for name in self.dropped_classes]
        for name in self.empty_classes:
            if name in self.dropped_classes:
                continue
            missing = tuple(s for s in self.counts if self.counts[s].get(name, 0) == 0)
            template = CLASS_NOT_IN_SPLIT.get(
                missing, f"Class '{{name}}' has no image in the {' and '.join(missing)} split."
            )
            out.append(template.format(name=name))
        if len(self.class_names) < 2:
            out.append(TWO_CLASSES_NEEDED)
        for name, n in self.class_totals().items():
            if 0 < n < TINY_CLASS:
                out.append(
                    (TINY_ONE if n == 1 else TINY_MANY).format(name=name, n=n, need=TINY_CLASS)
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
        return IMBALANCED.format(
            ratio=f"{ratio:.0f}", big=big, big_n=totals[big], small=small, small_n=totals[small]
        )


# --------------------------------------------------------------------------- sources


def parse_source(source: str) -> str:
    """Normalise a dataset source: "builtin:digits" or an existing folder's full path."""
    text = str(source).strip() if source is not None else ""
    if not text:
        raise DataError(NO_SOURCE)
    lowered = text.lower()
    if lowered in ("digits", BUILTIN_DIGITS):
        return BUILTIN_DIGITS
    if lowered.startswith("builtin:"):
        raise DataError(UNKNOWN_BUILTIN.format(name=text, builtin=BUILTIN_DIGITS))
    path = Path(text).expanduser()
    if not path.exists():
        raise DataError(FOLDER_MISSING.format(path=text))
    if not path.is_dir():
        raise DataError(NOT_A_FOLDER.format(path=text))
    return str(path.resolve())


def is_hidden_name(name: str) -> bool:
    """A file or folder the dataset scan skips: dot files, ``__x`` folders (``__pycache__``,
    ``__MACOSX``) and the Evaluate panel's ``_set_aside``."""
    return name.startswith(".") or name.startswith("__") or name == SET_ASIDE_DIR


def _subdirs(folder: Path) -> list[Path]:
    try:
        entries = list(folder.iterdir())
    except OSError as exc:
        raise DataError(
            CANNOT_READ_FOLDER.format(path=folder, reason=exc.strerror or exc)
        ) from None
    return sorted(
        (p for p in entries if p.is_dir() and not is_hidden_name(p.name)), key=lambda p: p.name
    )


def _inside(path: str, folder: str) -> bool:
    return path == folder or os.path.commonpath([path, folder]) == folder


def _files_under(
    folder: Path, root: Path | None = None, skipped: list[SkippedFile] | None = None
) -> list[Path]:
    """All non-hidden files below a class folder, sorted, following links like ImageFolder.

    Links are followed out of the dataset (``root``), but a link into another folder of
    the dataset (another class, the other split) is left out and reported in
    ``skipped``: it would add that folder's images a second time under this label.
    """
    found: list[Path] = []
    seen: set[str] = set()
    top = os.path.realpath(folder)
    dataset = os.path.realpath(root) if root is not None else top

    def crosses(path: str) -> bool:
        real = os.path.realpath(path)
        if _inside(real, top) or not _inside(real, dataset):
            return False
        if skipped is not None:
            skipped.append(
                SkippedFile(
                    path,
                    f"a link into another folder of this dataset "
                    f"({os.path.relpath(real, dataset)}); left out so that its images are "
                    f"not learned under '{folder.name}' too",
                )
            )
        return True

    for dirpath, dirnames, filenames in os.walk(folder, followlinks=True):
        real = os.path.realpath(dirpath)
        if real in seen or (real != top and os.path.commonpath([real, top]) == real):
            # A link back up the tree: walking it would loop, or pull the other classes'
            # images in under this class's label.
            dirnames[:] = []
            continue
        seen.add(real)
        kept = [d for d in dirnames if not is_hidden_name(d)]
        dirnames[:] = sorted(d for d in kept if not crosses(os.path.join(dirpath, d)))
        found.extend(
            Path(dirpath) / f
            for f in filenames
            if not is_hidden_name(f)
            and not (os.path.islink(os.path.join(dirpath, f)) and crosses(os.path.join(dirpath, f)))
        )
    return sorted(found)


def _find_split_dirs(root: Path) -> tuple[Path, Path] | None:
    """ROOT/train + ROOT/valid (or val), names matched without regard to case."""
    by_name = {p.name.lower(): p for p in _subdirs(root)}
    train = next((by_name[n] for n in _TRAIN_NAMES if n in by_name), None)
    valid = next((by_name[n] for n in _VALID_NAMES if n in by_name), None)
    if train is not None and valid is not None:
        return train, valid
    return None


def has_split_folders(root: str | os.PathLike) -> bool:
    """Whether a folder dataset is in the train/ + valid/ layout (a listing, no image read)."""
    return _find_split_dirs(Path(root)) is not None


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
    large: list[list] = field(default_factory=list)  # [path, height, width] (LARGE_PIXELS)


def _list_classes(
    class_root: Path, skipped: list[SkippedFile], root: Path | None = None
) -> dict[str, list[Path]]:
    """class name -> image-extension files; other files go to `skipped`."""
    classes: dict[str, list[Path]] = {}
    for folder in _subdirs(class_root):
        images: list[Path] = []
        for path in _files_under(folder, root or class_root, skipped):
            if path.suffix.lower() in IMAGE_EXTENSIONS:
                images.append(path)
            else:
                ext = path.suffix or "no extension"
                skipped.append(SkippedFile(str(path), f"not an image file ({ext})"))
        classes[folder.name] = images
    for path in sorted(
        p for p in class_root.iterdir() if p.is_file() and not is_hidden_name(p.name)
    ):
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
        train = _list_classes(split_dirs[0], skipped, root)
        valid = _list_classes(split_dirs[1], skipped, root)
        for name in set(train) | set(valid):
            train.setdefault(name, [])
            valid.setdefault(name, [])
        return LAYOUT_SPLIT, _Listing({"train": train, "valid": valid}, skipped)
    if not 0.0 < val_split < 1.0:
        raise DataError(f"val_split must be between 0 and 1 (exclusive), not {val_split}.")
    classes = _list_classes(_class_root(root), skipped, root)
    return LAYOUT_CLASSES, _Listing({_UNSPLIT: classes}, skipped)


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
                size = verify_image(path, max_pixels)
                sizes.add(size)
                if size[0] * size[1] > LARGE_PIXELS:
                    listing.large.append([str(path), *size])
            else:
                check_file(path)
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
        raise DataError(NO_CLASS_FOLDERS.format(path=root_path, name=root_path.name))
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
        large_images=listing.large,
        mixed_sizes=[list(s) for s in sorted(sizes)[:: max(1, len(sizes) // 20)][:20]]
        if len(sizes) > 1
        else [],
    )
    return samples["train"], samples["valid"], summary


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
