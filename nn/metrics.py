"""Metrics: accuracy (sparse, one-hot, binary) and the confusion matrix.

Functions take Keras' order ``(y_true, y_pred)`` and return a 0-d Tensor on the
predictions' device (no host-device sync; ``float(acc)`` reads it).  :class:`Accuracy`
accumulates counts over batches on the device and syncs only in ``result()``.

Accuracy rules (as Keras' ``"accuracy"``):

* ``y_pred`` (N, C) with integer ``y_true`` (N,) or (N, 1): sparse -> argmax(y_pred) == y_true;
* ``y_pred`` and ``y_true`` both (N, C), C > 1: one-hot -> argmax == argmax;
* ``y_pred`` (N,) or (N, 1) with 0/1 ``y_true``: binary -> (y_pred > threshold) == y_true
  (threshold 0.5; pass 0.0 for logits).
"""

from __future__ import annotations

from typing import Any

import numpy as np

import backends
from autograd import Tensor


def _raw(value: Any) -> Any:
    if isinstance(value, Tensor):
        return value.data
    if backends.is_array(value):
        return value
    return np.asarray(value)


def _correct(y_true: Any, y_pred: Any, threshold: float = 0.5) -> tuple[Any, int]:
    """(device array of per-sample 0/1 hits, number of samples)."""
    t, p = _raw(y_true), _raw(y_pred)
    xp = backends.get_array_module(p)
    sparse = p.ndim >= 2 and p.shape[-1] > 1 and tuple(t.shape) != tuple(p.shape)
    if sparse and isinstance(t, np.ndarray):  # 3.7 would count as class 3 (see the losses)
        from .losses import check_integer_labels

        check_integer_labels(t)
    if not isinstance(t, type(p)):
        t = backends.backend_of(p).from_host(backends.backend_of(t).to_host(t))
    if p.ndim >= 2 and p.shape[-1] > 1:
        pred = xp.argmax(p, axis=-1)
        if not sparse:  # one-hot targets
            true = xp.argmax(t, axis=-1)
        else:
            true = t.reshape(pred.shape)
        hits = pred == true.astype(pred.dtype)
    else:
        pred = p.reshape(-1) > threshold
        hits = pred == (t.reshape(-1) > 0.5)
    return hits, int(hits.size)


def _mean_tensor(hits: Any, n: int) -> Tensor:
    if n == 0:
        raise ValueError("accuracy of an empty batch is undefined")
    import autograd

    return Tensor(hits.mean(dtype=autograd.get_default_dtype()))


def accuracy(y_true: Any, y_pred: Any, threshold: float = 0.5) -> Tensor:
    """Fraction of correct predictions (sparse, one-hot or binary; see module doc)."""
    return _mean_tensor(*_correct(y_true, y_pred, threshold))


def sparse_categorical_accuracy(y_true: Any, y_pred: Any) -> Tensor:
    """argmax(y_pred) == y_true, averaged."""
    return accuracy(y_true, y_pred)


def categorical_accuracy(y_true: Any, y_pred: Any) -> Tensor:
    """argmax(y_pred) == argmax(y_true), averaged."""
    return accuracy(y_true, y_pred)


def binary_accuracy(y_true: Any, y_pred: Any, threshold: float = 0.5) -> Tensor:
    """(y_pred > threshold) == y_true, averaged (also for (N, C) multi-label outputs)."""
    t, p = _raw(y_true), _raw(y_pred)
    if not isinstance(t, type(p)):
        t = backends.backend_of(p).from_host(backends.backend_of(t).to_host(t))
    hits = (p.reshape(-1) > threshold) == (t.reshape(-1) > 0.5)
    return _mean_tensor(hits, int(hits.size))


class Accuracy:
    """Streaming accuracy: ``update_state(y_true, y_pred)`` per batch (no host sync),
    ``result()`` -> float, ``reset_state()``.  Keras name ``"accuracy"`` / ``"acc"``."""

    name = "accuracy"

    def __init__(self, threshold: float = 0.5) -> None:
        self.threshold = threshold
        self.reset_state()

    def reset_state(self) -> None:
        self._correct: Any = 0
        self._count = 0

    def update_state(self, y_true: Any, y_pred: Any) -> None:
        hits, n = _correct(y_true, y_pred, self.threshold)
        self._correct = self._correct + hits.sum()  # stays a device scalar
        self._count += n

    def result(self) -> float:
        return float(self._correct) / self._count if self._count else 0.0

    def __call__(self, y_true: Any, y_pred: Any) -> Tensor:
        return accuracy(y_true, y_pred, self.threshold)


_NAMES = {
    "accuracy": accuracy,
    "acc": accuracy,
    "sparse_categorical_accuracy": sparse_categorical_accuracy,
    "categorical_accuracy": categorical_accuracy,
    "binary_accuracy": binary_accuracy,
}


def get(identifier: Any) -> Any:
    """A metric function ``fn(y_true, y_pred) -> 0-d Tensor`` by Keras name, or the callable.

    As in Keras, a loss name (``"mae"``, ``"mse"``, ``"binary_crossentropy"``...) is a metric
    too: that loss averaged over the samples.
    """
    if isinstance(identifier, str):
        fn = _NAMES.get(identifier.lower())
        if fn is not None:
            return fn
        from . import losses

        if identifier.lower() in losses.known_names():
            return losses.get(identifier)
        known = ", ".join(sorted(_NAMES) + losses.known_names())
        raise ValueError(f"unknown metric {identifier!r}; known: {known}")
    if callable(identifier):
        return identifier
    raise TypeError(f"cannot interpret {identifier!r} as a metric")


def confusion_matrix(y_true: Any, y_pred: Any, num_classes: int | None = None) -> np.ndarray:
    """``M[i, j]`` = number of samples of true class i predicted as class j (NumPy int64).

    ``y_pred`` may be labels (N,) or scores (N, C) (argmax is taken); ``y_true`` labels or
    one-hot.  ``num_classes`` defaults to C, else to max label + 1."""
    t = np.asarray(backends.backend_of(_raw(y_true)).to_host(_raw(y_true)))
    p = np.asarray(backends.backend_of(_raw(y_pred)).to_host(_raw(y_pred)))
    if p.ndim >= 2 and p.shape[-1] > 1:
        num_classes = num_classes or p.shape[-1]
        p = p.argmax(axis=-1)
    if t.ndim >= 2 and t.shape[-1] > 1:
        t = t.argmax(axis=-1)
    t, p = t.reshape(-1).astype(np.int64), p.reshape(-1).astype(np.int64)
    if t.shape != p.shape:
        raise ValueError(f"{t.size} labels vs {p.size} predictions")
    if num_classes is None:
        num_classes = int(max(t.max(initial=-1), p.max(initial=-1))) + 1
    if t.size and (min(t.min(), p.min()) < 0 or max(t.max(), p.max()) >= num_classes):
        raise IndexError(f"labels must be in 0..{num_classes - 1}")
    m = np.zeros((num_classes, num_classes), dtype=np.int64)
    np.add.at(m, (t, p), 1)
    return m
