"""Keras' counting and score metrics: confusion counts (``TruePositives``...), the F-scores
(``F1Score``, ``FBetaScore``) and the coefficient of determination (``R2Score``).

All accumulate on the predictions' device and read back only in ``result()``.

* F_β = (1 + β²) · P · R / (β² P + R + ε), per class (precision P = tp / (tp + fp + ε),
  recall R = tp / (tp + fn + ε)); ``average``: None (one per class), ``"micro"`` (counts
  pooled over classes), ``"macro"`` (the mean over classes), ``"weighted"`` (weighted by
  each class's true count). Predictions count as positive where they are the row's
  maximum (``threshold=None``) or above ``threshold``.
* R² = 1 - Σ (y - p)² / Σ (y - ȳ)², per output column; ``class_aggregation``:
  ``"uniform_average"`` (the mean over columns), ``"variance_weighted_average"``, or None.
  A column whose targets do not vary scores 0, as in Keras.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

import autograd
import backends
from autograd import Tensor

from . import EPSILON, Metric, _Confusion, _raw, _raw_on


class TruePositives(_Confusion):
    """The number of samples predicted positive (``y_pred > thresholds``) that are."""

    def result(self) -> Tensor:
        return self._count(self._tp)


class FalsePositives(_Confusion):
    """The number of samples predicted positive that are not."""

    def result(self) -> Tensor:
        return self._count(self._fp)


class TrueNegatives(_Confusion):
    """The number of samples predicted negative that are."""

    def result(self) -> Tensor:
        return self._count(self._tn)


class FalseNegatives(_Confusion):
    """The number of samples predicted negative that are not."""

    def result(self) -> Tensor:
        return self._count(self._fn)


def _float_pair(y_true: Any, y_pred: Any, dtype: Any) -> tuple[Any, Any]:
    """(y_true, y_pred) as arrays of one float dtype on y_pred's device."""
    p = _raw(y_pred)
    t = _raw_on(y_true, p)
    dtype = np.dtype(dtype or autograd.get_default_dtype())
    return t.astype(dtype, copy=False), p.astype(dtype, copy=False)


