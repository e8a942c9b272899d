"""Trainer: learning, run folder, plain-value events, stop/pause, NaN, resume, config checks."""

from __future__ import annotations

import csv
import dataclasses
import json
import threading

import pytest
import torch

from core import checkpoint, cli, config, runs, trainer
from core.config import ConfigError, TrainConfig
from core.events import (
    BatchEnded,
    Callback,
    EpochEnded,
    FitStarted,
    TrainControl,
    TrainingError,
)
from core.trainer import fit


def _config(folder, out, **kw) -> TrainConfig:
    base = dict(
        data=str(folder),
        arch="mlp",
        augment="none",
        epochs=2,
        batch_size=4,
        lr=0.01,
        val_split=0.25,
        out=str(out),
    )
    base.update(kw)
    return TrainConfig(**base)


class Recorder(Callback):
    """Keeps every event in order."""

    def __init__(self) -> None:
        self.events: list[tuple[str, object]] = []

    def on_fit_start(self, ev):
        self.events.append(("fit_start", ev))

    def on_batch_end(self, ev):
        self.events.append(("batch_end", ev))

    def on_epoch_end(self, ev):
        self.events.append(("epoch_end", ev))

    def on_checkpoint(self, ev):
        self.events.append(("checkpoint", ev))

    def on_fit_end(self, ev):
        self.events.append(("fit_end", ev))

    def on_exception(self, exc):
        self.events.append(("exception", exc))

    def on_pause(self):
        self.events.append(("pause", None))

    def on_resume(self):
        self.events.append(("resume", None))

    def of(self, kind: str) -> list:
        return [ev for k, ev in self.events if k == kind]


def _assert_plain(value, where="event") -> None:
    if isinstance(value, dict):
        for k, v in value.items():
            assert isinstance(k, str), where
            _assert_plain(v, f"{where}.{k}")
    elif isinstance(value, list | tuple):
        for i, v in enumerate(value):
            _assert_plain(v, f"{where}[{i}]")
    else:
        assert value is None or type(value) in (bool, int, float, str), (where, type(value))


def _read_metrics(path) -> list[dict]:
    with open(path, newline="") as fh:
        return list(csv.DictReader(fh))


# ----------------------------------------------------------------------------- learning


def test_learns_tiny_dataset_and_writes_run_folder(tiny_folder, tmp_path):
    rec = Recorder()
    out = tmp_path / "run"
    summary = fit(_config(tiny_folder, out, epochs=3), [rec])

    assert summary["best_val_acc"] == 1.0
    assert summary["epochs"] == 3 and summary["stopped"] is False
    assert summary["class_names"] == ["left", "right"]
    assert summary["train_images_per_second"] > 0
    written = ("evaluation.json", "predictions.csv", runs.BATCH_LOSS_CSV)  # and every batch loss
    assert sorted(p.name for p in out.iterdir()) == sorted((*runs.RUN_FILES, *written))

    rows = _read_metrics(out / "metrics.csv")
    assert list(rows[0]) == list(runs.METRICS_COLUMNS)
    assert [int(r["epoch"]) for r in rows] == [1, 2, 3]
    on_disk = json.loads((out / "summary.json").read_text())
    assert on_disk["best_val_acc"] == summary["best_val_acc"]
    config = json.loads((out / "config.json").read_text())
    assert config["train_transforms"][0]["name"] == "ToTensor"
    assert config["eval_transforms"] and config["arch"] == "mlp"

    best = checkpoint.load_bundle(out / "best.pt")
    assert best["epoch"] == summary["best_epoch"] and best["class_names"] == ["left", "right"]
    model = checkpoint.model_from_bundle(best)
    x = torch.full((2, 3, 8, 8), 60 / 255)
    x[0, :, :, :4] = x[1, :, :, 4:] = 200 / 255
    assert model(x).argmax(1).tolist() == [0, 1]
    last = torch.load(out / "last.pt", weights_only=True)
    assert last["epoch"] == 3 and "optimizer" in last and last["best_val_acc"] == 1.0


