"""Several processes, GPUs or machines: the trainer under torchrun and DistributedDataParallel.

``torchrun --nproc_per_node=N main.py train ...`` (or ``main.py train --nproc N``, which
starts torchrun for this machine: core.launcher) runs one training run over N
processes. Each runs the ordinary core.trainer.Trainer with a :class:`Distributed`
context, which the trainer calls at a few points to do what PyTorch's DDP recipe asks:

* set-up (:func:`setup`): the process group from torchrun's environment (RANK,
  WORLD_SIZE, LOCAL_RANK, MASTER_ADDR ...); backend nccl on CUDA and gloo on CPU unless
  ``--backend`` or $CONVSTUDIO_DIST_BACKEND says otherwise; one GPU per process
  (cuda:LOCAL_RANK);
* data (:meth:`Distributed.shard_loaders`): the training images through a
  DistributedSampler (shuffled from the run's seed; the trainer calls ``set_epoch``
  each epoch, so every epoch shuffles differently; padded so that every process runs
  the same number of steps) and a strided, unpadded share of the validation images;
* the network (:meth:`Distributed.wrap`): what trains (the model, or its head on cached
  features) wrapped in DistributedDataParallel, which averages the gradients. Bundles
  keep holding the unwrapped model's state_dict, so they load like any other;
* agreement: the epoch's training and validation sums (loss, correct, images) are
  summed over the processes with all_reduce (:meth:`Distributed.all_sum`), so all have
  the same metrics and the same "best"; BatchNorm's running statistics come from rank
  0 before validating (the model saved is the one evaluated); stop and pause are
  agreed at every batch (:meth:`Distributed.agree`: one all_reduce of two flags,
  ~0.5 ms with gloo on 2 cores), so every process stops at the same batch;
* output: only rank 0 writes the run folder and prints; a process that fails records
  its error for torchrun (``@record``) and prints it, and torchrun's agent ends the
  others, which would otherwise wait for it in their next collective.

Signals in a worker: SIGINT and SIGTERM (what torchrun forwards when it is stopped)
stop the run after the current batch, and rank 0 writes last.pt; SIGUSR1 pauses and
SIGUSR2 resumes (the app sends them to rank 0; the others follow at the next batch).

Imports torch lazily: the CLI's ``--help`` and the app load this module without it.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import signal
import sys
import threading
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

from core.appdirs import drop_if_empty, fresh_run_dir  # plain Python
from core.events import Callback, TrainControl, TrainingError, plain

__all__ = [
    "BACKENDS",
    "Distributed",
    "OneProcess",
    "PeerFailed",
    "add_train_options",
    "cli_train",
    "config_file",
    "pick_backend",
    "pick_device",
    "progress_callback",
    "setup",
    "under_torchrun",
    "wanted",
]

BACKENDS = ("auto", "gloo", "nccl")
BACKEND_ENV = "CONVSTUDIO_DIST_BACKEND"
#: how long a collective waits for the others (torch's own default for gloo): long
#: enough for phases one process may take alone (a feature cache, a download); a
#: process that dies is noticed at once by torchrun's agent, not through this
TIMEOUT_ENV = "CONVSTUDIO_DIST_TIMEOUT_S"
DEFAULT_TIMEOUT_S = 1800.0
#: test hook: "R" or "R:STEP" makes rank R fail at that step of epoch 1 (default 2)
FAIL_ENV = "CONVSTUDIO_TEST_FAIL_RANK"
#: debugging aid: every rank appends its epochs and summary to DIR/rank-R.jsonl
LOG_ENV = "CONVSTUDIO_DIST_LOG"
PAUSE_POLL_S = 0.2


def under_torchrun(env: dict | None = None) -> bool:
    """True in a process started by torchrun (or anything that sets its variables)."""
    env = os.environ if env is None else env
    return all(key in env for key in ("RANK", "WORLD_SIZE", "MASTER_ADDR"))


def wanted(config: Any) -> bool:
    """Whether ``main.py train`` runs through this module: under torchrun, or --nproc > 1."""
    return under_torchrun() or int(getattr(config, "nproc", 1) or 1) > 1


class OneProcess:
    """The trainer's context when it runs alone: every hook does nothing."""

    rank, world_size, local_rank, local_world_size = 0, 1, 0, 1
    backend: str | None = None

    @property
    def is_main(self) -> bool:
        return self.rank == 0

    def wrap(self, net: Any) -> Any:
        return net

    def agree(self, trainer: Any) -> None:
        return None

    def all_sum(self, loss_sum: Any, correct: Any, seen: int) -> tuple[Any, Any, int]:
        return loss_sum, correct, seen

    def sync_buffers(self, model: Any) -> None:
        return None

    def shard_loaders(self, trainer: Any) -> None:
        return None

    def describe(self, batch_size: int) -> dict:
        """What summary.json records about the processes."""
        return {
            "world_size": self.world_size,
            "global_batch_size": self.world_size * int(batch_size),
            "backend": self.backend,
        }


