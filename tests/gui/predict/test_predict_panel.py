"""Predict panel: real drops, batches with bad files, model errors, CSV, Grad-CAM, cancel."""

from __future__ import annotations

import csv
import os
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from PySide6.QtCore import QMimeData, QSettings, Qt, QUrl
from PySide6.QtGui import QColor, QImage

from gui import dnd
from gui.predict import DETAIL_SIZE, PredictPanel, jobs
from gui.predict import session as session_module
from gui.predict.prepared import PREPARE_AHEAD
from gui.predict.session import NO_MODEL_MESSAGE
from gui.predict.table import COL_PROB, FILTER_UNCERTAIN
from tests.gui.drag import drag_events, url_mime
from tests.gui.predict.helpers import SAMPLES, WAIT_MS, bad_batch, digits


def _rows(panel: PredictPanel) -> int:
    return panel.results_model.rowCount()


def _drop(qtbot, panel: PredictPanel, mime: QMimeData, signal=True) -> list:
    """Send a real drag-enter then drop to the drop zone; return the batch's results."""
    zone = panel.drop_zone
    enter, drop = drag_events(mime, zone.rect().center())
    zone.dragEnterEvent(enter)
    assert enter.isAccepted()
    if not signal:
        zone.dropEvent(drop)
        return []
    with qtbot.waitSignal(panel.predictions_ready, timeout=WAIT_MS) as blocker:
        zone.dropEvent(drop)
    return blocker.args[0]


def test_no_model_state_shows_what_to_do(panel, qtbot, tmp_path):
    assert panel.message() == NO_MODEL_MESSAGE
    assert "Open model" in panel.message()
    assert not panel.gradcam_check.isEnabled()
    panel.predict_paths([str(p) for p in digits(tmp_path)])
    assert "No model loaded" in panel.message()
    assert _rows(panel) == 0


def test_model_info_is_shown(loaded):
    text = loaded.model_label.text()
    assert "smallcnn" in text and "10 classes" in text and "50.00%" in text
    assert "precision float32" in text
    assert loaded.model_info().in_channels == 1
    assert loaded.gradcam_check.isEnabled()


def test_drop_one_file_shows_top5(loaded, qtbot, tmp_path):
    (path,) = digits(tmp_path, ("digit_3_a.png",))
    results = _drop(qtbot, loaded, url_mime(path))
    assert len(results) == 1
    result = results[0]
    assert result.error is None and result.path == str(path)
    assert len(result.topk) == 5 and result.top1 in [str(i) for i in range(10)]
    probs = [p for _, p in result.topk]
    assert probs == sorted(probs, reverse=True) and 0.0 < sum(probs) <= 1.0 + 1e-5
    assert loaded.bars.topk() == result.topk
    assert loaded.class_label.text().startswith(result.top1)
    assert loaded.image_label.pixmap() is not None and not loaded.image_label.pixmap().isNull()
    assert _rows(loaded) == 1
    assert loaded.table.currentIndex().row() == 0  # its row is selected


def test_drop_several_files_and_a_folder(loaded, qtbot, tmp_path):
    files = digits(tmp_path / "loose")
    folder = tmp_path / "folder"
    digits(folder / "nested", ("digit_1_a.png", "digit_2_a.png"))
    digits(folder, ("digit_5_a.png",))
    (folder / "readme.txt").write_text("not an image")  # not picked up from a folder
    results = _drop(qtbot, loaded, url_mime(*files))
    assert [r.path for r in results] == [str(p) for p in files]
    assert loaded.shown_result() is results[0]  # the batch's first row is on show
    results = _drop(qtbot, loaded, url_mime(folder))
    names = sorted(Path(r.path).name for r in results)
    assert names == ["digit_1_a.png", "digit_2_a.png", "digit_5_a.png"]
    assert all(r.error is None and r.thumb is not None for r in results)
    assert _rows(loaded) == 6


def test_raw_image_data_drop(loaded, qtbot):
    image = QImage(40, 30, QImage.Format.Format_RGB32)
    image.fill(QColor("white"))
    mime = QMimeData()
    mime.setImageData(image)
    paths, images, problems = dnd.inputs(mime)
    assert paths == [] and len(images) == 1 and problems == []
    results = _drop(qtbot, loaded, mime)
    assert len(results) == 1 and results[0].error is None
    assert results[0].path is None and results[0].name.startswith("pasted image")
    assert results[0].view.size == (40, 30)


