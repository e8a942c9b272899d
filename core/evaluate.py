"""Labelled data -> per-image rows, confusion matrix, per-class metrics.

:func:`evaluate` runs a model bundle over labelled images (the built-in digits, or a
folder in either layout) with the bundle's own eval pipeline, in float32 and in
batches under ``torch.inference_mode()`` (through :class:`core.predict.Predictor`, so
the answers are the Predict panel's), and returns a :class:`core.evalresult.Evaluation`.
Each batch's images are read by a thread per CPU core; on a CPU they are read before
the batch runs, not during the forward pass, which uses every core itself.

The data's classes are matched to the model's by name: images of a class the model
does not know are left out with a message, never given another class's label.
Unreadable files are listed with their reason and the rest evaluated.

torch is imported inside the functions: the window imports this module on its thread.
"""

from __future__ import annotations

import contextlib
import os
import time
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from core import BUILTIN_DIGITS
from core.evalresult import Evaluation, ImageRow, summarise, topk_for
from core.folders import DataError, is_hidden_name, parse_source
from core.messages import QT_TRANSLATE_NOOP

# What an evaluation says about its data, translated by the window (core.messages)
NO_SHARED_CLASS = QT_TRANSLATE_NOOP(
    "CoreMessages",
    "None of the data's classes ({data}) is a class the model knows ({model}); evaluate it "
    "with a model trained on these classes.",
)
UNKNOWN_CLASSES = {  # (several classes, several images)
    (False, False): QT_TRANSLATE_NOOP(
        "CoreMessages",
        "The model does not know the class {names}: {total} image left out. It knows {known}.",
    ),
    (False, True): QT_TRANSLATE_NOOP(
        "CoreMessages",
        "The model does not know the class {names}: {total} images left out. It knows {known}.",
    ),
    (True, False): QT_TRANSLATE_NOOP(
        "CoreMessages",
        "The model does not know the classes {names}: {total} image left out. It knows {known}.",
    ),
    (True, True): QT_TRANSLATE_NOOP(
        "CoreMessages",
        "The model does not know the classes {names}: {total} images left out. It knows {known}.",
    ),
}
NO_IMAGES_OF = QT_TRANSLATE_NOOP("CoreMessages", "The data has no images of {names}.")
TAKEN_WHOLE = QT_TRANSLATE_NOOP(
    "CoreMessages",
    "'{name}' has no train/ and valid/ folders and the model was not trained on it: all of "
    "its images were evaluated.",
)
STOPPED_AFTER = QT_TRANSLATE_NOOP("CoreMessages", "Stopped after {done} of {total} images.")
NOTHING_READ = QT_TRANSLATE_NOOP("CoreMessages", "No image could be read: see the skipped files.")

__all__ = [
    "SPLITS",
    "EvaluationError",
    "LabelledSet",
    "batch_size_for",
    "evaluate",
    "known_subfolders",
    "labelled_set",
    "read_ahead",
    "read_workers",
    "write_run_evaluation",
]

SPLITS = ("valid", "train", "all")
BATCH = 32  # images per forward pass on a GPU, and for small inputs
#: on a CPU, for inputs over 128 px: as fast as 32 or faster for resnet18 at 224
#: (bench/bench_evaluate.py, 2 cores) with half the activations in memory
CPU_BATCH = 16

ProgressFn = Callable[[int, int], None]


class EvaluationError(ValueError):
    """The data cannot be evaluated with this model (no shared class, no images ...)."""


@dataclass
class LabelledSet:
    """Images with labels in the model's class indices, ready to evaluate.

    ``items``: (key, label, input) where key is the path (or the index in the built-in
    split) and input is what the predictor reads (the path, or the image itself).
    """

    source: str
    split: str
    items: list[tuple[str | int, int, Any]]
    skipped: list[tuple[str, str]] = field(default_factory=list)
    messages: list[str] = field(default_factory=list)
    unknown: dict[str, int] = field(default_factory=dict)


# --------------------------------------------------------------------------- class names


