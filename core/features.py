"""Feature cache for frozen backbones: run the backbone once, train the head on its output.

With the backbone frozen (feature-extract, and the head epochs of two-stage) every epoch
would otherwise push every image through the whole network again to train one Linear
layer. Here the backbone's output (the head's input) is computed once per image and
stored; the head's epochs then read batches of it and take a fraction of a second.

* What is stored: float16 features, ``views x train images x dim`` and ``valid images x
  dim``, and the labels (-1 marks an image that could not be read). ``views`` is the
  user's "augmented views": 0 extracts the training images once through the evaluation
  pipeline (no augmentation, the default, fastest); N > 0 extracts N augmented versions
  through the train pipeline (seeded), and epoch e uses version (e - 1) mod N.
* Where: one folder per key under :func:`cache_root` (``$CONVSTUDIO_FEATURE_CACHE``, else
  ``$XDG_CACHE_HOME/convstudio/features``, i.e. ``~/.cache/convstudio/features``), not
  in the run folder, so a following run with the same key reuses it. An entry is built
  in a temporary folder and renamed into place when complete; a stop or a crash leaves
  no half entry. Least recently used entries go once the folder passes
  :data:`DISK_LIMIT_BYTES`.
* The key (:func:`cache_key`): the data files (path, size, modification time, label) of
  both splits, a digest of the backbone's weights and buffers, both pipelines (the train
  one only with views), the number of views and the seed, channels, precision, memory
  format, architecture and PyTorch's version.
* Memory: an entry up to the user's limit is read into memory; a larger one is read
  from its file (``numpy.memmap``) batch by batch, so the process holds at most about
  one batch of it. Extraction writes rows to the file as they come.

Batches come from :class:`FeatureLoader`, which walks the image loader's own batch
sampler, so the head sees the same batches, in the same order, as it would have with
the images (same accuracy within float16 rounding: tests/unit/test_features.py).
"""

from __future__ import annotations

import hashlib
import json
import os
import random
import shutil
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import nn

from core.images import ImageLoadError

__all__ = [
    "CACHE_ENV",
    "FeatureLoader",
    "FeatureStore",
    "cache_key",
    "cache_root",
    "data_identity",
    "extract_store",
    "open_store",
    "weights_digest",
]

CACHE_ENV = "CONVSTUDIO_FEATURE_CACHE"
FORMAT = 1
#: the cache folder is trimmed to this size (least recently used entries first)
DISK_LIMIT_BYTES = int(float(os.environ.get("CONVSTUDIO_FEATURE_CACHE_GB", "4")) * 2**30)
_META = "meta.json"


def cache_root() -> Path:
    """The folder of feature caches: $CONVSTUDIO_FEATURE_CACHE, else
    $XDG_CACHE_HOME/convstudio/features (default ~/.cache/convstudio/features)."""
    env = os.environ.get(CACHE_ENV, "").strip()
    if env:
        return Path(env).expanduser()
    base = os.environ.get("XDG_CACHE_HOME", "").strip() or os.path.join("~", ".cache")
    return Path(base).expanduser() / "convstudio" / "features"


# --------------------------------------------------------------------------- the key


def data_identity(dataset: Any) -> list | None:
    """What identifies a dataset's images: (path, size, mtime_ns, label) per file; the
    pixels' digest for in-memory images (the built-in digits); None when unknown."""
    samples = getattr(dataset, "samples", None)
    if samples is not None:
        out = []
        for path, label in samples:
            try:
                st = os.stat(path)
                out.append([str(path), st.st_size, st.st_mtime_ns, int(label)])
            except OSError:
                out.append([str(path), -1, -1, int(label)])
        return out
    images = getattr(dataset, "images", None)
    if images is not None:
        h = hashlib.blake2b(digest_size=16)
        for img in images:
            h.update(f"{img.mode}{img.size}".encode())
            h.update(img.tobytes())
        h.update(json.dumps([int(y) for y in dataset.targets]).encode())
        return [h.hexdigest(), len(images)]
    return None


def weights_digest(model: nn.Module, skip_prefix: str = "") -> str:
    """A digest of every parameter and buffer whose name does not start with ``skip_prefix``
    (the head, whose weights do not change the features)."""
    h = hashlib.blake2b(digest_size=16)
    for name, tensor in sorted(model.state_dict().items()):
        if skip_prefix and name.startswith(skip_prefix):
            continue
        t = tensor.detach().to("cpu").contiguous()
        h.update(f"{name}{t.dtype}{tuple(t.shape)}".encode())
        h.update(t.reshape(-1).view(torch.uint8).numpy().tobytes() if t.numel() else b"")
    return h.hexdigest()


