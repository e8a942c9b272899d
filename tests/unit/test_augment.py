"""core.augment: spec validation, presets, code export, warnings and sizes."""

from __future__ import annotations

import json
import subprocess
import sys
import warnings
from pathlib import Path

import numpy as np
import pytest
import torch
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from PIL import Image
from torchvision.transforms import v2

from core import augment
from core.augment import (
    PRESETS,
    TRANSFORMS,
    SpecError,
    build_pipeline,
    get_preset,
    load_spec_file,
    normalize_stats,
    output_size,
    sample_grid,
    save_spec_file,
    spec_to_code,
    spec_warnings,
    unnormalize,
    validate_spec,
)

ROOT = Path(__file__).resolve().parents[2]


def _image(h: int = 80, w: int = 96, seed: int = 0, mode: str = "RGB") -> Image.Image:
    rng = np.random.default_rng(seed)
    channels = 3 if mode == "RGB" else 1
    arr = rng.integers(0, 256, size=(h, w, channels), dtype=np.uint8)
    return Image.fromarray(arr if channels == 3 else arr[..., 0], mode)


def _run(pipeline, image, seed: int):
    torch.manual_seed(seed)
    return pipeline(image)


def _exec_code(spec) -> v2.Compose:
    namespace: dict = {}
    exec(spec_to_code(spec), namespace)  # noqa: S102 - the point of the test
    return namespace["transform"]


def _step(name: str, enabled: bool = True, **params) -> dict:
    return {"name": name, "params": params, "enabled": enabled}


# A pipeline that uses every transform with non-default values where possible.
EVERY_TRANSFORM = [
    _step("Resize", size=72, interpolation="bicubic", max_size=200, antialias=False),
    _step(
        "RandomAffine",
        degrees=20,
        translate=[0.1, 0.2],
        scale=[0.8, 1.2],
        shear=5,
        interpolation="bilinear",
        fill=10,
    ),
    _step("RandomRotation", degrees=30, interpolation="bilinear", expand=False, fill=3),
    _step("CenterCrop", size=[66, 70]),
    _step("RandomCrop", size=60, padding=4, pad_if_needed=True, fill=7, padding_mode="reflect"),
    _step(
        "RandomResizedCrop",
        size=[48, 52],
        scale=[0.3, 0.9],
        ratio=[0.5, 2.0],
        interpolation="nearest",
        antialias=False,
    ),
    _step("Pad", padding=2, fill=9, padding_mode="edge"),
    _step("RandomPerspective", distortion_scale=0.3, p=1.0, interpolation="nearest", fill=4),
    _step("RandomHorizontalFlip", p=1.0),
    _step("RandomVerticalFlip", p=0.7),
    _step("ColorJitter", brightness=0.4, contrast=0.3, saturation=0.2, hue=0.05),
    _step("RandomGrayscale", p=0.5),
    _step("GaussianBlur", kernel_size=3, sigma=[0.2, 1.5]),
    _step("RandomAdjustSharpness", sharpness_factor=3.0, p=1.0),
    _step("RandomAutocontrast", p=1.0),
    _step("RandomEqualize", p=0.6),
    _step("RandomInvert", p=0.4),
    _step("RandomPosterize", bits=5, p=1.0),
    _step("RandomSolarize", threshold=200, p=1.0),
    _step("AutoAugment", policy="cifar10", interpolation="bilinear"),
    _step("RandAugment", num_ops=3, magnitude=12, num_magnitude_bins=20),
    _step("TrivialAugmentWide", num_magnitude_bins=25, interpolation="bilinear"),
    _step("Grayscale", num_output_channels=3),
    _step("ToTensor"),
    _step("RandomErasing", p=1.0, scale=[0.05, 0.2], ratio=[0.5, 2.0], value=0.5),
    _step("GaussianNoise", mean=0.01, sigma=0.05, clip=False),
    _step("Normalize", mean=[0.4, 0.5, 0.6], std=[0.2, 0.25, 0.3]),
]


