"""Model registry: the notes' MLP, a small CNN, and torchvision's classic networks.

Every network is built for any class count and for 1 or 3 input channels, with the
classifier head replaced for our classes. Pretrained ImageNet weights come through
torchvision's weights API (the torch hub cache) or from a local ``.pth`` file; when
neither is available the caller gets a :class:`WeightsError` that names the file and
the folder, never a silently random network. Each network's description is marked for
translation (:mod:`core.messages`); the Train tab shows it in the window's language.
"""

from __future__ import annotations

import functools
import os
import pathlib
import pickle
import warnings
from collections.abc import Mapping
from dataclasses import dataclass

import torch
from torch import nn

from core import MODES
from core.augment import IMAGENET_MEAN, IMAGENET_STD
from core.messages import QT_TRANSLATE_NOOP
from core.smallnets import MLP, SmallCNN  # the two networks of our own

__all__ = [
    "ARCHS",
    "MODES",
    "TORCHVISION",
    "ArchInfo",
    "ModelError",
    "WeightsError",
    "build_model",
    "count_parameters",
    "cpu_supports_bf16",
    "expected_weights_path",
    "first_conv_expression",
    "gradcam_layer",
    "head_expression",
    "head_module",
    "pretrained_stats",
    "set_head_module",
    "weights_filename",
]


class WeightsError(RuntimeError):
    """Pretrained weights could not be found or do not fit the network."""


class ModelError(ValueError):
    """The requested network cannot be built (unknown name, bad mode, bad sizes ...)."""


@dataclass(frozen=True)
class ArchInfo:
    """What the GUI and CLI need to know about a network before building it."""

    name: str
    family: str
    default_input_size: int
    min_input_size: int
    pretrained: bool
    description: str


ARCHS: dict[str, ArchInfo] = {
    "mlp": ArchInfo(
        "mlp",
        "mlp",
        28,
        1,
        False,
        QT_TRANSLATE_NOOP(
            "CoreMessages",
            "The notes' MNIST network: flatten, Linear(in, 128), ReLU, Linear(128, classes).",
        ),
    ),
    "smallcnn": ArchInfo(
        "smallcnn",
        "smallcnn",
        28,
        8,
        False,
        QT_TRANSLATE_NOOP(
            "CoreMessages",
            "Three conv + BatchNorm + ReLU + max-pool blocks (32/64/128 kernels), Dropout, "
            "flatten, linear head. Fast on CPU; made for 28x28 digits.",
        ),
    ),
    "alexnet": ArchInfo(
        "alexnet",
        "alexnet",
        224,
        63,
        True,
        QT_TRANSLATE_NOOP(
            "CoreMessages",
            "AlexNet (2012): five convolutions with large early kernels, three dense layers.",
        ),
    ),
    "vgg11_bn": ArchInfo(
        "vgg11_bn",
        "vgg",
        224,
        32,
        True,
        QT_TRANSLATE_NOOP(
            "CoreMessages", "VGG-11 with BatchNorm: stacks of 3x3 convolutions, five poolings."
        ),
    ),
    "vgg16_bn": ArchInfo(
        "vgg16_bn",
        "vgg",
        224,
        32,
        True,
        QT_TRANSLATE_NOOP(
            "CoreMessages",
            "VGG-16 with BatchNorm: deeper stacks of 3x3 convolutions, five poolings.",
        ),
    ),
    "resnet18": ArchInfo(
        "resnet18",
        "resnet",
        224,
        16,
        True,
        QT_TRANSLATE_NOOP(
            "CoreMessages",
            "ResNet-18: residual blocks; the usual first choice for transfer learning.",
        ),
    ),
    "resnet34": ArchInfo(
        "resnet34",
        "resnet",
        224,
        16,
        True,
        QT_TRANSLATE_NOOP("CoreMessages", "ResNet-34: deeper residual network of basic blocks."),
    ),
    "resnet50": ArchInfo(
        "resnet50",
        "resnet",
        224,
        16,
        True,
        QT_TRANSLATE_NOOP(
            "CoreMessages",
            "ResNet-50: bottleneck residual blocks; slower on CPU, stronger features.",
        ),
    ),
}

