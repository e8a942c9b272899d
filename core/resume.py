"""Resuming a run: what last.pt brings back, and what the settings given now change.

``train --resume RUN/last.pt`` restores the weights, the epoch count and, when nothing
that shapes it changed, the optimizer and learning-rate schedule exactly, so a
resumed run repeats an uninterrupted one. Settings passed with the resume are
applied, never silently dropped (:func:`restore_training`):

* learning rate, weight decay, momentum: set on the restored optimizer;
* another optimizer type: a fresh optimizer state (Adam's statistics mean nothing
  to SGD), said in a note;
* more epochs, a new learning rate or schedule: the schedule continues from where
  the run is over the new length (:class:`LRPlan`): cosine from the current rate down
  to zero at the new last epoch; step keeps multiplying by gamma every step-size
  epochs from the current rate; one-cycle runs a new cycle over the added epochs;
  none stays at the learning rate. A plan is plain numbers, stored in last.pt and
  config.json, so a resumed resume continues it exactly.

last.pt also records a fingerprint of the data (:func:`data_fingerprint`); resuming
on other data is allowed but said, and "best" starts again on the new data.
"""

from __future__ import annotations

import hashlib
import math
import os
from dataclasses import asdict, dataclass, field
from typing import Any

import torch

from core import BUILTIN_DIGITS

__all__ = [
    "LRPlan",
    "Restored",
    "data_change_note",
    "data_fingerprint",
    "restore_training",
]

# torch's OneCycleLR defaults, which fresh runs use (core.trainsetup.build_scheduler)
_ONECYCLE_PCT, _ONECYCLE_DIV, _ONECYCLE_FINAL_DIV = 0.3, 25.0, 1e4


@dataclass
class LRPlan:
    """The learning-rate schedule of a resumed run from epoch ``start`` to ``end``.

    A callable for torch's LambdaLR: ``plan(t)`` is the factor on ``lr`` after ``t``
    scheduler steps (epochs; batches for one-cycle). Plain fields only, so last.pt
    stores it and a later resume rebuilds it.
    """

    kind: str  # none | step | cosine | onecycle
    lr: float  # the rate the plan starts from (the peak for one-cycle)
    start: int  # epochs done when the plan began
    end: int  # the run's last epoch
    steps_per_epoch: int = 1
    step_size: int = 1
    gamma: float = 1.0
    key: list = field(default_factory=list)  # the settings it was made for (_schedule_key)

    @property
    def per_batch(self) -> bool:
        return self.kind == "onecycle"

    def position(self, done: int) -> int:
        """Scheduler steps taken once ``done`` epochs are complete."""
        epochs = max(0, done - self.start)
        return epochs * self.steps_per_epoch if self.per_batch else epochs

    def __call__(self, t: int) -> float:
        if self.kind == "step":
            drops = (self.start + t) // self.step_size - self.start // self.step_size
            return self.gamma**drops
        if self.kind == "cosine":
            n = max(1, self.end - self.start)
            return (1.0 + math.cos(math.pi * min(t, n) / n)) / 2.0
        if self.kind == "onecycle":
            return _one_cycle(t, max(2, (self.end - self.start) * self.steps_per_epoch))
        return 1.0

    def describe(self) -> str:
        first = self.start + 1
        span = f"epochs {first}-{self.end}" if self.end > first else f"epoch {self.end}"
        if self.kind == "cosine":
            return f"cosine from {self.lr:.3g} down to 0 over {span}"
        if self.kind == "step":
            return (
                f"step from {self.lr:.3g}, times {self.gamma:g} every {self.step_size} "
                f"epoch(s), over {span}"
            )
        if self.kind == "onecycle":
            return f"a new one-cycle over {span} (warm up to {self.lr:.3g}, then anneal)"
        return f"constant {self.lr:.3g} over {span}"

    def to_dict(self) -> dict:
        return asdict(self)


def _one_cycle(t: int, total: int) -> float:
    """OneCycleLR's factor on max_lr at step ``t`` of ``total`` (two phases, cosine)."""
    t = min(t, total - 1)
    low, final = 1.0 / _ONECYCLE_DIV, 1.0 / _ONECYCLE_DIV / _ONECYCLE_FINAL_DIV
    peak = max(1.0, _ONECYCLE_PCT * total - 1)
    if t <= peak:
        start, stop, frac = low, 1.0, t / peak
    else:
        start, stop, frac = 1.0, final, (t - peak) / max(1.0, total - 1 - peak)
    return stop + (start - stop) / 2.0 * (math.cos(math.pi * min(frac, 1.0)) + 1.0)


