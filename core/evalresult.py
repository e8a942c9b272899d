"""What an evaluation found: per-image rows, the totals, and their files; torch-free.

:func:`core.evaluate.evaluate` runs a model over labelled images and returns an
:class:`Evaluation`: one :class:`ImageRow` per image and the totals computed from
them by :func:`summarise` (accuracy, top-k accuracy, the confusion matrix, per-class
precision/recall/F1/support from scikit-learn, macro and weighted averages, and the
expected calibration error with its reliability bins). The same object is written to
and read back from a run folder (``evaluation.json`` + ``predictions.csv``), so the
Evaluate panel opens a finished run without running the model again.

numpy and scikit-learn only: the GUI thread may import this module.
"""

from __future__ import annotations

import csv
import json
import math
import os
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from core.atomic import atomic_write
from core.textsafe import FORMULA_STARTS, csv_cell, printable

__all__ = [
    "EVALUATION_JSON",
    "PREDICTIONS_CSV",
    "PREDICTIONS_COLUMNS",
    "RELIABILITY_BINS",
    "Evaluation",
    "ImageRow",
    "read_evaluation",
    "read_top_probs",
    "summarise",
    "topk_for",
    "write_evaluation",
    "write_predictions",
]

EVALUATION_JSON = "evaluation.json"
PREDICTIONS_CSV = "predictions.csv"
PREDICTIONS_COLUMNS = ("path", "true", "pred", "prob", "true_prob", "loss", "correct")
RELIABILITY_BINS = 10  # equal-width confidence bins, as in Guo et al.'s reliability diagrams


def topk_for(num_classes: int) -> int:
    """The k of "top-k accuracy": 5 from ten classes on, else 3 (never more than the classes)."""
    return min(5 if num_classes >= 10 else 3, max(1, num_classes))


@dataclass
class ImageRow:
    """One evaluated image. ``key`` is its path, or its index in the built-in split.

    ``true``/``pred`` index the model's classes; ``prob`` is the probability of the
    prediction, ``true_prob`` that of the true class, ``loss`` its cross-entropy.
    ``in_topk`` is None when the row was read back from predictions.csv.
    """

    key: str | int
    true: int
    pred: int
    prob: float
    true_prob: float
    loss: float
    in_topk: bool | None = None

    @property
    def correct(self) -> bool:
        return self.true == self.pred

    @property
    def path(self) -> str | None:
        return self.key if isinstance(self.key, str) else None

    def gallery_key(self) -> tuple:
        """Most confidently wrong first, then the correct ones least sure first."""
        return (self.correct, -self.prob if not self.correct else self.true_prob)


@dataclass
class Evaluation:
    """Rows, totals and what was left out of one model's run over labelled images.

    ``skipped``: (path, reason) of files that could not be read or had no usable
    label; ``messages``: sentences for the user (unknown classes, a folder taken
    whole ...). ``stopped`` is True when it was cancelled part-way.
    """

    class_names: list[str]
    rows: list[ImageRow]
    metrics: dict
    source: str = ""
    split: str = ""
    model: str | None = None
    skipped: list[tuple[str, str]] = field(default_factory=list)
    messages: list[str] = field(default_factory=list)
    unknown_classes: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0
    stopped: bool = False

    # ----------------------------------------------------------------- figures

    @property
    def accuracy(self) -> float | None:
        return self.metrics.get("accuracy")

    @property
    def confusion(self) -> np.ndarray:
        return np.asarray(self.metrics.get("confusion") or [], dtype=np.int64).reshape(
            len(self.class_names), len(self.class_names)
        )

    def images_per_second(self) -> float:
        return len(self.rows) / self.seconds if self.seconds > 0 else 0.0

    def builtin(self) -> bool:
        """True for the built-in dataset (rows are indices, nothing can be moved)."""
        return self.source.startswith("builtin:")

    # ----------------------------------------------------------------- row selections

    def gallery(self, rows: Iterable[int] | None = None) -> list[int]:
        """Row indices (all, or those given) most confidently wrong first."""
        chosen = range(len(self.rows)) if rows is None else rows
        return sorted(chosen, key=lambda i: self.rows[i].gallery_key())

    def cell(self, true: int, pred: int) -> list[int]:
        """The rows of one confusion-matrix cell, in gallery order."""
        return self.gallery(i for i, r in enumerate(self.rows) if r.true == true and r.pred == pred)

    def of_class(self, index: int) -> list[int]:
        """The rows whose true class is ``index``, in gallery order."""
        return self.gallery(i for i, r in enumerate(self.rows) if r.true == index)

    # ----------------------------------------------------------------- plain values

    def totals(self) -> dict:
        """Everything but the per-image rows: what evaluation.json holds."""
        out = {
            "model": self.model,
            "source": self.source,
            "split": self.split,
            "images": len(self.rows),
            "classes": list(self.class_names),
            **self.metrics,
            "skipped": [{"path": p, "error": e} for p, e in self.skipped],
            "unknown_classes": dict(self.unknown_classes),
            "messages": list(self.messages),
            "seconds": round(self.seconds, 4),
            "stopped": self.stopped,
        }
        return out

    def image_dicts(self) -> list[dict]:
        names = self.class_names
        return [
            {
                "path": r.key,
                "true": names[r.true],
                "pred": names[r.pred],
                "prob": r.prob,
                "true_prob": r.true_prob,
                "loss": r.loss,
            }
            for r in self.rows
        ]

    def to_dict(self) -> dict:
        """The CLI's `evaluate --json` object: the totals with "images" as the row list.

        Plain JSON values: names that are not valid UTF-8 with \\xNN (core.textsafe).
        """
        return _printable({**self.totals(), "images": self.image_dicts()})