def test_every_transform_is_covered_by_the_big_spec():
    assert {s["name"] for s in EVERY_TRANSFORM} == set(TRANSFORMS)


def test_contract_transforms_present_with_sane_metadata():
    required = {
        "Resize", "CenterCrop", "RandomCrop", "RandomResizedCrop", "RandomRotation",
        "RandomHorizontalFlip", "RandomVerticalFlip", "RandomAffine", "RandomPerspective",
        "ColorJitter", "RandomGrayscale", "Grayscale", "GaussianBlur", "RandomErasing",
        "AutoAugment", "RandAugment", "TrivialAugmentWide", "ToTensor", "Normalize",
    }  # fmt: skip
    assert required <= set(TRANSFORMS)
    for info in TRANSFORMS.values():
        assert info.category in augment.CATEGORIES
        assert info.help
        for p in info.params:
            assert p.kind in augment.KINDS, (info.name, p.name)
            assert p.help, (info.name, p.name)
            if p.kind == "choice":
                assert p.default in p.choices
        # every step's defaults form a valid spec on their own
        validate_spec([{"name": info.name, "params": info.defaults()}])


def test_import_does_not_load_torch():
    code = "import core.augment, sys; assert 'torch' not in sys.modules; assert 'torchvision' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True)


# --------------------------------------------------------------------------- presets


def _notes_train() -> v2.Compose:
    return v2.Compose([
        v2.RandomRotation(45),
        v2.CenterCrop(224),
        v2.RandomHorizontalFlip(0.5),
        v2.RandomVerticalFlip(0.5),
        v2.ColorJitter(brightness=0.2, contrast=0.1, saturation=0.1, hue=0.1),
        v2.RandomGrayscale(0.025),
        v2.ToImage(),
        v2.ToDtype(torch.float32, scale=True),
        v2.Normalize([0.485, 0.456, 0.406], [0.229, 0.224, 0.225]),
    ])  # fmt: skip


def _notes_eval() -> v2.Compose:
    return v2.Compose([
        v2.Resize(256),
        v2.CenterCrop(224),
        v2.ToImage(),
        v2.ToDtype(torch.float32, scale=True),
        v2.Normalize([0.485, 0.456, 0.406], [0.229, 0.224, 0.225]),
    ])  # fmt: skip


@pytest.mark.parametrize("seed", [0, 1, 7, 42, 1234])
def test_seed_preset_equals_the_notes_pipeline(seed):
    image = _image(240, 260, seed=seed)
    ours = build_pipeline(get_preset("seed")["train"])
    a = _run(ours, image, seed)
    b = _run(_notes_train(), image, seed)
    assert a.shape == (3, 224, 224)
    assert torch.equal(a, b)
    ev = _run(build_pipeline(get_preset("seed")["eval"]), image, seed)
    assert torch.equal(ev, _run(_notes_eval(), image, seed))


def test_seed_preset_draws_differ_between_seeds():
    image = _image(240, 260)
    pipe = build_pipeline(get_preset("seed")["train"])
    assert not torch.equal(_run(pipe, image, 0), _run(pipe, image, 1))


def test_presets_shapes():
    digit = _image(28, 28, mode="L")
    for name in ("digits", "none"):
        specs = get_preset(name)
        out = _run(build_pipeline(specs["train"]), digit, 0)
        assert out.shape == (1, 28, 28) and out.dtype == torch.float32
        assert _run(build_pipeline(specs["eval"]), digit, 0).shape == (1, 28, 28)
    assert [s["name"] for s in get_preset("none")["train"]] == ["ToTensor"]
    assert normalize_stats(get_preset("digits")["train"]) == ([0.5], [0.5])


def test_get_preset_is_a_deep_copy_and_unknown_raises():
    a = get_preset("seed")
    a["train"][0]["params"]["degrees"] = 1.0
    assert get_preset("seed")["train"][0]["params"]["degrees"] == 45.0
    assert PRESETS["seed"]["train"][0]["params"]["degrees"] == 45
    with pytest.raises(SpecError, match="unknown augmentation preset 'nope'"):
        get_preset("nope")


