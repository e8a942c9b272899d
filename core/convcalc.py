"""The convolution calculator: output sizes, parameters and receptive fields; its CLI twin.

The notes teach ``H2 = (H - F + 2P) / S + 1``. The calculator does that arithmetic the
way PyTorch really does it, for one layer, for a stack written as short text specs
(``conv:out=64,k=7,s=2,p=3``), and for a real registry model traced with forward hooks.
It lives in three modules, whose public names this one gathers (import them from here):

- :mod:`core.convlayers`: per-axis arithmetic, the layer types, the receptive field;
- :mod:`core.convstack`: spec parsing, the per-layer table, the preset stacks;
- :mod:`core.convtrace`: the shape trace of a registry model (imports torch lazily).

This module adds the ``convcalc`` command line (``python main.py convcalc``).
Import-light on purpose: the GUI needs it before PyTorch has loaded, so torch is only
imported when a model is traced.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence

from core.convlayers import (
    AXIS_NAMES,
    AdaptiveAvgPool,
    BatchNorm,
    Conv,
    ConvCalcError,
    Dropout,
    Flatten,
    Geometry,
    Layer,
    Linear,
    Pair,
    Pool,
    ReLU,
    RFState,
    Shape,
    conv_out_size,
    effective_kernel,
    formula_parts,
    formula_text,
    pool_out_size,
    same_padding,
)
from core.convstack import (
    ALIASES,
    LAYER_KEYS,
    PRESETS,
    SPEC_HELP,
    LayerResult,
    Preset,
    compute_table,
    format_pair,
    format_shape,
    format_table,
    parse_input,
    parse_layer,
    parse_stack,
    total_params,
)
from core.convtrace import (
    TOO_SMALL_AT,
    TraceResult,
    collapse_message,
    find_min_input_size,
    size_trail,
    trace_model,
)

__all__ = [
    "ALIASES",
    "AXIS_NAMES",
    "LAYER_KEYS",
    "PRESETS",
    "SPEC_HELP",
    "AdaptiveAvgPool",
    "BatchNorm",
    "Conv",
    "ConvCalcError",
    "Dropout",
    "Flatten",
    "Geometry",
    "Layer",
    "LayerResult",
    "Linear",
    "Pair",
    "Pool",
    "Preset",
    "RFState",
    "ReLU",
    "Shape",
    "TraceResult",
    "add_arguments",
    "cli_main",
    "collapse_message",
    "compute_table",
    "conv_out_size",
    "effective_kernel",
    "find_min_input_size",
    "format_pair",
    "format_shape",
    "format_table",
    "TOO_SMALL_AT",
    "formula_parts",
    "formula_text",
    "parse_input",
    "parse_layer",
    "parse_stack",
    "pool_out_size",
    "run_args",
    "same_padding",
    "size_trail",
    "total_params",
    "trace_model",
]


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
