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
    y_true: Any, y_pred: Tensor, from_logits: bool = False, ignore_class: int | None = None,
    axis: int = -1, *, reduction: str = "none",
) -> Tensor:  # fmt: skip
    """Cross-entropy with integer labels, one value per sample (as Keras' function;
    ``reduction="mean"`` averages them). ``y_pred`` holds probabilities, or logits with
    ``from_logits=True`` (fused and stable)."""
    y_pred = _predictions(y_pred, "sparse_categorical_crossentropy")
    _keras_only_defaults("sparse_categorical_crossentropy", y_pred, axis, ignore_class)
    if from_logits:
        return softmax_cross_entropy(y_pred, y_true, sparse=True, reduction=reduction)
    logits = _logits_of_softmax(y_pred)
    if logits is not None:
        return softmax_cross_entropy(logits, y_true, sparse=True, reduction=reduction,
                                     stats=_softmax_stats(y_pred, logits))
    reduction = _reduction(reduction)
    labels = _labels_array(y_true, y_pred)
    xp = backends.get_array_module(y_pred.array)
    onehot = from_array((xp.arange(y_pred.shape[-1]) == labels[..., None]).astype(y_pred.dtype))
    return _categorical_from_probs(onehot, y_pred, reduction)


def _keras_only_defaults(who: str, y_pred: Tensor, axis: int, ignore_class: Any = None) -> None:
    """Refuse, by name, the options of Keras' cross-entropies that are not implemented
    here (a class axis other than the last, ``ignore_class``)."""
    if axis not in (-1, y_pred.ndim - 1):
        raise NotImplementedError(f"{who}: only the last axis can hold the classes (axis=-1)")
    if ignore_class is not None:
        raise NotImplementedError(f"{who}: ignore_class is not supported here")


def _categorical_from_probs(t: Tensor, p: Tensor, reduction: str) -> Tensor:
    # Keras: renormalise, clip to [eps, 1 - eps], then -Σ t log p
    p = p / autograd.sum(p, axis=-1, keepdims=True)
    log_p = autograd.log(autograd.clip(p, EPSILON, 1.0 - EPSILON))
    return _reduce(-autograd.sum(t * log_p, axis=-1), reduction)


def categorical_crossentropy(
    y_true: Any, y_pred: Tensor, from_logits: bool = False, label_smoothing: float = 0.0,
    axis: int = -1, *, reduction: str = "none",
) -> Tensor:  # fmt: skip
    """Cross-entropy with one-hot (or soft) targets of the same shape as ``y_pred``, one
    value per sample (as Keras' function). ``label_smoothing`` ε: targets
    t (1 - ε) + ε / C, as Keras."""
    y_pred = _predictions(y_pred, "categorical_crossentropy")
    _keras_only_defaults("categorical_crossentropy", y_pred, axis)
    if label_smoothing:
        t = _as_tensor(y_true, y_pred)
        y_true = t * (1.0 - label_smoothing) + label_smoothing / y_pred.shape[-1]
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
    """Keras: the value of a sample is the mean over the last axis (a 1-D input is one
    sample, as in Keras); then the reduction over samples."""
    if reduction == "mean":  # the mean of equal-length means: one op
        return autograd.mean(elementwise)
    per_sample = autograd.mean(elementwise, axis=-1) if elementwise.ndim else elementwise
    return _reduce(per_sample, reduction)


def binary_crossentropy(
    y_true: Any, y_pred: Tensor, from_logits: bool = False, label_smoothing: float = 0.0,
    axis: int = -1, *, reduction: str = "none",
) -> Tensor:  # fmt: skip
    """Binary cross-entropy of probabilities (clipped) or logits (stable), averaged over
    the last axis (as Keras' function). ``label_smoothing`` ε: targets y (1 - ε) + ε/2."""
    y_pred = _predictions(y_pred, "binary_crossentropy")
    _keras_only_defaults("binary_crossentropy", y_pred, axis)
    y = _match_shape(_as_tensor(y_true, y_pred), y_pred, broadcast=False)
    if label_smoothing:
        y = y * (1.0 - label_smoothing) + 0.5 * label_smoothing
    return _keras_reduce(_binary_elementwise(y, y_pred, from_logits), _reduction(reduction))


def mean_squared_error(y_true: Any, y_pred: Tensor, *, reduction: str = "none") -> Tensor:
    """(y_true - y_pred)², averaged over the last axis (one value per sample, as Keras)."""
    y_pred = _predictions(y_pred, "mean_squared_error")
    e = y_pred - _match_shape(_as_tensor(y_true, y_pred), y_pred)
    return _keras_reduce(e * e, _reduction(reduction))


def mean_absolute_error(y_true: Any, y_pred: Tensor, *, reduction: str = "none") -> Tensor:
    """|y_true - y_pred|, averaged over the last axis (one value per sample, as Keras)."""
    y_pred = _predictions(y_pred, "mean_absolute_error")
    e = y_pred - _match_shape(_as_tensor(y_true, y_pred), y_pred)
    return _keras_reduce(autograd.abs(e), _reduction(reduction))


def _huber_elementwise(e: Tensor, delta: float) -> Tensor:
    a = autograd.abs(e)
    return autograd.where((a <= delta).array, 0.5 * e * e, delta * (a - 0.5 * delta))


