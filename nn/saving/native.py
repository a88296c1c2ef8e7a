"""The native formats, ``.safetensors`` and ``.npz``: writing them, and reading them
defensively.

* ``.safetensors`` (needs the ``safetensors`` package): tensors by state_dict name;
  a whole model stores its JSON config in the metadata (key ``xpgrad_config``), and
  every file written here stores a SHA-256 checksum of its tensors and config (key
  ``xpgrad_sha256``), verified on loading (files of other tools, without it, load as
  they are). ``.npz`` needs no checksum: the zip format has a CRC per array.
* ``.npz``: one array per state_dict name; a whole model adds a ``__xpgrad_config__``
  entry holding the JSON text (a string array: loads without pickle).

Sizes are checked against the file before anything is allocated: an ``.npz`` array must
hold exactly the bytes its header declares, and its arrays may not expand to more than
:data:`MAX_NPZ_EXPANSION` times the file's size (``np.savez`` writes them uncompressed;
real weights compress to ~0.9x); safetensors checks its own header. Every file that
cannot be read is a :class:`FileFormatError`.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import struct
import zipfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, BinaryIO

import numpy as np

from ..core.module import Module, to_host
from .atomic import atomic_write

CONFIG_KEY = "__xpgrad_config__"
_META_KEY = "xpgrad_config"
CHECKSUM_KEY = "xpgrad_sha256"
FORMAT_VERSION = 1
#: An .npz's arrays may declare at most this many times the file's size (a decompression
#: bomb is refused before it is inflated); below 1 MiB anything goes.
MAX_NPZ_EXPANSION = 64
_SMALL_FILE = 1 << 20


class FileFormatError(ValueError):
    """A weights or model file that cannot be read: not a file of its format, corrupt
    (its checksum, CRC or sizes do not match), or holding an invalid model config."""


# What zipfile and zlib raise for a damaged archive or entry (bad magic, CRC, sizes,
# flags such as "encrypted", inflate errors, seeks to offsets that a corrupt directory
# gives: OSError EINVAL). Each use lets _UNREADABLE through first: a file that cannot be
# read (permissions) is not a corrupt one.
_ZIP_ERRORS = (zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error, struct.error, EOFError,
               RuntimeError, NotImplementedError, ValueError, KeyError, OSError)
_UNREADABLE = (PermissionError, FileNotFoundError, IsADirectoryError)


def _format_of(path: str) -> str:
    if not isinstance(path, str | os.PathLike) or isinstance(os.fspath(path), bytes):
        raise TypeError(f"a weights file path must be a str or os.PathLike, got {path!r}")
    ext = os.path.splitext(os.fspath(path))[1].lower()
    if ext == ".safetensors":
        return "safetensors"
    if ext == ".npz":
        return "npz"
    raise ValueError(
        f"unsupported weights file extension {ext!r} in {path!r}: use '.safetensors' or '.npz'"
    )


def _safetensors_numpy() -> Any:
    try:
        import safetensors.numpy as st
    except ImportError as e:  # pragma: no cover - depends on the environment
        raise ImportError(
            "saving/loading '.safetensors' files needs the safetensors package "
            "(pip install 'xpgrad[safetensors]'), or use a '.npz' path"
        ) from e
    return st


def _contiguous(array: np.ndarray) -> np.ndarray:
    # not np.ascontiguousarray: it turns a 0-d array (a step counter) into shape (1,)
    return array if array.flags.c_contiguous else array.copy()


def _checksum(arrays: dict[str, np.ndarray], config: str | None) -> str:
    """SHA-256 over every tensor's name, dtype, shape and bytes (in name order) and the
    config text: a flipped byte anywhere in the data or the config changes it."""
    digest = hashlib.sha256()
    for name in sorted(arrays):
        array = _contiguous(arrays[name])
        digest.update(json.dumps([name, array.dtype.str, list(array.shape)]).encode())
        digest.update(array.reshape(-1).view(np.uint8))
    if config is not None:
        digest.update(b"\0config\0" + config.encode())
    return digest.hexdigest()


# ---------------------------------------------------------------- serializers (bytes out)
def _serialize_safetensors(arrays: dict[str, np.ndarray], config: str | None, f: BinaryIO) -> None:
    st = _safetensors_numpy()
    arrays = {k: _contiguous(v) for k, v in arrays.items()}
    metadata = {"format": "xpgrad", "version": str(FORMAT_VERSION)}
    if config is not None:
        metadata[_META_KEY] = config
    metadata[CHECKSUM_KEY] = _checksum(arrays, config)
    f.write(st.save(arrays, metadata=metadata))


def _serialize_npz(arrays: dict[str, np.ndarray], config: str | None, f: BinaryIO) -> None:
    if CONFIG_KEY in arrays:
        raise ValueError(f"weight name {CONFIG_KEY!r} is reserved")
    entries = dict(arrays)
    if config is not None:
        entries[CONFIG_KEY] = np.array(config)
    np.savez(f, **entries)


_SERIALIZERS: dict[str, Callable[[dict[str, np.ndarray], str | None, BinaryIO], None]] = {
    "safetensors": _serialize_safetensors,
    "npz": _serialize_npz,
}


def _host_state(model: Module) -> dict[str, np.ndarray]:
    return {k: np.array(to_host(v.array)) for k, v in model._state_tensors().items()}


def _write(path: str, arrays: dict[str, np.ndarray], config: str | None) -> None:
    fmt = _format_of(path)
    serializer = _SERIALIZERS[fmt]
    atomic_write(path, lambda f: serializer(arrays, config, f))


# ---------------------------------------------------------------- reading
@dataclass
class _Contents:
    """A weights file opened and checked, its data not read yet."""

    shapes: dict[str, tuple[int, ...]]  # tensor name -> shape, from the header
    config_text: str | None  # the model config's JSON text, if any
    read: Callable[[set[str] | None], dict[str, np.ndarray]]  # the tensors (those named)


@contextlib.contextmanager
def _open_weights(path: str) -> Iterator[_Contents]:
    """Open a weights file and check its header against its size, reading no data yet."""
    fmt = _format_of(path)
    if not os.path.exists(path):
        raise FileNotFoundError(f"no such weights file: {path!r}")
    if os.path.isdir(path):
        raise IsADirectoryError(f"{path!r} is a directory, not a weights file")
    opener = _open_safetensors if fmt == "safetensors" else _open_npz
    with opener(path) as contents:
        yield contents


@contextlib.contextmanager
def _open_safetensors(path: str) -> Iterator[_Contents]:
    _safetensors_numpy()
    from safetensors import SafetensorError, safe_open

    def corrupt(error: Exception) -> FileFormatError:
        return FileFormatError(f"{path!r} is not a valid .safetensors file: {error}")

    try:
        # safe_open checks the header against the file's size (no allocation from it)
        handle = safe_open(path, framework="np")
    except SafetensorError as error:
        raise corrupt(error) from None
    with handle as f:
        try:
            metadata = f.metadata() or {}
            shapes = {k: tuple(f.get_slice(k).get_shape()) for k in f.keys()}
        except SafetensorError as error:
            raise corrupt(error) from None
        config = metadata.get(_META_KEY)
        stored = metadata.get(CHECKSUM_KEY)

        def read(names: set[str] | None) -> dict[str, np.ndarray]:
            try:
                arrays = {k: f.get_tensor(k) for k in shapes if names is None or k in names}
            except (SafetensorError, TypeError, ValueError) as error:
                raise corrupt(error) from None
            if stored is not None:
                every = arrays if names is None else {k: f.get_tensor(k) for k in shapes}
                if _checksum(every, config) != stored:
                    raise FileFormatError(
                        f"{path!r} is corrupt: its tensors or config do not match the SHA-256 "
                        "checksum stored when it was written"
                    )
            return arrays

        yield _Contents(shapes, config, read)


@dataclass
class _NpyEntry:
    info: zipfile.ZipInfo
    shape: tuple[int, ...]
    dtype: np.dtype
    fortran: bool
    offset: int  # where the data starts in the member


@contextlib.contextmanager
def _open_npz(path: str) -> Iterator[_Contents]:
    size = os.path.getsize(path)
    try:
        archive = zipfile.ZipFile(path)
    except _UNREADABLE:
        raise
    except _ZIP_ERRORS as error:
        raise FileFormatError(
            f"{path!r} is not a valid .npz file (a zip archive of .npy arrays): {error}"
        ) from None
    with archive:
        entries = {_npy_name(path, info): _npy_entry(path, archive, info, size)
                   for info in archive.infolist()}
        declared = sum(_nbytes(e) for e in entries.values())
        if declared > max(MAX_NPZ_EXPANSION * size, _SMALL_FILE):
            raise FileFormatError(
                f"{path!r} declares {declared:,} bytes of arrays in a {size:,}-byte file (more "
                f"than {MAX_NPZ_EXPANSION} times its size): refused as a decompression bomb"
            )
        config = None
        if CONFIG_KEY in entries:
            text = _read_npy(path, archive, entries.pop(CONFIG_KEY))
            if text.dtype.kind != "U" or text.ndim != 0:
                raise FileFormatError(f"{path!r}: its {CONFIG_KEY} entry is not a text")
            config = str(text[()])

        def read(names: set[str] | None) -> dict[str, np.ndarray]:
            return {k: _read_npy(path, archive, e) for k, e in entries.items()
                    if names is None or k in names}

        yield _Contents({k: e.shape for k, e in entries.items()}, config, read)


def _npy_name(path: str, info: zipfile.ZipInfo) -> str:
    if not info.filename.endswith(".npy"):
        raise FileFormatError(
            f"{path!r} is not an .npz of arrays: it holds {info.filename!r}, not a .npy entry"
        )
    return info.filename[:-4]


def _nbytes(entry: _NpyEntry) -> int:
    count = 1
    for d in entry.shape:
        count *= d
    return count * entry.dtype.itemsize


def _npy_entry(path: str, archive: zipfile.ZipFile, info: zipfile.ZipInfo, size: int) -> _NpyEntry:
    """Parse one member's .npy header; check it against the member's sizes and the file's."""
    name = info.filename
    if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
        raise FileFormatError(f"{path!r}: entry {name!r} uses an unsupported compression")
    if info.compress_size > size or (
        info.compress_type == zipfile.ZIP_STORED and info.compress_size != info.file_size
    ):
        raise FileFormatError(
            f"{path!r} is corrupt: entry {name!r} declares {info.file_size:,} bytes "
            f"({info.compress_size:,} stored) in a {size:,}-byte file"
        )
    try:
        with archive.open(info) as f:
            version = np.lib.format.read_magic(f)
            if version == (1, 0):
                shape, fortran, dtype = np.lib.format.read_array_header_1_0(f)
            elif version == (2, 0):
                shape, fortran, dtype = np.lib.format.read_array_header_2_0(f)
            else:
                raise FileFormatError(
                    f"{path!r}: entry {name!r} has .npy format version {version}, which "
                    "xpgrad does not read (1.0 and 2.0 are what np.savez writes)"
                )
            offset = f.tell()
    except (FileFormatError, *_UNREADABLE):
        raise
    except (*_ZIP_ERRORS, SyntaxError) as error:  # np.lib.format parses the header's dict
        raise FileFormatError(f"{path!r}: entry {name!r} is not a valid .npy array: {error}") \
            from None
    if dtype.hasobject:
        raise FileFormatError(
            f"{path!r}: entry {name!r} holds Python objects, which could only be read by "
            "unpickling them; xpgrad never unpickles (weights are numbers)"
        )
    entry = _NpyEntry(info, tuple(int(d) for d in shape), dtype, bool(fortran), offset)
    if offset + _nbytes(entry) != info.file_size:
        raise FileFormatError(
            f"{path!r} is corrupt: entry {name!r} declares shape {entry.shape} of {dtype} "
            f"({_nbytes(entry):,} bytes) but holds {info.file_size - offset:,} bytes of data"
        )
    return entry


