"""`python main.py evaluate`: --json, --csv and --report, and its exit codes."""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from core import cli
from tests import evalkit

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def outputs(tmp_path_factory):
    """One subprocess run with --json, --csv and --report on the made folder, whole."""
    data, run = evalkit.trained_folder()
    out = tmp_path_factory.mktemp("evaluate_cli")
    proc = subprocess.run(
        [sys.executable, str(ROOT / "main.py"), "evaluate", "--model", str(run / "best.pt")]
        + ["--data", str(data), "--split", "all", "--json"]
        + ["--csv", str(out / "p.csv"), "--report", str(out / "report")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        timeout=240,
    )
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout), out


def test_json_has_the_documented_shape(outputs):
    data, _ = outputs
    for key in ("accuracy", "topk_accuracy", "classes", "confusion", "per_class", "macro_f1"):
        assert key in data
    assert data["classes"] == list(evalkit.CLASSES) and data["skipped"] == []
    assert sum(map(sum, data["confusion"])) == len(data["images"]) == 160
    assert set(data["per_class"][0]) >= {"class", "precision", "recall", "f1", "support"}
    assert set(data["images"][0]) == {"path", "true", "pred", "prob", "true_prob", "loss"}
    assert 0 <= data["ece"] <= 1 and data["accuracy"] < 1  # the mislabelled ones are wrong


def test_csv_and_report(outputs):
    data, out = outputs
    with open(out / "p.csv", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert list(rows[0]) == ["path", "true", "pred", "prob", "true_prob", "loss", "correct"]
    assert len(rows) == 160
    assert sum(int(r["correct"]) for r in rows) / 160 == pytest.approx(data["accuracy"])
    report = out / "report"
    for name in ("confusion.png", "reliability.png", "per_class.csv", "index.html"):
        assert (report / name).stat().st_size > 0, name
    html = (report / "index.html").read_text()
    wrong = sum(1 for r in rows if r["correct"] == "0")
    assert html.count("<figure") == min(50, wrong) == len(list((report / "thumbs").iterdir()))
    assert 'src="confusion.png"' in html and "Most confidently wrong" in html


def test_errors_are_one_line_with_meaningful_codes(capsys, tmp_path):
    assert cli.main(["evaluate", "--model", str(tmp_path / "none.pt")]) == cli.EXIT_USAGE
    assert "does not exist" in capsys.readouterr().err
    _, run = evalkit.trained_folder()
    digits = ["evaluate", "--model", str(run / "best.pt"), "--data", "builtin:digits"]
    assert cli.main(digits) == cli.EXIT_OK  # "0", "1", "7" are shared: those are evaluated
    captured = capsys.readouterr()
    assert "108 images" in captured.out and "'9': 252 images left out" in captured.err
    assert cli.main([*digits, "--split", "test"]) == cli.EXIT_USAGE
    assert "invalid choice" in capsys.readouterr().err
