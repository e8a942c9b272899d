"""How a prediction reads, and when its input looks unlike what the model was trained on.

Torch-free (the Predict panel imports it before PyTorch has loaded):

* :func:`format_prob` and :func:`format_topk`: the one rounding rule (a tenth of a
  percent) and the one format ("0: 99.7%, 9: 0.2%") of the Predict table, its bars'
  tooltips and ``predict`` on the command line, so no two places disagree on 99.7%.
* :func:`image_facts`: what a picture was before it was converted for the model
  (colour or grey, its size).
* :func:`confidence_floor`: the top probability that 95% of the validation images
  reached, from the run folder's predictions.csv beside the bundle (read by
  :mod:`core.evalresult`, which owns that file and is torch-free too), else a fixed value.
* :func:`input_warnings`: sentences saying how an input differs from the training
  data. A softmax always sums to 100%, so a digits model calls a meadow "8" with a
  confident-looking 62%; these checks are the hint that the answer means little.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image

from core.evalresult import PREDICTIONS_CSV, read_top_probs
from core.messages import QT_TRANSLATE_NOOP

# How an input differs from the training data, translated by the window (core.messages)
FLOOR_FROM_VALIDATION = QT_TRANSLATE_NOOP(
    "CoreMessages", "which 95% of the {count} validation images reached ({file})"
)
FLOOR_FIXED = QT_TRANSLATE_NOOP(
    "CoreMessages", "a fixed threshold: no validation predictions are stored beside the model"
)
COLOUR_ON_GREY = QT_TRANSLATE_NOOP(
    "CoreMessages", "a colour picture, but the model was trained on grayscale images"
)
GREY_ON_COLOUR = QT_TRANSLATE_NOOP(
    "CoreMessages", "a grayscale picture, but the model was trained on colour images"
)
BELOW_FLOOR = QT_TRANSLATE_NOOP("CoreMessages", "top probability {prob} is below {floor}, {source}")
BLOWN_UP = QT_TRANSLATE_NOOP(
    "CoreMessages", "the picture ({size}) is blown up to the model's {input} px input"
)
FAR_LARGER = QT_TRANSLATE_NOOP(
    "CoreMessages",
    "the picture ({size}) is far larger than the {input}x{input} images the model was trained on",
)
SQUASHED = QT_TRANSLATE_NOOP("CoreMessages", "the picture ({size}) is squashed into a square")
UNLIKE_TIP = QT_TRANSLATE_NOOP(
    "CoreMessages",
    "This input looks unlike the model's training data:\n{lines}\nA model always answers "
    "with probabilities that sum to 100%, even for a picture of something it never saw; "
    "treat this answer with suspicion.",
)

#: the percentile of the validation images' top probability below which a prediction
#: is flagged: 95% of the validation images reached at least this confidence
FLOOR_PERCENTILE = 5.0
#: used when no validation predictions are stored beside the model (an older run, a
#: bundle copied on its own): a trained model's correct answers are mostly above it
FIXED_FLOOR = 0.8
MIN_VALIDATION_ROWS = 20  # fewer rows give no useful percentile
GREY_MODES = frozenset({"1", "L", "LA", "La", "I", "F", "I;16", "I;16L", "I;16B", "I;16N"})
COLOUR_SPREAD = 24  # max - min over R, G, B of a pixel that counts as coloured (0..255)
COLOUR_SHARE = 0.02  # a picture is in colour when this share of its pixels is coloured
UPSCALE_LIMIT = 2.0  # a picture smaller than half the input size is blown up
DOWNSCALE_LIMIT = 16.0  # a small-input model (<= 64 px) given a picture 16x its size
SQUASH_LIMIT = 2.0  # width:height beyond this is visibly squashed into a square


def format_prob(prob: float) -> str:
    """A probability as a percentage with one decimal: 0.9974 -> "99.7%"."""
    return f"{float(prob):.1%}"


def format_topk(topk: Sequence[tuple[str, float]], sep: str = ", ") -> str:
    """ "0: 99.7%, 9: 0.2%" (class, colon, probability), best first."""
    return sep.join(f"{name}: {format_prob(prob)}" for name, prob in topk)


@dataclass(frozen=True)
class InputFacts:
    """What a picture was before the model's conversion: in colour or not, its size."""

    colour: bool
    width: int
    height: int