def _read_npy(path: str, archive: zipfile.ZipFile, entry: _NpyEntry) -> np.ndarray:
    """The array of a checked entry, read straight into its final buffer."""
    count = _nbytes(entry) // max(entry.dtype.itemsize, 1)
    flat = np.empty(count, dtype=entry.dtype)
    buffer = memoryview(flat.view(np.uint8)) if flat.size else memoryview(b"")
    try:
        with archive.open(entry.info) as f:
            f.read(entry.offset)
            done = 0
            while done < len(buffer):
                n = f.readinto(buffer[done:])
                if not n:
                    raise FileFormatError(
                        f"{path!r} is corrupt: entry {entry.info.filename!r} ends after "
                        f"{done:,} of {len(buffer):,} bytes"
                    )
                done += n
            f.read(1)  # reaching the end makes zipfile check the entry's CRC
    except (FileFormatError, *_UNREADABLE):
        raise
    except _ZIP_ERRORS as error:  # a bad CRC, an inflate error
        raise FileFormatError(
            f"{path!r} is corrupt: entry {entry.info.filename!r}: {error}"
        ) from None
    return flat.reshape(entry.shape, order="F" if entry.fortran else "C")


def _parse_config(path: str, text: str | None) -> dict[str, Any] | None:
    if text is None:
        return None
    try:
        config = json.loads(text)
    except RecursionError:
        raise FileFormatError(
            f"{path!r}: its model config is nested too deeply to be a model"
        ) from None
    except ValueError as error:  # json.JSONDecodeError
        raise FileFormatError(f"{path!r}: its model config is not valid JSON: {error}") from None
    if not isinstance(config, dict):
        raise FileFormatError(
            f"{path!r}: its model config must be a JSON object, got {type(config).__name__}"
        )
    return config


def read_file(path: str) -> tuple[dict[str, np.ndarray], dict[str, Any] | None]:
    """``(arrays by name, model config or None)`` from a file written here (or a file of
    safetensors or ``np.savez``); see the module's notes on what is checked.

    Raises:
        FileFormatError: the file cannot be read (not of its format, corrupt, bad config).
        FileNotFoundError: there is no such file.
    """
    with _open_weights(path) as contents:
        config = _parse_config(path, contents.config_text)
        arrays = contents.read(None)
    return arrays, config
