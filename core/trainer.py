"""The training loop: Trainer(config, callbacks, control).fit() -> summary dict.

The loop keeps the order of the study notes: ``model.train()``, then per batch the
forward pass, the loss, backward, the optimizer step and zeroing the gradients; after
each epoch ``model.eval()`` and validation under ``torch.inference_mode()``.

Everything else is a callback (core.callbacks), first in the callback list: the NaN
guard, and the writers of the run folder (config.json, metrics.csv, summary.json,
best.pt, last.pt), which only the main process (rank 0) gets. Listeners receive the
frozen plain-value events of core.events. A stop request unwinds the loop with
StopRequested, so the end-of-fit hooks still run and last.pt is written.

The writers touch the run's files only once the fit has started (``on_fit_start``): a
refused resume, a failed set-up or a stop during the set-up leave a resumed run's
summary.json and last.pt as they were. A resumed checkpoint is checked and its weights
loaded before the stages' set-up (feature extraction), so a refusal comes at once; the
run's lock file (core.callbacks.RunLock) is written before the set-up when the folder
exists already, and removed whatever happens. Every end-of-fit hook runs, even after
another one failed; the first failure is raised afterwards.

Nothing here holds global state: the device and the training sampler can be injected,
and under torchrun a core.distributed context (``dist``) shards the data, wraps the
network in DistributedDataParallel and sums the metrics over the processes.
"""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import torch
from torch import nn

from core import runs, stages
from core.callbacks import (
    CheckpointWriter,
    EarlyStopping,
    EvaluationWriter,
    NaNGuard,
    RunFolderWriter,
    RunLock,
)
from core.config import TrainConfig
from core.distributed import OneProcess
from core.events import (
    BatchEnded,
    Callback,
    EpochEnded,
    FitEnded,
    FitStarted,
    StopRequested,
    TrainControl,
    TrainingError,
    plain,
)
from core.prefetch import rng_locked
from core.restore import load_resumed, restore_training_state
from core.resume import data_fingerprint
from core.rng import GLOBAL_RNG_LOCK
from core.runfolder import check_out_folder
from core.summary import model_bundle, resolved_config, run_summary, training_state
from core.trainsetup import (
    build_loss,
    build_optimizer,
    build_scheduler,
    check_forward,
    check_sample,
    current_lr,
    is_oom,
    load_resume,
    make_loaders,
    oom_error,
    resolve_channels_last,
    resolve_device,
    resolve_precision,
    resolve_specs,
    seed_epoch,
)


@dataclass
class _LoopState:
    """Mutable bookkeeping of one fit(); lives only inside a Trainer."""

    epoch: int = 0  # last completed epoch
    best_val_acc: float | None = None
    best_epoch: int = 0
    global_step: int = 0
    train_images: int = 0
    train_seconds: float = 0.0
    rows: list[dict] = field(default_factory=list)
    batch_curve: list[tuple[float, float]] = field(default_factory=list)  # resumed, thinned

    def commit(self, ev: EpochEnded) -> None:
        """The epoch is done: every callback has seen it (and none refused it)."""
        self.epoch = ev.epoch
        self.best_val_acc, self.best_epoch = ev.best_val_acc, ev.best_epoch
        self.rows.append(ev.row())


