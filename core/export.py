"""Take a model out of the app: TorchScript and ONNX files checked against the bundle.

Users of other tools report exported models that predict differently from the app.
Here every exported file is run right after it is written, on a few images
preprocessed exactly as the app does it (the bundle's eval pipeline), and compared
with the bundle's network in float32: the same top-1 class on every image and no
logit further than :data:`MAX_LOGIT_DIFF` away. A file that fails is never left
behind: it is written to a temporary file next to the target and only renamed into
place once it passed, so a failed export also keeps an earlier file intact.

Each file carries what it needs to be used alone: the class names and the
preprocessing (TorchScript ``_extra_files``, ONNX ``metadata_props``). The formats
"snippet" (how to use the files with plain torch or onnxruntime) and "script" (the
run as a plain PyTorch training script) are text, made by
:mod:`core.export_snippet` and :mod:`core.export_script`.

ONNX needs the optional extra ``pip install -e ".[export]"`` (onnx, onnxruntime,
onnxscript); without it the error names that command.
"""

from __future__ import annotations

import contextlib
import importlib
import json
import os
import pathlib
import tempfile
import time
import warnings
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import torch
from PIL import Image

from core import checkpoint
from core.atomic import atomic_write
from core.augment import enabled_steps, normalize_stats

__all__ = [
    "EXPORT_EXTRA",
    "FORMATS",
    "MAX_LOGIT_DIFF",
    "ONNX_OPSET",
    "CheckResult",
    "ExportError",
    "ExportResult",
    "MissingExtraError",
    "check_file",
    "export_model",
    "export_onnx",
    "export_torchscript",
    "preprocessing",
    "require_onnx",
]

FORMATS = ("torchscript", "onnx", "snippet", "script")
SUFFIXES = {"torchscript": ".pt", "onnx": ".onnx", "snippet": ".py", "script": ".py"}
MAX_LOGIT_DIFF = 1e-4
# torch.onnx's exporter (torch.export + onnxscript) writes opset 18 natively; asking it
# for 17 makes it down-convert, which failed on resnet18 here (a Reduce node's axes).
# Opset 18 runs on onnxruntime >= 1.14 (2023), TensorRT 8.6, OpenVINO 2023 and
# onnxruntime-web: the lowest version that is both broadly supported and exported as is.
ONNX_OPSET = 18
EXPORT_EXTRA = 'pip install -e ".[export]"'
ONNX_PACKAGES = ("onnx", "onnxruntime", "onnxscript")
#: extra files of a TorchScript export (torch.jit.load(..., _extra_files=...))
TORCHSCRIPT_EXTRA_FILES = ("class_names.json", "preprocess.json", "convstudio.json")
CHECK_SAMPLES = 8  # images checked when none are given
MAX_CHECK_IMAGES = 64  # more --check images than this: the first 64
_CHUNK = 16  # images per forward pass of the check (also tests the dynamic batch axis)


class ExportError(RuntimeError):
    """The export failed, or the exported file does not predict what the bundle predicts."""


class MissingExtraError(ExportError):
    """An optional package of the ``export`` extra is not installed."""


@dataclass(frozen=True)
class CheckResult:
    """How the exported file compared with the bundle on ``images`` images."""

    images: int
    top1_agree: int
    max_logit_diff: float
    source: str  # where the images came from, in words
    seconds: float

    @property
    def passed(self) -> bool:
        return self.top1_agree == self.images and self.max_logit_diff < MAX_LOGIT_DIFF

    def text(self) -> str:
        return (
            f"top-1 agrees on {self.top1_agree}/{self.images} images ({self.source}), "
            f"max |logit difference| {self.max_logit_diff:.2g}"
        )


@dataclass(frozen=True)
class ExportResult:
    """One written file: its format, path, size, the seconds it took and its check."""

    format: str
    path: str
    size_bytes: int
    seconds: float
    check: CheckResult | None = None

    def to_dict(self) -> dict:
        out = asdict(self)
        if self.check is not None:
            out["check"]["passed"] = self.check.passed
        return out

    def text(self) -> str:
        """One line for the CLI and the window."""
        size = _size_text(self.size_bytes)
        line = f"wrote {self.path} ({self.format}, {size}) in {self.seconds:.1f} s"
        if self.check is not None:
            line += f"; checked: {self.check.text()}"
        return line


