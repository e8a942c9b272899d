"""Convolution arithmetic: output sizes, parameters and receptive fields.

The notes teach ``H2 = (H - F + 2P) / S + 1``. This module does that arithmetic the way
PyTorch really does it (dilation, floor division, pooling's ``ceil_mode`` rule), for one
layer, for a stack written as short text specs (``conv:out=64,k=7,s=2,p=3``), and for a
real registry model traced with forward hooks.

Import-light on purpose: the GUI needs it before PyTorch has loaded, so torch is only
imported inside :func:`trace_model` and its helpers.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar

Pair = tuple[int, int]
Shape = tuple[int, ...]

AXIS_NAMES = ("height", "width")
AXIS_UNITS = ("row", "column")


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


class _FieldError(ValueError):
    """Internal: a problem with one field, before the layer's name is attached."""

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


def formula_text(size: int, k: int, s: int = 1, p: int = 0, d: int = 1, axis: str = "H") -> str:
    """The notes' formula with the numbers put in, e.g. 'H2 = (224 - 7 + 2*3) / 2 + 1 = 112'.

    When the division is not exact the rounding down is spelled out; with dilation the
    kernel is replaced by the dilated span D(F - 1) + 1 and that substitution is shown.
    """
    k_eff = effective_kernel(k, d)
    numerator = size - k_eff + 2 * p
    out = conv_out_size(size, k, s, p, d)
    text = f"{axis}2 = ({size} - {k_eff} + 2*{p}) / {s} + 1 = {out}"
    if numerator % s:
        text += (
            f"   ({numerator} / {s} = {numerator / s:.4g} is rounded down to {numerator // s}:"
            f" PyTorch floors)"
        )
    if d != 1:
        text += f"   (dilated kernel F' = {d}*({k} - 1) + 1 = {k_eff})"
    return text


def _divisibility_warning(
    axis: int, size: int, k: int, s: int, p: int, d: int, ceil_mode: bool = False
) -> str | None:
    """Explain rows/columns dropped (or a partial last window) when S does not divide."""
    span = size + 2 * p - d * (k - 1) - 1
    if span < 0 or span % s == 0:
        return None
    rem = span % s
    unit = AXIS_UNITS[axis]
    name = AXIS_NAMES[axis]
    term = f"({'HW'[axis]} + 2P - D(F-1) - 1) = {span}"
    if ceil_mode:
        return (
            f"{name}: {term} is not divisible by stride {s}; "
            "ceil_mode keeps a last window that hangs over the edge"
        )
    return (
        f"{name}: {term} is not divisible by stride {s}; "
        f"the last {rem} {unit}{'s' if rem != 1 else ''} of the padded input "
        f"{'are' if rem != 1 else 'is'} silently dropped"
    )


def _too_small_message(axis: int, size: int, k: int, p: int, d: int, out: int) -> str:
    k_eff = effective_kernel(k, d)
    return (
        f"output {AXIS_NAMES[axis]} would be {out} (< 1): the {size}-pixel input plus "
        f"2*{p} padding is smaller than the kernel's span {k_eff}; use a larger input, "
        "a smaller kernel or dilation, or more padding"
    )


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
        raise _FieldError(
            None,
            f"{what} needs a C,H,W feature map but gets a flat vector of {shape[0]}; "
            "put it before 'flatten'",
        )
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
            raise _FieldError("p", "padding 'same' only works with stride 1 (PyTorch rule)")
        if c_in % self.g:
            raise _FieldError("g", f"groups {self.g} does not divide the {c_in} input channels")
        if self.out % self.g:
            raise _FieldError(
                "g", f"groups {self.g} does not divide the {self.out} output channels"
            )
        pads = self.padding()
        sizes = []
        warnings: list[str] = []
        for axis, size in enumerate((h, w)):
            lo, hi = pads[axis]
            k, s, d = self.k[axis], self.s[axis], self.d[axis]
            out = (size + lo + hi - d * (k - 1) - 1) // s + 1
            if out < 1:
                raise _FieldError("k", _too_small_message(axis, size, k, lo, d, out))
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
                raise _FieldError(
                    "p", f"padding {p} is more than half the kernel {k} (PyTorch rule)"
                )
            out = pool_out_size(size, k, s, p, d, self.ceil)
            if out < 1:
                raise _FieldError("k", _too_small_message(axis, size, k, p, d, out))
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
                f"output {self.out[0]}x{self.out[1]} is larger than the {h}x{w} input: "
                "values are repeated, no new information"
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
            raise _FieldError(
                None,
                f"linear needs a flat vector but gets a {'x'.join(map(str, shape))} "
                "feature map; add 'flatten' before it",
            )
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
# Spec parser
# --------------------------------------------------------------------------------------

