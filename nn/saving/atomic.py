"""Atomic writes: a file is either the old one or the whole new one, never half written.

The bytes go to a temporary file next to the target (``.<name>.<pid>.<random>.xpgrad-tmp``),
which is flushed, fsync'ed and then ``os.replace``'d over the target, so an error or crash
during the write leaves the previous file untouched. Temporary files left by a killed
process are removed by the next save to the same path. The file gets the permissions
``open(path, "wb")`` would give: the umask's for a new file (0644 usually), the old file's
when replacing one. Saving onto a symbolic link writes the file it points to and keeps the
link. Every format (native and Keras') writes through :func:`atomic_write`.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import threading
import time
from collections.abc import Callable
from typing import BinaryIO

_TEMP_SUFFIX = ".xpgrad-tmp"

# Temporary files of writes in progress in this process (other threads may save next to
# them): never taken for a killed process's leftovers.
_ACTIVE_TEMPS: set[str] = set()
_ACTIVE_LOCK = threading.Lock()


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)  # signal 0: existence check only (POSIX)
    except ProcessLookupError:
        return False
    except PermissionError:  # alive, another user's
        return True
    except OSError:
        return True
    return True


def _remove_stale_temps(target: str) -> None:
    """Delete the temporary files that writes to ``target`` left when their process was
    killed (SIGKILL, power loss): named ``.<name>.<pid>.<random>.xpgrad-tmp``, with a pid
    that is gone (or, where pids cannot be checked, a day old)."""
    directory, base = os.path.split(target)
    prefix = f".{base}."
    try:
        entries = list(os.scandir(directory))
    except OSError:
        return
    for entry in entries:
        name = entry.name
        if not (name.startswith(prefix) and name.endswith(_TEMP_SUFFIX)):
            continue
        pid_text = name[len(prefix):-len(_TEMP_SUFFIX)].split(".")[0]
        if not pid_text.isdigit():
            continue
        with _ACTIVE_LOCK:
            if entry.path in _ACTIVE_TEMPS:
                continue
        if os.name == "posix":
            stale = int(pid_text) == os.getpid() or not _pid_alive(int(pid_text))
        else:  # os.kill(pid, 0) would signal the process on Windows: go by age instead
            try:
                stale = time.time() - entry.stat().st_mtime > 86400
            except OSError:
                continue
        if stale:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(entry.path)


def atomic_write(path: str, write: Callable[[BinaryIO], None]) -> None:
    """Run ``write(f)`` on a temporary file next to ``path``; on success fsync it and
    ``os.replace`` it over ``path`` (atomic on POSIX and Windows); on failure delete it
    and re-raise, leaving any existing ``path`` as it was.

    A symbolic link is followed: the file it points to is replaced and the link kept.
    The new file gets the mode ``open(path, "wb")`` would give it: the umask's when
    ``path`` is new, the old file's when it replaces one. Temporary files that killed
    writes to ``path`` left behind are removed first.

    Raises:
        FileNotFoundError: the directory does not exist.
        IsADirectoryError: ``path`` is a directory.
    """
    path = os.fspath(path)
    # Through a symlink, as open() goes: replacing the link itself would turn it into a
    # regular file and leave the file it pointed to stale.
    target = os.path.realpath(path) if os.path.islink(path) else os.path.abspath(path)
    directory = os.path.dirname(target)
    if not os.path.isdir(directory):
        raise FileNotFoundError(f"cannot save {path!r}: the directory {directory!r} does not exist")
    if os.path.isdir(target):
        raise IsADirectoryError(f"cannot save {path!r}: it is a directory")
    _remove_stale_temps(target)
    try:
        mode: int | None = os.stat(target).st_mode & 0o7777
    except FileNotFoundError:
        mode = None
    tmp = os.path.join(
        directory,
        f".{os.path.basename(target)}.{os.getpid()}.{secrets.token_hex(4)}{_TEMP_SUFFIX}",
    )
    with _ACTIVE_LOCK:
        _ACTIVE_TEMPS.add(tmp)
    try:
        # 0o666 and the umask, as open() creates files (mkstemp would make them 0600).
        flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
        fd = os.open(tmp, flags, 0o666)
        with os.fdopen(fd, "wb") as f:
            if mode is not None:
                os.chmod(tmp, mode)  # replacing a file keeps its permissions, as open() does
            write(f)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    finally:
        with _ACTIVE_LOCK:
            _ACTIVE_TEMPS.discard(tmp)
    try:  # make the rename itself durable
        dfd = os.open(directory, os.O_RDONLY)
    except OSError:  # pragma: no cover - e.g. Windows
        return
    try:
        os.fsync(dfd)
    except OSError:  # pragma: no cover
        pass
    finally:
        os.close(dfd)
