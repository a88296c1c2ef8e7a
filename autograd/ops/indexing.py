"""``x[index]``: basic (slices, ints, None, Ellipsis) and advanced (integer/bool array) indexing."""

from __future__ import annotations

from typing import Any

import numpy as np

from backends import backend_of, device_of, is_device_array

from ..determinism import alert_nondeterministic
from ..function import Function
from ..tensor import Tensor


class GetItem(Function):
    """y = x[index];  dL/dx is dL/dy scattered back into zeros, repeated indices adding up."""

    __slots__ = ("index",)

    def __init__(self, index: Any) -> None:
        self.index = index

    @property
    def name(self) -> str:
        return "getitem"

    def forward(self, x):
        return x[self.index]

    def backward(self, gy):
        return ScatterAdd(self.index, self.inputs[0].array.shape)(gy)


class ScatterAdd(Function):
    """y = zeros(shape) with gy added at ``index`` (getitem's gradient);  dL/dgy = dL/dy[index]."""

    __slots__ = ("index", "shape")

    @property
    def name(self) -> str:
        return "scatter_add"

    def __init__(self, index: Any, shape: tuple[int, ...]) -> None:
        self.index = index
        self.shape = shape

    def forward(self, gy):
        backend = backend_of(gy)
        gx = backend.xp.zeros(self.shape, dtype=gy.dtype)
        if _may_repeat(self.index):
            if not isinstance(gx, np.ndarray):
                alert_nondeterministic("scatter_add (the gradient of indexing with an index array)")
            backend.scatter_add(gx, self.index, gy)
        else:  # no element is selected twice: plain assignment is enough (and cheaper)
            gx[self.index] = gy
        return gx

    def backward(self, ggx):
        return GetItem(self.index)(ggx)


def _may_repeat(index: Any) -> bool:
    """True if ``index`` can select one element twice: it holds an integer array.

    Slices, integers, None, Ellipsis and boolean masks never do.
    """
    items = index if isinstance(index, tuple) else (index,)
    for item in items:
        if isinstance(item, int | slice | type(None) | type(Ellipsis) | np.integer):
            continue
        if getattr(item, "dtype", None) is not None and item.dtype.kind == "b":
            continue
        return True
    return False


def raw_index(index: Any, like: Any) -> Any:
    """``index`` with its tensors and lists as arrays on ``like``'s device (host indices are
    copied there once; device indices for a host array are refused)."""
    items = index if isinstance(index, tuple) else (index,)
    backend = None if isinstance(like, np.ndarray) else backend_of(like)
    raw = []
    for item in items:
        if isinstance(item, Tensor):
            item = item.array
        elif isinstance(item, list):  # a list is one advanced index, as in NumPy
            item = np.asarray(item)
        if backend is not None and isinstance(item, np.ndarray):
            # Host indices (lists, NumPy or CPU tensors, as PyTorch allows) go to the device
            # once here; CuPy would otherwise copy them again in the forward and the backward.
            item = backend.from_host(item)
        elif backend is None and not isinstance(item, np.ndarray) and is_device_array(item):
            raise IndexError(
                f"indices are on {device_of(item)} but the tensor is on the cpu; move one of "
                "them first (nothing is copied silently)"
            )
        raw.append(item)
    return tuple(raw) if isinstance(index, tuple) else raw[0]


def getitem(x: Tensor, index: Any) -> Tensor:
    """``x[index]``; differentiable for basic and advanced indexing.

    Integer-array indices may repeat an element: its gradient is the sum over the repeats.
    """
    return GetItem(raw_index(index, x.array))(x)


# the ops this family adds to ``autograd`` (and ``autograd.ops``)
__all__ = ["getitem"]
