"""The trainer review's defects: a run's files are only written once its fit started,
resumes are checked before the stages' set-up, lr-find on frozen backbones, end-of-fit
hooks that fail one by one, the evaluation phase, the lock during set-up, best after a
resume on other data, the default runs folder, and the split modules."""

from __future__ import annotations

import argparse
import csv
import json
import shutil
from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image

from core import appdirs, callbacks, cli, runs, stages
from core.cli_progress import ConsoleProgress
from core.config import TrainConfig
from core.events import Callback, PhaseProgressed, StopRequested, TrainControl, TrainingError
from core.trainer import Trainer, fit
from tests.unit.test_reliability import other_data
from tests.unit.test_trainer import Recorder, _config

ROOT = Path(__file__).resolve().parents[2]


class Phases(Recorder):
    """A Recorder that keeps the phase events too."""

    def on_phase(self, ev):
        self.events.append(("phase", ev))


@pytest.fixture
def finished_run(tiny_folder, tmp_path):
    """A 2-epoch run whose files a bad resume must leave alone: (folder, file bytes)."""
    run = tmp_path / "run"
    fit(_config(tiny_folder, run, epochs=2))
    names = ("summary.json", "last.pt", "best.pt", "metrics.csv", "config.json")
    return run, {name: (run / name).read_bytes() for name in names}


def _unchanged(run: Path, before: dict) -> list[str]:
    return [name for name, data in before.items() if (run / name).read_bytes() != data]


def _renamed_classes(tiny_folder, tmp_path) -> Path:
    other = tmp_path / "renamed"
    shutil.copytree(tiny_folder, other)
    (other / "left").rename(other / "west")
    return other


# ----------------------------------------------------------------------------- 1, 2: resume


def test_a_refused_resume_leaves_the_runs_files_alone(tiny_folder, tmp_path, finished_run):
    """#1: a class mismatch once replaced the good summary.json with an error summary."""
    run, before = finished_run
    other = _renamed_classes(tiny_folder, tmp_path)
    rec = Recorder()
    cfg = _config(other, run, epochs=4, resume=str(run / "last.pt"))
    with pytest.raises(TrainingError, match="classes"):
        fit(cfg, [rec])
    assert _unchanged(run, before) == []
    assert rec.of("exception") and not rec.of("fit_start")
    assert not (run / runs.LOCK_FILE).exists()


def test_a_refused_resume_fails_before_the_stages_set_up(
    tiny_folder, tmp_path, finished_run, monkeypatch
):
    """#2: the checkpoint is checked before core.stages prepares (extracts features)."""
    run, _ = finished_run
    prepared = []
    real = stages.prepare
    monkeypatch.setattr(stages, "prepare", lambda *a: prepared.append(1) or real(*a))
    cfg = _config(_renamed_classes(tiny_folder, tmp_path), run, epochs=4)
    cfg.resume = str(run / "last.pt")
    with pytest.raises(TrainingError, match="classes"):
        fit(cfg)
    assert prepared == []


def test_a_stop_during_the_set_up_of_a_resume_writes_nothing(
    tiny_folder, finished_run, monkeypatch
):
    """#2: stopped while the stages set up (feature extraction checks the stop), a resume
    once wrote a summary of 0 epochs and an epoch-0 last.pt over the good ones."""
    run, before = finished_run

    def stopped(trainer, resume=None):
        raise StopRequested  # what a stop during feature extraction raises

    monkeypatch.setattr(stages, "prepare", stopped)
    rec = Recorder()
    summary = fit(_config(tiny_folder, run, epochs=4, resume=str(run / "last.pt")), [rec])
    assert summary["stopped"] is True
    assert rec.of("fit_end")[0].stopped and not rec.of("fit_start")
    assert _unchanged(run, before) == []


def test_a_stop_before_a_new_run_starts_leaves_no_files(tiny_folder, tmp_path):
    control = TrainControl()
    control.stop()
    run = tmp_path / "new"
    run.mkdir()
    assert fit(_config(tiny_folder, run), control=control)["stopped"] is True
    assert list(run.iterdir()) == []