LAYER_KEYS: dict[str, tuple[str, ...]] = {
    "conv": ("out", "k", "s", "p", "d", "g", "bias"),
    "maxpool": ("k", "s", "p", "d", "ceil"),
    "avgpool": ("k", "s", "p", "ceil"),
    "adaptiveavgpool": ("out",),
    "flatten": (),
    "linear": ("out", "bias"),
    "bn": (),
    "relu": (),
    "dropout": ("p",),
}
ALIASES = {
    "conv2d": "conv",
    "maxpool2d": "maxpool",
    "avgpool2d": "avgpool",
    "adaptiveavgpool2d": "adaptiveavgpool",
    "gap": "adaptiveavgpool",
    "fc": "linear",
    "dense": "linear",
    "batchnorm": "bn",
    "batchnorm2d": "bn",
}
SPEC_HELP = (
    "conv:out=64,k=7,s=2,p=3 (also d=, g=, bias=0, p=same|valid); maxpool:k=3,s=2,p=1 "
    "(ceil=1); avgpool:k=2; adaptiveavgpool:out=1; flatten; linear:out=10; bn; relu; "
    "dropout. k, s, p, d may be HxW pairs like k=3x5"
)


def _parse_int(value: str, field: str, minimum: int) -> int:
    try:
        number = int(value)
    except ValueError:
        raise _FieldError(field, f"expected a whole number, got '{value}'") from None
    if number < minimum:
        raise _FieldError(field, f"must be at least {minimum}, got {number}")
    return number


def _parse_pair(value: str, field: str, minimum: int) -> Pair:
    parts = value.lower().split("x")
    if len(parts) > 2 or not all(part.strip().isdigit() for part in parts):
        raise _FieldError(field, f"expected a number or an HxW pair like 3x5, got '{value}'")
    if len(parts) == 1:
        n = _parse_int(parts[0], field, minimum)
        return n, n
    return _parse_int(parts[0], field, minimum), _parse_int(parts[1], field, minimum)


def _parse_bool(value: str, field: str) -> bool:
    lowered = value.lower()
    if lowered in ("1", "true", "yes", "on"):
        return True
    if lowered in ("0", "false", "no", "off"):
        return False
    raise _FieldError(field, f"expected 0 or 1, got '{value}'")


def _split_fields(body: str) -> dict[str, str]:
    fields: dict[str, str] = {}
    for item in body.split(","):
        item = item.strip()
        if not item:
            continue
        if "=" not in item:
            raise _FieldError(item, f"expected key=value, got '{item}'")
        key, value = (part.strip() for part in item.split("=", 1))
        key = key.lower()
        if key in fields:
            raise _FieldError(key, "given twice")
        if not value:
            raise _FieldError(key, "no value given")
        fields[key] = value
    return fields


def _build_layer(name: str, f: dict[str, str]) -> Layer:
    def need(key: str) -> str:
        if key not in f:
            raise _FieldError(key, f"required for {name}")
        return f[key]

    if name == "conv":
        p_text = f.get("p", "0").lower()
        padding: Pair | str = p_text if p_text in ("same", "valid") else _parse_pair(p_text, "p", 0)
        return Conv(
            out=_parse_int(need("out"), "out", 1),
            k=_parse_pair(need("k"), "k", 1),
            s=_parse_pair(f.get("s", "1"), "s", 1),
            p=padding,
            d=_parse_pair(f.get("d", "1"), "d", 1),
            g=_parse_int(f.get("g", "1"), "g", 1),
            bias=_parse_bool(f.get("bias", "1"), "bias"),
        )
    if name in ("maxpool", "avgpool"):
        k = _parse_pair(need("k"), "k", 1)
        return Pool(
            op=name[:3],
            k=k,
            s=_parse_pair(f["s"], "s", 1) if "s" in f else k,
            p=_parse_pair(f.get("p", "0"), "p", 0),
            d=_parse_pair(f.get("d", "1"), "d", 1),
            ceil=_parse_bool(f.get("ceil", "0"), "ceil"),
        )
    if name == "adaptiveavgpool":
        return AdaptiveAvgPool(out=_parse_pair(f.get("out", "1"), "out", 1))
    if name == "linear":
        return Linear(
            out=_parse_int(need("out"), "out", 1), bias=_parse_bool(f.get("bias", "1"), "bias")
        )
    if name == "dropout":
        try:
            p = float(f.get("p", "0.5"))
        except ValueError:
            raise _FieldError("p", f"expected a probability, got '{f['p']}'") from None
        if not 0.0 <= p < 1.0:
            raise _FieldError("p", f"must be in [0, 1), got {p:g}")
        return Dropout(p=p)
    return {"flatten": Flatten, "bn": BatchNorm, "relu": ReLU}[name]()


