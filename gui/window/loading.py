"""PyTorch loading for the main window: imported on a pool thread, never on the GUI thread.

PyTorch takes seconds to import. :func:`load_torch` (a task function) imports torch,
torchvision and the core modules; :class:`TorchLoading` (mixed into the window) starts
it once, shows "Loading PyTorch..." meanwhile, then marks the window ready, lets every
panel finish what needed torch, and starts a run that Train (F5) queued meanwhile.
"""

from __future__ import annotations

import importlib
import sys

from PySide6.QtCore import QCoreApplication

from gui import errors, runtime, tasks, tooltips
from gui import help as help_pages


def load_torch(ctx) -> dict:
    """Task function: import torch, torchvision and the core modules; return version info."""
    import torch
    import torchvision

    for name in ("core.data", "core.models", "core.checkpoint", "core.trainer"):
        importlib.import_module(name)
    from core.data import reuse_image_memory

    reuse_image_memory()
    info = {
        "torch": torch.__version__,
        "torchvision": torchvision.__version__,
        "cuda": bool(torch.cuda.is_available()),
        "device": "cuda" if torch.cuda.is_available() else "cpu",
    }
    if info["cuda"]:
        info["device"] = f"cuda ({torch.cuda.get_device_name(0)})"
    try:
        from core.models import cpu_supports_bf16

        info["bf16"] = bool(cpu_supports_bf16())
    except Exception:  # an optional detail for the About box
        info["bf16"] = None
    try:
        importlib.import_module("core.predict")
    except Exception:  # the Predict panel reports its own problem
        pass
    return info


class TorchLoading:
    """The main window's PyTorch loading (a mixin of :class:`gui.main_window.MainWindow`:
    it uses the window's ``torch_loaded``, ``torch_info``, ``start_queued``, panels and
    ``torch_ready`` signal)."""

    _torch_task = None

    def start_torch_loader(self) -> None:
        """Import torch and the core modules in the background (once)."""
        if self._torch_task is not None or self.torch_loaded:
            return
        self.statusBar().showMessage(help_pages.loading_text())
        self._torch_task = tasks.run_task(
            load_torch, on_finished=self._on_torch_loaded, on_error=self._on_torch_failed
        )

    def _on_torch_loaded(self, info: dict) -> None:
        self.torch_loaded = True
        self.torch_info = dict(info)
        self.import_weights_action.setEnabled(True)
        pending, self._pending_data_source = self._pending_data_source, None
        if pending is not None:
            self.set_data_source(pending)
        self.statusBar().showMessage(
            QCoreApplication.translate(
                "MainWindow", "PyTorch {version} ready · device {device}"
            ).format(version=info["torch"], device=info["device"]),
            8000,
        )
        for panel in self.real_panels():
            self._finish_panel(panel)
        self._on_training_state(self._training())
        # torch, Qt and the panels are loaded for good (see gui.runtime)
        runtime.freeze_heap()
        train = self.train_panel
        if train is not None:
            self._on_model_choice(train.arch(), train.pretrained_value())
        tooltips.wrap_all(self)  # the panels described their models just now
        if self.start_queued:
            self.start_training()
        self.torch_ready.emit()

    def _finish_panel(self, panel) -> None:
        try:
            panel.on_torch_ready()
        except Exception as exc:  # one panel's problem must not stop the others
            self.panel_errors.setdefault(f"{panel.title}.on_torch_ready", str(exc))
            errors.report(exc, f"{panel.title} panel: finishing loading", show=False)
            print(
                f"ConvStudio: {panel.title} panel could not finish loading: {exc}",
                file=sys.stderr,
            )

    def _on_torch_failed(self, error: BaseException) -> None:
        self.start_queued = False
        runtime.freeze_heap()  # Qt and the panels are loaded for good all the same
        self.show_error(
            QCoreApplication.translate(
                "MainWindow",
                "PyTorch could not be loaded ({reason}); training and prediction are off.",
            ).format(reason=errors.message(error))
        )
