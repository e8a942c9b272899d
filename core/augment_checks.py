"""What a valid spec will do to an image: normalisation, output size, and warnings.

:func:`spec_warnings` turns the usual mistakes (no ToTensor, a tensor-only step
before it, a crop larger than the image, Normalize statistics that differ from the
pretrained weights') into sentences that name the fix. Plain Python (no torch).
"""

from __future__ import annotations

from typing import Any

from core.augment_spec import enabled_steps
from core.augment_transforms import TENSOR_ONLY, TRANSFORMS
from core.messages import QT_TRANSLATE_NOOP

# The warnings, as the window shows them translated (core.messages)
CROP_FILLED = QT_TRANSLATE_NOOP(
    "CoreMessages",
    "{step} {size} is larger than the {image} image: the border is filled with black; "
    "resize first or use a smaller crop.",
)
CROP_PADDED = QT_TRANSLATE_NOOP(
    "CoreMessages",
    "{step} {size} is larger than the {image} image: it is padded to fit; resize first or "
    "use a smaller crop.",
)
CROP_FAILS = QT_TRANSLATE_NOOP(
    "CoreMessages",
    "{step} {size} is larger than the {image} image and will fail; resize first, use a "
    "smaller crop, or turn on pad_if_needed.",
)
NO_NORMALIZE = QT_TRANSLATE_NOOP(
    "CoreMessages",
    "no Normalize step, but the pretrained weights expect inputs normalized with mean "
    "{mean} and std {std}; add Normalize with those values.",
)
OTHER_STATS = QT_TRANSLATE_NOOP(
    "CoreMessages",
    "Normalize mean/std differ from the pretrained weights' statistics (mean {mean}, std "
    "{std}); the pretrained features expect those values.",
)
ERASING_TOO_EARLY = QT_TRANSLATE_NOOP(
    "CoreMessages",
    "{step} comes before ToTensor and does nothing on a PIL image; move it after ToTensor.",
)
TENSOR_STEP_TOO_EARLY = QT_TRANSLATE_NOOP(
    "CoreMessages",
    "{step} comes before ToTensor and will fail on a PIL image; move it after ToTensor.",
)
AFTER_NORMALIZE = QT_TRANSLATE_NOOP(
    "CoreMessages",
    "{step} comes after Normalize and works on normalized values; move it before Normalize.",
)
NO_TO_TENSOR = QT_TRANSLATE_NOOP(
    "CoreMessages",
    "no ToTensor step: the pipeline ends with an image, not the tensor a model needs; add "
    "ToTensor (before Normalize).",
)


def normalize_stats(spec: Any) -> tuple[list[float], list[float]] | None:
    """Mean and std of the last enabled Normalize step, or None when there is none."""
    norms = [s for s in enabled_steps(spec) if s["name"] == "Normalize"]
    if not norms:
        return None
    return list(norms[-1]["params"]["mean"]), list(norms[-1]["params"]["std"])


def pipeline_channels(spec: Any) -> int | None:
    """The channel count a pipeline's input images must have (1 or 3), or None for any.

    Its first enabled Normalize decides: one mean/std value per channel. torchvision's
    Normalize broadcasts three values over a one-channel image without complaint, so a
    grayscale dataset under the seed preset would reach the model as 3 channels while the
    data said 1; the datasets are loaded with this count instead (core.data). A
    Grayscale step before the Normalize sets the count itself: then any input will do.
    """
    for step in enabled_steps(spec):
        if step["name"] == "Grayscale":
            return None
        if step["name"] == "Normalize":
            count = len(step["params"]["mean"])
            return count if count in (1, 3) else None
    return None


def data_channels(train_spec: Any, eval_spec: Any, natural: int) -> int:
    """The channels the images are loaded with for these pipelines (training and preview).

    The eval pipeline's need first (it is the bundle's: prediction loads images that
    way), then the train pipeline's, else the dataset's ``natural`` count (1 for the
    built-in digits, 3 for folders).
    """
    return pipeline_channels(eval_spec) or pipeline_channels(train_spec) or natural


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