def cache_key(parts: dict) -> str:
    """The entry name for ``parts`` (plain JSON-able values, see the module docstring)."""
    text = json.dumps({"format": FORMAT, **parts}, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:32]


# --------------------------------------------------------------------------- the store


@dataclass
class FeatureStore:
    """One cache entry, opened: arrays in memory or read from their files."""

    folder: Path
    train: np.ndarray  # (views, n_train, dim) float16
    valid: np.ndarray  # (n_valid, dim) float16
    train_labels: np.ndarray  # (n_train,) int64, -1: unreadable
    valid_labels: np.ndarray
    meta: dict

    @property
    def in_memory(self) -> bool:
        return not isinstance(self.train, np.memmap)

    @property
    def views(self) -> int:
        return int(self.train.shape[0])

    @property
    def dim(self) -> int:
        return int(self.train.shape[2])

    @property
    def nbytes(self) -> int:
        return int(self.train.nbytes + self.valid.nbytes)


def open_store(folder: Path, memory_limit_bytes: int) -> FeatureStore | None:
    """The entry in ``folder``, or None when it is missing or incomplete (then it is removed).

    Entries up to ``memory_limit_bytes`` are read into memory, larger ones are mapped.
    """
    try:
        meta = json.loads((folder / _META).read_text())
        views, n_train, n_valid, dim = (
            int(meta[k]) for k in ("views", "n_train", "n_valid", "dim")
        )
        shapes = {"train.f16": (views, n_train, dim), "valid.f16": (n_valid, dim)}
        size = sum(2 * int(np.prod(s)) for s in shapes.values())
        in_memory = size <= memory_limit_bytes
        arrays = {}
        for name, shape in shapes.items():
            path = folder / name
            if path.stat().st_size != 2 * int(np.prod(shape)):
                raise ValueError(f"{path} has the wrong size")
            if in_memory:
                arrays[name] = np.fromfile(path, dtype=np.float16).reshape(shape)
            else:
                arrays[name] = np.memmap(path, dtype=np.float16, mode="r", shape=shape)
        train_labels = np.load(folder / "train_labels.npy")
        valid_labels = np.load(folder / "valid_labels.npy")
        if train_labels.shape != (n_train,) or valid_labels.shape != (n_valid,):
            raise ValueError("labels do not match")
    except FileNotFoundError:
        return None
    except (OSError, ValueError, KeyError, TypeError, json.JSONDecodeError):
        shutil.rmtree(folder, ignore_errors=True)  # a damaged entry: build it again
        return None
    try:
        os.utime(folder / _META)  # recently used: trimmed last
    except OSError:
        pass
    return FeatureStore(
        folder, arrays["train.f16"], arrays["valid.f16"], train_labels, valid_labels, meta
    )


# --------------------------------------------------------------------------- extraction


class _Indexed(torch.utils.data.Dataset):
    """(index, tensor or None, label, reason): an unreadable image is a row of zeros."""

    def __init__(self, dataset: Any) -> None:
        self.dataset = dataset

    def __len__(self) -> int:
        return len(self.dataset)

    def __getitem__(self, index: int):
        try:
            x, y = self.dataset[index]
        except (ImageLoadError, OSError) as exc:
            return index, None, -1, str(exc) or type(exc).__name__
        return index, x, int(y), ""


def _collate(items: list) -> tuple:
    good = [it for it in items if it[1] is not None]
    x = torch.stack([it[1] for it in good]) if good else None
    return [it[0] for it in items], [it[2] for it in items], x, [it[0] for it in good]


@dataclass
class Extraction:
    """How to run the backbone: set up by core.stages from the trainer."""

    backbone: Callable[[torch.Tensor], torch.Tensor]  # images -> features (head removed)
    dim: int  # the features' size (the head's in_features)
    batch_size: int
    num_workers: int
    wrap: Callable[[Any], Any]  # the loader's prefetching (core.prefetch.wrap_loader)
    progress: Callable[[int, int], None]  # (images done, total); may raise StopRequested
    seed: int


def _pass(ex: Extraction, dataset: Any, out, done: int, total: int) -> np.ndarray:
    """Features of every image of ``dataset`` appended to the file ``out``; the labels."""
    loader = torch.utils.data.DataLoader(
        _Indexed(dataset),
        batch_size=ex.batch_size,
        shuffle=False,
        num_workers=ex.num_workers,
        collate_fn=_collate,
    )
    labels = np.full(len(dataset), -1, dtype=np.int64)
    for indices, ys, x, good in ex.wrap(loader):
        rows = np.zeros((len(indices), ex.dim), dtype=np.float16)
        if x is not None:
            feats = ex.backbone(x).float().cpu().numpy()
            if feats.shape != (len(good), ex.dim):
                raise RuntimeError(f"the backbone gave features {feats.shape}, not {ex.dim} each")
            pos = {i: k for k, i in enumerate(indices)}
            rows[[pos[i] for i in good]] = feats.astype(np.float16)
        out.write(rows.tobytes())
        labels[indices] = ys
        done += len(indices)
        ex.progress(done, total)
    return labels