def test_png_bytes_as_image_mime(loaded, qtbot, tmp_path):
    mime = QMimeData()
    mime.setData("image/png", (SAMPLES / "digit_4_a.png").read_bytes())
    results = _drop(qtbot, loaded, mime)
    assert len(results) == 1 and results[0].error is None


def test_remote_url_is_refused_with_a_message(loaded, qtbot):
    mime = QMimeData()
    mime.setUrls([QUrl("https://example.org/cat.png")])
    _drop(qtbot, loaded, mime, signal=False)
    assert "not a local file" in loaded.message()
    assert _rows(loaded) == 0


def test_bad_files_become_error_rows_and_the_rest_predicts(loaded, qtbot, tmp_path):
    paths = bad_batch(tmp_path)
    results = _drop(qtbot, loaded, url_mime(*paths))
    assert [r.path for r in results] == [str(p) for p in paths]  # in the order dropped
    by_name = {Path(r.path).name: r for r in results}
    assert len(results) == 5
    for name in ("empty.png", "corrupt.jpg", "notes.txt"):
        assert by_name[name].error, name
        assert by_name[name].topk == []
    assert "empty" in by_name["empty.png"].error.lower() or "0 bytes" in by_name["empty.png"].error
    for name in ("digit_8_a.png", "digit_9_a.png"):
        assert by_name[name].error is None and len(by_name[name].topk) == 5
    assert "3 could not be used" in loaded.message()


def test_csv_export(loaded, qtbot, tmp_path):
    # nothing to export or clear before the first drop: the buttons say so by being off
    assert not loaded.export_button.isEnabled() and not loaded.clear_button.isEnabled()
    paths = bad_batch(tmp_path / "in")
    _drop(qtbot, loaded, url_mime(*paths))
    assert loaded.export_button.isEnabled() and loaded.clear_button.isEnabled()
    out = tmp_path / "predictions.csv"
    assert loaded.export_csv(out) == 5
    with out.open(newline="") as fh:
        rows = list(csv.reader(fh))
    header, body = rows[0], rows[1:]
    assert header[:3] == ["path", "top1", "prob"]
    assert header[3:5] == ["top2", "prob2"] and header[-1] == "error"
    assert len(body) == 5
    by_path = {Path(r[0]).name: dict(zip(header, r, strict=True)) for r in body}
    good = by_path["digit_8_a.png"]
    assert good["top1"] in [str(i) for i in range(10)] and 0.0 < float(good["prob"]) <= 1.0
    assert good["error"] == ""
    assert by_path["empty.png"]["error"] and by_path["empty.png"]["top1"] == ""
    loaded.clear_button.click()
    assert _rows(loaded) == 0 and not loaded.export_button.isEnabled()
    assert loaded.shown_result() is None and loaded.bars.topk() == []


def test_threshold_filter_and_sort(loaded, qtbot, tmp_path):
    results = _drop(qtbot, loaded, url_mime(*bad_batch(tmp_path)))
    good = [r for r in results if r.error is None]
    loaded.threshold_spin.setValue(100.0)  # every real probability is below 100 %
    assert loaded.shown_result().error is None and not loaded.uncertain_label.isHidden()
    loaded.set_class_filter(FILTER_UNCERTAIN)
    assert {id(r) for r in loaded.visible_results()} == {id(r) for r in good}
    top1 = good[0].top1
    loaded.set_class_filter(top1)
    visible = loaded.visible_results()
    assert visible and all(r.top1 == top1 and r.error is None for r in visible)
    loaded.set_class_filter("All images")
    loaded.table.sortByColumn(COL_PROB, Qt.SortOrder.DescendingOrder)
    probs = [(-1.0 if r.error else r.prob) for r in loaded.visible_results()]
    assert probs == sorted(probs, reverse=True) and len(probs) == 5
    uncertain = loaded.results_model.index(loaded.results_model.row_of(good[0]), COL_PROB)
    assert uncertain.data(Qt.ItemDataRole.ForegroundRole) is not None  # coloured
    loaded.threshold_spin.setValue(0.0)
    assert uncertain.data(Qt.ItemDataRole.ForegroundRole) is None


