"""The Evaluate panel: a cell click shows exactly its images; fixes move, log and undo files."""

from __future__ import annotations

import csv
import threading
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, Qt

from core.datafix import CHANGES_CSV
from gui.evaluate import EvaluatePanel
from gui.predict import PredictPanel
from tests import evalkit

pytest.importorskip("torch")

WAIT_MS = 60_000


@pytest.fixture(scope="module")
def run():
    return evalkit.trained_folder()


@pytest.fixture
def panel(qtbot) -> EvaluatePanel:
    widget = EvaluatePanel()
    qtbot.addWidget(widget)
    widget.resize(1200, 800)
    widget.show()
    return widget


def _fix(qtbot, action, *args) -> int:
    """A fix or undo of the panel, once its files have moved (they move on a pool thread)."""
    started = action(*args)
    panel = action.__self__
    qtbot.waitUntil(lambda: not panel.session.fixing.busy, timeout=WAIT_MS)
    return started


def _open(panel, qtbot, model, source, split=None):
    with qtbot.waitSignal(panel.evaluated, timeout=WAIT_MS):
        assert panel.open_evaluation(str(model), source and str(source), split)
    return panel.evaluation()


def test_a_cell_click_shows_exactly_that_cells_images(panel, qtbot, run):
    ev = _open(panel, qtbot, run[1] / "best.pt", run[0], "all")
    assert panel.confusion_model.rowCount() == 3 and len(ev.rows) == 160
    assert panel.gallery_rows() == ev.gallery()  # all images, most confidently wrong first
    view = panel.matrix_view
    for true, pred in ((2, 1), (1, 1), (0, 2)):
        index = panel.confusion_model.index(true, pred)
        qtbot.mouseClick(
            view.viewport(), Qt.MouseButton.LeftButton, pos=view.visualRect(index).center()
        )
        rows = panel.gallery_rows()
        assert rows == ev.cell(true, pred)
        assert all(ev.rows[r].true == true and ev.rows[r].pred == pred for r in rows)
        assert len(rows) == ev.confusion[true, pred] == panel.gallery_model.rowCount()
    panel.matrix_pane.normalise_check.setChecked(True)
    share = panel.confusion_model.data(panel.confusion_model.index(1, 1))
    assert share.endswith("%")
    table = panel.class_table
    first = panel.class_proxy.index(0, 0)
    qtbot.mouseClick(
        table.viewport(), Qt.MouseButton.LeftButton, pos=table.visualRect(first).center()
    )
    assert panel.gallery_rows() == ev.of_class(0)


def test_the_first_wrong_image_shows_its_top5_and_gradcam(panel, qtbot, run):
    ev = _open(panel, qtbot, run[1] / "best.pt", run[0], "all")
    top = panel.gallery_rows()[0]
    assert "mislabelled" in str(ev.rows[top].key)
    qtbot.waitUntil(lambda: len(panel.detail.bars.topk()) == 3, timeout=WAIT_MS)
    assert panel.detail.bars.topk()[0][0] == "1"
    panel.detail.gradcam_check.setChecked(True)
    qtbot.waitUntil(lambda: panel._cam is not None, timeout=WAIT_MS)
    qtbot.waitUntil(lambda: len(panel.gallery_model._thumbs) > 0, timeout=WAIT_MS)


def test_every_fix_button_is_whole_in_a_small_window_and_a_large_one(qtbot):
    widget = EvaluatePanel()
    qtbot.addWidget(widget)
    d = widget.detail
    viewport = d.parentWidget()  # the detail pane scrolls up and down, never sideways
    parts = (d.move_button, d.aside_button, d.undo_button, d.retrain_button, d.gradcam_check)

    def cut_off() -> list[str]:
        """The parts that stick out of the pane's right edge or are squeezed."""
        return [
            part.text()
            for part in parts
            if part.mapTo(viewport, QPoint(part.width(), 0)).x() > viewport.width()
            or part.width() < part.minimumSizeHint().width()
            or part.height() < part.minimumSizeHint().height()
        ]

    for width, columns in ((1000, 1), (1600, 2)):  # the panel in 1024- and 1600-pixel windows
        widget.resize(width, 650)
        widget.show()
        qtbot.waitUntil(lambda c=columns: d.fix_buttons.columns() == c and not cut_off())
        assert cut_off() == []


