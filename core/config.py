"""TrainConfig: everything a training run needs, its checks, and how each field is shown.

Torch-free, so the window and the CLI's ``--help`` can use it before PyTorch loads.
Each field carries a :class:`Setting` in its metadata (label, tooltip, accepted range,
choices, the range its widget offers, when it matters); :meth:`TrainConfig.validate`
checks against it, the Train panel builds its form from it and ``main.py train``
its options, so a field's meaning is written once. Labels and tips are marked for
translation (:mod:`core.messages`): the window shows them in its language, the CLI's
``--help`` in English.
"""

from __future__ import annotations

import dataclasses
import json
import math
import os
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from core import ARCH_NAMES, BUILTIN_DIGITS, MODES, OPTIMIZERS, PRECISIONS, SCHEDULERS
from core.appdirs import runs_dir
from core.messages import QT_TRANSLATE_NOOP

DEVICES = ("auto", "cpu", "cuda", "mps")
CHANNELS_LAST = ("auto", "on", "off")
BEST_METRICS = ("val_acc", "val_loss")  # what decides "best" (core.runs.is_better)
SETTING = "convstudio"  # the metadata key of a field's Setting


# What a bad value of a field is told, "{field}: ..." (translated in the window, core.messages)
NOT_TEXT = QT_TRANSLATE_NOOP("CoreMessages", "{field}: must be a non-empty string, not {value}.")
NOT_CHOICE = QT_TRANSLATE_NOOP("CoreMessages", "{field}: must be one of {choices}, not {value}.")
NOT_WHOLE = QT_TRANSLATE_NOOP("CoreMessages", "{field}: must be a whole number, not {value}.")
NOT_BETWEEN = QT_TRANSLATE_NOOP(
    "CoreMessages", "{field}: must be between {low} and {high}, not {value}."
)
NOT_FINITE = QT_TRANSLATE_NOOP("CoreMessages", "{field}: must be a finite number, not {value}.")
NOT_IN = QT_TRANSLATE_NOOP("CoreMessages", "{field}: must be in {interval}, not {value}.")
NOT_DEVICE = QT_TRANSLATE_NOOP(
    "CoreMessages", "{field}: must be one of {choices} (or cuda:N), not {value}."
)
NOT_STEPS = QT_TRANSLATE_NOOP("CoreMessages", "{field}: must be a list of transform steps or None.")
NOT_CHANNELS = QT_TRANSLATE_NOOP("CoreMessages", "{field}: must be 1, 3 or None, not {value}.")
NOT_RESUME = QT_TRANSLATE_NOOP("CoreMessages", "{field}: must be a path to a last.pt file or None.")


class ConfigError(ValueError):
    """A TrainConfig field has a value the trainer cannot use; the message names the field
    (one of the templates above, filled with ``values``)."""

    def __init__(self, field_name: str, template: str, **values: object) -> None:
        super().__init__(template.format(field=field_name, **values))
        self.field = field_name


@dataclass(frozen=True)
class Setting:
    """How one TrainConfig field is checked, shown in the Train panel and offered by the CLI.

    ``bounds``: (low, high, brackets) accepted by validate(), brackets "[]", "(]", "[)"
    or "()" for closed/open ends; high None means no upper bound. ``ui``: (low, high)
    or (low, high, decimals, step) of the panel's spin box where it offers less.
    ``group``: the panel's box ("model", "hyper"), "" for fields the panel does not
    show. ``used_when``: (other field, values) under which the field matters (the
    panel greys it out otherwise). ``flag``: offered as ``main.py train --name``.
    ``shown_when``: a capability of the machine the panel needs before it shows the row
    ("several processes": more than one CPU core or GPU; core.launcher.local_slots).
    """

    label: str
    tip: str
    group: str = ""
    choices: tuple[str, ...] = ()
    bounds: tuple[float, float | None, str] | None = None
    ui: tuple[float, ...] | None = None
    used_when: tuple[str, tuple[str, ...]] | None = None
    flag: bool = True
    shown_when: str = ""


def _field(default: Any, label: str, tip: str, **setting: Any) -> Any:
    return dataclasses.field(default=default, metadata={SETTING: Setting(label, tip, **setting)})


