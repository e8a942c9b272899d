"""Training with several processes (a script, not a test): images/s of 1 and 2 processes.

`python main.py train` once as one process and once with `--nproc 2` (torchrun on this
machine, DistributedDataParallel, gloo on the CPU), on the built-in digits (smallcnn)
and on a small folder of photos made here (resnet18 from scratch at 128 px). Each run
is a fresh CLI process; prints, per dataset and process count, the train images/s of
summary.json (all processes' images over rank 0's training time), the seconds per
epoch after the first, the wall seconds of the whole command (PyTorch's start-up in
every process included) and the best validation accuracy. Last, how long a 2-process
run takes to end when one process fails ($CONVSTUDIO_TEST_FAIL_RANK): every process
must stop with the failed one's message, never wait out the collective timeout.

With 2 processes each one gets half the cores (1 thread each on 2 cores, where the one
process uses 2 threads) and the same batch size, so a step trains twice the images; on
2 shared CPU cores expect little gain, or a loss (the gradient all_reduce and the extra
process cost what the second core brings). The point of several processes is more
GPUs or machines: `torchrun --nproc_per_node=<GPUs> main.py train ...` on a multi-GPU
machine (README: "Several processes or machines").

Usage: python bench/bench_ddp.py [--epochs 4] [--photo-epochs 3] [--per-class 30]
       [--repeats 1] [--photos DIR]
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.bench_photos import MEAN, STD, make_photos  # noqa: E402

PHOTO_SIZE = (640, 480)  # (w, h): smaller photos than bench_photos' phone-sized default
PHOTO_SPEC = {
    "train": [
        {"name": "RandomResizedCrop", "params": {"size": 128}},
        {"name": "RandomHorizontalFlip", "params": {"p": 0.5}},
        {"name": "ToTensor", "params": {}},
        {"name": "Normalize", "params": {"mean": MEAN, "std": STD}},
    ],
    "eval": [
        {"name": "Resize", "params": {"size": 146}},
        {"name": "CenterCrop", "params": {"size": 128}},
        {"name": "ToTensor", "params": {}},
        {"name": "Normalize", "params": {"mean": MEAN, "std": STD}},
    ],
}


def train(args: list[str], nproc: int) -> dict:
    """One `main.py train` run; its summary, seconds per epoch and wall seconds."""
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "run"
        cmd = [sys.executable, str(ROOT / "main.py"), "train", *args, "--out", str(out)]
        cmd += ["--nproc", str(nproc)] if nproc > 1 else []
        t0 = time.perf_counter()
        proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
        wall = time.perf_counter() - t0
        if proc.returncode != 0:
            sys.exit(f"train --nproc {nproc} failed ({proc.returncode}):\n{proc.stderr}")
        summary = json.loads((out / "summary.json").read_text())
        with open(out / "metrics.csv", newline="") as fh:
            seconds = [float(row["seconds"]) for row in csv.DictReader(fh)]
    later = seconds[1:] or seconds
    return {**summary, "wall": wall, "epoch_s": sum(later) / len(later)}


def report(name: str, args: list[str], repeats: int) -> None:
    print(f"\n{name}: main.py train {' '.join(args)}")
    print(f"{'processes':>9}  {'train img/s':>11}  {'s/epoch':>7}  {'wall s':>6}  {'best val':>8}")
    results = {}
    for _ in range(repeats):
        for nproc in (1, 2):  # alternating: a busier moment hits both sides
            results.setdefault(nproc, []).append(train(args, nproc))
    for nproc, runs in results.items():
        best = max(runs, key=lambda r: r["train_images_per_second"] or 0)
        ips = best["train_images_per_second"] or 0.0
        print(
            f"{nproc:>9}  {ips:>11,.0f}  {best['epoch_s']:>7.2f}  {best['wall']:>6.1f}  "
            f"{best['best_val_acc']:>8.3f}"
        )
    one, two = (max(r["train_images_per_second"] or 0 for r in results[n]) for n in (1, 2))
    if one:
        print(f"2 processes / 1 process: {two / one:.2f}x train images/s")


def failing_run() -> None:
    """Seconds from start until a 2-process run whose process 1 fails has ended."""
    from core.distributed import FAIL_ENV

    with tempfile.TemporaryDirectory() as tmp:
        cmd = [sys.executable, str(ROOT / "main.py"), "train", "--nproc", "2", "--arch", "mlp"]
        cmd += ["--epochs", "3", "--out", str(Path(tmp) / "run")]
        t0 = time.perf_counter()
        proc = subprocess.run(
            cmd, cwd=ROOT, capture_output=True, text=True, env={**os.environ, FAIL_ENV: "1"}
        )
        wall = time.perf_counter() - t0
    last = (proc.stderr.strip().splitlines() or ["(nothing on stderr)"])[-1]
    print(
        f"\none failing process: the run ended after {wall:.1f} s, exit code "
        f"{proc.returncode}, saying: {last}"
    )


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--epochs", type=int, default=4, help="digits epochs (default 4)")
    p.add_argument("--photo-epochs", type=int, default=3, help="photo epochs (default 3)")
    p.add_argument("--per-class", type=int, default=30, help="photos per class (default 30)")
    p.add_argument("--repeats", type=int, default=1)
    p.add_argument("--photos", type=Path, help="use this photo folder instead of making one")
    args = p.parse_args()
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"{cores} CPU cores; load average {load:.2f} before the runs")
    digits = ["--data", "builtin:digits", "--arch", "smallcnn", "--epochs", str(args.epochs)]
    report("digits", digits, args.repeats)
    with tempfile.TemporaryDirectory() as tmp:
        photos = args.photos or make_photos(
            Path(tmp) / "photos", args.per_class, size=PHOTO_SIZE, quality=90
        )
        spec = Path(tmp) / "spec.json"
        spec.write_text(json.dumps(PHOTO_SPEC))
        photo_args = ["--data", str(photos), "--arch", "resnet18", "--augment", str(spec)]
        photo_args += ["--epochs", str(args.photo_epochs), "--batch-size", "16"]
        n = sum(1 for _ in (Path(photos) / "train").rglob("*.jpg"))
        report(f"photos ({n} training images)", photo_args, args.repeats)
    failing_run()


if __name__ == "__main__":
    main()
