"""``export --format script``: a run as one plain PyTorch training script.

ConvStudio grew out of notes on writing the training loop by hand, so any run can be
taken back out as the script that does the same thing, in the notes' order: the
``data_transforms`` dict (train/valid), the datasets (ImageFolder, or the built-in
digits as arrays in a TensorDataset) and DataLoaders, the model (torchvision's with
its head replaced; the registry's own mlp/smallcnn written out with the same layer
names, so a state_dict moves between them), the loss, optimizer and schedule the run
used, the loop written out (forward, loss, backward, step, zero the gradients),
``model.train()``/``model.eval()``, validation under ``torch.no_grad()``, saving the
best state_dict, and a last block that loads it and prints ``best_val_acc: 0.NNNN``.

The script seeds as the trainer does (the run's seed before building the model, then
seed + epoch for each epoch's shuffle and augmentation), so on the same data it lands
within noise of the app's run. It depends only on torch, torchvision, numpy and Pillow
(which torchvision brings), and scikit-learn for the built-in digits.

A frozen backbone (feature-extract, two-stage) stays in eval mode while the head
trains, as core.stages.FrozenBackbone keeps it. A two-stage run's script trains the
head alone for HEAD_EPOCHS (its schedule spanning those epochs), then, as
core.stages.Plan.stage_two does, loads the best head of that stage, unfreezes every
layer and makes a new optimizer and schedule at ``lr * finetune_lr_factor`` for the
epochs left; it prints a line at each stage with how many parameters train. (The app
trains the first stage on cached features, by default without augmentation; the
script runs the whole network on augmented images, so that stage differs by noise.)
The templates are :mod:`core.export_templates`.
"""

from __future__ import annotations

import json

from core import export_templates as T
from core.augment import SpecError, get_preset, validate_spec
from core.checkpoint import BundleError
from core.config import ConfigError, TrainConfig
from core.export_snippet import compose_lines, doc_text
from core.models import TORCHVISION, first_conv_expression, head_expression
from core.stages import FROZEN_MODES

__all__ = ["training_script"]


# --------------------------------------------------------------------------- pieces


def _imports(arch: str) -> str:
    lines = ["import argparse", "import random", "from pathlib import Path", ""]
    lines += ["import numpy as np", "import torch"]
    if arch == "mlp":
        lines.append("import torch.nn.functional as F")
    lines += [
        "from PIL import Image, ImageOps",
        "from torch import nn",
        "from torch.utils.data import DataLoader, Dataset, Subset, TensorDataset",
        "from torchvision import datasets, models"
        if arch in TORCHVISION
        else "from torchvision import datasets",
        "from torchvision.transforms import v2",
    ]
    return "\n".join(["", *lines, ""])


def _freeze_comment(mode: str) -> str:
    if mode == "two-stage":
        return "    # two-stage, first stage: the backbone frozen, the new head alone trains\n"
    return "    # feature extraction: freeze the backbone, only the new head trains\n"


def _torchvision_model(arch: str, cfg: TrainConfig, in_channels: int) -> str:
    """build_model() for a torchvision network: weights, first conv, freezing, new head."""
    conv = f"model.{first_conv_expression(arch)}"
    head = f"model.{head_expression(arch)}"
    source = str(cfg.pretrained or "none").strip()
    kind = "none" if source.lower() in ("", "none") else source.lower()
    lines = [
        "",
        "",
        "# ---------------------------------------------------------------------------- 3. model",
        "def build_model(num_classes):",
        f'    """torchvision\'s {arch} with a new head (the last fully connected layer)."""',
    ]
    if kind == "imagenet":
        lines += [
            "    # ImageNet weights through torchvision's weights API (the torch hub cache)",
            f"    model = models.{arch}(weights=models.{TORCHVISION[arch][1]}.DEFAULT)",
        ]
    else:
        lines.append(f"    model = models.{arch}(weights=None)  # random starting weights")
    if kind not in ("none", "imagenet"):
        lines += [
            "    # pretrained weights from a local .pth state_dict (the head is replaced below)",
            '    state = torch.load(PRETRAINED, map_location="cpu", weights_only=True)',
            "    own = model.state_dict()",
            "    fits = {k: v for k, v in state.items() if k in own and v.shape == own[k].shape}",
            "    model.load_state_dict(fits, strict=False)",
        ]
    if in_channels == 1:
        lines += [
            "    # grey input: one input channel, whose kernel is the sum of the RGB kernels",
            f"    old = {conv}",
            "    new = nn.Conv2d(",
            "        1,",
            "        old.out_channels,",
            "        kernel_size=old.kernel_size,",
            "        stride=old.stride,",
            "        padding=old.padding,",
            "        bias=old.bias is not None,",
            "    )",
            "    with torch.no_grad():",
            "        new.weight.copy_(old.weight.sum(dim=1, keepdim=True))",
            "        if old.bias is not None:",
            "            new.bias.copy_(old.bias)",
            f"    {conv} = new",
        ]
    if cfg.mode in FROZEN_MODES:
        lines += [
            _freeze_comment(cfg.mode).rstrip("\n"),
            "    for param in model.parameters():",
            "        param.requires_grad = False",
        ]
    lines += [
        "    # replace the head by one for our classes (a new layer: it trains)",
        f"    {head} = nn.Linear({head}.in_features, num_classes)",
        "    return model",
    ]
    return "\n".join(lines) + "\n"


