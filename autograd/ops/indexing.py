"""``x[index]``: basic (slices, ints, None, Ellipsis) and advanced (integer/bool array) indexing."""

from __future__ import annotations

from typing import Any

import numpy as np

from backends import get_array_module

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
        return ScatterAdd(self.index, self.inputs[0].data.shape)(gy)


class ScatterAdd(Function):
    """y = zeros(shape) with gy added at ``index`` (getitem's gradient);  dL/dgy = dL/dy[index]."""

    __slots__ = ("index", "shape")

    def __init__(self, index: Any, shape: tuple[int, ...]) -> None:
        self.index = index
        self.shape = shape

    def forward(self, gy):
        xp = get_array_module(gy)
        gx = xp.zeros(self.shape, dtype=gy.dtype)
        if _may_repeat(self.index):
            if xp is np:
                np.add.at(gx, self.index, gy)
            else:
                import cupyx

                cupyx.scatter_add(gx, self.index, gy)
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


def _raw_index(index: Any, like: Any) -> Any:
    items = index if isinstance(index, tuple) else (index,)
    on_gpu = not isinstance(like, np.ndarray)
    raw = []
    for item in items:
        if isinstance(item, Tensor):
            item = item.data
        elif isinstance(item, list):  # a list is one advanced index, as in NumPy
            item = np.asarray(item)
        if on_gpu and isinstance(item, np.ndarray):
            # Host indices (lists, NumPy or CPU tensors, as PyTorch allows) go to the device
            # once here; CuPy would otherwise copy them again in the forward and the backward.
            item = get_array_module(like).asarray(item)
        raw.append(item)
    return tuple(raw) if isinstance(index, tuple) else raw[0]


def getitem(x: Tensor, index: Any) -> Tensor:
    """``x[index]``; differentiable for basic and advanced indexing.

    Integer-array indices may repeat an element: its gradient is the sum over the repeats.
    """
    return GetItem(_raw_index(index, x.data))(x)
