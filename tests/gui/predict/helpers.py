"""Helpers of the Predict panel's tests: sample pictures, bundles, a stand-in TaskContext."""

from __future__ import annotations

import shutil
from pathlib import Path

SAMPLES = Path(__file__).resolve().parents[3] / "resources" / "samples"
WAIT_MS = 20_000


def save_bundle(path: Path, arch: str) -> Path:
    import torch

    from core.augment import get_preset
    from core.checkpoint import make_bundle, save_bundle
    from core.models import build_model

    torch.manual_seed(0)
    model = build_model(arch, 10, in_channels=1, input_size=28)
    bundle = make_bundle(
        model=model,
        arch=arch,
        class_names=[str(i) for i in range(10)],
        in_channels=1,
        input_size=28,
        eval_transforms=get_preset("digits")["eval"],
        epoch=1,
        metrics={"val_acc": 0.5},
        config={},
    )
    save_bundle(bundle, path)
    return path


def digits(folder: Path, names=("digit_3_a.png", "digit_7_a.png", "digit_0_b.png")) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    return [Path(shutil.copy(SAMPLES / n, folder / n)) for n in names]


def bad_batch(folder: Path) -> list[Path]:
    """Two digits around an empty, a corrupt and a text file."""
    good = digits(folder, ("digit_8_a.png", "digit_9_a.png"))
    empty = folder / "empty.png"
    empty.write_bytes(b"")
    corrupt = folder / "corrupt.jpg"
    corrupt.write_bytes(b"\xff\xd8\xff\xe0 this is not really a jpeg" * 3)
    text = folder / "notes.txt"
    text.write_text("hello")
    return [good[0], empty, corrupt, text, good[1]]


class Ctx:
    """A stand-in TaskContext that records progress reports and partial results."""

    def __init__(self) -> None:
        self.reports: list[tuple[int, int]] = []
        self.partials: list[list] = []
        self.cancelled = False

    def progress(self, done: int, total: int) -> None:
        self.reports.append((done, total))

    def partial(self, value) -> None:
        self.partials.append(value)

    def check(self) -> None:
        if self.cancelled:
            from gui.tasks import TaskCancelled

            raise TaskCancelled
