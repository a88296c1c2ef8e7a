"""Keras' registry of custom objects: the classes and functions of the user's own that a
saved config names, and how a loader finds them again.

A config names a user's layer, model or function by its *registered name*: ``"package>
Name"`` for an object decorated with :func:`register_keras_serializable`, else its
``__name__``. A loader finds the object for a name in, first to last: the innermost
:class:`CustomObjectScope` (``with custom_object_scope({...}):``), the global registry
(:func:`register_keras_serializable`, :func:`get_custom_objects`), then the
``custom_objects=`` passed to the loading call, as Keras 3 does::

    @nn.saving.register_keras_serializable(package="MyLayers")
    class CustomLayer(nn.layers.Layer): ...          # saved as "MyLayers>CustomLayer"

    model = nn.models.load_model("custom.keras")     # found without custom_objects
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from typing import Any

#: registered name -> object (:func:`register_keras_serializable`, or the user's own entries)
_GLOBAL_CUSTOM_OBJECTS: dict[str, Any] = {}
#: object -> its registered name
_GLOBAL_CUSTOM_NAMES: dict[Any, str] = {}
_scopes = threading.local()  # .objects: the innermost scope's dict (each thread its own)


def register_keras_serializable(package: str = "Custom", name: str | None = None
                                ) -> Callable[[Any], Any]:  # fmt: skip
    """Decorator: register a class or function under ``"package>name"`` (``name``: its
    ``__name__`` by default), so that configs name it so and loaders find it without
    ``custom_objects``. A class must define ``get_config`` (Keras' rule).

    Raises:
        ValueError: ``package`` or ``name`` contains ``">"``, or the class has no
            ``get_config``.
    """
    for part, what in ((package, "package"), (name, "name")):
        if part is not None and (not isinstance(part, str) or ">" in part):
            raise ValueError(f"register_keras_serializable: {what} must be a string without "
                             f"'>', got {part!r}")  # fmt: skip

    def decorator(obj: Any) -> Any:
        key = f"{package}>{name or getattr(obj, '__name__', None)}"
        if isinstance(obj, type) and not hasattr(obj, "get_config"):
            raise ValueError(f"cannot register {obj.__name__}: a class needs a get_config() "
                             "method to be serialized")  # fmt: skip
        _GLOBAL_CUSTOM_OBJECTS[key] = obj  # a redefinition (a notebook cell run again) wins
        _GLOBAL_CUSTOM_NAMES[obj] = key
        return obj

    return decorator


def get_custom_objects() -> dict[str, Any]:
    """The global registry itself (a live dict: entries added here are found by loaders);
    objects of :class:`CustomObjectScope` are not in it."""
    return _GLOBAL_CUSTOM_OBJECTS


def get_registered_name(obj: Any) -> str:
    """The name a config gives ``obj``: ``"package>name"`` if registered, else its
    ``__name__``."""
    registered = _GLOBAL_CUSTOM_NAMES.get(obj)
    return registered if registered is not None else obj.__name__


def get_registered_object(name: str, custom_objects: Mapping[str, Any] | None = None,
                          module_objects: Mapping[str, Any] | None = None) -> Any:  # fmt: skip
    """The object for ``name``: from the innermost :class:`CustomObjectScope`, the global
    registry, ``custom_objects``, then ``module_objects``; None if none has it."""
    for table in (_scope_objects(), _GLOBAL_CUSTOM_OBJECTS, custom_objects, module_objects):
        if table and name in table:
            return table[name]
    return None


def function_entry(fn: Any) -> dict[str, Any]:
    """A function as Keras writes it in a config: ``{"module": "builtins", "class_name":
    "function", "config": <its registered name>, "registered_name": "function"}``, found
    again by that name (:func:`find`)."""
    return {"module": "builtins", "class_name": "function", "config": get_registered_name(fn),
            "registered_name": "function"}  # fmt: skip


def find(custom_objects: Mapping[str, Any] | None, *names: Any) -> Any:
    """The object for the first of ``names`` (strings; None entries skipped) that
    :func:`get_registered_object` finds, else None: a loader's lookup of a config entry by
    its registered name, then its class name."""
    for name in names:
        if isinstance(name, str):
            found = get_registered_object(name, custom_objects)
            if found is not None:
                return found
    return None


def _scope_objects() -> dict[str, Any]:
    return getattr(_scopes, "objects", None) or {}


class CustomObjectScope:
    """``with CustomObjectScope({"CustomLayer": CustomLayer}):``: loaders and ``from_config``
    inside the block find these objects by name. Scopes do not stack: the innermost one's
    objects replace the outer one's until it ends (as in Keras). Also spelled
    ``custom_object_scope``."""

    def __init__(self, custom_objects: Mapping[str, Any] | None = None) -> None:
        self.custom_objects = dict(custom_objects or {})
        self._saved: dict[str, Any] | None = None

    def __enter__(self) -> CustomObjectScope:
        self._saved = _scope_objects()
        _scopes.objects = dict(self.custom_objects)
        return self

    def __exit__(self, *exc: Any) -> None:
        _scopes.objects = self._saved or {}


custom_object_scope = CustomObjectScope


def loading_scope(custom_objects: Mapping[str, Any] | None) -> CustomObjectScope:
    """The scope a loader reads a file in: the current scope's objects and
    ``custom_objects`` together, so that every lookup inside (a layer's activation by
    name, say) sees what the loading call was given, as in Keras."""
    return CustomObjectScope({**_scope_objects(), **(custom_objects or {})})

__all__ = [
    "CustomObjectScope", "custom_object_scope", "get_custom_objects", "get_registered_name",
    "function_entry", "get_registered_object", "register_keras_serializable",
]  # fmt: skip