def extract_store(
    folder: Path, ex: Extraction, train: Any, valid: Any, train_views: list, meta: dict
) -> None:
    """Build the entry ``folder``: ``train_views`` are the training datasets to extract
    (one per view), ``valid`` the validation dataset. Atomic: written beside, then renamed."""
    folder.parent.mkdir(parents=True, exist_ok=True)
    tmp = folder.parent / f".{folder.name}.{os.getpid()}.{time.monotonic_ns()}"
    tmp.mkdir()
    total = len(valid) + sum(len(ds) for ds in train_views)
    try:
        done = 0
        with open(tmp / "valid.f16", "wb") as out:
            valid_labels = _pass(ex, valid, out, done, total)
        done += len(valid)
        train_labels = np.full(len(train), -1, dtype=np.int64)
        with open(tmp / "train.f16", "wb") as out:
            for view, ds in enumerate(train_views):
                torch.manual_seed(ex.seed * 1009 + view)  # view v: the same crops every time
                random.seed(ex.seed * 1009 + view)
                train_labels = np.maximum(train_labels, _pass(ex, ds, out, done, total))
                done += len(ds)
        np.save(tmp / "train_labels.npy", train_labels)
        np.save(tmp / "valid_labels.npy", valid_labels)
        info = {
            **meta,
            "format": FORMAT,
            "views": len(train_views),
            "n_train": len(train),
            "n_valid": len(valid),
            "dim": ex.dim,
            "created": time.time(),
        }
        (tmp / _META).write_text(json.dumps(info, indent=1))
        try:
            os.replace(tmp, folder)
        except OSError:  # another run made it meanwhile: theirs is as good
            shutil.rmtree(tmp, ignore_errors=True)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    trim(folder.parent, keep=folder)


def trim(root: Path, keep: Path | None = None, limit: int | None = None) -> None:
    """Remove the least recently used entries until ``root`` holds at most ``limit`` bytes."""
    limit = DISK_LIMIT_BYTES if limit is None else limit
    entries = []
    for entry in root.iterdir() if root.is_dir() else ():
        meta = entry / _META
        if entry.name.startswith(".") or not meta.is_file():
            continue
        size = sum(f.stat().st_size for f in entry.iterdir() if f.is_file())
        entries.append((meta.stat().st_mtime, size, entry))
    total = sum(size for _, size, _ in entries)
    for _, size, entry in sorted(entries, key=lambda e: e[0]):
        if total <= limit:
            break
        if keep is not None and entry == keep:
            continue
        shutil.rmtree(entry, ignore_errors=True)
        total -= size


# --------------------------------------------------------------------------- batches


class FeatureLoader:
    """Batches of cached features in the order of an image loader's batch sampler.

    Each batch holds the rows its image batch would have held, minus the images that
    could not be read (as core.trainsetup.collate_readable drops them). ``generator``:
    the image loader's (None: torch's global one), drawn from as its iterator does, so
    the shuffle is the same. ``set_view`` picks the augmented view (one per epoch).
    """

    def __init__(
        self,
        features: np.ndarray,
        labels: np.ndarray,
        batch_sampler: Any,
        generator: torch.Generator | None = None,
    ) -> None:
        self.features = features if features.ndim == 3 else features[None]
        self.labels = labels
        self.batch_sampler = batch_sampler
        self.generator = generator
        self.view = 0

    def set_view(self, view: int) -> None:
        self.view = int(view) % self.features.shape[0]

    def __len__(self) -> int:
        return len(self.batch_sampler)

    def __iter__(self) -> Iterator[tuple[torch.Tensor | None, torch.Tensor | None, tuple]]:
        table = self.features[self.view]
        torch.empty((), dtype=torch.int64).random_(generator=self.generator)  # as DataLoader
        for indices in self.batch_sampler:
            rows = np.asarray(indices, dtype=np.int64)
            rows = rows[self.labels[rows] >= 0]
            if rows.size == 0:
                yield None, None, ()
                continue
            x = torch.from_numpy(np.asarray(table[rows], dtype=np.float32))
            yield x, torch.from_numpy(self.labels[rows]), ()
