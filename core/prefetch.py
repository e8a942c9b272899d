"""The input pipeline of training on image folders: decoded pictures kept and made ahead.

Profiled with torch.profiler on a folder of 1600x1200 JPEGs (resnet18 from scratch, batch
16, RandomResizedCrop and flip, 2 cores, bf16): 42% of the trainer's time was the
DataLoader, most of it decoding every JPEG again in every epoch (13-17 ms a photo, where
the network took ~17 ms an image). What this module does about it:

* :class:`DecodedImages`: each file is decoded once, at the size the pipeline needs
  (core.augment_size.needed_short_side: Resize(256) needs a shorter side of 256,
  RandomResizedCrop(224) with its default scale 915), JPEGs in draft mode (the JPEG
  decoder itself decodes at 1/2, 1/4 or 1/8 scale), and kept in memory as packed bytes
  while a :class:`MemoryBudget` allows; later epochs only run the augmentation (~2.4 ms
  a photo). Pictures past the budget are decoded again each time, reduced as well, so
  memory stays bounded whatever the folder's size.
* :class:`AheadLoader`: the DataLoader's own batches, in its own order, while a
  background thread decodes the pictures of the next batches (Pillow releases the GIL
  while decoding). The batches themselves (augmentation, collation) are made ahead on a
  second thread too when the network draws no random numbers while it trains
  (:func:`draws_random`: no Dropout, stochastic depth or RReLU; resnets, for one). Then
  that thread is the only one of the run drawing from torch's global generator during an
  epoch, in the same order as the training thread would (each batch under core.rng's
  lock, which previews take too), so the same seed still gives the same run; a network
  with Dropout keeps the augmentation in the training thread, where its draws and
  Dropout's interleave the same way every time. Measured on 2 cores (resnet18
  from scratch, bf16, batch 16, the 1600x1200 photos of bench/bench_photos.py, kept at
  1220x915): epochs after the first took 8.2-8.9 s with the batches made in the training
  thread, 7.2-8.4 s made ahead (about 10% faster), to the same validation accuracy.
  A DataLoader worker process instead (``num_workers`` 1) cannot keep decoded pictures
  between epochs and competes with the network for the cores: on 2 cores it trained
  resnet18 on the photos at 22.7 images/s against 27.2 with the decoding thread on a
  quiet machine, 10.7 against 30.8 under load. ``num_workers`` > 0 still uses worker
  processes.

Plain PyTorch and Pillow; no Qt.
"""

from __future__ import annotations

import contextlib
import queue
import threading
from collections.abc import Callable, Iterator
from typing import Any

import torch
from PIL import Image
from torch import nn

from core.images import ImageLoadError, load_image
from core.rng import GLOBAL_RNG_LOCK, LockedLoader

__all__ = [
    "AheadLoader",
    "DecodedImages",
    "MemoryBudget",
    "draws_random",
    "fast_loader",
    "rng_locked",
]

#: Batches whose pictures are decoded ahead of the one being made.
AHEAD_BATCHES = 2


class MemoryBudget:
    """Bytes that decoded pictures may hold, shared by the splits of a run (thread-safe)."""

    def __init__(self, limit_bytes: int) -> None:
        self.limit = max(0, int(limit_bytes))
        self.used = 0
        self._lock = threading.Lock()

    def take(self, nbytes: int) -> bool:
        with self._lock:
            if self.used + nbytes > self.limit:
                return False
            self.used += nbytes
            return True


