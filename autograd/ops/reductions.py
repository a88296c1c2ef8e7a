"""Reductions: sum, mean, prod, max, min, var, std over an axis, a tuple of axes, or
everything; argmax and argmin; and the running sum, cumsum.

Each takes PyTorch's spelling, ``sum(input, dim=None, keepdim=False)``, and NumPy's and
Keras', ``sum(x, axis=None, keepdims=False)``.
"""

from __future__ import annotations

from collections import namedtuple
from typing import Any

import numpy as np

from backends import get_array_module

from ..function import Function
from ..tensor import Tensor, _compared, _wrap
from ._coerce import describe, floating, not_a_tensor
from .elementwise import abs, astype, maximum, minimum, sqrt, where
from .indexing import GetItem
from .selection import along_index
from .shape import broadcast_to, reshape, squeeze

Axis = int | tuple[int, ...] | None

# What ``max(input, dim)`` and ``min(input, dim)`` return, as PyTorch's ``torch.return_types``.
MaxResult = namedtuple("max", ["values", "indices"])
MinResult = namedtuple("min", ["values", "indices"])


def _dim(dim: Any, keepdim: bool, axis: Any, keepdims: bool | None, op: str) -> tuple[Any, bool]:
    """One axis argument and one keep flag from PyTorch's and NumPy's spellings."""
    if axis is not None:
        if dim is not None:
            raise TypeError(f"{op}: give dim or axis, not both")
        dim = axis
    return dim, bool(keepdim if keepdims is None else keepdims)


def _normalize_axis(axis: Any, x: Tensor, op: str) -> tuple[int, ...] | None:
    """``axis`` (an int, a sequence of ints or None) as sorted-free non-negative axes of
    ``x``; ``x`` must be a Tensor and the axes ints in range, else a clear error."""
    if not isinstance(x, Tensor):
        raise not_a_tensor(op, x)
    if axis is None:
        return None
    ndim = x.ndim
    if isinstance(axis, int | np.integer) and not isinstance(axis, bool | np.bool_):
        axes = (axis,)
    else:
        axes = tuple(axis) if isinstance(axis, list | tuple | range) else (axis,)
    out = []
    for a in axes:
        if not isinstance(a, int | np.integer) or isinstance(a, bool | np.bool_):
            raise TypeError(
                f"{op}: axis must be an int, a tuple of ints or None, got {describe(axis)}"
            )
        if ndim == 0:  # as PyTorch: axis 0 or -1 of a 0-d tensor means the whole tensor
            if a not in (0, -1):
                raise ValueError(f"{op}: axis {a} is out of range for a 0-d tensor")
            continue
        if not -ndim <= a < ndim:
            raise ValueError(f"{op}: axis {a} is out of range for a tensor with {ndim} dimensions")
        out.append(int(a) % ndim)
    if len(set(out)) != len(out):
        raise ValueError(f"{op}: repeated axis in {axis}")
    return tuple(out) if ndim else None


def _keepdims_shape(shape: tuple[int, ...], axes: tuple[int, ...] | None) -> tuple[int, ...]:
    if axes is None:
        return (1,) * len(shape)
    return tuple(1 if i in axes else n for i, n in enumerate(shape))


class _Reduction(Function):
    __slots__ = ("axis", "keepdims")

    def __init__(self, axis: tuple[int, ...] | None, keepdims: bool) -> None:
        self.axis = axis
        self.keepdims = keepdims

    def _grad_to_input(self, gy: Tensor) -> Tensor:
        """gy reshaped with the reduced axes kept, then broadcast over the input."""
        shape = self.inputs[0].array.shape
        if not self.keepdims:
            gy = reshape(gy, _keepdims_shape(shape, self.axis))
        return broadcast_to(gy, shape)