@dataclass
class Restored:
    """What :func:`restore_training` set up: the schedule to step, and what to tell."""

    scheduler: Any
    per_batch: bool
    plan: dict | None
    notes: list[str]


# --------------------------------------------------------------------------- settings


def _schedule_key(cfg: dict, steps_per_epoch: int | None) -> list:
    """The settings that shape a schedule: equal keys, the same learning rates."""
    kind = cfg.get("scheduler", "none")
    key = [kind, _num(cfg.get("lr"))]
    if kind == "step":
        key += [cfg.get("step_size"), _num(cfg.get("gamma"))]
    elif kind == "cosine":
        key += [cfg.get("epochs")]
    elif kind == "onecycle":
        key += [cfg.get("epochs"), steps_per_epoch]
    return key


def _num(value: Any) -> float | None:
    return float(value) if isinstance(value, int | float) else None


def _changed_settings(old: dict, new: dict) -> list[str]:
    names = ("epochs", "lr", "optimizer", "momentum", "weight_decay", "scheduler")
    names += ("step_size", "gamma")
    out = []
    for name in names:
        if name in old and old[name] != new.get(name):
            out.append(f"{name} {old[name]} -> {new.get(name)}")
    return out


def _restore_optimizer(cfg: dict, old: dict, ckpt: dict, optimizer, notes: list[str]) -> bool:
    """Load the optimizer state when the type matches; apply the settings given now."""
    state = ckpt.get("optimizer")
    if not state:
        return False
    if old.get("optimizer") not in (None, cfg["optimizer"]):
        notes.append(
            f"The optimizer changed from {old['optimizer']} to {cfg['optimizer']}: it starts "
            "with a fresh state (nothing of the old one's momentum or statistics is kept); "
            "the weights and the epoch count are resumed."
        )
        return False
    try:
        optimizer.load_state_dict(state)
    except (ValueError, KeyError, RuntimeError) as exc:
        notes.append(f"The optimizer state could not be restored ({exc}); it starts fresh.")
        return False
    for group in optimizer.param_groups:
        group["weight_decay"] = float(cfg["weight_decay"])
        if cfg["optimizer"] == "sgd" and "momentum" in group:
            group["momentum"] = float(cfg["momentum"])
    return True


def _old_steps_per_epoch(ckpt: dict, old: dict) -> int | None:
    steps = ckpt.get("steps_per_epoch")
    if isinstance(steps, int):
        return steps
    total = (ckpt.get("scheduler") or {}).get("total_steps")  # OneCycleLR's state
    epochs = old.get("epochs")
    if isinstance(total, int) and isinstance(epochs, int) and epochs > 0:
        return total // epochs
    return None


# --------------------------------------------------------------------------- the schedule


def _start_rate(cfg: dict, old: dict, ckpt: dict, done: int) -> float:
    """Where a continued schedule starts: the new --lr if one was given, else where the
    run is (the rate of its last epoch when its cosine or one-cycle had run out)."""
    if _num(old.get("lr")) != _num(cfg["lr"]):
        return float(cfg["lr"])
    groups = (ckpt.get("optimizer") or {}).get("param_groups") or [{}]
    current = _num(groups[0].get("lr"))
    ended = done >= int(old.get("epochs") or 0)
    if ended and old.get("scheduler") in ("cosine", "onecycle"):
        current = _num((ckpt.get("metrics") or {}).get("lr")) or current
    return current if current and current > 0 else float(cfg["lr"])


def _lambda_scheduler(optimizer, plan: LRPlan, done: int):
    """torch's LambdaLR over ``plan``, at the position of ``done`` completed epochs."""
    for group in optimizer.param_groups:
        group["initial_lr"] = plan.lr
        group["lr"] = plan.lr
    sched = torch.optim.lr_scheduler.LambdaLR(optimizer, plan)
    _position(sched, optimizer, plan.position(done), plan)
    return sched


def _position(sched, optimizer, steps: int, fn) -> None:
    sched.last_epoch = steps
    for group, base in zip(optimizer.param_groups, sched.base_lrs, strict=True):
        group["lr"] = base * fn(steps)
    sched._last_lr = [group["lr"] for group in optimizer.param_groups]


