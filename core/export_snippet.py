"""``export --format snippet``: a small runnable file that uses the exported models.

``python use_model.py MODEL.pt IMAGE...`` (TorchScript, with torch) or ``python
use_model.py MODEL.onnx IMAGE...`` (ONNX, with onnxruntime) prints the top classes of
each image. It preprocesses exactly as ConvStudio does: the bundle's evaluation
pipeline as torchvision source (core.augment's code export) and, when that pipeline
only resizes, crops, converts and normalises, the same steps in Pillow and numpy, so
the ONNX file runs without torch. The class names come from the exported file's own
metadata.
"""

from __future__ import annotations

import json

from core.augment import enabled_steps, normalize_stats, spec_to_code

__all__ = ["compose_lines", "doc_text", "numpy_ready", "usage_snippet"]

#: steps the Pillow + numpy preprocessing reproduces number for number
NUMPY_STEPS = ("Resize", "CenterCrop", "Grayscale", "ToTensor", "Normalize")
_RESAMPLE = {"nearest": "NEAREST", "bilinear": "BILINEAR", "bicubic": "BICUBIC"}


def numpy_ready(spec: list) -> bool:
    """True when Pillow + numpy can reproduce ``spec`` (simple steps, ToTensor last but Normalize)."""
    steps = enabled_steps(spec)
    names = [s["name"] for s in steps]
    if "ToTensor" not in names or any(n not in NUMPY_STEPS for n in names):
        return False
    tensor_at = names.index("ToTensor")
    before, after = names[:tensor_at], names[tensor_at + 1 :]
    if any(n == "Normalize" for n in before) or any(n != "Normalize" for n in after):
        return False
    return all(s["params"].get("max_size") is None for s in steps if s["name"] == "Resize")


def doc_text(text: str) -> str:
    """``text`` made safe inside a generated docstring (quotes, backslashes, odd bytes)."""
    return json.dumps(str(text))[1:-1]


def compose_lines(spec: list) -> list[str]:
    """The ``v2.Compose([...])`` entries of core.augment's code export, one per line."""
    lines = spec_to_code(spec).splitlines()
    start = lines.index("transform = v2.Compose([")
    end = len(lines) - 1 - lines[::-1].index("])")
    return [line.strip() for line in lines[start + 1 : end]]


_HEADER = '''"""Use the model exported from __SOURCE__ outside ConvStudio.

__ARCH__, __NCLASSES__ classes, __CHANNELS__-channel __SIZE__x__SIZE__ input. Run:

    python __FILE__ MODEL.pt IMAGE...    # TorchScript: torch + torchvision
    python __FILE__ MODEL.onnx IMAGE...  # ONNX: __ONNX_NEEDS__

It prints the top 3 classes of each image. Images are preprocessed exactly as in
ConvStudio (the run's evaluation pipeline), so the answers are the app's. The files
also carry it: TorchScript in extra files (class_names.json, preprocess.json),
ONNX in metadata_props (class_names, resize, crop, mean, std, channels).
"""

import json
import sys
import warnings

import numpy as np
from PIL import Image, ImageOps

CLASS_NAMES = __CLASS_NAMES__
CHANNELS = __CHANNELS__  # 1: grey ("L"), 3: colour ("RGB")
INPUT_SIZE = __SIZE__  # the network's input is CHANNELS x INPUT_SIZE x INPUT_SIZE
MEAN = __MEAN__
STD = __STD__


def load_image(path):
    """The picture as ConvStudio reads it: EXIF rotation applied, transparency on white."""
    image = ImageOps.exif_transpose(Image.open(path))
    if image.mode in ("RGBA", "LA", "PA", "RGBa", "La") or "transparency" in image.info:
        rgba = image.convert("RGBA")
        white = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        image = Image.alpha_composite(white, rgba)
    return image.convert("L" if CHANNELS == 1 else "RGB")


def preprocess_torch(image):
    """The evaluation pipeline in torchvision (ConvStudio's own code): 1 x C x H x W."""
    import torch
    import torch.nn.functional as F
    from torchvision.transforms import v2

    transform = v2.Compose(
        [
__COMPOSE__
        ]
    )
    x = transform(image).unsqueeze(0)
    if tuple(x.shape[-2:]) != (INPUT_SIZE, INPUT_SIZE):  # as the app: the training size
        x = F.interpolate(x, size=(INPUT_SIZE, INPUT_SIZE), mode="bilinear", antialias=True)
    return x
'''

_RESIZE = '''

def resize(image, size, resample):
    """torchvision's Resize on a Pillow image: one number is the shorter side."""
    w, h = image.size
    if isinstance(size, int):
        short, long = (w, h) if w <= h else (h, w)
        new_short, new_long = size, int(size * long / short)
        new_w, new_h = (new_short, new_long) if w <= h else (new_long, new_short)
    else:
        new_h, new_w = size
    return image.resize((new_w, new_h), resample)
'''

_CROP = '''

def center_crop(image, size):
    """torchvision's CenterCrop: pads with zeros when the crop is larger than the image."""
    crop_h, crop_w = (size, size) if isinstance(size, int) else size
    w, h = image.size
    if crop_w > w or crop_h > h:
        padded = Image.new(image.mode, (max(w, crop_w), max(h, crop_h)), 0)
        left, top = max(crop_w - w, 0) // 2, max(crop_h - h, 0) // 2
        padded.paste(image, (left, top))
        image, (w, h) = padded, padded.size
    top, left = int(round((h - crop_h) / 2.0)), int(round((w - crop_w) / 2.0))
    return image.crop((left, top, left + crop_w, top + crop_h))
'''

