"""The declarative transform registry: every step the editor offers, with its parameters.

:data:`TRANSFORMS` drives validation (:mod:`core.augment_spec`), the Augment panel's
menus, widgets and tooltips, and the code export. Plain Python (no torch).
"""

from __future__ import annotations

from typing import Any

from core.augment_types import IMAGENET_MEAN, IMAGENET_STD, ParamInfo, TransformInfo
from core.messages import QT_TRANSLATE_NOOP

_INTERP_GEOM = ("nearest", "bilinear", "bicubic")
_INTERP_HELP = QT_TRANSLATE_NOOP(
    "CoreMessages", "How pixels are resampled: nearest keeps hard edges, bilinear/bicubic smooth."
)
_FILL_HELP = QT_TRANSLATE_NOOP(
    "CoreMessages",
    "Value for pixels uncovered by the transform (0..255 on images, 0..1 after ToTensor).",
)


def _p(name: str, kind: str, default: object, help: str, **kw: Any) -> ParamInfo:
    return ParamInfo(name=name, kind=kind, default=default, help=help, **kw)


#: the help of every probability ``p``: ``what`` is a template of its own
PROBABILITY = QT_TRANSLATE_NOOP("CoreMessages", "Probability that {what}.")


def _prob(default: float, what: str) -> ParamInfo:
    return _p("p", "float", default, PROBABILITY.format(what=what), minimum=0.0, maximum=1.0)


def _interp(default: str) -> ParamInfo:
    return _p("interpolation", "choice", default, _INTERP_HELP, choices=_INTERP_GEOM)


def _fill() -> ParamInfo:
    return _p("fill", "float", 0.0, _FILL_HELP, minimum=0.0, maximum=255.0)


def _magnitude_bins() -> ParamInfo:
    return _p(
        "num_magnitude_bins",
        "int",
        31,
        QT_TRANSLATE_NOOP("CoreMessages", "Number of strength levels."),
        minimum=2,
        maximum=100,
    )


def _size(default: int, help: str) -> ParamInfo:
    return _p("size", "size", default, help, minimum=1, maximum=4096, soft_max=512, required=True)


