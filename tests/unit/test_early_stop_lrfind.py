"""Early stopping, the best-model metric, and the learning-rate finder."""

from __future__ import annotations

import json
import math

import pytest
import torch
from torch import nn

from core import checkpoint, cli, lrfind, runs
from core.config import TrainConfig
from core.events import StopRequested
from core.trainer import fit
from tests.unit.test_trainer import _config  # tiny_folder: tests/unit/conftest.py

# ----------------------------------------------------------------------------- early stopping


@pytest.mark.parametrize("metric", ["val_acc", "val_loss"])
def test_early_stop_ends_the_run_and_says_so(tiny_folder, tmp_path, metric):
    """A learning rate too small to change anything: epoch 1 stays the best, and the run
    ends after ``patience`` more epochs instead of all ten."""
    out = tmp_path / "run"
    cfg = _config(
        tiny_folder, out, epochs=10, lr=1e-9, early_stop=2, min_delta=1e-3, best_metric=metric
    )
    summary = fit(cfg)
    assert summary["stopped_early"] is True and summary["stopped_early_epoch"] == 3
    assert summary["epochs"] == 3 and summary["stopped"] is False
    # best.pt follows any improvement (at float32 the loss may still creep down by far less
    # than min_delta); early stopping counts only improvements of at least min_delta.
    rows = runs.read_metrics(out / "metrics.csv")
    values = [r[metric] for r in rows]
    sign = 1.0 if metric == "val_acc" else -1.0
    assert all(sign * (v - values[0]) < 1e-3 for v in values[1:])
    best = max(rows, key=lambda r: (sign * r[metric], -r["epoch"]))
    assert summary["best_epoch"] == best["epoch"]
    written = json.loads((out / "summary.json").read_text())
    assert written["stopped_early"] is True and written["stopped_early_epoch"] == 3
    assert json.loads((out / "config.json").read_text())["early_stop"] == 2
    assert len(rows) == 3
    assert checkpoint.load_bundle(out / "last.pt")["epoch"] == 3
    entry = runs.inspect_run(out)
    assert entry.status == "finished" and entry.stopped_early and entry.epochs == 3
    assert not (out / runs.LOCK_FILE).exists()


def test_without_early_stop_every_epoch_runs(tiny_folder, tmp_path):
    summary = fit(_config(tiny_folder, tmp_path / "run", epochs=3, lr=1e-9))
    assert summary["epochs"] == 3 and summary["stopped_early"] is False
    assert summary["stopped_early_epoch"] is None


def test_val_loss_decides_best_everywhere(tiny_folder, tmp_path):
    out = tmp_path / "run"
    summary = fit(_config(tiny_folder, out, epochs=4, best_metric="val_loss"))
    rows = runs.read_metrics(out / "metrics.csv")
    by_loss = min(rows, key=lambda r: (r["val_loss"], r["epoch"]))
    assert summary["best_epoch"] == by_loss["epoch"] and summary["best_metric"] == "val_loss"
    assert json.loads((out / "config.json").read_text())["best_metric"] == "val_loss"
    run = runs.read_run(out)
    assert run.best_metric == "val_loss" and run.best_epoch == by_loss["epoch"]
    assert checkpoint.load_bundle(out / "best.pt")["epoch"] == by_loss["epoch"]
    assert summary["best_val_acc"] == by_loss["val_acc"]


def test_cli_offers_the_settings(tiny_folder, tmp_path, capsys):
    out = tmp_path / "run"
    args = ["train", "--data", str(tiny_folder), "--arch", "mlp", "--augment", "none"]
    args += ["--epochs", "6", "--lr", "1e-9", "--early-stop", "1", "--min-delta", "0.01"]
    args += ["--best-metric", "val_loss", "--out", str(out)]
    assert cli.main(args) == 0
    assert "stopped early after epoch 2" in capsys.readouterr().out
    assert json.loads((out / "config.json").read_text())["min_delta"] == 0.01


# ----------------------------------------------------------------------------- lr finder


def test_schedule_and_suggestion_on_a_known_curve():
    lrs = lrfind.lr_schedule(1e-6, 1.0, 61)
    assert lrs[0] == pytest.approx(1e-6) and lrs[-1] == pytest.approx(1.0)
    assert all(
        b / a == pytest.approx(lrs[1] / lrs[0]) for a, b in zip(lrs[:-1], lrs[1:], strict=True)
    )
    # a loss that falls fastest at 1e-3 (a logistic step in log10(lr))
    losses = [1 + 1 / (1 + math.exp(3 * (math.log10(lr) + 3))) for lr in lrs]
    assert lrfind.suggest_lr(lrs, losses) == pytest.approx(1e-3, rel=0.3)
    assert lrfind.suggest_lr(lrs, [1.0] * 61) is None  # flat: nothing to suggest
    assert lrfind.suggest_lr(lrs[:3], losses[:3]) is None
    for bad in ((0.0, 1.0, 10), (1.0, 0.1, 10), (1e-7, 1.0, 2)):
        with pytest.raises(ValueError):
            lrfind.lr_schedule(*bad)


def test_range_test_runs_on_a_copy_and_stops_on_divergence():
    torch.manual_seed(0)
    x = torch.randn(64, 4)
    y = (x[:, 0] > 0).long()
    loader = [(x[i : i + 16], y[i : i + 16]) for i in range(0, 64, 16)]
    model = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 2))
    before = {k: v.clone() for k, v in model.state_dict().items()}
    seen = []
    result = lrfind.range_test(
        model,
        lambda params: torch.optim.SGD(params, lr=0.1),
        loader,
        nn.CrossEntropyLoss(),
        lrfind.lr_schedule(1e-4, 1e4, 80),
        progress=lambda done, total: seen.append((done, total)),
    )
    assert all(torch.equal(before[k], v) for k, v in model.state_dict().items())
    assert result.diverged and len(result.lrs) < 80
    assert len(result.lrs) == len(result.losses) == len(result.raw_losses) == len(seen)
    assert result.suggested_lr is not None and 1e-4 < result.suggested_lr < result.lrs[-1]
    assert set(result.to_dict()) == {"suggested_lr", "lrs", "losses"}


def test_lr_find_on_digits_suggests_a_sane_rate(tmp_path):
    out = tmp_path / "never"
    cfg = TrainConfig(data="builtin:digits", arch="smallcnn", optimizer="adam", out=str(out))
    result = lrfind.lr_find(cfg, 1e-5, 1.0, 30)
    assert 1e-4 <= result.suggested_lr <= 3e-2, result
    assert min(result.losses) < result.losses[0] * 0.7  # it learned on the way
    assert not out.exists()


def test_lr_find_cancels_and_the_cli_prints_json(tiny_folder, capsys):
    cfg = _config(tiny_folder, "unused")
    with pytest.raises(StopRequested):
        lrfind.lr_find(cfg, cancelled=lambda: True)
    args = ["lr-find", "--data", str(tiny_folder), "--arch", "mlp", "--augment", "none"]
    args += ["--batch-size", "4", "--val-split", "0.25", "--steps", "20", "--start", "1e-4"]
    code = cli.main([*args, "--json"])
    out = json.loads(capsys.readouterr().out)
    assert set(out) == {"suggested_lr", "lrs", "losses"} and len(out["lrs"]) == len(out["losses"])
    assert code == (0 if out["suggested_lr"] is not None else 1)
    assert cli.main([*args, "--end", "1e-5"]) == 2
    assert "--start/--end/--steps" in capsys.readouterr().err
