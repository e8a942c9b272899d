"""`convcalc` from the command line, in a subprocess, against the library."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from core import convcalc as cc

ROOT = Path(__file__).resolve().parents[2]
STACK = [
    "conv:out=64,k=7,s=2,p=3",
    "bn",
    "relu",
    "maxpool:k=3,s=2,p=1",
    "conv:out=32,k=3,s=1,p=2,d=2,g=1",
    "maxpool:k=2,s=2,ceil=1",
    "avgpool:k=2",
    "adaptiveavgpool:out=1",
    "flatten",
    "linear:out=10",
]


def run_py(code: str, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run(
        [sys.executable, "-c", code, *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )


CLI = "import sys; from core.convcalc import cli_main; sys.exit(cli_main(sys.argv[1:]))"


def layer_args(specs: list[str]) -> list[str]:
    return [arg for spec in specs for arg in ("--layer", spec)]


def expected_json(shape, specs) -> list[dict]:
    return [
        {k: row.to_dict()[k] for k in ("layer", "out_shape", "params", "rf", "jump")}
        for row in cc.compute_table(shape, specs)
    ]


def test_json_matches_the_library():
    done = run_py(CLI, "--input", "3,224,224", *layer_args(STACK), "--json")
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert [{k: d[k] for k in ("layer", "out_shape", "params", "rf", "jump")} for d in data] == (
        expected_json((3, 224, 224), STACK)
    )
    assert data[0]["out_shape"] == [64, 112, 112]
    assert data[-1]["out_shape"] == [10] and data[-1]["rf"] is None


def test_text_table_is_aligned_and_has_totals():
    done = run_py(CLI, "--input", "3,224,224", *layer_args(STACK[:4]))
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0].split() == ["#", "layer", "output", "params", "rf", "jump"]
    first = next(line for line in lines if "conv:out=64" in line)
    assert "64x112x112" in first and "9,472" in first
    # columns line up: every "output" cell starts at the header's column
    col = lines[0].index("output")
    assert all(line[col - 2 : col] == "  " for line in lines[1:5])
    assert "total params: 9,600" in lines
    assert any(line.startswith("warning: layer 1 'conv:out=64") for line in lines)


def test_errors_are_one_line_and_exit_2():
    done = run_py(
        CLI, "--input", "3,32,32", "--layer", "conv:out=8,k=3", "--layer", "conv:out=4,k=q"
    )
    assert done.returncode == 2
    assert done.stderr.strip() == (
        "error: layer 2 'conv:out=4,k=q': field 'k': expected a number or an HxW pair "
        "like 3x5, got 'q'"
    )
    done = run_py(CLI, "--input", "3,x,32", "--layer", "relu")
    assert done.returncode == 2 and done.stderr.startswith("error: input '3,x,32'")
    assert len(done.stderr.strip().splitlines()) == 1
    done = run_py(CLI, "--layer", "relu")  # --input missing: argparse's error, one line
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == [done.stderr.strip()]
    assert "--input" in done.stderr


def test_preset_through_the_cli():
    done = run_py(CLI, "--input", "3,224,224", "--preset", "vgg16_features", "--json")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)[-1]["rf"] == 212


def test_arch_trace_json_and_collapse():
    pytest.importorskip("core.models", reason="core.models (registry) is not written yet")
    done = run_py(CLI, "--arch", "smallcnn", "--input", "1,28,28", "--json")
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert data[0]["out_shape"] == [32, 28, 28] and data[0]["rf"] == 3
    assert data[-1]["out_shape"] == [10]
    assert all(set(d) >= {"layer", "out_shape", "params", "rf", "jump"} for d in data)
    done = run_py(CLI, "--arch", "alexnet", "--input", "1,28,28")
    assert done.returncode == 2
    assert "63x63" in done.stderr and done.stderr.startswith("error: alexnet on a 28x28")
    assert "MaxPool2d" in done.stdout  # the table up to the collapsing layer is shown


def test_main_py_convcalc_wiring():
    cli = ROOT / "core" / "cli.py"
    if not cli.exists() or "convcalc" not in cli.read_text():
        pytest.skip("core/cli.py does not wire the convcalc subcommand yet")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    args = ["--input", "3,224,224", "--layer", "conv:out=64,k=7,s=2,p=3", "--json"]
    done = subprocess.run(
        [sys.executable, "main.py", "convcalc", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)[0]["out_shape"] == [64, 112, 112]
    bad = subprocess.run(
        [sys.executable, "main.py", "convcalc", "--input", "3,8,8", "--layer", "conv:out=1,k=9"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert bad.returncode == 2
    assert bad.stderr.strip().startswith("error: layer 1 'conv:out=1,k=9'")