def parse_layer(text: str, index: int = 0) -> Layer:
    """Parse one spec like 'conv:out=64,k=7,s=2,p=3'; errors name the layer and field."""
    raw = text.strip()
    name, _, body = raw.partition(":")
    name = name.strip().lower()
    name = ALIASES.get(name, name)
    try:
        if name not in LAYER_KEYS:
            raise _FieldError(
                None,
                f"unknown layer type '{name}' (expected one of {', '.join(LAYER_KEYS)})",
            )
        fields = _split_fields(body)
        for key in fields:
            if key not in LAYER_KEYS[name]:
                allowed = ", ".join(LAYER_KEYS[name]) or "no keys"
                raise _FieldError(key, f"unknown key for {name} (allowed: {allowed})")
        return _build_layer(name, fields)
    except _FieldError as exc:
        raise _layer_error(exc, index, raw) from None


def _layer_error(exc: _FieldError, index: int, text: str, rows=None) -> ConvCalcError:
    where = f"layer {index + 1} '{text}'"
    what = f"field '{exc.field}': {exc}" if exc.field else str(exc)
    return ConvCalcError(f"{where}: {what}", index=index, layer=text, field=exc.field, rows=rows)


def parse_stack(specs: str | Iterable[str]) -> list[Layer]:
    """Parse several specs (a list, or text with one spec per line or ';'-separated)."""
    if isinstance(specs, str):
        items = [s for line in specs.splitlines() for s in line.split(";")]
    else:
        items = list(specs)
    items = [s.strip() for s in items if s.strip() and not s.strip().startswith("#")]
    return [parse_layer(text, i) for i, text in enumerate(items)]


def parse_input(text: str) -> Shape:
    """'C,H,W' or 'CxHxW' ('H,W' means one channel) -> (C, H, W); ConvCalcError if malformed."""
    sep = "," if "," in text else "x"
    parts = [p.strip() for p in text.lower().split(sep)]
    values: tuple[int, ...] = ()
    if all(p.isdigit() for p in parts):
        values = tuple(int(p) for p in parts)
    if len(values) == 2:
        values = (1, *values)
    if len(values) != 3 or min(values) < 1:
        raise ConvCalcError(
            f"input '{text}' must be C,H,W with positive whole numbers, e.g. 3,224,224",
            field="input",
        )
    return values


# --------------------------------------------------------------------------------------
# The table
# --------------------------------------------------------------------------------------


@dataclass
class LayerResult:
    """One row of the per-layer table (from the arithmetic or from a traced model).

    rf, jump and start are (height, width) pairs, None where undefined (after flatten,
    linear, adaptive pooling, or a residual branch). start is the center of the first
    output's field, in input pixel coordinates (0 = center of the first pixel).
    """

    index: int
    layer: str
    kind: str
    out_shape: Shape
    params: int
    rf: Pair | None = None
    jump: Pair | None = None
    start: tuple[float, float] | None = None
    warnings: list[str] = field(default_factory=list)
    collapsed: bool = False
    error: str | None = None

    @staticmethod
    def _single(value: Pair | None) -> Any:
        if value is None:
            return None
        return value[0] if value[0] == value[1] else list(value)

    def to_dict(self) -> dict[str, Any]:
        """The JSON object of the CLI: rf/jump are ints (an [h, w] list when non-square)."""
        return {
            "layer": self.layer,
            "out_shape": list(self.out_shape),
            "params": self.params,
            "rf": self._single(self.rf),
            "jump": self._single(self.jump),
            "start": None if self.start is None else list(self.start),
            "warnings": list(self.warnings),
            "collapsed": self.collapsed,
            "error": self.error,
        }


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


def _advance_rf(state: RFState | None, layer: Layer, shape: Shape) -> RFState | None:
    if state is None or len(shape) != 3:
        return None
    geom = layer.geometry()
    if geom == "pass":
        return state
    if isinstance(geom, Geometry):
        return state.after(geom)
    return None


def _as_layers(layers: Iterable[Layer | str]) -> list[tuple[Layer, str]]:
    out = []
    for i, item in enumerate(layers):
        if isinstance(item, str):
            out.append((parse_layer(item, i), item.strip()))
        else:
            out.append((item, item.spec()))
    return out


def compute_table(input_shape: Sequence[int], layers: Iterable[Layer | str]) -> list[LayerResult]:
    """Rows for each layer: output shape, params, receptive field, jump, start, warnings.

    Raises ConvCalcError naming the layer and field at the first layer that cannot run
    (output < 1, flat input to a conv ...); the error's ``rows`` hold the rows before it.
    """
    shape: Shape = tuple(int(v) for v in input_shape)
    if len(shape) != 3 or min(shape) < 1:
        raise ConvCalcError(f"input shape {shape} must be (C, H, W) with positive sizes")
    state: RFState | None = RFState()
    rows: list[LayerResult] = []
    for i, (layer, text) in enumerate(_as_layers(layers)):
        try:
            out_shape, params, warnings = layer.apply(shape)
        except _FieldError as exc:
            raise _layer_error(exc, i, text, rows) from None
        state = _advance_rf(state, layer, out_shape)
        rows.append(
            LayerResult(
                index=i,
                layer=text,
                kind=layer.kind,
                out_shape=out_shape,
                params=params,
                rf=state.rf if state else None,
                jump=state.jump if state else None,
                start=state.start if state else None,
                warnings=warnings,
            )
        )
        shape = out_shape
    return rows