def _size_text(n: int) -> str:
    if n >= 1_000_000:
        return f"{n / 1e6:.1f} MB"
    if n >= 1_000:
        return f"{n / 1e3:.1f} kB"
    return f"{n} bytes"


# --------------------------------------------------------------------------- metadata


def _step_param(spec: list, name: str, param: str) -> Any:
    """``param`` of the first enabled step called ``name`` (None when there is none)."""
    for step in enabled_steps(spec):
        if step["name"] == name:
            return step["params"].get(param)
    return None


def preprocessing(bundle: dict) -> dict:
    """What an exported model expects, as plain values (stored in every exported file).

    ``resize``: the eval Resize size (shorter side, or [h, w]) or None; ``crop``: the
    CenterCrop size or None; ``mean``/``std``: the last Normalize (0/1 when there is
    none); ``eval_transforms``: the whole pipeline, for steps beyond these.
    """
    spec = bundle["eval_transforms"]
    channels = int(bundle["in_channels"])
    stats = normalize_stats(spec) or ([0.0] * channels, [1.0] * channels)
    return {
        "class_names": list(bundle["class_names"]),
        "channels": channels,
        "input_size": int(bundle["input_size"]),
        "resize": _step_param(spec, "Resize", "size"),
        "interpolation": _step_param(spec, "Resize", "interpolation"),
        "crop": _step_param(spec, "CenterCrop", "size"),
        "mean": list(stats[0]),
        "std": list(stats[1]),
        "eval_transforms": spec,
        "input_name": "input",
        "input_layout": "NCHW float32",
        "output": "logits",
    }


def _about(bundle: dict) -> dict:
    return {
        "format": "convstudio.export",
        "arch": bundle["arch"],
        "epoch": bundle["epoch"],
        "metrics": bundle["metrics"],
    }


# --------------------------------------------------------------------------- writers


def _example(bundle: dict) -> torch.Tensor:
    size, channels = int(bundle["input_size"]), int(bundle["in_channels"])
    # batch 2: a batch of one lets torch.export specialise the batch axis to 1
    return torch.zeros(2, channels, size, size)


def export_torchscript(model: torch.nn.Module, bundle: dict, path: str | os.PathLike) -> None:
    """A traced TorchScript file with the class names and preprocessing as extra files.

    Traced, not scripted: the networks have no data-dependent branches, and tracing
    takes every registry architecture as it is. torch marks torch.jit as deprecated in
    favour of torch.export, whose files need torch's newest versions to load; a
    TorchScript file loads with any torch since 1.x, so it stays, warning silenced.
    """
    extra = {
        "class_names.json": json.dumps(list(bundle["class_names"])),
        "preprocess.json": json.dumps(preprocessing(bundle)),
        "convstudio.json": json.dumps(_about(bundle)),
    }
    with warnings.catch_warnings(), torch.inference_mode(False), torch.no_grad():
        warnings.simplefilter("ignore", FutureWarning)
        traced = torch.jit.trace(model.eval(), _example(bundle), check_trace=False)
        torch.jit.save(traced, os.fspath(path), _extra_files=extra)


def require_onnx() -> None:
    """Import onnx, onnxruntime and onnxscript, or say how to install them."""
    for name in ONNX_PACKAGES:
        try:
            importlib.import_module(name)
        except ImportError as exc:
            raise MissingExtraError(
                f"ONNX export needs the packages onnx, onnxruntime and onnxscript "
                f"({name} is not installed); install them with: {EXPORT_EXTRA}"
            ) from exc


def export_onnx(model: torch.nn.Module, bundle: dict, path: str | os.PathLike) -> None:
    """An ONNX file (opset :data:`ONNX_OPSET`, dynamic batch axis) with metadata_props."""
    require_onnx()
    import onnx

    batch = torch.export.Dim("batch", min=1, max=65_536)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # exporter chatter (deprecations, dynamo notes)
        torch.onnx.export(
            model.eval(),
            (_example(bundle),),
            os.fspath(path),
            input_names=["input"],
            output_names=["logits"],
            dynamic_shapes=({0: batch},),
            opset_version=ONNX_OPSET,
            external_data=False,  # one self-contained file
            dynamo=True,
            verbose=False,
        )
    proto = onnx.load(os.fspath(path))
    meta = {k: json.dumps(v) for k, v in preprocessing(bundle).items()}
    meta["convstudio"] = json.dumps(_about(bundle))
    onnx.helper.set_model_props(proto, meta)
    proto.doc_string = (
        f"ConvStudio {bundle['arch']} classifier of {len(bundle['class_names'])} classes; "
        f"preprocessing and class names in metadata_props."
    )
    onnx.save(proto, os.fspath(path))


