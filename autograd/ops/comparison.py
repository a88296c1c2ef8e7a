"""Comparisons and logic: eq, ne, lt, le, gt, ge, logical_and/or/xor/not, isnan, isinf,
isfinite, all, any, count_nonzero, equal, isclose, allclose.

None is differentiable (as in PyTorch): each gives a boolean (or integer) tensor outside
the graph. The comparison functions are the operators ``==``, ``<``... as functions
(``torch.eq(pred, y)``); a number, a list or a tensor may stand on the right.
"""

from __future__ import annotations

from typing import Any

from backends import get_array_module

from ..tensor import Tensor, _comparand, _compared, _wrap
from ._coerce import describe, tensor_arg


def _compare(op: str, method: str, input: Tensor, other: Any) -> Tensor:
    result = getattr(tensor_arg(input, op), method)(other)
    if result is NotImplemented:
        raise TypeError(f"{op}: cannot compare a tensor with {describe(other)}")
    return result


def eq(input: Tensor, other: Any) -> Tensor:
    """input == other, elementwise (broadcasting)."""
    return _compare("eq", "__eq__", input, other)


def ne(input: Tensor, other: Any) -> Tensor:
    """input != other, elementwise."""
    return _compare("ne", "__ne__", input, other)


def lt(input: Tensor, other: Any) -> Tensor:
    """input < other, elementwise."""
    return _compare("lt", "__lt__", input, other)


def le(input: Tensor, other: Any) -> Tensor:
    """input <= other, elementwise."""
    return _compare("le", "__le__", input, other)


def gt(input: Tensor, other: Any) -> Tensor:
    """input > other, elementwise."""
    return _compare("gt", "__gt__", input, other)


def ge(input: Tensor, other: Any) -> Tensor:
    """input >= other, elementwise."""
    return _compare("ge", "__ge__", input, other)


# PyTorch's longer names for the same functions
greater, greater_equal, less, less_equal, not_equal = gt, ge, lt, le, ne


def _logical(op: str, input: Tensor, other: Any) -> Tensor:
    input = tensor_arg(input, op)
    raw = _comparand(other, input, op)
    if raw is None:
        raise TypeError(f"{op}: expected a tensor or numbers, got {describe(other)}")
    return _compared(getattr(get_array_module(input.array), op)(input.array, raw))


def logical_and(input: Tensor, other: Any) -> Tensor:
    """True where both are nonzero."""
    return _logical("logical_and", input, other)


def logical_or(input: Tensor, other: Any) -> Tensor:
    """True where either is nonzero."""
    return _logical("logical_or", input, other)


def logical_xor(input: Tensor, other: Any) -> Tensor:
    """True where exactly one is nonzero."""
    return _logical("logical_xor", input, other)


def logical_not(input: Tensor) -> Tensor:
    """True where the element is zero."""
    input = tensor_arg(input, "logical_not")
    return _compared(get_array_module(input.array).logical_not(input.array))


def isnan(input: Tensor) -> Tensor:
    """True where the element is NaN."""
    input = tensor_arg(input, "isnan")
    return _compared(get_array_module(input.array).isnan(input.array))


def isinf(input: Tensor) -> Tensor:
    """True where the element is +inf or -inf."""
    input = tensor_arg(input, "isinf")
    return _compared(get_array_module(input.array).isinf(input.array))


def isfinite(input: Tensor) -> Tensor:
    """True where the element is neither infinite nor NaN."""
    input = tensor_arg(input, "isfinite")
    return _compared(get_array_module(input.array).isfinite(input.array))


def all(input: Tensor, dim: Any = None, keepdim: bool = False) -> Tensor:  # noqa: A001
    """True where every element (along ``dim``) is nonzero."""
    return tensor_arg(input, "all").all(dim, keepdim)


def any(input: Tensor, dim: Any = None, keepdim: bool = False) -> Tensor:  # noqa: A001
    """True where some element (along ``dim``) is nonzero."""
    return tensor_arg(input, "any").any(dim, keepdim)


def count_nonzero(input: Tensor, dim: Any = None) -> Tensor:
    """How many elements (along ``dim``) are nonzero, as an int64 tensor."""
    input = tensor_arg(input, "count_nonzero")
    xp = get_array_module(input.array)
    dim = tuple(dim) if isinstance(dim, list) else dim
    return _compared(xp.asarray(xp.count_nonzero(input.array, axis=dim), dtype=xp.int64))


def equal(input: Tensor, other: Tensor) -> bool:
    """True if both tensors have the same shape and the same elements."""
    return input.shape == other.shape and bool((input.array == _raw(other)).all())


def isclose(input: Tensor, other: Any, rtol: float = 1e-5, atol: float = 1e-8,
            equal_nan: bool = False) -> Tensor:  # fmt: skip
    """Elementwise |input - other| <= atol + rtol |other| (a boolean tensor)."""
    xp = get_array_module(input.array)
    return _wrap(xp.asarray(xp.isclose(input.array, _raw(other), rtol, atol, equal_nan)))


def allclose(input: Tensor, other: Any, rtol: float = 1e-5, atol: float = 1e-8,
             equal_nan: bool = False) -> bool:  # fmt: skip
    """True if every element satisfies ``isclose``."""
    return bool(isclose(input, other, rtol, atol, equal_nan).array.all())


def _raw(value: Any) -> Any:
    return value.array if isinstance(value, Tensor) else value


# the ops this family adds to ``autograd`` (and ``autograd.ops``)
__all__ = [
    "all", "allclose", "any", "count_nonzero", "eq", "equal", "ge", "greater",
    "greater_equal", "gt", "isclose", "isfinite", "isinf", "isnan", "le", "less", "less_equal",
    "logical_and", "logical_not", "logical_or", "logical_xor", "lt", "ne", "not_equal",
]  # fmt: skip
