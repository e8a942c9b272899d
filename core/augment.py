"""Augmentation pipeline specs: JSON-able lists of steps <-> torchvision.transforms.v2.

A spec is an ordered list of steps such as
``{"name": "RandomRotation", "params": {"degrees": 45}, "enabled": true}``.
The same spec drives training, the bundle's eval transforms, the GUI preview and
the "copy as code" export, so there is exactly one description of what the data
goes through.

This module is imported by the GUI before PyTorch is loaded, so it must not import
torch or torchvision at module top: :data:`TRANSFORMS` and validation are plain
Python; torchvision is imported inside the functions that build pipelines.
"""

from __future__ import annotations

import copy
import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = [
    "IMAGENET_MEAN",
    "IMAGENET_STD",
    "PRESETS",
    "TRANSFORMS",
    "ParamInfo",
    "SpecError",
    "TransformInfo",
    "build_pipeline",
    "get_preset",
    "load_spec_file",
    "normalize_stats",
    "output_size",
    "render_grid",
    "save_spec_file",
    "spec_to_code",
    "spec_warnings",
    "unnormalize",
    "validate_spec",
]

IMAGENET_MEAN = [0.485, 0.456, 0.406]
IMAGENET_STD = [0.229, 0.224, 0.225]

KINDS = ("float", "int", "bool", "choice", "floats", "size")
CATEGORIES = ("geometry", "color", "policy", "tensor")


class SpecError(ValueError):
    """An augmentation spec that cannot be turned into a pipeline.

    ``step`` is the 0-based index of the offending step (None for file/top-level
    problems) and ``field`` the parameter name (None when the whole step is wrong).
    The message names the step 1-based, as people count.
    """

    def __init__(self, message: str, step: int | None = None, field: str | None = None):
        super().__init__(message)
        self.step = step
        self.field = field


@dataclass(frozen=True)
class ParamInfo:
    """One constructor argument of a transform: how to validate it and how to edit it.

    ``minimum``/``maximum`` bound every number (each element for ``floats``/``size``).
    ``soft_max`` is a friendlier upper end for a slider (the spin box still allows
    ``maximum``). ``length`` fixes the number of values of a ``floats`` param;
    ``nullable`` means None is allowed and means "off"; ``required`` means torchvision
    has no default for it (code export always writes it).
    """

    name: str
    kind: str
    default: object
    minimum: float | None = None
    maximum: float | None = None
    choices: tuple | None = None
    help: str = ""
    length: int | None = None
    nullable: bool = False
    required: bool = False
    soft_max: float | None = None
    step: float | None = None
    exclusive_minimum: bool = False


@dataclass(frozen=True)
class TransformInfo:
    """A transform the editor offers: its parameters, tooltip and menu category."""

    name: str
    params: tuple[ParamInfo, ...]
    help: str
    category: str

    def defaults(self) -> dict[str, Any]:
        """JSON-able default params, as a newly added step gets them."""
        return {p.name: _jsonable(p.default) for p in self.params}


# --------------------------------------------------------------------------- metadata

_INTERP_GEOM = ("nearest", "bilinear", "bicubic")
_INTERP_HELP = "How pixels are resampled: nearest keeps hard edges, bilinear/bicubic smooth."
_FILL_HELP = "Value for pixels uncovered by the transform (0..255 on images, 0..1 after ToTensor)."


def _p(name: str, kind: str, default: object, help: str, **kw: Any) -> ParamInfo:
    return ParamInfo(name=name, kind=kind, default=default, help=help, **kw)


def _prob(default: float, what: str) -> ParamInfo:
    return _p("p", "float", default, f"Probability that {what}.", minimum=0.0, maximum=1.0)


def _interp(default: str) -> ParamInfo:
    return _p("interpolation", "choice", default, _INTERP_HELP, choices=_INTERP_GEOM)


def _fill() -> ParamInfo:
    return _p("fill", "float", 0.0, _FILL_HELP, minimum=0.0, maximum=255.0)


def _magnitude_bins() -> ParamInfo:
    return _p("num_magnitude_bins", "int", 31, "Number of strength levels.", minimum=2, maximum=100)


def _size(default: int, help: str) -> ParamInfo:
    return _p("size", "size", default, help, minimum=1, maximum=4096, soft_max=512, required=True)


