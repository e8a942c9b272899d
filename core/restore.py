"""Resuming a Trainer from a run's last.pt, in two steps around the stages' set-up.

:func:`load_resumed` checks the checkpoint against the run (architecture, classes,
epochs left) and loads its weights before core.stages prepares anything, so a refused
resume fails at once and a frozen backbone's features come from the resumed weights.
:func:`restore_training_state` then restores the optimizer and schedule the stage
trains with (core.resume applies the settings given now), the best epoch so far and
the earlier metrics rows. After a resume on other data "best" starts again: the
trainer's ``best_reset_epoch`` is the first epoch that counts (core.runs).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from core import runs
from core.events import TrainingError
from core.resume import data_change_note, restore_training
from core.runfiles import BATCH_LOSS_CSV, batch_curve, iter_batch_losses

__all__ = ["load_resumed", "restore_training_state"]


def load_resumed(t: Any, ckpt: dict) -> None:
    """Check last.pt against this run and load its weights and epoch count."""
    resume = t.config.resume
    if ckpt.get("arch") != t.config.arch:
        raise TrainingError(
            f"{resume} was trained as {ckpt.get('arch')!r}, not {t.config.arch!r}; "
            "resume with the same architecture."
        )
    if list(ckpt.get("class_names", [])) != t.class_names:
        raise TrainingError(
            f"{resume} has classes {ckpt.get('class_names')} but the dataset has "
            f"{t.class_names}; resume on the same data."
        )
    try:
        t.model.load_state_dict(ckpt["state_dict"])
    except (RuntimeError, ValueError, KeyError) as exc:
        raise TrainingError(f"Cannot resume from {resume}: {exc}") from exc
    st = t.state
    st.epoch = int(ckpt.get("epoch", 0))
    if st.epoch >= t.config.epochs:
        raise TrainingError(
            f"{resume} already finished epoch {st.epoch} of {t.config.epochs}; "
            "ask for more epochs to continue."
        )


def restore_training_state(t: Any, ckpt: dict) -> None:
    """Optimizer, schedule, best so far and the earlier metrics rows from last.pt."""
    resume, st = t.config.resume, t.state
    # the settings given now win: optimizer settings, the schedule over the new length
    done = restore_training(
        t.config.to_dict(),
        ckpt,
        t.optimizer,
        t.scheduler,
        t.sched_per_batch,
        len(t.train_loader),
        st.epoch,
    )
    t.scheduler, t.sched_per_batch = done.scheduler, done.per_batch
    t.lr_plan = done.plan
    t.notes += done.notes
    changed_data = data_change_note(ckpt.get("data_fingerprint"), t.data_fingerprint)
    reset = ckpt.get("best_reset_epoch")
    t.best_reset_epoch = int(reset) if isinstance(reset, int) and reset > 1 else None
    if changed_data:  # best starts again with the next epoch, everywhere (core.runs)
        t.notes.append(changed_data)
        ckpt = {**ckpt, "best_val_acc": None, "best_epoch": 0}
        t.best_reset_epoch = st.epoch + 1
    best = ckpt.get("best_val_acc")
    st.best_val_acc = float(best) if best is not None else None
    st.best_epoch = int(ckpt.get("best_epoch", 0) or 0)
    st.global_step = int(ckpt.get("global_step", 0) or 0)
    try:
        st.rows = runs.read_metrics(Path(resume).parent / "metrics.csv", st.epoch)
    except (OSError, runs.RunError):
        st.rows = []  # no earlier rows to carry over; the checkpoint still resumes
    earlier = iter_batch_losses(Path(resume).parent / BATCH_LOSS_CSV)
    st.batch_curve = batch_curve(earlier, st.global_step)  # a stop's partial epoch included
