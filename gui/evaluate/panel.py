"""The Evaluate panel: where the model fails, and fixing the data from there.

The view only: the layout, and the session's signals turned into widgets. The
evaluation, the model, the fixes and every background task live in
:class:`gui.evaluate.session.EvaluateSession`; the summary's text is
:mod:`gui.evaluate.summary`'s, the data fixes' questions :mod:`gui.evaluate.fixes`'.
"""

from __future__ import annotations

import html
import os
from pathlib import Path
from typing import Any

from PySide6.QtCore import (
    QItemSelectionModel,
    QModelIndex,
    QSettings,
    Qt,
    Signal,
    Slot,
)
from PySide6.QtGui import QDragEnterEvent, QDropEvent, QImage, QPixmap
from PySide6.QtWidgets import (
    QFileDialog,
    QFrame,
    QHeaderView,
    QLabel,
    QScrollArea,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from core.evalresult import EVALUATION_JSON
from gui import dnd
from gui.evaluate.fixes import DataFixes
from gui.evaluate.jobs import Opened
from gui.evaluate.models import (
    ROW_ROLE,
    ConfusionModel,
    GalleryModel,
    PerClassModel,
    sorting_proxy,
)
from gui.evaluate.panes import DetailPane, GalleryPane, MatrixPane, SourceBar
from gui.evaluate.session import EvaluateSession
from gui.evaluate.summary import skipped_tooltip, summary_html, summary_notes
from gui.imageutil import heatmap_overlay, pil_to_qimage
from gui.panel import Panel

SETTINGS_NORMALISED = "evaluate/row_normalised"


class EvaluatePanel(Panel):
    """Confusion matrix, per-class figures, a gallery of mistakes, and data fixes.

    Signals: ``data_changed(root)`` after files of a folder dataset moved (the window
    rescans the Data panel), ``retrain_requested(source)`` ("Retrain with these changes").
    """

    title = "Evaluate"

    data_changed = Signal(str)
    retrain_requested = Signal(str)
    evaluated = Signal(object)  # the Evaluation now on show

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAcceptDrops(True)
        self.session = EvaluateSession(self)
        self.confusion_model = ConfusionModel(self)
        self.class_model = PerClassModel(self)
        self.class_proxy = sorting_proxy(self.class_model, self)
        self.gallery_model = GalleryModel(self)
        self.fixes = DataFixes(self)
        self.confirm = self.fixes.ask  # (action, text) -> bool; tests replace it
        self._shown_row: int | None = None
        self._cam: tuple[int, Any, Any] | None = None
        self._by_user = False  # the evaluation asked for last was the user's, not a run's end
        self._offered: tuple[str, str] | None = None  # a finished run not opened (run, best.pt)
        self._build_ui()
        self._connect()
        self.load_settings(QSettings())
        self._show_empty()

    # ----------------------------------------------------------------- layout

    def _build_ui(self) -> None:
        root = QVBoxLayout(self)
        self.source_bar = SourceBar(self)
        root.addWidget(self.source_bar)
        self.summary_label = QLabel(self)
        self.summary_label.setWordWrap(True)
        self.summary_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        root.addWidget(self.summary_label)
        self.message_label = QLabel(self)
        self.message_label.setWordWrap(True)
        root.addWidget(self.message_label)
        self.run_note = QLabel(self)  # a finished run, while the user works in their own
        self.run_note.setWordWrap(True)
        self.run_note.setTextFormat(Qt.TextFormat.RichText)
        self.run_note.linkActivated.connect(self._open_offered_run)
        self.run_note.hide()
        root.addWidget(self.run_note)
        splitter = QSplitter(Qt.Orientation.Horizontal, self)
        left = QSplitter(Qt.Orientation.Vertical, splitter)
        self.matrix_pane = MatrixPane(self.confusion_model, left)
        self.matrix_view = self.matrix_pane.view
        self.class_table = self._build_class_table(left)
        left.setStretchFactor(0, 3)
        left.setStretchFactor(1, 2)
        self.gallery_pane = GalleryPane(self.gallery_model, splitter)
        self.gallery_view = self.gallery_pane.view
        # the detail pane scrolls when a small window (or longer translated text) leaves
        # it less height than its picture, bars and fix buttons need
        detail_scroll = QScrollArea(splitter)
        detail_scroll.setWidgetResizable(True)
        detail_scroll.setFrameShape(QFrame.Shape.NoFrame)
        detail_scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.detail = DetailPane()
        detail_scroll.setWidget(self.detail)
        # never narrower than the pane's widest part (the splitter narrows the others)
        bar = detail_scroll.verticalScrollBar().sizeHint().width()
        detail_scroll.setMinimumWidth(self.detail.minimumSizeHint().width() + bar)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 4)
        splitter.setStretchFactor(2, 2)
        splitter.setSizes([420, 520, 300])
        self.splitter = splitter
        root.addWidget(splitter, 1)

    def _build_class_table(self, parent: QWidget) -> QTableView:
        table = QTableView(parent)
        table.setModel(self.class_proxy)
        table.setSortingEnabled(True)
        table.sortByColumn(0, Qt.SortOrder.AscendingOrder)  # the model's class order
        table.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        table.setSelectionMode(QTableView.SelectionMode.SingleSelection)
        table.setEditTriggers(QTableView.EditTrigger.NoEditTriggers)
        table.verticalHeader().hide()
        header = table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        table.setToolTip(self.tr("Click a class to see its images; click a header to sort."))
        table.clicked.connect(self._on_class_clicked)
        return table

    def _connect(self) -> None:
        s = self.session
        s.message.connect(self.set_message)
        s.started.connect(lambda: self._on_busy_changed(True))
        s.busy_changed.connect(self._on_busy_changed)
        s.progressed.connect(self.source_bar.set_progress)
        s.opened.connect(self._on_opened)
        s.thumbs_ready.connect(self.gallery_model.set_thumbs)
        s.thumbs_failed.connect(self.gallery_model.thumbs_failed)
        s.detail_ready.connect(self._on_detail)
        s.gradcam_ready.connect(self._on_gradcam)
        s.fixed.connect(self._on_fixed)
        s.data_changed.connect(self.data_changed)
        bar = self.source_bar
        bar.open_model_requested.connect(self._choose_model)
        bar.open_data_requested.connect(self._choose_data)
        bar.evaluate_requested.connect(self.evaluate_again)
        bar.cancel_requested.connect(self.cancel)
        self.matrix_pane.normalise_check.toggled.connect(
            lambda on: QSettings().setValue(SETTINGS_NORMALISED, on)
        )
        self.matrix_pane.cell_clicked.connect(self.select_cell)
        self.gallery_pane.show_all_requested.connect(self.show_all)
        self.gallery_model.thumbs_wanted.connect(s.request_thumbs)
        self.gallery_view.selectionModel().selectionChanged.connect(self._on_selection)
        d = self.detail
        d.gradcam_toggled.connect(self._on_gradcam_toggled)
        d.move_requested.connect(self.fixes.choose_class_to_move)
        d.set_aside_requested.connect(self.set_aside_selected)
        d.undo_requested.connect(self.undo)
        d.retrain_requested.connect(self._retrain)

    # ----------------------------------------------------------------- public API

    def evaluation(self) -> Any:
        """The core.evalresult.Evaluation on show (None before the first)."""
        return self.session.evaluation

    def is_busy(self) -> bool:
        return self.session.is_busy()

    def message(self) -> str:
        return self.message_label.text()

    def open_run(self, run_dir: str, best_pt: str) -> None:
        """Show a run's evaluation (read from the run folder when it is there)."""
        self._by_user = True
        self._start_run(run_dir, best_pt)

    def offer_run(self, run_dir: str, best_pt: str) -> bool:
        """A run ended: show its evaluation, unless the user works in one they opened.

        Working in it: it is on screen, being evaluated, or has fixes to undo. Then it
        stays, and a note offers the run's evaluation instead. Returns whether it opened.
        """
        if self._by_user and (self.isVisible() or self.session.is_busy() or self.session.changes):
            self._offered = (str(run_dir), str(best_pt))
            name = html.escape(Path(run_dir).name)
            self.run_note.setText(
                self.tr(
                    'Run <b>{run}</b> finished. <a href="open">Show its evaluation</a> '
                    "(the one on show stays until then)."
                ).format(run=name)
            )
            self.run_note.show()
            return False
        self._by_user = False
        self._start_run(run_dir, best_pt)
        return True

    def _start_run(self, run_dir: str, best_pt: str) -> None:
        self._offered = None
        self.run_note.hide()
        self.session.open_run(run_dir, best_pt)
        self._show_source()

    @Slot()
    def _open_offered_run(self) -> None:
        if self._offered is not None:
            self.open_run(*self._offered)

    def open_evaluation(
        self, model_path: str, source: str | None, split: str | None = None
    ) -> bool:
        """Evaluate a bundle on labelled data (None: the data it was trained on).

        A run's best.pt on its own validation split opens the run's evaluation files.
        """
        if split:
            self.source_bar.set_split(split)
        split = self.source_bar.split()
        run = Path(model_path).parent
        if not source and split == "valid" and (run / EVALUATION_JSON).is_file():
            self.open_run(str(run), str(model_path))
            return True
        self._by_user = True
        started = self.session.evaluate(model_path, source, split)
        self._show_source()
        return started

    @Slot()
    def evaluate_again(self) -> None:
        self._by_user = True
        self.session.evaluate(split=self.source_bar.split())
        self._show_source()

    @Slot()
    def cancel(self) -> None:
        self.session.cancel()

    def gallery_rows(self) -> list[int]:
        """The evaluation rows the gallery shows, in its order."""
        return list(self.gallery_model.order)

    @Slot(int, int)
    def select_cell(self, true: int, pred: int) -> None:
        """Show exactly the images of one confusion-matrix cell."""
        ev = self.session.evaluation
        if ev is None:
            return
        rows = ev.cell(true, pred)
        names = ev.class_names
        if true == pred:
            title = self.tr("<b>true {true}, predicted {predicted}</b> (right): {count}")
        else:
            title = self.tr("<b>true {true}, predicted {predicted}</b> (wrong): {count}")
        title = title.format(
            true=html.escape(names[true]), predicted=html.escape(names[pred]), count=len(rows)
        )
        self._show_gallery(rows, title)

    def select_class(self, index: int) -> None:
        """Show the images of one true class, most confidently wrong first."""
        ev = self.session.evaluation
        if ev is not None:
            rows = ev.of_class(index)
            title = self.tr("<b>class {name}</b>: {count}").format(
                name=html.escape(ev.class_names[index]), count=len(rows)
            )
            self._show_gallery(rows, title)

    @Slot(QModelIndex)
    def _on_class_clicked(self, index: QModelIndex) -> None:
        self.select_class(self.class_proxy.mapToSource(index).row())

    @Slot()
    def show_all(self) -> None:
        ev = self.session.evaluation
        if ev is not None:
            title = self.tr("<b>all images</b>: {count}").format(count=len(ev.rows))
            self._show_gallery(ev.gallery(), title)

    def selected_rows(self) -> list[int]:
        model = self.gallery_model
        indexes = self.gallery_view.selectionModel().selectedIndexes()
        return [model.row_at(i.row()) for i in sorted(indexes, key=lambda i: i.row())]

    def select_gallery_item(self, position: int) -> None:
        index = self.gallery_model.index(position)
        self.gallery_view.selectionModel().setCurrentIndex(
            index, QItemSelectionModel.SelectionFlag.ClearAndSelect
        )

    def move_selected_to(self, class_name: str) -> int:
        """Move the selected images' files to another class folder (on a pool thread);
        returns how many files it started to move."""
        return self.fixes.move_selected_to(class_name)

    @Slot()
    def set_aside_selected(self) -> int:
        """Move the selected images' files into DATASET/_set_aside/ (on a pool thread); returns
        how many files it started to move."""
        return self.fixes.set_aside_selected()

    @Slot()
    def undo(self) -> int:
        """Put the files of the last change back (on a pool thread); returns how many."""
        return self.session.undo()

    def shutdown(self) -> None:
        self.session.shutdown()

    def load_settings(self, settings: QSettings) -> None:
        """The row-normalised choice (kept whenever it changes, like the Predict panel's)."""
        self.matrix_pane.normalise_check.setChecked(
            settings.value(SETTINGS_NORMALISED, False, bool)
        )

    # ----------------------------------------------------------------- drops

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:  # noqa: N802
        if dnd.local_paths(event.mimeData()):
            event.acceptProposedAction()
        else:
            event.ignore()

    def dropEvent(self, event: QDropEvent) -> None:  # noqa: N802
        paths = dnd.local_paths(event.mimeData())
        event.acceptProposedAction()
        self.open_paths(paths)

    def open_paths(self, paths: list[str]) -> None:
        """Dropped bundles and folders: a .pt is the model, a folder the labelled data."""
        models = [p for p in paths if os.path.isfile(p) and p.endswith((".pt", ".pth"))]
        folders = [p for p in paths if os.path.isdir(p)]
        if not models and not folders:
            self.set_message(
                self.tr("Drop a model bundle (.pt) and/or a labelled folder."), "error"
            )
            return
        model = models[0] if models else self.session.model_path
        source = folders[0] if folders else self.session.source
        if model:
            self.open_evaluation(model, source or None)
        else:
            self.session.source = source
            self._show_source()
            self.set_message(self.tr("Now open or drop a model bundle (.pt) to evaluate on it."))

    # ----------------------------------------------------------------- the session's news

    @Slot(bool)
    def _on_busy_changed(self, busy: bool) -> None:
        self.source_bar.set_busy(busy, "files" if self.session.fixing.busy else "images")
        self._update_fixes()  # no fix or undo while files move or an evaluation runs

    @Slot(object)
    def _on_opened(self, opened: Opened) -> None:
        ev = opened.evaluation
        self.confusion_model.set_matrix(ev.class_names, ev.confusion.tolist())
        self.class_model.set_rows(ev.metrics.get("per_class") or [])
        self.gallery_model.set_evaluation(ev)
        self.source_bar.set_split(ev.split)
        self._show_source()
        self._show_summary(opened)
        self.show_all()
        self._update_fixes()
        self.show_status(
            self.tr("Evaluate: %n image(s), accuracy {accuracy}", "", len(ev.rows)).format(
                accuracy=f"{ev.accuracy or 0:.2%}"
            )
        )
        self.evaluated.emit(ev)

    def _show_summary(self, opened: Opened) -> None:
        ev = opened.evaluation
        self.summary_label.setText(summary_html(ev))
        self.set_message(summary_notes(opened, self.session.elsewhere_note()))
        self.message_label.setToolTip(skipped_tooltip(ev))

    def _show_gallery(self, rows: list[int], title: str) -> None:
        self.gallery_model.set_order(rows)
        for row in rows:
            status = self.session.status_of(row)
            if status:
                self.gallery_model.status[row] = status
        self.gallery_pane.title.setText(
            self.tr("{title} &nbsp;<small>most confidently wrong first</small>").format(title=title)
        )
        if rows:
            self.select_gallery_item(0)
        else:
            self._show_detail(None)

    @Slot()
    def _on_selection(self, *_: Any) -> None:
        current = self.gallery_view.currentIndex()
        row = current.data(ROW_ROLE) if current.isValid() else None
        self._show_detail(row)
        self._update_fixes()

    def _show_detail(self, row: int | None) -> None:
        self._shown_row = row
        self._cam = None
        d = self.detail
        ev = self.session.evaluation
        if row is None or ev is None:
            d.pixmap = None
            d.image_label.set_picture(None)
            d.image_label.clear()
            d.caption.setText(self.tr("Select an image in the gallery."))
            d.bars.set_topk([])
            return
        d.caption.setText(self.gallery_model.tooltip(row).replace("\n", "<br>"))
        self.session.request_detail(row)
        if d.gradcam_check.isChecked():
            self.session.request_gradcam(row)

    @Slot(int, object, object)
    def _on_detail(self, row: int, image: QImage, topk: list) -> None:
        if row != self._shown_row:
            return
        ev = self.session.evaluation
        r = ev.rows[row]
        self.detail.pixmap = QPixmap.fromImage(image)
        mark = None if r.correct else ev.class_names[r.true]
        self.detail.bars.set_topk(topk, mark=mark)
        self._refresh_image()

    @Slot(int, object, object)
    def _on_gradcam(self, row: int, heat: Any, view: Any) -> None:
        if row == self._shown_row:
            self._cam = (row, heat, view)
            self._refresh_image()

    @Slot(bool)
    def _on_gradcam_toggled(self, on: bool) -> None:
        if on and self._shown_row is not None and self._cam is None:
            self.session.request_gradcam(self._shown_row)
        self._refresh_image()

    def _refresh_image(self) -> None:
        d = self.detail
        if d.gradcam_check.isChecked() and self._cam is not None:
            _, heat, view = self._cam
            d.image_label.set_picture(QPixmap.fromImage(pil_to_qimage(heatmap_overlay(view, heat))))
        elif d.pixmap is not None:
            d.image_label.set_picture(d.pixmap)

    @Slot(object)
    def _on_fixed(self, rows: list[int]) -> None:
        for row in rows:
            self.gallery_model.forget_thumb(row)
            self.gallery_model.set_status(row, self.session.status_of(row))
        self._update_fixes()
        if self._shown_row in rows:
            self._show_detail(self._shown_row)

    def _update_fixes(self) -> None:
        s = self.session
        self.detail.set_fixable(
            s.fix_problem(),
            bool(self.selected_rows()),
            len(s.changes),
            busy=s.fixing.busy or s.replacing,
        )

    # ----------------------------------------------------------------- dialogs & messages

    @Slot()
    def _retrain(self) -> None:
        root = self.session.dataset_root()
        if root:
            self.retrain_requested.emit(root)

    def ask_open(self) -> None:
        """File > Open in Evaluate...: a bundle, then a labelled folder (Cancel: its own data)."""
        path, _ = QFileDialog.getOpenFileName(
            self, self.tr("Evaluate which model?"), self.session.model_path or "", self._filter()
        )
        if not path:
            return
        folder = QFileDialog.getExistingDirectory(
            self, self.tr("On which labelled folder? (Cancel: the data it was trained on)")
        )
        self.open_evaluation(path, folder or None)

    def _choose_model(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self, self.tr("Open model"), self.session.model_path or "", self._filter()
        )
        if path:
            self.open_evaluation(path, self.session.source or None)

    def _choose_data(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, self.tr("Open a labelled folder"))
        if folder:
            self.open_paths([folder])

    def _filter(self) -> str:
        return self.tr("Model bundles (*.pt *.pth);;All files (*)")

    def _show_source(self) -> None:
        s = self.session
        self.source_bar.show_source(s.model_path, s.source, s.split)

    def _show_empty(self) -> None:
        self._show_source()
        self.summary_label.setText(self.tr("<b>No evaluation yet.</b>"))
        self.set_message(
            self.tr(
                "Train a model (its evaluation opens here when the run ends), use File > Open in "
                "Evaluate..., or drop a model bundle and a labelled folder here."
            )
        )
        self.gallery_pane.title.setText(self.tr("Gallery"))
        self._show_detail(None)
        self._update_fixes()

    @Slot(str, str)
    def set_message(self, text: str, level: str = "info") -> None:
        self.message_label.setStyleSheet("color: #b3261e;" if level == "error" else "")
        self.message_label.setText(text)
        self.message_label.setProperty("level", level)