_T: list[TransformInfo] = [
    TransformInfo(
        "Resize",
        (
            _size(
                256,
                "Target size: one number resizes the shorter side to it (keeps the "
                "aspect ratio); [h, w] gives the exact output size.",
            ),
            _interp("bilinear"),
            _p(
                "max_size",
                "int",
                None,
                "Upper bound for the longer side after resizing "
                "(only with a single-number size); off = no bound.",
                minimum=1,
                maximum=8192,
                soft_max=1024,
                nullable=True,
            ),
            _p("antialias", "bool", True, "Smooth before shrinking to avoid aliasing."),
        ),
        "Resize the image (deterministic).",
        "geometry",
    ),
    TransformInfo(
        "CenterCrop",
        (
            _size(
                224,
                "Size of the central crop: one number for a square, or [h, w]. A crop "
                "larger than the image pads it with zeros.",
            ),
        ),
        "Cut the centre of the image (deterministic).",
        "geometry",
    ),
    TransformInfo(
        "RandomCrop",
        (
            _size(224, "Size of the crop: one number for a square, or [h, w]."),
            _p(
                "padding",
                "int",
                None,
                "Pixels added on every border before cropping; off = none.",
                minimum=0,
                maximum=512,
                soft_max=64,
                nullable=True,
            ),
            _p(
                "pad_if_needed",
                "bool",
                False,
                "Pad the image when it is smaller than the crop instead of failing.",
            ),
            _fill(),
            _p(
                "padding_mode",
                "choice",
                "constant",
                "How padded pixels are filled: constant "
                "uses fill, edge repeats the border, reflect/symmetric mirror the image.",
                choices=("constant", "edge", "reflect", "symmetric"),
            ),
        ),
        "Cut a crop at a random position.",
        "geometry",
    ),
    TransformInfo(
        "RandomResizedCrop",
        (
            _size(
                224, "Output size after the crop is resized: one number for a square, or [h, w]."
            ),
            _p(
                "scale",
                "floats",
                (0.08, 1.0),
                "Range of the crop's area as a fraction of the image area, [min, max].",
                minimum=0.001,
                maximum=1.0,
                length=2,
            ),
            _p(
                "ratio",
                "floats",
                (0.75, 4 / 3),
                "Range of the crop's aspect ratio (w/h), [min, max].",
                minimum=0.05,
                maximum=10.0,
                soft_max=4.0,
                length=2,
            ),
            _interp("bilinear"),
            _p("antialias", "bool", True, "Smooth before shrinking to avoid aliasing."),
        ),
        "Crop a random area and aspect ratio, then resize it (the ImageNet classic).",
        "geometry",
    ),
    TransformInfo(
        "RandomRotation",
        (
            _p(
                "degrees",
                "float",
                15.0,
                "Maximum rotation: the angle is drawn from [-degrees, +degrees].",
                minimum=0.0,
                maximum=180.0,
                required=True,
            ),
            _interp("nearest"),
            _p(
                "expand",
                "bool",
                False,
                "Grow the output so the whole rotated image fits "
                "(the size then changes from sample to sample).",
            ),
            _fill(),
        ),
        "Rotate by a random angle.",
        "geometry",
    ),
    TransformInfo(
        "RandomHorizontalFlip",
        (_prob(0.5, "the image is mirrored left-right"),),
        "Mirror left-right at random.",
        "geometry",
    ),
    TransformInfo(
        "RandomVerticalFlip",
        (_prob(0.5, "the image is flipped upside down"),),
        "Flip upside down at random.",
        "geometry",
    ),
    TransformInfo(
        "RandomAffine",
        (
            _p(
                "degrees",
                "float",
                10.0,
                "Maximum rotation: the angle is drawn from [-degrees, +degrees].",
                minimum=0.0,
                maximum=180.0,
                required=True,
            ),
            _p(
                "translate",
                "floats",
                None,
                "Maximum shift as a fraction of width and height, [x, y]; off = no shift.",
                minimum=0.0,
                maximum=1.0,
                length=2,
                nullable=True,
            ),
            _p(
                "scale",
                "floats",
                None,
                "Range of the zoom factor, [min, max]; off = no zoom.",
                minimum=0.01,
                maximum=10.0,
                soft_max=2.0,
                length=2,
                nullable=True,
            ),
            _p(
                "shear",
                "float",
                None,
                "Maximum shear angle along x, drawn from [-shear, +shear]; off = no shear.",
                minimum=0.0,
                maximum=89.0,
                nullable=True,
            ),
            _interp("nearest"),
            _fill(),
        ),
        "Random rotation, shift, zoom and shear in one step.",
        "geometry",
    ),
    TransformInfo(
        "RandomPerspective",
        (
            _p(
                "distortion_scale",
                "float",
                0.5,
                "How strongly the corners move (0 = not at all, 1 = a lot).",
                minimum=0.0,
                maximum=1.0,
            ),
            _prob(0.5, "the perspective change is applied"),
            _interp("bilinear"),
            _fill(),
        ),
        "Tilt the image as if seen from another angle.",
        "geometry",
    ),
    TransformInfo(
        "Pad",
        (
            _p(
                "padding",
                "int",
                4,
                "Pixels added on every border.",
                minimum=0,
                maximum=512,
                soft_max=64,
                required=True,
            ),
            _fill(),
            _p(
                "padding_mode",
                "choice",
                "constant",
                "How padded pixels are filled.",
                choices=("constant", "edge", "reflect", "symmetric"),
            ),
        ),
        "Add a border around the image (deterministic).",
        "geometry",
    ),
    TransformInfo(
        "ColorJitter",
        (
            _p(
                "brightness",
                "float",
                0.0,
                "Brightness factor drawn from [1-b, 1+b]; 0 = unchanged.",
                minimum=0.0,
                maximum=10.0,
                soft_max=2.0,
            ),
            _p(
                "contrast",
                "float",
                0.0,
                "Contrast factor drawn from [1-c, 1+c]; 0 = unchanged.",
                minimum=0.0,
                maximum=10.0,
                soft_max=2.0,
            ),
            _p(
                "saturation",
                "float",
                0.0,
                "Saturation factor drawn from [1-s, 1+s]; 0 = unchanged.",
                minimum=0.0,
                maximum=10.0,
                soft_max=2.0,
            ),
            _p(
                "hue",
                "float",
                0.0,
                "Hue shift drawn from [-h, h] (fraction of the colour wheel); 0 = unchanged.",
                minimum=0.0,
                maximum=0.5,
            ),
        ),
        "Randomly change brightness, contrast, saturation and hue.",
        "color",
    ),
    TransformInfo(
        "RandomGrayscale",
        (_prob(0.1, "the image is turned gray (channel count is kept)"),),
        "Turn gray at random, keeping the number of channels.",
        "color",
    ),
    TransformInfo(
        "Grayscale",
        (
            _p(
                "num_output_channels",
                "choice",
                1,
                "Channels of the gray result: 1, or 3 identical ones for models that expect RGB.",
                choices=(1, 3),
            ),
        ),
        "Always turn gray.",
        "color",
    ),
    TransformInfo(
        "GaussianBlur",
        (
            _p(
                "kernel_size",
                "int",
                5,
                "Blur kernel size in pixels (odd).",
                minimum=1,
                maximum=101,
                soft_max=31,
                required=True,
                step=2,
            ),
            _p(
                "sigma",
                "floats",
                (0.1, 2.0),
                "Range of the blur strength (standard deviation), [min, max].",
                minimum=0.01,
                maximum=50.0,
                soft_max=10.0,
                length=2,
            ),
        ),
        "Blur with a random strength.",
        "color",
    ),
    TransformInfo(
        "RandomAdjustSharpness",
        (
            _p(
                "sharpness_factor",
                "float",
                2.0,
                "0 = blurred, 1 = unchanged, 2 = twice as sharp.",
                minimum=0.0,
                maximum=10.0,
                soft_max=5.0,
                required=True,
            ),
            _prob(0.5, "the sharpness is changed"),
        ),
        "Sharpen (or soften) at random.",
        "color",
    ),
    TransformInfo(
        "RandomAutocontrast",
        (_prob(0.5, "the contrast is stretched to the full range"),),
        "Stretch the contrast at random.",
        "color",
    ),
    TransformInfo(
        "RandomEqualize",
        (_prob(0.5, "the histogram is equalized"),),
        "Equalize the histogram at random.",
        "color",
    ),
    TransformInfo(
        "RandomInvert",
        (_prob(0.5, "the colours are inverted"),),
        "Invert the colours at random.",
        "color",
    ),
    TransformInfo(
        "RandomPosterize",
        (
            _p(
                "bits",
                "int",
                4,
                "Bits kept per channel (fewer = fewer colours).",
                minimum=1,
                maximum=8,
                required=True,
            ),
            _prob(0.5, "the image is posterized"),
        ),
        "Reduce the number of colours at random.",
        "color",
    ),
    TransformInfo(
        "RandomSolarize",
        (
            _p(
                "threshold",
                "float",
                128.0,
                "Pixels above this value are inverted (0..255 on images, 0..1 after ToTensor).",
                minimum=0.0,
                maximum=255.0,
                required=True,
            ),
            _prob(0.5, "the image is solarized"),
        ),
        "Invert the bright pixels at random.",
        "color",
    ),
    TransformInfo(
        "AutoAugment",
        (
            _p(
                "policy",
                "choice",
                "imagenet",
                "Learned policy: which dataset it was found on.",
                choices=("imagenet", "cifar10", "svhn"),
            ),
            _interp("nearest"),
        ),
        "A learned policy of random operations (Cubuk et al.).",
        "policy",
    ),
    TransformInfo(
        "RandAugment",
        (
            _p(
                "num_ops",
                "int",
                2,
                "How many random operations are applied in a row.",
                minimum=0,
                maximum=10,
            ),
            _p(
                "magnitude",
                "int",
                9,
                "Strength of every operation (must be below num_magnitude_bins).",
                minimum=0,
                maximum=99,
                soft_max=30,
            ),
            _magnitude_bins(),
            _interp("nearest"),
        ),
        "N random operations at a fixed strength (Cubuk et al.).",
        "policy",
    ),
    TransformInfo(
        "TrivialAugmentWide",
        (
            _magnitude_bins(),
            _interp("nearest"),
        ),
        "One random operation at a random strength (Müller & Hutter).",
        "policy",
    ),
    TransformInfo(
        "ToTensor",
        (),
        "Convert the image to a float tensor in [0, 1], channels first "
        "(v2.ToImage + v2.ToDtype(float32, scale=True)).",
        "tensor",
    ),
    TransformInfo(
        "Normalize",
        (
            _p(
                "mean",
                "floats",
                tuple(IMAGENET_MEAN),
                "Per-channel mean subtracted (one value per channel).",
                minimum=0.0,
                maximum=1.0,
                required=True,
            ),
            _p(
                "std",
                "floats",
                tuple(IMAGENET_STD),
                "Per-channel standard deviation divided by (one value per channel).",
                minimum=0.0001,
                maximum=10.0,
                soft_max=1.0,
                required=True,
            ),
        ),
        "Subtract the mean and divide by the std per channel (needs a tensor).",
        "tensor",
    ),
    TransformInfo(
        "RandomErasing",
        (
            _prob(0.5, "a rectangle is erased"),
            _p(
                "scale",
                "floats",
                (0.02, 0.33),
                "Range of the erased area as a fraction of the image, [min, max].",
                minimum=0.0,
                maximum=1.0,
                length=2,
            ),
            _p(
                "ratio",
                "floats",
                (0.3, 3.3),
                "Range of the erased rectangle's aspect ratio, [min, max].",
                minimum=0.05,
                maximum=20.0,
                soft_max=5.0,
                length=2,
            ),
            _p(
                "value",
                "float",
                0.0,
                "Value written into the erased rectangle.",
                minimum=-10.0,
                maximum=255.0,
                soft_max=1.0,
            ),
        ),
        "Blank out a random rectangle (needs a tensor: put it after ToTensor).",
        "tensor",
    ),
    TransformInfo(
        "GaussianNoise",
        (
            _p("mean", "float", 0.0, "Mean of the added noise.", minimum=-1.0, maximum=1.0),
            _p(
                "sigma",
                "float",
                0.1,
                "Standard deviation of the added noise.",
                minimum=0.0,
                maximum=1.0,
            ),
            _p("clip", "bool", True, "Clip the result to [0, 1]."),
        ),
        "Add Gaussian noise (needs a float tensor: put it after ToTensor).",
        "tensor",
    ),
]

