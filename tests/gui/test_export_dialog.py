"""File > Export model... (the dialog) and Train > Copy as training script."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from core.augment import get_preset
from core.checkpoint import save_bundle
from gui import export_dialog
from gui.export_dialog import ExportDialog, current_bundle, run_bundle
from gui.main_window import MainWindow
from tests.unit.test_export import _bundle

WAIT_MS = 120_000


@pytest.fixture(scope="module")
def bundle_file(tmp_path_factory):
    folder = tmp_path_factory.mktemp("gui_export")
    spec = get_preset("digits")["eval"]
    bundle = _bundle("smallcnn", 1, 28, [str(i) for i in range(10)], spec, str(folder / "gone"))
    path = folder / "best.pt"
    save_bundle(bundle, path)
    return path


def test_dialog_exports_and_shows_the_check(qtbot, bundle_file, tmp_path):
    dialog = ExportDialog(str(bundle_file))
    qtbot.addWidget(dialog)
    assert dialog.out_edit.text() == str(bundle_file.parent / "model_torchscript.pt")
    dialog.set_format("script")
    assert dialog.out_edit.text() == str(bundle_file.parent / "train_again.py")
    dialog.set_format("torchscript")
    dialog.set_out(str(tmp_path / "digits_ts.pt"))
    dialog.set_format("onnx")  # a file the user chose is kept
    dialog.set_format("torchscript")
    assert dialog.out_edit.text() == str(tmp_path / "digits_ts.pt")
    with qtbot.waitSignal(dialog.exported, timeout=WAIT_MS) as blocker:
        qtbot.mouseClick(dialog.export_button, Qt.MouseButton.LeftButton)
        assert not dialog.export_button.isEnabled()
    result = blocker.args[0]
    assert result.check.passed and (tmp_path / "digits_ts.pt").is_file()
    text = dialog.result_message()
    assert "top-1 agrees on 8/8" in text and "max |logit difference|" in text and "kB" in text
    qtbot.waitUntil(dialog.export_button.isEnabled, timeout=5_000)


def test_dialog_shows_what_went_wrong(qtbot, tmp_path):
    not_a_bundle = tmp_path / "notes.pt"
    not_a_bundle.write_text("hello")
    dialog = ExportDialog(str(not_a_bundle))
    qtbot.addWidget(dialog)
    with qtbot.waitSignal(dialog.failed, timeout=WAIT_MS) as blocker:
        dialog.start_export()
    assert "not a ConvStudio model bundle" in blocker.args[0] == dialog.result_message()
    assert not (tmp_path / "model_torchscript.pt").exists()
    dialog.bundle_edit.setText("")
    with qtbot.waitSignal(dialog.failed, timeout=1_000) as blocker:
        dialog.start_export()
    assert blocker.args[0].startswith("Choose a model bundle")
    dialog.bundle_edit.setText(str(not_a_bundle))
    dialog.set_out(str(not_a_bundle))
    with qtbot.waitSignal(dialog.failed, timeout=1_000) as blocker:
        dialog.start_export()
    assert "overwrite the bundle" in blocker.args[0]


def test_the_bundle_comes_from_predict_then_train(bundle_file, tmp_path):
    other = tmp_path / "run" / "best.pt"
    other.parent.mkdir()
    other.write_bytes(bundle_file.read_bytes())
    predict = SimpleNamespace(model_info=lambda: SimpleNamespace(path=str(bundle_file)))
    train = SimpleNamespace(last_run_dir=str(other.parent))
    window = SimpleNamespace(predict_panel=predict, train_panel=train)
    assert current_bundle(window) == str(bundle_file)
    assert run_bundle(window) == str(other)
    nothing = SimpleNamespace(
        predict_panel=SimpleNamespace(model_info=lambda: None), train_panel=None
    )
    assert current_bundle(nothing) is None and run_bundle(nothing) is None


def test_window_menus_export_and_copy_the_training_script(qtbot, bundle_file, monkeypatch):
    monkeypatch.setenv("CONVSTUDIO_NO_DIALOGS", "1")
    window = MainWindow(load_torch_now=False)
    qtbot.addWidget(window)
    try:
        window.copy_script_action.trigger()  # no run yet: said, nothing copied
        assert "No run to copy yet" in window.last_error
        window.export_action.trigger()
        dialog = window.findChild(ExportDialog)
        assert isinstance(dialog, ExportDialog) and dialog.isVisible()
        dialog.close()
        monkeypatch.setattr(export_dialog, "run_bundle", lambda w: str(bundle_file))
        copier = export_dialog.ScriptCopier.for_window(window)
        with qtbot.waitSignal(copier.copied, timeout=WAIT_MS):
            window.copy_script_action.trigger()
        assert export_dialog.ScriptCopier.for_window(window) is copier
        text = QApplication.clipboard().text()
        assert text.rstrip().endswith("main()") and "best_val_acc" in text
        assert "Copied the training script" in window.statusBar().currentMessage()
    finally:
        window.shutdown()