#: torchvision builder and weights enum names per pretrained architecture (also what
#: the exported training script writes out: core.export_script).
TORCHVISION: dict[str, tuple[str, str]] = {
    "alexnet": ("alexnet", "AlexNet_Weights"),
    "vgg11_bn": ("vgg11_bn", "VGG11_BN_Weights"),
    "vgg16_bn": ("vgg16_bn", "VGG16_BN_Weights"),
    "resnet18": ("resnet18", "ResNet18_Weights"),
    "resnet34": ("resnet34", "ResNet34_Weights"),
    "resnet50": ("resnet50", "ResNet50_Weights"),
}


# --------------------------------------------------------------------------- registry helpers


def _arch_info(arch: str) -> ArchInfo:
    try:
        return ARCHS[arch]
    except KeyError:
        names = ", ".join(ARCHS)
        raise ModelError(f"Unknown architecture '{arch}'; choose one of: {names}.") from None


def _weights_enum(arch: str):
    """The torchvision weights member (e.g. ResNet18_Weights.DEFAULT) for ``arch``."""
    import torchvision.models as tvm

    _arch_info(arch)
    if arch not in TORCHVISION:
        raise ModelError(f"'{arch}' has no ImageNet weights; train it from scratch.")
    return getattr(tvm, TORCHVISION[arch][1]).DEFAULT


def weights_filename(arch: str) -> str | None:
    """File name torchvision's weights API caches for ``arch`` (None without weights)."""
    if _arch_info(arch).pretrained is False:
        return None
    return _weights_enum(arch).url.rsplit("/", 1)[-1]


def expected_weights_path(arch: str) -> pathlib.Path:
    """Where torchvision looks for the cached ImageNet weights of ``arch``."""
    name = weights_filename(arch)
    if name is None:
        raise ModelError(f"'{arch}' has no ImageNet weights; train it from scratch.")
    return pathlib.Path(torch.hub.get_dir()) / "checkpoints" / name


def pretrained_stats(arch: str) -> tuple[list[float], list[float]] | None:
    """The mean/std the pretrained weights expect (ImageNet's), or None for scratch-only nets."""
    if not _arch_info(arch).pretrained:
        return None
    return list(IMAGENET_MEAN), list(IMAGENET_STD)


def count_parameters(model: nn.Module) -> tuple[int, int]:
    """(trainable, total) parameter counts; frozen layers count only in the total."""
    total = sum(p.numel() for p in model.parameters())
    trainable = sum(p.numel() for p in model.parameters() if p.requires_grad)
    return trainable, total


@functools.lru_cache(maxsize=1)
def _cpu_flags() -> frozenset[str]:
    try:
        with open("/proc/cpuinfo", encoding="utf-8", errors="replace") as fh:
            for line in fh:
                if line.startswith("flags"):
                    return frozenset(line.split(":", 1)[1].split())
    except OSError:
        pass
    return frozenset()


#: "1": behave as a CPU with native bfloat16, whatever this one is (autocast works on
#: every CPU, only slower without AVX512-BF16/AMX); "0": behave as one without. Unset:
#: detect. The test suite runs both ways (.ci/run), so both paths are checked anywhere.
ASSUME_BF16_ENV = "CONVSTUDIO_ASSUME_BF16"


def cpu_supports_bf16() -> bool:
    """True when the CPU runs bfloat16 natively (AVX512-BF16 or AMX), or is told to.

    Without those instructions bf16 autocast is emulated and slower than float32, so
    training enables it only when this says so (``ASSUME_BF16_ENV`` overrides).
    """
    assumed = os.environ.get(ASSUME_BF16_ENV, "").strip()
    if assumed in ("0", "1"):
        return assumed == "1"
    flags = _cpu_flags()
    if not ({"avx512_bf16", "amx_bf16"} & flags):
        return False
    if not torch.backends.mkldnn.is_available():
        return False
    probe = getattr(torch.ops.mkldnn, "_is_mkldnn_bf16_supported", None)
    try:
        return bool(probe()) if probe is not None else True
    except Exception:  # an old or stripped build without the probe
        return True


