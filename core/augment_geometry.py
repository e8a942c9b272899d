"""The geometry steps of the transform registry: resizing, cropping, flipping,
rotating, warping and padding (the first entries of
:data:`core.augment_transforms.TRANSFORMS`, in the order the editor offers them).

Plain Python (no torch).
"""

from __future__ import annotations

from core.augment_params import fill_param, interp_param, param, prob_param, size_param
from core.augment_types import ParamInfo, TransformInfo
from core.messages import QT_TRANSLATE_NOOP

__all__ = ["GEOMETRY"]


def _degrees(default: float) -> ParamInfo:
    """The maximum rotation of RandomRotation and RandomAffine."""
    return param(
        "degrees",
        "float",
        default,
        QT_TRANSLATE_NOOP(
            "CoreMessages", "Maximum rotation: the angle is drawn from [-degrees, +degrees]."
        ),
        minimum=0.0,
        maximum=180.0,
        required=True,
    )


GEOMETRY: tuple[TransformInfo, ...] = (
    TransformInfo(
        "Resize",
        (
            size_param(
                256,
                QT_TRANSLATE_NOOP(
                    "CoreMessages",
                    "Target size: one number resizes the shorter side to it (keeps the "
                    "aspect ratio); [h, w] gives the exact output size.",
                ),
            ),
            interp_param("bilinear"),
            param(
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
            param(
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
            size_param(
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
            size_param(
                224,
                QT_TRANSLATE_NOOP(
                    "CoreMessages", "Size of the crop: one number for a square, or [h, w]."
                ),
            ),
            param(
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
            param(
                "pad_if_needed",
                "bool",
                False,
                QT_TRANSLATE_NOOP(
                    "CoreMessages",
                    "Pad the image when it is smaller than the crop instead of failing.",
                ),
            ),
            fill_param(),
            param(
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
            size_param(
                224,
                QT_TRANSLATE_NOOP(
                    "CoreMessages",
                    "Output size after the crop is resized: one number for a square, or [h, w].",
                ),
            ),
            param(
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
            param(
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
            interp_param("bilinear"),
            param(
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
            _degrees(15.0),
            interp_param("nearest"),
            param(
                "expand",
                "bool",
                False,
                QT_TRANSLATE_NOOP(
                    "CoreMessages",
                    "Grow the output so the whole rotated image fits "
                    "(the size then changes from sample to sample).",
                ),
            ),
            fill_param(),
        ),
        QT_TRANSLATE_NOOP("CoreMessages", "Rotate by a random angle."),
        "geometry",
    ),
    TransformInfo(
        "RandomHorizontalFlip",
        (prob_param(0.5, QT_TRANSLATE_NOOP("CoreMessages", "the image is mirrored left-right")),),
        QT_TRANSLATE_NOOP("CoreMessages", "Mirror left-right at random."),
        "geometry",
    ),
    TransformInfo(
        "RandomVerticalFlip",
        (prob_param(0.5, QT_TRANSLATE_NOOP("CoreMessages", "the image is flipped upside down")),),
        QT_TRANSLATE_NOOP("CoreMessages", "Flip upside down at random."),
        "geometry",
    ),
    TransformInfo(
        "RandomAffine",
        (
            _degrees(10.0),
            param(
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
            param(
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
            param(
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
            interp_param("nearest"),
            fill_param(),
        ),
        QT_TRANSLATE_NOOP("CoreMessages", "Random rotation, shift, zoom and shear in one step."),
        "geometry",
    ),
    TransformInfo(
        "RandomPerspective",
        (
            param(
                "distortion_scale",
                "float",
                0.5,
                QT_TRANSLATE_NOOP(
                    "CoreMessages", "How strongly the corners move (0 = not at all, 1 = a lot)."
                ),
                minimum=0.0,
                maximum=1.0,
            ),
            prob_param(0.5, QT_TRANSLATE_NOOP("CoreMessages", "the perspective change is applied")),
            interp_param("bilinear"),
            fill_param(),
        ),
        QT_TRANSLATE_NOOP("CoreMessages", "Tilt the image as if seen from another angle."),
        "geometry",
    ),
    TransformInfo(
        "Pad",
        (
            param(
                "padding",
                "int",
                4,
                QT_TRANSLATE_NOOP("CoreMessages", "Pixels added on every border."),
                minimum=0,
                maximum=512,
                soft_max=64,
                required=True,
            ),
            fill_param(),
            param(
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
)