class DecodedImages(torch.utils.data.Dataset):
    """An image folder dataset (core.data.ImageDataset) whose decoded pictures are kept.

    The picture handed to the pipeline is the file decoded and reduced so that its
    shorter side is the pipeline's ``input_min_side`` (never enlarged): for a pipeline
    that starts with Resize, the picture Resize makes from the full one; for
    RandomResizedCrop every crop keeps at least the output's resolution. Kept pictures
    cost 3 bytes a pixel (RGB) or 1 (grayscale) of ``budget``. Thread-safe.
    """

    def __init__(self, dataset: Any, budget: MemoryBudget) -> None:
        self.dataset = dataset
        self.samples = dataset.samples
        self.targets = getattr(dataset, "targets", [y for _, y in dataset.samples])
        self.transform = dataset.transform
        self.min_side = getattr(dataset.transform, "input_min_side", None)
        self.budget = budget
        self._kept: dict[int, tuple[str, tuple[int, int], bytes]] = {}
        self._ahead: dict[int, Image.Image] = {}  # decoded ahead, past the budget: used once
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self.samples)

    @property
    def kept(self) -> int:
        """How many decoded pictures are held."""
        return len(self._kept)

    def is_ready(self, index: int) -> bool:
        return index in self._kept or index in self._ahead

    def decode(self, index: int) -> Image.Image:
        """The file of one sample decoded and reduced (ImageLoadError names the file)."""
        path = self.samples[index][0]
        try:
            img = load_image(
                path,
                self.dataset.channels,
                self.dataset.max_pixels,
                min_side=self.min_side,
                reduce_any=True,
            )
        except ImageLoadError as exc:
            raise ImageLoadError(f"{path}: {exc}") from None
        return _to_short_side(img, self.min_side)

    def prepare(self, index: int, wanted: Callable[[], bool] = lambda: True) -> None:
        """Decode one picture ahead of its use (the AheadLoader's thread). Past the
        budget it is held until used, if ``wanted()`` still says it will be: a picture
        whose batch the training thread reached meanwhile (it decoded it itself) is
        dropped, so nothing is held that nobody will take."""
        if self.is_ready(index):
            return
        try:
            img = self.decode(index)
        except (ImageLoadError, OSError):
            return  # decoded again when used, and reported then
        if not self._keep(index, img):
            with self._lock:
                if wanted():
                    self._ahead[index] = img

    def drop_ahead(self) -> None:
        with self._lock:
            self._ahead.clear()

    def picture(self, index: int) -> Image.Image:
        held = self._kept.get(index)
        if held is not None:
            mode, size, data = held
            return Image.frombytes(mode, size, data)
        with self._lock:  # the same lock as prepare()'s store: taken, or never stored
            img = self._ahead.pop(index, None)
        if img is None:
            img = self.decode(index)
            self._keep(index, img)
        return img

    def _keep(self, index: int, img: Image.Image) -> bool:
        if index in self._kept:
            return True
        if not self.budget.take(img.width * img.height * len(img.getbands())):
            return False
        data = (img.mode, img.size, img.tobytes())
        with self._lock:
            self._kept[index] = data
        return True

    def __getitem__(self, index: int) -> tuple[Any, int]:
        img = self.picture(index)
        label = self.samples[index][1]
        return (self.transform(img) if self.transform else img), label


def _to_short_side(img: Image.Image, side: int | None) -> Image.Image:
    """``img`` resized (bilinear with antialiasing, as Resize does) to a shorter side of
    ``side`` when it is longer; smaller pictures are never enlarged."""
    if not side or min(img.size) <= side:
        return img
    w, h = img.size
    # the output size torchvision's Resize(side) computes for this picture
    size = (side, int(side * h / w)) if w <= h else (int(side * w / h), side)
    return img.resize(size, Image.Resampling.BILINEAR)