def test_move_set_aside_and_undo_from_the_panel(panel, qtbot, run, tmp_path):
    data = evalkit.copy_of_dataset(tmp_path)
    ev = _open(panel, qtbot, run[1] / "best.pt", data)
    assert ev.split == "all" and panel.detail.move_button.isEnabled()
    asked = []
    panel.confirm = lambda action, text: asked.append(action) or True
    panel.select_gallery_item(0)
    path = Path(ev.rows[panel.selected_rows()[0]].key)
    assert path.parent.name == "7" and path.name.startswith("mislabelled")
    with qtbot.waitSignal(panel.data_changed) as changed:
        assert _fix(qtbot, panel.move_selected_to, "1") == 1
    assert changed.args == [str(data)]
    assert not path.exists() and (data / "1" / path.name).is_file()
    panel.select_gallery_item(1)
    second = Path(ev.rows[panel.selected_rows()[0]].key)
    assert _fix(qtbot, panel.move_selected_to, "1") == 1 and asked == [
        "move"
    ]  # asked once per session
    panel.select_gallery_item(2)
    third = Path(ev.rows[panel.selected_rows()[0]].key)
    assert _fix(qtbot, panel.set_aside_selected) == 1 and asked == ["move", "set aside"]
    assert (data / "_set_aside" / "7" / third.name).is_file()
    assert "set aside" in panel.gallery_model.data(panel.gallery_model.index(2))
    assert panel.detail.undo_button.isEnabled() and panel.detail.retrain_button.isEnabled()
    for _ in range(3):
        assert _fix(qtbot, panel.undo) == 1
    assert path.is_file() and second.is_file() and third.is_file()
    assert not panel.detail.undo_button.isEnabled()
    with open(data / CHANGES_CSV, newline="") as fh:
        actions = [row["action"] for row in csv.DictReader(fh)]
    assert actions == ["move", "move", "set aside", "undo set aside", "undo move", "undo move"]
    with qtbot.waitSignal(panel.retrain_requested) as retrain:
        panel.detail.retrain_button.setEnabled(True)
        panel.detail.retrain_button.click()
    assert retrain.args == [str(data)]


def test_files_move_off_the_gui_thread_and_a_stop_keeps_what_moved(
    panel, qtbot, run, tmp_path, monkeypatch
):
    from core import datafix

    data = evalkit.copy_of_dataset(tmp_path)
    ev = _open(panel, qtbot, run[1] / "best.pt", data)
    panel.confirm = lambda action, text: True
    real, threads = datafix.set_aside, []

    def aside(root, path):  # Cancel pressed while the third file moves
        threads.append(threading.current_thread())
        if len(threads) == 3:
            panel.session.stop_fixing()  # what Cancel does (a thread-safe flag)
        return real(root, path)

    monkeypatch.setattr(datafix, "set_aside", aside)
    panel.gallery_view.selectAll()
    rows = panel.selected_rows()
    paths = [Path(ev.rows[r].key) for r in rows]
    assert len(rows) == len(ev.rows) > 10
    with qtbot.waitSignal(panel.session.fixed, timeout=WAIT_MS) as fixed:
        assert panel.set_aside_selected() == len(rows)
        # moving: the progress counts files, and no other fix, undo or evaluation starts
        assert panel.source_bar.progress_bar.isVisibleTo(panel)
        assert "files moved" in panel.source_bar.progress_bar.format()
        assert not panel.detail.aside_button.isEnabled()
        assert panel.session.move_rows(rows[-1:], "1") == 0
        assert panel.undo() == 0 and "being moved" in panel.message()
        assert not panel.session.evaluate()
    qtbot.waitUntil(lambda: not panel.is_busy(), timeout=WAIT_MS)
    assert threads and threading.main_thread() not in threads
    assert fixed.args == [rows[:3]] and "Stopped" in panel.message()
    assert [p.exists() for p in paths] == [False] * 3 + [True] * (len(paths) - 3)
    assert all((data / "_set_aside" / p.parent.name / p.name).is_file() for p in paths[:3])
    assert panel.detail.undo_button.isEnabled()
    real_undo, undone = datafix.undo, []

    def undo(root, change):  # Cancel pressed while the first file goes back
        undone.append(change)
        if len(undone) == 1:
            panel.session.stop_fixing()
        return real_undo(root, change)

    monkeypatch.setattr(datafix, "undo", undo)
    assert _fix(qtbot, panel.undo) == 3
    assert "not put back" in panel.message() and sum(p.is_file() for p in paths[:3]) == 1
    assert panel.detail.undo_button.isEnabled()  # the other two can still be put back
    assert _fix(qtbot, panel.undo) == 2 and all(p.is_file() for p in paths)
    with open(data / CHANGES_CSV, newline="") as fh:
        actions = [row["action"] for row in csv.DictReader(fh)]
    assert actions == ["set aside"] * 3 + ["undo set aside"] * 3


