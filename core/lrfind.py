"""The learning-rate range test (Leslie Smith, 2015; fastai's ``lr_find``).

On a copy of the model, one mini-batch after another is trained with a learning rate
grown exponentially from ``start`` to ``end``; the loss is smoothed (an exponential
moving average with bias correction) and the test ends early once the smoothed loss
exceeds :data:`DIVERGE` times its lowest value or is not finite. The suggested
learning rate is where the smoothed loss falls fastest against log(lr): the steepest
descent, a rate at which the model still learns quickly without being near
divergence.

``main.py lr-find`` and the Train panel's "Find learning rate" button call
:func:`lr_find`, which builds the data, model and optimizer exactly as training
would (core.trainer) and changes nothing on disk. It tests the network the first
epoch trains: the whole model, or for feature-extract and two-stage (whose first stage
trains the head at ``lr``) the head behind the frozen backbone, run on the images
(the feature cache is not built for the test).
"""

from __future__ import annotations

import argparse
import copy
import dataclasses
import json
import math
import os
import sys
import tempfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from core.config import TrainConfig
from core.events import StopRequested, TrainControl

#: Weight of the history in the smoothed loss. On digits/smallcnn/Adam, 100 steps:
#: fastai's 0.98 lags ~50 steps (three decades) and suggested 0.012; 0.95 and 0.9 both
#: suggested 0.0024, which trains to 0.997 in 15 epochs (bench/bench_lrfind.py).
SMOOTHING = 0.9
DIVERGE = 4.0  # stop once the smoothed loss is this many times its lowest value
MIN_STEPS, MAX_STEPS = 5, 10_000


@dataclass
class LRFindResult:
    """The learning rates tried, their smoothed and raw losses, and the suggestion."""

    lrs: list[float]
    losses: list[float]  # smoothed
    raw_losses: list[float]
    suggested_lr: float | None
    diverged: bool

    def to_dict(self) -> dict:
        """What ``lr-find --json`` prints."""
        return {"suggested_lr": self.suggested_lr, "lrs": self.lrs, "losses": self.losses}


def lr_schedule(start: float, end: float, steps: int) -> list[float]:
    """``steps`` learning rates from ``start`` to ``end``, evenly spaced on a log scale."""
    if not (math.isfinite(start) and math.isfinite(end) and 0 < start < end):
        raise ValueError(f"need 0 < start < end, not start={start:g}, end={end:g}.")
    if not MIN_STEPS <= steps <= MAX_STEPS:
        raise ValueError(f"steps must be between {MIN_STEPS} and {MAX_STEPS}, not {steps}.")
    ratio = end / start
    return [start * ratio ** (i / (steps - 1)) for i in range(steps)]


