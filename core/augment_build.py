"""Specs -> torchvision.transforms.v2 pipelines, and the same pipelines as Python source.

torchvision is imported inside the functions (the GUI imports this before torch).
"""

from __future__ import annotations

from typing import Any

from core.augment_checks import pipeline_channels
from core.augment_size import needed_short_side
from core.augment_spec import enabled_steps, step_label, validate_spec
from core.augment_transforms import TRANSFORMS
from core.augment_types import ParamInfo, SpecError, jsonable


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
    """The torchvision.transforms.v2.Compose for ``spec`` (disabled steps skipped).

    Its ``input_channels`` attribute is :func:`core.augment_checks.pipeline_channels`.
    """
    from torchvision.transforms import v2

    transforms: list = []
    for index, step in enumerate(validate_spec(spec)):
        if not step["enabled"]:
            continue
        try:
            transforms.extend(_build_step(step))
        except (TypeError, ValueError) as exc:  # torchvision's own checks
            raise SpecError(f"{step_label(index, step['name'])}: {exc}", step=index) from exc
    pipeline = v2.Compose(transforms)
    # what its images must be loaded as: core.data.build_datasets reads it
    pipeline.input_channels = pipeline_channels(spec)
    # how small a large image may be decoded (core.data.ImageDataset reads it)
    pipeline.input_min_side = needed_short_side(spec)
    return pipeline


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
        if p.required or value != jsonable(p.default):
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
    for step in enabled_steps(spec):
        lines.extend(f"    {code}," for code in _step_code(step))
    lines.append("])")
    return "\n".join(lines) + "\n"
