"""The results table's model and filter, with as many rows as a big folder gives."""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QColor, QImage
from PySide6.QtWidgets import QTableView

from gui.predict.jobs import PredictionResult
from gui.predict.table import (
    COL_FILE,
    COL_PROB,
    COL_THUMB,
    COL_TOP1,
    FILTER_ALL,
    FILTER_ERRORS,
    FILTER_UNCERTAIN,
    RESULT_ROLE,
    ResultsFilter,
    ResultsModel,
)

ROWS = 10_000


def _results(count: int) -> list[PredictionResult]:
    thumb = QImage(48, 36, QImage.Format.Format_RGB32)
    thumb.fill(QColor("grey"))
    out = []
    for i in range(count):
        path = f"/photos/batch/picture_{i:05d}.jpg"
        if i % 10 == 9:
            out.append(PredictionResult(path, path, [], "cannot read the file"))
            continue
        prob = 0.3 + 0.7 * ((i * 37) % 100) / 100
        topk = [("cat" if i % 3 else "dog", prob), ("bird", (1 - prob) / 2)]
        out.append(PredictionResult(path, path, topk, thumb=thumb))
    return out


def _table(qtbot) -> tuple[ResultsModel, ResultsFilter, QTableView]:
    model = ResultsModel()
    proxy = ResultsFilter()
    proxy.setSourceModel(model)
    view = QTableView()
    qtbot.addWidget(view)
    view.setModel(proxy)
    view.setIconSize(QSize(48, 48))
    view.setSortingEnabled(True)
    view.horizontalHeader().setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
    view.resize(800, 500)
    view.show()
    return model, proxy, view


def test_ten_thousand_rows_filter_and_sort(qtbot):
    model, proxy, view = _table(qtbot)
    results = _results(ROWS)
    for start in range(0, ROWS, 16):  # as a long batch hands them over
        model.append(results[start : start + 16])
    assert proxy.rowCount() == ROWS
    assert proxy.visible_results()[:3] == results[:3]  # arrival order until a header click
    first = proxy.index(0, COL_THUMB)
    assert first.data(Qt.ItemDataRole.DecorationRole).size() == QSize(48, 36)
    assert first.data(RESULT_ROLE) is results[0]
    assert proxy.index(0, COL_FILE).data() == "picture_00000.jpg"
    assert proxy.index(0, COL_FILE).data(Qt.ItemDataRole.ToolTipRole) == results[0].path

    proxy.set_choice(FILTER_ERRORS)
    assert proxy.rowCount() == ROWS // 10
    assert all(r.error for r in proxy.visible_results())
    proxy.set_choice("dog")
    dogs = proxy.visible_results()
    assert dogs and all(r.top1 == "dog" and r.error is None for r in dogs)
    model.set_threshold(0.6)
    proxy.set_choice(FILTER_UNCERTAIN)
    uncertain = {id(r) for r in results if r.error is None and r.prob < 0.6}
    assert {id(r) for r in proxy.visible_results()} == uncertain
    model.set_threshold(0.9)
    proxy.threshold_changed()
    assert proxy.rowCount() > len(uncertain)

    proxy.set_choice(FILTER_ALL)
    view.selectRow(5)
    view.sortByColumn(COL_PROB, Qt.SortOrder.DescendingOrder)
    assert proxy.result_at(view.currentIndex().row()) is results[5]  # the selection follows
    probs = [-1.0 if r.error else r.prob for r in proxy.visible_results()]
    assert probs == sorted(probs, reverse=True) and len(probs) == ROWS
    model.append(_results(1))  # a late row lands in its sorted place
    assert proxy.rowCount() == ROWS + 1
    view.sortByColumn(COL_TOP1, Qt.SortOrder.AscendingOrder)
    assert proxy.visible_results()[0].top1 == ""  # the error rows have no class
    view.sortByColumn(-1, Qt.SortOrder.AscendingOrder)  # back to arrival order
    assert proxy.visible_results()[:ROWS] == results

    model.clear()
    assert proxy.rowCount() == 0 and model.row_of(results[0]) == -1


def test_colours_follow_errors_and_the_threshold(qtbot):
    model, _proxy, _view = _table(qtbot)
    sure = PredictionResult("a.png", "a.png", [("cat", 0.95)])
    unsure = PredictionResult("b.png", "b.png", [("cat", 0.55)])
    broken = PredictionResult("c.png", "c.png", [], "file not found")
    model.append([sure, unsure, broken])
    colour = [model.index(r, COL_TOP1).data(Qt.ItemDataRole.ForegroundRole) for r in range(3)]
    assert colour[0] is None and colour[1] is not None and colour[2] is not None
    assert colour[1] != colour[2]
    model.set_threshold(0.5)
    assert model.index(1, COL_TOP1).data(Qt.ItemDataRole.ForegroundRole) is None
    assert model.index(2, COL_PROB).data() == "" and model.index(1, COL_PROB).data() == "55.0%"
    assert model.row_of(broken) == 2 and model.result_at(5) is None


def test_a_first_click_on_a_header_sorts_best_first(qtbot):
    from PySide6.QtCore import QPoint
    from PySide6.QtTest import QTest

    model, proxy, view = _table(qtbot)
    results = _results(40)
    model.append(results)
    header = view.horizontalHeader()
    at = QPoint(header.sectionViewportPosition(COL_PROB) + 5, header.height() // 2)
    QTest.mouseClick(header.viewport(), Qt.MouseButton.LeftButton, pos=at)
    assert header.sortIndicatorSection() == COL_PROB
    assert header.sortIndicatorOrder() == Qt.SortOrder.DescendingOrder
    assert proxy.result_at(0).prob == max(r.prob for r in results)