def _match(
    data_names: Sequence[str], counts: dict[str, int], model_names: Sequence[str]
) -> tuple[dict[int, int], dict[str, int], list[str]]:
    """data label -> model label for shared names, the unknown classes, and what to say."""
    index = {name: i for i, name in enumerate(model_names)}
    mapping = {i: index[name] for i, name in enumerate(data_names) if name in index}
    unknown = {name: counts.get(name, 0) for name in data_names if name not in index}
    if not mapping:
        raise EvaluationError(
            NO_SHARED_CLASS.format(data=_names(data_names), model=_names(model_names))
        )
    messages = []
    if unknown:
        total = sum(unknown.values())
        template = UNKNOWN_CLASSES[(len(unknown) > 1, total != 1)]
        messages.append(
            template.format(names=_names(unknown), total=total, known=_names(model_names))
        )
    absent = [name for name in model_names if name not in data_names]
    if absent:
        messages.append(NO_IMAGES_OF.format(names=_names(absent)))
    return mapping, unknown, messages


def _names(names: Sequence[str] | dict, limit: int = 12) -> str:
    shown = [f"'{n}'" for n in list(names)[:limit]]
    more = len(names) - limit
    return ", ".join(shown) + (f" and {more} more" if more > 0 else "")


def known_subfolders(folder: str | os.PathLike, class_names: Sequence[str]) -> list[str]:
    """The model's classes a folder is labelled with, or [] when it is not labelled.

    Labelled means: at least one sub-folder (of the folder, or of its train/ or valid/
    folder) and every one of them named after a class the model knows. Names only,
    no image is opened (the Predict panel asks on each dropped folder).
    """
    known = set(class_names)
    try:
        top = [p for p in Path(folder).iterdir() if p.is_dir() and not is_hidden_name(p.name)]
    except OSError:
        return []
    splits = [p for p in top if p.name.lower() in ("train", "valid", "val")]
    holders = splits if splits and len(splits) == len(top) else [Path(folder)]
    found: set[str] = set()
    for holder in holders:
        try:
            subs = [p.name for p in holder.iterdir() if p.is_dir() and not is_hidden_name(p.name)]
        except OSError:
            return []
        if holder != Path(folder) and not subs:
            continue
        if not subs or not set(subs) <= known:
            return []
        found.update(subs)
    return [name for name in class_names if name in found]


# --------------------------------------------------------------------------- data


def _check_split(split: str) -> str:
    if split not in SPLITS:
        raise EvaluationError(f"split must be one of {', '.join(SPLITS)}, not {split!r}.")
    return split


def _digits_set(split: str, model_names: Sequence[str], channels: int) -> LabelledSet:
    from core.digits import DIGITS_SEED, digits_cached

    train, y_train, valid, y_valid = digits_cached(DIGITS_SEED, channels)
    chosen = {"train": (train, y_train), "valid": (valid, y_valid)}
    parts = ["train", "valid"] if split == "all" else [split]
    images = [im for p in parts for im in chosen[p][0]]
    labels = [y for p in parts for y in chosen[p][1]]
    names = [str(i) for i in range(10)]
    counts = {n: labels.count(i) for i, n in enumerate(names)}
    mapping, unknown, messages = _match(names, counts, model_names)
    items = [
        (i, mapping[y], im)
        for i, (im, y) in enumerate(zip(images, labels, strict=True))
        if y in mapping
    ]
    return LabelledSet(BUILTIN_DIGITS, split, items, [], messages, unknown)


def _own_split(resolved: str, config: dict | None) -> tuple[float, int] | None:
    """(val_split, seed) when ``config`` trained on this very folder, else None."""
    if not config or not config.get("data"):
        return None
    try:
        same = parse_source(str(config["data"])) == resolved
    except (DataError, OSError):
        return None
    if not same:
        return None
    return float(config.get("val_split", 0.2)), int(config.get("seed", 0))


def _in_split(path: str, root: str, split: str) -> bool:
    parts = Path(os.path.relpath(path, root)).parts
    head = parts[0].lower() if parts else ""
    return (
        split == "all"
        or head not in ("train", "valid", "val")
        or ((head == "train") == (split == "train"))
    )


