"""Issue 13: resume honours what is asked, runs are never overwritten, training survives
vanished files, exploding losses, full disks and mixed image sizes.

Each test names the item of issue 13 it backs; the README's "Your data is safe"
section points here.
"""

from __future__ import annotations

import errno
import json
import os
import shutil

import numpy as np
import pytest
from PIL import Image

from core import atomic, checkpoint, cli, runfolder, trainer
from core.events import Callback, TrainControl, TrainingError
from core.resume import LRPlan
from core.trainer import Trainer, fit
from tests.unit.test_trainer import Recorder, _config, _read_metrics


def _epoch_lrs(rec: Recorder) -> list[float]:
    return [ev.lr for ev in rec.of("epoch_end")]


def other_data(tiny_folder, tmp_path):
    """The same classes with one more image: other data to a resume."""
    other = tmp_path / "other"
    shutil.copytree(tiny_folder, other)
    Image.new("RGB", (8, 8), (9, 9, 9)).save(other / "left" / "extra.png")
    return other


def _resume(folder, run, **kw):
    rec = Recorder()
    tr = Trainer(_config(folder, run, resume=str(run / "last.pt"), **kw), [rec])
    tr.fit()
    return tr, rec


# ----------------------------------------------------------------------------- 1, 2: resume


def test_resume_applies_the_learning_rate_weight_decay_and_momentum_given(tiny_folder, tmp_path):
    """#1: --lr/--weight-decay/--momentum on --resume are used, and config.json says so."""
    run = tmp_path / "run"
    fit(_config(tiny_folder, run, epochs=1, optimizer="sgd", scheduler="none"))
    tr, rec = _resume(
        tiny_folder, run, epochs=2, optimizer="sgd", scheduler="none", lr=0.05,
        momentum=0.5, weight_decay=0.1,
    )  # fmt: skip
    group = tr.optimizer.param_groups[0]
    assert {ev.lr for ev in rec.of("batch_end")} == {0.05}
    assert (group["momentum"], group["weight_decay"]) == (0.5, 0.1)
    config = json.loads((run / "config.json").read_text())
    assert (config["lr"], config["momentum"], config["weight_decay"]) == (0.05, 0.5, 0.1)
    assert "lr 0.01 -> 0.05" in rec.of("fit_start")[0].notes[0]


def test_resume_with_another_optimizer_starts_it_fresh_and_says_so(tiny_folder, tmp_path):
    """#1: Adam's state into SGD once ended with "error: 'momentum'" mid-epoch."""
    run = tmp_path / "run"
    fit(_config(tiny_folder, run, epochs=1, optimizer="adam"))
    tr, rec = _resume(tiny_folder, run, epochs=2, optimizer="sgd", lr=0.02)
    assert isinstance(tr.optimizer, __import__("torch").optim.SGD)
    assert any("fresh state" in note for note in rec.of("fit_start")[0].notes)
    assert [ev.epoch for ev in rec.of("epoch_end")] == [2]


def test_extending_a_cosine_run_continues_down_from_the_current_rate(tiny_folder, tmp_path):
    """#2: 3 cosine epochs then --epochs 6 once gave 0.0, 0.0025, 0.0075 (back up)."""
    run = tmp_path / "run"
    first = Recorder()
    fit(_config(tiny_folder, run, epochs=3, scheduler="cosine"), [first])
    _, rec = _resume(tiny_folder, run, epochs=6, scheduler="cosine")
    before, after = _epoch_lrs(first), _epoch_lrs(rec)
    assert after[0] == pytest.approx(before[-1]) and after[0] > 0
    assert all(a > b > 0 for a, b in zip(after, after[1:], strict=False))
    assert "cosine from" in rec.of("fit_start")[0].notes[-1]
    saved = checkpoint.load_bundle(run / "last.pt")["lr_plan"]
    assert LRPlan(**saved).kind == "cosine" and saved["end"] == 6


@pytest.mark.parametrize("scheduler", ["onecycle", "step"])
def test_extending_one_cycle_and_step_runs_never_crashes(tiny_folder, tmp_path, scheduler):
    """#2: one-cycle once failed with "Tried to step 47 times"; the README says what runs."""
    run = tmp_path / "run"
    kw = dict(scheduler=scheduler, step_size=1, gamma=0.5)
    fit(_config(tiny_folder, run, epochs=2, **kw))
    _, rec = _resume(tiny_folder, run, epochs=4, **kw)
    lrs = [ev.lr for ev in rec.of("batch_end")]
    assert [ev.epoch for ev in rec.of("epoch_end")] == [3, 4]
    assert all(0 < lr <= 0.01 for lr in lrs)
    if scheduler == "onecycle":  # a new cycle over the added epochs: up, then down
        peak = lrs.index(max(lrs))
        assert 0 < peak < len(lrs) - 1 and lrs[-1] < max(lrs) / 100
    else:  # StepLR itself does not depend on the length: kept exactly
        assert _epoch_lrs(rec) == pytest.approx([0.0025, 0.00125])


