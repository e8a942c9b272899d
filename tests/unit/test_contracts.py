"""Torch-free contracts: TrainConfig and its Settings, the trainer's events, run folders."""

from __future__ import annotations

import dataclasses
import json
import subprocess
import sys
from pathlib import Path

import pytest

from core import config, runs
from core.config import TrainConfig

ROOT = Path(__file__).resolve().parents[2]


def test_contracts_import_without_torch():
    code = (
        "import core.config, core.events, core.runs, sys\n"
        "assert 'torch' not in sys.modules, sorted(m for m in sys.modules if 'torch' in m)\n"
        "core.config.TrainConfig().validate()\n"
        "assert 'torch' not in sys.modules\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert proc.returncode == 0, proc.stderr


def test_every_field_has_a_setting_that_fits_its_default():
    for f in dataclasses.fields(TrainConfig):
        info = config.setting(f.name)
        assert info.label, f.name
        if info.group or info.flag:
            assert info.tip, f.name
        if info.choices:
            assert f.default in info.choices, f.name
        if info.ui is not None:  # the panel offers a part of what validate() accepts
            low, high = info.ui[:2]
            assert low <= f.default <= high, f.name
            TrainConfig(**{f.name: low}).validate()
            TrainConfig(**{f.name: high}).validate()
        if info.used_when is not None:
            assert info.used_when[0] in config.fields_in(info.group), f.name
    assert config.fields_in("model") == [
        "arch",
        "mode",
        "pretrained",
        "head_epochs",  # two-stage and the feature cache (issue 14)
        "finetune_lr_factor",
        "feature_cache",
        "cache_views",
        "cache_memory_mb",
    ]
    assert "epochs" in config.fields_in("hyper") and "out" not in config.fields_in("hyper")


def _write_metrics(folder: Path, rows: list[tuple]) -> Path:
    lines = ["epoch,train_loss,train_acc,val_loss,val_acc,lr,seconds"]
    lines += [",".join(str(v) for v in row) for row in rows]
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "metrics.csv").write_text("\n".join(lines) + "\n")
    return folder / "metrics.csv"


def test_best_epoch_rule_keeps_the_first_of_equal_accuracies():
    rows = [{"epoch": e, "val_acc": acc} for e, acc in ((1, 0.5), (2, 0.9), (3, 0.9), (4, 0.8))]
    assert [best for _, best in runs.with_best(rows)] == [True, True, False, False]
    assert runs.best_row(rows)["epoch"] == 2
    assert runs.best_row([]) is None
    assert runs.is_better(0.0, None) and not runs.is_better(0.5, 0.5)


def test_read_metrics_skips_bad_rows_and_stops_at_an_epoch(tmp_path):
    path = _write_metrics(
        tmp_path, [(1, 1.0, 0.5, 0.9, 0.6, 0.001, 1.0), (2, "x", 0.8, 0.4, 0.9, 0.001, 1.0)]
    )
    with open(path, "a") as fh:
        fh.write("3,0.4,0.85,0.5,0.85,0.001,\n")  # no seconds: still a row
    rows = runs.read_metrics(path)
    assert [r["epoch"] for r in rows] == [1, 3] and rows[1]["seconds"] == 0.0
    assert isinstance(rows[0]["epoch"], int)
    assert [r["epoch"] for r in runs.read_metrics(path, up_to_epoch=2)] == [1]
    (tmp_path / "other.csv").write_text("a,b\n1,2\n")
    with pytest.raises(runs.RunError, match="missing columns"):
        runs.read_metrics(tmp_path / "other.csv")
    with pytest.raises(OSError):
        runs.read_metrics(tmp_path / "missing.csv")


def test_read_run_reports_what_it_could_not_read(tmp_path):
    with pytest.raises(runs.RunError, match="not a training run"):
        runs.read_run(tmp_path)
    _write_metrics(
        tmp_path, [(1, 1.0, 0.5, 0.9, 0.6, 0.001, 1.0), (2, 0.5, 0.8, 0.4, 0.9, 0.001, 1)]
    )
    (tmp_path / "summary.json").write_text(json.dumps({"best_epoch": 2}))
    (tmp_path / "config.json").write_text("{broken")
    run = runs.read_run(tmp_path)
    assert len(run.rows) == 2 and run.best_epoch == 2
    assert run.summary == {"best_epoch": 2} and run.config is None
    assert len(run.problems) == 1 and "config.json" in run.problems[0]
    assert run.best_pt is None and run.last_pt is None