# --------------------------------------------------------------------------- totals


def _clean(value: float) -> float | None:
    """A JSON-safe float (NaN and infinities become None)."""
    value = float(value)
    return value if math.isfinite(value) else None


def _reliability(confidence: np.ndarray, correct: np.ndarray, bins: int) -> tuple[float, list]:
    """ECE and its bins: |accuracy - confidence| per equal-width bin, weighted by its share."""
    edges = np.linspace(0.0, 1.0, bins + 1)
    # a confidence of exactly 1.0 belongs to the last bin, 0.0 to the first
    which = np.clip(np.searchsorted(edges, confidence, side="right") - 1, 0, bins - 1)
    total = max(1, len(confidence))
    ece = 0.0
    out = []
    for b in range(bins):
        mask = which == b
        count = int(mask.sum())
        conf = float(confidence[mask].mean()) if count else None
        acc = float(correct[mask].mean()) if count else None
        if count:
            ece += count / total * abs(acc - conf)
        out.append(
            {
                "lower": float(edges[b]),
                "upper": float(edges[b + 1]),
                "count": count,
                "confidence": conf,
                "accuracy": acc,
            }
        )
    return ece, out


def _averages(y_true: np.ndarray, y_pred: np.ndarray) -> dict:
    """Macro and weighted precision/recall/F1 over the classes that occur (sklearn's rule)."""
    from sklearn.metrics import precision_recall_fscore_support

    out = {}
    for average in ("macro", "weighted"):
        p, r, f, _ = precision_recall_fscore_support(
            y_true, y_pred, average=average, zero_division=0
        )
        out[average] = {"precision": float(p), "recall": float(r), "f1": float(f)}
    return out


def summarise(rows: Sequence[ImageRow], class_names: Sequence[str]) -> dict:
    """The totals of ``rows`` over the model's classes (plain JSON-able values).

    Per-class figures cover every class the model knows (a class without images has
    support 0 and zeros); the macro and weighted averages, like scikit-learn's, cover
    the classes that occur as true or predicted labels.
    """
    n = len(class_names)
    k = topk_for(n)
    empty = {
        "accuracy": None,
        "topk": k,
        "topk_accuracy": None,
        "confusion": [[0] * n for _ in range(n)],
        "per_class": [
            {"class": c, "precision": 0.0, "recall": 0.0, "f1": 0.0, "support": 0}
            for c in class_names
        ],
        "macro_f1": None,
        "macro": None,
        "weighted": None,
        "mean_loss": None,
        "ece": None,
        "reliability": _reliability(np.zeros(0), np.zeros(0), RELIABILITY_BINS)[1],
    }
    if not rows:
        return empty  # without scikit-learn: reading a run's evaluation needs only its keys
    from sklearn.metrics import confusion_matrix, precision_recall_fscore_support

    y_true = np.fromiter((r.true for r in rows), dtype=np.int64, count=len(rows))
    y_pred = np.fromiter((r.pred for r in rows), dtype=np.int64, count=len(rows))
    labels = list(range(n))
    matrix = confusion_matrix(y_true, y_pred, labels=labels)
    precision, recall, f1, support = precision_recall_fscore_support(
        y_true, y_pred, labels=labels, zero_division=0
    )
    correct = (y_true == y_pred).astype(np.float64)
    confidence = np.fromiter((r.prob for r in rows), dtype=np.float64, count=len(rows))
    ece, bins = _reliability(confidence, correct, RELIABILITY_BINS)
    in_topk = [r.in_topk for r in rows]
    averages = _averages(y_true, y_pred)
    return {
        **empty,
        "accuracy": float(correct.mean()),
        "topk_accuracy": None if None in in_topk else float(np.mean(in_topk)),
        "confusion": matrix.astype(int).tolist(),
        "per_class": [
            {
                "class": name,
                "precision": float(precision[i]),
                "recall": float(recall[i]),
                "f1": float(f1[i]),
                "support": int(support[i]),
            }
            for i, name in enumerate(class_names)
        ],
        "macro_f1": averages["macro"]["f1"],
        **averages,
        "mean_loss": _clean(np.mean([r.loss for r in rows])),
        "ece": float(ece),
        "reliability": bins,
    }


# --------------------------------------------------------------------------- files


