"""Saving and loading: weights, and whole models. The format follows the file extension:

==============================  ============================================================
``.safetensors``, ``.npz``      the native formats, for any model (:mod:`nn.saving.native`)
``.keras``, ``.weights.h5``     Keras 3's own formats, and the legacy whole-model ``.h5`` /
``.h5``, ``.hdf5``              ``.hdf5``, for Sequential models (:mod:`nn.saving.keras`)
==============================  ============================================================

Every write is atomic (:mod:`nn.saving.atomic`): an error or crash leaves the previous
file as it was.

Reading is defensive, as files may come from anywhere:

* sizes are checked against the file before anything is allocated (see
  :mod:`nn.saving.native` and :mod:`nn.saving.keras`);
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

This file holds the functions the rest of ``nn`` calls (``model.save``,
``nn.models.load_model``...): they pick the format, and turn layers into configs and back.
"""

from __future__ import annotations

import json
import numbers
import os
from typing import Any

import numpy as np

from ..core.layer import ALLOCATION_BUDGET, BUILTIN_LAYERS
from ..core.module import IncompatibleKeys, Module, StateDictError
from .atomic import atomic_write
from .native import (  # noqa: F401 - _SERIALIZERS and _format_of: for tests and callbacks
    _SERIALIZERS,
    CHECKSUM_KEY,
    CONFIG_KEY,
    FORMAT_VERSION,
    MAX_NPZ_EXPANSION,
    FileFormatError,
    _format_of,
    _host_state,
    _open_weights,
    _parse_config,
    _write,
    read_file,
)
from .registry import (
    CustomObjectScope,
    custom_object_scope,
    get_custom_objects,
    get_registered_name,
    get_registered_object,
    loading_scope,
    register_keras_serializable,
)
from .serialization import deserialize_keras_object, serialize_keras_object

#: Values a loaded config may allocate beyond those its file holds (probe batches, weights
#: the file leaves out): enough for any small model, far below a harmful allocation.
_ALLOCATION_SLACK = 1 << 20


# ---------------------------------------------------------------- public functions
def _keras_saving(path: str) -> Any:
    """:mod:`nn.saving.keras` for Keras' ``.keras`` / ``.weights.h5`` / ``.h5`` paths, else
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

    cls = get_registered_object(name, custom_objects) or BUILTIN_LAYERS.get(f"{module}.{name}")
    if cls is None:  # a config without "module": Keras' layer of that name, else the only one
        candidates = [c for key, c in BUILTIN_LAYERS.items() if key.rsplit(".", 1)[1] == name]
        keras = [c for c in candidates if c.__module__.startswith("nn.layers")]
        cls = (keras or candidates or [None])[0]
    return cls


def deserialize_layer(
    config: dict[str, Any], custom_objects: dict[str, type] | None = None
) -> Module:
    """Inverse of :func:`serialize_layer`; classes of your own (with get_config/from_config)
    are found by name in ``custom_objects``, a ``custom_object_scope`` or the registry
    (``register_keras_serializable``).

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
    safe_mode: bool = True,
) -> Module:
    """Rebuild the model saved by ``model.save(path)`` and load its weights.

    ``.keras`` files (Keras 3's format) come back compiled as saved unless ``compile`` is
    False; native files hold no compile configuration. A ``.keras`` file holding a Lambda
    layer of a Python lambda is refused unless ``safe_mode=False`` (its bytecode runs).

    The config is rebuilt under a budget of the values the file holds and its weights'
    names and shapes are checked against the file before the data is read.

    Raises:
        FileFormatError: the file cannot be read, holds weights only, or its config is
            invalid (bad JSON, missing keys, wrong types, unknown classes, nesting too
            deep, weights that do not match it). It is a ValueError.
        FileNotFoundError: there is no such file.
    """
    if (keras := _keras_saving(path)) is not None:
        return keras.load_model(path, compile=compile, custom_objects=custom_objects,
                                safe_mode=safe_mode)
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
            with loading_scope(custom_objects):
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


__all__ = [
    "CHECKSUM_KEY", "CONFIG_KEY", "CustomObjectScope", "FORMAT_VERSION", "MAX_NPZ_EXPANSION",
    "FileFormatError", "atomic_write", "custom_object_scope", "deserialize_keras_object",
    "deserialize_layer", "get_custom_objects", "get_registered_name", "get_registered_object",
    "load_model", "load_weights", "read_file", "register_keras_serializable", "save_model",
    "save_weights", "serialize_keras_object", "serialize_layer",
]  # fmt: skip