def total_params(rows: Iterable[LayerResult]) -> int:
    return sum(r.params for r in rows)


def format_shape(shape: Sequence[int]) -> str:
    """'64x112x112' for C,H,W; '4096' for a flat vector."""
    return "x".join(str(v) for v in shape)


def format_pair(value: Sequence[Any] | None) -> str:
    if value is None:
        return "-"
    a, b = value[0], value[1]
    fmt = (lambda v: f"{v:g}") if isinstance(a, float) else str
    return fmt(a) if a == b else f"{fmt(a)}x{fmt(b)}"


def format_table(rows: Sequence[LayerResult], input_shape: Sequence[int] | None = None) -> str:
    """An aligned text table (the CLI's text mode)."""
    header = ("#", "layer", "output", "params", "rf", "jump")
    lines = [header]
    if input_shape is not None:
        lines.append(("", "input", format_shape(input_shape), "", "1", "1"))
    for r in rows:
        mark = " !" if (r.collapsed or r.error) else ""
        lines.append(
            (
                str(r.index + 1),
                r.layer + mark,
                format_shape(r.out_shape),
                f"{r.params:,}",
                format_pair(r.rf),
                format_pair(r.jump),
            )
        )
    widths = [max(len(line[c]) for line in lines) for c in range(len(header))]
    right = {0, 3, 4, 5}
    out = []
    for line in lines:
        cells = [
            cell.rjust(widths[c]) if c in right else cell.ljust(widths[c])
            for c, cell in enumerate(line)
        ]
        out.append("  ".join(cells).rstrip())
    out.append(f"total params: {total_params(rows):,}")
    for r in rows:
        for note in r.warnings:
            out.append(f"warning: layer {r.index + 1} '{r.layer}': {note}")
    return "\n".join(out)


# --------------------------------------------------------------------------------------
# Presets
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Preset:
    name: str
    title: str
    description: str
    input_shape: Shape
    layers: tuple[str, ...]


def _vgg16_features() -> tuple[str, ...]:
    layers: list[str] = []
    for width, convs in ((64, 2), (128, 2), (256, 3), (512, 3), (512, 3)):
        for _ in range(convs):
            layers += [f"conv:out={width},k=3,s=1,p=1", "relu"]
        layers.append("maxpool:k=2,s=2")
    return tuple(layers)


def _resnet18_stages() -> tuple[str, ...]:
    layers = ["conv:out=64,k=7,s=2,p=3,bias=0", "bn", "relu", "maxpool:k=3,s=2,p=1"]
    for stage, width in enumerate((64, 128, 256, 512)):
        for block in range(2):
            stride = 2 if stage > 0 and block == 0 else 1
            layers += [f"conv:out={width},k=3,s={stride},p=1,bias=0", "bn", "relu"]
            layers += [f"conv:out={width},k=3,s=1,p=1,bias=0", "bn", "relu"]
    layers += ["adaptiveavgpool:out=1", "flatten", "linear:out=10"]
    return tuple(layers)


