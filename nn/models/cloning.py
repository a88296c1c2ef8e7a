"""Keras' ``clone_model``."""

from __future__ import annotations

from ..core.module import Module
from ..saving import deserialize_layer, serialize_layer


def clone_model(model: Module, custom_objects: dict[str, type] | None = None) -> Module:
    """Keras' ``clone_model``: a new model of the same architecture (layer types,
    settings, names, input shape, ``trainable`` flags, rebuilt from ``get_config()``)
    with FRESHLY INITIALISED weights; nothing is shared with ``model``.  Copy the
    weights explicitly if wanted::

        model_A_clone = nn.clone_model(model_A)
        model_A_clone.set_weights(model_A.get_weights())

    Custom Modules need ``get_config`` (and ``custom_objects={"Name": Class}``)."""
    clone = deserialize_layer(serialize_layer(model), custom_objects)
    clone.train(model.training)
    return clone