# --------------------------------------------------------------------------- JSON


@pytest.mark.parametrize("name", sorted(PRESETS))
def test_json_round_trip(name):
    specs = get_preset(name)
    again = json.loads(json.dumps(specs))
    assert validate_spec(again["train"]) == specs["train"]
    assert validate_spec(again["eval"]) == specs["eval"]


def test_json_round_trip_every_transform():
    spec = validate_spec(EVERY_TRANSFORM)
    assert validate_spec(json.loads(json.dumps(spec))) == spec
    assert validate_spec(spec) == spec  # idempotent


def test_save_and_load_spec_file(tmp_path):
    specs = {"train": validate_spec(EVERY_TRANSFORM), "eval": get_preset("seed")["eval"]}
    path = tmp_path / "spec.json"
    save_spec_file(path, specs)
    assert load_spec_file(path) == specs
    assert json.loads(path.read_text())["train"][0]["name"] == "Resize"


def test_load_bare_list_gets_eval_with_same_normalize(tmp_path):
    path = tmp_path / "bare.json"
    path.write_text(
        json.dumps(
            [
                _step("RandomRotation", degrees=5),
                _step("ToTensor"),
                _step("Normalize", mean=[0.5], std=[0.25]),
            ]
        )
    )
    specs = load_spec_file(path)
    assert [s["name"] for s in specs["train"]] == ["RandomRotation", "ToTensor", "Normalize"]
    assert [s["name"] for s in specs["eval"]] == ["ToTensor", "Normalize"]
    assert normalize_stats(specs["eval"]) == ([0.5], [0.25])


def test_load_spec_file_errors(tmp_path):
    with pytest.raises(SpecError, match="does not exist"):
        load_spec_file(tmp_path / "missing.json")
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    with pytest.raises(SpecError, match="not valid JSON"):
        load_spec_file(bad)
    half = tmp_path / "half.json"
    half.write_text(json.dumps({"train": []}))
    with pytest.raises(SpecError, match="train"):
        load_spec_file(half)
    wrong = tmp_path / "wrong.json"
    wrong.write_text(json.dumps({"train": [_step("Blur")], "eval": []}))
    with pytest.raises(SpecError, match="step 1: unknown transform 'Blur'"):
        load_spec_file(wrong)


# --------------------------------------------------------------------------- code export


def _code_specs():
    return [
        ("seed", get_preset("seed")["train"]),
        ("seed-eval", get_preset("seed")["eval"]),
        ("digits", get_preset("digits")["train"]),
        ("every", EVERY_TRANSFORM),
        (
            "disabled",
            [
                _step("RandomRotation", enabled=False, degrees=90),
                _step("RandomHorizontalFlip", p=0.5),
                _step("ToTensor"),
            ],
        ),
    ]


@pytest.mark.filterwarnings("ignore:Anti-alias option is always applied")
@pytest.mark.parametrize("label,spec", _code_specs(), ids=[c[0] for c in _code_specs()])
def test_exec_spec_to_code_gives_identical_tensors(label, spec):
    code = spec_to_code(spec)
    assert "from torchvision.transforms import v2" in code and "import torch" in code
    assert "transform = v2.Compose([" in code
    ours = build_pipeline(spec)
    theirs = _exec_code(spec)
    image = _image(240, 250) if label.startswith("seed") else _image(80, 96)
    for seed in (0, 3, 11):
        a, b = _run(ours, image, seed), _run(theirs, image, seed)
        assert isinstance(a, torch.Tensor)
        assert torch.equal(a, b), (label, seed)


@pytest.mark.filterwarnings("ignore:Anti-alias option is always applied")
def test_every_transform_pipeline_really_changes_pixels():
    """Guards the equality test above against a pipeline that does nothing."""
    pipe = build_pipeline(EVERY_TRANSFORM)
    a = _run(pipe, _image(), 0)
    b = _run(pipe, _image(), 1)
    assert a.shape[0] == 3
    assert not torch.equal(a, b)