TRANSFORMS: dict[str, TransformInfo] = {t.name: t for t in _T}

# Steps that only work on tensors (torchvision refuses or ignores PIL images).
_TENSOR_ONLY = ("Normalize", "RandomErasing", "GaussianNoise")


# --------------------------------------------------------------------------- presets


def _step(name: str, **params: Any) -> dict:
    return {"name": name, "params": params, "enabled": True}


PRESETS: dict[str, dict] = {
    "seed": {
        "train": [
            _step("RandomRotation", degrees=45),
            _step("CenterCrop", size=224),
            _step("RandomHorizontalFlip", p=0.5),
            _step("RandomVerticalFlip", p=0.5),
            _step("ColorJitter", brightness=0.2, contrast=0.1, saturation=0.1, hue=0.1),
            _step("RandomGrayscale", p=0.025),
            _step("ToTensor"),
            _step("Normalize", mean=list(IMAGENET_MEAN), std=list(IMAGENET_STD)),
        ],
        "eval": [
            _step("Resize", size=256),
            _step("CenterCrop", size=224),
            _step("ToTensor"),
            _step("Normalize", mean=list(IMAGENET_MEAN), std=list(IMAGENET_STD)),
        ],
    },
    "digits": {
        "train": [
            _step("RandomAffine", degrees=10, translate=[0.1, 0.1], scale=[0.9, 1.1]),
            _step("ToTensor"),
            _step("Normalize", mean=[0.5], std=[0.5]),
        ],
        "eval": [
            _step("ToTensor"),
            _step("Normalize", mean=[0.5], std=[0.5]),
        ],
    },
    "none": {"train": [_step("ToTensor")], "eval": [_step("ToTensor")]},
}