def test_no_fix_or_undo_while_an_evaluation_runs(panel, qtbot, run, tmp_path):
    data = evalkit.copy_of_dataset(tmp_path)
    _open(panel, qtbot, run[1] / "best.pt", data)
    path = _fix_first(panel, qtbot)
    panel.select_gallery_item(1)
    with qtbot.waitSignal(panel.evaluated, timeout=WAIT_MS):
        assert panel.session.evaluate()  # again: its rows will replace those on show
        assert not panel.detail.aside_button.isEnabled()
        assert not panel.detail.undo_button.isEnabled()
        assert panel.set_aside_selected() == 0 and "evaluation is running" in panel.message()
        assert panel.undo() == 0 and not path.exists()
    qtbot.waitUntil(lambda: not panel.is_busy(), timeout=WAIT_MS)
    assert panel.detail.undo_button.isEnabled()
    assert _fix(qtbot, panel.undo) == 1 and path.is_file()


def _fix_first(panel, qtbot) -> Path:
    """Set the gallery's first image aside; returns where its file was."""
    panel.confirm = lambda action, text: True
    panel.select_gallery_item(0)
    path = Path(panel.evaluation().rows[panel.selected_rows()[0]].key)
    assert _fix(qtbot, panel.set_aside_selected) == 1 and not path.exists()
    return path


def test_each_dataset_keeps_its_undo_history_across_evaluations(panel, qtbot, run, tmp_path):
    model = run[1] / "best.pt"
    first = evalkit.copy_of_dataset(tmp_path / "a")
    second = evalkit.copy_of_dataset(tmp_path / "b")
    _open(panel, qtbot, model, first)
    in_first = _fix_first(panel, qtbot)
    _open(panel, qtbot, model, second)  # e.g. a run's evaluation opened meanwhile
    assert not panel.detail.undo_button.isEnabled()  # undo is for the dataset on show
    assert "can be undone when that dataset is open" in panel.message()
    in_second = _fix_first(panel, qtbot)
    assert _fix(qtbot, panel.undo) == 1 and in_second.is_file()
    assert _fix(qtbot, panel.undo) == 0 and "Nothing to undo in this dataset" in panel.message()
    _open(panel, qtbot, model, str(first) + "/")  # the same folder, spelled differently
    assert panel.detail.undo_button.isEnabled()
    assert _fix(qtbot, panel.undo) == 1 and in_first.is_file()
    assert not panel.detail.undo_button.isEnabled()