# --------------------------------------------------------------------------- validation


@pytest.mark.parametrize(
    "spec,step,field,match",
    [
        (
            [_step("ToTensor"), _step("ColorJitter", brightness=-1)],
            1,
            "brightness",
            r"step 2 \(ColorJitter\): brightness must be >= 0, got -1",
        ),
        ([_step("Rotate")], 0, "name", r"step 1: unknown transform 'Rotate'"),
        (
            [_step("RandomRotation", degrees="45")],
            0,
            "degrees",
            r"step 1 \(RandomRotation\): degrees must be a number, got '45'",
        ),
        (
            [_step("RandomHorizontalFlip", p=1.5)],
            0,
            "p",
            r"step 1 \(RandomHorizontalFlip\): p must be <= 1, got 1.5",
        ),
        ([_step("CenterCrop", size=[1, 2, 3])], 0, "size", r"CenterCrop.*size must be one number"),
        ([_step("CenterCrop", size=0)], 0, "size", r"size must be >= 1, got 0"),
        ([_step("CenterCrop", size=2.5)], 0, "size", r"size must be a whole number"),
        ([_step("CenterCrop")], 0, "size", None),  # filled from the default, valid
        ([_step("RandomResizedCrop", size=8, scale=[0.9, 0.2])], 0, "scale", r"min <= max"),
        ([_step("RandomResizedCrop", size=8, scale=[0.5])], 0, "scale", r"must have 2 values"),
        ([_step("GaussianBlur", kernel_size=4)], 0, "kernel_size", r"must be odd, got 4"),
        ([_step("RandAugment", magnitude=31)], 0, "magnitude", r"below num_magnitude_bins"),
        ([_step("Normalize", mean=[0.5, 0.5], std=[0.5])], 0, "std", r"as many values as mean"),
        ([_step("Normalize", mean=[0.5], std=[0.0])], 0, "std", r"std must be >= 0.0001, got 0"),
        ([_step("Grayscale", num_output_channels=2)], 0, "num_output_channels", r"one of 1, 3"),
        (
            [_step("Resize", size=32, interpolation="cubic")],
            0,
            "interpolation",
            r"interpolation must be one of",
        ),
        ([_step("Resize", size=32, antialias="yes")], 0, "antialias", r"true or false"),
        ([_step("Resize", size=32, max_size=16)], 0, "max_size", r"larger than size"),
        ([_step("RandomRotation", dgrees=4)], 0, "dgrees", r"unknown parameter 'dgrees'"),
        ([_step("ToTensor", enabled="no")], 0, "enabled", r"enabled must be true or false"),
        ([_step("ToTensor"), "ToTensor"], 1, None, r"step 2: must be an object"),
        ([_step("RandomRotation", degrees=float("nan"))], 0, "degrees", r"finite"),
        ([_step("RandomRotation", degrees=True)], 0, "degrees", r"must be a number"),
    ],
)
def test_invalid_specs_name_step_and_field(spec, step, field, match):
    if match is None:
        assert validate_spec(spec)[0]["params"]["size"] == 224
        return
    with pytest.raises(SpecError, match=match) as info:
        validate_spec(spec)
    assert info.value.step == step
    assert info.value.field == field
    assert isinstance(info.value, ValueError)
    with pytest.raises(SpecError):
        build_pipeline(spec)


def test_not_a_list_is_rejected():
    with pytest.raises(SpecError, match="list of steps"):
        validate_spec({"name": "ToTensor"})
    with pytest.raises(SpecError, match="train/eval pair"):
        validate_spec(get_preset("seed"))


