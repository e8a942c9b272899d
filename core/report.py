"""An evaluation outside the app: the `evaluate` subcommand's output and its report folder.

``python main.py evaluate`` prints a summary (or ``--json``), writes ``--csv`` in the
run folder's predictions.csv format and ``--report DIR``: confusion.png and
reliability.png (drawn with Pillow: no plotting library needed), per_class.csv, and
an index.html that shows them with the 50 most confidently wrong images as
thumbnails. torch is imported inside the functions.
"""

from __future__ import annotations

import argparse
import csv
import html
import json
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from core.atomic import atomic_write
from core.evalresult import Evaluation, write_predictions
from core.textsafe import csv_cell

__all__ = ["draw_confusion", "draw_reliability", "print_summary", "run_args", "write_report"]

WRONG_SHOWN = 50
THUMB = 96
_BLUE = (31, 94, 168)
_RED = (196, 52, 40)
_INK = (30, 30, 30)


def _font(size: int) -> ImageFont.ImageFont:
    try:
        return ImageFont.load_default(size=size)
    except TypeError:  # Pillow < 10.1: the small bitmap font
        return ImageFont.load_default()


def _text_width(draw: ImageDraw.ImageDraw, text: str, font) -> int:
    left, _, right, _ = draw.textbbox((0, 0), text, font=font)
    return int(right - left)


def _short(name: str, limit: int = 18) -> str:
    return name if len(name) <= limit else name[: limit - 1] + "…"


# --------------------------------------------------------------------------- pictures


def _shade(share: float, diagonal: bool, nonzero: bool) -> tuple[int, int, int]:
    """A cell's colour: right answers in blue, mistakes in red (faint ones still visible)."""
    if not diagonal and nonzero:
        share = max(share, 0.15)
    tone = _BLUE if diagonal else _RED
    return tuple(int(255 - share * (255 - c)) for c in tone)


