"""Shared data for the evaluation tests: a made folder with deliberate mistakes, one model.

:func:`trained_folder` trains smallcnn once per test session (about 3 s) on a folder of
digit images in three class folders ("0", "1", "7"), where ten images of "1" were
filed under "7" on purpose. Tests that change files copy the folder first.
"""

from __future__ import annotations

import atexit
import contextlib
import functools
import io
import shutil
import tempfile
from pathlib import Path

CLASSES = ("0", "1", "7")
PER_CLASS = 50
MISLABELLED = 10  # images of "1" filed under "7"


def make_folder(root: Path) -> Path:
    """ROOT/<class>/*.png from the built-in digits, plus ROOT/7/mislabelled_NN.png."""
    from core.digits import digits_images

    train, labels, _, _, _ = digits_images()
    count = dict.fromkeys(CLASSES, 0)
    extra = 0
    for image, label in zip(train, labels, strict=True):
        name = str(label)
        if name in count and count[name] < PER_CLASS:
            folder = root / name
            folder.mkdir(parents=True, exist_ok=True)
            image.save(folder / f"{name}_{count[name]:03d}.png")
            count[name] += 1
        elif name == "1" and extra < MISLABELLED:
            (root / "7").mkdir(parents=True, exist_ok=True)
            image.save(root / "7" / f"mislabelled_{extra:02d}.png")
            extra += 1
    return root


@functools.cache
def trained_folder() -> tuple[Path, Path]:
    """(dataset folder, run folder) of a 5-epoch smallcnn run on the made folder."""
    from core import cli

    base = Path(tempfile.mkdtemp(prefix="convstudio-eval-"))
    atexit.register(shutil.rmtree, base, True)
    data = make_folder(base / "made")
    run = base / "run"
    args = ["train", "--data", str(data), "--arch", "smallcnn", "--epochs", "5"]
    args += ["--augment", "digits", "--out", str(run), "--seed", "0"]
    with contextlib.redirect_stdout(io.StringIO()):
        code = cli.main(args)
    assert code == 0 and (run / "best.pt").is_file(), f"training the test model failed ({code})"
    return data, run


def copy_of_dataset(target: Path) -> Path:
    """A private copy of the made folder (for tests that move files)."""
    data, _ = trained_folder()
    return Path(shutil.copytree(data, target / "made"))


def mislabelled(paths) -> list[str]:
    return [str(p) for p in paths if "mislabelled_" in str(p)]
