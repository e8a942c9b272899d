"""`python main.py train|predict|augment` end to end, each in a subprocess."""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from core import cli

ROOT = Path(__file__).resolve().parents[2]


def run_cli(*args: str, torch_home: Path | None = None, timeout: int = 240):
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    if torch_home is not None:
        env["TORCH_HOME"] = str(torch_home)
    return subprocess.run(
        [sys.executable, str(ROOT / "main.py"), *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env=env,
        timeout=timeout,
    )


def _one_line_error(result) -> str:
    """The single `error: ...` line of a CompletedProcess or a capsys result."""
    stderr = result.stderr if isinstance(result, subprocess.CompletedProcess) else result.err
    lines = [ln for ln in stderr.splitlines() if ln.strip()]
    assert len(lines) == 1, stderr
    assert lines[0].startswith("error: ")
    assert "Traceback" not in stderr
    return lines[0]


@pytest.fixture(scope="module")
def trained_run(tmp_path_factory):
    """One 2-epoch smallcnn run on the built-in digits, shared by the tests below."""
    base = tmp_path_factory.mktemp("cli")
    out = base / "run"
    proc = run_cli(
        "train",
        "--data",
        "builtin:digits",
        "--arch",
        "smallcnn",
        "--epochs",
        "2",
        "--out",
        str(out),
        torch_home=base / "torch_home",
    )
    assert proc.returncode == 0, proc.stderr
    return out, proc


@pytest.fixture(scope="module")
def digit_pngs(tmp_path_factory):
    from core.data import export_digit_samples

    folder = tmp_path_factory.mktemp("digits")
    return folder, export_digit_samples(folder, n_per_class=3, split="valid")


def test_train_writes_the_run_folder(trained_run):
    out, proc = trained_run
    for name in ("config.json", "metrics.csv", "summary.json", "best.pt", "last.pt"):
        assert (out / name).is_file(), name
    with open(out / "metrics.csv", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert list(rows[0]) == [
        "epoch",
        "train_loss",
        "train_acc",
        "val_loss",
        "val_acc",
        "lr",
        "seconds",
    ]
    assert [r["epoch"] for r in rows] == ["1", "2"]
    summary = json.loads((out / "summary.json").read_text())
    for key in ("best_val_acc", "best_epoch", "epochs", "train_images_per_second", "seconds"):
        assert summary[key] is not None, key
    assert summary["epochs"] == 2 and summary["stopped"] is False
    config = json.loads((out / "config.json").read_text())
    assert config["arch"] == "smallcnn" and config["augment"] == "digits"
    epoch_lines = [ln for ln in proc.stdout.splitlines() if ln.startswith("epoch ")]
    assert len(epoch_lines) == 2 and "val_acc" in epoch_lines[0]
    assert "best val_acc" in proc.stdout.splitlines()[-1]


def test_predict_json_classifies_exported_digits(trained_run, digit_pngs):
    out, _ = trained_run
    folder, files = digit_pngs
    proc = run_cli("predict", "--model", str(out / "best.pt"), "--json", "--topk", "3", str(folder))
    assert proc.returncode == 0, proc.stderr
    results = json.loads(proc.stdout)
    assert isinstance(results, list) and len(results) == len(files)
    correct = 0
    for item in results:
        assert len(item["topk"]) == 3
        assert sum(t["prob"] for t in item["topk"]) <= 1.0 + 1e-6
        correct += item["topk"][0]["class"] == Path(item["path"]).name.split("_")[0]
    assert correct / len(results) >= 0.8


def test_predict_reports_bad_files_and_writes_csv(trained_run, digit_pngs, tmp_path):
    out, _ = trained_run
    _, files = digit_pngs
    (tmp_path / "corrupt.png").write_bytes(b"\x89PNG\r\n\x1a\nnot really a png")
    (tmp_path / "empty.jpg").write_bytes(b"")
    csv_path = tmp_path / "out.csv"
    args = [str(files[0]), str(tmp_path / "corrupt.png"), str(tmp_path / "empty.jpg")]
    proc = run_cli(
        "predict", "--model", str(out / "best.pt"), "--json", "--csv", str(csv_path), *args
    )
    assert proc.returncode == 0, proc.stderr
    results = json.loads(proc.stdout)
    by_name = {Path(r["path"]).name: r for r in results}
    assert "topk" in by_name[files[0].name]
    assert by_name["corrupt.png"]["error"] and "topk" not in by_name["corrupt.png"]
    assert by_name["empty.jpg"]["error"]
    header = csv_path.read_text().splitlines()[0]
    assert header.startswith("path,top1,prob") and header.endswith("error")


def test_predict_fails_when_nothing_can_be_predicted(trained_run, tmp_path, capsys):
    out, _ = trained_run
    bad = tmp_path / "bad.png"
    bad.write_bytes(b"garbage")
    proc = run_cli("predict", "--model", str(out / "best.pt"), "--json", str(bad))
    assert proc.returncode == 1
    assert json.loads(proc.stdout)[0]["error"]
    # The model cannot be loaded: in-process (the subprocess path is the same main()).
    assert cli.main(["predict", "--model", str(tmp_path / "missing.pt"), str(bad)]) == 2
    assert "missing.pt" in _one_line_error(capsys.readouterr())
    assert cli.main(["predict", "--model", str(bad), str(bad)]) == 2
    _one_line_error(capsys.readouterr())


def test_augment_grid_is_reproducible_and_code_runs(digit_pngs, tmp_path, capsys):
    _, files = digit_pngs
    common = ["augment", "--preset", "digits", "--image", str(files[0]), "--n", "9", "--code"]
    first = run_cli(*common, "--seed", "0", "--out", str(tmp_path / "a.png"))
    second = run_cli(*common, "--seed", "0", "--out", str(tmp_path / "b.png"))
    assert first.returncode == 0 and second.returncode == 0, first.stderr + second.stderr
    assert (tmp_path / "a.png").read_bytes() == (tmp_path / "b.png").read_bytes()
    assert cli.main([*common, "--seed", "1", "--out", str(tmp_path / "c.png")]) == 0
    assert (tmp_path / "c.png").read_bytes() != (tmp_path / "a.png").read_bytes()

    from PIL import Image

    with Image.open(tmp_path / "a.png") as im:
        assert im.width > 3 * 28 and im.height > 3 * 28

    namespace: dict = {}
    exec(first.stdout, namespace)  # --code printed only the source
    assert type(namespace["transform"]).__name__ == "Compose"
    assert "RandomAffine" in first.stdout
    assert cli.main(["augment", "--preset", "seed", "--code"]) == 0
    seed_code = capsys.readouterr().out
    exec(seed_code, namespace)
    assert "RandomRotation" in seed_code and "CenterCrop" in seed_code


@pytest.mark.parametrize(
    "args",
    [
        ["train", "--epochs", "many"],
        ["train", "--optimizer", "rmsprop"],
        ["predict", "--json"],
        ["augment", "--image", "x.png"],
        ["predict", "--model"],
    ],
)
def test_usage_errors_are_one_line_exit_2(args):
    proc = run_cli(*args)
    assert proc.returncode == 2
    _one_line_error(proc)


def test_bad_input_is_one_line_exit_2(tmp_path, capsys):
    out = str(tmp_path / "r")
    proc = run_cli("train", "--data", str(tmp_path / "nowhere"), "--epochs", "1", "--out", out)
    assert proc.returncode == 2
    assert "nowhere" in _one_line_error(proc)
    assert cli.main(["train", "--arch", "resnet9000", "--out", out]) == 2
    assert "arch" in _one_line_error(capsys.readouterr())
    assert cli.main(["train", "--epochs", "0", "--out", out]) == 2
    assert "epochs" in _one_line_error(capsys.readouterr())
    assert cli.main(["augment", "--preset", "nope", "--image", "x.png"]) == 2
    _one_line_error(capsys.readouterr())


@pytest.mark.parametrize("sub", ["train", "predict", "augment", "convcalc"])
def test_help_for_each_subcommand(sub):
    proc = run_cli(sub, "--help")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("usage:") and sub in proc.stdout
