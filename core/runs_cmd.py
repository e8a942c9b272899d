"""``main.py runs``: the run folders as a table or JSON, or the settings two runs differ in.

Everything is read through :mod:`core.runs` (the listing the Runs panel shows too);
this module only formats it. Torch-free, so the command answers at once.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

from core import appdirs, runs
from core.textsafe import printable


def default_runs_dir() -> Path:
    """Where ``main.py train`` and the window put runs when no folder is given."""
    return appdirs.runs_dir()


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--dir",
        action="append",
        metavar="RUNS",
        help=f"a folder of run folders; repeat for more (default {default_runs_dir()}/)",
    )
    p.add_argument(
        "--json",
        action="store_true",
        help="print one JSON list with an object per folder (or the diff as one object)",
    )
    p.add_argument(
        "--diff",
        nargs="+",
        metavar="RUN",
        help="two or more runs (folders, or names of runs under --dir): print only the "
        "settings that differ",
    )


def run_args(args: argparse.Namespace) -> int:
    dirs = [Path(d) for d in (args.dir or [default_runs_dir()])]
    if args.diff:
        return _print_diff(args.diff, dirs, args.json)
    missing = [d for d in dirs if not d.is_dir()]
    if missing:
        raise ValueError(f"--dir {missing[0]} is not a folder; pass the folder that holds runs.")
    entries = runs.list_runs(dirs)
    if args.json:
        print(json.dumps([e.to_dict() for e in entries]))
    elif not entries:
        print(f"no run folders under {', '.join(printable(str(d)) for d in dirs)}")
    else:
        print(table(entries))
    return 0


# ----------------------------------------------------------------------------- table

_HEADERS = dict(runs.COLUMNS)


def cell(entry: runs.RunEntry, key: str) -> str:
    """One column of an entry as text (the Runs panel shows the same)."""
    value = getattr(entry, key) if key != "name" else entry.name
    if value is None or value == "":
        return "" if key == "note" else "-"
    if key == "date":
        return datetime.fromtimestamp(value).strftime("%Y-%m-%d %H:%M")
    if key == "epochs":
        planned = "?" if entry.epochs_planned is None else entry.epochs_planned
        return f"{value}/{planned}"
    if key == "best_val_acc":
        return f"{100 * value:.2f}%"
    if key == "train_images_per_second":
        return f"{value:,.0f}"
    if key == "seconds":
        return runs.duration(value)
    if key == "status" and entry.stopped_early:
        return f"{value} (early stop)"
    if key == "note":
        return value.splitlines()[0][:40]
    return str(value)


def table(entries: Sequence[runs.RunEntry]) -> str:
    """The listing as aligned text columns, one line per folder."""
    keys = [key for key, _ in runs.COLUMNS]
    rows = [[_HEADERS[k] for k in keys]] + [[printable(cell(e, k)) for k in keys] for e in entries]
    widths = [max(len(row[i]) for row in rows) for i in range(len(keys))]
    return "\n".join(
        "  ".join(text.ljust(w) for text, w in zip(row, widths, strict=True)).rstrip()
        for row in rows
    )


# ----------------------------------------------------------------------------- diff


def find_run(name: str, dirs: Sequence[Path]) -> Path:
    """A run named on the command line: a folder, or a run's name under one of ``dirs``."""
    path = Path(name)
    if path.is_dir():
        return path
    for folder in dirs:
        if (folder / name).is_dir():
            return folder / name
    where = ", ".join(str(d) for d in dirs)
    raise ValueError(f"run {name} not found: not a folder, nor a run under {where}.")


def _print_diff(names: Sequence[str], dirs: Sequence[Path], as_json: bool) -> int:
    if len(names) < 2:
        raise ValueError("--diff needs two runs or more (folders or run names).")
    folders = [find_run(name, dirs) for name in names]
    configs = []
    for folder in folders:
        config = runs.read_json_object(Path(folder) / "config.json", [])  # all --diff reads
        if config is None:
            raise ValueError(f"{folder} has no readable config.json to compare.")
        configs.append(config)
    diff = runs.config_diff(configs)
    if as_json:
        settings = {key: values for key, values in diff}
        print(json.dumps({"runs": [str(f) for f in folders], "settings": settings}))
    elif not diff:
        print("no settings differ")
    else:
        header = ["setting", *(f.name for f in folders)]
        rows = [header] + [[key, *map(runs.setting_text, values)] for key, values in diff]
        widths = [max(len(printable(row[i])) for row in rows) for i in range(len(header))]
        for row in rows:
            print(
                "  ".join(printable(t).ljust(w) for t, w in zip(row, widths, strict=True)).rstrip()
            )
    return 0


__all__ = ["add_arguments", "cell", "default_runs_dir", "find_run", "run_args", "table"]
