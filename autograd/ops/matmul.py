"""Matrix product with NumPy's rules: 2-D, batched (broadcast leading axes) and 1-D operands."""

from __future__ import annotations

from typing import Any

import numpy as np

from backends import backend_of, get_array_module

from ..engine import grad_buffer_free
from ..function import Function
from ..tensor import Tensor, _wrap
from ._coerce import into, operands
from .activations import FUSABLE, activate, activation_grad, activation_grad_data
from .shape import expand_dims, sum_to, swapaxes

#: While ``autograd.capture`` records a step: the backend's matrix product that may be
#: recorded (CuPy refuses its own cuBLAS calls then); None the rest of the time.
CAPTURE_MATMUL: list[Any] = [None]


def _mm(a: Any, b: Any, out: Any = None) -> Any:
    """``a @ b`` of arrays (into ``out`` when given), the one place the ops multiply."""
    captured = CAPTURE_MATMUL[0]
    if captured is not None:
        return captured(a, b, out)
    if out is None:
        return a @ b
    return get_array_module(a).matmul(a, b, out=out)


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
        return _mm(a, b)

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
            g2 = expand_dims(g2, -2 if b_ndim > 1 else -1)
        if b_ndim == 1:
            g2 = expand_dims(g2, -1)
        ga = gb = None
        if a.requires_grad:
            ga = g2 @ swapaxes(b2, -1, -2)
            ga = sum_to(ga, a2.shape).reshape(a.shape)
        if b.requires_grad:
            gb = swapaxes(a2, -1, -2) @ g2
            gb = sum_to(gb, b2.shape).reshape(b.shape)
        return ga, gb

    def backward_data(self, gy):
        a, b = self.inputs
        if a.ndim == 2 and b.ndim == 2:
            ga = _mm(gy, b.array.T) if a.requires_grad else None
            gb = _mm(a.array.T, gy) if b.requires_grad else None
            return ga, gb
        return tuple(None if g is None else g.array for g in self.backward(_wrap(gy)))


class Affine(Function):
    """y = x W + b, or x Wᵀ + b with ``transposed`` (PyTorch's ``linear``, W (out, in)).

    dL/dx = dL/dy Wᵀ (or dL/dy W);  dL/dW = xᵀ dL/dy (or dL/dyᵀ x, in W's own layout);
    dL/db = dL/dy summed over every axis but the last (for a bias of shape (out,)).
    ``x`` is (..., in); leading axes are flattened for dL/dW. One graph node instead of a
    transpose, a matmul and an add, and every gradient is a new C-contiguous array that a
    parameter keeps without a copy (a transposed view would be copied). The backward is
    written with tensor ops, so gradients of gradients work.
    """

    __slots__ = ("transposed",)

    def __init__(self, transposed: bool) -> None:
        self.transposed = transposed

    @property
    def name(self) -> str:
        return "linear" if self.transposed else "dense"

    def forward(self, x, w, b=None):
        y = self._product(x, w)
        if b is None:
            return y
        if _adds_in_place(y, b):
            y += b  # y is new: add in place (b broadcasts over y's leading axes)
            return y
        return y + b

    def _product(self, x, w):
        """x W (or x Wᵀ), after checking the shapes (errors name the op)."""
        if x.ndim == 0 or w.ndim != 2:
            raise ValueError(
                f"{self.name}: expects an input of at least 1 axis and a 2-D weight, got shapes "
                f"{x.shape} and {w.shape}"
            )
        features = w.shape[1] if self.transposed else w.shape[0]
        if x.shape[-1] != features:
            raise ValueError(
                f"{self.name}: input shape {x.shape} and weight shape {w.shape} do not align "
                f"(the input's last axis must have {features} entries)"
            )
        return _mm(x, w.T if self.transposed else w)

    def backward(self, gy):
        x, w = self.inputs[0], self.inputs[1]
        b = self.inputs[2] if len(self.inputs) == 3 else None
        gx = gw = gb = None
        if x.requires_grad:
            gx = gy @ w if self.transposed else gy @ w.T
        if w.requires_grad or (b is not None and b.requires_grad):
            g2 = gy if gy.ndim == 2 else gy.reshape(-1, gy.shape[-1])
            if w.requires_grad:
                x2 = x if x.ndim == 2 else x.reshape(-1, x.shape[-1])
                gw = g2.T @ x2 if self.transposed else x2.T @ g2
            if b is not None and b.requires_grad:
                gb = g2.sum(axis=0) if b.shape == (gy.shape[-1],) else gy  # else: sum_to
        return (gx, gw) if b is None else (gx, gw, gb)

    def backward_data(self, gy):
        inputs = self.inputs
        x, w = inputs[0].array, inputs[1].array
        gx = gw = gb = None
        if inputs[0].requires_grad:
            gx = _mm(gy, w if self.transposed else w.T)
        with_bias = len(inputs) == 3 and inputs[2].requires_grad
        if inputs[1].requires_grad or with_bias:
            g2 = gy if gy.ndim == 2 else gy.reshape(-1, gy.shape[-1])
            if inputs[1].requires_grad:
                x2 = x if x.ndim == 2 else x.reshape(-1, x.shape[-1])
                a, b = (g2.T, x2) if self.transposed else (x2.T, g2)
                # straight into the optimizer's flat gradient buffer when it is free
                out = _out_buffer(inputs[1], gy)
                gw = _mm(a, b, out)
            if with_bias:
                if inputs[2].shape == (gy.shape[-1],):
                    out = _out_buffer(inputs[2], gy)
                    gb = (g2.sum(axis=0, out=out) if isinstance(g2, np.ndarray)
                          else backend_of(g2).column_sums(g2, out))  # fmt: skip
                else:
                    gb = gy
        return (gx, gw) if len(inputs) == 2 else (gx, gw, gb)


