"""Keras' ``keras.metrics``: accuracy (sparse, one-hot, binary), regression errors,
precision/recall, and the confusion matrix.

Functions take Keras' order ``(y_true, y_pred)`` and return a 0-d Tensor on the
predictions' device (no host-device sync; ``float(acc)`` reads it). The classes
(:class:`Metric` and its subclasses) accumulate over batches on the device and sync only
when ``result()`` is read; ``compile(metrics=[...])`` accepts names, functions and these.

Accuracy rules (as Keras' ``"accuracy"``):

* ``y_pred`` (N, C) with integer ``y_true`` (N,) or (N, 1): sparse -> argmax(y_pred) == y_true;
* ``y_pred`` and ``y_true`` both (N, C), C > 1: one-hot -> argmax == argmax;
* ``y_pred`` (N,) or (N, 1) with 0/1 ``y_true``: binary -> (y_pred > threshold) == y_true
  (threshold 0.5; pass 0.0 for logits).
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

import autograd
import backends
from autograd import Tensor
from backends.kernels import KernelSource, kernel_backend

from .._registry import is_users_own


def _raw(value: Any) -> Any:
    if isinstance(value, Tensor):
        return value.array
    if backends.is_array(value):
        return value
    return np.asarray(value)


def _raw_on(value: Any, like: Any) -> Any:
    """``value`` (a Tensor, an array or numbers) as an array on the device of the array
    ``like``, copied there when it is elsewhere (targets and weights given as NumPy)."""
    array = _raw(value)
    backend = backends.backend_of(like)
    if not backend.owns(array):
        array = backend.from_host(backends.backend_of(array).to_host(array))
    return array


def _correct(y_true: Any, y_pred: Any, threshold: float = 0.5) -> tuple[Any, int]:
    """(device array of per-sample 0/1 hits, number of samples)."""
    pred, true = _decisions(y_true, y_pred, threshold)
    hits = pred == true
    return hits, int(hits.size)


def _decisions(y_true: Any, y_pred: Any, threshold: float = 0.5) -> tuple[Any, Any]:
    """The predicted and the true class (or 0/1 decision) per sample: two arrays of one
    shape and dtype on the predictions' device, equal where the prediction is a hit."""
    t, p = _raw(y_true), _raw(y_pred)
    xp = backends.get_array_module(p)
    sparse = p.ndim >= 2 and p.shape[-1] > 1 and tuple(t.shape) != tuple(p.shape)
    if sparse and isinstance(t, np.ndarray):  # 3.7 would count as class 3 (see the losses)
        from ..losses import check_integer_labels

        check_integer_labels(t)
    t = _raw_on(t, p)
    if p.ndim >= 2 and p.shape[-1] > 1:
        pred = xp.argmax(p, axis=-1)
        if not sparse:  # one-hot targets
            true = xp.argmax(t, axis=-1)
        else:
            true = t.reshape(pred.shape)
        return pred, true.astype(pred.dtype, copy=False)
    return p.reshape(-1) > threshold, t.reshape(-1) > 0.5


def _mean_tensor(hits: Any, n: int) -> Tensor:
    _require_predictions(n)
    return autograd.from_array(hits.mean(dtype=autograd.get_default_dtype()))


def _require_predictions(n: int) -> None:
    if n == 0:
        raise ValueError("accuracy of an empty batch is undefined")


def accuracy(y_true: Any, y_pred: Any, threshold: float = 0.5) -> Tensor:
    """Fraction of correct predictions (sparse, one-hot or binary; see module doc)."""
    return _mean_tensor(*_correct(y_true, y_pred, threshold))


def _per_sample(hits: Any) -> Tensor:
    """0/1 hits as floats of the default dtype, one per sample, as Keras' functions give."""
    return autograd.from_array(hits.astype(autograd.get_default_dtype()))


def sparse_categorical_accuracy(y_true: Any, y_pred: Any) -> Tensor:
    """argmax(y_pred) == y_true: 1.0 or 0.0 per sample (Keras' function; the metric of
    the same name averages them)."""
    return _per_sample(_correct(y_true, y_pred)[0])


