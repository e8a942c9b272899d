"""Two-stage fine-tuning (core.stages): the head alone first, then every layer at lr * F
from the best head, in one run with one curve; and its resume."""

from __future__ import annotations

import csv
import json

import pytest
import torch

from core import features, models
from core.config import TrainConfig
from core.events import Callback
from core.trainer import Trainer, fit

PLAIN = [
    {"name": "ToTensor", "params": {}},
    {"name": "Normalize", "params": {"mean": [0.5, 0.5, 0.5], "std": [0.25, 0.25, 0.25]}},
]


@pytest.fixture(autouse=True)
def _cache_folder(tmp_path, monkeypatch):
    monkeypatch.setenv(features.CACHE_ENV, str(tmp_path / "feature-cache"))


@pytest.fixture(scope="module")
def weights(tmp_path_factory):
    torch.manual_seed(5)
    path = tmp_path_factory.mktemp("w") / "smallcnn.pth"
    torch.save(models.build_model("smallcnn", 2, input_size=8).state_dict(), path)
    return str(path)


def _config(folder, out, weights, **kw) -> TrainConfig:
    base = dict(
        data=str(folder),
        arch="smallcnn",
        mode="two-stage",
        pretrained=weights,
        head_epochs=2,
        finetune_lr_factor=0.1,
        train_transforms=PLAIN,
        eval_transforms=PLAIN,
        epochs=4,
        batch_size=4,
        optimizer="sgd",
        lr=0.05,
        scheduler="none",
        val_split=0.25,
        out=str(out),
    )
    base.update(kw)
    return TrainConfig(**base)


class Watch(Callback):
    """What the network looked like after each epoch, and at the switch to stage two."""

    def __init__(self, trainer_ref: list) -> None:
        self.ref = trainer_ref
        self.rows = []  # (epoch, lr, backbone weight, head weight, backbone trainable)
        self.best_head = {}
        self.head_at_switch = None

    def _model(self):
        return self.ref[0].model

    def on_epoch_end(self, ev) -> None:
        m = self._model()
        conv = m.features[0][0].weight
        self.rows.append((ev.epoch, ev.lr, conv.detach().clone(), m.head.weight.detach().clone(),
                          conv.requires_grad))  # fmt: skip
        if ev.is_best and ev.epoch <= 2:
            self.best_head = {k: v.clone() for k, v in m.head.state_dict().items()}

    def on_phase(self, ev) -> None:
        if ev.phase == "finetune":
            self.head_at_switch = {k: v.clone() for k, v in self._model().head.state_dict().items()}


def _fit(cfg):
    ref: list = []
    watch = Watch(ref)
    t = Trainer(cfg, [watch])
    ref.append(t)
    return t.fit(), watch, t


def test_the_head_trains_alone_first_then_every_layer(tiny_folder, tmp_path, weights):
    start = models.build_model("smallcnn", 2, mode="two-stage", pretrained=weights, input_size=8)
    assert not start.features[0][0].weight.requires_grad and start.head.weight.requires_grad
    conv0 = start.features[0][0].weight.detach().clone()
    summary, watch, t = _fit(_config(tiny_folder, tmp_path / "run", weights))
    (e1, lr1, c1, h1, g1), (e2, lr2, c2, h2, g2), (e3, lr3, c3, h3, g3), (e4, lr4, c4, h4, g4) = (
        watch.rows
    )
    # stage one: the backbone is frozen and unchanged, the head learns
    assert not g1 and not g2
    assert torch.equal(c1, conv0) and torch.equal(c2, conv0)
    assert not torch.equal(h1, h2)
    # stage two: every parameter trains, at lr * factor, from the best head
    assert g3 and g4
    assert not torch.equal(c3, conv0) and not torch.equal(c4, c3)
    assert lr1 == lr2 == pytest.approx(0.05) and lr3 == lr4 == pytest.approx(0.005)
    assert watch.head_at_switch is not None and watch.best_head
    for key, value in watch.best_head.items():
        assert torch.equal(watch.head_at_switch[key], value)
    assert all(p.requires_grad for p in t.model.parameters())
    # one run, one curve
    rows = list(csv.DictReader(open(tmp_path / "run" / "metrics.csv")))
    assert [int(r["epoch"]) for r in rows] == [1, 2, 3, 4]
    assert summary["epochs"] == 4 and summary["mode"] == "two-stage"


def test_two_stage_without_the_cache_gives_the_same_first_stage(tiny_folder, tmp_path, weights):
    cached, w1, _ = _fit(_config(tiny_folder, tmp_path / "a", weights, epochs=2))
    plain, w2, _ = _fit(
        _config(tiny_folder, tmp_path / "b", weights, epochs=2, feature_cache="off")
    )
    for (_, _, _, h_cached, _), (_, _, _, h_plain, _) in zip(w1.rows, w2.rows, strict=True):
        assert torch.allclose(h_cached, h_plain, atol=2e-3)
    assert cached["best_val_acc"] == plain["best_val_acc"]


def test_a_two_stage_run_resumes_in_either_stage(tiny_folder, tmp_path, weights):
    out = tmp_path / "run"
    fit(_config(tiny_folder, out, weights, epochs=1))  # inside the head stage
    resumed, watch, t = _fit(
        _config(tiny_folder, out, weights, epochs=3, resume=str(out / "last.pt"))
    )
    assert [row[0] for row in watch.rows] == [2, 3]
    assert not watch.rows[0][4] and watch.rows[1][4]  # epoch 2 frozen, epoch 3 all layers
    again, watch, t = _fit(
        _config(tiny_folder, out, weights, epochs=4, resume=str(out / "last.pt"))
    )
    assert [row[0] for row in watch.rows] == [4] and watch.rows[0][4]
    assert watch.rows[0][1] == pytest.approx(0.005)
    assert again["epochs"] == 4


def test_head_epochs_and_the_factor_are_checked():
    from core.config import ConfigError

    for bad in ({"head_epochs": 0}, {"finetune_lr_factor": 0.0}, {"finetune_lr_factor": 2.0}):
        with pytest.raises(ConfigError):
            TrainConfig(mode="two-stage", **bad).validate()
    TrainConfig(mode="two-stage", head_epochs=50, epochs=3).validate()  # all epochs: the head


def test_the_cli_runs_two_stage_with_its_options(tiny_folder, tmp_path, weights, capsys):
    from core import cli

    out = tmp_path / "cli"
    code = cli.main(
        ["train", "--data", str(tiny_folder), "--arch", "smallcnn", "--pretrained", weights,
         "--mode", "two-stage", "--head-epochs", "1", "--finetune-lr-factor", "0.5",
         "--epochs", "2", "--batch-size", "4", "--augment", "none", "--out", str(out)]
    )  # fmt: skip
    text = capsys.readouterr().out
    assert code == 0
    assert "extracting features: 24/24 images, no augmentation" in text
    assert "fine-tuning every layer from the best head (epoch 1) at lr 0.0005" in text
    config = json.loads((out / "config.json").read_text())
    assert config["mode"] == "two-stage" and config["head_epochs"] == 1
