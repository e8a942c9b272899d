"""The model bundle: one file that holds a trained network and how to feed it.

A bundle is a dict of plain values and tensors, so ``torch.load(path, weights_only=True)``
reads it and a file that tries to run code on load is refused. Files are written to a
temp file in the same folder, flushed to disk and then renamed over the target, so a
crash mid-save leaves the previous file intact.
"""

from __future__ import annotations

import os
import pathlib
import pickle
import re
import warnings
from collections.abc import Mapping
from typing import Any

import torch
from torch import nn

from core import models
from core.atomic import atomic_write
from core.messages import QT_TRANSLATE_NOOP
from core.rng import drawn_aside

# Why a model file cannot be opened, translated by the window (core.messages)
HOLDS_OTHER = QT_TRANSLATE_NOOP(
    "CoreMessages",
    "{source} is not a ConvStudio model bundle (it holds a {type}); open a best.pt or last.pt "
    "from a ConvStudio run folder.",
)
PLAIN_STATE_DICT = QT_TRANSLATE_NOOP("CoreMessages", "a plain PyTorch state_dict")
NO_MARKER = QT_TRANSLATE_NOOP("CoreMessages", "a dict without the bundle format marker")
NOT_A_BUNDLE = QT_TRANSLATE_NOOP(
    "CoreMessages",
    "{source} is {kind}, not a ConvStudio model bundle; open a best.pt or last.pt from a "
    "ConvStudio run folder.",
)
BAD_VERSION = QT_TRANSLATE_NOOP(
    "CoreMessages", "{source} has an invalid bundle version ({version})."
)
NEWER_VERSION = QT_TRANSLATE_NOOP(
    "CoreMessages",
    "{source} was written by a newer ConvStudio (bundle version {version}); update ConvStudio "
    "to open it.",
)
INCOMPLETE = QT_TRANSLATE_NOOP("CoreMessages", "{source} is an incomplete bundle: it lacks {keys}.")
UNKNOWN_ARCH = QT_TRANSLATE_NOOP(
    "CoreMessages",
    "{source} uses the architecture '{arch}', which this version of ConvStudio does not know.",
)
NO_SUCH_MODEL = QT_TRANSLATE_NOOP(
    "CoreMessages", "The model file {name} does not exist; pass a best.pt from a run folder."
)
MODEL_IS_FOLDER = QT_TRANSLATE_NOOP(
    "CoreMessages", "{name} is a folder, not a model file; choose its best.pt."
)
NOT_REGULAR = QT_TRANSLATE_NOOP(
    "CoreMessages",
    "{name} is not a regular file (a device, pipe or socket), so it is not a model bundle; "
    "pass a best.pt from a run folder.",
)
EMPTY_MODEL = QT_TRANSLATE_NOOP("CoreMessages", "{name} is empty (0 bytes), not a model bundle.")
UNSAFE_OR_DAMAGED = QT_TRANSLATE_NOOP(
    "CoreMessages",
    "{name} is not a ConvStudio model bundle or is damaged: its data could not be read safely "
    "as a PyTorch file, so nothing in it was run.",
)
REFUSED_PICKLE = QT_TRANSLATE_NOOP(
    "CoreMessages",
    "{name} was refused: it is not a ConvStudio bundle but a pickle that refers to {code}, "
    "which could run code when loaded; nothing was executed. Open only bundles written by "
    "ConvStudio.",
)
TOO_LARGE_TO_LOAD = QT_TRANSLATE_NOOP("CoreMessages", "{name} is too large to load into memory.")
CANNOT_READ_MODEL = QT_TRANSLATE_NOOP(
    "CoreMessages",
    "{name} cannot be read ({reason}); check that the file is readable and the disk is available.",
)
DAMAGED_FILE = QT_TRANSLATE_NOOP(
    "CoreMessages",
    "{name} is not a ConvStudio model bundle or is damaged (truncated or corrupt){detail}.",
)

__all__ = [
    "BUNDLE_FORMAT",
    "BUNDLE_VERSION",
    "BundleError",
    "check_bundle",
    "check_model_path",
    "check_weights",
    "load_bundle",
    "make_bundle",
    "model_from_bundle",
    "save_atomic",
    "save_bundle",
]

