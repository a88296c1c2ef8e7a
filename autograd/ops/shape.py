"""Ops that move values around without arithmetic: reshape, squeeze, transpose, flip,
broadcast, expand, repeat, concat, stack, chunk, split, unbind."""

from __future__ import annotations

import builtins
from collections.abc import Sequence
from typing import Any

import numpy as np

from backends import get_array_module

from ..function import Function
from ..tensor import Tensor
from ._coerce import describe, into, not_a_tensor, tensor_arg


class Reshape(Function):
    """y = x viewed with another shape;  the gradient is reshaped back."""

    __slots__ = ("shape",)

    def __init__(self, shape: tuple[int, ...]) -> None:
        self.shape = shape

    def forward(self, x):
        return x.reshape(self.shape)

    def backward(self, gy):
        return reshape(gy, self.inputs[0].array.shape)


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


class Flip(Function):
    """y = x with the order of elements reversed along ``axes``;  the gradient is flipped
    back the same way."""

    __slots__ = ("axes",)

    def __init__(self, axes: tuple[int, ...]) -> None:
        self.axes = axes

    def forward(self, x):
        return get_array_module(x).flip(x, self.axes)

    def backward(self, gy):
        return Flip(self.axes)(gy)


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
        return sum_to(gy, self.inputs[0].array.shape)


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
        return broadcast_to(gy, self.inputs[0].array.shape)


def _sum_to_array(x: Any, shape: tuple[int, ...]) -> Any:
    lead = x.ndim - len(shape)
    kept = tuple(i + lead for i, n in enumerate(shape) if n == 1 and x.shape[i + lead] != 1)
    if not kept:  # a bias's gradient: a new array, not a reshaped view (leaves keep it)
        return x.sum(axis=tuple(range(lead))) if lead else x
    y = x.sum(axis=tuple(range(lead)) + kept, keepdims=True)
    return y.reshape(shape) if lead else y


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
            stop = start + x.array.shape[axis]
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
    if shape == x.array.shape:
        return x
    return Reshape(shape)(x)


def transpose(x: Tensor, *axes: Any) -> Tensor:
    """Exchange or permute axes; the gradient is permuted back.

    * ``transpose(x, dim0, dim1)`` (two ints) exchanges two axes, as PyTorch;
    * ``transpose(x)`` reverses the axes and ``transpose(x, (2, 0, 1))`` (or three or
      more ints) permutes them, as ``numpy.transpose``.
    """
    x = tensor_arg(x, "transpose")
    if len(axes) == 2 and all(isinstance(a, int) for a in axes):
        return swapaxes(x, *axes)
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


def permute(x: Tensor, *dims: Any) -> Tensor:
    """Put the axes in the order ``dims`` (``permute(x, 2, 0, 1)`` or ``permute(x, (2, 0, 1))``)."""
    if len(dims) == 1 and isinstance(dims[0], Sequence):
        dims = tuple(dims[0])
    if len(dims) != x.ndim:
        raise ValueError(f"permute: {len(dims)} dims given for a tensor with {x.ndim} dimensions")
    return transpose(x, tuple(dims))


def t(x: Tensor) -> Tensor:
    """The transpose of a matrix; 0-d and 1-D tensors are returned as they are (PyTorch)."""
    if x.ndim > 2:
        raise ValueError(f"t: expects a tensor with at most 2 dimensions, got shape {x.shape}")
    return x if x.ndim < 2 else Transpose((1, 0))(x)


def swapaxes(x: Tensor, axis1: int, axis2: int) -> Tensor:
    """Exchange two axes (PyTorch's ``transpose(x, dim0, dim1)``)."""
    x = tensor_arg(x, "swapaxes")
    axis1, axis2 = _ints((axis1, axis2), "swapaxes", "axes")
    if x.ndim == 0 and axis1 in (0, -1) and axis2 in (0, -1):
        return x
    if not (-x.ndim <= axis1 < x.ndim and -x.ndim <= axis2 < x.ndim):
        raise ValueError(f"swapaxes: axes {axis1}, {axis2} are out of range for shape {x.shape}")
    axes = list(range(x.ndim))
    axes[axis1], axes[axis2] = axes[axis2], axes[axis1]
    return Transpose(tuple(axes))(x)


swapdims = swapaxes