class Distributed(OneProcess):
    """This process's place in a process group, and the trainer's hooks for DDP."""

    def __init__(
        self, rank: int, world_size: int, local_rank: int, local_world_size: int, device, backend
    ) -> None:
        self.rank, self.world_size = rank, world_size
        self.local_rank, self.local_world_size = local_rank, local_world_size
        self.device, self.backend = device, backend
        self.pause_requested = threading.Event()  # SIGUSR1 sets, SIGUSR2 clears
        self._wrapped: tuple[Any, Any] | None = None

    # ------------------------------------------------------------------ the network
    def wrap(self, net: Any) -> Any:
        """``net`` in DistributedDataParallel (one wrapper, made again when the trainer
        switches networks: two-stage's second stage). DDP broadcasts rank 0's weights."""
        if self._wrapped is None or self._wrapped[0] is not net:
            from torch.nn.parallel import DistributedDataParallel

            ids = [self.device.index] if self.device.type == "cuda" else None
            self._wrapped = None  # the old wrapper's hooks go before the new one's come
            self._wrapped = (net, DistributedDataParallel(net, device_ids=ids))
        return self._wrapped[1]

    def sync_buffers(self, model: Any) -> None:
        """Rank 0's buffers (BatchNorm statistics) everywhere: each process updated its
        own with its last batch, and the model rank 0 saves is the one evaluated."""
        import torch.distributed as dist

        with _collective():
            for buf in model.buffers():
                dist.broadcast(buf, 0)

    # ------------------------------------------------------------------ sums
    def all_sum(self, loss_sum: Any, correct: Any, seen: int) -> tuple[Any, Any, int]:
        """(loss sum, correct, images) summed over every process (exact in float64)."""
        import torch
        import torch.distributed as dist

        n = torch.tensor(float(seen), dtype=torch.float64, device=loss_sum.device)
        sums = torch.stack([loss_sum.double(), correct.double(), n])
        with _collective():
            dist.all_reduce(sums)
        return sums[0], sums[1], int(sums[2].item())

    # ------------------------------------------------------------------ stop and pause
    def _flags(self, control: TrainControl) -> tuple[bool, bool]:
        import torch
        import torch.distributed as dist

        flags = [int(control.should_stop), int(self.pause_requested.is_set())]
        t = torch.tensor(flags, dtype=torch.int64, device=self.device)
        with _collective():
            dist.all_reduce(t, op=dist.ReduceOp.MAX)
        stop, pause = (bool(v) for v in t.tolist())
        return stop, pause

    def agree(self, trainer: Any) -> None:
        """Before each batch, on every process: stop if any process was asked to, and
        pause while any is (polling together, so no collective waits out a long pause)."""
        stop, pause = self._flags(trainer.control)
        if pause and not stop:
            trainer.emit("on_pause")
            t0 = time.perf_counter()
            while pause and not stop:
                time.sleep(PAUSE_POLL_S)
                stop, pause = self._flags(trainer.control)
            trainer._paused_seconds += time.perf_counter() - t0  # not training time
            trainer.emit("on_resume")
        if stop:
            trainer.control.stop()  # the trainer's own check raises StopRequested

    # ------------------------------------------------------------------ data
    def shard_loaders(self, trainer: Any) -> None:
        """Each process's share: a DistributedSampler for training, every
        world_size-th image for validation (no padding: the sums count each image once)."""
        from torch.utils.data import DistributedSampler

        train, valid = trainer.train_loader, trainer.valid_loader
        sampler = DistributedSampler(
            train.dataset, self.world_size, self.rank, shuffle=True, seed=trainer.config.seed
        )
        n, bs = sampler.num_samples, train.batch_size
        trainer.sampler = sampler  # the trainer calls its set_epoch
        # BatchNorm cannot train on a final batch of one image (as core.trainsetup)
        trainer.train_loader = _like(train, sampler, drop_last=n > bs and n % bs == 1)
        shard = range(self.rank, len(valid.dataset), self.world_size)
        trainer.valid_loader = _like(valid, shard, drop_last=False)

    # ------------------------------------------------------------------ misc
    def note(self, batch_size: int) -> str:
        return (
            f"{self.world_size} processes ({self.backend}, {self.device.type}): batch size "
            f"{batch_size} per process, {self.world_size * batch_size} images per step; the "
            "learning rate is not scaled."
        )

    def broadcast(self, obj: Any) -> Any:
        """Rank 0's ``obj`` on every process."""
        import torch.distributed as dist

        box = [obj]
        with _collective():
            dist.broadcast_object_list(box, src=0)
        return box[0]

    def close(self) -> None:
        """Leave the group. The DDP wrapper holds it too, and the trainer's callbacks form
        reference cycles that keep the wrapper until a garbage collection, which may come
        only while the interpreter shuts down (one process aborted at its exit once,
        "terminate called without an active exception", likely so): both go now."""
        import gc

        import torch.distributed as dist

        self._wrapped = None
        gc.collect()
        if dist.is_initialized():
            dist.destroy_process_group()


