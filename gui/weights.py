"""File > Import weights...: pretrained weights into the torch hub cache, with a look at it.

The dialog shows, for an architecture with ImageNet weights, whether torchvision's file
(``resnet18-f37072fd.pth`` ...) is in ``$TORCH_HOME/hub/checkpoints`` and lets the user

* import a local ``.pth``: it is checked to load into the architecture, then copied
  under the name torchvision expects (core.weights.import_weights);
* download the file, with progress and Cancel (core.weights.download_weights).

Both run in the background through one :class:`gui.tasks.LatestTask`; nothing is kept
unless it loads. A training run that finds the file missing downloads it itself, shown
as a phase in the Train tab (core.stages.fetch_weights).
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QCoreApplication, Qt, Signal, Slot
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from core import ARCH_NAMES
from gui import errors, tasks

# --------------------------------------------------------------------------- task functions


def import_task(ctx: tasks.TaskContext, source: str, arch: str) -> str:
    """Pool thread: check ``source`` loads into ``arch``, copy it into the cache."""
    from core.weights import import_weights

    return str(import_weights(source, arch))


def download_task(ctx: tasks.TaskContext, arch: str, url: str | None = None) -> str:
    """Pool thread: download the ImageNet weights of ``arch``; Cancel stops it."""
    from core.weights import DownloadCancelled, download_weights

    try:
        return str(download_weights(arch, ctx.progress, lambda: ctx.cancelled, url=url))
    except DownloadCancelled:
        raise tasks.TaskCancelled from None


def cache_state(arch: str) -> tuple[str, bool]:
    """(a sentence on where the weights of ``arch`` are, whether the file is there)."""
    from core import models

    info = models.ARCHS.get(arch)
    if info is None or not info.pretrained:
        text = QCoreApplication.translate(
            "WeightsDialog", "{arch} has no ImageNet weights (train it from scratch)."
        )
        return text.format(arch=arch), False
    path = models.expected_weights_path(arch)
    if path.is_file():
        text = QCoreApplication.translate("WeightsDialog", "In the cache: {path} ({size} MB).")
        return text.format(path=path, size=f"{path.stat().st_size / 2**20:.1f}"), True
    text = QCoreApplication.translate(
        "WeightsDialog", "Not in the cache: {file} belongs in {folder}."
    )
    return text.format(file=path.name, folder=path.parent), False


class WeightsDialog(QDialog):
    """Import or download the ImageNet weights of one architecture.

    Signals ``imported(str)`` with the cache file once one was written (imported or
    downloaded), ``failed(str)`` with the message of an import or download that failed.
    """

    imported = Signal(str)
    failed = Signal(str)

    def __init__(self, arch: str = "resnet18", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Pretrained weights"))
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.setMinimumWidth(560)
        self.download_url: str | None = None  # tests point it at a local file
        self._downloading = False
        self.task = tasks.LatestTask(self)
        self.task.progressed.connect(self._on_progress)
        self.task.finished.connect(self._on_finished)
        self.task.errored.connect(self._on_errored)
        self.task.aborted.connect(self._on_aborted)
        self.task.busy_changed.connect(self._on_busy)
        self._build()
        self.arch_combo.currentIndexChanged.connect(self.update_state)
        self.set_arch(arch)

    def _build(self) -> None:
        from core import models

        self.arch_combo = QComboBox(self)
        for name in ARCH_NAMES:
            if models.ARCHS[name].pretrained:
                self.arch_combo.addItem(name)
        self.state_label = QLabel("", self)
        self.state_label.setWordWrap(True)
        self.state_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        form = QFormLayout()
        form.addRow(self.tr("Architecture:"), self.arch_combo)
        form.addRow(self.state_label)
        self.progress = QProgressBar(self)
        self.progress.setVisible(False)
        self.result_label = QLabel("", self)
        self.result_label.setWordWrap(True)
        self.result_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        self.import_button = buttons.addButton(
            self.tr("Import .pth..."), QDialogButtonBox.ButtonRole.ActionRole
        )
        self.import_button.setToolTip(
            self.tr(
                "Copy a weights file into the cache under the name torchvision expects, "
                "after checking that it loads into this architecture."
            )
        )
        self.import_button.clicked.connect(self.ask_import)
        self.download_button = buttons.addButton(
            self.tr("Download"), QDialogButtonBox.ButtonRole.ActionRole
        )
        self.download_button.setToolTip(
            self.tr("Download torchvision's ImageNet weights (needs internet).")
        )
        self.download_button.clicked.connect(self.start_download)
        self.cancel_button = QPushButton(self.tr("Cancel download"), self)
        self.cancel_button.setVisible(False)
        self.cancel_button.clicked.connect(self.cancel)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.progress)
        layout.addWidget(self.cancel_button, 0, Qt.AlignmentFlag.AlignRight)
        layout.addWidget(self.result_label)
        layout.addWidget(buttons)

    # ----------------------------------------------------------------- state
    def arch(self) -> str:
        return self.arch_combo.currentText()

    def set_arch(self, arch: str) -> None:
        """Show ``arch``; one without ImageNet weights shows resnet18."""
        index = self.arch_combo.findText(arch)
        self.arch_combo.setCurrentIndex(
            max(0, index if index >= 0 else self.arch_combo.findText("resnet18"))
        )
        self.update_state()

    @Slot()
    def update_state(self) -> None:
        text, present = cache_state(self.arch())
        self.state_label.setText(text)
        self.download_button.setEnabled(not present and not self.task.busy)

    # ----------------------------------------------------------------- actions
    @Slot()
    def ask_import(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self,
            self.tr("Weights for {arch}").format(arch=self.arch()),
            "",
            self.tr("PyTorch weights (*.pth *.pt);;All files (*)"),
        )
        if path:
            self.start_import(path)

    def start_import(self, path: str) -> None:
        self._downloading = False
        self.result_label.setText(
            self.tr("Checking {file} against {arch}...").format(
                file=Path(path).name, arch=self.arch()
            )
        )
        self.progress.setRange(0, 0)
        self.task.start(import_task, path, self.arch())

    @Slot()
    def start_download(self) -> None:
        self._downloading = True
        self.result_label.setText(
            self.tr("Downloading the ImageNet weights of {arch}...").format(arch=self.arch())
        )
        self.progress.setRange(0, 0)
        self.task.start(download_task, self.arch(), self.download_url)

    @Slot()
    def cancel(self) -> None:
        self.task.stop()  # the download stops at its next chunk; its end is still relayed

    # ----------------------------------------------------------------- task signals
    @Slot(int, int)
    def _on_progress(self, done: int, total: int) -> None:
        if total > 0:
            self.progress.setRange(0, 1000)
            self.progress.setValue(int(1000 * done / total))
            self.progress.setFormat(
                self.tr("{done} / {total} MB").format(
                    done=f"{done / 2**20:.1f}", total=f"{total / 2**20:.1f}"
                )
            )
        else:
            self.progress.setFormat(self.tr("{done} MB").format(done=f"{done / 2**20:.1f}"))

    @Slot(object)
    def _on_finished(self, path: str) -> None:
        self.result_label.setText(
            self.tr("Saved {path}; training with ImageNet weights uses it.").format(path=path)
        )
        self.update_state()
        self.imported.emit(str(path))

    @Slot(object)
    def _on_errored(self, exc: BaseException) -> None:
        message = errors.message(exc)
        self.result_label.setText(message)
        self.failed.emit(message)

    @Slot()
    def _on_aborted(self) -> None:
        self.result_label.setText(self.tr("Download cancelled; nothing was kept."))

    @Slot(bool)
    def _on_busy(self, busy: bool) -> None:
        self.progress.setVisible(busy)
        self.cancel_button.setVisible(busy and self._downloading)
        self.import_button.setEnabled(not busy)
        self.arch_combo.setEnabled(not busy)
        self.update_state()

    def done(self, result: int) -> None:  # noqa: D401 - QDialog's name
        """Closing the dialog cancels a download (nothing half-written is kept)."""
        self.task.cancel()
        super().done(result)
