"""Writing a file so that readers see the old version or the new one, never half of one.

Every file ConvStudio writes (config.json, metrics.csv, summary.json, the bundles, the
prediction CSV) goes through :func:`atomic_write`: a temp file in the same folder
(``.NAME.XXXX.tmp``, same file system, so the rename is atomic), flushed and fsynced,
then ``os.replace``d over the target. Whatever goes wrong, the temp file is removed
and the earlier file is untouched; a full disk becomes :class:`DiskFullError`, one
sentence naming the file and the folder instead of torch's "[enforce fail at
inline_container.cc] unexpected pos" or a bare "[Errno 28]".

Plain Python: no torch, no Qt.
"""

from __future__ import annotations

import contextlib
import errno
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

__all__ = [
    "DiskFullError",
    "RecordingFile",
    "atomic_write",
    "copy_file",
    "disk_full_error",
    "is_disk_full",
    "stale_temp_files",
]

#: "no space left" and "disk quota exceeded": both mean the file cannot be written here
_FULL = {errno.ENOSPC, errno.EDQUOT}


class DiskFullError(OSError):
    """The disk filled up while writing a file; the earlier version of the file was kept."""


def is_disk_full(exc: BaseException | None) -> bool:
    return isinstance(exc, OSError) and exc.errno in _FULL


def disk_full_error(path: str | os.PathLike) -> DiskFullError:
    path = Path(path)
    err = DiskFullError(
        f"The disk is full: {path.name} could not be written in {path.parent.resolve()}. "
        "The earlier files there are kept and no partial file was left; free some space "
        "(or choose a folder on another disk) and try again."
    )
    err.errno = errno.ENOSPC  # (no .filename: OSError would print "[Errno 28] None: ...")
    err.path = str(path)
    return err


class RecordingFile:
    """A file wrapper that keeps the first OSError of a ``write``.

    torch.save turns a failed write into RuntimeError("[enforce fail ...] unexpected
    pos"), losing the reason; :func:`atomic_write` reads it back from here.
    """

    def __init__(self, fh: IO[bytes]) -> None:
        self._fh = fh
        self.error: OSError | None = None

    def write(self, data: Any) -> int:
        try:
            return self._fh.write(data)
        except OSError as exc:
            self.error = self.error or exc
            raise

    def flush(self) -> None:
        self._fh.flush()


def _mode_for(path: Path) -> int:
    """Keep the permissions of the file replaced (mkstemp makes 0600); new files 0644."""
    try:
        return path.stat().st_mode & 0o777
    except OSError:
        return 0o644


def _fsync_dir(folder: Path) -> None:
    """Make the rename itself durable (POSIX); harmless where directories can't be opened."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


@contextlib.contextmanager
def atomic_write(path: str | os.PathLike, mode: str = "w", **open_kw: Any) -> Iterator[Any]:
    """``with atomic_write(path) as fh:`` write ``fh``; on leaving it replaces ``path``.

    ``mode`` "w" (text, pass ``encoding``/``newline``) or "wb" (a :class:`RecordingFile`
    for torch.save). An error inside the block or while finishing removes the temp file
    and leaves ``path`` as it was; a full disk raises :class:`DiskFullError`.
    """
    path = Path(path)
    folder = path.parent
    file_mode = _mode_for(path)
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
    except OSError as exc:
        if is_disk_full(exc):
            raise disk_full_error(path) from exc
        raise
    recorder: RecordingFile | None = None
    try:
        with os.fdopen(fd, mode, **open_kw) as fh:
            if "b" in mode:
                recorder = RecordingFile(fh)
                yield recorder
            else:
                yield fh
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, file_mode)
        os.replace(tmp, path)
    except BaseException as exc:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        cause = recorder.error if recorder is not None and recorder.error else exc
        if is_disk_full(cause):
            raise disk_full_error(path) from exc
        raise
    _fsync_dir(folder)


def stale_temp_files(folder: str | os.PathLike, names: tuple[str, ...]) -> list[Path]:
    """Temp files :func:`atomic_write` (or an older ``NAME.tmp`` writer) left for ``names``
    in ``folder`` when the process was killed mid-save."""
    folder = Path(folder)
    try:
        entries = list(folder.iterdir())
    except OSError:
        return []
    found = []
    for entry in entries:
        name = entry.name
        for target in names:
            ours = name.startswith(f".{target}.") and name.endswith(".tmp")
            if (ours or name == f"{target}.tmp") and entry.is_file():
                found.append(entry)
                break
    return sorted(found)


def copy_file(src: str | os.PathLike, dst: str | os.PathLike) -> None:
    """Copy ``src`` to ``dst`` through :func:`atomic_write` (a kill leaves no half copy)."""
    import shutil

    with open(src, "rb") as fin, atomic_write(dst, "wb") as fout:
        shutil.copyfileobj(fin, fout, 1 << 20)
