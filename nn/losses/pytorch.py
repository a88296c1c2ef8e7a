"""PyTorch's losses, called ``(input, target)``: ``CrossEntropyLoss``, ``NLLLoss``,
``MSELoss``, ``L1Loss``, ``HuberLoss``, ``BCELoss``, ``BCEWithLogitsLoss``.
"""

from __future__ import annotations

import warnings
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
    class probabilities (N, C). Fused log-softmax, stable.

    With p = softmax(logits), ε = ``label_smoothing``, w = ``weight`` (one per class, 1
    without) and the rows whose label is ``ignore_index`` left out:

        loss_i = (1 - ε) · w_{y_i} · (-log p_{i,y_i}) + ε/C · Σ_c w_c · (-log p_{ic})
        mean   = Σ_i loss_i / Σ_i w_{y_i}

    For class-probability targets t: loss_i = -Σ_c w_c t'_ic log p_ic with
    t' = (1 - ε) t + ε/C, and the mean divides by N. These are PyTorch's formulas.

    Labels already on a GPU are not read back to look for ``ignore_index`` (that would
    make the host wait every step): give ``ignore_index`` explicitly when device labels
    hold it; with the default, -100 there is reported as a label out of range.
    """

    name = "sparse_categorical_crossentropy_from_logits"

    convention = "torch"

    def __init__(self, weight: Any = None, size_average: Any = None, ignore_index: int = -100,
                 reduce: Any = None, reduction: str = "mean",
                 label_smoothing: float = 0.0) -> None:  # fmt: skip
        super().__init__(_legacy_reduction(size_average, reduce, reduction))
        self.weight = _check_weight(weight, "CrossEntropyLoss")
        self.ignore_index = int(ignore_index)
        self._explicit_ignore = ignore_index != -100
        if not 0.0 <= float(label_smoothing) <= 1.0:
            raise ValueError(f"label_smoothing must be in [0, 1], got {label_smoothing!r}")
        self.label_smoothing = float(label_smoothing)

    def compute(self, y_true: Any, y_pred: Tensor) -> Tensor:
        data = _label_data(y_true, "CrossEntropyLoss targets")
        if data.dtype.kind in "iu":  # class labels
            if self.weight is None and not self.label_smoothing and not _may_hold(data, self):
                return softmax_cross_entropy(y_pred, y_true, sparse=True,
                                             reduction=self.reduction)  # fmt: skip
            return _weighted_nll(autograd.log_softmax(y_pred, -1), data, self.weight,
                                 self.ignore_index, self.label_smoothing,
                                 self.reduction)  # fmt: skip
        target = _as_tensor(y_true, y_pred)  # class probabilities
        _check_same_shape(target, y_pred)
        if self.label_smoothing:
            target = target * (1.0 - self.label_smoothing) + self.label_smoothing / y_pred.shape[-1]
        if self.weight is None:
            return softmax_cross_entropy(y_pred, target, sparse=False, reduction=self.reduction)
        per_class = target * autograd.log_softmax(y_pred, -1) * _class_weights(self.weight, y_pred)
        return _reduce(-autograd.sum(per_class, -1), self.reduction)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "ignore_index": self.ignore_index,
                "label_smoothing": self.label_smoothing}  # fmt: skip


class NLLLoss(Loss):
    """PyTorch: ``NLLLoss()(log_probs (N, C), target (N,))`` = -mean_i log_probs[i, target_i];
    with ``weight`` w and ``ignore_index``: Σ_i -w_{y_i} log_probs[i, y_i] / Σ_i w_{y_i}
    over the rows not ignored (see ``CrossEntropyLoss`` for labels on a GPU)."""

    name = "sparse_nll"

    convention = "torch"

    def __init__(self, weight: Any = None, size_average: Any = None, ignore_index: int = -100,
                 reduce: Any = None, reduction: str = "mean") -> None:  # fmt: skip
        super().__init__(_legacy_reduction(size_average, reduce, reduction))
        self.weight = _check_weight(weight, "NLLLoss")
        self.ignore_index = int(ignore_index)
        self._explicit_ignore = ignore_index != -100

    def compute(self, y_true: Any, y_pred: Tensor) -> Tensor:
        data = _label_data(y_true, "NLLLoss targets")
        if self.weight is not None or _may_hold(data, self):
            return _weighted_nll(y_pred, data, self.weight, self.ignore_index, 0.0,
                                 self.reduction)  # fmt: skip
        labels = _labels_array(y_true, y_pred)
        return _reduce(-_pick(y_pred, labels), self.reduction)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "ignore_index": self.ignore_index}


def _may_hold(labels: Any, loss: CrossEntropyLoss | NLLLoss) -> bool:
    """Whether ``labels`` may hold the loss's ``ignore_index``: read on the host; on a
    device assumed only when ``ignore_index`` was given (reading would wait for the GPU)."""
    if isinstance(labels, np.ndarray):
        return bool(labels.size) and bool((labels == loss.ignore_index).any())
    return loss._explicit_ignore


def _legacy_reduction(size_average: Any, reduce: Any, reduction: str) -> str:
    """PyTorch's deprecated ``size_average``/``reduce`` as a ``reduction``, as PyTorch maps
    them (with its warning)."""
    if size_average is None and reduce is None:
        return reduction
    warnings.warn("size_average and reduce are deprecated, use reduction= instead "
                  "(as in PyTorch)", UserWarning, stacklevel=3)  # fmt: skip
    if reduce is False:
        return "none"
    return "sum" if size_average is False else "mean"


def _check_weight(weight: Any, who: str) -> Any:
    """``weight`` as given, unless it is a reduction's name: PyTorch's first argument is
    the weight, and ``CrossEntropyLoss("sum")`` would otherwise fail far from here."""
    if isinstance(weight, str):
        raise TypeError(
            f"{who}: the first argument is the class weight, as in PyTorch; give the "
            f"reduction by name: {who}(reduction={weight!r})"
        )
    return weight


def _class_weights(weight: Any, like: Tensor) -> Any:
    """``weight`` (one per class) as a constant array in ``like``'s dtype: a tensor on
    ``like``'s device (another device is an error, as in PyTorch), or host numbers,
    copied there once."""
    if weight is None:
        return None
    if isinstance(weight, Tensor):
        if weight.device != like.device:
            raise RuntimeError(
                f"weight is on {weight.device} but the predictions are on {like.device}; "
                "move it first (weight.to(device))"
            )
        data = weight.array
    else:
        data = np.asarray(weight)
        if not isinstance(like.array, np.ndarray):
            data = backends.backend_of(like.array).from_host(data)
    if tuple(data.shape) != (like.shape[-1],):
        raise ValueError(
            f"weight has shape {tuple(data.shape)}; expected one weight per class "
            f"({like.shape[-1]},)"
        )
    return data.astype(like.array.dtype, copy=False)


def _weighted_nll(log_p: Tensor, labels: Any, weight: Any, ignore_index: int,
                  smoothing: float, reduction: str) -> Tensor:  # fmt: skip
    """PyTorch's negative log-likelihood with class weights, ignored labels and label
    smoothing (formulas in ``CrossEntropyLoss``), from log-probabilities and the labels'
    array. The weights and the mask are constants; the gradient reaches ``log_p``."""
    xp = backends.get_array_module(labels)
    kept = labels != ignore_index
    labels = _labels_array(autograd.from_array(xp.where(kept, labels, 0)), log_p)
    backend = backends.backend_of(log_p.array)
    if isinstance(kept, np.ndarray) and not isinstance(log_p.array, np.ndarray):
        kept = backend.from_host(kept)
    kept = kept.reshape(labels.shape).astype(log_p.array.dtype)
    weights = _class_weights(weight, log_p)
    w_y = kept if weights is None else weights[labels] * kept
    loss = -_pick(log_p, labels) * autograd.from_array(w_y)
    if smoothing:
        per_class = log_p if weights is None else log_p * autograd.from_array(weights)
        spread = -autograd.sum(per_class, -1) * autograd.from_array(kept)
        loss = loss * (1.0 - smoothing) + spread * (smoothing / log_p.shape[-1])
    if reduction == "mean":
        return autograd.sum(loss) / autograd.from_array(w_y.sum())
    return _reduce(loss, reduction)


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


class SmoothL1Loss(_TorchLoss):
    """PyTorch: ``SmoothL1Loss(beta=1.0)(input, target)``: per element, with e = input -
    target, ½e²/β where |e| < β, else |e| - ½β (Huber's loss divided by β)."""

    name = "smooth_l1"

    def __init__(self, size_average: Any = None, reduce: Any = None, reduction: str = "mean",
                 beta: float = 1.0) -> None:  # fmt: skip
        super().__init__(_legacy_reduction(size_average, reduce, reduction))
        if beta < 0:
            raise ValueError(f"SmoothL1Loss: beta must be >= 0, got {beta}")
        self.beta = float(beta)

    def _elementwise(self, y: Tensor, p: Tensor) -> Tensor:
        if self.beta == 0.0:  # the L1 loss, as PyTorch
            return autograd.abs(p - y)
        return _huber_elementwise(p - y, self.beta) * (1.0 / self.beta)

    def get_config(self) -> dict[str, Any]:
        return {"beta": self.beta, **super().get_config()}


class KLDivLoss(Loss):
    """PyTorch: ``KLDivLoss(reduction="batchmean")(log_q, p)``: per element
    p · (log p - log_q), 0 where p = 0 (``log_target=True``: p given as log p).
    ``"batchmean"`` divides the sum by the batch size (the KL divergence per sample);
    ``"mean"`` divides by the number of elements, as PyTorch (which warns about it)."""

    name = "kl_divergence"

    convention = "torch"

    def __init__(self, size_average: Any = None, reduce: Any = None, reduction: str = "mean",
                 log_target: bool = False) -> None:  # fmt: skip
        self.batchmean = reduction == "batchmean"
        super().__init__(_legacy_reduction(size_average, reduce,
                                           "sum" if self.batchmean else reduction))  # fmt: skip
        self.log_target = bool(log_target)

    def compute(self, y_true: Any, y_pred: Tensor) -> Tensor:
        target = _as_tensor(y_true, y_pred)
        _check_same_shape(target, y_pred)
        if self.log_target:
            elementwise = autograd.exp(target) * (target - y_pred)
        else:
            positive = (target.array > 0)
            safe = autograd.where(positive, target, 1.0)  # log 1 = 0 where p = 0
            elementwise = target * (autograd.log(safe) - y_pred)
        if self.batchmean:
            n = y_pred.shape[0] if y_pred.ndim else 1
            return autograd.sum(elementwise) * (1.0 / n)
        return _reduce(elementwise, self.reduction)

    def get_config(self) -> dict[str, Any]:
        reduction = "batchmean" if self.batchmean else self.reduction
        return {"reduction": reduction, "log_target": self.log_target}


class _WeightedBinary(_TorchLoss):
    """PyTorch's binary losses' ``weight``: a rescaling of each element's loss, broadcast
    to the input's shape (one per class, or per element)."""

    def __init__(self, weight: Any = None, size_average: Any = None, reduce: Any = None,
                 reduction: str = "mean") -> None:  # fmt: skip
        super().__init__(_legacy_reduction(size_average, reduce, reduction))
        self.weight = _check_weight(weight, type(self).__name__)

    def _rescaled(self, values: Tensor) -> Tensor:
        if self.weight is None:
            return values
        return values * _broadcast_constant(self.weight, values, "weight")


def _broadcast_constant(value: Any, like: Tensor, what: str) -> Tensor:
    """``value`` (a tensor or numbers) as a constant Tensor of ``like``'s dtype on its
    device, refused by name unless it broadcasts to ``like``'s shape."""
    data = value.array if isinstance(value, Tensor) else np.asarray(value)
    if isinstance(data, np.ndarray) and not isinstance(like.array, np.ndarray):
        data = backends.backend_of(like.array).from_host(data)
    try:
        np.broadcast_shapes(tuple(data.shape), tuple(like.shape))
    except ValueError:
        raise ValueError(f"{what} of shape {tuple(data.shape)} does not broadcast to the "
                         f"input's shape {tuple(like.shape)}") from None
    return autograd.from_array(data.astype(like.array.dtype, copy=False))


class BCELoss(_WeightedBinary):
    """PyTorch: ``BCELoss(weight=None)(probabilities, target)``; probabilities clipped to
    [ε, 1 - ε]; ``weight`` rescales each element's loss.

    As PyTorch, refuses (``ValueError``) probabilities or targets outside [0, 1], NaN
    included: clipping would otherwise turn 1.5 into a confident, tiny loss.
    """

    name = "binary_crossentropy"

    def _elementwise(self, y: Tensor, p: Tensor) -> Tensor:
        _check_unit_interval(p, y)
        return self._rescaled(_binary_elementwise(y, p, from_logits=False))


def _check_unit_interval(p: Tensor, y: Tensor) -> None:
    """Raise ValueError unless every element of ``p`` and ``y`` is in [0, 1] (NaN is not).

    One reduction over both and one read of its result: on NumPy a few microseconds, on a
    GPU a device synchronisation per call (the price of refusing bad input there too, where
    PyTorch's kernel asserts on the device).
    """
    xp = backends.get_array_module(p.array)
    inside = xp.logical_and(p.array >= 0, p.array <= 1).all()
    inside &= xp.logical_and(y.array >= 0, y.array <= 1).all()
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


class BCEWithLogitsLoss(_WeightedBinary):
    """PyTorch: ``BCEWithLogitsLoss(weight=None, pos_weight=None)(logits, target)``:

        ℓ = w · [p_w · y · softplus(-x) + (1 - y) · softplus(x)]
          = w · [softplus(x) - x·y]                  without pos_weight (p_w = 1)

    stable for large |x| (softplus(-x) = softplus(x) - x). ``pos_weight`` p_w weighs the
    positive term, one per class (the last axis); ``weight`` w rescales each element."""

    name = "binary_crossentropy_from_logits"

    def __init__(self, weight: Any = None, size_average: Any = None, reduce: Any = None,
                 reduction: str = "mean", pos_weight: Any = None) -> None:  # fmt: skip
        super().__init__(weight, size_average, reduce, reduction)
        self.pos_weight = pos_weight

    def _elementwise(self, y: Tensor, p: Tensor) -> Tensor:
        if self.pos_weight is None:
            return self._rescaled(_binary_elementwise(y, p, from_logits=True))
        pos = _broadcast_constant(self.pos_weight, p, "pos_weight")
        softplus = autograd.softplus(p)
        return self._rescaled((1.0 - y) * softplus + pos * y * (softplus - p))
