"""What a run trains each epoch beyond the plain loop: the input pipeline, a frozen
backbone on cached features, and two-stage fine-tuning.

core.trainer builds data, model, loaders, optimizer and scheduler as the notes do, then
calls :func:`prepare`, which may replace some of them, and :meth:`Plan.before_epoch`
at the start of every epoch. The loop itself runs ``trainer.net`` on the batches of
``trainer.train_loader`` whatever they hold (images or features).

* Image folders: decoded pictures kept and decoded ahead (core.prefetch).
* ``feature-extract`` with the feature cache on: the backbone's features are extracted
  once (core.features; the phase "features" with progress, stoppable like training) or
  reused from an earlier run with the same key, and the loop trains the head alone on
  them: ``trainer.net`` is the head. With the cache off the whole network runs, with
  the frozen backbone kept in eval mode (BatchNorm statistics and Dropout as when the
  features were extracted: :class:`FrozenBackbone`), so both give the same results.
* ``two-stage``: the head epochs as feature-extract, then at epoch ``head_epochs + 1``
  the best head so far is loaded, every layer unfrozen, and a new optimizer and schedule
  made for the remaining epochs at ``lr * finetune_lr_factor``; one run, one curve.
"""

from __future__ import annotations

import contextlib
import copy
import dataclasses
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import torch
from torch import nn

from core import features, models, phases
from core.events import Callback, EpochEnded, PhaseProgressed, TrainingError
from core.prefetch import AheadLoader, DecodedImages, MemoryBudget, draws_random, fast_loader
from core.trainsetup import build_optimizer, build_scheduler

__all__ = ["IMAGE_CACHE_BYTES", "FrozenBackbone", "Plan", "fetch_weights", "prepare"]

#: Decoded training and validation pictures kept in memory (core.prefetch), at most.
#: 1 GiB holds ~300 photos at the 1220x915 RandomResizedCrop(224) needs, ~4,000 at the
#: 341x256 of Resize(256); a 10,000-photo folder stays within 2 GB with the model.
IMAGE_CACHE_BYTES = 1 << 30
FROZEN_MODES = ("feature-extract", "two-stage")


class FrozenBackbone(nn.Module):
    """The whole network, whose ``train()`` leaves everything but the head in eval mode."""

    def __init__(self, model: nn.Module, head: nn.Module) -> None:
        super().__init__()
        self.model = model
        self.head = head

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.model(x)

    def train(self, mode: bool = True) -> FrozenBackbone:
        self.training = mode
        self.model.eval()
        self.head.train(mode)
        return self


class _BestHead(Callback):
    """Keeps a copy of the head at the best epoch of the head stage (two-stage)."""

    def __init__(self, plan: Plan) -> None:
        self.plan = plan

    def on_epoch_end(self, ev: EpochEnded) -> None:
        if ev.is_best and ev.epoch <= self.plan.head_epochs:
            self.plan.best_head = copy.deepcopy(self.plan.head.state_dict())
            self.plan.best_head_epoch = ev.epoch


