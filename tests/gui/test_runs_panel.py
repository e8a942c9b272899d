"""The Runs tab: listing, filtering, overlaid curves, diff, notes, actions; the LR finder dialog."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QInputDialog, QMessageBox

from core import runs
from gui.runs import RunsPanel
from gui.runs import panel as runs_panel_module
from gui.runs.table import KEYS, NOTE, SORT_ROLE
from tests.unit.test_runs import make_run


@pytest.fixture
def runs_root(tmp_path):
    root = tmp_path / "runs"
    make_run(root / "lr-0.0003", lr=0.0003, rows=(0.5, 0.7, 0.8))
    make_run(root / "lr-0.001", lr=0.001, rows=(0.6, 0.9, 0.95))
    make_run(root / "lr-0.003", lr=0.003, rows=(0.7, 0.92, 0.97))
    (root / "not-a-run").mkdir()
    half = root / "half"
    half.mkdir()
    (half / "summary.json").write_text("{ truncated")
    return root


@pytest.fixture
def panel(qtbot, runs_root):
    p = RunsPanel(runs_dir=str(runs_root))
    qtbot.addWidget(p)
    scan(qtbot, p)
    yield p
    p.shutdown()


def scan(qtbot, p: RunsPanel) -> None:
    with qtbot.waitSignal(p.session.scanned, timeout=30_000):
        p.refresh()


def row_names(p: RunsPanel) -> list[str]:
    col = KEYS.index("name")
    return [p.proxy.index(r, col).data() for r in range(p.proxy.rowCount())]


def select(p: RunsPanel, *names: str) -> None:
    p.select_paths([p.session.runs_dir / n for n in names])


def test_lists_runs_and_broken_folders(panel):
    assert sorted(row_names(panel)) == ["half", "lr-0.0003", "lr-0.001", "lr-0.003", "not-a-run"]
    by_name = {e.name: e for e in panel.model.entries()}
    assert by_name["half"].status == "incomplete" and by_name["not-a-run"].status == "not a run"
    assert panel.count_label.text().startswith("4 runs")  # four folders with run files


def test_sort_and_filter(panel):
    col = KEYS.index("best_val_acc")
    panel.table.sortByColumn(col, Qt.SortOrder.DescendingOrder)
    assert row_names(panel)[:3] == ["lr-0.003", "lr-0.001", "lr-0.0003"]
    assert panel.proxy.index(0, col).data() == "97.00%"
    assert isinstance(panel.proxy.index(0, col).data(SORT_ROLE), float)
    panel.filter_edit.setText("LR-0.00")
    assert sorted(row_names(panel)) == ["lr-0.0003", "lr-0.001", "lr-0.003"]
    panel.filter_edit.setText("incomplete")
    assert row_names(panel) == ["half"]
    assert "1 shown" in panel.count_label.text()


def test_selecting_runs_overlays_their_curves_and_diffs_settings(panel):
    select(panel, "lr-0.001", "lr-0.003")
    plots = panel.plots
    assert plots is not None and panel.plot_hint.isHidden()
    legend = plots.legend.text()
    assert "lr-0.001" in legend and "lr-0.003" in legend and "lr-0.0003" not in legend
    curves = plots.curve_data("val_acc")
    assert len(curves) == 2
    ys = sorted(tuple(np.round(y, 3)) for _, y in curves)
    assert ys == [(0.6, 0.9, 0.95), (0.7, 0.92, 0.97)]
    colours = plots.pen_colours()
    assert len(set(colours)) == 2 and all(c in legend for c in colours)
    # the table shows each selected run's colour by its name
    name_col = KEYS.index("name")
    swatches = {
        panel.proxy.index(r, name_col).data(): panel.proxy.index(r, name_col).data(1)
        for r in range(panel.proxy.rowCount())
    }
    assert {swatches["lr-0.001"].name(), swatches["lr-0.003"].name()} == set(colours)
    assert swatches["lr-0.0003"] is None
    assert panel.diff_view.settings() == ["lr"]
    # a third run keeps the first two colours and adds a new one
    select(panel, "lr-0.001", "lr-0.003", "lr-0.0003")
    assert set(colours) < set(panel.plots.pen_colours()) and len(panel.plots.shown) == 3
    select(panel)  # nothing selected
    assert panel.plots.shown == [] and not panel.plot_hint.isHidden()


def test_note_is_saved_from_the_editor_and_the_table(qtbot, panel, runs_root):
    select(panel, "lr-0.001")
    editor = panel.note_editor
    assert editor.edit.isEnabled()
    editor.edit.setPlainText("looks best\nbut slow")
    qtbot.waitUntil(lambda: runs.read_note(runs_root / "lr-0.001") == "looks best\nbut slow")
    assert editor.saved_label.text() == "Saved."
    row = panel.model.row_of(runs_root / "lr-0.001")
    assert panel.model.index(row, NOTE).data() == "looks best"
    row = panel.model.row_of(runs_root / "lr-0.003")
    assert panel.model.setData(panel.model.index(row, NOTE), "  typed in the table ")
    assert (runs_root / "lr-0.003" / runs.NOTE_FILE).read_text() == "typed in the table\n"
    # a pending edit is saved when another run is selected
    editor.edit.setPlainText("switching")
    select(panel, "lr-0.0003")
    assert runs.read_note(runs_root / "lr-0.001") == "switching"


def test_rename_asks_and_keeps_the_run_selected(qtbot, panel, runs_root, monkeypatch):
    select(panel, "lr-0.003")
    monkeypatch.setattr(
        QInputDialog, "getText", staticmethod(lambda *a, **k: ("best-so-far", True))
    )
    with qtbot.waitSignal(panel.session.scanned, timeout=30_000):
        panel.rename()
    assert (runs_root / "best-so-far").is_dir() and not (runs_root / "lr-0.003").exists()
    assert [e.name for e in panel.selected_entries()] == ["best-so-far"]
    errors = []
    panel.error_occurred.connect(errors.append)
    monkeypatch.setattr(QInputDialog, "getText", staticmethod(lambda *a, **k: ("lr-0.001", True)))
    panel.rename()
    assert errors and "already exists" in errors[0]


def test_trash_asks_first(qtbot, panel, runs_root, monkeypatch):
    select(panel, "lr-0.0003", "not-a-run")
    asked = []

    def answer(reply):
        def question(*args, **kwargs):
            asked.append(args[2])
            return reply

        return staticmethod(question)

    monkeypatch.setattr(
        runs_panel_module.QMessageBox, "question", answer(QMessageBox.StandardButton.Cancel)
    )
    panel.move_to_trash()
    assert "2 run folders" in asked[0] and (runs_root / "lr-0.0003").is_dir()
    monkeypatch.setattr(
        runs_panel_module.QMessageBox, "question", answer(QMessageBox.StandardButton.Yes)
    )
    with qtbot.waitSignal(panel.session.scanned, timeout=30_000):
        panel.move_to_trash()
    assert not (runs_root / "lr-0.0003").exists() and not (runs_root / "not-a-run").exists()
    assert "lr-0.0003" not in row_names(panel)


def test_actions_emit_what_the_window_routes(qtbot, panel, runs_root, monkeypatch):
    select(panel, "lr-0.001")
    with qtbot.waitSignal(panel.open_model_requested) as sig:
        panel.buttons["predict"].click()
    assert sig.args == [str(runs_root / "lr-0.001" / "best.pt")]
    assert panel.buttons["evaluate"].isHidden()
    panel.set_evaluate_available(True)
    with qtbot.waitSignal(panel.evaluate_requested):
        panel.buttons["evaluate"].click()
    assert not panel.buttons["resume"].isEnabled()  # no last.pt
    (runs_root / "lr-0.001" / "last.pt").write_bytes(b"x")
    scan(qtbot, panel)
    assert panel.buttons["resume"].isEnabled()
    monkeypatch.setattr(QInputDialog, "getInt", staticmethod(lambda *a, **k: (8, True)))
    with qtbot.waitSignal(panel.resume_requested) as sig:
        panel.buttons["resume"].click()
    assert sig.args == [str(runs_root / "lr-0.001"), 8]


def test_a_running_run_cannot_be_renamed_or_trashed(qtbot, panel, runs_root):
    runs.write_lock(runs_root / "lr-0.001")
    scan(qtbot, panel)
    select(panel, "lr-0.001")
    assert panel.selected_entries()[0].status == "running"
    assert not panel.buttons["rename"].isEnabled() and not panel.buttons["trash"].isEnabled()
    assert "1 running" in panel.count_label.text()


def test_added_folders_are_listed_and_remembered(qtbot, panel, tmp_path, temp_settings):
    from PySide6.QtCore import QSettings

    other = tmp_path / "elsewhere"
    make_run(other / "far-away")
    with qtbot.waitSignal(panel.session.scanned, timeout=30_000):
        panel.add_folder(other)
    assert "far-away" in row_names(panel)
    settings = QSettings()
    panel.save_settings(settings)
    again = RunsPanel(runs_dir=str(panel.runs_dir()))
    again.load_settings(settings)
    assert again.session.extra == [other]
    again.shutdown()
    again.deleteLater()


# ----------------------------------------------------------------------------- LR finder


def test_find_learning_rate_button_fills_the_field(qtbot, tmp_path):
    import core.trainer  # noqa: F401
    from core.augment import get_preset
    from gui.train import TrainPanel
    from tests.gui.test_main_window import two_class_folder

    panel = TrainPanel(runs_folder=str(tmp_path / "runs"))
    qtbot.addWidget(panel)
    assert not panel.lr_finder.button.isEnabled()  # waits for PyTorch
    panel.on_torch_ready()
    panel.set_arch("mlp")
    panel.set_data_source(str(two_class_folder(tmp_path / "data")))
    panel.set_specs_provider(lambda: get_preset("none"))
    panel.form.set_value("batch_size", 4)
    panel.lr_finder.start, panel.lr_finder.steps = 1e-4, 30  # quick
    assert panel.lr_finder.button.isEnabled()
    dialog = panel.lr_finder.open()
    assert dialog is not None and dialog.is_running()
    with qtbot.waitSignal(dialog.task.done, timeout=120_000):
        pass
    result = dialog.result
    assert result is not None and result.suggested_lr is not None, dialog.message.text()
    x, _ = dialog.smooth_curve.getData()
    assert len(x) == len(result.lrs) and dialog.mark_line.isVisible()
    assert "Suggested learning rate" in dialog.message.text()
    assert not (tmp_path / "runs").exists()  # nothing written
    dialog.use_button.click()
    assert panel.form.value("lr") == pytest.approx(result.suggested_lr, abs=1e-6)
    # a pipeline the data cannot take: the dialog says why
    panel.set_specs_provider(lambda: {"train": [{"name": "Nope"}], "eval": [{"name": "Nope"}]})
    dialog = panel.lr_finder.open()
    with qtbot.waitSignal(dialog.task.done, timeout=60_000):
        pass
    assert "The range test failed" in dialog.message.text() and "Nope" in dialog.message.text()
    panel.shutdown()


def test_lr_finder_dialog_cancels(qtbot, tmp_path):
    from core.config import TrainConfig
    from gui.train.lrfind import LRFindDialog
    from tests.gui.test_main_window import two_class_folder

    dialog = LRFindDialog()
    qtbot.addWidget(dialog)
    data = str(two_class_folder(tmp_path / "data"))
    dialog.start(TrainConfig(data=data, arch="mlp", augment="none", out=str(tmp_path / "x")))
    assert dialog.is_running()
    dialog.reject()
    assert not dialog.is_running()


def test_window_routes_the_runs_tab(qtbot, tmp_path, monkeypatch):
    monkeypatch.setenv("CONVSTUDIO_NO_DIALOGS", "1")
    from gui.main_window import MainWindow

    w = MainWindow(load_torch_now=False)
    qtbot.addWidget(w)
    runs_tab = w.panel("Runs")
    assert isinstance(runs_tab, RunsPanel)
    asked = []
    monkeypatch.setattr(w.train_panel, "resume_run", lambda d, e: asked.append((d, e)) or True)
    runs_tab.resume_requested.emit("/x", 5)
    assert asked == [("/x", 5)] and w.current_tab() == "Train"
    with qtbot.waitSignal(runs_tab.session.scanned, timeout=30_000):
        w._list_run(str(tmp_path / "elsewhere" / "run-1"))
    assert runs_tab.session.extra == [tmp_path / "elsewhere"]
    with qtbot.waitSignal(runs_tab.session.scanned, timeout=30_000):
        w.train_panel.training_finished.emit(None)  # a run ended: listed again
    w.shutdown()


def test_columns_fit_the_first_listing_that_has_runs(qtbot, tmp_path):
    """The window opens on an empty runs folder; the first run that appears gets columns
    wide enough for its name instead of ones sized to the headers."""
    root = tmp_path / "runs"
    root.mkdir()
    p = RunsPanel(runs_dir=str(root))
    qtbot.addWidget(p)
    p.resize(1400, 700)
    scan(qtbot, p)
    assert p.model.rowCount() == 0
    make_run(root / "smallcnn-20261202-015428-a-long-run-name", lr=0.001, rows=(0.5, 0.9))
    scan(qtbot, p)
    col = KEYS.index("name")
    text = p.proxy.index(0, col).data()
    needed = p.table.fontMetrics().horizontalAdvance(text)
    assert p.table.columnWidth(col) >= needed
    assert all(
        p.table.columnWidth(c) <= runs_panel_module.MAX_COLUMN_PX + runs_panel_module.SWATCH_PX
        for c in range(len(KEYS) - 1)
    )
    p.shutdown()
