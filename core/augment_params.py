"""The parameters the transform registry is built from: one builder per kind of
parameter several steps share (probability, interpolation, fill, size ...), so each
one has the same bounds and help text wherever it appears.

Used by :mod:`core.augment_transforms` and :mod:`core.augment_geometry`. Plain Python.
"""

from __future__ import annotations

from typing import Any

from core.augment_types import ParamInfo
from core.messages import QT_TRANSLATE_NOOP

__all__ = [
    "PROBABILITY",
    "bins_param",
    "fill_param",
    "interp_param",
    "param",
    "prob_param",
    "size_param",
]

_INTERP_GEOM = ("nearest", "bilinear", "bicubic")
_INTERP_HELP = QT_TRANSLATE_NOOP(
    "CoreMessages", "How pixels are resampled: nearest keeps hard edges, bilinear/bicubic smooth."
)
_FILL_HELP = QT_TRANSLATE_NOOP(
    "CoreMessages",
    "Value for pixels uncovered by the transform (0..255 on images, 0..1 after ToTensor).",
)


def param(name: str, kind: str, default: object, help: str, **kw: Any) -> ParamInfo:
    return ParamInfo(name=name, kind=kind, default=default, help=help, **kw)


#: the help of every probability ``p``: ``what`` is a template of its own
PROBABILITY = QT_TRANSLATE_NOOP("CoreMessages", "Probability that {what}.")


def prob_param(default: float, what: str) -> ParamInfo:
    return param("p", "float", default, PROBABILITY.format(what=what), minimum=0.0, maximum=1.0)


def interp_param(default: str) -> ParamInfo:
    return param("interpolation", "choice", default, _INTERP_HELP, choices=_INTERP_GEOM)


def fill_param() -> ParamInfo:
    return param("fill", "float", 0.0, _FILL_HELP, minimum=0.0, maximum=255.0)


def bins_param() -> ParamInfo:
    return param(
        "num_magnitude_bins",
        "int",
        31,
        QT_TRANSLATE_NOOP("CoreMessages", "Number of strength levels."),
        minimum=2,
        maximum=100,
    )


def size_param(default: int, help: str) -> ParamInfo:
    return param(
        "size", "size", default, help, minimum=1, maximum=4096, soft_max=512, required=True
    )
