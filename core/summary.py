"""What a Trainer's writers save about a fit: config.json's resolved settings, the model
bundle, last.pt's training state and summary.json.

Split from core.trainer so the loop stays the notes' steps; the Trainer's methods of
the same names (``resolved_config``, ``bundle``, ``training_state``, ``summary``) call
these, and the writers (core.callbacks) call the methods.
"""

from __future__ import annotations

import time
from typing import Any

import torch

from core.events import plain

__all__ = ["model_bundle", "resolved_config", "run_summary", "training_state"]


def resolved_config(t: Any) -> dict:
    """config.json: the config with the dataset, preset and pipelines as resolved."""
    d = t.config.to_dict()
    d["data"] = t.source
    d["augment"] = t.preset
    d["train_transforms"] = plain(t.train_spec)
    d["eval_transforms"] = plain(t.eval_spec)
    d["in_channels"] = t.in_channels
    d["input_size"] = t.input_size
    if t.lr_plan is not None:
        d["lr_plan"] = t.lr_plan  # the schedule a resume continued with (core.resume)
    if t.best_reset_epoch is not None:
        d["best_reset_epoch"] = t.best_reset_epoch  # core.runs reads it while the run runs
    return d


def model_bundle(t: Any, epoch: int, metrics: dict) -> dict:
    """The model bundle of this epoch (best.pt; last.pt adds training_state())."""
    from core.checkpoint import make_bundle

    return make_bundle(
        model=t.model,
        arch=t.config.arch,
        class_names=list(t.class_names),
        in_channels=t.in_channels,
        input_size=t.input_size,
        eval_transforms=plain(t.eval_spec),
        epoch=epoch,
        metrics=plain(metrics),
        config=resolved_config(t),
    )


def training_state(t: Any, best_val_acc: float | None, best_epoch: int, partial: bool) -> dict:
    """What last.pt holds besides the bundle, so that a resumed run repeats this one."""
    return {
        "optimizer": t.optimizer.state_dict(),
        "scheduler": t.scheduler.state_dict() if t.scheduler is not None else {},
        "rng": {"torch": torch.get_rng_state(), "seed": int(t.config.seed)},
        "best_val_acc": best_val_acc if best_epoch else None,
        "best_epoch": best_epoch,
        "best_reset_epoch": t.best_reset_epoch,
        "global_step": t.state.global_step,
        "partial_epoch": bool(partial),
        "lr_plan": t.lr_plan,
        "steps_per_epoch": len(t.train_loader),
        "data_fingerprint": t.data_fingerprint,
    }


def run_summary(t: Any, stopped: bool) -> dict:
    """summary.json and fit()'s return value: how the run went so far."""
    st = t.state
    last = st.rows[-1] if st.rows else {}
    best_pt = t.run_dir / "best.pt"
    summary = {
        "best_val_acc": st.best_val_acc if st.best_epoch else None,
        "best_epoch": st.best_epoch or None,
        "best_reset_epoch": t.best_reset_epoch,  # best counts from here (data changed)
        "epochs": st.epoch,
        "epochs_planned": t.config.epochs,
        "train_images_per_second": (
            st.train_images / st.train_seconds if st.train_seconds > 0 else None
        ),
        "seconds": time.perf_counter() - t._t_start,
        "stopped": stopped,
        "stopped_early": t.early_stopped_at is not None,
        "stopped_early_epoch": t.early_stopped_at,
        "best_metric": t.config.best_metric,
        "error": t.error,
        "arch": t.config.arch,
        "mode": t.config.mode,
        "data": getattr(t, "source", t.config.data),
        "class_names": list(getattr(t, "class_names", [])),
        "device": str(t.device),
        "precision": getattr(t, "precision", None),
        "channels_last": getattr(t, "channels_last", None),
        "final_train_loss": last.get("train_loss"),
        "final_train_acc": last.get("train_acc"),
        "final_val_loss": last.get("val_loss"),
        "final_val_acc": last.get("val_acc"),
        **t.dist.describe(t.config.batch_size),  # world_size, global batch size
        "run_dir": str(t.run_dir),
        "best_pt": str(best_pt) if best_pt.is_file() else None,
        "last_pt": str(t.run_dir / "last.pt"),
    }
    return plain(summary)
