"""Keras' ``serialize_keras_object`` / ``deserialize_keras_object``: any object a config
can hold, as Keras 3 writes it (``{"module", "class_name", "config", "registered_name"}``),
and back; ``model.to_json()`` and ``keras.models.model_from_json`` on top of them.

Layers and models take Keras' schema (the one in a ``.keras`` file's ``config.json``,
:mod:`nn.saving.keras.config`), so a config or JSON string written here is read by real
Keras and the other way round. Plain values (numbers, strings, None, lists, dicts) pass
through as they are; a string stays a string (Keras' rule: ``"adam"`` is resolved by
whoever takes it, e.g. ``compile``).
"""

from __future__ import annotations

import contextlib
import contextvars
import json
from collections.abc import Iterator
from typing import Any

import numpy as np

from .registry import function_entry, get_registered_name, get_registered_object

_PLAIN = (str, int, float, bool, type(None))
#: False inside a load with ``safe_mode=False``: a Lambda's bytecode may then be loaded
_SAFE_MODE: contextvars.ContextVar[bool] = contextvars.ContextVar("safe_mode", default=True)
_UNSAFE_EVERYWHERE = [False]  # keras.config.enable_unsafe_deserialization()


def in_safe_mode() -> bool:
    """Whether loading refuses code held by a file (a Lambda's Python lambda)."""
    return _SAFE_MODE.get() and not _UNSAFE_EVERYWHERE[0]


def allow_unsafe_deserialization() -> None:
    """``keras.config.enable_unsafe_deserialization()``: loads no longer refuse it."""
    _UNSAFE_EVERYWHERE[0] = True


@contextlib.contextmanager
def safe_mode_scope(safe_mode: bool | None) -> Iterator[None]:
    """Load with ``safe_mode`` (None: as the surrounding scope, safe by default)."""
    token = _SAFE_MODE.set(_SAFE_MODE.get() if safe_mode is None else bool(safe_mode))
    try:
        yield
    finally:
        _SAFE_MODE.reset(token)


def serialize_keras_object(obj: Any) -> Any:
    """``obj`` as Keras serializes it: a layer or model in Keras' config schema (with its
    ``build_config``; a compiled model with its ``compile_config``), a regularizer,
    initializer, constraint, optimizer or loss as its Keras object dict, a function by
    its registered name, an array as ``__numpy__``, plain values as they are, and any
    other object with ``get_config`` as ``{"module", "class_name", "config",
    "registered_name"}``.

    Raises:
        TypeError: the object has no config (no ``get_config``).
    """
    if isinstance(obj, _PLAIN):
        return obj
    if isinstance(obj, list | tuple):
        return [serialize_keras_object(v) for v in obj]
    if isinstance(obj, dict):
        return {k: serialize_keras_object(v) for k, v in obj.items()}
    if isinstance(obj, np.ndarray | np.generic):
        array = np.asarray(obj)
        return {"class_name": "__numpy__", "config": {"value": array.tolist(),
                                                       "dtype": array.dtype.name}}  # fmt: skip
    from ..core.module import Module
    from .keras import config as keras_config

    if isinstance(obj, Module):
        return keras_config.layer_or_model_entry(obj)
    if isinstance(obj, type) or callable(obj) and not hasattr(obj, "get_config"):
        return function_entry(obj)
    entry = keras_config.keras_object_entry(obj)
    if entry is not None:
        return entry
    get_config = getattr(obj, "get_config", None)
    if get_config is None:
        raise TypeError(f"cannot serialize {obj!r}: it has no get_config()")
    cls = type(obj)

    return {"module": None if cls.__module__ == "__main__" else cls.__module__,
            "class_name": cls.__name__, "config": serialize_keras_object(get_config()),
            "registered_name": get_registered_name(cls)}  # fmt: skip


def deserialize_keras_object(config: Any, custom_objects: dict[str, Any] | None = None,
                             safe_mode: bool = True, **kwargs: Any) -> Any:  # fmt: skip
    """Inverse of :func:`serialize_keras_object`. Classes and functions of the user's own
    are found by registered name (see :mod:`nn.saving.registry`): in a
    ``custom_object_scope``, the registry, or ``custom_objects``.

    Raises:
        ValueError: a class or function that cannot be found, or an entry that is not a
            serialized object.
    """
    del kwargs
    with safe_mode_scope(safe_mode):
        return _deserialize(config, custom_objects)


def _deserialize(config: Any, custom_objects: dict[str, Any] | None) -> Any:
    if isinstance(config, _PLAIN):
        return config
    if isinstance(config, list):
        return [_deserialize(v, custom_objects) for v in config]
    if not isinstance(config, dict):
        raise ValueError(f"cannot deserialize {config!r}")
    class_name = config.get("class_name")
    if class_name is None:  # a plain dict
        return {k: _deserialize(v, custom_objects) for k, v in config.items()}
    if class_name == "__numpy__":
        body = config.get("config") or {}
        return np.asarray(body.get("value"), dtype=body.get("dtype"))
    if class_name == "__tuple__":
        return tuple(_deserialize((config.get("config") or {}).get("value", []),
                                  custom_objects))  # fmt: skip
    if class_name == "function":
        return resolve_function(config.get("config"), custom_objects)
    from .keras import config as keras_config

    return keras_config.object_from_entry(config, custom_objects)


def resolve_function(name: Any, custom_objects: dict[str, Any] | None = None) -> Any:
    """The function a config names: a user's (registered, in a scope or in
    ``custom_objects``), else one of Keras' built-in activations or losses."""
    from .. import activations, losses

    if not isinstance(name, str):
        raise ValueError(f"a serialized function needs a name, got {name!r}")
    found = get_registered_object(name, custom_objects)
    if found is not None:
        return found
    if name.lower() in activations.known_names():
        return activations.get(name)
    if name.lower() in losses.known_names():
        return losses.get(name)
    raise ValueError(
        f"unknown function {name!r}: register it with @keras.saving.register_keras_serializable"
        f"(), or pass custom_objects={{{name.split('>')[-1]!r}: {name.split('>')[-1]}}}"
    )


def model_to_json(model: Any, **kwargs: Any) -> str:
    """``model.to_json()``: the model's Keras config as a JSON string (``kwargs`` go to
    ``json.dumps``)."""
    return json.dumps(serialize_keras_object(model), **kwargs)


def model_from_json(json_string: str, custom_objects: dict[str, Any] | None = None,
                    safe_mode: bool = True) -> Any:  # fmt: skip
    """``keras.models.model_from_json``: a new model (fresh weights) from a JSON string
    written by ``to_json`` (here or by Keras)."""
    try:
        config = json.loads(json_string)
    except json.JSONDecodeError as e:
        raise ValueError(f"model_from_json: not valid JSON ({e})") from None
    return deserialize_keras_object(config, custom_objects, safe_mode=safe_mode)


__all__ = ["deserialize_keras_object", "model_from_json", "model_to_json",
           "serialize_keras_object"]  # fmt: skip
