"""The shape trace of a real registry model: one forward pass with hooks on every layer.

What :func:`trace_model` reports is the stack table of :mod:`core.convstack` for the
network :func:`core.models.build_model` really builds, traced on shape-only (meta)
tensors where the ops allow it. When the spatial size collapses, the result names the
layer and the smallest input size that works.

Import-light on purpose (the calculator is used before PyTorch has loaded): torch and
core.models are imported only inside the functions that run a trace.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from core.convlayers import Conv, ConvCalcError, Geometry, Pair, RFState, Shape, effective_kernel
from core.convstack import LayerResult, format_shape
from core.messages import QT_TRANSLATE_NOOP

# Why a traced model collapsed, translated by the window (core.messages)
CANNOT_RUN_WINDOW = QT_TRANSLATE_NOOP(
    "CoreMessages",
    "{layer} cannot run on its {shape} input: its {window} window with padding {p} needs at "
    "least {need} pixels, so the output would be smaller than 1x1",
)
CANNOT_RUN = QT_TRANSLATE_NOOP("CoreMessages", "{layer} cannot run on its {shape} input: {reason}")
COLLAPSED_AFTER = QT_TRANSLATE_NOOP(
    "CoreMessages",
    "after {layer} the feature map is only {shape}, yet later convolution/pooling layers still "
    "slide kernels over it (they see mostly padding)",
)
TOO_SMALL_AT = QT_TRANSLATE_NOOP("CoreMessages", "too small at {layer}")  # in a size trail
COLLAPSE = QT_TRANSLATE_NOOP(
    "CoreMessages", "{arch} on a {size} input: {what}. Spatial size: {trail}."
)
COLLAPSE_NEEDS = QT_TRANSLATE_NOOP(
    "CoreMessages",
    "{arch} on a {size} input: {what}. Spatial size: {trail}. It needs an input of at least "
    "{m}x{m}; resize the images (e.g. Resize({m})).",
)
COLLAPSE_FROM = QT_TRANSLATE_NOOP(
    "CoreMessages",
    "{arch} on a {size} input: {what}. Spatial size: {trail}. From a {m}x{m} input on, every "
    "feature map stays larger than 1x1 until the last convolution; consider resizing the "
    "images (e.g. Resize({m})).",
)


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
    With ``meta`` the parameters are shape-only: no memory, no weight initialisation;
    without, the random initial weights are drawn aside (core.rng: a run training
    meanwhile keeps its random numbers).
    """
    import torch

    from core.rng import drawn_aside

    with torch.device("meta") if meta else drawn_aside():
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
            return CANNOT_RUN_WINDOW.format(
                layer=label,
                shape=format_shape(in_shape),
                window=f"{geom.k[0]}x{geom.k[1]}",
                p=geom.p[0],
                need=f"{need[0]}x{need[1]}",
            )
    return CANNOT_RUN.format(layer=label, shape=format_shape(in_shape), reason=torch_error)


def size_trail(result: TraceResult, limit: int = 10) -> str:
    """How the spatial size shrinks, e.g. '28x28 -> 6x6 (features.0) -> 2x2 (features.2)'."""
    steps = [f"{result.input_shape[1]}x{result.input_shape[2]}"]
    last = tuple(result.input_shape[1:])
    for row in result.rows:
        if len(row.out_shape) == 3 and tuple(row.out_shape[1:]) != last:
            last = tuple(row.out_shape[1:])
            steps.append(f"{last[0]}x{last[1]} ({row.layer.split(' ')[0]})")
        elif row.error:
            steps.append(TOO_SMALL_AT.format(layer=row.layer.split(" ")[0]))
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
        what = COLLAPSED_AFTER.format(layer=row.layer, shape=format_shape(row.out_shape))
    m = result.min_input_size
    template = COLLAPSE_NEEDS if m and result.error else COLLAPSE_FROM if m else COLLAPSE
    return template.format(
        arch=result.arch, size=f"{h}x{w}", what=what, trail=size_trail(result), m=m
    )
