"""The main window: tabs, menus, PyTorch loading, wiring, drops, close, settings."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import types
from pathlib import Path

import pytest
from PIL import Image
from PySide6.QtCore import QMimeData, QSettings, Signal
from PySide6.QtWidgets import QApplication, QLabel, QMessageBox, QWidget

from gui import main_window, tasks
from gui.main_window import MainWindow
from gui.panel import Panel
from gui.train import TrainPanel
from tests.gui.drag import drag_events, url_mime

pytest.importorskip("torch")

TAB_TITLES = ["Data", "Augment", "Train", "Calculator", "Predict", "Evaluate", "Runs"]


class StubPredictPanel(Panel):
    """Records what the window forwards to the Predict panel."""

    evaluate_requested = Signal(str, str)

    def __init__(self) -> None:
        super().__init__()
        self.loaded: list[str] = []
        self.predicted: list[list[str]] = []
        self.hovered: list[list[str]] = []

    def load_model(self, path):
        self.loaded.append(str(path))

    def predict_paths(self, paths):
        self.predicted.append(list(paths))

    def predict_image(self, image):
        self.predicted.append(["<image>"])

    def prepare_drag(self, mime):
        self.hovered.append([u.toLocalFile() for u in mime.urls()] if mime.hasUrls() else [])


@pytest.fixture
def stub_predict(monkeypatch):
    """Replace the Predict panel with the recording stub (the real one has its own tests)."""
    module = types.ModuleType("convstudio_test_stubs")
    module.StubPredictPanel = StubPredictPanel
    monkeypatch.setitem(sys.modules, "convstudio_test_stubs", module)
    panels = tuple(
        ("Predict", "convstudio_test_stubs", "StubPredictPanel") if p[0] == "Predict" else p
        for p in main_window.PANELS
    )
    monkeypatch.setattr(main_window, "PANELS", panels)


@pytest.fixture
def make_window(qtbot, tmp_path, monkeypatch):
    """Build windows whose runs go to tmp_path and whose training is quick (MLP, 1 epoch)."""
    monkeypatch.setenv("CONVSTUDIO_NO_DIALOGS", "1")
    windows = []

    def make(quick: bool = True, **kw) -> MainWindow:
        w = MainWindow(**kw)
        qtbot.addWidget(w)
        windows.append(w)
        train = w.train_panel
        if train is not None:
            train.set_output_folder(tmp_path / "runs")
            if quick:
                train.set_arch("mlp")
                train.form.set_value("epochs", 1)
                train.form.set_value("batch_size", 256)
        return w

    yield make
    for w in windows:
        w.shutdown()


def ready(qtbot, w: MainWindow) -> MainWindow:
    """PyTorch loaded and the panels' first background jobs (dataset scan, previews) done."""
    if not w.torch_loaded:
        with qtbot.waitSignal(w.torch_ready, timeout=60_000):
            pass
    qtbot.waitUntil(lambda: tasks.running_tasks() == 0, timeout=60_000)
    return w


def two_class_folder(root):
    for cls, color in (("cats", (200, 0, 0)), ("dogs", (0, 0, 200))):
        (root / cls).mkdir(parents=True)
        for i in range(6):
            Image.new("RGB", (16, 16), color).save(root / cls / f"{i}.png")
    return root


def drop(window: QWidget, paths=None, mime: QMimeData | None = None) -> bool:
    """A real drag-enter then drop carrying file URLs (or ``mime``); returns whether accepted."""
    if mime is None:
        mime = url_mime(*paths)
    enter, event = drag_events(mime)
    QApplication.sendEvent(window, enter)
    assert enter.isAccepted()
    QApplication.sendEvent(window, event)
    return event.isAccepted()