def test_gradcam_overlay_for_cnn(loaded, qtbot, tmp_path):
    _drop(qtbot, loaded, url_mime(*digits(tmp_path, ("digit_6_a.png",))))
    assert loaded.overlay_image() is None
    loaded.gradcam_check.setChecked(True)
    qtbot.waitUntil(lambda: loaded.overlay_image() is not None, timeout=WAIT_MS)
    shown = loaded.shown_result()
    assert shown.cam.ndim == 2 and 0.0 <= shown.cam.min() and shown.cam.max() <= 1.0
    loaded.opacity_slider.setValue(0)
    plain = np.asarray(loaded.overlay_image().convert("RGB"), dtype=np.int16)
    loaded.opacity_slider.setValue(100)
    heat = np.asarray(loaded.overlay_image().convert("RGB"), dtype=np.int16)
    assert np.abs(plain - heat).max() > 0


def test_gradcam_disabled_for_mlp(panel, qtbot, bundles):
    with qtbot.waitSignal(panel.model_loaded, timeout=WAIT_MS):
        panel.load_model(str(bundles["mlp"]))
    assert not panel.gradcam_check.isEnabled()
    assert "convolutional" in panel.gradcam_check.toolTip()


def test_bad_model_file_keeps_the_previous_model(loaded, qtbot, tmp_path):
    before = loaded.predictor
    not_a_bundle = tmp_path / "notes.pt"
    not_a_bundle.write_text("definitely not a model")
    with qtbot.waitSignal(loaded.model_failed, timeout=WAIT_MS):
        loaded.load_model(str(not_a_bundle))
    assert "Could not load the model" in loaded.message()
    assert "still in use" in loaded.message()
    assert loaded.predictor is before
    results = _drop(qtbot, loaded, url_mime(*digits(tmp_path, ("digit_2_b.png",))))
    assert results[0].error is None


def test_model_loaded_later_predicts_waiting_drops(panel, qtbot, bundles, tmp_path):
    panel.predict_paths([str(p) for p in digits(tmp_path, ("digit_1_b.png",))])
    assert _rows(panel) == 0
    with qtbot.waitSignal(panel.predictions_ready, timeout=WAIT_MS) as blocker:
        panel.load_model(str(bundles["smallcnn"]))
    assert len(blocker.args[0]) == 1


def test_cancel_stops_between_images(loaded, qtbot, tmp_path, monkeypatch):
    files = digits(tmp_path, tuple(f"digit_{i}_a.png" for i in range(10)))
    predictor = loaded.predictor
    gate, real = threading.Event(), predictor.preprocess

    def held(*args, **kwargs):  # the batch waits on its first image
        gate.wait(WAIT_MS / 1000)
        return real(*args, **kwargs)

    monkeypatch.setattr(predictor, "preprocess", held)
    try:
        with qtbot.waitSignal(loaded.busy_changed, timeout=WAIT_MS):
            loaded.predict_paths([str(p) for p in files])
        assert loaded.cancel_button.isHidden()  # a quick batch never flashes a progress bar
        qtbot.waitUntil(lambda: not loaded.cancel_button.isHidden(), timeout=WAIT_MS)
        loaded.cancel()
    finally:
        gate.set()
    qtbot.waitUntil(lambda: not loaded.is_busy(), timeout=WAIT_MS)
    assert "Cancelled" in loaded.message()
    assert _rows(loaded) <= 1  # at most the image that was held
    assert loaded.cancel_button.isHidden()


def test_paste_from_clipboard_and_empty_image(loaded, qtbot):
    from PySide6.QtGui import QGuiApplication

    loaded.predict_image(QImage())
    assert "empty or unreadable" in loaded.message()
    image = QImage(20, 20, QImage.Format.Format_RGB32)
    image.fill(QColor("black"))
    QGuiApplication.clipboard().setImage(image)
    with qtbot.waitSignal(loaded.predictions_ready, timeout=WAIT_MS) as blocker:
        loaded.paste_from_clipboard()
    assert len(blocker.args[0]) == 1 and blocker.args[0][0].error is None


def test_last_model_is_reloaded_when_torch_is_ready(panel, qtbot, bundles):
    QSettings().setValue("predict/model_path", str(bundles["smallcnn"]))
    with qtbot.waitSignal(panel.model_loaded, timeout=WAIT_MS) as blocker:
        panel.on_torch_ready()
    assert blocker.args == [str(bundles["smallcnn"])]
    assert panel.model_info().arch == "smallcnn"


