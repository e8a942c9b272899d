"""The training loop: Trainer(config, callbacks, control).fit() -> summary dict.

The loop keeps the order of the study notes: ``model.train()``, then per batch the
forward pass, the loss, backward, the optimizer step and zeroing the gradients; after
each epoch ``model.eval()`` and validation under ``torch.inference_mode()``.

Everything else is a callback (core.callbacks), first in the callback list: the NaN
guard, and the writers of the run folder (config.json, metrics.csv, summary.json,
best.pt, last.pt), which only the main process (rank 0) gets. Listeners receive the
frozen plain-value events of core.events. A stop request unwinds the loop with
StopRequested, so the end-of-fit hooks still run and last.pt is written.

Nothing here holds global state: the device and the training sampler can be injected,
and under torchrun a core.distributed context (``dist``) shards the data, wraps the
network in DistributedDataParallel and sums the metrics over the processes.
"""

from __future__ import annotations

import contextlib
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
from core.resume import data_change_note, data_fingerprint, restore_training
from core.runfolder import check_out_folder
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
        own: list[Callback] = [NaNGuard(config.lr)]
        if self.is_main:
            own += [RunFolderWriter(self), CheckpointWriter(self), EvaluationWriter(self)]
            own.append(RunLock(self))
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
    def _setup(self) -> None:
        """Data, pipelines, model, optimizer; checks one sample before any training."""
        from core import augment, data, models

        cfg = self.config
        if self.is_main:  # before anything is read or written: never train over a run
            check_out_folder(self.run_dir, cfg.resume, self.overwrite)
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
        torch.manual_seed(cfg.seed)
        stages.fetch_weights(self)  # missing ImageNet weights: downloaded with progress
        try:
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
        self.plan = stages.prepare(self, resume)  # input pipeline, frozen backbone, stages
        if resume is not None:
            self._restore(resume)

    def _scan_progress(self, done: int, total: int) -> None:
        """Folder scans can take a while: let a stop request end them."""
        if self.control.should_stop:
            raise StopRequested

    def _restore(self, ckpt: dict) -> None:
        """Load model/optimizer/scheduler state and the epoch count from last.pt."""
        resume = self.config.resume
        if ckpt.get("arch") != self.config.arch:
            raise TrainingError(
                f"{resume} was trained as {ckpt.get('arch')!r}, not {self.config.arch!r}; "
                "resume with the same architecture."
            )
        if list(ckpt.get("class_names", [])) != self.class_names:
            raise TrainingError(
                f"{resume} has classes {ckpt.get('class_names')} but the dataset has "
                f"{self.class_names}; resume on the same data."
            )
        try:
            self.model.load_state_dict(ckpt["state_dict"])
        except (RuntimeError, ValueError, KeyError) as exc:
            raise TrainingError(f"Cannot resume from {resume}: {exc}") from exc
        st = self.state
        st.epoch = int(ckpt.get("epoch", 0))
        if st.epoch >= self.config.epochs:
            raise TrainingError(
                f"{resume} already finished epoch {st.epoch} of {self.config.epochs}; "
                "ask for more epochs to continue."
            )
        # the settings given now win: optimizer settings, the schedule over the new length
        done = restore_training(
            self.config.to_dict(),
            ckpt,
            self.optimizer,
            self.scheduler,
            self.sched_per_batch,
            len(self.train_loader),
            st.epoch,
        )
        self.scheduler, self.sched_per_batch = done.scheduler, done.per_batch
        self.lr_plan = done.plan
        self.notes += done.notes
        changed_data = data_change_note(ckpt.get("data_fingerprint"), self.data_fingerprint)
        if changed_data:
            self.notes.append(changed_data)
            ckpt = {**ckpt, "best_val_acc": None, "best_epoch": 0}
        best = ckpt.get("best_val_acc")
        st.best_val_acc = float(best) if best is not None else None
        st.best_epoch = int(ckpt.get("best_epoch", 0) or 0)
        st.global_step = int(ckpt.get("global_step", 0) or 0)
        try:
            st.rows = runs.read_metrics(Path(resume).parent / "metrics.csv", st.epoch)
        except (OSError, runs.RunError):
            st.rows = []  # no earlier rows to carry over; the checkpoint still resumes

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
        for step, batch in enumerate(self.train_loader, start=1):
            self.dist.agree(self)  # several processes stop and pause at the same batch
            self._check_control()
            x, y = self._readable(batch)
            if x is None:  # every image of the batch had gone
                continue
            x, y = self._to_device(x), y.to(self.device, non_blocking=True)
            lr = current_lr(opt)
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
        stopped = False
        self.error = None
        self.early_stopped_at = None
        try:
            self._setup()
            self._fit_started()
            for epoch in range(self.state.epoch + 1, self.config.epochs + 1):
                self._run_epoch(epoch)
                if self.early_stopped_at is not None:
                    break
        except StopRequested:
            stopped = True  # on_fit_end below still runs: last.pt is written there
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
        summary = self.summary(stopped=stopped)
        self.emit(
            "on_fit_end", FitEnded(summary=summary, stopped=stopped, run_dir=str(self.run_dir))
        )
        return summary

    def _run_epoch(self, epoch: int) -> None:
        self.plan.before_epoch(epoch)  # two-stage's switch, the cached features' view
        t0 = time.perf_counter()
        self.unreadable = []
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
            ),
        )

    # ---------------------------------------------------------------- what the writers save
    def resolved_config(self) -> dict:
        """config.json: the config with the dataset, preset and pipelines as resolved."""
        d = self.config.to_dict()
        d["data"] = self.source
        d["augment"] = self.preset
        d["train_transforms"] = plain(self.train_spec)
        d["eval_transforms"] = plain(self.eval_spec)
        d["in_channels"] = self.in_channels
        d["input_size"] = self.input_size
        if self.lr_plan is not None:
            d["lr_plan"] = self.lr_plan  # the schedule a resume continued with (core.resume)
        return d

    def bundle(self, epoch: int, metrics: dict) -> dict:
        """The model bundle of this epoch (best.pt; last.pt adds training_state())."""
        from core.checkpoint import make_bundle

        return make_bundle(
            model=self.model,
            arch=self.config.arch,
            class_names=list(self.class_names),
            in_channels=self.in_channels,
            input_size=self.input_size,
            eval_transforms=plain(self.eval_spec),
            epoch=epoch,
            metrics=plain(metrics),
            config=self.resolved_config(),
        )

    def training_state(self, best_val_acc: float | None, best_epoch: int, partial: bool) -> dict:
        """What last.pt holds besides the bundle, so that a resumed run repeats this one."""
        return {
            "optimizer": self.optimizer.state_dict(),
            "scheduler": self.scheduler.state_dict() if self.scheduler is not None else {},
            "rng": {"torch": torch.get_rng_state(), "seed": int(self.config.seed)},
            "best_val_acc": best_val_acc if best_epoch else None,
            "best_epoch": best_epoch,
            "global_step": self.state.global_step,
            "partial_epoch": bool(partial),
            "lr_plan": self.lr_plan,
            "steps_per_epoch": len(self.train_loader),
            "data_fingerprint": self.data_fingerprint,
        }

    def summary(self, stopped: bool) -> dict:
        """summary.json and fit()'s return value: how the run went so far."""
        st = self.state
        last = st.rows[-1] if st.rows else {}
        best_pt = self.run_dir / "best.pt"
        summary = {
            "best_val_acc": st.best_val_acc if st.best_epoch else None,
            "best_epoch": st.best_epoch or None,
            "epochs": st.epoch,
            "epochs_planned": self.config.epochs,
            "train_images_per_second": (
                st.train_images / st.train_seconds if st.train_seconds > 0 else None
            ),
            "seconds": time.perf_counter() - self._t_start,
            "stopped": stopped,
            "stopped_early": self.early_stopped_at is not None,
            "stopped_early_epoch": self.early_stopped_at,
            "best_metric": self.config.best_metric,
            "error": self.error,
            "arch": self.config.arch,
            "mode": self.config.mode,
            "data": getattr(self, "source", self.config.data),
            "class_names": list(getattr(self, "class_names", [])),
            "device": str(self.device),
            "precision": getattr(self, "precision", None),
            "channels_last": getattr(self, "channels_last", None),
            "final_train_loss": last.get("train_loss"),
            "final_train_acc": last.get("train_acc"),
            "final_val_loss": last.get("val_loss"),
            "final_val_acc": last.get("val_acc"),
            **self.dist.describe(self.config.batch_size),  # world_size, global batch size
            "run_dir": str(self.run_dir),
            "best_pt": str(best_pt) if best_pt.is_file() else None,
            "last_pt": str(self.run_dir / "last.pt"),
        }
        return plain(summary)


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