@dataclass
class TrainConfig:
    """Everything a training run needs; JSON-able through to_dict()/from_dict()."""

    data: str = _field(
        BUILTIN_DIGITS,
        QT_TRANSLATE_NOOP("CoreMessages", "Dataset"),
        QT_TRANSLATE_NOOP("CoreMessages", "builtin:digits or a folder of class folders"),
    )
    arch: str = _field(
        "smallcnn",
        QT_TRANSLATE_NOOP("CoreMessages", "Model"),
        QT_TRANSLATE_NOOP("CoreMessages", "Network architecture from the model registry."),
        group="model",
        choices=ARCH_NAMES,
    )
    mode: str = _field(
        "scratch",
        QT_TRANSLATE_NOOP("CoreMessages", "Transfer mode"),
        QT_TRANSLATE_NOOP(
            "CoreMessages",
            "scratch: random weights, all layers train. finetune: start from pretrained weights "
            "and train all layers. feature-extract: freeze the backbone, train only the new head. "
            "two-stage: the head alone first (head epochs), then all layers at a lower rate.",
        ),
        group="model",
        choices=MODES,
    )
    pretrained: str = _field(
        "none",
        QT_TRANSLATE_NOOP("CoreMessages", "Pretrained"),
        QT_TRANSLATE_NOOP(
            "CoreMessages",
            "Start from ImageNet weights (torchvision, from the torch hub cache) or from a local "
            ".pth state_dict (imagenet, a path, or none). Missing weights stop the run with a "
            "message naming the file.",
        ),
        group="model",
    )
    head_epochs: int = _field(
        3,
        QT_TRANSLATE_NOOP("CoreMessages", "Head epochs"),
        QT_TRANSLATE_NOOP(
            "CoreMessages",
            "two-stage: epochs that train the head alone, the backbone frozen (on cached "
            "features); then every layer trains from the best head.",
        ),
        group="model",
        bounds=(1, 100_000, "[]"),
        ui=(1, 10_000),
        used_when=("mode", ("two-stage",)),
    )
    finetune_lr_factor: float = _field(
        0.1,
        QT_TRANSLATE_NOOP("CoreMessages", "Fine-tune LR factor"),
        QT_TRANSLATE_NOOP(
            "CoreMessages",
            "two-stage: the learning rate of the second stage (all layers) is the learning "
            "rate times this factor.",
        ),
        group="model",
        bounds=(0.0, 1.0, "(]"),
        ui=(0.0001, 1.0, 4, 0.01),
        used_when=("mode", ("two-stage",)),
    )
    feature_cache: str = _field(
        "on",
        QT_TRANSLATE_NOOP("CoreMessages", "Feature cache"),
        QT_TRANSLATE_NOOP(
            "CoreMessages",
            "Frozen backbone (feature-extract, two-stage's head epochs): on computes the "
            "backbone's features once and trains the head on them (epochs take a fraction of "
            "a second); off runs the whole network on every image in every epoch.",
        ),
        group="model",
        choices=("on", "off"),
        used_when=("mode", ("feature-extract", "two-stage")),
    )
    cache_views: int = _field(
        0,
        QT_TRANSLATE_NOOP("CoreMessages", "Augmented views"),
        QT_TRANSLATE_NOOP(
            "CoreMessages",
            "Feature cache: augmented versions of each training image extracted once through "
            "the train pipeline, a different one each epoch. 0 (the default, fastest): no "
            "augmentation, the head sees each image as the evaluation pipeline makes it.",
        ),
        group="model",
        bounds=(0, 1000, "[]"),
        ui=(0, 1000),
        used_when=("mode", ("feature-extract", "two-stage")),
    )
    cache_memory_mb: int = _field(
        512,
        QT_TRANSLATE_NOOP("CoreMessages", "Cache memory (MB)"),
        QT_TRANSLATE_NOOP(
            "CoreMessages",
            "Feature cache: kept in memory up to this size, read from its file beyond it "
            "(0: always from the file).",
        ),
        group="model",
        bounds=(0, 1_000_000, "[]"),
        ui=(0, 1_000_000),
        used_when=("mode", ("feature-extract", "two-stage")),
    )
    augment: str = _field(
        "auto",
        QT_TRANSLATE_NOOP("CoreMessages", "Augmentation"),
        QT_TRANSLATE_NOOP(
            "CoreMessages", "augmentation preset (auto, seed, digits, none) or SPEC.json"
        ),
    )
    train_transforms: list | None = _field(
        None, QT_TRANSLATE_NOOP("CoreMessages", "Train transforms"), "", flag=False
    )
    eval_transforms: list | None = _field(
        None, QT_TRANSLATE_NOOP("CoreMessages", "Eval transforms"), "", flag=False
    )
    epochs: int = _field(
        15,
        QT_TRANSLATE_NOOP("CoreMessages", "Epochs"),
        QT_TRANSLATE_NOOP("CoreMessages", "Passes over the training set."),
        group="hyper",
        bounds=(1, 100_000, "[]"),
    )
    batch_size: int = _field(
        64,
        QT_TRANSLATE_NOOP("CoreMessages", "Batch size"),
        QT_TRANSLATE_NOOP("CoreMessages", "Images per optimizer step."),
        group="hyper",
        bounds=(1, 1_000_000, "[]"),
        ui=(1, 65_536),
    )
    lr: float = _field(
        1e-3,
        QT_TRANSLATE_NOOP("CoreMessages", "Learning rate"),
        QT_TRANSLATE_NOOP("CoreMessages", "Learning rate: the optimizer's step size."),
        group="hyper",
        bounds=(0.0, None, "(]"),
        ui=(1e-6, 10.0, 6, 1e-4),
    )
    optimizer: str = _field(
        "adam",
        QT_TRANSLATE_NOOP("CoreMessages", "Optimizer"),
        QT_TRANSLATE_NOOP(
            "CoreMessages", "Adam/AdamW adapt the step per weight; SGD uses momentum."
        ),
        group="hyper",
        choices=OPTIMIZERS,
    )
    momentum: float = _field(
        0.9,
        QT_TRANSLATE_NOOP("CoreMessages", "Momentum"),
        QT_TRANSLATE_NOOP("CoreMessages", "SGD momentum (ignored by Adam)."),
        group="hyper",
        bounds=(0.0, 1.0, "[)"),
        ui=(0.0, 0.999, 3, 0.05),
        used_when=("optimizer", ("sgd",)),
    )
    weight_decay: float = _field(
        0.0,
        QT_TRANSLATE_NOOP("CoreMessages", "Weight decay"),
        QT_TRANSLATE_NOOP("CoreMessages", "Weight decay (L2 penalty on the weights)."),
        group="hyper",
        bounds=(0.0, None, "[]"),
        ui=(0.0, 1.0, 6, 1e-4),
    )
    # measured: cosine keeps digits/smallcnn >= 0.99 over the last epochs
    scheduler: str = _field(
        "cosine",
        QT_TRANSLATE_NOOP("CoreMessages", "LR schedule"),
        QT_TRANSLATE_NOOP(
            "CoreMessages",
            "Learning-rate schedule: none (constant), step (multiply by gamma every step size "
            "epochs), cosine (anneal to zero over the run), onecycle (warm up to the learning "
            "rate, then anneal; stepped every batch).",
        ),
        group="hyper",
        choices=SCHEDULERS,
    )
    step_size: int = _field(
        5,
        QT_TRANSLATE_NOOP("CoreMessages", "Step size"),
        QT_TRANSLATE_NOOP("CoreMessages", "StepLR: epochs between learning-rate drops."),
        group="hyper",
        bounds=(1, 1_000_000, "[]"),
        ui=(1, 10_000),
        used_when=("scheduler", ("step",)),
    )
    gamma: float = _field(
        0.1,
        QT_TRANSLATE_NOOP("CoreMessages", "Gamma"),
        QT_TRANSLATE_NOOP("CoreMessages", "StepLR: factor applied at each drop."),
        group="hyper",
        bounds=(0.0, 1.0, "(]"),
        ui=(0.001, 1.0, 3, 0.05),
        used_when=("scheduler", ("step",)),
    )
    val_split: float = _field(
        0.2,
        QT_TRANSLATE_NOOP("CoreMessages", "Validation split"),
        QT_TRANSLATE_NOOP(
            "CoreMessages",
            "Share of images held out for validation when the folder has no valid/ split.",
        ),
        group="hyper",
        bounds=(0.0, 1.0, "()"),
        ui=(0.05, 0.9, 2, 0.05),
    )
    best_metric: str = _field(
        "val_acc",
        QT_TRANSLATE_NOOP("CoreMessages", "Best model by"),
        QT_TRANSLATE_NOOP(
            "CoreMessages",
            "What decides the best epoch (best.pt, the best mark, early stopping): val_acc, "
            "the highest validation accuracy, or val_loss, the lowest validation loss.",
        ),
        group="hyper",
        choices=BEST_METRICS,
    )
    early_stop: int = _field(
        0,
        QT_TRANSLATE_NOOP("CoreMessages", "Early stop patience"),
        QT_TRANSLATE_NOOP(
            "CoreMessages",
            "Stop after this many epochs without a validation improvement larger than min "
            "delta (0: off, train all epochs).",
        ),
        group="hyper",
        bounds=(0, 100_000, "[]"),
        ui=(0, 10_000),
    )
    min_delta: float = _field(
        0.0,
        QT_TRANSLATE_NOOP("CoreMessages", "Min delta"),
        QT_TRANSLATE_NOOP(
            "CoreMessages",
            "Early stopping: the smallest change of the best-model metric that counts as an "
            "improvement (0.001 on accuracy: a tenth of a percent).",
        ),
        group="hyper",
        bounds=(0.0, None, "[]"),
        ui=(0.0, 10.0, 4, 0.001),
    )
    seed: int = _field(
        0,
        QT_TRANSLATE_NOOP("CoreMessages", "Seed"),
        QT_TRANSLATE_NOOP("CoreMessages", "Random seed: same seed, same run on CPU."),
        group="hyper",
        bounds=(0, 2**63 - 1, "[]"),
        ui=(0, 2**31 - 1),  # a QSpinBox holds 32-bit numbers
    )
    device: str = _field(
        "auto",
        QT_TRANSLATE_NOOP("CoreMessages", "Device"),
        QT_TRANSLATE_NOOP(
            "CoreMessages",
            "Where to train: auto picks CUDA, then MPS, when present (or cpu, cuda, cuda:N, mps).",
        ),
        group="hyper",
        choices=DEVICES,
    )
    nproc: int = _field(
        1,
        QT_TRANSLATE_NOOP("CoreMessages", "Processes"),
        QT_TRANSLATE_NOOP(
            "CoreMessages",
            "Train with this many processes on this machine (torchrun, DistributedDataParallel; "
            "on a GPU machine one per GPU). Each process trains on its share of every epoch with "
            "its own batch of the batch size, so a step trains processes x batch size images; "
            "the learning rate is not scaled. Pause holds every process at the same batch.",
        ),
        group="hyper",
        bounds=(1, 1024, "[]"),
        ui=(1, 1024),
        used_when=("device", ("auto", "cpu", "cuda")),
        shown_when="several processes",
    )
    precision: str = _field(
        "auto",
        QT_TRANSLATE_NOOP("CoreMessages", "Precision"),
        QT_TRANSLATE_NOOP(
            "CoreMessages", "auto: bf16 autocast where the CPU or GPU runs it fast, else fp32."
        ),
        choices=PRECISIONS,
    )
    channels_last: str = _field(
        "auto",
        QT_TRANSLATE_NOOP("CoreMessages", "Channels last"),
        QT_TRANSLATE_NOOP(
            "CoreMessages",
            "channels_last memory format: auto uses it for convolutional nets on CPU and CUDA.",
        ),
        choices=CHANNELS_LAST,
    )
    num_workers: int = _field(
        0,
        QT_TRANSLATE_NOOP("CoreMessages", "DataLoader workers"),
        QT_TRANSLATE_NOOP("CoreMessages", "DataLoader worker processes."),
        bounds=(0, 256, "[]"),
    )
    in_channels: int | None = _field(
        None,
        QT_TRANSLATE_NOOP("CoreMessages", "Input channels"),
        QT_TRANSLATE_NOOP("CoreMessages", "1, 3 or None"),
        flag=False,
    )
    input_size: int | None = _field(
        None,
        QT_TRANSLATE_NOOP("CoreMessages", "Input size"),
        QT_TRANSLATE_NOOP("CoreMessages", "8..4096 or None"),
        flag=False,
    )
    # in the app's runs folder (core.appdirs), like the window's runs: `main.py runs` and
    # the Runs tab list what is trained there; the CLI makes a fresh name instead
    out: str = _field(
        str(runs_dir() / "run"),
        QT_TRANSLATE_NOOP("CoreMessages", "Output"),
        QT_TRANSLATE_NOOP("CoreMessages", "run folder to write"),
    )
    resume: str | None = _field(
        None,
        QT_TRANSLATE_NOOP("CoreMessages", "Resume"),
        QT_TRANSLATE_NOOP("CoreMessages", "a run's last.pt"),
        flag=False,
    )

    def validate(self) -> None:
        """Raise ConfigError naming the first field whose value cannot be used."""
        for f in dataclasses.fields(self):
            _check_field(self, f)

    def to_dict(self) -> dict:
        """Plain JSON-able dict (lists deep-copied)."""
        return json.loads(json.dumps(dataclasses.asdict(self)))

    @classmethod
    def from_dict(cls, d: dict) -> TrainConfig:
        """Build from a dict; unknown keys are ignored so older/newer config.json files load."""
        names = {f.name for f in dataclasses.fields(cls)}
        return cls(**{k: v for k, v in d.items() if k in names})


