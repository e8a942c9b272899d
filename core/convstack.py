"""A stack of layers written as text specs: parsing, the per-layer table, presets.

A spec is short text such as ``conv:out=64,k=7,s=2,p=3``; :func:`parse_stack` turns
specs into :mod:`core.convlayers` layers and :func:`compute_table` runs them over an
input shape: output shape, parameters, receptive field, jump and warnings per layer,
with errors that name the layer and the field. The presets are classic stacks (LeNet-5,
AlexNet and VGG16 features, ...) written as the same specs. Plain Python, no torch.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from core.convlayers import (
    AdaptiveAvgPool,
    BatchNorm,
    Conv,
    ConvCalcError,
    Dropout,
    FieldError,
    Flatten,
    Geometry,
    Layer,
    Linear,
    Pair,
    Pool,
    ReLU,
    RFState,
    Shape,
)
from core.messages import QT_TRANSLATE_NOOP

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
SPEC_HELP = QT_TRANSLATE_NOOP(
    "CoreMessages",
    "conv:out=64,k=7,s=2,p=3 (also d=, g=, bias=0, p=same|valid); maxpool:k=3,s=2,p=1 "
    "(ceil=1); avgpool:k=2; adaptiveavgpool:out=1; flatten; linear:out=10; bn; relu; "
    "dropout. k, s, p, d may be HxW pairs like k=3x5",
)


# What the calculator says about a spec, translated by the window (core.messages)
LAYER_FIELD_PROBLEM = QT_TRANSLATE_NOOP(
    "CoreMessages", "layer {number} '{layer}': field '{field}': {problem}"
)
LAYER_PROBLEM = QT_TRANSLATE_NOOP("CoreMessages", "layer {number} '{layer}': {problem}")
NOT_WHOLE = QT_TRANSLATE_NOOP("CoreMessages", "expected a whole number, got '{value}'")
TOO_LOW = QT_TRANSLATE_NOOP("CoreMessages", "must be at least {minimum}, got {value}")
NOT_PAIR = QT_TRANSLATE_NOOP(
    "CoreMessages", "expected a number or an HxW pair like 3x5, got '{value}'"
)
NOT_BOOL = QT_TRANSLATE_NOOP("CoreMessages", "expected 0 or 1, got '{value}'")
NOT_KEY_VALUE = QT_TRANSLATE_NOOP("CoreMessages", "expected key=value, got '{value}'")
GIVEN_TWICE = QT_TRANSLATE_NOOP("CoreMessages", "given twice")
NO_VALUE = QT_TRANSLATE_NOOP("CoreMessages", "no value given")
REQUIRED_FOR = QT_TRANSLATE_NOOP("CoreMessages", "required for {layer}")
NOT_PROBABILITY = QT_TRANSLATE_NOOP("CoreMessages", "expected a probability, got '{value}'")
NOT_IN_RANGE = QT_TRANSLATE_NOOP("CoreMessages", "must be in [0, 1), got {value}")
UNKNOWN_TYPE = QT_TRANSLATE_NOOP(
    "CoreMessages", "unknown layer type '{name}' (expected one of {names})"
)
UNKNOWN_KEY = QT_TRANSLATE_NOOP("CoreMessages", "unknown key for {layer} (allowed: {allowed})")


def _parse_int(value: str, field: str, minimum: int) -> int:
    try:
        number = int(value)
    except ValueError:
        raise FieldError(field, NOT_WHOLE.format(value=value)) from None
    if number < minimum:
        raise FieldError(field, TOO_LOW.format(minimum=minimum, value=number))
    return number


def _parse_pair(value: str, field: str, minimum: int) -> Pair:
    parts = value.lower().split("x")
    if len(parts) > 2 or not all(part.strip().isdigit() for part in parts):
        raise FieldError(field, NOT_PAIR.format(value=value))
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
    raise FieldError(field, NOT_BOOL.format(value=value))


def _split_fields(body: str) -> dict[str, str]:
    fields: dict[str, str] = {}
    for item in body.split(","):
        item = item.strip()
        if not item:
            continue
        if "=" not in item:
            raise FieldError(item, NOT_KEY_VALUE.format(value=item))
        key, value = (part.strip() for part in item.split("=", 1))
        key = key.lower()
        if key in fields:
            raise FieldError(key, GIVEN_TWICE)
        if not value:
            raise FieldError(key, NO_VALUE)
        fields[key] = value
    return fields


def _build_layer(name: str, f: dict[str, str]) -> Layer:
    def need(key: str) -> str:
        if key not in f:
            raise FieldError(key, REQUIRED_FOR.format(layer=name))
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
            raise FieldError("p", NOT_PROBABILITY.format(value=f["p"])) from None
        if not 0.0 <= p < 1.0:
            raise FieldError("p", NOT_IN_RANGE.format(value=f"{p:g}"))
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
            raise FieldError(None, UNKNOWN_TYPE.format(name=name, names=", ".join(LAYER_KEYS)))
        fields = _split_fields(body)
        for key in fields:
            if key not in LAYER_KEYS[name]:
                allowed = ", ".join(LAYER_KEYS[name]) or "no keys"
                raise FieldError(key, UNKNOWN_KEY.format(layer=name, allowed=allowed))
        return _build_layer(name, fields)
    except FieldError as exc:
        raise _layer_error(exc, index, raw) from None


def _layer_error(exc: FieldError, index: int, text: str, rows=None) -> ConvCalcError:
    if exc.field:
        message = LAYER_FIELD_PROBLEM.format(
            number=index + 1, layer=text, field=exc.field, problem=exc
        )
    else:
        message = LAYER_PROBLEM.format(number=index + 1, layer=text, problem=exc)
    return ConvCalcError(message, index=index, layer=text, field=exc.field, rows=rows)


def parse_stack(specs: str | Iterable[str]) -> list[Layer]:
    """Parse several specs (a list, or text with one spec per line or ';'-separated)."""
    if isinstance(specs, str):
        items = [s for line in specs.splitlines() for s in line.split(";")]
    else:
        items = list(specs)
    items = [s.strip() for s in items if s.strip() and not s.strip().startswith("#")]
    return [parse_layer(text, i) for i, text in enumerate(items)]


def parse_input(text: str) -> Shape:
    """'C,H,W' or 'CxHxW' -> (C, H, W); ConvCalcError if malformed.

    Two numbers are refused rather than guessed: '3,32' was read as one channel of 3x32
    where the user most likely meant a 3-channel 32x32 image.
    """
    sep = "," if "," in text else "x"
    parts = [p.strip() for p in text.lower().split(sep)]
    values: tuple[int, ...] = ()
    if all(p.isdigit() for p in parts):
        values = tuple(int(p) for p in parts)
    if len(values) == 2 and min(values) >= 1:
        a, b = values
        raise ConvCalcError(
            f"input '{text}' has two numbers; give C,H,W (channels, height, width), e.g. "
            f"{a},{b},{b} for {a} channels of {b}x{b}, or 1,{a},{b} for one channel of {a}x{b}",
            field="input",
        )
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
        except FieldError as exc:
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
            QT_TRANSLATE_NOOP("CoreMessages", "LeNet-5"),
            QT_TRANSLATE_NOOP(
                "CoreMessages",
                "LeCun's LeNet-5 on 32x32 digits: two 5x5 conv + 2x2 average-pool blocks, then "
                "120-84-10 fully connected (ReLU in place of the original tanh; C5 as a linear "
                "layer after flatten, which has the same parameters).",
            ),
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
            QT_TRANSLATE_NOOP("CoreMessages", "smallcnn (ours)"),
            QT_TRANSLATE_NOOP(
                "CoreMessages",
                "The registry's smallcnn on 28x28 digits: three conv + BatchNorm + ReLU + 2x2 "
                "max-pool blocks (32/64/128 kernels, no conv bias since BatchNorm follows), an "
                "adaptive average pool to 3x3, flatten, Dropout(0.3) and a linear head for 10 "
                "classes.",
            ),
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
            QT_TRANSLATE_NOOP("CoreMessages", "AlexNet features"),
            QT_TRANSLATE_NOOP(
                "CoreMessages",
                "torchvision's AlexNet feature extractor (5 conv layers, 3 max-pools) on a "
                "224x224 RGB image.",
            ),
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
            QT_TRANSLATE_NOOP("CoreMessages", "VGG16 features"),
            QT_TRANSLATE_NOOP(
                "CoreMessages",
                "torchvision's VGG16 feature extractor: 13 3x3 conv layers in 5 blocks, each "
                "block ending in a 2x2 max-pool; receptive field 212 after the last pool.",
            ),
            (3, 224, 224),
            _vgg16_features(),
        ),
        Preset(
            "resnet18_stages",
            QT_TRANSLATE_NOOP("CoreMessages", "ResNet18 stem and stages"),
            QT_TRANSLATE_NOOP(
                "CoreMessages",
                "An approximation of ResNet18 as plain layers: the 7x7 stem, max-pool and the "
                "main-path 3x3 convs of the four stages. The residual shortcuts (and their 1x1 "
                "downsample convs, 0.17M parameters) are left out, so shapes and the main "
                "path's receptive field are right but the parameter total is slightly low; use "
                "'From model' for the exact network.",
            ),
            (3, 224, 224),
            _resnet18_stages(),
        ),
    )
}
