"""What both spellings share: reductions, the checks of labels and shapes, the fused
softmax cross-entropy (one ``Function``, exact and stable from logits), and the base
class :class:`Loss`.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

import autograd
import backends
from autograd import Function, Tensor, from_array
from autograd._errors import describe, not_numbers
from autograd.ops.softmax import SOFTMAX_FROM_SUMS, SUM_EXP_SHIFTED
from backends.kernels import KernelSource, ReductionSource, float_kernel_backend

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
    return from_array(backends.backend_of(like.array).from_host(arr))


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


def _label_data(y_true: Any, who: str) -> Any:
    """The array behind targets: a Tensor's data, else NumPy's reading of them (ragged
    lists and the like raise a TypeError naming ``who``)."""
    if isinstance(y_true, Tensor):
        return y_true.array
    try:
        return np.asarray(y_true)
    except (ValueError, TypeError) as error:  # ragged lists
        raise not_numbers(who, y_true, error) from None


def _labels_array(y_true: Any, logits: Tensor) -> Any:
    """Integer labels as an xp array on the logits' device, shaped like logits[..., 0];
    validated when they are on the host (whole numbers, in range)."""
    if logits.ndim == 0:
        raise ValueError(
            "predictions for class labels need a class axis (shape (C,) or (N, C)); got a "
            "0-d tensor"
        )
    num_classes = logits.shape[-1]
    data = _label_data(y_true, "class labels (y_true)")
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
    backend = backends.backend_of(logits.array)
    if isinstance(data, np.ndarray):
        return backend.from_host(data)
    if data.size:
        # Labels already on the device: checking them here would make the host wait for
        # the GPU every step. Record the check in a device flag (raised at the next
        # item()/numpy()/end of epoch) and clip, so no kernel reads outside the logits.
        message = (f"a label is out of range for {num_classes} classes "
                   f"(labels must be in 0..{num_classes - 1})")
        if backend.compiles_kernels and data.dtype in _LABEL_DTYPES:  # clip and flag: 1 launch
            clipped = backend.xp.empty_like(data)
            bad = backend.error_flags(data.shape, message)  # or-ed into, read at the next sync
            _CLIP_LABELS.on(backend)(data, data.dtype.type(num_classes - 1), clipped, bad)
            return clipped
        backend.flag_error(((data < 0) | (data >= num_classes)).any(), message)
        data = data.clip(0, num_classes - 1)
    return data


_LABEL_DTYPES = frozenset({np.dtype(np.int32), np.dtype(np.int64)})
_CLIP_LABELS = KernelSource(
    "xpgrad_clip_labels", "L y, L top", "L c, bool bad",
    "c = y < (L)0 ? (L)0 : (y > top ? top : y);\nbad = bad || c != y;",
)


def squeeze_or_expand(x1: Any, x2: Any) -> tuple[Any, Any]:
    """Keras' ``squeeze_or_expand_to_same_rank``: where the ranks differ by one and the
    longer one ends in 1, a rank-1 shorter one gains that axis, else the longer loses it.
    For Tensors (differentiably) and arrays alike. So (N,) targets meet (N, 1) predictions
    as (N, 1), not broadcast to (N, N): a custom loss's ``y_true - y_pred`` would silently
    be a matrix of every pair."""
    def squeeze(x: Any) -> Any:
        return x.reshape(tuple(x.shape[:-1]))

    def expand(x: Any) -> Any:
        return x.reshape((*x.shape, 1))

    if x1.ndim == x2.ndim + 1 and x1.shape[-1] == 1:
        return (x1, expand(x2)) if x2.ndim == 1 else (squeeze(x1), x2)
    if x2.ndim == x1.ndim + 1 and x2.shape[-1] == 1:
        return (expand(x1), x2) if x1.ndim == 1 else (x1, squeeze(x2))
    return x1, x2


def sample_weights_like(sample_weight: Any, values: Tensor) -> Tensor:
    """``sample_weight`` (an array, list or Tensor) as a constant Tensor of ``values``'
    dtype on its device."""
    if isinstance(sample_weight, Tensor):
        array = sample_weight.array
        if not isinstance(array, type(values.array)):
            array = backends.backend_of(array).to_host(array)
    else:
        array = np.asarray(sample_weight)
    if isinstance(array, np.ndarray):
        array = backends.backend_of(values.array).from_host(array)
    return from_array(array.astype(values.dtype, copy=False))


def weighted_reduce(values: Tensor, sample_weight: Any, reduction: str) -> Tensor:
    """Keras' ``reduce_weighted_values``: the per-sample (or per-element) ``values`` times
    ``sample_weight`` w (ranks matched by :func:`squeeze_or_expand`), then

        "mean" (Keras' "sum_over_batch_size"):  Σ vᵢ wᵢ / (number of values)
        "sum":                                  Σ vᵢ wᵢ
        "none":                                 v w

    (the mean divides by the count of values, not by Σ w, as Keras does)."""
    if sample_weight is None:
        return _reduce(values, reduction)
    values, weights = squeeze_or_expand(values, sample_weights_like(sample_weight, values))
    values = values * weights
    if reduction == "none" or values.ndim == 0:
        return values
    total = autograd.sum(values)
    return total if reduction == "sum" else total / max(int(np.prod(values.shape)), 1)


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
    backward: dL/dz = (softmax(z) Σ_c t_c - t) · g / N for "mean" (g · for "sum", g_i for
              "none"); Σ_c t_c is 1 for labels and one-hot targets, not for soft or
              unnormalised ones (the exact derivative of -Σ t log softmax(z));
              dL/dt = -log_softmax(z) · g / N when t is an input that requires grad.

    The softmax computed in forward is reused in backward (no second exp pass); with
    ``create_graph=True`` it is recomputed with differentiable ops instead. ``stats``, the
    row maxima and sums of exp(z - max) that a softmax of the same z computed on a device
    (``autograd.ops.softmax.Softmax.stats``: a Keras model ending in a softmax), saves the
    forward two of its three launches.
    """

    _shares_seed = True  # both backwards make new arrays from gy (autograd.Function)

    def __init__(self, reduction: str = "mean", labels: Any = None,
                 stats: tuple[Any, Any] | None = None) -> None:
        self.reduction = reduction
        self.labels = labels
        self.stats = stats

    def _onehot(self, like: Any) -> Any:
        xp = backends.get_array_module(like)
        return (xp.arange(like.shape[-1]) == self.labels[..., None]).astype(like.dtype)

    def forward(self, z: Any, t: Any = None) -> Any:
        backend = _ce_kernels(z, t, self.labels)
        if backend is not None:
            return self._forward_kernels(backend, z)
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
        return self._reduce(per_sample)

    def _reduce(self, per_sample: Any) -> Any:
        if self.reduction == "mean":
            return per_sample.mean()
        if self.reduction == "sum":
            return per_sample.sum()
        return per_sample

    def _forward_kernels(self, backend: Any, z: Any) -> Any:
        """The forward on a device, in three launches instead of eleven: the row maxima m,
        the row sums s of exp(z - m) (one fused reduction, no e in memory), and the sum of
        each sample's loss log s - (z_y - m) at its label's column (one fused reduction,
        already divided by N for "mean"; per row for "none"; no gather, which CuPy runs as
        several). With ``stats`` from a softmax of z, only the last. The backward's one
        kernel recomputes exp(z - m)."""
        stats = self.stats
        if stats is not None and stats[0].shape == z.shape[:-1] + (1,):
            m, s = stats  # the softmax's own
        else:
            m = z.max(axis=-1, keepdims=True)
            s = SUM_EXP_SHIFTED.on(backend)(z, m, axis=-1, keepdims=True)
        self._m, self._s, self._probs = m, s, None
        self._n = int(z.size // z.shape[-1])
        return _NLL_SUM.on(backend)(z, m, s, self.labels[..., None],
                                    _class_indices(backend, z.shape[-1]), self._count(z.dtype),
                                    axis=-1 if self.reduction == "none" else None)

    def _count(self, dtype: Any) -> Any:
        """What the kernels divide by: N for "mean", else 1 (in the logits' dtype)."""
        return dtype.type(self._n if self.reduction == "mean" else 1)

    def _softmax(self) -> Any:
        """softmax(z), computed by the forward (or from its m and s on a device)."""
        if self._probs is None:
            z = self.inputs[0].array
            backend = backends.backend_of(z)
            self._probs = SOFTMAX_FROM_SUMS.on(backend)(z, self._m, self._s,
                                                        backend.xp.empty_like(z))
        return self._probs

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
            p = from_array(self._softmax())
        scale = self._scale(gy)
        if t is None:
            return (p - from_array(self._onehot(p.array))) * scale
        # targets that do not sum to 1 (soft or unnormalised): d/dz of -Σ t log p is p·Σt - t
        gz = (p * autograd.sum(t, axis=-1, keepdims=True) - t) * scale
        gt = None
        if t.requires_grad:
            log_p = autograd.log_softmax(z, axis=-1) if differentiable else from_array(self._log_p)
            gt = -log_p * scale
        return gz, gt

    def backward_data(self, gy: Any) -> tuple[Any, ...] | Any:
        if self._probs is None:  # the device's forward: (e / s - onehot) · scale, one kernel
            backend = backends.backend_of(gy)
            g = gy[..., None] if self.reduction == "none" else gy
            z = self.inputs[0].array
            return _CE_GRAD.on(backend)(
                z, self._m, self._s, self.labels[..., None],
                _class_indices(backend, z.shape[-1]), g, self._count(z.dtype),
                backend.xp.empty_like(z),
            )
        if self.reduction == "none":
            scale = gy[..., None]
        else:
            scale = gy / self._n if self.reduction == "mean" else gy
        t = self.inputs[1] if len(self.inputs) > 1 else None
        if t is None:
            gz = self._probs - self._onehot(self._probs)
        else:  # p·Σt - t: targets need not sum to 1
            gz = self._probs * t.array.sum(axis=-1, keepdims=True) - t.array
        gz *= scale
        if t is None:
            return gz
        return gz, (-self._log_p * scale if t.requires_grad else None)


# The device kernels of SoftmaxCrossEntropy (labels given as class indices): the sum of
# each sample's loss, and the gradient (e = exp(z - m) recomputed: no e kept in memory).
_NLL_SUM = ReductionSource(
    "xpgrad_nll_sum", "T z, T m, T s, L label, int32 cls, T count", "T nll",
    "cls == label ? (log(s) - (z - m)) / count : (T)0", "nll = a", "T",
)
_CE_GRAD = KernelSource(
    "xpgrad_softmax_ce_grad", "T z, T m, T s, L label, int32 cls, T gy, T count", "T gz",
    "gz = (exp(z - m) / s - (cls == label ? (T)1 : (T)0)) * (gy / count);",
)
_CLASS_INDICES: dict[tuple[str, int], Any] = {}


def _ce_kernels(z: Any, t: Any, labels: Any) -> Any:
    """The backend that runs the cross-entropy's kernels for these operands, or None."""
    if t is not None or labels is None or z.ndim < 1:
        return None
    backend = float_kernel_backend(z)
    if backend is None or labels.dtype not in _LABEL_DTYPES or z.shape[-1] == 0:
        return None
    return backend


def _class_indices(backend: Any, classes: int) -> Any:
    """0..classes-1 as int32 on ``backend``'s device, made once (not a launch per step)."""
    key = (backend.device, classes)
    indices = _CLASS_INDICES.get(key)
    if indices is None:
        indices = _CLASS_INDICES[key] = backend.xp.arange(classes, dtype=np.int32)
    return indices


def softmax_cross_entropy(
    logits: Tensor, target: Any, sparse: bool, reduction: str = "mean",
    stats: tuple[Any, Any] | None = None,
) -> Tensor:
    """Cross-entropy of softmax(logits) against integer labels (``sparse``) or a
    distribution, via the fused :class:`SoftmaxCrossEntropy`; ``stats``: the row maxima
    and exp-sums a softmax of these logits computed (see there)."""
    logits = _predictions(logits, "softmax_cross_entropy")
    reduction = _reduction(reduction)
    if sparse:
        labels = _labels_array(target, logits)
        return SoftmaxCrossEntropy(reduction, labels, stats)(logits)
    t = _as_tensor(target, logits)
    _check_same_shape(t, logits)
    return SoftmaxCrossEntropy(reduction)(logits, t)


def _check_same_shape(y_true: Tensor, y_pred: Tensor) -> None:
    if tuple(y_true.shape) != tuple(y_pred.shape):
        raise ValueError(
            f"targets of shape {tuple(y_true.shape)} do not match predictions of "
            f"shape {tuple(y_pred.shape)}"
        )


def float_targets(y_true: Any, y_pred: Tensor) -> Tensor:
    """Targets as Keras hands them to a loss's ``call`` or to a loss function given to
    ``compile``: a tensor of the predictions' dtype (integer labels too)."""
    t = _as_tensor(y_true, y_pred)
    return t if t.dtype == y_pred.dtype else t.astype(y_pred.dtype)


_WARNED_BROADCAST: set[type] = set()


def _warn_broadcast(cls: type, y_true: Tensor, y_pred: Tensor) -> None:
    if cls in _WARNED_BROADCAST:
        return
    _WARNED_BROADCAST.add(cls)
    warnings.warn(
        f"{cls.__name__}.call gets targets of shape {tuple(y_true.shape)} and predictions of "
        f"shape {tuple(y_pred.shape)}: an elementwise y_true - y_pred broadcasts them to every "
        "pair. Keras 3 passes them so to a Loss subclass too (a loss function given to "
        "compile gets them matched); give targets shaped like the predictions, e.g. "
        "y.reshape(-1, 1)",
        stacklevel=4,
    )


def _match_shape(y_true: Tensor, y_pred: Tensor, broadcast: bool = True) -> Tensor:
    """(N,) targets against (N, 1) predictions are reshaped, not broadcast to (N, N); of
    the same rank, shapes that broadcast (an (N, 1) prediction against (N, 10) targets)
    stay as they are and broadcast, as Keras 3's elementwise losses do (``broadcast``:
    False for the binary cross-entropy, which Keras refuses so)."""
    if tuple(y_true.shape) == tuple(y_pred.shape):
        return y_true
    if broadcast and (y_true.ndim == 0 or y_true.ndim == y_pred.ndim and all(
        a == b or 1 in (a, b) for a, b in zip(y_true.shape, y_pred.shape, strict=True)
    )):  # fmt: skip
        return y_true  # a number as every target (Hands-On ML's KL target 0.1) broadcasts too
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


# ---------------------------------------------------------------- classes
class Loss:
    """Base of the loss classes.  ``convention`` says the argument order of ``__call__``:
    ``"keras"`` = (y_true, y_pred), ``"torch"`` = (input, target).  ``keras_call(y_true,
    y_pred)`` works on every loss whatever its convention."""

    convention = "keras"
    #: Keras-style name (``"sparse_categorical_crossentropy"``); compile/fit use it to pick
    #: the matching accuracy
    name = ""

    def __init__(self, reduction: str = "mean", name: str | None = None,
                 dtype: Any = None) -> None:  # fmt: skip
        self.reduction = _reduction(reduction)
        # the name given (Keras' ``name=``), kept apart from ``name``, the Keras identifier
        # that picks the matching accuracy
        self.given_name = name

    def __call__(self, a: Any, b: Any, sample_weight: Any = None) -> Tensor:
        """``loss(y_true, y_pred)`` (Keras) or ``loss(input, target)`` (PyTorch).
        ``sample_weight`` (Keras' losses): each sample's value times its weight before the
        reduction (:func:`weighted_reduce`)."""
        if sample_weight is not None:
            if self.convention != "keras":
                raise TypeError(f"{type(self).__name__}: sample_weight is an argument of "
                                "Keras' losses; PyTorch's losses take none")
            return self.keras_call(a, b, sample_weight)
        if self.convention == "keras":
            return self.compute(a, _predictions(b, type(self).__name__))
        return self.compute(b, _predictions(a, type(self).__name__))

    def call(self, y_true: Tensor, y_pred: Tensor) -> Tensor:
        """Keras' way to write a loss: subclass, return the per-sample (or per-element)
        values here; ``reduction`` reduces them (the mean over all of them by default)."""
        raise NotImplementedError(
            f"{type(self).__name__}: a loss subclass implements call(y_true, y_pred) (Keras) "
            "or compute(y_true, y_pred)"
        )

    def compute(self, y_true: Any, y_pred: Tensor) -> Tensor:
        # a Keras-style subclass: targets as the predictions' dtype, then its call(). As in
        # Keras 3, their ranks are left as they are (a loss function given to compile gets
        # them matched); where that broadcasts, say so once.
        y_true = float_targets(y_true, y_pred)
        if squeeze_or_expand(y_true, y_pred)[0].shape != y_true.shape:
            _warn_broadcast(type(self), y_true, y_pred)
        return _reduce(self.call(y_true, y_pred), self.reduction)

    def keras_call(self, y_true: Any, y_pred: Tensor, sample_weight: Any = None) -> Tensor:
        """The loss called Keras' way, ``(y_true, y_pred)``, whatever its convention."""
        y_pred = _predictions(y_pred, type(self).__name__)
        if sample_weight is None:
            return self.compute(y_true, y_pred)
        return weighted_reduce(self.unreduced(y_true, y_pred), sample_weight, self.reduction)

    def unreduced(self, y_true: Any, y_pred: Any) -> Tensor:
        """The values before the reduction, one per sample (or element), called Keras'
        way: what sample weights multiply."""
        reduction = self.reduction
        self.reduction = "none"
        try:
            return self.compute(y_true, _predictions(y_pred, type(self).__name__))
        finally:
            self.reduction = reduction

    def get_config(self) -> dict[str, Any]:
        config: dict[str, Any] = {"reduction": self.reduction}
        if getattr(self, "given_name", None) is not None:
            config["name"] = self.given_name
        return config

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> Loss:
        return cls(**config)

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_config().items())
        return f"{type(self).__name__}({args})"
