"""Where a run is written: a fresh folder name, never reusing a run, tidy after a kill.

A run folder is never overwritten by a new run (design.md): :func:`check_out_folder`
refuses a folder that already holds a run unless the run is being resumed there or
the user asked to overwrite it, and :func:`new_run_dir` makes a fresh name when none
was given. :func:`prepare_run_folder` runs when the fit starts: it removes the temp
files a kill during a save left behind and, when overwriting was asked for, the old
run's files (so nothing of the replaced run is mistaken for the new one).

Plain Python: no torch, no Qt.
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import os
from pathlib import Path

from core.atomic import stale_temp_files
from core.runfiles import BATCH_LOSS_CSV
from core.runs import RUN_FILES

__all__ = [
    "RUN_OUTPUTS",
    "RunExistsError",
    "check_out_folder",
    "new_run_dir",
    "prepare_run_folder",
    "run_files_in",
]

#: everything a run writes into its folder (evaluation files come from the end-of-fit
#: evaluation); an overwrite removes these and nothing else (notes.txt is the user's)
RUN_OUTPUTS = (*RUN_FILES, BATCH_LOSS_CSV, "evaluation.json", "predictions.csv")


class RunExistsError(ValueError):
    """The output folder already holds a training run that would be overwritten."""


def new_run_dir(
    parent: str | os.PathLike, arch: str, now: _dt.datetime | None = None, *, create: bool = True
) -> Path:
    """A fresh run folder ``PARENT/<arch>-<YYYYmmdd-HHMMSS>[-n]``.

    ``create`` makes it (with ``mkdir``, which fails if the name is taken), so two runs
    started in the same second still get two folders.
    """
    stamp = (now or _dt.datetime.now()).strftime("%Y%m%d-%H%M%S")
    base = Path(parent) / f"{arch}-{stamp}"
    path, n = base, 1
    while True:
        if create:
            path.parent.mkdir(parents=True, exist_ok=True)
            try:
                path.mkdir()
                return path
            except FileExistsError:
                pass
        elif not path.exists():
            return path
        n += 1
        path = base.with_name(f"{base.name}-{n}")


def run_files_in(folder: str | os.PathLike) -> list[str]:
    """The run files (config.json, metrics.csv, ...) present in ``folder``."""
    folder = Path(folder)
    return [name for name in RUN_FILES if (folder / name).exists()]


def _same_folder(a: Path, b: Path) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:
        return a.resolve() == b.resolve()


def check_out_folder(run_dir: str | os.PathLike, resume: str | None, overwrite: bool) -> None:
    """Refuse to train into a folder that holds another run (RunExistsError).

    Allowed: a new or empty folder, the folder of the run being resumed, or any folder
    with ``overwrite``.
    """
    run_dir = Path(run_dir)
    if run_dir.exists() and not run_dir.is_dir():
        raise RunExistsError(f"--out {run_dir} is a file, not a folder; choose a folder name.")
    present = run_files_in(run_dir) if run_dir.is_dir() else []
    if not present or overwrite:
        return
    if resume and _same_folder(Path(resume).parent, run_dir):
        return
    raise RunExistsError(
        f"{run_dir} already holds a training run ({', '.join(present)}), and a run is never "
        f"overwritten: continue it with --resume {run_dir / 'last.pt'}, choose another --out "
        "folder (or leave --out out for a fresh one), or pass --overwrite to replace it."
    )


def prepare_run_folder(run_dir: str | os.PathLike, overwrite: bool) -> list[str]:
    """Make the folder, remove stale temp files and (``overwrite``) the old run's files.

    Returns the names removed, so the caller can say what it replaced.
    """
    run_dir = Path(run_dir)
    run_dir.mkdir(parents=True, exist_ok=True)
    removed = []
    for path in stale_temp_files(run_dir, RUN_OUTPUTS):
        with contextlib.suppress(OSError):
            path.unlink()
    if overwrite:
        for name in RUN_OUTPUTS:
            path = run_dir / name
            if path.is_file():
                with contextlib.suppress(OSError):
                    path.unlink()
                    removed.append(name)
    return removed