def pipeline_crops(spec: Any) -> bool:
    """Whether the pipeline cuts part of the picture away (any enabled crop step)."""
    return any(s["name"].endswith("Crop") for s in enabled_steps(spec))


def _crop_start(size: int, crop: int) -> int:
    """torchvision's center_crop offset: the middle, or a negative pad when larger."""
    if crop > size:
        return -((crop - size) // 2)
    return int(round((size - crop) / 2.0))


def output_region(spec: Any, image_size: tuple[int, int]) -> tuple[float, float, float, float]:
    """The part of an (h, w) image that the pipeline's output shows: (top, left, h, w).

    In the image's own pixels: Resize scales, CenterCrop keeps the middle (a crop
    larger than the image reaches outside it, into the padding), Pad adds a border. A
    random crop's place changes per sample: RandomCrop counts as the centre crop and
    RandomResizedCrop as the whole image, as do the steps that keep the size. Grad-CAM
    maps the model's input back onto the picture with it.
    """
    h, w = int(image_size[0]), int(image_size[1])
    top = left = 0.0
    per_y = per_x = 1.0  # image pixels per pixel of the current step
    for step in enabled_steps(spec):
        name, params = step["name"], step["params"]
        if name in ("CenterCrop", "RandomCrop"):
            ch, cw = _as_hw(params["size"])
            top += _crop_start(h, ch) * per_y
            left += _crop_start(w, cw) * per_x
            h, w = ch, cw
        elif name == "Pad":
            pad = params["padding"]
            top, left = top - pad * per_y, left - pad * per_x
            h, w = h + 2 * pad, w + 2 * pad
        else:  # Resize, RandomResizedCrop: scaled; others keep the size
            nh, nw = _step_size(step, (h, w))
            per_y, per_x = per_y * h / max(nh, 1), per_x * w / max(nw, 1)
            h, w = nh, nw
    return top, left, h * per_y, w * per_x


def output_size(spec: Any, image_size: tuple[int, int]) -> tuple[int, int]:
    """Spatial (height, width) after the pipeline for an input of ``image_size`` (h, w).

    RandomRotation with expand=True changes the size per sample; it is counted as
    not changing it.
    """
    hw = (int(image_size[0]), int(image_size[1]))
    for step in enabled_steps(spec):
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
        template = CROP_FILLED
    elif params["pad_if_needed"]:
        template = CROP_PADDED
    else:
        template = CROP_FAILS
    return template.format(step=name, size=size, image=image)


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
        return NO_NORMALIZE.format(mean=mean, std=std)
    have = norms[-1]["params"]
    if len(have["mean"]) == 1 and len(mean) == 3:
        return None  # 1-channel input to an adapted first conv: its own stats are fine
    if _close(have["mean"], mean) and _close(have["std"], std):
        return None
    return OTHER_STATS.format(mean=mean, std=std)


def _order_warnings(steps: list[dict]) -> list[str]:
    warnings = []
    tensor_at = next((i for i, s in enumerate(steps) if s["name"] == "ToTensor"), None)
    for i, step in enumerate(steps):
        name = step["name"]
        if name in TENSOR_ONLY and (tensor_at is None or i < tensor_at):
            template = ERASING_TOO_EARLY if name == "RandomErasing" else TENSOR_STEP_TOO_EARLY
            warnings.append(template.format(step=name))
    norm_at = next((i for i, s in enumerate(steps) if s["name"] == "Normalize"), None)
    if norm_at is not None:
        for step in steps[norm_at + 1 :]:
            if TRANSFORMS[step["name"]].category in ("color", "policy"):
                warnings.append(AFTER_NORMALIZE.format(step=step["name"]))
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
    steps = enabled_steps(spec)
    warnings: list[str] = []
    if not any(s["name"] == "ToTensor" for s in steps):
        warnings.append(NO_TO_TENSOR)
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
