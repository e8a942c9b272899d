"""Augmentation pipeline specs: JSON-able lists of steps <-> torchvision.transforms.v2.

A spec is an ordered list of steps such as
``{"name": "RandomRotation", "params": {"degrees": 45}, "enabled": true}``.
The same spec drives training, the bundle's eval transforms, the GUI preview and
the "copy as code" export, so there is exactly one description of what the data
goes through.

This module is the one name the rest of the app imports; the work is done by
modules with one job each:

* :mod:`core.augment_types`: SpecError, ParamInfo, TransformInfo;
* :mod:`core.augment_transforms`: the declarative registry :data:`TRANSFORMS`;
* :mod:`core.augment_spec`: validation, the built-in presets, spec files;
* :mod:`core.augment_build`: torchvision v2 pipelines and their Python source;
* :mod:`core.augment_checks`: Normalize statistics, output sizes, warnings;
* :mod:`core.augment_grid`: the seeded sample grid the CLI and the panel render.

The GUI imports this before PyTorch is loaded, so none of them imports torch or
torchvision at module top: the registry and validation are plain Python; torch is
imported inside the functions that build or run pipelines.
"""

from __future__ import annotations

from core.augment_build import build_pipeline, spec_to_code
from core.augment_checks import (
    data_channels,
    normalize_stats,
    output_size,
    pipeline_channels,
    spec_warnings,
)
from core.augment_grid import (
    VIEW_MODEL,
    VIEW_PERSON,
    VIEWS,
    SampleGrid,
    augment_samples,
    display_arrays,
    sample_grid,
    sample_seed,
    unnormalize,
)
from core.augment_spec import (
    PRESETS,
    enabled_steps,
    get_preset,
    load_spec_file,
    save_spec_file,
    validate_spec,
)
from core.augment_transforms import TRANSFORMS
from core.augment_types import (
    CATEGORIES,
    IMAGENET_MEAN,
    IMAGENET_STD,
    KINDS,
    ParamInfo,
    SpecError,
    TransformInfo,
)

__all__ = [
    "CATEGORIES",
    "IMAGENET_MEAN",
    "IMAGENET_STD",
    "KINDS",
    "PRESETS",
    "TRANSFORMS",
    "VIEWS",
    "VIEW_MODEL",
    "VIEW_PERSON",
    "ParamInfo",
    "SampleGrid",
    "SpecError",
    "TransformInfo",
    "augment_samples",
    "build_pipeline",
    "data_channels",
    "display_arrays",
    "enabled_steps",
    "get_preset",
    "load_spec_file",
    "normalize_stats",
    "output_size",
    "pipeline_channels",
    "sample_grid",
    "sample_seed",
    "save_spec_file",
    "spec_to_code",
    "spec_warnings",
    "unnormalize",
    "validate_spec",
]