BUNDLE_FORMAT = "convstudio.bundle"
BUNDLE_VERSION = 1
MAX_INPUT_SIZE = 4096  # the largest input size training takes (TrainConfig.input_size)
MAX_CLASSES = 100_000  # ImageNet-21k has 21,841
BUNDLE_KEYS = (
    "format",
    "version",
    "arch",
    "num_classes",
    "class_names",
    "in_channels",
    "input_size",
    "eval_transforms",
    "state_dict",
    "epoch",
    "metrics",
    "config",
)


# torch names the refused callable as "Unsupported global: GLOBAL os.system ..." or, for
# modules it blocks outright, "unsupported GLOBAL posix.system whose module ... is blocked".
_GLOBAL_RE = re.compile(r"GLOBAL ([\w.]+)")


class BundleError(ValueError):
    """A file or dict is not a usable ConvStudio model bundle."""


# --------------------------------------------------------------------------- plain values


def _plain(value: Any, where: str) -> Any:
    """A copy of ``value`` made of types ``weights_only`` loading accepts.

    Tuples become lists, paths become strings, numpy and 0-d tensor scalars become Python
    numbers; anything else (a Namespace, a dataclass ...) is refused here, at save time,
    rather than producing a file that cannot be loaded.
    """
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, torch.Tensor):
        return value.detach().cpu().clone()
    if isinstance(value, Mapping):
        out = {}
        for key, item in value.items():
            if not isinstance(key, (str, int)):
                raise BundleError(f"{where} has a key of type {type(key).__name__}; use strings.")
            out[key] = _plain(item, f"{where}[{key!r}]")
        return out
    if isinstance(value, (list, tuple)):
        return [_plain(item, f"{where}[{i}]") for i, item in enumerate(value)]
    if isinstance(value, os.PathLike):
        return os.fspath(value)
    item = getattr(value, "item", None)
    if callable(item) and getattr(value, "shape", None) == ():
        return item()  # numpy scalar
    raise BundleError(
        f"{where} holds a {type(value).__name__}, which a bundle cannot store; use plain "
        f"numbers, strings, lists and dicts."
    )


def _check_plain(value: Any, where: str) -> None:
    """Raise BundleError when ``value`` holds anything ``weights_only`` loading refuses."""
    if value is None or isinstance(value, (bool, int, float, str, torch.Tensor)):
        return
    if isinstance(value, Mapping):
        for key, item in value.items():
            if not isinstance(key, (str, int)):
                raise BundleError(f"{where} has a key of type {type(key).__name__}; use strings.")
            _check_plain(item, f"{where}[{key!r}]")
        return
    if isinstance(value, (list, tuple)):
        for i, item in enumerate(value):
            _check_plain(item, f"{where}[{i}]")
        return
    raise BundleError(
        f"{where} holds a {type(value).__name__}, which a bundle cannot store; use plain "
        f"numbers, strings, lists and dicts."
    )


def _unwrap(model: nn.Module) -> nn.Module:
    """The plain module inside DataParallel/DDP or torch.compile wrappers."""
    while True:
        if isinstance(getattr(model, "module", None), nn.Module):
            model = model.module
        elif isinstance(getattr(model, "_orig_mod", None), nn.Module):
            model = model._orig_mod
        else:
            return model


# --------------------------------------------------------------------------- making and saving


def make_bundle(
    *,
    model: nn.Module,
    arch: str,
    class_names: list[str],
    in_channels: int,
    input_size: int,
    eval_transforms: list,
    epoch: int,
    metrics: dict,
    config: dict,
) -> dict:
    """A bundle dict: a snapshot of the weights (CPU copies) plus plain metadata."""
    state = _unwrap(model).state_dict()
    return {
        "format": BUNDLE_FORMAT,
        "version": BUNDLE_VERSION,
        "arch": str(arch),
        "num_classes": len(class_names),
        "class_names": [str(c) for c in class_names],
        "in_channels": int(in_channels),
        "input_size": int(input_size),
        "eval_transforms": _plain(list(eval_transforms or []), "eval_transforms"),
        "state_dict": {k: v.detach().cpu().clone() for k, v in state.items()},
        "epoch": int(epoch),
        "metrics": _plain(dict(metrics or {}), "metrics"),
        "config": _plain(dict(config or {}), "config"),
    }


