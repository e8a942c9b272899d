"""Evaluation speed: batched core.evaluate against Predictor.predict image by image.

Targets (issue 11): for resnet18 at 224 px, evaluation images/s at least 3x the rate of
calling ``Predictor.predict`` on the same files one at a time; the built-in digits
validation split (360 images) evaluated with smallcnn in under 1 s once the model is
loaded. Both run in float32 (the default everywhere), on random weights (speed does
not depend on them), after a warm-up.

* resnet18: ``--images`` JPEG photos (``--size``, the sample sunset scene with a
  different crop each) in two class folders, the ``seed`` preset's eval pipeline
  (Resize 256, CenterCrop 224, Normalize); the same predictor object for both ways.
* digits: smallcnn with the ``digits`` preset, ``evaluate(predictor, "builtin:digits")``.

Usage: ``python bench/bench_evaluate.py [--images 128] [--size 640x480] [--runs 3]``.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")  # as the CLI and the app set it
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def make_bundle(folder: Path, arch: str, preset: str, channels: int, size: int) -> Path:
    import torch

    from core.augment import get_preset
    from core.checkpoint import make_bundle as _make
    from core.checkpoint import save_bundle
    from core.models import build_model

    torch.manual_seed(0)
    names = [str(i) for i in range(10)] if preset == "digits" else ["a", "b"]
    bundle = _make(
        model=build_model(arch, len(names), in_channels=channels, input_size=size),
        arch=arch,
        class_names=names,
        in_channels=channels,
        input_size=size,
        eval_transforms=get_preset(preset)["eval"],
        epoch=0,
        metrics={},
        config={},
    )
    path = folder / f"{arch}.pt"
    save_bundle(bundle, path)
    return path


def make_photos(folder: Path, count: int, size: tuple[int, int]) -> list[Path]:
    """``count`` JPEGs in folder/a and folder/b: crops of the sample scene, resized."""
    from PIL import Image

    sample = Image.open(ROOT / "resources" / "samples" / "photo_sunset.jpg").convert("RGB")
    paths = []
    for i in range(count):
        cls = folder / ("a" if i % 2 else "b")
        cls.mkdir(parents=True, exist_ok=True)
        w, h = sample.size
        box = (i % 7, i % 5, w - (i % 11), h - (i % 3))
        path = cls / f"photo_{i:04d}.jpg"
        sample.crop(box).resize(size, Image.Resampling.BICUBIC).save(path, quality=90)
        paths.append(path)
    return paths


def best_of(runs: int, fn) -> float:
    """The fastest of ``runs`` timed calls (seconds): the least disturbed by other load."""
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def bench_resnet18(folder: Path, count: int, size: tuple[int, int], runs: int, device: str) -> None:
    from core.evaluate import evaluate, read_workers
    from core.predict import Predictor

    paths = make_photos(folder / "photos", count, size)
    predictor = Predictor(str(make_bundle(folder, "resnet18", "seed", 3, 224)), device=device)
    source = str(folder / "photos")
    evaluate(predictor, source, "all")  # warm-up: kernels, allocator, the first folder scan
    for path in paths[:4]:
        predictor.predict(path)
    one_by_one = best_of(runs, lambda: [predictor.predict(p) for p in paths])
    print(f"resnet18 at 224 on {device}, {count} JPEGs {size[0]}x{size[1]}, float32:")
    print(f"  Predictor.predict one by one   {count / one_by_one:7.1f} images/s")
    for workers in sorted({1, read_workers()}):
        batched = best_of(runs, lambda w=workers: evaluate(predictor, source, "all", workers=w))
        default = " (default here)" if workers == read_workers() else ""
        print(
            f"  core.evaluate, {workers} reader(s)    {count / batched:7.1f} images/s   "
            f"{one_by_one / batched:5.2f}x{default}   (target >= 3x)"
        )
    ev = evaluate(predictor, source, "all")
    assert len(ev.rows) == count, ev.skipped


def bench_digits(folder: Path, runs: int) -> None:
    from core.evaluate import evaluate
    from core.predict import Predictor

    t0 = time.perf_counter()
    predictor = Predictor(str(make_bundle(folder, "smallcnn", "digits", 1, 28)))
    load = time.perf_counter() - t0
    t0 = time.perf_counter()
    evaluate(predictor, "builtin:digits", "valid")  # first: digits and scikit-learn load
    first = time.perf_counter() - t0
    seconds = best_of(runs, lambda: evaluate(predictor, "builtin:digits", "valid"))
    print("smallcnn, built-in digits validation split (360 images), float32:")
    print(f"  loading the bundle             {load:7.3f} s")
    print(f"  first evaluation (+ imports)   {first:7.3f} s")
    print(f"  evaluation after loading       {seconds:7.3f} s   (target < 1 s)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--images", type=int, default=128)
    parser.add_argument("--size", default="640x480")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    size = tuple(int(v) for v in args.size.lower().split("x"))
    import torch

    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads, {os.cpu_count()} CPUs")
    with tempfile.TemporaryDirectory() as tmp:
        bench_digits(Path(tmp), args.runs)
        bench_resnet18(Path(tmp), args.images, size, args.runs, "cpu")
        if torch.cuda.is_available():
            bench_resnet18(Path(tmp), args.images, size, args.runs, "cuda")


if __name__ == "__main__":
    main()