def write_evaluation(evaluation: Evaluation, path: str | os.PathLike) -> Path:
    """evaluation.json: the totals and per-class figures (written atomically)."""
    path = Path(path)
    with atomic_write(path, "w", encoding="utf-8") as fh:
        json.dump(_printable(evaluation.totals()), fh, indent=2, allow_nan=False)
        fh.write("\n")
    return path


def _printable(value):
    """Strings in ``value`` with non-UTF-8 bytes as \\xNN (core.textsafe), NaN as None."""
    if isinstance(value, str):
        return printable(value)
    if isinstance(value, float):
        return _clean(value)
    if isinstance(value, dict):
        return {k: _printable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_printable(v) for v in value]
    return value


def _number(value: float) -> str:
    return f"{value:.6g}" if math.isfinite(value) else str(value)


def write_predictions(evaluation: Evaluation, path: str | os.PathLike) -> Path:
    """predictions.csv: path,true,pred,prob,true_prob,loss,correct (one row per image).

    Names go through core.textsafe.csv_cell (never a spreadsheet formula); written
    atomically.
    """
    path = Path(path)
    names = [csv_cell(n) for n in evaluation.class_names]
    with atomic_write(path, "w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(PREDICTIONS_COLUMNS)
        for r in evaluation.rows:
            writer.writerow(
                [
                    csv_cell(r.key) if isinstance(r.key, str) else r.key,
                    names[r.true],
                    names[r.pred],
                    f"{r.prob:.6f}",
                    f"{r.true_prob:.6f}",
                    _number(r.loss),
                    int(r.correct),
                ]
            )
    return path


def _uncell(text: str) -> str:
    """A csv_cell back to the name (the apostrophe before a formula character dropped)."""
    return text[1:] if text.startswith("'") and text[1:].startswith(FORMULA_STARTS) else text


def _prediction_lines(path: Path) -> Iterator[dict[str, str]]:
    """The lines of a predictions.csv as dicts (ValueError: a column missing, not CSV)."""
    with open(path, newline="", encoding="utf-8", errors="replace") as fh:
        reader = csv.DictReader(fh)
        try:
            missing = set(PREDICTIONS_COLUMNS) - set(reader.fieldnames or [])
            if missing:
                raise ValueError(f"{path} lacks the columns {', '.join(sorted(missing))}.")
            yield from reader
        except csv.Error as exc:
            raise ValueError(f"{path} is not a predictions file: {exc}") from exc


def _read_rows(path: Path, names: list[str], builtin: bool) -> list[ImageRow]:
    index = {name: i for i, name in enumerate(names)}
    rows = []
    for line in _prediction_lines(path):
        true, pred = _uncell(line["true"]), _uncell(line["pred"])
        if true not in index or pred not in index:
            raise ValueError(f"{path} names a class the evaluation does not list.")
        key: str | int = int(line["path"]) if builtin else _uncell(line["path"])
        rows.append(
            ImageRow(
                key=key,
                true=index[true],
                pred=index[pred],
                prob=float(line["prob"]),
                true_prob=float(line["true_prob"]),
                loss=float(line["loss"]),
            )
        )
    return rows


def read_top_probs(path: str | os.PathLike) -> list[float]:
    """Each image's top probability (the ``prob`` column) in a predictions.csv.

    A value that is not a probability (blank, text, outside 0..1) is left out, so an
    edited file still gives the rest. OSError when the file cannot be read, ValueError
    when it is not what :func:`write_predictions` wrote.
    """
    probs: list[float] = []
    for line in _prediction_lines(Path(path)):
        try:
            value = float(line["prob"] or "nan")
        except ValueError:
            continue
        if 0.0 <= value <= 1.0:
            probs.append(value)
    return probs


def read_evaluation(folder: str | os.PathLike) -> Evaluation:
    """A run folder's evaluation.json + predictions.csv as an Evaluation.

    OSError when a file is missing or unreadable, ValueError when one is not what
    :func:`write_evaluation` / :func:`write_predictions` wrote.
    """
    folder = Path(folder)
    with open(folder / EVALUATION_JSON, encoding="utf-8", errors="replace") as fh:
        data = json.load(fh)
    try:
        names = [str(c) for c in data["classes"]]
        source = str(data.get("source") or "")
        rows = _read_rows(folder / PREDICTIONS_CSV, names, source.startswith("builtin:"))
        metric_keys = set(summarise([], names))
        return Evaluation(
            class_names=names,
            rows=rows,
            metrics={k: data[k] for k in metric_keys if k in data},
            source=source,
            split=str(data.get("split") or ""),
            model=data.get("model"),
            skipped=[(s["path"], s["error"]) for s in data.get("skipped", [])],
            messages=list(data.get("messages", [])),
            unknown_classes=dict(data.get("unknown_classes", {})),
            seconds=float(data.get("seconds") or 0.0),
            stopped=bool(data.get("stopped", False)),
        )
    except (KeyError, TypeError, AttributeError) as exc:
        raise ValueError(f"{folder / EVALUATION_JSON} is not a ConvStudio evaluation.") from exc
