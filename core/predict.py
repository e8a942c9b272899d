"""Prediction with a saved bundle: top-k classes, batches of files, Grad-CAM, CSV.

Images are preprocessed with the bundle's own eval transforms, so the app, the CLI and
any export agree on what the model sees.
"""

from __future__ import annotations

import contextlib
import copy
import csv
import os
import pathlib
import threading
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image

from core import checkpoint, models
from core.atomic import atomic_write
from core.augment import build_pipeline
from core.data import IMAGE_EXTENSIONS, ImageLoadError, convert_image, load_image
from core.textsafe import csv_cell, printable
from core.trainsetup import resolve_device

__all__ = ["Prediction", "Predictor", "iter_image_files", "write_csv"]

_BATCH = 16
#: prediction precisions: float32 by default, bfloat16 autocast only when asked
PREDICT_PRECISIONS = ("fp32", "bf16")


@dataclass
class Prediction:
    """One image's result: top-k (class, probability), or the reason it failed."""

    path: str | None
    topk: list[tuple[str, float]] = field(default_factory=list)
    error: str | None = None

    def to_dict(self) -> dict:
        """The CLI's JSON shape: {"path", "topk": [{"class", "prob"}]} or {"path", "error"}.

        Names that are not valid UTF-8 come out with each such byte as \\xNN
        (core.textsafe), so the JSON can always be printed and parsed.
        """
        path = printable(self.path) if self.path is not None else None
        if self.error is not None:
            return {"path": path, "error": printable(self.error)}
        return {"path": path, "topk": [{"class": printable(c), "prob": p} for c, p in self.topk]}


# --------------------------------------------------------------------------- image helpers


def _as_float_tensor(value: Any) -> torch.Tensor:
    """The pipeline's output as a plain float CxHxW tensor, whatever its last step was."""
    if isinstance(value, Image.Image):
        arr = np.asarray(value, dtype=np.float32) / 255.0
        tensor = torch.from_numpy(arr.copy())
        tensor = tensor.unsqueeze(0) if tensor.dim() == 2 else tensor.permute(2, 0, 1)
        return tensor.contiguous()
    if not isinstance(value, torch.Tensor):
        raise ValueError(f"the eval transforms produced a {type(value).__name__}, not an image")
    tensor = value.as_subclass(torch.Tensor)
    if not tensor.is_floating_point():
        tensor = tensor.float() / 255.0 if tensor.dtype == torch.uint8 else tensor.float()
    if tensor.dim() == 2:
        tensor = tensor.unsqueeze(0)
    return tensor


def _fit_channels(tensor: torch.Tensor, channels: int) -> torch.Tensor:
    have = tensor.shape[0]
    if have == channels:
        return tensor
    if channels == 1:
        return tensor.mean(dim=0, keepdim=True)
    if have == 1:
        return tensor.expand(channels, -1, -1).contiguous()
    raise ValueError(f"the eval transforms give {have} channels but the model needs {channels}")


# --------------------------------------------------------------------------- predictor


def _noise(shape: Sequence[int]) -> torch.Tensor:
    """A picture of noise to check a rewritten network on, from a generator of its own:
    a run training meanwhile keeps its random numbers (core.rng)."""
    return torch.rand(tuple(shape), generator=torch.Generator().manual_seed(0))


