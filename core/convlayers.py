"""Convolution arithmetic: output sizes per axis, the layer types, the receptive field.

The notes teach ``H2 = (H - F + 2P) / S + 1``. This module does that arithmetic the way
PyTorch really does it (dilation, floor division, pooling's ``ceil_mode`` rule), per axis
and per layer: each layer type knows its output shape, its parameter count and its
sliding-window :class:`Geometry`, which :class:`RFState` turns into the receptive field
with the classic recurrence. Plain Python: no torch, no Qt (the GUI uses it at once).

Part of the calculator (see :mod:`core.convcalc`, which gathers its public names).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

from core.messages import QT_TRANSLATE_NOOP

if TYPE_CHECKING:
    from core.convstack import LayerResult

Pair = tuple[int, int]
Shape = tuple[int, ...]

AXIS_NAMES = (
    QT_TRANSLATE_NOOP("CoreMessages", "height"),
    QT_TRANSLATE_NOOP("CoreMessages", "width"),
)
AXIS_UNITS = (QT_TRANSLATE_NOOP("CoreMessages", "row"), QT_TRANSLATE_NOOP("CoreMessages", "column"))
AXIS_UNITS_PLURAL = (
    QT_TRANSLATE_NOOP("CoreMessages", "rows"),
    QT_TRANSLATE_NOOP("CoreMessages", "columns"),
)

# What the calculator says, translated by the window (core.messages)
FLOOR_NOTE = QT_TRANSLATE_NOOP(
    "CoreMessages", "({numerator} / {s} = {exact} is rounded down to {floor}: PyTorch floors)"
)
DILATION_NOTE = QT_TRANSLATE_NOOP(
    "CoreMessages", "(dilated kernel F' = {d}*({k} - 1) + 1 = {span})"
)
CEIL_KEEPS = QT_TRANSLATE_NOOP(
    "CoreMessages",
    "{axis}: {term} is not divisible by stride {s}; ceil_mode keeps a last window that hangs "
    "over the edge",
)
DROPS_ONE = QT_TRANSLATE_NOOP(
    "CoreMessages",
    "{axis}: {term} is not divisible by stride {s}; the last {n} {unit} of the padded input "
    "is silently dropped",
)
DROPS_MANY = QT_TRANSLATE_NOOP(
    "CoreMessages",
    "{axis}: {term} is not divisible by stride {s}; the last {n} {units} of the padded input "
    "are silently dropped",
)
TOO_SMALL = QT_TRANSLATE_NOOP(
    "CoreMessages",
    "output {axis} would be {out} (< 1): the {size}-pixel input plus 2*{p} padding is smaller "
    "than the kernel's span {span}; use a larger input, a smaller kernel or dilation, or more "
    "padding",
)
NEEDS_FEATURE_MAP = QT_TRANSLATE_NOOP(
    "CoreMessages",
    "{layer} needs a C,H,W feature map but gets a flat vector of {n}; put it before 'flatten'",
)
SAME_NEEDS_STRIDE_1 = QT_TRANSLATE_NOOP(
    "CoreMessages", "padding 'same' only works with stride 1 (PyTorch rule)"
)
GROUPS_IN = QT_TRANSLATE_NOOP("CoreMessages", "groups {g} does not divide the {c} input channels")
GROUPS_OUT = QT_TRANSLATE_NOOP("CoreMessages", "groups {g} does not divide the {c} output channels")
POOL_PADDING = QT_TRANSLATE_NOOP(
    "CoreMessages", "padding {p} is more than half the kernel {k} (PyTorch rule)"
)
ADAPTIVE_LARGER = QT_TRANSLATE_NOOP(
    "CoreMessages",
    "output {out} is larger than the {size} input: values are repeated, no new information",
)
LINEAR_NEEDS_FLAT = QT_TRANSLATE_NOOP(
    "CoreMessages",
    "linear needs a flat vector but gets a {shape} feature map; add 'flatten' before it",
)


class ConvCalcError(ValueError):
    """A layer spec or shape the calculator cannot use; the message names layer and field.

    ``index`` is the 0-based layer index (None when not about one layer), ``layer`` the
    layer's text, ``field`` the offending key, and ``rows`` the table rows computed
    before the failing layer (so a GUI can still show them).
    """

    def __init__(
        self,
        message: str,
        *,
        index: int | None = None,
        layer: str | None = None,
        field: str | None = None,
        rows: list[LayerResult] | None = None,
    ) -> None:
        super().__init__(message)
        self.index = index
        self.layer = layer
        self.field = field
        self.rows = list(rows or [])


class FieldError(ValueError):
    """A problem with one field of a layer, before the layer's index and text are known.

    Raised by the layers and the spec parser; :mod:`core.convstack` turns it into the
    :class:`ConvCalcError` a user sees. Not part of the public names.
    """

    def __init__(self, field: str | None, message: str) -> None:
        super().__init__(message)
        self.field = field


# --------------------------------------------------------------------------------------
# Per-axis arithmetic
# --------------------------------------------------------------------------------------


def effective_kernel(k: int, d: int = 1) -> int:
    """The span a dilated kernel covers: D(F - 1) + 1."""
    return d * (k - 1) + 1


def conv_out_size(size: int, k: int, s: int = 1, p: int = 0, d: int = 1) -> int:
    """PyTorch's Conv2d size per axis: floor((H + 2P - D(F - 1) - 1) / S) + 1 (may be < 1)."""
    return (size + 2 * p - d * (k - 1) - 1) // s + 1


