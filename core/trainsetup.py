"""What a training run is built from, and the checks made before its first batch.

Small functions with one job each (as torchvision's references/classification):
the device, precision and memory format to use, the augmentation pipelines, the
optimizer, scheduler and loss, the data loaders, per-epoch seeding, the resume
checkpoint, and two checks that make a bad pipeline or input size fail at once with
a message that names the fix. core.trainer puts them together.
"""

from __future__ import annotations

import contextlib
import os
import random
from collections.abc import Callable, Iterable
from pathlib import Path

import torch
from torch import nn
from torch.utils.data import DataLoader, default_collate

from core import BUILTIN_DIGITS
from core.config import TrainConfig
from core.events import TrainingError
from core.images import ImageLoadError


def resolve_device(name: str) -> torch.device:
    """'auto' -> cuda, then mps, then cpu; an explicit device that is missing is an error.

    Also the device check of prediction (core.predict), so every command says the same
    one line for a device that does not exist here.
    """
    name = str(name).strip().lower()
    try:
        device = torch.device(name) if name != "auto" else None
    except (RuntimeError, ValueError):
        raise TrainingError(
            f"'{name}' is not a device; use cpu, cuda, cuda:N (a GPU's number) or mps."
        ) from None
    if device is not None and device.type not in ("cpu", "cuda", "mps"):
        raise TrainingError(f"ConvStudio runs on cpu, cuda or mps, not '{name}'.")
    if name == "auto":
        if torch.cuda.is_available():
            return torch.device("cuda")
        if getattr(torch.backends, "mps", None) and torch.backends.mps.is_available():
            return torch.device("mps")
        return torch.device("cpu")
    if name.startswith("cuda") and not torch.cuda.is_available():
        raise TrainingError("CUDA was requested but no CUDA GPU is available; use --device cpu.")
    if device.type == "cuda" and device.index is not None:
        count = torch.cuda.device_count()
        if device.index >= count:
            raise TrainingError(
                f"There is no GPU {name}: this machine has {count} (cuda:0"
                f"{f' to cuda:{count - 1}' if count > 1 else ''}); use one of those or cpu."
            )
    if name == "mps" and not (
        getattr(torch.backends, "mps", None) and torch.backends.mps.is_available()
    ):
        raise TrainingError("MPS was requested but is not available here; use --device cpu.")
    return torch.device(name)


def resolve_precision(name: str, device: torch.device) -> str:
    """bf16 autocast only where it pays: CPUs with AVX512-BF16/AMX, or a bf16-capable GPU."""
    if name != "auto":
        return name
    if device.type == "cpu":
        from core.models import cpu_supports_bf16

        return "bf16" if cpu_supports_bf16() else "fp32"
    if device.type == "cuda" and torch.cuda.is_bf16_supported():
        return "bf16"
    return "fp32"


def resolve_channels_last(name: str, arch: str, device: torch.device) -> bool:
    """channels_last for convolutional nets on CPU and CUDA (measured ~25% faster training
    for smallcnn on this AVX2 CPU); never for the MLP, and not on MPS where support varies."""
    if name != "auto":
        return name == "on"
    from core.models import ARCHS

    info = ARCHS.get(arch)
    if info is None or info.family == "mlp":
        return False
    return device.type in ("cpu", "cuda")


def resolve_specs(config: TrainConfig, source: str) -> tuple[list, list, str]:
    """Return (train_spec, eval_spec, preset_name) with explicit specs overriding the preset."""
    from core import augment

    preset = config.augment
    if preset == "auto":
        preset = "digits" if source == BUILTIN_DIGITS else "seed"
    if preset.lower().endswith(".json") or os.path.isfile(preset):
        specs = augment.load_spec_file(preset)
    else:
        specs = augment.get_preset(preset)
    train = config.train_transforms if config.train_transforms is not None else specs["train"]
    eval_ = config.eval_transforms if config.eval_transforms is not None else specs["eval"]
    train, eval_ = augment.validate_spec(train), augment.validate_spec(eval_)
    if (train, eval_) != (specs["train"], specs["eval"]):  # presets and files come validated
        preset = "custom"  # edited pipelines: config.json must not claim the preset's name
    return train, eval_, preset


