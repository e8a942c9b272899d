"""The convolution calculator against what PyTorch really does."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import torch
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from torch import nn

from core import convcalc as cc
from core import convtrace

ROOT = Path(__file__).resolve().parents[2]
FAST = settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def torch_shape(module: nn.Module, shape: tuple[int, ...]) -> tuple[int, ...] | None:
    """The output shape PyTorch produces, or None when PyTorch refuses the input."""
    try:
        with torch.no_grad():
            return tuple(module(torch.zeros(1, *shape)).shape[1:])
    except RuntimeError:
        return None


def calc_shape(layer: cc.Layer, shape: tuple[int, ...]) -> tuple[int, ...] | None:
    try:
        return cc.compute_table(shape, [layer])[0].out_shape
    except cc.ConvCalcError:
        return None


pairs = st.tuples


@st.composite
def conv_case(draw):
    g = draw(st.integers(1, 3))
    c_in = g * draw(st.integers(1, 2))
    out = g * draw(st.integers(1, 3))
    k = draw(pairs(st.integers(1, 5), st.integers(1, 5)))
    d = draw(pairs(st.integers(1, 3), st.integers(1, 3)))
    use_same = draw(st.integers(0, 5)) == 0
    s = (1, 1) if use_same else draw(pairs(st.integers(1, 3), st.integers(1, 3)))
    p = "same" if use_same else draw(pairs(st.integers(0, 3), st.integers(0, 3)))
    bias = draw(st.booleans())
    h, w = draw(st.integers(1, 20)), draw(st.integers(1, 20))
    return cc.Conv(out=out, k=k, s=s, p=p, d=d, g=g, bias=bias), (c_in, h, w)


@pytest.mark.filterwarnings("ignore:Using padding='same'")
@FAST
@given(conv_case())
def test_conv_shape_and_params_match_torch(case):
    layer, shape = case
    module = nn.Conv2d(
        shape[0],
        layer.out,
        layer.k,
        stride=layer.s,
        padding=layer.p,
        dilation=layer.d,
        groups=layer.g,
        bias=layer.bias,
    )
    expected = torch_shape(module, shape)
    assert calc_shape(layer, shape) == expected  # both refuse, or both agree
    if expected is not None:
        row = cc.compute_table(shape, [layer])[0]
        assert row.params == sum(p.numel() for p in module.parameters())


@st.composite
def pool_case(draw):
    op = draw(st.sampled_from(["max", "avg"]))
    k = draw(pairs(st.integers(1, 5), st.integers(1, 5)))
    s = draw(pairs(st.integers(1, 4), st.integers(1, 4)))
    # up to one past the PyTorch limit (k // 2): both must refuse those alike
    p = draw(pairs(st.integers(0, k[0] // 2 + 1), st.integers(0, k[1] // 2 + 1)))
    d = draw(pairs(st.integers(1, 3), st.integers(1, 3))) if op == "max" else (1, 1)
    ceil = draw(st.booleans())
    h, w = draw(st.integers(1, 16)), draw(st.integers(1, 16))
    return cc.Pool(op=op, k=k, s=s, p=p, d=d, ceil=ceil), (2, h, w)


@FAST
@given(pool_case())
def test_pool_shape_matches_torch_both_ceil_modes(case):
    layer, shape = case
    if layer.op == "max":
        module = nn.MaxPool2d(layer.k, layer.s, layer.p, dilation=layer.d, ceil_mode=layer.ceil)
    else:
        module = nn.AvgPool2d(layer.k, layer.s, layer.p, ceil_mode=layer.ceil)
    assert calc_shape(layer, shape) == torch_shape(module, shape)


def test_pool_ceil_mode_drops_window_starting_in_the_padding():
    # 5 + 2*1 padding, k=2, s=2: ceil gives 4 windows but the 4th starts at 6 >= 5 + 1.
    assert cc.pool_out_size(5, 2, 2, p=1, ceil_mode=True) == 3
    assert cc.pool_out_size(5, 2, 2, p=1, ceil_mode=False) == 3
    assert cc.pool_out_size(5, 2, 2, p=0, ceil_mode=True) == 3
    assert cc.pool_out_size(5, 2, 2, p=0, ceil_mode=False) == 2
    assert torch_shape(nn.MaxPool2d(2, 2, 1, ceil_mode=True), (1, 5, 5)) == (1, 3, 3)


def test_pool_padding_over_half_the_kernel_is_refused_like_torch():
    with pytest.raises(cc.ConvCalcError) as err:
        cc.compute_table((1, 8, 8), ["maxpool:k=2,s=2,p=2"])
    assert err.value.field == "p"
    assert torch_shape(nn.MaxPool2d(2, 2, 2), (1, 8, 8)) is None


def test_notes_example_224_7_2_3_gives_112_with_the_formula():
    row = cc.compute_table((3, 224, 224), ["conv:out=64,k=7,s=2,p=3"])[0]
    assert row.out_shape == (64, 112, 112)
    assert row.params == 64 * 3 * 7 * 7 + 64
    text = cc.formula_text(224, 7, 2, 3)
    assert text.startswith("H2 = (224 - 7 + 2*3) / 2 + 1 = 112")
    assert "rounded down" in text  # 223 / 2 is not exact
    assert cc.formula_text(224, 3, 1, 1) == "H2 = (224 - 3 + 2*1) / 1 + 1 = 224"
    assert "F' = 2*(3 - 1) + 1 = 5" in cc.formula_text(32, 3, 1, 2, d=2, axis="W")


def test_divisibility_warning_and_too_small_error():
    rows = cc.compute_table((1, 224, 224), ["conv:out=8,k=3,s=2"])
    assert rows[0].out_shape == (8, 111, 111)
    assert any("silently dropped" in w and "1 row" in w for w in rows[0].warnings)
    assert not cc.compute_table((1, 225, 225), ["conv:out=8,k=3,s=2"])[0].warnings
    with pytest.raises(cc.ConvCalcError) as err:
        cc.compute_table((1, 8, 8), ["conv:out=4,k=3", "conv:out=4,k=9"])
    assert "< 1" in str(err.value)
    assert "layer 2 'conv:out=4,k=9'" in str(err.value)
    assert err.value.index == 1
    assert len(err.value.rows) == 1  # the rows before the failing layer survive


def test_same_and_valid_padding():
    rows = cc.compute_table((4, 17, 10), ["conv:out=4,k=4x3,p=same,d=2", "conv:out=2,k=3,p=valid"])
    assert rows[0].out_shape == (4, 17, 10)
    assert rows[1].out_shape == (2, 15, 8)
    with pytest.raises(cc.ConvCalcError) as err:
        cc.compute_table((4, 17, 10), ["conv:out=4,k=3,s=2,p=same"])
    assert err.value.field == "p"


@pytest.mark.parametrize(
    ("spec", "field", "fragment"),
    [
        ("conv:out=64,k=x", "k", "HxW pair"),
        ("conv:k=3", "out", "required"),
        ("conv:out=3,k=3x5x1", "k", "3x5x1"),
        ("maxpool:k=3,q=1", "q", "unknown key"),
        ("linear:out=0", "out", "at least 1"),
        ("maxpool:k=2,ceil=maybe", "ceil", "0 or 1"),
        ("dropout:p=1.5", "p", "[0, 1)"),
        ("conv:out=4,k=3,k=5", "k", "twice"),
        ("bogus:k=1", None, "unknown layer type"),
    ],
)
def test_parser_errors_name_layer_and_field(spec, field, fragment):
    with pytest.raises(cc.ConvCalcError) as err:
        cc.parse_stack(["relu", "conv:out=8,k=3", spec])
    message = str(err.value)
    assert message.startswith(f"layer 3 '{spec}'")
    assert fragment in message
    assert err.value.field == field
    if field:
        assert f"field '{field}'" in message
    assert isinstance(err.value, ValueError)


def test_parser_round_trip_and_pairs():
    layers = cc.parse_stack(
        "conv:out=32,k=3x5,s=1x2,p=2,d=2,g=1\nmaxpool:k=2,s=2,ceil=1; avgpool:k=2\n"
        "adaptiveavgpool:out=1\nflatten\nlinear:out=10,bias=0\nbn\nrelu\ndropout:p=0.25"
    )
    assert layers[0] == cc.Conv(out=32, k=(3, 5), s=(1, 2), p=(2, 2), d=(2, 2), g=1)
    assert layers[1] == cc.Pool(op="max", k=(2, 2), s=(2, 2), ceil=True)
    assert layers[2].s == (2, 2)  # stride defaults to the kernel, as in PyTorch
    assert [cc.parse_layer(layer.spec()) for layer in layers] == layers
    assert cc.parse_input("3,224,224") == (3, 224, 224)
    with pytest.raises(cc.ConvCalcError, match=r"two numbers; give C,H,W.*3,32,32"):
        cc.parse_input("3,32")  # issue 13 #18: once read silently as 1x3x32
    for bad in ("a,b,c", "3,0,4", "1,2,3,4"):
        with pytest.raises(cc.ConvCalcError, match="C,H,W"):
            cc.parse_input(bad)


def test_linear_needs_flatten_and_conv_needs_a_map():
    with pytest.raises(cc.ConvCalcError, match="add 'flatten'"):
        cc.compute_table((3, 8, 8), ["linear:out=4"])
    with pytest.raises(cc.ConvCalcError, match="before 'flatten'"):
        cc.compute_table((3, 8, 8), ["flatten", "conv:out=4,k=1"])


def torch_stack(layers: list[cc.Layer], c_in: int) -> nn.Sequential:
    """The same stack in PyTorch; max-pools become avg-pools so every input gets gradient."""
    mods: list[nn.Module] = []
    c = c_in
    for layer in layers:
        if isinstance(layer, cc.Conv):
            conv = nn.Conv2d(c, layer.out, layer.k, layer.s, layer.p, layer.d, bias=False)
            nn.init.constant_(conv.weight, 1.0)
            mods.append(conv)
            c = layer.out
        else:
            mods.append(nn.AvgPool2d(layer.k, layer.s, layer.p, ceil_mode=layer.ceil))
    return nn.Sequential(*mods).double()


def empirical_rf(model: nn.Module, shape: tuple[int, int, int]) -> tuple[int, int]:
    """Extent of the input region whose pixels change output unit [0, 0] (from gradients)."""
    x = torch.ones(1, *shape, dtype=torch.float64, requires_grad=True)
    y = model(x)
    y[0, 0, 0, 0].backward()
    nz = x.grad[0].abs().sum(0).nonzero()
    return (
        int(nz[:, 0].max() - nz[:, 0].min() + 1),
        int(nz[:, 1].max() - nz[:, 1].min() + 1),
    )


layer_strategy = st.one_of(
    st.builds(
        lambda k, s, d: cc.Conv(out=1, k=k, s=s, d=d),
        pairs(st.integers(1, 4), st.integers(1, 4)),
        pairs(st.integers(1, 2), st.integers(1, 2)),
        pairs(st.integers(1, 2), st.integers(1, 2)),
    ),
    st.builds(
        lambda op, k, s: cc.Pool(op=op, k=k, s=s),
        st.sampled_from(["max", "avg"]),
        pairs(st.integers(1, 3), st.integers(1, 3)),
        pairs(st.integers(1, 3), st.integers(1, 3)),
    ),
)


@FAST
@given(st.lists(layer_strategy, min_size=1, max_size=4))
def test_receptive_field_equals_empirical_gradient_region(layers):
    shape = (1, 48, 48)
    try:
        rows = cc.compute_table(shape, layers)
    except cc.ConvCalcError:
        assume(False)
    rf = rows[-1].rf
    assert rf is not None
    assert empirical_rf(torch_stack(layers, 1), shape) == rf
    # no padding: the first output's field starts at pixel 0, so its center is (rf-1)/2
    assert rows[-1].start == ((rf[0] - 1) / 2, (rf[1] - 1) / 2)


def test_vgg16_features_receptive_field_is_212_and_matches_gradients():
    preset = cc.PRESETS["vgg16_features"]
    rows = cc.compute_table(preset.input_shape, preset.layers)
    assert rows[-1].out_shape == (512, 7, 7)
    assert rows[-1].rf == (212, 212)
    assert rows[-1].jump == (32, 32)
    convs = [r for r in rows if r.kind == "conv"]
    assert convs[-1].rf == (196, 196)
    assert cc.total_params(rows) == 14_714_688  # torchvision vgg16().features
    # empirically: unit [0, 0] of pool5 on a 212x212 input without padding effects means
    # the padding-free version of the stack (p=0) has the same RF; measure it.
    layers = [
        cc.Conv(out=1, k=(3, 3), s=(1, 1)) if isinstance(layer, cc.Conv) else layer
        for layer in cc.parse_stack(preset.layers)
        if not isinstance(layer, cc.ReLU)
    ]
    assert cc.compute_table((1, 240, 240), layers)[-1].rf == (212, 212)
    assert empirical_rf(torch_stack(layers, 1), (1, 240, 240)) == (212, 212)


def test_presets_compute_and_alexnet_matches_torchvision():
    from torchvision.models import alexnet

    for preset in cc.PRESETS.values():
        rows = cc.compute_table(preset.input_shape, preset.layers)
        assert rows and preset.description
    preset = cc.PRESETS["alexnet_features"]
    rows = cc.compute_table(preset.input_shape, preset.layers)
    with torch.device("meta"):  # shapes only: no 61M-parameter initialisation
        features = alexnet().features
        out = features(torch.zeros(1, *preset.input_shape))
    assert rows[-1].out_shape == tuple(out.shape[1:])
    assert cc.total_params(rows) == sum(p.numel() for p in features.parameters())
    assert "approximation" in cc.PRESETS["resnet18_stages"].description


def test_smallcnn_preset_matches_the_registry_model():
    models = pytest.importorskip("core.models", reason="core.models not written yet")
    preset = cc.PRESETS["smallcnn"]
    rows = cc.compute_table(preset.input_shape, preset.layers)
    model = models.build_model("smallcnn", num_classes=10, in_channels=1, input_size=28)
    assert cc.total_params(rows) == sum(p.numel() for p in model.parameters())
    model.eval()
    with torch.no_grad():
        assert model(torch.zeros(1, *preset.input_shape)).shape == (1, 10)


def test_batchnorm_and_linear_params_match_torch():
    rows = cc.compute_table((6, 4, 4), ["bn", "flatten", "linear:out=5", "linear:out=3,bias=0"])
    assert rows[0].params == sum(p.numel() for p in nn.BatchNorm2d(6).parameters())
    assert rows[2].params == sum(p.numel() for p in nn.Linear(96, 5).parameters())
    assert rows[3].params == 15
    assert rows[1].rf is None and rows[1].out_shape == (96,)


# ---------------------------------------------------------------- traces of torch models


class Residual(nn.Module):
    def __init__(self, inplace_add: bool = False) -> None:
        super().__init__()
        self.conv = nn.Conv2d(4, 4, 3, padding=1)
        self.relu = nn.ReLU(inplace=True)
        self.inplace_add = inplace_add

    def forward(self, x):
        out = self.conv(x)
        if self.inplace_add:  # torchvision's BasicBlock style: out += identity
            out += x
        else:
            out = out + x
        return self.relu(out)


def test_trace_of_a_sequential_matches_the_arithmetic():
    specs = ["conv:out=4,k=5,s=2,p=1", "bn", "relu", "maxpool:k=3,s=2,ceil=1", "conv:out=8,k=3,d=2"]
    model = nn.Sequential(
        nn.Conv2d(3, 4, 5, 2, 1),
        nn.BatchNorm2d(4),
        nn.ReLU(inplace=True),
        nn.MaxPool2d(3, 2, ceil_mode=True),
        nn.Conv2d(4, 8, 3, dilation=2),
    ).eval()
    traced = convtrace._run_trace(model, "toy", (3, 40, 40))
    expected = cc.compute_table((3, 40, 40), specs)
    assert traced.ok
    assert [r.out_shape for r in traced.rows] == [r.out_shape for r in expected]
    assert [r.params for r in traced.rows] == [r.params for r in expected]
    assert [r.rf for r in traced.rows] == [r.rf for r in expected]
    assert traced.rows[0].layer == "0 (Conv2d)"


@pytest.mark.parametrize("inplace_add", [False, True])
def test_trace_receptive_field_is_null_after_a_residual_add(inplace_add):
    model = nn.Sequential(nn.Conv2d(1, 4, 3), Residual(inplace_add), nn.Conv2d(4, 4, 3)).eval()
    rows = convtrace._run_trace(model, "toy", (1, 16, 16)).rows
    assert [r.layer for r in rows] == [
        "0 (Conv2d)",
        "1.conv (Conv2d)",
        "1.relu (ReLU)",
        "2 (Conv2d)",
    ]
    assert rows[0].rf == (3, 3)
    assert rows[1].rf == (5, 5)  # the branch conv still reads the chain
    assert rows[2].rf is None and rows[3].rf is None


def test_trace_reports_the_layer_where_the_size_collapses():
    features = nn.Sequential(
        nn.Conv2d(1, 4, 11, 4, 2),
        nn.ReLU(),
        nn.MaxPool2d(3, 2),
        nn.Conv2d(4, 4, 5, padding=2),
        nn.MaxPool2d(3, 2),
        nn.Conv2d(4, 4, 3, padding=1),
        nn.MaxPool2d(3, 2),
    ).eval()
    result = convtrace._run_trace(features, "toy", (1, 28, 28))
    assert result.error is not None
    assert result.error.startswith("4 (MaxPool2d) cannot run on its 4x2x2 input")
    assert result.rows[-1].error and result.rows[-1].collapsed
    assert result.collapsed_index == len(result.rows) - 1
    assert cc.find_min_input_size(features, "toy", 1, 28) == 63
    assert convtrace._run_trace(features, "toy", (1, 63, 63)).ok


def test_trace_flags_one_pixel_maps_that_later_convs_still_slide_over():
    model = nn.Sequential(nn.Conv2d(1, 2, 3, 2), nn.Conv2d(2, 2, 3, padding=1), nn.Flatten()).eval()
    result = convtrace._run_trace(model, "toy", (1, 3, 3))
    assert result.error is None
    assert result.collapsed_index == 0 and result.rows[0].collapsed
    assert not result.rows[1].collapsed  # nothing spatial comes after it


def test_trace_model_alexnet_on_digits_explains_the_minimum_size():
    models = pytest.importorskip("core.models", reason="core.models not written yet")
    assert hasattr(models, "build_model")
    result = cc.trace_model("alexnet", (1, 28, 28))
    assert not result.ok
    assert result.min_input_size == 63
    assert "63x63" in result.message
    ok = cc.trace_model("smallcnn", (1, 28, 28))
    assert ok.ok and ok.rows[-1].out_shape == (10,)
    assert ok.total_params == sum(r.params for r in ok.rows)


def test_module_imports_without_torch():
    code = (
        "import sys, core.convcalc, core.convlayers, core.convstack, core.convtrace; "
        "assert 'torch' not in sys.modules, 'torch imported'"
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


def test_cli_main_json_and_errors_in_process(capsys):
    code = cc.cli_main(["--input", "3,32,32", "--layer", "conv:out=8,k=3,p=1", "--json"])
    assert code == 0
    data = json.loads(capsys.readouterr().out)
    assert data[0]["out_shape"] == [8, 32, 32] and data[0]["rf"] == 3
    assert cc.cli_main(["--input", "3,32,32", "--layer", "conv:k=3"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("error: layer 1 'conv:k=3': field 'out'")
    assert len(err.splitlines()) == 1


def test_json_rf_is_a_pair_only_when_the_axes_differ(capsys):
    row = cc.compute_table((1, 20, 20), ["conv:out=1,k=3x5,s=1x2"])[0]
    assert row.rf == (3, 5) and row.jump == (1, 2)
    assert row.to_dict()["rf"] == [3, 5] and row.to_dict()["jump"] == [1, 2]
    assert cc.compute_table((1, 20, 20), ["conv:out=1,k=3"])[0].to_dict()["rf"] == 3
    assert cc.cli_main(["--preset", "lenet5", "--json"]) == 0  # the preset's own input
    data = json.loads(capsys.readouterr().out)
    assert data[0]["out_shape"] == [6, 28, 28] and data[-1]["out_shape"] == [10]
