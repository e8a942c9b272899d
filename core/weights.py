"""Pretrained weights into the torch hub cache: a download with progress and cancel, and
the import of a local .pth file, each checked before it is kept.

torchvision's weights API (core.models) reads ``$TORCH_HOME/hub/checkpoints/<file>``,
where ``<file>`` is the last part of the weights' URL (``resnet18-f37072fd.pth``), and
downloads it there when missing, with its progress printed to a terminal only and no
way to cancel. Here the same file is fetched in chunks, each reported to a callback that
may cancel; it is written beside its final name, its SHA-256 checked against the prefix
in the name (as torch.hub's ``check_hash``), loaded into the architecture, and only then
renamed into place, so the cache never holds a half or broken file.

Plain Python and PyTorch; no Qt (the window's dialog is gui/weights.py).
"""

from __future__ import annotations

import hashlib
import os
import re
import urllib.request
from collections.abc import Callable
from pathlib import Path

import torch

from core import models
from core.models import WeightsError

__all__ = [
    "DownloadCancelled",
    "check_weights_file",
    "download_weights",
    "import_weights",
    "weights_url",
]

CHUNK_BYTES = 1 << 18
TIMEOUT_S = 30.0


class DownloadCancelled(Exception):
    """The download was cancelled; nothing was kept."""


def weights_url(arch: str) -> str:
    """Where torchvision downloads the ImageNet weights of ``arch`` from."""
    import torchvision.models as tvm

    if not models.ARCHS.get(arch) or not models.ARCHS[arch].pretrained:
        raise WeightsError(f"'{arch}' has no ImageNet weights; train it from scratch.")
    return tvm.get_model_weights(arch).DEFAULT.url


def check_weights_file(path: str | os.PathLike, arch: str) -> None:
    """Raise WeightsError unless ``path`` holds weights that load into ``arch``."""
    models.build_model(arch, 1000, mode="finetune", pretrained=str(path), input_size=224)


def _partial(target: Path) -> Path:
    return target.with_name(f".{target.name}.{os.getpid()}.part")


def _finish(tmp: Path, target: Path, arch: str) -> Path:
    """Check ``tmp`` loads into ``arch``, then move it to ``target`` (atomic)."""
    check_weights_file(tmp, arch)
    os.replace(tmp, target)
    return target


def download_weights(
    arch: str,
    progress: Callable[[int, int], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
    *,
    url: str | None = None,
    check_hash: bool = True,
    opener: Callable = urllib.request.urlopen,
) -> Path:
    """Download the ImageNet weights of ``arch`` into the hub cache; return the file.

    ``progress(done_bytes, total_bytes)`` after each chunk (total 0 when the server does
    not say); ``cancelled()`` True stops with DownloadCancelled. Either may also raise
    to stop (the trainer's stop request). A file already cached is returned at once.
    Network and disk errors: WeightsError naming the file and where to put it.
    """
    target = models.expected_weights_path(arch)
    if target.is_file():
        return target
    url = url or weights_url(arch)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = _partial(target)
    digest = hashlib.sha256()
    try:
        with opener(url, timeout=TIMEOUT_S) as resp, open(tmp, "wb") as out:
            total = int(resp.headers.get("Content-Length") or 0)
            done = 0
            if progress is not None:
                progress(0, total)
            while True:
                if cancelled is not None and cancelled():
                    raise DownloadCancelled(f"The download of {target.name} was cancelled.")
                chunk = resp.read(CHUNK_BYTES)
                if not chunk:
                    break
                out.write(chunk)
                digest.update(chunk)
                done += len(chunk)
                if progress is not None:
                    progress(done, total)
            out.flush()
            os.fsync(out.fileno())
        if total and done != total:
            raise WeightsError(f"The download of {target.name} stopped at {done} of {total} bytes.")
        expected = re.search(r"-([a-f0-9]{6,})\.", target.name)
        if check_hash and expected and not digest.hexdigest().startswith(expected.group(1)):
            raise WeightsError(f"The downloaded {target.name} is damaged (its checksum differs).")
        return _finish(tmp, target, arch)
    except OSError as exc:  # URLError, timeouts, a full disk
        raise WeightsError(
            f"Could not download the ImageNet weights for {arch} ({exc}): put the file "
            f"'{target.name}' (from {url}) into the folder '{target.parent}', or use "
            f"File > Import weights... with a local .pth file."
        ) from exc
    finally:
        tmp.unlink(missing_ok=True)


def import_weights(source: str | os.PathLike, arch: str) -> Path:
    """Copy a local .pth into the hub cache under the name torchvision expects for ``arch``.

    The file must load into ``arch`` (WeightsError says why not); what is written is the
    network's state_dict in torchvision's own layout (a state_dict wrapped in a
    checkpoint dict, or saved from DataParallel, is unwrapped). Returns the cache file.
    """
    target = models.expected_weights_path(arch)
    model = models.build_model(
        arch, 1000, mode="finetune", pretrained=str(source), input_size=224
    )  # raises WeightsError when the file does not fit
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = _partial(target)
    try:
        torch.save(model.state_dict(), tmp)
        return _finish(tmp, target, arch)
    finally:
        tmp.unlink(missing_ok=True)