def test_validate_fills_defaults_and_coerces_types():
    out = validate_spec([{"name": "RandomRotation", "params": {"degrees": 30}}])
    assert out == [{
        "name": "RandomRotation",
        "params": {"degrees": 30.0, "interpolation": "nearest", "expand": False, "fill": 0.0},
        "enabled": True,
    }]  # fmt: skip
    assert isinstance(out[0]["params"]["degrees"], float)
    ints = validate_spec([_step("RandAugment", num_ops=3.0), _step("CenterCrop", size=(20, 30))])
    assert ints[0]["params"]["num_ops"] == 3 and isinstance(ints[0]["params"]["num_ops"], int)
    assert ints[1]["params"]["size"] == [20, 30]


def test_validate_does_not_modify_input():
    spec = [_step("RandomResizedCrop", size=(8, 8))]
    before = json.dumps(spec, default=list)
    validate_spec(spec)
    assert json.dumps(spec, default=list) == before


def test_disabled_steps_are_skipped():
    image = _image(40, 40)
    spec = [
        _step("RandomInvert", enabled=False, p=1.0),
        _step("CenterCrop", enabled=False, size=8),
        _step("ToTensor"),
    ]
    out = build_pipeline(spec)(image)
    assert out.shape == (3, 40, 40)
    plain = v2.Compose([v2.ToImage(), v2.ToDtype(torch.float32, scale=True)])(image)
    assert torch.equal(out, plain)
    assert "RandomInvert" not in spec_to_code(spec) and "CenterCrop" not in spec_to_code(spec)
    assert output_size(spec, (40, 40)) == (40, 40)
    assert normalize_stats([_step("Normalize", enabled=False, mean=[0.1], std=[0.2])]) is None


# --------------------------------------------------------------------------- warnings


def test_warning_no_to_tensor():
    warnings = spec_warnings([_step("RandomRotation", degrees=4)])
    assert any(w.startswith("no ToTensor step") for w in warnings)
    assert not any("ToTensor" in w for w in spec_warnings(get_preset("none")["train"]))


def test_warning_crop_larger_than_image():
    warnings = spec_warnings(get_preset("seed")["train"], image_size=(28, 28))
    assert any("CenterCrop 224 is larger than the 28x28 image" in w for w in warnings)
    assert spec_warnings(get_preset("seed")["train"], image_size=(300, 300)) == []
    # the eval pipeline resizes first, so its crop fits any image
    assert spec_warnings(get_preset("seed")["eval"], image_size=(28, 28)) == []
    crop = spec_warnings([_step("RandomCrop", size=[30, 20]), _step("ToTensor")], (28, 28))
    assert any("RandomCrop 30x20" in w and "will fail" in w for w in crop)


def test_warning_normalize_stats_vs_pretrained():
    stats = ([0.485, 0.456, 0.406], [0.229, 0.224, 0.225])
    assert spec_warnings(get_preset("seed")["train"], pretrained_stats=stats) == []
    odd = [_step("ToTensor"), _step("Normalize", mean=[0.5, 0.5, 0.5], std=[0.5, 0.5, 0.5])]
    assert any("differ from the pretrained" in w for w in spec_warnings(odd, None, stats))
    missing = spec_warnings([_step("ToTensor")], pretrained_stats=stats)
    assert any("no Normalize step" in w for w in missing)


def test_warning_order_problems():
    w = spec_warnings([_step("Normalize", mean=[0.5], std=[0.5]), _step("ToTensor")])
    assert any("Normalize comes before ToTensor" in x for x in w)
    w = spec_warnings([_step("RandomErasing"), _step("ToTensor")])
    assert any("RandomErasing comes before ToTensor" in x for x in w)
    w = spec_warnings(
        [
            _step("ToTensor"),
            _step("Normalize", mean=[0.5], std=[0.5]),
            _step("ColorJitter", brightness=0.3),
        ]
    )
    assert any("ColorJitter comes after Normalize" in x for x in w)


# --------------------------------------------------------------------------- sizes and display


