"""Small helpers the Keras textbooks use alongside the model: ``to_categorical``."""

from __future__ import annotations

from typing import Any

import numpy as np

from backends import get_array_module


def to_categorical(y: Any, num_classes: int | None = None, dtype: Any = "float32") -> Any:
    """One-hot encode integer class labels, as ``keras.utils.to_categorical``.

    ``y`` of shape (n,) (or (n, 1)) with values in 0..num_classes-1 gives an array of
    shape (n, num_classes) with a 1 in column ``y[i]`` of row i, for
    ``loss="categorical_crossentropy"``. ``num_classes`` defaults to ``max(y) + 1``.
    Works on NumPy and CuPy arrays (the result stays on the labels' device).
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
    flat = labels.reshape(-1)
    out = xp.zeros((flat.size, num_classes), dtype=dtype)
    out[xp.arange(flat.size), flat] = 1
    return out.reshape(*labels.shape, num_classes)