PRESETS: dict[str, Preset] = {
    p.name: p
    for p in (
        Preset(
            "lenet5",
            "LeNet-5",
            "LeCun's LeNet-5 on 32x32 digits: two 5x5 conv + 2x2 average-pool blocks, then "
            "120-84-10 fully connected (ReLU in place of the original tanh; C5 as a linear "
            "layer after flatten, which has the same parameters).",
            (1, 32, 32),
            (
                "conv:out=6,k=5,s=1,p=0",
                "relu",
                "avgpool:k=2,s=2",
                "conv:out=16,k=5,s=1,p=0",
                "relu",
                "avgpool:k=2,s=2",
                "flatten",
                "linear:out=120",
                "relu",
                "linear:out=84",
                "relu",
                "linear:out=10",
            ),
        ),
        Preset(
            "smallcnn",
            "smallcnn (ours)",
            "The registry's smallcnn on 28x28 digits: three conv + BatchNorm + ReLU + 2x2 "
            "max-pool blocks (32/64/128 kernels, no conv bias since BatchNorm follows), an "
            "adaptive average pool to 3x3, flatten, Dropout(0.3) and a linear head for 10 "
            "classes.",
            (1, 28, 28),
            (
                "conv:out=32,k=3,s=1,p=1,bias=0",
                "bn",
                "relu",
                "maxpool:k=2,s=2",
                "conv:out=64,k=3,s=1,p=1,bias=0",
                "bn",
                "relu",
                "maxpool:k=2,s=2",
                "conv:out=128,k=3,s=1,p=1,bias=0",
                "bn",
                "relu",
                "maxpool:k=2,s=2",
                "adaptiveavgpool:out=3",
                "flatten",
                "dropout:p=0.3",
                "linear:out=10",
            ),
        ),
        Preset(
            "alexnet_features",
            "AlexNet features",
            "torchvision's AlexNet feature extractor (5 conv layers, 3 max-pools) on a "
            "224x224 RGB image.",
            (3, 224, 224),
            (
                "conv:out=64,k=11,s=4,p=2",
                "relu",
                "maxpool:k=3,s=2",
                "conv:out=192,k=5,s=1,p=2",
                "relu",
                "maxpool:k=3,s=2",
                "conv:out=384,k=3,s=1,p=1",
                "relu",
                "conv:out=256,k=3,s=1,p=1",
                "relu",
                "conv:out=256,k=3,s=1,p=1",
                "relu",
                "maxpool:k=3,s=2",
            ),
        ),
        Preset(
            "vgg16_features",
            "VGG16 features",
            "torchvision's VGG16 feature extractor: 13 3x3 conv layers in 5 blocks, each "
            "block ending in a 2x2 max-pool; receptive field 212 after the last pool.",
            (3, 224, 224),
            _vgg16_features(),
        ),
        Preset(
            "resnet18_stages",
            "ResNet18 stem and stages",
            "An approximation of ResNet18 as plain layers: the 7x7 stem, max-pool and the "
            "main-path 3x3 convs of the four stages. The residual shortcuts (and their 1x1 "
            "downsample convs, 0.17M parameters) are left out, so shapes and the main "
            "path's receptive field are right but the parameter total is slightly low; use "
            "'From model' for the exact network.",
            (3, 224, 224),
            _resnet18_stages(),
        ),
    )
}


# --------------------------------------------------------------------------------------
# Model trace (torch imported lazily)
# --------------------------------------------------------------------------------------


@dataclass
class TraceResult:
    """The per-layer table of a real registry model, from one forward pass with hooks."""

    arch: str
    input_shape: Shape
    rows: list[LayerResult]
    total_params: int
    collapsed_index: int | None = None  # first row that collapsed or failed
    error: str | None = None  # the forward pass failed (size collapsed below 1)
    message: str | None = None  # what a user needs to know when something collapsed
    min_input_size: int | None = None

    @property
    def ok(self) -> bool:
        return self.error is None and self.collapsed_index is None


def _as_pair(value: Any) -> Pair:
    if isinstance(value, (tuple, list)):
        return int(value[0]), int(value[-1])
    return int(value), int(value)


def _module_geometry(module: Any) -> Geometry | str | None:
    """Sliding-window geometry of a torch leaf module; 'pass' for shape-keeping layers."""
    import torch.nn as nn

    if isinstance(module, nn.Conv2d):
        k, d = _as_pair(module.kernel_size), _as_pair(module.dilation)
        if isinstance(module.padding, str):
            conv = Conv(out=1, k=k, s=_as_pair(module.stride), p=module.padding, d=d)
            return conv.geometry()
        kk = (effective_kernel(k[0], d[0]), effective_kernel(k[1], d[1]))
        return Geometry(k=kk, s=_as_pair(module.stride), p=_as_pair(module.padding))
    if isinstance(module, (nn.MaxPool2d, nn.AvgPool2d)):
        k = _as_pair(module.kernel_size)
        d = _as_pair(getattr(module, "dilation", 1))
        stride = module.stride if module.stride is not None else module.kernel_size
        kk = (effective_kernel(k[0], d[0]), effective_kernel(k[1], d[1]))
        return Geometry(k=kk, s=_as_pair(stride), p=_as_pair(module.padding))
    shape_keeping = (
        nn.BatchNorm2d,
        nn.ReLU,
        nn.ReLU6,
        nn.LeakyReLU,
        nn.GELU,
        nn.SiLU,
        nn.Sigmoid,
        nn.Tanh,
        nn.Dropout,
        nn.Dropout2d,
        nn.Identity,
    )
    if isinstance(module, shape_keeping):
        return "pass"
    return None


def _spatial_kernel(module: Any) -> bool:
    """True for a conv/pool with a kernel wider than one pixel (needs spatial extent)."""
    geom = _module_geometry(module)
    return isinstance(geom, Geometry) and max(geom.k) > 1


