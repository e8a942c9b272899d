"""Training speed on real photos (a script, not a test): the plain tutorial loop against
ConvStudio, from scratch and with a frozen backbone, on a folder of phone-sized JPEGs.

Makes (or takes, --photos) a folder DIR/train/<class>/ + DIR/valid/<class>/ of 1600x1200
JPEGs: gradients, noise and shapes, four classes told apart by the shapes. Then, in
one run, alternating the two sides, each measured run in a fresh process (so peak memory
is its own):

1. from scratch, resnet18, the same RandomResizedCrop(224) + flip pipeline, batch size,
   optimizer (SGD with momentum) and epochs: the PyTorch transfer-learning tutorial's
   loop (ImageFolder, DataLoader, model.train(), forward, loss, backward, step, zero the
   gradients, validation under torch.no_grad()) in one process, as the issue measured
   it, against `core.trainer.fit`, once as this CPU runs it (bf16 where supported) and
   once with CONVSTUDIO_ASSUME_BF16=0 (the path of an AVX2-only CPU: float32,
   channels_last); for context also the tutorial's loop with its own DataLoader of 4
   worker processes, and ConvStudio with one worker process;
2. frozen backbone, 10 epochs: the tutorial's "ConvNet as fixed feature extractor"
   against ConvStudio's feature-extract mode (feature cache, built in the run), and
   for context the tutorial's loop with its 4 worker processes;
3. memory: a 10,000-image folder (links to the photos) through ConvStudio's input
   pipeline, resident memory above the model's own.

Prints train images/s, epoch seconds after the first, total wall seconds, best
validation accuracy, the ratios, peak memory, and the load average around each run
(the machine may be shared: rerun when it is quieter).

Usage: python bench/bench_photos.py [--photos DIR] [--per-class 80] [--epochs 3]
       [--frozen-epochs 10] [--batch-size 16] [--repeats 1] [--memory-images 10000]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")  # as `python main.py` (core.cli)

CLASSES = ("circles", "boxes", "stripes", "blobs")
MEAN, STD = [0.485, 0.456, 0.406], [0.229, 0.224, 0.225]
TRAIN_SPEC = [
    {"name": "RandomResizedCrop", "params": {"size": 224}},
    {"name": "RandomHorizontalFlip", "params": {"p": 0.5}},
    {"name": "ToTensor", "params": {}},
    {"name": "Normalize", "params": {"mean": MEAN, "std": STD}},
]
EVAL_SPEC = [
    {"name": "Resize", "params": {"size": 256}},
    {"name": "CenterCrop", "params": {"size": 224}},
    {"name": "ToTensor", "params": {}},
    {"name": "Normalize", "params": {"mean": MEAN, "std": STD}},
]


# --------------------------------------------------------------------------- the photos


def _photo(rng, cls: str, noise, w: int = 1600, h: int = 1200):
    import numpy as np
    from PIL import Image, ImageDraw, ImageFilter

    angle = rng.uniform(0, 2 * np.pi)
    x = (np.cos(angle) * np.arange(w, dtype=np.float32) / w)[None, :, None]
    y = (np.sin(angle) * np.arange(h, dtype=np.float32) / h)[:, None, None]
    base = rng.uniform(40, 200, 3).astype(np.float32)
    tilt = rng.uniform(30, 90, 3).astype(np.float32)
    im = Image.fromarray(np.clip(base + tilt * (x + y), 0, 255).astype(np.uint8), "RGB")
    draw = ImageDraw.Draw(im)
    for _ in range(int(rng.integers(3, 7))):
        col = tuple(int(c) for c in rng.integers(0, 256, 3))
        cx, cy = rng.uniform(0.1, 0.9) * w, rng.uniform(0.1, 0.9) * h
        r = rng.uniform(0.05, 0.18) * h
        if cls == "circles":
            draw.ellipse([cx - r, cy - r, cx + r, cy + r], fill=col)
        elif cls == "boxes":
            draw.rectangle([cx - r, cy - r * 0.7, cx + r, cy + r * 0.7], fill=col)
        elif cls == "stripes":
            for k in range(5):
                y0 = cy - r + k * r / 2
                draw.line([cx - r, y0, cx + r, y0 + r / 3], fill=col, width=int(r / 8) + 2)
        else:
            pts = [
                (
                    cx + r * rng.uniform(0.4, 1.2) * np.cos(t),
                    cy + r * rng.uniform(0.4, 1.2) * np.sin(t),
                )
                for t in np.linspace(0, 2 * np.pi, 9)[:-1]
            ]
            draw.polygon(pts, fill=col)
    im = im.filter(ImageFilter.GaussianBlur(1.5))
    oy, ox = rng.integers(0, noise.shape[0] - h), rng.integers(0, noise.shape[1] - w)
    arr = np.asarray(im, dtype=np.int16) + noise[oy : oy + h, ox : ox + w]  # sensor noise
    return Image.fromarray(np.clip(arr, 0, 255).astype(np.uint8), "RGB")


def make_photos(
    root: Path,
    per_class: int,
    valid_share: float = 0.2,
    size: tuple[int, int] = (1600, 1200),
    quality: int = 92,
) -> Path:
    """DIR/train/<class>/ and DIR/valid/<class>/ of JPEGs ``size`` (w, h) pixels; the
    default 1600x1200 at quality 92 is ~580 kB a photo. Existing files are kept."""
    import numpy as np

    w, h = size
    rng = np.random.default_rng(0)
    noise = rng.normal(0, 8, (h + 200, w + 200, 3)).astype(np.int16)
    n_valid = max(1, round(per_class * valid_share))
    for cls in CLASSES:
        for i in range(per_class):
            split = "valid" if i < n_valid else "train"
            path = root / split / cls / f"{cls}_{i:04d}.jpg"
            if not path.exists():
                path.parent.mkdir(parents=True, exist_ok=True)
                _photo(rng, cls, noise, w=w, h=h).save(path, quality=quality)
    return root


def link_folder(photos: Path, root: Path, n: int) -> Path:
    """A folder of ``n`` training images: links to the photos under new names."""
    sources = sorted((photos / "train").rglob("*.jpg"))
    for i in range(n):
        src = sources[i % len(sources)]
        dst = root / "train" / src.parent.name / f"{i:05d}.jpg"
        if not dst.exists():
            dst.parent.mkdir(parents=True, exist_ok=True)
            os.symlink(src, dst)
    for src in (photos / "valid").rglob("*.jpg"):
        dst = root / "valid" / src.parent.name / src.name
        if not dst.exists():
            dst.parent.mkdir(parents=True, exist_ok=True)
            os.symlink(src, dst)
    return root


def make_weights(path: Path, photos: Path) -> None:
    """A resnet18 state_dict standing in for ImageNet weights (there is no download here):
    random convolutions whose BatchNorm statistics are measured on 64 of the photos, so
    that in eval mode, as a frozen backbone runs, its features are normalised as a
    trained network's are (random init's statistics, 0 and 1, make them degenerate)."""
    import torch
    import torchvision

    torch.manual_seed(0)
    model = torchvision.models.resnet18()
    for m in model.modules():
        if isinstance(m, torch.nn.BatchNorm2d):
            m.momentum = None  # a plain average over the batches below
    data = torchvision.datasets.ImageFolder(photos / "train", _tutorial_transforms()["valid"])
    loader = torch.utils.data.DataLoader(data, batch_size=16, shuffle=True)
    model.train()
    with torch.no_grad():
        for i, (x, _) in enumerate(loader):
            model(x)
            if i == 3:
                break
    torch.save(model.state_dict(), path)


# --------------------------------------------------------------------------- child runs


def _rss_mb() -> float:
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _tutorial_transforms():
    import torch
    from torchvision.transforms import v2

    train = v2.Compose(
        [v2.RandomResizedCrop(224), v2.RandomHorizontalFlip(), v2.ToImage(),
         v2.ToDtype(torch.float32, scale=True), v2.Normalize(MEAN, STD)]
    )  # fmt: skip
    val = v2.Compose(
        [v2.Resize(256), v2.CenterCrop(224), v2.ToImage(),
         v2.ToDtype(torch.float32, scale=True), v2.Normalize(MEAN, STD)]
    )  # fmt: skip
    return {"train": train, "valid": val}


def plain_loop(job: dict) -> dict:
    """The PyTorch transfer-learning tutorial's loop: as the issue measured it, in one
    process (num_workers 0), or with ``num_workers`` worker processes (the tutorial's
    own DataLoader has 4)."""
    import torch
    import torchvision
    from torch import nn
    from torchvision import datasets

    t_start = time.perf_counter()
    torch.manual_seed(0)
    tf = _tutorial_transforms()
    image_datasets = {x: datasets.ImageFolder(os.path.join(job["photos"], x), tf[x]) for x in tf}
    loaders = {
        x: torch.utils.data.DataLoader(
            image_datasets[x],
            batch_size=job["batch_size"],
            shuffle=True,
            num_workers=job.get("num_workers", 0),
        )
        for x in tf
    }
    model = torchvision.models.resnet18()
    if job["frozen"]:
        model.load_state_dict(torch.load(job["weights"], weights_only=True))
        for param in model.parameters():
            param.requires_grad = False
    model.fc = nn.Linear(model.fc.in_features, len(CLASSES))
    params = model.fc.parameters() if job["frozen"] else model.parameters()
    optimizer = torch.optim.SGD(params, lr=job["lr"], momentum=0.9)
    criterion = nn.CrossEntropyLoss()
    rss_model = _rss_mb()
    epochs, best_acc = [], 0.0
    for _ in range(job["epochs"]):
        row = {}
        for phase in ("train", "valid"):
            model.train() if phase == "train" else model.eval()
            t0, correct, seen = time.perf_counter(), 0, 0
            for inputs, labels in loaders[phase]:
                optimizer.zero_grad()
                with torch.set_grad_enabled(phase == "train"):
                    outputs = model(inputs)
                    loss = criterion(outputs, labels)
                    if phase == "train":
                        loss.backward()
                        optimizer.step()
                correct += int((outputs.argmax(1) == labels).sum())
                seen += labels.shape[0]
            row[phase] = (time.perf_counter() - t0, seen, correct / seen)
        best_acc = max(best_acc, row["valid"][2])
        epochs.append(
            {"train_s": row["train"][0], "train_n": row["train"][1],
             "seconds": row["train"][0] + row["valid"][0]}
        )  # fmt: skip
    return {
        "wall": time.perf_counter() - t_start,
        "epochs": epochs,
        "best_val_acc": best_acc,
        "rss_model_mb": rss_model,
        "peak_mb": _peak_mb(),
    }


def convstudio(job: dict) -> dict:
    """core.trainer.fit on the same data, pipeline, model, optimizer and batch size."""
    from core.config import TrainConfig
    from core.events import Callback
    from core.trainer import fit

    class Watch(Callback):
        def __init__(self) -> None:
            self.epochs: list[dict] = []
            self.train: dict[int, tuple[float, int]] = {}
            self.rss_model = 0.0

        def on_fit_start(self, ev) -> None:
            self.rss_model = _rss_mb()
            self.precision = ev.precision

        def on_batch_end(self, ev) -> None:
            if ev.step == ev.steps:
                seen = ev.steps * job["batch_size"]  # drop_last never applies here
                self.train[ev.epoch] = (seen / ev.images_per_second, seen)

        def on_epoch_end(self, ev) -> None:
            train_s, n = self.train.get(ev.epoch, (ev.seconds, 0))
            self.epochs.append({"train_s": train_s, "train_n": n, "seconds": ev.seconds})

    with tempfile.TemporaryDirectory() as tmp:
        os.environ["CONVSTUDIO_FEATURE_CACHE"] = os.path.join(tmp, "features")
        cfg = TrainConfig(
            data=job["photos"],
            arch="resnet18",
            mode="feature-extract" if job["frozen"] else "scratch",
            pretrained=job["weights"] if job["frozen"] else "none",
            train_transforms=TRAIN_SPEC,
            eval_transforms=EVAL_SPEC,
            epochs=job["epochs"],
            batch_size=job["batch_size"],
            optimizer="sgd",
            momentum=0.9,
            lr=job["lr"],
            scheduler="none",
            num_workers=job.get("num_workers", 0),
            out=os.path.join(tmp, "run"),
        )
        watch = Watch()
        t0 = time.perf_counter()
        summary = fit(cfg, [watch])
        wall = time.perf_counter() - t0
    return {
        "wall": wall,
        "epochs": watch.epochs,
        "best_val_acc": summary["best_val_acc"],
        "precision": watch.precision,
        "rss_model_mb": watch.rss_model,
        "peak_mb": _peak_mb(),
    }


def memory_check(job: dict) -> dict:
    """A big folder through ConvStudio's input pipeline (no network): resident memory
    after each block of batches, above what the model and optimizer hold."""
    from core.config import TrainConfig
    from core.trainer import Trainer

    cfg = TrainConfig(
        data=job["photos"], arch="resnet18", train_transforms=TRAIN_SPEC,
        eval_transforms=EVAL_SPEC, batch_size=job["batch_size"], optimizer="sgd",
        out=os.path.join(tempfile.mkdtemp(), "run"),
    )  # fmt: skip
    t = Trainer(cfg)
    t0 = time.perf_counter()
    t.setup()
    setup_s = time.perf_counter() - t0
    rss_model = _rss_mb()
    marks, seen = [], 0
    for _x, y, *_ in t.train_loader:
        seen += len(y)
        if seen % (job["batch_size"] * 25) == 0:
            marks.append((seen, round(_rss_mb() - rss_model)))
        if seen >= job["images"]:
            break
    return {
        "train_images": len(t.splits.train),
        "setup_s": setup_s,
        "rss_model_mb": rss_model,
        "marks": marks,
        "peak_above_model_mb": _peak_mb() - rss_model,
    }


def network_alone(job: dict) -> dict:
    """resnet18 train steps on random batches (no data): images/s in float32, float32 with
    channels_last, and bf16 autocast with channels_last, the three taking turns step by
    step (so a change in the machine's other load hits all three); and what a batch shape
    seen for the first time costs (oneDNN sets up its kernels once per shape)."""
    import torch
    import torchvision

    def step(model, opt, x, y, bf16: bool) -> float:
        t0 = time.perf_counter()
        with torch.autocast("cpu", dtype=torch.bfloat16, enabled=bf16):
            out = model(x)
        torch.nn.functional.cross_entropy(out.float(), y).backward()
        opt.step()
        opt.zero_grad()
        return time.perf_counter() - t0

    n, kinds = job["batch_size"], (("fp32", False, False), ("fp32+CL", True, False),
                                   ("bf16+CL", True, True))  # fmt: skip
    runs = {}
    for name, cl, bf16 in kinds:
        torch.manual_seed(0)
        fmt = torch.channels_last if cl else torch.contiguous_format
        model = torchvision.models.resnet18(num_classes=4).to(memory_format=fmt)
        opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
        x = torch.randn(n, 3, 224, 224).contiguous(memory_format=fmt)
        runs[name] = (model, opt, x, torch.randint(0, 4, (n,)), bf16, fmt)
        step(*runs[name][:5])  # warm-up
    times: dict[str, list] = {name: [] for name in runs}
    for _ in range(4):
        for name, (model, opt, x, y, bf16, _) in runs.items():
            times[name].append(step(model, opt, x, y, bf16))
    out = {name: n / sorted(t)[1] for name, t in times.items()}  # the second fastest
    for name in ("fp32+CL", "bf16+CL"):
        model, opt, _, y, bf16, fmt = runs[name]
        odd = torch.randn(5, 3, 224, 224).contiguous(memory_format=fmt)
        out[f"odd_first_ms_{name}"] = step(model, opt, odd, y[:5], bf16) * 1e3
        out[f"odd_again_ms_{name}"] = (
            min(step(model, opt, odd, y[:5], bf16) for _ in range(2)) * 1e3
        )
    return out


CHILDREN = {
    "plain": plain_loop,
    "convstudio": convstudio,
    "memory": memory_check,
    "network": network_alone,
}


def run_child(kind: str, job: dict, env: dict | None = None) -> dict:
    load = os.getloadavg()[0]
    proc = subprocess.run(
        [sys.executable, __file__, "--child", kind, json.dumps(job)],
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
    )
    if proc.returncode != 0:
        sys.exit(f"{kind} run failed:\n{proc.stderr[-3000:]}")
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    out["load"] = (load, os.getloadavg()[0])
    return out


# --------------------------------------------------------------------------- report


def _ips(res: dict, skip_first: bool) -> float:
    rows = res["epochs"][1:] if skip_first and len(res["epochs"]) > 1 else res["epochs"]
    return sum(r["train_n"] for r in rows) / sum(r["train_s"] for r in rows)


def _later_epoch_s(res: dict) -> float:
    rows = res["epochs"][1:] or res["epochs"]
    return sum(r["seconds"] for r in rows) / len(rows)


def _line(name: str, res: dict) -> str:
    return (
        f"  {name:<22} train {_ips(res, False):7.1f} img/s (after epoch 1: "
        f"{_ips(res, True):7.1f})  epoch>1 {_later_epoch_s(res):7.2f} s  wall {res['wall']:7.1f} s"
        f"  best val acc {res['best_val_acc']:.3f}  peak {res['peak_mb']:6.0f} MB"
        f" (model {res['rss_model_mb']:5.0f})  load {res['load'][0]:.1f}->{res['load'][1]:.1f}"
    )


def _best(results: list[dict]) -> dict:
    """The fastest repeat (the one the machine's other load hurt least)."""
    return max(results, key=lambda r: _ips(r, True))


def section_network(args) -> dict:
    net = run_child("network", {"batch_size": args.batch_size, "fp32": True})
    print(f"\n== 0. the network alone (resnet18 train steps, batch {args.batch_size}) ==")
    print("  " + ", ".join(f"{k} {net[k]:.1f} img/s" for k in ("fp32", "fp32+CL", "bf16+CL")))
    for kind in ("fp32+CL", "bf16+CL"):
        print(f"  a batch of 5 ({kind}): first {net[f'odd_first_ms_{kind}']:.0f} ms, "
              f"again {net[f'odd_again_ms_{kind}']:.0f} ms (oneDNN's set-up is kept)")  # fmt: skip
    return {f"network_{k}": v for k, v in net.items()}


def _alternate(title: str, order: list, repeats: int) -> dict[str, list]:
    print(f"\n== {title} (alternating) ==", flush=True)
    res: dict[str, list] = {key: [] for key, *_ in order}
    for i in range(repeats):
        for key, kind, spec, env in order if i % 2 == 0 else order[::-1]:
            res[key].append(run_child(kind, spec, env))
            print(_line(key, res[key][-1]), flush=True)
    return res


def section_scratch(args, job: dict) -> dict:
    scratch = {**job, "frozen": False, "epochs": args.epochs}
    order = [
        ("plain", "plain", scratch, None),
        ("ours", "convstudio", scratch, None),
        ("ours_fp32", "convstudio", scratch, {"CONVSTUDIO_ASSUME_BF16": "0"}),
        ("ours_worker", "convstudio", {**scratch, "num_workers": 1}, None),
        ("plain_workers", "plain", {**scratch, "num_workers": 4}, None),
    ]
    res = _alternate(f"1. from scratch, {args.epochs} epochs", order, args.repeats)
    plain, ours, ours32, worker, plain4 = (
        _best(res[k]) for k in ("plain", "ours", "ours_fp32", "ours_worker", "plain_workers")
    )
    r_auto, r_fp32 = _ips(ours, True) / _ips(plain, True), _ips(ours32, True) / _ips(plain, True)
    print(f"  train images/s after epoch 1 (best of {args.repeats}): plain {_ips(plain, True):.1f}, "
          f"ConvStudio {_ips(ours, True):.1f} ({ours['precision']}), ConvStudio fp32+channels_last "
          f"{_ips(ours32, True):.1f}, ConvStudio with a DataLoader worker process instead of the "
          f"decoding thread {_ips(worker, True):.1f}")  # fmt: skip
    print(f"  ratio ({ours['precision']}): {r_auto:.2f}x  (target >= 2.5x where bf16 is fast)")
    print(f"  ratio (fp32 + channels_last, the AVX2 path): {r_fp32:.2f}x  (target >= 1.25x)")
    print(f"  the tutorial's loop with its own 4 DataLoader worker processes: "
          f"{_ips(plain4, True):.1f} images/s; ConvStudio against it: "
          f"{_ips(ours, True) / _ips(plain4, True):.2f}x ({ours['precision']}), "
          f"{_ips(ours32, True) / _ips(plain4, True):.2f}x (fp32)")  # fmt: skip
    print(f"  best val acc: plain {plain['best_val_acc']:.3f}, ConvStudio "
          f"{ours['best_val_acc']:.3f} / fp32 {ours32['best_val_acc']:.3f}")  # fmt: skip
    return {"scratch_ratio": r_auto, "scratch_ratio_fp32": r_fp32}


def section_frozen(args, job: dict) -> dict:
    frozen = {**job, "frozen": True, "epochs": args.frozen_epochs, "lr": 0.001}
    order = [
        ("fplain", "plain", frozen, None),
        ("fours", "convstudio", frozen, None),
        ("fplain_workers", "plain", {**frozen, "num_workers": 4}, None),
    ]
    res = _alternate(f"2. frozen backbone, {args.frozen_epochs} epochs", order, args.repeats)
    fplain, fours, fplain4 = (_best(res[k]) for k in ("fplain", "fours", "fplain_workers"))
    r_wall = fplain["wall"] / fours["wall"]
    r_epoch = _later_epoch_s(fplain) / _later_epoch_s(fours)
    print(f"  total wall: plain {fplain['wall']:.1f} s, ConvStudio {fours['wall']:.1f} s "
          f"(feature extraction included): {r_wall:.1f}x  (target >= 5x)")  # fmt: skip
    print(f"  epochs after the first: {_later_epoch_s(fplain):.2f} s vs "
          f"{_later_epoch_s(fours):.3f} s = {r_epoch:.0f}x  (target >= 20x)")  # fmt: skip
    print(f"  best val acc: plain {fplain['best_val_acc']:.3f}, ConvStudio "
          f"{fours['best_val_acc']:.3f}")  # fmt: skip
    print(f"  the tutorial's loop with its own 4 DataLoader worker processes: wall "
          f"{fplain4['wall']:.1f} s ({fplain4['wall'] / fours['wall']:.1f}x ConvStudio's), "
          f"epochs after the first {_later_epoch_s(fplain4):.2f} s "
          f"({_later_epoch_s(fplain4) / _later_epoch_s(fours):.0f}x)")  # fmt: skip
    return {"frozen_wall_ratio": r_wall, "frozen_epoch_ratio": r_epoch}


def section_memory(args, photos: Path, base: Path) -> dict:
    big = link_folder(photos, base / f"links-{args.memory_images}", args.memory_images)
    mem = run_child("memory", {"photos": str(big), "batch_size": args.batch_size, "images": 1600})
    print(f"\n== 3. memory: {mem['train_images']:,} training images (links to the photos), "
          f"ConvStudio's input pipeline over 1,600 of them ==")  # fmt: skip
    print(f"  set-up (scan, datasets, model) {mem['setup_s']:.1f} s; resident after the "
          f"model {mem['rss_model_mb']:.0f} MB")  # fmt: skip
    print("  above the model after N images: "
          + ", ".join(f"{n}: {mb} MB" for n, mb in mem["marks"]))  # fmt: skip
    print(f"  peak above the model: {mem['peak_above_model_mb']:.0f} MB  (target < 2048 MB; "
          f"decoded pictures are capped at 1024 MB)")  # fmt: skip
    return {"memory_peak_above_model_mb": mem["peak_above_model_mb"]}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--photos", type=Path, help="DIR/train/<class>/ + DIR/valid/<class>/")
    ap.add_argument("--per-class", type=int, default=80, help="photos per class to make")
    ap.add_argument("--epochs", type=int, default=3, help="epochs from scratch")
    ap.add_argument("--frozen-epochs", type=int, default=10)
    ap.add_argument("--batch-size", type=int, default=16)
    ap.add_argument("--repeats", type=int, default=1, help="alternating repeats of each pair")
    ap.add_argument("--memory-images", type=int, default=10_000, help="images of section 3")
    ap.add_argument("--sections", default="0123", help="which sections to run (default 0123)")
    ap.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        print(json.dumps(CHILDREN[args.child[0]](json.loads(args.child[1]))))
        return 0

    import torch

    from core.models import cpu_supports_bf16

    base = Path(tempfile.gettempdir()) / "convstudio-bench-photos"
    photos = args.photos or make_photos(base / f"photos-{args.per_class}", args.per_class)
    weights = base / "resnet18-local.pth"  # "pretrained" weights made here: no download
    if not weights.exists():
        make_weights(weights, photos)
    n_train = len(list((photos / "train").rglob("*.jpg")))
    n_valid = len(list((photos / "valid").rglob("*.jpg")))
    print(
        f"torch {torch.__version__}, {torch.get_num_threads()} threads, {os.cpu_count()} CPUs, "
        f"bf16 CPU support: {cpu_supports_bf16()}; {photos}: {n_train} train + {n_valid} "
        f"valid JPEGs, 1600x1200; resnet18, batch {args.batch_size}; load average "
        f"{' '.join(f'{x:.2f}' for x in os.getloadavg())}",
        flush=True,
    )
    job = {"photos": str(photos), "batch_size": args.batch_size, "lr": 0.01}
    job["weights"] = str(weights)
    summary: dict = {}
    if "0" in args.sections:
        summary.update(section_network(args))
    if "1" in args.sections:
        summary.update(section_scratch(args, job))
    if "2" in args.sections:
        summary.update(section_frozen(args, job))
    if "3" in args.sections:
        summary.update(section_memory(args, photos, base))
    print("\n" + json.dumps(summary))
    return 0


if __name__ == "__main__":
    sys.exit(main())