def _fold_batchnorm(
    model: torch.nn.Module, channels_last: bool, example: torch.Tensor
) -> torch.nn.Module:
    """An eval-only copy of ``model`` with conv+BatchNorm pairs folded into one conv.

    A pair is a Conv2d and the BatchNorm2d registered right after it in the same parent
    (nn.Sequential, torchvision's ResNet blocks, VGG), folded by
    ``torch.nn.utils.fusion.fuse_conv_bn_eval``, the BatchNorm replaced by Identity. The
    copy is checked on ``example`` against ``model``, which is returned when they
    disagree (a network whose forward does not follow that order), when nothing was
    folded, or when it has no BatchNorm. Not torch.fx's ``fuse``: its tracing patches
    nn.Module.__call__ for the whole process while it runs, so a run training or a
    preview rendering on another thread meanwhile failed ("module is not installed as
    a submodule").
    """
    from torch.nn.utils.fusion import fuse_conv_bn_eval

    if model.training or not any(
        isinstance(m, torch.nn.modules.batchnorm._BatchNorm) for m in model.modules()
    ):
        return model
    # Only convs and BatchNorms are copied; the other layers' weights (a VGG's big
    # linear head) are shared with ``model`` instead of doubling the memory.
    copied = (torch.nn.modules.conv._ConvNd, torch.nn.modules.batchnorm._BatchNorm)
    memo = {
        id(t): t
        for m in model.modules()
        if not isinstance(m, copied)
        for t in (*m.parameters(recurse=False), *m.buffers(recurse=False))
    }
    folded = copy.deepcopy(model, memo).eval()
    pairs = 0
    for parent in list(folded.modules()):
        names = list(parent._modules)
        for first, second in zip(names, names[1:], strict=False):
            conv, bn = parent._modules[first], parent._modules[second]
            if (
                type(conv) is torch.nn.Conv2d
                and type(bn) is torch.nn.BatchNorm2d
                and bn.track_running_stats
                and bn.num_features == conv.out_channels
            ):
                parent._modules[first] = fuse_conv_bn_eval(conv, bn)
                parent._modules[second] = torch.nn.Identity()
                pairs += 1
    if not pairs:
        return model
    if channels_last:
        folded = folded.to(memory_format=torch.channels_last)
        example = example.contiguous(memory_format=torch.channels_last)
    with torch.inference_mode():
        want, got = model(example), folded(example)
    if want.shape != got.shape or not torch.allclose(got, want, rtol=1e-3, atol=1e-3):
        return model
    return folded


