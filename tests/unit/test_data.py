"""core.data: folder layouts, splits, safe image loading, the built-in digits."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from core import data
from core.data import (
    DataError,
    DatasetSummary,
    ImageDataset,
    ImageLoadError,
    SkippedFile,
    build_datasets,
    digits_images,
    export_digit_samples,
    load_image,
    parse_source,
    sample_images,
    scan_folder,
)

# --------------------------------------------------------------------------- helpers


def save_rgb(path: Path, color=(200, 30, 30), size=(12, 10), fmt=None) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.new("RGB", size, color).save(path, fmt)
    return path


def make_class_folders(root: Path, counts: dict[str, int], size=(12, 10)) -> Path:
    for k, (name, n) in enumerate(counts.items()):
        for i in range(n):
            save_rgb(root / name / f"img{i:03d}.png", (20 * k, 100, 7 * i % 256), size)
    return root


def truncated_bytes(fmt: str) -> bytes:
    rng = np.random.default_rng(0)
    img = Image.fromarray(rng.integers(0, 255, (64, 64, 3), dtype=np.uint8))
    buf = io.BytesIO()
    img.save(buf, fmt)
    raw = buf.getvalue()
    return raw[: len(raw) // 2]


# --------------------------------------------------------------------------- parse_source


def test_parse_source_builtin_aliases_and_folders(tmp_path):
    assert parse_source("digits") == "builtin:digits"
    assert parse_source(" builtin:DIGITS ") == "builtin:digits"
    assert parse_source(str(tmp_path)) == str(tmp_path.resolve())
    with pytest.raises(DataError, match="Unknown built-in"):
        parse_source("builtin:cifar")
    with pytest.raises(DataError, match="does not exist"):
        parse_source(str(tmp_path / "missing"))
    file = save_rgb(tmp_path / "a.png")
    with pytest.raises(DataError, match="not a folder"):
        parse_source(str(file))
    with pytest.raises(DataError):
        parse_source("")


# --------------------------------------------------------------------------- layouts


@pytest.mark.parametrize("valid_name", ["valid", "val"])
def test_train_valid_layout(tmp_path, valid_name):
    make_class_folders(tmp_path / "train", {"dogs": 4, "cats": 3})
    make_class_folders(tmp_path / valid_name, {"dogs": 2, "cats": 1})
    train, valid, summary = scan_folder(tmp_path)
    assert summary.layout == "train/valid folders"
    assert summary.class_names == ["cats", "dogs"]  # sorted
    assert summary.counts == {"train": {"cats": 3, "dogs": 4}, "valid": {"cats": 1, "dogs": 2}}
    assert len(train) == 7 and len(valid) == 3
    assert all(Path(p).parent.parent.name == "train" for p, _ in train)
    assert {label for p, label in train if Path(p).parent.name == "cats"} == {0}
    assert summary.in_channels == 3
    assert summary.image_size == (10, 12)  # (height, width)
    assert summary.skipped == [] and summary.empty_classes == []


def test_class_folders_split_is_stratified_and_seeded(tmp_path):
    make_class_folders(tmp_path, {"a": 10, "b": 20, "c": 5})
    train1, valid1, summary = scan_folder(tmp_path, val_split=0.2, seed=3)
    train2, valid2, _ = scan_folder(tmp_path, val_split=0.2, seed=3)
    _, valid3, _ = scan_folder(tmp_path, val_split=0.2, seed=4)
    assert summary.layout == "class folders"
    assert (train1, valid1) == (train2, valid2)
    assert valid3 != valid1
    assert summary.counts["valid"] == {"a": 2, "b": 4, "c": 1}
    assert summary.counts["train"] == {"a": 8, "b": 16, "c": 4}
    assert not set(p for p, _ in train1) & set(p for p, _ in valid1)
    _, valid_half, half = scan_folder(tmp_path, val_split=0.5, seed=3)
    assert half.counts["valid"] == {"a": 5, "b": 10, "c": 2}


def test_split_uses_only_usable_files(tmp_path):
    # Without the bad files, 2 of each class's 10 images go to valid; the bad files
    # must not take those places and leave a class with nothing to validate on.
    root = make_class_folders(tmp_path, {"a": 2, "b": 10})
    for i in range(8):
        (root / "a" / f"bad{i}.png").write_bytes(b"")
    for seed in range(4):
        train, valid, summary = scan_folder(root, val_split=0.2, seed=seed)
        assert summary.counts == {"train": {"a": 1, "b": 8}, "valid": {"a": 1, "b": 2}}
        assert summary.empty_classes == [] and len(summary.skipped) == 8
        assert all(Path(p).stat().st_size > 0 for p, _ in train + valid)


def test_only_train_folder_is_read_as_class_folders(tmp_path):
    make_class_folders(tmp_path / "train", {"x": 5, "y": 5})
    _, _, summary = scan_folder(tmp_path)
    assert summary.class_names == ["x", "y"]
    assert summary.layout == "class folders"


def test_bad_val_split_and_no_classes(tmp_path):
    make_class_folders(tmp_path / "d", {"a": 3, "b": 3})
    with pytest.raises(DataError, match="val_split"):
        scan_folder(tmp_path / "d", val_split=1.0)
    (tmp_path / "empty").mkdir()
    with pytest.raises(DataError, match="No class folders"):
        scan_folder(tmp_path / "empty")


def test_progress_is_reported(tmp_path):
    make_class_folders(tmp_path, {"a": 3, "b": 2})
    calls = []
    scan_folder(tmp_path, progress=lambda done, total: calls.append((done, total)))
    assert calls[0] == (0, 5) and calls[-1] == (5, 5)


# --------------------------------------------------------------------------- bad files


def test_bad_files_are_skipped_with_reasons(tmp_path):
    root = make_class_folders(tmp_path, {"a": 3, "b": 3})
    (root / "a" / "zero.png").write_bytes(b"")
    (root / "a" / "trunc.jpg").write_bytes(truncated_bytes("JPEG"))
    (root / "b" / "trunc.png").write_bytes(truncated_bytes("PNG"))
    (root / "b" / "noise.jpg").write_bytes(np.random.default_rng(1).bytes(2000))
    (root / "b" / "notes.txt").write_text("hello")
    (root / "b" / ".DS_Store").write_bytes(b"\0\1")
    train, valid, summary = scan_folder(root)
    reasons = {Path(s.path).name: s.reason for s in summary.skipped}
    assert set(reasons) == {"zero.png", "trunc.jpg", "trunc.png", "noise.jpg", "notes.txt"}
    assert "empty" in reasons["zero.png"]
    assert "truncated" in reasons["trunc.jpg"] and "truncated" in reasons["trunc.png"]
    assert "not an image" in reasons["noise.jpg"]
    assert "not an image" in reasons["notes.txt"]
    used = {Path(p).name for p, _ in train + valid}
    assert not used & set(reasons)
    assert summary.total() == 6
    assert any("5 files were skipped" in w for w in summary.warnings())


def test_unchecked_scan_still_skips_empty_files(tmp_path):
    root = make_class_folders(tmp_path, {"a": 3, "b": 3})
    (root / "a" / "zero.png").write_bytes(b"")
    (root / "a" / "trunc.png").write_bytes(truncated_bytes("PNG"))
    train, valid, summary = scan_folder(root, check_images=False)
    assert [Path(s.path).name for s in summary.skipped] == ["zero.png"]
    assert summary.total() == 7  # the truncated one is only found when checked


def test_dataset_raises_image_load_error_naming_the_path(tmp_path):
    bad = tmp_path / "bad.png"
    bad.write_bytes(truncated_bytes("PNG"))
    good = save_rgb(tmp_path / "good.png")
    ds = ImageDataset([(str(good), 0), (str(bad), 1)], transform=None, channels=1)
    img, label = ds[0]
    assert img.mode == "L" and label == 0
    with pytest.raises(ImageLoadError, match="bad.png"):
        ds[1]


def test_empty_class_is_reported_and_left_out(tmp_path):
    root = make_class_folders(tmp_path, {"a": 6, "b": 6})
    (root / "empty").mkdir()
    (root / "broken").mkdir()
    (root / "broken" / "x.png").write_bytes(b"")
    train, valid, summary = scan_folder(root)
    assert summary.class_names == ["a", "b"]
    assert set(summary.dropped_classes) == {"broken", "empty"}
    assert {"broken", "empty"} <= set(summary.empty_classes)
    assert any("'empty' has no usable image" in w for w in summary.warnings())


def test_class_missing_from_valid_split_is_reported(tmp_path):
    make_class_folders(tmp_path / "train", {"a": 5, "b": 5})
    make_class_folders(tmp_path / "valid", {"a": 2})
    _, _, summary = scan_folder(tmp_path)
    assert summary.class_names == ["a", "b"]
    assert summary.empty_classes == ["b"]
    assert any("'b' has no image in the valid split" in w for w in summary.warnings())


def test_fewer_than_two_classes_is_a_data_error(tmp_path):
    make_class_folders(tmp_path / "one", {"only": 6})
    with pytest.raises(DataError, match="at least two"):
        build_datasets(str(tmp_path / "one"))
    root = tmp_path / "none"
    for name in ("a", "b"):
        (root / name).mkdir(parents=True)
        (root / name / "x.jpg").write_bytes(b"")
    with pytest.raises(DataError, match="No class .* has a usable image"):
        build_datasets(str(root))


# --------------------------------------------------------------------------- modes


def load_bytes(tmp_path: Path, img: Image.Image, name: str, channels: int, **save) -> Image.Image:
    path = tmp_path / name
    img.save(path, **save)
    return load_image(path, channels=channels)


@pytest.mark.parametrize("channels, mode", [(1, "L"), (3, "RGB")])
def test_odd_modes_are_converted(tmp_path, channels, mode):
    cmyk = Image.new("CMYK", (8, 6), (0, 255, 255, 0))  # red in CMYK
    out = load_bytes(tmp_path, cmyk, "cmyk.jpg", channels, quality=95)
    assert out.mode == mode and out.size == (8, 6)
    if channels == 3:
        r, g, b = out.getpixel((4, 3))
        assert r > 200 and g < 60 and b < 60

    wide = Image.fromarray(np.full((6, 8), 65535 // 2, dtype=np.uint16))
    assert wide.mode == "I;16"
    out = load_bytes(tmp_path, wide, "wide.png", channels)
    assert out.mode == mode
    assert abs(np.asarray(out.convert("L")).mean() - 127.5) < 2

    for src_mode, value, expected in (
        ("I", 40000, 156),
        ("I", 200, 200),
        ("F", 0.5, 128),
        ("1", 1, 255),
    ):
        out = load_image(_encoded(Image.new(src_mode, (5, 4), value)), channels=channels)
        assert out.mode == mode
        assert abs(int(np.asarray(out.convert("L"))[1, 1]) - expected) <= 1


def _encoded(img: Image.Image) -> io.BytesIO:
    buf = io.BytesIO()
    img.save(buf, "PNG" if img.mode == "1" else "TIFF")
    buf.seek(0)
    return buf


def test_transparency_is_composited_on_white(tmp_path):
    rgba = Image.new("RGBA", (4, 4), (255, 0, 0, 0))  # fully transparent red
    assert load_bytes(tmp_path, rgba, "rgba.png", 3).getpixel((1, 1)) == (255, 255, 255)
    la = Image.new("LA", (4, 4), (0, 0))
    assert load_bytes(tmp_path, la, "la.png", 1).getpixel((1, 1)) == 255
    pal = Image.new("P", (4, 4), 0)
    pal.putpalette([0, 0, 0, 10, 200, 10] + [0] * 762)
    pal.putpixel((0, 0), 1)
    out = load_bytes(tmp_path, pal, "p.png", 3, transparency=0)
    assert out.getpixel((2, 2)) == (255, 255, 255)  # transparent index -> white
    assert out.getpixel((0, 0)) == (10, 200, 10)


def save_rotated_jpeg(path: Path, arr: np.ndarray, quality: int = 95) -> Path:
    """A grayscale JPEG whose EXIF says: display rotated 90 degrees clockwise."""
    exif = Image.Exif()
    exif[0x0112] = 6
    Image.fromarray(arr).save(path, exif=exif.tobytes(), quality=quality)
    return path


def test_exif_orientation_rotates_the_pixels(tmp_path):
    arr = np.zeros((20, 40), dtype=np.uint8)
    arr[:, :20] = 255  # left half white
    path = save_rotated_jpeg(tmp_path / "rot.jpg", arr)
    out = np.asarray(load_image(path, channels=1))
    assert out.shape == (40, 20)  # rows, columns swapped
    assert out[:15].mean() > 200 and out[25:].mean() < 50  # left went to the top
    _, _, summary = scan_folder(_one_rotated_dataset(tmp_path, path))
    assert summary.image_size == (40, 20)


def test_convert_image_matches_load_image(tmp_path):
    """A picture pasted or dropped as data is prepared exactly like the same file."""
    arr = np.zeros((20, 40), dtype=np.uint8)
    arr[:, :20] = 255
    rotated = save_rotated_jpeg(tmp_path / "rot.jpg", arr)
    wide = tmp_path / "wide.png"
    Image.fromarray((np.arange(48, dtype=np.uint16) * 1300).reshape(6, 8)).save(wide)
    for path in (rotated, wide):
        for channels in (1, 3):
            with Image.open(path) as opened:
                memory = data.convert_image(opened, channels)
            expected = load_image(path, channels)
            assert memory.mode == expected.mode
            assert np.array_equal(np.asarray(memory), np.asarray(expected))
    assert data.convert_image(Image.new("RGBA", (2, 2)), 3).getpixel((0, 0)) == (255, 255, 255)


def _one_rotated_dataset(tmp_path: Path, rotated: Path) -> Path:
    root = tmp_path / "ds"
    for name in ("a", "b"):
        (root / name).mkdir(parents=True)
        (root / name / "r1.jpg").write_bytes(rotated.read_bytes())
        (root / name / "r2.jpg").write_bytes(rotated.read_bytes())
    return root


def test_huge_image_is_refused(tmp_path):
    path = save_rgb(tmp_path / "big.png", size=(100, 80))
    with pytest.raises(ImageLoadError, match="too large"):
        load_image(path, max_pixels=5000)
    assert load_image(path, max_pixels=8000).size == (100, 80)
    root = make_class_folders(tmp_path / "ds", {"a": 2, "b": 2})
    save_rgb(root / "a" / "big.png", size=(100, 80))
    _, _, summary = scan_folder(root, max_pixels=5000)
    assert [Path(s.path).name for s in summary.skipped] == ["big.png"]
    assert "too large" in summary.skipped[0].reason


@pytest.mark.parametrize("pil_limit", [3000, 6000])  # Pillow's error (>2x) and warning (>1x)
def test_pillow_decompression_bomb_checks_do_not_crash(tmp_path, monkeypatch, pil_limit):
    path = save_rgb(tmp_path / "big.png", size=(100, 80))
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", pil_limit)
    with pytest.raises(ImageLoadError, match="too large"):
        load_image(path, max_pixels=pil_limit)
    with pytest.raises(ImageLoadError, match="too large"):
        data.verify_image(path, max_pixels=pil_limit)


def test_load_image_from_stream_and_missing(tmp_path):
    buf = io.BytesIO()
    Image.new("RGB", (3, 3), (1, 2, 3)).save(buf, "PNG")
    buf.seek(0)
    assert load_image(buf).getpixel((0, 0)) == (1, 2, 3)
    with pytest.raises(ImageLoadError, match="empty"):
        load_image(io.BytesIO(b""))
    with pytest.raises(ImageLoadError, match="not found"):
        load_image(tmp_path / "nope.png")
    with pytest.raises(ImageLoadError, match="folder"):
        load_image(tmp_path)


# --------------------------------------------------------------------------- summary


def test_summary_warnings_and_json_round_trip(tmp_path):
    root = make_class_folders(tmp_path, {"big": 31, "tiny": 3, "mid": 6})
    (root / "mid" / "bad.jpg").write_bytes(b"not an image at all")
    _, _, summary = scan_folder(root)
    text = " ".join(summary.warnings())
    assert "'tiny' has only 3 images" in text
    assert "imbalanced" in text and "'big'" in text
    assert "bad.jpg" in text
    payload = json.loads(json.dumps(summary.to_dict()))
    assert payload["totals"] == {"train": summary.total("train"), "valid": summary.total("valid")}
    again = DatasetSummary.from_dict(payload)
    assert again == summary
    assert again.skipped == [SkippedFile(str(root / "mid" / "bad.jpg"), summary.skipped[0].reason)]


def test_balanced_summary_has_no_warnings(tmp_path):
    make_class_folders(tmp_path, {"a": 6, "b": 8})
    assert scan_folder(tmp_path)[2].warnings() == []


# --------------------------------------------------------------------------- datasets


def test_build_datasets_from_folder_applies_transforms(tmp_path):
    make_class_folders(tmp_path, {"a": 5, "b": 5})
    splits = build_datasets(
        str(tmp_path),
        train_transform=lambda im: ("T", im.size),
        eval_transform=lambda im: ("E", im.mode),
        channels=1,
    )
    assert splits.summary.in_channels == 1
    assert len(splits.train) == 8 and len(splits.valid) == 2
    assert splits.train[0] == (("T", (12, 10)), 0)
    assert splits.valid[1][0] == ("E", "L")
    assert sorted(set(splits.train.targets)) == [0, 1]


def test_digits_shapes_counts_and_split():
    train, y_train, valid, y_valid, names = digits_images()
    assert names == [str(i) for i in range(10)]
    assert len(train) == 1437 and len(valid) == 360
    assert train[0].mode == "L" and train[0].size == (28, 28)
    assert np.bincount(y_valid).tolist() == [36, 36, 35, 37, 36, 37, 36, 36, 35, 36]
    assert np.bincount(y_train).sum() + np.bincount(y_valid).sum() == 1797
    assert max(np.asarray(img).max() for img in train[:20]) > 200  # scaled 0..16 -> 0..255
    again = digits_images()
    assert again[1] == y_train and np.array_equal(np.asarray(again[0][5]), np.asarray(train[5]))


def test_digits_datasets_and_channels():
    splits = build_datasets("digits")
    assert splits.summary.layout == "builtin" and splits.summary.in_channels == 1
    assert splits.summary.image_size == (28, 28)
    assert splits.summary.total("train") == 1437 and splits.summary.total("valid") == 360
    img, label = splits.train[0]
    assert img.mode == "L" and label == splits.train.targets[0]
    rgb = build_datasets("builtin:digits", channels=3, eval_transform=lambda im: im.mode)
    assert rgb.summary.in_channels == 3 and rgb.valid[0][0] == "RGB"
    assert splits.summary.warnings() == []


def test_sample_images_for_digits_and_folders(tmp_path):
    samples = sample_images("digits", per_class=3, seed=1)
    assert list(samples) == [str(i) for i in range(10)]
    assert all(len(v) == 3 and v[0].size == (28, 28) for v in samples.values())
    again = sample_images("digits", per_class=3, seed=1)
    assert np.array_equal(np.asarray(samples["7"][2]), np.asarray(again["7"][2]))
    root = make_class_folders(tmp_path, {"a": 2, "b": 6})
    (root / "a" / "zzz.png").write_bytes(truncated_bytes("PNG"))
    folder = sample_images(str(root), per_class=4)
    assert len(folder["b"]) == 4 and 1 <= len(folder["a"]) <= 2
    assert all(im.mode == "RGB" for im in folder["b"])


def test_export_digit_samples(tmp_path):
    paths = export_digit_samples(tmp_path / "out", n_per_class=2)
    assert len(paths) == 20
    assert sorted(p.name for p in paths)[:3] == ["0_0.png", "0_1.png", "1_0.png"]
    img = Image.open(paths[0])
    assert img.size == (28, 28) and img.mode == "L"
    _, _, valid, y_valid, _ = digits_images()
    first_zero = valid[y_valid.index(0)]
    assert np.array_equal(np.asarray(img), np.asarray(first_zero))
    with pytest.raises(DataError):
        export_digit_samples(tmp_path, split="test")


def test_unreadable_folder_gives_data_error(tmp_path, monkeypatch):
    root = make_class_folders(tmp_path / "ds", {"a": 2, "b": 2})
    real_iterdir = Path.iterdir

    def refuse(self):
        if self == root:
            raise PermissionError(13, "Permission denied")
        return real_iterdir(self)

    monkeypatch.setattr(Path, "iterdir", refuse)
    with pytest.raises(DataError, match="Cannot read the folder .*Permission denied"):
        scan_folder(root)


def test_symlink_loop_is_walked_once(tmp_path):
    root = make_class_folders(tmp_path, {"a": 3, "b": 3})
    (root / "a" / "loop").symlink_to(root / "a", target_is_directory=True)
    train, valid, summary = scan_folder(root)
    assert summary.counts["train"]["a"] + summary.counts["valid"]["a"] == 3


def test_link_up_to_the_dataset_does_not_relabel_other_classes(tmp_path):
    root = make_class_folders(tmp_path / "ds", {"a": 3, "b": 3})
    (root / "a" / "up").symlink_to(root, target_is_directory=True)
    train, valid, summary = scan_folder(root)
    assert summary.class_totals() == {"a": 3, "b": 3}
    assert all(Path(p).parent.name == ["a", "b"][label] for p, label in train + valid)


def test_max_size_shrinks_big_jpegs_keeping_orientation(tmp_path):
    arr = np.zeros((400, 800), dtype=np.uint8)
    arr[:, :400] = 255
    path = save_rotated_jpeg(tmp_path / "big.jpg", arr, quality=90)
    small = load_image(path, channels=1, max_size=100)
    assert max(small.size) <= 100 and small.size[1] > small.size[0]  # still rotated
    px = np.asarray(small)
    assert px[: px.shape[0] // 3].mean() > 200 and px[-px.shape[0] // 3 :].mean() < 50
    picked = data.pick_samples([(str(path), 0)], ["a"], per_class=1, max_size=64)
    assert max(picked["a"][0].size) <= 64


def test_reuse_image_memory_keeps_freed_pillow_blocks():
    before = Image.core.get_blocks_max()
    try:
        data.reuse_image_memory(5)
        assert Image.core.get_blocks_max() == 5
        data.reuse_image_memory()
        assert Image.core.get_blocks_max() == data.IMAGE_BLOCKS_KEPT
    finally:
        Image.core.set_blocks_max(before)


@pytest.mark.parametrize("mode", ["RGB", "L"])
def test_loaded_and_converted_images_are_independent_copies(tmp_path, mode):
    source = Image.new(mode, (6, 4), 120 if mode == "L" else (10, 20, 30))
    path = tmp_path / "pic.png"
    source.save(path)
    channels = 1 if mode == "L" else 3
    loaded = data.load_image(path, channels=channels)
    assert loaded.mode == mode and loaded.size == (6, 4)
    loaded.putpixel((0, 0), 0 if mode == "L" else (0, 0, 0))  # usable after the file closed
    converted = data.convert_image(source, channels=channels)
    assert converted is not source
    converted.putpixel((1, 1), 255 if mode == "L" else (255, 255, 255))
    assert source.getpixel((1, 1)) == (120 if mode == "L" else (10, 20, 30))


def test_loading_scanning_and_digits_import_without_torch():
    """Only the datasets need torch: loading, scanning and the digits stay light."""
    code = (
        "import sys, core.images, core.folders, core.digits; "
        "print(sorted(m for m in ('torch', 'torchvision', 'core.data') if m in sys.modules))"
    )
    root = Path(__file__).resolve().parents[2]
    proc = subprocess.run(
        [sys.executable, "-c", code], cwd=root, capture_output=True, text=True, timeout=60
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "[]"


def test_the_split_modules_are_the_names_of_core_data():
    """core.data re-exports what the smaller modules define (one object, not a copy)."""
    from core import digits, folders, images

    assert data.load_image is images.load_image
    assert data.ImageLoadError is images.ImageLoadError
    assert data.DataError is folders.DataError
    assert data.scan_folder is folders.scan_folder
    assert data.digits_images is digits.digits_images