def test_precision_setting_reloads_the_model_and_is_remembered(loaded, qtbot, bundles):
    combo = loaded.precision_combo
    assert loaded.precision() == "fp32" and combo.currentData() == "fp32"
    assert "float32 (same answers everywhere)" == combo.currentText()
    assert combo.itemText(1).startswith("bfloat16 (faster on CPUs with AVX512-BF16/AMX")
    before = loaded.predictor
    with qtbot.waitSignal(loaded.model_loaded, timeout=WAIT_MS) as blocker:
        combo.setCurrentIndex(combo.findData("bf16"))  # what choosing it in the list does
    assert blocker.args == [str(bundles["smallcnn"])]  # the same model, loaded again
    assert loaded.predictor is not before and loaded.predictor.use_bf16
    assert loaded.model_info().precision == "bf16"
    assert "precision bfloat16" in loaded.model_label.text()
    assert QSettings().value("predict/precision") == "bf16"

    again = PredictPanel()  # the next start of the app
    qtbot.addWidget(again)
    assert again.precision() == "bf16" and again.precision_combo.currentData() == "bf16"
    with qtbot.waitSignal(again.model_loaded, timeout=WAIT_MS):
        again.on_torch_ready()
    assert again.predictor.use_bf16
    with qtbot.waitSignal(again.model_loaded, timeout=WAIT_MS):
        again.set_precision("fp32")
    assert not again.predictor.use_bf16 and "precision float32" in again.model_label.text()


def test_precision_without_a_model_only_remembers(panel, qtbot):
    panel.set_precision("bf16")
    assert panel.precision() == "bf16" and not panel.is_busy()
    assert QSettings().value("predict/precision") == "bf16"
    with pytest.raises(ValueError):
        panel.set_precision("fp8")


def test_empty_folder_is_reported_as_a_row(loaded, qtbot, tmp_path):
    empty = tmp_path / "nothing_here"
    empty.mkdir()
    (empty / "notes.txt").write_text("no pictures")
    results = _drop(qtbot, loaded, url_mime(empty))
    assert len(results) == 1 and "no image files" in results[0].error


def test_module_does_not_import_torch():
    code = (
        "import sys; import gui.predict; "
        "print(sorted(m for m in ('torch', 'core.predict', 'core.data') if m in sys.modules))"
    )
    root = Path(__file__).resolve().parents[3]
    out = subprocess.run(
        [sys.executable, "-c", code],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]"


def test_model_work_runs_on_the_model_lane(panel, qtbot, bundles, tmp_path, monkeypatch):
    """Loads and predictions share the model thread; a load during a batch does not wait."""
    from gui import tasks

    calls: list[tuple[str, str]] = []
    real_start = tasks.LatestTask.start

    def spy(self, fn, *args, lane=None, **kwargs):
        calls.append((fn.__name__, lane or self.lane))
        return real_start(self, fn, *args, lane=lane, **kwargs)

    monkeypatch.setattr(tasks.LatestTask, "start", spy)
    with qtbot.waitSignal(panel.model_loaded, timeout=WAIT_MS):
        panel.load_model(str(bundles["smallcnn"]))
    files = digits(tmp_path)
    with qtbot.waitSignal(panel.predictions_ready, timeout=WAIT_MS):
        panel.predict_paths([str(files[0])])
    assert calls == [
        ("load_predictor_task", "model"),
        ("labelled_folder_task", "general"),  # is a dropped folder labelled? (beside it)
        ("predict_task", "model"),
    ]
    qtbot.waitUntil(lambda: not panel.session.batch.busy, timeout=WAIT_MS)  # its "done" too

    gate = threading.Event()
    real_predict = jobs.predict_task

    def slow_batch(*args, **kwargs):  # a long batch holding the model thread
        gate.wait(WAIT_MS / 1000)
        return real_predict(*args, **kwargs)

    monkeypatch.setattr(jobs, "predict_task", slow_batch)
    panel.predict_paths([str(p) for p in files])
    assert calls[-1] == ("slow_batch", "model")
    with qtbot.waitSignal(panel.model_loaded, timeout=WAIT_MS):
        panel.load_model(str(bundles["mlp"]))  # loads beside the batch, not after it
    try:
        assert calls[-1] == ("load_predictor_task", "general") and not gate.is_set()
        assert panel.model_info().arch == "mlp"
    finally:
        with qtbot.waitSignal(panel.predictions_ready, timeout=WAIT_MS):
            gate.set()


