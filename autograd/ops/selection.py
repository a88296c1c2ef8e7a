"""Choosing elements by index or by order: gather, take_along_dim, index_select,
masked_select, diag, sort, argsort, topk; and the positions and values found: nonzero,
unique, bincount.

Each value taken is ``x[index]`` with an integer-array index (``autograd.ops.indexing``),
so the gradient goes back to the elements chosen, added up where one is chosen twice.
The orders (``argsort``, the indices of ``sort`` and ``topk``) are int64 tensors outside
the graph, as in PyTorch.
"""

from __future__ import annotations

from collections import namedtuple
from typing import Any

import numpy as np

from backends import get_array_module

from ..tensor import Tensor, _compared
from ._coerce import describe, tensor_arg
from .indexing import GetItem, ScatterAdd, raw_index

# What ``sort`` and ``topk`` return, as PyTorch's ``torch.return_types``.
SortResult = namedtuple("sort", ["values", "indices"])
TopkResult = namedtuple("topk", ["values", "indices"])


def along_index(indices: Any, axis: int) -> tuple[Any, ...]:
    """The advanced index that picks, at each position of ``indices``, the element
    ``indices[pos]`` along ``axis`` and the same position along every other axis:
    ``x[along_index(i, axis)] == take_along_axis(x, i, axis)``."""
    xp = get_array_module(indices)
    index = []
    for i, n in enumerate(indices.shape):
        if i == axis:
            index.append(indices)
        else:
            shape = [1] * indices.ndim
            shape[i] = n
            index.append(xp.arange(n).reshape(shape))
    return tuple(index)


def _axis(dim: Any, x: Tensor, op: str) -> int:
    if not isinstance(dim, int | np.integer) or isinstance(dim, bool):
        raise TypeError(f"{op}: dim must be an int, got {describe(dim)}")
    ndim = max(x.ndim, 1)
    if not -ndim <= dim < ndim:
        raise IndexError(f"{op}: dim {dim} is out of range for a tensor with {x.ndim} dimensions")
    return int(dim) % ndim


def _index_array(index: Any, x: Tensor, op: str) -> Any:
    """``index`` as an integer array on ``x``'s device, checked on the host (a device
    index is not read back: that would make the host wait for the GPU)."""
    raw = raw_index(index, x.array)
    if isinstance(raw, list | tuple | int) or not hasattr(raw, "dtype"):
        raw = get_array_module(x.array).asarray(raw)
    if raw.dtype.kind not in "iu":
        raise TypeError(f"{op}: the index must hold integers, got dtype {raw.dtype}")
    return raw


def _check_range(raw: Any, size: int, op: str) -> None:
    if isinstance(raw, np.ndarray) and raw.size:
        lo, hi = int(raw.min()), int(raw.max())
        if lo < 0 or hi >= size:
            raise IndexError(f"{op}: index {lo if lo < 0 else hi} is out of range for size {size}")


def gather(input: Tensor, dim: int, index: Any, *, sparse_grad: bool = False) -> Tensor:
    """y[i][j] = x[index[i][j]][j] for dim 0, x[i][index[i][j]] for dim 1 (and so on):
    along ``dim`` the element ``index`` names, elsewhere the same position. ``index`` has
    the input's number of dimensions and is no longer than it on the other axes.
    dL/dx: dL/dy added at the chosen elements."""
    input = tensor_arg(input, "gather")
    axis = _axis(dim, input, "gather")
    raw = _index_array(index, input, "gather")
    if raw.ndim != input.ndim:
        raise ValueError(
            f"gather: the index has {raw.ndim} dimensions and the input {input.ndim}; "
            "they must have the same number"
        )
    if any(raw.shape[d] > input.shape[d] for d in range(raw.ndim) if d != axis):
        raise ValueError(
            f"gather: index of shape {tuple(raw.shape)} is larger than the input's shape "
            f"{input.shape} outside dim {axis}"
        )
    if not input.ndim:
        return input * 1
    _check_range(raw, input.shape[axis], "gather")
    return GetItem(along_index(raw, axis))(input)