class Plan:
    """The stages of one fit: which network, loaders and optimizer each epoch uses."""

    def __init__(self, trainer: Any) -> None:
        self.trainer = trainer
        cfg = trainer.config
        self.mode = cfg.mode
        self.head = models.head_module(trainer.model, cfg.arch)
        if cfg.mode == "two-stage":
            self.head_epochs = min(cfg.head_epochs, cfg.epochs)
        else:
            self.head_epochs = cfg.epochs if cfg.mode == "feature-extract" else 0
        self.stage = 1 if self.head_epochs else 2
        self.best_head: dict | None = None
        self.best_head_epoch = 0
        self.image_loaders = (trainer.train_loader, trainer.valid_loader)
        self.store: features.FeatureStore | None = None

    # ------------------------------------------------------------------ epochs
    def before_epoch(self, epoch: int) -> None:
        if self.stage == 1 and epoch > self.head_epochs:
            self.stage_two(epoch)
        loader = self.trainer.train_loader
        if isinstance(loader, features.FeatureLoader):
            loader.set_view(epoch - 1)  # views > 1: a different augmented view each epoch

    def stage_two(self, epoch: int, from_best: bool = True) -> None:
        """Unfreeze everything from the best head; new optimizer and schedule at lr * F.

        ``from_best`` False: keep the weights the model has (resumed in the second stage:
        the trainer loaded last.pt's before the set-up)."""
        t, cfg = self.trainer, self.trainer.config
        best = (self.best_head or _head_from_best_pt(t, self.head)) if from_best else None
        if best is not None:
            self.head.load_state_dict(best)
        for p in t.model.parameters():
            p.requires_grad_(True)
        rest = max(1, cfg.epochs - epoch + 1)
        cfg2 = dataclasses.replace(cfg, lr=cfg.lr * cfg.finetune_lr_factor, epochs=rest)
        t.optimizer = build_optimizer(cfg2, t.model.parameters())
        t.train_loader, t.valid_loader = self.image_loaders
        t.scheduler, t.sched_per_batch = build_scheduler(cfg2, t.optimizer, len(t.train_loader))
        t.net = t.model
        self.stage, self.store = 2, None
        if not from_best:
            start = phases.FROM_RESUMED
        elif self.best_head:
            start = phases.FROM_BEST_HEAD.format(epoch=self.best_head_epoch)
        else:
            start = phases.FROM_HEAD
        text = phases.FINETUNING.format(start=start, lr=cfg2.lr)
        t.emit("on_phase", PhaseProgressed("finetune", 1, 1, "", text))

    # ------------------------------------------------------------------ head stage
    def start(self, resume: dict | None) -> None:
        t = self.trainer
        done = int(resume.get("epoch", 0)) if resume else 0
        if self.mode == "two-stage" and done >= self.head_epochs:
            self.stage_two(done + 1, from_best=False)  # resumed in the second stage
            return
        if self.mode == "two-stage":  # the first stage's schedule spans its own epochs
            t.callbacks.append(_BestHead(self))
            cfg1 = dataclasses.replace(t.config, epochs=self.head_epochs)
            t.scheduler, t.sched_per_batch = build_scheduler(cfg1, t.optimizer, len(t.train_loader))
        t.net = FrozenBackbone(t.model, self.head)
        if t.config.feature_cache == "on":
            self.use_cache()

    def use_cache(self) -> None:
        """Train the head on cached features: built now, or reused."""
        t, cfg = self.trainer, self.trainer.config
        parts = _key_parts(t, self.head)
        if parts is None:
            t.notes.append(phases.CACHE_UNKNOWN_FILES)
            return
        folder = features.cache_root() / features.cache_key(parts)
        limit = cfg.cache_memory_mb * 2**20
        store = features.open_store(folder, limit)
        if store is None:
            self._extract(folder)
            store = features.open_store(folder, limit)
            if store is None:
                raise TrainingError(phases.CACHE_UNREADABLE.format(folder=folder))
        else:
            t.notes.append(phases.CACHE_REUSED.format(folder=folder))
        where = phases.CACHE_IN_MEMORY if store.in_memory else phases.CACHE_FROM_FILE
        size = store.nbytes / 2**20
        t.notes.append(
            phases.CACHE_SIZE.format(views=store.views, dim=store.dim, size=size, where=where)
        )
        self.store = store
        train, valid = self.image_loaders
        t.train_loader = features.FeatureLoader(
            store.train, store.train_labels, train.batch_sampler, train.generator
        )
        t.valid_loader = features.FeatureLoader(
            store.valid, store.valid_labels, valid.batch_sampler, valid.generator
        )
        t.net = self.head

    def _extract(self, folder: Path) -> None:
        t, cfg = self.trainer, self.trainer.config
        views = cfg.cache_views
        what = phases.VIEWS.format(views=views) if views else phases.NO_VIEWS
        budget = MemoryBudget(IMAGE_CACHE_BYTES if views > 1 else 0)

        def progress(done: int, total: int) -> None:
            t._check_control()  # stop and pause, as between training batches
            text = phases.EXTRACTING.format(done=done, total=total, views=what)
            t.emit("on_phase", PhaseProgressed("features", done, total, "images", text))

        splits = t.splits
        if views:  # N augmented views through the train pipeline (seeded per view)
            train_views = [_fast(splits.train, budget)] * views
        else:  # the evaluation pipeline only
            train_views = [_fast(_with_transform(splits.train, splits.valid.transform), budget)]
        ex = features.Extraction(
            backbone=lambda x: _features(t, x),
            dim=int(self.head.in_features),
            batch_size=cfg.batch_size,
            num_workers=cfg.num_workers,
            wrap=_ahead,
            progress=progress,
            seed=cfg.seed,
        )
        progress(0, len(splits.valid) + len(splits.train) * max(1, views))
        meta = {"arch": cfg.arch, "data": str(t.source), "views_note": what}
        with _headless(t.model, cfg.arch, self.head):
            features.extract_store(
                folder, ex, splits.train, _fast(splits.valid, budget), train_views, meta
            )


def _features(t: Any, x: torch.Tensor) -> torch.Tensor:
    """The backbone's features of a batch, in the run's precision and memory format."""
    with torch.inference_mode(), t._autocast():
        return t.model(t._to_device(x))


