"""Grad-CAM pictures for any panel: the heatmap and the image the model saw under it.

Runs a loaded core Predictor; call on a pool thread (torch is imported by the caller's
predictor, core.augment only inside the functions).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from PIL import Image


def model_view(predictor: Any, image: Image.Image) -> Image.Image | None:
    """The image as the model receives it (after its eval transforms), for the overlay."""
    from core.augment import unnormalize

    spec = (getattr(predictor, "bundle", None) or {}).get("eval_transforms")
    if spec is None:
        return None
    tensor = predictor.preprocess(image, loaded=True)
    arr = (unnormalize(tensor, spec).numpy() * 255.0).round().astype(np.uint8)
    if arr.shape[0] == 1:
        return Image.fromarray(arr[0], "L")
    return Image.fromarray(np.transpose(arr[:3], (1, 2, 0)), "RGB")


def heat_and_view(
    predictor: Any, image: Image.Image, class_index: int | None
) -> tuple[np.ndarray, Image.Image | None]:
    """The Grad-CAM map of ``class_index`` (None: the top-1) and the model's view of ``image``.

    The view is None when the bundle has no eval transforms to show.
    """
    heat = np.asarray(predictor.gradcam(image, class_index=class_index), dtype=np.float32)
    return heat, model_view(predictor, image)