def _folder_set(
    resolved: str,
    split: str,
    model_names: Sequence[str],
    config: dict | None,
    progress: ProgressFn | None,
) -> LabelledSet:
    """A folder in either layout; class folders split as the model's run split them.

    Class folders (no train/ and valid/) that the model was trained on are split with
    the run's val_split and seed (each file decoded once, as the trainer did, so bad
    files fall out the same way); any other such folder is taken whole.
    """
    from core.folders import has_split_folders, scan_folder

    own = _own_split(resolved, config)
    val_split, seed = own or (0.2, 0)
    # the run split the class folders' files that decode: decode them too (one scan), so
    # the split is the same; other folders are listed without reading their images
    decode = own is not None and not has_split_folders(resolved)
    train, valid, summary = scan_folder(resolved, val_split, seed, decode, progress=progress)
    messages: list[str] = []
    taken = split
    if summary.layout == "class folders" and own is None:
        taken = "all"
        if split != "all":
            messages.append(TAKEN_WHOLE.format(name=Path(resolved).name))
    samples = {"train": train, "valid": valid, "all": train + valid}[taken]
    counts = {n: 0 for n in summary.class_names}
    for _, label in samples:
        counts[summary.class_names[label]] += 1
    mapping, unknown, more = _match(summary.class_names, counts, model_names)
    items = [(p, mapping[y], p) for p, y in sorted(samples) if y in mapping]
    skipped = [
        (s.path, s.reason)
        for s in summary.skipped
        if summary.layout != "train/valid folders" or _in_split(s.path, resolved, taken)
    ]
    return LabelledSet(resolved, taken, items, skipped, messages + more, unknown)


def labelled_set(
    source: str,
    split: str,
    model_names: Sequence[str],
    *,
    channels: int = 3,
    config: dict | None = None,
    progress: ProgressFn | None = None,
) -> LabelledSet:
    """The images of ``source`` ("builtin:digits" or a folder) in ``split``, labelled by name.

    ``config`` is the bundle's training config: it says which split of a class-folder
    dataset the model did not train on.
    """
    _check_split(split)
    resolved = parse_source(source)
    if resolved == BUILTIN_DIGITS:
        labelled = _digits_set(split, model_names, channels)
    else:
        labelled = _folder_set(resolved, split, model_names, config, progress)
    if not labelled.items and not labelled.skipped:
        raise EvaluationError(
            f"The {labelled.split} split of '{source}' has no image of a class the model knows."
        )
    return labelled


# --------------------------------------------------------------------------- running


def read_workers() -> int:
    """Threads that decode and preprocess each batch: one per CPU, at most 8.

    Decoding and resizing release the GIL, so the threads share a batch's images.
    """
    return max(1, min(8, os.cpu_count() or 2))


def batch_size_for(predictor: Any) -> int:
    """Images per forward pass: :data:`CPU_BATCH` for large inputs on a CPU, else :data:`BATCH`.

    Small inputs (the digits' 28 px) keep 32: their forward pass is cheap and a batch's
    fixed costs count (16 was slower for the built-in digits).
    """
    small = int(getattr(predictor, "input_size", 0) or 0) <= 128
    return BATCH if predictor.device.type != "cpu" or small else CPU_BATCH


def read_ahead(device: Any) -> int:
    """Batches read while the model runs: none on a CPU, one beside a GPU.

    On a CPU the forward pass uses every core: a reader beside it only takes cores
    from it (bench/bench_evaluate.py, 2 cores: reading each batch on both cores and
    then running it was faster than reading the next batch during the forward pass).
    A GPU leaves the CPU free, so the next batch is read while it works.
    """
    return 0 if getattr(device, "type", str(device)) == "cpu" else 1