def test_tabs_menus_and_shortcuts(make_window):
    w = make_window(load_torch_now=False)
    assert w.windowTitle() == "ConvStudio"
    assert [w.tabs.tabText(i) for i in range(w.tabs.count())] == TAB_TITLES
    assert isinstance(w.train_panel, TrainPanel)
    menus = {a.text().replace("&", ""): a.menu() for a in w.menuBar().actions()}
    assert {"File", "Help"} <= set(menus)
    file_items = [a.text().replace("&", "") for a in menus["File"].actions() if a.text()]
    assert file_items[:4] == [
        "Open dataset folder...",
        "Open model...",
        "Open run folder...",
        "Open in Evaluate...",
    ]
    assert file_items[-1] == "Quit"
    keys = {a.text().replace("&", ""): [s.toString() for s in a.shortcuts()] for a in w.actions()}
    assert keys["Start training"] == ["F5", "Ctrl+T"]  # the menu shows F5
    assert keys["Stop training"] == ["Esc", "Ctrl+."]
    assert keys["Open dataset folder..."] == ["Ctrl+O"]
    assert keys["Open model..."] == ["Ctrl+M"]
    assert keys["Quit"] == ["Ctrl+Q"]
    assert w.start_action.isEnabled()  # pressed now, training waits for PyTorch
    w.tab_actions[3].trigger()
    assert w.current_tab() == "Calculator"
    assert w.statusBar().currentMessage().startswith("Loading PyTorch")


def test_broken_panel_becomes_placeholder(make_window, monkeypatch):
    monkeypatch.setitem(sys.modules, "gui.calculator", None)  # import fails
    w = make_window(load_torch_now=False)
    assert [w.tabs.tabText(i) for i in range(w.tabs.count())] == TAB_TITLES
    placeholder = w.tabs.widget(3)
    assert isinstance(placeholder, QLabel)
    assert "unavailable" in placeholder.text()
    assert "Calculator" in w.panel_errors
    assert w.calculator_panel is None
    assert isinstance(w.train_panel, TrainPanel)  # the others still work


def test_first_launch_defaults_then_torch_ready(qtbot, make_window):
    w = make_window(quick=False)
    # File > Import weights lists the networks of core.models (torch): only once it is in
    assert not w.torch_loaded and not w.import_weights_action.isEnabled()
    w = ready(qtbot, w)
    assert w.import_weights_action.isEnabled()
    assert w.data_source() == "builtin:digits"
    assert w.train_panel.arch() == "smallcnn"
    assert w.train_panel.source == "builtin:digits"
    assert w.start_action.isEnabled()
    assert w.train_panel.start_button.isEnabled()
    about = w.about_text()
    assert w.torch_info["torch"] in about and "torchvision" in about and "Qt " in about
    assert "PySide6" in about and "Device:" in about


def test_train_from_window_feeds_predict_and_open_run(qtbot, make_window, stub_predict, tmp_path):
    w = ready(qtbot, make_window())
    predict = w.predict_panel
    with qtbot.waitSignal(w.train_panel.training_finished, timeout=90_000) as sig:
        w.start_action.trigger()  # Ctrl+T
        assert w.current_tab() == "Train"
        assert not w.start_action.isEnabled()
    summary = sig.args[0]
    assert summary["epochs"] == 1
    assert predict.loaded == [summary["best_pt"]]
    # the curves: one point per epoch, every delivered batch, the epoch's last batch included
    train = w.train_panel
    plots = train.plots
    assert len(plots.train_loss) == len(plots.val_loss) == len(plots.val_acc) == 1
    assert len(plots.train_acc) == len(plots.lr) == 1
    steps = 6  # 1437 training digits / 256 per batch
    assert 1 <= len(plots.batch_loss) <= steps
    assert plots.batch_loss.view()[0][-1] == steps
    assert len(plots.batch_smooth) == len(plots.batch_loss)
    assert plots.best_epoch == 1
    assert train.table.rowCount() == 1
    assert "epoch 1/1" in train.log_text()
    run = Path(summary["run_dir"])
    assert run.parent == tmp_path / "runs"
    for name in ("config.json", "metrics.csv", "summary.json", "best.pt", "last.pt"):
        assert (run / name).is_file()
    config = json.loads((run / "config.json").read_text())
    assert config["arch"] == "mlp" and config["epochs"] == 1
    from core.augment import validate_spec

    edited = validate_spec(w.augment_panel.specs()["train"])
    assert validate_spec(config["train_transforms"]) == edited  # one pipeline
    assert w.start_action.isEnabled() and train.start_button.isEnabled()

    w.train_panel.plots.clear()
    assert w.open_run(summary["run_dir"])
    assert len(w.train_panel.plots.val_loss) == 1  # from metrics.csv
    assert predict.loaded[-1] == summary["best_pt"]
    assert not w.open_run(tmp_path)  # not a run folder: a message, no crash
    assert "not a training run" in w.last_error


