"""Model registry: every network builds and runs; weights load from a file or the hub cache."""

from __future__ import annotations

import pytest
import torch
import torchvision
from torch import nn

from core import models
from core.models import ARCHS, ModelError, WeightsError, build_model, count_parameters

# Small inputs keep the suite fast; each is at least the network's minimum.
TEST_SIZE = {
    "mlp": 28,
    "smallcnn": 28,
    "alexnet": 63,
    "vgg11_bn": 32,
    "vgg16_bn": 32,
    "resnet18": 28,
    "resnet34": 32,
    "resnet50": 32,
}


@pytest.fixture
def fast_init(monkeypatch):
    """Skip the random init of big layers (VGG's 100M-weight classifier takes seconds).

    Weights become 1/fan_in (a mean filter) and biases 0: deterministic, finite and cheap,
    which is all the shape and wiring checks below need.
    """

    def cheap(tensor, *args, **kwargs):
        with torch.no_grad():
            if tensor.dim() >= 2:
                return tensor.fill_(1.0 / max(1, tensor[0].numel()))
            return tensor.zero_()

    for name in ("normal_", "uniform_", "kaiming_normal_", "kaiming_uniform_", "trunc_normal_"):
        monkeypatch.setattr(nn.init, name, cheap)


def test_registry_lists_the_issue_networks():
    assert set(ARCHS) == {
        "mlp",
        "smallcnn",
        "alexnet",
        "vgg11_bn",
        "vgg16_bn",
        "resnet18",
        "resnet34",
        "resnet50",
    }
    assert set(TEST_SIZE) == set(ARCHS)
    for name, info in ARCHS.items():
        assert info.name == name
        assert info.min_input_size <= TEST_SIZE[name] <= info.default_input_size
        assert info.pretrained == (name not in ("mlp", "smallcnn"))


@pytest.mark.parametrize("channels,classes", [(1, 2), (3, 7)])
@pytest.mark.parametrize("arch", sorted(ARCHS))
def test_every_network_builds_and_runs_forward(arch, channels, classes, fast_init):
    size = TEST_SIZE[arch]
    torch.manual_seed(0)
    model = build_model(arch, classes, in_channels=channels, input_size=size).eval()
    x = torch.randn(2, channels, size, size)
    seen = {}
    if arch != "mlp":
        layer = models.gradcam_layer(model, arch)

        def record(module, inputs, output):
            seen["shape"] = output.shape

        layer.register_forward_hook(record)
    with torch.no_grad():
        out = model(x)
    assert out.shape == (2, classes)
    assert torch.isfinite(out).all()
    trainable, total = count_parameters(model)
    assert trainable == total == sum(p.numel() for p in model.parameters())
    if arch != "mlp":
        assert len(seen["shape"]) == 4 and seen["shape"][0] == 2  # a conv feature map


def test_resnet18_runs_at_its_default_size():
    model = build_model("resnet18", 3, in_channels=3).eval()
    with torch.no_grad():
        out = model(torch.randn(1, 3, 224, 224))
    assert out.shape == (1, 3)


def test_mlp_is_the_notes_network():
    model = build_model("mlp", 10, in_channels=1, input_size=28)
    linears = [m for m in model.modules() if isinstance(m, nn.Linear)]
    assert [(m.in_features, m.out_features) for m in linears] == [(784, 128), (128, 10)]
    assert build_model("mlp", 4, in_channels=3, input_size=8).fc1.in_features == 3 * 8 * 8


def test_smallcnn_has_the_notes_building_blocks():
    model = build_model("smallcnn", 10, in_channels=1, input_size=28)
    kinds = {type(m) for m in model.modules()}
    for kind in (nn.Conv2d, nn.BatchNorm2d, nn.ReLU, nn.MaxPool2d, nn.Dropout, nn.Linear):
        assert kind in kinds
    with torch.no_grad():
        assert model.eval()(torch.zeros(1, 1, 224, 224)).shape == (1, 10)