class _Tracer:
    """Forward hooks on every leaf module: shapes, params and the RF chain by tensor identity."""

    def __init__(self, model: Any) -> None:
        self.model = model
        self.rows: list[LayerResult] = []
        self.modules: list[Any] = []
        self.states: dict[int, tuple[RFState | None, int]] = {}
        self.keep: list[Any] = []  # keeps traced tensors alive so their ids stay unique
        self.current: tuple[str, Any, Shape] | None = None  # the module now running
        self.pending: RFState | None = None
        self.handles: list[Any] = []

    def __enter__(self) -> _Tracer:
        for name, module in self.model.named_modules():
            if next(iter(module.children()), None) is not None:
                continue
            self.handles.append(module.register_forward_pre_hook(self._pre(name)))
            self.handles.append(module.register_forward_hook(self._post(name)))
        return self

    def __exit__(self, *exc: Any) -> None:
        for handle in self.handles:
            handle.remove()

    def _pre(self, name: str):
        def hook(module: Any, inputs: Any) -> None:
            import torch

            # looked up before the module runs: an in-place layer bumps the version itself
            first = inputs[0] if inputs else None
            is_tensor = isinstance(first, torch.Tensor)
            in_shape = tuple(int(v) for v in first.shape[1:]) if is_tensor else ()
            self.current = (name, module, in_shape)
            self.pending = self._state_for(first) if is_tensor else None

        return hook

    def _post(self, name: str):
        def hook(module: Any, inputs: Any, output: Any) -> None:
            self._record(name, module, inputs, output)

        return hook

    def _state_for(self, tensor: Any) -> RFState | None:
        """The RF state of the layer that made this tensor, if nothing changed it since.

        A tensor changed in place outside a module (torchvision's residual ``out +=
        identity``) bumps its version counter: that is a merge of branches, so the
        simple chain ends there.
        """
        if not self.rows:  # the model's first layer reads the input image
            return RFState()
        entry = self.states.get(id(tensor))
        if entry is None or entry[1] != tensor._version:
            return None
        return entry[0]

    def _record(self, name: str, module: Any, inputs: Any, output: Any) -> None:
        import torch

        if not isinstance(output, torch.Tensor):
            return
        state = self.pending
        out_shape = tuple(int(v) for v in output.shape[1:])
        geom = _module_geometry(module)
        if state is None or len(out_shape) != 3 or geom is None:
            state = None
        elif isinstance(geom, Geometry):
            state = state.after(geom)
        self.keep.append(output)
        self.states[id(output)] = (state, output._version)
        params = sum(p.numel() for p in module.parameters(recurse=False))
        self.modules.append(module)
        self.rows.append(
            LayerResult(
                index=len(self.rows),
                layer=f"{name} ({type(module).__name__})",
                kind=type(module).__name__,
                out_shape=out_shape,
                params=int(params),
                rf=state.rf if state else None,
                jump=state.jump if state else None,
                start=state.start if state else None,
            )
        )


def _mark_collapse(rows: list[LayerResult], modules: list[Any]) -> int | None:
    """First row whose spatial size is <= 1 while a later conv/pool still needs space."""
    later_spatial = [False] * len(rows)
    seen = False
    for i in range(len(rows) - 1, -1, -1):
        later_spatial[i] = seen
        seen = seen or _spatial_kernel(modules[i])
    first = None
    for i, row in enumerate(rows):
        if len(row.out_shape) == 3 and min(row.out_shape[1:]) <= 1 and later_spatial[i]:
            row.collapsed = True
            first = i if first is None else first
    return first


class _MetaUnsupported(Exception):
    """An op of the model has no shape-only (meta) kernel: trace on the CPU instead."""


def _model_device(model: Any) -> Any:
    import torch

    for tensor in model.parameters():
        return tensor.device
    return torch.device("cpu")


def _run_trace(model: Any, arch: str, shape: Shape) -> TraceResult:
    """One forward pass of a zero image with hooks (on the model's device, meta or CPU)."""
    import torch

    device = _model_device(model)
    with _Tracer(model) as tracer, torch.no_grad():
        error = None
        try:
            model(torch.zeros(1, *shape, device=device))
        except NotImplementedError as exc:
            raise _MetaUnsupported(str(exc)) from exc
        except RuntimeError as exc:
            if device.type == "meta" and "meta" in str(exc).lower():
                raise _MetaUnsupported(str(exc)) from exc
            error = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    rows = tracer.rows
    collapsed = _mark_collapse(rows, tracer.modules)
    result = TraceResult(
        arch=arch,
        input_shape=shape,
        rows=rows,
        total_params=int(sum(p.numel() for p in model.parameters())),
        collapsed_index=collapsed,
    )
    if error is not None:
        name, module, in_shape = tracer.current or ("?", None, shape)
        result.error = _failure_text(name, module, in_shape, error)
        rows.append(
            LayerResult(
                index=len(rows),
                layer=f"{name} ({type(module).__name__})",
                kind=type(module).__name__,
                out_shape=(),
                params=int(sum(p.numel() for p in module.parameters(recurse=False)))
                if module is not None
                else 0,
                collapsed=True,
                error=result.error,
            )
        )
        if result.collapsed_index is None:
            result.collapsed_index = len(rows) - 1
    return result