def test_a_resumed_two_stage_run_keeps_its_own_weights(tmp_path):
    """#2: last.pt's weights now load before the stages; resumed in the second stage the
    head must stay last.pt's, not be replaced by best.pt's head."""
    folder = tmp_path / "bands"
    rng = np.random.default_rng(0)
    for c, name in enumerate(("a", "b")):
        (folder / name).mkdir(parents=True)
        for i in range(8):
            px = rng.normal(90, 25, size=(8, 8, 3))
            px[:, c * 4 : c * 4 + 4] += 110
            Image.fromarray(np.clip(px, 0, 255).astype(np.uint8)).save(folder / name / f"{i}.png")
    run = tmp_path / "run"
    cfg = dict(arch="smallcnn", mode="two-stage", head_epochs=1, feature_cache="off")
    fit(_config(folder, run, epochs=2, **cfg))
    last = torch.load(run / "last.pt", weights_only=True)["state_dict"]
    tr = Trainer(_config(folder, run, epochs=3, resume=str(run / "last.pt"), **cfg))
    tr.setup()
    assert tr.plan.stage == 2
    for key, value in tr.model.state_dict().items():
        assert torch.equal(value, last[key]), key


# ----------------------------------------------------------------------------- 3: lr-find


@pytest.mark.parametrize("mode", ["feature-extract", "two-stage"])
def test_lr_find_on_a_frozen_backbone_tests_the_head_on_images(tiny_folder, mode, monkeypatch):
    """#3: lr-find took the cached features' loader but ran the whole model on them."""
    from core import features, lrfind

    cache = Path(str(features.cache_root()))
    before = sorted(cache.rglob("*")) if cache.exists() else []
    cfg = TrainConfig(
        data=str(tiny_folder), arch="smallcnn", mode=mode, augment="none", batch_size=4,
        val_split=0.25, feature_cache="on",
    )  # fmt: skip
    result = lrfind.lr_find(cfg, 1e-4, 1.0, 12)
    assert len(result.lrs) >= 5 and all(np.isfinite(result.raw_losses))
    after = sorted(cache.rglob("*")) if cache.exists() else []
    assert after == before  # no feature cache was built for the test
    assert callable(Trainer.setup)  # the public set-up lr-find uses


# ----------------------------------------------------------------------------- 4: end hooks


class _Fails(Callback):
    def on_fit_end(self, ev):
        raise RuntimeError("this hook failed")


def test_a_failing_end_hook_skips_no_other_and_is_reported(tiny_folder, tmp_path):
    run = tmp_path / "run"
    rec = Recorder()
    with pytest.raises(RuntimeError, match="this hook failed"):
        fit(_config(tiny_folder, run, epochs=1), [_Fails(), rec])
    assert len(rec.of("fit_end")) == 1  # the hook after the failing one still ran
    assert (run / "summary.json").is_file()


def test_the_lock_goes_even_when_writing_the_summary_fails(tiny_folder, tmp_path, monkeypatch):
    """#4: summary.json failing once skipped the lock's removal and every listener."""
    run = tmp_path / "run"
    real = callbacks.write_json

    def full(path, obj):
        if Path(path).name == "summary.json":
            raise OSError(28, "No space left on device")
        real(path, obj)

    monkeypatch.setattr(callbacks, "write_json", full)
    rec = Recorder()
    with pytest.raises(OSError, match="No space"):
        fit(_config(tiny_folder, run, epochs=1), [rec])
    assert len(rec.of("fit_end")) == 1
    assert not (run / runs.LOCK_FILE).exists()
    assert (run / "evaluation.json").is_file()  # the evaluation still ran


# ----------------------------------------------------------------------------- 5: evaluation


def test_the_evaluation_is_a_phase_that_ends_before_fit_ended(tiny_folder, tmp_path):
    rec = Phases()
    fit(_config(tiny_folder, tmp_path / "run", epochs=1), [rec])
    kinds = [kind for kind, _ in rec.events]
    evaluation = [ev for ev in rec.of("phase") if ev.phase == "evaluation"]
    assert len(evaluation) >= 2 and evaluation[0].done == 0
    last = evaluation[-1]
    assert last.unit == "images" and last.done == last.total == 6  # 25% of 24 images
    assert "accuracy" in last.text and "evaluation.json" in last.text
    assert kinds[-1] == "fit_end" and kinds[-2] == "phase"  # FitEnded after the evaluation
    assert (tmp_path / "run" / "evaluation.json").is_file()


def test_the_console_prints_a_line_for_the_evaluation(capsys):
    progress = ConsoleProgress(as_json=False)
    text = "evaluated best.pt on 6 validation images: accuracy 100.00%"
    progress.on_phase(PhaseProgressed("evaluation", 0, 6, "images", "evaluating best.pt"))
    progress.on_phase(PhaseProgressed("evaluation", 6, 6, "images", text))
    assert capsys.readouterr().out.splitlines() == [text]


# ----------------------------------------------------------------------------- 6: lock


