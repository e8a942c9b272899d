"""Checking specs, the built-in presets and spec files.

:func:`validate_spec` turns any JSON-ish list of steps into a normalised spec
(defaults filled, types coerced) or raises :class:`SpecError` naming the step and
the field. Plain Python (no torch).
"""

from __future__ import annotations

import copy
import json
import math
from pathlib import Path
from typing import Any

from core.augment_transforms import TRANSFORMS
from core.augment_types import IMAGENET_MEAN, IMAGENET_STD, ParamInfo, SpecError, jsonable
from core.messages import QT_TRANSLATE_NOOP

# The problems the Augment panel shows as you edit, translated there (core.messages):
# "{where}: {field} {problem}." with the step and the problem as templates of their own.
STEP_LABEL = QT_TRANSLATE_NOOP("CoreMessages", "step {number} ({name})")
FIELD_PROBLEM = QT_TRANSLATE_NOOP("CoreMessages", "{where}: {field} {problem}.")
NOT_FINITE = QT_TRANSLATE_NOOP("CoreMessages", "must be a finite number, got {value}")
ABOVE = QT_TRANSLATE_NOOP("CoreMessages", "must be > {bound}, got {value}")
AT_LEAST = QT_TRANSLATE_NOOP("CoreMessages", "must be >= {bound}, got {value}")
AT_MOST = QT_TRANSLATE_NOOP("CoreMessages", "must be <= {bound}, got {value}")
NOT_NUMBERS = QT_TRANSLATE_NOOP("CoreMessages", "must be a list of numbers, got {value}")
VALUE_COUNT = QT_TRANSLATE_NOOP("CoreMessages", "must have {count} values, got {got}")
MIN_MAX = QT_TRANSLATE_NOOP("CoreMessages", "must be [min, max] with min <= max, got {value}")
NOT_ODD = QT_TRANSLATE_NOOP("CoreMessages", "must be odd, got {value}")
MAGNITUDE = QT_TRANSLATE_NOOP(
    "CoreMessages", "must be below num_magnitude_bins ({bins}), got {value}"
)
STD_COUNT = QT_TRANSLATE_NOOP(
    "CoreMessages", "must have as many values as mean ({count}), got {got}"
)
MAX_SIZE_PAIR = QT_TRANSLATE_NOOP(
    "CoreMessages", "only works with a single-number size; turn it off"
)
MAX_SIZE_SMALL = QT_TRANSLATE_NOOP("CoreMessages", "must be larger than size ({size})")

# --------------------------------------------------------------------------- validation


def step_label(index: int, name: str) -> str:
    """How messages name a step: 1-based, as people count."""
    return STEP_LABEL.format(number=index + 1, name=name)


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _check_bounds(value: float, info: ParamInfo, fail) -> None:
    """Raise through ``fail`` when ``value`` is outside ``info``'s range."""
    if isinstance(value, float) and not math.isfinite(value):
        fail(NOT_FINITE.format(value=value))
    lo, hi = info.minimum, info.maximum
    if lo is not None:
        if info.exclusive_minimum and value <= lo:
            fail(ABOVE.format(bound=_fmt(lo), value=_fmt(value)))
        if value < lo:
            fail(AT_LEAST.format(bound=_fmt(lo), value=_fmt(value)))
    if hi is not None and value > hi:
        fail(AT_MOST.format(bound=_fmt(hi), value=_fmt(value)))


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
        fail(NOT_NUMBERS.format(value=repr(value)))
    if info.length is not None and len(value) != info.length:
        fail(VALUE_COUNT.format(count=info.length, got=len(value)))
    out = []
    for item in value:
        if not _is_number(item):
            fail(NOT_NUMBERS.format(value=repr(value)))
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
            fail_field(key, MIN_MAX.format(value=jsonable(pair)))
    if name == "GaussianBlur" and params["kernel_size"] % 2 == 0:
        fail_field("kernel_size", NOT_ODD.format(value=params["kernel_size"]))
    if name == "RandAugment" and params["magnitude"] >= params["num_magnitude_bins"]:
        fail_field(
            "magnitude",
            MAGNITUDE.format(bins=params["num_magnitude_bins"], value=params["magnitude"]),
        )
    if name == "Normalize" and len(params["mean"]) != len(params["std"]):
        fail_field("std", STD_COUNT.format(count=len(params["mean"]), got=len(params["std"])))
    if name == "Resize" and params.get("max_size") is not None:
        if isinstance(params["size"], list):
            fail_field("max_size", MAX_SIZE_PAIR)
        elif params["max_size"] <= params["size"]:
            fail_field("max_size", MAX_SIZE_SMALL.format(size=params["size"]))


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
    where = step_label(index, name)
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
    where = step_label(index, name)
    info = TRANSFORMS[name]
    known = {p.name for p in info.params}
    for key in raw:
        if key not in known:
            allowed = ", ".join(sorted(known)) or "none"
            raise SpecError(
                f"{where}: unknown parameter {key!r} (allowed: {allowed}).", step=index, field=key
            )

    def fail_field(field: str, message: str) -> None:
        raise SpecError(
            FIELD_PROBLEM.format(where=where, field=field, problem=message), step=index, field=field
        )

    params: dict[str, Any] = {}
    for p in info.params:
        value = raw[p.name] if p.name in raw else jsonable(p.default)

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


def enabled_steps(spec: Any) -> list[dict]:
    """The validated spec's enabled steps."""
    return [s for s in validate_spec(spec) if s["enabled"]]


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
