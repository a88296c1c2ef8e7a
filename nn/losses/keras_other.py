"""Keras' other losses: percentage and logarithmic errors, distributions, margins.

Each is a function ``f(y_true, y_pred)`` giving one value per sample (as Keras' functions)
and a class with Keras' ``reduction``/``name`` (the batch mean by default). ε = 1e-7
(Keras' ``backend.epsilon()``); y = y_true, p = y_pred, means and sums over the last axis:

* MAPE:   100 · mean |y - p| / max(|y|, ε)
* MSLE:   mean (log(1 + max(p, ε)) - log(1 + max(y, ε)))²
* KLD:    Σ y' log(y' / p'), with y' and p' clipped to [ε, 1]
* Poisson: mean p - y log(p + ε)
* log-cosh: mean log cosh(p - y), computed as x + softplus(-2x) - log 2 (no overflow)
* hinge:  mean max(1 - y p, 0); squared hinge: mean max(1 - y p, 0)²; labels that are
  all 0 or 1 are taken as -1/1 first (as Keras does)
* categorical hinge: max(max((1 - y) p) - Σ y p + 1, 0)
* cosine similarity: -Σ ŷ p̂, where x̂ = x · min(1/‖x‖, 1/ε) (the loss is minus the
  cosine, so minimising it aligns p with y; Keras' metric of that name is the cosine)

They are compositions of autograd ops, so their gradients are those ops' gradients.
"""

from __future__ import annotations

import math
from typing import Any

import autograd
import backends
from autograd import Tensor, from_array

from .base import EPSILON, _as_tensor, _match_shape, _predictions, _reduce, _reduction
from .keras import _keras_reduce, _KerasLoss


def _targets(y_true: Any, y_pred: Any, who: str) -> tuple[Tensor, Tensor]:
    """(y_true, y_pred) as tensors of one shape on y_pred's device and float dtype."""
    p = _predictions(y_pred, who)
    y = _as_tensor(y_true, p)
    if y.dtype != p.dtype:  # integer or bool targets: Keras casts them to y_pred's dtype
        y = y.astype(p.dtype)
    return _match_shape(y, p), p


def _summed(values: Tensor, reduction: str) -> Tensor:
    """The value of a sample is the sum over the last axis; then the batch reduction."""
    per_sample = autograd.sum(values, axis=-1) if values.ndim else values
    return _reduce(per_sample, _reduction(reduction))


def mean_absolute_percentage_error(y_true: Any, y_pred: Any, *,
                                   reduction: str = "none") -> Tensor:  # fmt: skip
    """100 · |y - p| / max(|y|, ε), averaged over the last axis (one value per sample)."""
    y, p = _targets(y_true, y_pred, "mean_absolute_percentage_error")
    scale = autograd.maximum(autograd.abs(y), EPSILON)
    return _keras_reduce(100.0 * autograd.abs((y - p) / scale), _reduction(reduction))


def mean_squared_logarithmic_error(y_true: Any, y_pred: Any, *,
                                   reduction: str = "none") -> Tensor:  # fmt: skip
    """(log(1 + max(p, ε)) - log(1 + max(y, ε)))², averaged over the last axis."""
    y, p = _targets(y_true, y_pred, "mean_squared_logarithmic_error")
    e = autograd.log1p(autograd.maximum(p, EPSILON)) - autograd.log1p(autograd.maximum(y, EPSILON))
    return _keras_reduce(e * e, _reduction(reduction))


def kl_divergence(y_true: Any, y_pred: Any, *, reduction: str = "none") -> Tensor:
    """Σ y log(y / p) over the last axis, y and p clipped to [ε, 1] (one value per sample)."""
    y, p = _targets(y_true, y_pred, "kl_divergence")
    y = autograd.clip(y, EPSILON, 1.0)
    return _summed(y * autograd.log(y / autograd.clip(p, EPSILON, 1.0)), reduction)


def poisson(y_true: Any, y_pred: Any, *, reduction: str = "none") -> Tensor:
    """p - y log(p + ε), averaged over the last axis (p: the predicted rate)."""
    y, p = _targets(y_true, y_pred, "poisson")
    return _keras_reduce(p - y * autograd.log(p + EPSILON), _reduction(reduction))


def log_cosh(y_true: Any, y_pred: Any, *, reduction: str = "none") -> Tensor:
    """log cosh(p - y) = x + softplus(-2x) - log 2 (x = p - y), averaged over the last axis:
    about x²/2 for small errors and |x| - log 2 for large ones."""
    y, p = _targets(y_true, y_pred, "log_cosh")
    x = p - y
    return _keras_reduce(x + autograd.softplus(-2.0 * x) - math.log(2.0), _reduction(reduction))


def _hinge_labels(y: Tensor) -> Tensor:
    """Labels that are all 0 or 1 as -1/1 (Keras' rule), others as they are. Decided on
    the device, without reading the labels back to the host."""
    a = y.array
    xp = backends.backend_of(a).xp
    binary = ((a == 0) | (a == 1)).all()
    return from_array(xp.where(binary, 2 * a - 1, a))