def take_along_dim(input: Tensor, indices: Any, dim: int | None = None) -> Tensor:
    """``gather`` with the index broadcast against the input on the other axes (NumPy's
    ``take_along_axis``); with ``dim=None`` both are flattened first."""
    input = tensor_arg(input, "take_along_dim")
    raw = _index_array(indices, input, "take_along_dim")
    if dim is None:
        return gather(input.reshape(-1), 0, raw.reshape(-1))
    axis = _axis(dim, input, "take_along_dim")
    if raw.ndim != input.ndim:
        raise ValueError(
            f"take_along_dim: the indices have {raw.ndim} dimensions and the input "
            f"{input.ndim}; they must have the same number"
        )
    shape = np.broadcast_shapes(*(tuple(1 if d == axis else n for d, n in enumerate(s))
                                  for s in (input.shape, raw.shape)))  # fmt: skip
    xp = get_array_module(raw)
    raw = xp.broadcast_to(raw, shape[:axis] + (raw.shape[axis],) + shape[axis + 1:])
    expanded = input.expand(shape[:axis] + (input.shape[axis],) + shape[axis + 1:])
    return gather(expanded, axis, raw)


def index_select(input: Tensor, dim: int, index: Any) -> Tensor:
    """The slices at ``index`` (1-D) along ``dim``, in its order: ``x[index]`` for dim 0,
    ``x[:, index]`` for dim 1. dL/dx: dL/dy added at the chosen slices."""
    input = tensor_arg(input, "index_select")
    axis = _axis(dim, input, "index_select")
    raw = _index_array(index, input, "index_select")
    if raw.ndim > 1:
        raise ValueError(f"index_select: the index must be 0-d or 1-D, got shape {raw.shape}")
    if not input.ndim:
        return input * 1
    _check_range(raw, input.shape[axis], "index_select")
    return GetItem((slice(None),) * axis + (raw.reshape(-1),))(input)


def _order(x: Any, axis: int, descending: bool) -> Any:
    """The stable sorting order along ``axis``; equal elements keep their order both ways
    (descending sorts the reversed array ascending and reverses the result back)."""
    xp = get_array_module(x)
    if not descending:
        return xp.argsort(x, axis=axis, kind="stable")
    n = x.shape[axis]
    reversed_order = xp.argsort(xp.flip(x, axis), axis=axis, kind="stable")
    return (n - 1) - xp.flip(reversed_order, axis)


def argsort(input: Tensor, dim: int = -1, descending: bool = False, *,
            stable: bool = False) -> Tensor:  # fmt: skip
    """The indices (int64) that sort ``input`` along ``dim``. Equal elements always keep
    their order (``stable`` is accepted for PyTorch's signature). Not differentiable."""
    input = tensor_arg(input, "argsort")
    if not input.ndim:
        return _compared(get_array_module(input.array).zeros((), dtype=np.int64))
    axis = _axis(dim, input, "argsort")
    return _compared(_order(input.array, axis, descending).astype(np.int64, copy=False))


def sort(input: Tensor, dim: int = -1, descending: bool = False, *, stable: bool = False) -> Any:
    """``(values, indices)`` of ``input`` sorted along ``dim`` (a named tuple, as PyTorch);
    equal elements keep their order. The values are differentiable: each gradient goes
    back to where its element came from."""
    indices = argsort(input, dim, descending)
    if not input.ndim:
        return SortResult(input * 1, indices)
    return SortResult(GetItem(along_index(indices.array, _axis(dim, input, "sort")))(input),
                      indices)  # fmt: skip


def topk(input: Tensor, k: int, dim: int = -1, largest: bool = True, sorted: bool = True) -> Any:  # noqa: A002
    """``(values, indices)`` of the ``k`` largest elements along ``dim`` (the smallest with
    ``largest=False``), largest first; differentiable in the values as ``sort``."""
    input = tensor_arg(input, "topk")
    axis = _axis(dim, input, "topk")
    n = input.shape[axis] if input.ndim else 1
    if not isinstance(k, int | np.integer) or not 0 <= k <= n:
        raise ValueError(f"topk: k must be an int from 0 to {n} (the size of dim {axis}), "
                         f"got {k!r}")  # fmt: skip
    values, indices = sort(input, dim, descending=largest)
    if not input.ndim:
        return TopkResult(values, indices)
    first_k = (slice(None),) * axis + (slice(0, int(k)),)
    return TopkResult(values[first_k], _compared(indices.array[first_k]))


