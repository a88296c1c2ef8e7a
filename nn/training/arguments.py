"""Checking what ``fit``, ``evaluate`` and ``predict`` are given, before any work is done:
each bad argument or bad data is a TypeError or ValueError naming the call, the argument,
what was expected and what was received."""

from __future__ import annotations

import numbers
from typing import Any

import numpy as np

import backends
from autograd import Tensor
from optim.validation import check_int, describe

from .callbacks import Callback

# Keras' default when batch_size is None (or not given).
DEFAULT_BATCH_SIZE = 32
# Rows checked for NaN/inf at a time: bounds the temporary mask on a large dataset.
_FINITE_CHECK_ELEMENTS = 1 << 23


def raw_array(value: Any) -> Any:
    return value.array if isinstance(value, Tensor) else value


def as_array(who: str, name: str, value: Any) -> Any:
    """``value`` (a Tensor, a NumPy or device array, or a nested list of numbers) as an
    array with a batch axis and a numeric dtype; anything else is a clear TypeError."""
    value = raw_array(value)
    if isinstance(value, np.generic | numbers.Number) and not isinstance(value, bool):
        value = np.asarray(value)  # refused below for having no batch axis
    if isinstance(value, list | tuple):
        try:
            value = np.asarray(value)
        except ValueError as error:  # ragged lists
            raise ValueError(f"{who}: {name} must be a rectangular array: {error}") from None
    if not backends.is_array(value):
        raise TypeError(
            f"{who}: {name} must be an array (NumPy or CuPy) or a Tensor, got {describe(value)}"
        )
    if value.dtype.kind not in "biuf":
        raise TypeError(
            f"{who}: {name} must hold real numbers, got an array of dtype {value.dtype}"
        )
    if value.ndim == 0:
        raise ValueError(f"{who}: {name} must have a batch axis, got a 0-d array ({value!r})")
    return value