def _out_buffer(param: Tensor, gy: Any) -> Any:
    """``param``'s free flat-gradient slice (``autograd.engine.grad_buffer_free``) when
    its gradient, computed from ``gy``, has the slice's dtype; else None."""
    out = grad_buffer_free(param)
    return out if out is not None and out.dtype == gy.dtype else None


def _adds_in_place(y: Any, b: Any) -> bool:
    """Whether ``y + b`` may be written into ``y``: same dtype, ``b`` broadcasting over
    ``y``'s leading axes (so the sum has ``y``'s shape)."""
    return b.dtype == y.dtype and y.ndim >= b.ndim and y.shape[y.ndim - b.ndim :] == b.shape


class AffineActivation(Affine):
    """y = f(x W + b) (or f(x Wᵀ + b)): a layer and its activation in one node, for f in
    relu, sigmoid, tanh.

    dL/dz = dL/dy · f'(z) with f' written from y (relu: [y > 0]; sigmoid: y (1 - y);
    tanh: 1 - y²), then :class:`Affine`'s gradients of z = x W + b with dL/dz. The same
    values as the two ops, with one node, one array and (on a GPU) one kernel less each
    way: the bias and the activation are one launch, and so is f'. ``nn.Sequential`` uses
    it for a ``Linear`` followed by ``ReLU``/``Sigmoid``/``Tanh``, and ``Dense`` for its
    ``activation``.
    """

    __slots__ = ("activation",)

    def __init__(self, transposed: bool, activation: str) -> None:
        super().__init__(transposed)
        self.activation = activation

    @property
    def name(self) -> str:
        return f"{super().name}+{self.activation}"

    def forward(self, x, w, b=None):
        y = self._product(x, w)
        if b is not None and not _adds_in_place(y, b):
            y, b = y + b, None
        return activate(self.activation, y, b, in_place=True)

    def backward(self, gy):
        return super().backward(activation_grad(self.activation, gy, self.output()))

    def backward_data(self, gy):
        return super().backward_data(
            activation_grad_data(self.activation, gy, self.output().array)
        )


def affine_activation(x: Tensor, weight: Tensor, bias: Tensor | None, activation: str, *,
                      transposed: bool) -> Tensor:
    """``f(x @ weight.T + bias)`` (``transposed``, PyTorch's layout) or ``f(x @ weight +
    bias)`` (Keras') in one op, ``f`` named by ``activation`` (relu, sigmoid or tanh);
    ``bias`` may be None. What ``nn`` calls for a layer followed by its activation."""
    if activation not in FUSABLE:
        raise ValueError(f"affine_activation: no fused form of {activation!r}; "
                         f"choose from {sorted(FUSABLE)}")
    op = AffineActivation(transposed, activation)
    return op(x, weight) if bias is None else op(x, weight, bias)


def linear(x: Tensor, weight: Tensor, bias: Tensor | None = None) -> Tensor:
    """``x @ weight.T + bias`` in one op (PyTorch's ``F.linear``; weight (out, in))."""
    return Affine(True)(x, weight) if bias is None else Affine(True)(x, weight, bias)


def dense(x: Tensor, kernel: Tensor, bias: Tensor | None = None) -> Tensor:
    """``x @ kernel + bias`` in one op (Keras' ``Dense``; kernel (in, out))."""
    return Affine(False)(x, kernel) if bias is None else Affine(False)(x, kernel, bias)


def matmul(a: Any, b: Any, *, out: Tensor | None = None) -> Tensor:
    """Matrix product ``a @ b`` (NumPy semantics for 1-D and batched operands)."""
    y = MatMul()(*operands(a, b, "matmul"))
    return y if out is None else into(out, y)


def mm(input: Tensor, mat2: Tensor, *, out: Tensor | None = None) -> Tensor:
    """The product of two matrices, (n, m) @ (m, p), as ``torch.mm`` (2-D only)."""
    if input.ndim != 2 or mat2.ndim != 2:
        raise ValueError(f"mm: expects two matrices, got shapes {input.shape} and {mat2.shape}")
    return matmul(input, mat2, out=out)


def bmm(input: Tensor, mat2: Tensor, *, out: Tensor | None = None) -> Tensor:
    """Batched matrix product, (b, n, m) @ (b, m, p), as ``torch.bmm`` (3-D only)."""
    if input.ndim != 3 or mat2.ndim != 3 or input.shape[0] != mat2.shape[0]:
        raise ValueError(
            f"bmm: expects two 3-D tensors with one batch size, got {input.shape} and {mat2.shape}"
        )
    return matmul(input, mat2, out=out)


def dot(input: Tensor, other: Tensor) -> Tensor:
    """The inner product of two vectors, sum(a_i b_i), as ``torch.dot`` (1-D only)."""
    if input.ndim != 1 or other.ndim != 1:
        raise ValueError(f"dot: expects two 1-D tensors, got {input.shape} and {other.shape}")
    return matmul(input, other)


# the ops this family adds to ``autograd`` (and ``autograd.ops``)
__all__ = ["bmm", "dot", "matmul", "mm"]
