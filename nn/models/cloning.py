"""Keras' ``clone_model``."""

from __future__ import annotations

import copy
import inspect
from typing import Any

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
    if getattr(model, "compiled", False):  # Keras 3 compiles the clone as the original was
        clone.compile(
            optimizer=_fresh_optimizer(model.optimizer),
            loss=model._compiled_loss,
            metrics=_fresh_metrics(model._compiled_metrics),
            loss_weights=getattr(model, "_compiled_loss_weights", None),
        )
    return clone


def _fresh_optimizer(optimizer: Any) -> Any:
    """A new optimizer of the same kind and settings (never the same object: Keras refuses
    one optimizer for two models)."""
    from optim import keras as keras_optimizers

    if isinstance(optimizer, keras_optimizers.Optimizer):
        return keras_optimizers.deserialize(keras_optimizers.serialize(optimizer))
    if isinstance(optimizer, str | dict):
        return optimizer
    # PyTorch's: unbound, with the settings its constructor takes
    accepted = inspect.signature(type(optimizer)).parameters
    settings = {k: v for k, v in optimizer.defaults.items() if k in accepted}
    return type(optimizer)(None, **settings)


def _fresh_metrics(metrics: Any) -> Any:
    """compile's ``metrics`` with fresh metric objects, in the same structure (a list, a
    list per output, or a dict by output name)."""
    if isinstance(metrics, dict):
        return {name: _fresh_metrics(m) for name, m in metrics.items()}
    if isinstance(metrics, list | tuple):
        return [_fresh_metrics(m) for m in metrics]
    return _fresh_metric(metrics)


def _fresh_metric(metric: Any) -> Any:
    from .. import metrics as _metrics

    if isinstance(metric, _metrics.Metric):
        fresh = copy.deepcopy(metric)
        fresh.reset_state()
        return fresh
    return metric