def image_facts(image: Image.Image) -> InputFacts:
    """Colour or grey by content (an RGB file of a pencil drawing is grey), and the size.

    A 48x48 nearest-neighbour sample is enough to tell and costs microseconds even
    for a photo.
    """
    width, height = image.size
    if image.mode in GREY_MODES:
        return InputFacts(False, width, height)
    small = np.asarray(image.resize((48, 48), Image.Resampling.NEAREST).convert("RGB"))
    spread = small.max(axis=2).astype(np.int16) - small.min(axis=2)
    coloured = float(np.mean(spread > COLOUR_SPREAD))
    return InputFacts(coloured > COLOUR_SHARE, width, height)


@dataclass(frozen=True)
class ConfidenceFloor:
    """The lowest top probability counted as "like the validation images", and whence.

    ``source`` ends the warning's sentence: "top probability 40.0% is below 92.1%, ..."
    """

    value: float
    source: str


def confidence_floor(bundle_path: str | os.PathLike | None) -> ConfidenceFloor:
    """The 5th percentile of the validation top probabilities of the bundle's run.

    Read from predictions.csv (its ``prob`` column) in the bundle's folder, which a run
    folder holds once its best.pt was evaluated; anything else gets :data:`FIXED_FLOOR`.
    """
    probs = _validation_probs(bundle_path)
    if len(probs) >= MIN_VALIDATION_ROWS:
        value = float(np.percentile(np.asarray(probs), FLOOR_PERCENTILE))
        return ConfidenceFloor(
            value, FLOOR_FROM_VALIDATION.format(count=len(probs), file=PREDICTIONS_CSV)
        )
    return ConfidenceFloor(FIXED_FLOOR, FLOOR_FIXED)


def _validation_probs(bundle_path: str | os.PathLike | None) -> list[float]:
    if not bundle_path:
        return []
    try:
        return read_top_probs(Path(bundle_path).parent / PREDICTIONS_CSV)
    except (OSError, ValueError):  # missing, unreadable or not core.evalresult's file
        return []


def input_warnings(
    facts: InputFacts | None,
    prob: float,
    *,
    in_channels: int,
    input_size: int | None,
    floor: ConfidenceFloor | None,
    crops: bool = False,
) -> list[str]:
    """Sentences on how this input differs from the model's training data (none: alike).

    ``crops``: the eval pipeline crops (no squashing of wide pictures then).
    """
    out: list[str] = []
    if facts is not None:
        if in_channels == 1 and facts.colour:
            out.append(COLOUR_ON_GREY)
        elif in_channels == 3 and not facts.colour:
            out.append(GREY_ON_COLOUR)
        out.extend(_size_warnings(facts, input_size, crops))
    if floor is not None and prob < floor.value:
        out.append(
            BELOW_FLOOR.format(
                prob=format_prob(prob), floor=format_prob(floor.value), source=floor.source
            )
        )
    return out


def _size_warnings(facts: InputFacts, input_size: int | None, crops: bool) -> list[str]:
    if not input_size:
        return []
    size = f"{facts.width}x{facts.height}"
    longest, shortest = max(facts.width, facts.height), max(1, min(facts.width, facts.height))
    out = []
    if longest * UPSCALE_LIMIT < input_size:
        out.append(BLOWN_UP.format(size=size, input=input_size))
    elif input_size <= 64 and shortest > DOWNSCALE_LIMIT * input_size:
        out.append(FAR_LARGER.format(size=size, input=input_size))
    if not crops and longest / shortest > SQUASH_LIMIT:
        out.append(SQUASHED.format(size=size))
    return out


def warnings_tooltip(warnings: Sequence[str]) -> str:
    """The explanation shown over a warning mark."""
    return UNLIKE_TIP.format(lines="\n".join(f"• {w}" for w in warnings))