class Sum(_Reduction):
    """y = sum of x over ``axis``;  dy/dx = 1 for every summed element."""

    __slots__ = ()

    def forward(self, x):
        return x.sum(axis=self.axis, keepdims=self.keepdims)

    def backward(self, gy):
        return self._grad_to_input(gy)


class Mean(_Reduction):
    """y = mean of x over ``axis`` (n elements);  dy/dx = 1/n."""

    __slots__ = ()
    _shares_seed = True  # its backward makes a new array from gy

    def forward(self, x):
        return x.mean(axis=self.axis, keepdims=self.keepdims)

    def backward(self, gy):
        shape = self.inputs[0].array.shape
        n = 1
        for i in range(len(shape)) if self.axis is None else self.axis:
            n *= shape[i]
        # n = 0 only when the input is empty, and so is its gradient: any factor will do
        return self._grad_to_input(gy) * (1.0 / n if n else 0.0)


class _Extreme(_Reduction):
    """Max or min: the gradient goes to the extreme elements, split evenly between ties."""

    __slots__ = ()

    def backward(self, gy):
        x = self.inputs[0].array
        y = self.output().array
        if not self.keepdims:
            y = y.reshape(_keepdims_shape(x.shape, self.axis))
        hit = (x == y).astype(x.dtype)
        share = hit / hit.sum(axis=self.axis, keepdims=True)
        return self._grad_to_input(gy) * _wrap(share)


class Max(_Extreme):
    """y = max of x over ``axis``."""

    __slots__ = ()

    def forward(self, x):
        if x.size == 0:
            raise ValueError("max: cannot reduce an empty tensor")
        return x.max(axis=self.axis, keepdims=self.keepdims)


class Min(_Extreme):
    """y = min of x over ``axis``."""

    __slots__ = ()

    def forward(self, x):
        if x.size == 0:
            raise ValueError("min: cannot reduce an empty tensor")
        return x.min(axis=self.axis, keepdims=self.keepdims)


class Prod(_Reduction):
    """y = product of x over ``axis``;  dy/dx_i = the product of the other elements.

    The products of the others are exact where x holds zeros (not y / x_i): each is a
    prefix product times a suffix product (``_ProdOthers``).
    """

    __slots__ = ()

    def forward(self, x):
        return x.prod(axis=self.axis, keepdims=self.keepdims)

    def backward(self, gy):
        return self._grad_to_input(gy) * _ProdOthers(self.axis)(self.inputs[0])


class _ProdOthers(Function):
    """For each element, the product of the other elements of its group (the elements
    ``Prod`` multiplies together): the exclusive prefix product times the exclusive
    suffix product, over the group's axes moved last and flattened."""

    __slots__ = ("axis",)

    def __init__(self, axis: tuple[int, ...] | None) -> None:
        self.axis = axis

    def forward(self, x):
        xp = get_array_module(x)
        axes = tuple(range(x.ndim)) if self.axis is None else self.axis
        rest = [i for i in range(x.ndim) if i not in axes]
        moved = xp.transpose(x, rest + list(axes))
        kept_shape = moved.shape[: len(rest)]
        flat = moved.reshape(kept_shape + (-1,))
        ones = xp.ones(kept_shape + (1,), dtype=x.dtype)
        before = xp.cumprod(xp.concatenate([ones, flat[..., :-1]], axis=-1), axis=-1)
        after = xp.flip(xp.cumprod(xp.flip(xp.concatenate([flat[..., 1:], ones], axis=-1),
                                           axis=-1), axis=-1), axis=-1)  # fmt: skip
        others = (before * after).reshape(moved.shape)
        return xp.transpose(others, tuple(int(i) for i in np.argsort(rest + list(axes))))

    def backward(self, gy):
        raise RuntimeError(
            "prod: second derivatives are not implemented (create_graph=True through prod)"
        )