class AheadLoader:
    """A DataLoader's batches (``num_workers`` 0), its pictures decoded ahead on a thread.

    The batches are the DataLoader's own: the same draws from its generator, the same
    order, the same collate function. ``len()`` is the loader's. With ``make_ahead`` the
    batches are made on a thread of their own as well, at most :data:`AHEAD_BATCHES`
    before the one the loop is on (only for a loop that draws no random numbers itself:
    :func:`draws_random`). The threads never run more than :data:`AHEAD_BATCHES` batches
    ahead and end with the epoch, also when the loop leaves early (a stop request).
    """

    def __init__(
        self,
        loader: torch.utils.data.DataLoader,
        images: DecodedImages,
        *,
        make_ahead: bool = False,
    ) -> None:
        self.loader = loader
        self.images = images
        self.make_ahead = make_ahead

    def __len__(self) -> int:
        return len(self.loader)

    def __getattr__(self, name: str) -> Any:  # sampler, batch_sampler, generator, dataset ...
        if name == "loader":  # not set yet (a copy being made): no recursion
            raise AttributeError(name)
        return getattr(self.loader, name)

    def __iter__(self) -> Iterator:
        loader = self.loader
        # what DataLoader's iterator draws first, so the shuffle is the same
        torch.empty((), dtype=torch.int64).random_(generator=loader.generator)
        batches = [list(b) for b in loader.batch_sampler]
        position = _Position()
        thread = threading.Thread(
            target=self._decode_ahead, args=(batches, position), daemon=True,
            name="convstudio-decode",
        )  # fmt: skip
        thread.start()
        try:
            if self.make_ahead:
                yield from self._made_ahead(batches, position)
            else:
                for k, batch in enumerate(batches):
                    position.advance(k)
                    yield self._make(batch)
        finally:
            position.finish()
            thread.join()
            self.images.drop_ahead()

    def _make(self, batch: list[int]) -> Any:
        """One batch, its random augmentation drawn under core.rng's lock."""
        dataset = self.loader.dataset
        with GLOBAL_RNG_LOCK:
            return self.loader.collate_fn([dataset[i] for i in batch])

    def _made_ahead(self, batches: list[list[int]], position: _Position) -> Iterator:
        """The batches, made in order on a thread (whose exceptions are raised here)."""
        made: queue.Queue = queue.Queue(maxsize=AHEAD_BATCHES)
        left = threading.Event()  # the loop is gone: stop making batches

        def make() -> None:
            for k, batch in enumerate(batches):
                position.advance(k)
                try:
                    item: tuple[bool, Any] = (True, self._make(batch))
                except BaseException as exc:  # noqa: BLE001 - raised in the loop's thread
                    item = (False, exc)
                while not left.is_set():
                    try:
                        made.put(item, timeout=0.1)
                        break
                    except queue.Full:
                        continue
                if left.is_set() or not item[0]:
                    return

        maker = threading.Thread(target=make, daemon=True, name="convstudio-batches")
        maker.start()
        try:
            for _ in batches:
                ok, value = made.get()
                if not ok:
                    raise value
                yield value
        finally:
            left.set()
            maker.join()

    def _decode_ahead(self, batches: list[list[int]], position: _Position) -> None:
        for k, batch in enumerate(batches):
            if not position.wait_until_near(k):
                return
            wanted = position.before(k)
            for i in batch:
                if position.finished or not wanted():
                    break  # the batch is being made already: on to the next one
                self.images.prepare(i, wanted)


class _Position:
    """Which batch is being made; the decoding thread waits to stay near it."""

    def __init__(self) -> None:
        self._current = 0
        self.finished = False
        self._cond = threading.Condition()

    def advance(self, k: int) -> None:
        with self._cond:
            self._current = k
            self._cond.notify_all()

    def finish(self) -> None:
        with self._cond:
            self.finished = True
            self._cond.notify_all()

    def before(self, k: int) -> Callable[[], bool]:
        """Whether batch ``k`` is not being made yet."""
        return lambda: not self.finished and self._current < k

    def wait_until_near(self, k: int) -> bool:
        with self._cond:
            while not self.finished and k > self._current + AHEAD_BATCHES:
                self._cond.wait(0.5)
            return not self.finished


def draws_random(model: nn.Module) -> bool:
    """Whether training ``model`` draws random numbers itself (Dropout or stochastic depth
    with a non-zero rate, RReLU); then its batches are not made ahead (AheadLoader)."""
    from torchvision.ops import StochasticDepth

    for module in model.modules():
        if isinstance(module, nn.RReLU):
            return True
        if isinstance(module, (nn.modules.dropout._DropoutNd, StochasticDepth)) and module.p > 0:
            return True
    return False


def rng_locked(loader: Any, model: nn.Module) -> tuple[Any, Any]:
    """How a training loop over ``loader`` draws its random numbers under core.rng's lock:
    the batches (each made under it; an AheadLoader takes it itself) and the context each
    step of ``model`` runs in (the lock when the model draws random numbers: Dropout).
    The trainer and the learning-rate range test both loop this way."""
    batches = loader if isinstance(loader, AheadLoader) else LockedLoader(loader)
    return batches, GLOBAL_RNG_LOCK if draws_random(model) else contextlib.nullcontext()


def fast_loader(
    loader: Any, budget: MemoryBudget, *, ahead: bool = True, make_ahead: bool = False
) -> Any:
    """``loader`` over a :class:`DecodedImages` view of its image folder, made by an
    :class:`AheadLoader` (``ahead``; ``make_ahead``: its batches made on a thread too),
    or unchanged where that does not apply: worker processes (``num_workers`` > 0), data
    already in memory (the built-in digits)."""
    outer = getattr(loader, "dataset", None)  # core.trainsetup.SkipUnreadable
    inner = getattr(outer, "dataset", None)
    if (
        not isinstance(loader, torch.utils.data.DataLoader)
        or loader.num_workers > 0
        or not hasattr(inner, "samples")
        or not hasattr(inner, "max_pixels")
    ):
        return loader
    images = DecodedImages(inner, budget)
    outer.dataset = images
    return AheadLoader(loader, images, make_ahead=make_ahead) if ahead else loader
