"""Peak memory of the commands that once grew without bound (issue 13, items 7 and 8).

Each command runs in its own process; its peak resident memory (the kernel's
``ru_maxrss`` of that child, read with ``os.wait4``; the same figure as /proc's VmHWM)
is compared with the baseline of a process that only imports torch and torchvision,
which is most of what any ConvStudio command costs (about 800 MB with the CUDA wheels).
Target: each under 500 MB above that baseline.

* ``augment --n 256`` on a 4000x3000 photo, with the ``seed`` preset (crops before
  ToTensor) and with ``none`` (ToTensor at full size, 144 MB a sample): it once
  needed about 58 GB;
* ``predict --topk 100000000`` on a few images, with ``--csv``: it once grew to
  23.8 GB and was killed by the kernel;
* ``predict`` with a bundle whose metadata was edited (mlp, input_size 2000): it once
  built a 2.7 GB network before finding that the weights do not fit; now it is refused
  (a non-zero exit is the expected result) after a shapes-only build, and the time to
  the refusal is printed.

Usage: ``python bench/bench_memory.py [--n 256]`` (takes a few minutes on 2 cores).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGET_MB = 500.0


def peak_mb(argv: list[str]) -> tuple[float, float, int]:
    """(peak resident MB, wall seconds, exit code) of one child process."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    t0 = time.perf_counter()
    child = subprocess.Popen(argv, cwd=ROOT, env=env, stdout=subprocess.DEVNULL)
    _, status, usage = os.wait4(child.pid, 0)
    child.returncode = os.waitstatus_to_exitcode(status)
    return usage.ru_maxrss / 1024.0, time.perf_counter() - t0, child.returncode


def _photo(path: Path) -> None:
    """A 4000x3000 JPEG with a photo's amount of detail (smooth gradients plus noise)."""
    import numpy as np
    from PIL import Image

    rng = np.random.default_rng(0)
    y, x = np.mgrid[0:3000, 0:4000].astype(np.float32)
    base = np.stack([x / 16, y / 12, (x + y) / 28], axis=-1) % 255
    noise = rng.normal(0, 18, size=(3000, 4000, 3)).astype(np.float32)
    Image.fromarray(np.clip(base + noise, 0, 255).astype(np.uint8)).save(path, quality=90)


def _digits_bundle(arch: str, size: int) -> dict:
    """A 10-class grayscale bundle of ``arch`` at ``size`` px (random weights, seeded)."""
    import torch

    from core import augment
    from core.checkpoint import make_bundle
    from core.models import build_model

    torch.manual_seed(0)
    return make_bundle(
        model=build_model(arch, 10, in_channels=1, input_size=size),
        arch=arch,
        class_names=[str(i) for i in range(10)],
        in_channels=1,
        input_size=size,
        eval_transforms=augment.get_preset("digits")["eval"],
        epoch=1,
        metrics={},
        config={},
    )


def _bundle(path: Path, pics: Path) -> None:
    """A smallcnn digits bundle (random weights) and three 28x28 digit images."""
    from PIL import Image

    from core.checkpoint import save_bundle

    save_bundle(_digits_bundle("smallcnn", 28), path)
    pics.mkdir()
    for i in range(3):
        Image.new("L", (28, 28), 80 * i).save(pics / f"digit{i}.png")


def _edited_bundle(path: Path) -> None:
    """An mlp bundle for 8x8 inputs whose metadata claims 2000x2000 (issue 13 #9)."""
    import torch

    bundle = _digits_bundle("mlp", 8)
    bundle["input_size"] = 2000
    torch.save(bundle, path)  # as an editor would: not through save_bundle's checks


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=256, help="augmentation samples (default 256)")
    args = parser.parse_args(argv)
    sys.path.insert(0, str(ROOT))
    py, main_py = sys.executable, str(ROOT / "main.py")
    with tempfile.TemporaryDirectory(prefix="convstudio-bench-memory-") as tmp:
        work = Path(tmp)
        photo, model, pics = work / "photo.jpg", work / "best.pt", work / "pics"
        _photo(photo)
        _bundle(model, pics)
        edited = work / "edited.pt"
        _edited_bundle(edited)
        base, _, _ = peak_mb([py, "-c", "import torch, torchvision"])
        print(f"baseline: import torch, torchvision            peak {base:8.1f} MB")
        cases = [  # (label, command, whether it should succeed)
            (
                f"augment --preset {preset} --n {args.n} (4000x3000 JPEG)",
                [py, main_py, "augment", "--preset", preset, "--image", str(photo)]
                + ["--n", str(args.n), "--out", str(work / f"grid_{preset}.png")],
                True,
            )
            for preset in ("seed", "none")
        ]
        cases.append(
            (
                "predict --topk 100000000 --csv (3 images)",
                [py, main_py, "predict", "--model", str(model), str(pics)]
                + ["--topk", "100000000", "--csv", str(work / "out.csv")],
                True,
            )
        )
        cases.append(
            (
                "predict, bundle edited to input_size 2000",
                [py, main_py, "predict", "--model", str(edited), str(pics)],
                False,
            )
        )
        worst = 0.0
        for label, cmd, succeeds in cases:
            peak, seconds, code = peak_mb(cmd)
            over = peak - base
            worst = max(worst, over)
            verdict = "ok" if over < TARGET_MB else "OVER TARGET"
            if (code == 0) != succeeds:
                verdict = f"exit code {code}"
            elif not succeeds:
                verdict += f" (refused, exit code {code})"
            print(
                f"{label:<47} peak {peak:8.1f} MB  +{over:7.1f} MB over the baseline "
                f"(target < {TARGET_MB:.0f})  {seconds:6.1f} s  {verdict}"
            )
    return 0 if worst < TARGET_MB else 1


if __name__ == "__main__":
    sys.exit(main())
