"""Issue 13 #11: `predict` survives file names that are not UTF-8, in a subprocess whose
output is strict UTF-8 (as under a UTF-8 locale), printing and writing \\xNN."""

from __future__ import annotations

import csv
import os
import subprocess
import sys

import pytest
from PIL import Image

from core.checkpoint import save_bundle
from tests.e2e.test_cli import ROOT
from tests.unit.test_safety_io import _bundle


@pytest.mark.skipif(sys.platform != "linux", reason="byte file names are a Linux matter")
def test_predict_prints_and_writes_names_that_are_not_utf8(tmp_path):
    model = tmp_path / "best.pt"
    save_bundle(_bundle(), model)
    pics = tmp_path / "pics"
    pics.mkdir()
    Image.new("L", (8, 8), 90).save(os.fsdecode(bytes(pics) + b"/caf\xe9.png"))
    Image.new("L", (8, 8), 10).save(pics / "plain.png")
    out = tmp_path / "res.csv"
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONIOENCODING": "utf-8:strict"}
    env["LC_ALL"] = "C.UTF-8"
    proc = subprocess.run(
        [sys.executable, str(ROOT / "main.py"), "predict", "--model", str(model), str(pics)]
        + ["--csv", str(out)],
        capture_output=True,
        env=env,
        timeout=240,
    )
    assert proc.returncode == 0, proc.stderr.decode("utf-8", "replace")
    text = proc.stdout.decode("utf-8")  # strict: the output is valid UTF-8
    assert "caf\\xe9.png: " in text and "plain.png: " in text
    rows = list(csv.reader(out.open(newline="", encoding="utf-8")))
    assert sorted(os.path.basename(r[0]) for r in rows[1:]) == ["caf\\xe9.png", "plain.png"]