def test_a_finished_run_does_not_replace_an_evaluation_the_user_works_in(qtbot, run, tmp_path):
    from gui.main_window import MainWindow

    window = MainWindow(load_torch_now=False)
    qtbot.addWidget(window)
    evaluate = window.evaluate_panel
    best = str(run[1] / "best.pt")
    data = evalkit.copy_of_dataset(tmp_path)
    _open(evaluate, qtbot, best, data)
    moved = _fix_first(evaluate, qtbot)
    qtbot.waitUntil(lambda: not evaluate.is_busy(), timeout=WAIT_MS)  # its task's "done"
    window._on_run_finished(str(run[1]), best)  # offered, not opened
    assert not evaluate.is_busy() and evaluate.evaluation().source == str(data)
    assert evaluate.run_note.isVisibleTo(evaluate) and run[1].name in evaluate.run_note.text()
    assert evaluate.detail.undo_button.isEnabled()
    with qtbot.waitSignal(evaluate.evaluated, timeout=WAIT_MS):
        evaluate.run_note.linkActivated.emit("open")
    assert evaluate.evaluation().split == "valid" and not evaluate.run_note.isVisibleTo(evaluate)
    _open(evaluate, qtbot, best, data)
    assert _fix(qtbot, evaluate.undo) == 1 and moved.is_file()
    window.shutdown()


def test_the_builtin_dataset_is_read_only(panel, qtbot, run):
    ev = _open(panel, qtbot, run[1] / "best.pt", "builtin:digits")  # "0", "1", "7" shared
    assert ev.builtin() and len(ev.rows) == 108 and "left out" in panel.message()
    panel.select_gallery_item(0)
    for button in (panel.detail.move_button, panel.detail.aside_button):
        assert not button.isEnabled() and "read-only" in button.toolTip()
    assert _fix(qtbot, panel.move_selected_to, "1") == 0


def test_predict_panel_offers_evaluate_for_a_labelled_folder(qtbot, run):
    predict = PredictPanel()
    qtbot.addWidget(predict)
    with qtbot.waitSignal(predict.model_loaded, timeout=WAIT_MS):
        predict.load_model(str(run[1] / "best.pt"))
    with qtbot.waitSignal(predict.predictions_ready, timeout=WAIT_MS):
        predict.predict_paths([str(run[0])])
    qtbot.waitUntil(lambda: predict.labelled_note.isVisibleTo(predict), timeout=WAIT_MS)
    assert "labelled folder" in predict.labelled_note.label.text()
    with qtbot.waitSignal(predict.evaluate_requested) as asked:
        predict.labelled_note.button.click()
    assert asked.args == [str(run[1] / "best.pt"), str(run[0])]
    with qtbot.waitSignal(predict.predictions_ready, timeout=WAIT_MS):
        predict.predict_paths([str(run[0] / "0" / "0_000.png")])
    qtbot.waitUntil(lambda: not predict.labelled_note.isVisibleTo(predict), timeout=WAIT_MS)


def test_ten_thousand_images_read_only_the_thumbnails_on_screen(panel, qtbot):
    from PIL import Image

    from core.evalresult import Evaluation, ImageRow, summarise
    from gui.evaluate.jobs import Opened

    names = ["a", "b", "c"]
    rows = [ImageRow(i, i % 3, (i * 7) % 3, 0.4 + (i % 50) / 100, 0.3, 0.5) for i in range(10_000)]
    ev = Evaluation(names, rows, summarise(rows, names), source="builtin:digits", split="all")
    asked: list[int] = []
    panel.gallery_model.thumbs_wanted.connect(asked.extend)
    picture = Image.new("L", (28, 28), 128)
    panel.session._on_opened(Opened(ev, None, "model.pt", dict.fromkeys(range(10_000), picture)))
    assert len(panel.gallery_rows()) == 10_000 and panel.gallery_rows() == ev.gallery()
    qtbot.waitUntil(lambda: len(panel.gallery_model._thumbs) > 0, timeout=WAIT_MS)
    assert 0 < len(asked) < 300  # what the view paints, not 10,000


def _made_up_opened(keys, images=None):
    from core.evalresult import Evaluation, ImageRow, summarise
    from gui.evaluate.jobs import Opened

    names = ["a", "b", "c"]
    rows = [ImageRow(k, i % 3, (i * 7) % 3, 0.9, 0.3, 0.5) for i, k in enumerate(keys)]
    source = "builtin:digits" if images is not None else "/nowhere"
    ev = Evaluation(names, rows, summarise(rows, names), source=source, split="all")
    return Opened(ev, None, "model.pt", images)


