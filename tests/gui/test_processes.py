"""Processes > 1 from the app (issue 18): the worker runs 2 local processes under torchrun
and turns rank 0's events into its usual signals; pause and stop reach every process."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from gui.worker import TrainingRun

pytest.importorskip("torch")


def test_a_two_process_run_feeds_the_signals_pauses_and_stops(qtbot, tmp_path):
    from core.config import TrainConfig

    out = tmp_path / "run"
    cfg = TrainConfig(arch="mlp", epochs=60, batch_size=32, nproc=2, out=str(out))
    run = TrainingRun(cfg)
    got: dict[str, list] = {}
    for name in ("started", "batch_ended", "epoch_ended", "paused", "resumed", "stopped"):
        signal = getattr(run.worker, name)
        signal.connect(lambda *a, name=name: got.setdefault(name, []).append(a[0] if a else None))
    run.start()
    try:
        qtbot.waitUntil(lambda: bool(got.get("epoch_ended")), timeout=120_000)
        assert got["started"][0].run_dir == str(out)
        run.pause()  # every process waits at the same batch
        qtbot.waitUntil(lambda: bool(got.get("paused")), timeout=20_000)
        batches = len(got["batch_ended"])
        qtbot.wait(500)
        assert len(got["batch_ended"]) == batches
        run.resume()
        qtbot.waitUntil(lambda: len(got.get("batch_ended", [])) > batches, timeout=20_000)
        assert got["resumed"]
    finally:
        run.stop()  # SIGINT to torchrun: every process stops, rank 0 writes last.pt
        with qtbot.waitSignal(run.thread.finished, timeout=120_000):
            pass
        run.release()
    assert run.outcome.error is None, run.outcome.error_details
    assert got["stopped"] and (out / "last.pt").is_file()
    summary = json.loads(Path(out / "summary.json").read_text())
    assert summary["stopped"] and summary["world_size"] == 2
    # the batch curve's points come from rank 0 only: one step count, rising
    steps = [ev.global_step for ev in got["batch_ended"]]
    assert steps == sorted(steps)


def test_the_processes_row_shows_only_where_several_make_sense(qtbot, monkeypatch):
    from core import launcher
    from gui.train.panel import TrainPanel

    panel = TrainPanel()
    qtbot.addWidget(panel)
    form = panel.form
    layout, box = form._layouts["nproc"], form.widgets["nproc"]
    assert not layout.isRowVisible(box)  # until PyTorch says what the machine has
    monkeypatch.setattr(launcher, "local_slots", lambda: 4)
    panel.on_torch_ready()
    assert layout.isRowVisible(box) and box.maximum() == 4
    box.setValue(2)
    assert panel.build_config(run_dir="x").nproc == 2
    monkeypatch.setattr(launcher, "local_slots", lambda: 1)
    panel.on_torch_ready()
    assert not layout.isRowVisible(box)
    panel.shutdown()
