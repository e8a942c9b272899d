"""The Train tab's plain functions: run folders, the dataset's shape, the parameter count.

No widgets here: :func:`count_model_parameters` is a task function for
:mod:`gui.tasks` and the others are ordinary helpers (a resumed run's earlier epochs,
this machine's devices), all testable without a window.
"""

from __future__ import annotations

import datetime as _dt
import os
from pathlib import Path

from core import BUILTIN_DIGITS, runs
from gui import appdata


def default_runs_folder() -> str:
    """runs/ in the app's data folder (~/.local/share/ConvStudio/runs on Linux)."""
    return str(appdata.runs_dir())


def new_run_dir(folder: str | Path, arch: str, now: _dt.datetime | None = None) -> Path:
    """A fresh run folder name under ``folder``: <arch>-<YYYYmmdd-HHMMSS>[-n]."""
    stamp = (now or _dt.datetime.now()).strftime("%Y%m%d-%H%M%S")
    base = Path(folder) / f"{arch}-{stamp}"
    path, n = base, 1
    while path.exists():
        n += 1
        path = base.with_name(f"{base.name}-{n}")
    return path


def dataset_shape(source: str) -> tuple[int, int, int | None]:
    """(classes, channels, natural input size) of a source without reading images.

    Digits are 10 classes of 1x28x28; a folder's class count is its number of class
    sub-folders (under train/ when that layout is used). Used only for the parameter
    count shown before training, so a quick directory listing is enough.
    """
    if source in (BUILTIN_DIGITS, "digits"):
        return 10, 1, 28
    root = Path(source)
    if (root / "train").is_dir():
        root = root / "train"
    try:
        classes = [e for e in os.scandir(root) if e.is_dir() and not e.name.startswith(".")]
    except OSError:
        return 2, 3, None
    return max(2, len(classes)), 3, None


def count_model_parameters(ctx, arch: str, mode: str, source: str) -> tuple[int, int]:
    """Task function: build the model and count its parameters.

    Built on the meta device: shape-only parameters, no memory, and no weight
    initialisation, which would draw from torch's global generator while a run started
    at the same moment (Train pressed while PyTorch loads) seeds and initialises its own
    model, so the same seed would not give the same run.
    """
    import torch

    from core import models

    ctx.check()
    num_classes, channels, size = dataset_shape(source)
    info = models.ARCHS[arch]
    with torch.device("meta"):
        model = models.build_model(
            arch,
            num_classes,
            in_channels=channels,
            mode=mode,
            pretrained=None,
            input_size=size or info.default_input_size,
        )
    ctx.check()
    return models.count_parameters(model)


def earlier_epochs(run_dir: str | Path, start_epoch: int) -> tuple[list[dict], Exception | None]:
    """A resumed run's metrics rows before ``start_epoch`` (RUN/metrics.csv), and the
    error when they cannot be read (the run goes on; only its earlier curve is missing).
    The file holds tens of rows: read on the GUI thread as the run starts."""
    try:
        return runs.read_metrics(Path(run_dir) / "metrics.csv", up_to_epoch=start_epoch - 1), None
    except (OSError, runs.RunError) as exc:
        return [], exc


def available_devices() -> list[str]:
    """auto, cpu, and the accelerators PyTorch sees on this machine."""
    import torch

    devices = ["auto", "cpu"]
    if torch.cuda.is_available():
        devices.append("cuda")
    mps = getattr(torch.backends, "mps", None)
    if mps is not None and mps.is_available():
        devices.append("mps")
    return devices