def _optimizer(cfg: TrainConfig) -> str:
    if cfg.optimizer == "sgd":
        call = "torch.optim.SGD(params, lr=lr, momentum=MOMENTUM, weight_decay=WEIGHT_DECAY)"
    elif cfg.optimizer == "adamw":
        call = "torch.optim.AdamW(params, lr=lr, weight_decay=WEIGHT_DECAY)"
    else:
        call = "torch.optim.Adam(params, lr=lr, weight_decay=WEIGHT_DECAY)"
    return f"    return {call}"


def _scheduler(cfg: TrainConfig) -> tuple[str, bool]:
    """make_scheduler's body, and whether it steps every batch (else every epoch)."""
    if cfg.scheduler == "step":
        return (
            f"    # the learning rate is multiplied by {cfg.gamma!r} every {cfg.step_size} epochs\n"
            f"    return torch.optim.lr_scheduler.StepLR(optimizer, step_size={cfg.step_size!r}, "
            f"gamma={cfg.gamma!r})",
            False,
        )
    if cfg.scheduler == "cosine":
        return (
            "    # the learning rate falls from lr to zero along a cosine over the epochs\n"
            "    return torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=epochs)",
            False,
        )
    if cfg.scheduler == "onecycle":
        return (
            "    # one cycle: warm up to lr, then anneal; it steps after every batch\n"
            "    return torch.optim.lr_scheduler.OneCycleLR(\n"
            "        optimizer, max_lr=lr, epochs=epochs, steps_per_epoch=steps_per_epoch\n"
            "    )",
            True,
        )
    return "    return None  # a constant learning rate", False


def _config(bundle: dict) -> TrainConfig:
    config = bundle.get("config") or {}
    try:
        cfg = TrainConfig.from_dict(dict(config))
        cfg.arch = bundle["arch"]  # the network the weights belong to
        cfg.validate()
    except (ConfigError, TypeError) as exc:
        raise BundleError(f"The bundle's training config cannot be used: {exc}") from exc
    return cfg


def _specs(cfg: TrainConfig, bundle: dict) -> tuple[list, list]:
    """(train spec, eval spec): as recorded, else the preset's, else the eval pipeline."""
    eval_spec = validate_spec(bundle["eval_transforms"])
    train = cfg.train_transforms
    if train is None:
        try:
            train = get_preset(cfg.augment)["train"]
        except SpecError:  # "custom" or a spec file that is gone
            train = eval_spec
    try:
        return validate_spec(train), eval_spec
    except SpecError as exc:
        raise BundleError(f"The bundle's training pipeline is invalid: {exc}") from exc


