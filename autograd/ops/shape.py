"""Ops that move values around without arithmetic: reshape, transpose, broadcast, concat, stack."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from backends import get_array_module

from ..function import Function
from ..tensor import Tensor
from ._coerce import describe, not_a_tensor, tensor_arg


class Reshape(Function):
    """y = x viewed with another shape;  the gradient is reshaped back."""

    __slots__ = ("shape",)

    def __init__(self, shape: tuple[int, ...]) -> None:
        self.shape = shape

    def forward(self, x):
        return x.reshape(self.shape)

    def backward(self, gy):
        return reshape(gy, self.inputs[0].data.shape)


class Transpose(Function):
    """y = x with permuted axes;  the gradient is permuted back by the inverse permutation."""

    __slots__ = ("axes",)

    def __init__(self, axes: tuple[int, ...] | None) -> None:
        self.axes = axes

    def forward(self, x):
        return x.transpose(self.axes)

    def backward(self, gy):
        if self.axes is None:
            return transpose(gy)
        return transpose(gy, tuple(int(i) for i in np.argsort(self.axes)))


class BroadcastTo(Function):
    """y = x repeated along broadcast axes;  dL/dx = dL/dy summed over those axes."""

    __slots__ = ("shape",)

    @property
    def name(self) -> str:
        return "broadcast_to"

    def __init__(self, shape: tuple[int, ...]) -> None:
        self.shape = shape

    def forward(self, x):
        return get_array_module(x).broadcast_to(x, self.shape)

    def backward(self, gy):
        return sum_to(gy, self.inputs[0].data.shape)


class SumTo(Function):
    """y = x summed down to ``shape`` (undoes broadcasting);  dL/dx = dL/dy broadcast back."""

    __slots__ = ("shape",)

    @property
    def name(self) -> str:
        return "sum_to"

    def __init__(self, shape: tuple[int, ...]) -> None:
        self.shape = shape

    def forward(self, x):
        return _sum_to_array(x, self.shape)

    def backward(self, gy):
        return broadcast_to(gy, self.inputs[0].data.shape)


def _sum_to_array(x: Any, shape: tuple[int, ...]) -> Any:
    lead = x.ndim - len(shape)
    axes = tuple(range(lead)) + tuple(
        i + lead for i, n in enumerate(shape) if n == 1 and x.shape[i + lead] != 1
    )
    y = x.sum(axis=axes, keepdims=True) if axes else x
    if lead:
        y = y.reshape(shape)
    return y


class Concat(Function):
    """y = the inputs joined along ``axis``;  each input gets its slice of dL/dy."""

    __slots__ = ("axis",)

    def __init__(self, axis: int) -> None:
        self.axis = axis

    def forward(self, *xs):
        return get_array_module(xs[0]).concatenate(xs, axis=self.axis)

    def backward(self, gy):
        axis = self.axis % gy.ndim
        grads, start = [], 0
        for x in self.inputs:
            stop = start + x.data.shape[axis]
            index = (slice(None),) * axis + (slice(start, stop),)
            grads.append(gy[index] if x.requires_grad else None)
            start = stop
        return tuple(grads)


def reshape(x: Tensor, *shape: Any) -> Tensor:
    """The same values in another shape (one dimension may be -1)."""
    x = tensor_arg(x, "reshape")
    if len(shape) == 1 and isinstance(shape[0], Sequence | np.ndarray):
        shape = tuple(shape[0])
    shape = _ints(shape, "reshape", "shape")
    if shape == x.data.shape:
        return x
    return Reshape(shape)(x)


def transpose(x: Tensor, *axes: Any) -> Tensor:
    """Permute the axes (reverse them when none are given), as ``numpy.transpose``."""
    x = tensor_arg(x, "transpose")
    if len(axes) == 1 and (axes[0] is None or isinstance(axes[0], Sequence)):
        axes = axes[0]
    axes = _ints(axes, "transpose", "axes") if axes else None
    if axes is not None:
        if sorted(a % max(x.ndim, 1) for a in axes) != list(range(x.ndim)):
            raise ValueError(
                f"transpose: axes {axes} are not a permutation of the axes of shape {x.shape}"
            )
        axes = tuple(a % x.ndim for a in axes)  # the backward's inverse permutation needs them >= 0
    return Transpose(axes)(x)


def permute(x: Tensor, *axes: Any) -> Tensor:
    """Permute the axes into the given order (PyTorch's name for ``transpose(x, axes)``)."""
    return transpose(x, *axes)


def swapaxes(x: Tensor, axis1: int, axis2: int) -> Tensor:
    """Exchange two axes."""
    x = tensor_arg(x, "swapaxes")
    axis1, axis2 = _ints((axis1, axis2), "swapaxes", "axes")
    if not (-x.ndim <= axis1 < x.ndim and -x.ndim <= axis2 < x.ndim):
        raise ValueError(f"swapaxes: axes {axis1}, {axis2} are out of range for shape {x.shape}")
    axes = list(range(x.ndim))
    axes[axis1], axes[axis2] = axes[axis2], axes[axis1]
    return Transpose(tuple(axes))(x)


def expand_dims(x: Tensor, axis: int) -> Tensor:
    """Insert a new axis of length 1 at ``axis``."""
    x = tensor_arg(x, "expand_dims")
    (axis,) = _ints((axis,), "expand_dims", "axis")
    if not -x.ndim - 1 <= axis <= x.ndim:
        raise ValueError(f"expand_dims: axis {axis} is out of range for shape {x.shape}")
    shape = list(x.shape)
    axis = axis if axis >= 0 else x.ndim + 1 + axis
    shape.insert(axis, 1)
    return Reshape(tuple(shape))(x)


def flatten(x: Tensor, start_dim: int = 0, end_dim: int = -1) -> Tensor:
    """Merge the axes ``start_dim..end_dim`` into one (PyTorch's semantics).

    ``nn.Flatten`` uses ``start_dim=1`` to keep the batch axis.
    """
    x = tensor_arg(x, "flatten")
    start_dim, end_dim = _ints((start_dim, end_dim), "flatten", "start_dim and end_dim")
    if x.ndim == 0:
        return reshape(x, (1,))
    start, end = start_dim % x.ndim, end_dim % x.ndim
    if start > end:
        raise ValueError(
            f"flatten: start_dim {start_dim} comes after end_dim {end_dim} for shape {x.shape}"
        )
    shape = x.shape[:start] + (-1,) + x.shape[end + 1 :]
    if 0 in x.shape:
        shape = x.shape[:start] + (int(np.prod(x.shape[start : end + 1])),) + x.shape[end + 1 :]
    return reshape(x, shape)


def broadcast_to(x: Tensor, shape: Sequence[int]) -> Tensor:
    """Repeat along axes of length 1 (and new leading axes) to reach ``shape``."""
    x = tensor_arg(x, "broadcast_to")
    shape = _ints(shape, "broadcast_to", "shape")
    if shape == x.data.shape:
        return x
    return BroadcastTo(shape)(x)


def sum_to(x: Tensor, shape: Sequence[int]) -> Tensor:
    """Sum ``x`` down to ``shape``: the reverse of broadcasting (used for gradients)."""
    shape = tuple(shape)
    if not isinstance(x, Tensor):
        raise not_a_tensor("sum_to", x)
    if shape == x.data.shape:
        return x
    return SumTo(shape)(x)


def concat(tensors: Sequence[Tensor], axis: int = 0) -> Tensor:
    """Join tensors along an existing axis."""
    tensors = list(tensors)
    if not tensors:
        raise ValueError("concat: needs at least one tensor")
    return Concat(axis)(*tensors)


def stack(tensors: Sequence[Tensor], axis: int = 0) -> Tensor:
    """Join tensors of equal shape along a new axis."""
    tensors = [tensor_arg(t, "stack") for t in tensors]
    if not tensors:
        raise ValueError("stack: needs at least one tensor")
    shapes = {t.shape for t in tensors}
    if len(shapes) > 1:
        raise ValueError(f"stack: all tensors must have one shape, got {sorted(shapes)}")
    axis = axis if axis >= 0 else tensors[0].ndim + 1 + axis
    return Concat(axis)(*[expand_dims(t, axis) for t in tensors])


def _ints(values: Any, op: str, what: str) -> tuple[int, ...]:
    """``values`` (an int or a sequence of them) as a tuple of Python ints, or a TypeError
    naming ``op`` and ``what`` (``int(2.5)`` or ``int("3")`` would quietly accept them)."""
    if isinstance(values, int | np.integer):
        values = (values,)
    try:
        items = tuple(values)
    except TypeError:
        items = None
    if items is None or not all(
        isinstance(v, int | np.integer) and not isinstance(v, bool | np.bool_) for v in items
    ):
        raise TypeError(f"{op}: {what} must be ints, got {describe(values)}")
    return tuple(int(v) for v in items)