def test_events_are_plain_values_in_order(tiny_folder, tmp_path):
    rec = Recorder()
    fit(_config(tiny_folder, tmp_path / "run", epochs=2), [rec])

    kinds = [k for k, _ in rec.events]
    assert kinds[0] == "fit_start" and kinds[-1] == "fit_end"
    start = rec.of("fit_start")[0]
    assert isinstance(start, FitStarted) and start.num_classes == 2 and start.train_size == 18
    batches = rec.of("batch_end")
    assert len(batches) == 2 * start.steps_per_epoch
    assert [b.global_step for b in batches] == list(range(1, len(batches) + 1))
    epochs = rec.of("epoch_end")
    assert [e.epoch for e in epochs] == [1, 2]
    assert {c.kind for c in rec.of("checkpoint")} >= {"best", "last"}
    for _, ev in rec.events:
        _assert_plain(dataclasses.asdict(ev))
    with pytest.raises(dataclasses.FrozenInstanceError):
        batches[0].loss = 0.0  # type: ignore[misc]
    assert isinstance(batches[0], BatchEnded) and isinstance(epochs[0], EpochEnded)


def test_injected_sampler_and_device(tiny_folder, tmp_path):
    class EpochSampler(torch.utils.data.SequentialSampler):
        def set_epoch(self, epoch: int) -> None:
            self.epochs.append(epoch)

    rec = Recorder()
    cfg = _config(tiny_folder, tmp_path / "run", epochs=2)
    tr = trainer.Trainer(cfg, [rec], device="cpu")
    sampler_holder = {}

    class Capture(Callback):
        def on_fit_start(self, ev):
            sampler_holder["sampler"] = tr.train_loader.sampler

    tr.callbacks.append(Capture())
    tr.sampler = EpochSampler(range(18))
    tr.sampler.epochs = []
    summary = tr.fit()
    assert summary["device"] == "cpu"
    assert isinstance(sampler_holder["sampler"], EpochSampler)
    assert tr.sampler.epochs == [1, 2]


# ----------------------------------------------------------------------------- control


class StopAt(Callback):
    def __init__(self, control: TrainControl, epoch: int, step: int) -> None:
        self.control, self.epoch, self.step = control, epoch, step

    def on_batch_end(self, ev):
        if (ev.epoch, ev.step) == (self.epoch, self.step):
            self.control.stop()


def test_stop_mid_epoch_writes_loadable_last(tiny_folder, tmp_path):
    control = TrainControl()
    rec = Recorder()
    out = tmp_path / "run"
    summary = fit(_config(tiny_folder, out, epochs=3), [StopAt(control, 2, 2), rec], control)

    assert summary["stopped"] is True and summary["epochs"] == 1
    assert json.loads((out / "summary.json").read_text())["stopped"] is True
    steps = [(b.epoch, b.step) for b in rec.of("batch_end")]
    assert steps[-1] == (2, 2)  # nothing ran after the stop
    last = checkpoint.load_bundle(out / "last.pt")
    assert last["epoch"] == 1 and last["partial_epoch"] is True
    assert checkpoint.model_from_bundle(last) is not None
    assert rec.of("fit_end")[0].stopped is True
    assert len(_read_metrics(out / "metrics.csv")) == 1
    # the batches that ran are all in batch_loss.csv, the stopped epoch's two too, and a
    # resume carries on from the stop's step without a gap
    rows = list(runs.iter_batch_losses(out / runs.BATCH_LOSS_CSV))
    assert [(e, s) for e, s, _ in rows] == [(b.epoch, b.global_step) for b in rec.of("batch_end")]
    again = Recorder()
    fit(_config(tiny_folder, out, epochs=3, resume=str(out / "last.pt")), [again])
    assert [s for s, _ in again.of("fit_start")[0].earlier_batch_losses] == [s for _, s, _ in rows]
    steps = [s for _, s, _ in runs.iter_batch_losses(out / runs.BATCH_LOSS_CSV)]
    assert steps == list(range(1, len(steps) + 1)) and len(steps) > len(rows)


