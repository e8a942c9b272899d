"""The Runs tab's state: which folders it lists, their scan, and what it does to a run folder.

:class:`RunsSession` owns no widget. Scanning reads every run folder (config,
summary, metrics) off the GUI thread through one :class:`gui.tasks.LatestTask`
whose requests coalesce: however often a refresh is asked for while a scan runs,
one more scan follows it. Renaming, moving to the trash and saving a note are quick
file operations done at once, each raising an error whose message names the fix.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QFile, QObject, Signal, Slot

from core import runs
from gui.tasks import LatestTask


def scan_runs(ctx, folders: list[Path]) -> list[runs.RunEntry]:
    """Task function: core.runs' listing of ``folders`` (cancellable between folders)."""
    return runs.list_runs(folders, check=ctx.check)


class RunsSession(QObject):
    """The listed folders (the runs folder and any the user added) and their entries.

    Signals: ``scanned(list[RunEntry])`` after each scan, ``scan_failed(object)`` with
    the exception, ``busy_changed(bool)``.
    """

    scanned = Signal(object)
    scan_failed = Signal(object)
    busy_changed = Signal(bool)

    def __init__(self, runs_dir: str | Path, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.runs_dir = Path(runs_dir)
        self.extra: list[Path] = []
        self.entries: list[runs.RunEntry] = []
        self.scan = LatestTask(self)
        self.scan.finished.connect(self._on_scanned)
        self.scan.errored.connect(self.scan_failed)
        self.scan.busy_changed.connect(self.busy_changed)

    # ------------------------------------------------------------------ folders
    def folders(self) -> list[Path]:
        return [self.runs_dir, *self.extra]

    def set_runs_dir(self, folder: str | Path) -> None:
        self.runs_dir = Path(folder)
        self.refresh()

    def add_folder(self, folder: str | Path) -> bool:
        """List this folder's runs too (False when it is listed already)."""
        folder = Path(folder)
        if folder in self.folders():
            return False
        self.extra.append(folder)
        self.refresh()
        return True

    def remove_folder(self, folder: str | Path) -> None:
        folder = Path(folder)
        if folder in self.extra:
            self.extra.remove(folder)
            self.refresh()

    def refresh(self) -> None:
        """Scan the folders again (coalesced with a scan already running)."""
        self.scan.request(scan_runs, self.folders())

    @Slot(object)
    def _on_scanned(self, entries: list[runs.RunEntry]) -> None:
        self.entries = list(entries)
        self.scanned.emit(self.entries)

    def shutdown(self) -> None:
        self.scan.cancel()

    # ------------------------------------------------------------------ actions
    @staticmethod
    def save_note(folder: str | Path, text: str) -> None:
        """RUN/notes.txt (OSError, ValueError for a note too long)."""
        runs.write_note(folder, text)

    @staticmethod
    def rename(entry: runs.RunEntry, new_name: str) -> Path:
        """Rename the run folder in place; returns the new path (ValueError, OSError)."""
        name = new_name.strip()
        if not name or name in (".", "..") or "/" in name or "\\" in name:
            raise ValueError(
                RunsSession.tr("{name} is not a folder name; use letters, digits, - or _.").format(
                    name=repr(new_name)
                )
            )
        target = entry.path.with_name(name)
        if target.exists():
            raise ValueError(
                RunsSession.tr("{path} already exists; choose another name.").format(path=target)
            )
        _refuse_running(
            entry, RunsSession.tr("{run} is still training; it can be renamed once it ends.")
        )
        entry.path.rename(target)
        return target

    @staticmethod
    def trash(entry: runs.RunEntry) -> str:
        """Move the folder to the system trash; returns where it went (OSError when it cannot)."""
        _refuse_running(
            entry,
            RunsSession.tr("{run} is still training; it can be moved to the trash once it ends."),
        )
        folder = QFile(str(entry.path))
        if not folder.moveToTrash():  # on success its file name is the path in the trash
            raise OSError(
                RunsSession.tr(
                    "{path} could not be moved to the trash (no trash on that drive, or "
                    "no permission); delete it in your file manager."
                ).format(path=entry.path)
            )
        return folder.fileName()


def _refuse_running(entry: runs.RunEntry, sentence: str) -> None:
    """ValueError(``sentence`` with {run}) when the run is training (checked afresh)."""
    fresh = runs.inspect_run(entry.path)  # the listing may be a few seconds old
    if fresh.status == "running":
        raise ValueError(sentence.format(run=entry.name))
