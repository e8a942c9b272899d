"""The Runs tab: every run folder in a sortable, filterable table; compare, annotate, act.

Select runs to overlay their epoch curves (one colour per run, the legend by run
name) and to see the settings that differ; one selected run gets a note editor.
Actions go out as signals the main window routes (panels never import each other):
open the run's best.pt in Predict or Evaluate, resume it in Train. Rename and move
to the trash are done here, after asking.

The folders are scanned off the GUI thread when the tab is first shown, on Refresh,
when a run starts or ends (the window calls :meth:`RunsPanel.refresh`), and every few
seconds while a listed run is running and the tab is visible. pyqtgraph is imported
when the plots are first needed.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import (
    QItemSelection,
    QItemSelectionModel,
    QSettings,
    Qt,
    QTimer,
    QUrl,
    Signal,
    Slot,
)
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFileDialog,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QMenu,
    QMessageBox,
    QPushButton,
    QSplitter,
    QTableView,
    QTabWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from core import runs
from gui import appdata, errors
from gui.panel import Panel
from gui.runs.session import RunsSession
from gui.runs.table import KEYS, RunsFilterProxy, RunsTableModel
from gui.runs.views import DiffView, NoteEditor, elide_names

LIVE_REFRESH_MS = 3000  # while a listed run is running and the tab is visible
SWATCH_PX = 26  # a decoration icon and its margin
MAX_COLUMN_PX = 320  # a column sized to its contents stops here (long data paths)
SETTINGS_GROUP = "runs"


class RunsPanel(Panel):
    """The run history. Signals: ``open_model_requested(str best_pt)``,
    ``evaluate_requested(str best_pt)``, ``resume_requested(str run_dir, int epochs)``."""

    title = "Runs"

    open_model_requested = Signal(str)
    evaluate_requested = Signal(str)
    resume_requested = Signal(str, int)

    def __init__(self, parent: QWidget | None = None, *, runs_dir: str | None = None) -> None:
        super().__init__(parent)
        self.session = RunsSession(runs_dir or appdata.runs_dir(), self)
        self.model = RunsTableModel(self)
        self.proxy = RunsFilterProxy(self)
        self.proxy.setSourceModel(self.model)
        self.plots = None
        self.colours: dict[Path, object] = {}
        self._scanned_once = False
        self._evaluate_available = False
        self._build()
        self._wire()
        self._live = QTimer(self)
        self._live.setInterval(LIVE_REFRESH_MS)
        self._live.timeout.connect(self._live_refresh)
        self._update_buttons()

    # ================================================================== layout
    def _build(self) -> None:
        self.filter_edit = QLineEdit()
        self.filter_edit.setPlaceholderText(self.tr("Filter: name, data, model, status, note..."))
        self.filter_edit.setClearButtonEnabled(True)
        self.refresh_button = QPushButton(self.tr("Refresh"))
        self.refresh_button.setToolTip(self.tr("Read the run folders again."))
        self.folders_button = QToolButton()
        self.folders_button.setText(self.tr("Folders"))
        self.folders_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.folders_button.setMenu(QMenu(self.folders_button))
        self.count_label = QLabel("")
        top = QHBoxLayout()
        top.addWidget(self.filter_edit, 1)
        top.addWidget(self.count_label)
        top.addWidget(self.refresh_button)
        top.addWidget(self.folders_button)

        self.table = QTableView()
        self.table.setModel(self.proxy)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(KEYS.index("date"), Qt.SortOrder.DescendingOrder)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.table.setEditTriggers(
            QAbstractItemView.EditTrigger.DoubleClicked
            | QAbstractItemView.EditTrigger.EditKeyPressed
        )
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)

        self.buttons = {}
        actions = QHBoxLayout()
        for key, text, tip in (
            (
                "predict",
                self.tr("Open in Predict"),
                self.tr("Classify images with the run's best.pt."),
            ),
            (
                "evaluate",
                self.tr("Open in Evaluate"),
                self.tr("Evaluate the run's best.pt on labelled data."),
            ),
            (
                "resume",
                self.tr("Resume..."),
                self.tr("Continue training the run from its last.pt."),
            ),
            ("folder", self.tr("Show folder"), self.tr("Open the run folder in the file manager.")),
            ("rename", self.tr("Rename..."), self.tr("Rename the run folder.")),
            (
                "trash",
                self.tr("Move to trash..."),
                self.tr("Move the selected run folders to the system trash."),
            ),
        ):
            button = QPushButton(text)
            button.setToolTip(tip)
            self.buttons[key] = button
            actions.addWidget(button)
            if key == "folder":
                actions.addStretch(1)
        top_part = QWidget()
        top_box = QVBoxLayout(top_part)
        top_box.setContentsMargins(0, 0, 0, 0)
        top_box.addLayout(top)
        top_box.addWidget(self.table, 1)
        top_box.addLayout(actions)

        self.plot_holder = QWidget()
        self.plot_layout = QVBoxLayout(self.plot_holder)
        self.plot_layout.setContentsMargins(0, 0, 0, 0)
        self.plot_hint = QLabel(
            self.tr("Select runs (Ctrl- or Shift-click for several) to overlay their curves.")
        )
        self.plot_hint.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.plot_hint.setStyleSheet("color: gray")
        self.plot_layout.addWidget(self.plot_hint)
        self.diff_view = DiffView()
        self.note_editor = NoteEditor()
        self.side_tabs = QTabWidget()
        self.side_tabs.addTab(self.diff_view, self.tr("Differences"))
        self.side_tabs.addTab(self.note_editor, self.tr("Note"))
        bottom = QSplitter(Qt.Orientation.Horizontal)
        bottom.addWidget(self.plot_holder)
        bottom.addWidget(self.side_tabs)
        bottom.setStretchFactor(0, 3)
        bottom.setStretchFactor(1, 1)
        bottom.setSizes([3000, 1100])
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(top_part)
        split.addWidget(bottom)
        split.setSizes([800, 1500])  # the curves get most of the height
        layout = QVBoxLayout(self)
        layout.addWidget(split)

    def _wire(self) -> None:
        self.filter_edit.textChanged.connect(self.proxy.setFilterFixedString)
        self.filter_edit.textChanged.connect(self._update_count)
        self.refresh_button.clicked.connect(self.refresh)
        self.folders_button.menu().aboutToShow.connect(self._fill_folders_menu)
        self.table.selectionModel().selectionChanged.connect(self._on_selection)
        self.table.doubleClicked.connect(self._on_double_click)
        self.model.note_edited.connect(self.save_note)
        self.note_editor.note_changed.connect(self.save_note)
        self.session.scanned.connect(self._on_scanned)
        self.session.scan_failed.connect(self._on_scan_failed)
        self.session.busy_changed.connect(self._on_busy)
        b = self.buttons
        b["predict"].clicked.connect(self.open_in_predict)
        b["evaluate"].clicked.connect(self.open_in_evaluate)
        b["resume"].clicked.connect(self.resume)
        b["folder"].clicked.connect(self.show_folder)
        b["rename"].clicked.connect(self.rename)
        b["trash"].clicked.connect(self.move_to_trash)

    def ensure_plots(self):
        """Create the overlay plots (imports pyqtgraph) when first needed."""
        if self.plots is None:
            from gui.runs.plots import OverlayPlots

            self.plots = OverlayPlots()
            self.plot_layout.addWidget(self.plots, 1)
        return self.plots

    # ================================================================== folders and scans
    def showEvent(self, event) -> None:  # noqa: N802 - Qt name
        super().showEvent(event)
        self.refresh()
        self._live.start()

    def hideEvent(self, event) -> None:  # noqa: N802 - Qt name
        super().hideEvent(event)
        self._live.stop()

    @Slot()
    def refresh(self) -> None:
        """Read the folders again in the background (the window calls it when a run starts or ends)."""
        self.session.refresh()

    def runs_dir(self) -> Path:
        return self.session.runs_dir

    def add_folder(self, folder: str | Path) -> None:
        """Also list the runs in ``folder`` (kept in the settings)."""
        self.session.add_folder(folder)

    def _fill_folders_menu(self) -> None:
        menu = self.folders_button.menu()
        menu.clear()
        menu.addAction(self.tr("Add folder..."), self._ask_add_folder)
        menu.addSeparator()
        listed = menu.addAction(self.tr("Listing {folder}").format(folder=self.session.runs_dir))
        listed.setEnabled(False)
        for folder in self.session.extra:
            menu.addAction(
                self.tr("Stop listing {folder}").format(folder=folder),
                lambda f=folder: self.session.remove_folder(f),
            )

    def _ask_add_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, self.tr("Add a folder of runs"))
        if folder:
            self.add_folder(folder)

    @Slot(object)
    def _on_scanned(self, entries: list[runs.RunEntry]) -> None:
        self.note_editor.save_now()
        keep = [e.path for e in self.selected_entries()]
        # columns fit the first listing that has runs in it (an empty one would size
        # them to their headers and elide every name); later scans keep the user's widths
        first = not self._scanned_once and bool(entries)
        self.model.set_entries(entries)
        self._scanned_once = self._scanned_once or bool(entries)
        if first:
            self.table.resizeColumnsToContents()
            for column in range(len(KEYS) - 1):  # a long path may not push the rest away
                width = self.table.columnWidth(column)
                self.table.setColumnWidth(column, min(width, MAX_COLUMN_PX))
            name = KEYS.index("name")  # room for the colour swatch of a selected run
            self.table.setColumnWidth(name, self.table.columnWidth(name) + SWATCH_PX)
        self.select_paths(keep)
        self._update_count()

    @Slot(object)
    def _on_scan_failed(self, error: BaseException) -> None:
        self.show_status(
            self.tr("Could not read the runs: {reason}").format(reason=errors.message(error))
        )

    @Slot(bool)
    def _on_busy(self, busy: bool) -> None:
        self.refresh_button.setEnabled(not busy)

    def _live_refresh(self) -> None:
        if self.isVisible() and any(e.status == "running" for e in self.model.entries()):
            self.refresh()

    def _update_count(self, *_) -> None:
        entries = self.model.entries()
        total = sum(e.is_run for e in entries)
        running = sum(e.status == "running" for e in entries)
        facts = [self.tr("%n run(s)", "", total)]  # a list of facts, each translated whole
        if running:
            facts.append(self.tr("%n running", "", running))
        if self.proxy.rowCount() != len(entries):
            facts.append(self.tr("%n shown", "", self.proxy.rowCount()))
        self.count_label.setText(" · ".join(facts))
        self.count_label.setToolTip(
            self.tr("Listing: {folders}").format(
                folders=", ".join(map(str, self.session.folders()))
            )
        )

    # ================================================================== selection
    def selected_entries(self) -> list[runs.RunEntry]:
        """The selected rows' entries, top to bottom as shown."""
        rows = sorted(i.row() for i in self.table.selectionModel().selectedRows())
        return [
            self.model.entry(self.proxy.mapToSource(self.proxy.index(r, 0)).row()) for r in rows
        ]

    def select_paths(self, paths: list[Path]) -> None:
        """Select the rows of these folders (those still listed)."""
        chosen = QItemSelection()  # one selection change: the plots are rebuilt once
        for path in paths:
            row = self.model.row_of(path)
            if row is not None:
                index = self.proxy.mapFromSource(self.model.index(row, 0))
                if index.isValid():
                    chosen.select(index, index)
        flags = (
            QItemSelectionModel.SelectionFlag.ClearAndSelect
            | QItemSelectionModel.SelectionFlag.Rows
        )
        self.table.selectionModel().select(chosen, flags)
        if not paths:
            self._on_selection()

    @Slot()
    def _on_selection(self, *_) -> None:
        entries = [e for e in self.selected_entries() if e.is_run]
        self._assign_colours(entries)
        colours = [self.colours[e.path] for e in entries]
        if entries:
            from gui.runs.plots import Curve

            rows = [e.run.rows if e.run else [] for e in entries]
            curves = [
                Curve(e.name, r, c, e.best_metric)
                for e, r, c in zip(entries, rows, colours, strict=True)
            ]
            self.ensure_plots().show_runs(curves)
        elif self.plots is not None:
            self.plots.show_runs([])
        self.plot_hint.setVisible(not entries)
        names = elide_names([e.name for e in entries])
        configs = [e.run.config if e.run else None for e in entries]
        self.diff_view.show_runs(names, configs, colours)
        one = entries[0] if len(entries) == 1 else None
        self.note_editor.show_run(one.path if one else None, one.note if one else "")
        self._update_buttons()

    def _assign_colours(self, entries: list[runs.RunEntry]) -> None:
        """Keep each still-selected run's colour; give new ones the first free colours."""
        from gui.runs.plots import palette_colour

        wanted = {e.path for e in entries}
        self.colours = {p: c for p, c in self.colours.items() if p in wanted}
        used = {c.name() for c in self.colours.values()}
        free = (palette_colour(i) for i in range(10_000) if palette_colour(i).name() not in used)
        for entry in entries:
            if entry.path not in self.colours:
                self.colours[entry.path] = next(free, palette_colour(len(self.colours)))
                used.add(self.colours[entry.path].name())
        self.model.set_colours(self.colours)

    def _update_buttons(self) -> None:
        chosen = self.selected_entries()
        one = chosen[0] if len(chosen) == 1 else None
        idle = one is not None and one.status != "running"
        best = one is not None and one.run is not None and one.run.best_pt is not None
        b = self.buttons
        b["predict"].setEnabled(best)
        b["evaluate"].setEnabled(best and self._evaluate_available)
        b["evaluate"].setVisible(self._evaluate_available)
        b["resume"].setEnabled(idle and one.run is not None and one.run.last_pt is not None)
        b["folder"].setEnabled(one is not None)
        b["rename"].setEnabled(idle)
        b["trash"].setEnabled(bool(chosen) and all(e.status != "running" for e in chosen))

    def set_evaluate_available(self, available: bool) -> None:
        """The window has an Evaluate panel (Open in Evaluate is shown only then)."""
        self._evaluate_available = bool(available)
        self._update_buttons()

    # ================================================================== actions
    def _one(self) -> runs.RunEntry | None:
        chosen = self.selected_entries()
        return chosen[0] if len(chosen) == 1 else None

    @Slot()
    def open_in_predict(self) -> None:
        entry = self._one()
        if entry is not None and entry.run is not None and entry.run.best_pt is not None:
            self.open_model_requested.emit(str(entry.run.best_pt))

    @Slot()
    def open_in_evaluate(self) -> None:
        entry = self._one()
        if entry is not None and entry.run is not None and entry.run.best_pt is not None:
            self.evaluate_requested.emit(str(entry.run.best_pt))

    def _on_double_click(self, index) -> None:
        if KEYS[index.column()] != "note":
            self.open_in_predict()

    @Slot()
    def show_folder(self) -> None:
        entry = self._one()
        if entry is not None:
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(entry.path)))

    @Slot()
    def resume(self) -> None:
        """Ask up to which epoch, then ask the window to resume the run in Train."""
        entry = self._one()
        if entry is None:
            return
        done = entry.epochs or 0
        planned = entry.epochs_planned or done
        start = planned if planned > done else done + max(planned, 1)
        epochs, ok = QInputDialog.getInt(
            self,
            self.tr("Resume run"),
            self.tr("{run} has done {done} of {planned} epochs.\nTrain until epoch:").format(
                run=entry.name, done=done, planned=planned
            ),
            start,
            done + 1,
            100_000,
        )
        if ok:
            self.resume_requested.emit(str(entry.path), int(epochs))

    @Slot()
    def rename(self) -> None:
        entry = self._one()
        if entry is None:
            return
        name, ok = QInputDialog.getText(
            self,
            self.tr("Rename run"),
            self.tr("New name for {run}:").format(run=entry.name),
            QLineEdit.EchoMode.Normal,
            entry.name,
        )
        if not ok or not name.strip() or name.strip() == entry.name:
            return
        try:
            target = self.session.rename(entry, name)
        except (OSError, ValueError) as exc:
            self.error_occurred.emit(
                self.tr("Could not rename {run}: {reason}").format(
                    run=entry.name, reason=errors.message(exc)
                )
            )
            return
        self.colours.pop(entry.path, None)
        entry.path = target  # keeps it selected once the scan lists it under the new name
        self.show_status(self.tr("Renamed to {name}").format(name=target.name))
        self.refresh()

    @Slot()
    def move_to_trash(self) -> None:
        chosen = self.selected_entries()
        if not chosen:
            return
        names = "\n".join(e.name for e in chosen[:10]) + ("\n..." if len(chosen) > 10 else "")
        answer = QMessageBox.question(
            self,
            self.tr("Move to trash"),
            self.tr(
                "Move %n run folder(s) to the trash?\n\n{names}\n\n"
                "You can restore them from the system trash.",
                "",
                len(chosen),
            ).format(names=names),
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
            QMessageBox.StandardButton.Cancel,
        )
        if answer != QMessageBox.StandardButton.Yes:
            return
        failed = []
        for entry in chosen:
            try:
                self.session.trash(entry)
            except (OSError, ValueError) as exc:
                failed.append(errors.message(exc))
        if failed:
            self.error_occurred.emit(" ".join(failed))
        moved = len(chosen) - len(failed)
        if moved:
            self.show_status(self.tr("Moved %n run folder(s) to the trash.", "", moved))
        self.refresh()

    @Slot(str, str)
    def save_note(self, folder: str, text: str) -> None:
        """Keep a note in RUN/notes.txt (from the table or the note editor)."""
        try:
            self.session.save_note(folder, text)
        except (OSError, ValueError) as exc:
            reason = errors.message(exc)
            self.note_editor.set_saved(False, self.tr("Not saved: {reason}").format(reason=reason))
            self.error_occurred.emit(
                self.tr("Could not save the note: {reason}").format(reason=reason)
            )
            return
        self.model.set_note(Path(folder), text.strip())
        if self.note_editor.folder == Path(folder):
            self.note_editor.set_saved(True)

    # ================================================================== settings, shutdown
    def save_settings(self, settings: QSettings) -> None:
        self.note_editor.save_now()
        settings.beginGroup(SETTINGS_GROUP)
        settings.setValue("folders", [str(f) for f in self.session.extra])
        settings.endGroup()

    def load_settings(self, settings: QSettings) -> None:
        settings.beginGroup(SETTINGS_GROUP)
        folders = settings.value("folders", [], type=list) or []
        settings.endGroup()
        self.session.extra = [Path(f) for f in folders if isinstance(f, str) and f]

    def shutdown(self) -> None:
        self._live.stop()
        self.note_editor.stop()
        self.session.shutdown()
