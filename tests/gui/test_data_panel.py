"""The Data panel: digits overview, folder scan with bad files, folder drop, errors."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from PySide6.QtCore import QMimeData, Qt
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import QApplication, QFileDialog

from gui import tasks
from gui.data import DataPanel, scan
from tests.gui.drag import drag_events, url_mime

SCAN_TIMEOUT_MS = 60_000  # the first scan imports torch and scikit-learn in the pool thread


def make_folder(root: Path, counts: dict[str, int]) -> Path:
    for k, (name, n) in enumerate(counts.items()):
        (root / name).mkdir(parents=True, exist_ok=True)
        for i in range(n):
            Image.new("RGB", (16, 12), (40 * k, 90, 11 * i % 256)).save(root / name / f"{i}.png")
    return root


@pytest.fixture
def panel(qtbot):
    widget = DataPanel()
    qtbot.addWidget(widget)
    yield widget
    widget.shutdown()


def table_rows(panel: DataPanel) -> list[tuple]:
    table = panel.class_table
    return [
        tuple(
            table.item(r, c).data(Qt.ItemDataRole.DisplayRole) for c in range(table.columnCount())
        )
        for r in range(table.rowCount())
    ]


def test_importing_the_panel_loads_no_torch():
    code = (
        "import sys, gui.data; "
        "print(sorted(m for m in ('torch', 'torchvision', 'core.data', 'pyqtgraph') if m in sys.modules))"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code],
        cwd=Path(__file__).resolve().parents[2],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "[]"


def test_digits_show_ten_classes_with_counts(panel, qtbot):
    from core.data import digits_images

    with qtbot.waitSignal(panel.dataset_changed, timeout=SCAN_TIMEOUT_MS) as sig:
        panel.digits_button.click()
    assert sig.args == ["builtin:digits"]
    assert panel.source() == "builtin:digits"
    _, y_train, _, y_valid, names = digits_images()
    expected = [
        (name, int(np.sum(np.array(y_train) == i)), int(np.sum(np.array(y_valid) == i)))
        for i, name in enumerate(names)
    ]
    rows = table_rows(panel)
    assert [r[:3] for r in rows] == expected
    assert all(r[3] == r[1] + r[2] for r in rows)
    assert sum(r[1] for r in rows) == 1437 and sum(r[2] for r in rows) == 360
    heights = panel.chart_heights()
    assert heights["train"] == [float(e[1]) for e in expected]
    assert heights["valid"] == [float(e[2]) for e in expected]
    # headroom above the tallest bar keeps the legend (top right) off the bars
    top = panel.counts.chart.getPlotItem().viewRange()[1][1]
    assert top >= 1.25 * max(heights["train"])
    assert panel.thumbnail_counts() == {name: scan.THUMBS_PER_CLASS for name in names}
    assert panel.warnings() == ["No problems found."]
    assert not panel.skipped_table.isVisibleTo(panel)
    assert not panel.is_scanning()


def test_folder_with_bad_file_shows_skipped_warning(panel, qtbot, tmp_path):
    root = make_folder(tmp_path / "pets", {"cats": 6, "dogs": 6})
    bad = root / "dogs" / "broken.jpg"
    bad.write_bytes(b"\xff\xd8\xff\xe0 this is not really a jpeg")
    (root / "cats" / "empty.png").write_bytes(b"")
    progress = []
    panel.progress_bar.valueChanged.connect(progress.append)
    with qtbot.waitSignal(panel.dataset_changed, timeout=SCAN_TIMEOUT_MS) as sig:
        panel.select_folder(str(root))
    assert sig.args == [str(root.resolve())]
    assert [r[0] for r in table_rows(panel)] == ["cats", "dogs"]
    assert sum(r[3] for r in table_rows(panel)) == 12
    text = " ".join(panel.warnings())
    assert "2 files were skipped" in text
    rows = dict(panel.skipped_rows())
    assert set(rows) == {str(bad.resolve()), str((root / "cats" / "empty.png").resolve())}
    assert "empty" in rows[str((root / "cats" / "empty.png").resolve())]
    assert panel.skipped_table.isVisibleTo(panel)
    assert progress and max(progress) == 14  # every file was checked
    assert not panel.progress_bar.isVisibleTo(panel)


def test_tiny_and_imbalanced_classes_are_warned(panel, qtbot, tmp_path):
    root = make_folder(tmp_path / "d", {"many": 26, "few": 3})
    with qtbot.waitSignal(panel.dataset_changed, timeout=SCAN_TIMEOUT_MS):
        panel.set_source(str(root))
    text = " ".join(panel.warnings())
    assert "'few' has only 3 images" in text
    assert "imbalanced" in text


def _drag_events(folder: Path) -> tuple[QDragEnterEvent, QDropEvent, QMimeData]:
    """Real drag events carrying the folder's URL (the mime data must outlive them)."""
    mime = url_mime(folder)
    return (*drag_events(mime), mime)


def test_dropping_a_folder_scans_it(panel, qtbot, tmp_path):
    root = make_folder(tmp_path / "shapes", {"a": 5, "b": 5, "c": 5})
    panel.show()
    qtbot.waitExposed(panel)
    enter, drop, _mime = _drag_events(root)
    QApplication.sendEvent(panel, enter)
    assert enter.isAccepted()
    with qtbot.waitSignal(panel.dataset_changed, timeout=SCAN_TIMEOUT_MS) as sig:
        QApplication.sendEvent(panel, drop)
        assert drop.isAccepted()
    assert sig.args == [str(root.resolve())]
    assert [r[0] for r in table_rows(panel)] == ["a", "b", "c"]