def test_close_during_training_asks_stops_and_waits(qtbot, make_window, monkeypatch):
    from core.checkpoint import load_bundle

    asked = []

    def answer(*args, **kw):
        asked.append(args)
        return QMessageBox.StandardButton.Yes

    monkeypatch.setattr(QMessageBox, "question", staticmethod(answer))
    w = ready(qtbot, make_window())
    train = w.train_panel
    train.form.set_value("epochs", 20)
    train.form.set_value("batch_size", 64)
    w.show()
    w.start_training()
    qtbot.waitUntil(lambda: len(train.plots.batch_loss) >= 1, timeout=60_000)
    run_dir = train.last_run_dir
    assert w.close()
    assert len(asked) == 1
    assert not train.is_training()
    assert train.session.run is None  # thread waited for and released
    bundle = load_bundle(f"{run_dir}/last.pt")
    assert bundle["arch"] == "mlp"
    assert QSettings().value("data/source") == "builtin:digits"


def test_close_refused_keeps_training(qtbot, make_window, monkeypatch):
    monkeypatch.setattr(
        QMessageBox, "question", staticmethod(lambda *a, **k: QMessageBox.StandardButton.No)
    )
    w = ready(qtbot, make_window())
    train = w.train_panel
    train.form.set_value("epochs", 20)
    w.show()
    w.start_training()
    assert not w.close()
    assert train.is_training() and w.isVisible()
    w.stop_action.trigger()  # Esc
    with qtbot.waitSignal(train.training_finished, timeout=60_000) as sig:
        pass
    assert sig.args[0] is None or sig.args[0]["stopped"] is True


def test_worker_error_reaches_window(qtbot, make_window, monkeypatch, tmp_path):
    monkeypatch.delenv("CONVSTUDIO_NO_DIALOGS")
    folder = tmp_path / "one"
    (folder / "cats").mkdir(parents=True)
    for i in range(3):
        Image.new("RGB", (8, 8)).save(folder / "cats" / f"{i}.png")
    w = ready(qtbot, make_window())
    w.set_data_source(str(folder))
    assert w.train_panel.source == str(folder)
    with qtbot.waitSignal(w.error_shown, timeout=60_000) as sig:
        w.start_training()
    assert "class" in sig.args[0].lower()
    assert w.last_error == sig.args[0]
    boxes = [b for b in w.findChildren(QMessageBox) if b.isVisible()]
    assert boxes and boxes[-1].text() == sig.args[0]
    for box in boxes:
        box.close()
    qtbot.waitUntil(lambda: not w.train_panel.is_training(), timeout=30_000)
    assert w.start_action.isEnabled()  # the app keeps running


def test_settings_round_trip(qtbot, make_window, tmp_path):
    folder = two_class_folder(tmp_path / "pets")
    w = make_window(quick=False, load_torch_now=False)
    w.train_panel.set_arch("resnet18")
    w.train_panel.form.set_value("epochs", 3)
    w.train_panel.form.set_value("lr", 0.01)
    w.set_data_source(str(folder))
    w.resize(700, 500)
    size = (w.width(), w.height())
    expected = w.train_panel.hyperparameters()
    assert w.close()

    again = make_window(quick=False, load_torch_now=False)
    assert again.data_source() == str(folder)
    assert again.train_panel.source == str(folder)
    assert again.train_panel.hyperparameters() == expected
    assert (again.width(), again.height()) == size != (1280, 820)