class Cumsum(Function):
    """y_i = x_0 + ... + x_i along ``axis`` (``reverse``: x_i + ... + x_last);
    dL/dx is the running sum of dL/dy in the other direction."""

    __slots__ = ("axis", "reverse")

    def __init__(self, axis: int, reverse: bool = False) -> None:
        self.axis, self.reverse = axis, reverse

    def forward(self, x):
        xp = get_array_module(x)
        if self.reverse:
            return xp.flip(xp.cumsum(xp.flip(x, self.axis), axis=self.axis), self.axis)
        return xp.cumsum(x, axis=self.axis)

    def backward(self, gy):
        return Cumsum(self.axis, not self.reverse)(gy)


def sum(  # noqa: A001
    input: Tensor, dim: Axis = None, keepdim: bool = False, *, dtype: Any = None,
    axis: Axis = None, keepdims: bool | None = None,
) -> Tensor:  # fmt: skip
    """y = sum of x over ``dim`` (an int, a tuple of ints, or None for all);
    dy/dx = 1 for every summed element. ``dtype`` casts the input first."""
    dim, keepdim = _dim(dim, keepdim, axis, keepdims, "sum")
    if dtype is not None:
        input = astype(input, dtype)
    return Sum(_normalize_axis(dim, input, "sum"), keepdim)(input)


def mean(
    input: Tensor, dim: Axis = None, keepdim: bool = False, *, dtype: Any = None,
    axis: Axis = None, keepdims: bool | None = None,
) -> Tensor:  # fmt: skip
    """y = mean of x over ``dim`` (n elements); dy/dx = 1/n.

    Integer input gives the default float dtype; the mean over no elements is nan.
    """
    dim, keepdim = _dim(dim, keepdim, axis, keepdims, "mean")
    if dtype is not None:
        input = astype(input, dtype)
    return Mean(_normalize_axis(dim, input, "mean"), keepdim)(floating(input, "mean"))


def prod(
    input: Tensor, dim: Axis = None, keepdim: bool = False, *, dtype: Any = None,
    axis: Axis = None, keepdims: bool | None = None,
) -> Tensor:  # fmt: skip
    """y = product of x over ``dim`` (an int, a tuple of ints, or None for all);
    dy/dx_i = the product of the other elements (exact where x holds zeros)."""
    dim, keepdim = _dim(dim, keepdim, axis, keepdims, "prod")
    if dtype is not None:
        input = astype(input, dtype)
    return Prod(_normalize_axis(dim, input, "prod"), keepdim)(input)


def cumsum(input: Tensor, dim: int | None = None, *, dtype: Any = None,
           axis: int | None = None) -> Tensor:  # fmt: skip
    """The running sum along ``dim``: y_i = x_0 + ... + x_i;  dL/dx_i = dL/dy_i + ... +
    dL/dy_last. Integer and boolean input give int64, as PyTorch."""
    dim, _ = _dim(dim, False, axis, None, "cumsum")
    if dim is None:
        raise TypeError("cumsum: give the axis to sum along (dim=...)")
    if dtype is not None:
        input = astype(input, dtype)
    elif input.array.dtype.kind in "biu":
        input = astype(input, np.int64)
    (axis,) = _normalize_axis(dim, input, "cumsum") or (None,)
    if axis is None:  # a 0-d tensor: its one element
        return input * 1
    return Cumsum(axis)(input)


def _extreme(
    input: Tensor, dim: Any, keepdim: bool, axis: Any, keepdims: bool | None, op: str
) -> Any:
    if isinstance(dim, Tensor):  # max(a, b): elementwise, as torch.max(input, other)
        return (maximum if op == "max" else minimum)(input, dim)
    if axis is None and keepdims is None and dim is not None and not isinstance(dim, tuple):
        return _along(input, int(dim), keepdim, op)  # PyTorch's (values, indices)
    dim, keepdim = _dim(dim, keepdim, axis, keepdims, op)
    cls = Max if op == "max" else Min
    return cls(_normalize_axis(dim, input, op), keepdim)(input)