@pytest.mark.parametrize(
    "spec,size",
    [
        (get_preset("seed")["train"], (224, 224)),
        (get_preset("seed")["eval"], (224, 224)),
        (get_preset("digits")["train"], (30, 40)),
        ([_step("Resize", size=64)], None),
        ([_step("Resize", size=[10, 20])], (10, 20)),
        ([_step("Resize", size=64, max_size=70)], None),
        ([_step("Pad", padding=3), _step("RandomCrop", size=[12, 16])], (12, 16)),
        ([_step("Pad", padding=3)], (36, 46)),
        ([_step("RandomResizedCrop", size=[50, 60])], (50, 60)),
    ],
)
def test_output_size_matches_real_pipeline(spec, size):
    image = _image(30, 40)
    real = build_pipeline(
        [*spec, _step("ToTensor")] if not any(s["name"] == "ToTensor" for s in spec) else spec
    )
    out = _run(real, image, 0)
    assert output_size(spec, (30, 40)) == tuple(out.shape[-2:])
    if size is not None:
        assert output_size(spec, (30, 40)) == size


def test_unnormalize_inverts_normalize():
    image = _image(16, 16)
    spec = [_step("ToTensor"), _step("Normalize", mean=[0.4, 0.5, 0.6], std=[0.2, 0.3, 0.4])]
    plain = build_pipeline([_step("ToTensor")])(image)
    back = unnormalize(build_pipeline(spec)(image), spec)
    assert torch.allclose(back, plain, atol=1e-6)
    assert float(back.min()) >= 0.0 and float(back.max()) <= 1.0
    raw = torch.full((1, 2, 2), 255, dtype=torch.uint8)
    assert torch.equal(unnormalize(raw, []), torch.ones(1, 2, 2))


def test_tile_grid_centres_tiles_on_the_background():
    from core.augment_grid import BACKGROUND, tile_grid

    tiles = [np.zeros((10, 10, 3), np.uint8), np.full((8, 8, 1), 255, np.uint8)]
    tiles.append(np.asarray(_image(10, 10)))
    grid = tile_grid(tiles, ncols=2, pad=2)
    assert grid.shape == (2 * 10 + 3 * 2, 2 * 10 + 3 * 2, 3) and grid.dtype == np.uint8
    assert tuple(grid[2, 2]) == (0, 0, 0)  # first tile, black
    assert tuple(grid[2 + 5, 2 + 10 + 2 + 5]) == (255, 255, 255)  # second tile, white, centred
    assert tuple(grid[2, 2 + 10 + 2]) == (BACKGROUND,) * 3  # around the smaller tile
    with pytest.raises(ValueError):
        tile_grid([], 4)


def test_sample_grid_is_seeded_per_sample_and_leaves_the_global_rng_alone():
    spec = [_step("RandomRotation", degrees=40), _step("ToTensor"), _step("Normalize", mean=[0.5] * 3, std=[0.2] * 3)]  # fmt: skip
    image = _image(30, 30, seed=2)
    torch.manual_seed(123)
    expected = torch.rand(3)
    torch.manual_seed(123)
    four = sample_grid(spec, [image], 4, seed=3, view="model")
    assert torch.equal(torch.rand(3), expected)
    again = sample_grid(spec, [image], 4, seed=3, view="model")
    assert np.array_equal(four.pixels, again.pixels)
    assert not np.array_equal(
        four.pixels, sample_grid(spec, [image], 4, seed=4, view="model").pixels
    )
    # growing N keeps the earlier samples: sample i is seeded by sample_seed(seed, i)
    nine = sample_grid(spec, [image], 9, seed=3, view="model")
    cell = 2 + 30 * 4  # 30 px blown up 4x (>= MODEL_TILE_MIN), plus the padding
    assert np.array_equal(
        four.pixels[2 : 2 + 120, 2 : 2 + 120], nine.pixels[2 : 2 + 120, 2 : 2 + 120]
    )
    assert four.pixels.shape == (2 * cell + 2, 2 * cell + 2, 3)
    assert (four.shape, four.count) == ((3, 30, 30), 4)
    assert four.description.startswith("model input: 3x30x30 float32, normalized")


