"""How long the Augment panel takes to regenerate its preview.

Target (issue 4): 16 samples at 224x224 with the `seed` preset within 200 ms on this
2-core CPU. Measured offscreen, without the event loop, on the same function the
panel runs on its thread pool (``gui.augment.render_preview``, which calls the grid
renderer the CLI shares, ``core.augment.sample_grid``):

* pipeline: the 16 seeded runs of the seed preset's train pipeline (the core path),
  with torch's default thread count and with one thread, as the panel runs it;
* preview: pipeline + un-normalizing + tiling + QImage conversion, for both views
  ("as a person sees it" and "what the model sees").

The panel debounces edits by 100 ms on top of this. The source image is a synthetic
photo-sized picture (default 500x375, like a typical ImageFolder photo).

Usage: ``python bench/bench_augment_preview.py [--runs 20] [--size 500x375] [--n 16]``.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.timing import time_calls  # noqa: E402

TARGET_MS = 200.0


def _photo(width: int, height: int):
    """A smooth, colourful picture with some edges (noise would flatter nobody)."""
    import numpy as np
    from PIL import Image, ImageDraw

    y, x = np.mgrid[0:height, 0:width].astype(np.float32)
    arr = np.stack(
        [
            127 + 120 * np.sin(x / 37.0),
            127 + 120 * np.cos(y / 23.0),
            127 + 120 * np.sin((x + y) / 51.0),
        ],
        axis=-1,
    ).astype(np.uint8)
    img = Image.fromarray(arr, "RGB")
    draw = ImageDraw.Draw(img)
    draw.ellipse((width // 4, height // 4, width // 2, height // 2), fill=(250, 240, 30))
    draw.rectangle((width // 2, height // 2, 3 * width // 4, 7 * height // 8), fill=(20, 30, 200))
    return img


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--size", default="500x375", help="source image WxH")
    parser.add_argument("--n", type=int, default=16, help="samples per preview")
    args = parser.parse_args(argv)
    width, height = (int(v) for v in args.size.lower().split("x"))

    from PySide6.QtGui import QGuiApplication

    app = QGuiApplication.instance() or QGuiApplication([])  # noqa: F841 - QImage needs it
    import torch

    from core import augment
    from core.augment import VIEW_MODEL, VIEW_PERSON, augment_samples
    from gui.augment import PreviewRequest, render_preview
    from gui.runtime import single_threaded

    spec = augment.get_preset("seed")["train"]
    source = _photo(width, height)
    first = augment_samples(spec, [source], 1, 0)[0]
    load = ", ".join(f"{v:.1f}" for v in os.getloadavg())
    print(f"torch {torch.__version__}, threads {torch.get_num_threads()}, cpus {os.cpu_count()}")
    print(f"load average before: {load} (other processes share these cores)")
    print(f"source {width}x{height} RGB -> model input {tuple(first.shape)}; {args.n} samples")

    def core_path() -> None:
        with single_threaded():
            augment_samples(spec, [source], args.n, 0)

    rows = [
        ("pipeline, torch default threads", lambda: augment_samples(spec, [source], args.n, 0)),
        ("pipeline, 1 thread (as the panel)", core_path),
    ]
    for view in (VIEW_PERSON, VIEW_MODEL):
        request = PreviewRequest(spec, [source], n=args.n, seed=0, view=view)
        rows.append((f"preview, view={view}", lambda r=request: render_preview(r)))

    worst = 0.0
    for label, fn in rows:
        median, p95, cpu = time_calls(fn, args.runs, warmup=2)
        worst = max(worst, median) if label.startswith("preview") else worst
        print(f"{label:34s} median {median:7.1f} ms   p95 {p95:7.1f} ms   cpu {cpu:7.1f} ms")
    verdict = "meets" if worst <= TARGET_MS else "misses"
    print(f"slowest preview median {worst:.1f} ms {verdict} the {TARGET_MS:.0f} ms target")
    return 0


if __name__ == "__main__":
    sys.exit(main())