def max(  # noqa: A001
    input: Tensor, dim: Any = None, keepdim: bool = False, *, axis: Axis = None,
    keepdims: bool | None = None,
) -> Any:  # fmt: skip
    """The maximum, in PyTorch's three forms and NumPy's:

    * ``max(x)``: the overall maximum (ties share the gradient evenly);
    * ``max(x, dim, keepdim=False)`` with an int ``dim``: ``(values, indices)`` along
      ``dim``, a named tuple; the gradient goes to the element at ``indices``;
    * ``max(x, other)``: the elementwise maximum of two tensors (``maximum``);
    * ``max(x, axis=..., keepdims=...)`` (axis an int or a tuple): the values only
      (as ``amax``; ties share the gradient evenly).
    """
    return _extreme(input, dim, keepdim, axis, keepdims, "max")


def min(  # noqa: A001
    input: Tensor, dim: Any = None, keepdim: bool = False, *, axis: Axis = None,
    keepdims: bool | None = None,
) -> Any:  # fmt: skip
    """The minimum, in the forms of ``max``."""
    return _extreme(input, dim, keepdim, axis, keepdims, "min")


def amax(input: Tensor, dim: Axis = None, keepdim: bool = False) -> Tensor:
    """y = max of x over ``dim`` (an int, a tuple or None); ties share the gradient evenly."""
    return Max(_normalize_axis(dim, input, "amax"), keepdim)(input)


def amin(input: Tensor, dim: Axis = None, keepdim: bool = False) -> Tensor:
    """y = min of x over ``dim``; ties share the gradient evenly."""
    return Min(_normalize_axis(dim, input, "amin"), keepdim)(input)


def _along(x: Tensor, dim: int, keepdim: bool, op: str) -> Any:
    """(values, indices) of the extreme along one axis: values = x[..., indices, ...],
    taken by indexing so the gradient goes to the chosen element only (as PyTorch)."""
    (axis,) = _normalize_axis(dim, x, op) or (None,)
    data = x.array
    result = MaxResult if op == "max" else MinResult
    if axis is None:  # a 0-d tensor: its one element
        xp = get_array_module(data)
        return result(x[...], _wrap(xp.zeros((), dtype=xp.int64)))
    if data.shape[axis] == 0:
        raise ValueError(f"{op}: cannot reduce an empty axis")
    chosen = (data.argmax if op == "max" else data.argmin)(axis=axis, keepdims=True)
    values = GetItem(along_index(chosen, axis))(x)  # the gradient goes to the chosen ones
    indices = _compared(chosen)
    if not keepdim:
        values, indices = squeeze(values, axis), squeeze(indices, axis)
    return result(values, indices)


def argmax(
    input: Tensor, dim: int | None = None, keepdim: bool = False, *, axis: int | None = None,
    keepdims: bool | None = None,
) -> Tensor:  # fmt: skip
    """Indices (int64) of the maxima along ``dim``, or into the flattened tensor when
    ``dim`` is None; the first one on ties. Not differentiable."""
    dim, keepdim = _dim(dim, keepdim, axis, keepdims, "argmax")
    return _compared(input.array.argmax(axis=dim, keepdims=keepdim))


def argmin(
    input: Tensor, dim: int | None = None, keepdim: bool = False, *, axis: int | None = None,
    keepdims: bool | None = None,
) -> Tensor:  # fmt: skip
    """Indices (int64) of the minima along ``dim`` (see ``argmax``). Not differentiable."""
    dim, keepdim = _dim(dim, keepdim, axis, keepdims, "argmin")
    return _compared(input.array.argmin(axis=dim, keepdims=keepdim))