_NUMPY = '''

def preprocess_numpy(image):
    """The same steps with Pillow and numpy, no torch needed: 1 x C x H x W float32."""
__NUMPY_STEPS__
    return x[None]
'''

_RUN = '''

def softmax(logits):
    e = np.exp(logits - logits.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def predict_torchscript(model_path, images):
    """TorchScript: torch.jit.load, eval mode, a batch of preprocessed images."""
    import torch

    # torch >= 2.9 calls torch.jit deprecated in favour of torch.export; TorchScript
    # files still load with every torch version, which is why ConvStudio writes them
    warnings.filterwarnings("ignore", category=FutureWarning, module="torch.jit")
    extra = {"class_names.json": ""}  # filled from the file
    model = torch.jit.load(model_path, map_location="cpu", _extra_files=extra)
    model.eval()
    names = json.loads(extra["class_names.json"]) or CLASS_NAMES
    batch = torch.cat([preprocess_torch(image) for image in images])
    with torch.no_grad():
        logits = model(batch)
    return names, softmax(logits.numpy())


def predict_onnx(model_path, images):
    """ONNX: an onnxruntime session on the CPU; the input is named "input" (N x C x H x W)."""
    import onnxruntime as ort

    session = ort.InferenceSession(model_path, providers=["CPUExecutionProvider"])
    meta = session.get_modelmeta().custom_metadata_map
    names = json.loads(meta.get("class_names", "null")) or CLASS_NAMES
    batch = np.concatenate([__ONNX_PREPROCESS__ for image in images]).astype(np.float32)
    (logits,) = session.run(None, {"input": batch})
    return names, softmax(logits)


def main(argv):
    if len(argv) < 2:
        print(__doc__)
        return 2
    model_path, paths = argv[0], argv[1:]
    images = [load_image(path) for path in paths]
    run = predict_onnx if model_path.endswith(".onnx") else predict_torchscript
    names, probs = run(model_path, images)
    for path, row in zip(paths, probs, strict=True):
        top = np.argsort(-row)[:3]
        print(f"{path}: " + ", ".join(f"{names[i]} {row[i]:.6f}" for i in top))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
'''


def _numpy_steps(spec: list) -> list[str]:
    """The body of preprocess_numpy: one line (or two) per step, in the pipeline's order."""
    out = []
    for step in enabled_steps(spec):
        name, params = step["name"], step["params"]
        if name == "Resize":
            resample = _RESAMPLE.get(params.get("interpolation", "bilinear"), "BILINEAR")
            out.append(f"image = resize(image, {params['size']!r}, Image.Resampling.{resample})")
        elif name == "CenterCrop":
            out.append(f"image = center_crop(image, {params['size']!r})")
        elif name == "Grayscale":
            mode = "L" if params.get("num_output_channels", 1) == 1 else "RGB"
            out.append(f'image = image.convert("L").convert("{mode}")  # Grayscale')
        elif name == "ToTensor":
            out += [
                "x = np.asarray(image, dtype=np.float32) * np.float32(1.0 / 255.0)  # ToTensor",
                "x = x[None] if x.ndim == 2 else x.transpose(2, 0, 1)  # channels first",
            ]
        elif name == "Normalize":
            out += [
                f"mean, std = np.float32({params['mean']!r}), np.float32({params['std']!r})",
                "x = (x - mean[:, None, None]) / std[:, None, None]  # Normalize",
            ]
    return ["    " + line for line in out]


def usage_snippet(bundle: dict, source: str = "the bundle", file_name: str = "use_model.py") -> str:
    """The runnable usage file for the models exported from ``bundle``."""
    spec = bundle["eval_transforms"]
    channels = int(bundle["in_channels"])
    stats = normalize_stats(spec) or ([0.0] * channels, [1.0] * channels)
    plain = numpy_ready(spec)
    names = {step["name"] for step in enabled_steps(spec)}
    helpers = ""
    if plain:
        helpers += _RESIZE if "Resize" in names else ""
        helpers += _CROP if "CenterCrop" in names else ""
        helpers += _NUMPY
    text = _HEADER + helpers + _RUN
    values = {
        "__SOURCE__": doc_text(source or "the bundle"),
        "__ARCH__": str(bundle["arch"]),
        "__NCLASSES__": str(len(bundle["class_names"])),
        "__CHANNELS__": str(channels),
        "__SIZE__": str(int(bundle["input_size"])),
        "__FILE__": file_name,
        "__ONNX_NEEDS__": "onnxruntime + numpy + Pillow"
        if plain
        else "onnxruntime (+ torch, torchvision for this pipeline)",
        "__CLASS_NAMES__": json.dumps(list(bundle["class_names"]), ensure_ascii=True),
        "__MEAN__": repr([float(v) for v in stats[0]]),
        "__STD__": repr([float(v) for v in stats[1]]),
        "__COMPOSE__": "\n".join(f"            {line}" for line in compose_lines(spec)),
        "__NUMPY_STEPS__": "\n".join(_numpy_steps(spec)),
        "__ONNX_PREPROCESS__": "preprocess_numpy(image)"
        if plain
        else "preprocess_torch(image).numpy()",
    }
    for key, value in values.items():
        text = text.replace(key, value)
    return text