def get_preset(name: str) -> dict:
    """A deep, validated copy of preset ``name``: ``{"train": spec, "eval": spec}``."""
    if name not in PRESETS:
        known = ", ".join(sorted(PRESETS))
        raise SpecError(f"unknown augmentation preset {name!r}; choose one of: {known}.")
    preset = PRESETS[name]
    return {"train": validate_spec(preset["train"]), "eval": validate_spec(preset["eval"])}


# --------------------------------------------------------------------------- validation


def _jsonable(value: Any) -> Any:
    """Tuples become lists so specs compare equal after a JSON round trip."""
    if isinstance(value, (tuple, list)):
        return [_jsonable(v) for v in value]
    return value


def _where(index: int, name: str) -> str:
    return f"step {index + 1} ({name})"


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _check_bounds(value: float, info: ParamInfo, fail) -> None:
    """Raise through ``fail`` when ``value`` is outside ``info``'s range."""
    if isinstance(value, float) and not math.isfinite(value):
        fail(f"must be a finite number, got {value}")
    lo, hi = info.minimum, info.maximum
    if lo is not None:
        if info.exclusive_minimum and value <= lo:
            fail(f"must be > {_fmt(lo)}, got {_fmt(value)}")
        if value < lo:
            fail(f"must be >= {_fmt(lo)}, got {_fmt(value)}")
    if hi is not None and value > hi:
        fail(f"must be <= {_fmt(hi)}, got {_fmt(value)}")