def test_alexnet_on_digits_size_fails_with_the_minimum():
    with pytest.raises(ModelError, match="at least 63x63"):
        build_model("alexnet", 10, in_channels=1, input_size=28)
    with pytest.raises(ModelError, match="at least 32x32"):
        build_model("vgg11_bn", 10, in_channels=1, input_size=28)


@pytest.mark.parametrize(
    "kwargs,match",
    [
        ({"arch": "lenet"}, "Unknown architecture 'lenet'"),
        ({"mode": "frozen"}, "Unknown mode 'frozen'"),
        ({"num_classes": 1}, "at least 2 classes"),
        ({"in_channels": 2}, "must be 1"),
        ({"pretrained": "imagenet"}, "scratch"),
        ({"arch": "smallcnn", "mode": "finetune", "pretrained": "imagenet"}, "no ImageNet"),
    ],
)
def test_bad_requests_raise_model_error(kwargs, match):
    args = {"arch": "resnet18", "num_classes": 3, "in_channels": 3, "input_size": 32}
    args.update(kwargs)
    with pytest.raises(ModelError, match=match):
        build_model(**args)


def test_feature_extract_trains_only_the_head(fast_init):
    model = build_model("resnet18", 4, mode="feature-extract", input_size=32)
    trainable, total = count_parameters(model)
    assert trainable == 512 * 4 + 4
    assert total > 11_000_000
    assert all(p.requires_grad for p in model.fc.parameters())
    assert not model.conv1.weight.requires_grad

    vgg = build_model("vgg11_bn", 3, mode="feature-extract", input_size=32)
    assert count_parameters(vgg)[0] == 4096 * 3 + 3

    cnn = build_model("smallcnn", 5, in_channels=1, mode="feature-extract", input_size=28)
    assert count_parameters(cnn)[0] == 128 * 9 * 5 + 5
    assert count_parameters(build_model("smallcnn", 5, mode="finetune", input_size=28))[0] > (
        128 * 9 * 5 + 5
    )


def test_weights_file_names_follow_torchvision():
    assert models.weights_filename("resnet18") == "resnet18-f37072fd.pth"
    assert models.weights_filename("smallcnn") is None
    for arch in ("alexnet", "vgg11_bn", "vgg16_bn", "resnet34", "resnet50"):
        url = models._weights_enum(arch).url
        assert url.endswith("/" + models.weights_filename(arch))
    assert models.pretrained_stats("resnet18") == (
        [0.485, 0.456, 0.406],
        [0.229, 0.224, 0.225],
    )
    assert models.pretrained_stats("mlp") is None


def _imagenet_resnet18_state(seed: int = 1) -> dict[str, torch.Tensor]:
    torch.manual_seed(seed)
    return torchvision.models.resnet18(weights=None).state_dict()


def _assert_backbone_equals(model, state, skip=("fc.",)):
    own = model.state_dict()
    compared = 0
    for key, value in state.items():
        if key.startswith(skip) or key == "conv1.weight":
            continue
        assert torch.equal(own[key], value), key
        compared += 1
    assert compared > 50


def test_pretrained_from_a_local_pth(tmp_path):
    state = _imagenet_resnet18_state()
    path = tmp_path / "my_resnet18.pth"
    torch.save(state, path)
    model = build_model("resnet18", 5, mode="finetune", pretrained=str(path), input_size=32)
    _assert_backbone_equals(model, state)
    assert torch.equal(model.conv1.weight, state["conv1.weight"])
    assert model.fc.out_features == 5

    grey = build_model("resnet18", 5, in_channels=1, mode="finetune", pretrained=str(path))
    summed = state["conv1.weight"].sum(dim=1, keepdim=True)
    assert grey.conv1.weight.shape == (64, 1, 7, 7)
    assert torch.allclose(grey.conv1.weight, summed)
    _assert_backbone_equals(grey, state)


