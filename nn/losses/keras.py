"""Keras' losses, called ``(y_true, y_pred)``: the functions
(``sparse_categorical_crossentropy``...) and the classes (``SparseCategoricalCrossentropy``...).
"""

from __future__ import annotations

import weakref
from typing import Any

import autograd
import backends
from autograd import Tensor, from_array
from autograd.ops.softmax import Softmax as _SoftmaxFunction

from .base import (
    EPSILON,
    Loss,
    _as_tensor,
    _check_same_shape,
    _labels_array,
    _match_shape,
    _predictions,
    _reduce,
    _reduction,
    softmax_cross_entropy,
)

# ---------------------------------------------------------------- Keras functions (y_true, y_pred)
# Probabilities made by nn's Softmax activation -> their logits, as Keras 3 keeps
# ``_keras_logits`` on a softmax's output. Without a recorded graph (evaluate, predict,
# validation: all under no_grad) this is the only way back to the logits, and without it
# evaluation would use the clipped formula while training used the exact one: 16.1 vs
# 30.0 on the same weights. Keyed by id, emptied by a weakref callback when the
# probabilities are freed (a weakref callback runs before the id can be reused).
_SOFTMAX_LOGITS: dict[int, tuple[weakref.ref, Tensor]] = {}


def remember_softmax_logits(probs: Tensor, logits: Tensor) -> None:
    """Record that ``probs`` is softmax(``logits``) over the last axis, so the probability
    losses compute from the logits, in and out of a recorded graph alike."""
    key = id(probs)

    def forget(_ref: weakref.ref, key: int = key) -> None:
        _SOFTMAX_LOGITS.pop(key, None)

    _SOFTMAX_LOGITS[key] = (weakref.ref(probs, forget), logits)


def _logits_of_softmax(y_pred: Tensor) -> Tensor | None:
    """The logits z if ``y_pred`` was computed as softmax(z) over its last axis (by nn's
    Softmax activation, or by ``autograd.softmax`` with a graph recorded), else None.  As
    Keras 3 does, the probability losses then take the fused, unclipped logits path: same
    value where no clipping applies, exact and stable where it would (p < 1e-7), and the
    gradient (p - t)/N instead of a vanishing one."""
    entry = _SOFTMAX_LOGITS.get(id(y_pred))
    if entry is not None and entry[0]() is y_pred:
        return entry[1]
    fn = y_pred.grad_fn
    if isinstance(fn, _SoftmaxFunction) and fn.inputs is not None and fn.axis == y_pred.ndim - 1:
        return fn.inputs[0]
    return None


def _softmax_stats(y_pred: Tensor, logits: Tensor) -> tuple[Any, Any] | None:
    """The row maxima and exp-sums of the softmax that made ``y_pred`` from ``logits`` on
    a device, when the graph records it (training), else None."""
    fn = y_pred.grad_fn
    if isinstance(fn, _SoftmaxFunction) and fn.inputs is not None and fn.inputs[0] is logits:
        return fn.stats
    return None


def sparse_categorical_crossentropy(
    y_true: Any, y_pred: Tensor, from_logits: bool = False, reduction: str = "mean"
) -> Tensor:
    """Cross-entropy with integer labels; ``y_pred`` holds probabilities (or logits with
    ``from_logits=True``, fused and stable)."""
    y_pred = _predictions(y_pred, "sparse_categorical_crossentropy")
    if from_logits:
        return softmax_cross_entropy(y_pred, y_true, sparse=True, reduction=reduction)
    logits = _logits_of_softmax(y_pred)
    if logits is not None:
        return softmax_cross_entropy(logits, y_true, sparse=True, reduction=reduction,
                                     stats=_softmax_stats(y_pred, logits))
    reduction = _reduction(reduction)
    labels = _labels_array(y_true, y_pred)
    xp = backends.get_array_module(y_pred.data)
    onehot = from_array((xp.arange(y_pred.shape[-1]) == labels[..., None]).astype(y_pred.dtype))
    return _categorical_from_probs(onehot, y_pred, reduction)


def _categorical_from_probs(t: Tensor, p: Tensor, reduction: str) -> Tensor:
    # Keras: renormalise, clip to [eps, 1 - eps], then -Σ t log p
    p = p / autograd.sum(p, axis=-1, keepdims=True)
    log_p = autograd.log(autograd.clip(p, EPSILON, 1.0 - EPSILON))
    return _reduce(-autograd.sum(t * log_p, axis=-1), reduction)


def categorical_crossentropy(
    y_true: Any, y_pred: Tensor, from_logits: bool = False, reduction: str = "mean"
) -> Tensor:
    """Cross-entropy with one-hot (or soft) targets of the same shape as ``y_pred``."""
    y_pred = _predictions(y_pred, "categorical_crossentropy")
    if from_logits:
        return softmax_cross_entropy(y_pred, y_true, sparse=False, reduction=reduction)
    logits = _logits_of_softmax(y_pred)
    if logits is not None:
        return softmax_cross_entropy(logits, y_true, sparse=False, reduction=reduction)
    t = _as_tensor(y_true, y_pred)
    _check_same_shape(t, y_pred)
    return _categorical_from_probs(t, y_pred, _reduction(reduction))


