"""Saving and loading: weights, and whole Sequential models.

Formats, chosen by the file extension (``.keras`` and ``.weights.h5``, Keras 3's own
formats, and the legacy whole-model ``.h5``/``.hdf5`` are read and written by
:mod:`nn.keras_saving`):

* ``.safetensors`` (needs the ``safetensors`` package): tensors by state_dict name;
  a whole model stores its JSON config in the metadata (key ``xpgrad_config``), and
  every file written here stores a SHA-256 checksum of its tensors and config (key
  ``xpgrad_sha256``), verified on loading (files of other tools, without it, load as
  they are). ``.npz`` needs no checksum: the zip format has a CRC per array.
* ``.npz``: one array per state_dict name; a whole model adds a ``__xpgrad_config__``
  entry holding the JSON text (a string array: loads without pickle).

Writes are atomic: the bytes go to a temporary file next to the target
(``.<name>.<pid>.<random>.xpgrad-tmp``), which is flushed, fsync'ed and then
``os.replace``'d over the target, so an error or crash during the write leaves the
previous file untouched. Temporary files left by a killed process are removed by the
next save to the same path. The file gets the permissions ``open(path, "wb")`` would
give: the umask's for a new file (0644 usually), the old file's when replacing one.
Saving onto a symbolic link writes the file it points to and keeps the link.

Reading is defensive, as files may come from anywhere:

* sizes are checked against the file before anything is allocated: an ``.npz`` array
  must hold exactly the bytes its header declares, and its arrays may not expand to more
  than :data:`MAX_NPZ_EXPANSION` times the file's size (``np.savez`` writes them
  uncompressed; real weights compress to ~0.9x); safetensors checks its own header;
* ``load_weights`` checks names and shapes against the model before reading the data
  (a file of another architecture is refused, listing the differences); ``load_model``
  rebuilds the model from the config under a budget of the values the file holds, so a
  config declaring ``Dense(20000)`` next to a few bytes of weights is refused before any
  large allocation;
* no loader uses pickle or eval.

Every file that cannot be read is a :class:`FileFormatError` (a ValueError) with a
message naming the file and what is wrong with it: not a file of its format, corrupt
(checksum, CRC, sizes), or an invalid model config (bad JSON, missing keys, wrong types,
nesting too deep). A missing file is FileNotFoundError; weights of another architecture
are :class:`StateDictError`.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import numbers
import os
import secrets
import struct
import threading
import time
import zipfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, BinaryIO

import numpy as np

from ..core.layer import ALLOCATION_BUDGET, BUILTIN_LAYERS
from ..core.module import IncompatibleKeys, Module, StateDictError, to_host

CONFIG_KEY = "__xpgrad_config__"
_META_KEY = "xpgrad_config"
CHECKSUM_KEY = "xpgrad_sha256"
FORMAT_VERSION = 1
#: An .npz's arrays may declare at most this many times the file's size (a decompression
#: bomb is refused before it is inflated); below 1 MiB anything goes.
MAX_NPZ_EXPANSION = 64
_SMALL_FILE = 1 << 20
#: Values a loaded config may allocate beyond those its file holds (probe batches, weights
#: the file leaves out): enough for any small model, far below a harmful allocation.
_ALLOCATION_SLACK = 1 << 20
_TEMP_SUFFIX = ".xpgrad-tmp"


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


# ---------------------------------------------------------------- atomic writes
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


def _host_state(model: Module) -> dict[str, np.ndarray]:
    return {k: np.array(to_host(v.data)) for k, v in model._state_tensors().items()}


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


# ---------------------------------------------------------------- public functions
def _keras_saving(path: str) -> Any:
    """:mod:`nn.keras_saving` for Keras' ``.keras`` / ``.weights.h5`` / ``.h5`` paths, else
    None."""
    if not isinstance(path, str | os.PathLike):  # refused, with its message, further on
        return None
    from . import keras as keras_saving

    return keras_saving if keras_saving.is_keras_path(path) else None


def save_weights(model: Module, path: str) -> None:
    """Write ``model.state_dict()`` (parameters and buffers) atomically."""
    if (keras := _keras_saving(path)) is not None:
        return keras.save_weights(model, path)
    _write(path, _host_state(model), None)


def load_weights(model: Module, path: str, strict: bool = True) -> IncompatibleKeys:
    """Load a file written by ``save_weights``/``save`` into ``model`` (in place).

    Names and shapes are checked against the model before the file's data is read, so a
    file of another architecture costs no allocation; with ``strict=False`` only the
    tensors the model has are read.

    Raises:
        StateDictError: names or shapes differ (another architecture), listing the
            differences; the model is left unchanged.
        FileFormatError: the file cannot be read (see :func:`read_file`).
    """
    if (keras := _keras_saving(path)) is not None:
        return keras.load_weights(model, path, strict=strict)
    with _open_weights(path) as contents:
        try:
            model.check_state_shapes(contents.shapes, strict=strict)
        except StateDictError as e:
            raise StateDictError(
                f"{path!r} does not match the architecture of this model.\n{e}"
            ) from None
        arrays = contents.read(set(model._state_tensors()))
    return model.load_state_dict(arrays, strict=strict)


def serialize_layer(layer: Module) -> dict[str, Any]:
    """``{"class_name": ..., "module": ..., "config": layer.get_config()}``; the module tells
    apart classes of one name (Keras' ``nn.layers.LeakyReLU``, PyTorch's ``nn.LeakyReLU``)."""
    cls = type(layer)
    return {"class_name": cls.__name__, "module": cls.__module__, "config": layer.get_config()}


def _layer_class(name: str, module: Any, custom_objects: dict[str, type] | None) -> Any:
    import nn.models  # noqa: F401 - defining the built-in classes registers them

    cls = (custom_objects or {}).get(name) or BUILTIN_LAYERS.get(f"{module}.{name}")
    if cls is None:  # a config without "module": Keras' layer of that name, else the only one
        candidates = [c for key, c in BUILTIN_LAYERS.items() if key.rsplit(".", 1)[1] == name]
        keras = [c for c in candidates if c.__module__.startswith("nn.layers")]
        cls = (keras or candidates or [None])[0]
    return cls


def deserialize_layer(
    config: dict[str, Any], custom_objects: dict[str, type] | None = None
) -> Module:
    """Inverse of :func:`serialize_layer`; ``custom_objects`` maps class names of your own
    Modules (with get_config/from_config) to their classes.

    Raises:
        ValueError: an unknown class name, or an entry that is not
            ``{"class_name": str, "config": {...}}``.
    """
    if not isinstance(config, dict):
        raise ValueError(
            f"a layer config must be {{'class_name': ..., 'config': {{...}}}}, got "
            f"{type(config).__name__}"
        )
    name = config.get("class_name")
    if not isinstance(name, str):
        raise ValueError(f"a layer config needs a 'class_name' string, got {name!r}")
    cls = _layer_class(name, config.get("module"), custom_objects)
    if cls is None:
        raise ValueError(
            f"unknown layer class {name!r} in saved config; pass "
            f"custom_objects={{{name!r}: YourClass}}"
        )
    layer_config = config.get("config")
    if not isinstance(layer_config, dict):
        raise ValueError(
            f"the config of a {name} layer must be a JSON object, got {layer_config!r}"
        )
    if name in ("Sequential", "Functional"):  # models: their layers may be custom ones
        return cls.from_config(layer_config, custom_objects)
    return cls.from_config(dict(layer_config))


def save_model(model: Module, path: str) -> None:
    """Write architecture (JSON of ``get_config()``) and weights to one file, atomically."""
    if (keras := _keras_saving(path)) is not None:
        return keras.save_model(model, path)
    config = json.dumps(
        {"format": "xpgrad-model", "version": FORMAT_VERSION, "model": serialize_layer(model)}
    )
    _write(path, _host_state(model), config)


class _AllocationBudget:
    """``nn.core.layer.ALLOCATION_BUDGET`` while a config is rebuilt: the weights it declares
    may take as many values as the file holds (plus a small slack), no more."""

    def __init__(self, path: str, shapes: dict[str, tuple[int, ...]]) -> None:
        self.path = path
        self.held = sum(int(np.prod(s, dtype=object)) for s in shapes.values())
        self.left = self.held + _ALLOCATION_SLACK

    def charge(self, module: Module, what: str, shape: tuple) -> None:
        count = 1
        for d in shape:
            if isinstance(d, bool) or not isinstance(d, numbers.Integral) or d < 0:
                raise FileFormatError(
                    f"{self.path!r}: its config gives layer {module.name!r} a {what} of "
                    f"shape {shape}"
                )
            count *= int(d)
        if count > self.left:
            raise FileFormatError(
                f"{self.path!r}: its config declares a {what} of shape {shape} "
                f"({count:,} values) in layer {module.name!r}, but the file holds "
                f"{self.held:,} values in all: the config does not match the weights "
                "(refused before allocating)"
            )
        self.left -= count


def load_model(
    path: str,
    custom_objects: dict[str, type] | None = None,
    compile: bool = True,  # noqa: A002 - Keras' argument name
) -> Module:
    """Rebuild the model saved by ``model.save(path)`` and load its weights.

    ``.keras`` files (Keras 3's format) come back compiled as saved unless ``compile`` is
    False; native files hold no compile configuration.

    The config is rebuilt under a budget of the values the file holds and its weights'
    names and shapes are checked against the file before the data is read.

    Raises:
        FileFormatError: the file cannot be read, holds weights only, or its config is
            invalid (bad JSON, missing keys, wrong types, unknown classes, nesting too
            deep, weights that do not match it). It is a ValueError.
        FileNotFoundError: there is no such file.
    """
    if (keras := _keras_saving(path)) is not None:
        return keras.load_model(path, compile=compile)
    with _open_weights(path) as contents:
        config = _parse_config(path, contents.config_text)
        if config is None:
            raise FileFormatError(
                f"{path!r} holds weights only (written by save_weights): build the "
                "model in code and call model.load_weights(path)"
            )
        if config.get("format") != "xpgrad-model":
            raise FileFormatError(
                f"{path!r} is not an xpgrad model file (its config's format is "
                f"{config.get('format')!r}, not 'xpgrad-model')"
            )
        if "model" not in config:
            raise FileFormatError(f"{path!r}: its model config has no 'model' entry")
        token = ALLOCATION_BUDGET.set(_AllocationBudget(path, contents.shapes))
        try:
            model = deserialize_layer(config["model"], custom_objects)
        except FileFormatError:
            raise
        except RecursionError:
            raise FileFormatError(
                f"{path!r}: its model config is nested too deeply to be a model"
            ) from None
        except (ValueError, TypeError, KeyError, AttributeError, IndexError) as error:
            raise FileFormatError(
                f"{path!r}: invalid model config: {type(error).__name__}: {error}"
            ) from error
        finally:
            ALLOCATION_BUDGET.reset(token)
        try:
            model.check_state_shapes(contents.shapes, strict=True)
        except StateDictError as e:
            raise FileFormatError(
                f"{path!r}: its weights do not match its own config.\n{e}"
            ) from None
        arrays = contents.read(None)
    model.load_state_dict(arrays, strict=True)
    return model
