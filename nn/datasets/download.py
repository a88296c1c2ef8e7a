"""Download one file over HTTP(S), verify its checksum, and publish it atomically.

The file is streamed into a temporary file in the destination directory while
its MD5 is computed; only a complete transfer with the right checksum is
fsynced and renamed (``os.replace``) onto the final name, so a reader never
sees a partial or wrong file. Nothing is retried behind the caller's back: a
failure raises :class:`DownloadError` saying which URL failed and why.
"""

from __future__ import annotations

import contextlib
import hashlib
import http.client
import os
import tempfile
import urllib.error
import urllib.request
from pathlib import Path

__all__ = ["DownloadError", "ChecksumError", "download_file", "DEFAULT_TIMEOUT_S"]

#: Seconds to wait for the connection and for each read before giving up.
DEFAULT_TIMEOUT_S = 30.0

#: Transfers larger than this show a progress bar (on a terminal).
_PROGRESS_THRESHOLD_BYTES = 1 << 20
_CHUNK_BYTES = 1 << 16


class DownloadError(OSError):
    """Fetching a URL failed (HTTP error, network error, timeout, short transfer)."""


class ChecksumError(DownloadError):
    """The downloaded bytes do not have the published checksum."""


def download_file(
    url: str,
    destination: str | os.PathLike[str],
    md5: str,
    timeout: float = DEFAULT_TIMEOUT_S,
    progress: bool = True,
) -> Path:
    """Download ``url`` to ``destination`` if its MD5 hex digest equals ``md5``.

    Creates the parent directory if needed. The previous content of
    ``destination`` (if any) is only replaced after a verified download.
    Shows a tqdm progress bar on stderr for large files when ``progress`` is
    true and stderr is a terminal. Returns the destination path.
    """
    destination = Path(destination)
    destination.parent.mkdir(parents=True, exist_ok=True)
    handle, temp_name = tempfile.mkstemp(
        prefix=f".{destination.name}.", suffix=".part", dir=destination.parent
    )
    try:
        with os.fdopen(handle, "wb") as temp_file:
            digest = _stream_to_file(url, temp_file, timeout, progress)
            temp_file.flush()
            os.fsync(temp_file.fileno())
        if digest != md5.lower():
            raise ChecksumError(
                f"checksum mismatch for {url}: MD5 {digest}, expected {md5.lower()} "
                "(corrupt transfer or a different file on the server)"
            )
        os.replace(temp_name, destination)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temp_name)
        raise
    _fsync_directory(destination.parent)
    return destination


def _stream_to_file(url: str, out, timeout: float, progress: bool) -> str:
    """Copy the response body of ``url`` into ``out``; return its MD5 hex digest."""
    md5 = hashlib.md5()
    received = 0
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            length_header = response.headers.get("Content-Length")
            expected = int(length_header) if length_header is not None else None
            with _progress_bar(url, expected, progress) as bar:
                while chunk := response.read(_CHUNK_BYTES):
                    out.write(chunk)
                    md5.update(chunk)
                    received += len(chunk)
                    bar.update(len(chunk))
    except urllib.error.HTTPError as exc:
        raise DownloadError(f"HTTP {exc.code} {exc.reason} from {url}") from exc
    except urllib.error.URLError as exc:
        raise DownloadError(f"cannot reach {url}: {exc.reason}") from exc
    except (OSError, http.client.HTTPException) as exc:
        # Mid-body failures: timeouts, resets, IncompleteRead, or a local write error.
        raise DownloadError(f"transfer from {url} failed after {received} bytes: {exc!r}") from exc
    # http.client does not flag a connection closed before Content-Length bytes.
    if expected is not None and received != expected:
        raise DownloadError(
            f"truncated transfer from {url}: received {received} of {expected} bytes"
        )
    return md5.hexdigest()


def _progress_bar(url: str, total: int | None, enabled: bool):
    from tqdm.auto import tqdm

    show = enabled and (total is None or total >= _PROGRESS_THRESHOLD_BYTES)
    # disable=None lets tqdm switch itself off when stderr is not a terminal.
    return tqdm(
        total=total,
        unit="B",
        unit_scale=True,
        unit_divisor=1024,
        desc=url.rsplit("/", 1)[-1],
        disable=None if show else True,
        leave=False,
    )


def _fsync_directory(directory: Path) -> None:
    """Make the rename durable; not supported on every platform (e.g. Windows)."""
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
