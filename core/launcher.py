"""Starting a run of several processes on this machine, and following one from the app.

* :func:`launch_local`: ``main.py train --nproc N`` (outside torchrun) starts torchrun for
  this machine through its own API (torch.distributed.run with ``--standalone``: a
  rendezvous on a free local port), N workers running ``python -m core.cli train``
  with the same settings (passed in a temporary config file), and waits. Before
  starting anything it refuses a folder that holds a run and makes the fresh one; each
  process gets cores/N threads; a failure ends with one line naming the process that
  failed and its message.
* :class:`EventStream` and :func:`read_event`: ``train --events`` makes rank 0 print every
  training event as one JSON line on stdout (batches at most ~20 a second), which the
  app turns back into core.events' dataclasses.
* :func:`run_processes`: what the app's training worker runs when Processes > 1: the
  launcher in a subprocess, its events handed to the worker's callbacks as if the
  trainer ran in the same thread. Stop sends SIGINT to the launcher (torchrun forwards
  it; every process stops at the same batch and rank 0 writes last.pt), then SIGTERM and
  SIGKILL if the run does not end; pause sends SIGUSR1 to rank 0 and resume SIGUSR2
  (every process waits at the same batch).

Torch-free at import; only the launcher imports torch.distributed.run.
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import json
import os
import queue
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import deque
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from core.appdirs import drop_if_empty, fresh_run_dir  # plain Python
from core.events import (
    BatchEnded,
    Callback,
    CheckpointSaved,
    EpochEnded,
    FitEnded,
    FitStarted,
    PhaseProgressed,
    TrainControl,
    TrainingError,
    plain,
)

__all__ = [
    "EventStream",
    "launch_local",
    "local_slots",
    "read_event",
    "run_processes",
    "torchrun_command",
]

#: the JSON lines' "event" names and the dataclasses they carry (core.events)
EVENT_TYPES = {
    "fit_start": FitStarted,
    "batch_end": BatchEnded,
    "epoch_end": EpochEnded,
    "checkpoint": CheckpointSaved,
    "phase": PhaseProgressed,
    "fit_end": FitEnded,
}
BATCH_INTERVAL_S = 0.05  # at most ~20 batch lines a second (the app shows no more)
#: after Stop: SIGINT, then SIGTERM after this long, then SIGKILL as long again later
#: (torchrun itself kills a worker 30 s after forwarding a signal)
STOP_GRACE_S = 45.0
ROOT = Path(__file__).resolve().parent.parent  # holds core/: the workers import it


def local_slots() -> int:
    """How many processes make sense here: CPU cores or CUDA GPUs, whichever is more."""
    from core.distributed import cpu_cores

    gpus = 0
    torch = sys.modules.get("torch")  # counted only once PyTorch is loaded anyway
    if torch is not None and torch.cuda.is_available():
        gpus = torch.cuda.device_count()
    return max(cpu_cores(), gpus)


# ----------------------------------------------------------------------------- launcher


def torchrun_command(nproc: int, worker_argv: Sequence[str]) -> list[str]:
    """torchrun's arguments for N local workers running ``python -m core.cli ARGV``."""
    return [
        "--standalone",
        f"--nproc-per-node={int(nproc)}",
        "--monitor-interval=0.2",
        "--module",
        "core.cli",
        *worker_argv,
    ]


