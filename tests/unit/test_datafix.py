"""core.datafix: moves, set-asides and undos change exactly the files they name, and log them."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from core import datafix
from core.folders import scan_folder


def _files(root: Path) -> set[str]:
    return {str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()}


@pytest.fixture
def dataset(tmp_path) -> Path:
    root = tmp_path / "data"
    for split, cls, name in [
        ("train", "cat", "a.png"),
        ("train", "cat", "b.png"),
        ("train", "dog", "c.png"),
        ("valid", "cat", "d.png"),
        ("valid", "dog", "e.png"),
        ("valid", "dog", "sub/f.png"),
    ]:
        path = root / split / cls / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(name.encode())  # each file's content names it
    return root


def _log(root: Path) -> list[list[str]]:
    with open(root / datafix.CHANGES_CSV, newline="") as fh:
        return list(csv.reader(fh))


def test_move_set_aside_and_undo_touch_exactly_the_named_files(dataset):
    before = _files(dataset)
    moved = datafix.move_to_class(dataset, dataset / "valid/cat/d.png", "cat", "dog")
    assert moved.dst == str(dataset / "valid/dog/d.png")
    assert _files(dataset) == before - {"valid/cat/d.png"} | {
        "valid/dog/d.png",
        datafix.CHANGES_CSV,
    }
    assert (dataset / "valid/dog/d.png").read_bytes() == b"d.png"
    aside = datafix.set_aside(dataset, dataset / "valid/dog/sub/f.png")
    assert Path(aside.dst) == dataset / "_set_aside/valid/dog/sub/f.png"
    assert not (dataset / "valid/dog/sub/f.png").exists()
    datafix.undo(dataset, aside)
    datafix.undo(dataset, moved)
    assert _files(dataset) == before | {datafix.CHANGES_CSV}
    rows = _log(dataset)
    assert rows[0] == ["time", "action", "from", "to"]
    assert [r[1:] for r in rows[1:]] == [
        ["move", "valid/cat/d.png", "valid/dog/d.png"],
        ["set aside", "valid/dog/sub/f.png", "_set_aside/valid/dog/sub/f.png"],
        ["undo set aside", "_set_aside/valid/dog/sub/f.png", "valid/dog/sub/f.png"],
        ["undo move", "valid/dog/d.png", "valid/cat/d.png"],
    ]
    assert [c.action for c in datafix.read_changes(dataset)][0] == "move"


def test_nothing_is_overwritten_or_deleted(dataset):
    (dataset / "train/dog/a.png").write_bytes(b"another a")
    change = datafix.move_to_class(dataset, dataset / "train/cat/a.png", "cat", "dog")
    assert Path(change.dst).name == "a (2).png"
    assert (dataset / "train/dog/a.png").read_bytes() == b"another a"
    (dataset / "train/cat/a.png").write_bytes(b"new a")  # the original place is taken again
    with pytest.raises(datafix.DataFixError, match="exists again"):
        datafix.undo(dataset, change)
    assert (dataset / "train/dog/a (2).png").read_bytes() == b"a.png"


def test_refusals(dataset, tmp_path):
    outside = tmp_path / "outside.png"
    outside.write_bytes(b"x")
    with pytest.raises(datafix.DataFixError, match="not inside"):
        datafix.set_aside(dataset, outside)
    with pytest.raises(datafix.DataFixError, match="no longer there"):
        datafix.set_aside(dataset, dataset / "train/cat/missing.png")
    with pytest.raises(datafix.DataFixError, match="not inside a folder of the class"):
        datafix.move_to_class(dataset, dataset / "train/cat/a.png", "dog", "cat")
    with pytest.raises(datafix.DataFixError, match="not a class folder name"):
        datafix.move_to_class(dataset, dataset / "train/cat/a.png", "cat", "../x")
    assert not (dataset / datafix.CHANGES_CSV).exists()  # nothing happened, nothing logged


def test_set_aside_images_are_not_a_class_when_scanned(tmp_path):
    from PIL import Image

    root = tmp_path / "flat"
    for cls in ("a", "b"):
        for i in range(3):
            (root / cls).mkdir(parents=True, exist_ok=True)
            Image.new("RGB", (8, 8), (i * 40, 0, 0)).save(root / cls / f"{i}.png")
    datafix.set_aside(root, root / "a/0.png")
    _, _, summary = scan_folder(root)
    assert summary.class_names == ["a", "b"] and summary.class_totals() == {"a": 2, "b": 3}