def test_dropping_image_files_is_left_to_the_window(panel, tmp_path):
    image = tmp_path / "x.png"
    Image.new("RGB", (4, 4)).save(image)
    enter, _drop, _mime = _drag_events(image)
    QApplication.sendEvent(panel, enter)
    assert not enter.isAccepted()
    assert not panel.is_scanning()


def test_dropping_files_with_a_folder_is_left_to_the_window(panel, tmp_path):
    """Images plus a folder are a batch to predict: the panel must not open the folder."""
    image = tmp_path / "x.png"
    Image.new("RGB", (4, 4)).save(image)
    folder = make_folder(tmp_path / "more", {"a": 2})
    mime = url_mime(image, folder)
    enter, _drop = drag_events(mime)
    QApplication.sendEvent(panel, enter)
    assert not enter.isAccepted()
    assert not panel.is_scanning()


def test_open_folder_button_uses_the_dialog(panel, qtbot, tmp_path, monkeypatch):
    root = make_folder(tmp_path / "picked", {"x": 5, "y": 5})
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", lambda *a, **k: str(root))
    with qtbot.waitSignal(panel.dataset_changed, timeout=SCAN_TIMEOUT_MS) as sig:
        panel.folder_button.click()
    assert sig.args == [str(root.resolve())]


def test_scan_error_is_shown_and_previous_dataset_kept(panel, qtbot, tmp_path):
    good = make_folder(tmp_path / "good", {"a": 5, "b": 5})
    with qtbot.waitSignal(panel.dataset_changed, timeout=SCAN_TIMEOUT_MS):
        panel.set_source(str(good))
    empty = tmp_path / "nothing"
    empty.mkdir()
    changed = []
    panel.dataset_changed.connect(changed.append)
    with qtbot.waitSignal(panel.scan_failed, timeout=SCAN_TIMEOUT_MS) as sig:
        panel.set_source(str(empty))
    assert "No class folders" in sig.args[0]
    assert panel.error_label.isVisibleTo(panel)
    assert "No class folders" in panel.error_label.text()
    assert changed == []
    assert panel.source() == str(good.resolve())
    assert [r[0] for r in table_rows(panel)] == ["a", "b"]


def test_a_newer_scan_replaces_an_older_one(panel, qtbot, tmp_path):
    first = make_folder(tmp_path / "first", {"a": 5, "b": 5})
    second = make_folder(tmp_path / "second", {"p": 5, "q": 5, "r": 5})
    seen = []
    panel.dataset_changed.connect(seen.append)
    panel.set_source(str(first))
    with qtbot.waitSignal(panel.scan_finished, timeout=SCAN_TIMEOUT_MS):
        panel.set_source(str(second))
    qtbot.waitUntil(lambda: tasks.running_tasks() == 0, timeout=SCAN_TIMEOUT_MS)
    assert seen == [str(second.resolve())]
    assert [r[0] for r in table_rows(panel)] == ["p", "q", "r"]


def test_scan_source_runs_without_qt_widgets(tmp_path):
    root = make_folder(tmp_path / "plain", {"a": 3, "b": 4})

    class Ctx:
        calls: list = []

        def progress(self, done, total):
            self.calls.append((done, total))

        def check(self):
            pass

    ctx = Ctx()
    result = scan.scan_source(ctx, str(root), 0.2, 0, per_class=2)
    assert result.summary.class_names == ["a", "b"]
    assert {k: len(v) for k, v in result.thumbnails.items()} == {"a": 2, "b": 2}
    assert ctx.calls[0] == (0, 7) and ctx.calls[-1] == (7, 7)


def test_cancel_stops_the_scan_and_nothing_arrives_later(panel, qtbot, tmp_path):
    root = make_folder(tmp_path / "many", {"a": 40, "b": 40})
    seen = []
    panel.dataset_changed.connect(seen.append)
    panel.set_source(str(root))
    assert panel.is_scanning() and panel.cancel_button.isVisibleTo(panel)
    panel.cancel_button.click()
    assert not panel.is_scanning()
    assert not panel.progress_bar.isVisibleTo(panel)
    qtbot.waitUntil(lambda: tasks.running_tasks() == 0, timeout=SCAN_TIMEOUT_MS)
    qtbot.wait(50)  # a result queued before the cancel must be dropped too
    assert seen == []
    assert panel.info_label.text() == "Scan cancelled."
    assert panel.result() is None


def test_new_split_settings_rescan_a_folder(panel, qtbot, tmp_path):
    root = make_folder(tmp_path / "split", {"a": 10, "b": 10})
    with qtbot.waitSignal(panel.dataset_changed, timeout=SCAN_TIMEOUT_MS):
        panel.set_source(str(root))
    assert [r[2] for r in table_rows(panel)] == [2, 2]
    with qtbot.waitSignal(panel.dataset_changed, timeout=SCAN_TIMEOUT_MS):
        panel.set_split(0.5, 0)
    assert [r[2] for r in table_rows(panel)] == [5, 5]
    panel.set_split(0.5, 0)  # the same settings: nothing to scan again
    assert not panel.is_scanning()