def test_local_pth_may_wrap_the_state_dict_and_keep_a_matching_head(tmp_path):
    torch.manual_seed(3)
    source = build_model("smallcnn", 4, in_channels=1, input_size=28)
    path = tmp_path / "wrapped.pt"
    torch.save({"state_dict": source.state_dict(), "epoch": 3}, path)
    model = build_model(
        "smallcnn", 4, in_channels=1, mode="finetune", pretrained=str(path), input_size=28
    )
    for key, value in source.state_dict().items():
        assert torch.equal(model.state_dict()[key], value), key

    rgb = build_model("smallcnn", 7, in_channels=3, input_size=28)
    torch.save(rgb.state_dict(), path)
    grey = build_model(
        "smallcnn", 4, in_channels=1, mode="feature-extract", pretrained=str(path), input_size=28
    )
    first = rgb.state_dict()["features.0.0.weight"].sum(dim=1, keepdim=True)
    assert torch.allclose(grey.features[0][0].weight, first)
    assert torch.equal(grey.features[2][0].weight, rgb.features[2][0].weight)
    assert grey.head.out_features == 4  # the 7-class head was left out


def test_pretrained_from_the_torch_home_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("TORCH_HOME", str(tmp_path))
    expected = tmp_path / "hub" / "checkpoints" / "resnet18-f37072fd.pth"
    assert models.expected_weights_path("resnet18") == expected
    expected.parent.mkdir(parents=True)
    state = _imagenet_resnet18_state(seed=2)
    torch.save(state, expected)
    api = torchvision.models._api
    urls = []  # torchvision's weights API is the path taken, and it finds the cache

    def spy(url, *args, **kwargs):
        urls.append(url)
        return real(url, *args, **kwargs)

    real = api.load_state_dict_from_url
    monkeypatch.setattr(api, "load_state_dict_from_url", spy)
    monkeypatch.setattr(torch.hub, "download_url_to_file", _no_download)
    model = build_model("resnet18", 3, mode="feature-extract", pretrained="imagenet")
    assert urls == [torchvision.models.ResNet18_Weights.DEFAULT.url]
    _assert_backbone_equals(model, state)
    assert torch.equal(model.conv1.weight, state["conv1.weight"])
    assert count_parameters(model)[0] == 512 * 3 + 3

    expected.write_bytes(b"damaged")
    with pytest.raises(WeightsError, match="cached weights file .* could not be read"):
        build_model("resnet18", 3, mode="finetune", pretrained="imagenet")


def _no_download(*args, **kwargs):
    raise AssertionError("no download may be attempted when the file is cached")


class _Payload:
    def __reduce__(self):
        return (print, ("this would have run",))


def test_weights_file_holding_code_is_refused_without_unsafe_advice(tmp_path):
    path = tmp_path / "payload.pth"
    torch.save({"conv1.weight": torch.zeros(1), "x": _Payload()}, path)
    with pytest.raises(WeightsError, match="refused, nothing ran") as info:
        build_model("resnet18", 3, mode="finetune", pretrained=str(path))
    assert "weights_only" not in str(info.value)


def test_missing_imagenet_weights_name_the_file_and_folder(tmp_path, monkeypatch):
    monkeypatch.setenv("TORCH_HOME", str(tmp_path))

    def offline(*args, **kwargs):
        raise OSError("network is unreachable")

    monkeypatch.setattr(torch.hub, "download_url_to_file", offline)
    with pytest.raises(WeightsError) as info:
        build_model("resnet18", 3, mode="finetune", pretrained="imagenet")
    message = str(info.value)
    assert "resnet18-f37072fd.pth" in message
    assert str(tmp_path / "hub" / "checkpoints") in message
    assert ".pth" in message and "local" in message