def test_sample_grid_views_and_bad_input():
    spec = [_step("ToTensor")]
    gray = _image(28, 28, mode="L")
    person = sample_grid(spec, [gray], 2, seed=0, view="person")
    assert person.pixels.shape == (128 + 4, 2 * 128 + 6, 3)  # smooth 128 px tiles, RGB
    model = sample_grid(spec, [gray], 2, seed=0, view="model")
    assert model.pixels.shape == (112 + 4, 2 * 112 + 6, 3)  # 28 px blown up 4x, sharp
    tile = model.pixels[2 : 2 + 112, 2 : 2 + 112, 0]
    assert np.array_equal(tile[::4, ::4], np.asarray(gray))  # pixel for pixel
    captioned = sample_grid(spec, [gray, gray], 2, seed=0, view="model", captions=["a", "b"])
    assert not np.array_equal(captioned.pixels, model.pixels)
    with pytest.raises(ValueError, match="view"):
        sample_grid(spec, [gray], 2, seed=0, view="sideways")
    with pytest.raises(ValueError):
        sample_grid(spec, [], 2, seed=0)
    no_tensor = [_step("RandomHorizontalFlip", p=0.0)]
    assert sample_grid(no_tensor, [gray], 1, seed=0).description.startswith("output: L image 28x28")


# --------------------------------------------------------------------------- property-based

_IMAGE_48 = _image(48, 48, seed=5)


def _value_strategy(info: augment.ParamInfo):
    """Values inside a param's valid range, kept small so every call stays fast."""
    lo = info.minimum if info.minimum is not None else -10.0
    hi = min(x for x in (info.maximum, info.soft_max, 1e3) if x is not None)
    if info.kind == "bool":
        return st.booleans()
    if info.kind == "choice":
        return st.sampled_from(info.choices)
    if info.kind == "int":
        return st.integers(int(lo), int(min(hi, 40)))
    if info.kind == "size":
        return st.one_of(st.integers(4, 48), st.lists(st.integers(4, 48), min_size=2, max_size=2))
    number = st.floats(lo, hi, allow_nan=False, exclude_min=info.exclusive_minimum)
    if info.kind == "float":
        return number
    return st.lists(number, min_size=info.length or 3, max_size=info.length or 3)


@st.composite
def _single_step_specs(draw):
    name = draw(st.sampled_from(sorted(n for n in TRANSFORMS if n != "ToTensor")))
    info = TRANSFORMS[name]
    params = {}
    for p in info.params:
        if p.nullable and draw(st.booleans()):
            params[p.name] = None
        else:
            params[p.name] = draw(_value_strategy(p))
    step = {"name": name, "params": params, "enabled": True}
    tensor = {"name": "ToTensor", "params": {}, "enabled": True}
    return [tensor, step] if info.category == "tensor" else [step, tensor]


@settings(
    max_examples=20, derandomize=True, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
@given(spec=_single_step_specs(), seed=st.integers(0, 2**31))
def test_property_code_export_matches_for_random_valid_params(spec, seed):
    try:
        checked = validate_spec(spec)
    except SpecError as exc:  # combination rules (min <= max, odd kernel, ...)
        assert exc.step == 1 - [s["name"] for s in spec].index("ToTensor")
        assume(False)
    assert validate_spec(json.loads(json.dumps(checked))) == checked
    step = checked[0] if checked[0]["name"] != "ToTensor" else checked[1]
    if step["name"] == "RandomCrop" and not step["params"]["pad_if_needed"]:
        size = step["params"]["size"]
        assume(max(size if isinstance(size, list) else [size]) <= 48)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        a = _run(build_pipeline(checked), _IMAGE_48, seed)
        b = _run(_exec_code(checked), _IMAGE_48, seed)
    assert torch.equal(a, b)
    if step["name"] not in ("RandomRotation", "RandomAffine", "RandomPerspective"):
        assert tuple(a.shape[-2:]) == output_size(checked, (48, 48))
