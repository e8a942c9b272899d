"""The core package never imports Qt: it must run headless (CLI, servers, torchrun)."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CORE = ROOT / "core"
FORBIDDEN = ("PySide6", "PyQt5", "PyQt6", "PySide2", "pyqtgraph", "shiboken6", "gui")


def imported_modules(path: Path) -> set[str]:
    """Top-level names of every module a file imports, wherever the import statement is."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
        elif isinstance(node, ast.Call) and getattr(
            node.func, "attr", getattr(node.func, "id", "")
        ) in (
            "import_module",
            "__import__",
        ):
            if (
                node.args
                and isinstance(node.args[0], ast.Constant)
                and isinstance(node.args[0].value, str)
            ):
                names.add(node.args[0].value.split(".")[0])
    return names


def core_files() -> list[Path]:
    return sorted(CORE.rglob("*.py"))


def test_the_scan_sees_imports(tmp_path):
    sample = tmp_path / "m.py"
    sample.write_text("def f():\n    from PySide6.QtCore import QObject\nimport pyqtgraph as pg\n")
    assert {"PySide6", "pyqtgraph"} <= imported_modules(sample)


def test_no_core_file_imports_qt():
    files = core_files()
    assert any(p.name == "data.py" for p in files), "core/ has no modules to check"
    offenders = {
        str(p.relative_to(ROOT)): sorted(imported_modules(p) & set(FORBIDDEN)) for p in files
    }
    offenders = {k: v for k, v in offenders.items() if v}
    assert offenders == {}, f"core modules import Qt or the GUI: {offenders}"


def test_importing_every_core_module_loads_no_qt():
    modules = ["core." + p.stem for p in sorted(CORE.glob("*.py")) if p.stem != "__init__"]
    code = (
        "import importlib, json, sys\n"
        f"mods = {modules!r}\n"
        "failed = {}\n"
        "for m in mods:\n"
        "    try:\n"
        "        importlib.import_module(m)\n"
        "    except Exception as exc:\n"
        "        failed[m] = repr(exc)\n"
        f"bad = sorted(n for n in sys.modules if n.split('.')[0] in {FORBIDDEN!r})\n"
        "print(json.dumps({'bad': bad, 'failed': failed, 'loaded': [m for m in mods if m in sys.modules]}))\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert proc.returncode == 0, proc.stderr
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    assert "core.data" in result["loaded"]
    assert result["bad"] == [], f"importing core pulled in: {result['bad']}"
