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
* NLLLoss (PyTorch): -1/N Σ_i input[i, target_i] (input = log-probabilities).

``reduction``: ``"mean"`` (default; Keras' "sum_over_batch_size"/"auto" too), ``"sum"``,
``"none"``.  For "sum"/"none" Keras classes work per sample (elementwise losses averaged
over the last axis first), PyTorch classes per element, as in each library.

Integer labels out of range raise an IndexError naming the label and the class count;
float labels must be whole numbers (3.0 is class 3; 3.7 and NaN are ValueErrors).
The check runs when labels are on the host (NumPy, lists, CPU tensors); GPU-resident
labels are not checked, to avoid a device-to-host sync in the training step.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable
from typing import Any

import numpy as np

import autograd
import backends
from autograd import Function, Tensor, from_array
from autograd._errors import describe, not_numbers
from autograd.ops.softmax import Softmax as _SoftmaxFunction

EPSILON = 1e-7
_REDUCTIONS = {
    "mean": "mean",
    "sum_over_batch_size": "mean",
    "auto": "mean",
    "sum": "sum",
    "none": "none",
    None: "none",
}


def _reduction(reduction: str | None) -> str:
    if reduction not in _REDUCTIONS:
        raise ValueError(f"reduction must be 'mean', 'sum' or 'none', got {reduction!r}")
    return _REDUCTIONS[reduction]


def _as_tensor(value: Any, like: Tensor) -> Tensor:
    """``value`` as a Tensor on ``like``'s device (targets given as NumPy arrays or lists).
    Floating targets take the predictions' dtype (Keras casts y_true to y_pred's dtype), so
    float64 targets do not turn a float32 loss and its backward pass into float64."""
    if isinstance(value, Tensor):
        if value.dtype != like.dtype and value.dtype.kind == "f":
            return value.astype(like.dtype)
        return value
    try:
        arr = np.asarray(value)
    except (ValueError, TypeError) as error:  # ragged lists
        raise not_numbers("loss targets (y_true)", value, error) from None
    if arr.dtype.kind not in "biuf":
        raise not_numbers("loss targets (y_true)", value)
    if arr.dtype.kind == "f":
        arr = arr.astype(like.dtype, copy=False)
    return from_array(backends.backend_of(like.data).from_host(arr))


def check_integer_labels(labels: Any, who: str = "class labels") -> None:
    """Refuse floating class labels that are not whole numbers (a host array; device arrays
    are checked once where ``fit``/``evaluate`` start, not per batch, to spare a sync).

    Keras and PyTorch take class indices; a float label of 3.0 is taken as class 3, but
    3.7 would be truncated to 3 and NaN cast to -9223372036854775808, so they are errors.

    Raises:
        ValueError: naming how many labels are bad, the first one and its index.
    """
    data = np.asarray(labels)
    if data.dtype.kind != "f" or data.size == 0:
        return
    finite = np.isfinite(data)
    bad = ~finite
    if not bad.any():
        bad = data != np.floor(data)
        if not bad.any():
            return
        what = "not whole numbers"
    else:
        what = "NaN or infinite"
    count = int(bad.sum())
    index = np.unravel_index(int(np.argmax(bad)), data.shape)
    where = ", ".join(str(int(i)) for i in index)
    raise ValueError(
        f"{who} must be whole numbers (integer class indices 0, 1, 2, ...), but {count} of "
        f"{data.size} "
        f"are {what}: the first is {data[index].item()!r} at index [{where}]"
    )



def _predictions(y_pred: Any, loss: str) -> Tensor:
    """``y_pred`` as a Tensor: numbers (lists, arrays) are taken as constants, as Keras
    does; anything else is a TypeError naming the loss."""
    if isinstance(y_pred, Tensor):
        return y_pred
    try:
        return Tensor(y_pred)
    except (TypeError, ValueError) as error:
        raise TypeError(
            f"{loss}: predictions (y_pred) must be a Tensor or numbers, got "
            f"{describe(y_pred)} ({error})"
        ) from None


def _labels_array(y_true: Any, logits: Tensor) -> Any:
    """Integer labels as an xp array on the logits' device, shaped like logits[..., 0];
    validated when they are on the host (whole numbers, in range)."""
    if logits.ndim == 0:
        raise ValueError(
            "predictions for class labels need a class axis (shape (C,) or (N, C)); got a "
            "0-d tensor"
        )
    num_classes = logits.shape[-1]
    if isinstance(y_true, Tensor):
        data = y_true.data
    else:
        try:
            data = np.asarray(y_true)
        except (ValueError, TypeError) as error:  # ragged lists
            raise not_numbers("class labels (y_true)", y_true, error) from None
    if data.dtype.kind == "f":
        if isinstance(data, np.ndarray):
            check_integer_labels(data)
        data = data.astype(np.int64)
    if data.dtype.kind not in "iu":
        raise TypeError(f"class labels must be integers, got dtype {data.dtype}")
    target_shape = tuple(logits.shape[:-1])
    if tuple(data.shape) != target_shape:
        if int(np.prod(data.shape)) == int(np.prod(target_shape)):
            data = data.reshape(target_shape)  # (N, 1) labels, as Keras allows
        else:
            raise ValueError(
                f"labels of shape {tuple(data.shape)} do not match predictions of "
                f"shape {tuple(logits.shape)} (expected labels {target_shape})"
            )
    if isinstance(data, np.ndarray) and data.size:
        lo, hi = int(data.min()), int(data.max())
        if lo < 0 or hi >= num_classes:
            bad = lo if lo < 0 else hi
            raise IndexError(
                f"label {bad} is out of range for {num_classes} classes "
                f"(labels must be in 0..{num_classes - 1})"
            )
    backend = backends.backend_of(logits.data)
    if isinstance(data, np.ndarray):
        return backend.from_host(data)
    if data.size:
        # Labels already on the device: checking them here would make the host wait for
        # the GPU every step. Record the check in a device flag (raised at the next
        # item()/numpy()/end of epoch) and clip, so no kernel reads outside the logits.
        backend.flag_error(
            ((data < 0) | (data >= num_classes)).any(),
            f"a label is out of range for {num_classes} classes "
            f"(labels must be in 0..{num_classes - 1})",
        )
        data = data.clip(0, num_classes - 1)
    return data


def _reduce(values: Tensor, reduction: str) -> Tensor:
    if reduction == "mean":
        return autograd.mean(values)
    if reduction == "sum":
        return autograd.sum(values)
    return values


# ---------------------------------------------------------------- fused softmax + CE
class SoftmaxCrossEntropy(Function):
    """Fused log-softmax + cross-entropy over the last axis of logits z.

    forward:  ℓ_i = logsumexp(z_i) - Σ_c t_ic z_ic   (t: one-hot of ``labels`` or the
              second input, a distribution), then mean/sum/none over samples.
    backward: dL/dz = (softmax(z) - t) · g / N for "mean" (g · for "sum", g_i for "none");
              dL/dt = -log_softmax(z) · g / N when t is an input that requires grad.

    The softmax computed in forward is reused in backward (no second exp pass); with
    ``create_graph=True`` it is recomputed with differentiable ops instead.
    """

    def __init__(self, reduction: str = "mean", labels: Any = None) -> None:
        self.reduction = reduction
        self.labels = labels

    def _onehot(self, like: Any) -> Any:
        xp = backends.get_array_module(like)
        return (xp.arange(like.shape[-1]) == self.labels[..., None]).astype(like.dtype)

    def forward(self, z: Any, t: Any = None) -> Any:
        xp = backends.get_array_module(z)
        shifted = z - z.max(axis=-1, keepdims=True)
        sumexp = xp.exp(shifted).sum(axis=-1, keepdims=True)
        log_p = shifted - xp.log(sumexp)
        self._probs = xp.exp(log_p)
        if t is None:
            picked = xp.take_along_axis(log_p, self.labels[..., None].astype(np.int64), axis=-1)
            per_sample = -picked[..., 0]
        else:
            self._log_p = log_p
            per_sample = -(t * log_p).sum(axis=-1)
        self._n = int(per_sample.size)
        if self.reduction == "mean":
            return per_sample.mean()
        if self.reduction == "sum":
            return per_sample.sum()
        return per_sample

    def _scale(self, gy: Tensor) -> Tensor:
        if self.reduction == "none":
            return autograd.expand_dims(gy, -1)
        if self.reduction == "mean":
            return gy / self._n
        return gy

    def backward(self, gy: Tensor) -> tuple[Tensor | None, ...] | Tensor:
        z = self.inputs[0]
        t = self.inputs[1] if len(self.inputs) > 1 else None
        differentiable = autograd.is_grad_enabled()
        if differentiable:
            p = autograd.softmax(z, axis=-1)
        else:
            p = from_array(self._probs)
        target = t if t is not None else from_array(self._onehot(self._probs))
        scale = self._scale(gy)
        gz = (p - target) * scale
        if t is None:
            return gz
        gt = None
        if t.requires_grad:
            log_p = autograd.log_softmax(z, axis=-1) if differentiable else from_array(self._log_p)
            gt = -log_p * scale
        return gz, gt


def softmax_cross_entropy(
    logits: Tensor, target: Any, sparse: bool, reduction: str = "mean"
) -> Tensor:
    """Cross-entropy of softmax(logits) against integer labels (``sparse``) or a
    distribution, via the fused :class:`SoftmaxCrossEntropy`."""
    logits = _predictions(logits, "softmax_cross_entropy")
    reduction = _reduction(reduction)
    if sparse:
        labels = _labels_array(target, logits)
        return SoftmaxCrossEntropy(reduction, labels)(logits)
    t = _as_tensor(target, logits)
    _check_same_shape(t, logits)
    return SoftmaxCrossEntropy(reduction)(logits, t)


def _check_same_shape(y_true: Tensor, y_pred: Tensor) -> None:
    if tuple(y_true.shape) != tuple(y_pred.shape):
        raise ValueError(
            f"targets of shape {tuple(y_true.shape)} do not match predictions of "
            f"shape {tuple(y_pred.shape)}"
        )


def _match_shape(y_true: Tensor, y_pred: Tensor) -> Tensor:
    """(N,) targets against (N, 1) predictions are reshaped, not broadcast to (N, N)."""
    if tuple(y_true.shape) == tuple(y_pred.shape):
        return y_true
    if int(np.prod(y_true.shape)) == int(np.prod(y_pred.shape)) and (
        y_pred.ndim == y_true.ndim + 1
        and y_pred.shape[-1] == 1
        or y_true.ndim == y_pred.ndim + 1
        and y_true.shape[-1] == 1
    ):
        return autograd.reshape(y_true, tuple(y_pred.shape))
    raise ValueError(
        f"targets of shape {tuple(y_true.shape)} do not match predictions of "
        f"shape {tuple(y_pred.shape)}"
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
        return softmax_cross_entropy(logits, y_true, sparse=True, reduction=reduction)
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


# ---------------------------------------------------------------- classes
class Loss:
    """Base of the loss classes.  ``convention`` says the argument order of ``__call__``:
    ``"keras"`` = (y_true, y_pred), ``"torch"`` = (input, target).  ``keras_call(y_true,
    y_pred)`` works on every loss whatever its convention."""

    convention = "keras"
    #: Keras-style name (``"sparse_categorical_crossentropy"``); compile/fit use it to pick
    #: the matching accuracy
    name = ""

    def __init__(self, reduction: str = "mean") -> None:
        self.reduction = _reduction(reduction)

    def __call__(self, a: Any, b: Any) -> Tensor:
        if self.convention == "keras":
            return self.compute(a, _predictions(b, type(self).__name__))
        return self.compute(b, _predictions(a, type(self).__name__))

    def compute(self, y_true: Any, y_pred: Tensor) -> Tensor:
        raise NotImplementedError

    def keras_call(self, y_true: Any, y_pred: Tensor) -> Tensor:
        return self.compute(y_true, _predictions(y_pred, type(self).__name__))

    def get_config(self) -> dict[str, Any]:
        return {"reduction": self.reduction}

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_config().items())
        return f"{type(self).__name__}({args})"


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
        if isinstance(y_true, Tensor):
            data = y_true.data
        else:
            try:
                data = np.asarray(y_true)
            except (ValueError, TypeError) as error:  # ragged lists
                raise not_numbers("CrossEntropyLoss targets", y_true, error) from None
        sparse = data.dtype.kind in "iu"
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
    "cross_entropy": CrossEntropyLoss,
    "nll": NLLLoss,
}


class KerasConvention:
    """Wraps a PyTorch-style loss so it is called ``(y_true, y_pred)``."""

    def __init__(self, loss: Loss) -> None:
        self.loss = loss
        self.name = loss.name

    def __call__(self, y_true: Any, y_pred: Tensor) -> Tensor:
        return self.loss.keras_call(y_true, y_pred)

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
    * any other callable -> itself, assumed to be ``fn(y_true, y_pred)`` like Keras.
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
        return identifier
    raise TypeError(f"cannot interpret {identifier!r} as a loss")