def _build(arch: str, shape: Shape, num_classes: int, meta: bool = False) -> Any:
    """Build the registry model; a too-small input is built at the default size instead.

    build_model refuses inputs below the architecture's minimum, but the point of a trace
    is to show where such an input collapses. The CNNs' layers do not depend on the input
    size (an adaptive pool sits before the head), so the same network is traced.
    With ``meta`` the parameters are shape-only: no memory, no weight initialisation.
    """
    import contextlib

    import torch

    with torch.device("meta") if meta else contextlib.nullcontext():
        return _build_model(arch, shape, num_classes)


def _build_model(arch: str, shape: Shape, num_classes: int) -> Any:
    from core import models

    try:
        model = models.build_model(
            arch, num_classes=num_classes, in_channels=shape[0], input_size=shape[1]
        )
    except models.ModelError:
        info = getattr(models, "ARCHS", {}).get(arch)
        if info is None or shape[1] >= info.min_input_size:
            raise
        model = models.build_model(
            arch,
            num_classes=num_classes,
            in_channels=shape[0],
            input_size=info.default_input_size,
        )
    model.eval()
    return model


def find_min_input_size(
    model: Any, arch: str, channels: int, start: int, limit: int = 1024
) -> int | None:
    """Smallest square input size at which the model runs without collapsing (bisection)."""

    def fits(size: int) -> bool:
        return _run_trace(model, arch, (channels, size, size)).ok

    low, high = max(start, 1), max(start, 1)
    while not fits(high):
        low = high
        high *= 2
        if high > limit:
            return None
    if low == high:
        low = 1
        if fits(low):
            return low
    while high - low > 1:  # invariant: low fails, high fits
        mid = (low + high) // 2
        if fits(mid):
            high = mid
        else:
            low = mid
    return high


def trace_model(arch: str, input_shape: Sequence[int], num_classes: int = 10) -> TraceResult:
    """Per-layer output shapes, params and receptive fields of a registry model.

    One forward pass of a zero image through ``core.models.build_model(arch, ...)`` with
    hooks on every leaf module. The receptive field follows the chain of tensors from
    layer to layer and becomes None when a layer reads a tensor made outside a module
    (a residual addition, a functional op) or after flatten/linear/adaptive pooling.
    When the spatial size collapses (<= 1 with convs still to come, or a PyTorch error),
    the result names the layer and the smallest input size that works.
    """
    shape = tuple(int(v) for v in input_shape)
    if len(shape) != 3 or min(shape) < 1:
        raise ConvCalcError(f"input shape {shape} must be (C, H, W) with positive sizes")
    try:  # shapes only: fast even for VGG16's 134M parameters
        model = _build(arch, shape, num_classes, meta=True)
        result = _run_trace(model, arch, shape)
        if not result.ok and shape[1] == shape[2]:
            result.min_input_size = find_min_input_size(model, arch, shape[0], shape[1])
    except (_MetaUnsupported, NotImplementedError):
        model = _build(arch, shape, num_classes)
        result = _run_trace(model, arch, shape)
        if not result.ok and shape[1] == shape[2]:
            result.min_input_size = find_min_input_size(model, arch, shape[0], shape[1])
    if not result.ok:
        result.message = collapse_message(result)
    return result


def _failure_text(name: str, module: Any, in_shape: Shape, torch_error: str) -> str:
    """Why a layer could not run, in the calculator's words (PyTorch's as a fallback)."""
    label = f"{name} ({type(module).__name__})"
    geom = _module_geometry(module) if module is not None else None
    if isinstance(geom, Geometry) and len(in_shape) == 3:
        need = [max(geom.k[a] - 2 * geom.p[a], 1) for a in (0, 1)]
        if in_shape[1] < need[0] or in_shape[2] < need[1]:
            return (
                f"{label} cannot run on its {format_shape(in_shape)} input: its "
                f"{geom.k[0]}x{geom.k[1]} window with padding {geom.p[0]} needs at least "
                f"{need[0]}x{need[1]} pixels, so the output would be smaller than 1x1"
            )
    return f"{label} cannot run on its {format_shape(in_shape)} input: {torch_error}"


