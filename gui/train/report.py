"""What the Train tab says about a run: its log lines and the status line at its end.

Plain functions of :mod:`core.events`' events and the run's summary dict, no widgets
and no torch, testable on their own. Each text is a whole sentence translated under
the :class:`TrainReport` context (a line of several facts joins facts translated whole);
the notes that come from core are translated through :func:`gui.errors.shown`.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from PySide6.QtCore import QObject

from core.events import CheckpointSaved, EpochEnded, FitEnded, FitStarted
from core.runs import duration
from gui import errors


class TrainReport(QObject):
    """The translation context of this module's texts."""


def started_line(ev: FitStarted) -> str:
    batches = ev.steps_per_epoch  # lupdate reads a plain name only
    line = TrainReport.tr(
        "{arch}: {trainable:,} trainable / {total:,} parameters; {classes} classes; "
        "{train:,} training / {valid:,} validation images; %n batch(es) per epoch; "
        "device {device}, {precision}.",
        "",
        batches,
    ).format(
        arch=ev.arch,
        trainable=ev.trainable_params,
        total=ev.total_params,
        classes=ev.num_classes,  # at least 2: a dataset of one class does not train
        train=ev.train_size,
        valid=ev.valid_size,
        device=ev.device,
        precision=ev.precision,
    )
    # what a resume changed or found (core.resume): settings, schedule, other data
    return line + "".join(f"\n{errors.shown(note)}" for note in ev.notes)


def epoch_line(ev: EpochEnded) -> str:
    if ev.is_best:
        template = TrainReport.tr(
            "epoch {epoch}/{epochs}: train loss {train_loss:.4f} acc {train_acc:.4f}"
            " | val loss {val_loss:.4f} acc {val_acc:.4f} (best) | {seconds:.1f}s",
        )
    else:
        template = TrainReport.tr(
            "epoch {epoch}/{epochs}: train loss {train_loss:.4f} acc {train_acc:.4f}"
            " | val loss {val_loss:.4f} acc {val_acc:.4f} | {seconds:.1f}s",
        )
    text = template.format(**ev.row(), epochs=ev.epochs)
    skipped = ev.skipped  # files gone or emptied since the scan (core.trainsetup.SkipUnreadable)
    if skipped:
        text += " | " + TrainReport.tr(
            "%n unreadable image(s) skipped: {example}", "", skipped
        ).format(example=errors.shown(ev.skipped_examples[0]))
    return text


def checkpoint_line(ev: CheckpointSaved) -> str:
    name = Path(ev.path).name
    if ev.val_acc is None:
        return TrainReport.tr("saved {file} (epoch {epoch})").format(file=name, epoch=ev.epoch)
    return TrainReport.tr("saved {file} (epoch {epoch}, val acc {acc:.4f})").format(
        file=name, epoch=ev.epoch, acc=ev.val_acc
    )


def fit_end_line(ev: FitEnded) -> str:
    s = ev.summary
    values = {
        "time": duration(s.get("seconds")),
        "best": s.get("best_val_acc"),
        "epoch": s.get("best_epoch"),
    }
    if values["best"] is None:
        if ev.stopped:
            template = TrainReport.tr("Training stopped after {time}: no best val acc yet.")
        else:
            template = TrainReport.tr("Training finished after {time}: no best val acc.")
    elif ev.stopped:
        template = TrainReport.tr(
            "Training stopped after {time}: best val acc {best:.4f} (epoch {epoch})."
        )
    else:
        template = TrainReport.tr(
            "Training finished after {time}: best val acc {best:.4f} (epoch {epoch}).",
        )
    return template.format(**values)


def outcome_text(
    summary: dict, kept: Mapping[str, CheckpointSaved] | None = None, reached: int = 0
) -> str:
    """The status line after a run: how it ended, and after a stop, where and what was kept.

    ``kept`` holds the run's newest checkpoint event of each kind ("best", "last");
    ``reached`` is the epoch the run was in when it was last seen (0 if unknown), so a
    stop in the middle of epoch 4 reads "during epoch 4/15", not "at the end of epoch 3".
    """
    time = duration(summary.get("seconds"))
    if summary.get("stopped"):
        return _stopped_text(summary, dict(kept or {}), reached, time)
    best = summary.get("best_val_acc")
    values = {
        "time": time,
        "best": best,
        "epoch": summary.get("best_epoch"),
        "stopped_at": summary.get("stopped_early_epoch"),
        "planned": summary.get("epochs_planned"),
    }
    if summary.get("stopped_early"):  # core.callbacks.EarlyStopping
        if best is None:
            text = TrainReport.tr(
                "Training stopped early at epoch {stopped_at}/{planned} (no validation "
                "improvement) after {time}."
            )
        else:
            text = TrainReport.tr(
                "Training stopped early at epoch {stopped_at}/{planned} (no validation "
                "improvement) after {time} · best val acc {best:.4f} at epoch {epoch} · its "
                "best.pt is loaded in the Predict tab."
            )
    elif best is None:
        text = TrainReport.tr("Training finished after {time}.")
    else:
        text = TrainReport.tr(
            "Training finished after {time} · best val acc {best:.4f} at epoch {epoch} · its "
            "best.pt is loaded in the Predict tab."
        )
    return text.format(**values)


def _stopped_text(summary: dict, kept: dict, reached: int, time: str) -> str:
    done = int(summary.get("epochs") or 0)
    planned = summary.get("epochs_planned")
    values = {"epoch": reached, "done": done, "planned": planned, "time": time}
    if reached > done:
        if planned:
            where = TrainReport.tr("Training stopped during epoch {epoch}/{planned} after {time}")
        else:
            where = TrainReport.tr("Training stopped during epoch {epoch} after {time}")
    elif planned:
        where = TrainReport.tr("Training stopped at the end of epoch {done}/{planned} after {time}")
    else:
        where = TrainReport.tr("Training stopped at the end of epoch {done} after {time}")
    parts = [where.format(**values)]
    if done == 0:
        parts.append(TrainReport.tr("no epoch finished, so there is no best.pt"))
    parts.append(_kept_text(summary, kept, done))
    return " · ".join(parts)  # the last part ends the sentence


def _kept_text(summary: dict, kept: dict, done: int) -> str:
    """What a stopped run kept: best.pt and last.pt (each a whole phrase), or nothing;
    the end of the outcome's sentence."""
    files = []
    best_ev = kept.get("best")
    if best_ev is not None and summary.get("best_pt"):
        if best_ev.val_acc is None:
            best = TrainReport.tr("best.pt (epoch {epoch}, loaded in the Predict tab)")
        else:
            best = TrainReport.tr(
                "best.pt (epoch {epoch}, val acc {acc:.4f}, loaded in the Predict tab)",
            )
        files.append(best.format(epoch=best_ev.epoch, acc=best_ev.val_acc or 0.0))
    if kept.get("last") is not None:
        files.append(TrainReport.tr("last.pt (resumes at epoch {epoch})").format(epoch=done + 1))
    if not files:
        return TrainReport.tr("nothing was saved.")
    folder = Path(str(summary.get("run_dir") or "")).name
    if len(files) == 2:
        if folder:
            text = TrainReport.tr("kept {first} and {second} in {folder}.")
        else:
            text = TrainReport.tr("kept {first} and {second}.")
        return text.format(first=files[0], second=files[1], folder=folder)
    if folder:
        text = TrainReport.tr("kept {file} in {folder}.")
    else:
        text = TrainReport.tr("kept {file}.")
    return text.format(file=files[0], folder=folder)