def _like(loader: Any, sampler: Any, drop_last: bool) -> Any:
    """A DataLoader like ``loader`` over the same dataset, drawing from ``sampler``."""
    from torch.utils.data import DataLoader

    extra = {}
    if loader.num_workers > 0:
        extra = {"prefetch_factor": loader.prefetch_factor, "persistent_workers": False}
    return DataLoader(
        loader.dataset,
        batch_size=loader.batch_size,
        sampler=sampler,
        collate_fn=loader.collate_fn,
        generator=loader.generator,
        num_workers=loader.num_workers,
        pin_memory=loader.pin_memory,
        worker_init_fn=loader.worker_init_fn,
        drop_last=drop_last,
        **extra,
    )


# ----------------------------------------------------------------------------- set-up


def pick_device(name: str, local_rank: int, local_world_size: int):
    """cuda:LOCAL_RANK when training on CUDA (one GPU per process), else the CPU."""
    import torch

    name = str(name or "auto").strip().lower()
    if name == "mps":
        raise TrainingError("Several processes train on CPUs or CUDA GPUs, not mps; use cpu.")
    if name == "cpu" or (name == "auto" and not torch.cuda.is_available()):
        return torch.device("cpu")
    if not torch.cuda.is_available():
        raise TrainingError("CUDA was requested but no CUDA GPU is available; use --device cpu.")
    count = torch.cuda.device_count()
    if local_world_size > count:
        raise TrainingError(
            f"{local_world_size} processes on this machine need {local_world_size} GPUs but "
            f"it has {count}: start at most {count} (--nproc {count}) or use --device cpu."
        )
    device = torch.device("cuda", local_rank)
    torch.cuda.set_device(device)
    return device


def pick_backend(requested: str | None, device) -> str:
    """nccl for CUDA, gloo for the CPU; ``requested`` (or $CONVSTUDIO_DIST_BACKEND) wins."""
    name = str(requested or os.environ.get(BACKEND_ENV) or "auto").strip().lower()
    if name not in BACKENDS:
        raise ValueError(f"backend must be one of {', '.join(BACKENDS)}, not {name!r}.")
    if name == "auto":
        return "nccl" if device.type == "cuda" else "gloo"
    if name == "nccl" and device.type != "cuda":
        raise TrainingError("The nccl backend needs CUDA GPUs; use --backend gloo on the CPU.")
    return name