def pool_out_size(
    size: int, k: int, s: int, p: int = 0, d: int = 1, ceil_mode: bool = False
) -> int:
    """PyTorch's pooling size per axis, including the ceil_mode correction.

    With ceil_mode the division rounds up, but PyTorch then drops the last window when it
    would start beyond the input and its left padding ((out - 1) * S >= H + P).
    """
    span = size + 2 * p - d * (k - 1) - 1
    out = (span + (s - 1 if ceil_mode else 0)) // s + 1
    if ceil_mode and (out - 1) * s >= size + p:
        out -= 1
    return out


def same_padding(k: int, d: int = 1) -> Pair:
    """(left, right) padding PyTorch uses for padding='same' (extra pixel on the right)."""
    total = d * (k - 1)
    return total // 2, total - total // 2


def formula_parts(
    size: int, k: int, s: int = 1, p: int = 0, d: int = 1, axis: str = "H"
) -> list[str]:
    """The formula with the numbers put in, then a note on each substitution it makes."""
    k_eff = effective_kernel(k, d)
    numerator = size - k_eff + 2 * p
    out = conv_out_size(size, k, s, p, d)
    parts = [f"{axis}2 = ({size} - {k_eff} + 2*{p}) / {s} + 1 = {out}"]
    if numerator % s:
        parts.append(
            FLOOR_NOTE.format(
                numerator=numerator, s=s, exact=f"{numerator / s:.4g}", floor=numerator // s
            )
        )
    if d != 1:
        parts.append(DILATION_NOTE.format(d=d, k=k, span=k_eff))
    return parts


def formula_text(size: int, k: int, s: int = 1, p: int = 0, d: int = 1, axis: str = "H") -> str:
    """The notes' formula with the numbers put in, e.g. 'H2 = (224 - 7 + 2*3) / 2 + 1 = 112'.

    When the division is not exact the rounding down is spelled out; with dilation the
    kernel is replaced by the dilated span D(F - 1) + 1 and that substitution is shown.
    """
    return "   ".join(formula_parts(size, k, s, p, d, axis))


def _divisibility_warning(
    axis: int, size: int, k: int, s: int, p: int, d: int, ceil_mode: bool = False
) -> str | None:
    """Explain rows/columns dropped (or a partial last window) when S does not divide."""
    span = size + 2 * p - d * (k - 1) - 1
    if span < 0 or span % s == 0:
        return None
    rem = span % s
    name = AXIS_NAMES[axis]
    term = f"({'HW'[axis]} + 2P - D(F-1) - 1) = {span}"
    if ceil_mode:
        return CEIL_KEEPS.format(axis=name, term=term, s=s)
    if rem == 1:
        return DROPS_ONE.format(axis=name, term=term, s=s, n=rem, unit=AXIS_UNITS[axis])
    return DROPS_MANY.format(axis=name, term=term, s=s, n=rem, units=AXIS_UNITS_PLURAL[axis])


def _too_small_message(axis: int, size: int, k: int, p: int, d: int, out: int) -> str:
    k_eff = effective_kernel(k, d)
    return TOO_SMALL.format(axis=AXIS_NAMES[axis], out=out, size=size, p=p, span=k_eff)


# --------------------------------------------------------------------------------------
# Layers
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Geometry:
    """What a sliding-window layer does per axis, for the receptive-field recurrence."""

    k: Pair  # effective (dilated) kernel span
    s: Pair
    p: Pair  # left/top padding


def _to_pair(value: int | Sequence[int]) -> Pair:
    """3 -> (3, 3); (3, 5) stays; lets callers write Conv(out=8, k=3)."""
    if isinstance(value, int):
        return value, value
    first, second = value
    return int(first), int(second)


def _normalise_pairs(layer: Any, names: tuple[str, ...]) -> None:
    for name in names:
        value = getattr(layer, name)
        if not isinstance(value, str):
            object.__setattr__(layer, name, _to_pair(value))