_T: list[TransformInfo] = [
    TransformInfo(
        "Resize",
        (
            _size(
                256,
                QT_TRANSLATE_NOOP(
                    "CoreMessages",
                    "Target size: one number resizes the shorter side to it (keeps the "
                    "aspect ratio); [h, w] gives the exact output size.",
                ),
            ),
            _interp("bilinear"),
            _p(
                "max_size",
                "int",
                None,
                QT_TRANSLATE_NOOP(
                    "CoreMessages",
                    "Upper bound for the longer side after resizing "
                    "(only with a single-number size); off = no bound.",
                ),
                minimum=1,
                maximum=8192,
                soft_max=1024,
                nullable=True,
            ),
            _p(
                "antialias",
                "bool",
                True,
                QT_TRANSLATE_NOOP("CoreMessages", "Smooth before shrinking to avoid aliasing."),
            ),
        ),
        QT_TRANSLATE_NOOP("CoreMessages", "Resize the image (deterministic)."),
        "geometry",
    ),
    TransformInfo(
        "CenterCrop",
        (
            _size(
                224,
                QT_TRANSLATE_NOOP(
                    "CoreMessages",
                    "Size of the central crop: one number for a square, or [h, w]. A crop "
                    "larger than the image pads it with zeros.",
                ),
            ),
        ),
        QT_TRANSLATE_NOOP("CoreMessages", "Cut the centre of the image (deterministic)."),
        "geometry",
    ),
    TransformInfo(
        "RandomCrop",
        (
            _size(
                224,
                QT_TRANSLATE_NOOP(
                    "CoreMessages", "Size of the crop: one number for a square, or [h, w]."
                ),
            ),
            _p(
                "padding",
                "int",
                None,
                QT_TRANSLATE_NOOP(
                    "CoreMessages", "Pixels added on every border before cropping; off = none."
                ),
                minimum=0,
                maximum=512,
                soft_max=64,
                nullable=True,
            ),
            _p(
                "pad_if_needed",
                "bool",
                False,
                QT_TRANSLATE_NOOP(
                    "CoreMessages",
                    "Pad the image when it is smaller than the crop instead of failing.",
                ),
            ),
            _fill(),
            _p(
                "padding_mode",
                "choice",
                "constant",
                QT_TRANSLATE_NOOP(
                    "CoreMessages",
                    "How padded pixels are filled: constant "
                    "uses fill, edge repeats the border, reflect/symmetric mirror the image.",
                ),
                choices=("constant", "edge", "reflect", "symmetric"),
            ),
        ),
        QT_TRANSLATE_NOOP("CoreMessages", "Cut a crop at a random position."),
        "geometry",
    ),
    TransformInfo(
        "RandomResizedCrop",
        (
            _size(
                224,
                QT_TRANSLATE_NOOP(
                    "CoreMessages",
                    "Output size after the crop is resized: one number for a square, or [h, w].",
                ),
            ),
            _p(
                "scale",
                "floats",
                (0.08, 1.0),
                QT_TRANSLATE_NOOP(
                    "CoreMessages",
                    "Range of the crop's area as a fraction of the image area, [min, max].",
                ),
                minimum=0.001,
                maximum=1.0,
                length=2,
            ),
            _p(
                "ratio",
                "floats",
                (0.75, 4 / 3),
                QT_TRANSLATE_NOOP(
                    "CoreMessages", "Range of the crop's aspect ratio (w/h), [min, max]."
                ),
                minimum=0.05,
                maximum=10.0,
                soft_max=4.0,
                length=2,
            ),
            _interp("bilinear"),
            _p(
                "antialias",
                "bool",
                True,
                QT_TRANSLATE_NOOP("CoreMessages", "Smooth before shrinking to avoid aliasing."),
            ),
        ),
        QT_TRANSLATE_NOOP(
            "CoreMessages",
            "Crop a random area and aspect ratio, then resize it (the ImageNet classic).",
        ),
        "geometry",
    ),
    TransformInfo(
        "RandomRotation",
        (
            _p(
                "degrees",
                "float",
                15.0,
                QT_TRANSLATE_NOOP(
                    "CoreMessages",
                    "Maximum rotation: the angle is drawn from [-degrees, +degrees].",
                ),
                minimum=0.0,
                maximum=180.0,
                required=True,
            ),
            _interp("nearest"),
            _p(
                "expand",
                "bool",
                False,
                QT_TRANSLATE_NOOP(
                    "CoreMessages",
                    "Grow the output so the whole rotated image fits "
                    "(the size then changes from sample to sample).",
                ),
            ),
            _fill(),
        ),
        QT_TRANSLATE_NOOP("CoreMessages", "Rotate by a random angle."),
        "geometry",
    ),
    TransformInfo(
        "RandomHorizontalFlip",
        (_prob(0.5, QT_TRANSLATE_NOOP("CoreMessages", "the image is mirrored left-right")),),
        QT_TRANSLATE_NOOP("CoreMessages", "Mirror left-right at random."),
        "geometry",
    ),
    TransformInfo(
        "RandomVerticalFlip",
        (_prob(0.5, QT_TRANSLATE_NOOP("CoreMessages", "the image is flipped upside down")),),
        QT_TRANSLATE_NOOP("CoreMessages", "Flip upside down at random."),
        "geometry",
    ),
    TransformInfo(
        "RandomAffine",
        (
            _p(
                "degrees",
                "float",
                10.0,
                QT_TRANSLATE_NOOP(
                    "CoreMessages",
                    "Maximum rotation: the angle is drawn from [-degrees, +degrees].",
                ),
                minimum=0.0,
                maximum=180.0,
                required=True,
            ),
            _p(
                "translate",
                "floats",
                None,
                QT_TRANSLATE_NOOP(
                    "CoreMessages",
                    "Maximum shift as a fraction of width and height, [x, y]; off = no shift.",
                ),
                minimum=0.0,
                maximum=1.0,
                length=2,
                nullable=True,
            ),
            _p(
                "scale",
                "floats",
                None,
                QT_TRANSLATE_NOOP(
                    "CoreMessages", "Range of the zoom factor, [min, max]; off = no zoom."
                ),
                minimum=0.01,
                maximum=10.0,
                soft_max=2.0,
                length=2,
                nullable=True,
            ),
            _p(
                "shear",
                "float",
                None,
                QT_TRANSLATE_NOOP(
                    "CoreMessages",
                    "Maximum shear angle along x, drawn from [-shear, +shear]; off = no shear.",
                ),
                minimum=0.0,
                maximum=89.0,
                nullable=True,
            ),
            _interp("nearest"),
            _fill(),
        ),
        QT_TRANSLATE_NOOP("CoreMessages", "Random rotation, shift, zoom and shear in one step."),
        "geometry",
    ),
    TransformInfo(
        "RandomPerspective",
        (
            _p(
                "distortion_scale",
                "float",
                0.5,
                QT_TRANSLATE_NOOP(
                    "CoreMessages", "How strongly the corners move (0 = not at all, 1 = a lot)."
                ),
                minimum=0.0,
                maximum=1.0,
            ),
            _prob(0.5, QT_TRANSLATE_NOOP("CoreMessages", "the perspective change is applied")),
            _interp("bilinear"),
            _fill(),
        ),
        QT_TRANSLATE_NOOP("CoreMessages", "Tilt the image as if seen from another angle."),
        "geometry",
    ),
    TransformInfo(
        "Pad",
        (
            _p(
                "padding",
                "int",
                4,
                QT_TRANSLATE_NOOP("CoreMessages", "Pixels added on every border."),
                minimum=0,
                maximum=512,
                soft_max=64,
                required=True,
            ),
            _fill(),
            _p(
                "padding_mode",
                "choice",
                "constant",
                QT_TRANSLATE_NOOP("CoreMessages", "How padded pixels are filled."),
                choices=("constant", "edge", "reflect", "symmetric"),
            ),
        ),
        QT_TRANSLATE_NOOP("CoreMessages", "Add a border around the image (deterministic)."),
        "geometry",
    ),
    TransformInfo(
        "ColorJitter",
        (
            _p(
                "brightness",
                "float",
                0.0,
                QT_TRANSLATE_NOOP(
                    "CoreMessages", "Brightness factor drawn from [1-b, 1+b]; 0 = unchanged."
                ),
                minimum=0.0,
                maximum=10.0,
                soft_max=2.0,
            ),
            _p(
                "contrast",
                "float",
                0.0,
                QT_TRANSLATE_NOOP(
                    "CoreMessages", "Contrast factor drawn from [1-c, 1+c]; 0 = unchanged."
                ),
                minimum=0.0,
                maximum=10.0,
                soft_max=2.0,
            ),
            _p(
                "saturation",
                "float",
                0.0,
                QT_TRANSLATE_NOOP(
                    "CoreMessages", "Saturation factor drawn from [1-s, 1+s]; 0 = unchanged."
                ),
                minimum=0.0,
                maximum=10.0,
                soft_max=2.0,
            ),
            _p(
                "hue",
                "float",
                0.0,
                QT_TRANSLATE_NOOP(
                    "CoreMessages",
                    "Hue shift drawn from [-h, h] (fraction of the colour wheel); 0 = unchanged.",
                ),
                minimum=0.0,
                maximum=0.5,
            ),
        ),
        QT_TRANSLATE_NOOP(
            "CoreMessages", "Randomly change brightness, contrast, saturation and hue."
        ),
        "color",
    ),
    TransformInfo(
        "RandomGrayscale",
        (
            _prob(
                0.1,
                QT_TRANSLATE_NOOP(
                    "CoreMessages", "the image is turned gray (channel count is kept)"
                ),
            ),
        ),
        QT_TRANSLATE_NOOP("CoreMessages", "Turn gray at random, keeping the number of channels."),
        "color",
    ),
    TransformInfo(
        "Grayscale",
        (
            _p(
                "num_output_channels",
                "choice",
                1,
                QT_TRANSLATE_NOOP(
                    "CoreMessages",
                    "Channels of the gray result: 1, or 3 identical ones for models that expect RGB.",
                ),
                choices=(1, 3),
            ),
        ),
        QT_TRANSLATE_NOOP("CoreMessages", "Always turn gray."),
        "color",
    ),
    TransformInfo(
        "GaussianBlur",
        (
            _p(
                "kernel_size",
                "int",
                5,
                QT_TRANSLATE_NOOP("CoreMessages", "Blur kernel size in pixels (odd)."),
                minimum=1,
                maximum=101,
                soft_max=31,
                required=True,
                step=2,
            ),
            _p(
                "sigma",
                "floats",
                (0.1, 2.0),
                QT_TRANSLATE_NOOP(
                    "CoreMessages", "Range of the blur strength (standard deviation), [min, max]."
                ),
                minimum=0.01,
                maximum=50.0,
                soft_max=10.0,
                length=2,
            ),
        ),
        QT_TRANSLATE_NOOP("CoreMessages", "Blur with a random strength."),
        "color",
    ),
    TransformInfo(
        "RandomAdjustSharpness",
        (
            _p(
                "sharpness_factor",
                "float",
                2.0,
                QT_TRANSLATE_NOOP(
                    "CoreMessages", "0 = blurred, 1 = unchanged, 2 = twice as sharp."
                ),
                minimum=0.0,
                maximum=10.0,
                soft_max=5.0,
                required=True,
            ),
            _prob(0.5, QT_TRANSLATE_NOOP("CoreMessages", "the sharpness is changed")),
        ),
        QT_TRANSLATE_NOOP("CoreMessages", "Sharpen (or soften) at random."),
        "color",
    ),
    TransformInfo(
        "RandomAutocontrast",
        (
            _prob(
                0.5,
                QT_TRANSLATE_NOOP("CoreMessages", "the contrast is stretched to the full range"),
            ),
        ),
        QT_TRANSLATE_NOOP("CoreMessages", "Stretch the contrast at random."),
        "color",
    ),
    TransformInfo(
        "RandomEqualize",
        (_prob(0.5, QT_TRANSLATE_NOOP("CoreMessages", "the histogram is equalized")),),
        QT_TRANSLATE_NOOP("CoreMessages", "Equalize the histogram at random."),
        "color",
    ),
    TransformInfo(
        "RandomInvert",
        (_prob(0.5, QT_TRANSLATE_NOOP("CoreMessages", "the colours are inverted")),),
        QT_TRANSLATE_NOOP("CoreMessages", "Invert the colours at random."),
        "color",
    ),
    TransformInfo(
        "RandomPosterize",
        (
            _p(
                "bits",
                "int",
                4,
                QT_TRANSLATE_NOOP("CoreMessages", "Bits kept per channel (fewer = fewer colours)."),
                minimum=1,
                maximum=8,
                required=True,
            ),
            _prob(0.5, QT_TRANSLATE_NOOP("CoreMessages", "the image is posterized")),
        ),
        QT_TRANSLATE_NOOP("CoreMessages", "Reduce the number of colours at random."),
        "color",
    ),
    TransformInfo(
        "RandomSolarize",
        (
            _p(
                "threshold",
                "float",
                128.0,
                QT_TRANSLATE_NOOP(
                    "CoreMessages",
                    "Pixels above this value are inverted (0..255 on images, 0..1 after ToTensor).",
                ),
                minimum=0.0,
                maximum=255.0,
                required=True,
            ),
            _prob(0.5, QT_TRANSLATE_NOOP("CoreMessages", "the image is solarized")),
        ),
        QT_TRANSLATE_NOOP("CoreMessages", "Invert the bright pixels at random."),
        "color",
    ),
    TransformInfo(
        "AutoAugment",
        (
            _p(
                "policy",
                "choice",
                "imagenet",
                QT_TRANSLATE_NOOP("CoreMessages", "Learned policy: which dataset it was found on."),
                choices=("imagenet", "cifar10", "svhn"),
            ),
            _interp("nearest"),
        ),
        QT_TRANSLATE_NOOP("CoreMessages", "A learned policy of random operations (Cubuk et al.)."),
        "policy",
    ),
    TransformInfo(
        "RandAugment",
        (
            _p(
                "num_ops",
                "int",
                2,
                QT_TRANSLATE_NOOP(
                    "CoreMessages", "How many random operations are applied in a row."
                ),
                minimum=0,
                maximum=10,
            ),
            _p(
                "magnitude",
                "int",
                9,
                QT_TRANSLATE_NOOP(
                    "CoreMessages",
                    "Strength of every operation (must be below num_magnitude_bins).",
                ),
                minimum=0,
                maximum=99,
                soft_max=30,
            ),
            _magnitude_bins(),
            _interp("nearest"),
        ),
        QT_TRANSLATE_NOOP(
            "CoreMessages", "N random operations at a fixed strength (Cubuk et al.)."
        ),
        "policy",
    ),
    TransformInfo(
        "TrivialAugmentWide",
        (
            _magnitude_bins(),
            _interp("nearest"),
        ),
        QT_TRANSLATE_NOOP(
            "CoreMessages", "One random operation at a random strength (Müller & Hutter)."
        ),
        "policy",
    ),
    TransformInfo(
        "ToTensor",
        (),
        QT_TRANSLATE_NOOP(
            "CoreMessages",
            "Convert the image to a float tensor in [0, 1], channels first "
            "(v2.ToImage + v2.ToDtype(float32, scale=True)).",
        ),
        "tensor",
    ),
    TransformInfo(
        "Normalize",
        (
            _p(
                "mean",
                "floats",
                tuple(IMAGENET_MEAN),
                QT_TRANSLATE_NOOP(
                    "CoreMessages", "Per-channel mean subtracted (one value per channel)."
                ),
                minimum=0.0,
                maximum=1.0,
                required=True,
            ),
            _p(
                "std",
                "floats",
                tuple(IMAGENET_STD),
                QT_TRANSLATE_NOOP(
                    "CoreMessages",
                    "Per-channel standard deviation divided by (one value per channel).",
                ),
                minimum=0.0001,
                maximum=10.0,
                soft_max=1.0,
                required=True,
            ),
        ),
        QT_TRANSLATE_NOOP(
            "CoreMessages", "Subtract the mean and divide by the std per channel (needs a tensor)."
        ),
        "tensor",
    ),
    TransformInfo(
        "RandomErasing",
        (
            _prob(0.5, QT_TRANSLATE_NOOP("CoreMessages", "a rectangle is erased")),
            _p(
                "scale",
                "floats",
                (0.02, 0.33),
                QT_TRANSLATE_NOOP(
                    "CoreMessages",
                    "Range of the erased area as a fraction of the image, [min, max].",
                ),
                minimum=0.0,
                maximum=1.0,
                length=2,
            ),
            _p(
                "ratio",
                "floats",
                (0.3, 3.3),
                QT_TRANSLATE_NOOP(
                    "CoreMessages", "Range of the erased rectangle's aspect ratio, [min, max]."
                ),
                minimum=0.05,
                maximum=20.0,
                soft_max=5.0,
                length=2,
            ),
            _p(
                "value",
                "float",
                0.0,
                QT_TRANSLATE_NOOP("CoreMessages", "Value written into the erased rectangle."),
                minimum=-10.0,
                maximum=255.0,
                soft_max=1.0,
            ),
        ),
        QT_TRANSLATE_NOOP(
            "CoreMessages", "Blank out a random rectangle (needs a tensor: put it after ToTensor)."
        ),
        "tensor",
    ),
    TransformInfo(
        "GaussianNoise",
        (
            _p(
                "mean",
                "float",
                0.0,
                QT_TRANSLATE_NOOP("CoreMessages", "Mean of the added noise."),
                minimum=-1.0,
                maximum=1.0,
            ),
            _p(
                "sigma",
                "float",
                0.1,
                QT_TRANSLATE_NOOP("CoreMessages", "Standard deviation of the added noise."),
                minimum=0.0,
                maximum=1.0,
            ),
            _p(
                "clip",
                "bool",
                True,
                QT_TRANSLATE_NOOP("CoreMessages", "Clip the result to [0, 1]."),
            ),
        ),
        QT_TRANSLATE_NOOP(
            "CoreMessages", "Add Gaussian noise (needs a float tensor: put it after ToTensor)."
        ),
        "tensor",
    ),
]

TRANSFORMS: dict[str, TransformInfo] = {t.name: t for t in _T}

# Steps that only work on tensors (torchvision refuses or ignores PIL images).
TENSOR_ONLY = ("Normalize", "RandomErasing", "GaussianNoise")