def _margins(y_true: Any, y_pred: Any, who: str) -> Tensor:
    y, p = _targets(y_true, y_pred, who)
    return autograd.relu(1.0 - _hinge_labels(y) * p)


def hinge(y_true: Any, y_pred: Any, *, reduction: str = "none") -> Tensor:
    """max(1 - y p, 0), averaged over the last axis; labels -1/1 (0/1 are converted)."""
    return _keras_reduce(_margins(y_true, y_pred, "hinge"), _reduction(reduction))


def squared_hinge(y_true: Any, y_pred: Any, *, reduction: str = "none") -> Tensor:
    """max(1 - y p, 0)², averaged over the last axis; labels -1/1 (0/1 are converted)."""
    m = _margins(y_true, y_pred, "squared_hinge")
    return _keras_reduce(m * m, _reduction(reduction))


def categorical_hinge(y_true: Any, y_pred: Any, *, reduction: str = "none") -> Tensor:
    """max(neg - pos + 1, 0) per sample: pos = Σ y p (the true class's score for one-hot y),
    neg = max (1 - y) p (the best other class's)."""
    y, p = _targets(y_true, y_pred, "categorical_hinge")
    pos = autograd.sum(y * p, axis=-1)
    neg = autograd.max((1.0 - y) * p, axis=-1)
    return _reduce(autograd.relu(neg - pos + 1.0), _reduction(reduction))


def _unit(x: Tensor) -> Tensor:
    """x · min(1/‖x‖, 1/ε) along the last axis (Keras' l2 normalisation: zero stays zero)."""
    inverse = autograd.rsqrt(autograd.sum(x * x, axis=-1, keepdims=True))
    return x * autograd.minimum(inverse, 1.0 / EPSILON)


def cosine_similarity(y_true: Any, y_pred: Any, axis: int = -1, *,
                      reduction: str = "none") -> Tensor:  # fmt: skip
    """-Σ ŷ p̂ over the last axis (minus the cosine of the angle between y and p)."""
    if axis != -1:
        raise NotImplementedError("cosine_similarity: only axis=-1 is supported here")
    y, p = _targets(y_true, y_pred, "cosine_similarity")
    return _summed(-(_unit(y) * _unit(p)), reduction)


mape = MAPE = mean_absolute_percentage_error
msle = MSLE = mean_squared_logarithmic_error
kld = KLD = kullback_leibler_divergence = kl_divergence
logcosh = log_cosh


# ---------------------------------------------------------------- classes
class _FunctionLoss(_KerasLoss):
    """A Keras loss class over one of the functions above (``function``)."""

    function: Any = None

    def compute(self, y_true: Any, y_pred: Tensor) -> Tensor:
        return type(self).function(y_true, y_pred, reduction=self.reduction)


class MeanAbsolutePercentageError(_FunctionLoss):
    """Keras MAPE: 100 · mean |y - p| / max(|y|, ε); ``loss(y_true, y_pred)``."""

    name = "mean_absolute_percentage_error"
    function = staticmethod(mean_absolute_percentage_error)


class MeanSquaredLogarithmicError(_FunctionLoss):
    """Keras MSLE: mean (log(1 + p) - log(1 + y))²; ``loss(y_true, y_pred)``."""

    name = "mean_squared_logarithmic_error"
    function = staticmethod(mean_squared_logarithmic_error)


class KLDivergence(_FunctionLoss):
    """Keras KL divergence: Σ y log(y / p) per sample; ``loss(y_true, y_pred)``."""

    name = "kl_divergence"
    function = staticmethod(kl_divergence)


class Poisson(_FunctionLoss):
    """Keras Poisson: mean p - y log(p + ε); ``loss(y_true, y_pred)``."""

    name = "poisson"
    function = staticmethod(poisson)


class LogCosh(_FunctionLoss):
    """Keras log-cosh: mean log cosh(p - y); ``loss(y_true, y_pred)``."""

    name = "log_cosh"
    function = staticmethod(log_cosh)


class Hinge(_FunctionLoss):
    """Keras hinge: mean max(1 - y p, 0), labels -1/1 or 0/1; ``loss(y_true, y_pred)``."""

    name = "hinge"
    function = staticmethod(hinge)


class SquaredHinge(_FunctionLoss):
    """Keras squared hinge: mean max(1 - y p, 0)²; ``loss(y_true, y_pred)``."""

    name = "squared_hinge"
    function = staticmethod(squared_hinge)


class CategoricalHinge(_FunctionLoss):
    """Keras categorical hinge on one-hot targets; ``loss(y_true, y_pred)``."""

    name = "categorical_hinge"
    function = staticmethod(categorical_hinge)


class CosineSimilarity(_FunctionLoss):
    """Keras cosine-similarity loss: minus the cosine per sample; ``loss(y_true, y_pred)``."""

    name = "cosine_similarity"
    function = staticmethod(cosine_similarity)

    def __init__(self, axis: int = -1, reduction: str = "mean", name: str | None = None,
                 dtype: Any = None) -> None:  # fmt: skip
        if axis != -1:
            raise NotImplementedError("CosineSimilarity: only axis=-1 is supported here")
        super().__init__(reduction, name, dtype)