def categorical_accuracy(y_true: Any, y_pred: Any) -> Tensor:
    """argmax(y_pred) == argmax(y_true): 1.0 or 0.0 per sample."""
    return _per_sample(_correct(y_true, y_pred)[0])


def binary_accuracy(y_true: Any, y_pred: Any, threshold: float = 0.5) -> Tensor:
    """(y_pred > threshold) == y_true: 1.0 or 0.0 per entry, shaped like ``y_pred`` (also
    for (N, C) multi-label outputs), as Keras."""
    p = _raw(y_pred)
    t = _raw_on(y_true, p)
    return _per_sample((p > threshold) == (t.reshape(p.shape) > 0.5))


def sparse_top_k_categorical_accuracy(y_true: Any, y_pred: Any, k: int = 5) -> Tensor:
    """1.0 per sample whose true class is among the ``k`` highest scores, else 0.0: fewer
    than ``k`` classes score strictly higher (a tie with the k-th counts as in)."""
    p = _raw(y_pred)
    t = _raw_on(y_true, p)
    if p.ndim != 2:
        raise ValueError(f"top-k accuracy expects (N, C) scores, got shape {tuple(p.shape)}")
    xp = backends.get_array_module(p)
    labels = t.reshape(-1).astype(np.int64)
    true_scores = p[xp.arange(len(labels)), labels]
    return _per_sample((p > true_scores[:, None]).sum(axis=-1) < k)


def top_k_categorical_accuracy(y_true: Any, y_pred: Any, k: int = 5) -> Tensor:
    """``sparse_top_k_categorical_accuracy`` for one-hot targets."""
    t = _raw(y_true)
    xp = backends.get_array_module(t)
    return sparse_top_k_categorical_accuracy(xp.argmax(t, axis=-1), y_pred, k)


