"""The layering contracts in pyproject.toml hold (import-linter, as napari checks its own).

core never imports the GUI, Qt or pyqtgraph; no panel package imports another.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

pytest.importorskip("importlinter")
tomllib = pytest.importorskip("tomllib")  # Python 3.11+


def _lint(cwd: Path) -> subprocess.CompletedProcess:
    code = (
        "import sys; sys.path.insert(0, '.'); from importlinter.cli import lint_imports; "
        "sys.exit(lint_imports(no_cache=True))"
    )
    return subprocess.run(
        [sys.executable, "-c", code], cwd=cwd, capture_output=True, text=True, timeout=120
    )


def test_layering_contracts_are_kept():
    proc = _lint(ROOT)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "0 broken" in proc.stdout


def _copy_of_the_layout(tmp_path: Path) -> Path:
    """core/ and gui/ with every package the contracts name, empty, plus our pyproject."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]
    packages = {"core", "gui"}
    for contract in config["contracts"]:
        packages.update(contract.get("modules", []))
    for name in packages:
        folder = tmp_path.joinpath(*name.split("."))
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "__init__.py").write_text("")
    (tmp_path / "pyproject.toml").write_text((ROOT / "pyproject.toml").read_text())
    return tmp_path


@pytest.mark.parametrize(
    ("offender", "code", "named"),
    [
        ("core/bad.py", "def f():\n    import PySide6.QtCore\n", "core.bad"),
        ("gui/data/bad.py", "from gui.train import something\n", "gui.data.bad"),
    ],
)
def test_a_broken_contract_is_caught(tmp_path, offender, code, named):
    """The check can fail: core importing Qt, or one panel importing another."""
    root = _copy_of_the_layout(tmp_path)
    (root / offender).write_text(code)
    proc = _lint(root)
    assert proc.returncode != 0
    assert "BROKEN" in proc.stdout and named in proc.stdout