def huber(y_true: Any, y_pred: Tensor, delta: float = 1.0, *, reduction: str = "none") -> Tensor:
    """½e² (|e| ≤ δ) or δ(|e| - ½δ) (|e| > δ), e = y_pred - y_true, averaged over the last
    axis (one value per sample, as Keras)."""
    y_pred = _predictions(y_pred, "huber")
    e = y_pred - _match_shape(_as_tensor(y_true, y_pred), y_pred)
    return _keras_reduce(_huber_elementwise(e, delta), _reduction(reduction))


mse = MSE = mean_squared_error
mae = MAE = mean_absolute_error


# ---------------------------------------------------------------- Keras classes (y_true, y_pred)
class _KerasLoss(Loss):
    """A Keras loss class: ``(reduction="sum_over_batch_size", name=..., dtype=None)``, as
    Keras 3 (``name`` is kept in ``given_name``; ``dtype`` is the predictions')."""

    def __init__(self, reduction: str = "mean", name: str | None = None, dtype: Any = None) -> None:
        super().__init__(reduction, name, dtype)


class SparseCategoricalCrossentropy(_KerasLoss):
    """Keras: integer labels; ``loss(y_true, y_pred)``."""

    name = "sparse_categorical_crossentropy"

    def __init__(self, from_logits: bool = False, ignore_class: int | None = None,
                 reduction: str = "mean", name: str | None = None,
                 dtype: Any = None) -> None:  # fmt: skip
        super().__init__(reduction, name, dtype)
        if ignore_class is not None:
            raise NotImplementedError("SparseCategoricalCrossentropy: ignore_class is not "
                                      "supported here")  # fmt: skip
        self.from_logits = from_logits

    def compute(self, y_true: Any, y_pred: Tensor) -> Tensor:
        return sparse_categorical_crossentropy(y_true, y_pred, self.from_logits,
                                               reduction=self.reduction)  # fmt: skip

    def get_config(self) -> dict[str, Any]:
        return {"from_logits": self.from_logits, **super().get_config()}


class _SmoothedCrossentropy(_KerasLoss):
    """Keras' categorical and binary cross-entropy classes: ``(from_logits=False,
    label_smoothing=0.0, axis=-1, reduction=..., name=...)``."""

    def __init__(self, from_logits: bool = False, label_smoothing: float = 0.0, axis: int = -1,
                 reduction: str = "mean", name: str | None = None,
                 dtype: Any = None) -> None:  # fmt: skip
        super().__init__(reduction, name, dtype)
        if not 0.0 <= float(label_smoothing) <= 1.0:
            raise ValueError(f"label_smoothing must be in [0, 1], got {label_smoothing!r}")
        if axis != -1:
            raise NotImplementedError(f"{type(self).__name__}: only axis=-1 is supported here")
        self.from_logits = from_logits
        self.label_smoothing = float(label_smoothing)

    def get_config(self) -> dict[str, Any]:
        return {"from_logits": self.from_logits, "label_smoothing": self.label_smoothing,
                **super().get_config()}  # fmt: skip


class CategoricalCrossentropy(_SmoothedCrossentropy):
    """Keras: one-hot targets; ``loss(y_true, y_pred)``."""

    name = "categorical_crossentropy"

    def compute(self, y_true: Any, y_pred: Tensor) -> Tensor:
        return categorical_crossentropy(y_true, y_pred, self.from_logits, self.label_smoothing,
                                        reduction=self.reduction)  # fmt: skip


class BinaryCrossentropy(_SmoothedCrossentropy):
    """Keras: targets in [0, 1]; ``loss(y_true, y_pred)``."""

    name = "binary_crossentropy"

    def compute(self, y_true: Any, y_pred: Tensor) -> Tensor:
        return binary_crossentropy(y_true, y_pred, self.from_logits, self.label_smoothing,
                                   reduction=self.reduction)  # fmt: skip


class MeanSquaredError(_KerasLoss):
    """Keras MSE; ``loss(y_true, y_pred)``."""

    name = "mean_squared_error"

    def compute(self, y_true: Any, y_pred: Tensor) -> Tensor:
        return mean_squared_error(y_true, y_pred, reduction=self.reduction)


class MeanAbsoluteError(_KerasLoss):
    """Keras MAE; ``loss(y_true, y_pred)``."""

    name = "mean_absolute_error"

    def compute(self, y_true: Any, y_pred: Tensor) -> Tensor:
        return mean_absolute_error(y_true, y_pred, reduction=self.reduction)


class Huber(_KerasLoss):
    """Keras Huber(delta=1.0); ``loss(y_true, y_pred)``."""

    name = "huber"

    def __init__(self, delta: float = 1.0, reduction: str = "mean", name: str | None = None,
                 dtype: Any = None) -> None:  # fmt: skip
        super().__init__(reduction, name, dtype)
        self.delta = float(delta)

    def compute(self, y_true: Any, y_pred: Tensor) -> Tensor:
        return huber(y_true, y_pred, self.delta, reduction=self.reduction)

    def get_config(self) -> dict[str, Any]:
        return {"delta": self.delta, **super().get_config()}
