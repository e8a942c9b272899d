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

The two ways are timed in turns (one-by-one, batched, one-by-one ...), best of
``--runs``: other jobs on the machine then slow both alike. The load average is
printed before and after. The breakdown says where an image's time goes: decoding
(and, for comparison, decoding reduced as training does), the eval transforms, the
forward pass alone at batch 1 (as ``Predictor.predict`` runs it), with the Predict
panel's packed single-picture weights (core.fastpath) and at evaluation's batch size.
Batching speeds up only the forward pass, and the forward pass already uses every
core, so on a CPU one-by-one time / (batched forward + reading spread over the cores)
bounds what batching can gain; the bench prints that bound.

Measured on the 2-core dev machine (AVX512, float32, other jobs running): a 640x480
JPEG costs ~3 ms to read and 30-38 ms in resnet18 at batch 1 against 14-25 ms a picture
at batch 16, so the bound is 1.6-1.9x and 3x is out of reach there. 12 MP photos
(``--size 4032x3024``): reading dominates (80-180 ms, 5-11 ms if decoded reduced as
training does), and two readers gained 0.95-1.9x from run to run.

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
    return in_turns(runs, fn)[0]


def in_turns(runs: int, *fns) -> list[float]:
    """The fastest of ``runs`` timed calls of each of ``fns``, called in turns (seconds)."""
    times: list[list[float]] = [[] for _ in fns]
    for _ in range(runs):
        for fn, spent in zip(fns, times, strict=True):
            t0 = time.perf_counter()
            fn()
            spent.append(time.perf_counter() - t0)
    return [min(spent) for spent in times]


def load_average() -> str:
    try:
        return "load average " + " ".join(f"{v:.2f}" for v in os.getloadavg())
    except OSError:
        return "load average unknown"


def breakdown(predictor, paths: list[Path], batch: int, runs: int, bundle: Path) -> None:
    """Print ms per image of each step and what they bound batching's gain to."""
    import torch

    from core.augment_size import needed_short_side
    from core.images import load_image
    from core.predict import Predictor

    images = [predictor.load(p) for p in paths]
    tensors = [predictor.preprocess(im, loaded=True) for im in images]
    stacked = [torch.stack(tensors[i : i + batch]) for i in range(0, len(tensors), batch)]
    # the Predict panel's single pictures: conv weights packed once (a second predictor,
    # so the one-by-one figure above stays Predictor.predict's default path)
    panel = Predictor(str(bundle), device=str(predictor.device))
    panel.warm_up(fast_single=True)
    side = needed_short_side(predictor.bundle["eval_transforms"])  # what the pipeline needs
    n = len(paths)
    decode, reduced, transform, single, packed, batched = (
        1000.0 * t / n
        for t in in_turns(
            runs,
            lambda: [predictor.load(p) for p in paths],
            lambda: [load_image(p, 3, min_side=side, reduce_any=True) for p in paths],
            lambda: [predictor.preprocess(im, loaded=True) for im in images],
            lambda: [predictor.log_probabilities(t[None]) for t in tensors],
            lambda: [panel.log_probabilities(t[None]) for t in tensors],
            lambda: [predictor.log_probabilities(b) for b in stacked],
        )
    )
    print(f"  where an image's time goes (ms per image, best of {runs}):")
    print(f"    decode (Predictor.load)        {decode:7.1f}")
    print(
        f"    decode reduced (JPEG draft)    {reduced:7.1f}   (as training decodes; "
        "Predictor and evaluation decode photos under 16 MP whole)"
    )
    print(f"    eval transforms                {transform:7.1f}")
    print(f"    forward, batch 1               {single:7.1f}")
    print(f"    forward, batch 1, packed       {packed:7.1f}   (Predict panel's fast path)")
    print(f"    forward, batch {batch:<3d}             {batched:7.1f}")
    if predictor.device.type != "cpu":
        return
    # Batching speeds up the forward pass only; reading is spread over the cores at best.
    cores = os.cpu_count() or 1
    reading = decode + transform
    bound = (reading + single) / (batched + reading / cores)
    print(
        f"    one by one / (batched forward + reading on {cores} cores) {bound:5.2f}x  "
        f"(the most batching can gain here; {(reading + packed) / (batched + reading / cores):.2f}x"
        " against the packed path)"
    )


def bench_resnet18(folder: Path, count: int, size: tuple[int, int], runs: int, device: str) -> None:
    from core.evaluate import batch_size_for, evaluate, read_ahead, read_workers
    from core.predict import Predictor

    paths = make_photos(folder / "photos", count, size)
    bundle = make_bundle(folder, "resnet18", "seed", 3, 224)
    predictor = Predictor(str(bundle), device=device)
    source = str(folder / "photos")
    batch = batch_size_for(predictor)
    workers, ahead = read_workers(), read_ahead(predictor.device)
    evaluate(predictor, source, "all")  # warm-up: kernels, allocator, the first folder scan
    evaluate(predictor, source, "all", batch_size=32, workers=1, ahead=1)
    for path in paths[:4]:
        predictor.predict(path)
    photos = f"{count} JPEGs {size[0]}x{size[1]}"
    print(f"resnet18 at 224 on {device}, {photos}, float32, {load_average()}:")
    one_by_one, batched, before = in_turns(
        runs,
        lambda: [predictor.predict(p) for p in paths],
        lambda: evaluate(predictor, source, "all"),
        lambda: evaluate(predictor, source, "all", batch_size=32, workers=1, ahead=1),
    )
    print(f"  Predictor.predict one by one   {count / one_by_one:7.1f} images/s")
    print(
        f"  core.evaluate (default)        {count / batched:7.1f} images/s   "
        f"{one_by_one / batched:5.2f}x   (target >= 3x; batch {batch}, {workers} reader(s), "
        f"{ahead} batch(es) read ahead)"
    )
    print(
        f"  core.evaluate, batch 32, 1 reader, 1 ahead {count / before:5.1f} images/s   "
        f"{one_by_one / before:5.2f}x   (as before this change)"
    )
    breakdown(predictor, paths[: min(count, 2 * batch)], batch, runs, bundle)
    ev = evaluate(predictor, source, "all")
    assert len(ev.rows) == count, ev.skipped
    print(f"  ({load_average()} after)")


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