def test_every_panel_keeps_its_settings_through_the_window(make_window, monkeypatch):
    """The window saves and restores each panel's settings (the Runs tab's folders too)."""
    from gui.panel import Panel

    calls: list[tuple[str, str]] = []
    w = make_window(quick=False, load_torch_now=False)
    for panel in w.real_panels():
        for hook in ("load_settings", "save_settings"):
            original = getattr(panel, hook)
            monkeypatch.setattr(
                panel,
                hook,
                lambda s, o=original, t=panel.title, h=hook: (calls.append((t, h)), o(s)),
            )
    w.save_settings()
    w._restore_settings(None)
    titles = {p.title for p in w.real_panels()}
    assert "Runs" in titles and isinstance(w.panel("Runs"), Panel)
    assert {t for t, h in calls if h == "save_settings"} == titles
    assert {t for t, h in calls if h == "load_settings"} == titles


def test_data_panel_counts_with_the_train_tabs_split(make_window):
    w = make_window(quick=False, load_torch_now=False)
    form = w.train_panel.form
    form.set_value("val_split", 0.3)
    form.changed.emit("val_split")  # what a user's edit emits
    form.set_value("seed", 7)
    form.changed.emit("seed")
    assert (w.data_panel.session.val_split, w.data_panel.session.seed) == (0.3, 7)


def test_drops_go_to_predict_or_data(qtbot, make_window, stub_predict, tmp_path):
    images = []
    for i in range(2):
        path = tmp_path / f"img{i}.png"
        Image.new("RGB", (8, 8)).save(path)
        images.append(path)
    (tmp_path / "notes.txt").write_text("not an image")
    folder = two_class_folder(tmp_path / "pets")
    w = make_window(load_torch_now=False)
    predict = w.predict_panel
    w.show()
    qtbot.waitExposed(w)

    assert drop(w, [*images, tmp_path / "notes.txt"])
    assert predict.predicted == [[str(p) for p in images]]
    assert w.current_tab() == "Predict"
    # the drag's files were handed over on entering, so they are read before the drop
    assert predict.hovered == [[*(str(p) for p in images), str(tmp_path / "notes.txt")]]

    assert drop(w, [folder])  # a folder on another tab: its images are predicted
    assert predict.predicted[-1] == [str(folder)]

    w.show_tab("Data")
    assert drop(w, [folder])  # a folder on the Data tab: the dataset
    assert w.data_source() == str(folder)
    assert w.current_tab() == "Data"
    assert len(predict.predicted) == 2

    # files and a folder together on the Data tab: a batch to predict, not a dataset
    assert drop(w, [*images, folder])
    assert predict.predicted[-1] == [*(str(p) for p in images), str(folder)]
    assert w.current_tab() == "Predict"
    assert w.data_source() == str(folder)


def test_window_builds_without_importing_torch(tmp_path):
    """The window must be on screen before PyTorch (seconds to import) is loaded."""
    code = (
        "import sys\n"
        "from PySide6.QtWidgets import QApplication\n"
        "app = QApplication([])\n"
        "from gui.main_window import MainWindow\n"
        "w = MainWindow(load_torch_now=False)\n"
        "w.show()\n"
        "heavy = ('torch', 'torchvision', 'core.data', 'core.models', 'core.trainer', 'pyqtgraph')\n"
        "print(sorted(m for m in heavy if m in sys.modules))\n"
    )
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "XDG_CONFIG_HOME": str(tmp_path)}
    out = subprocess.run(
        [sys.executable, "-c", code],
        cwd=str(Path(__file__).resolve().parents[2]),
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip().splitlines()[-1] == "[]"


def test_app_arguments_and_launch_clock():
    from gui import app

    assert app.parse_args(["--data", "/some/folder"]).data == "/some/folder"
    assert app.parse_args([]).data is None
    assert 0 < app.process_age_s() < 24 * 3600


def test_raw_image_bytes_dropped_on_the_window_are_predicted(qtbot, make_window, stub_predict):
    """The window reads drops as the Predict drop zone does: image/png bytes count too."""
    import io

    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 30, 30)).save(buffer, format="PNG")
    mime = QMimeData()
    mime.setData("image/png", buffer.getvalue())
    w = make_window(load_torch_now=False)
    w.show()
    qtbot.waitExposed(w)
    assert drop(w, mime=mime)
    assert w.predict_panel.predicted == [["<image>"]]
    assert w.current_tab() == "Predict"