def suggest_lr(lrs: list[float], losses: list[float]) -> float | None:
    """The learning rate where the smoothed loss falls fastest per decade (None: it never falls).

    Only the descent counts: from a tenth of the way in (the average still settling)
    to the lowest loss, so a drop after a spike at a diverging rate is never suggested.
    """
    n = len(losses)
    if n < MIN_STEPS:
        return None
    logs = [math.log10(lr) for lr in lrs[:n]]

    def slope(i: int) -> float:
        return (losses[i + 1] - losses[i - 1]) / (logs[i + 1] - logs[i - 1])

    lowest = min(range(n), key=losses.__getitem__)
    first, last = max(1, n // 10), min(lowest, n - 2)
    if last < first:
        return None
    best = min(range(first, last + 1), key=slope)
    return lrs[best] if slope(best) < 0 else None


def _cycle(loader: Iterable) -> Iterator:
    """The loader's batches over and over (the test may need more than one epoch)."""
    while True:
        empty = True
        for batch in loader:
            empty = False
            yield batch
        if empty:
            return


def range_test(
    model,
    make_optimizer: Callable,
    loader: Iterable,
    loss_fn: Callable,
    lrs: list[float],
    *,
    prepare: Callable = lambda batch: (batch[0], batch[1]),
    autocast: Callable | None = None,
    progress: Callable[[int, int], None] | None = None,
    check: Callable[[], None] | None = None,
    step_lock: Any = None,
) -> LRFindResult:
    """Train a deep copy of ``model`` one batch per learning rate; ``model`` is untouched.

    ``make_optimizer(params)`` builds the optimizer, ``prepare(batch)`` gives its (x, y)
    on the device (None: skip the batch), ``autocast()`` gives the precision context,
    ``check()`` may raise to cancel between batches, ``step_lock`` (a context manager)
    is held for each step (core.rng's lock for a network with Dropout).
    """
    import contextlib

    import torch

    work = copy.deepcopy(model)
    work.train()
    optimizer = make_optimizer(work.parameters())
    batches = _cycle(loader)
    tried, smooth, raw = [], [], []
    average, lowest, diverged = 0.0, math.inf, False
    for i, lr in enumerate(lrs):
        if check is not None:
            check()
        batch = next(batches, None)
        if batch is None:
            raise ValueError("The training split has no batches; add images.")
        prepared = prepare(batch)
        if prepared is None:
            continue
        x, y = prepared
        for group in optimizer.param_groups:
            group["lr"] = lr
        with step_lock or contextlib.nullcontext():
            with autocast() if autocast is not None else contextlib.nullcontext():
                out = work(x)  # forward
                loss = loss_fn(out.float(), y)  # loss
            loss.backward()  # backward
            optimizer.step()  # update
            optimizer.zero_grad(set_to_none=True)  # zero the gradients
        value = float(loss.detach())
        if not math.isfinite(value):
            diverged = True
            break
        average = SMOOTHING * average + (1 - SMOOTHING) * value
        smoothed = average / (1 - SMOOTHING ** (i + 1))
        tried.append(lr)
        raw.append(value)
        smooth.append(smoothed)
        lowest = min(lowest, smoothed)
        if progress is not None:
            progress(i + 1, len(lrs))
        if smoothed > DIVERGE * lowest:
            diverged = True
            break
    del work, optimizer
    if torch.cuda.is_available():
        torch.cuda.empty_cache()
    return LRFindResult(tried, smooth, raw, suggest_lr(tried, smooth), diverged)


class _Cancellable(TrainControl):
    """A TrainControl whose stop flag is also a caller's ``cancelled()`` (a task's)."""

    def __init__(self, cancelled: Callable[[], bool] | None) -> None:
        super().__init__()
        self._cancelled = cancelled

    @property
    def should_stop(self) -> bool:
        return super().should_stop or bool(self._cancelled and self._cancelled())


def lr_find(
    config: TrainConfig,
    start: float = 1e-7,
    end: float = 1.0,
    steps: int = 100,
    *,
    progress: Callable[[int, int], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> LRFindResult:
    """The range test for a training config: its data, pipelines, model, optimizer, device.

    Nothing is written: the run folder ``config.out`` is never created. Raises
    StopRequested when ``cancelled()`` turns true, TrainingError/DataError as training would.
    """
    from core.prefetch import rng_locked
    from core.trainer import Trainer
    from core.trainsetup import build_optimizer

    lrs = lr_schedule(start, end, steps)
    # a folder that is never created: whatever config.out names stays untouched
    scratch = Path(tempfile.gettempdir()) / f"convstudio-lr-find-{os.getpid()}"
    # the frozen modes' head trains behind its backbone, on images: no cache is built
    config = dataclasses.replace(config, out=str(scratch), resume=None, feature_cache="off")
    control = _Cancellable(cancelled)
    trainer = Trainer(config, control=control)
    trainer.setup()  # data, pipelines, model and stages exactly as fit() builds them; no files

    def check() -> None:
        if control.should_stop:
            raise StopRequested

    def prepare(batch):
        x, y = batch[0], batch[1]  # a third item names unreadable images (core.trainsetup)
        if x is None:
            return None
        return trainer._to_device(x), y.to(trainer.device, non_blocking=True)

    # random numbers are drawn under core.rng's lock, as a run draws them, so the
    # Augment preview drawing meanwhile does not change the curve
    loader, step_lock = rng_locked(trainer.train_loader, trainer.net)
    return range_test(
        trainer.net,  # what the first epoch trains: the model, or its head behind the backbone
        lambda params: build_optimizer(config, params),
        loader,
        trainer.loss_fn,
        lrs,
        prepare=prepare,
        autocast=trainer._autocast,
        progress=progress,
        check=check,
        step_lock=step_lock,
    )


# ----------------------------------------------------------------------------- CLI


def add_arguments(p: argparse.ArgumentParser) -> None:
    """``main.py lr-find``'s own options (the training options come from TrainConfig)."""
    p.add_argument("--start", type=float, default=1e-7, help="first learning rate (1e-7)")
    p.add_argument("--end", type=float, default=1.0, help="last learning rate (1)")
    p.add_argument(
        "--steps", type=int, default=100, help="mini-batches, one learning rate each (100)"
    )
    p.add_argument("--json", action="store_true", help='print {"suggested_lr", "lrs", "losses"}')


def run_args(args: argparse.Namespace, config: TrainConfig) -> int:
    """Run the range test for ``main.py lr-find`` and print the suggestion."""
    try:
        lrs = lr_schedule(args.start, args.end, args.steps)
    except ValueError as exc:
        raise ValueError(f"--start/--end/--steps: {exc}") from exc
    stream = sys.stderr

    def progress(done: int, total: int) -> None:
        if stream.isatty():
            stream.write(f"\rlr-find: step {done}/{total}".ljust(40))
            stream.flush()

    result = lr_find(config, lrs[0], lrs[-1], len(lrs), progress=progress)
    if stream.isatty():
        stream.write("\r" + " " * 40 + "\r")
    if args.json:
        print(json.dumps(result.to_dict()))
    else:
        print(result_text(result))
    return 0 if result.suggested_lr is not None else 1


def result_text(result: LRFindResult) -> str:
    """The range test in words: the suggestion and where the loss was lowest or diverged."""
    if not result.lrs:
        return "lr-find: the loss was not finite from the first batch; lower --start."
    low = min(range(len(result.losses)), key=result.losses.__getitem__)
    lines = [
        f"tried {len(result.lrs)} learning rates from {result.lrs[0]:.3g} to "
        f"{result.lrs[-1]:.3g}" + (" (stopped: the loss diverged)" if result.diverged else ""),
        f"lowest smoothed loss {result.losses[low]:.4f} at lr {result.lrs[low]:.3g}",
    ]
    if result.suggested_lr is None:
        lines.append("no suggestion: the loss never fell; widen --start/--end or add --steps.")
    else:
        lines.append(
            f"suggested learning rate: {result.suggested_lr:.3g} "
            "(steepest descent of the smoothed loss)"
        )
    return "\n".join(lines)


__all__ = [
    "DIVERGE",
    "SMOOTHING",
    "LRFindResult",
    "lr_find",
    "lr_schedule",
    "range_test",
    "result_text",
    "suggest_lr",
]
