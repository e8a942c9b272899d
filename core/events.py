"""What a training run tells its listeners, and how they steer it; torch-free.

The trainer (core.trainer) calls :class:`Callback` hooks with frozen dataclasses of
plain Python values, never tensors, so a GUI thread can keep them and slots can be
typed with them without importing PyTorch. :class:`TrainControl` holds the stop and
pause flags the loop checks between batches; a stop unwinds the loop with
:class:`StopRequested`, so the end-of-fit hooks still run and last.pt is written.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any


class TrainingError(RuntimeError):
    """Training could not go on (NaN loss, out of memory, incompatible pipeline ...)."""


class StopRequested(Exception):
    """Raised between batches once TrainControl.stop() was called; fit() catches it."""


@dataclass(frozen=True)
class FitStarted:
    run_dir: str
    arch: str
    num_classes: int
    class_names: list[str]
    trainable_params: int
    total_params: int
    device: str
    precision: str
    epochs: int
    start_epoch: int
    steps_per_epoch: int
    train_size: int
    valid_size: int
    summary: dict
    notes: tuple[str, ...] = ()  # what a resume changed or found (core.resume)
    #: a resumed run's earlier batch losses, (global step, loss), from its batch_loss.csv
    #: (means of equal runs of batches past core.runfiles.BATCH_CURVE_POINTS)
    earlier_batch_losses: tuple[tuple[float, float], ...] = ()


@dataclass(frozen=True)
class BatchEnded:
    epoch: int
    epochs: int
    step: int
    steps: int
    loss: float
    lr: float
    images_per_second: float
    global_step: int


@dataclass(frozen=True)
class EpochEnded:
    epoch: int
    epochs: int
    train_loss: float
    train_acc: float
    val_loss: float
    val_acc: float
    lr: float
    is_best: bool
    best_val_acc: float
    best_epoch: int
    seconds: float
    skipped: int = 0  # images that could not be read this epoch (gone after the scan)
    skipped_examples: tuple[str, ...] = ()  # the first few, "path: reason"

    def row(self) -> dict:
        """The epoch's metrics.csv row (core.runs.METRICS_COLUMNS)."""
        return {
            "epoch": self.epoch,
            "train_loss": self.train_loss,
            "train_acc": self.train_acc,
            "val_loss": self.val_loss,
            "val_acc": self.val_acc,
            "lr": self.lr,
            "seconds": self.seconds,
        }


@dataclass(frozen=True)
class PhaseProgressed:
    """Work outside the epochs, with its progress: ``phase`` "weights" (downloading
    pretrained weights, ``unit`` "bytes"), "features" (extracting the feature cache of
    a frozen backbone, ``unit`` "images"; core.features), "finetune" (two-stage's switch
    to every layer) or "evaluation" (after the last epoch, best.pt on the validation
    images into evaluation.json and predictions.csv, ``unit`` "images";
    core.callbacks.EvaluationWriter). ``total`` 0: not known yet. ``done == total``
    ends the phase; ``text`` says what is done, for a progress bar."""

    phase: str
    done: int
    total: int
    unit: str
    text: str


@dataclass(frozen=True)
class CheckpointSaved:
    kind: str  # "best" | "last"
    path: str
    epoch: int
    val_acc: float | None


@dataclass(frozen=True)
class FitEnded:
    """The run is over, finished or stopped (``stopped``; an error gives
    ``on_exception`` instead). It comes last: after summary.json, last.pt and the
    "evaluation" phase have ended, so a listener may read every file of ``run_dir``."""

    summary: dict
    stopped: bool
    run_dir: str


class Callback:
    """Subscribe to training events by overriding the hooks you need (all no-ops here).

    Hooks run in the training thread, in the order the callbacks were given; the
    trainer's own callbacks (NaN guard, run-folder and checkpoint writers) come first,
    so a listener sees an epoch's checkpoints before its ``on_epoch_end``.
    """

    def on_fit_start(self, ev: FitStarted) -> None: ...
    def on_batch_end(self, ev: BatchEnded) -> None: ...
    def on_epoch_end(self, ev: EpochEnded) -> None: ...
    def on_checkpoint(self, ev: CheckpointSaved) -> None: ...
    def on_phase(self, ev: PhaseProgressed) -> None: ...
    def on_fit_end(self, ev: FitEnded) -> None: ...
    def on_exception(self, exc: BaseException) -> None: ...
    def on_pause(self) -> None: ...
    def on_resume(self) -> None: ...


class TrainControl:
    """Thread-safe stop/pause flags the loop checks between batches (a thread cannot be killed)."""

    def __init__(self) -> None:
        self._stop = threading.Event()
        self._running = threading.Event()  # set = not paused
        self._running.set()

    def stop(self) -> None:
        self._stop.set()
        self._running.set()  # wake a paused loop so it sees the stop

    def pause(self) -> None:
        self._running.clear()

    def resume(self) -> None:
        self._running.set()

    @property
    def is_paused(self) -> bool:
        return not self._running.is_set() and not self._stop.is_set()

    @property
    def should_stop(self) -> bool:
        return self._stop.is_set()

    def wait_while_paused(self, poll: float = 0.1) -> None:
        """Block while paused; return as soon as resumed or stopped."""
        while not self._running.wait(poll):
            if self._stop.is_set():
                return


def plain(obj: Any) -> Any:
    """Deep-convert to JSON-able Python values (tuples -> lists, numpy/tensor scalars -> numbers)."""
    if isinstance(obj, dict):
        return {str(k): plain(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [plain(v) for v in obj]
    if isinstance(obj, bool | int | float | str) or obj is None:
        return obj
    if isinstance(obj, Path):
        return str(obj)
    if hasattr(obj, "item"):
        return obj.item()
    return str(obj)


__all__ = [
    "BatchEnded",
    "Callback",
    "CheckpointSaved",
    "EpochEnded",
    "FitEnded",
    "FitStarted",
    "PhaseProgressed",
    "StopRequested",
    "TrainControl",
    "TrainingError",
    "plain",
]
