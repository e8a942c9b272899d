"""Several processes end to end (issue 18): `main.py train --nproc 2` and torchrun itself,
on the CPU with gloo, 2 processes, each run in a subprocess."""

from __future__ import annotations

import csv
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from core import cli
from core.distributed import FAIL_ENV, LOG_ENV

ROOT = Path(__file__).resolve().parents[2]
EPOCHS = 4  # measured: 98.6% validation accuracy from epoch 2, bf16 and fp32 (>= 98% asked)


def run(*args: str, env: dict | None = None, timeout: int = 240) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT), **(env or {})},
        timeout=timeout,  # a hang fails the test instead of the suite
    )


def metrics(run_dir: Path) -> list[dict]:
    with open(run_dir / "metrics.csv", newline="") as fh:
        return list(csv.DictReader(fh))


def summary(run_dir: Path) -> dict:
    return json.loads((run_dir / "summary.json").read_text())


@pytest.fixture(scope="module")
def ddp_run(tmp_path_factory):
    """One 2-process smallcnn run on the built-in digits (each rank logs its epochs)."""
    base = tmp_path_factory.mktemp("ddp")
    out = base / "runs" / "digits"
    args = ("main.py", "train", "--nproc", "2", "--data", "builtin:digits", "--arch", "smallcnn")
    args += ("--epochs", str(EPOCHS), "--batch-size", "16", "--augment", "none", "--out")
    proc = run(*args, str(out), env={LOG_ENV: str(base / "ranks")})
    if proc.returncode != 0 and "Signal 6 (SIGABRT)" in proc.stderr:
        # Seen once in about a dozen runs on a heavily loaded 2-core machine: a gloo worker
        # aborts inside libstdc++ ("terminate called without an active exception") at the
        # first batch, outside any Python frame. Not ours to fix; run once more, in a new
        # folder, and fail on any second failure.
        out = base / "again" / "digits"
        shutil.rmtree(base / "ranks", ignore_errors=True)
        proc = run(*args, str(out), env={LOG_ENV: str(base / "ranks")})
    assert proc.returncode == 0, proc.stderr
    return out, base / "ranks", proc


def test_two_processes_write_one_run_folder(ddp_run):
    out, _, proc = ddp_run
    assert [p.name for p in out.parent.iterdir()] == ["digits"]
    assert [int(row["epoch"]) for row in metrics(out)] == list(range(1, EPOCHS + 1))
    s = summary(out)
    assert (s["world_size"], s["global_batch_size"], s["backend"]) == (2, 32, "gloo")
    assert s["best_val_acc"] >= 0.98 and s["error"] is None
    # only rank 0 prints: one line per epoch, not one per process
    assert sum(line.startswith("epoch ") for line in proc.stdout.splitlines()) == EPOCHS
    assert "2 processes (gloo, cpu): batch size 16 per process, 32 images" in proc.stdout


def test_ranks_agree_on_metrics_and_best(ddp_run):
    out, ranks, _ = ddp_run
    logs = []
    for rank in (0, 1):
        lines = (ranks / f"rank-{rank}.jsonl").read_text().splitlines()
        rows = [json.loads(line) for line in lines]
        for row in rows:
            row.pop("seconds", None)  # each process's own clock
        logs.append(rows)
    assert len(logs[0]) == EPOCHS + 1 and logs[0][:EPOCHS] == logs[1][:EPOCHS]
    assert logs[0][-1]["best_epoch"] == logs[1][-1]["best_epoch"] == summary(out)["best_epoch"]
    written = [float(row["val_acc"]) for row in metrics(out)]
    assert written == [row["val_acc"] for row in logs[1][:EPOCHS]]


def test_its_best_pt_is_an_ordinary_bundle_that_predicts(ddp_run, capsys):
    import torch

    out, _, _ = ddp_run
    bundle = torch.load(out / "best.pt", weights_only=True)
    assert not any(key.startswith("module.") for key in bundle["state_dict"])
    samples = sorted((ROOT / "resources" / "samples").glob("digit_*.png"))
    capsys.readouterr()
    code = cli.main(["predict", "--model", str(out / "best.pt"), "--json", *map(str, samples)])
    assert code == 0
    results = json.loads(capsys.readouterr().out)
    right = sum(r["topk"][0]["class"] == Path(r["path"]).name.split("_")[1] for r in results)
    assert len(results) == len(samples) >= 10 and right >= 0.8 * len(results)


def test_torchrun_resumes_the_run(ddp_run, tmp_path):
    out, _, _ = ddp_run
    copy = tmp_path / "digits"
    shutil.copytree(out, copy)
    proc = run(
        "-m",
        "torch.distributed.run",
        "--standalone",
        "--nproc-per-node=2",
        "main.py",
        "train",
        "--resume",
        str(copy / "last.pt"),
        "--epochs",
        str(EPOCHS + 1),
        env={"OMP_NUM_THREADS": "1"},
    )
    assert proc.returncode == 0, proc.stderr
    assert [int(row["epoch"]) for row in metrics(copy)] == list(range(1, EPOCHS + 2))
    assert summary(copy)["world_size"] == 2 and summary(copy)["epochs"] == EPOCHS + 1


def test_a_failing_process_ends_the_run_with_its_message(tmp_path):
    # a hang would wait out the 30 min collective timeout: the subprocess timeout ends the
    # test at 120 s instead (bench/bench_ddp.py prints how long the run takes to end)
    proc = run(
        "main.py",
        "train",
        "--nproc",
        "2",
        "--arch",
        "mlp",
        "--epochs",
        "3",
        "--out",
        str(tmp_path / "run"),
        env={FAIL_ENV: "1"},
        timeout=120,
    )
    assert proc.returncode == 1, proc.stderr
    last = proc.stderr.strip().splitlines()[-1]
    assert last == f"error: process 1 of 2 failed: process 1 failed on purpose ({FAIL_ENV})"
    assert "Traceback" not in proc.stderr