def test_a_dropped_folder_is_told_labelled_off_the_gui_thread(loaded, qtbot, tmp_path, monkeypatch):
    """Listing a dropped folder (a stat per entry; seconds on a share) never blocks the window."""
    import core.evaluate

    on_gui_thread: list[bool] = []
    real = core.evaluate.known_subfolders

    def spy(folder, class_names):
        on_gui_thread.append(threading.current_thread() is threading.main_thread())
        return real(folder, class_names)

    monkeypatch.setattr(core.evaluate, "known_subfolders", spy)
    folder = tmp_path / "labelled"
    for name in ("3", "7"):
        digits(folder / name, (f"digit_{name}_a.png",))
    with qtbot.waitSignal(loaded.predictions_ready, timeout=WAIT_MS):
        _drop(qtbot, loaded, url_mime(folder), signal=False)
    qtbot.waitUntil(lambda: loaded.labelled_note.isVisibleTo(loaded), timeout=WAIT_MS)
    assert on_gui_thread == [False]
    assert (
        loaded.labelled_note.folder == str(folder) and "3, 7" in loaded.labelled_note.label.text()
    )
    with qtbot.waitSignal(loaded.evaluate_requested) as asked:
        loaded.labelled_note.button.click()
    assert asked.args == [loaded.model_info().path, str(folder)]
    with qtbot.waitSignal(loaded.predictions_ready, timeout=WAIT_MS):
        loaded.predict_paths([str(folder / "3" / "digit_3_a.png")])
    qtbot.waitUntil(lambda: not loaded.labelled_note.isVisibleTo(loaded), timeout=WAIT_MS)


def test_drop_during_a_load_waits_for_the_new_model(panel, qtbot, bundles, tmp_path, monkeypatch):
    used: list[str] = []
    real_predict = jobs.predict_task

    def record(ctx, predictor, *args, **kwargs):
        used.append(predictor.arch)
        return real_predict(ctx, predictor, *args, **kwargs)

    monkeypatch.setattr(jobs, "predict_task", record)
    with qtbot.waitSignal(panel.model_loaded, timeout=WAIT_MS):
        panel.load_model(str(bundles["smallcnn"]))
    (path,) = digits(tmp_path, ("digit_3_a.png",))
    panel.load_model(str(bundles["mlp"]))
    with qtbot.waitSignal(panel.predictions_ready, timeout=WAIT_MS):
        panel.predict_paths([str(path)])  # dropped while the mlp loads
        assert "still loading" in panel.message()
    assert used == ["mlp"]
    assert panel.results()[0].error is None