def build_optimizer(config: TrainConfig, params: Iterable[nn.Parameter]) -> torch.optim.Optimizer:
    """SGD with momentum, Adam or AdamW over the trainable parameters only."""
    params = [p for p in params if p.requires_grad]
    if not params:
        raise TrainingError("The model has no trainable parameters; choose another mode.")
    if config.optimizer == "sgd":
        return torch.optim.SGD(
            params, lr=config.lr, momentum=config.momentum, weight_decay=config.weight_decay
        )
    if config.optimizer == "adamw":
        return torch.optim.AdamW(params, lr=config.lr, weight_decay=config.weight_decay)
    return torch.optim.Adam(params, lr=config.lr, weight_decay=config.weight_decay)


def build_scheduler(
    config: TrainConfig, optimizer: torch.optim.Optimizer, steps_per_epoch: int
) -> tuple[torch.optim.lr_scheduler.LRScheduler | None, bool]:
    """Return (scheduler, steps_per_batch). StepLR/cosine step per epoch, OneCycle per batch."""
    if config.scheduler == "step":
        sched = torch.optim.lr_scheduler.StepLR(optimizer, config.step_size, config.gamma)
        return sched, False
    if config.scheduler == "cosine":
        return torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=config.epochs), False
    if config.scheduler == "onecycle":
        sched = torch.optim.lr_scheduler.OneCycleLR(
            optimizer, max_lr=config.lr, epochs=config.epochs, steps_per_epoch=steps_per_epoch
        )
        return sched, True
    return None, False


def build_loss() -> nn.Module:
    """Cross-entropy on logits (kept as a function so tests can swap it)."""
    return nn.CrossEntropyLoss()


def seed_epoch(seed: int, epoch: int, generator: torch.Generator) -> None:
    """Seed every RNG the epoch uses so a resumed run repeats an uninterrupted one."""
    s = seed + epoch
    torch.manual_seed(s)
    random.seed(s)
    generator.manual_seed(s)


def current_lr(optimizer: torch.optim.Optimizer) -> float:
    return float(optimizer.param_groups[0]["lr"])


def is_oom(exc: BaseException) -> bool:
    if isinstance(exc, torch.OutOfMemoryError | MemoryError):
        return True
    text = str(exc).lower()
    return isinstance(exc, RuntimeError) and (
        "out of memory" in text or "can't allocate memory" in text or "not enough memory" in text
    )


def oom_error(device: torch.device, batch_size: int) -> TrainingError:
    where = "GPU" if device.type != "cpu" else "computer"
    return TrainingError(
        f"The {where} ran out of memory with batch size {batch_size}; "
        "lower the batch size or the input size, or pick a smaller model."
    )


def load_resume(path: str) -> dict:
    """The last.pt to resume from, checked: it must exist and hold the optimizer state."""
    from core.checkpoint import BundleError, load_bundle

    if not Path(path).is_file():
        raise TrainingError(f"Cannot resume: {path} does not exist; point to a run's last.pt.")
    try:
        ckpt = load_bundle(path)
    except BundleError as exc:
        raise TrainingError(f"Cannot resume from {path}: {exc}") from exc
    if "optimizer" not in ckpt:
        raise TrainingError(
            f"{path} has no optimizer state (a best.pt?); resume from the run's last.pt."
        )
    return ckpt


def make_loaders(
    config: TrainConfig,
    splits,
    sampler: torch.utils.data.Sampler | None,
    device: torch.device,
) -> tuple[DataLoader, DataLoader, torch.Generator]:
    """(train loader, validation loader, the train loader's generator, seeded per epoch)."""
    gen = torch.Generator()
    gen.manual_seed(config.seed)
    n = len(splits.train)
    # BatchNorm cannot train on a final batch of one image.
    drop_last = n > config.batch_size and n % config.batch_size == 1
    pin = device.type == "cuda"
    train = DataLoader(
        SkipUnreadable(splits.train),
        collate_fn=collate_readable,
        batch_size=config.batch_size,
        shuffle=sampler is None,
        sampler=sampler,
        generator=gen,
        num_workers=config.num_workers,
        pin_memory=pin,
        drop_last=drop_last,
    )
    valid = DataLoader(
        SkipUnreadable(splits.valid),
        collate_fn=collate_readable,
        batch_size=max(config.batch_size, 128),
        shuffle=False,
        num_workers=config.num_workers,
        pin_memory=pin,
    )
    return train, valid, gen


class SkipUnreadable(torch.utils.data.Dataset):
    """A dataset whose images that cannot be read any more give a note, not an exception.

    The scan checked every file, but one can vanish or be emptied while a run goes on
    (a sync client, a cleanup): one such file must not abort hours of training.
    """

    def __init__(self, dataset: torch.utils.data.Dataset) -> None:
        self.dataset = dataset

    def __len__(self) -> int:
        return len(self.dataset)

    def __getitem__(self, index: int):
        try:
            return self.dataset[index]
        except (ImageLoadError, OSError) as exc:
            return Unreadable(str(exc) or type(exc).__name__)


