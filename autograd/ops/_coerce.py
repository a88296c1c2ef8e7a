"""Turning the non-tensor operand of an op (a Python number, an array) into a constant tensor.

The rules keep float32 arithmetic in float32: a Python number (or a NumPy scalar,
or a 0-d array, as PyTorch treats 0-d tensors) takes the dtype of the tensor it
meets, and integer or boolean arrays meeting a floating tensor are cast to its
dtype (NumPy alone would promote int64 + float32 to float64). Integer tensors
entering ops that only make sense in floating point (exp, log, mean, true
division...) become the default float dtype, never float64.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from backends import backend_of, device_of, is_device_array

from .._errors import NUMERIC_KINDS, describe, not_a_tensor, not_numbers
from ..defaults import _Defaults
from ..grad_mode import _GradMode
from ..tensor import Tensor, _wrap

_PY_NUMBERS = (bool, int, float)


def lift(value: Any, like: Tensor, op: str = "op") -> Tensor:
    """``value`` as a constant tensor on ``like``'s device, not widening ``like``'s dtype.

    Device rules, as in PyTorch: Python numbers, NumPy scalars and 0-d arrays are scalars
    and go anywhere. Python lists and NumPy arrays are data written in the program: they
    are copied to ``like``'s device once. An array already on another device is an error.
    Anything that is not numbers (strings, None, dicts, ragged lists, object arrays) is a
    ``TypeError`` naming ``op`` and what it got.
    """
    if isinstance(value, Tensor):
        return value
    if (
        isinstance(value, np.generic | np.ndarray)
        and value.ndim == 0
        and value.dtype.kind in "biuf"
    ):
        # NumPy scalars and 0-d arrays (np.sqrt(2.0), np.float64(0.5)) behave like Python
        # numbers, as in PyTorch: float32 * np.float64 stays float32 (NumPy 2 would widen it).
        value = value.item()
    data = like.array
    dtype = data.dtype
    if type(value) in _PY_NUMBERS:
        try:
            if dtype.kind == "f" or (dtype.kind in "iu" and type(value) is not float):
                return _wrap(_constant(data, value, dtype))
            if type(value) is float:
                return _wrap(_constant(data, value, _Defaults.dtype))
            return _wrap(_constant(data, value, np.asarray(value).dtype))
        except OverflowError:  # 2**70 next to an int64 tensor, 2**1100 next to a float one
            raise ValueError(
                f"{op}: the number {value!r:.40} does not fit in the tensor's dtype {dtype}"
            ) from None
    original = value
    if isinstance(value, np.generic):
        value = np.asarray(value)
    if not isinstance(value, np.ndarray) and not is_device_array(value):
        try:
            value = np.asarray(value)  # a list: host data, moved to the device below
        except (ValueError, TypeError, OverflowError) as error:
            raise not_numbers(op, original, error) from None
        if value.dtype.kind == "f":
            value = value.astype(dtype if dtype.kind == "f" else _Defaults.dtype)
    if value.dtype.kind not in NUMERIC_KINDS:
        raise not_numbers(op, original)
    if isinstance(value, np.ndarray) and not isinstance(data, np.ndarray):
        value = backend_of(data).from_host(value)  # host data written in the program
    elif type(value) is not type(data) or (
        not isinstance(data, np.ndarray) and value.device != data.device
    ):
        raise RuntimeError(
            f"{op}: expected all operands on one device, found {device_of(data)} and "
            f"{device_of(value)}; move them first (nothing is copied silently)"
        )
    if dtype.kind == "f" and (
        value.dtype.kind in "biu" or (value.ndim == 0 and value.dtype.kind == "f")
    ):
        value = value.astype(dtype)  # a 0-d device array is a scalar too: no widening
    return _wrap(value)


def operands(a: Any, b: Any, op: str = "op") -> tuple[Tensor, Tensor]:
    """Both operands of a binary op as tensors; integer tensors meeting floats are cast.

    A 0-d tensor on the host next to a device tensor is moved to that device (PyTorch
    treats it as a scalar); a host tensor with more dimensions is an error (raised by
    the op, naming both devices). At least one operand must be a Tensor.
    """
    if isinstance(a, Tensor):
        b = lift(b, a, op)
    elif isinstance(b, Tensor):
        a = lift(a, b, op)
    else:
        raise TypeError(
            f"{op}: expected at least one Tensor operand, got {describe(a)} and {describe(b)}"
        )
    if type(a.array) is not type(b.array):
        a, b = _scalar_to_device(a, b)
    ka, kb = a.array.dtype.kind, b.array.dtype.kind
    if ka != kb:
        if ka == "f" and kb in "biu":
            b = _wrap(b.array.astype(a.array.dtype))
        elif kb == "f" and ka in "biu":
            a = _wrap(a.array.astype(b.array.dtype))
    return a, b


def _scalar_to_device(a: Tensor, b: Tensor) -> tuple[Tensor, Tensor]:
    from .elementwise import to_device  # differentiable: the gradient returns to the host

    if a.array.ndim == 0 and isinstance(a.array, np.ndarray):
        return to_device(a, b.device), b
    if b.array.ndim == 0 and isinstance(b.array, np.ndarray):
        return a, to_device(b, a.device)
    return a, b


def floating(x: Tensor, op: str = "op") -> Tensor:
    """``x`` itself if floating, else its values in the default float dtype (float32).

    For ops defined only on real numbers (exp, log, mean, ...): integer labels or
    boolean masks fed to them give float32, as in PyTorch, not NumPy's float64.
    """
    try:  # free when x is a Tensor; a list or an array (no .array) fails
        kind = x.array.dtype.kind
    except AttributeError:
        raise not_a_tensor(op, x) from None
    if kind in "fc":
        return x
    return _wrap(x.array.astype(_Defaults.dtype))


def tensor_arg(x: Any, op: str) -> Tensor:
    """``x`` if it is a Tensor, else a TypeError naming ``op`` (as PyTorch's ops refuse
    lists and arrays where a tensor is expected)."""
    if isinstance(x, Tensor):
        return x
    raise not_a_tensor(op, x)


def _constant(like: Any, value: Any, dtype: Any) -> Any:
    """A 0-d array holding ``value`` on ``like``'s device (filled there, not copied over)."""
    if isinstance(like, np.ndarray):
        return np.asarray(value, dtype=dtype)
    return backend_of(like).constant(value, dtype)


def into(out: Tensor | None, result: Tensor) -> Tensor:
    """PyTorch's ``out=``: ``result`` written into ``out`` (resized if its shape differs),
    and ``out`` returned. Not differentiable, as in PyTorch."""
    if out is None:
        return result
    if (result.requires_grad or out.requires_grad) and _GradMode.enabled:
        raise RuntimeError(
                "functions with out=... arguments don't support automatic differentiation, "
                "but one of the arguments requires grad"
            )
    if out.array.shape == result.array.shape and type(out.array) is type(result.array):
        out.array[...] = result.array
    else:
        out.array = result.array.astype(out.array.dtype, copy=False)
    out._version += 1
    return out
