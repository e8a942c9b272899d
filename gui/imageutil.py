"""Conversions between PIL images, numpy arrays and Qt images (no torch here)."""

from __future__ import annotations

import numpy as np
from PIL import Image, ImageDraw
from PySide6.QtCore import Qt
from PySide6.QtGui import QImage, QPixmap


def pil_to_qimage(image: Image.Image) -> QImage:
    """A deep-copied QImage of a PIL image (any mode; shown as RGB or RGBA)."""
    if image.mode not in ("RGB", "RGBA", "L"):
        image = image.convert("RGBA" if "A" in image.getbands() else "RGB")
    return array_to_qimage(np.asarray(image))


def array_to_qimage(array: np.ndarray) -> QImage:
    """uint8 HxW, HxWx1, HxWx3 or HxWx4 array -> deep-copied QImage."""
    arr = np.ascontiguousarray(array)
    if arr.dtype != np.uint8:
        arr = np.clip(arr, 0, 255).astype(np.uint8)
    if arr.ndim == 3 and arr.shape[2] == 1:
        arr = np.ascontiguousarray(arr[:, :, 0])
    h, w = arr.shape[:2]
    if arr.ndim == 2:
        fmt, stride = QImage.Format.Format_Grayscale8, w
    elif arr.shape[2] == 3:
        fmt, stride = QImage.Format.Format_RGB888, 3 * w
    elif arr.shape[2] == 4:
        fmt, stride = QImage.Format.Format_RGBA8888, 4 * w
    else:
        raise ValueError(f"cannot show an array of shape {arr.shape}")
    return QImage(arr.data, w, h, stride, fmt).copy()


def qimage_to_pil(image: QImage) -> Image.Image:
    """A QImage (e.g. pasted or dropped raw data) -> RGB PIL image."""
    img = image.convertToFormat(QImage.Format.Format_RGBA8888)
    w, h = img.width(), img.height()
    ptr = img.constBits()
    arr = np.frombuffer(ptr, dtype=np.uint8, count=img.sizeInBytes())
    arr = arr.reshape(h, img.bytesPerLine())[:, : 4 * w].reshape(h, w, 4)
    rgba = Image.fromarray(arr.copy(), "RGBA")
    background = Image.new("RGB", rgba.size, (255, 255, 255))
    background.paste(rgba, mask=rgba.getchannel("A"))
    return background


def heatmap_overlay(
    base: Image.Image,
    heat: np.ndarray,
    opacity: float = 0.5,
    box: tuple[float, float, float, float] | None = None,
) -> Image.Image:
    """Blend a [0, 1] heatmap (any size) over an image with a jet-like colour map.

    ``box`` (x, y, w, h) in the image's pixels: the heatmap covers only that part (the
    region the model saw, e.g. the eval pipeline's centre crop), which is outlined;
    it may reach outside the image (padding). None: the whole image.
    """
    base = base.convert("RGB")
    if box is None:
        return Image.blend(base, _jet(heat, base.size), float(np.clip(opacity, 0.0, 1.0)))
    x, y, w, h = (round(v) for v in box)
    colour = _jet(heat, (max(1, w), max(1, h)))
    layer = base.copy()
    layer.paste(colour, (x, y))  # Pillow clips what lies outside the picture
    out = Image.blend(base, layer, float(np.clip(opacity, 0.0, 1.0)))
    ImageDraw.Draw(out).rectangle(
        (x, y, x + w - 1, y + h - 1), outline=(255, 255, 255), width=max(1, base.width // 160)
    )
    return out


def _jet(heat: np.ndarray, size: tuple[int, int]) -> Image.Image:
    """A [0, 1] heatmap resized to ``size`` (w, h), coloured blue - green - red."""
    h = np.clip(np.asarray(heat, dtype=np.float32), 0.0, 1.0)
    heat_img = Image.fromarray((h * 255).astype(np.uint8), "L").resize(size, Image.BILINEAR)
    v = np.asarray(heat_img, dtype=np.float32) / 255.0
    r = np.clip(1.5 - np.abs(4 * v - 3), 0, 1)
    g = np.clip(1.5 - np.abs(4 * v - 2), 0, 1)
    b = np.clip(1.5 - np.abs(4 * v - 1), 0, 1)
    return Image.fromarray((np.stack([r, g, b], axis=-1) * 255).astype(np.uint8), "RGB")


def scaled_image(image: QImage, size: int) -> QImage:
    """Scaled to fit a square (any thread); small images (digits) are scaled up unsmoothed."""
    mode = (
        Qt.TransformationMode.FastTransformation
        if max(image.width(), image.height()) < size // 2
        else Qt.TransformationMode.SmoothTransformation
    )
    return image.scaled(size, size, Qt.AspectRatioMode.KeepAspectRatio, mode)


def scaled_pixmap(image: QImage, size: int) -> QPixmap:
    """A square-bounded pixmap (GUI thread only) of :func:`scaled_image`."""
    return QPixmap.fromImage(scaled_image(image, size))