def save_atomic(obj: dict, path) -> None:
    """torch.save ``obj`` to ``path`` so that readers see the old file or the new, never half.

    Through core.atomic.atomic_write: a temp file in the same folder, flushed and fsynced,
    then ``os.replace``d over the target; a full disk is DiskFullError naming the folder.
    """
    path = pathlib.Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with atomic_write(path, "wb") as fh:
        torch.save(obj, fh)


def save_bundle(bundle: dict, path) -> None:
    """Check ``bundle`` (and any extra keys such as optimizer state) then save it atomically."""
    check_bundle(bundle, "the bundle to save")
    _check_plain(bundle, "bundle")
    save_atomic(bundle, path)


# --------------------------------------------------------------------------- loading


def _detail(exc: BaseException) -> str:
    """torch's first sentence as ": ..." when it helps the user, else "".

    torch's load errors often suggest retrying with ``weights_only=False``, which would
    let a hostile file run code: that must never reach a user as advice.
    """
    lines = str(exc).strip().splitlines()
    first = lines[0].split(". ")[0].strip().rstrip(".") if lines else ""
    if len(first) < 12 or len(first) > 160 or "weights_only" in first:
        return ""
    return f": {first}"


def check_bundle(obj: Any, source: str = "the bundle") -> dict:
    """Raise BundleError unless ``obj`` has the bundle's keys with usable values."""
    if not isinstance(obj, Mapping):
        raise BundleError(HOLDS_OTHER.format(source=source, type=type(obj).__name__))
    if obj.get("format") != BUNDLE_FORMAT:
        if obj and all(isinstance(v, torch.Tensor) for v in obj.values()):
            kind = PLAIN_STATE_DICT
        else:
            kind = NO_MARKER
        raise BundleError(NOT_A_BUNDLE.format(source=source, kind=kind))
    version = obj.get("version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise BundleError(BAD_VERSION.format(source=source, version=repr(version)))
    if version > BUNDLE_VERSION:
        raise BundleError(NEWER_VERSION.format(source=source, version=version))
    missing = [k for k in BUNDLE_KEYS if k not in obj]
    if missing:
        raise BundleError(INCOMPLETE.format(source=source, keys=", ".join(missing)))
    _check_fields(obj, source)
    return dict(obj)


def _check_fields(obj: Mapping, source: str) -> None:
    def bad(field: str, why: str) -> BundleError:
        return BundleError(f"{source} is a damaged bundle: '{field}' {why}.")

    if obj["arch"] not in models.ARCHS:
        raise BundleError(UNKNOWN_ARCH.format(source=source, arch=obj["arch"]))
    names = obj["class_names"]
    if not isinstance(names, list) or not names or not all(isinstance(n, str) for n in names):
        raise bad("class_names", "is not a list of class names")
    if len(names) > MAX_CLASSES:
        raise bad("class_names", f"has {len(names):,} names (at most {MAX_CLASSES:,})")
    if obj["num_classes"] != len(names):
        raise bad("num_classes", f"is {obj['num_classes']!r} but there are {len(names)} names")
    if obj["in_channels"] not in (1, 3):
        raise bad("in_channels", f"is {obj['in_channels']!r} (must be 1 or 3)")
    size = obj["input_size"]
    if not isinstance(size, int) or isinstance(size, bool) or not 1 <= size <= MAX_INPUT_SIZE:
        raise bad("input_size", f"is {size!r} (training allows 1 to {MAX_INPUT_SIZE})")
    if not isinstance(obj["eval_transforms"], list):
        raise bad("eval_transforms", "is not a list of steps")
    state = obj["state_dict"]
    if not isinstance(state, Mapping) or not state:
        raise bad("state_dict", "is empty or not a dict")
    if not all(isinstance(v, torch.Tensor) for v in state.values()):
        raise bad("state_dict", "holds values that are not tensors")
    for field in ("metrics", "config"):
        if not isinstance(obj[field], Mapping):
            raise bad(field, "is not a dict")


def check_model_path(path) -> pathlib.Path:
    """``path`` as a Path if it is a regular file; else BundleError saying what it is.

    A device such as /dev/zero would be read forever; a folder needs its best.pt.
    """
    path = pathlib.Path(path)
    name = f"'{path}'"
    if not path.exists():
        raise BundleError(NO_SUCH_MODEL.format(name=name))
    if path.is_dir():
        raise BundleError(MODEL_IS_FOLDER.format(name=name))
    if not path.is_file():
        raise BundleError(NOT_REGULAR.format(name=name))
    return path


def load_bundle(path) -> dict:
    """Read and check a bundle file; never runs code stored in the file.

    Not a bundle, truncated, corrupt or a pickle that would execute code: BundleError.
    """
    path = check_model_path(path)
    name = f"'{path}'"
    if path.stat().st_size == 0:
        raise BundleError(EMPTY_MODEL.format(name=name))
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # pickle-protocol chatter from torch.load
            obj = torch.load(path, map_location="cpu", weights_only=True)
    except pickle.UnpicklingError as exc:
        code = _GLOBAL_RE.search(str(exc))
        if code is None:
            raise BundleError(UNSAFE_OR_DAMAGED.format(name=name)) from exc
        raise BundleError(REFUSED_PICKLE.format(name=name, code=code.group(1))) from exc
    except MemoryError as exc:
        raise BundleError(TOO_LARGE_TO_LOAD.format(name=name)) from exc
    except OSError as exc:  # permissions, I/O errors: the file may be fine
        raise BundleError(CANNOT_READ_MODEL.format(name=name, reason=exc.strerror or exc)) from exc
    except Exception as exc:  # zip/stream/EOF/decoding errors of a damaged file
        raise BundleError(DAMAGED_FILE.format(name=name, detail=_detail(exc))) from exc
    return check_bundle(obj, name)


def _state_mismatch(own: Mapping[str, torch.Tensor], state: Mapping[str, Any]) -> str | None:
    """A short description of the first way ``state`` does not fit ``own``, or None."""
    missing = [k for k in own if k not in state]
    if missing:
        return f"missing {', '.join(missing[:3])}"
    unexpected = [k for k in state if k not in own]
    if unexpected:
        return f"unexpected {', '.join(unexpected[:3])}"
    for key, value in state.items():
        if tuple(value.shape) != tuple(own[key].shape):
            return (
                f"'{key}' has shape {tuple(value.shape)} where the network needs "
                f"{tuple(own[key].shape)}"
            )
    return None


def _build(bundle: dict) -> nn.Module:
    """The network a checked bundle describes, untrained (on the current default device).
    Its random initial weights, replaced by the bundle's, are drawn aside (core.rng): a
    run training meanwhile keeps its random numbers."""
    try:
        with drawn_aside():
            return models.build_model(
                bundle["arch"],
                bundle["num_classes"],
                in_channels=bundle["in_channels"],
                mode="scratch",
                pretrained=None,
                input_size=bundle["input_size"],
            )
    except models.ModelError as exc:
        raise BundleError(f"The bundle's network cannot be built: {exc}") from exc


def check_weights(bundle: dict) -> None:
    """Compare the weights with the network the metadata describes, before building it.

    The network is laid out on PyTorch's "meta" device (shapes only, no memory), so an
    edited input_size or class list is refused in milliseconds instead of allocating
    gigabytes first; weights stored as integers (all zeros after a cast: 10% for every
    class) are refused too.
    """
    with torch.device("meta"):
        own = _build(bundle).state_dict()
    problem = _state_mismatch(own, bundle["state_dict"])
    if problem:
        raise BundleError(
            f"The bundle's weights do not fit its {bundle['arch']} network ({problem}); "
            f"the file is damaged or was edited."
        )
    for key, value in bundle["state_dict"].items():
        if own[key].is_floating_point() and not value.is_floating_point():
            raise BundleError(
                f"The bundle's weight '{key}' is stored as {str(value.dtype).replace('torch.', '')}"
                " where the network needs floating-point numbers; the file is damaged or was "
                "edited (such weights would give every class the same probability)."
            )


def model_from_bundle(bundle: dict) -> nn.Module:
    """The bundle's network with its weights, in eval mode on the CPU."""
    bundle = check_bundle(bundle)
    check_weights(bundle)  # shapes, dtypes and sizes first: nothing huge gets built
    model = _build(bundle)
    model.load_state_dict(bundle["state_dict"], strict=True)
    for value in bundle["state_dict"].values():
        if value.is_floating_point() and not bool(torch.isfinite(value).all()):
            raise BundleError("The bundle's weights contain NaN or infinite values.")
    return model.eval()