def masked_select(input: Tensor, mask: Any) -> Tensor:
    """The elements where ``mask`` (broadcast against the input) is true, as a 1-D tensor
    in order. dL/dx: dL/dy at the selected elements. Its length is read from the device."""
    input = tensor_arg(input, "masked_select")
    raw = mask.array if isinstance(mask, Tensor) else raw_index(np.asarray(mask), input.array)
    if raw.dtype.kind != "b":
        raise TypeError(f"masked_select: the mask must be boolean, got dtype {raw.dtype}")
    shape = np.broadcast_shapes(input.shape, tuple(raw.shape))
    xp = get_array_module(raw)
    return GetItem(xp.broadcast_to(raw, shape))(input.expand(shape))


def nonzero(input: Tensor, *, as_tuple: bool = False) -> Any:
    """The indices of the nonzero elements: an (n, ndim) int64 tensor, or with
    ``as_tuple=True`` one 1-D tensor per axis (``x[x.nonzero(as_tuple=True)]`` selects
    them). Their number is read from the device."""
    input = tensor_arg(input, "nonzero")
    xp = get_array_module(input.array)
    if not input.ndim:  # a 0-d tensor: one index tuple of length 0, or none
        count = int(bool(input.array))
        if as_tuple:
            return (_compared(xp.zeros(count, dtype=np.int64)),)
        return _compared(xp.zeros((count, 0), dtype=np.int64))
    found = xp.nonzero(input.array)
    if as_tuple:
        return tuple(_compared(i.astype(np.int64, copy=False)) for i in found)
    return _compared(xp.stack(found, axis=1).astype(np.int64, copy=False))


def diag(input: Tensor, diagonal: int = 0) -> Tensor:
    """A matrix's diagonal (``diagonal`` > 0 above it, < 0 below) as a vector, or a vector
    as the diagonal of a square matrix with zeros elsewhere. Differentiable both ways."""
    input = tensor_arg(input, "diag")
    k = int(diagonal)
    xp = get_array_module(input.array)
    if input.ndim == 2:
        rows, cols = input.shape
        start_row, start_col = max(-k, 0), max(k, 0)
        n = max(min(rows - start_row, cols - start_col), 0)
        steps = xp.arange(n)
        return GetItem((steps + start_row, steps + start_col))(input)
    if input.ndim == 1:
        m = input.shape[0]
        steps = xp.arange(m)
        index = (steps + max(-k, 0), steps + max(k, 0))
        return ScatterAdd(index, (m + abs(k), m + abs(k)))(input)
    raise ValueError(f"diag: expects a 1-D or 2-D tensor, got shape {input.shape}")


def unique(input: Tensor, sorted: bool = True, return_inverse: bool = False,  # noqa: A002
           return_counts: bool = False, dim: int | None = None) -> Any:  # fmt: skip
    """The distinct values, sorted (and, on request, where each element went and how
    often each value occurs), as ``torch.unique``. Not differentiable."""
    input = tensor_arg(input, "unique")
    if dim is not None:
        raise NotImplementedError("unique: dim is not supported here (the whole tensor only)")
    xp = get_array_module(input.array)
    found = xp.unique(input.array, return_inverse=return_inverse, return_counts=return_counts)
    if not (return_inverse or return_counts):
        return _compared(found)
    values, *rest = found
    out = [_compared(values)]
    if return_inverse:
        out.append(_compared(rest.pop(0).reshape(input.shape).astype(np.int64, copy=False)))
    if return_counts:
        out.append(_compared(rest.pop(0).astype(np.int64, copy=False)))
    return tuple(out)


def bincount(input: Tensor, weights: Tensor | None = None, minlength: int = 0) -> Tensor:
    """How often each value 0, 1, 2... occurs in a 1-D tensor of non-negative integers
    (with ``weights``, their sums), as ``torch.bincount``. Not differentiable."""
    input = tensor_arg(input, "bincount")
    if input.ndim != 1 or input.array.dtype.kind not in "iu":
        raise TypeError(f"bincount: expects a 1-D integer tensor, got {input.array.dtype} of "
                        f"shape {input.shape}")  # fmt: skip
    xp = get_array_module(input.array)
    w = None if weights is None else (weights.array if isinstance(weights, Tensor) else weights)
    counts = xp.bincount(input.array, weights=w, minlength=int(minlength))
    return _compared(counts if w is not None else counts.astype(np.int64, copy=False))


# the ops this family adds to ``autograd`` (and ``autograd.ops``)
__all__ = [
    "argsort", "bincount", "diag", "gather", "index_select", "masked_select", "nonzero", "sort",
    "take_along_dim", "topk", "unique",
]  # fmt: skip
