"""The Predict panel's task functions, run without widgets or threads of the GUI."""

from __future__ import annotations

import threading
import weakref
from concurrent.futures import Future

import pytest
from PIL import Image

from gui.predict import jobs
from gui.predict.jobs import DETAIL_SIZE, THUMB_SIZE, InputItem, PartialResults, predict_task
from gui.predict.prepared import Prepared, PreparedFiles
from gui.tasks import TaskCancelled
from tests.gui.predict.helpers import Ctx, bad_batch, digits


@pytest.fixture(scope="module")
def predictor(bundles):
    from core.predict import Predictor

    return Predictor(str(bundles["smallcnn"]))


def _flat(partials: list[list]) -> list:
    return [row for group in partials for row in group]


def test_single_image_task_wakes_the_gui_only_with_its_result(predictor, tmp_path):
    files = digits(tmp_path)
    ctx = Ctx()
    total, rows = predict_task(ctx, predictor, [InputItem(files[0].name, str(files[0]))])
    assert total == 1 and ctx.reports == [] and ctx.partials == []  # nothing but the result
    (result,) = rows
    assert result.error is None and len(result.topk) == 5 and result.detail is not None

    ctx = Ctx()
    items = [InputItem(p.name, str(p)) for p in files[:2]]
    assert predict_task(ctx, predictor, items) == (2, [])
    assert ctx.reports[0] == (0, 2) and ctx.reports[-1] == (2, 2)
    rows = _flat(ctx.partials)
    assert [r.path for r in rows] == [str(p) for p in files[:2]]
    for result in rows:
        assert result.error is None and len(result.topk) == 5
        assert result.view is not None and not result.thumb.isNull()
        assert result.detail is None  # rows of a batch scale theirs when selected


def test_files_of_a_batch_go_through_predict_many(predictor, tmp_path, monkeypatch):
    """Runs of files use core's batched path; raw images and error rows keep their place."""
    calls: list[list[str]] = []
    real = predictor.predict_many

    def spy(paths, **kwargs):
        calls.append(list(paths))
        return real(paths, **kwargs)

    monkeypatch.setattr(predictor, "predict_many", spy)
    files = [str(p) for p in bad_batch(tmp_path / "in")]
    empty = tmp_path / "empty_folder"
    empty.mkdir()
    picture = Image.new("RGB", (30, 20), (255, 255, 255))
    items = [InputItem(p, p) for p in files[:3]]
    items += [InputItem("pasted image 1", image=picture), InputItem(str(empty), str(empty))]
    items += [InputItem(p, p) for p in files[3:]]
    ctx = Ctx()
    assert predict_task(ctx, predictor, items) == (7, [])
    assert calls == [files[:3], files[3:]]
    rows = _flat(ctx.partials)
    names = [r.name for r in rows]
    assert names == [*files[:3], "pasted image 1", str(empty), *files[3:]]
    assert [r.error is None for r in rows] == [True, False, False, True, False, False, True]
    assert "no image files" in rows[4].error and rows[3].view.size == (30, 20)


def test_cancel_hands_over_what_was_done(predictor, tmp_path):
    files = digits(tmp_path, tuple(f"digit_{i}_a.png" for i in range(6)))
    ctx = Ctx()
    seen: list[str] = []
    real = predictor.preprocess

    def then_cancel(path, **kwargs):  # cancelled while the second file is read
        seen.append(path)
        if len(seen) == 2:
            ctx.cancelled = True
        return real(path, **kwargs)

    predictor.preprocess = then_cancel
    try:
        with pytest.raises(TaskCancelled):
            predict_task(ctx, predictor, [InputItem(str(p), str(p)) for p in files])
    finally:
        del predictor.preprocess
    assert len(seen) == 2  # stopped between images
    assert [r.path for r in _flat(ctx.partials)] == [str(p) for p in files[:2]]


class FakePredictor:
    """Stands in for core's Predictor without PyTorch: every picture is class "a"."""

    class_names = ["a", "b"]

    def __init__(self) -> None:
        self.batched = 0

    def load(self, source):
        return Image.new("L", (8, 8), 128)

    def predict_many(self, paths, k=5, should_stop=None, on_result=None):
        from core.predict import Prediction

        made = []
        for path in paths:
            if should_stop is not None and should_stop():
                break
            made.append(Prediction(path, [("a", 0.75), ("b", 0.25)]))
            on_result(made[-1])
        self.batched += len(made)
        return made


