"""The vocabulary of augmentation specs: errors, parameter and transform descriptions.

Plain Python (no torch): the GUI imports it before PyTorch has loaded. The
registry of transforms built from these types is :mod:`core.augment_transforms`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

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
        return {p.name: jsonable(p.default) for p in self.params}


def jsonable(value: Any) -> Any:
    """Tuples become lists so specs compare equal after a JSON round trip."""
    if isinstance(value, (tuple, list)):
        return [jsonable(v) for v in value]
    return value