# --------------------------------------------------------------------------- the check


def _runner(fmt: str, path: str) -> Callable[[torch.Tensor], torch.Tensor]:
    """A function that runs the exported file on a float32 NCHW batch."""
    if fmt == "torchscript":
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", FutureWarning)
            loaded = torch.jit.load(path, map_location="cpu")
        loaded.eval()

        def run_ts(batch: torch.Tensor) -> torch.Tensor:
            with torch.inference_mode():
                return loaded(batch).float()

        return run_ts
    require_onnx()
    import onnxruntime as ort

    session = ort.InferenceSession(path, providers=["CPUExecutionProvider"])
    name = session.get_inputs()[0].name

    def run_onnx(batch: torch.Tensor) -> torch.Tensor:
        return torch.from_numpy(session.run(None, {name: batch.numpy()})[0]).float()

    return run_onnx


def check_file(
    fmt: str, path: str | os.PathLike, model: torch.nn.Module, inputs: torch.Tensor, source: str
) -> CheckResult:
    """Run the exported file and the bundle's float32 network on ``inputs`` and compare."""
    t0 = time.perf_counter()
    run = _runner(fmt, os.fspath(path))
    agree, worst = 0, 0.0
    model = model.eval().float()
    for start in range(0, inputs.shape[0], _CHUNK):
        batch = inputs[start : start + _CHUNK].contiguous()
        with torch.inference_mode():
            want = model(batch).float()
        got = run(batch)
        if got.shape != want.shape:
            raise ExportError(
                f"The exported {fmt} file gives logits of shape {tuple(got.shape)} where the "
                f"bundle gives {tuple(want.shape)}; the file was not written."
            )
        diff = (got - want).abs().max().item() if got.numel() else 0.0
        worst = max(worst, diff if np.isfinite(diff) else float("inf"))
        agree += int((got.argmax(1) == want.argmax(1)).sum())
    seconds = time.perf_counter() - t0
    return CheckResult(int(inputs.shape[0]), agree, float(worst), source, seconds)


def _check_failure(fmt: str, check: CheckResult) -> ExportError:
    return ExportError(
        f"The exported {fmt} file does not predict what the bundle predicts: top-1 differs "
        f"on {check.images - check.top1_agree} of {check.images} images and the largest "
        f"logit difference is {check.max_logit_diff:.3g} (allowed: below "
        f"{MAX_LOGIT_DIFF:g}); the file was not written."
    )


# --------------------------------------------------------------------------- check images


