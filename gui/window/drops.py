"""Drag and drop anywhere on the main window: images to Predict, a folder to Data.

The window reads a drop as the Predict tab's drop zone does (:mod:`gui.dnd`): files,
folders and raw image data. Only folders, dropped while the Data tab shows, make a
dataset; anything else with images is a batch to predict.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QCoreApplication
from PySide6.QtGui import QDragEnterEvent, QDropEvent

from core import IMAGE_EXTENSIONS
from gui import dnd


def is_image_file(path: str) -> bool:
    return Path(path).suffix.lower() in IMAGE_EXTENSIONS and Path(path).is_file()


class Drops:
    """The main window's drag-and-drop events (a mixin of the window)."""

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if self.predict_panel is None:
            event.ignore()
            return
        if dnd.has_input(event.mimeData()):
            event.acceptProposedAction()
            self.predict_panel.prepare_drag(event.mimeData())
        else:
            event.ignore()

    def dragMoveEvent(self, event) -> None:
        event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        """Files, folders and image data from anywhere: the same reading as the drop zone."""
        if self.predict_panel is None:
            event.ignore()
            return
        paths, images, problems = dnd.inputs(event.mimeData())
        event.acceptProposedAction()
        if problems:
            self.statusBar().showMessage(" ".join(problems), 8000)
        if paths:
            self.handle_dropped_paths(paths)
        elif images:
            for image in images:
                self.predict_panel.predict_image(image)
            self.show_tab("Predict")

    def handle_dropped_paths(self, paths: list[str]) -> str:
        """Route dropped paths; returns where they went ("data", "predict" or "")."""
        folders = [p for p in paths if Path(p).is_dir()]
        # only folders, dropped while the Data tab shows: a dataset. Files in the drop
        # make it a batch to predict (the folders are walked for images).
        if folders and len(folders) == len(paths) and self.current_tab() == "Data":
            self.open_dataset(folders[0])
            return "data"
        found = set(folders)
        wanted = [p for p in paths if p in found or is_image_file(p)]
        if not wanted or self.predict_panel is None:
            self.statusBar().showMessage(
                QCoreApplication.translate("MainWindow", "Drop image files or folders of images."),
                5000,
            )
            return ""
        self.predict_panel.predict_paths(wanted)
        self.show_tab("Predict")
        return "predict"
