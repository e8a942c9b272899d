"""core.runs listing, status, notes, diff and resume values; `main.py runs` in process."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time

import pytest

from core import cli, runs
from core.callbacks import write_json, write_metrics
from core.config import TrainConfig

HOUR = 3600.0


def _rows(accs, losses=None):
    losses = losses or [1.0 - a for a in accs]
    return [
        {
            "epoch": i,
            "train_loss": loss,
            "train_acc": acc,
            "val_loss": loss,
            "val_acc": acc,
            "lr": 0.001,
            "seconds": 2.0,
        }
        for i, (acc, loss) in enumerate(zip(accs, losses, strict=True), start=1)
    ]


def make_run(folder, *, summary=True, rows=(0.5, 0.9, 0.8), best_pt=True, **config):
    """A run folder as the trainer writes it (no real model: best.pt is a stand-in)."""
    folder.mkdir(parents=True, exist_ok=True)
    cfg = TrainConfig(out=str(folder), **config).to_dict()
    cfg["augment"] = cfg["augment"] if cfg["augment"] != "auto" else "digits"
    write_json(folder / "config.json", cfg)
    metrics = _rows(list(rows))
    if metrics:
        write_metrics(folder / "metrics.csv", metrics)
    if best_pt:
        (folder / "best.pt").write_bytes(b"bundle")
    if summary:
        best = runs.best_row(metrics, runs.best_metric(cfg))
        info = {
            "best_val_acc": best["val_acc"] if best else None,
            "best_epoch": best["epoch"] if best else None,
            "epochs": len(metrics),
            "epochs_planned": cfg["epochs"],
            "train_images_per_second": 1234.5,
            "seconds": 12.0,
            "stopped": False,
            "error": None,
            "data": cfg["data"],
        }
        info.update(summary if isinstance(summary, dict) else {})
        write_json(folder / "summary.json", info)
    return folder


def _age(folder, seconds):
    """Make every file of the folder look ``seconds`` old."""
    then = time.time() - seconds
    for path in [folder, *folder.iterdir()]:
        os.utime(path, (then, then))


# ----------------------------------------------------------------------------- best rule


def test_best_rule_takes_the_metric_and_a_margin():
    assert runs.is_better(0.9, None) and runs.is_better(0.9, 0.8)
    assert not runs.is_better(0.8, 0.8)  # ties keep the earlier epoch
    assert runs.is_better(0.2, 0.3, "val_loss") and not runs.is_better(0.3, 0.2, "val_loss")
    assert not runs.is_better(0.805, 0.8, min_delta=0.01)
    assert runs.is_better(0.25, 0.3, "val_loss", min_delta=0.01)
    rows = _rows([0.5, 0.9, 0.8], losses=[0.9, 0.4, 0.3])
    assert runs.best_row(rows)["epoch"] == 2
    assert runs.best_row(rows, "val_loss")["epoch"] == 3
    assert runs.best_metric({"best_metric": "val_loss"}) == "val_loss"
    assert runs.best_metric({"best_metric": "bogus"}) == runs.best_metric(None) == "val_acc"


# ----------------------------------------------------------------------------- listing


def test_listing_reads_the_columns(tmp_path):
    root = tmp_path / "runs"
    make_run(root / "a", lr=0.001, epochs=5)
    runs.write_note(root / "a", "first try\nwith Adam")
    entry = runs.inspect_run(root / "a")
    d = entry.to_dict()
    assert [key for key, _ in runs.COLUMNS] == [k for k in d if k in dict(runs.COLUMNS)]
    assert d["name"] == "a" and d["path"] == str(root / "a")
    assert d["data"] == "builtin:digits" and d["arch"] == "smallcnn" and d["mode"] == "scratch"
    assert d["augment"] == "digits"
    assert (d["epochs"], d["epochs_planned"]) == (3, 5)
    assert (d["best_val_acc"], d["best_epoch"]) == (0.9, 2)
    assert d["train_images_per_second"] == 1234.5 and d["seconds"] == 12.0
    assert d["status"] == "finished" and d["problem"] == ""
    assert d["note"] == "first try\nwith Adam"
    assert d["date"][:4].isdigit()
    json.dumps(d)


@pytest.mark.parametrize(
    ("summary", "status"),
    [
        ({"stopped": True}, "stopped"),
        ({"error": "The loss became nan"}, "failed"),
        ({"stopped_early": True, "stopped_early_epoch": 3}, "finished"),
    ],
)
def test_status_from_the_summary(tmp_path, summary, status):
    entry = runs.inspect_run(make_run(tmp_path / "r", summary=summary))
    assert entry.status == status
    if status == "failed":
        assert "nan" in entry.problem
    assert entry.stopped_early is bool(summary.get("stopped_early"))


def test_running_is_told_by_the_lock_file(tmp_path):
    folder = make_run(tmp_path / "r", summary=False)
    runs.write_lock(folder)
    assert runs.inspect_run(folder).status == "running"
    runs.remove_lock(folder)
    assert not (folder / runs.LOCK_FILE).exists()
    # a lock whose process is gone: killed or crashed, however fresh the files
    proc = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        text=True,
        capture_output=True,
        check=True,
    )
    lock = {"pid": int(proc.stdout), "host": __import__("socket").gethostname(), "started": 0}
    (folder / runs.LOCK_FILE).write_text(json.dumps(lock))
    entry = runs.inspect_run(folder)
    assert entry.status == "failed" and "killed or crashed" in entry.problem
    # a resumed run that was killed keeps its earlier summary: still failed
    make_run(folder)
    assert runs.inspect_run(folder).status == "failed"


def test_running_without_a_lock_goes_by_the_files_age(tmp_path):
    folder = make_run(tmp_path / "r", summary=False)
    assert runs.inspect_run(folder).status == "running"  # just written
    later = time.time() + 2 * HOUR
    entry = runs.inspect_run(folder, now=later)
    assert entry.status == "failed" and "no summary.json" in entry.problem
    # a lock from another machine: fresh files mean running, old ones not
    (folder / runs.LOCK_FILE).write_text(json.dumps({"pid": 1, "host": "elsewhere"}))
    assert runs.inspect_run(folder).status == "running"
    assert runs.inspect_run(folder, now=later).status == "failed"


def test_broken_and_foreign_folders_are_listed_never_raised(tmp_path):
    root = tmp_path / "runs"
    make_run(root / "good")
    (root / "empty").mkdir()
    (root / "photos").mkdir()
    (root / "photos" / "cat.jpg").write_bytes(b"\xff\xd8")
    half = root / "half"
    half.mkdir()
    write_json(half / "config.json", TrainConfig().to_dict())
    _age(half, HOUR)
    bad_summary = make_run(root / "bad_summary")
    (bad_summary / "summary.json").write_text('{"best_val_acc": 0.9, "epo')
    bad_metrics = make_run(root / "bad_metrics")
    (bad_metrics / "metrics.csv").write_text("what,is,this\n1,2,3\n")
    odd = make_run(root / "odd_values")
    write_json(odd / "config.json", {"arch": ["not", "a", "name"], "epochs": "many"})
    write_json(odd / "summary.json", {"seconds": "long", "best_epoch": 1e400, "data": 7})
    (root / "file.txt").write_text("not a folder")
    entries = {e.name: e for e in runs.list_runs([root, tmp_path / "missing"])}
    assert set(entries) == {
        "good",
        "empty",
        "photos",
        "half",
        "bad_summary",
        "bad_metrics",
        "odd_values",
    }
    assert entries["good"].status == "finished"
    assert entries["empty"].status == entries["photos"].status == "not a run"
    assert entries["half"].status == "incomplete"
    assert entries["bad_summary"].status == "incomplete"
    assert "summary.json" in entries["bad_summary"].problem
    assert entries["bad_metrics"].status == "incomplete"
    odd = entries["odd_values"]
    assert odd.arch is None and odd.epochs_planned is None and odd.seconds == 6.0
    for entry in entries.values():
        json.dumps(entry.to_dict())


def test_runs_are_found_in_groups_and_listed_once(tmp_path):
    root = tmp_path / "runs"
    make_run(root / "lr-sweep" / "a")
    make_run(root / "lr-sweep" / "b")
    make_run(root / "c")
    (root / ".hidden").mkdir()
    make_run(root / ".hidden" / "x")
    found = runs.find_run_folders(root)
    assert [p.relative_to(root).as_posix() for p in found] == ["c", "lr-sweep/a", "lr-sweep/b"]
    assert runs.find_run_folders(root / "c") == [root / "c"]
    assert len(runs.list_runs([root, root / "lr-sweep", root / "c"])) == 3


def test_notes_round_trip(tmp_path):
    folder = make_run(tmp_path / "r")
    assert runs.read_note(folder) == ""
    runs.write_note(folder, "  lr too high?  \n")
    assert (folder / runs.NOTE_FILE).read_text() == "lr too high?\n"
    assert runs.read_note(folder) == "lr too high?"
    runs.write_note(folder, "")
    assert not (folder / runs.NOTE_FILE).exists()
    (folder / runs.NOTE_FILE).write_bytes(b"caf\xe9")
    assert runs.read_note(folder) == "caf\ufffd"
    with pytest.raises(ValueError):
        runs.write_note(folder, "x" * (runs.NOTE_MAX_BYTES + 1))


# ----------------------------------------------------------------------------- diff and resume


def test_diff_names_only_what_differs(tmp_path):
    a = make_run(tmp_path / "a", lr=0.001).joinpath("config.json")
    b = make_run(tmp_path / "b", lr=0.01).joinpath("config.json")
    configs = [json.loads(a.read_text()), json.loads(b.read_text())]
    assert runs.config_diff(configs) == [("lr", [0.001, 0.01])]
    older = dict(configs[0])
    del older["best_metric"], older["early_stop"]  # written before the settings existed
    assert runs.config_diff([older, configs[0]]) == []
    steps = [{"name": "ToTensor", "params": {}}, {"name": "Normalize", "params": {"mean": [0.5]}}]
    other = [steps[0], {"name": "Normalize", "params": {"mean": [0.4]}, "enabled": False}]
    diff = runs.config_diff([{"train_transforms": steps}, {"train_transforms": other}])
    assert diff == [
        ("train_transforms[2]", ["Normalize(mean=[0.5])", "Normalize(mean=[0.4]) (off)"])
    ]
    assert runs.config_diff([configs[0], None])[0][1][1] is None


def test_resume_values(tmp_path):
    folder = make_run(tmp_path / "r", lr=0.01, epochs=3)
    with pytest.raises(runs.RunError, match="last.pt"):
        runs.resume_config(folder)
    (folder / "last.pt").write_bytes(b"x")
    values = runs.resume_config(folder, epochs=6)
    assert values["resume"] == str(folder / "last.pt") and values["out"] == str(folder)
    assert values["epochs"] == 6 and values["lr"] == 0.01
    TrainConfig.from_dict(values).validate()


# ----------------------------------------------------------------------------- CLI


def test_cli_runs_json_table_and_diff(tmp_path, capsys):
    root = tmp_path / "runs"
    make_run(root / "slow", lr=0.0003)
    make_run(root / "fast", lr=0.003, summary={"stopped_early": True})
    (root / "junk").mkdir()
    assert cli.main(["runs", "--dir", str(root), "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert {d["name"]: d["status"] for d in listed} == {
        "slow": "finished",
        "fast": "finished",
        "junk": "not a run",
    }
    assert all({key for key, _ in runs.COLUMNS} <= set(d) for d in listed)
    assert cli.main(["runs", "--dir", str(root)]) == 0
    text = capsys.readouterr().out
    assert "Best val acc" in text and "finished (early stop)" in text and "90.00%" in text
    assert cli.main(["runs", "--dir", str(root), "--diff", "slow", str(root / "fast")]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split() == ["setting", "slow", "fast"]
    assert [line.split() for line in lines[1:]] == [["lr", "0.0003", "0.003"]]
    assert cli.main(["runs", "--dir", str(root), "--diff", "slow", "fast", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["settings"] == {"lr": [0.0003, 0.003]}


def test_one_duration_format_for_the_listing_and_the_train_tab(tmp_path):
    from core import runs_cmd

    assert runs.duration(5) == "0:05" and runs.duration(125.4) == "2:05"
    assert runs.duration(3725) == "1:02:05"
    for unknown in (None, float("nan"), float("inf"), -1.0):
        assert runs.duration(unknown) == "--:--"
    make_run(tmp_path / "run")
    (entry,) = runs.list_runs([tmp_path])
    assert runs_cmd.cell(entry, "seconds") == runs.duration(entry.seconds)
    assert not hasattr(runs_cmd, "duration")  # one formatter, in core.runs


def test_cli_runs_errors(tmp_path, capsys):
    assert cli.main(["runs", "--dir", str(tmp_path / "nope")]) == 2
    assert "not a folder" in capsys.readouterr().err
    make_run(tmp_path / "a")
    assert cli.main(["runs", "--dir", str(tmp_path), "--diff", "a"]) == 2
    assert cli.main(["runs", "--dir", str(tmp_path), "--diff", "a", "zzz"]) == 2
    assert "zzz not found" in capsys.readouterr().err
    assert cli.main(["runs", "--dir", str(tmp_path / "a")]) == 0  # a run folder itself
    assert capsys.readouterr().out.splitlines()[1].startswith("a ")