class Unreadable(str):
    """The reason one sample could not be read (a str, so it pickles from workers)."""


def collate_readable(items: list) -> tuple:
    """(x, y, reasons): the readable samples batched as usual, and why the others failed.
    x and y are None when no sample of the batch could be read."""
    good = [item for item in items if not isinstance(item, Unreadable)]
    bad = tuple(str(item) for item in items if isinstance(item, Unreadable))
    if not good:
        return None, None, bad
    x, y = default_collate(good)
    return x, y, bad


def check_one_size(summary, train_spec: list, eval_spec: list) -> None:
    """Images of several sizes need a pipeline that makes them one size (else the first
    batch fails with "stack expects each tensor to be equal size"): say which step."""
    examples = getattr(summary, "mixed_sizes", None)
    if not examples:
        return
    from core.augment_checks import output_size
    from core.augment_size import size_fix_hint

    for name, spec in (("train", train_spec), ("eval", eval_spec)):
        made = {}
        for hw in examples:
            made.setdefault(output_size(spec, tuple(hw)), hw)
        if len(made) > 1:
            sizes = " and ".join(f"{w}x{h}" for h, w in list(made.values())[:2])
            raise TrainingError(
                f"The images have different sizes (e.g. {sizes}) and the {name} pipeline "
                f"keeps each image's size, so they cannot be batched together: "
                f"{size_fix_hint(spec)}."
            )


def check_sample(splits, in_channels: int, train_spec: list, eval_spec: list) -> tuple[int, ...]:
    """Run one sample through both pipelines so a bad spec fails now, clearly; the shape."""
    check_one_size(splits.summary, train_spec, eval_spec)
    shapes = []
    for name, ds in (("eval", splits.valid), ("train", splits.train)):
        if len(ds) == 0:
            raise TrainingError(f"The {name} split has no images; add images or change val_split.")
        try:
            x, _ = ds[0]
        except Exception as exc:
            raise TrainingError(
                f"The {name} transforms cannot process an image of this dataset "
                f"({in_channels} channel(s)): {exc}. Check the augmentation steps "
                "(e.g. Normalize needs one mean/std value per channel)."
            ) from exc
        if not isinstance(x, torch.Tensor) or x.ndim != 3 or not x.is_floating_point():
            raise TrainingError(
                f"The {name} transforms must end with a float tensor (add ToTensor), "
                f"but gave {type(x).__name__}."
            )
        if x.shape[0] != in_channels:
            spec = eval_spec if name == "eval" else train_spec
            raise TrainingError(_channel_message(name, spec, in_channels, x.shape[0]))
        shapes.append(tuple(x.shape))
    if shapes[0] != shapes[1]:
        raise TrainingError(
            f"Train images come out as {list(shapes[1])} but validation images as "
            f"{list(shapes[0])}; make both pipelines produce the same size."
        )
    return shapes[0]


def _channel_message(name: str, spec: list, in_channels: int, got: int) -> str:
    from core.augment import normalize_stats

    stats = normalize_stats(spec)
    if stats is not None and len(stats[0]) != in_channels:
        return (
            f"The {name} transforms' Normalize has {len(stats[0])} mean/std values but the "
            f"images have {in_channels} channel(s); Normalize needs one mean/std value "
            "per channel."
        )
    return (
        f"The {name} transforms give {got} channel(s) but the model expects "
        f"{in_channels}; remove Grayscale steps or change in_channels."
    )


def check_forward(
    model: nn.Module,
    arch: str,
    shape: tuple[int, ...],
    device: torch.device,
    autocast: Callable[[], contextlib.AbstractContextManager],
    to_device: Callable[[torch.Tensor], torch.Tensor],
) -> None:
    """One forward pass of a zero batch: a model that cannot take the input size fails now."""
    x = torch.zeros((1, *shape), device=device)
    model.eval()
    try:
        with torch.inference_mode(), autocast():
            model(to_device(x))
    except Exception as exc:
        if is_oom(exc):
            raise oom_error(device, 1) from exc
        raise TrainingError(
            f"{arch} cannot take {list(shape)} inputs: {exc}. "
            "Change the input size in the augmentation steps or pick another model."
        ) from exc