def _settings(cfg: TrainConfig, bundle: dict, train: list, valid: list) -> str:
    source = str(cfg.pretrained or "none").strip()
    local = source.lower() not in ("", "none", "imagenet") and bundle["arch"] in TORCHVISION
    values = {
        "__DATA__": json.dumps(str(cfg.data)),
        "__EPOCHS__": repr(int(cfg.epochs)),
        "__BATCH_SIZE__": repr(int(cfg.batch_size)),
        "__LR__": repr(float(cfg.lr)),
        "__TWO_STAGE__": _fill(
            T.TWO_STAGE_SETTINGS,
            {
                "__HEAD_EPOCHS__": repr(int(cfg.head_epochs)),
                "__FACTOR__": repr(float(cfg.finetune_lr_factor)),
            },
        )
        if cfg.mode == "two-stage"
        else "",
        "__MOMENTUM__": f"MOMENTUM = {float(cfg.momentum)!r}  # SGD momentum\n"
        if cfg.optimizer == "sgd"
        else "",
        "__WEIGHT_DECAY__": repr(float(cfg.weight_decay)),
        "__SEED__": repr(int(cfg.seed)),
        "__VAL_SPLIT__": repr(float(cfg.val_split)),
        "__IN_CHANNELS__": repr(int(bundle["in_channels"])),
        "__INPUT_SIZE__": repr(int(bundle["input_size"])),
        "__CLASS_NAMES__": json.dumps([str(c) for c in bundle["class_names"]]),
        "__PRETRAINED__": f"PRETRAINED = {json.dumps(source)}  # a local .pth state_dict\n"
        if local
        else "",
        "__TRAIN__": "\n".join(f"            {line}" for line in compose_lines(train)),
        "__VALID__": "\n".join(f"            {line}" for line in compose_lines(valid)),
    }
    return _fill(T.SETTINGS, values)


def _fill(template: str, values: dict[str, str]) -> str:
    for key, value in values.items():
        template = template.replace(key, value)
    return template


def _model(arch: str, cfg: TrainConfig, in_channels: int) -> str:
    """The model section: build_model(), and head_of() when the backbone is frozen."""
    frozen = cfg.mode in FROZEN_MODES
    if arch in ("mlp", "smallcnn"):
        freeze = (
            _freeze_comment(cfg.mode) + "    for name, param in model.named_parameters():\n"
            f'        param.requires_grad = name.startswith("{head_expression(arch)}.")\n'
        )
        template = T.MLP if arch == "mlp" else T.SMALLCNN
        model = _fill(template, {"__FREEZE__": freeze if frozen else ""})
    else:
        model = _torchvision_model(arch, cfg, in_channels)
    if frozen:
        model += _fill(T.HEAD_OF, {"__HEAD__": head_expression(arch)})
    return model


def _loop(arch: str, cfg: TrainConfig) -> str:
    """Optimizer, schedule, the loop and main(); two-stage adds its second stage."""
    scheduler, per_batch = _scheduler(cfg)
    two_stage = cfg.mode == "two-stage"
    return _fill(
        T.LOOP,
        {
            "__ARCH__": arch,
            "__OPTIMIZER__": _optimizer(cfg),
            "__SCHEDULER__": scheduler,
            "__STAGE_TWO__": T.STAGE_TWO if two_stage else "",
            "__FROZEN_EVAL__": T.FROZEN_EVAL if cfg.mode in FROZEN_MODES else "",
            "__BATCH_STEP__": "        scheduler.step()  # one-cycle: a new learning rate every batch\n"
            if per_batch
            else "",
            "__SCHEDULE__": T.TWO_STAGE_SCHEDULE if two_stage else T.SCHEDULE,
            "__SWITCH__": T.SWITCH if two_stage else "",
            "__EPOCH_STEP__": ""
            if per_batch
            else "        if scheduler is not None:\n"
            "            scheduler.step()  # the next epoch's learning rate\n",
            "__BEST_HEAD__": T.BEST_HEAD if two_stage else "",
        },
    )


def training_script(
    bundle: dict, source: str = "the bundle", file_name: str = "train_again.py"
) -> str:
    """The run behind ``bundle`` as one runnable, readable PyTorch script."""
    cfg = _config(bundle)
    arch = bundle["arch"]
    train, valid = _specs(cfg, bundle)
    doc = _fill(
        T.DOC,
        {
            "__ARCH__": arch,
            "__DATA_DOC__": doc_text(cfg.data),
            "__SOURCE__": doc_text(source or "the bundle"),
            "__FILE__": file_name,
        },
    )
    model = _model(arch, cfg, int(bundle["in_channels"]))
    settings = _settings(cfg, bundle, train, valid)
    return "".join([doc, _imports(arch), settings, T.DATA, model, _loop(arch, cfg)])
