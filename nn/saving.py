"""Saving and loading: weights, and whole Sequential models.

Formats, chosen by the file extension (``.keras`` and ``.weights.h5``, Keras 3's own
formats, are read and written by :mod:`nn.keras_saving`):

* ``.safetensors`` (needs the ``safetensors`` package): tensors by state_dict name;
  a whole model stores its JSON config in the metadata (key ``xpgrad_config``).
* ``.npz``: one array per state_dict name; a whole model adds a ``__xpgrad_config__``
  entry holding the JSON text (a string array: loads without pickle).

Writes are atomic: the bytes go to a temporary file in the target's directory, which is
flushed, fsync'ed and then ``os.replace``'d over the target, so an error or crash during
the write leaves the previous file untouched.  Loading checks names and shapes against
the model and refuses a file of another architecture, listing the differences.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Callable
from typing import Any, BinaryIO

import numpy as np

from .core.layer import BUILTIN_LAYERS
from .core.module import IncompatibleKeys, Module, StateDictError, to_host

CONFIG_KEY = "__xpgrad_config__"
_META_KEY = "xpgrad_config"
FORMAT_VERSION = 1


def _format_of(path: str) -> str:
    ext = os.path.splitext(str(path))[1].lower()
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


# ---------------------------------------------------------------- serializers (bytes out)
def _serialize_safetensors(arrays: dict[str, np.ndarray], config: str | None, f: BinaryIO) -> None:
    st = _safetensors_numpy()
    metadata = {"format": "xpgrad", "version": str(FORMAT_VERSION)}
    if config is not None:
        metadata[_META_KEY] = config
    # not np.ascontiguousarray: it turns a 0-d array (a step counter) into shape (1,)
    contiguous = {k: v if v.flags.c_contiguous else v.copy() for k, v in arrays.items()}
    f.write(st.save(contiguous, metadata=metadata))


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


def atomic_write(path: str, write: Callable[[BinaryIO], None]) -> None:
    """Run ``write(f)`` on a temporary file next to ``path``; on success fsync it and
    ``os.replace`` it over ``path`` (atomic on POSIX and Windows); on failure delete it
    and re-raise, leaving any existing ``path`` as it was."""
    path = os.fspath(path)
    directory = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(prefix=f".{os.path.basename(path)}.", suffix=".tmp", dir=directory)
    try:
        with os.fdopen(fd, "wb") as f:
            write(f)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise
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
def read_file(path: str) -> tuple[dict[str, np.ndarray], dict[str, Any] | None]:
    """``(arrays by name, model config or None)`` from a file written here."""
    fmt = _format_of(path)
    if not os.path.exists(path):
        raise FileNotFoundError(f"no such weights file: {path!r}")
    if fmt == "safetensors":
        st = _safetensors_numpy()
        from safetensors import safe_open

        with safe_open(path, framework="np") as f:
            metadata = f.metadata() or {}
        arrays = st.load_file(path)
        config = metadata.get(_META_KEY)
    else:
        with np.load(path, allow_pickle=False) as data:
            arrays = {k: data[k] for k in data.files if k != CONFIG_KEY}
            config = str(data[CONFIG_KEY]) if CONFIG_KEY in data.files else None
    return arrays, (json.loads(config) if config is not None else None)


# ---------------------------------------------------------------- public functions
def _keras_saving(path: str) -> Any:
    """:mod:`nn.keras_saving` for Keras' ``.keras`` / ``.weights.h5`` paths, else None."""
    from . import keras_saving

    return keras_saving if keras_saving.is_keras_path(path) else None


def save_weights(model: Module, path: str) -> None:
    """Write ``model.state_dict()`` (parameters and buffers) atomically."""
    if (keras := _keras_saving(path)) is not None:
        return keras.save_weights(model, path)
    _write(path, _host_state(model), None)


def load_weights(model: Module, path: str, strict: bool = True) -> IncompatibleKeys:
    """Load a file written by ``save_weights``/``save`` into ``model`` (in place).

    Raises StateDictError (names or shapes differ: another architecture) listing the
    differences; the model is left unchanged in that case."""
    if (keras := _keras_saving(path)) is not None:
        return keras.load_weights(model, path, strict=strict)
    arrays, _ = read_file(path)
    try:
        return model.load_state_dict(arrays, strict=strict)
    except StateDictError as e:
        raise StateDictError(
            f"{path!r} does not match the architecture of this model.\n{e}"
        ) from None


def serialize_layer(layer: Module) -> dict[str, Any]:
    """``{"class_name": ..., "module": ..., "config": layer.get_config()}``; the module tells
    apart classes of one name (Keras' ``nn.layers.LeakyReLU``, PyTorch's ``nn.LeakyReLU``)."""
    cls = type(layer)
    return {"class_name": cls.__name__, "module": cls.__module__, "config": layer.get_config()}


def deserialize_layer(
    config: dict[str, Any], custom_objects: dict[str, type] | None = None
) -> Module:
    """Inverse of :func:`serialize_layer`; ``custom_objects`` maps class names of your own
    Modules (with get_config/from_config) to their classes."""
    import nn.models  # noqa: F401 - defining the built-in classes registers them

    name = config.get("class_name")
    cls = (custom_objects or {}).get(name) or BUILTIN_LAYERS.get(f"{config.get('module')}.{name}")
    if cls is None:  # a config without "module": Keras' layer of that name, else the only one
        candidates = [c for key, c in BUILTIN_LAYERS.items() if key.rsplit(".", 1)[1] == name]
        keras = [c for c in candidates if c.__module__.startswith("nn.layers")]
        cls = (keras or candidates or [None])[0]
    if cls is None:
        raise ValueError(
            f"unknown layer class {name!r} in saved config; pass "
            f"custom_objects={{{name!r}: YourClass}}"
        )
    if name == "Sequential":
        return cls.from_config(config["config"], custom_objects)
    return cls.from_config(dict(config["config"]))


def save_model(model: Module, path: str) -> None:
    """Write architecture (JSON of ``get_config()``) and weights to one file, atomically."""
    if (keras := _keras_saving(path)) is not None:
        return keras.save_model(model, path)
    config = json.dumps(
        {"format": "xpgrad-model", "version": FORMAT_VERSION, "model": serialize_layer(model)}
    )
    _write(path, _host_state(model), config)


def load_model(
    path: str,
    custom_objects: dict[str, type] | None = None,
    compile: bool = True,  # noqa: A002 - Keras' argument name
) -> Module:
    """Rebuild the model saved by ``model.save(path)`` and load its weights.

    ``.keras`` files (Keras 3's format) come back compiled as saved unless ``compile`` is
    False; native files hold no compile configuration."""
    if (keras := _keras_saving(path)) is not None:
        return keras.load_model(path, compile=compile)
    arrays, config = read_file(path)
    if config is None:
        raise ValueError(
            f"{path!r} holds weights only (written by save_weights): build the "
            "model in code and call model.load_weights(path)"
        )
    if config.get("format") != "xpgrad-model":
        raise ValueError(f"{path!r} is not an xpgrad model file")
    model = deserialize_layer(config["model"], custom_objects)
    try:
        model.load_state_dict(arrays, strict=True)
    except StateDictError as e:
        raise StateDictError(f"{path!r}: weights do not match its own config.\n{e}") from None
    return model