@contextlib.contextmanager
def _headless(model: nn.Module, arch: str, head: nn.Module) -> Iterator[None]:
    """The model in eval mode with its head replaced by Identity, for the block."""
    model.eval()
    models.set_head_module(model, arch, nn.Identity())
    try:
        yield
    finally:
        models.set_head_module(model, arch, head)


def _ahead(loader: Any) -> Any:
    """An extraction loader over decoded pictures, decoded ahead on a thread."""
    images = getattr(loader.dataset, "dataset", None)
    if isinstance(images, DecodedImages) and loader.num_workers == 0:
        return AheadLoader(loader, images)
    return loader


def _with_transform(dataset: Any, transform: Any) -> Any:
    """A shallow copy of ``dataset`` whose images go through ``transform``."""
    out = copy.copy(dataset)
    out.transform = transform
    if hasattr(out, "min_side"):
        out.min_side = getattr(transform, "input_min_side", None)
    return out


def _fast(dataset: Any, budget: MemoryBudget) -> Any:
    """Image folders decoded reduced (JPEG draft mode), kept within ``budget``."""
    if hasattr(dataset, "samples") and hasattr(dataset, "max_pixels"):
        return DecodedImages(dataset, budget)
    return dataset


def _key_parts(t: Any, head: nn.Module) -> dict | None:
    """What the cached features depend on (core.features.cache_key)."""
    cfg = t.config
    train_files = features.data_identity(t.splits.train)
    valid_files = features.data_identity(t.splits.valid)
    if train_files is None or valid_files is None:
        return None
    prefix = next(name for name, m in t.model.named_modules() if m is head) + "."
    views = cfg.cache_views
    return {
        "arch": cfg.arch,
        "backbone": features.weights_digest(t.model, skip_prefix=prefix),
        "train_files": train_files,
        "valid_files": valid_files,
        "eval_spec": t.eval_spec,
        "train_spec": t.train_spec if views else None,
        "views": views,
        "seed": cfg.seed if views else None,
        "in_channels": t.in_channels,
        "precision": t.precision,
        "channels_last": bool(t.channels_last),
        "torch": torch.__version__.split("+")[0],
    }


def _head_from_best_pt(t: Any, head: nn.Module) -> dict | None:
    """The head of RUN/best.pt (a resumed two-stage run has no copy in memory)."""
    from core.checkpoint import BundleError, load_bundle

    path = Path(t.run_dir) / "best.pt"
    try:
        state = load_bundle(path)["state_dict"]
    except (BundleError, OSError, KeyError):
        return None
    prefix = next(name for name, m in t.model.named_modules() if m is head) + "."
    found = {k[len(prefix) :]: v for k, v in state.items() if k.startswith(prefix)}
    return found or None


def fetch_weights(trainer: Any) -> None:
    """ImageNet weights missing from the hub cache: download them now, as the phase
    "weights" with progress, stoppable like training (core.weights)."""
    from core import weights

    cfg = trainer.config
    info = models.ARCHS.get(cfg.arch)
    if str(cfg.pretrained).strip().lower() != "imagenet" or not (info and info.pretrained):
        return
    target = models.expected_weights_path(cfg.arch)
    if target.is_file():
        return
    shown = [-1]

    def progress(done: int, total: int) -> None:
        trainer._check_control()
        step = done * 100 // total if total else done >> 20
        if step == shown[0] and done != total:
            return  # one event per percent (per MB when the size is unknown)
        shown[0] = step
        if total:
            text = phases.DOWNLOADING.format(
                name=target.name, done=done / 2**20, total=total / 2**20
            )
        else:
            text = phases.DOWNLOADING_UNSIZED.format(name=target.name, done=done / 2**20)
        trainer.emit("on_phase", PhaseProgressed("weights", done, total, "bytes", text))

    weights.download_weights(cfg.arch, progress)


def prepare(trainer: Any, resume: dict | None = None) -> Plan:
    """Set the trainer's input pipeline, network and stage for the first epoch to train."""
    budget = MemoryBudget(IMAGE_CACHE_BYTES)
    # batches made on a thread only where that keeps a seed's run the same (core.prefetch)
    trainer.train_loader = fast_loader(
        trainer.train_loader, budget, make_ahead=not draws_random(trainer.model)
    )
    trainer.valid_loader = fast_loader(trainer.valid_loader, budget, make_ahead=True)
    plan = Plan(trainer)
    trainer.net = trainer.model
    if trainer.config.mode in FROZEN_MODES:
        plan.start(resume)
    return plan
