"""Safe file writing: write to a temporary file beside the target, then rename into place.

An interrupted run therefore never leaves a truncated output behind. Temporary names start
with :data:`TEMP_PREFIX` so that cleaning up after a killed run removes only our files, never a
user's own dotfiles. Files are created with the permissions of an ordinary file (``0666`` less
the umask, usually ``0644``), not the ``0600`` of :func:`tempfile.mkstemp`, so that a colleague or
a web server can read the reports.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from .errors import InputError

TEMP_PREFIX = ".pii-tmp-"
_IN_FLIGHT: set[Path] = set()  # temporaries being written now (removed if the process is stopped)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def file_mode() -> int:
    """Permissions of a new ordinary file under the current umask (e.g. ``0o644``)."""
    return 0o666 & ~_umask()


@contextmanager
def atomic_path(target: str | Path) -> Iterator[Path]:
    """Yield a temporary path; on success it is renamed to ``target``, on error removed.

    Raises
    ------
    InputError
        When ``target`` is an existing directory.
    """
    target = Path(target)
    if target.is_dir():
        raise InputError("out_file", column="--out", value=str(target))
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f"{TEMP_PREFIX}{target.name}.", suffix=".tmp",
                               dir=target.parent)
    os.close(fd)
    tmp_path = Path(tmp)
    _IN_FLIGHT.add(tmp_path)
    try:
        yield tmp_path
        if tmp_path.exists():
            os.chmod(tmp_path, file_mode())
        os.replace(tmp_path, target)
    finally:
        _IN_FLIGHT.discard(tmp_path)
        if tmp_path.exists():
            tmp_path.unlink()


def remove_in_flight() -> None:
    """Delete the temporaries this process is writing (before it exits on a signal)."""
    for path in list(_IN_FLIGHT):
        for candidate in (path, path.with_suffix(".ipynb")):
            candidate.unlink(missing_ok=True)
        _IN_FLIGHT.discard(path)


def write_text_atomic(target: str | Path, text: str) -> Path:
    """Write UTF-8 text to ``target`` atomically."""
    with atomic_path(target) as tmp:
        tmp.write_text(text, encoding="utf-8")
    return Path(target)


def write_bytes_atomic(target: str | Path, blob: bytes) -> Path:
    """Write bytes to ``target`` atomically."""
    with atomic_path(target) as tmp:
        tmp.write_bytes(blob)
    return Path(target)


def remove_stale_temporaries(directory: Path) -> int:
    """Delete our temporary files left in ``directory`` by a run killed before renaming them.

    Only names starting with :data:`TEMP_PREFIX` are touched. Returns how many were removed.
    """
    removed = 0
    if directory.is_dir():
        for tmp in directory.glob(f"{TEMP_PREFIX}*"):
            if tmp.is_file():
                tmp.unlink(missing_ok=True)
                removed += 1
    return removed