def setting(name: str) -> Setting:
    """The Setting of a TrainConfig field."""
    return _FIELDS[name].metadata[SETTING]


def default(name: str) -> Any:
    """The default value of a TrainConfig field."""
    return _FIELDS[name].default


def fields_in(group: str) -> list[str]:
    """The names of the fields of one panel box ("model", "hyper"), in declaration order."""
    return [name for name, f in _FIELDS.items() if f.metadata[SETTING].group == group]


def flag_fields() -> Iterator[tuple[str, Setting, Any]]:
    """(name, setting, default) of every field offered as a ``main.py train`` option."""
    for name, f in _FIELDS.items():
        info = f.metadata[SETTING]
        if info.flag:
            yield name, info, f.default


# ----------------------------------------------------------------------------- checks


def _check_field(cfg: TrainConfig, f: dataclasses.Field) -> None:
    name, value = f.name, getattr(cfg, f.name)
    special = _SPECIAL.get(name)
    if special is not None:
        special(name, value)
        return
    info: Setting = f.metadata[SETTING]
    if info.choices:
        _check_choice(name, value, info.choices)
    elif info.bounds is not None:
        kind = _check_float if isinstance(f.default, float) else _check_int
        kind(name, value, info.bounds)
    elif isinstance(f.default, str):
        _check_str(name, value)