def test_a_continued_schedule_resumes_exactly(tiny_folder, tmp_path):
    """#2: the continued plan is stored in last.pt, so stopping it and resuming again
    gives the rates of an uninterrupted continuation."""
    straight, split = tmp_path / "straight", tmp_path / "split"
    for run in (straight, split):
        fit(_config(tiny_folder, run, epochs=2, scheduler="cosine"))
    _, whole = _resume(tiny_folder, straight, epochs=5, scheduler="cosine")

    control, part = TrainControl(), Recorder()

    class StopAfterEpoch3(Callback):
        def on_epoch_end(self, ev):
            if ev.epoch == 3:
                control.stop()

    cfg = _config(tiny_folder, split, epochs=5, scheduler="cosine", resume=str(split / "last.pt"))
    assert fit(cfg, [part, StopAfterEpoch3()], control)["stopped"]
    _, again = _resume(tiny_folder, split, epochs=5, scheduler="cosine")
    assert _epoch_lrs(part) + _epoch_lrs(again) == pytest.approx(_epoch_lrs(whole))
    assert again.of("fit_start")[0].notes == ()  # nothing changed: nothing to say


# ----------------------------------------------------------------------------- 3: data


def test_resuming_on_other_data_warns_and_starts_best_again(tiny_folder, tmp_path):
    """#3: same class names, other files: said, and "best" is judged on the new data."""
    run = tmp_path / "run"
    fit(_config(tiny_folder, run, epochs=1))
    other = other_data(tiny_folder, tmp_path)
    rec = Recorder()
    fit(_config(other, run, epochs=2, resume=str(run / "last.pt")), [rec])
    notes = rec.of("fit_start")[0].notes
    assert any("data differs" in n and "best epoch starts again" in n for n in notes)
    assert rec.of("epoch_end")[0].is_best  # whatever its accuracy against epoch 1
    _, same = _resume(other, run, epochs=3)
    assert not any("data differs" in n for n in same.of("fit_start")[0].notes)


# ----------------------------------------------------------------------------- 4: leftovers


def test_stale_temp_files_are_removed_and_metrics_match_last_pt(tiny_folder, tmp_path):
    """#4: temp files of killed saves go; a metrics row beyond last.pt is dropped."""
    run = tmp_path / "run"
    fit(_config(tiny_folder, run, epochs=1))
    stale = [".best.pt.a1b2.tmp", ".last.pt.x9.tmp", "config.json.tmp", ".summary.json.q.tmp"]
    for name in stale:
        (run / name).write_bytes(b"half")
    with open(run / "metrics.csv", "a") as fh:  # a kill after metrics.csv, before last.pt
        fh.write("2,0.5,0.5,0.5,0.5,0.01,1.0\n")
    seen = []

    class AtStart(Callback):
        def on_fit_start(self, ev):
            seen.append([r["epoch"] for r in _read_metrics(run / "metrics.csv")])

    fit(_config(tiny_folder, run, epochs=2, resume=str(run / "last.pt")), [AtStart()])
    assert seen == [["1"]]
    assert not [n for n in stale if (run / n).exists()]
    assert [r["epoch"] for r in _read_metrics(run / "metrics.csv")] == ["1", "2"]


def test_metrics_csv_is_written_after_last_pt(tiny_folder, tmp_path, monkeypatch):
    """#4: a failed save of last.pt leaves metrics.csv without that epoch."""
    run = tmp_path / "run"
    real = checkpoint.save_atomic

    def fail_second_last(obj, path):
        if str(path).endswith("last.pt") and obj["epoch"] == 2:
            raise OSError(errno.EIO, "simulated kill")
        real(obj, path)

    monkeypatch.setattr(checkpoint, "save_atomic", fail_second_last)
    with pytest.raises(OSError):
        fit(_config(tiny_folder, run, epochs=2))
    assert [r["epoch"] for r in _read_metrics(run / "metrics.csv")] == ["1"]
    assert checkpoint.load_bundle(run / "last.pt")["epoch"] == 1