def _synthetic_images(bundle: dict, n: int) -> list[Image.Image]:
    """Seeded smooth colour blobs plus noise, a bit larger than the input, not square."""
    rng = np.random.default_rng(0)
    side = max(int(bundle["input_size"]), 16)
    size = (side + side // 4, side + side // 8)  # (width, height): Resize and crops matter
    mode = "L" if bundle["in_channels"] == 1 else "RGB"
    images = []
    for _ in range(n):
        coarse = rng.integers(0, 256, size=(6, 6, 3), dtype=np.uint8)
        image = Image.fromarray(coarse).resize(size, Image.Resampling.BICUBIC)
        noise = rng.normal(0, 12, size=(size[1], size[0], 3))
        arr = np.clip(np.asarray(image, dtype=np.float64) + noise, 0, 255).astype(np.uint8)
        images.append(Image.fromarray(arr).convert(mode))
    return images


def _dataset_images(bundle: dict, n: int) -> list[Image.Image]:
    """A few images of the run's own dataset (one per class), when it is still there."""
    from core.data import sample_images

    source = bundle["config"].get("data")
    if not isinstance(source, str) or not source:
        return []
    try:
        per_class = sample_images(source, per_class=1, seed=0)
    except Exception:  # the folder moved, or was never on this machine
        return []
    return [image for images in per_class.values() for image in images][:n]


def _check_inputs(
    bundle: dict, preprocess: Callable[[Any], torch.Tensor], paths: Sequence[str] | None
) -> tuple[torch.Tensor, str]:
    """The check's batch (preprocessed as the app does it) and where it came from."""
    if paths:
        from core.predict import iter_image_files

        tensors, problems = [], []
        for path in iter_image_files(paths)[:MAX_CHECK_IMAGES]:
            try:
                tensors.append(preprocess(path))
            except (ValueError, OSError) as exc:  # an unreadable file is not used
                problems.append(f"{path}: {exc}")
        if not tensors:
            first = f" ({problems[0]})" if problems else ""
            raise ValueError(
                f"none of the --check paths ({', '.join(map(str, paths))}) holds a readable "
                f"image{first}; give image files or folders of images."
            )
        return torch.stack(tensors), f"{len(tensors)} given images"
    images = _dataset_images(bundle, CHECK_SAMPLES)
    count = len(images)
    images += _synthetic_images(bundle, max(2, CHECK_SAMPLES - count))
    where = f"{count} dataset samples + {len(images) - count} synthetic" if count else "synthetic"
    return torch.stack([preprocess(image) for image in images]), where


# --------------------------------------------------------------------------- entry point


def _load(bundle_or_path: dict | str | os.PathLike) -> tuple[dict, str]:
    if isinstance(bundle_or_path, dict):
        return checkpoint.check_bundle(bundle_or_path), "the bundle"
    return checkpoint.load_bundle(bundle_or_path), os.fspath(bundle_or_path)


def _resolved(path: str | os.PathLike) -> pathlib.Path:
    return pathlib.Path(path).resolve()


@contextlib.contextmanager
def _temp_next_to(out: pathlib.Path):
    """A temporary path in ``out``'s folder, removed unless the caller renamed it."""
    fd, name = tempfile.mkstemp(prefix=f".{out.name}.", suffix=".tmp", dir=out.parent)
    os.close(fd)
    try:
        yield name
    finally:
        with contextlib.suppress(OSError):
            os.unlink(name)


def _write_text(text: str, out: pathlib.Path) -> None:
    with atomic_write(out, "w", encoding="utf-8") as fh:
        fh.write(text)


def _export_text(fmt: str, bundle: dict, source: str, out: pathlib.Path) -> ExportResult:
    t0 = time.perf_counter()
    if fmt == "snippet":
        from core.export_snippet import usage_snippet

        text = usage_snippet(bundle, source)
    else:
        from core.export_script import training_script

        text = training_script(bundle, source)
    _write_text(text, out)
    return ExportResult(fmt, str(out), out.stat().st_size, time.perf_counter() - t0)


def export_model(
    bundle_or_path: dict | str | os.PathLike,
    fmt: str,
    out: str | os.PathLike,
    *,
    check_images: Sequence[str] | None = None,
) -> ExportResult:
    """Write ``bundle_or_path`` as ``fmt`` to ``out``; model files are checked first.

    BundleError/ValueError: bad input (a damaged bundle, no readable --check image);
    ExportError: the export failed or the file disagreed with the bundle (nothing is
    written then); MissingExtraError: ONNX packages missing.
    """
    if fmt not in FORMATS:
        raise ValueError(f"unknown export format {fmt!r}; choose one of {', '.join(FORMATS)}.")
    out = pathlib.Path(out)
    if not out.parent.is_dir():
        raise ValueError(f"the folder of {out} does not exist.")
    if fmt == "onnx":
        require_onnx()  # before the slow part
    if not isinstance(bundle_or_path, dict) and out.resolve() == _resolved(bundle_or_path):
        raise ValueError(f"{out} is the bundle itself; write the export to another file.")
    bundle, source = _load(bundle_or_path)
    if fmt in ("snippet", "script"):
        return _export_text(fmt, bundle, source, out)
    from core.predict import Predictor

    predictor = Predictor(bundle)  # preprocesses as the app does
    # its float32 eager network is the reference; exported in the plain memory layout
    model = predictor.model.to(memory_format=torch.contiguous_format).float().eval()
    inputs, where = _check_inputs(bundle, predictor.preprocess, check_images)
    writer = export_torchscript if fmt == "torchscript" else export_onnx
    with _temp_next_to(out) as tmp:
        t0 = time.perf_counter()
        try:
            writer(model, bundle, tmp)
        except ExportError:
            raise
        except Exception as exc:
            raise ExportError(f"{fmt} export of {bundle['arch']} failed: {exc}") from exc
        seconds = time.perf_counter() - t0
        check = check_file(fmt, tmp, model, inputs, where)
        if not check.passed:
            raise _check_failure(fmt, check)
        os.chmod(tmp, 0o644)
        os.replace(tmp, out)
    return ExportResult(fmt, str(out), out.stat().st_size, seconds, check)
