"""Files read ahead while a drag hovers, so that the drop only runs the network."""

from __future__ import annotations

import os
import threading
import weakref
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

from PIL import Image
from PySide6.QtGui import QImage

PREPARE_AHEAD = 4  # files of a hovering drag decoded and preprocessed before the drop


@dataclass
class Prepared:
    """One file decoded and preprocessed ahead: the model's input and the display copies."""

    owner: weakref.ref  # the Predictor whose eval transforms made ``tensor``
    tensor: Any
    view: Image.Image | None
    thumb: QImage | None
    detail: QImage | None
    facts: Any = None  # core.predict_checks.InputFacts of the file

    @classmethod
    def of(cls, predictor: Any, tensor: Any, view, thumb, detail, facts=None) -> Prepared:
        return cls(weakref.ref(predictor), tensor, view, thumb, detail, facts)


class PreparedFiles:
    """Files prepared while a drag hovers, each taken once by the prediction of its drop.

    Keyed by path, size and modification time, so a file changed in between is read
    again; at most ``size`` entries, the oldest dropped first. Thread-safe.
    """

    def __init__(self, size: int = 2 * PREPARE_AHEAD) -> None:
        self._size = size
        self._lock = threading.Lock()
        self._items: OrderedDict[tuple, Prepared] = OrderedDict()

    @staticmethod
    def key(path: str) -> tuple | None:
        try:
            stat = os.stat(path)
        except OSError:
            return None
        return (os.path.abspath(path), stat.st_size, stat.st_mtime_ns)

    def __len__(self) -> int:
        with self._lock:
            return len(self._items)

    def has(self, key: tuple | None) -> bool:
        with self._lock:
            return key in self._items

    def put(self, key: tuple, prepared: Prepared) -> None:
        with self._lock:
            self._items[key] = prepared
            while len(self._items) > self._size:
                self._items.popitem(last=False)

    def take(self, predictor: Any, path: str | None) -> Prepared | None:
        """The entry for ``path`` if the same, unchanged file was prepared by ``predictor``."""
        if path is None or not len(self):
            return None
        key = self.key(path)
        with self._lock:
            prepared = self._items.pop(key, None) if key is not None else None
        if prepared is None or prepared.owner() is not predictor:
            return None
        return prepared

    def clear(self) -> None:
        with self._lock:
            self._items.clear()