class FBetaScore(Metric):
    """F_β score of a multi-label or one-hot multi-class classifier (see the module doc)."""

    _state_in_reset_state = True

    def __init__(self, average: str | None = None, beta: float = 1.0,
                 threshold: float | None = None, name: str = "fbeta_score",
                 dtype: Any = None) -> None:  # fmt: skip
        if average not in (None, "micro", "macro", "weighted"):
            raise ValueError(f"average must be None, 'micro', 'macro' or 'weighted', got "
                             f"{average!r}")  # fmt: skip
        if not isinstance(beta, float) or beta <= 0.0:
            raise ValueError(f"beta must be a float > 0, got {beta!r}")
        if threshold is not None and (not isinstance(threshold, float) or
                                      not 0.0 < threshold <= 1.0):  # fmt: skip
            raise ValueError(f"threshold must be a float in (0, 1], got {threshold!r}")
        self.average, self.beta, self.threshold = average, beta, threshold
        super().__init__(name=name, dtype=dtype)

    def reset_state(self) -> None:
        # tp, fp, fn and the true count, per class (pooled for "micro")
        self._sums: Any = None

    def update_state(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> None:
        """Add a batch's counts; ``sample_weight`` (one weight per sample, shape (batch,))
        weighs each sample's counts, as Keras does."""
        t, p = _float_pair(y_true, y_pred, self.dtype)
        if p.ndim != 2 or t.shape != p.shape:
            raise ValueError(f"{type(self).__name__} wants y_true and y_pred of one shape "
                             f"(batch, classes) (one-hot targets); got {t.shape} and "
                             f"{p.shape}")  # fmt: skip
        w = _sample_weights(self, sample_weight, p)
        xp = backends.get_array_module(p)
        if self.threshold is None:
            positive = (p >= p.max(axis=-1, keepdims=True)) & (xp.abs(p) > 1e-9)
        else:
            positive = p > self.threshold
        positive = positive.astype(p.dtype)
        axis = None if self.average == "micro" else 0
        weighed = (lambda v: v) if w is None else (lambda v: v * w[:, None])
        sums = xp.stack([
            weighed(positive * t).sum(axis=axis), weighed(positive * (1 - t)).sum(axis=axis),
            weighed((1 - positive) * t).sum(axis=axis), weighed(t).sum(axis=axis),
        ])  # fmt: skip
        self._sums = sums if self._sums is None else self._sums + sums

    def result(self) -> Tensor:
        if self._sums is None:
            return autograd.from_array(np.zeros((), autograd.get_default_dtype()))
        tp, fp, fn, support = self._sums
        xp = backends.get_array_module(tp)
        precision = tp / (tp + fp + EPSILON)
        recall = tp / (tp + fn + EPSILON)
        b2 = self.beta**2
        score = (1 + b2) * precision * recall / (b2 * precision + recall + EPSILON)
        if self.average == "weighted":
            score = (score * support / (support.sum() + EPSILON)).sum()
        elif self.average is not None:
            score = xp.mean(score)
        return autograd.from_array(score)

    def get_config(self) -> dict[str, Any]:
        return {"name": self.name, "average": self.average, "beta": self.beta,
                "threshold": self.threshold}  # fmt: skip


class F1Score(FBetaScore):
    """F₁ = 2 P R / (P + R): the F_β score with β = 1 (see the module doc)."""

    def __init__(self, average: str | None = None, threshold: float | None = None,
                 name: str = "f1_score", dtype: Any = None) -> None:  # fmt: skip
        super().__init__(average=average, beta=1.0, threshold=threshold, name=name,
                         dtype=dtype)  # fmt: skip

    def get_config(self) -> dict[str, Any]:
        config = super().get_config()
        del config["beta"]
        return config


class R2Score(Metric):
    """The coefficient of determination R² of a regression (see the module doc);
    ``num_regressors`` k > 0 gives the adjusted R²: 1 - (1 - R²)(n - 1)/(n - k - 1)."""

    _state_in_reset_state = True

    def __init__(self, class_aggregation: str | None = "uniform_average",
                 num_regressors: int = 0, name: str = "r2_score",
                 dtype: Any = None) -> None:  # fmt: skip
        if class_aggregation not in (None, "uniform_average", "variance_weighted_average"):
            raise ValueError("class_aggregation must be None, 'uniform_average' or "
                             f"'variance_weighted_average', got {class_aggregation!r}")  # fmt: skip
        if num_regressors < 0:
            raise ValueError(f"num_regressors must be >= 0, got {num_regressors!r}")
        self.class_aggregation = class_aggregation
        self.num_regressors = num_regressors
        super().__init__(name=name, dtype=dtype)

    def reset_state(self) -> None:
        # Σ w y, Σ w y², Σ w (y - p)², Σ w per column (w = 1 without sample weights)
        self._sums: Any = None
        self._entries = 0  # all entries seen (Keras' n of the adjusted score)

    def update_state(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> None:
        """Add a batch's sums; ``sample_weight`` (per sample, (batch,), or broadcastable
        to the targets' shape) weighs each entry, as Keras does."""
        t, p = _float_pair(y_true, y_pred, self.dtype)
        if t.ndim == 1 and p.ndim == 2 and p.shape[1] == 1:
            t = t.reshape(-1, 1)  # (N,) targets of (N, 1) predictions, as Keras
        if p.ndim != 2 or t.shape != p.shape:
            raise ValueError(f"R2Score wants (batch, outputs) targets and predictions of one "
                             f"shape; got {t.shape} and {p.shape}")  # fmt: skip
        xp = backends.get_array_module(p)
        if sample_weight is None:
            w = xp.ones_like(t)
        else:
            w = _raw_on(sample_weight, p).astype(p.dtype, copy=False)
            w = w.reshape(-1, 1) if w.ndim == 1 else w
            try:
                w = xp.broadcast_to(w, t.shape)
            except ValueError:
                raise ValueError(f"R2Score: sample_weight of shape {w.shape} does not "
                                 f"broadcast to the targets' {t.shape}") from None
        sums = xp.stack([(w * t).sum(axis=0), (w * t * t).sum(axis=0),
                         (w * (t - p) ** 2).sum(axis=0), w.sum(axis=0)])  # fmt: skip
        self._sums = sums if self._sums is None else self._sums + sums
        self._entries += t.size

    def result(self) -> Tensor:
        if self._sums is None:
            return autograd.from_array(np.zeros((), autograd.get_default_dtype()))
        total_y, total_y2, residual, count = self._sums
        xp = backends.get_array_module(total_y)
        variation = total_y2 - total_y * (total_y / count)
        with np.errstate(divide="ignore", invalid="ignore"):
            raw = 1 - residual / variation
        raw = xp.where(xp.isinf(raw), 0.0, raw).astype(total_y.dtype)
        if self.class_aggregation == "uniform_average":
            score = xp.mean(raw)
        elif self.class_aggregation == "variance_weighted_average":
            score = (variation * raw).sum() / variation.sum()
        else:
            score = raw
        k, n = self.num_regressors, self._entries
        if k and k >= n - 1:
            warnings.warn("R2Score: as many regressors as samples or more; the plain R² is "
                          "given instead of the adjusted one", stacklevel=2)  # fmt: skip
        elif k:
            score = 1 - (1 - score) * (n - 1) / (n - k - 1)
        return autograd.from_array(xp.asarray(score, dtype=total_y.dtype))

    def get_config(self) -> dict[str, Any]:
        return {"name": self.name, "class_aggregation": self.class_aggregation,
                "num_regressors": self.num_regressors}  # fmt: skip


def _sample_weights(metric: Metric, sample_weight: Any, like: Any) -> Any:
    """One weight per sample as a (batch,) array of ``like``'s dtype on its device (None
    for none); other shapes are refused by name (Keras broadcasts them into nonsense)."""
    if sample_weight is None:
        return None
    w = _raw_on(sample_weight, like).astype(like.dtype, copy=False)
    if w.ndim == 2 and w.shape[1] == 1:
        w = w.reshape(-1)
    if w.shape != (like.shape[0],):
        raise ValueError(f"{type(metric).__name__}: sample_weight must hold one weight per "
                         f"sample, shape ({like.shape[0]},); got {tuple(w.shape)}")  # fmt: skip
    return w
