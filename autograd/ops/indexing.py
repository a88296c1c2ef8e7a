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
        if _is_advanced(self.index):
            if xp is np:
                np.add.at(gx, self.index, gy)
            else:
                import cupyx

                cupyx.scatter_add(gx, self.index, gy)
        else:  # basic indexing never selects an element twice: plain assignment is enough
            gx[self.index] = gy
        return gx

    def backward(self, ggx):
        return GetItem(self.index)(ggx)


def _is_advanced(index: Any) -> bool:
    items = index if isinstance(index, tuple) else (index,)
    for item in items:
        if not isinstance(item, int | slice | type(None) | type(Ellipsis)) and not isinstance(
            item, np.integer
        ):
            return True
    return False


def _raw_index(index: Any) -> Any:
    if isinstance(index, Tensor):
        return index.data
    if isinstance(index, tuple):
        return tuple(i.data if isinstance(i, Tensor) else i for i in index)
    if isinstance(index, list):  # a list is one advanced index, as in NumPy
        return np.asarray(index)
    return index


def getitem(x: Tensor, index: Any) -> Tensor:
    """``x[index]``; differentiable for basic and advanced indexing."""
    return GetItem(_raw_index(index))(x)
