"""Training benchmarks (a script, not a test).

1. `python main.py train --data builtin:digits --arch smallcnn --epochs 15 --out TMP`:
   prints best_val_acc and the wall-clock seconds (targets: >= 0.99, < 60 s on 2 cores).
2. Train throughput (images/s) of the ConvStudio trainer against the plain PyTorch
   tutorial loop (forward, loss, backward, step, zero_grad) on the same model, data,
   transforms and batch size, in the same process, alternating runs; prints the ratio.

Usage: python bench/bench_train.py [--epochs 15] [--tp-epochs 2] [--repeats 2] [--skip-cli]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
# Same OpenMP policy as `python main.py` (core.cli sets it) for both in-process loops.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")


def bench_cli(epochs: int, arch: str) -> tuple[float, float, dict]:
    """Run the CLI in a subprocess; returns (best_val_acc, wall seconds, summary)."""
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "run"
        cmd = [sys.executable, str(ROOT / "main.py"), "train", "--data", "builtin:digits"]
        cmd += ["--arch", arch, "--epochs", str(epochs), "--out", str(out)]
        t0 = time.perf_counter()
        proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
        wall = time.perf_counter() - t0
        if proc.returncode != 0:
            sys.exit(f"train failed ({proc.returncode}):\n{proc.stderr}")
        print(proc.stdout.rstrip())
        summary = json.loads((out / "summary.json").read_text())
    return float(summary["best_val_acc"]), wall, summary


def _datasets():
    from core import augment, data

    specs = augment.get_preset("digits")
    return data.build_datasets(
        "builtin:digits",
        train_transform=augment.build_pipeline(specs["train"]),
        eval_transform=augment.build_pipeline(specs["eval"]),
    )


def plain_loop(epochs: int, batch_size: int, lr: float, seed: int) -> float:
    """The tutorial loop; returns training images per second (data loading included)."""
    import torch
    import torch.nn.functional as F
    from torch.utils.data import DataLoader

    from core.models import build_model

    splits = _datasets()
    torch.manual_seed(seed)
    model = build_model("smallcnn", 10, in_channels=1, input_size=28)
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    loader = DataLoader(splits.train, batch_size=batch_size, shuffle=True)
    images, seconds = 0, 0.0
    for _ in range(epochs):
        model.train()
        t0 = time.perf_counter()
        for x, y in loader:
            out = model(x)  # forward
            loss = F.cross_entropy(out, y)  # loss
            loss.backward()  # backward
            optimizer.step()  # update
            optimizer.zero_grad()  # zero the gradients
            images += y.shape[0]
        seconds += time.perf_counter() - t0
        model.eval()  # a validation pass, as the trainer does (not timed on either side)
        with torch.inference_mode():
            for x, _ in DataLoader(splits.valid, batch_size=128):
                model(x)
    return images / seconds


def trainer_loop(epochs: int, batch_size: int, lr: float, seed: int) -> float:
    """The ConvStudio trainer on the same setup; returns its train images per second."""
    from core.config import TrainConfig
    from core.trainer import fit

    with tempfile.TemporaryDirectory() as tmp:
        cfg = TrainConfig(
            data="builtin:digits",
            arch="smallcnn",
            augment="digits",
            epochs=epochs,
            batch_size=batch_size,
            lr=lr,
            optimizer="adam",
            scheduler="none",
            seed=seed,
            out=os.path.join(tmp, "run"),
        )
        summary = fit(cfg)
    return float(summary["train_images_per_second"])


def bench_throughput(epochs: int, repeats: int, batch_size: int) -> tuple[float, float]:
    """Best-of-N images/s for each side, runs alternated so machine load hits both alike."""
    plain, ours = [], []
    for i in range(repeats):
        order = (plain_loop, trainer_loop) if i % 2 == 0 else (trainer_loop, plain_loop)
        for fn in order:
            ips = fn(epochs, batch_size, 1e-3, 0)
            (plain if fn is plain_loop else ours).append(ips)
            print(f"  run {i + 1}: {fn.__name__:<12} {ips:8.1f} images/s", flush=True)
    return max(plain), max(ours)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--epochs", type=int, default=15, help="epochs for the CLI accuracy run")
    ap.add_argument("--arch", default="smallcnn")
    ap.add_argument("--tp-epochs", type=int, default=2, help="epochs per throughput run")
    ap.add_argument("--repeats", type=int, default=2, help="throughput runs per side")
    ap.add_argument("--batch-size", type=int, default=64)
    ap.add_argument("--skip-cli", action="store_true", help="only measure throughput")
    args = ap.parse_args()

    import torch

    from core.models import cpu_supports_bf16

    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads, "
          f"{os.cpu_count()} CPUs, bf16 CPU support: {cpu_supports_bf16()}")  # fmt: skip
    results = {}
    if not args.skip_cli:
        print(f"\n== 1. CLI: digits + {args.arch}, {args.epochs} epochs ==")
        acc, wall, summary = bench_cli(args.epochs, args.arch)
        results.update(best_val_acc=acc, wall_seconds=wall)
        print(
            f"best_val_acc            : {acc:.4f}  (target >= 0.99)  -> {'OK' if acc >= 0.99 else 'MISSED'}"
        )
        print(
            f"wall seconds (CLI)      : {wall:.1f}  (target < 60)    -> {'OK' if wall < 60 else 'MISSED'}"
        )
        print(f"train seconds (summary) : {summary['seconds']:.1f}")

    print(f"\n== 2. throughput: trainer vs plain tutorial loop "
          f"(smallcnn, digits, batch {args.batch_size}, {args.tp_epochs} epochs x {args.repeats}) ==")  # fmt: skip
    plain, ours = bench_throughput(args.tp_epochs, args.repeats, args.batch_size)
    ratio = ours / plain
    results.update(plain_images_per_second=plain, trainer_images_per_second=ours, ratio=ratio)
    print(f"plain loop images/s     : {plain:.1f}")
    print(f"trainer images/s        : {ours:.1f}")
    print(
        f"ratio trainer/plain     : {ratio:.3f}  (target >= 1.0; noise on a shared CPU is a few %)"
    )
    print("\n" + json.dumps(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
