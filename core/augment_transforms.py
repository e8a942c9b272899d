"""The declarative transform registry: every step the editor offers, with its parameters.

:data:`TRANSFORMS` drives validation (:mod:`core.augment_spec`), the Augment panel's
menus, widgets and tooltips, and the code export. Plain Python (no torch).

The geometry steps live in :mod:`core.augment_geometry`, the shared parameter builders
in :mod:`core.augment_params`; the colour, policy and tensor steps are here.
"""

from __future__ import annotations

from core.augment_geometry import GEOMETRY
from core.augment_params import PROBABILITY, bins_param, interp_param, param, prob_param
from core.augment_types import IMAGENET_MEAN, IMAGENET_STD, TransformInfo
from core.messages import QT_TRANSLATE_NOOP

__all__ = ["PROBABILITY", "TENSOR_ONLY", "TRANSFORMS"]

_T: list[TransformInfo] = [
    *GEOMETRY,
    TransformInfo(
        "ColorJitter",
        (
            param(
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
            param(
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
            param(
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
            param(
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
            prob_param(
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
            param(
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
            param(
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
            param(
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
            param(
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
            prob_param(0.5, QT_TRANSLATE_NOOP("CoreMessages", "the sharpness is changed")),
        ),
        QT_TRANSLATE_NOOP("CoreMessages", "Sharpen (or soften) at random."),
        "color",
    ),
    TransformInfo(
        "RandomAutocontrast",
        (
            prob_param(
                0.5,
                QT_TRANSLATE_NOOP("CoreMessages", "the contrast is stretched to the full range"),
            ),
        ),
        QT_TRANSLATE_NOOP("CoreMessages", "Stretch the contrast at random."),
        "color",
    ),
    TransformInfo(
        "RandomEqualize",
        (prob_param(0.5, QT_TRANSLATE_NOOP("CoreMessages", "the histogram is equalized")),),
        QT_TRANSLATE_NOOP("CoreMessages", "Equalize the histogram at random."),
        "color",
    ),
    TransformInfo(
        "RandomInvert",
        (prob_param(0.5, QT_TRANSLATE_NOOP("CoreMessages", "the colours are inverted")),),
        QT_TRANSLATE_NOOP("CoreMessages", "Invert the colours at random."),
        "color",
    ),
    TransformInfo(
        "RandomPosterize",
        (
            param(
                "bits",
                "int",
                4,
                QT_TRANSLATE_NOOP("CoreMessages", "Bits kept per channel (fewer = fewer colours)."),
                minimum=1,
                maximum=8,
                required=True,
            ),
            prob_param(0.5, QT_TRANSLATE_NOOP("CoreMessages", "the image is posterized")),
        ),
        QT_TRANSLATE_NOOP("CoreMessages", "Reduce the number of colours at random."),
        "color",
    ),
    TransformInfo(
        "RandomSolarize",
        (
            param(
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
            prob_param(0.5, QT_TRANSLATE_NOOP("CoreMessages", "the image is solarized")),
        ),
        QT_TRANSLATE_NOOP("CoreMessages", "Invert the bright pixels at random."),
        "color",
    ),
    TransformInfo(
        "AutoAugment",
        (
            param(
                "policy",
                "choice",
                "imagenet",
                QT_TRANSLATE_NOOP("CoreMessages", "Learned policy: which dataset it was found on."),
                choices=("imagenet", "cifar10", "svhn"),
            ),
            interp_param("nearest"),
        ),
        QT_TRANSLATE_NOOP("CoreMessages", "A learned policy of random operations (Cubuk et al.)."),
        "policy",
    ),
    TransformInfo(
        "RandAugment",
        (
            param(
                "num_ops",
                "int",
                2,
                QT_TRANSLATE_NOOP(
                    "CoreMessages", "How many random operations are applied in a row."
                ),
                minimum=0,
                maximum=10,
            ),
            param(
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
            bins_param(),
            interp_param("nearest"),
        ),
        QT_TRANSLATE_NOOP(
            "CoreMessages", "N random operations at a fixed strength (Cubuk et al.)."
        ),
        "policy",
    ),
    TransformInfo(
        "TrivialAugmentWide",
        (
            bins_param(),
            interp_param("nearest"),
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
            param(
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
            param(
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
            prob_param(0.5, QT_TRANSLATE_NOOP("CoreMessages", "a rectangle is erased")),
            param(
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
            param(
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
            param(
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
            param(
                "mean",
                "float",
                0.0,
                QT_TRANSLATE_NOOP("CoreMessages", "Mean of the added noise."),
                minimum=-1.0,
                maximum=1.0,
            ),
            param(
                "sigma",
                "float",
                0.1,
                QT_TRANSLATE_NOOP("CoreMessages", "Standard deviation of the added noise."),
                minimum=0.0,
                maximum=1.0,
            ),
            param(
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