def expand_dims(x: Tensor, axis: int) -> Tensor:
    """Insert a new axis of length 1 at ``axis`` (from -ndim-1 to ndim)."""
    x = tensor_arg(x, "expand_dims")
    (axis,) = _ints((axis,), "expand_dims", "axis")
    if not -x.ndim - 1 <= axis <= x.ndim:
        raise IndexError(
            f"unsqueeze: dim {axis} is out of range for a tensor with {x.ndim} dimensions"
        )
    shape = list(x.shape)
    axis = axis if axis >= 0 else x.ndim + 1 + axis
    shape.insert(axis, 1)
    return Reshape(tuple(shape))(x)


def unsqueeze(input: Tensor, dim: int) -> Tensor:
    """Insert an axis of length 1 at ``dim`` (PyTorch's name for ``expand_dims``)."""
    return expand_dims(input, dim)


def squeeze(input: Tensor, dim: int | Sequence[int] | None = None) -> Tensor:
    """Remove axes of length 1: all of them, or those of ``dim`` (an int or a tuple) that
    have length 1 (others are left alone, as in PyTorch)."""
    shape = input.shape
    if dim is None:
        drop = {i for i, n in enumerate(shape) if n == 1}
    else:
        dims = (dim,) if isinstance(dim, int) else tuple(dim)
        ndim = max(input.ndim, 1)
        for d in dims:
            if not -ndim <= d < ndim:
                raise IndexError(
                    f"squeeze: dim {d} is out of range for a tensor with {input.ndim} dimensions"
                )
        drop = {d % ndim for d in dims if input.ndim and shape[d] == 1}
    if not drop:
        return input
    return Reshape(tuple(n for i, n in enumerate(shape) if i not in drop))(input)


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
    if shape == x.array.shape:
        return x
    return BroadcastTo(shape)(x)


def sum_to(x: Tensor, shape: Sequence[int]) -> Tensor:
    """Sum ``x`` down to ``shape``: the reverse of broadcasting (used for gradients)."""
    shape = tuple(shape)
    if not isinstance(x, Tensor):
        raise not_a_tensor("sum_to", x)
    if shape == x.array.shape:
        return x
    return SumTo(shape)(x)


def _one_dim(dim: Any, axis: Any, op: str) -> int:
    if axis is not None:
        if dim is not None:
            raise TypeError(f"{op}: give dim or axis, not both")
        return axis
    return 0 if dim is None else dim


def concat(
    tensors: Sequence[Tensor], dim: int | None = None, *, axis: int | None = None,
    out: Tensor | None = None,
) -> Tensor:  # fmt: skip
    """Join tensors along an existing axis ``dim`` (``axis``, Keras' name, works too);
    each input gets its slice of the gradient."""
    tensors = list(tensors)
    if not tensors:
        raise ValueError("concat: needs at least one tensor")
    return into(out, Concat(_one_dim(dim, axis, "cat"))(*tensors))


cat = concatenate = concat


def stack(
    tensors: Sequence[Tensor], dim: int | None = None, *, axis: int | None = None,
    out: Tensor | None = None,
) -> Tensor:  # fmt: skip
    """Join tensors of equal shape along a new axis ``dim``."""
    tensors = [tensor_arg(t, "stack") for t in tensors]
    if not tensors:
        raise ValueError("stack: needs at least one tensor")
    shapes = {t.shape for t in tensors}
    if len(shapes) > 1:
        raise ValueError(f"stack: all tensors must have one shape, got {sorted(shapes)}")
    axis = _one_dim(dim, axis, "stack")
    axis = axis if axis >= 0 else tensors[0].ndim + 1 + axis
    return into(out, Concat(axis)(*[expand_dims(t, axis) for t in tensors]))


def _sizes(sizes: tuple) -> tuple[int, ...]:
    if len(sizes) == 1 and isinstance(sizes[0], Sequence | np.ndarray):
        sizes = tuple(sizes[0])
    return tuple(int(n) for n in sizes)


def expand(input: Tensor, *sizes: Any) -> Tensor:
    """Broadcast to ``sizes``, as PyTorch's ``expand``: -1 keeps an axis's length, new
    axes go in front. dL/dx = dL/dy summed over the repeated axes."""
    sizes = _sizes(sizes)
    lead = len(sizes) - input.ndim
    if lead < 0:
        raise ValueError(f"expand: {sizes} has fewer dimensions than shape {input.shape}")
    shape = tuple(
        input.shape[i - lead] if n == -1 and i >= lead else n for i, n in enumerate(sizes)
    )
    return broadcast_to(input, shape)


