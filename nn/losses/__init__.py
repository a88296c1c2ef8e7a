"""Loss functions, in Keras and PyTorch spellings over one implementation.

CALL CONVENTIONS (the one thing that differs between the dialects):

* Keras functions and classes take ``(y_true, y_pred)``:
  ``sparse_categorical_crossentropy(y_true, y_pred)``,
  ``SparseCategoricalCrossentropy()(y_true, y_pred)``.
* PyTorch classes take ``(input, target)`` = ``(y_pred, y_true)``:
  ``CrossEntropyLoss()(logits, labels)``, ``MSELoss()(pred, target)``.
* ``nn.losses.get(identifier)`` -- what ``compile(loss=...)`` uses -- ALWAYS returns a
  callable with the Keras order ``loss(y_true, y_pred)``: strings resolve to Keras
  classes, PyTorch loss objects are wrapped so their arguments are swapped, and plain
  functions are taken to be Keras-style ``fn(y_true, y_pred)``.

Formulas (N samples, C classes, mean over samples unless ``reduction`` says otherwise):

* categorical cross-entropy:  L = -1/N Σ_i Σ_c t_ic · log p_ic
* from logits z (fused, stable for |z| ~ 1e4): L = 1/N Σ_i [logsumexp(z_i) - Σ_c t_ic z_ic],
  dL/dz = (softmax(z) - t) / N   (one Function: ``SoftmaxCrossEntropy``)
* sparse: t is one-hot of the integer labels.  Probabilities are clipped to [ε, 1 - ε],
  ε = 1e-7 (Keras) -- except when they come straight from a softmax (e.g.
  ``Dense(10, activation="softmax")``): then, as in Keras 3, the softmax's logits go
  through the fused path (exact, stable, never clipped), in training and in evaluation
  alike (``fit``'s loss, ``evaluate`` and ``val_loss`` are one formula).
* binary cross-entropy: L = -mean[y·log p + (1 - y)·log(1 - p)], p clipped to [ε, 1 - ε];
  from logits x: mean[softplus(x) - x·y] (stable: no exp overflow, no log(0)).
* MSE: mean (y - ŷ)²;  MAE: mean |y - ŷ|;
  Huber(δ=1): mean of ½e² where |e| ≤ δ, else δ(|e| - ½δ).
* MAPE, MSLE, KL divergence, Poisson, log-cosh, the hinges and cosine similarity: see
  ``keras_other`` (Keras' formulas, one value per sample from the functions).
* NLLLoss (PyTorch): -1/N Σ_i input[i, target_i] (input = log-probabilities).

``reduction``: ``"mean"`` (default; Keras' "sum_over_batch_size"/"auto" too), ``"sum"``,
``"none"``.  For "sum"/"none" Keras classes work per sample (elementwise losses averaged
over the last axis first), PyTorch classes per element, as in each library.

Integer labels out of range raise an IndexError naming the label and the class count;
float labels must be whole numbers (3.0 is class 3; 3.7 and NaN are ValueErrors).
The check runs when labels are on the host (NumPy, lists, CPU tensors); GPU-resident
labels are not checked, to avoid a device-to-host sync in the training step.

The files: ``keras.py`` (Keras' functions and classes), ``pytorch.py`` (PyTorch's classes),
``base.py`` (what they share: reductions, label checks, the fused softmax cross-entropy,
the :class:`Loss` base); this one resolves ``compile(loss=...)`` (:func:`get`).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from autograd import Tensor, mean

from .base import (
    EPSILON,
    Loss,
    SoftmaxCrossEntropy,
    check_integer_labels,
    float_targets,
    softmax_cross_entropy,
    squeeze_or_expand,
    weighted_reduce,
)
from .focal import (
    BinaryFocalCrossentropy,
    CategoricalFocalCrossentropy,
    binary_focal_crossentropy,
    categorical_focal_crossentropy,
)
from .keras import (
    MAE,
    MSE,
    BinaryCrossentropy,
    CategoricalCrossentropy,
    Huber,
    MeanAbsoluteError,
    MeanSquaredError,
    SparseCategoricalCrossentropy,
    binary_crossentropy,
    categorical_crossentropy,
    huber,
    mae,
    mean_absolute_error,
    mean_squared_error,
    mse,
    remember_softmax_logits,
    sparse_categorical_crossentropy,
)
from .keras_other import (
    KLD,
    MAPE,
    MSLE,
    CategoricalHinge,
    CosineSimilarity,
    Hinge,
    KLDivergence,
    LogCosh,
    MeanAbsolutePercentageError,
    MeanSquaredLogarithmicError,
    Poisson,
    SquaredHinge,
    categorical_hinge,
    cosine_similarity,
    hinge,
    kl_divergence,
    kld,
    kullback_leibler_divergence,
    log_cosh,
    logcosh,
    mape,
    mean_absolute_percentage_error,
    mean_squared_logarithmic_error,
    msle,
    poisson,
    squared_hinge,
)
from .pytorch import (
    BCELoss,
    BCEWithLogitsLoss,
    CrossEntropyLoss,
    HuberLoss,
    KLDivLoss,
    L1Loss,
    MSELoss,
    NLLLoss,
    SmoothL1Loss,
)

# ---------------------------------------------------------------- resolver
_NAMES: dict[str, Callable[[], Loss]] = {
    "sparse_categorical_crossentropy": SparseCategoricalCrossentropy,
    "categorical_crossentropy": CategoricalCrossentropy,
    "binary_crossentropy": BinaryCrossentropy,
    "mse": MeanSquaredError,
    "mean_squared_error": MeanSquaredError,
    "mae": MeanAbsoluteError,
    "mean_absolute_error": MeanAbsoluteError,
    "huber": Huber,
    "huber_loss": Huber,
    "mape": MeanAbsolutePercentageError,
    "mean_absolute_percentage_error": MeanAbsolutePercentageError,
    "msle": MeanSquaredLogarithmicError,
    "mean_squared_logarithmic_error": MeanSquaredLogarithmicError,
    "kld": KLDivergence,
    "kl_divergence": KLDivergence,
    "kullback_leibler_divergence": KLDivergence,
    "poisson": Poisson,
    "log_cosh": LogCosh,
    "logcosh": LogCosh,
    "hinge": Hinge,
    "squared_hinge": SquaredHinge,
    "categorical_hinge": CategoricalHinge,
    "cosine_similarity": CosineSimilarity,
    "binary_focal_crossentropy": BinaryFocalCrossentropy,
    "categorical_focal_crossentropy": CategoricalFocalCrossentropy,
    "cross_entropy": CrossEntropyLoss,
    "nll": NLLLoss,
}


class KerasConvention:
    """Wraps a PyTorch-style loss so it is called ``(y_true, y_pred)``."""

    def __init__(self, loss: Loss) -> None:
        self.loss = loss
        self.name = loss.name

    def __call__(self, y_true: Any, y_pred: Tensor, sample_weight: Any = None) -> Tensor:
        return self.loss.keras_call(y_true, y_pred, sample_weight)

    def __repr__(self) -> str:
        return f"KerasConvention({self.loss!r})"


def known_names() -> list[str]:
    return sorted(_NAMES)


def get(identifier: Any) -> Callable[[Any, Tensor], Tensor]:
    """Resolve ``compile(loss=...)``: the result is ALWAYS called ``loss(y_true, y_pred)``.

    * a Keras name (``"sparse_categorical_crossentropy"``, ``"mse"``, ...) -> a Keras class
      instance (probabilities expected, as in Keras; use the class with
      ``from_logits=True`` for logits);
    * a Keras-convention Loss -> itself; a PyTorch-convention Loss (``CrossEntropyLoss()``)
      -> wrapped so it takes (y_true, y_pred);
    * any other callable -> itself, assumed to be ``fn(y_true, y_pred)`` like Keras, its
      values averaged when it returns one per sample (Keras' "sum_over_batch_size").
    """
    if isinstance(identifier, str):
        key = identifier.lower()
        if key not in _NAMES:
            raise ValueError(f"unknown loss {identifier!r}; known: {', '.join(known_names())}")
        loss = _NAMES[key]()
        return loss if loss.convention == "keras" else KerasConvention(loss)
    if isinstance(identifier, Loss):
        return identifier if identifier.convention == "keras" else KerasConvention(identifier)
    if isinstance(identifier, type) and issubclass(identifier, Loss):
        return get(identifier())
    if callable(identifier):
        return _averaged(identifier)
    raise TypeError(f"cannot interpret {identifier!r} as a loss")


def _averaged(fn: Callable[[Any, Tensor], Any]) -> Callable[[Any, Tensor], Tensor]:
    """A loss function as ``compile`` uses it: its values averaged over everything it
    returns, as Keras' "sum_over_batch_size" does. Keras' own functions
    (``keras.losses.mean_squared_error``) and the usual custom ones return one value per
    sample (or per element); training needs the one number."""

    @functools.wraps(fn)
    def loss(y_true: Any, y_pred: Tensor, sample_weight: Any = None) -> Tensor:
        if isinstance(y_pred, Tensor):  # as Keras: targets of the predictions' dtype and rank
            y_true, y_pred = squeeze_or_expand(float_targets(y_true, y_pred), y_pred)
        value = fn(y_true, y_pred)
        if sample_weight is not None and isinstance(value, Tensor):
            return weighted_reduce(value, sample_weight, "mean")
        if isinstance(value, Tensor) and value.ndim:
            return mean(value)
        return value

    return loss


__all__ = [
    "EPSILON", "Loss", "SoftmaxCrossEntropy", "check_integer_labels", "softmax_cross_entropy",
    # Keras: (y_true, y_pred)
    "BinaryCrossentropy", "CategoricalCrossentropy", "Huber", "MAE", "MSE", "MeanAbsoluteError",
    "MeanSquaredError", "SparseCategoricalCrossentropy", "binary_crossentropy",
    "categorical_crossentropy", "huber", "mae", "mean_absolute_error", "mean_squared_error",
    "mse", "remember_softmax_logits", "sparse_categorical_crossentropy",
    "KLD", "MAPE", "MSLE", "CategoricalHinge", "CosineSimilarity", "Hinge", "KLDivergence",
    "LogCosh", "MeanAbsolutePercentageError", "MeanSquaredLogarithmicError", "Poisson",
    "SquaredHinge", "categorical_hinge", "cosine_similarity", "hinge", "kl_divergence", "kld",
    "kullback_leibler_divergence", "log_cosh", "logcosh", "mape",
    "mean_absolute_percentage_error", "mean_squared_logarithmic_error", "msle", "poisson",
    "squared_hinge", "BinaryFocalCrossentropy", "CategoricalFocalCrossentropy",
    "binary_focal_crossentropy", "categorical_focal_crossentropy",
    # PyTorch: (input, target)
    "BCELoss", "BCEWithLogitsLoss", "CrossEntropyLoss", "HuberLoss", "KLDivLoss", "L1Loss",
    "MSELoss", "NLLLoss", "SmoothL1Loss",
    # compile(loss=...)
    "KerasConvention", "get", "known_names",
]  # fmt: skip
