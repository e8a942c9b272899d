"""The main window's dialogs: File > Open ..., Export, Import weights, the Help pages.

Each opens beside the window (non-modal where the user keeps working meanwhile) and
hands what was chosen to the window (``open_dataset``, ``open_model``, ``open_run``).
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QDialog, QFileDialog, QMessageBox

from gui import help as help_pages


class Dialogs:
    """File and Help menu dialogs (a mixin of the main window)."""

    def ask_open_dataset(self) -> None:
        folder = QFileDialog.getExistingDirectory(
            self, QCoreApplication.translate("MainWindow", "Open dataset folder")
        )
        if folder:
            self.open_dataset(folder)

    def ask_open_model(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self,
            QCoreApplication.translate("MainWindow", "Open model"),
            "",
            QCoreApplication.translate("MainWindow", "Model bundles (*.pt);;All files (*)"),
        )
        if path:
            self.open_model(path)

    def ask_open_run(self) -> None:
        folder = QFileDialog.getExistingDirectory(
            self, QCoreApplication.translate("MainWindow", "Open run folder")
        )
        if folder:
            self.open_run(folder)

    def show_export_dialog(self) -> QDialog:
        """File > Export model...: the dialog, on the Predict panel's model or the last run's."""
        from gui.export_dialog import ExportDialog, current_bundle

        self._export_dialog = ExportDialog(current_bundle(self), self)
        self._export_dialog.show()
        return self._export_dialog

    def show_weights_dialog(self) -> QDialog:
        """File > Import weights...: for the Train tab's architecture (gui.weights)."""
        from gui.weights import WeightsDialog

        train = self.train_panel
        self._weights_dialog = WeightsDialog(train.arch() if train else "resnet18", self)
        self._weights_dialog.show()
        return self._weights_dialog

    def copy_training_script(self) -> None:
        """Train > Copy as training script: the last run as a plain PyTorch script."""
        from gui.export_dialog import ScriptCopier

        ScriptCopier.for_window(self).copy()

    def about_text(self) -> str:
        return help_pages.about_text(self.torch_info)

    def show_log(self) -> QDialog:
        """Help > Show log: the log file's newest part in a read-only, non-modal window."""
        self._log_dialog = help_pages.log_dialog(self)
        return self._log_dialog

    def show_getting_started(self) -> QDialog:
        """Help > Getting started: the first steps (non-modal)."""
        return help_pages.page(
            self,
            QCoreApplication.translate("MainWindow", "Getting started"),
            help_pages.getting_started(),
            "getting_started",
        )

    def show_shortcuts(self) -> QDialog:
        """Help > Keyboard shortcuts: read from the window's actions (non-modal)."""
        text = help_pages.shortcuts_html(self.actions())
        return help_pages.page(
            self, QCoreApplication.translate("MainWindow", "Keyboard shortcuts"), text, "shortcuts"
        )

    def show_about(self) -> None:
        QMessageBox.about(
            self, QCoreApplication.translate("MainWindow", "About ConvStudio"), self.about_text()
        )
