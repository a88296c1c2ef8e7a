"""Resolving Keras-style identifiers: a name string or a ``{"class_name", "config"}`` dict."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def from_name_or_config(
    identifier: str | dict, kind: str, names: Mapping[str, Any], classes: Mapping[str, Any]
) -> Any:
    """A new object for ``"he_normal"`` (case-insensitive, from ``names``) or for a saved
    config ``{"class_name": ..., "config": {...}}`` (from ``classes``).

    Unknown names raise a ValueError listing the known ones, e.g. ``unknown activation
    'rleu'; known activations: elu, gelu, ...``.
    """
    if isinstance(identifier, str):
        cls = names.get(identifier.lower())
        if cls is None:
            raise ValueError(
                f"unknown {kind} {identifier!r}; known {kind}s: {', '.join(sorted(names))}"
            )
        return cls()
    cls = classes.get(identifier.get("class_name", ""))
    if cls is None:
        raise ValueError(f"unknown {kind} config {identifier!r}")
    return cls(**identifier.get("config", {}))


#: The packages of this project: objects defined anywhere else are the user's own.
_OWN_PACKAGES = frozenset({"nn", "autograd", "optim", "backends"})


def is_users_own(obj: Any) -> bool:
    """Whether a class or function is the user's own rather than this project's (Keras
    writes those by name and reads them back through ``custom_objects``; a metric
    function of the user's gets Keras' shape handling)."""
    module = getattr(obj, "__module__", None) or ""
    return module.split(".")[0] not in _OWN_PACKAGES