def test_a_resume_holds_the_lock_while_it_sets_up(tiny_folder, finished_run, monkeypatch):
    run, _ = finished_run
    seen = []
    real = stages.prepare

    def watched(trainer, resume=None):
        seen.append((run / runs.LOCK_FILE).is_file())
        seen.append(runs.inspect_run(run).status)
        return real(trainer, resume)

    monkeypatch.setattr(stages, "prepare", watched)
    fit(_config(tiny_folder, run, epochs=3, resume=str(run / "last.pt")))
    assert seen == [True, "running"]
    assert not (run / runs.LOCK_FILE).exists()


# ----------------------------------------------------------------------------- 7: best reset


def _write_run(folder: Path, val_accs: list[float], summary: dict, config: dict) -> None:
    folder.mkdir(parents=True)
    with open(folder / "metrics.csv", "w", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=runs.METRICS_COLUMNS)
        w.writeheader()
        for i, acc in enumerate(val_accs, start=1):
            w.writerow(dict(epoch=i, train_loss=1, train_acc=0.5, val_loss=1 - acc, val_acc=acc,
                            lr=0.01, seconds=1))  # fmt: skip
    (folder / "summary.json").write_text(json.dumps(summary))
    (folder / "config.json").write_text(json.dumps(config))


def test_best_counts_from_the_reset_epoch_everywhere(tmp_path):
    """#7: epoch 1 (the old data) scored 0.9; best was reset at epoch 2."""
    run = tmp_path / "run"
    summary = {"best_epoch": 3, "best_val_acc": 0.7, "best_reset_epoch": 2, "epochs": 3}
    _write_run(run, [0.9, 0.5, 0.7], summary, {"arch": "mlp"})
    read = runs.read_run(run)
    assert read.best_reset_epoch == 2 and read.best_epoch == 3
    assert [best for _, best in runs.with_best(read.rows)] == [False, True, True]
    assert runs.best_row(read.rows)["epoch"] == 3  # the rows carry the reset (the GUI's call)
    entry = runs.inspect_run(run)
    assert (entry.best_epoch, entry.best_val_acc) == (3, 0.7)
    plain_rows = runs.read_metrics(run / "metrics.csv")
    assert runs.best_row(plain_rows)["epoch"] == 1
    assert runs.best_row(plain_rows, since=2)["epoch"] == 3
    # while the resumed run runs, summary.json is the old one: config.json says it
    (run / "summary.json").write_text(json.dumps({"best_epoch": 1, "epochs": 1}))
    (run / "config.json").write_text(json.dumps({"best_reset_epoch": 2}))
    assert runs.read_run(run).best_epoch == 3


def test_a_resume_on_other_data_records_the_reset(tiny_folder, tmp_path):
    run = tmp_path / "run"
    fit(_config(tiny_folder, run, epochs=1))
    other = other_data(tiny_folder, tmp_path)
    summary = fit(_config(other, run, epochs=3, resume=str(run / "last.pt")))
    assert summary["best_reset_epoch"] == 2 and summary["best_epoch"] >= 2
    assert torch.load(run / "last.pt", weights_only=True)["best_reset_epoch"] == 2
    assert json.loads((run / "config.json").read_text())["best_reset_epoch"] == 2
    assert runs.read_run(run).best_epoch == summary["best_epoch"]
    assert runs.inspect_run(run).best_epoch == summary["best_epoch"]
    # resumed again on the same (new) data: the reset is kept, not moved
    again = fit(_config(other, run, epochs=4, resume=str(run / "last.pt")))
    assert again["best_reset_epoch"] == 2
    assert runs.flat_settings({"best_reset_epoch": 2}).get("best_reset_epoch") is None


# ----------------------------------------------------------------------------- 8: runs folder


def test_the_runs_folder_is_the_apps_and_follows_xdg(monkeypatch, tmp_path):
    if appdirs.sys.platform in ("win32", "darwin"):
        pytest.skip("XDG_DATA_HOME is read on Linux and other Unix systems")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    assert appdirs.runs_dir() == tmp_path / "xdg" / "ConvStudio" / "runs"
    monkeypatch.setenv("XDG_DATA_HOME", "relative/ignored")
    assert appdirs.runs_dir() == Path.home() / ".local" / "share" / "ConvStudio" / "runs"
    monkeypatch.delenv("XDG_DATA_HOME")
    assert appdirs.data_dir() == Path.home() / ".local" / "share" / "ConvStudio"


@pytest.mark.parametrize("xdg", ["absolute", "relative/ignored", ""])
def test_the_runs_folder_is_the_one_qt_gives_the_window(monkeypatch, tmp_path, xdg):
    """core.appdirs computes without Qt what gui/appdata.py asks QStandardPaths for."""
    qt = pytest.importorskip("PySide6.QtCore")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path) if xdg == "absolute" else xdg)
    where = qt.QStandardPaths.StandardLocation.GenericDataLocation
    assert appdirs.data_dir() == Path(qt.QStandardPaths.writableLocation(where)) / "ConvStudio"