def test_a_long_runs_earlier_batch_curve_is_bounded_and_keeps_its_shape():
    rows = [(1 + i // 100, i + 1, 10.0 / (i + 1)) for i in range(10_000)]
    curve = runs.batch_curve(rows, up_to_step=9_000, limit=100)
    assert 100 <= len(curve) <= 201  # however long the run (a last, shorter run too)
    steps = [s for s, _ in curve]
    assert steps == sorted(steps) and steps[0] >= 1 and steps[-1] <= 9_000
    losses = [loss for _, loss in curve]
    assert losses == sorted(losses, reverse=True)  # the falling loss still falls
    whole = runs.batch_curve(rows, up_to_step=9_000, limit=10_000)
    assert len(whole) == 9_000 and whole[0] == (1.0, 10.0)  # short runs: every batch
    assert sum(losses) / len(losses) == pytest.approx(sum(v for _, v in whole) / 9_000, rel=0.05)


def test_pause_then_resume_finishes(tiny_folder, tmp_path):
    control = TrainControl()
    rec = Recorder()
    resumed = threading.Event()

    class PauseOnce(Callback):
        def on_batch_end(self, ev):
            if ev.global_step == 2:
                control.pause()

        def on_pause(self):
            assert control.is_paused
            threading.Timer(0.2, lambda: (control.resume(), resumed.set())).start()

    summary = fit(_config(tiny_folder, tmp_path / "run", epochs=2), [PauseOnce(), rec], control)
    assert resumed.is_set()
    kinds = [k for k, _ in rec.events]
    assert kinds.count("pause") == 1 and kinds.count("resume") == 1
    assert kinds.index("pause") < kinds.index("resume")
    assert summary["stopped"] is False and summary["epochs"] == 2


def test_stop_while_paused_ends_the_run(tiny_folder, tmp_path):
    control = TrainControl()

    class PauseThenStop(Callback):
        def on_batch_end(self, ev):
            if ev.global_step == 1:
                control.pause()

        def on_pause(self):
            threading.Timer(0.1, control.stop).start()

    summary = fit(_config(tiny_folder, tmp_path / "run", epochs=2), [PauseThenStop()], control)
    assert summary["stopped"] is True and not control.is_paused


# ----------------------------------------------------------------------------- failures


def test_inf_loss_raises_and_best_stays_valid(tiny_folder, tmp_path, monkeypatch):
    real = trainer.build_loss

    class InfInEpoch2(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.inner, self.calls = real(), 0

        def forward(self, out, y):
            self.calls += 1
            loss = self.inner(out, y)
            return loss * float("inf") if self.calls > 5 else loss

    monkeypatch.setattr(trainer, "build_loss", InfInEpoch2)
    rec = Recorder()
    out = tmp_path / "run"
    with pytest.raises(TrainingError, match=r"epoch 2, step 1.*[Ll]ower the learning rate"):
        fit(_config(tiny_folder, out, epochs=3), [rec])
    assert isinstance(rec.of("exception")[0], TrainingError)
    best = checkpoint.load_bundle(out / "best.pt")
    assert best["epoch"] == 1
    assert all(
        torch.isfinite(t).all() for t in best["state_dict"].values() if t.is_floating_point()
    )
    assert "loss became inf" in json.loads((out / "summary.json").read_text())["error"]


def test_huge_learning_rate_diverges_with_clear_error(tiny_folder, tmp_path):
    cfg = _config(tiny_folder, tmp_path / "run", optimizer="sgd", lr=1e30, epochs=3)
    with pytest.raises(TrainingError, match="diverged"):
        fit(cfg)


def test_out_of_memory_becomes_training_error(tiny_folder, tmp_path, monkeypatch):
    class NoMemory(torch.nn.Module):
        def forward(self, out, y):
            raise RuntimeError("DefaultCPUAllocator: can't allocate memory: you tried 9 GB")

    monkeypatch.setattr(trainer, "build_loss", NoMemory)
    with pytest.raises(TrainingError, match="ran out of memory with batch size 4"):
        fit(_config(tiny_folder, tmp_path / "run"))


def test_incompatible_pipeline_is_reported_before_training(tiny_folder, tmp_path):
    norm3 = {"name": "Normalize", "params": {"mean": [0.5] * 3, "std": [0.5] * 3}}
    spec = [{"name": "ToTensor"}, norm3]
    rec = Recorder()
    cfg = _config(
        tiny_folder, tmp_path / "run", in_channels=1, train_transforms=spec, eval_transforms=spec
    )
    with pytest.raises(TrainingError, match="Normalize needs one mean/std value per channel"):
        fit(cfg, [rec])
    assert not rec.of("batch_end")


def test_pipeline_without_totensor_is_reported(tiny_folder, tmp_path):
    spec = [{"name": "Resize", "params": {"size": 8}}]
    cfg = _config(tiny_folder, tmp_path / "run", train_transforms=spec, eval_transforms=spec)
    with pytest.raises(TrainingError, match="ToTensor"):
        fit(cfg)


# ----------------------------------------------------------------------------- resume


def test_resume_reproduces_uninterrupted_run(tiny_folder, tmp_path):
    common = dict(arch="smallcnn", scheduler="step", step_size=1, gamma=0.5, batch_size=6, seed=3)
    straight = tmp_path / "straight"
    fit(_config(tiny_folder, straight, epochs=3, **common))

    split = tmp_path / "split"
    fit(_config(tiny_folder, split, epochs=2, **common))
    earlier = list(runs.iter_batch_losses(split / runs.BATCH_LOSS_CSV))
    with open(split / runs.BATCH_LOSS_CSV, "a") as fh:  # a kill cut the last line short
        fh.write("2,1")
    rec = Recorder()
    resumed = fit(
        _config(tiny_folder, split, epochs=3, resume=str(split / "last.pt"), **common), [rec]
    )
    started = rec.of("fit_start")[0]
    assert started.start_epoch == 3
    assert [e.epoch for e in rec.of("epoch_end")] == [3]
    assert resumed["epochs"] == 3
    # every batch's loss: the resumed run carries on its batch curve, file and window alike
    steps = started.steps_per_epoch
    assert [(e, s) for e, s, _ in earlier] == [(1 + i // steps, i + 1) for i in range(2 * steps)]
    assert started.earlier_batch_losses == tuple((s, loss) for _, s, loss in earlier)
    whole = list(runs.iter_batch_losses(split / runs.BATCH_LOSS_CSV))
    assert [s for _, s, _ in whole] == list(range(1, 3 * steps + 1))  # the cut line is gone
    assert "2,1\n" not in (split / runs.BATCH_LOSS_CSV).read_text()
    alone = list(runs.iter_batch_losses(straight / runs.BATCH_LOSS_CSV))
    assert [s for _, s, _ in alone] == [s for _, s, _ in whole]
    for (_, _, a_loss), (_, _, b_loss) in zip(alone, whole, strict=True):
        assert b_loss == pytest.approx(a_loss, rel=1e-4, abs=1e-6)

    a = _read_metrics(straight / "metrics.csv")
    b = _read_metrics(split / "metrics.csv")
    assert [r["epoch"] for r in b] == ["1", "2", "3"]
    for col in ("train_loss", "train_acc", "val_loss", "val_acc", "lr"):
        assert float(b[2][col]) == pytest.approx(float(a[2][col]), abs=1e-6), col


def test_resume_rejects_other_arch_and_finished_runs(tiny_folder, tmp_path):
    run = tmp_path / "run"
    fit(_config(tiny_folder, run, epochs=1))
    last = str(run / "last.pt")
    with pytest.raises(TrainingError, match="same architecture"):
        fit(_config(tiny_folder, tmp_path / "b", arch="smallcnn", epochs=2, resume=last))
    with pytest.raises(TrainingError, match="more epochs"):
        fit(_config(tiny_folder, tmp_path / "c", epochs=1, resume=last))
    with pytest.raises(TrainingError, match="last.pt"):
        fit(_config(tiny_folder, tmp_path / "d", epochs=2, resume=str(run / "best.pt")))


# ----------------------------------------------------------------------------- config


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("arch", "resnet9000"),
        ("mode", "half"),
        ("epochs", 0),
        ("epochs", 2.5),
        ("batch_size", -1),
        ("lr", 0.0),
        ("lr", float("nan")),
        ("optimizer", "rmsprop"),
        ("scheduler", "cyclic"),
        ("momentum", 1.0),
        ("weight_decay", -0.1),
        ("val_split", 1.0),
        ("device", "tpu"),
        ("precision", "fp8"),
        ("channels_last", "yes"),
        ("num_workers", -1),
        ("in_channels", 2),
        ("data", ""),
        ("train_transforms", "RandomRotation"),
    ],
)
def test_config_validation_names_the_field(field, value):
    cfg = TrainConfig(**{field: value})
    with pytest.raises(ConfigError) as info:
        cfg.validate()
    assert info.value.field == field
    assert str(info.value).startswith(f"{field}:")
    assert isinstance(info.value, ValueError)


def test_config_round_trips_and_defaults_are_valid():
    cfg = TrainConfig(arch="resnet18", epochs=3, train_transforms=[{"name": "ToTensor"}])
    cfg.validate()
    d = cfg.to_dict()
    json.dumps(d)
    assert TrainConfig.from_dict({**d, "unknown_key": 1}) == cfg
    TrainConfig().validate()
    assert TrainConfig.from_dict(json.loads(json.dumps(TrainConfig().to_dict()))) == TrainConfig()


def test_cli_options_are_the_config_fields():
    """`main.py train` offers each TrainConfig field once, with the trainer's choices."""
    import argparse

    from core import OPTIMIZERS, models

    sub = next(a for a in cli.build_parser()._actions if isinstance(a, argparse._SubParsersAction))
    options = {a.dest: a for a in sub.choices["train"]._actions}
    flags = {name for name, _, _ in config.flag_fields()}
    assert {"data", "arch", "epochs", "lr", "momentum", "gamma", "out"} <= flags
    assert flags <= set(options)
    assert options["optimizer"].choices == OPTIMIZERS
    assert options["mode"].choices == models.MODES
    assert tuple(options["arch"].choices) == tuple(models.ARCHS)
    assert options["device"].choices is None  # cuda:N is checked by validate()
    assert all(options[name].default is None for name in flags)  # unset: config or resume


def test_control_flags():
    c = TrainControl()
    assert not c.is_paused and not c.should_stop
    c.pause()
    assert c.is_paused
    c.resume()
    assert not c.is_paused
    c.pause()
    c.stop()
    assert c.should_stop and not c.is_paused
    c.wait_while_paused()  # returns at once after a stop


def test_cli_train_then_resume_in_process(tiny_folder, tmp_path, capsys):
    run = tmp_path / "run"
    args = ["train", "--data", str(tiny_folder), "--arch", "mlp", "--augment", "none"]
    args += ["--batch-size", "4", "--val-split", "0.25", "--epochs", "1", "--out", str(run)]
    assert cli.main(args) == 0
    first = capsys.readouterr().out
    assert "epoch   1/1" in first and "best val_acc" in first
    # the evaluation after the last epoch has its line, before the summary's
    lines = first.splitlines()
    evaluated = [i for i, ln in enumerate(lines) if ln.startswith("evaluated best.pt on 6 ")]
    assert evaluated and evaluated[0] < len(lines) - 1 and "best val_acc" in lines[-1]

    assert cli.main(["train", "--resume", str(run / "last.pt"), "--epochs", "2", "--json"]) == 0
    lines = [json.loads(ln) for ln in capsys.readouterr().out.splitlines()]
    # the evaluation of best.pt after the last epoch is a phase, before the summary
    assert [ln["event"] for ln in lines] == ["start", "epoch", "phase", "summary"]
    assert lines[0]["start_epoch"] == 2 and lines[1]["epoch"] == 2
    assert lines[2]["phase"] == "evaluation" and lines[2]["done"] == lines[2]["total"] > 0
    assert lines[3]["epochs"] == 2
    rows = _read_metrics(run / "metrics.csv")
    assert [r["epoch"] for r in rows] == ["1", "2"]
    config = json.loads((run / "config.json").read_text())
    assert config["resume"] == str(run / "last.pt") and config["arch"] == "mlp"


def test_stop_before_training_starts(tiny_folder, tmp_path):
    control = TrainControl()
    control.stop()
    rec = Recorder()
    summary = fit(_config(tiny_folder, tmp_path / "run"), [rec], control)
    assert summary["stopped"] is True and summary["epochs"] == 0
    assert not rec.of("batch_end") and rec.of("fit_end")[0].stopped is True


def test_resolved_preset_name_says_custom_for_edited_pipelines():
    from core import augment
    from core.trainsetup import resolve_specs

    train, eval_, name = resolve_specs(TrainConfig(augment="auto"), "builtin:digits")
    assert name == "digits"
    assert train == augment.validate_spec(augment.get_preset("digits")["train"])
    edited = augment.get_preset("digits")["train"]
    edited[0]["params"]["degrees"] = 25.0
    train, eval_, name = resolve_specs(
        TrainConfig(augment="auto", train_transforms=edited), "builtin:digits"
    )
    assert name == "custom"
    assert train[0]["params"]["degrees"] == 25.0
    assert eval_ == augment.validate_spec(augment.get_preset("digits")["eval"])


@pytest.mark.parametrize("scheduler", ["none", "step", "cosine", "onecycle"])
def test_learning_rate_schedules(tiny_folder, tmp_path, scheduler):
    rec = Recorder()
    config = _config(
        tiny_folder, tmp_path / scheduler, epochs=4, scheduler=scheduler, step_size=1, gamma=0.5
    )
    fit(config, [rec])
    per_batch = [ev.lr for ev in rec.of("batch_end")]
    per_epoch = [float(r["lr"]) for r in _read_metrics(tmp_path / scheduler / "metrics.csv")]
    assert len(per_epoch) == 4 and len(per_batch) >= 8
    if scheduler == "none":
        assert set(per_batch) == {0.01}
    elif scheduler == "step":
        assert per_epoch == pytest.approx([0.01, 0.005, 0.0025, 0.00125])
    elif scheduler == "cosine":
        assert per_epoch[0] == pytest.approx(0.01)
        assert all(a > b for a, b in zip(per_epoch[:-1], per_epoch[1:], strict=True))
    else:  # one cycle, stepped every batch: warm up to the learning rate, then anneal
        peak = per_batch.index(max(per_batch))
        assert 0 < peak < len(per_batch) - 1
        assert max(per_batch) == pytest.approx(0.01, rel=0.05)
        assert per_batch[0] < 0.01 / 10 and per_batch[-1] < 0.01 / 100
        rising = per_batch[: peak + 1]
        assert all(a <= b for a, b in zip(rising[:-1], rising[1:], strict=True))


def test_only_the_main_process_writes_the_run_folder(tiny_folder, tmp_path):
    """rank != 0 trains and reports the same events but leaves no files (DDP later)."""
    rec = Recorder()
    out = tmp_path / "rank1"
    tr = trainer.Trainer(_config(tiny_folder, out, epochs=1), [rec], rank=1)
    summary = tr.fit()
    assert summary["epochs"] == 1 and summary["best_epoch"] == 1
    assert not out.exists()
    assert not rec.of("checkpoint") and len(rec.of("epoch_end")) == 1
    main = trainer.Trainer(_config(tiny_folder, tmp_path / "rank0", epochs=1), [rec])
    own = [type(cb).__name__ for cb in main.callbacks[:3]]
    assert own == ["NaNGuard", "RunFolderWriter", "CheckpointWriter"]


def test_stopped_run_keeps_the_best_by_the_one_rule(tiny_folder, tmp_path):
    """summary.json, last.pt and core.runs agree on the best epoch after a stop."""
    control = TrainControl()
    out = tmp_path / "run"
    summary = fit(_config(tiny_folder, out, epochs=4), [StopAt(control, 3, 1)], control)
    run = runs.read_run(out)
    assert summary["stopped"] is True and len(run.rows) == 2
    assert run.best_epoch == summary["best_epoch"] == run.summary["best_epoch"]
    last = checkpoint.load_bundle(out / "last.pt")
    assert last["best_epoch"] == summary["best_epoch"] and last["partial_epoch"] is True