# --------------------------------------------------------------------------- network surgery


def _head_attr(arch: str) -> tuple[str, ...]:
    """Attribute path of the classifier head's Linear layer."""
    family = ARCHS[arch].family
    if family == "mlp":
        return ("fc2",)
    if family == "smallcnn":
        return ("head",)
    if family in ("alexnet", "vgg"):
        return ("classifier", "6")
    return ("fc",)


def _first_conv_attr(arch: str) -> tuple[str, ...] | None:
    family = ARCHS[arch].family
    if family in ("alexnet", "vgg"):
        return ("features", "0")
    if family == "resnet":
        return ("conv1",)
    if family == "smallcnn":
        return ("features", "0", "0")
    return None


def _expression(path: tuple[str, ...]) -> str:
    """("classifier", "6") -> "classifier[6]": the attribute path as Python writes it."""
    return "".join(f"[{part}]" if part.isdigit() else f".{part}" for part in path)[1:]


def head_expression(arch: str) -> str:
    """The classifier head reached from the model in Python ("fc", "classifier[6]")."""
    return _expression(_head_attr(arch))


def first_conv_expression(arch: str) -> str | None:
    """The first convolution reached from the model in Python (None: the MLP has none)."""
    path = _first_conv_attr(arch)
    return _expression(path) if path else None


def _get(model: nn.Module, path: tuple[str, ...]) -> nn.Module:
    for part in path:
        model = getattr(model, part) if not part.isdigit() else model[int(part)]
    return model


def _set(model: nn.Module, path: tuple[str, ...], module: nn.Module) -> None:
    parent = _get(model, path[:-1])
    if path[-1].isdigit():
        parent[int(path[-1])] = module
    else:
        setattr(parent, path[-1], module)


def _adapt_first_conv(model: nn.Module, arch: str, in_channels: int) -> None:
    """Replace a 3-channel first convolution by one for ``in_channels``.

    The new kernel is the sum of the old one over RGB: a grey image through it gives the
    same response the RGB network gives to that grey image repeated on three channels.
    """
    path = _first_conv_attr(arch)
    if path is None:
        return
    old: nn.Conv2d = _get(model, path)
    if old.in_channels == in_channels:
        return
    new = nn.Conv2d(
        in_channels,
        old.out_channels,
        kernel_size=old.kernel_size,
        stride=old.stride,
        padding=old.padding,
        dilation=old.dilation,
        groups=old.groups,
        bias=old.bias is not None,
    )
    with torch.no_grad():
        new.weight.copy_(old.weight.sum(dim=1, keepdim=True).expand_as(new.weight))
        if old.bias is not None:
            new.bias.copy_(old.bias)
    _set(model, path, new)


def _replace_head(model: nn.Module, arch: str, num_classes: int) -> None:
    path = _head_attr(arch)
    old: nn.Linear = _get(model, path)
    if old.out_features != num_classes:
        _set(model, path, nn.Linear(old.in_features, num_classes))


def _bare_model(arch: str, num_classes: int, in_channels: int, input_size: int) -> nn.Module:
    """A randomly initialised network with the final channel and class counts."""
    if arch == "mlp":
        return MLP(in_channels * input_size * input_size, num_classes)
    if arch == "smallcnn":
        return SmallCNN(in_channels, num_classes)
    import torchvision.models as tvm

    model = getattr(tvm, TORCHVISION[arch][0])(weights=None)
    _adapt_first_conv(model, arch, in_channels)
    _replace_head(model, arch, num_classes)
    return model


# --------------------------------------------------------------------------- weights loading


def _imagenet_state_dict(arch: str) -> dict[str, torch.Tensor]:
    """ImageNet weights through torchvision's weights API (e.g. ResNet18_Weights.DEFAULT).

    The API reads ``$TORCH_HOME/hub/checkpoints/<file>`` when it is there and downloads
    it there otherwise; offline without the file, the error says which file to put where.
    """
    weights = _weights_enum(arch)
    path = expected_weights_path(arch)
    cached = path.is_file()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # pickle-protocol chatter from torch.load
            return weights.get_state_dict(progress=False, weights_only=True)
    except Exception as exc:
        if cached:
            raise WeightsError(
                f"The cached weights file '{path}' could not be read ({_load_reason(exc)}); "
                f"delete it and download it again, or pass a local .pth file."
            ) from exc
        raise WeightsError(
            f"ImageNet weights for {arch} are not available: put the file "
            f"'{path.name}' (from {weights.url}) into the folder '{path.parent}', "
            f"or pass the path of a local .pth state_dict as the pretrained weights "
            f"(download failed: {type(exc).__name__})."
        ) from exc