class Trainer:
    """One training run. Trainer(config, callbacks, control).fit() -> summary dict.

    ``rank``: this process's rank in a multi-process run; only rank 0 writes files.
    """

    def __init__(
        self,
        config: TrainConfig,
        callbacks: Sequence[Callback] = (),
        control: TrainControl | None = None,
        *,
        sampler: torch.utils.data.Sampler | None = None,
        device: torch.device | str | None = None,
        rank: int = 0,
        dist: OneProcess | None = None,
        overwrite: bool = False,
    ) -> None:
        config.validate()
        self.config = config
        self.control = control or TrainControl()
        self.sampler = sampler
        self.device = torch.device(device) if device is not None else resolve_device(config.device)
        self.run_dir = Path(config.out)
        self.is_main = rank == 0
        self.dist = dist or OneProcess()  # torchrun/DDP hooks (core.distributed)
        self.overwrite = overwrite  # replace a run already in config.out (--overwrite)
        self.notes: list[str] = []  # told when the fit starts (what a resume changed)
        self.lr_plan: dict | None = None  # a resumed run's continued schedule (core.resume)
        self.unreadable: list[str] = []  # this epoch's images that could not be read
        self.best_reset_epoch: int | None = None  # best counts from here (resumed, data changed)
        own: list[Callback] = [NaNGuard(config.lr)]
        self.lock = RunLock(self) if self.is_main else None
        if self.lock is not None:
            own += [RunFolderWriter(self), CheckpointWriter(self), EvaluationWriter(self)]
            own.append(self.lock)
        if config.early_stop:
            own.append(EarlyStopping(self))
        self.callbacks = own + list(callbacks)
        self.early_stopped_at: int | None = None  # set by EarlyStopping
        self.state = _LoopState()
        self.model: nn.Module | None = None
        self.optimizer: torch.optim.Optimizer | None = None
        self.error: str | None = None
        self._paused_seconds = 0.0
        self._t_start = time.perf_counter()

    # ---------------------------------------------------------------- events
    def emit(self, hook: str, *args: Any) -> None:
        """Call ``hook`` on every callback, in order (the trainer's own ones first)."""
        for cb in self.callbacks:
            getattr(cb, hook)(*args)

    def _check_control(self) -> None:
        """Between batches: honour stop, and block while paused (still noticing stop)."""
        if self.control.should_stop:
            raise StopRequested
        if self.control.is_paused:
            self.emit("on_pause")
            t0 = time.perf_counter()
            self.control.wait_while_paused()
            self._paused_seconds += time.perf_counter() - t0
            self.emit("on_resume")
            if self.control.should_stop:
                raise StopRequested

    # ---------------------------------------------------------------- setup
    def _claim_folder(self) -> None:
        """Before anything is read or written: never train over a run; then the lock, so
        a listing shows the run as running while it sets up (weights, feature cache)."""
        if not self.is_main:
            return
        check_out_folder(self.run_dir, self.config.resume, self.overwrite)
        if self.lock is not None and self.run_dir.is_dir():  # resumed, or a fresh CLI folder
            self.lock.acquire()

    def setup(self) -> None:
        """Data, pipelines, model, optimizer and the stages (core.stages): what fit() trains
        with. Checks one sample before any training, and a resumed checkpoint before the
        stages' set-up. Writes no run file (lr-find builds its test with it)."""
        from core import augment, data, models

        cfg = self.config
        resume = load_resume(cfg.resume) if cfg.resume else None
        self.source = data.parse_source(cfg.data)
        self.train_spec, self.eval_spec, self.preset = resolve_specs(cfg, self.source)
        self.splits = data.build_datasets(
            self.source,
            train_transform=augment.build_pipeline(self.train_spec),
            eval_transform=augment.build_pipeline(self.eval_spec),
            val_split=cfg.val_split,
            seed=cfg.seed,
            channels=cfg.in_channels,
            progress=self._scan_progress,
        )
        summary = self.splits.summary
        self.data_fingerprint = data_fingerprint(self.splits)
        self.class_names = list(summary.class_names)
        self.in_channels = cfg.in_channels or summary.in_channels
        shape = check_sample(self.splits, self.in_channels, self.train_spec, self.eval_spec)
        self.input_size = cfg.input_size or shape[-1]
        stages.fetch_weights(self)  # missing ImageNet weights: downloaded with progress
        try:
            with GLOBAL_RNG_LOCK:  # the seed's weights, whatever other threads draw
                torch.manual_seed(cfg.seed)
                model = models.build_model(
                    cfg.arch,
                    len(self.class_names),
                    in_channels=self.in_channels,
                    mode=cfg.mode,
                    pretrained=cfg.pretrained,  # build_model reads "" and "none" as none
                    input_size=self.input_size,
                )
        except TypeError as exc:  # pragma: no cover - contract mismatch
            raise TrainingError(f"Could not build {cfg.arch}: {exc}") from exc
        self.precision = resolve_precision(cfg.precision, self.device)
        self.channels_last = resolve_channels_last(cfg.channels_last, cfg.arch, self.device)
        model.to(self.device)
        if self.channels_last:
            model.to(memory_format=torch.channels_last)
        self.model = model
        check_forward(model, cfg.arch, shape, self.device, self._autocast, self._to_device)
        self.train_loader, self.valid_loader, self.generator = make_loaders(
            cfg, self.splits, self.sampler, self.device
        )
        self.dist.shard_loaders(self)  # several processes: each its share of the images
        self.optimizer = build_optimizer(cfg, model.parameters())
        self.scheduler, self.sched_per_batch = build_scheduler(
            cfg, self.optimizer, len(self.train_loader)
        )
        self.loss_fn = build_loss()
        if resume is not None:  # refused now, before any stage's work (feature extraction)
            load_resumed(self, resume)
        self.plan = stages.prepare(self, resume)  # input pipeline, frozen backbone, stages
        if resume is not None:  # into the optimizer and schedule the stage trains with
            restore_training_state(self, resume)

    def _scan_progress(self, done: int, total: int) -> None:
        """Folder scans can take a while: let a stop request end them."""
        if self.control.should_stop:
            raise StopRequested

    # ---------------------------------------------------------------- device helpers
    def _autocast(self) -> contextlib.AbstractContextManager:
        if self.precision == "bf16":
            return torch.autocast(self.device.type, dtype=torch.bfloat16)
        return contextlib.nullcontext()

    def _to_device(self, x: torch.Tensor) -> torch.Tensor:
        x = x.to(self.device, non_blocking=True)
        if self.channels_last and x.ndim == 4:
            x = x.contiguous(memory_format=torch.channels_last)
        return x

    def _readable(self, batch) -> tuple[torch.Tensor | None, torch.Tensor | None]:
        """(x, y) of a loader batch, noting the images that could not be read (their
        files vanished or were emptied after the scan; core.trainsetup.collate_readable)."""
        x, y, unreadable = batch if len(batch) == 3 else (*batch, ())
        self.unreadable.extend(unreadable)
        return x, y

    def _none_readable(self, split: str) -> tuple[float, float]:
        if self.unreadable:
            raise TrainingError(
                f"None of the {split} images could be read ({len(self.unreadable)} failed, "
                f"e.g. {self.unreadable[0]}); check that the dataset folder is still there."
            )
        return float("nan"), 0.0

    # ---------------------------------------------------------------- the loop
    def train_one_epoch(self, epoch: int) -> tuple[float, float]:
        """One pass over the training data in the notes' order; returns (loss, acc)."""
        model, opt = self.dist.wrap(self.net), self.optimizer  # net: model, or its head alone
        model.train()
        steps = len(self.train_loader)
        sync_each_step = self.device.type == "cpu"  # .item() is free on CPU
        loss_sum = torch.zeros((), device=self.device, dtype=torch.float64)
        correct = torch.zeros((), device=self.device, dtype=torch.int64)
        seen = 0
        pending: tuple[int, torch.Tensor, float] | None = None
        t0 = time.perf_counter()
        self._paused_seconds = 0.0
        # random numbers are drawn under core.rng's lock (a preview waits): the batches'
        # augmentation (an AheadLoader takes the lock itself), a step's Dropout
        batches, step_lock = rng_locked(self.train_loader, model)
        for step, batch in enumerate(batches, start=1):
            self.dist.agree(self)  # several processes stop and pause at the same batch
            self._check_control()
            x, y = self._readable(batch)
            if x is None:  # every image of the batch had gone
                continue
            x, y = self._to_device(x), y.to(self.device, non_blocking=True)
            lr = current_lr(opt)
            with step_lock:
                with self._autocast():
                    out = model(x)  # forward
                    loss = self.loss_fn(out.float(), y)  # loss
                loss.backward()  # backward
                opt.step()  # update
            opt.zero_grad(set_to_none=True)  # zero the gradients
            if self.scheduler is not None and self.sched_per_batch:
                self.scheduler.step()
            n = y.shape[0]
            seen += n
            self.state.global_step += 1
            loss_d = loss.detach()
            loss_sum += loss_d.double() * n
            correct += (out.detach().argmax(1) == y).sum()
            if sync_each_step:
                self._batch_end(epoch, step, steps, float(loss_d), lr, seen, t0)
            else:
                # Read the previous step's loss: it is finished by now, so no stall.
                if pending is not None:
                    self._batch_end(
                        epoch, pending[0], steps, float(pending[1]), pending[2], seen, t0
                    )
                pending = (step, loss_d, lr)
        if pending is not None:
            self._batch_end(epoch, pending[0], steps, float(pending[1]), pending[2], seen, t0)
        loss_sum, correct, seen = self.dist.all_sum(loss_sum, correct, seen)
        elapsed = time.perf_counter() - t0 - self._paused_seconds
        self.state.train_images += seen
        self.state.train_seconds += elapsed
        if seen == 0:
            return self._none_readable("training")
        return float(loss_sum) / seen, int(correct) / seen

    def _batch_end(
        self, epoch: int, step: int, steps: int, loss: float, lr: float, seen: int, t0: float
    ) -> None:
        elapsed = max(time.perf_counter() - t0 - self._paused_seconds, 1e-9)
        self.emit(
            "on_batch_end",
            BatchEnded(
                epoch=epoch,
                epochs=self.config.epochs,
                step=step,
                steps=steps,
                loss=loss,
                lr=lr,
                images_per_second=seen / elapsed,
                global_step=self.state.global_step,
            ),
        )

    def evaluate(self) -> tuple[float, float]:
        """Validation loss and accuracy with model.eval() under torch.inference_mode()."""
        model = self.net
        self.dist.sync_buffers(model)
        model.eval()
        loss_sum = torch.zeros((), device=self.device, dtype=torch.float64)
        correct = torch.zeros((), device=self.device, dtype=torch.int64)
        seen = 0
        with torch.inference_mode():
            for batch in self.valid_loader:
                x, y = self._readable(batch)
                if x is None:
                    continue
                x, y = self._to_device(x), y.to(self.device, non_blocking=True)
                with self._autocast():
                    out = model(x)
                loss_sum += nn.functional.cross_entropy(out.float(), y, reduction="sum").double()
                correct += (out.argmax(1) == y).sum()
                seen += y.shape[0]
        loss_sum, correct, seen = self.dist.all_sum(loss_sum, correct, seen)
        if seen == 0:
            return self._none_readable("validation")
        return float(loss_sum) / seen, int(correct) / seen

    def fit(self) -> dict:
        """Train, validate, checkpoint; return the summary dict (also in summary.json)."""
        self._t_start = time.perf_counter()
        self.error = None
        self.early_stopped_at = None
        try:
            stopped = self._train()
            summary = self.summary(stopped=stopped)
            self._end(FitEnded(summary=summary, stopped=stopped, run_dir=str(self.run_dir)))
        finally:
            if self.lock is not None:  # whatever failed: a listing never sees it running
                self.lock.release()
        return summary

    def _train(self) -> bool:
        """Set up and run the epochs; True when a stop request ended it."""
        try:
            self._claim_folder()
            self.setup()
            self._fit_started()
            for epoch in range(self.state.epoch + 1, self.config.epochs + 1):
                self._run_epoch(epoch)
                if self.early_stopped_at is not None:
                    break
        except StopRequested:
            return True  # the end-of-fit hooks still run: last.pt is written there
        except BaseException as exc:
            err = exc
            if is_oom(exc) and not isinstance(exc, TrainingError):
                err = oom_error(self.device, self.config.batch_size)
                err.__cause__ = exc
            self.error = str(err)
            self.emit("on_exception", err)
            if err is exc:
                raise
            raise err from exc
        return False

    def _end(self, ev: FitEnded) -> None:
        """Every callback's on_fit_end, each on its own: one that fails skips none of the
        others (the listeners still hear the run ended); the first failure is raised."""
        failures: list[Exception] = []
        for cb in self.callbacks:
            try:
                cb.on_fit_end(ev)
            except Exception as exc:  # noqa: BLE001 - raised below, once all have run
                logging.getLogger("convstudio").exception("%s.on_fit_end failed", cb)
                failures.append(exc)
        if failures:
            raise failures[0]

    def _run_epoch(self, epoch: int) -> None:
        self.plan.before_epoch(epoch)  # two-stage's switch, the cached features' view
        t0 = time.perf_counter()
        self.unreadable = []
        with GLOBAL_RNG_LOCK:
            seed_epoch(self.config.seed, epoch, self.generator)
        if self.sampler is not None and hasattr(self.sampler, "set_epoch"):
            self.sampler.set_epoch(epoch)
        lr = current_lr(self.optimizer)
        train_loss, train_acc = self.train_one_epoch(epoch)
        val_loss, val_acc = self.evaluate()
        if self.scheduler is not None and not self.sched_per_batch:
            self.scheduler.step()
        st = self.state
        metric = self.config.best_metric
        value = val_acc if metric == "val_acc" else val_loss
        is_best = runs.is_better(value, self.best_value(), metric)
        ev = EpochEnded(
            epoch=epoch,
            epochs=self.config.epochs,
            train_loss=train_loss,
            train_acc=train_acc,
            val_loss=val_loss,
            val_acc=val_acc,
            lr=lr,
            is_best=is_best,
            best_val_acc=val_acc if is_best else st.best_val_acc,
            best_epoch=epoch if is_best else st.best_epoch,
            seconds=time.perf_counter() - t0,
            skipped=len(self.unreadable),
            skipped_examples=tuple(self.unreadable[:5]),
        )
        self.emit("on_epoch_end", ev)  # NaN guard, metrics.csv, best.pt and last.pt first
        st.commit(ev)

    def best_value(self) -> float | None:
        """The best-model metric (config.best_metric) at the best epoch so far."""
        st = self.state
        if not st.best_epoch:
            return None
        if self.config.best_metric == "val_acc":
            return st.best_val_acc
        rows = [r for r in st.rows if int(r["epoch"]) == st.best_epoch]
        return rows[-1]["val_loss"] if rows else None

    def _fit_started(self) -> None:
        from core.models import count_parameters

        trainable, total = count_parameters(self.model)
        self.emit(
            "on_fit_start",
            FitStarted(
                run_dir=str(self.run_dir),
                arch=self.config.arch,
                num_classes=len(self.class_names),
                class_names=list(self.class_names),
                trainable_params=int(trainable),
                total_params=int(total),
                device=str(self.device),
                precision=self.precision,
                epochs=self.config.epochs,
                start_epoch=self.state.epoch + 1,
                steps_per_epoch=len(self.train_loader),
                train_size=len(self.splits.train),
                valid_size=len(self.splits.valid),
                summary=plain(self.splits.summary.to_dict()),
                notes=tuple(self.notes),
                earlier_batch_losses=tuple(self.state.batch_curve),
            ),
        )
        self.state.batch_curve = []  # FitStarted carries it (to the window): no second copy

    # ---------------------------------------------------------------- what the writers save
    def resolved_config(self) -> dict:
        """config.json: the config with the dataset, preset and pipelines as resolved."""
        return resolved_config(self)

    def bundle(self, epoch: int, metrics: dict) -> dict:
        """The model bundle of this epoch (best.pt; last.pt adds training_state())."""
        return model_bundle(self, epoch, metrics)

    def training_state(self, best_val_acc: float | None, best_epoch: int, partial: bool) -> dict:
        """What last.pt holds besides the bundle, so that a resumed run repeats this one."""
        return training_state(self, best_val_acc, best_epoch, partial)

    def summary(self, stopped: bool) -> dict:
        """summary.json and fit()'s return value: how the run went so far."""
        return run_summary(self, stopped)


def fit(
    config: TrainConfig,
    callbacks: Sequence[Callback] = (),
    control: TrainControl | None = None,
    *,
    sampler: torch.utils.data.Sampler | None = None,
    device: torch.device | str | None = None,
    rank: int = 0,
    overwrite: bool = False,
) -> dict:
    """Run training to the end (or a stop) and return the summary dict.

    ``overwrite``: replace a run already in ``config.out`` (else RunExistsError).
    """
    trainer = Trainer(
        config, callbacks, control, sampler=sampler, device=device, rank=rank, overwrite=overwrite
    )
    return trainer.fit()


__all__ = ["Trainer", "fit", "resolve_device"]