def draw_confusion(evaluation: Evaluation) -> Image.Image:
    """The confusion matrix: counts in cells shaded by the row's share, names on both axes."""
    names = [_short(n) for n in evaluation.class_names]
    matrix = evaluation.confusion
    n = len(names)
    cell = max(22, min(64, 640 // max(1, n)))
    font, small = _font(max(9, min(16, cell // 3))), _font(13)
    probe = ImageDraw.Draw(Image.new("RGB", (1, 1)))
    label_w = max((_text_width(probe, s, font) for s in names), default=0) + 12
    top, left = label_w + 28, label_w + 28
    image = Image.new("RGB", (left + n * cell + 16, top + n * cell + 16), "white")
    draw = ImageDraw.Draw(image)
    totals = matrix.sum(axis=1, keepdims=True).clip(min=1)
    shares = matrix / totals
    for i in range(n):
        for j in range(n):
            share = float(shares[i, j])
            colour = _shade(share, i == j, bool(matrix[i, j]))
            x, y = left + j * cell, top + i * cell
            draw.rectangle([x, y, x + cell - 1, y + cell - 1], fill=colour, outline=(220, 220, 220))
            if matrix[i, j]:
                text = str(int(matrix[i, j]))
                ink = "white" if share > 0.5 else _INK
                w = _text_width(draw, text, font)
                draw.text(
                    (x + (cell - w) / 2, y + cell / 2), text, fill=ink, font=font, anchor="lm"
                )
    for i, name in enumerate(names):  # true classes down the left
        w = _text_width(draw, name, font)
        draw.text(
            (left - 6 - w, top + i * cell + cell / 2), name, fill=_INK, font=font, anchor="lm"
        )
    column = Image.new("RGB", (label_w, n * cell), "white")  # predicted classes, turned
    col_draw = ImageDraw.Draw(column)
    for j, name in enumerate(names):
        col_draw.text((6, j * cell + cell / 2), name, fill=_INK, font=font, anchor="lm")
    image.paste(column.rotate(90, expand=True), (left, top - label_w - 2))
    draw.text((left + n * cell / 2, 4), "predicted", fill=_INK, font=small, anchor="mt")
    axis = Image.new("RGB", (60, 18), "white")
    ImageDraw.Draw(axis).text((30, 2), "true", fill=_INK, font=small, anchor="mt")
    image.paste(axis.rotate(90, expand=True), (4, int(top + n * cell / 2 - 30)))
    return image


def draw_reliability(evaluation: Evaluation, size: int = 420) -> Image.Image:
    """Accuracy per confidence bin against the diagonal of perfect calibration."""
    bins = evaluation.metrics.get("reliability") or []
    font = _font(13)
    pad_l, pad_b, pad_t, pad_r = 56, 44, 30, 14
    image = Image.new("RGB", (size + pad_l + pad_r, size + pad_t + pad_b), "white")
    draw = ImageDraw.Draw(image)

    def xy(fx: float, fy: float) -> tuple[float, float]:
        return pad_l + fx * size, pad_t + (1 - fy) * size

    for tick in (0.0, 0.25, 0.5, 0.75, 1.0):
        draw.line([xy(0, tick), xy(1, tick)], fill=(235, 235, 235))
        draw.text(
            (xy(0, tick)[0] - 6, xy(0, tick)[1]), f"{tick:g}", fill=_INK, font=font, anchor="rm"
        )
        draw.text(
            (xy(tick, 0)[0], xy(tick, 0)[1] + 6), f"{tick:g}", fill=_INK, font=font, anchor="mt"
        )
    for b in bins:
        if not b.get("count"):
            continue
        x0, x1 = xy(b["lower"], 0)[0] + 1, xy(b["upper"], 0)[0] - 1
        draw.rectangle([x0, xy(0, b["accuracy"])[1], x1, xy(0, 0)[1]], fill=_BLUE)
        gap_top = xy(0, max(b["accuracy"], b["confidence"]))[1]
        gap_bottom = xy(0, min(b["accuracy"], b["confidence"]))[1]
        draw.rectangle([x0, gap_top, x1, gap_bottom], outline=(200, 60, 50))
    draw.line([xy(0, 0), xy(1, 1)], fill=(120, 120, 120), width=2)
    draw.rectangle([xy(0, 1), xy(1, 0)], outline=_INK)
    ece = evaluation.metrics.get("ece")
    title = "Reliability" + ("" if ece is None else f"   ECE {ece:.3f}")
    draw.text((pad_l, 8), title, fill=_INK, font=font)
    draw.text(
        (pad_l + size / 2, size + pad_t + 24), "confidence", fill=_INK, font=font, anchor="mt"
    )
    axis = Image.new("RGB", (80, 16), "white")
    ImageDraw.Draw(axis).text((40, 1), "accuracy", fill=_INK, font=font, anchor="mt")
    image.paste(axis.rotate(90, expand=True), (2, int(pad_t + size / 2 - 40)))
    return image


# --------------------------------------------------------------------------- report folder


def write_per_class(evaluation: Evaluation, path: Path) -> None:
    """per_class.csv, written atomically; a class name is never a spreadsheet formula."""
    with atomic_write(path, "w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(["class", "precision", "recall", "f1", "support"])
        for row in evaluation.metrics.get("per_class") or []:
            writer.writerow(
                [
                    csv_cell(row["class"]),
                    f"{row['precision']:.4f}",
                    f"{row['recall']:.4f}",
                    f"{row['f1']:.4f}",
                    row["support"],
                ]
            )


def _pct(value: float | None) -> str:
    return "n/a" if value is None else f"{100 * value:.2f}%"


def _thumbnails(
    evaluation: Evaluation, folder: Path, load: Callable[[Any], Image.Image]
) -> list[str]:
    """<figure> snippets of the most confidently wrong images (thumbs/NNN.png)."""
    wrong = [i for i in evaluation.gallery() if not evaluation.rows[i].correct][:WRONG_SHOWN]
    thumbs = folder / "thumbs"
    if wrong:
        thumbs.mkdir(exist_ok=True)
    names = evaluation.class_names
    out = []
    for n, i in enumerate(wrong):
        row = evaluation.rows[i]
        try:
            image = load(row.key).convert("RGB")
        except (OSError, ValueError):
            continue
        image.thumbnail((THUMB, THUMB))
        if max(image.size) < THUMB // 2:  # digits: blow up without blurring
            scale = THUMB // max(image.size)
            image = image.resize((image.width * scale, image.height * scale), Image.NEAREST)
        image.save(thumbs / f"{n:03d}.png")
        caption = (
            f"true <b>{html.escape(names[row.true])}</b><br>"
            f"pred <b>{html.escape(names[row.pred])}</b> {row.prob:.0%}"
        )
        title = html.escape(str(row.key), quote=True)
        out.append(
            f'<figure title="{title}"><img src="thumbs/{n:03d}.png" alt="">'
            f"<figcaption>{caption}</figcaption></figure>"
        )
    return out


def _html(evaluation: Evaluation, figures: list[str]) -> str:
    m = evaluation.metrics
    per_class = "".join(
        f"<tr><td>{html.escape(r['class'])}</td><td>{r['precision']:.3f}</td>"
        f"<td>{r['recall']:.3f}</td><td>{r['f1']:.3f}</td><td>{r['support']}</td></tr>"
        for r in m.get("per_class") or []
    )
    notes = "".join(f"<li>{html.escape(t)}</li>" for t in evaluation.messages)
    skipped = "".join(
        f"<li>{html.escape(p)}: {html.escape(e)}</li>" for p, e in evaluation.skipped[:200]
    )
    ece = "n/a" if m.get("ece") is None else f"{m['ece']:.3f}"
    macro = "n/a" if m.get("macro_f1") is None else f"{m['macro_f1']:.3f}"
    return f"""<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>ConvStudio evaluation</title>
<style>
body {{ font-family: sans-serif; margin: 2em; color: #222; }}
table {{ border-collapse: collapse; }} td, th {{ padding: 2px 10px; text-align: right; }}
td:first-child, th:first-child {{ text-align: left; }} tr:nth-child(even) {{ background: #f3f3f3; }}
figure {{ display: inline-block; margin: 4px; text-align: center; font-size: 12px; }}
img {{ image-rendering: pixelated; }}
</style></head><body>
<h1>Evaluation</h1>
<p>Model <code>{html.escape(str(evaluation.model or ""))}</code> on
<code>{html.escape(evaluation.source)}</code> ({html.escape(evaluation.split)}):
{len(evaluation.rows)} images.</p>
<p>Accuracy <b>{_pct(m.get("accuracy"))}</b> &middot; top-{m.get("topk")} accuracy
{_pct(m.get("topk_accuracy"))} &middot; macro F1 {macro} &middot; ECE {ece}</p>
<ul>{notes}</ul>
<img src="confusion.png" alt="confusion matrix"> <img src="reliability.png" alt="reliability">
<h2>Per class</h2>
<table><tr><th>class</th><th>precision</th><th>recall</th><th>F1</th><th>support</th></tr>
{per_class}</table>
<h2>Most confidently wrong</h2>
{"".join(figures) or "<p>None: every image was classified correctly.</p>"}
{f"<h2>Skipped files</h2><ul>{skipped}</ul>" if skipped else ""}
</body></html>
"""


def write_report(
    evaluation: Evaluation, folder: str | os.PathLike, load: Callable[[Any], Image.Image]
) -> Path:
    """confusion.png, reliability.png, per_class.csv and index.html in ``folder``.

    ``load(key)`` returns the image of a row (its path, or its built-in index).
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    draw_confusion(evaluation).save(folder / "confusion.png")
    draw_reliability(evaluation).save(folder / "reliability.png")
    write_per_class(evaluation, folder / "per_class.csv")
    figures = _thumbnails(evaluation, folder, load)
    index = folder / "index.html"
    index.write_text(_html(evaluation, figures), encoding="utf-8", errors="surrogateescape")
    return index


# --------------------------------------------------------------------------- the subcommand


def print_summary(evaluation: Evaluation, out=None) -> None:
    """The text output of `evaluate`: totals, per-class figures and the matrix."""
    out = out or sys.stdout
    m = evaluation.metrics
    names = evaluation.class_names
    print(
        f"{len(evaluation.rows)} images of {evaluation.source} ({evaluation.split}): "
        f"accuracy {_pct(m.get('accuracy'))}, top-{m.get('topk')} {_pct(m.get('topk_accuracy'))}, "
        f"macro F1 {m.get('macro_f1') or 0:.4f}, ECE {m.get('ece') or 0:.4f}",
        file=out,
    )
    width = max(5, *(len(n) for n in names))
    print(f"{'class':<{width}}  precision  recall      f1  support", file=out)
    for r in m.get("per_class") or []:
        print(
            f"{r['class']:<{width}}  {r['precision']:9.4f}  {r['recall']:6.4f}  "
            f"{r['f1']:6.4f}  {r['support']:7d}",
            file=out,
        )
    print("confusion (rows true, columns predicted):", file=out)
    cw = max(4, *(len(str(v)) + 1 for v in np.asarray(evaluation.confusion).ravel()))
    print(" " * width + "".join(f"{n[: cw - 1]:>{cw}}" for n in names), file=out)
    for name, row in zip(names, evaluation.confusion.tolist(), strict=True):
        print(f"{name:<{width}}" + "".join(f"{v:>{cw}}" for v in row), file=out)


def run_args(args: argparse.Namespace) -> int:
    """`evaluate`: arguments from core.cli; returns the exit code (ValueError: bad input)."""
    if not Path(args.model).is_file():
        raise ValueError(f"model file {args.model} does not exist; pass a best.pt from a run.")
    from core.evaluate import evaluate, labelled_set
    from core.predict import Predictor

    predictor = Predictor(args.model, device=args.device)
    config = predictor.bundle.get("config") or {}
    source = args.data or config.get("data")
    if not source:
        raise ValueError("the bundle records no dataset: pass --data builtin:digits or DIR.")
    labelled = labelled_set(
        source, args.split, predictor.class_names, channels=predictor.in_channels, config=config
    )
    evaluation = evaluate(predictor, labelled)
    for text in evaluation.messages:
        print(f"note: {text}", file=sys.stderr)
    for path, error in evaluation.skipped:
        print(f"skipped: {path}: {error}", file=sys.stderr)
    if args.csv:
        write_predictions(evaluation, args.csv)
    if args.report:
        inputs = {key: value for key, _, value in labelled.items}
        write_report(evaluation, args.report, lambda key: predictor.load(inputs[key]))
    if args.json:
        print(json.dumps(evaluation.to_dict()))
    else:
        print_summary(evaluation)
    if not evaluation.rows:
        print("error: no image could be evaluated.", file=sys.stderr)
        return 1
    return 0
