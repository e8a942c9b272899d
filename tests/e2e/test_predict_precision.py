"""`predict` answers in float32 whatever the CPU; bfloat16 only with --precision bf16."""

from __future__ import annotations

import json

import pytest

from core import cli
from core.models import ASSUME_BF16_ENV


@pytest.fixture(scope="module")
def small_bundle(tmp_path_factory):
    """A quickly made smallcnn bundle (no training needed to compare precisions)."""
    torch = pytest.importorskip("torch")
    from core.checkpoint import make_bundle, save_bundle
    from core.models import build_model

    torch.manual_seed(0)
    model = build_model("smallcnn", 10, in_channels=1, input_size=28).eval()
    spec = [
        {"name": "ToTensor", "params": {}, "enabled": True},
        {"name": "Normalize", "params": {"mean": [0.5], "std": [0.5]}, "enabled": True},
    ]
    bundle = make_bundle(
        model=model, arch="smallcnn", class_names=[str(i) for i in range(10)], in_channels=1,
        input_size=28, eval_transforms=spec, epoch=1, metrics={}, config={},
    )  # fmt: skip
    path = tmp_path_factory.mktemp("bundle") / "best.pt"
    save_bundle(bundle, path)
    return path


@pytest.fixture(scope="module")
def digit_folder(tmp_path_factory):
    from core.data import export_digit_samples

    folder = tmp_path_factory.mktemp("digits")
    export_digit_samples(folder, n_per_class=2, split="valid")
    return folder


def _predict(capsys, bundle, folder, *extra):
    assert cli.main(["predict", "--model", str(bundle), "--json", *extra, str(folder)]) == 0
    return json.loads(capsys.readouterr().out)


def test_same_answers_on_a_bf16_cpu_and_on_one_without(
    small_bundle, digit_folder, capsys, monkeypatch
):
    monkeypatch.setenv(ASSUME_BF16_ENV, "1")
    on_bf16 = _predict(capsys, small_bundle, digit_folder)
    monkeypatch.setenv(ASSUME_BF16_ENV, "0")
    on_avx2 = _predict(capsys, small_bundle, digit_folder)
    assert on_bf16 == on_avx2  # identical JSON: float32 on both
    assert len(on_avx2) == 20


def test_bf16_when_asked(small_bundle, digit_folder, capsys):
    fp32 = _predict(capsys, small_bundle, digit_folder, "--precision", "fp32")
    bf16 = _predict(capsys, small_bundle, digit_folder, "--precision", "bf16")
    assert [r["path"] for r in bf16] == [r["path"] for r in fp32]
    for a, b in zip(fp32, bf16, strict=True):
        assert sum(t["prob"] for t in b["topk"]) == pytest.approx(
            sum(t["prob"] for t in a["topk"]),
            abs=3e-2,  # bfloat16 keeps ~3 digits
        )