class Metric:
    """Keras' streaming metric: ``update_state(y_true, y_pred)`` per batch, ``result()`` (a
    0-d Tensor: ``float(m.result())`` reads it), ``reset_state()``. The state stays on the
    predictions' device: updating never makes the host wait; reading ``result()`` does.
    Calling the metric updates it and returns the running result, as in Keras.

    Subclass it as in Keras: make the state with ``self.add_weight(name=..., shape=(),
    initializer="zeros")`` (or ``add_variable``) in ``__init__``, update it with
    ``assign``/``assign_add`` in ``update_state``, compute ``result()`` from it; the default
    ``reset_state`` sets every such variable back to its initial value.
    """

    #: the built-in metrics keep their state in attributes that ``reset_state`` sets up,
    #: so ``__init__`` calls it; a Keras-style subclass's variables exist only after
    #: ``super().__init__()`` returns
    _state_in_reset_state = False

    #: the name of an instance made without one; None: the class's name in snake case,
    #: numbered per process as Keras numbers them (``auc``, ``auc_1``...)
    _fixed_name: str | None = None

    def __init__(self, name: str | None = None, dtype: Any = None) -> None:
        from ..core.naming import auto_name

        self.name = name or self._fixed_name or auto_name(_snake(type(self).__name__))
        self.dtype = dtype
        self._variables: list[Any] = []
        if self._state_in_reset_state:
            self.reset_state()

    def add_variable(self, shape: Any = (), initializer: Any = "zeros", dtype: Any = None,
                     aggregation: str = "sum", name: str | None = None) -> Any:  # fmt: skip
        """A state variable (non-trainable), reset to ``initializer`` by ``reset_state``."""
        from ..core.parameter import Variable

        if isinstance(shape, str):  # Keras 2's order: add_weight("total", ...)
            shape, name = (), shape
        kind = np.dtype(dtype or self.dtype or autograd.get_default_dtype())
        variable = Variable(initializer, shape=tuple(shape), dtype=kind, trainable=False,
                            name=name or f"variable_{len(self._variables)}")  # fmt: skip
        variable.initial_value = variable.array.copy()
        self._variables.append(variable)
        return variable

    def add_weight(self, name: Any = None, shape: Any = (), initializer: Any = "zeros",
                   dtype: Any = None, aggregation: str = "sum") -> Any:  # fmt: skip
        """Keras' other spelling of :meth:`add_variable` (``add_weight(name="total",
        initializer="zeros")``, or the shape first)."""
        if name is not None and not isinstance(name, str):  # Keras 3's order: shape first
            name, shape = None, name
        return self.add_variable(shape, initializer, dtype, aggregation, name)

    @property
    def variables(self) -> list[Any]:
        """The state variables made by ``add_variable``/``add_weight``."""
        return list(getattr(self, "_variables", []))

    def reset_state(self) -> None:
        """Set every state variable back to its initial value."""
        for variable in self.variables:
            variable.assign(variable.initial_value)

    def update_state(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> None:
        raise NotImplementedError

    def result(self) -> Tensor:
        raise NotImplementedError

    def reset_states(self) -> None:  # Keras 2 spelling
        self.reset_state()

    def __call__(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> Tensor:
        self.update_state(y_true, y_pred, sample_weight)
        return self.result()

    def get_config(self) -> dict[str, Any]:
        return {"name": self.name, "dtype": self.dtype}

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> Metric:
        return cls(**config)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} name={self.name!r}>"


def _snake(class_name: str) -> str:
    import re

    s = re.sub(r"(.)([A-Z][a-z0-9]+)", r"\1_\2", class_name)
    return re.sub(r"([a-z])([A-Z])", r"\1_\2", s).lower()


#: The accuracies: a streaming metric counts their hits (see MeanMetricWrapper.update_state).
_HIT_RATES = frozenset({accuracy, sparse_categorical_accuracy, categorical_accuracy})


#: total <- total + v w, in place: a running sum's update in one launch on a device.
_ADD_WEIGHTED = KernelSource("xpgrad_add_weighted", "T v, T w", "T total",
                             "total = total + v * w;")
#: hits <- hits + (pred == truth): an accuracy's hits, counted per batch position.
_COUNT_HITS = KernelSource("xpgrad_count_hits", "P pred, P truth", "F hits",
                           "hits = hits + (pred == truth ? (F)1 : (F)0);")


def _ratio(total: Any, count: Any) -> Any:
    """``total / count``, 0 where ``count`` is 0 (Keras' ``divide_no_nan``). ``count`` is
    a host number, or a device scalar once sample weights were summed on the device."""
    if backends.is_array(count) and not isinstance(count, np.ndarray | np.generic):
        xp = backends.get_array_module(count)
        return xp.where(count == 0, 0, total / xp.where(count == 0, 1, count)).astype(
            total.dtype, copy=False)
    count = float(count)
    return total / count if count else total * 0


class Mean(Metric):
    """The (sample-count weighted) mean of the values it is given: ``total / count``.

    ``count`` is a Python number (the host knows each batch's size); ``total`` lives on
    the values' device, where a batch's ``total + v n`` is one fused launch in place.
    Once there, the array stays: a reset zeroes it in place (Keras assigns zeros to its
    variables), so a recorded step (``fit`` with ``jit_compile=True``) that adds into it
    keeps counting across epochs.
    """

    _state_in_reset_state = True
    _fixed_name = "mean"

    def reset_state(self) -> None:
        total = getattr(self, "_total", None)
        if backends.is_device_array(total):
            total.fill(0)
        else:
            self._total: Any = 0.0
        self._count: Any = 0.0

    def update_state(self, values: Any, sample_weight: Any = None, n: int | None = None) -> None:
        """Add ``values`` (a Tensor or array; a 0-d value stands for ``n`` samples), each
        weighted by ``sample_weight`` when given (:meth:`_update_weighted`)."""
        v = _raw(values)
        if sample_weight is not None:
            self._update_weighted(v, sample_weight)
            return
        if v.ndim == 0:
            weight = 1 if n is None else n
            total = self._total
            backend = kernel_backend(v)
            if (backend is not None and backend.owns(total) and total.shape == ()
                    and total.dtype == v.dtype and v.dtype.kind == "f"):
                _ADD_WEIGHTED.on(backend)(v, v.dtype.type(weight), total)
            else:
                self._total = total + v * weight
            self._count = self._count + weight
        else:
            self._total = self._total + v.sum()
            self._count = self._count + v.size

    def _update_weighted(self, v: Any, sample_weight: Any) -> None:
        """Keras' weighted mean, ``Σᵢ vᵢ wᵢ / Σᵢ wᵢ``: the ranks of values and weights
        matched (``squeeze_or_expand``), values beyond the weights' axes averaged, each
        sample's weighted value and weight averaged over their other axes."""
        from ..losses.base import squeeze_or_expand

        dtype = np.dtype(self.dtype or autograd.get_default_dtype())
        xp = backends.get_array_module(v)
        w = _raw_on(sample_weight, v)
        v, w = squeeze_or_expand(v.astype(dtype, copy=False), w.astype(dtype, copy=False))
        if v.ndim == 0:  # one value for the batch (a function returning its mean)
            self._total = self._total + v * w.sum()
            self._count = self._count + w.sum()
            return
        if v.ndim > w.ndim:
            v = v.mean(axis=tuple(range(w.ndim, v.ndim)))
        w = xp.broadcast_to(w, v.shape)
        v = v * w
        if w.ndim > 1:
            w = w.mean(axis=tuple(range(1, w.ndim)))
        if v.ndim > 1:
            v = v.mean(axis=tuple(range(1, v.ndim)))
        self._total = self._total + v.sum()
        self._count = self._count + w.sum()

    def result(self) -> Tensor:
        total = self._total
        if not backends.is_array(total):
            total = np.asarray(total, dtype=autograd.get_default_dtype())
        return autograd.from_array(_ratio(total, self._count))

    def __call__(self, values: Any, sample_weight: Any = None) -> Tensor:  # type: ignore[override]
        self.update_state(values, sample_weight)
        return self.result()


_WARNED_RANKS: set[Any] = set()


def _check_ranks(fn: Any, y_true: Any, y_pred: Tensor) -> None:
    """Say once when a function of the user's gets (N,) targets and (N, 1) predictions:
    Keras 3 hands them to a metric function as they are, and so does this (the same
    numbers), but ``y_true - y_pred`` then averages every pair."""
    shape = tuple(getattr(y_true, "shape", np.shape(y_true)))
    if fn in _WARNED_RANKS or len(shape) + 1 != y_pred.ndim or y_pred.shape[-1] != 1:
        return
    _WARNED_RANKS.add(fn)
    warnings.warn(
        f"metric {getattr(fn, '__name__', fn)!r} gets targets of shape {shape} and "
        f"predictions of shape {tuple(y_pred.shape)}: an elementwise y_true - y_pred "
        "broadcasts them to every pair. Keras 3 passes them so to a metric function too "
        "(a loss function gets them matched); give targets shaped like the predictions, "
        "e.g. y.reshape(-1, 1)",
        stacklevel=4,
    )


class MeanMetricWrapper(Mean):
    """A function ``fn(y_true, y_pred) -> per-batch mean`` turned into a streaming metric:
    the mean over all samples seen (each batch weighted by its size).

    An accuracy counts its hits. On a device they are added up per batch position in
    ``_hits`` (one launch a batch after the argmax, no reduction) and summed only when
    the result is read. A smaller batch (an epoch's last) adds into the first positions;
    only a larger one folds them into ``total`` and makes a longer array.
    """

    def __init__(self, fn: Any, name: str | None = None, dtype: Any = None, **kwargs: Any) -> None:
        self._fn = fn
        self._fn_kwargs = kwargs
        super().__init__(name=name or getattr(fn, "__name__", None), dtype=dtype)

    def reset_state(self) -> None:
        super().reset_state()
        hits = getattr(self, "_hits", None)
        if hits is not None:  # zeroed in place, as ``total`` (see Mean)
            hits.fill(0)
        else:
            self._hits: Any = None

    def update_state(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> None:  # type: ignore[override]
        if sample_weight is not None:  # Keras' weighted mean of the per-sample values
            if self._fn in _HIT_RATES:
                pred, true = _decisions(y_true, y_pred, **self._fn_kwargs)
                _require_predictions(int(pred.size))
                values = pred == true
            else:
                unreduced = getattr(self._fn, "unreduced", None)  # a Loss: per sample
                values = _raw(unreduced(y_true, y_pred) if unreduced is not None
                              else self._fn(y_true, y_pred, **self._fn_kwargs))
            self._update_weighted(values, sample_weight)
            return
        if self._fn in _HIT_RATES:
            # An accuracy: add up the hits themselves, as Keras sums its per-sample 0/1
            # values (exact counts, on the device; no per-batch mean to multiply back).
            pred, true = _decisions(y_true, y_pred, **self._fn_kwargs)
            n = int(pred.size)
            _require_predictions(n)
            backend = kernel_backend(pred)
            if backend is not None and pred.ndim == 1:
                self._count_hits(backend, pred, true)
            else:
                hits = pred == true
                self._total = self._total + hits.sum(dtype=autograd.get_default_dtype())
            self._count = self._count + n
            return
        if isinstance(y_pred, Tensor) and is_users_own(self._fn):
            _check_ranks(self._fn, y_true, y_pred)
        value = self._fn(y_true, y_pred, **self._fn_kwargs)
        n = len(_raw(y_pred)) if _raw(y_pred).ndim else 1
        Mean.update_state(self, value, n=n)

    def _count_hits(self, backend: Any, pred: Any, true: Any) -> None:
        hits, n = self._hits, len(pred)
        if hits is not None and (len(hits) < n or not backend.owns(hits)):
            self._total = self._total + hits.sum()  # a larger batch: fold, make room
            self._hits = hits = None
        if hits is None:
            self._hits = hits = backend.xp.zeros(n, dtype=autograd.get_default_dtype())
        _COUNT_HITS.on(backend)(pred, true, hits if len(hits) == n else hits[:n])

    def result(self) -> Tensor:
        if self._hits is None:
            return super().result()
        # read, not folded: the arrays stay where a recorded step adds into them
        return autograd.from_array(_ratio(self._total + self._hits.sum(), self._count))

    def __call__(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> Tensor:  # type: ignore[override]
        self.update_state(y_true, y_pred, sample_weight)
        return self.result()

    def fn(self, y_true: Any, y_pred: Any) -> Tensor:
        """The per-batch value (the wrapped function)."""
        return self._fn(y_true, y_pred, **self._fn_kwargs)


class Accuracy(MeanMetricWrapper):
    """Keras' ``"accuracy"``: the fraction of correct predictions, the kind (sparse, one-hot,
    binary) read from the shapes (see the module doc). ``threshold`` for the binary case."""

    def __init__(self, name: str = "accuracy", dtype: Any = None, threshold: float = 0.5) -> None:
        super().__init__(accuracy, name=name, dtype=dtype, threshold=threshold)
        self.threshold = threshold


class SparseCategoricalAccuracy(MeanMetricWrapper):
    """argmax(y_pred) == y_true (integer labels), averaged over samples."""

    def __init__(self, name: str = "sparse_categorical_accuracy", dtype: Any = None) -> None:
        super().__init__(sparse_categorical_accuracy, name=name, dtype=dtype)


class CategoricalAccuracy(MeanMetricWrapper):
    """argmax(y_pred) == argmax(y_true) (one-hot targets), averaged over samples."""

    def __init__(self, name: str = "categorical_accuracy", dtype: Any = None) -> None:
        super().__init__(categorical_accuracy, name=name, dtype=dtype)


class SparseTopKCategoricalAccuracy(MeanMetricWrapper):
    """The fraction of samples whose true class (an integer label) is among the ``k``
    highest scores."""

    def __init__(self, k: int = 5, name: str = "sparse_top_k_categorical_accuracy",
                 dtype: Any = None) -> None:  # fmt: skip
        super().__init__(sparse_top_k_categorical_accuracy, name=name, dtype=dtype, k=k)
        self.k = k


class TopKCategoricalAccuracy(MeanMetricWrapper):
    """The fraction of samples whose true class (one-hot) is among the ``k`` highest
    scores."""

    def __init__(self, k: int = 5, name: str = "top_k_categorical_accuracy",
                 dtype: Any = None) -> None:  # fmt: skip
        super().__init__(top_k_categorical_accuracy, name=name, dtype=dtype, k=k)
        self.k = k


class BinaryAccuracy(MeanMetricWrapper):
    """(y_pred > threshold) == y_true, averaged over all entries."""

    def __init__(self, name: str = "binary_accuracy", dtype: Any = None,
                 threshold: float = 0.5) -> None:
        super().__init__(binary_accuracy, name=name, dtype=dtype, threshold=threshold)


# Keras' metric functions that are its loss functions (``keras.metrics.mean_squared_error``
# is ``keras.losses.mean_squared_error``): one value per sample.
def mean_squared_error(y_true: Any, y_pred: Any) -> Tensor:
    """(y_true - y_pred)² averaged over the last axis: one value per sample."""
    from ..losses import mean_squared_error as loss

    return loss(y_true, y_pred)


def mean_absolute_error(y_true: Any, y_pred: Any) -> Tensor:
    """|y_true - y_pred| averaged over the last axis: one value per sample."""
    from ..losses import mean_absolute_error as loss

    return loss(y_true, y_pred)


def binary_crossentropy(y_true: Any, y_pred: Any, from_logits: bool = False,
                        label_smoothing: float = 0.0) -> Tensor:  # fmt: skip
    """Binary cross-entropy averaged over the last axis: one value per sample."""
    from ..losses import binary_crossentropy as loss

    return loss(y_true, y_pred, from_logits, label_smoothing)


def categorical_crossentropy(y_true: Any, y_pred: Any, from_logits: bool = False,
                             label_smoothing: float = 0.0) -> Tensor:  # fmt: skip
    """Cross-entropy against one-hot (or soft) targets: one value per sample."""
    from ..losses import categorical_crossentropy as loss

    return loss(y_true, y_pred, from_logits, label_smoothing)


def sparse_categorical_crossentropy(y_true: Any, y_pred: Any, from_logits: bool = False) -> Tensor:
    """Cross-entropy against integer labels: one value per sample."""
    from ..losses import sparse_categorical_crossentropy as loss

    return loss(y_true, y_pred, from_logits)


def _loss_metric(loss_name: str) -> Any:
    from .. import losses

    return losses.get(loss_name)


class MeanSquaredError(MeanMetricWrapper):
    """mean (y_true - y_pred)² over samples."""

    def __init__(self, name: str = "mean_squared_error", dtype: Any = None) -> None:
        super().__init__(_loss_metric("mean_squared_error"), name=name, dtype=dtype)


class MeanAbsoluteError(MeanMetricWrapper):
    """mean |y_true - y_pred| over samples."""

    def __init__(self, name: str = "mean_absolute_error", dtype: Any = None) -> None:
        super().__init__(_loss_metric("mean_absolute_error"), name=name, dtype=dtype)


class RootMeanSquaredError(MeanSquaredError):
    """sqrt(mean (y_true - y_pred)²) over all samples seen."""

    def __init__(self, name: str = "root_mean_squared_error", dtype: Any = None) -> None:
        super().__init__(name=name, dtype=dtype)

    def result(self) -> Tensor:
        return autograd.sqrt(super().result())


#: Keras' ``backend.epsilon()``: keeps the ratios finite before any positive is seen.
EPSILON = 1e-7


class _Confusion(Metric):
    """Confusion counts of a binary classifier (``y_pred > thresholds``, default 0.5)."""

    _state_in_reset_state = True

    def __init__(self, thresholds: float | None = None, name: str | None = None,
                 dtype: Any = None) -> None:
        if isinstance(thresholds, list | tuple):
            raise NotImplementedError(f"{type(self).__name__}: one threshold (a float) is "
                                      "supported here, not a list")  # fmt: skip
        self.threshold = 0.5 if thresholds is None else float(thresholds)
        super().__init__(name=name, dtype=dtype)

    def reset_state(self) -> None:
        self._tp: Any = 0
        self._fp: Any = 0
        self._tn: Any = 0
        self._fn: Any = 0

    def update_state(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> None:
        """Count the batch's decisions; with ``sample_weight`` each counts its sample's
        weight (broadcast over the predictions' other axes, as Keras does)."""
        p = _raw(y_pred)
        t = _raw_on(y_true, p)
        pred = p.reshape(-1) > self.threshold
        true = t.reshape(-1) > 0.5
        if sample_weight is not None:
            w = _confusion_weights(sample_weight, t, p)
            self._tp = self._tp + (w * (pred & true)).sum()
            self._fp = self._fp + (w * (pred & ~true)).sum()
            self._tn = self._tn + (w * (~pred & ~true)).sum()
            self._fn = self._fn + (w * (~pred & true)).sum()
            return
        self._tp = self._tp + (pred & true).sum()
        self._fp = self._fp + (pred & ~true).sum()
        self._tn = self._tn + (~pred & ~true).sum()
        self._fn = self._fn + (~pred & true).sum()

    def _count(self, count: Any) -> Tensor:
        count = count if backends.is_array(count) else np.asarray(count)
        return autograd.from_array(count.astype(autograd.get_default_dtype()))

    def _ratio(self, num: Any, den: Any) -> Tensor:
        num = num if backends.is_array(num) else np.asarray(num)
        den = den if backends.is_array(den) else np.asarray(den)
        dtype = autograd.get_default_dtype()
        return autograd.from_array(num.astype(dtype) / (den.astype(dtype) + EPSILON))

    def get_config(self) -> dict[str, Any]:
        return {"name": self.name, "thresholds": self.threshold}


def _confusion_weights(sample_weight: Any, y_true: Any, y_pred: Any) -> Any:
    """Each prediction's weight, flat: Keras' ``update_confusion_matrix_variables`` adds an
    axis to the weights, matches their rank to the targets' and broadcasts them to the
    predictions' shape."""
    from ..losses.base import squeeze_or_expand

    y_pred, y_true = squeeze_or_expand(y_pred, y_true)  # Keras matches these first
    w = _raw_on(sample_weight, y_pred)
    w = w.astype(autograd.get_default_dtype(), copy=False)[..., None]
    if y_true.ndim == 1 and w.ndim == 2:  # Keras: expand_rank_1=False, so w loses the axis
        w = w[..., 0]
    else:
        _, w = squeeze_or_expand(y_true, w)
    xp = backends.get_array_module(y_pred)
    return xp.broadcast_to(w, y_pred.shape).reshape(-1)


class Precision(_Confusion):
    """tp / (tp + fp) over all samples seen."""

    def result(self) -> Tensor:
        return self._ratio(self._tp, self._tp + self._fp)


class Recall(_Confusion):
    """tp / (tp + fn) over all samples seen."""

    def result(self) -> Tensor:
        return self._ratio(self._tp, self._tp + self._fn)


_NAMES = {
    "accuracy": accuracy,
    "acc": accuracy,
    "sparse_categorical_accuracy": sparse_categorical_accuracy,
    "categorical_accuracy": categorical_accuracy,
    "binary_accuracy": binary_accuracy,
    "sparse_top_k_categorical_accuracy": sparse_top_k_categorical_accuracy,
    "top_k_categorical_accuracy": top_k_categorical_accuracy,
}


#: Keras' snake-case names of its metric classes (``compile(metrics=["auc"])``).
_CLASS_NAMES = {
    "auc": "AUC", "precision": "Precision", "recall": "Recall", "f1_score": "F1Score",
    "fbeta_score": "FBetaScore", "r2_score": "R2Score", "true_positives": "TruePositives",
    "false_positives": "FalsePositives", "true_negatives": "TrueNegatives",
    "false_negatives": "FalseNegatives", "root_mean_squared_error": "RootMeanSquaredError",
}  # fmt: skip


def metric_class(name: str) -> type[Metric] | None:
    """The streaming metric class Keras knows by ``name``: its class name (``"AUC"``,
    ``"RootMeanSquaredError"``) or its snake-case name (``"auc"``, ``"r2_score"``); None
    for any other name."""
    cls = globals().get(_CLASS_NAMES.get(name.lower(), name))
    return cls if isinstance(cls, type) and issubclass(cls, Metric) else None


def get(identifier: Any) -> Any:
    """A metric by Keras name, or the callable or Metric given.

    * an accuracy's name (``"accuracy"``, ``"sparse_categorical_accuracy"``...) -> its
      function ``fn(y_true, y_pred)``;
    * a loss name (``"mae"``, ``"mse"``, ``"mape"``...) -> that loss, a metric too in Keras:
      averaged over the samples;
    * a metric class's name (``"AUC"``, ``"auc"``, ``"Precision"``, ``"r2_score"``) -> a new
      instance of it, as Keras' ``metrics.get``.
    """
    if isinstance(identifier, str):
        fn = _NAMES.get(identifier.lower())
        if fn is not None:
            return fn
        from .. import losses

        if identifier.lower() in losses.known_names():
            return losses.get(identifier)
        cls = metric_class(identifier)
        if cls is not None:
            return cls()
        known = ", ".join(sorted(_NAMES) + losses.known_names() + sorted(_CLASS_NAMES))
        raise ValueError(f"unknown metric {identifier!r}; known: {known}, and the metric "
                         "classes' names (\"AUC\", \"Precision\"...)")  # fmt: skip
    if callable(identifier):
        return identifier
    raise TypeError(f"cannot interpret {identifier!r} as a metric")


def confusion_matrix(y_true: Any, y_pred: Any, num_classes: int | None = None) -> np.ndarray:
    """``M[i, j]`` = number of samples of true class i predicted as class j (NumPy int64).

    ``y_pred`` may be labels (N,) or scores (N, C) (argmax is taken); ``y_true`` labels or
    one-hot.  ``num_classes`` defaults to C, else to max label + 1."""
    t = np.asarray(backends.backend_of(_raw(y_true)).to_host(_raw(y_true)))
    p = np.asarray(backends.backend_of(_raw(y_pred)).to_host(_raw(y_pred)))
    if p.ndim >= 2 and p.shape[-1] > 1:
        num_classes = num_classes or p.shape[-1]
        p = p.argmax(axis=-1)
    if t.ndim >= 2 and t.shape[-1] > 1:
        t = t.argmax(axis=-1)
    t, p = t.reshape(-1).astype(np.int64), p.reshape(-1).astype(np.int64)
    if t.shape != p.shape:
        raise ValueError(f"{t.size} labels vs {p.size} predictions")
    if num_classes is None:
        num_classes = int(max(t.max(initial=-1), p.max(initial=-1))) + 1
    if t.size and (min(t.min(), p.min()) < 0 or max(t.max(), p.max()) >= num_classes):
        raise IndexError(f"labels must be in 0..{num_classes - 1}")
    m = np.zeros((num_classes, num_classes), dtype=np.int64)
    np.add.at(m, (t, p), 1)
    return m


# Submodules with more of Keras' metrics; they build on the classes above.
from .auc import AUC
from .loss_metrics import (
    BinaryCrossentropy,
    CategoricalCrossentropy,
    CategoricalHinge,
    CosineSimilarity,
    Hinge,
    KLDivergence,
    LogCoshError,
    MeanAbsolutePercentageError,
    MeanSquaredLogarithmicError,
    Poisson,
    SparseCategoricalCrossentropy,
    SquaredHinge,
    categorical_hinge,
    hinge,
    kl_divergence,
    log_cosh,
    mean_absolute_percentage_error,
    mean_squared_logarithmic_error,
    poisson,
    squared_hinge,
)
from .scores import (
    F1Score,
    FalseNegatives,
    FalsePositives,
    FBetaScore,
    R2Score,
    TrueNegatives,
    TruePositives,
)
