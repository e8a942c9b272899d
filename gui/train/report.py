"""What the Train tab says about a run: its log lines and the status line at its end.

Plain functions of :mod:`core.events`' events and the run's summary dict: no Qt, no
torch, testable on their own.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from core.events import CheckpointSaved, EpochEnded, FitEnded, FitStarted
from gui.train.jobs import fmt_duration


def started_line(ev: FitStarted) -> str:
    return (
        f"{ev.arch}: {ev.trainable_params:,} trainable / {ev.total_params:,} parameters; "
        f"{ev.num_classes} classes; {ev.train_size} train / {ev.valid_size} valid images; "
        f"{ev.steps_per_epoch} batches per epoch; device {ev.device}, {ev.precision}."
        # what a resume changed or found (core.resume): settings, schedule, other data
        + "".join(f"\n{note}" for note in ev.notes)
    )


def epoch_line(ev: EpochEnded) -> str:
    return (
        f"epoch {ev.epoch}/{ev.epochs}: train loss {ev.train_loss:.4f} acc {ev.train_acc:.4f}"
        f" | val loss {ev.val_loss:.4f} acc {ev.val_acc:.4f}"
        f"{' (best)' if ev.is_best else ''} | {ev.seconds:.1f}s"
        # files gone or emptied since the scan (core.trainsetup.SkipUnreadable)
        + (
            f" | {ev.skipped} unreadable image(s) skipped: {ev.skipped_examples[0]}"
            if ev.skipped
            else ""
        )
    )


def checkpoint_line(ev: CheckpointSaved) -> str:
    acc = "" if ev.val_acc is None else f", val acc {ev.val_acc:.4f}"
    return f"saved {Path(ev.path).name} (epoch {ev.epoch}{acc})"


def fit_end_line(ev: FitEnded) -> str:
    s = ev.summary
    state = "stopped" if ev.stopped else "finished"
    best = s.get("best_val_acc")
    best_text = "n/a" if best is None else f"{best:.4f} (epoch {s.get('best_epoch')})"
    return f"Training {state} after {fmt_duration(s.get('seconds'))}: best val acc {best_text}."


def outcome_text(
    summary: dict, kept: Mapping[str, CheckpointSaved] | None = None, reached: int = 0
) -> str:
    """The status line after a run: how it ended, and after a stop, where and what was kept.

    ``kept`` holds the run's newest checkpoint event of each kind ("best", "last");
    ``reached`` is the epoch the run was in when it was last seen (0 if unknown), so a
    stop in the middle of epoch 4 reads "during epoch 4/15", not "at the end of epoch 3".
    """
    duration = fmt_duration(summary.get("seconds"))
    best = summary.get("best_val_acc")
    if not summary.get("stopped"):
        text = f"Training finished after {duration}"
        if summary.get("stopped_early"):  # core.callbacks.EarlyStopping
            text = (
                f"Training stopped early at epoch {summary.get('stopped_early_epoch')}/"
                f"{summary.get('epochs_planned')} (no validation improvement) after {duration}"
            )
        if best is not None:
            text += (
                f" · best val acc {best:.4f} at epoch {summary.get('best_epoch')}"
                " · its best.pt is loaded in the Predict tab"
            )
        return text + "."
    return _stopped_text(summary, dict(kept or {}), reached, duration)


def _stopped_text(summary: dict, kept: dict, reached: int, duration: str) -> str:
    done = int(summary.get("epochs") or 0)
    planned = summary.get("epochs_planned")
    of = f"/{planned}" if planned else ""
    where = f"during epoch {reached}{of}" if reached > done else f"at the end of epoch {done}{of}"
    parts = [f"Training stopped {where} after {duration}"]
    if done == 0:
        parts.append("no epoch finished, so there is no best.pt")
    files = []
    best_ev = kept.get("best")
    if best_ev is not None and summary.get("best_pt"):
        acc = "" if best_ev.val_acc is None else f", val acc {best_ev.val_acc:.4f}"
        files.append(f"best.pt (epoch {best_ev.epoch}{acc}, loaded in the Predict tab)")
    if kept.get("last") is not None:
        files.append(f"last.pt (resumes at epoch {done + 1})")
    if files:
        folder = Path(str(summary.get("run_dir") or "")).name
        parts.append("kept " + " and ".join(files) + (f" in {folder}" if folder else ""))
    else:
        parts.append("nothing was saved")
    return " · ".join(parts) + "."