def test_train_nproc_gets_a_fresh_folder_in_the_runs_folder(tiny_folder, tmp_path, monkeypatch):
    """#8: `train --nproc 2` without --out: a new <arch>-<date>-<time> folder each time."""
    from core import launcher

    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    outs = []

    def fake_torchrun(nproc, argv, threads):
        outs.append(Path(argv[argv.index("--out") + 1]))
        (outs[-1] / "config.json").write_text("{}")  # as if it trained
        return 0

    monkeypatch.setattr(launcher, "_run_torchrun", fake_torchrun)
    args = ["train", "--nproc", "2", "--data", str(tiny_folder), "--arch", "mlp"]
    assert cli.main(args) == 0 and cli.main(args) == 0
    root = tmp_path / "data" / "ConvStudio" / "runs"
    assert len(set(outs)) == 2 and all(p.parent == root for p in outs)
    assert all(p.name.startswith("mlp-") for p in outs)
    assert not (tmp_path / "runs").exists()


def test_a_torchrun_worker_gets_a_fresh_folder_in_the_runs_folder(
    tiny_folder, tmp_path, monkeypatch
):
    """#8: a worker under torchrun without --out: rank 0's fresh folder, never runs/run."""
    import torch.distributed as dist

    from core import distributed

    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))

    def one_process(backend=None, device="auto"):
        dist.init_process_group(
            "gloo", init_method=f"file://{tmp_path / 'store'}", rank=0, world_size=1
        )
        return distributed.Distributed(0, 1, 0, 1, torch.device("cpu"), "gloo")

    monkeypatch.setattr(distributed, "setup", one_process)
    ns = argparse.Namespace(out=None, resume=None, threads=1, overwrite=False, events=False)
    cfg = TrainConfig(data=str(tiny_folder), arch="mlp", augment="none", epochs=1, batch_size=4)
    cfg.val_split = 0.25
    threads = torch.get_num_threads()
    try:
        assert distributed._worker(ns, cfg, Callback()) == 0
    finally:
        torch.set_num_threads(threads)  # the worker sets its share of the cores
    out = Path(cfg.out)
    assert out.parent == tmp_path / "data" / "ConvStudio" / "runs" and out.name.startswith("mlp-")
    assert (out / "best.pt").is_file()


# ----------------------------------------------------------------------------- 9: split


def test_the_split_modules_stay_small_and_keep_their_names():
    for name in ("trainer", "runs", "runfiles", "runlist", "callbacks", "summary", "restore"):
        lines = (ROOT / "core" / f"{name}.py").read_text().count("\n")
        assert lines < 550, f"core/{name}.py has {lines} lines"
    from core.runs import RunEntry, list_runs, read_run, with_best, write_lock  # noqa: F401

    for method in ("setup", "summary", "training_state", "bundle", "resolved_config"):
        assert callable(getattr(Trainer, method))


def test_the_evaluation_phase_moves_batch_by_batch(tiny_folder, tmp_path, monkeypatch):
    from core import evaluate

    monkeypatch.setattr(evaluate, "batch_size_for", lambda *a, **k: 2)
    rec = Phases()
    fit(_config(tiny_folder, tmp_path / "run", epochs=1), [rec])
    evaluation = [ev for ev in rec.of("phase") if ev.phase == "evaluation"]
    assert [ev.done for ev in evaluation] == [0, 2, 4, 6]
    assert len({ev.text for ev in evaluation[:-1]}) == 1 and "accuracy" in evaluation[-1].text


def test_a_run_that_fails_at_once_leaves_no_empty_folder_in_the_runs_folder(
    monkeypatch, tmp_path, capsys
):
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    missing = tmp_path / "no-such-folder"
    code = cli.main(["train", "--data", str(missing), "--epochs", "1"])
    assert code != cli.EXIT_OK and "no-such-folder" in capsys.readouterr().err
    runs_dir = appdirs.runs_dir()
    assert not runs_dir.exists() or list(runs_dir.iterdir()) == []
    kept = appdirs.fresh_run_dir("mlp")
    (kept / "log.txt").write_text("a run wrote this\n")
    appdirs.drop_if_empty(kept)  # only an empty folder is ever removed
    assert (kept / "log.txt").read_text() == "a run wrote this\n"
    empty = appdirs.fresh_run_dir("mlp")
    appdirs.drop_if_empty(empty)
    appdirs.drop_if_empty(empty)  # gone already: nothing to do
    assert not empty.exists() and kept.is_dir()
