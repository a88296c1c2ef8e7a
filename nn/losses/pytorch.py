"""PyTorch's losses, called ``(input, target)``: ``CrossEntropyLoss``, ``NLLLoss``,
``MSELoss``, ``L1Loss``, ``HuberLoss``, ``BCELoss``, ``BCEWithLogitsLoss``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

import autograd
import backends
from autograd import Tensor

from .base import (
    Loss,
    _as_tensor,
    _check_same_shape,
    _label_data,
    _labels_array,
    _reduce,
    softmax_cross_entropy,
)
from .keras import _binary_elementwise, _huber_elementwise


# PyTorch classes: __call__(input, target); "sum"/"none" per element.
class _TorchLoss(Loss):
    convention = "torch"

    def _elementwise(self, y_true: Tensor, y_pred: Tensor) -> Tensor:
        raise NotImplementedError

    def compute(self, y_true: Any, y_pred: Tensor) -> Tensor:
        y = _as_tensor(y_true, y_pred)
        _check_same_shape(y, y_pred)
        return _reduce(self._elementwise(y, y_pred), self.reduction)


class CrossEntropyLoss(Loss):
    """PyTorch: ``CrossEntropyLoss()(logits (N, C), target)``; integer targets (N,) or
    class probabilities (N, C).  Fused log-softmax, stable."""

    name = "sparse_categorical_crossentropy_from_logits"

    convention = "torch"

    def compute(self, y_true: Any, y_pred: Tensor) -> Tensor:
        sparse = _label_data(y_true, "CrossEntropyLoss targets").dtype.kind in "iu"
        return softmax_cross_entropy(y_pred, y_true, sparse=sparse, reduction=self.reduction)


class NLLLoss(Loss):
    """PyTorch: ``NLLLoss()(log_probs (N, C), target (N,))`` = -mean_i log_probs[i, target_i]."""

    name = "sparse_nll"

    convention = "torch"

    def compute(self, y_true: Any, y_pred: Tensor) -> Tensor:
        labels = _labels_array(y_true, y_pred)
        return _reduce(-_pick(y_pred, labels), self.reduction)


def _pick(values: Tensor, labels: Any) -> Tensor:
    """``values[..., labels]``: the entry of each row's label, shaped like ``labels``.

    Selected, not summed against a one-hot: 0 · (-inf) would make the whole row NaN when
    another class has log-probability -inf (PyTorch gives the finite value). Differentiable:
    the gradient is 1 at each picked entry, 0 elsewhere.
    """
    classes = values.shape[-1]
    rows = backends.get_array_module(labels).arange(labels.size)
    picked = autograd.reshape(values, (-1, classes))[rows, labels.reshape(-1)]
    return autograd.reshape(picked, tuple(labels.shape))


class MSELoss(_TorchLoss):
    """PyTorch: ``MSELoss()(input, target)`` = mean (input - target)²."""

    name = "mean_squared_error"

    def _elementwise(self, y: Tensor, p: Tensor) -> Tensor:
        e = p - y
        return e * e


class L1Loss(_TorchLoss):
    """PyTorch: ``L1Loss()(input, target)`` = mean |input - target|."""

    name = "mean_absolute_error"

    def _elementwise(self, y: Tensor, p: Tensor) -> Tensor:
        return autograd.abs(p - y)


class HuberLoss(_TorchLoss):
    """PyTorch: ``HuberLoss(delta=1.0)(input, target)``."""

    name = "huber"

    def __init__(self, reduction: str = "mean", delta: float = 1.0) -> None:
        super().__init__(reduction)
        self.delta = float(delta)

    def _elementwise(self, y: Tensor, p: Tensor) -> Tensor:
        return _huber_elementwise(p - y, self.delta)

    def get_config(self) -> dict[str, Any]:
        return {"delta": self.delta, **super().get_config()}


class BCELoss(_TorchLoss):
    """PyTorch: ``BCELoss()(probabilities, target)``; probabilities clipped to [ε, 1 - ε].

    As PyTorch, refuses (``ValueError``) probabilities or targets outside [0, 1], NaN
    included: clipping would otherwise turn 1.5 into a confident, tiny loss.
    """

    name = "binary_crossentropy"

    def _elementwise(self, y: Tensor, p: Tensor) -> Tensor:
        _check_unit_interval(p, y)
        return _binary_elementwise(y, p, from_logits=False)


def _check_unit_interval(p: Tensor, y: Tensor) -> None:
    """Raise ValueError unless every element of ``p`` and ``y`` is in [0, 1] (NaN is not).

    One reduction over both and one read of its result: on NumPy a few microseconds, on a
    GPU a device synchronisation per call (the price of refusing bad input there too, where
    PyTorch's kernel asserts on the device).
    """
    xp = backends.get_array_module(p.data)
    inside = xp.logical_and(p.data >= 0, p.data <= 1).all()
    inside &= xp.logical_and(y.data >= 0, y.data <= 1).all()
    if bool(inside):
        return
    for what, t in (("input", p), ("target", y)):
        values = t.numpy(force=True)
        bad = ~((values >= 0) & (values <= 1))
        if bad.any():
            first = tuple(int(i) for i in np.argwhere(bad)[0])
            raise ValueError(
                f"BCELoss: all elements of {what} should be between 0 and 1; got "
                f"{values[first]} at index {first} ({int(bad.sum())} of {values.size} outside)"
            )


class BCEWithLogitsLoss(_TorchLoss):
    """PyTorch: ``BCEWithLogitsLoss()(logits, target)`` = mean[softplus(x) - x·y]."""

    name = "binary_crossentropy_from_logits"

    def _elementwise(self, y: Tensor, p: Tensor) -> Tensor:
        return _binary_elementwise(y, p, from_logits=True)
