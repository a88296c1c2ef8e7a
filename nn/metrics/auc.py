"""Keras' ``AUC``: the area under the ROC (or precision-recall) curve of a binary
classifier, approximated over a fixed grid of thresholds, as Keras does.

Thresholds θ_0 < ... < θ_{T-1}: -ε, 1/(T-1), ..., (T-2)/(T-1), 1 + ε (T = 200 by
default). For each, the confusion counts of "positive where p > θ_j" are accumulated over
all batches; then, with recall (true-positive rate) R_j = tp_j / (tp_j + fn_j),
false-positive rate F_j = fp_j / (fp_j + tn_j) and precision P_j = tp_j / (tp_j + fp_j):

* ROC: Σ_j (F_j - F_{j+1}) · h_j, where h_j = (R_j + R_{j+1})/2 (``"interpolation"``: the
  trapezoids), min(R_j, R_{j+1}) (``"minoring"``) or the max (``"majoring"``);
* PR with ``"interpolation"``: Davis & Goadrich's interpolation of precision between the
  thresholds (Keras' ``interpolate_pr_auc``); with the others, Σ_j (R_j - R_{j+1}) · h_j
  over precision.

Counting is one ``searchsorted`` and two ``bincount`` per batch on the predictions'
device: the index of the first threshold at or above each prediction says how many
thresholds it exceeds.
"""

from __future__ import annotations

from typing import Any

import numpy as np

import autograd
import backends
from autograd import Tensor

from . import EPSILON, Metric, _raw, _raw_on


def _divide_no_nan(xp: Any, a: Any, b: Any) -> Any:
    safe = xp.where(b == 0, 1, b)
    return xp.where(b == 0, 0, a / safe)