def var(
    input: Tensor, dim: Any = None, unbiased: bool | None = None, keepdim: bool = False, *,
    correction: float | None = None, axis: Axis = None, keepdims: bool | None = None,
    ddof: float | None = None,
) -> Tensor:  # fmt: skip
    """Variance over ``dim``: sum((x - mean)**2) / (n - correction);
    d var / dx_i = 2 (x_i - mean) / (n - correction).

    The correction follows the spelling, as each library defaults: PyTorch's
    (``var(x)``, ``var(x, dim)``, ``unbiased=``, ``correction=``) is the unbiased
    estimate, correction 1; NumPy's and Keras' (``axis=`` or ``ddof=``) the population
    variance, ddof 0, unless ``ddof`` says otherwise.
    """
    if isinstance(dim, bool):  # var(x, unbiased): PyTorch's older form
        dim, unbiased = None, dim
    numpy_spelling = axis is not None or ddof is not None
    dim, keepdim = _dim(dim, keepdim, axis, keepdims, "var")
    given = [c for c in (correction, ddof, None if unbiased is None else int(unbiased))
             if c is not None]  # fmt: skip
    if len(given) > 1:
        raise TypeError("var: give one of unbiased, correction and ddof")
    c = given[0] if given else (0 if numpy_spelling else 1)
    x = floating(input, "var")
    axes = _normalize_axis(dim, x, "var")
    shape = x.array.shape
    n = 1
    for i in range(len(shape)) if axes is None else axes:
        n *= shape[i]
    centered = x - mean(x, axes, keepdim=True)
    return sum(centered * centered, axes, keepdim) * (1.0 / (n - c) if n != c else float("nan"))


def std(
    input: Tensor, dim: Any = None, unbiased: bool | None = None, keepdim: bool = False, *,
    correction: float | None = None, axis: Axis = None, keepdims: bool | None = None,
    ddof: float | None = None,
) -> Tensor:  # fmt: skip
    """Standard deviation, sqrt(var) (same arguments and corrections as ``var``);
    d std / dx_i = (x_i - mean) / ((n - correction) std)."""
    return sqrt(
        var(input, dim, unbiased, keepdim, correction=correction, axis=axis, keepdims=keepdims,
            ddof=ddof)  # fmt: skip
    )


class _L2Norm(_Reduction):
    """y = sqrt(sum of x**2 over ``axis``);  dy/dx = x / y (0 where y = 0, as PyTorch)."""

    __slots__ = ()

    def forward(self, x):
        return get_array_module(x).sqrt((x * x).sum(axis=self.axis, keepdims=self.keepdims))

    def backward(self, gy):
        x = self.inputs[0]
        y = self.output()
        if not self.keepdims:
            y = reshape(y, _keepdims_shape(x.array.shape, self.axis))
        zero = y.array == 0
        inverse = where(zero, 0.0, 1 / where(zero, 1.0, y))
        return self._grad_to_input(gy) * x * inverse


def norm(
    input: Tensor, p: Any = "fro", dim: Axis = None, keepdim: bool = False, dtype: Any = None
) -> Tensor:  # fmt: skip
    """The p-norm over ``dim`` (all elements when None), as ``torch.norm``/``Tensor.norm``:
    p = 2 or "fro": sqrt(sum x**2) (gradient x / norm, 0 at the origin); p = 1: sum |x|;
    p = inf: max |x|; other p: (sum |x|**p)**(1/p)."""
    x = floating(input if dtype is None else astype(input, dtype), "norm")
    axes = _normalize_axis(dim, x, "norm")
    if p in ("fro", 2, 2.0):
        return _L2Norm(axes, bool(keepdim))(x)
    if p in (1, 1.0):
        return sum(abs(x), axes, keepdim)
    if p == float("inf"):
        return Max(axes, bool(keepdim))(abs(x))
    return sum(abs(x) ** p, axes, keepdim) ** (1.0 / p)


# the ops this family adds to ``autograd`` (and ``autograd.ops``)
__all__ = [
    "amax", "amin", "argmax", "argmin", "cumsum", "max", "MaxResult", "mean", "min", "MinResult",
    "norm", "prod", "std", "sum", "var",
]  # fmt: skip
