"""Several processes (core.distributed, core.launcher) without starting torchrun: the
DDP hooks in a one-process gloo group, the JSON event lines, and the app's follower
of a launcher (a stand-in script that speaks the same lines)."""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
import textwrap
import threading

import pytest
import torch

from core import config, distributed, launcher
from core.config import ConfigError, TrainConfig
from core.distributed import Distributed, OneProcess
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
)
from core.prefetch import AheadLoader
from core.trainer import Trainer


def _config(folder, out, **kw) -> TrainConfig:
    base = dict(data=str(folder), arch="mlp", augment="none", epochs=2, batch_size=4)
    base.update(lr=0.01, val_split=0.25, out=str(out), **kw)
    return TrainConfig(**base)


# ----------------------------------------------------------------------------- set-up


def test_torchrun_environment_backend_and_processes_setting(monkeypatch):
    assert distributed.under_torchrun({"RANK": "0", "WORLD_SIZE": "2", "MASTER_ADDR": "x"})
    assert not distributed.under_torchrun({"RANK": "0"})
    assert not distributed.wanted(TrainConfig()) and distributed.wanted(TrainConfig(nproc=2))
    cpu, cuda = torch.device("cpu"), torch.device("cuda", 0)
    monkeypatch.delenv(distributed.BACKEND_ENV, raising=False)
    assert distributed.pick_backend(None, cpu) == "gloo"
    assert distributed.pick_backend("auto", cuda) == "nccl"
    assert distributed.pick_backend("gloo", cuda) == "gloo"  # overridable
    monkeypatch.setenv(distributed.BACKEND_ENV, "gloo")
    assert distributed.pick_backend(None, cuda) == "gloo"
    with pytest.raises(TrainingError, match="nccl backend needs CUDA"):
        distributed.pick_backend("nccl", cpu)
    with pytest.raises(ValueError, match="backend must be one of"):
        distributed.pick_backend("mpi", cpu)
    with pytest.raises(TrainingError, match="not mps"):
        distributed.pick_device("mps", 0, 2)
    with pytest.raises(ConfigError, match="nproc"):
        TrainConfig(nproc=0).validate()
    assert config.setting("nproc").shown_when and "nproc" in config.fields_in("hyper")
    assert OneProcess().describe(32) == {"world_size": 1, "global_batch_size": 32, "backend": None}


@pytest.fixture
def one_process_group(tmp_path):
    """A real gloo process group of one process: the DDP hooks run as under torchrun."""
    import torch.distributed as dist

    dist.init_process_group(
        "gloo", init_method=f"file://{tmp_path / 'store'}", rank=0, world_size=1
    )
    try:
        yield Distributed(0, 1, 0, 1, torch.device("cpu"), "gloo")
    finally:
        dist.destroy_process_group()


def test_trainer_under_ddp_shards_wraps_sums_and_keeps_plain_bundles(
    tiny_folder, tmp_path, one_process_group
):
    ctx = one_process_group
    tr = Trainer(_config(tiny_folder, tmp_path / "run"), device="cpu", dist=ctx)
    summary = tr.fit()
    assert summary["world_size"] == 1 and summary["backend"] == "gloo"
    assert isinstance(tr.sampler, torch.utils.data.DistributedSampler)
    assert tr.sampler.epoch == 2  # set_epoch reached the sampler each epoch
    # image folders train through core.prefetch's AheadLoader: the sampler still decides
    assert isinstance(tr.train_loader, AheadLoader)
    assert tr.train_loader.batch_sampler.sampler is tr.sampler
    assert isinstance(ctx.wrap(tr.net), torch.nn.parallel.DistributedDataParallel)
    bundle = torch.load(tmp_path / "run" / "best.pt", weights_only=True)
    assert not any(k.startswith("module.") for k in bundle["state_dict"])  # unwrapped


