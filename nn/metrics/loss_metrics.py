"""Keras' losses as streaming metrics: the mean of a loss's per-sample values over every
sample seen (``keras.metrics.Poisson``, ``keras.metrics.BinaryCrossentropy``...).

The functions are the losses' own (``nn.losses.keras_other`` and ``nn.losses.keras``);
``CosineSimilarity`` logs the cosine itself, where the loss of that name is minus it.
"""

from __future__ import annotations

from typing import Any

from autograd import Tensor

from ..losses import keras as _keras_losses
from ..losses import keras_other as _other_losses
from . import MeanMetricWrapper

# Keras' metric functions: the loss functions under the same names.
mean_absolute_percentage_error = _other_losses.mean_absolute_percentage_error
mean_squared_logarithmic_error = _other_losses.mean_squared_logarithmic_error
kl_divergence = _other_losses.kl_divergence
poisson = _other_losses.poisson
log_cosh = _other_losses.log_cosh
hinge = _other_losses.hinge
squared_hinge = _other_losses.squared_hinge
categorical_hinge = _other_losses.categorical_hinge


def _cosine(y_true: Any, y_pred: Any) -> Tensor:
    """The cosine of the angle between y_true and y_pred, per sample (last axis)."""
    return -_other_losses.cosine_similarity(y_true, y_pred)


class _LossMetric(MeanMetricWrapper):
    """The mean of ``function``'s per-sample values (``name=``, ``dtype=`` as Keras)."""

    function: Any = None
    default_name = ""

    def __init__(self, name: str | None = None, dtype: Any = None, **options: Any) -> None:
        super().__init__(type(self).function, name=name or self.default_name, dtype=dtype,
                         **options)  # fmt: skip

    def get_config(self) -> dict[str, Any]:
        return {"name": self.name, **self._fn_kwargs}


class MeanAbsolutePercentageError(_LossMetric):
    """mean 100 · |y - p| / max(|y|, ε) over the samples seen."""

    function = staticmethod(mean_absolute_percentage_error)
    default_name = "mean_absolute_percentage_error"


class MeanSquaredLogarithmicError(_LossMetric):
    """mean (log(1 + p) - log(1 + y))² over the samples seen."""

    function = staticmethod(mean_squared_logarithmic_error)
    default_name = "mean_squared_logarithmic_error"


class KLDivergence(_LossMetric):
    """mean over samples of Σ y log(y / p)."""

    function = staticmethod(kl_divergence)
    default_name = "kl_divergence"


class Poisson(_LossMetric):
    """mean p - y log(p + ε) over the samples seen."""

    function = staticmethod(poisson)
    default_name = "poisson"


class LogCoshError(_LossMetric):
    """mean log cosh(p - y) over the samples seen (Keras logs it as ``logcosh``)."""

    function = staticmethod(log_cosh)
    default_name = "logcosh"


class Hinge(_LossMetric):
    """mean max(1 - y p, 0) over the samples seen (labels -1/1, or 0/1 converted)."""

    function = staticmethod(hinge)
    default_name = "hinge"


class SquaredHinge(_LossMetric):
    """mean max(1 - y p, 0)² over the samples seen."""

    function = staticmethod(squared_hinge)
    default_name = "squared_hinge"


class CategoricalHinge(_LossMetric):
    """mean categorical hinge over the samples seen (one-hot targets)."""

    function = staticmethod(categorical_hinge)
    default_name = "categorical_hinge"


class CosineSimilarity(_LossMetric):
    """mean cosine of the angle between y_true and y_pred (1: same direction)."""

    function = staticmethod(_cosine)
    default_name = "cosine_similarity"

    def __init__(self, name: str | None = None, dtype: Any = None, axis: int = -1) -> None:
        if axis != -1:
            raise NotImplementedError("CosineSimilarity: only axis=-1 is supported here")
        super().__init__(name=name, dtype=dtype)


class BinaryCrossentropy(_LossMetric):
    """mean binary cross-entropy over the samples seen (``from_logits``, ``label_smoothing``)."""

    function = staticmethod(_keras_losses.binary_crossentropy)
    default_name = "binary_crossentropy"

    def __init__(self, name: str | None = None, dtype: Any = None, from_logits: bool = False,
                 label_smoothing: float = 0.0) -> None:  # fmt: skip
        super().__init__(name=name, dtype=dtype, from_logits=from_logits,
                         label_smoothing=label_smoothing)  # fmt: skip


class CategoricalCrossentropy(_LossMetric):
    """mean cross-entropy against one-hot targets over the samples seen."""

    function = staticmethod(_keras_losses.categorical_crossentropy)
    default_name = "categorical_crossentropy"

    def __init__(self, name: str | None = None, dtype: Any = None, from_logits: bool = False,
                 label_smoothing: float = 0.0, axis: int = -1) -> None:  # fmt: skip
        super().__init__(name=name, dtype=dtype, from_logits=from_logits,
                         label_smoothing=label_smoothing, axis=axis)  # fmt: skip


class SparseCategoricalCrossentropy(_LossMetric):
    """mean cross-entropy against integer labels over the samples seen."""

    function = staticmethod(_keras_losses.sparse_categorical_crossentropy)
    default_name = "sparse_categorical_crossentropy"

    def __init__(self, name: str | None = None, dtype: Any = None, from_logits: bool = False,
                 axis: int = -1) -> None:  # fmt: skip
        if axis != -1:
            raise NotImplementedError("SparseCategoricalCrossentropy: only axis=-1 here")
        super().__init__(name=name, dtype=dtype, from_logits=from_logits)