def check_finite(who: str, name: str, array: Any) -> None:
    """Refuse NaN or infinite values in a floating ``array``, naming how many and where the
    first is. One pass, in slices of rows; on a device one sync per slice, once per call."""
    if array.dtype.kind != "f" or array.size == 0:
        return
    xp = backends.get_array_module(array)
    rows = max(1, _FINITE_CHECK_ELEMENTS // max(1, array.size // len(array)))
    nans = infs = 0
    first: tuple[int, ...] | None = None
    for start in range(0, len(array), rows):
        chunk = array[start:start + rows]
        finite = xp.isfinite(chunk)
        if bool(finite.all()):
            continue
        bad = int((~finite).sum())
        chunk_nans = int(xp.isnan(chunk).sum())
        nans, infs = nans + chunk_nans, infs + bad - chunk_nans
        if first is None:
            index = np.unravel_index(int(xp.argmax(~finite)), chunk.shape)
            first = (start + int(index[0]), *(int(i) for i in index[1:]))
            value = float(chunk[index])
    if first is not None:
        raise ValueError(
            f"{who}: {name} contains {nans} NaN and {infs} infinite values; the first is "
            f"{value!r} at {name}[{', '.join(map(str, first))}]. Clean the data, or pass "
            "check_finite=False to use it anyway"
        )


def batch_size_of(who: str, batch_size: Any) -> int:
    if batch_size is None:
        return DEFAULT_BATCH_SIZE
    return check_int(who, "batch_size", batch_size, minimum=1)


def verbose_level(who: str, verbose: Any) -> int:
    if isinstance(verbose, str) and verbose == "auto":  # Keras: a bar, as verbose=1
        return 1
    if isinstance(verbose, bool | np.bool_):  # verbose=False is common Keras usage
        return int(verbose)
    if isinstance(verbose, str) or check_int(who, "verbose", verbose) not in (0, 1, 2):
        raise ValueError(f"{who}: verbose must be 0, 1, 2 or 'auto', got {verbose!r}")
    return int(verbose)


def overrides(callback: Callback, hook: str) -> bool:
    """Whether ``callback`` does something at ``hook``: its class overrides it, or the
    instance holds a function for it (``LambdaCallback``)."""
    if hook in getattr(callback, "__dict__", {}):
        return True
    return getattr(type(callback), hook, None) is not getattr(Callback, hook)


def check_optimizer_argument(optimizer: Any) -> None:
    """compile's ``optimizer``: a Keras name or config, an Optimizer or an Optimizer class."""
    import optim
    from optim import keras as keras_optimizers

    if isinstance(optimizer, str | dict):
        try:
            keras_optimizers.get(optimizer)
        except (ValueError, TypeError, KeyError):
            known = ", ".join(sorted(keras_optimizers._BY_NAME))
            raise ValueError(
                f"compile: unknown optimizer {optimizer!r}; known names: {known}"
            ) from None
    elif not (
        isinstance(optimizer, optim.Optimizer)
        or isinstance(optimizer, type) and issubclass(optimizer, optim.Optimizer)
    ):
        raise TypeError(
            "compile: optimizer must be a name such as 'adam', an optim.Optimizer or an "
            f"Optimizer class, got {describe(optimizer)}"
        )


def callback_list(who: str, callbacks: Any) -> list[Callback]:
    if callbacks is None:
        return []
    if isinstance(callbacks, Callback) or not isinstance(callbacks, list | tuple):
        raise TypeError(
            f"{who}: callbacks must be a list of nn.callbacks.Callback objects, got "
            f"{describe(callbacks)}"
        )
    for cb in callbacks:
        if not isinstance(cb, Callback):
            raise TypeError(
                f"{who}: callbacks must be nn.callbacks.Callback instances, got {describe(cb)}"
            )
    return list(callbacks)


def validation_pair(validation_data: Any) -> tuple[Any, Any]:
    x, y, weights = validation_triple(validation_data)
    if weights is not None:
        raise NotImplementedError("fit: validation sample weights with several inputs or "
                                  "outputs are not supported here")
    return x, y


def validation_triple(validation_data: Any) -> tuple[Any, Any, Any]:
    """``(x_val, y_val, sample_weight_val)`` from fit's ``validation_data``: a tuple of 2
    or 3 (Keras)."""
    if not isinstance(validation_data, tuple | list):
        raise TypeError(
            "fit: validation_data must be a tuple (x_val, y_val), got "
            f"{describe(validation_data)}"
        )
    if len(validation_data) not in (2, 3):
        raise ValueError(
            "fit: validation_data must be a tuple (x_val, y_val) or (x_val, y_val, "
            f"sample_weight_val), got a {type(validation_data).__name__} of "
            f"{len(validation_data)}"
        )
    return (validation_data[0], validation_data[1],
            validation_data[2] if len(validation_data) == 3 else None)


def sample_weights(who: str, y: Any, sample_weight: Any = None,
                   class_weight: Any = None, name: str = "sample_weight") -> Any:
    """The per-sample weights of ``y``'s samples, or None: ``sample_weight`` checked (one
    non-negative finite number per sample, or one row per sample), or ``class_weight``
    ({class: weight}) read off each sample's label as Keras does (the index of a one-hot
    row's largest entry, a (N, 1) label rounded; classes not in the dict weigh 1)."""
    if sample_weight is not None and class_weight is not None:
        raise ValueError("You cannot `class_weight` and `sample_weight` at the same time.")
    if class_weight is not None:
        if not isinstance(class_weight, dict):
            raise TypeError(f"{who}: class_weight must be a dict {{class: weight}}, got "
                            f"{describe(class_weight)}")
        labels = backends.backend_of(raw_array(y)).to_host(raw_array(y))
        if labels.ndim > 1:
            labels = labels.argmax(axis=-1) if labels.shape[-1] != 1 else labels[..., 0]
        labels = np.round(labels).astype(np.int64)
        table = {int(k): float(v) for k, v in class_weight.items()}
        return np.array([table.get(int(c), 1.0) for c in labels.reshape(len(labels), -1)[:, 0]],
                        dtype=np.float32)
    if sample_weight is None:
        return None
    weights = as_array(who, name, sample_weight)
    if len(weights) != len(raw_array(y)):
        raise ValueError(f"{who}: {name} has {len(weights)} entries but y has "
                         f"{len(raw_array(y))} samples")
    check_finite(who, name, weights)
    return weights