def test_pause_and_stop_are_agreed_between_batches(tiny_folder, tmp_path, one_process_group):
    ctx = one_process_group
    control = TrainControl()
    seen: list[str] = []

    class Steer(Callback):
        def on_batch_end(self, ev):
            if ev.global_step == 1:
                ctx.pause_requested.set()  # what SIGUSR1 does
                threading.Timer(0.5, ctx.pause_requested.clear).start()  # SIGUSR2
            if ev.global_step == 3:
                control.stop()  # what SIGINT does

        def on_pause(self):
            seen.append("pause")

        def on_resume(self):
            seen.append("resume")

    cfg = _config(tiny_folder, tmp_path / "run", epochs=3)
    summary = Trainer(cfg, [Steer()], control, device="cpu", dist=ctx).fit()
    assert seen == ["pause", "resume"] and summary["stopped"]
    assert (tmp_path / "run" / "last.pt").is_file()


# ----------------------------------------------------------------------------- event lines

EVENTS = [
    FitStarted("r", "mlp", 2, ["a", "b"], 5, 6, "cpu", "fp32", 3, 1, 4, 18, 6, {"k": 1}, ("n",)),
    BatchEnded(1, 3, 4, 4, 0.5, 0.01, 100.0, 4),
    EpochEnded(1, 3, 0.5, 0.7, float("nan"), 0.5, 0.01, True, 0.5, 1, 1.0, 1, ("x: gone",)),
    CheckpointSaved("best", "r/best.pt", 1, 0.5),
    PhaseProgressed("features", 3, 3, "images", "done"),
    FitEnded({"best_epoch": 1}, False, "r"),
]


def test_event_lines_round_trip():
    lines: list[str] = []

    class Sink:
        def write(self, text):
            lines.append(text)

        def flush(self):
            pass

    stream = launcher.EventStream(Sink())
    for hook, ev in zip(launcher.EVENT_TYPES, EVENTS, strict=True):
        getattr(stream, f"on_{hook}")(ev)
    stream.on_pause()
    got = [launcher.read_event(line) for line in lines]
    assert [name for name, _ in got[:-1]] == list(launcher.EVENT_TYPES)
    for (_, ev), want in zip(got[:-1], EVENTS, strict=True):
        if isinstance(want, EpochEnded):
            assert math.isnan(ev.val_loss) and ev.skipped_examples == ("x: gone",)
        else:
            assert ev == want  # tuples come back as tuples
    assert got[-1] == ("pause", {})
    assert launcher.read_event("warning: not json") is None
    assert launcher.read_event('{"event": "batch_end", "epoch": 1}') is None  # other version


def test_event_stream_sends_batches_at_most_every_interval_and_each_epochs_last():
    lines: list[str] = []
    sink = type("S", (), {"write": lambda self, t: lines.append(t), "flush": lambda self: None})
    stream = launcher.EventStream(sink(), interval_s=3600)
    for step in range(1, 6):
        stream.on_batch_end(BatchEnded(1, 1, step, 5, 0.1, 0.1, 1.0, step))
    assert [json.loads(line)["step"] for line in lines] == [1, 5]


# ----------------------------------------------------------------------------- the follower

