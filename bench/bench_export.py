"""Export figures: TorchScript and ONNX files against their bundles, and the run as a script.

For a digits ``smallcnn`` bundle (trained here for a few epochs) and a ``resnet18``
bundle (random weights, BatchNorm statistics away from 0/1, 3 classes, the ``seed``
preset's eval pipeline at 224x224), each exported to TorchScript and ONNX: the export
seconds, the file size, and the check the export makes (top-1 agreement and the largest
|logit difference| against the bundle in float32 on the check images). Then the digits
run is exported as a training script, run for the same epochs, and its best validation
accuracy is set beside the app's.

Usage: ``python bench/bench_export.py [--epochs 3] [--no-script]``.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")  # as the CLI: fair on a shared CPU
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def digits_bundle(folder: Path, epochs: int) -> tuple[Path, float, float]:
    """(best.pt, best val acc, seconds) of a short digits/smallcnn run of the trainer."""
    from core.config import TrainConfig
    from core.trainer import fit

    t0 = time.perf_counter()
    summary = fit(
        TrainConfig(data="builtin:digits", arch="smallcnn", epochs=epochs, out=str(folder))
    )
    return folder / "best.pt", float(summary["best_val_acc"]), time.perf_counter() - t0


def resnet_bundle(folder: Path) -> Path:
    import torch

    from core.augment import get_preset
    from core.checkpoint import make_bundle, save_bundle
    from core.models import build_model

    torch.manual_seed(0)
    model = build_model("resnet18", 3, 3, input_size=224)
    gen = torch.Generator().manual_seed(1)
    for m in model.modules():
        if isinstance(m, torch.nn.BatchNorm2d):  # as after training: not the 0/1 defaults
            m.running_mean.normal_(0.0, 0.3, generator=gen)
            m.running_var.uniform_(0.5, 1.5, generator=gen)
    spec = get_preset("seed")["eval"]
    bundle = make_bundle(
        model=model.eval(),
        arch="resnet18",
        class_names=["cat", "dog", "owl"],
        in_channels=3,
        input_size=224,
        eval_transforms=spec,
        epoch=1,
        metrics={},
        config={"data": str(folder / "photos"), "arch": "resnet18", "eval_transforms": spec},
    )
    path = folder / "resnet18.pt"
    save_bundle(bundle, path)
    return path


def export_rows(bundles: dict[str, Path], folder: Path) -> None:
    from core.export import export_model

    print(
        f"{'bundle':<10} {'format':<12} {'export s':>9} {'size':>10} {'top-1 agrees':>13} "
        f"{'max |logit diff|':>17}  check images"
    )
    for name, path in bundles.items():
        for fmt, suffix in (("torchscript", "_ts.pt"), ("onnx", ".onnx")):
            r = export_model(path, fmt, folder / f"{name}{suffix}")
            c = r.check
            print(
                f"{name:<10} {fmt:<12} {r.seconds:>9.2f} {r.size_bytes / 1e6:>7.2f} MB "
                f"{f'{c.top1_agree}/{c.images}':>13} {c.max_logit_diff:>17.2e}  {c.source}"
            )


def script_row(best: Path, folder: Path, epochs: int, app_acc: float, app_s: float) -> None:
    from core.export import export_model

    script = folder / "train_again.py"
    export_model(best, "script", script)
    t0 = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, str(script), "--epochs", str(epochs), "--out", str(folder / "s.pt")],
        cwd=folder,
        capture_output=True,
        text=True,
        check=True,
    )
    seconds = time.perf_counter() - t0
    last = proc.stdout.strip().splitlines()[-1]
    print(
        f"\ndigits/smallcnn, {epochs} epochs: app best_val_acc {app_acc:.4f} ({app_s:.1f} s "
        f"in process); generated script {last} ({seconds:.1f} s with its start-up)"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=3, help="digits epochs (default 3)")
    parser.add_argument("--no-script", action="store_true", help="skip the training script")
    args = parser.parse_args()
    import torch

    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads")
    with tempfile.TemporaryDirectory(prefix="bench_export_") as tmp:
        folder = Path(tmp)
        best, app_acc, app_s = digits_bundle(folder / "run", args.epochs)
        export_rows({"smallcnn": best, "resnet18": resnet_bundle(folder)}, folder)
        if not args.no_script:
            script_row(best, folder, args.epochs, app_acc, app_s)
    return 0


if __name__ == "__main__":
    sys.exit(main())
