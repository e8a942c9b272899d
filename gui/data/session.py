"""The Data panel's state: which dataset is asked for, which one is in use, the scan.

:class:`DataSession` owns no widget. It runs :func:`gui.data.scan.scan_source` through
one :class:`gui.tasks.LatestTask`, so a newer scan cancels the older one and a late
result of an older scan never arrives, and it turns the outcome into plain signals
the panel's widgets (and the main window) follow.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QObject, Signal, Slot

from core import BUILTIN_DIGITS
from gui import errors
from gui.data.scan import ScanResult, scan_source
from gui.tasks import LatestTask


class DataSession(QObject):
    """The dataset choice and its scan.

    Signals: ``scan_started(str)`` with the requested source, ``progressed(done,
    total)`` while images are checked, ``scan_finished(object)`` with the
    :class:`ScanResult`, then ``dataset_changed(str)`` with the resolved source;
    ``scan_failed(str)`` with the sentence to show (the dataset in use stays);
    ``scan_cancelled()``; ``busy_changed(bool)``: a scan is running (until its outcome).
    """

    scan_started = Signal(str)
    progressed = Signal(int, int)
    scan_finished = Signal(object)
    scan_failed = Signal(str)
    scan_cancelled = Signal()
    dataset_changed = Signal(str)
    busy_changed = Signal(bool)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.requested = BUILTIN_DIGITS
        self.current = ""  # the last source scanned successfully
        self.result: ScanResult | None = None
        self.val_split = 0.2
        self.seed = 0
        # from the start of a scan until its outcome arrives (the task's own busy flag
        # stays set a moment longer, until its thread is done)
        self._scanning = False
        self._task = LatestTask(self)
        self._task.progressed.connect(self.progressed)
        self._task.finished.connect(self._on_finished)
        self._task.errored.connect(self._on_error)

    # ------------------------------------------------------------------ state
    def source(self) -> str:
        """The dataset in use: the last one scanned successfully (else the one requested)."""
        return self.current or self.requested

    def summary(self) -> Any:
        """The core.folders.DatasetSummary of the current dataset, or None before any scan."""
        return self.result.summary if self.result else None

    def is_scanning(self) -> bool:
        return self._scanning

    def uses_folder(self) -> bool:
        return bool(self.current) and self.current != BUILTIN_DIGITS

    # ------------------------------------------------------------------ actions
    def set_source(self, source: str) -> None:
        """Scan a source ("builtin:digits" or a folder) in the background."""
        self.requested = str(source).strip() or BUILTIN_DIGITS
        self.scan()

    def set_split(self, val_split: float, seed: int = 0) -> None:
        """Use the trainer's split settings; a folder dataset is scanned again when they change."""
        changed = (float(val_split), int(seed)) != (self.val_split, self.seed)
        self.val_split, self.seed = float(val_split), int(seed)
        if changed and self.uses_folder():
            self.scan()

    def scan(self) -> None:
        """Scan the requested source; a scan still running is cancelled and forgotten."""
        self._task.start(scan_source, self.requested, self.val_split, self.seed)
        self._set_scanning(True)
        self.scan_started.emit(self.requested)

    def cancel(self) -> None:
        """Stop a running scan; nothing of it reaches the panel any more."""
        if not self._scanning:
            return
        self._task.cancel()
        self._set_scanning(False)
        self.scan_cancelled.emit()

    # ------------------------------------------------------------------ outcomes
    def _set_scanning(self, scanning: bool) -> None:
        if scanning != self._scanning:
            self._scanning = scanning
            self.busy_changed.emit(scanning)

    @Slot(object)
    def _on_finished(self, result: ScanResult) -> None:
        self.result = result
        self.current = result.source
        self._set_scanning(False)
        self.scan_finished.emit(result)
        self.dataset_changed.emit(result.source)

    @Slot(object)
    def _on_error(self, error: BaseException) -> None:
        reason = errors.message(error)
        if self.current:
            text = self.tr("Could not use {source}: {reason} Still using {current}.").format(
                source=self.requested, reason=reason, current=self.current
            )
        else:
            text = self.tr("Could not use {source}: {reason}").format(
                source=self.requested, reason=reason
            )
        self._set_scanning(False)
        self.scan_failed.emit(text)