def test_ten_thousand_files_are_a_few_hundred_signals():
    ctx, fake = Ctx(), FakePredictor()
    paths = [f"/nowhere/picture_{i:05d}.png" for i in range(10_000)]
    total, rows = predict_task(ctx, fake, [InputItem(p, p) for p in paths])
    assert (total, rows, fake.batched) == (10_000, [], 10_000)
    assert [r.path for r in _flat(ctx.partials)] == paths
    assert len(ctx.partials) < 1_000 and len(ctx.reports) == len(ctx.partials) + 1
    assert ctx.reports[-1] == (10_000, 10_000)


def test_partial_results_come_in_groups_in_order():
    now = [0.0]
    sent: list[list] = []
    out = PartialResults(sent.append, every=3, seconds=0.05, clock=lambda: now[0])
    out.add("a")
    out.add("b")
    assert sent == []
    out.add("c")
    assert sent == [["a", "b", "c"]]
    out.add("d")
    now[0] += 0.06  # a slow batch: what is there goes after PARTIAL_SECONDS
    out.add("e")
    assert sent[-1] == ["d", "e"]
    waiting: Future = Future()
    out.add(waiting)  # a row whose display copies are not made yet holds back the rest
    out.add("f")
    out.add("g")
    assert sent[-1] == ["d", "e"]
    waiting.set_result("w")
    out.add("h")
    assert sent[-1] == ["w", "f", "g", "h"]
    late: Future = Future()
    out.add(late)
    threading.Timer(0.05, late.set_result, ("x",)).start()
    out.flush(wait=True)  # the end of the batch waits for every row
    assert sent[-1] == ["x"]


def test_loading_a_model_warms_it_up(monkeypatch, bundles):
    from core.predict import Predictor

    calls: list[dict] = []
    monkeypatch.setattr(Predictor, "warm_up", lambda self, **kw: calls.append(kw))
    predictor, info = jobs.load_predictor_task(Ctx(), str(bundles["smallcnn"]))
    assert calls == [{"fast_single": True}] and info.arch == "smallcnn"
    assert info.precision == "fp32" and not predictor.use_bf16
    assert predictor.inference_model is not predictor.model  # BatchNorm folded

    monkeypatch.setattr(Predictor, "warm_up", lambda self: calls.append({}))  # an older core
    jobs.load_predictor_task(Ctx(), str(bundles["smallcnn"]), "bf16")
    assert calls[-1] == {}


def test_result_carries_ready_display_images(predictor, tmp_path):
    photo = tmp_path / "wide.png"
    picture = Image.new("RGB", (640, 320), (250, 250, 250))
    picture.paste((0, 0, 0), (320, 0, 640, 320))  # bright left half, black right half
    picture.save(photo)
    item = InputItem(photo.name, str(photo))
    result = jobs.predict_one(predictor, item)
    assert result.error is None
    assert (result.detail.width(), result.detail.height()) == (DETAIL_SIZE, DETAIL_SIZE // 2)
    assert max(result.thumb.width(), result.thumb.height()) == THUMB_SIZE
    left, right = result.detail.pixelColor(10, 64), result.detail.pixelColor(245, 64)
    assert left.lightness() > 200 and right.lightness() < 50  # the picture itself, scaled
    in_batch = jobs.predict_one(predictor, item, with_detail=False)
    assert in_batch.detail is None and in_batch.view is not None  # rows of a batch stay small


def test_prepared_files_belong_to_their_model_and_stay_few(tmp_path):
    class Owner:  # stands in for a Predictor
        pass

    first, second = Owner(), Owner()
    store = PreparedFiles(size=2)
    paths = []
    for i in range(3):
        path = tmp_path / f"{i}.png"
        Image.new("L", (4, 4), i).save(path)
        paths.append(str(path))
        store.put(store.key(str(path)), Prepared(weakref.ref(first), i, None, None, None))
    assert len(store) == 2  # the oldest went first
    assert store.take(first, paths[0]) is None
    assert store.take(second, paths[1]) is None  # made with another model's transforms
    assert store.take(first, paths[1]) is None  # ...and dropped: taken once
    assert store.take(first, paths[2]).tensor == 2
    assert store.key(str(tmp_path / "gone.png")) is None