def _prepare(predictor: Any, item: tuple[str | int, int, Any]) -> tuple[str | int, int, Any]:
    """(key, label, tensor), or (key, label, the reason) for an unreadable image."""
    from core.images import ImageLoadError

    key, label, source = item
    try:
        return key, label, predictor.preprocess(source)
    except (ImageLoadError, OSError, ValueError, RuntimeError) as exc:
        return key, label, str(exc) or type(exc).__name__


def _batches(
    items: list[tuple[str | int, int, Any]], predictor: Any, size: int, workers: int, ahead: int
) -> Iterator[list[tuple[str | int, int, Any]]]:
    """Each batch's (key, label, tensor or error text), in order.

    A batch's images are shared among ``workers`` threads; ``ahead`` batches are
    submitted before the one yielded, so they are read while it runs. Memory stays
    bounded by ``ahead + 1`` batches whatever the number of images.
    """
    chunks = [items[i : i + size] for i in range(0, len(items), size)]
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="evaluate-read") as pool:

        def submit(chunk: list) -> list[Future]:
            return [pool.submit(_prepare, predictor, item) for item in chunk]

        pending: deque[list[Future]] = deque(submit(c) for c in chunks[:ahead])
        try:
            for i in range(len(chunks)):
                if i + ahead < len(chunks):
                    pending.append(submit(chunks[i + ahead]))
                yield [future.result() for future in pending.popleft()]
        finally:  # a stop: images not started yet are dropped
            for futures in pending:
                for future in futures:
                    future.cancel()


def _rows(predictor: Any, batch: list, k: int) -> tuple[list[ImageRow], list[tuple[str, str]]]:
    """Rows of the readable images of one batch, and the (path, reason) of the others."""
    import torch

    good = [(key, label, t) for key, label, t in batch if not isinstance(t, str)]
    failed = [(str(key), t) for key, label, t in batch if isinstance(t, str)]
    if not good:
        return [], failed
    log_probs = predictor.log_probabilities(torch.stack([t for _, _, t in good]))
    probs = log_probs.exp()
    labels = torch.tensor([label for _, label, _ in good])
    prob, pred = probs.max(dim=1)
    true_prob = probs.gather(1, labels[:, None])[:, 0]
    loss = -log_probs.gather(1, labels[:, None])[:, 0]
    # rank of the true class: how many classes are strictly more probable
    rank = (probs > true_prob[:, None]).sum(dim=1)
    rows = [
        ImageRow(key, int(y), int(p), float(pp), float(tp), float(lo), bool(r < k))
        for (key, _, _), y, p, pp, tp, lo, r in zip(
            good,
            labels.tolist(),
            pred.tolist(),
            prob.tolist(),
            true_prob.tolist(),
            loss.tolist(),
            rank.tolist(),
            strict=True,
        )
    ]
    return rows, failed


def _predictor(bundle_or_path: Any, device: str) -> Any:
    from core.predict import Predictor

    if isinstance(bundle_or_path, Predictor):
        return bundle_or_path
    return Predictor(bundle_or_path, device=device)


def evaluate(
    bundle_or_path: Any,
    source: str | LabelledSet | None = None,
    split: str = "valid",
    progress: ProgressFn | None = None,
    should_stop: Callable[[], bool] | None = None,
    *,
    device: str = "cpu",
    batch_size: int | None = None,
    workers: int | None = None,
    ahead: int | None = None,
) -> Evaluation:
    """Run a bundle (a dict, a path or a loaded Predictor) over labelled images.

    ``source``: "builtin:digits", a folder, a prepared :class:`LabelledSet`, or None for
    the dataset recorded in the bundle's training config. ``progress(done, total)``
    after each batch; ``should_stop()`` is asked between batches, and a stop returns
    the rows so far with ``stopped=True``. Float32 unless a Predictor made otherwise
    is passed in. ``batch_size``: images per forward pass (default
    :func:`batch_size_for`); ``workers``: threads that read each batch's images (default
    :func:`read_workers`); ``ahead``: batches read while the model runs (default
    :func:`read_ahead`).
    """
    predictor = _predictor(bundle_or_path, device)
    config = predictor.bundle.get("config") or {}
    if source is None:
        source = config.get("data")
        if not source:
            raise EvaluationError(
                "The model bundle does not record the data it was trained on: pass the "
                "data to evaluate (builtin:digits or a folder)."
            )
    labelled = (
        source
        if isinstance(source, LabelledSet)
        else labelled_set(
            str(source),
            split,
            predictor.class_names,
            channels=predictor.in_channels,
            config=config,
        )
    )
    reading = (
        max(1, int(batch_size or batch_size_for(predictor))),
        max(1, int(workers or read_workers())),
        max(0, int(read_ahead(predictor.device) if ahead is None else ahead)),
    )
    return _run(predictor, labelled, progress, should_stop, reading)


