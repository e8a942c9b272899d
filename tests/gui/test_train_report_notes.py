"""Issue 13: the Train tab's log says what a resume changed and which images an epoch
skipped (core's FitStarted.notes and EpochEnded.skipped)."""

from __future__ import annotations

from core.events import EpochEnded, FitStarted
from gui.train.report import epoch_line, started_line


def test_the_log_lines_carry_resume_notes_and_skipped_images():
    started = FitStarted(
        run_dir="run",
        arch="mlp",
        num_classes=2,
        class_names=["a", "b"],
        trainable_params=10,
        total_params=10,
        device="cpu",
        precision="fp32",
        epochs=4,
        start_epoch=3,
        steps_per_epoch=2,
        train_size=8,
        valid_size=2,
        summary={},
        notes=("Resuming with changed settings: lr 0.01 -> 0.001.",),
    )
    assert started_line(started).splitlines()[1] == started.notes[0]
    epoch = EpochEnded(
        epoch=3,
        epochs=4,
        train_loss=0.5,
        train_acc=0.75,
        val_loss=0.5,
        val_acc=0.5,
        lr=0.001,
        is_best=False,
        best_val_acc=0.5,
        best_epoch=1,
        seconds=1.0,
        skipped=2,
        skipped_examples=("a/1.png: file not found", "b/2.png: file is empty (0 bytes)"),
    )
    line = epoch_line(epoch)
    # "images" once the English plural forms are built (gui.i18n.update), "image(s)" before
    assert "| 2 unreadable image" in line
    assert line.endswith(" skipped: a/1.png: file not found")