# ----------------------------------------------------------------------------- 5: no overwrite


def test_a_folder_holding_a_run_is_refused_unless_overwrite(tiny_folder, tmp_path):
    """#5: --out DIR once silently replaced DIR/best.pt with a worse model."""
    run = tmp_path / "run"
    fit(_config(tiny_folder, run, epochs=1))
    best = (run / "best.pt").read_bytes()
    with pytest.raises(runfolder.RunExistsError, match=r"--resume .*last\.pt.*--overwrite"):
        fit(_config(tiny_folder, run, epochs=1, lr=0.5))
    assert (run / "best.pt").read_bytes() == best
    assert not (run / "summary.json").read_text().count('"error": "')  # untouched
    (run / "notes.txt").write_text("mine")
    fit(_config(tiny_folder, run, epochs=1, lr=0.02), overwrite=True)
    assert json.loads((run / "config.json").read_text())["lr"] == 0.02
    assert (run / "notes.txt").read_text() == "mine"


def test_the_default_output_is_a_fresh_folder_each_time(tiny_folder, tmp_path, monkeypatch):
    """#5: without --out every run gets <arch>-<date>-<time>[-n], even two in a second, in
    the app's runs folder (where the Runs tab looks), not the working folder."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    args = ["train", "--data", str(tiny_folder), "--arch", "mlp", "--augment", "none"]
    args += ["--batch-size", "4", "--val-split", "0.25", "--epochs", "1"]
    assert cli.main(args) == 0
    assert cli.main(args) == 0
    assert not (tmp_path / "runs").exists()
    folders = sorted((tmp_path / "data" / "ConvStudio" / "runs").iterdir())
    assert len(folders) == 2 and all(f.name.startswith("mlp-") for f in folders)
    assert all((f / "best.pt").is_file() for f in folders)
    import datetime as dt

    now = dt.datetime(2024, 5, 1, 12, 0, 0)
    a = runfolder.new_run_dir(tmp_path / "same", "mlp", now)
    b = runfolder.new_run_dir(tmp_path / "same", "mlp", now)
    assert a != b and a.is_dir() and b.name == "mlp-20240501-120000-2"


def test_cli_refusal_names_resume_and_overwrite(tiny_folder, tmp_path, capsys):
    run = tmp_path / "run"
    args = ["train", "--data", str(tiny_folder), "--arch", "mlp", "--augment", "none"]
    args += ["--batch-size", "4", "--val-split", "0.25", "--epochs", "1", "--out", str(run)]
    assert cli.main(args) == 0
    capsys.readouterr()
    assert cli.main(args) == 2
    err = capsys.readouterr().err
    assert "--resume" in err and "--overwrite" in err and len(err.strip().splitlines()) == 1
    assert cli.main([*args, "--overwrite"]) == 0


# ----------------------------------------------------------------------------- 13: disk full


@pytest.fixture
def full_disk(monkeypatch):
    """Every file core.atomic writes fails with ENOSPC once armed (a full disk)."""
    state = {"armed": False}
    real_fdopen = os.fdopen

    class Full:
        def __init__(self, fh):
            self.fh = fh

        def write(self, data):
            raise OSError(errno.ENOSPC, "No space left on device")

        def __getattr__(self, name):
            return getattr(self.fh, name)

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            self.fh.close()

    def fdopen(fd, *a, **kw):
        fh = real_fdopen(fd, *a, **kw)
        return Full(fh) if state["armed"] else fh

    monkeypatch.setattr(atomic.os, "fdopen", fdopen)
    return state


def test_a_full_disk_says_so_keeps_earlier_files_and_leaves_no_temp_files(
    tiny_folder, tmp_path, full_disk, capsys
):
    """#13: once "[enforce fail at inline_container.cc:672] unexpected pos" and 0-byte
    config.json.tmp / summary.json.tmp files."""
    run = tmp_path / "run"
    fit(_config(tiny_folder, run, epochs=1))
    names = ("best.pt", "last.pt", "config.json", "metrics.csv", "summary.json")
    before = {name: (run / name).read_bytes() for name in names}
    resume = _config(tiny_folder, run, epochs=2, resume=str(run / "last.pt"))

    class FillUp(Callback):  # after config.json: the bundles' torch.save hits it
        def on_fit_start(self, ev):
            full_disk["armed"] = True

    with pytest.raises(atomic.DiskFullError, match=f"disk is full: (best|last).pt .* in {run}"):
        fit(resume, [FillUp()])
    assert {n: (run / n).read_bytes() for n in names[:2]} == {n: before[n] for n in names[:2]}
    assert not list(run.glob("*.tmp")) and not list(run.glob(".*.tmp"))
    full_disk["armed"] = True  # from the start: config.json cannot be written either
    with pytest.raises(atomic.DiskFullError, match="config.json"):
        fit(resume)
    assert not list(run.glob("*.tmp")) and not list(run.glob(".*.tmp"))
    assert checkpoint.load_bundle(run / "last.pt")["epoch"] == 1
    args = ["train", "--resume", str(run / "last.pt"), "--epochs", "2"]
    assert cli.main(args) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert err[-1].startswith("error: The disk is full:") and str(run) in err[-1]


# ----------------------------------------------------------------------------- 14, 15, 16


@pytest.fixture
def mixed_folder(tmp_path):
    root = tmp_path / "mixed"
    for name, size in (("a", (8, 8)), ("b", (12, 10))):
        (root / name).mkdir(parents=True)
        for i in range(4):
            Image.new("RGB", size, (40 * i, 0, 0)).save(root / name / f"{i}.png")
    return root


def test_mixed_image_sizes_are_caught_before_training(mixed_folder, tmp_path):
    """#14: once "stack expects each tensor to be equal size" mid-epoch."""
    rec = Recorder()
    with pytest.raises(TrainingError, match=r"different sizes .*add a Resize step"):
        fit(_config(mixed_folder, tmp_path / "run", augment="none"), [rec])
    assert not rec.of("batch_end")
    resize = [{"name": "Resize", "params": {"size": [8, 8]}}, {"name": "ToTensor"}]
    cfg = _config(
        mixed_folder, tmp_path / "ok", epochs=1, train_transforms=resize, eval_transforms=resize
    )
    assert fit(cfg)["epochs"] == 1


