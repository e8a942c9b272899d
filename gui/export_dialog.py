"""File > Export model... and Train > Copy as training script.

The dialog picks a bundle, a format (TorchScript, ONNX, usage snippet, training
script) and the file to write, runs :func:`core.export.export_model` in the
background (the export and its check take seconds) and shows the check's result or
the error. No panel is imported: the window hands over the bundle it knows (the
Predict panel's model, or the Train panel's last best.pt) through
:func:`current_bundle` and :func:`run_bundle`, which only read public attributes.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, QObject, Qt, Signal, Slot
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from gui import errors, tasks
from gui.i18n.core_messages import translate as core_text

# (format, label, default file name, file dialog filter); labels marked for translation
FORMATS: tuple[tuple[str, str, str, str], ...] = (
    ("torchscript", "TorchScript (.pt)", "model_torchscript.pt", "TorchScript (*.pt)"),
    ("onnx", "ONNX (.onnx)", "model.onnx", "ONNX (*.onnx)"),
    (
        "snippet",
        QT_TRANSLATE_NOOP("ExportDialog", "Usage snippet (.py)"),
        "use_model.py",
        "Python (*.py)",
    ),
    (
        "script",
        QT_TRANSLATE_NOOP("ExportDialog", "Training script (.py)"),
        "train_again.py",
        "Python (*.py)",
    ),
)


# --------------------------------------------------------------------------- task functions


def export_task(ctx: tasks.TaskContext, bundle: str, fmt: str, out: str) -> Any:
    """Pool thread: write and check the export (core.export), return its ExportResult."""
    from core.export import export_model

    return export_model(bundle, fmt, out)


def script_task(ctx: tasks.TaskContext, bundle: str) -> str:
    """Pool thread: the run behind ``bundle`` as a plain PyTorch training script."""
    from core.checkpoint import load_bundle
    from core.export_script import training_script

    return training_script(load_bundle(bundle), bundle)


# --------------------------------------------------------------------------- which bundle


def _existing(path: Any) -> str | None:
    return str(path) if path and Path(str(path)).is_file() else None


def _predict_bundle(window: Any) -> str | None:
    predict = getattr(window, "predict_panel", None)
    info = predict.model_info() if predict is not None else None
    return _existing(getattr(info, "path", None))


def _train_bundle(window: Any) -> str | None:
    train = getattr(window, "train_panel", None)
    if train is None:
        return None
    best = getattr(train, "best_pt", None) or getattr(
        getattr(train, "session", None), "best_pt", None
    )
    folder = getattr(train, "last_run_dir", None)
    return _existing(best) or (_existing(Path(folder) / "best.pt") if folder else None)


def current_bundle(window: Any) -> str | None:
    """The model to export by default: the Predict panel's, else the last run's best.pt."""
    return _predict_bundle(window) or _train_bundle(window)


def run_bundle(window: Any) -> str | None:
    """The run to copy as a script: the last run's best.pt, else the Predict panel's model."""
    return _train_bundle(window) or _predict_bundle(window)


def _tr(text: str) -> str:
    return QCoreApplication.translate("ExportDialog", text)


def result_text(result: Any) -> str:
    """What the dialog shows for an ExportResult."""
    kb = result.size_bytes / 1000
    size = f"{kb / 1000:.1f} MB" if kb >= 1000 else f"{kb:.1f} kB"
    lines = [
        QCoreApplication.translate(
            "ExportDialog", "Wrote {path} ({size}, exported in {seconds} s)"
        ).format(path=result.path, size=size, seconds=f"{result.seconds:.1f}")
    ]
    check = result.check
    if check is not None:
        lines += [
            QCoreApplication.translate(
                "ExportDialog", "Checked against the bundle on {images} images ({source}):"
            ).format(images=check.images, source=core_text(check.source)),
            QCoreApplication.translate(
                "ExportDialog",
                "top-1 agrees on {agree}/{images}, max |logit difference| {diff} (allowed < 1e-4)",
            ).format(
                agree=check.top1_agree, images=check.images, diff=f"{check.max_logit_diff:.2g}"
            ),
        ]
    return "\n".join(lines)


# --------------------------------------------------------------------------- the dialog


class ExportDialog(QDialog):
    """Export a bundle; signals ``exported(object)`` (the ExportResult) and ``failed(str)``."""

    exported = Signal(object)
    failed = Signal(str)

    def __init__(self, bundle: str | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Export model"))
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.setMinimumWidth(560)
        self._out_chosen = False  # the user picked the output file: keep it
        self.task = tasks.LatestTask(self)
        self.task.finished.connect(self._on_finished)
        self.task.errored.connect(self._on_errored)
        self.task.busy_changed.connect(self._on_busy)
        self._build()
        self.format_combo.currentIndexChanged.connect(self._suggest_out)
        self.bundle_edit.textChanged.connect(self._suggest_out)
        self.out_edit.textEdited.connect(self._on_out_edited)
        self.bundle_edit.setText(bundle or "")
        self._suggest_out()

    def _build(self) -> None:
        self.bundle_edit = QLineEdit(self)
        self.bundle_edit.setObjectName("export_bundle")
        self.bundle_edit.setPlaceholderText(self.tr("a best.pt from a run folder"))
        self.format_combo = QComboBox(self)
        self.format_combo.setObjectName("export_format")
        for fmt, label, _, _ in FORMATS:
            self.format_combo.addItem(_tr(label), fmt)
        self.out_edit = QLineEdit(self)
        self.out_edit.setObjectName("export_out")
        form = QFormLayout()
        form.addRow(
            self.tr("Model bundle:"), self._with_button(self.bundle_edit, self.browse_bundle)
        )
        form.addRow(self.tr("Format:"), self.format_combo)
        form.addRow(self.tr("Save as:"), self._with_button(self.out_edit, self.browse_out))
        self.progress = QProgressBar(self)
        self.progress.setRange(0, 0)  # busy: the export reports no steps
        self.progress.setVisible(False)
        self.result_label = QLabel("", self)
        self.result_label.setObjectName("export_result")
        self.result_label.setWordWrap(True)
        self.result_label.setMinimumHeight(72)
        self.result_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        self.export_button = buttons.addButton(
            self.tr("Export"), QDialogButtonBox.ButtonRole.ActionRole
        )
        self.export_button.setDefault(True)
        self.export_button.clicked.connect(self.start_export)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.progress)
        layout.addWidget(self.result_label)
        layout.addWidget(buttons)

    def _with_button(self, edit: QLineEdit, slot) -> QWidget:
        box = QWidget(self)
        row = QHBoxLayout(box)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(edit, 1)
        button = QPushButton(self.tr("Browse..."), box)
        button.clicked.connect(slot)
        row.addWidget(button)
        return box

    # ----------------------------------------------------------------- choices

    def fmt(self) -> str:
        return str(self.format_combo.currentData())

    def set_format(self, fmt: str) -> None:
        self.format_combo.setCurrentIndex(self.format_combo.findData(fmt))

    def set_out(self, path: str) -> None:
        self.out_edit.setText(str(path))
        self._out_chosen = True

    @Slot()
    def _on_out_edited(self) -> None:
        self._out_chosen = bool(self.out_edit.text().strip())

    @Slot()
    def _suggest_out(self) -> None:
        """Next to the bundle, named after the format, until the user picks a file."""
        if self._out_chosen:
            return
        bundle = self.bundle_edit.text().strip()
        name = next(f[2] for f in FORMATS if f[0] == self.fmt())
        self.out_edit.setText(str(Path(bundle).parent / name) if bundle else "")

    def browse_bundle(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self,
            self.tr("Model to export"),
            self.bundle_edit.text(),
            self.tr("Model bundles (*.pt);;All files (*)"),
        )
        if path:
            self.bundle_edit.setText(path)

    def browse_out(self) -> None:
        pattern = next(f[3] for f in FORMATS if f[0] == self.fmt())
        path, _ = QFileDialog.getSaveFileName(
            self, self.tr("Save export as"), self.out_edit.text(), pattern
        )
        if path:
            self.set_out(path)

    # ----------------------------------------------------------------- the export

    def _problem(self, bundle: str, out: str) -> str | None:
        if not bundle or not Path(bundle).is_file():
            return self.tr("Choose a model bundle (a best.pt from a run folder).")
        if not out:
            return self.tr("Choose the file to write.")
        if Path(out).resolve() == Path(bundle).resolve():
            return self.tr(
                "The export would overwrite the bundle itself; choose another file name."
            )
        return None

    @Slot()
    def start_export(self) -> None:
        bundle, out = self.bundle_edit.text().strip(), self.out_edit.text().strip()
        problem = self._problem(bundle, out)
        if problem:
            self._show_error(problem)
            return
        self.result_label.setStyleSheet("")
        self.result_label.setText(
            self.tr("Exporting {file} and checking the file...").format(file=Path(bundle).name)
        )
        self.task.start(export_task, bundle, self.fmt(), out)

    @Slot(object)
    def _on_finished(self, result: Any) -> None:
        self.result_label.setStyleSheet("color: #1b6e20;")
        self.result_label.setText(result_text(result))
        self.exported.emit(result)

    @Slot(object)
    def _on_errored(self, exc: BaseException) -> None:
        self._show_error(errors.message(exc))

    def _show_error(self, text: str) -> None:
        self.result_label.setStyleSheet("color: #b00020;")
        self.result_label.setText(text)
        self.failed.emit(text)

    @Slot(bool)
    def _on_busy(self, busy: bool) -> None:
        self.progress.setVisible(busy)
        self.export_button.setEnabled(not busy)

    def result_message(self) -> str:
        return self.result_label.text()

    def done(self, code: int) -> None:
        self.task.cancel()  # a late result must not reach a closed dialog
        super().done(code)


# --------------------------------------------------------------------------- copy as script


class ScriptCopier(QObject):
    """Train > Copy as training script: the window's run as a script on the clipboard.

    Signals ``copied(str)`` (the script) and ``failed(str)``. One per window, found
    with :meth:`for_window`.
    """

    copied = Signal(str)
    failed = Signal(str)

    def __init__(self, window: QWidget) -> None:
        super().__init__(window)
        self.window = window
        self.bundle = ""
        self.task = tasks.LatestTask(self)
        self.task.finished.connect(self._on_script)
        self.task.errored.connect(self._on_error)

    @classmethod
    def for_window(cls, window: QWidget) -> ScriptCopier:
        return window.findChild(cls) or cls(window)

    def copy(self) -> None:
        bundle = run_bundle(self.window)
        if bundle is None:
            self._fail(
                self.tr("No run to copy yet: train a model or open one (File > Open model).")
            )
            return
        self.bundle = bundle
        self.window.statusBar().showMessage(
            self.tr("Making the training script of {bundle}...").format(bundle=bundle)
        )
        self.task.start(script_task, bundle)

    @Slot(object)
    def _on_script(self, text: str) -> None:
        QGuiApplication.clipboard().setText(text)
        lines = text.count("\n")
        self.window.statusBar().showMessage(
            self.tr(
                "Copied the training script of {bundle} (%n line(s)) to the clipboard.", "", lines
            ).format(bundle=self.bundle),
            10_000,
        )
        self.copied.emit(text)

    @Slot(object)
    def _on_error(self, exc: BaseException) -> None:
        self._fail(
            self.tr("Could not make the training script: {reason}").format(
                reason=errors.message(exc)
            )
        )

    def _fail(self, text: str) -> None:
        self.window.show_error(text)
        self.failed.emit(text)