def test_wrong_local_weights_are_refused(tmp_path, fast_init):
    vgg_path = tmp_path / "vgg.pth"
    torch.save(torchvision.models.vgg11_bn(weights=None).features.state_dict(), vgg_path)
    with pytest.raises(WeightsError, match="do not fit resnet18"):
        build_model("resnet18", 3, mode="finetune", pretrained=str(vgg_path))

    state = _imagenet_resnet18_state()
    state["layer1.0.conv1.weight"] = torch.zeros(64, 64, 1, 1)
    bad_shape = tmp_path / "bad_shape.pth"
    torch.save(state, bad_shape)
    with pytest.raises(WeightsError, match="layer1.0.conv1.weight"):
        build_model("resnet18", 3, mode="finetune", pretrained=str(bad_shape))

    text = tmp_path / "notes.pth"
    text.write_text("not weights")
    with pytest.raises(WeightsError, match="not a readable"):
        build_model("resnet18", 3, mode="finetune", pretrained=str(text))
    with pytest.raises(WeightsError, match="does not exist"):
        build_model("resnet18", 3, mode="finetune", pretrained=str(tmp_path / "nope.pth"))


def test_gradcam_layer_is_the_last_conv_block(fast_init):
    cnn = build_model("smallcnn", 2, input_size=28)
    assert models.gradcam_layer(cnn, "smallcnn") is cnn.features[-1][2]
    res = build_model("resnet18", 2, input_size=32)
    assert models.gradcam_layer(res, "resnet18") is res.layer4
    alex = build_model("alexnet", 2, input_size=63)
    layer = models.gradcam_layer(alex, "alexnet")
    assert layer is alex.features[11] and isinstance(alex.features[10], nn.Conv2d)
    with pytest.raises(ModelError, match="mlp"):
        models.gradcam_layer(build_model("mlp", 2, input_size=8), "mlp")


def test_bf16_detection_needs_the_cpu_flags(monkeypatch):
    monkeypatch.delenv(models.ASSUME_BF16_ENV, raising=False)
    monkeypatch.setattr(models, "_cpu_flags", lambda: frozenset({"avx2", "fma"}))
    assert models.cpu_supports_bf16() is False
    monkeypatch.undo()
    monkeypatch.delenv(models.ASSUME_BF16_ENV, raising=False)
    flags = models._cpu_flags()
    if not ({"avx512_bf16", "amx_bf16"} & flags):
        assert models.cpu_supports_bf16() is False


def test_one_switch_makes_any_cpu_a_bf16_cpu_or_not(monkeypatch):
    """CONVSTUDIO_ASSUME_BF16 lets the suite take both paths on any machine."""
    from core.trainer import resolve_precision

    cpu = torch.device("cpu")
    monkeypatch.setattr(models, "_cpu_flags", lambda: frozenset({"avx2"}))
    monkeypatch.setenv(models.ASSUME_BF16_ENV, "1")
    assert models.cpu_supports_bf16() is True and resolve_precision("auto", cpu) == "bf16"
    monkeypatch.setattr(models, "_cpu_flags", lambda: frozenset({"avx512_bf16", "amx_bf16"}))
    monkeypatch.setenv(models.ASSUME_BF16_ENV, "0")
    assert models.cpu_supports_bf16() is False and resolve_precision("auto", cpu) == "fp32"
    assert resolve_precision("bf16", cpu) == "bf16"  # asked for explicitly: always


def test_light_name_list_matches_the_registry():
    """core.ARCH_NAMES (shown before torch loads) lists exactly the registry's models."""
    from core import ARCH_NAMES
    from core.models import ARCHS

    assert tuple(ARCHS) == ARCH_NAMES


@pytest.mark.parametrize("arch", sorted(ARCHS))
def test_the_head_and_first_conv_expressions_name_those_layers(arch, fast_init):
    """What the exported training script writes (model.fc, model.classifier[6] ...)."""
    from core.models import first_conv_expression, head_expression, head_module

    size = 28 if ARCHS[arch].family in ("mlp", "smallcnn") else 64
    model = build_model(arch, 3, in_channels=1, input_size=size)
    head = eval(f"model.{head_expression(arch)}", {"model": model})  # noqa: S307
    assert head is head_module(model, arch) and isinstance(head, nn.Linear)
    assert head.out_features == 3
    conv = first_conv_expression(arch)
    if ARCHS[arch].family == "mlp":
        assert conv is None
    else:
        first = eval(f"model.{conv}", {"model": model})  # noqa: S307
        assert isinstance(first, nn.Conv2d) and first.in_channels == 1