def _fmt(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _coerce_int(value: Any, fail) -> int:
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if not isinstance(value, int) or isinstance(value, bool):
        fail(f"must be a whole number, got {value!r}")
    return value


def _coerce_param(info: ParamInfo, value: Any, fail) -> Any:
    """Check one value against its ParamInfo; return it in canonical JSON form."""
    if value is None:
        if info.nullable:
            return None
        fail("is required (got nothing)")
    kind = info.kind
    if kind == "bool":
        if not isinstance(value, bool):
            fail(f"must be true or false, got {value!r}")
        return value
    if kind == "choice":
        for choice in info.choices or ():
            if value == choice and type(value) is type(choice):
                return choice
        options = ", ".join(repr(c) for c in info.choices or ())
        fail(f"must be one of {options}, got {value!r}")
    if kind == "float":
        if not _is_number(value):
            fail(f"must be a number, got {value!r}")
        value = float(value)
        _check_bounds(value, info, fail)
        return value
    if kind == "int":
        value = _coerce_int(value, fail)
        _check_bounds(value, info, fail)
        return value
    if kind == "floats":
        return _coerce_floats(info, value, fail)
    if kind == "size":
        return _coerce_size(info, value, fail)
    raise AssertionError(f"unknown param kind {kind}")  # metadata bug, not user error


def _coerce_floats(info: ParamInfo, value: Any, fail) -> list[float]:
    if _is_number(value) and info.length in (None, 1):
        value = [value]
    if not isinstance(value, (list, tuple)) or not value:
        fail(f"must be a list of numbers, got {value!r}")
    if info.length is not None and len(value) != info.length:
        fail(f"must have {info.length} values, got {len(value)}")
    out = []
    for item in value:
        if not _is_number(item):
            fail(f"must be a list of numbers, got {value!r}")
        item = float(item)
        _check_bounds(item, info, fail)
        out.append(item)
    return out


def _coerce_size(info: ParamInfo, value: Any, fail) -> int | list[int]:
    if isinstance(value, (list, tuple)):
        if len(value) == 1:
            value = value[0]
        elif len(value) != 2:
            fail(f"must be one number or [height, width], got {value!r}")
        else:
            out = [_coerce_int(v, fail) for v in value]
            for v in out:
                _check_bounds(v, info, fail)
            return out
    value = _coerce_int(value, fail)
    _check_bounds(value, info, fail)
    return value


def _check_combination(name: str, params: dict, fail_field) -> None:
    """Rules that involve several params of one step (shown inline by the GUI)."""
    for key in ("scale", "ratio", "sigma"):
        pair = params.get(key)
        if isinstance(pair, list) and len(pair) == 2 and pair[0] > pair[1]:
            fail_field(key, f"must be [min, max] with min <= max, got {_jsonable(pair)}")
    if name == "GaussianBlur" and params["kernel_size"] % 2 == 0:
        fail_field("kernel_size", f"must be odd, got {params['kernel_size']}")
    if name == "RandAugment" and params["magnitude"] >= params["num_magnitude_bins"]:
        fail_field(
            "magnitude",
            f"must be below num_magnitude_bins ({params['num_magnitude_bins']}), "
            f"got {params['magnitude']}",
        )
    if name == "Normalize" and len(params["mean"]) != len(params["std"]):
        fail_field(
            "std",
            f"must have as many values as mean ({len(params['mean'])}), got {len(params['std'])}",
        )
    if name == "Resize" and params.get("max_size") is not None:
        if isinstance(params["size"], list):
            fail_field("max_size", "only works with a single-number size; turn it off")
        elif params["max_size"] <= params["size"]:
            fail_field("max_size", f"must be larger than size ({params['size']})")


def _step_parts(index: int, step: Any) -> tuple[str, bool, dict]:
    """A step's name, enabled flag and raw params, once its outer shape is checked."""
    if not isinstance(step, dict):
        raise SpecError(
            f"step {index + 1}: must be an object with a name and params, got {step!r}.",
            step=index,
        )
    name = step.get("name")
    if not isinstance(name, str) or name not in TRANSFORMS:
        raise SpecError(
            f"step {index + 1}: unknown transform {name!r}; use one of the names in "
            "the Augment panel's list (torchvision.transforms.v2 classes).",
            step=index,
            field="name",
        )
    where = _where(index, name)
    unknown_keys = set(step) - {"name", "params", "enabled"}
    if unknown_keys:
        key = sorted(unknown_keys)[0]
        raise SpecError(
            f"{where}: unknown key {key!r}; a step has name, params and enabled.",
            step=index,
            field=key,
        )
    enabled = step.get("enabled", True)
    if not isinstance(enabled, bool):
        raise SpecError(
            f"{where}: enabled must be true or false, got {enabled!r}.", step=index, field="enabled"
        )
    raw = step.get("params") or {}
    if not isinstance(raw, dict):
        raise SpecError(
            f"{where}: params must be an object, got {raw!r}.", step=index, field="params"
        )
    return name, enabled, raw


def _validate_step(index: int, step: Any) -> dict:
    name, enabled, raw = _step_parts(index, step)
    where = _where(index, name)
    info = TRANSFORMS[name]
    known = {p.name for p in info.params}
    for key in raw:
        if key not in known:
            allowed = ", ".join(sorted(known)) or "none"
            raise SpecError(
                f"{where}: unknown parameter {key!r} (allowed: {allowed}).", step=index, field=key
            )

    def fail_field(field: str, message: str) -> None:
        raise SpecError(f"{where}: {field} {message}.", step=index, field=field)

    params: dict[str, Any] = {}
    for p in info.params:
        value = raw[p.name] if p.name in raw else _jsonable(p.default)

        def fail(message: str, _field: str = p.name) -> None:
            fail_field(_field, message)

        params[p.name] = _coerce_param(p, value, fail)
    _check_combination(name, params, fail_field)
    return {"name": name, "params": params, "enabled": enabled}


def validate_spec(spec: Any) -> list[dict]:
    """Check a spec and return a normalised deep copy (defaults filled, types coerced).

    Raises :class:`SpecError` naming the step and the field on the first problem.
    """
    if isinstance(spec, dict) and ("train" in spec or "eval" in spec):
        raise SpecError(
            "expected one pipeline (a list of steps), got a train/eval pair; pass "
            "specs['train'] or specs['eval']."
        )
    if not isinstance(spec, (list, tuple)):
        raise SpecError(f"an augmentation spec must be a list of steps, got {type(spec).__name__}.")
    return [_validate_step(i, copy.deepcopy(step)) for i, step in enumerate(spec)]


def _validate_pair(specs: Any) -> dict:
    if not isinstance(specs, dict) or not {"train", "eval"} <= set(specs):
        raise SpecError('expected {"train": [...], "eval": [...]} with both pipelines.')
    return {"train": validate_spec(specs["train"]), "eval": validate_spec(specs["eval"])}


# --------------------------------------------------------------------------- building


def _enabled(spec: Any) -> list[dict]:
    return [s for s in validate_spec(spec) if s["enabled"]]


def _kwargs(name: str, params: dict) -> dict:
    """Constructor keyword arguments (with torchvision enum values) for one step."""
    from torchvision.transforms import v2

    kw = dict(params)
    if "interpolation" in kw:
        kw["interpolation"] = v2.InterpolationMode(kw["interpolation"])
    if name == "AutoAugment":
        kw["policy"] = v2.AutoAugmentPolicy(kw["policy"])
    for key in ("scale", "ratio", "sigma", "translate"):
        if isinstance(kw.get(key), list):
            kw[key] = tuple(kw[key])
    return kw


def _build_step(step: dict) -> list:
    import torch
    from torchvision.transforms import v2

    name = step["name"]
    if name == "ToTensor":
        return [v2.ToImage(), v2.ToDtype(torch.float32, scale=True)]
    return [getattr(v2, name)(**_kwargs(name, step["params"]))]


def build_pipeline(spec: Any):
    """The torchvision.transforms.v2.Compose for ``spec`` (disabled steps skipped)."""
    from torchvision.transforms import v2

    transforms: list = []
    for index, step in enumerate(validate_spec(spec)):
        if not step["enabled"]:
            continue
        try:
            transforms.extend(_build_step(step))
        except (TypeError, ValueError) as exc:  # torchvision's own checks
            raise SpecError(f"{_where(index, step['name'])}: {exc}", step=index) from exc
    return v2.Compose(transforms)


def _code_value(info: ParamInfo, value: Any) -> str:
    if info.name == "interpolation":
        return f"v2.InterpolationMode.{str(value).upper()}"
    if info.name == "policy":
        return f"v2.AutoAugmentPolicy.{str(value).upper()}"
    if info.name in ("scale", "ratio", "sigma", "translate") and isinstance(value, list):
        return repr(tuple(value))
    return repr(value)


def _step_code(step: dict) -> list[str]:
    name = step["name"]
    if name == "ToTensor":
        return ["v2.ToImage()", "v2.ToDtype(torch.float32, scale=True)"]
    info = TRANSFORMS[name]
    args = []
    for p in info.params:
        value = step["params"][p.name]
        if p.required or value != _jsonable(p.default):
            args.append(f"{p.name}={_code_value(p, value)}")
    return [f"v2.{name}({', '.join(args)})"]


def spec_to_code(spec: Any) -> str:
    """Python source that builds the same pipeline: exec it and use ``transform``."""
    lines = [
        "import torch",
        "from torchvision.transforms import v2",
        "",
        "transform = v2.Compose([",
    ]
    for step in _enabled(spec):
        lines.extend(f"    {code}," for code in _step_code(step))
    lines.append("])")
    return "\n".join(lines) + "\n"


# --------------------------------------------------------------------------- files


def load_spec_file(path: str | Path) -> dict:
    """Read ``{"train": spec, "eval": spec}`` (or a bare train list) from a JSON file.

    A bare train list gets the eval pipeline ToTensor plus the train pipeline's last
    Normalize, so validation sees the same statistics as training.
    """
    path = Path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise SpecError(f"spec file {path} does not exist; check the path.") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise SpecError(f"cannot read spec file {path}: {exc}.") from None
    except json.JSONDecodeError as exc:
        raise SpecError(f"spec file {path} is not valid JSON ({exc}); fix or re-save it.") from None
    if isinstance(data, list):
        train = validate_spec(data)
        eval_spec = copy.deepcopy(PRESETS["none"]["eval"])
        norm = [s for s in train if s["enabled"] and s["name"] == "Normalize"]
        if norm:
            eval_spec.append(copy.deepcopy(norm[-1]))
        return {"train": train, "eval": validate_spec(eval_spec)}
    return _validate_pair(data)


def save_spec_file(path: str | Path, specs: dict) -> None:
    """Write a validated ``{"train": spec, "eval": spec}`` as pretty JSON."""
    checked = _validate_pair(specs)
    path = Path(path)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(checked, indent=2) + "\n", encoding="utf-8")
    tmp.replace(path)