def _check_str(name: str, value: Any) -> None:
    if not isinstance(value, str) or not value.strip():
        raise ConfigError(name, NOT_TEXT, value=repr(value))


def _check_choice(name: str, value: Any, choices: tuple[str, ...]) -> None:
    if value not in choices:
        raise ConfigError(name, NOT_CHOICE, choices=", ".join(choices), value=repr(value))


def _check_int(name: str, value: Any, bounds: tuple) -> None:
    low, high, _ = bounds
    if isinstance(value, bool) or not isinstance(value, int):
        raise ConfigError(name, NOT_WHOLE, value=repr(value))
    if not low <= value <= high:
        raise ConfigError(name, NOT_BETWEEN, low=low, high=high, value=value)


def _check_float(name: str, value: Any, bounds: tuple) -> None:
    low, high, brackets = bounds
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise ConfigError(name, NOT_FINITE, value=repr(value))
    open_low, open_high = brackets[0] == "(", brackets[1] == ")"
    too_low = value <= low if open_low else value < low
    too_high = high is not None and (value >= high if open_high else value > high)
    if too_low or too_high:
        bound = "inf" if high is None else f"{high:g}"
        interval = f"{brackets[0]}{low:g}, {bound}{brackets[1]}"
        raise ConfigError(name, NOT_IN, interval=interval, value=repr(value))