def _load_reason(exc: BaseException) -> str:
    """Why torch.load failed, in words fit for a user.

    torch's own text for refused pickles advises retrying with ``weights_only=False``,
    which would let a hostile file run code; that advice is never passed on.
    """
    text = str(exc).strip()
    if isinstance(exc, pickle.UnpicklingError):
        return "it holds Python objects, not only tensors; they were refused, nothing ran"
    if "weights_only" in text:
        return "it is not a plain PyTorch file of tensors"
    first = text.splitlines()[0] if text else ""
    return first[:160] or type(exc).__name__


def _read_local_weights(path_str: str) -> dict[str, torch.Tensor]:
    """A state_dict from a local file; also accepts dicts holding it under state_dict/model."""
    path = pathlib.Path(path_str).expanduser()
    if not path.is_file():
        raise WeightsError(
            f"The weights file '{path}' does not exist; give the path of a .pth state_dict "
            f"or use 'imagenet'."
        )
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # pickle-protocol chatter from torch.load
            obj = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as exc:
        raise WeightsError(
            f"'{path}' is not a readable PyTorch weights file (only plain state_dicts "
            f"can be loaded): {_load_reason(exc)}."
        ) from exc
    if isinstance(obj, Mapping):
        for key in ("state_dict", "model"):
            if isinstance(obj.get(key), Mapping):
                obj = obj[key]
                break
    if not isinstance(obj, Mapping) or not obj:
        raise WeightsError(f"'{path}' does not hold a state_dict (a dict of tensors).")
    state = {}
    for key, value in obj.items():
        if not isinstance(key, str) or not isinstance(value, torch.Tensor):
            raise WeightsError(f"'{path}' does not hold a state_dict (a dict of tensors).")
        for prefix in ("module.", "_orig_mod."):
            if key.startswith(prefix):
                key = key[len(prefix) :]
        state[key] = value
    return state


def _load_weights(model: nn.Module, arch: str, state: Mapping[str, torch.Tensor], src: str):
    """Copy ``state`` into ``model``, fitting the first conv and skipping a mismatched head.

    Anything else that does not fit is an error: a wrong-architecture file must not leave
    a half-random network behind.
    """
    own = model.state_dict()
    head_prefix = ".".join(_head_attr(arch)) + "."
    conv = _first_conv_attr(arch)
    conv_key = ".".join(conv) + ".weight" if conv else None
    missing = [k for k in own if k not in state and not k.startswith(head_prefix)]
    unexpected = [k for k in state if k not in own]
    if missing or unexpected:
        detail = (f"missing {missing[:3]}" if missing else f"unexpected {unexpected[:3]}") + " ..."
        raise WeightsError(
            f"The weights in {src} do not fit {arch} ({detail}); use a state_dict saved "
            f"from the same architecture."
        )
    fitted = {}
    for key, value in state.items():
        target = own[key]
        if key == conv_key and value.shape != target.shape and value.dim() == 4:
            if value.shape[1] == 3 and target.shape[1] == 1:
                value = value.sum(dim=1, keepdim=True)
        if value.shape != target.shape:
            if key.startswith(head_prefix):
                continue  # the head is replaced for our classes anyway
            raise WeightsError(
                f"The weights in {src} do not fit {arch}: '{key}' has shape "
                f"{tuple(value.shape)} but the network needs {tuple(target.shape)}."
            )
        fitted[key] = value
    model.load_state_dict(fitted, strict=False)


def _freeze_backbone(model: nn.Module, arch: str) -> None:
    for p in model.parameters():
        p.requires_grad_(False)
    for p in _get(model, _head_attr(arch)).parameters():
        p.requires_grad_(True)


