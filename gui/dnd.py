"""Reading drags, drops and the clipboard: one module for every panel and the window.

What a :class:`QMimeData` carries becomes plain values here: local paths, raw images
(QImage), and sentences about what cannot be used (a remote URL, undecodable data).
Nothing here touches the disk except :func:`dropped_folders`, which checks each path
once, and only on the drop that needs it.
"""

from __future__ import annotations

import os
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QMimeData
from PySide6.QtGui import QImage, QPixmap

from core import IMAGE_EXTENSIONS


def _is_image_format(fmt: str) -> bool:
    return fmt.startswith("image/") or fmt == "application/x-qt-image"


def has_image_data(mime: QMimeData | None) -> bool:
    """True when the data carries a raw image (Qt's image or any image/* format)."""
    return mime is not None and (
        mime.hasImage() or any(_is_image_format(f) for f in mime.formats())
    )


def has_input(mime: QMimeData | None) -> bool:
    """True when a drag carries files, folders or image data (what can be predicted)."""
    if mime is None:
        return False
    if mime.hasUrls():  # remote URLs are accepted too, to explain on drop why they cannot work
        return True
    return has_image_data(mime)


def local_paths(mime: QMimeData | None) -> list[str]:
    """The local files and folders a drag carries, in order (no disk access)."""
    if mime is None or not mime.hasUrls():
        return []
    return [u.toLocalFile() for u in mime.urls() if u.isLocalFile() and u.toLocalFile()]


def images(mime: QMimeData) -> tuple[list[QImage], list[str]]:
    """Raw image data a drag or the clipboard carries (Qt's image, or any image/* bytes).

    Returns (images, problems): undecodable data is a problem sentence, not an error.
    """
    if mime.hasImage():
        data = mime.imageData()
        image = data.toImage() if isinstance(data, QPixmap) else data
        if isinstance(image, QImage) and not image.isNull():
            return [image], []
    for fmt in mime.formats():
        if fmt.startswith("image/"):
            image = QImage.fromData(bytes(mime.data(fmt)))
            if not image.isNull():
                return [image], []
            problem = QCoreApplication.translate(
                "DragAndDrop", "The dropped {format} data is not a readable image."
            )
            return [], [problem.format(format=fmt)]
    return [], []


def inputs(mime: QMimeData) -> tuple[list[str], list[QImage], list[str]]:
    """(local paths, raw images, problems) carried by a drop or the clipboard.

    URLs to local files and folders become paths; raw image data (Qt's image or any
    image/* format) becomes QImages; remote URLs and unreadable data become problems.
    A single line of text naming an existing path counts as that path.
    """
    paths: list[str] = []
    problems: list[str] = []
    if mime.hasUrls():
        for url in mime.urls():
            if url.isLocalFile():
                paths.append(url.toLocalFile())
            elif url.isValid() and not url.isEmpty():
                problem = QCoreApplication.translate(
                    "DragAndDrop",
                    "'{url}' is not a local file: save it to disk first, then drop it.",
                )
                problems.append(problem.format(url=url.toString()))
    found: list[QImage] = []
    if not paths:
        found, more = images(mime)
        problems += more
    if not paths and not found and not problems and mime.hasText():
        candidate = mime.text().strip()
        if candidate and "\n" not in candidate and os.path.exists(candidate):
            paths.append(candidate)
    return paths, found, problems


def image_files(mime: QMimeData | None, limit: int) -> list[str]:
    """The first ``limit`` local image files a drag carries, by name (folders left out)."""
    found: list[str] = []
    for path in local_paths(mime):
        if len(found) >= limit:
            break
        if Path(path).suffix.lower() in IMAGE_EXTENSIONS:
            found.append(path)
    return found


def dropped_folders(mime: QMimeData | None) -> list[str]:
    """The dropped paths when every one is a folder (a dataset), else [].

    Folders mixed with files are a batch to predict, not a dataset; all() stops at
    the first file, so a drag of many photos costs one disk check.
    """
    paths = local_paths(mime)
    return paths if paths and all(Path(p).is_dir() for p in paths) else []