def _pair_text(value: Pair) -> str:
    return str(value[0]) if value[0] == value[1] else f"{value[0]}x{value[1]}"


def _needs_spatial(shape: Shape, what: str) -> tuple[int, int, int]:
    if len(shape) != 3:
        raise FieldError(None, NEEDS_FEATURE_MAP.format(layer=what, n=shape[0]))
    return shape[0], shape[1], shape[2]


@dataclass(frozen=True)
class Conv:
    """nn.Conv2d: out channels, kernel, stride, padding (pair or 'same'/'valid'), dilation."""

    out: int
    k: Pair
    s: Pair = (1, 1)
    p: Pair | str = (0, 0)
    d: Pair = (1, 1)
    g: int = 1
    bias: bool = True
    kind: ClassVar[str] = "conv"

    def __post_init__(self) -> None:
        _normalise_pairs(self, ("k", "s", "p", "d"))

    def padding(self) -> tuple[Pair, Pair]:
        """((top, bottom), (left, right)) padding actually applied."""
        if self.p == "valid":
            return (0, 0), (0, 0)
        if self.p == "same":
            return same_padding(self.k[0], self.d[0]), same_padding(self.k[1], self.d[1])
        assert isinstance(self.p, tuple)
        return (self.p[0], self.p[0]), (self.p[1], self.p[1])

    def spec(self) -> str:
        parts = [f"out={self.out}", f"k={_pair_text(self.k)}", f"s={_pair_text(self.s)}"]
        parts.append(f"p={self.p if isinstance(self.p, str) else _pair_text(self.p)}")
        if self.d != (1, 1):
            parts.append(f"d={_pair_text(self.d)}")
        if self.g != 1:
            parts.append(f"g={self.g}")
        if not self.bias:
            parts.append("bias=0")
        return "conv:" + ",".join(parts)

    def apply(self, shape: Shape) -> tuple[Shape, int, list[str]]:
        c_in, h, w = _needs_spatial(shape, "conv")
        if self.p == "same" and self.s != (1, 1):
            raise FieldError("p", SAME_NEEDS_STRIDE_1)
        if c_in % self.g:
            raise FieldError("g", GROUPS_IN.format(g=self.g, c=c_in))
        if self.out % self.g:
            raise FieldError("g", GROUPS_OUT.format(g=self.g, c=self.out))
        pads = self.padding()
        sizes = []
        warnings: list[str] = []
        for axis, size in enumerate((h, w)):
            lo, hi = pads[axis]
            k, s, d = self.k[axis], self.s[axis], self.d[axis]
            out = (size + lo + hi - d * (k - 1) - 1) // s + 1
            if out < 1:
                raise FieldError("k", _too_small_message(axis, size, k, lo, d, out))
            if lo == hi:
                note = _divisibility_warning(axis, size, k, s, lo, d)
                if note:
                    warnings.append(note)
            sizes.append(out)
        params = self.out * (c_in // self.g) * self.k[0] * self.k[1]
        params += self.out if self.bias else 0
        return (self.out, sizes[0], sizes[1]), params, warnings

    def geometry(self) -> Geometry:
        pads = self.padding()
        return Geometry(
            k=(effective_kernel(self.k[0], self.d[0]), effective_kernel(self.k[1], self.d[1])),
            s=self.s,
            p=(pads[0][0], pads[1][0]),
        )


@dataclass(frozen=True)
class Pool:
    """nn.MaxPool2d / nn.AvgPool2d (kind 'max' or 'avg'); stride defaults to the kernel."""

    op: str
    k: Pair
    s: Pair | None = None  # None: the kernel size, as in PyTorch
    p: Pair = (0, 0)
    d: Pair = (1, 1)
    ceil: bool = False
    kind: ClassVar[str] = "pool"

    def __post_init__(self) -> None:
        if self.s is None:
            object.__setattr__(self, "s", self.k)
        _normalise_pairs(self, ("k", "s", "p", "d"))

    def spec(self) -> str:
        parts = [f"k={_pair_text(self.k)}", f"s={_pair_text(self.s)}"]
        if self.p != (0, 0):
            parts.append(f"p={_pair_text(self.p)}")
        if self.d != (1, 1):
            parts.append(f"d={_pair_text(self.d)}")
        if self.ceil:
            parts.append("ceil=1")
        return f"{self.op}pool:" + ",".join(parts)

    def apply(self, shape: Shape) -> tuple[Shape, int, list[str]]:
        c, h, w = _needs_spatial(shape, f"{self.op}pool")
        sizes = []
        warnings: list[str] = []
        for axis, size in enumerate((h, w)):
            k, s, p, d = self.k[axis], self.s[axis], self.p[axis], self.d[axis]
            if p > k // 2:
                raise FieldError("p", POOL_PADDING.format(p=p, k=k))
            out = pool_out_size(size, k, s, p, d, self.ceil)
            if out < 1:
                raise FieldError("k", _too_small_message(axis, size, k, p, d, out))
            note = _divisibility_warning(axis, size, k, s, p, d, self.ceil)
            if note:
                warnings.append(note)
            sizes.append(out)
        return (c, sizes[0], sizes[1]), 0, warnings

    def geometry(self) -> Geometry:
        k = (effective_kernel(self.k[0], self.d[0]), effective_kernel(self.k[1], self.d[1]))
        return Geometry(k=k, s=self.s, p=self.p)


@dataclass(frozen=True)
class AdaptiveAvgPool:
    """nn.AdaptiveAvgPool2d: a fixed output size whatever the input (RF undefined after it)."""

    out: Pair = (1, 1)
    kind: ClassVar[str] = "adaptiveavgpool"

    def __post_init__(self) -> None:
        _normalise_pairs(self, ("out",))

    def spec(self) -> str:
        return f"adaptiveavgpool:out={_pair_text(self.out)}"

    def apply(self, shape: Shape) -> tuple[Shape, int, list[str]]:
        c, h, w = _needs_spatial(shape, "adaptiveavgpool")
        warnings = []
        if self.out[0] > h or self.out[1] > w:
            warnings.append(
                ADAPTIVE_LARGER.format(out=f"{self.out[0]}x{self.out[1]}", size=f"{h}x{w}")
            )
        return (c, self.out[0], self.out[1]), 0, warnings

    def geometry(self) -> None:
        return None


@dataclass(frozen=True)
class Flatten:
    """nn.Flatten: C,H,W -> C*H*W."""

    kind: ClassVar[str] = "flatten"

    def spec(self) -> str:
        return "flatten"

    def apply(self, shape: Shape) -> tuple[Shape, int, list[str]]:
        return (math.prod(shape),), 0, []

    def geometry(self) -> None:
        return None


@dataclass(frozen=True)
class Linear:
    """nn.Linear on a flat vector: in*out weights (+ out biases)."""

    out: int
    bias: bool = True
    kind: ClassVar[str] = "linear"

    def spec(self) -> str:
        return f"linear:out={self.out}" + ("" if self.bias else ",bias=0")

    def apply(self, shape: Shape) -> tuple[Shape, int, list[str]]:
        if len(shape) != 1:
            raise FieldError(None, LINEAR_NEEDS_FLAT.format(shape="x".join(map(str, shape))))
        params = shape[0] * self.out + (self.out if self.bias else 0)
        return (self.out,), params, []

    def geometry(self) -> None:
        return None


@dataclass(frozen=True)
class BatchNorm:
    """nn.BatchNorm2d (or 1d after flatten): shape unchanged, 2 learnable values per channel."""

    kind: ClassVar[str] = "bn"

    def spec(self) -> str:
        return "bn"

    def apply(self, shape: Shape) -> tuple[Shape, int, list[str]]:
        return shape, 2 * shape[0], []

    def geometry(self) -> str:
        return "pass"


@dataclass(frozen=True)
class ReLU:
    """nn.ReLU: shape unchanged, no parameters."""

    kind: ClassVar[str] = "relu"

    def spec(self) -> str:
        return "relu"

    def apply(self, shape: Shape) -> tuple[Shape, int, list[str]]:
        return shape, 0, []

    def geometry(self) -> str:
        return "pass"


@dataclass(frozen=True)
class Dropout:
    """nn.Dropout: shape unchanged, no parameters."""

    p: float = 0.5
    kind: ClassVar[str] = "dropout"

    def spec(self) -> str:
        return "dropout" if self.p == 0.5 else f"dropout:p={self.p:g}"

    def apply(self, shape: Shape) -> tuple[Shape, int, list[str]]:
        return shape, 0, []

    def geometry(self) -> str:
        return "pass"


Layer = Conv | Pool | AdaptiveAvgPool | Flatten | Linear | BatchNorm | ReLU | Dropout


# --------------------------------------------------------------------------------------
# Receptive field
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RFState:
    """Receptive field r, jump j and start per axis (the classic recurrence)."""

    rf: Pair = (1, 1)
    jump: Pair = (1, 1)
    start: tuple[float, float] = (0.0, 0.0)

    def after(self, geom: Geometry) -> RFState:
        rf = tuple(self.rf[a] + (geom.k[a] - 1) * self.jump[a] for a in (0, 1))
        jump = tuple(self.jump[a] * geom.s[a] for a in (0, 1))
        start = tuple(
            self.start[a] + ((geom.k[a] - 1) / 2 - geom.p[a]) * self.jump[a] for a in (0, 1)
        )
        return RFState(rf=rf, jump=jump, start=start)  # type: ignore[arg-type]
