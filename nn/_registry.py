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
