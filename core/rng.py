"""torch's global random generator is shared by every thread: one lock for its users.

A run's random numbers (its seed and weight initialisation, the augmentation of each
batch, Dropout) come from torch's global generator, and so do the Augment panel's
preview samples (each seeded, the generator then put back as it was:
core.augment_grid). The generator belongs to the process, not to a thread: a preview
drawn while a run starts or trains changed the run, and putting the generator back
could undo the run's own draws in between. Both hold :data:`GLOBAL_RNG_LOCK` while
they draw, so a preview fits between two of the run's batches and a seed gives the
same run with or without previews. The lock is held for one batch at a time, never
while a run is paused. Plain Python.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any

__all__ = ["GLOBAL_RNG_LOCK", "LockedLoader", "drawn_aside", "locked_batches"]

#: Held by whoever draws from (or seeds, saves, restores) torch's global generator
#: while other threads may: a run's set-up and batches, the augmentation preview.
GLOBAL_RNG_LOCK = threading.RLock()


def locked_batches(loader: Iterable) -> Iterator[Any]:
    """The items of ``loader``, each made under :data:`GLOBAL_RNG_LOCK` (for a loader
    that runs its random transforms in the calling thread)."""
    items = iter(loader)
    while True:
        with GLOBAL_RNG_LOCK:
            try:
                item = next(items)
            except StopIteration:
                return
        yield item


class LockedLoader:
    """``loader`` with each batch made under :data:`GLOBAL_RNG_LOCK`, iterable again and
    again (a learning-rate range test may go through it more than once)."""

    def __init__(self, loader: Iterable) -> None:
        self.loader = loader

    def __iter__(self) -> Iterator[Any]:
        return locked_batches(self.loader)


@contextmanager
def drawn_aside() -> Iterator[None]:
    """Random numbers drawn inside come from torch's global generator, which is put
    back as it was afterwards, and never between a run's draws (the lock): for the
    preview's seeded samples, and networks built only to receive saved weights."""
    import torch

    with GLOBAL_RNG_LOCK, torch.random.fork_rng(devices=[]):
        yield
