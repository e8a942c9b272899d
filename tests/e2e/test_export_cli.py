"""`python main.py export` end to end: a checked TorchScript file, one-line errors with
meaningful exit codes, and the generated training script run against the app's run."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import torch

from core import cli, export
from core.checkpoint import load_bundle, model_from_bundle
from tests.e2e.test_cli import _one_line_error, run_cli

EPOCHS = 3  # the app's run and the script's: a few seconds each on two cores


@pytest.fixture(scope="module")
def app_run(tmp_path_factory):
    """A short digits/smallcnn run of the app (its CLI), with some digit PNGs."""
    from core.data import export_digit_samples

    base = tmp_path_factory.mktemp("export_cli")
    out = base / "run"
    args = f"train --data builtin:digits --arch smallcnn --epochs {EPOCHS} --out {out}"
    proc = run_cli(*args.split(), torch_home=base / "torch_home")
    assert proc.returncode == 0, proc.stderr
    export_digit_samples(base / "digits", n_per_class=2, split="valid")
    return out, base / "digits"


def test_export_from_the_cli_is_checked_against_the_bundle(app_run, tmp_path):
    run, digits = app_run
    out = tmp_path / "digits_ts.pt"  # ONNX: tests/unit/test_export.py, in process
    proc = run_cli(
        "export",
        "--model",
        str(run / "best.pt"),
        "--format",
        "torchscript",
        "--out",
        str(out),
        "--check",
        str(digits),
        "--json",
    )
    assert proc.returncode == 0, proc.stderr
    result = json.loads(proc.stdout)
    assert result["path"] == str(out) and out.stat().st_size == result["size_bytes"]
    check = result["check"]
    assert check["passed"] and check["images"] == check["top1_agree"] == 20
    assert check["max_logit_diff"] < export.MAX_LOGIT_DIFF


def test_export_errors_are_one_line_with_meaningful_exit_codes(
    app_run, tmp_path, capsys, monkeypatch
):
    best = str(app_run[0] / "best.pt")
    not_a_bundle = tmp_path / "notes.pt"
    not_a_bundle.write_text("hello")
    usage = [
        ["--model", str(tmp_path / "missing.pt"), "--format", "onnx", "--out", "m.onnx"],
        ["--model", best, "--format", "onnx", "--out", str(tmp_path / "no" / "m.onnx")],
        ["--model", best, "--format", "script", "--out", "x.py", "--check", best],
        ["--model", best, "--format", "tflite", "--out", "m.tflite"],
        ["--model", str(not_a_bundle), "--format", "torchscript", "--out", str(tmp_path / "m.pt")],
    ]
    for args in usage:
        assert cli.main(["export", *args]) == cli.EXIT_USAGE, args
        _one_line_error(capsys.readouterr())
    monkeypatch.setitem(sys.modules, "onnx", None)  # the extra is not installed
    out = str(tmp_path / "m.onnx")
    assert cli.main(["export", "--model", best, "--format", "onnx", "--out", out]) == 1
    assert 'pip install -e ".[export]"' in _one_line_error(capsys.readouterr())
    real_runner = export._runner
    monkeypatch.setattr(export, "_runner", lambda f, p: lambda x: real_runner(f, p)(x) * 1.01)
    out = str(tmp_path / "m.pt")
    assert cli.main(["export", "--model", best, "--format", "torchscript", "--out", out]) == 1
    assert "does not predict what the bundle predicts" in _one_line_error(capsys.readouterr())
    assert not Path(out).exists()


def test_the_generated_script_trains_like_the_app(app_run, tmp_path, capsys):
    run, _ = app_run
    script = tmp_path / "train_again.py"
    assert (
        cli.main(
            ["export", "--model", str(run / "best.pt"), "--format", "script", "--out", str(script)]
        )
        == 0
    )
    assert "wrote" in capsys.readouterr().out
    state = tmp_path / "best_state_dict.pt"
    proc = subprocess.run(
        [sys.executable, str(script), "--out", str(state)],
        cwd=tmp_path,
        env={**os.environ, "OMP_WAIT_POLICY": "PASSIVE"},  # as the CLI run: fair on a busy CPU
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.strip().splitlines()
    assert len(lines) == EPOCHS + 1 and lines[0].startswith(f"epoch 1/{EPOCHS}")
    assert lines[-1].startswith("best_val_acc: 0.")
    script_acc = float(lines[-1].split(": ")[1])
    app_acc = json.loads((run / "summary.json").read_text())["best_val_acc"]
    assert abs(script_acc - app_acc) <= 0.02, (script_acc, app_acc)
    # the script's best weights fit the app's network as they are
    weights = torch.load(state, map_location="cpu", weights_only=True)
    model_from_bundle(load_bundle(run / "best.pt")).load_state_dict(weights, strict=True)


def test_snippet_export_writes_a_runnable_file(app_run, tmp_path, capsys):
    out = tmp_path / "use_model.py"
    assert (
        cli.main(
            [
                "export",
                "--model",
                str(app_run[0] / "best.pt"),
                "--format",
                "snippet",
                "--out",
                str(out),
                "--json",
            ]
        )
        == 0
    )
    assert json.loads(capsys.readouterr().out)["check"] is None
    compile(out.read_text(encoding="utf-8"), str(out), "exec")