def setup(backend: str | None = None, device: str = "auto") -> Distributed:
    """Join the process group torchrun's environment describes (env:// rendezvous)."""
    import torch.distributed as dist

    env = os.environ
    rank, world = int(env["RANK"]), int(env["WORLD_SIZE"])
    local_rank = int(env.get("LOCAL_RANK", 0))
    local_world = int(env.get("LOCAL_WORLD_SIZE", world))
    dev = pick_device(device, local_rank, local_world)
    name = pick_backend(backend, dev)
    timeout = timedelta(seconds=float(env.get(TIMEOUT_ENV, DEFAULT_TIMEOUT_S)))
    dist.init_process_group(name, timeout=timeout)
    return Distributed(rank, world, local_rank, local_world, dev, name)


def cpu_cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


class PeerFailed(TrainingError):
    """This process stopped because another one of the run failed (it says why)."""

    def __init__(self) -> None:
        super().__init__("stopped because another process of the run failed (its message says why)")


def is_peer_failure(exc: BaseException) -> bool:
    """A collective that broke because another process went away."""
    text = str(exc).lower()
    return (
        isinstance(exc, PeerFailed)
        or type(exc).__name__ == "DistBackendError"
        or any(hint in text for hint in ("connection closed by peer", "connection reset by peer"))
    )


@contextlib.contextmanager
def _collective():
    """A collective that fails because a peer went away raises PeerFailed, which
    summary.json and the console state instead of gloo's socket error."""
    try:
        yield
    except Exception as exc:
        if is_peer_failure(exc) and not isinstance(exc, PeerFailed):
            raise PeerFailed() from exc
        raise


# ----------------------------------------------------------------------------- the CLI


def add_train_options(p: argparse.ArgumentParser) -> None:
    """``train``'s options for several processes (--nproc comes from TrainConfig)."""
    p.add_argument(
        "--backend",
        choices=BACKENDS,
        help="torch.distributed backend under torchrun/--nproc (default auto: nccl on CUDA, "
        f"gloo on the CPU; or ${BACKEND_ENV})",
    )
    p.add_argument(
        "--events",
        action="store_true",
        help="print every training event as one JSON line on stdout (rank 0; what the app reads)",
    )
    p.add_argument(
        "--config",
        metavar="CONFIG.json",
        help="start from the settings in a TrainConfig JSON file; options given win",
    )


def config_file(args: argparse.Namespace) -> dict:
    """The values of ``--config FILE`` ({} without it)."""
    path = getattr(args, "config", None)
    if not path:
        return {}
    try:
        values = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ValueError(f"--config {path} cannot be read as JSON: {exc}") from None
    if not isinstance(values, dict):
        raise ValueError(f"--config {path} must hold one JSON object of settings.")
    return values


def progress_callback(args: argparse.Namespace, console: Callback) -> Callback:
    """What ``train`` prints: ``console``, or with ``--events`` every event as a JSON line."""
    if getattr(args, "events", False):
        from core.launcher import EventStream

        return EventStream()
    return console


def cli_train(args: argparse.Namespace, config: Any, progress: Callback) -> int:
    """``main.py train`` with several processes: a worker under torchrun, else the
    launcher that starts torchrun for this machine (core.launcher)."""
    if not under_torchrun():
        from core.launcher import launch_local

        return launch_local(args, config)
    from torch.distributed.elastic.multiprocessing.errors import record

    return record(_worker)(args, config, progress)