def _decoration_keys(model) -> list[int]:
    return [
        model.data(model.index(i), Qt.ItemDataRole.DecorationRole).cacheKey()
        for i in range(model.rowCount())
    ]


def test_a_failed_thumbnail_task_frees_its_rows_and_marks_them_broken(panel, qtbot, monkeypatch):
    from PIL import Image

    from gui.evaluate import jobs

    real_thumbs = jobs.thumbs_task
    calls: list[list[int]] = []

    def failing(ctx, wanted, *args, **kwargs):
        calls.append([row for row, _ in wanted])
        raise RuntimeError("no thumbnails today")

    monkeypatch.setattr(jobs, "thumbs_task", failing)
    picture = Image.new("L", (28, 28), 128)
    model = panel.gallery_model
    with qtbot.waitSignal(panel.session.thumbs_failed, timeout=WAIT_MS) as failed:
        panel.session._on_opened(_made_up_opened(range(12), dict.fromkeys(range(12), picture)))
    assert sorted(failed.args[0]) == list(range(12)) == sorted(calls[0])
    assert not model._asked  # no row waits for an answer that never comes
    qtbot.wait(50)
    assert len(calls) == 1  # painted broken, not asked again and again
    assert set(_decoration_keys(model)) == {model._broken.cacheKey()}
    monkeypatch.setattr(jobs, "thumbs_task", real_thumbs)
    panel.show_all()  # shown again: asked again
    qtbot.waitUntil(lambda: len(model._thumbs) == 12, timeout=WAIT_MS)
    assert model._broken.cacheKey() not in _decoration_keys(model)


def test_unreadable_files_show_a_broken_image(panel, qtbot, tmp_path):
    model = panel.gallery_model
    panel.session._on_opened(_made_up_opened([str(tmp_path / f"gone{i}.png") for i in range(3)]))
    qtbot.waitUntil(lambda: len(model._thumbs) == 3, timeout=WAIT_MS)
    assert set(_decoration_keys(model)) == {model._broken.cacheKey()}


def test_a_stop_returns_the_rows_so_far(run):
    from core.evaluate import evaluate

    calls = []
    ev = evaluate(
        run[1] / "best.pt",
        str(run[0]),
        "all",
        should_stop=lambda: bool(calls.append(1)) or len(calls) > 1,
        batch_size=16,
    )
    assert ev.stopped and len(ev.rows) == 16 and "Stopped after 16 of 160" in ev.messages[-1]


def test_the_window_opens_a_finished_run_and_routes_predicts_offer(qtbot, run, monkeypatch):
    from gui.main_window import MainWindow

    monkeypatch.setenv("CONVSTUDIO_NO_DIALOGS", "1")
    window = MainWindow(load_torch_now=False)
    qtbot.addWidget(window)
    evaluate = window.evaluate_panel
    best = str(run[1] / "best.pt")
    with qtbot.waitSignal(evaluate.evaluated, timeout=WAIT_MS):
        window._on_run_finished(str(run[1]), best)
    assert evaluate.evaluation().split == "valid" and len(evaluate.evaluation().rows) == 32
    with qtbot.waitSignal(evaluate.evaluated, timeout=WAIT_MS):
        window.predict_panel.evaluate_requested.emit(best, str(run[0]))
    assert window.current_tab() == "Evaluate" and evaluate.evaluation().source == str(run[0])
    window.shutdown()


def test_dropping_a_bundle_and_a_folder_evaluates_them(panel, qtbot, run, tmp_path):
    from PySide6.QtWidgets import QApplication

    from tests.gui.drag import drag_events, url_mime

    data = evalkit.copy_of_dataset(tmp_path)
    mime = url_mime(run[1] / "best.pt", data)
    enter, drop = drag_events(mime)
    QApplication.sendEvent(panel, enter)
    assert enter.isAccepted()
    with qtbot.waitSignal(panel.evaluated, timeout=WAIT_MS):
        QApplication.sendEvent(panel, drop)
    assert panel.evaluation().source == str(data) and len(panel.evaluation().rows) == 160