def _check_device(name: str, device: Any) -> None:
    if not isinstance(device, str) or not (
        device in DEVICES or (device.startswith("cuda:") and device[5:].isdigit())
    ):
        raise ConfigError(name, NOT_DEVICE, choices=", ".join(DEVICES), value=repr(device))


def _check_transforms(name: str, value: Any) -> None:
    if value is not None and not isinstance(value, list):
        raise ConfigError(name, NOT_STEPS)


def _check_in_channels(name: str, value: Any) -> None:
    if value is not None and value not in (1, 3):
        raise ConfigError(name, NOT_CHANNELS, value=repr(value))


def _check_input_size(name: str, value: Any) -> None:
    if value is not None:
        _check_int(name, value, (8, 4096, "[]"))


def _check_resume(name: str, value: Any) -> None:
    if value is not None and not isinstance(value, str | os.PathLike):
        raise ConfigError(name, NOT_RESUME)


_SPECIAL = {
    "device": _check_device,  # also cuda:N, which the panel's list does not offer
    "train_transforms": _check_transforms,
    "eval_transforms": _check_transforms,
    "in_channels": _check_in_channels,
    "input_size": _check_input_size,
    "resume": _check_resume,
}
_FIELDS: dict[str, dataclasses.Field] = {f.name: f for f in dataclasses.fields(TrainConfig)}

__all__ = ["BEST_METRICS", "CHANNELS_LAST", "DEVICES", "ConfigError", "Setting", "TrainConfig"]