# --------------------------------------------------------------------------- analysis


def normalize_stats(spec: Any) -> tuple[list[float], list[float]] | None:
    """Mean and std of the last enabled Normalize step, or None when there is none."""
    norms = [s for s in _enabled(spec) if s["name"] == "Normalize"]
    if not norms:
        return None
    return list(norms[-1]["params"]["mean"]), list(norms[-1]["params"]["std"])


def _as_hw(size: int | list[int]) -> tuple[int, int]:
    return (size, size) if isinstance(size, int) else (size[0], size[1])


def _resize_hw(params: dict, hw: tuple[int, int]) -> tuple[int, int]:
    """torchvision's Resize output size rule (shorter side, optional max_size)."""
    size = params["size"]
    if isinstance(size, list):
        return size[0], size[1]
    h, w = hw
    short, long = (w, h) if w <= h else (h, w)
    new_short, new_long = size, int(size * long / short)
    max_size = params.get("max_size")
    if max_size is not None and new_long > max_size:
        new_short, new_long = int(max_size * new_short / new_long), max_size
    return (new_long, new_short) if w <= h else (new_short, new_long)


def _step_size(step: dict, hw: tuple[int, int]) -> tuple[int, int]:
    name, params = step["name"], step["params"]
    if name == "Resize":
        return _resize_hw(params, hw)
    if name in ("CenterCrop", "RandomResizedCrop"):
        return _as_hw(params["size"])
    if name == "RandomCrop":
        return _as_hw(params["size"])
    if name == "Pad":
        pad = params["padding"]
        return hw[0] + 2 * pad, hw[1] + 2 * pad
    return hw


