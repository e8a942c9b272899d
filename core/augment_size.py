"""What a pipeline does to image sizes: one output size or not, and how small an input may be.

Answered from a spec's steps without running it:

* :func:`size_fix_hint`: which step makes images of several sizes come out as one
  (core.augment_checks.output_size tells whether they do).
* :func:`needed_short_side`: how far may an image be shrunk before the pipeline
  without changing what it makes? Only when the first step that depends on pixel
  size resizes anyway (Resize, RandomResizedCrop): then the shorter side need only
  stay at the size that step asks for. A pipeline that crops or rotates the
  full-size picture first needs it whole (None).

Plain Python (no torch): core.images decodes large files reduced with the answer,
core.trainsetup names the step to add before the first epoch.
"""

from __future__ import annotations

import math
from typing import Any

from core.augment_spec import enabled_steps

__all__ = ["floats_at_full_size", "needed_short_side", "size_fix_hint"]

# steps that act on each pixel alone (or mirror the image): shrinking first changes nothing
_SCALE_FREE = (
    "RandomHorizontalFlip",
    "RandomVerticalFlip",
    "ColorJitter",
    "Grayscale",
    "RandomGrayscale",
    "RandomInvert",
    "RandomPosterize",
    "RandomSolarize",
    "RandomAutocontrast",
    "RandomEqualize",
)


def _largest(size: Any) -> int:
    if isinstance(size, list | tuple):
        return int(max(size))
    return int(size)


def size_fix_hint(spec: Any) -> str:
    """Which step to add so that every image leaves ``spec`` at one size."""
    names = [s["name"] for s in enabled_steps(spec)]
    if "Resize" in names:
        return (
            "add a CenterCrop after the Resize (e.g. Resize 256 then CenterCrop 224), or give "
            "Resize an exact [h, w] size"
        )
    return (
        "add a Resize step followed by a CenterCrop (e.g. Resize 256, CenterCrop 224) before "
        "ToTensor, or a RandomResizedCrop for training"
    )


def needed_short_side(spec: Any) -> int | None:
    """The shorter side an image may be reduced to before ``spec`` runs (None: keep it).

    Resize(s): s. Resize([h, w]): max(h, w). RandomResizedCrop(s, scale, ratio): its
    smallest crop must still hold s pixels across, so s * sqrt(max ratio / min scale).
    """
    for step in enabled_steps(spec):
        name, params = step["name"], step.get("params", {})
        if name in _SCALE_FREE:
            continue
        if name == "Resize":
            return _largest(params["size"])
        if name == "RandomResizedCrop":
            scale = params.get("scale") or (0.08, 1.0)
            ratio = params.get("ratio") or (0.75, 4 / 3)
            stretch = max(float(ratio[1]), 1.0 / float(ratio[0]), 1.0)
            return math.ceil(_largest(params["size"]) * math.sqrt(stretch / float(scale[0])))
        return None
    return None


def floats_at_full_size(spec: Any) -> bool:
    """True when the pipeline turns the picture into floats (ToTensor) before any step
    bounds its size (a crop or Resize), or never bounds it: then every sample costs 12
    bytes per source pixel (a 12 MP photo: 144 MB), which the augmentation grid avoids
    by working on a reduced copy of such a source (core.augment_grid)."""
    for step in enabled_steps(spec):
        if step["name"] in ("CenterCrop", "RandomCrop", "RandomResizedCrop", "Resize"):
            return False
        if step["name"] == "ToTensor":
            return True
    return True