# --------------------------------------------------------------------------- public builders


def _check_request(arch: str, num_classes: int, in_channels: int, mode: str, input_size: int):
    info = _arch_info(arch)
    if mode not in MODES:
        raise ModelError(f"Unknown mode '{mode}'; choose one of: {', '.join(MODES)}.")
    if isinstance(num_classes, bool) or not isinstance(num_classes, int) or num_classes < 2:
        raise ModelError(f"A classifier needs at least 2 classes; got {num_classes!r}.")
    if in_channels not in (1, 3):
        raise ModelError(f"Input channels must be 1 (grayscale) or 3 (RGB); got {in_channels!r}.")
    if not isinstance(input_size, int) or input_size < info.min_input_size:
        raise ModelError(
            f"{arch} needs inputs of at least {info.min_input_size}x{info.min_input_size} "
            f"pixels, but the input size is {input_size}x{input_size}: its feature map would "
            f"shrink below 1x1. Add a Resize({max(info.min_input_size, 32)}) step to the "
            f"transforms or choose a smaller network such as smallcnn."
        )
    return info


def _normalise_pretrained(pretrained: str | None) -> str | None:
    if pretrained is None:
        return None
    text = str(pretrained).strip()
    if text.lower() in ("", "none"):
        return None
    return "imagenet" if text.lower() == "imagenet" else text


def build_model(
    arch: str,
    num_classes: int,
    in_channels: int = 3,
    mode: str = "scratch",
    pretrained: str | None = None,
    input_size: int = 224,
) -> nn.Module:
    """Build ``arch`` for our classes and channels, with the requested weights and freezing.

    ``pretrained`` is None/"none" (random), "imagenet" (torchvision's weights API) or a
    path to a local .pth state_dict. "scratch" means random weights, so combining it with
    pretrained weights is refused rather than guessed.
    """
    _check_request(arch, num_classes, in_channels, mode, input_size)
    source = _normalise_pretrained(pretrained)
    if mode == "scratch" and source is not None:
        raise ModelError(
            "Mode 'scratch' trains from random weights; choose mode 'finetune' or "
            "'feature-extract' to start from pretrained weights."
        )
    if source == "imagenet" and not ARCHS[arch].pretrained:
        raise ModelError(
            f"'{arch}' has no ImageNet weights; use pretrained 'none' or a local .pth file."
        )
    model = _bare_model(arch, num_classes, in_channels, input_size)
    if source == "imagenet":
        _load_weights(model, arch, _imagenet_state_dict(arch), f"'{weights_filename(arch)}'")
    elif source is not None:
        _load_weights(model, arch, _read_local_weights(source), f"'{source}'")
    if mode in ("feature-extract", "two-stage"):  # two-stage: the head alone first
        _freeze_backbone(model, arch)
    return model


def head_module(model: nn.Module, arch: str) -> nn.Module:
    """The classifier head: the Linear layer replaced for our classes (core.features)."""
    return _get(model, _head_attr(arch))


def set_head_module(model: nn.Module, arch: str, module: nn.Module) -> None:
    """Put ``module`` where the classifier head is (core.features runs the backbone alone)."""
    _set(model, _head_attr(arch), module)


def gradcam_layer(model: nn.Module, arch: str) -> nn.Module:
    """The module whose activations Grad-CAM weighs: the last convolutional block.

    smallcnn: the last block's ReLU (before pooling, for a finer map); VGG/AlexNet: the
    ReLU after the last convolution in ``features``; ResNet: ``layer4``.
    """
    family = _arch_info(arch).family
    if family == "mlp":
        raise ModelError("Grad-CAM needs convolutional layers; the mlp network has none.")
    if family == "resnet":
        return model.layer4
    if family == "smallcnn":
        block = model.features[-1]
        return next(m for m in block if isinstance(m, nn.ReLU))
    layers = list(model.features)
    last_conv = max(i for i, m in enumerate(layers) if isinstance(m, nn.Conv2d))
    for module in layers[last_conv + 1 :]:
        if isinstance(module, nn.ReLU):
            return module
    return layers[last_conv]