def test_a_single_drop_shows_its_ready_detail_image(loaded, qtbot, tmp_path):
    photo = tmp_path / "wide.png"
    picture = Image.new("RGB", (640, 320), (250, 250, 250))
    picture.paste((0, 0, 0), (320, 0, 640, 320))
    picture.save(photo)
    with qtbot.waitSignal(loaded.predictions_ready, timeout=WAIT_MS) as blocker:
        loaded.predict_paths([str(photo)])
    (shown,) = blocker.args[0]
    assert shown.detail is None  # used for the first showing, then let go
    pixmap = loaded.image_label.pixmap()
    assert (pixmap.width(), pixmap.height()) == (DETAIL_SIZE, DETAIL_SIZE // 2)


def _hover(panel: PredictPanel, mime: QMimeData) -> None:
    zone = panel.drop_zone
    enter, _drop = drag_events(mime, zone.rect().center())
    zone.dragEnterEvent(enter)
    assert enter.isAccepted()


def _count_preprocessing(panel, monkeypatch) -> list[int]:
    """Record each picture put through the eval transforms (prepared ones skip them)."""
    calls: list[int] = []
    predictor = panel.predictor
    real = predictor.preprocess

    def counted(*args, **kwargs):
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(predictor, "preprocess", counted)
    return calls


def test_drag_prepares_its_files_before_the_drop(loaded, qtbot, tmp_path, monkeypatch):
    files = digits(tmp_path / "a")
    (tmp_path / "notes.txt").write_text("not an image")
    folder = tmp_path / "folder"
    digits(folder, ("digit_5_a.png",))
    mime = url_mime(*files, tmp_path / "notes.txt", folder)
    _hover(loaded, mime)
    prepared = loaded.session.prepared_count
    qtbot.waitUntil(lambda: prepared() == len(files), timeout=WAIT_MS)
    assert len(files) <= PREPARE_AHEAD
    transformed = _count_preprocessing(loaded, monkeypatch)
    with qtbot.waitSignal(loaded.predictions_ready, timeout=WAIT_MS) as blocker:
        loaded.predict_paths([str(p) for p in files])  # the drop
    prepared_results = blocker.args[0]
    assert transformed == []  # the drop ran only the network, on the prepared inputs
    assert prepared() == 0  # each prepared file is used once
    with qtbot.waitSignal(loaded.predictions_ready, timeout=WAIT_MS) as blocker:
        loaded.predict_paths([str(p) for p in files])  # read from scratch this time
    assert len(transformed) == len(files)  # through the batched path
    for ahead, fresh in zip(prepared_results, blocker.args[0], strict=True):
        # the batch (folded model) and the single path (packed convs) agree to fp32's rounding
        assert ahead.path == fresh.path and ahead.top1 == fresh.top1
        assert [p for _, p in ahead.topk] == pytest.approx([p for _, p in fresh.topk], abs=1e-5)
        assert ahead.view.size == fresh.view.size and not ahead.thumb.isNull()


def test_file_changed_after_the_drag_is_read_again(loaded, qtbot, tmp_path, monkeypatch):
    (path,) = digits(tmp_path, ("digit_3_a.png",))
    _hover(loaded, url_mime(path))
    qtbot.waitUntil(lambda: loaded.session.prepared_count() == 1, timeout=WAIT_MS)
    shutil.copy(SAMPLES / "digit_7_a.png", path)  # another picture under the same name
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 10**9))
    transformed = _count_preprocessing(loaded, monkeypatch)
    with qtbot.waitSignal(loaded.predictions_ready, timeout=WAIT_MS) as blocker:
        loaded.predict_paths([str(path)])
    (result,) = blocker.args[0]
    assert transformed == [1]  # read again: the stale preparation was not used
    expected = loaded.predictor.predict(str(path), k=5)
    assert [p for _, p in result.topk] == pytest.approx([p for _, p in expected], abs=1e-5)


def test_hovering_files_are_local_images_only(tmp_path):
    files = digits(tmp_path)
    (tmp_path / "notes.txt").write_text("x")
    mime = url_mime(tmp_path, tmp_path / "notes.txt", *files)
    mime.setUrls([*mime.urls(), QUrl("https://example.org/cat.png")])
    assert dnd.image_files(mime, 4) == [str(p) for p in files]
    assert dnd.image_files(mime, 1) == [str(files[0])]
    assert dnd.image_files(None, 4) == [] and dnd.image_files(QMimeData(), 4) == []


def test_long_batches_let_old_display_copies_go(loaded, qtbot, tmp_path, monkeypatch):
    monkeypatch.setattr(session_module, "KEPT_VIEWS", 2)
    names = [f"digit_{d}_a.png" for d in range(6)]
    files = digits(tmp_path, names)
    with qtbot.waitSignal(loaded.predictions_ready, timeout=WAIT_MS) as blocker:
        loaded.predict_paths([str(p) for p in files])
    results = blocker.args[0]
    first = results[0]
    assert loaded.shown_result() is first  # the batch's first result is on show: it keeps its copy
    kept = [r for r in results if r.view is not None]
    assert kept == [first, results[-1]]  # at most KEPT_VIEWS: the shown one and the newest
    gone = [r for r in results if r.view is None]
    assert len(gone) == 4 and all(r.cam is None and r.cam_view is None for r in gone)
    assert all(r.thumb is not None and r.topk for r in gone)  # the table keeps its rows

    loaded.select_result(gone[0])  # shown again: read back from its file
    qtbot.waitUntil(lambda: gone[0].view is not None, timeout=WAIT_MS)
    pixmap = loaded.image_label.pixmap()
    assert pixmap is not None and not pixmap.isNull()
    assert sum(r.view is not None for r in results) <= session_module.KEPT_VIEWS

    victim = next(r for r in results if r.view is None)
    os.remove(victim.path)
    loaded.select_result(victim)
    qtbot.waitUntil(lambda: "Cannot show the picture again" in loaded.image_label.text())
    qtbot.waitUntil(lambda: not loaded.session.viewing.busy)  # its "done" too
    loaded.select_result(results[-1])
    loaded.select_result(victim)  # not asked again: the reason is remembered
    assert not loaded.session.viewing.busy
    assert "file not found" in loaded.image_label.text()