def _binary_elementwise(y: Tensor, p: Tensor, from_logits: bool) -> Tensor:
    if from_logits:
        return autograd.softplus(p) - p * y
    pc = autograd.clip(p, EPSILON, 1.0 - EPSILON)
    return -(y * autograd.log(pc) + (1.0 - y) * autograd.log(1.0 - pc))


def _keras_reduce(elementwise: Tensor, reduction: str) -> Tensor:
    """Keras: per-sample value = mean over the last axis; then the reduction."""
    if reduction == "mean":
        return autograd.mean(elementwise)
    per_sample = autograd.mean(elementwise, axis=-1) if elementwise.ndim > 1 else elementwise
    return _reduce(per_sample, reduction)


def binary_crossentropy(
    y_true: Any, y_pred: Tensor, from_logits: bool = False, reduction: str = "mean"
) -> Tensor:
    """Binary cross-entropy of probabilities (clipped) or logits (stable)."""
    y_pred = _predictions(y_pred, "binary_crossentropy")
    y = _match_shape(_as_tensor(y_true, y_pred), y_pred)
    return _keras_reduce(_binary_elementwise(y, y_pred, from_logits), _reduction(reduction))


def mean_squared_error(y_true: Any, y_pred: Tensor, reduction: str = "mean") -> Tensor:
    """mean (y_true - y_pred)²."""
    y_pred = _predictions(y_pred, "mean_squared_error")
    e = y_pred - _match_shape(_as_tensor(y_true, y_pred), y_pred)
    return _keras_reduce(e * e, _reduction(reduction))


def mean_absolute_error(y_true: Any, y_pred: Tensor, reduction: str = "mean") -> Tensor:
    """mean |y_true - y_pred|."""
    y_pred = _predictions(y_pred, "mean_absolute_error")
    e = y_pred - _match_shape(_as_tensor(y_true, y_pred), y_pred)
    return _keras_reduce(autograd.abs(e), _reduction(reduction))


def _huber_elementwise(e: Tensor, delta: float) -> Tensor:
    a = autograd.abs(e)
    return autograd.where((a <= delta).data, 0.5 * e * e, delta * (a - 0.5 * delta))


def huber(y_true: Any, y_pred: Tensor, delta: float = 1.0, reduction: str = "mean") -> Tensor:
    """mean of ½e² (|e| ≤ δ) or δ(|e| - ½δ) (|e| > δ), e = y_pred - y_true."""
    y_pred = _predictions(y_pred, "huber")
    e = y_pred - _match_shape(_as_tensor(y_true, y_pred), y_pred)
    return _keras_reduce(_huber_elementwise(e, delta), _reduction(reduction))


mse = MSE = mean_squared_error
mae = MAE = mean_absolute_error



# ---------------------------------------------------------------- Keras classes (y_true, y_pred)
class SparseCategoricalCrossentropy(Loss):
    """Keras: integer labels; ``loss(y_true, y_pred)``."""

    name = "sparse_categorical_crossentropy"

    def __init__(self, from_logits: bool = False, reduction: str = "mean") -> None:
        super().__init__(reduction)
        self.from_logits = from_logits

    def compute(self, y_true: Any, y_pred: Tensor) -> Tensor:
        return sparse_categorical_crossentropy(y_true, y_pred, self.from_logits, self.reduction)

    def get_config(self) -> dict[str, Any]:
        return {"from_logits": self.from_logits, **super().get_config()}


class CategoricalCrossentropy(SparseCategoricalCrossentropy):
    """Keras: one-hot targets; ``loss(y_true, y_pred)``."""

    name = "categorical_crossentropy"

    def compute(self, y_true: Any, y_pred: Tensor) -> Tensor:
        return categorical_crossentropy(y_true, y_pred, self.from_logits, self.reduction)


class BinaryCrossentropy(SparseCategoricalCrossentropy):
    """Keras: targets in [0, 1]; ``loss(y_true, y_pred)``."""

    name = "binary_crossentropy"

    def compute(self, y_true: Any, y_pred: Tensor) -> Tensor:
        return binary_crossentropy(y_true, y_pred, self.from_logits, self.reduction)


class MeanSquaredError(Loss):
    """Keras MSE; ``loss(y_true, y_pred)``."""

    name = "mean_squared_error"

    def compute(self, y_true: Any, y_pred: Tensor) -> Tensor:
        return mean_squared_error(y_true, y_pred, self.reduction)


class MeanAbsoluteError(Loss):
    """Keras MAE; ``loss(y_true, y_pred)``."""

    name = "mean_absolute_error"

    def compute(self, y_true: Any, y_pred: Tensor) -> Tensor:
        return mean_absolute_error(y_true, y_pred, self.reduction)


class Huber(Loss):
    """Keras Huber(delta=1.0); ``loss(y_true, y_pred)``."""

    name = "huber"

    def __init__(self, delta: float = 1.0, reduction: str = "mean") -> None:
        super().__init__(reduction)
        self.delta = float(delta)

    def compute(self, y_true: Any, y_pred: Tensor) -> Tensor:
        return huber(y_true, y_pred, self.delta, self.reduction)

    def get_config(self) -> dict[str, Any]:
        return {"delta": self.delta, **super().get_config()}
