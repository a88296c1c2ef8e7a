"""Matrix product with NumPy's rules: 2-D, batched (broadcast leading axes) and 1-D operands."""

from __future__ import annotations

from typing import Any

from ..function import Function
from ..tensor import Tensor
from ._coerce import operands


class MatMul(Function):
    """y = a @ b;  dL/da = dL/dy @ b^T,  dL/db = a^T @ dL/dy.

    1-D operands are promoted as NumPy does (a vector on the left is a row, on the
    right a column) and the promoted axis is removed again from the gradient; batch
    axes that were broadcast are summed back by the engine.
    """

    __slots__ = ()

    def forward(self, a, b):
        if a.ndim == 0 or b.ndim == 0:
            raise ValueError("matmul: operands must be at least 1-D; use * to multiply by a scalar")
        if a.shape[-1] != b.shape[-2 if b.ndim > 1 else 0]:
            raise ValueError(f"matmul: shapes {a.shape} and {b.shape} do not align")
        return a @ b

    def backward(self, gy):
        a, b = self.inputs
        a_ndim, b_ndim = a.ndim, b.ndim
        if a_ndim == 2 and b_ndim == 2:  # the common case, kept short
            ga = gy @ b.T if a.requires_grad else None
            gb = a.T @ gy if b.requires_grad else None
            return ga, gb
        a2 = a.reshape(1, -1) if a_ndim == 1 else a
        b2 = b.reshape(-1, 1) if b_ndim == 1 else b
        g2 = gy
        if a_ndim == 1:
            g2 = _ops.expand_dims(g2, -2 if b_ndim > 1 else -1)
        if b_ndim == 1:
            g2 = _ops.expand_dims(g2, -1)
        ga = gb = None
        if a.requires_grad:
            ga = g2 @ _ops.swapaxes(b2, -1, -2)
            ga = _ops.sum_to(ga, a2.shape).reshape(a.shape)
        if b.requires_grad:
            gb = _ops.swapaxes(a2, -1, -2) @ g2
            gb = _ops.sum_to(gb, b2.shape).reshape(b.shape)
        return ga, gb


def matmul(a: Any, b: Any) -> Tensor:
    """Matrix product ``a @ b`` (NumPy semantics for 1-D and batched operands)."""
    return MatMul()(*operands(a, b, "matmul"))


from .. import ops as _ops  # noqa: E402
