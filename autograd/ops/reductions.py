"""Reductions: sum, mean, max, min, var over an axis, a tuple of axes, or everything."""

from __future__ import annotations

from typing import Any

import numpy as np

from ..function import Function
from ..tensor import Tensor, _wrap
from ._coerce import describe, floating, not_a_tensor
from .shape import broadcast_to, reshape

Axis = int | tuple[int, ...] | None


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
        shape = self.inputs[0].data.shape
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

    def forward(self, x):
        return x.mean(axis=self.axis, keepdims=self.keepdims)

    def backward(self, gy):
        shape = self.inputs[0].data.shape
        n = 1
        for i in range(len(shape)) if self.axis is None else self.axis:
            n *= shape[i]
        # n = 0 only when the input is empty, and so is its gradient: any factor will do
        return self._grad_to_input(gy) * (1.0 / n if n else 0.0)


class _Extreme(_Reduction):
    """Max or min: the gradient goes to the extreme elements, split evenly between ties."""

    __slots__ = ()

    def backward(self, gy):
        x = self.inputs[0].data
        y = self.output().data
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


def sum(x: Tensor, axis: Axis = None, keepdims: bool = False) -> Tensor:  # noqa: A001
    """Sum over ``axis`` (an int, a tuple of ints, or None for all)."""
    return Sum(_normalize_axis(axis, x, "sum"), keepdims)(x)


def mean(x: Tensor, axis: Axis = None, keepdims: bool = False) -> Tensor:
    """Mean over ``axis`` (an int, a tuple of ints, or None for all).

    Integer input gives the default float dtype; the mean over no elements is nan.
    """
    return Mean(_normalize_axis(axis, x, "mean"), keepdims)(floating(x, "mean"))


def max(x: Tensor, axis: Axis = None, keepdims: bool = False) -> Tensor:  # noqa: A001
    """Maximum over ``axis``; ties share the gradient evenly."""
    return Max(_normalize_axis(axis, x, "max"), keepdims)(x)


def min(x: Tensor, axis: Axis = None, keepdims: bool = False) -> Tensor:  # noqa: A001
    """Minimum over ``axis``; ties share the gradient evenly."""
    return Min(_normalize_axis(axis, x, "min"), keepdims)(x)


def var(x: Tensor, axis: Axis = None, keepdims: bool = False, ddof: int = 0) -> Tensor:
    """Variance over ``axis``: sum((x - mean)**2) / (n - ddof).

    ``ddof=0`` (NumPy's and Keras' default) is the population variance; ``ddof=1``
    is PyTorch's default unbiased estimate. d var / dx_i = 2 (x_i - mean) / (n - ddof).
    """
    x = floating(x, "var")
    axes = _normalize_axis(axis, x, "var")
    shape = x.data.shape
    n = 1
    for i in range(len(shape)) if axes is None else axes:
        n *= shape[i]
    centered = x - mean(x, axes, keepdims=True)
    return sum(centered * centered, axes, keepdims) * (1.0 / (n - ddof))