def output_size(spec: Any, image_size: tuple[int, int]) -> tuple[int, int]:
    """Spatial (height, width) after the pipeline for an input of ``image_size`` (h, w).

    RandomRotation with expand=True changes the size per sample; it is counted as
    not changing it.
    """
    hw = (int(image_size[0]), int(image_size[1]))
    for step in _enabled(spec):
        hw = _step_size(step, hw)
    return hw


def _crop_warning(step: dict, hw: tuple[int, int]) -> str | None:
    name, params = step["name"], step["params"]
    if name not in ("CenterCrop", "RandomCrop"):
        return None
    ch, cw = _as_hw(params["size"])
    if name == "RandomCrop" and params.get("padding"):
        hw = (hw[0] + 2 * params["padding"], hw[1] + 2 * params["padding"])
    if ch <= hw[0] and cw <= hw[1]:
        return None
    size = _fmt_size(params["size"])
    image = f"{hw[0]}x{hw[1]}"
    if name == "CenterCrop":
        return (
            f"{name} {size} is larger than the {image} image: the border is filled with "
            "black; resize first or use a smaller crop."
        )
    if params["pad_if_needed"]:
        return (
            f"{name} {size} is larger than the {image} image: it is padded to fit; "
            "resize first or use a smaller crop."
        )
    return (
        f"{name} {size} is larger than the {image} image and will fail; resize first, "
        "use a smaller crop, or turn on pad_if_needed."
    )


def _fmt_size(size: int | list[int]) -> str:
    return str(size) if isinstance(size, int) else f"{size[0]}x{size[1]}"


def _close(a: list[float], b: list[float], tol: float = 1e-3) -> bool:
    return len(a) == len(b) and all(abs(x - y) <= tol for x, y in zip(a, b, strict=True))


