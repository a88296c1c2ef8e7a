"""Error messages that say what an op or ``Tensor()`` got and what it accepts."""

from __future__ import annotations

from typing import Any

import numpy as np

from backends import is_device_array

NUMERIC_KINDS = "biufc"  # bool, signed and unsigned ints, floats, complex
_INT64 = (-(2**63), 2**64 - 1)  # what NumPy can hold in int64 or uint64
ALL_NUMBERS = object()  # what _first_non_number finds in data that is all numbers


def describe(value: Any) -> str:
    """A short description of ``value`` for an error message: its type and a clipped repr."""
    from .tensor import Tensor  # (tensor.py imports this module)

    if value is None:
        return "None"
    if isinstance(value, Tensor):
        return f"a {value.dtype} Tensor of shape {tuple(value.shape)}"
    if isinstance(value, np.ndarray) or is_device_array(value):
        kind = type(value)
        return f"{kind.__module__}.{kind.__name__} of dtype {value.dtype} and shape {value.shape}"
    text = repr(value)
    if len(text) > 40:
        text = text[:37] + "..."
    return f"{type(value).__name__} {text}"


def not_a_tensor(op: str, value: Any) -> TypeError:
    return TypeError(
        f"{op}: expected a Tensor, got {describe(value)}; wrap data in autograd.Tensor(...) first"
    )


def not_numbers(op: str, data: Any, error: Exception | None = None) -> Exception:
    """The error for ``data`` that NumPy could not turn into numbers (or turned into strings
    or objects): a TypeError naming what it holds, a ValueError for integers too large for
    64 bits, or ``error`` itself when the data is fine and something else went wrong."""
    bad = _first_non_number(data)
    expected = "a number, a (nested) list or tuple of numbers, an array or a Tensor"
    if bad is ALL_NUMBERS:
        if isinstance(error, ValueError) and "inhomogeneous" in str(error):
            return TypeError(
                f"{op}: expected {expected}; got a ragged {type(data).__name__} (nested "
                f"sequences of different lengths): {describe(data)}"
            )
        if error is not None:
            return error
        return TypeError(f"{op}: expected {expected}; got {describe(data)}")
    if type(bad) is int:
        return ValueError(
            f"{op}: the integer {bad} does not fit in 64 bits; give the data as floats"
        )
    held = "" if bad is data else f", which holds {describe(bad)}"
    return TypeError(f"{op}: expected {expected}; got {describe(data)}{held}")


def _first_non_number(data: Any, depth: int = 0, big_ints: bool = False) -> Any:
    """The first element of ``data`` that is not a number (an int beyond 64 bits counts,
    unless ``big_ints``), ``data`` itself if it is not a number or a sequence, or
    ``ALL_NUMBERS``."""
    from .tensor import Tensor

    kind = type(data)
    if kind is int:
        return ALL_NUMBERS if big_ints or _INT64[0] <= data <= _INT64[1] else data
    if kind is bool or kind is float or kind is complex or isinstance(data, Tensor):
        return ALL_NUMBERS
    if isinstance(data, np.generic | np.ndarray) or is_device_array(data):
        return ALL_NUMBERS if data.dtype.kind in NUMERIC_KINDS else data
    if kind is list or kind is tuple:
        if depth > 64:
            return data
        for item in data:
            bad = _first_non_number(item, depth + 1, big_ints)
            if bad is not ALL_NUMBERS:
                return bad
        return ALL_NUMBERS
    return data
