"""Learning-rate finder benchmark (a script, not a test).

1. `python main.py lr-find --data builtin:digits --arch smallcnn --optimizer adam --json`
   (the range test, 100 steps from 1e-7 to 1): prints the suggested rate and the time.
2. `python main.py train ... --lr SUGGESTED --epochs 15`: prints the best validation
   accuracy (target: >= 0.99) and, with --compare, the same for the default 1e-3.

Usage: python bench/bench_lrfind.py [--epochs 15] [--steps 100] [--compare]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BASE = ["--data", "builtin:digits", "--arch", "smallcnn", "--optimizer", "adam"]


def _main_py(*args: str) -> tuple[str, float]:
    t0 = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, str(ROOT / "main.py"), *args], cwd=ROOT, capture_output=True, text=True
    )
    wall = time.perf_counter() - t0
    if proc.returncode != 0:
        sys.exit(f"main.py {args[0]} failed ({proc.returncode}):\n{proc.stderr}")
    return proc.stdout, wall


def find(steps: int) -> tuple[float, float, int]:
    """(suggested lr, wall seconds, learning rates tried)."""
    out, wall = _main_py("lr-find", *BASE, "--steps", str(steps), "--json")
    result = json.loads(out)
    return float(result["suggested_lr"]), wall, len(result["lrs"])


def train(lr: float, epochs: int) -> tuple[float, int, float]:
    """(best val acc, best epoch, wall seconds) of a digits run at ``lr``."""
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "run"
        args = ["train", *BASE, "--lr", repr(lr), "--epochs", str(epochs), "--out", str(out)]
        _, wall = _main_py(*args)
        summary = json.loads((out / "summary.json").read_text())
    return float(summary["best_val_acc"]), int(summary["best_epoch"]), wall


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=15)
    parser.add_argument("--steps", type=int, default=100)
    parser.add_argument("--compare", action="store_true", help="also train at lr 1e-3")
    args = parser.parse_args()
    lr, wall, tried = find(args.steps)
    print(f"lr-find: suggested lr {lr:.3g} ({tried} rates tried, {wall:.1f} s wall)")
    rates = [("suggested", lr)] + ([("default", 1e-3)] if args.compare else [])
    for name, rate in rates:
        acc, epoch, seconds = train(rate, args.epochs)
        verdict = "ok" if acc >= 0.99 else "BELOW 0.99"
        print(
            f"train at the {name} lr {rate:.3g}, {args.epochs} epochs: best val acc "
            f"{acc:.4f} at epoch {epoch} ({seconds:.1f} s wall) [{verdict}]"
        )


if __name__ == "__main__":
    main()
