"""Safe file writing: write to a temporary file beside the target, then rename into place.

An interrupted run therefore never leaves a truncated output behind. Temporary names start
with :data:`TEMP_PREFIX` so that cleaning up after a killed run removes only our files, never a
user's own dotfiles. Files are created with the permissions of an ordinary file (``0666`` less
the umask, usually ``0644``), not the ``0600`` of :func:`tempfile.mkstemp`, so that a colleague or
a web server can read the reports.

Where an output goes is checked before any work (:func:`check_out_file`,
:func:`check_out_dir`): an ``--out`` that is an existing directory (for a file) or file (for a
folder), that lies under a file, or that cannot be written is bad input (exit 2), and so is a
write the system refuses (no permission, read-only disk, name too long, disk full).
"""

from __future__ import annotations

import errno
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from .errors import InputError, errno_name

TEMP_PREFIX = ".pii-tmp-"
_IN_FLIGHT: set[Path] = set()  # temporaries being written now (removed if the process is stopped)

#: system errors of a write that are the user's (or the machine's) to fix, not ours
USER_ERRNOS = {errno.EACCES, errno.EPERM, errno.EROFS, errno.ENOSPC, errno.EDQUOT,
               errno.ENAMETOOLONG, errno.ENOTDIR, errno.EEXIST, errno.EISDIR, errno.EFBIG,
               errno.ELOOP, errno.ENOENT}


#: first characters that make a spreadsheet read a cell as a formula (OWASP CSV injection)
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_text(text: str) -> str:
    """Text for a CSV a user may open in Excel or LibreOffice: with a leading ``'`` when it
    could start a formula (a file named ``=HYPERLINK(…).csv``, an item named ``@SUM(…)``)."""
    return "'" + text if text.startswith(FORMULA_TRIGGERS) else text


def readable_name(path: str | Path) -> str:
    """A file name as text that can be written anywhere: bytes of a non-UTF-8 name (which
    Python keeps as lone surrogates) become U+FFFD."""
    name = Path(path).name
    return name.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


def _first_existing(path: Path) -> Path:
    while not (path.exists() or path.is_symlink()) and path != path.parent:
        path = path.parent
    return path


def _check_ancestors(target: Path, folder: Path) -> None:
    """``folder`` (to hold ``target``) can be created and written: its nearest existing
    ancestor is a writable directory."""
    existing = _first_existing(folder.absolute())
    if not existing.is_dir():
        raise InputError("out_under_file", column="--out", value=str(target),
                         parent=str(existing))
    if not os.access(existing, os.W_OK | os.X_OK):
        raise InputError("out_unwritable", column="--out", value=str(target),
                         reason="EACCES")


def check_out_file(target: str | Path) -> Path:
    """Refuse, before any work, an output file path that cannot be written.

    Raises
    ------
    InputError
        When ``target`` is an existing directory, lies under an existing file, or its folder
        cannot be written.
    """
    target = Path(target)
    try:
        if target.is_dir():
            raise InputError("out_file", column="--out", value=str(target))
        _check_ancestors(target, target.parent)
    except OSError as exc:  # e.g. ENAMETOOLONG from stat()
        raise _refused_write(exc, target) or exc from None
    return target


def check_out_dir(folder: str | Path) -> Path:
    """Refuse, before any work, an output folder that is a file or cannot be created/written."""
    folder = Path(folder)
    try:
        if (folder.exists() or folder.is_symlink()) and not folder.is_dir():
            raise InputError("out_dir", column="--out", value=str(folder))
        _check_ancestors(folder, folder)
    except OSError as exc:
        raise _refused_write(exc, folder) or exc from None
    return folder


#: errors that can only come from writing, whatever file they name
WRITE_ERRNOS = {errno.ENOSPC, errno.EDQUOT, errno.EFBIG, errno.EROFS}


def _refused_write(exc: OSError, target: Path, *, anywhere: bool = True) -> InputError | None:
    """The user's error for a write the system refused, or None (then it is ours).

    With ``anywhere=False`` (an error raised while the caller wrote its content) only errors
    about the target's own folder count: a missing asset read meanwhile is a bug, not a bad
    ``--out``.
    """
    if exc.errno not in USER_ERRNOS:
        return None
    names = [Path(n) for n in (exc.filename, exc.filename2) if isinstance(n, (str, Path))]
    about_target = any(n.parent == target.parent or n == target.parent for n in names)
    if anywhere or exc.errno in WRITE_ERRNOS or about_target:
        return InputError("out_unwritable", column="--out", value=str(target),
                          reason=errno_name(exc))
    return None


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
        When ``target`` cannot be written (see :func:`check_out_file`), or the system refuses
        the write for a reason the user can fix (:data:`USER_ERRNOS`).
    """
    target = check_out_file(target)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f"{TEMP_PREFIX}{target.name[:80]}.", suffix=".tmp",
                                   dir=target.parent)
    except OSError as exc:
        raise _refused_write(exc, target) or exc from None
    os.close(fd)
    tmp_path = Path(tmp)
    _IN_FLIGHT.add(tmp_path)
    try:
        yield tmp_path
        if tmp_path.exists():
            os.chmod(tmp_path, file_mode())
        os.replace(tmp_path, target)
    except OSError as exc:
        refused = _refused_write(exc, target, anywhere=False)
        if refused is None:
            raise
        raise refused from None
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
