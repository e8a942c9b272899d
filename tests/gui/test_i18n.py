"""The Simplified Chinese interface (issue 17): complete translations, built files, no English.

Three checks: the .ts regenerated from the sources has a finished zh_CN translation for
every string of the translated packages; the committed .qm files are what lrelease
builds from the committed .ts files; and the panels built under zh_CN show no English
word but names (models, transforms, files, units) on an allowlist.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from PySide6.QtCore import QCoreApplication, QLocale, QModelIndex, QObject, Qt
from PySide6.QtWidgets import (
    QAbstractButton,
    QComboBox,
    QGroupBox,
    QLabel,
    QLineEdit,
    QMenu,
    QPlainTextEdit,
    QProgressBar,
    QTableView,
    QTabWidget,
    QToolButton,
    QWidget,
)

from gui import i18n
from gui.i18n import core_messages, update

ROOT = Path(__file__).resolve().parents[2]


def _has_tools() -> bool:
    try:
        return bool(update.tool("lupdate") and update.tool("lrelease"))
    except FileNotFoundError:
        return False


needs_tools = pytest.mark.skipif(
    not _has_tools(), reason="the Qt translation tools of PySide6-Essentials are missing"
)

#: sources whose strings must all be translated (issue 17): the whole interface
TRANSLATED = ("core/", "gui/")

#: English that may stay: names of models, transforms, formats, files, units, and the
#: layer-spec and preset vocabulary a user types or passes to the CLI
ALLOWED = {
    *"PyTorch torchvision Grad CAM CSV JSON ONNX TorchScript ImageNet ConvStudio".split(),
    *"Python scikit learn CPU Ctrl Shift Cubuk Müller Hutter ToImage ToDtype True".split(),
    *"path top1 top2 prob prob2 scale".split(),  # the CSV's columns, code in a tooltip
    *"ResNet AlexNet VGG LeNet CNN RGB ECE F1 Top top macro BF AMX AVX bfloat float Ctrl".split(),
    *"smallcnn mlp resnet alexnet vgg bn seed digits none builtin".split(),
    *"conv maxpool avgpool adaptiveavgpool flatten linear relu dropout out ceil same valid".split(),
    *"bias Normalize ToTensor Resize CenterCrop RandomResizedCrop HxW C_in px MB kB".split(),
    *"pt pth py csv txt RUN notes train eval py val set_aside".split(),
    "English",  # View > Language names each language in itself
    *"torch hub".split(),  # PyTorch's weights cache (File > Import weights)
    *"state_dict Esc".split(),
    # the Train tab's choices: TrainConfig values, as the CLI takes them (main.py train)
    *"scratch finetune feature extract two stage on off sgd adam adamw step cosine".split(),
    *"onecycle val_acc val_loss auto cpu".split(),
    # names in the settings' tips and the model descriptions (core.config, core.models):
    # optimizers, schedules, PyTorch classes and tools, devices, Python's None
    *"Adam AdamW SGD StepLR Gamma gamma BatchNorm ReLU Dropout Linear MNIST".split(),
    *"DataLoader DistributedDataParallel torchrun autocast channels_last".split(),
    *"CUDA MPS GPU cuda mps imagenet None in classes".split(),  # Linear(in, 128) is code
}
WORD = re.compile(r"[A-Za-zÀ-ÿ0-9_]+")  # a token with a digit is a name or a size
TAG = re.compile(r"<[^>]*>|&\w+;|&#\d+;")
FILE_NAME = re.compile(r"[\w./-]*\w\.(pt|pth|py|csv|txt|json)\b|\w+/|--\w[\w-]*")


def english_words(text: str) -> list[str]:
    """The English words of a text that are not on the allowlist (nor transform names)."""
    from core.augment import TRANSFORMS

    plain = FILE_NAME.sub(" ", TAG.sub(" ", text))
    words = [w for w in WORD.findall(plain) if len(w) > 1 and not any(c.isdigit() for c in w)]
    return [w for w in words if w not in ALLOWED and w not in TRANSFORMS]


@needs_tools
def test_every_string_has_a_finished_chinese_translation(tmp_path):
    ts = update.fresh_copy(i18n.CHINESE, tmp_path, locations="absolute")
    missing = []
    for context, source, files in update.unfinished(ts):
        paths = [str((tmp_path / f).resolve().relative_to(ROOT)) for f in files]
        if any(p.startswith(TRANSLATED) for p in paths) or not paths:
            missing.append(f"[{context}] {source!r} ({', '.join(paths)})")
    assert not missing, (
        "strings without a finished zh_CN translation (run `python -m gui.i18n.update`, "
        "then translate them in gui/i18n/convstudio_zh_CN.ts):\n" + "\n".join(missing)
    )


@needs_tools
def test_the_built_translations_match_their_sources(tmp_path):
    for language in (i18n.CHINESE, i18n.ENGLISH):
        built = tmp_path / f"{language}.qm"
        update.lrelease(i18n.ts_path(language), built)
        assert built.read_bytes() == i18n.qm_path(language).read_bytes(), (
            f"{i18n.qm_path(language).name} is not built from its .ts: "
            "run `python -m gui.i18n.update`"
        )
    english = update.fresh_copy(i18n.ENGLISH, tmp_path, locations="none")
    assert english.read_bytes() == i18n.ts_path(i18n.ENGLISH).read_bytes(), (
        "the English plural forms miss a message: run `python -m gui.i18n.update`"
    )


def test_core_templates_are_translated_back_with_their_values(chinese):
    from core import augment_spec, folders, images

    text = folders.FOLDER_MISSING.format(path="/data/cats")
    assert core_messages.translate(text) == "数据集文件夹“/data/cats”不存在：请检查路径。"
    shown = core_messages.translate(images.UNREADABLE.format(reason="Permission denied"))
    assert shown == "无法读取文件（Permission denied）"  # values that are no template stay
    problem = augment_spec.FIELD_PROBLEM.format(  # templates inside a template
        where=augment_spec.step_label(2, "GaussianBlur"),
        field="kernel_size",
        problem=augment_spec.NOT_ODD.format(value=4),
    )
    assert (
        core_messages.translate(problem)
        == "第 3 步（GaussianBlur）：kernel_size 必须是奇数，当前为 4。"
    )
    assert core_messages.translate(images.EMPTY_FILE) == "文件为空（0 字节）"
    assert core_messages.translate("a message core never made") == "a message core never made"


def test_a_bad_setting_is_told_in_chinese(chinese):
    from core.config import ConfigError, TrainConfig

    with pytest.raises(ConfigError) as bad:
        TrainConfig(epochs=0).validate()
    assert str(bad.value) == "epochs: must be between 1 and 100000, not 0."  # the CLI's English
    assert core_messages.translate(str(bad.value)) == "epochs：必须在 1 到 100000 之间，而不是 0。"
    with pytest.raises(ConfigError) as bad:
        TrainConfig(device="tpu").validate()
    assert "cuda:N" in core_messages.translate(str(bad.value))
    assert "必须是" in core_messages.translate(str(bad.value))


def test_core_templates_stay_english_without_a_translator():
    from core import folders

    text = folders.TINY_MANY.format(name="cats", n=3, need=5)
    assert core_messages.translate(text) == text


# --------------------------------------------------------------------------- no English


@pytest.fixture
def chinese(qapp):
    """The zh_CN translators for one test; English (the tests' default) again after it."""
    locale, font = QLocale(), qapp.font()
    i18n.install_translators(qapp, i18n.CHINESE)
    yield
    i18n.install_translators(qapp, i18n.ENGLISH)
    QLocale.setDefault(locale)
    qapp.setFont(font)


def _texts(widget: QWidget) -> list[str]:
    """Every text a user can read on ``widget`` (its items, headers, tooltips, menus)."""
    out = [widget.toolTip(), widget.windowTitle() if widget.isWindow() else ""]
    if isinstance(widget, (QLabel, QAbstractButton)):
        out.append(widget.text())
    if isinstance(widget, QGroupBox):
        out.append(widget.title())
    if isinstance(widget, QTabWidget):
        out += [widget.tabText(i) for i in range(widget.count())]
        out += [widget.tabToolTip(i) for i in range(widget.count())]
    if isinstance(widget, QComboBox):
        out += [widget.itemText(i) for i in range(widget.count())]
    if isinstance(widget, (QLineEdit, QPlainTextEdit)):
        out.append(widget.placeholderText())
    if isinstance(widget, QProgressBar):
        out.append(widget.format())
    if isinstance(widget, QToolButton) and widget.menu() is not None:
        out += _menu_texts(widget.menu())
    if isinstance(widget, QTableView) and widget.model() is not None:
        out += _header_texts(widget.model())
    return out


def _menu_texts(menu: QMenu) -> list[str]:
    out = []
    for action in menu.actions():
        out += [action.text(), action.toolTip() if action.toolTip() != action.text() else ""]
        if action.menu() is not None:
            out += _menu_texts(action.menu())
    return out


def _header_texts(model) -> list[str]:
    out = []
    for column in range(model.columnCount(QModelIndex())):
        for role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            value = model.headerData(column, Qt.Orientation.Horizontal, role)
            out.append(value if isinstance(value, str) else "")
    return out


def _panels() -> list[QObject]:
    from gui.augment import AugmentPanel
    from gui.calculator import CalculatorPanel
    from gui.data import DataPanel
    from gui.evaluate import EvaluatePanel
    from gui.predict import PredictPanel
    from gui.runs import RunsPanel

    return [DataPanel(), AugmentPanel(), CalculatorPanel(), PredictPanel(), EvaluatePanel()] + [
        RunsPanel()
    ]


def test_the_panels_show_no_english_under_chinese(qtbot, chinese):
    assert QCoreApplication.translate("Panel", "Augment") == "数据增强"
    assert i18n.active_language() == i18n.CHINESE
    found = {}
    for panel in _panels():
        qtbot.addWidget(panel)
        panel.resize(1024, 700)
        if hasattr(panel, "select_digits"):  # the Data panel: its texts after a scan too
            with qtbot.waitSignal(panel.scan_finished, timeout=30_000):
                panel.select_digits()
        for widget in [panel, *panel.findChildren(QWidget)]:
            for text in _texts(widget):
                words = english_words(text)
                if words:
                    found[f"{type(panel).__name__}/{type(widget).__name__}: {text!r}"] = words
        panel.shutdown()
    assert not found, "English left in the Chinese interface:\n" + "\n".join(
        f"{k} -> {v}" for k, v in found.items()
    )


def _train_tab_core_texts() -> list[str]:
    """The Train tab's texts that come from core: the setting labels and tips
    (core.config) and the model descriptions (core.models), in English."""
    import dataclasses

    from core import config, models

    texts = [
        text
        for field in dataclasses.fields(config.TrainConfig)
        for text in (config.setting(field.name).label, config.setting(field.name).tip)
        if text
    ]
    return texts + [info.description for info in models.ARCHS.values()]


def test_core_marks_the_train_tabs_settings(chinese):
    from core import config, messages

    texts = _train_tab_core_texts()
    assert len(texts) > 60
    marked = set(messages.templates())
    assert [t for t in texts if t not in marked] == []
    english = {t: english_words(core_messages.translate(t)) for t in texts}
    assert {t: w for t, w in english.items() if w} == {}
    # an exact marked text wins over a template it happens to fit ("{where}: {field}
    # {problem}." would leave the English between Chinese punctuation)
    tip = config.setting("lr").tip
    assert tip == "Learning rate: the optimizer's step size."
    assert core_messages.translate(tip) == "学习率：优化器的步长。"
    assert core_messages.translate(config.setting("epochs").label) == "轮次"


def test_the_phase_texts_are_translated_with_their_values(chinese):
    from core import phases

    def shown(template: str, **values: object) -> str:
        return core_messages.translate(template.format(**values))

    assert shown(phases.DOWNLOADING, name="resnet18-f37072fd.pth", done=5.0, total=44.7) == (
        "正在下载 resnet18-f37072fd.pth：5.0/44.7 MB"
    )
    assert shown(phases.DOWNLOADING_UNSIZED, name="a.pth", done=5.0) == "正在下载 a.pth：5.0 MB"
    views = phases.VIEWS.format(views=3)
    assert shown(phases.EXTRACTING, done=1200, total=3200, views=views) == (
        "正在提取特征：1,200/3,200 张图像，3 个数据增强视图"
    )
    assert shown(phases.EXTRACTING, done=12, total=32, views=phases.NO_VIEWS) == (
        "正在提取特征：12/32 张图像，不做数据增强（0 个增强视图）"
    )
    best = phases.FROM_BEST_HEAD.format(epoch=2)
    assert shown(phases.FINETUNING, start=best, lr=0.0005) == (
        "从最佳分类头（第 2 轮）开始微调所有层，学习率 0.0005"
    )
    assert shown(phases.EVALUATED, total=1234, accuracy=97.5) == (
        "已用 1,234 张验证集图像评估 best.pt：准确率 97.50%（evaluation.json、predictions.csv）"
    )
    others = [
        phases.FINETUNING.format(start=phases.FROM_HEAD, lr=0.01),
        phases.FINETUNING.format(start=phases.FROM_RESUMED, lr=0.01),
        phases.EVALUATING.format(total=40),
        phases.EVALUATED_NO_ACCURACY.format(total=40),
        phases.EVALUATION_FAILED,
        phases.EVALUATION_STOPPED,
        phases.CACHE_UNKNOWN_FILES,
        phases.CACHE_REUSED.format(folder="/cache/0f3a"),
        phases.CACHE_SIZE.format(views=1, dim=512, size=3.25, where=phases.CACHE_IN_MEMORY),
        phases.CACHE_SIZE.format(views=2, dim=512, size=6.5, where=phases.CACHE_FROM_FILE),
        phases.CACHE_UNREADABLE.format(folder="/cache/0f3a"),
    ]
    left = {t: english_words(core_messages.translate(t)) for t in others}
    assert {t: w for t, w in left.items() if w} == {}


def _window_texts(window) -> list[str]:
    """The main window's menus, actions (text, status tip), tabs and status bar."""
    out = [window.windowTitle(), window.statusBar().currentMessage()]
    for action in window.menuBar().actions():
        out.append(action.text())
        if action.menu() is not None:
            out += _menu_texts(action.menu())
    for action in window.actions():
        out += [action.text(), action.statusTip()]
    return out


def _model_descriptions(panel, monkeypatch) -> list[str]:
    """What the Train tab says about each model (shown once PyTorch is loaded)."""
    from core import models

    monkeypatch.setattr(panel, "torch_ready", True)
    monkeypatch.setattr(panel, "_request_param_count", lambda: None)  # no model is built
    shown = []
    for arch in models.ARCHS:
        panel.form.set_value("arch", arch)
        assert panel.arch() == arch
        shown.append(panel.arch_help.text())
    assert len(set(shown)) == len(models.ARCHS) and all(shown), shown
    return shown


def test_the_main_window_and_the_train_tab_show_no_english_under_chinese(
    qtbot, chinese, monkeypatch
):
    from gui.main_window import MainWindow

    monkeypatch.setenv("CONVSTUDIO_NO_DIALOGS", "1")
    window = MainWindow(load_torch_now=False)
    qtbot.addWidget(window)
    window.resize(1024, 700)
    found = {}
    texts = _window_texts(window)
    for widget in [window.train_panel, *window.train_panel.findChildren(QWidget)]:
        texts += _texts(widget)
    texts += [window.tabs.tabText(i) for i in range(window.tabs.count())]
    texts += _model_descriptions(window.train_panel, monkeypatch)
    for text in texts:
        words = english_words(text)
        if words:
            found[repr(text)] = words
    menus = [a.text() for a in window.menuBar().actions()]
    from core import folders

    window.show_error(folders.FOLDER_MISSING.format(path="/data/cats"))  # core's English
    assert window.last_error == "数据集文件夹“/data/cats”不存在：请检查路径。"
    window.shutdown()
    assert menus == ["文件(&F)", "训练(&T)", "视图(&V)", "帮助(&H)"]
    assert window.current_tab() == "Data" and window.tabs.tabText(2) == "训练"
    assert not found, "English left in the Chinese window:\n" + "\n".join(
        f"{k} -> {v}" for k, v in found.items()
    )


def test_the_allowlist_check_catches_english():
    assert english_words("数据集：<b>best.pt</b> ResNet18 ToTensor 3x224x224") == []
    assert english_words("打开 folder") == ["folder"]


def test_language_choice_and_restart_arguments(qapp):
    assert i18n.normalise("zh_CN.UTF-8") == i18n.CHINESE
    assert i18n.normalise("zh-Hans") == i18n.CHINESE
    assert i18n.normalise("en_GB") == i18n.ENGLISH and i18n.normalise("de_DE") is None
    assert i18n.chosen_language("zh_CN") == i18n.CHINESE  # --lang wins
    said = i18n.set_language("zh_CN")
    assert i18n.saved_language() == i18n.CHINESE and "简体中文" in said
    assert i18n.chosen_language(None) == i18n.CHINESE
    assert i18n.restart_arguments(["--lang", "en", "--data", "x", "--lang=zh_CN"]) == [
        "--data",
        "x",
    ]


def test_a_cjk_font_is_found_or_said(qapp, caplog):
    assert i18n.cjk_font({"DejaVu Sans", "Noto Sans CJK SC"}) == "Noto Sans CJK SC"
    assert i18n.cjk_font({"DejaVu Sans"}) is None