def repeat(input: Tensor, *sizes: Any) -> Tensor:
    """Tile: ``sizes[i]`` copies along axis i (new axes in front), as PyTorch's ``repeat``
    and ``numpy.tile``. Written as reshape, broadcast and reshape, so it is differentiable
    (each element's gradient is the sum over its copies)."""
    sizes = _sizes(sizes)
    if len(sizes) < input.ndim:
        raise ValueError(
            f"repeat: give at least {input.ndim} sizes for shape {input.shape}, got {sizes}"
        )
    shape = (1,) * (len(sizes) - input.ndim) + input.shape
    interleaved = reshape(input, tuple(v for n in shape for v in (1, n)))
    pairs = list(zip(sizes, shape, strict=True))
    tiled = broadcast_to(interleaved, tuple(v for r, n in pairs for v in (r, n)))
    return reshape(tiled, tuple(r * n for r, n in pairs))


def split(
    tensor: Tensor, split_size_or_sections: int | Sequence[int], dim: int = 0
) -> tuple[Tensor, ...]:
    """Pieces of ``split_size_or_sections`` elements along ``dim`` (the last may be shorter),
    or of the listed sizes; each piece is a differentiable slice."""
    n = tensor.shape[dim]
    if isinstance(split_size_or_sections, int):
        step = split_size_or_sections
        if step <= 0:
            raise ValueError(f"split: split_size must be positive, got {step}")
        sizes = [min(step, n - start) for start in range(0, n, step)] or [0]
    else:
        sizes = [int(k) for k in split_size_or_sections]
        if builtins.sum(sizes) != n:
            raise ValueError(f"split: sections {sizes} do not add up to {n} along dim {dim}")
    axis = dim % tensor.ndim
    pieces, start = [], 0
    for size in sizes:
        index = (slice(None),) * axis + (slice(start, start + size),)
        pieces.append(tensor[index])
        start += size
    return tuple(pieces)


def chunk(input: Tensor, chunks: int, dim: int = 0) -> tuple[Tensor, ...]:
    """``chunks`` pieces along ``dim`` of ceil(n / chunks) elements (fewer if it does not
    divide), as PyTorch's ``chunk``."""
    if chunks <= 0:
        raise ValueError(f"chunk: chunks must be positive, got {chunks}")
    n = input.shape[dim]
    return split(input, builtins.max(-(-n // chunks), 1), dim)


def flip(input: Tensor, dims: Any = None, *, axis: Any = None) -> Tensor:
    """Reverse the order of the elements along ``dims`` (an int or a sequence of ints;
    NumPy's ``axis=``, where None means every axis)."""
    input = tensor_arg(input, "flip")
    if dims is None:
        dims = tuple(range(input.ndim)) if axis is None else axis
    dims = _ints(dims, "flip", "dims")
    if not input.ndim:
        return input * 1
    if builtins.any(not -input.ndim <= d < input.ndim for d in dims):
        raise IndexError(f"flip: dims {dims} are out of range for shape {input.shape}")
    return Flip(tuple(d % input.ndim for d in dims))(input)


def unbind(input: Tensor, dim: int = 0) -> tuple[Tensor, ...]:
    """The slices along ``dim``, each without that axis (``x[0], x[1], ...`` for dim 0)."""
    input = tensor_arg(input, "unbind")
    axis = _one_dim(dim, None, "unbind") % builtins.max(input.ndim, 1)
    return tuple(input[(slice(None),) * axis + (i,)] for i in range(input.shape[axis]))


def numel(input: Tensor) -> int:
    """The number of elements."""
    return int(input.array.size)


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


# the ops this family adds to ``autograd`` (and ``autograd.ops``)
__all__ = [
    "broadcast_to", "cat", "chunk", "concat", "concatenate", "expand", "expand_dims",
    "flatten", "flip", "numel", "permute", "repeat", "reshape", "split", "squeeze", "stack",
    "sum_to", "swapaxes", "swapdims", "t", "transpose", "unbind", "unsqueeze",
]  # fmt: skip