def _stats_warning(spec_steps: list[dict], pretrained_stats) -> str | None:
    if pretrained_stats is None:
        return None
    mean, std = [float(x) for x in pretrained_stats[0]], [float(x) for x in pretrained_stats[1]]
    norms = [s for s in spec_steps if s["name"] == "Normalize"]
    if not norms:
        return (
            "no Normalize step, but the pretrained weights expect inputs normalized "
            f"with mean {mean} and std {std}; add Normalize with those values."
        )
    have = norms[-1]["params"]
    if len(have["mean"]) == 1 and len(mean) == 3:
        return None  # 1-channel input to an adapted first conv: its own stats are fine
    if _close(have["mean"], mean) and _close(have["std"], std):
        return None
    return (
        f"Normalize mean/std differ from the pretrained weights' statistics (mean {mean}, "
        f"std {std}); the pretrained features expect those values."
    )


def _order_warnings(steps: list[dict]) -> list[str]:
    warnings = []
    tensor_at = next((i for i, s in enumerate(steps) if s["name"] == "ToTensor"), None)
    for i, step in enumerate(steps):
        name = step["name"]
        if name in _TENSOR_ONLY and (tensor_at is None or i < tensor_at):
            if name == "RandomErasing":
                warnings.append(
                    f"{name} comes before ToTensor and does nothing on a PIL "
                    "image; move it after ToTensor."
                )
            else:
                warnings.append(
                    f"{name} comes before ToTensor and will fail on a PIL image; "
                    "move it after ToTensor."
                )
    norm_at = next((i for i, s in enumerate(steps) if s["name"] == "Normalize"), None)
    if norm_at is not None:
        for step in steps[norm_at + 1 :]:
            if TRANSFORMS[step["name"]].category in ("color", "policy"):
                warnings.append(
                    f"{step['name']} comes after Normalize and works on "
                    "normalized values; move it before Normalize."
                )
    return warnings


def spec_warnings(
    spec: Any,
    image_size: tuple[int, int] | None = None,
    pretrained_stats: tuple[list[float], list[float]] | None = None,
) -> list[str]:
    """Human sentences about a valid spec that will probably not do what is wanted.

    ``image_size`` is the (height, width) of the source images when known;
    ``pretrained_stats`` the (mean, std) the chosen pretrained weights expect.
    """
    steps = _enabled(spec)
    warnings: list[str] = []
    if not any(s["name"] == "ToTensor" for s in steps):
        warnings.append(
            "no ToTensor step: the pipeline ends with an image, not the tensor "
            "a model needs; add ToTensor (before Normalize)."
        )
    warnings.extend(_order_warnings(steps))
    stats = _stats_warning(steps, pretrained_stats)
    if stats:
        warnings.append(stats)
    if image_size is not None:
        hw = (int(image_size[0]), int(image_size[1]))
        for step in steps:
            crop = _crop_warning(step, hw)
            if crop:
                warnings.append(crop)
            hw = _step_size(step, hw)
    return warnings


# --------------------------------------------------------------------------- display


def unnormalize(tensor, spec: Any):
    """Undo the spec's last Normalize and clamp to [0, 1] for display."""
    import torch

    if tensor.dtype == torch.uint8:
        return tensor.float() / 255.0
    out = tensor.detach().float()
    stats = normalize_stats(spec)
    if stats is not None:
        mean = torch.tensor(stats[0], dtype=out.dtype).view(-1, 1, 1)
        std = torch.tensor(stats[1], dtype=out.dtype).view(-1, 1, 1)
        out = out * std + mean
    return out.clamp(0.0, 1.0)


def _to_pil(image):
    """A PIL image for a PIL image or a CxHxW tensor (float in [0, 1] or uint8)."""
    from PIL import Image

    if isinstance(image, Image.Image):
        return image if image.mode in ("L", "RGB") else image.convert("RGB")
    import torch

    t = image.detach().cpu()
    if t.dtype != torch.uint8:
        t = (t.float().clamp(0, 1) * 255.0).round().to(torch.uint8)
    if t.ndim == 2:
        t = t.unsqueeze(0)
    if t.shape[0] == 1:
        return Image.fromarray(t[0].numpy(), "L")
    return Image.fromarray(t[:3].permute(1, 2, 0).contiguous().numpy(), "RGB")


def render_grid(images, ncols: int, pad: int = 2, background: int = 255):
    """Tile PIL images or display-ready tensors into one RGB PIL image.

    Cells are as large as the largest image; smaller images are centred.
    """
    from PIL import Image

    pils = [_to_pil(im) for im in images]
    if not pils:
        raise ValueError("render_grid needs at least one image.")
    ncols = max(1, min(int(ncols), len(pils)))
    nrows = math.ceil(len(pils) / ncols)
    cell_w = max(im.width for im in pils)
    cell_h = max(im.height for im in pils)
    grid = Image.new(
        "RGB",
        (ncols * cell_w + (ncols + 1) * pad, nrows * cell_h + (nrows + 1) * pad),
        (background,) * 3,
    )
    for i, im in enumerate(pils):
        row, col = divmod(i, ncols)
        x = pad + col * (cell_w + pad) + (cell_w - im.width) // 2
        y = pad + row * (cell_h + pad) + (cell_h - im.height) // 2
        grid.paste(im.convert("RGB"), (x, y))
    return grid