def size_trail(result: TraceResult, limit: int = 10) -> str:
    """How the spatial size shrinks, e.g. '28x28 -> 6x6 (features.0) -> 2x2 (features.2)'."""
    steps = [f"{result.input_shape[1]}x{result.input_shape[2]}"]
    last = tuple(result.input_shape[1:])
    for row in result.rows:
        if len(row.out_shape) == 3 and tuple(row.out_shape[1:]) != last:
            last = tuple(row.out_shape[1:])
            steps.append(f"{last[0]}x{last[1]} ({row.layer.split(' ')[0]})")
        elif row.error:
            steps.append(f"too small at {row.layer.split(' ')[0]}")
    if len(steps) > limit:
        steps = [*steps[: limit // 2], "...", *steps[-(limit // 2) :]]
    return " -> ".join(steps)


def collapse_message(result: TraceResult) -> str:
    """The sentence a user needs: which layer collapsed, why, and the input size that works."""
    h, w = result.input_shape[1:]
    if result.error:
        what = result.error
    else:
        row = result.rows[result.collapsed_index or 0]
        what = (
            f"after {row.layer} the feature map is only {format_shape(row.out_shape)}, "
            "yet later convolution/pooling layers still slide kernels over it "
            "(they see mostly padding)"
        )
    text = f"{result.arch} on a {h}x{w} input: {what}. Spatial size: {size_trail(result)}."
    m = result.min_input_size
    if m and result.error:
        text += f" It needs an input of at least {m}x{m}; resize the images (e.g. Resize({m}))."
    elif m:
        text += (
            f" From a {m}x{m} input on, every feature map stays larger than 1x1 until the "
            f"last convolution; consider resizing the images (e.g. Resize({m}))."
        )
    return text


# --------------------------------------------------------------------------------------
# CLI twin
# --------------------------------------------------------------------------------------


class _ArgumentParser(argparse.ArgumentParser):
    """argparse that reports a usage error as one 'error: ...' line and exit code 2."""

    def error(self, message: str) -> None:  # type: ignore[override]
        sys.stderr.write(f"error: {message}\n")
        raise SystemExit(2)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The convcalc options (core/cli.py adds them to its 'convcalc' subcommand)."""
    parser.add_argument(
        "--input",
        metavar="C,H,W",
        help="input shape, e.g. 3,224,224 (required, except with --preset: its own input)",
    )
    source = parser.add_mutually_exclusive_group()
    source.add_argument(
        "--layer", action="append", default=[], metavar="SPEC", help=f"a layer: {SPEC_HELP}"
    )
    source.add_argument("--arch", metavar="NAME", help="trace a registry model instead")
    source.add_argument("--preset", choices=sorted(PRESETS), help="a preset layer stack")
    parser.add_argument(
        "--json", action="store_true", help="print a JSON list, one object per layer"
    )


def _print_rows(rows: Sequence[LayerResult], shape: Shape, as_json: bool) -> None:
    if as_json:
        # valid JSON, one layer object per line so it also reads well in a terminal
        print("[\n" + ",\n".join(json.dumps(r.to_dict()) for r in rows) + "\n]")
    else:
        print(format_table(rows, shape))


def run_args(args: argparse.Namespace) -> int:
    """Execute parsed convcalc arguments; prints the table; 0 ok, 2 on bad input."""
    shape: Shape = ()
    try:
        preset = PRESETS[args.preset] if getattr(args, "preset", None) else None
        if args.input is None and preset is None:
            raise ConvCalcError("--input C,H,W is required, e.g. --input 3,224,224")
        shape = parse_input(args.input) if args.input is not None else preset.input_shape
        if getattr(args, "arch", None):
            return _run_arch(args.arch, shape, args.json)
        specs = list(getattr(args, "layer", None) or [])
        if preset is not None:
            specs = list(preset.layers)
        if not specs:
            raise ConvCalcError("give at least one --layer SPEC, a --preset or an --arch")
        rows = compute_table(shape, specs)
    except ConvCalcError as exc:
        if exc.rows and not args.json:
            print(format_table(exc.rows, shape))
        sys.stderr.write(f"error: {exc}\n")
        return 2
    _print_rows(rows, shape, args.json)
    return 0


def _run_arch(arch: str, shape: Shape, as_json: bool) -> int:
    try:
        result = trace_model(arch, shape)
    except ValueError as exc:  # ModelError / ConvCalcError: unknown arch, bad channels
        sys.stderr.write(f"error: {str(exc).splitlines()[0]}\n")
        return 2
    _print_rows(result.rows, shape, as_json)
    if not as_json:
        print(f"model parameters: {result.total_params:,}")
    if result.error:
        sys.stderr.write(f"error: {result.message}\n")
        return 2
    if result.message:
        sys.stderr.write(f"warning: {result.message}\n")
    return 0


def cli_main(argv: list[str] | None = None) -> int:
    """`convcalc --input C,H,W (--layer SPEC ... | --preset NAME | --arch NAME) [--json]`."""
    parser = _ArgumentParser(
        prog="convcalc",
        description="Output size, parameters and receptive field per layer.",
        epilog=f"Layer specs: {SPEC_HELP}.",
    )
    add_arguments(parser)
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:
        return int(exc.code or 0)
    return run_args(args)


if __name__ == "__main__":
    sys.exit(cli_main())