def _reposition_one_cycle(sched, optimizer, steps: int) -> None:
    """A stop mid-epoch saved OneCycleLR past the epoch the resume repeats: step back,
    so the run ends on the cycle's last step instead of "Tried to step X times"."""
    import warnings

    sched.last_epoch = min(steps, sched.total_steps)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # "use get_last_lr()": we want the lr at this step
        lrs = sched.get_lr()
    for group, lr in zip(optimizer.param_groups, lrs, strict=True):
        group["lr"] = lr
    sched._last_lr = list(lrs)


def restore_training(
    cfg: dict,
    ckpt: dict,
    optimizer,
    scheduler,
    per_batch: bool,
    steps_per_epoch: int,
    done: int,
) -> Restored:
    """Bring back optimizer and schedule from last.pt, applying the settings in ``cfg``.

    ``scheduler``/``per_batch`` are what core.trainsetup built for ``cfg``; ``done`` is
    the number of completed epochs. Returns the schedule to step and the notes for the
    user (what changed, a fresh optimizer, the continued schedule).
    """
    old = dict(ckpt.get("config") or {})
    notes: list[str] = []
    changed = _changed_settings(old, cfg)
    if changed:
        notes.append("Resuming with changed settings: " + ", ".join(changed) + ".")
    restored = _restore_optimizer(cfg, old, ckpt, optimizer, notes)
    key = _schedule_key(cfg, steps_per_epoch)
    saved_plan = ckpt.get("lr_plan")
    if restored and isinstance(saved_plan, dict) and saved_plan.get("key") == key:
        plan = LRPlan(**saved_plan)  # a continued run, continued again unchanged
        return Restored(_lambda_scheduler(optimizer, plan, done), plan.per_batch, saved_plan, notes)
    old_key = _schedule_key(old, _old_steps_per_epoch(ckpt, old)) if old else key
    if restored and not saved_plan and old_key == key:
        if scheduler is not None and ckpt.get("scheduler"):
            scheduler.load_state_dict(ckpt["scheduler"])
            if per_batch:
                _reposition_one_cycle(scheduler, optimizer, done * steps_per_epoch)
        return Restored(scheduler, per_batch, None, notes)
    plan = LRPlan(
        kind=cfg["scheduler"],
        lr=float(cfg["lr"]) if cfg["scheduler"] in ("none", "onecycle") else 0.0,
        start=done,
        end=int(cfg["epochs"]),
        steps_per_epoch=max(1, steps_per_epoch),
        step_size=int(cfg.get("step_size") or 1),
        gamma=float(cfg.get("gamma") or 1.0),
        key=key,
    )
    if not plan.lr:
        plan.lr = _start_rate(cfg, old, ckpt, done)
    notes.append(f"The learning rate follows {plan.describe()}.")
    sched = _lambda_scheduler(optimizer, plan, done)
    return Restored(sched, plan.per_batch, plan.to_dict(), notes)


# --------------------------------------------------------------------------- the data


def data_fingerprint(splits) -> dict:
    """What the run trained on: the files (relative to the dataset), their sizes and
    labels, as a hash with counts. The built-in digits are the same everywhere."""
    summary = splits.summary
    if summary.source == BUILTIN_DIGITS:
        return {"source": BUILTIN_DIGITS, "files": len(splits.train) + len(splits.valid)}
    digest = hashlib.sha256()
    files = total = 0
    for split, dataset in (("train", splits.train), ("valid", splits.valid)):
        for path, label in getattr(dataset, "samples", []):
            try:
                size = os.stat(path).st_size
            except OSError:
                size = -1
            rel = os.path.relpath(path, summary.source)
            digest.update(f"{split}\0{label}\0{rel}\0{size}\n".encode("utf-8", "surrogateescape"))
            files += 1
            total += max(size, 0)
    return {"sha256": digest.hexdigest(), "files": files, "bytes": total}


def data_change_note(old: Any, new: dict) -> str | None:
    """The warning when last.pt was trained on other data (None: same, or not recorded)."""
    if not isinstance(old, dict) or not old or old == new:
        return None

    def what(fp: dict) -> str:
        size = f", {fp['bytes'] / 1e6:.1f} MB" if isinstance(fp.get("bytes"), int) else ""
        return f"{fp.get('source') or 'a folder'} of {fp.get('files', '?')} files{size}"

    return (
        f"The data differs from the data this run was trained on (then {what(old)}; now "
        f"{what(new)}): accuracies before and after do not compare, so the best epoch "
        "starts again here and best.pt will be replaced by the best epoch on this data."
    )
