"""Keras' focal cross-entropies (Lin et al., 2017), for classes of very different sizes:
the cross-entropy of each prediction times (1 - p_t)^γ, so the well-classified examples
(p_t near 1) weigh little and the hard ones dominate. ε = 1e-7 (Keras' epsilon); y the
targets, p the predicted probabilities (``from_logits``: sigmoid or softmax first):

* binary: ``mean over the last axis of (1 - p_t)^γ · BCE(y, p)``, p_t = y p + (1 - y)(1 - p),
  BCE on p clipped to [ε, 1 - ε]; ``apply_class_balancing`` weighs positives by α and
  negatives by 1 - α;
* categorical: ``Σ over the last axis of α (1 - p')^γ · (-y log p')``, p' the
  probabilities renormalised to sum to 1 and clipped to [ε, 1 - ε].

As Keras' functions, each gives one value per sample; the classes reduce them (the batch
mean by default). Compositions of autograd ops: their gradients are those ops'.
"""

from __future__ import annotations

from typing import Any

import autograd
from autograd import Tensor

from .base import EPSILON, _as_tensor, _match_shape, _predictions, _reduction
from .keras import _binary_elementwise, _keras_reduce, _KerasLoss
from .keras_other import _summed


def binary_focal_crossentropy(y_true: Any, y_pred: Any, apply_class_balancing: bool = False,
                              alpha: float = 0.25, gamma: float = 2.0,
                              from_logits: bool = False, label_smoothing: float = 0.0,
                              axis: int = -1, *, reduction: str = "none") -> Tensor:  # fmt: skip
    """The binary focal cross-entropy, one value per sample (see the module doc)."""
    p = _predictions(y_pred, "binary_focal_crossentropy")
    _last_axis_only("binary_focal_crossentropy", axis)
    y = _match_shape(_as_tensor(y_true, p).astype(p.dtype), p, broadcast=False)
    if label_smoothing:
        y = y * (1.0 - label_smoothing) + 0.5 * label_smoothing
    if from_logits:
        p = autograd.sigmoid(p)
    bce = _binary_elementwise(y, p, from_logits=False)
    p_t = y * p + (1.0 - y) * (1.0 - p)
    focal = (1.0 - p_t) ** gamma * bce
    if apply_class_balancing:
        focal = (y * alpha + (1.0 - y) * (1.0 - alpha)) * focal
    return _keras_reduce(focal, _reduction(reduction))


def categorical_focal_crossentropy(y_true: Any, y_pred: Any, alpha: float = 0.25,
                                   gamma: float = 2.0, from_logits: bool = False,
                                   label_smoothing: float = 0.0, axis: int = -1, *,
                                   reduction: str = "none") -> Tensor:  # fmt: skip
    """The categorical focal cross-entropy of one-hot targets, one value per sample."""
    p = _predictions(y_pred, "categorical_focal_crossentropy")
    _last_axis_only("categorical_focal_crossentropy", axis)
    y = _match_shape(_as_tensor(y_true, p).astype(p.dtype), p, broadcast=False)
    if label_smoothing:
        y = y * (1.0 - label_smoothing) + label_smoothing / p.shape[-1]
    if from_logits:
        p = autograd.softmax(p, axis=-1)
    p = autograd.clip(p / autograd.sum(p, axis=-1, keepdims=True), EPSILON, 1.0 - EPSILON)
    focal = alpha * (1.0 - p) ** gamma * (-y * autograd.log(p))
    return _summed(focal, reduction)


def _last_axis_only(loss: str, axis: int) -> None:
    if axis != -1:
        raise NotImplementedError(f"{loss}: only axis=-1 is supported here")


class BinaryFocalCrossentropy(_KerasLoss):
    """Keras' ``BinaryFocalCrossentropy(apply_class_balancing=False, alpha=0.25, gamma=2.0,
    from_logits=False, label_smoothing=0.0, axis=-1, reduction=..., name=...)``."""

    name = "binary_focal_crossentropy"

    def __init__(self, apply_class_balancing: bool = False, alpha: float = 0.25,
                 gamma: float = 2.0, from_logits: bool = False, label_smoothing: float = 0.0,
                 axis: int = -1, reduction: str = "mean", name: str | None = None,
                 dtype: Any = None) -> None:  # fmt: skip
        super().__init__(reduction, name, dtype)
        _last_axis_only(type(self).__name__, axis)
        self.apply_class_balancing, self.alpha, self.gamma = apply_class_balancing, alpha, gamma
        self.from_logits, self.label_smoothing = from_logits, label_smoothing

    def compute(self, y_true: Any, y_pred: Tensor) -> Tensor:
        return binary_focal_crossentropy(
            y_true, y_pred, self.apply_class_balancing, self.alpha, self.gamma,
            self.from_logits, self.label_smoothing, reduction=self.reduction)  # fmt: skip

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "apply_class_balancing": self.apply_class_balancing,
                "alpha": self.alpha, "gamma": self.gamma, "from_logits": self.from_logits,
                "label_smoothing": self.label_smoothing}  # fmt: skip


class CategoricalFocalCrossentropy(_KerasLoss):
    """Keras' ``CategoricalFocalCrossentropy(alpha=0.25, gamma=2.0, from_logits=False,
    label_smoothing=0.0, axis=-1, reduction=..., name=...)``."""

    name = "categorical_focal_crossentropy"

    def __init__(self, alpha: float = 0.25, gamma: float = 2.0, from_logits: bool = False,
                 label_smoothing: float = 0.0, axis: int = -1, reduction: str = "mean",
                 name: str | None = None, dtype: Any = None) -> None:  # fmt: skip
        super().__init__(reduction, name, dtype)
        _last_axis_only(type(self).__name__, axis)
        self.alpha, self.gamma = alpha, gamma
        self.from_logits, self.label_smoothing = from_logits, label_smoothing

    def compute(self, y_true: Any, y_pred: Tensor) -> Tensor:
        return categorical_focal_crossentropy(
            y_true, y_pred, self.alpha, self.gamma, self.from_logits, self.label_smoothing,
            reduction=self.reduction)  # fmt: skip

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "alpha": self.alpha, "gamma": self.gamma,
                "from_logits": self.from_logits, "label_smoothing": self.label_smoothing}


__all__ = ["BinaryFocalCrossentropy", "CategoricalFocalCrossentropy",
           "binary_focal_crossentropy", "categorical_focal_crossentropy"]  # fmt: skip