def launch_local(args: argparse.Namespace, config: Any) -> int:
    """``main.py train --nproc N``: torchrun for this machine; returns the exit code."""
    from core.runfolder import check_out_folder

    fresh = None
    if args.out is None and not args.resume:  # as one process: a fresh folder of the app's
        fresh = fresh_run_dir(config.arch)
        config.out = str(fresh)
    else:  # now, before N processes start only to refuse it
        check_out_folder(config.out, config.resume, args.overwrite)
    nproc = int(config.nproc)
    from core.distributed import cpu_cores

    threads = args.threads or max(1, cpu_cores() // nproc)
    try:
        with tempfile.TemporaryDirectory(prefix="convstudio-launch-") as tmp:
            cfg_file = Path(tmp) / "config.json"
            cfg_file.write_text(json.dumps(config.to_dict()), encoding="utf-8")
            argv = ["train", "--config", str(cfg_file), "--out", config.out]
            argv += ["--threads", str(threads)]
            argv += ["--resume", config.resume] if config.resume else []
            argv += ["--backend", args.backend] if getattr(args, "backend", None) else []
            for flag in ("overwrite", "json", "events"):
                argv += [f"--{flag}"] if getattr(args, flag, False) else []
            return _run_torchrun(nproc, argv, threads)
    finally:
        drop_if_empty(fresh)


def _run_torchrun(nproc: int, argv: list[str], threads: int) -> int:
    import logging

    from torch.distributed.elastic.multiprocessing.api import SignalException
    from torch.distributed.elastic.multiprocessing.errors import ChildFailedError
    from torch.distributed.run import parse_args, run

    # the workers print what matters; the agent's own log repeats it at length (each of
    # its loggers has its own level, set when torch.distributed.elastic was imported)
    for name in list(logging.root.manager.loggerDict):
        if name.startswith("torch.distributed.elastic"):
            logging.getLogger(name).setLevel(logging.CRITICAL)
    os.environ["OMP_NUM_THREADS"] = str(threads)  # what each worker gets (no banner)
    os.environ.setdefault("PYTHONPATH", str(ROOT))
    try:
        run(parse_args(torchrun_command(nproc, argv)))
    except ChildFailedError as exc:
        rank, failure = _root_cause(exc)
        print(f"error: process {rank} of {nproc} failed: {_failure_text(failure)}", file=sys.stderr)
        return failure.exitcode if failure.exitcode > 0 else 1
    except SignalException as exc:
        print(f"stopped by {signal.Signals(exc.sigval).name}", file=sys.stderr)
        return 130
    return 0


def _root_cause(exc: Any) -> tuple[int, Any]:
    """The failure that started it: the earliest that is not a PeerFailed consequence."""
    failures = sorted(exc.failures.items(), key=lambda kv: kv[1].timestamp)
    for rank, failure in failures:
        if "PeerFailed" not in _failure_text(failure, strip=False):
            return rank, failure
    return exc.get_first_failure()


def _failure_text(failure: Any, strip: bool = True) -> str:
    msg = failure.message
    if isinstance(msg, dict):  # the error file @record wrote: {"message": "Type: text", ...}
        msg = msg.get("message", "")
    msg = str(msg).strip()
    if strip:  # "TrainingError: the loss became nan" -> the message, as one process says it
        msg = re.sub(r"^\w*(Error|Exception|Failed): ", "", msg)
    return msg.splitlines()[0] if msg else f"exit code {failure.exitcode}"


# ----------------------------------------------------------------------------- events


class EventStream(Callback):
    """Every training event as one JSON line on ``stream`` (stdout): ``{"event": ...}``."""

    def __init__(self, stream=None, interval_s: float = BATCH_INTERVAL_S) -> None:
        self.stream = stream
        self.interval_s = interval_s
        self._last = -float("inf")

    def _write(self, event: str, payload: Any = None) -> None:
        obj = {"event": event}
        if payload is not None:
            obj.update(plain(dataclasses.asdict(payload)))
        stream = self.stream or sys.stdout
        stream.write(json.dumps(obj) + "\n")
        stream.flush()

    def on_fit_start(self, ev: FitStarted) -> None:
        self._write("fit_start", ev)

    def on_batch_end(self, ev: BatchEnded) -> None:
        now = time.monotonic()
        if ev.step >= ev.steps or now - self._last >= self.interval_s:
            self._last = now
            self._write("batch_end", ev)

    def on_epoch_end(self, ev: EpochEnded) -> None:
        self._write("epoch_end", ev)

    def on_checkpoint(self, ev: CheckpointSaved) -> None:
        self._write("checkpoint", ev)

    def on_phase(self, ev: PhaseProgressed) -> None:
        self._write("phase", ev)

    def on_fit_end(self, ev: FitEnded) -> None:
        self._write("fit_end", ev)

    def on_pause(self) -> None:
        self._write("pause")

    def on_resume(self) -> None:
        self._write("resume")


def read_event(line: str) -> tuple[str, Any] | None:
    """(name, event) of one JSON line: a core.events dataclass for the trainer's events, a
    dict for the others ("process", "exception", "pause", "resume"); None if not one."""
    try:
        obj = json.loads(line)
    except ValueError:
        return None
    if not isinstance(obj, dict) or not isinstance(obj.get("event"), str):
        return None
    name = obj.pop("event")
    kind = EVENT_TYPES.get(name)
    if kind is None:
        return name, obj
    values = {}
    for f in dataclasses.fields(kind):
        if f.name in obj:
            value = obj[f.name]
            is_tuple = "tuple" in str(f.type) and isinstance(value, list)
            values[f.name] = tuple(value) if is_tuple else value
    try:
        return name, kind(**values)
    except TypeError:  # a line of another version
        return None


# ----------------------------------------------------------------------------- the app


def run_processes(
    config: Any,
    callbacks: Sequence[Callback],
    control: TrainControl,
    *,
    overwrite: bool = False,
) -> dict:
    """Train ``config`` (``nproc`` > 1) in local processes; return the summary like fit().

    Rank 0's events reach ``callbacks`` in this thread; ``control`` steers the run (stop,
    pause). A failure raises TrainingError with the failed process's message.
    """
    with tempfile.TemporaryDirectory(prefix="convstudio-run-") as tmp:
        cfg_file = Path(tmp) / "config.json"
        cfg_file.write_text(json.dumps(config.to_dict()), encoding="utf-8")
        cmd = [sys.executable, "-m", "core.cli", "train", "--config", str(cfg_file)]
        cmd += ["--out", str(config.out), "--events"]
        cmd += ["--resume", str(config.resume)] if config.resume else []
        cmd += ["--overwrite"] if overwrite else []
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH")) if p)
        proc = subprocess.Popen(
            cmd,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            stdin=subprocess.DEVNULL,
            text=True,
            encoding="utf-8",
            errors="backslashreplace",
            env=env,
            cwd=str(ROOT),
            start_new_session=True,  # a Ctrl-C meant for the app does not reach the run
        )
        return _Follower(proc, callbacks, control).run()


class _Follower:
    """Reads a launcher's output, hands its events on and passes stop and pause to it."""

    def __init__(self, proc: subprocess.Popen, callbacks: Sequence[Callback], control) -> None:
        self.proc, self.callbacks, self.control = proc, list(callbacks), control
        self.lines: queue.Queue = queue.Queue()
        self.pids: dict[int, int] = {}
        self.errors: list[dict] = []
        self.stderr: deque[str] = deque(maxlen=40)
        self.fit_ended: FitEnded | None = None
        self.paused_sent = False
        self.stop_sent_at: float | None = None
        self.kills = 0
        for name, stream in (("out", proc.stdout), ("err", proc.stderr)):
            threading.Thread(
                target=self._read, args=(name, stream), daemon=True, name=f"convstudio-{name}"
            ).start()

    def _read(self, name: str, stream) -> None:
        for line in stream:
            self.lines.put((name, line))
        self.lines.put((name, None))

    def run(self) -> dict:
        open_streams = 2
        try:
            while open_streams:
                self._steer()
                try:
                    name, line = self.lines.get(timeout=0.1)
                except queue.Empty:
                    continue
                if line is None:
                    open_streams -= 1
                elif name == "err":
                    self.stderr.append(line.rstrip())
                else:
                    self._handle(line)
            while self.proc.poll() is None:
                self._steer()
                time.sleep(0.1)
        except BaseException:
            self._kill_all()
            raise
        if self.fit_ended is not None:
            return dict(self.fit_ended.summary)
        if self.control.should_stop and not self.errors:  # stopped before training began
            return {"stopped": True, "error": None, "best_epoch": None, "best_pt": None}
        err = TrainingError(self._error_text())
        for cb in self.callbacks:
            cb.on_exception(err)
        raise err

    def _handle(self, line: str) -> None:
        got = read_event(line)
        if got is None:
            return
        name, ev = got
        if name == "process":
            self.pids[int(ev.get("rank", -1))] = int(ev.get("pid", 0))
            return
        if name == "exception":
            self.errors.append(ev)
            return
        if name == "fit_end":
            self.fit_ended = ev
        args = () if isinstance(ev, dict) else (ev,)
        for cb in self.callbacks:
            getattr(cb, f"on_{name}", lambda *a: None)(*args)

    # ------------------------------------------------------------------ steering
    def _steer(self) -> None:
        if self.control.should_stop:
            self._stop()
            return
        want = bool(self.control.is_paused)
        if want != self.paused_sent and 0 in self.pids and hasattr(signal, "SIGUSR1"):
            sig = signal.SIGUSR1 if want else signal.SIGUSR2
            with contextlib.suppress(OSError):
                os.kill(self.pids[0], sig)
            self.paused_sent = want

    def _stop(self) -> None:
        now = time.monotonic()
        if self.proc.poll() is not None:
            return
        if self.stop_sent_at is None:
            self.stop_sent_at = now
            with contextlib.suppress(OSError):
                self.proc.send_signal(signal.SIGINT)
        elif now - self.stop_sent_at > STOP_GRACE_S * (self.kills + 1):
            self.kills += 1
            if self.kills == 1:
                with contextlib.suppress(OSError):
                    self.proc.terminate()
            else:
                self._kill_all()

    def _kill_all(self) -> None:
        """Last resort: SIGKILL the launcher and every worker it told us about."""
        kill = getattr(signal, "SIGKILL", signal.SIGTERM)
        for pid in self.pids.values():
            with contextlib.suppress(OSError):
                os.kill(pid, kill)
        with contextlib.suppress(OSError):
            self.proc.kill()

    def _error_text(self) -> str:
        own = [e for e in self.errors if not e.get("peer")] or self.errors
        if own:
            e = own[0]
            return f"process {e.get('rank')} failed: {e.get('message')}"
        said = [line[len("error: ") :] for line in self.stderr if line.startswith("error: ")]
        if said:
            return said[-1]
        tail = "; ".join(line for line in list(self.stderr)[-3:] if line.strip())
        return f"the training processes ended with exit code {self.proc.returncode}: {tail}"
