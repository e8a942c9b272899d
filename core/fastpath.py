"""Opt-in fast path for single pictures on a CPU: conv weights packed for oneDNN once.

In eager mode PyTorch hands each conv weight to oneDNN in PyTorch's layout and oneDNN
reorders it on every call: for resnet18 at batch 1 that rewrites ~45 MB per forward
pass, about a quarter of its time on a 2-core CPU. torch.compile's freezing packs the
weights once with the oneDNN ops used here. They are private ops (leading underscores,
the ones inductor emits), so this module is used only when a caller asks for it
(``Predictor.warm_up(fast_single=True)``, which the Predict panel does), checks the
packed copy against the model it replaces, and falls back to that model when the ops
are missing or disagree, saying so once in the log.

Keep it only while bench/bench_predict.py shows it faster than the folded model on
the machines we measure (it prints both).
"""

from __future__ import annotations

import copy
import logging

import torch

log = logging.getLogger("convstudio.fastpath")
_warned = False


def _fall_back(model: torch.nn.Module, reason: str) -> torch.nn.Module:
    global _warned
    if not _warned:  # once per process: every later load would say the same
        _warned = True
        log.warning("single-picture fast path not used: %s; the folded model runs instead", reason)
    return model


class PackedConv2d(torch.nn.Module):
    """A Conv2d whose weight oneDNN has reordered into its own layout once, not per call."""

    def __init__(self, conv: torch.nn.Conv2d, input_shape: list[int]) -> None:
        super().__init__()
        ops = torch.ops.mkldnn
        self.args = (list(conv.padding), list(conv.stride), list(conv.dilation), conv.groups)
        with torch.no_grad():
            self.packed = ops._reorder_convolution_weight(
                conv.weight.detach(), *self.args, input_shape
            )
        self.bias = conv.bias.detach() if conv.bias is not None else None

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.ops.mkldnn._convolution_pointwise(
            x, self.packed, self.bias, *self.args, "none", [None], ""
        )


def _plain_convs(model: torch.nn.Module) -> list[tuple[str, torch.nn.Conv2d]]:
    return [
        (name, m)
        for name, m in model.named_modules()
        if type(m) is torch.nn.Conv2d
        and m.padding_mode == "zeros"
        and not isinstance(m.padding, str)
    ]


def _input_shapes(model: torch.nn.Module, convs, example: torch.Tensor):
    """Each conv's input shape for ``example``, and the model's output for it."""
    shapes: dict[str, list[int]] = {}

    def record(name: str):
        def hook(_module, inputs) -> None:  # None: the inputs stay as they are
            shapes.setdefault(name, list(inputs[0].shape))

        return hook

    hooks = [m.register_forward_pre_hook(record(name)) for name, m in convs]
    try:
        with torch.inference_mode():
            reference = model(example)
    finally:
        for hook in hooks:
            hook.remove()
    return shapes, reference


def pack_convs(model: torch.nn.Module, example: torch.Tensor) -> torch.nn.Module:
    """A copy of an eval ``model`` with its Conv2d weights packed for inputs like ``example``.

    The copy shares every other tensor with ``model``. Returns ``model`` itself where
    oneDNN or the ops are unavailable, there is no plain conv, or the packed copy does
    not give the same logits (within 1e-4 of their largest magnitude).
    """
    ops = getattr(torch.ops, "mkldnn", None)
    if example.device.type != "cpu":
        return model
    if (
        not torch.backends.mkldnn.is_available()
        or not hasattr(ops, "_reorder_convolution_weight")
        or not hasattr(ops, "_convolution_pointwise")
    ):
        return _fall_back(model, "this PyTorch has no oneDNN weight-packing ops")
    convs = _plain_convs(model)
    if not convs:
        return model
    shapes, reference = _input_shapes(model, convs, example)
    shared = {
        id(t): t
        for m in model.modules()
        for t in (*m.parameters(recurse=False), *m.buffers(recurse=False))
    }
    try:
        packed = copy.deepcopy(model, shared)
        for name, conv in convs:
            if name in shapes:
                parent, _, attr = name.rpartition(".")
                owner = packed.get_submodule(parent) if parent else packed
                setattr(owner, attr, PackedConv2d(conv, shapes[name]))
        with torch.inference_mode():
            out = packed(example)
    except (RuntimeError, TypeError, ValueError, AttributeError) as exc:
        return _fall_back(model, f"oneDNN refused the packed weights ({type(exc).__name__})")
    scale = float(reference.abs().max()) or 1.0
    if out.shape != reference.shape:
        return _fall_back(model, "the packed copy gave another output shape")
    diff = float((out - reference).abs().max())
    if diff > 1e-4 * scale:
        return _fall_back(model, f"the packed copy's logits differed by {diff:.3g}")
    return packed
