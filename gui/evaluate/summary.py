"""The Evaluate panel's summary: the headline figures of an evaluation, the notes under
them (messages, unreadable files, where it was read from) and the calibration verdict.

Plain functions of an evaluation that return (translated) text; the panel shows it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
from PySide6.QtCore import QObject

from gui.evaluate.jobs import Opened
from gui.i18n.core_messages import translate as core_text


class Calibration(QObject):
    """The translation context of :func:`calibration_text`."""


class EvaluationSummary(QObject):
    """The translation context of :func:`summary_html` and :func:`summary_notes`."""


def calibration_text(evaluation: Any) -> str:
    """ECE and which way the model errs: more (or less) sure than it is right."""
    ece = evaluation.metrics.get("ece")
    if ece is None or not evaluation.rows:
        return Calibration.tr("calibration n/a")
    confidence = float(np.mean([r.prob for r in evaluation.rows]))
    gap = confidence - (evaluation.accuracy or 0.0)
    if abs(gap) < 0.02:
        text = Calibration.tr("ECE {ece} (confidence matches accuracy)")
    elif gap > 0:
        text = Calibration.tr("ECE {ece} (overconfident by {gap})")
    else:
        text = Calibration.tr("ECE {ece} (underconfident by {gap})")
    return text.format(ece=f"{ece:.3f}", gap=f"{abs(gap):.0%}")


def summary_html(ev: Any) -> str:
    """One line: accuracy, mistakes, top-k, macro F1 and calibration."""
    m = ev.metrics
    na = EvaluationSummary.tr("n/a")
    acc = na if ev.accuracy is None else f"{ev.accuracy:.2%}"
    topk = na if m.get("topk_accuracy") is None else f"{m['topk_accuracy']:.2%}"
    f1 = na if m.get("macro_f1") is None else f"{m['macro_f1']:.3f}"
    wrong = sum(1 for r in ev.rows if not r.correct)
    return EvaluationSummary.tr(
        "<b>Accuracy {accuracy}</b> on %n image(s) ({wrong} wrong) &nbsp;·&nbsp; "
        "top-{k} {topk} &nbsp;·&nbsp; macro F1 {f1} &nbsp;·&nbsp; {calibration}",
        "",
        len(ev.rows),
    ).format(
        accuracy=acc,
        wrong=wrong,
        k=m.get("topk"),
        topk=topk,
        f1=f1,
        calibration=calibration_text(ev),
    )


def summary_notes(opened: Opened, elsewhere: str) -> str:
    """The message under the summary: the evaluation's notes, or what to do next.

    ``elsewhere`` is the session's note about fixes to undo in another dataset ("": none).
    """
    ev = opened.evaluation
    notes = [core_text(text) for text in ev.messages]
    if ev.skipped:
        notes.append(
            EvaluationSummary.tr(
                "%n file(s) could not be read (hover for why).", "", len(ev.skipped)
            )
        )
    if opened.from_files:
        notes.append(
            EvaluationSummary.tr("Read from the run folder (evaluation.json, predictions.csv).")
        )
    if elsewhere:
        notes.append(elsewhere)
    return " ".join(notes) or EvaluationSummary.tr("Click a cell or a class to see its images.")


def skipped_tooltip(ev: Any) -> str:
    """Why files could not be read, one per line (the first 30; "" when none)."""
    return "\n".join(f"{Path(p).name}: {core_text(e)}" for p, e in ev.skipped[:30])