FAKE_LAUNCHER = textwrap.dedent(
    """
    import json, os, signal, sys, time
    def say(**obj):
        print(json.dumps(obj), flush=True)
    mode = sys.argv[1]
    say(event="process", rank=0, pid=os.getpid(), world=2)
    if mode == "starting":  # a stop before training began: SIGINT's default, no events
        time.sleep(30)
    if mode == "fail":
        say(event="exception", rank=0, message="peer went away", peer=True)
        say(event="exception", rank=1, message="the loss became nan", peer=False)
        print("error: process 1 of 2 failed: the loss became nan", file=sys.stderr)
        sys.exit(1)
    state = {"stop": False}
    signal.signal(signal.SIGUSR1, lambda *a: say(event="pause"))
    signal.signal(signal.SIGUSR2, lambda *a: say(event="resume"))
    signal.signal(signal.SIGINT, lambda *a: state.update(stop=True))
    say(event="fit_start", run_dir="r", arch="mlp", num_classes=2, class_names=["a", "b"],
        trainable_params=1, total_params=1, device="cpu", precision="fp32", epochs=1,
        start_epoch=1, steps_per_epoch=9, train_size=9, valid_size=3, summary={}, notes=[])
    step = 0
    while not state["stop"]:
        step += 1
        say(event="batch_end", epoch=1, epochs=1, step=step, steps=10**6, loss=0.5,
            lr=0.1, images_per_second=1.0, global_step=step)
        time.sleep(0.05)
    say(event="fit_end", summary={"stopped": True, "world_size": 2}, stopped=True, run_dir="r")
    """
)


class Events(Callback):
    def __init__(self, control: TrainControl | None = None) -> None:
        self.names: list[str] = []
        self.control = control

    def on_fit_start(self, ev):
        self.names.append("fit_start")

    def on_batch_end(self, ev):
        self.names.append("batch_end")
        if self.control is None:
            return
        if ev.step == 3:
            self.control.pause()
        elif ev.step == 6:
            self.control.stop()

    def on_pause(self):
        self.names.append("pause")
        self.control.resume()

    def on_resume(self):
        self.names.append("resume")

    def on_fit_end(self, ev):
        self.names.append("fit_end")

    def on_exception(self, exc):
        self.names.append("exception")


def _follow(mode: str, callbacks, control) -> dict:
    proc = subprocess.Popen(
        [sys.executable, "-c", FAKE_LAUNCHER, mode],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": ""},
    )
    return launcher._Follower(proc, callbacks, control).run()


def test_follower_hands_events_on_and_passes_pause_and_stop_to_the_processes():
    control = TrainControl()
    events = Events(control)
    summary = _follow("run", [events], control)
    assert summary == {"stopped": True, "world_size": 2}
    names = events.names
    assert names[0] == "fit_start" and names[-1] == "fit_end"
    assert names.index("pause") < names.index("resume")  # SIGUSR1, then SIGUSR2
    assert "exception" not in names


def test_follower_raises_the_failed_processes_message():
    events = Events()
    with pytest.raises(TrainingError, match="process 1 failed: the loss became nan"):
        _follow("fail", [events], TrainControl())
    assert events.names == ["exception"]


def test_a_stop_before_training_began_is_a_stop_not_a_failure():
    control = TrainControl()
    control.stop()
    assert _follow("starting", [Events()], control)["stopped"]


def test_bad_config_file_is_one_line_exit_2(tmp_path, capsys):
    from core import cli

    bad = tmp_path / "config.json"
    bad.write_text("[1, 2]")
    assert cli.main(["train", "--config", str(bad)]) == 2
    assert "must hold one JSON object" in capsys.readouterr().err


def test_event_lines_are_written_whole(monkeypatch):
    """Every process of a run writes to one pipe: a line goes out in one write, newline
    included, or two processes' lines run together and the app misses rank 0's pid."""
    import argparse
    import io

    from core import distributed

    class Recorder(io.StringIO):
        def __init__(self) -> None:
            super().__init__()
            self.calls: list[str] = []

        def write(self, text: str) -> int:
            self.calls.append(text)
            return super().write(text)

    out = Recorder()
    monkeypatch.setattr(distributed.sys, "stdout", out)
    ctx = argparse.Namespace(rank=0, world_size=2)
    distributed._say_process(argparse.Namespace(events=True), ctx)
    distributed._say_error(argparse.Namespace(events=True), ctx, RuntimeError("boom"), False)
    assert len(out.calls) == 2 and all(c.endswith("}\n") and c.count("\n") == 1 for c in out.calls)
    assert '"pid"' in out.calls[0] and '"boom"' in out.calls[1]