def test_an_image_that_vanishes_after_the_scan_is_skipped_and_reported(tiny_folder, tmp_path):
    """#15: a file deleted or emptied mid-run once aborted the whole run."""
    data = tmp_path / "data"
    shutil.copytree(tiny_folder, data)

    class Vanish(Callback):
        def on_fit_start(self, ev):
            (data / "left" / "0.png").unlink()
            (data / "right" / "1.png").write_bytes(b"")

    rec = Recorder()
    summary = fit(_config(data, tmp_path / "run", epochs=2), [Vanish(), rec])
    assert summary["epochs"] == 2 and summary["error"] is None
    first = rec.of("epoch_end")[0]
    assert first.skipped == 2
    assert any("empty" in s for s in first.skipped_examples)


def test_the_cli_reports_skipped_images_at_the_end_of_the_epoch(
    tiny_folder, tmp_path, capsys, monkeypatch
):
    data = tmp_path / "data"
    shutil.copytree(tiny_folder, data)
    real = trainer.seed_epoch

    def vanish_then_seed(seed, epoch, generator):
        (data / "left" / "3.png").unlink(missing_ok=True)
        real(seed, epoch, generator)

    monkeypatch.setattr(trainer, "seed_epoch", vanish_then_seed)
    args = ["train", "--data", str(data), "--arch", "mlp", "--augment", "none"]
    args += ["--batch-size", "4", "--val-split", "0.25", "--epochs", "1"]
    assert cli.main([*args, "--out", str(tmp_path / "run")]) == 0
    assert "1 image(s) could not be read in epoch 1 and were skipped" in capsys.readouterr().err


def test_a_loss_that_explodes_without_nan_stops_with_the_nan_advice(
    tiny_folder, tmp_path, monkeypatch
):
    """#16: lr 1e6 once ended "done" at loss 5e13 and chance accuracy, without a word."""
    real = trainer.build_loss

    class Exploding(__import__("torch").nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.inner, self.calls = real(), 0

        def forward(self, out, y):
            self.calls += 1
            return self.inner(out, y) * (1e6 if self.calls > 3 else 1.0)

    monkeypatch.setattr(trainer, "build_loss", Exploding)
    with pytest.raises(TrainingError, match=r"grew to .* starting value.*Lower the learning rate"):
        fit(_config(tiny_folder, tmp_path / "run", epochs=2))


def test_data_fingerprint_is_in_last_pt(tiny_folder, tmp_path):
    run = tmp_path / "run"
    fit(_config(tiny_folder, run, epochs=1))
    fp = checkpoint.load_bundle(run / "last.pt")["data_fingerprint"]
    assert fp["files"] == 24 and len(fp["sha256"]) == 64 and fp["bytes"] > 0
    assert np.isfinite(fp["bytes"])