class Predictor:
    """A loaded bundle ready to classify images.

    Safe to share between threads: calls into the network are serialised by a lock,
    because Grad-CAM temporarily hooks into it.

    ``precision`` is "fp32" by default: the same answers on every CPU and in every
    exported file. "bf16" (bfloat16 autocast) only when asked: on a CPU with
    AVX512-BF16/AMX a single resnet18 picture took 13.8 ms with it against 9.3 ms for
    the packed float32 copy, and its top-1 agreed with float32 on 95.3% of 64 inputs.
    """

    def __init__(
        self,
        bundle_or_path: dict | str | os.PathLike,
        device: str = "cpu",
        precision: str = "fp32",
    ) -> None:
        if isinstance(bundle_or_path, dict):
            self.bundle = checkpoint.check_bundle(bundle_or_path)
            self.path: str | None = None
        else:
            self.bundle = checkpoint.load_bundle(bundle_or_path)
            self.path = str(bundle_or_path)
        b = self.bundle
        self.arch: str = b["arch"]
        self.class_names: list[str] = list(b["class_names"])
        self.in_channels: int = b["in_channels"]
        self.input_size: int = b["input_size"]
        self.epoch: int = b["epoch"]
        self.val_acc: float | None = self._val_acc(b)
        if device in (None, "auto"):
            device = "cuda" if torch.cuda.is_available() else "cpu"
        self.device = resolve_device(device)  # one clear line for cuda without a GPU, typos
        try:
            self.transform = build_pipeline(b["eval_transforms"])
            # large photos are decoded reduced to what the eval pipeline needs (core.images)
            self._min_side = self.transform.input_min_side
        except ValueError as exc:
            raise checkpoint.BundleError(
                f"The bundle's eval transforms are invalid: {exc}"
            ) from exc
        self.model = checkpoint.model_from_bundle(b).to(self.device)
        self._channels_last = models.ARCHS[self.arch].family != "mlp"
        if self._channels_last:
            self.model = self.model.to(memory_format=torch.channels_last)
        # Grad-CAM hooks into ``self.model``; plain predictions use a copy with each
        # BatchNorm folded into the conv before it (same numbers, fewer passes over memory).
        size = int(b["input_size"])
        example = _noise((2, self.in_channels, size, size)).to(self.device)
        self.inference_model = _fold_batchnorm(self.model, self._channels_last, example)
        self.use_bf16 = self._want_bf16(precision)
        self._lock = threading.Lock()
        self._single_model: torch.nn.Module | None = None  # made by warm_up

    # ----------------------------------------------------------------- metadata

    @staticmethod
    def _val_acc(bundle: dict) -> float | None:
        for source, key in (
            (bundle["metrics"], "val_acc"),
            (bundle["metrics"], "best_val_acc"),
            (bundle, "best_val_acc"),
        ):
            value = source.get(key)
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                return float(value)
        return None

    @staticmethod
    def _want_bf16(precision: str) -> bool:
        if precision not in PREDICT_PRECISIONS:
            raise ValueError(
                f"precision must be {' or '.join(PREDICT_PRECISIONS)}, not {precision!r}"
            )
        return precision == "bf16"

    def info(self) -> dict:
        """What the Predict panel and `predict --json` show about the model."""
        trainable, total = models.count_parameters(self.model)
        return {
            "arch": self.arch,
            "class_names": list(self.class_names),
            "num_classes": len(self.class_names),
            "in_channels": self.in_channels,
            "input_size": self.input_size,
            "val_acc": self.val_acc,
            "epoch": self.epoch,
            "path": self.path,
            "parameters": total,
            "eval_transforms": self.bundle["eval_transforms"],
            "device": str(self.device),
            "precision": "bf16" if self.use_bf16 else "fp32",
        }

    # ----------------------------------------------------------------- preprocessing

    def load(self, image: str | os.PathLike | Image.Image) -> Image.Image:
        """The image as the model's channel count ("L" or "RGB"); ImageLoadError if unusable."""
        if isinstance(image, Image.Image):
            return convert_image(image, self.in_channels)
        return load_image(image, channels=self.in_channels, min_side=self._min_side)

    def preprocess(
        self, image: str | os.PathLike | Image.Image, *, loaded: bool = False
    ) -> torch.Tensor:
        """CxHxW float tensor exactly as the model gets it (eval transforms, model size).

        ``loaded=True`` says ``image`` already came from :meth:`load`, which skips a
        second, identical conversion (two full-size copies of a photo).
        """
        if not (loaded and isinstance(image, Image.Image)):
            image = self.load(image)
        tensor = _as_float_tensor(self.transform(image))
        tensor = _fit_channels(tensor, self.in_channels)
        size = self.input_size
        if tuple(tensor.shape[-2:]) != (size, size):
            # A photo of another size than the training images: match what the model saw.
            tensor = F.interpolate(
                tensor.unsqueeze(0), size=(size, size), mode="bilinear", antialias=True
            )[0]
        return tensor

    def _to_device(self, batch: torch.Tensor) -> torch.Tensor:
        batch = batch.to(self.device)
        if self._channels_last:
            batch = batch.contiguous(memory_format=torch.channels_last)
        return batch

    def _autocast(self):
        if self.use_bf16:
            return torch.autocast(self.device.type, dtype=torch.bfloat16)
        return contextlib.nullcontext()

    def _model_for(self, batch: torch.Tensor) -> torch.nn.Module:
        """The network for ``batch``: after warm_up(fast_single=True), single pictures get
        packed conv weights.

        The packed copy's weights are laid out for a batch of one, so batches keep the
        folded model.
        """
        if batch.shape[0] == 1 and self._single_model is not None:
            return self._single_model
        return self.inference_model

    def _logits(self, batch: torch.Tensor) -> torch.Tensor:
        with self._lock, torch.inference_mode(), self._autocast():
            batch = self._to_device(batch)
            return self._model_for(batch)(batch).float()

    def _probabilities(self, batch: torch.Tensor) -> torch.Tensor:
        return torch.softmax(self._logits(batch), dim=1).cpu()

    def log_probabilities(self, batch: torch.Tensor) -> torch.Tensor:
        """log-softmax of an NxCxHxW batch from :meth:`preprocess` (evaluation's losses)."""
        return torch.log_softmax(self._logits(batch), dim=1).cpu()

    def warm_up(self, fast_single: bool = False) -> None:
        """Get ready for pictures one at a time (the app's drops), off the GUI thread.

        One forward pass sets up the kernels and memory (oneDNN primitives, allocator
        caches) so the first real prediction is not slow. ``fast_single`` (CPU, float32)
        also packs the conv weights for a batch of one (core.fastpath; about 0.1 s for
        resnet18, so one-off CLI runs skip it).
        """
        size = self.input_size
        blank = torch.zeros(1, self.in_channels, size, size)
        if (
            fast_single
            and self._single_model is None
            and self.device.type == "cpu"
            and not self.use_bf16
        ):
            from core import fastpath

            # checked on a random picture: a blank one would hardly test the weights
            example = self._to_device(_noise(blank.shape))
            with self._lock:
                self._single_model = fastpath.pack_convs(self.inference_model, example)
        self._probabilities(blank)

    def _topk(self, probs: torch.Tensor, k: int) -> list[tuple[str, float]]:
        k = max(1, min(int(k), len(self.class_names)))
        values, indices = torch.topk(probs, k)
        return [
            (self.class_names[i], float(v))
            for v, i in zip(values.tolist(), indices.tolist(), strict=True)
        ]

    # ----------------------------------------------------------------- prediction

    def predict(
        self, image: str | os.PathLike | Image.Image, k: int = 5, *, loaded: bool = False
    ) -> list[tuple[str, float]]:
        """Top-k (class name, probability), most likely first; ImageLoadError if unreadable.

        ``loaded`` as for :meth:`preprocess`.
        """
        return self.predict_preprocessed(self.preprocess(image, loaded=loaded), k)

    def predict_preprocessed(self, tensor: torch.Tensor, k: int = 5) -> list[tuple[str, float]]:
        """Top-k for one CxHxW tensor that came from :meth:`preprocess` (prepared ahead)."""
        probs = self._probabilities(tensor.unsqueeze(0))[0]
        return self._topk(probs, k)

    def predict_many(
        self,
        paths: Sequence[str | os.PathLike],
        k: int = 5,
        progress: Callable[[int, int], None] | None = None,
        should_stop: Callable[[], bool] | None = None,
        on_result: Callable[[Prediction], None] | None = None,
    ) -> list[Prediction]:
        """Predict files in batches; an unreadable file gets Prediction(error=reason).

        Stops early (returning the results so far) when ``should_stop()`` turns true.
        ``on_result(prediction)`` is called for each result as soon as it is made, in
        order (the GUI shows rows while a long batch runs).
        """
        paths = [os.fspath(p) for p in paths]
        results: list[Prediction] = []
        pending: list[tuple[str, torch.Tensor]] = []
        total = len(paths)

        def add(*made: Prediction) -> None:
            results.extend(made)
            if on_result is not None:
                for prediction in made:
                    on_result(prediction)

        def flush() -> None:
            if pending:
                probs = self._probabilities(torch.stack([t for _, t in pending]))
                add(
                    *(
                        Prediction(p, self._topk(row, k))
                        for (p, _), row in zip(pending, probs, strict=True)
                    )
                )
                pending.clear()
            if progress is not None:
                progress(len(results), total)

        for path in paths:
            if should_stop is not None and should_stop():
                break
            try:
                pending.append((path, self.preprocess(path)))
            except (ImageLoadError, OSError, ValueError, RuntimeError) as exc:
                flush()
                add(Prediction(path, [], error=str(exc) or type(exc).__name__))
                if progress is not None:
                    progress(len(results), total)
                continue
            if len(pending) >= _BATCH:
                flush()
        flush()
        return results

    # ----------------------------------------------------------------- Grad-CAM

    def gradcam(
        self,
        image: str | os.PathLike | Image.Image,
        class_index: int | None = None,
        method: str = "hirescam",
    ) -> np.ndarray:
        """Where the model looked: an HxW float32 array in [0, 1] at the model-input size.

        The last conv block's activations are weighed by the gradient of the class score,
        summed over channels, ReLU'd, upsampled and scaled to a maximum of 1.
        ``method="gradcam"`` averages each channel's gradient over the map first (the
        original Grad-CAM); the default ``"hirescam"`` multiplies gradient and activation
        element-wise (HiResCAM, a Grad-CAM variant). The two are identical for heads that
        average-pool straight into the classifier (ResNet), but where the head keeps
        positions (VGG, smallcnn) averaging can cancel out and miss the evidence, while
        the element-wise map shows each position's real contribution.
        ``class_index`` None explains the top-1 class. ModelError for the mlp.
        """
        if method not in ("hirescam", "gradcam"):
            raise ValueError(f"method must be 'hirescam' or 'gradcam', not {method!r}")
        layer = models.gradcam_layer(self.model, self.arch)
        x = self._to_device(self.preprocess(image).unsqueeze(0))
        acts, grads = self._activations_and_gradients(layer, x, class_index)
        if method == "gradcam":
            grads = grads.mean(dim=(2, 3), keepdim=True)
        cam = F.relu((grads * acts).sum(dim=1, keepdim=True)).float()
        cam = F.interpolate(cam, size=tuple(x.shape[-2:]), mode="bilinear", align_corners=False)
        cam = cam[0, 0].cpu().numpy()
        top = float(cam.max())
        if not np.isfinite(top) or top <= 0.0:
            return np.zeros(cam.shape, dtype=np.float32)
        return np.clip(cam / top, 0.0, 1.0).astype(np.float32)

    def _activations_and_gradients(
        self, layer: torch.nn.Module, x: torch.Tensor, class_index: int | None
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """The layer's output (forward hook) and d(class score)/d(output) for one image."""
        captured: dict[str, torch.Tensor] = {}

        def keep(module, inputs, output) -> None:
            captured["acts"] = output

        with self._lock:
            handle = layer.register_forward_hook(keep)
            try:
                with torch.enable_grad():
                    x = x.detach().requires_grad_(True)  # grads flow through a frozen backbone
                    logits = self.model(x)
                    if class_index is None:
                        class_index = int(logits[0].argmax())
                    if not 0 <= class_index < logits.shape[1]:
                        raise ValueError(f"class_index {class_index} is out of range")
                    acts = captured["acts"]
                    (grads,) = torch.autograd.grad(logits[0, class_index], acts)
            finally:
                handle.remove()
        return acts.detach(), grads.detach()


# --------------------------------------------------------------------------- files and CSV


def _is_hidden(name: str) -> bool:
    return name.startswith(".")


def iter_image_files(paths: Iterable[str | os.PathLike]) -> list[str]:
    """Files as given, plus image files found by walking folders (each folder sorted).

    A path that does not exist is kept so that prediction reports it as an error.
    """
    found: list[str] = []
    seen: set[str] = set()

    def add(path: str) -> None:
        if path not in seen:
            seen.add(path)
            found.append(path)

    for item in paths:
        path = os.fspath(item)
        if not os.path.isdir(path):
            add(path)
            continue
        for folder, dirnames, filenames in os.walk(path):
            dirnames[:] = sorted(d for d in dirnames if not _is_hidden(d))
            for name in sorted(filenames):
                if not _is_hidden(name) and name.lower().endswith(IMAGE_EXTENSIONS):
                    add(os.path.join(folder, name))
    return found


def csv_header(k: int) -> list[str]:
    """path,top1,prob,top2,prob2,...,topk,probk,error."""
    header = ["path", "top1", "prob"]
    for i in range(2, k + 1):
        header += [f"top{i}", f"prob{i}"]
    return header + ["error"]


#: top-k columns written at most when the class count is not given (k is clamped to the
#: class count wherever it is known: --topk 100000000 once made a 23.8 GB header)
MAX_TOPK = 1000


def clamp_k(k: int, num_classes: int | None = None) -> int:
    """k between 1 and the class count (or :data:`MAX_TOPK`)."""
    return max(1, min(int(k), num_classes or MAX_TOPK, MAX_TOPK))


def write_csv(
    predictions: Iterable[Prediction],
    path: str | os.PathLike,
    k: int = 5,
    num_classes: int | None = None,
) -> None:
    """One row per image; files that failed leave the class columns empty and fill `error`.

    Written atomically (core.atomic). Names go through core.textsafe.csv_cell: bytes
    that are not UTF-8 as \\xNN, and a leading = + - @ quoted so that no spreadsheet
    runs it as a formula.
    """
    k = clamp_k(k, num_classes)
    with atomic_write(pathlib.Path(path), "w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(csv_header(k))
        for pred in predictions:
            row: list[str] = [csv_cell(pred.path)]
            for i in range(k):
                if i < len(pred.topk):
                    name, prob = pred.topk[i]
                    row += [csv_cell(name), f"{prob:.6f}"]
                else:
                    row += ["", ""]
            writer.writerow(row + [csv_cell(pred.error)])


def check_csv_target(
    csv_path: str | os.PathLike, model_path: str | os.PathLike | None, inputs: Iterable[str]
) -> None:
    """Refuse a --csv that would write over the model or an input image (ValueError)."""
    target = pathlib.Path(csv_path)
    if target.is_dir():
        raise ValueError(f"--csv {target} is a folder; give a file name such as results.csv.")
    if not target.parent.is_dir():
        raise ValueError(f"the folder of --csv {target} does not exist.")
    if not target.exists():
        return
    protected = [("the model", model_path)] if model_path else []
    protected += [("an input image", p) for p in inputs]
    for what, other in protected:
        with contextlib.suppress(OSError):
            if os.path.samefile(target, other):
                raise ValueError(
                    f"--csv {printable(target)} is {what}; it would be overwritten. "
                    "Choose another file name, such as results.csv."
                )
    with contextlib.suppress(OSError), open(target, "rb") as fh:
        if fh.read(4) == b"PK\x03\x04":  # a zip: how torch.save writes every bundle
            raise ValueError(
                f"--csv {printable(target)} holds a model bundle or an archive, not a CSV; "
                "choose another file name, such as results.csv."
            )
    if target.suffix.lower() in (".pt", ".pth", *IMAGE_EXTENSIONS):
        raise ValueError(
            f"--csv {printable(target)} is an existing {target.suffix} file, not a CSV; "
            "choose another file name, such as results.csv."
        )
