"""Helpers the Keras textbooks use alongside the model (``keras.utils``: ``to_categorical``,
``set_random_seed``, ``PyDataset``, the custom-object registry of
:mod:`nn.saving.registry`) and PyTorch's ``torch.nn.utils`` (``clip_grad_norm_``,
``clip_grad_value_``, ``parameters_to_vector``)."""

from __future__ import annotations

from typing import Any

import numpy as np

import autograd
from backends import get_array_module

from .data.py_dataset import PyDataset, Sequence
from .saving.registry import (
    CustomObjectScope,
    custom_object_scope,
    get_custom_objects,
    get_registered_name,
    get_registered_object,
    register_keras_serializable,
)
from .saving.serialization import deserialize_keras_object, serialize_keras_object

__all__ = ["CustomObjectScope", "PyDataset", "Sequence", "clip_grad_norm_", "clip_grad_value_",
           "custom_object_scope", "deserialize_keras_object", "get_custom_objects",
           "get_registered_name", "get_registered_object", "parameters_to_vector",
           "plot_model", "register_keras_serializable", "serialize_keras_object",
           "set_random_seed", "to_categorical"]


def plot_model(model: Any, to_file: str = "model.png", **options: Any) -> Any:
    """Keras' ``keras.utils.plot_model``, drawn with matplotlib: see
    :func:`nn.training.plot.plot_model` for the options."""
    from .training.plot import plot_model as draw

    return draw(model, to_file, **options)


def to_categorical(y: Any, num_classes: int | None = None, dtype: Any = None) -> Any:
    """One-hot encode integer class labels, as ``keras.utils.to_categorical``.

    ``y`` of shape (n,) (or (n, 1)) with values in 0..num_classes-1 gives an array of
    shape (n, num_classes) with a 1 in column ``y[i]`` of row i, for
    ``loss="categorical_crossentropy"``. ``num_classes`` defaults to ``max(y) + 1``.
    Works on NumPy and CuPy arrays (the result stays on the labels' device).

    ``dtype`` (Keras 2's argument): by default float64 for NumPy arrays and lists, as Keras
    3 gives (the losses cast targets to the predictions' dtype, so training stays float32),
    and the default float dtype for a device's arrays, as Keras 3 gives for its tensors.
    """
    xp = get_array_module(y)
    labels = xp.asarray(y)
    if labels.ndim > 1 and labels.shape[-1] == 1:
        labels = labels.reshape(labels.shape[:-1])
    if labels.dtype.kind not in "iu":
        if labels.dtype.kind != "f" or bool((labels != xp.round(labels)).any()):
            raise ValueError(f"to_categorical: labels must be integers, got dtype {labels.dtype}")
        labels = labels.astype(np.int64)
    if labels.size and int(labels.min()) < 0:
        raise ValueError(f"to_categorical: labels must be >= 0, got {int(labels.min())}")
    if num_classes is None:
        num_classes = int(labels.max()) + 1 if labels.size else 0
    elif labels.size and int(labels.max()) >= num_classes:
        raise ValueError(
            f"to_categorical: label {int(labels.max())} is out of range for {num_classes} classes"
        )
    if dtype is None:
        dtype = np.float64 if xp is np else autograd.get_default_dtype()
    flat = labels.reshape(-1)
    out = xp.zeros((flat.size, num_classes), dtype=dtype)
    out[xp.arange(flat.size), flat] = 1
    return out.reshape(*labels.shape, num_classes)


def set_random_seed(seed: int) -> None:
    """Seed every random generator a model uses (Keras' ``utils.set_random_seed``): each
    backend's generator (weights, dropout) and NumPy's global one (data shuffling in user
    code)."""
    import autograd

    np.random.seed(seed)
    autograd.manual_seed(seed)


def clip_grad_norm_(parameters: Any, max_norm: float, norm_type: float = 2.0,
                    error_if_nonfinite: bool = False) -> Any:
    """PyTorch's ``torch.nn.utils.clip_grad_norm_`` (see :func:`optim.clip_grad_norm_`)."""
    import optim

    return optim.clip_grad_norm_(parameters, max_norm, norm_type, error_if_nonfinite)


def clip_grad_value_(parameters: Any, clip_value: float) -> None:
    """PyTorch's ``torch.nn.utils.clip_grad_value_`` (see :func:`optim.clip_grad_value_`)."""
    import optim

    optim.clip_grad_value_(parameters, clip_value)


def parameters_to_vector(parameters: Any) -> Any:
    """All parameters flattened into one 1-D tensor (differentiable)."""
    import autograd

    return autograd.concat([autograd.reshape(p, (-1,)) for p in parameters], axis=0)