def _run(
    predictor: Any,
    labelled: LabelledSet,
    progress: ProgressFn | None,
    should_stop: Callable[[], bool] | None,
    reading: tuple[int, int, int],
) -> Evaluation:
    """``reading``: (batch size, reader threads, batches read ahead)."""
    names = list(predictor.class_names)
    k = topk_for(len(names))
    rows: list[ImageRow] = []
    skipped = list(labelled.skipped)
    total = len(labelled.items)
    done, stopped = 0, False
    start = time.perf_counter()
    if progress is not None:
        progress(0, total)
    batch_size = reading[0]
    batches = _batches(labelled.items, predictor, *reading)
    with contextlib.closing(batches):  # a stop ends the readers at once
        for _ in range(-(-total // batch_size)):
            if should_stop is not None and should_stop():  # asked before a batch is read
                stopped = True
                break
            batch = next(batches)
            made, failed = _rows(predictor, batch, k)
            rows.extend(made)
            skipped.extend(failed)
            done += len(batch)
            if progress is not None:
                progress(done, total)
    seconds = time.perf_counter() - start
    messages = list(labelled.messages)
    if stopped:
        messages.append(STOPPED_AFTER.format(done=done, total=total))
    if not rows and not stopped:
        messages.append(NOTHING_READ)
    return Evaluation(
        class_names=names,
        rows=rows,
        metrics=summarise(rows, names),
        source=labelled.source,
        split=labelled.split,
        model=getattr(predictor, "path", None),
        skipped=skipped,
        messages=messages,
        unknown_classes=dict(labelled.unknown),
        seconds=seconds,
        stopped=stopped,
    )


# --------------------------------------------------------------------------- after training


def _dataset_items(dataset: Any) -> list[tuple[str | int, int, Any]]:
    """(key, label, input) of a core.data dataset: files by path, built-in images by index."""
    samples = getattr(dataset, "samples", None)
    if samples is not None:  # ImageDataset: labels already index the run's classes
        return [(path, int(label), path) for path, label in sorted(samples)]
    return [
        (i, int(label), image)
        for i, (image, label) in enumerate(zip(dataset.images, dataset.targets, strict=True))
    ]


def write_run_evaluation(
    best_pt: str | os.PathLike,
    valid: Any,
    source: str,
    *,
    device: str = "cpu",
    should_stop: Callable[[], bool] | None = None,
    progress: ProgressFn | None = None,
) -> Evaluation | None:
    """RUN/evaluation.json + RUN/predictions.csv: best.pt on the run's validation dataset.

    ``valid`` is the trainer's validation dataset (the same images, in-memory digits
    included, without a second scan); ``progress(done, total)`` after each batch.
    Returns None when stopped part-way (nothing written then).
    """
    from core.evalresult import (
        EVALUATION_JSON,
        PREDICTIONS_CSV,
        write_evaluation,
        write_predictions,
    )

    best_pt = Path(best_pt)
    labelled = LabelledSet(str(source), "valid", _dataset_items(valid))
    predictor = _predictor(best_pt, device)
    evaluation = evaluate(predictor, labelled, should_stop=should_stop, progress=progress)
    if evaluation.stopped:
        return None
    write_predictions(evaluation, best_pt.parent / PREDICTIONS_CSV)
    write_evaluation(evaluation, best_pt.parent / EVALUATION_JSON)
    return evaluation