class AUC(Metric):
    """Area under the ROC or PR curve (see the module doc); ``from_logits=True`` applies a
    sigmoid first. Targets are 0/1 (or bools) of any shape matching the predictions."""

    _state_in_reset_state = True

    def __init__(self, num_thresholds: int = 200, curve: str = "ROC",
                 summation_method: str = "interpolation", name: str | None = None,
                 dtype: Any = None, thresholds: Any = None, multi_label: bool = False,
                 num_labels: int | None = None, label_weights: Any = None,
                 from_logits: bool = False) -> None:  # fmt: skip
        if str(curve).upper() not in ("ROC", "PR"):
            raise ValueError(f"curve must be 'ROC' or 'PR', got {curve!r}")
        if summation_method not in ("interpolation", "minoring", "majoring"):
            raise ValueError("summation_method must be 'interpolation', 'minoring' or "
                             f"'majoring', got {summation_method!r}")  # fmt: skip
        if multi_label or num_labels is not None or label_weights is not None:
            raise NotImplementedError("AUC: multi_label, num_labels and label_weights are not "
                                      "supported here (one curve over all entries)")  # fmt: skip
        if thresholds is not None:
            inner = sorted(float(t) for t in thresholds)
        else:
            if num_thresholds <= 1:
                raise ValueError(f"num_thresholds must be > 1, got {num_thresholds!r}")
            inner = [(i + 1) / (num_thresholds - 1) for i in range(num_thresholds - 2)]
        self.num_thresholds = len(inner) + 2
        self._thresholds = np.array([0.0 - EPSILON, *inner, 1.0 + EPSILON])
        self.curve = str(curve).upper()
        self.summation_method = summation_method
        self.from_logits = from_logits
        self._init_thresholds = thresholds is not None
        super().__init__(name=name, dtype=dtype)

    @property
    def thresholds(self) -> list[float]:
        return self._thresholds.tolist()

    def reset_state(self) -> None:
        self._counts: Any = None  # tp, fp, tn, fn per threshold, on the predictions' device

    def update_state(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> None:
        """Add a batch's confusion counts at every threshold; ``sample_weight`` (per sample,
        or broadcastable to the predictions' shape) weighs each prediction's count, as
        Keras does."""
        p = _raw(y_pred)
        t = _raw_on(y_true, p)
        xp = backends.backend_of(p).xp
        if int(np.prod(p.shape)) != int(np.prod(t.shape)):
            raise ValueError(f"AUC: {t.size} targets for {p.size} predictions")
        w = None
        if sample_weight is not None:
            w = _raw_on(sample_weight, p).astype(np.float64)
            if w.ndim == 1 and p.ndim == 2:
                w = w.reshape(-1, 1)
            try:
                w = xp.broadcast_to(w, p.shape).reshape(-1)
            except ValueError:
                raise ValueError(f"AUC: sample_weight of shape {tuple(w.shape)} does not "
                                 f"broadcast to the predictions' {tuple(p.shape)}") from None
        p = p.reshape(-1)
        if p.dtype.kind != "f":
            p = p.astype(autograd.get_default_dtype())
        if self.from_logits:
            p = 1.0 / (1.0 + xp.exp(-p))
        positive = t.reshape(-1).astype(bool)
        thresholds = xp.asarray(self._thresholds, dtype=p.dtype)  # compared as Keras: p's dtype
        # exceeded[i] = how many thresholds p_i is above (p > θ): tp_j counts positives with
        # exceeded > j, a suffix sum of their histogram
        exceeded = xp.searchsorted(thresholds, p, side="left")
        n = self.num_thresholds + 1
        weights = xp.ones(p.shape, np.float64) if w is None else w
        pos = xp.bincount(exceeded, weights=positive * weights, minlength=n)
        every = xp.bincount(exceeded, weights=weights, minlength=n)
        above_pos = xp.cumsum(pos[::-1])[::-1][1:]
        above_all = xp.cumsum(every[::-1])[::-1][1:]
        tp, fp = above_pos, above_all - above_pos
        fn = pos.sum() - tp
        tn = (every.sum() - pos.sum()) - fp
        counts = xp.stack([tp, fp, tn, fn])
        self._counts = counts if self._counts is None else self._counts + counts

    def result(self) -> Tensor:
        dtype = np.dtype(self.dtype or autograd.get_default_dtype())
        if self._counts is None:
            return autograd.from_array(np.zeros((), dtype))
        tp, fp, tn, fn = self._counts
        xp = backends.get_array_module(tp)
        if self.curve == "PR" and self.summation_method == "interpolation":
            area = self._interpolated_pr(xp, tp, fp, fn)
        else:
            recall = _divide_no_nan(xp, tp, tp + fn)
            if self.curve == "ROC":
                x, y = _divide_no_nan(xp, fp, fp + tn), recall
            else:
                x, y = recall, _divide_no_nan(xp, tp, tp + fp)
            if self.summation_method == "interpolation":
                heights = (y[:-1] + y[1:]) / 2
            elif self.summation_method == "minoring":
                heights = xp.minimum(y[:-1], y[1:])
            else:
                heights = xp.maximum(y[:-1], y[1:])
            area = ((x[:-1] - x[1:]) * heights).sum()
        return autograd.from_array(xp.asarray(area, dtype=dtype))

    @staticmethod
    def _interpolated_pr(xp: Any, tp: Any, fp: Any, fn: Any) -> Any:
        """Davis & Goadrich (2006): precision interpolated between the thresholds, where
        tp grows linearly with the number predicted positive."""
        dtp = tp[:-1] - tp[1:]
        predicted = tp + fp
        dp = predicted[:-1] - predicted[1:]
        slope = _divide_no_nan(xp, dtp, xp.maximum(dp, 0))
        intercept = tp[1:] - slope * predicted[1:]
        both = (predicted[:-1] > 0) & (predicted[1:] > 0)
        ratio = xp.where(both, _divide_no_nan(xp, predicted[:-1], xp.maximum(predicted[1:], 0)),
                         1.0)  # fmt: skip
        increments = _divide_no_nan(xp, slope * (dtp + intercept * xp.log(ratio)),
                                    xp.maximum(tp[1:] + fn[1:], 0))  # fmt: skip
        return increments.sum()

    def get_config(self) -> dict[str, Any]:
        config: dict[str, Any] = {"name": self.name, "num_thresholds": self.num_thresholds,
                                  "curve": self.curve,
                                  "summation_method": self.summation_method,
                                  "from_logits": self.from_logits}  # fmt: skip
        if self._init_thresholds:
            config["thresholds"] = self.thresholds[1:-1]
        return config