def _worker(args: argparse.Namespace, config: Any, progress: Callback) -> int:
    """One process of the run: join the group, train, leave. Errors propagate (@record)."""
    import warnings

    import torch

    from core.trainer import Trainer

    ctx = setup(getattr(args, "backend", None), config.device)
    if not ctx.is_main:
        warnings.simplefilter("ignore")  # the others stay silent unless they fail
    control = TrainControl()
    previous = _install_signals(control, ctx)
    fresh = None
    try:
        _say_process(args, ctx)
        torch.set_num_threads(args.threads or max(1, cpu_cores() // ctx.local_world_size))
        if args.out is None and not args.resume:  # one fresh folder, made by rank 0
            config.out = ctx.broadcast(str(fresh_run_dir(config.arch)) if ctx.is_main else "")
            fresh = Path(config.out) if ctx.is_main else None
        trainer = Trainer(
            config,
            _callbacks(args, ctx, progress),
            control,
            device=ctx.device,
            rank=ctx.rank,
            dist=ctx,
            overwrite=args.overwrite,
        )
        trainer.notes.append(ctx.note(config.batch_size))
        summary = trainer.fit()
    except Exception as exc:
        peer = is_peer_failure(exc)
        _say_error(args, ctx, exc, peer)
        if peer and not isinstance(exc, PeerFailed):
            raise PeerFailed() from exc
        raise
    finally:
        _restore_signals(previous)
        ctx.close()
        drop_if_empty(fresh)  # it failed before writing anything: leave no empty folder
    return 0 if summary.get("best_epoch") or summary.get("stopped") else 1


def _callbacks(args: argparse.Namespace, ctx: Distributed, progress: Callback) -> list:
    callbacks: list[Callback] = [progress] if ctx.is_main else []
    log = os.environ.get(LOG_ENV)
    if log:
        callbacks.append(_RankLog(Path(log) / f"rank-{ctx.rank}.jsonl"))
    fail = os.environ.get(FAIL_ENV, "")
    if fail:
        rank, _, step = fail.partition(":")
        if rank.strip() == str(ctx.rank):
            callbacks.append(_FailOnPurpose(ctx.rank, int(step or 2)))
    return callbacks


def _say_process(args: argparse.Namespace, ctx: Distributed) -> None:
    """--events: each process's pid, so the app can pause rank 0 and end them all."""
    if args.events:
        line = {"event": "process", "rank": ctx.rank, "pid": os.getpid(), "world": ctx.world_size}
        _say(line)


def _say(obj: dict) -> None:
    """One JSON line on stdout in a single write: every process shares the pipe, and
    print()'s separate write of the newline let two processes' lines run together (the
    app then missed rank 0's pid and could not pause the run)."""
    sys.stdout.write(json.dumps(obj) + "\n")
    sys.stdout.flush()


def _say_error(args: argparse.Namespace, ctx: Distributed, exc: BaseException, peer: bool) -> None:
    if args.events:
        msg = str(exc).strip() or type(exc).__name__
        line = {"event": "exception", "rank": ctx.rank, "message": msg, "peer": peer}
        _say(line)


def _install_signals(control: TrainControl, ctx: Distributed) -> dict:
    def stop(signum, frame) -> None:
        control.stop()

    handlers = {
        signal.SIGINT: stop,
        signal.SIGTERM: stop,
        getattr(signal, "SIGUSR1", None): lambda *_: ctx.pause_requested.set(),
        getattr(signal, "SIGUSR2", None): lambda *_: ctx.pause_requested.clear(),
    }
    previous = {}
    for sig, handler in handlers.items():
        if sig is None:  # Windows has no SIGUSR1/2
            continue
        try:
            previous[sig] = signal.signal(sig, handler)
        except (ValueError, OSError):  # not the main thread
            pass
    return previous


def _restore_signals(previous: dict) -> None:
    for sig, handler in previous.items():
        try:
            signal.signal(sig, handler)
        except (ValueError, OSError, TypeError):
            pass


class _FailOnPurpose(Callback):
    """Test hook ($CONVSTUDIO_TEST_FAIL_RANK): this rank fails in the middle of epoch 1."""

    def __init__(self, rank: int, step: int) -> None:
        self.rank, self.step = rank, step

    def on_batch_end(self, ev) -> None:
        if ev.epoch == 1 and ev.step == self.step:
            raise TrainingError(f"process {self.rank} failed on purpose ({FAIL_ENV})")


class _RankLog(Callback):
    """$CONVSTUDIO_DIST_LOG: this rank's epochs and summary as JSON lines."""

    def __init__(self, path: Path) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)

    def _write(self, obj: dict) -> None:
        with open(self.path, "a", encoding="utf-8") as fh:
            fh.write(json.dumps(plain(obj)) + "\n")

    def on_epoch_end(self, ev) -> None:
        self._write({"event": "epoch", **ev.row(), "is_best": ev.is_best, "best": ev.best_epoch})

    def on_fit_end(self, ev) -> None:
        self._write({"event": "summary", **ev.summary})
