"""What a run says about its work outside the epochs, as templates the window translates.

The phases (:class:`core.events.PhaseProgressed`): downloading ImageNet weights and
extracting features before the first epoch, unfreezing every layer in a two-stage run
(core.stages), evaluating best.pt after the last epoch (core.callbacks); and the notes
core.stages leaves on the fit's summary about its feature cache. Each is a template
marked for translation (:mod:`core.messages`) and made with ``TEMPLATE.format(...)``.

Torch-free and imported by the window (gui.train.phase), so the templates are
registered there even when the run trains in other processes and only its events
arrive (core.launcher).
"""

from __future__ import annotations

from core.messages import QT_TRANSLATE_NOOP

# ----------------------------------------------------------------------------- weights
DOWNLOADING = QT_TRANSLATE_NOOP("CoreMessages", "downloading {name}: {done:.1f}/{total:.1f} MB")
DOWNLOADING_UNSIZED = QT_TRANSLATE_NOOP("CoreMessages", "downloading {name}: {done:.1f} MB")

# ----------------------------------------------------------------------------- features
EXTRACTING = QT_TRANSLATE_NOOP(
    "CoreMessages", "extracting features: {done:,}/{total:,} images, {views}"
)
VIEWS = QT_TRANSLATE_NOOP("CoreMessages", "{views} augmented view(s)")
NO_VIEWS = QT_TRANSLATE_NOOP("CoreMessages", "no augmentation (0 augmented views)")

# ----------------------------------------------------------------------------- fine-tune
FINETUNING = QT_TRANSLATE_NOOP(
    "CoreMessages", "fine-tuning every layer from {start} at lr {lr:.3g}"
)
FROM_BEST_HEAD = QT_TRANSLATE_NOOP("CoreMessages", "the best head (epoch {epoch})")
FROM_HEAD = QT_TRANSLATE_NOOP("CoreMessages", "the head")
FROM_RESUMED = QT_TRANSLATE_NOOP("CoreMessages", "the resumed weights")

# ----------------------------------------------------------------------------- evaluation
EVALUATING = QT_TRANSLATE_NOOP("CoreMessages", "evaluating best.pt on {total:,} validation images")
EVALUATED = QT_TRANSLATE_NOOP(
    "CoreMessages",
    "evaluated best.pt on {total:,} validation images: accuracy {accuracy:.2f}% "
    "(evaluation.json, predictions.csv)",
)
EVALUATED_NO_ACCURACY = QT_TRANSLATE_NOOP(
    "CoreMessages",
    "evaluated best.pt on {total:,} validation images (evaluation.json, predictions.csv)",
)
EVALUATION_FAILED = QT_TRANSLATE_NOOP(
    "CoreMessages", "evaluation failed (see the log); the Evaluate panel computes it again"
)
EVALUATION_STOPPED = QT_TRANSLATE_NOOP(
    "CoreMessages", "evaluation stopped: no evaluation.json or predictions.csv written"
)

# ----------------------------------------------------------------------------- cache notes
CACHE_UNKNOWN_FILES = QT_TRANSLATE_NOOP(
    "CoreMessages", "Feature cache: not used for this dataset (its files are unknown)."
)
CACHE_REUSED = QT_TRANSLATE_NOOP(
    "CoreMessages", "Feature cache: reused {folder} (computed by an earlier run)."
)
CACHE_SIZE = QT_TRANSLATE_NOOP(
    "CoreMessages",
    "Feature cache: {views} view(s) of {dim} features per image, {size:.1f} MB, {where}.",
)
CACHE_IN_MEMORY = QT_TRANSLATE_NOOP("CoreMessages", "in memory")
CACHE_FROM_FILE = QT_TRANSLATE_NOOP("CoreMessages", "read from its file (over the memory limit)")
CACHE_UNREADABLE = QT_TRANSLATE_NOOP(
    "CoreMessages", "The feature cache {folder} could not be read back."
)
