"""Elementwise arithmetic: add, sub, mul, div, neg, pow.

Operands broadcast as in NumPy; the engine sums each gradient back to its input's shape.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..function import Function
from ..tensor import Tensor
from ._coerce import floating, into, not_a_tensor, operands
from .elementwise import log, where


class Add(Function):
    """y = a + b;  dy/da = 1, dy/db = 1."""

    __slots__ = ()

    def forward(self, a, b):
        return a + b

    def backward(self, gy):
        return gy, gy

    def backward_data(self, gy):
        return gy, gy


class Sub(Function):
    """y = a - b;  dy/da = 1, dy/db = -1."""

    __slots__ = ()

    def forward(self, a, b):
        return a - b

    def backward(self, gy):
        return gy, -gy

    def backward_data(self, gy):
        return gy, (-gy if self.inputs[1].requires_grad else None)


class Mul(Function):
    """y = a * b;  dy/da = b, dy/db = a."""

    __slots__ = ()

    def forward(self, a, b):
        return a * b

    def backward(self, gy):
        a, b = self.inputs
        return (gy * b if a.requires_grad else None), (gy * a if b.requires_grad else None)

    def backward_data(self, gy):
        a, b = self.inputs
        return (gy * b.array if a.requires_grad else None), (
            gy * a.array if b.requires_grad else None
        )


class Div(Function):
    """y = a / b;  dy/da = 1/b, dy/db = -a/b**2."""

    __slots__ = ()

    def forward(self, a, b):
        return a / b

    def backward(self, gy):
        a, b = self.inputs
        ga = gy / b
        gb = -ga * a / b if b.requires_grad else None
        return ga, gb

    def backward_data(self, gy):
        a, b = self.inputs[0].array, self.inputs[1].array
        ga = gy / b
        gb = -ga * a / b if self.inputs[1].requires_grad else None
        return ga, gb


class Neg(Function):
    """y = -x;  dy/dx = -1."""

    __slots__ = ()

    def forward(self, x):
        return -x

    def backward(self, gy):
        return -gy

    def backward_data(self, gy):
        return -gy


class PowScalar(Function):
    """y = x**c for a constant c;  dy/dx = c * x**(c-1)."""

    __slots__ = ("c",)

    def __init__(self, c: float) -> None:
        self.c = c

    @property
    def name(self) -> str:
        return "pow"

    def forward(self, x):
        return x**self.c

    def backward(self, gy):
        (x,) = self.inputs
        c = self.c
        if c == 2:
            return gy * (2 * x)
        if c == 0:  # x**0 = 1 everywhere, also at x = 0 (where 0 * 0**-1 would give nan)
            return gy * 0
        return gy * (c * x ** (c - 1))


class Pow(Function):
    """y = a**b;  dy/da = b * a**(b-1), dy/db = a**b * log(a) (defined for a > 0).

    As in PyTorch, dy/da = 0 where b = 0 and dy/db = 0 where a = 0 and b >= 0 (the limits;
    the formulas would give 0 * inf = nan). Those elements see a = 1 instead, so that no
    inf enters even the gradients of the gradient.
    """

    __slots__ = ()

    def forward(self, a, b):
        return a**b

    def backward(self, gy):
        a, b = self.inputs
        ga = gb = None
        if a.requires_grad:
            a_safe = where(b.array == 0, 1, a)  # b * a_safe**(b-1) = 0 there
            ga = gy * b * a_safe ** (b - 1)
        if b.requires_grad:
            a_safe = where((a.array == 0) & (b.array >= 0), 1, a)  # log(1) = 0 there
            gb = gy * self.output() * log(a_safe)
        return ga, gb


def add(a: Any, b: Any, *, alpha: Any = 1, out: Tensor | None = None) -> Tensor:
    """Elementwise ``a + alpha * b`` with broadcasting (``alpha`` and ``out=`` as PyTorch)."""
    if alpha != 1:
        b = mul(b, alpha)
    y = Add()(*operands(a, b, "add"))
    return y if out is None else into(out, y)


def sub(a: Any, b: Any, *, alpha: Any = 1, out: Tensor | None = None) -> Tensor:
    """Elementwise ``a - alpha * b`` with broadcasting."""
    if alpha != 1:
        b = mul(b, alpha)
    y = Sub()(*operands(a, b, "sub"))
    return y if out is None else into(out, y)


def mul(a: Any, b: Any, *, out: Tensor | None = None) -> Tensor:
    """Elementwise ``a * b`` with broadcasting."""
    y = Mul()(*operands(a, b, "mul"))
    return y if out is None else into(out, y)


def div(a: Any, b: Any, *, out: Tensor | None = None) -> Tensor:
    """Elementwise ``a / b`` with broadcasting (true division: integers give floats)."""
    a, b = operands(a, b, "div")
    if a.array.dtype.kind != "f":  # true division of integers: float32, as in PyTorch
        a, b = floating(a), floating(b)
    y = Div()(a, b)
    return y if out is None else into(out, y)


multiply, subtract, divide, true_divide = mul, sub, div, div


def neg(x: Any) -> Tensor:
    """Elementwise ``-x``."""
    if not isinstance(x, Tensor):
        raise not_a_tensor("neg", x)
    return Neg()(x)


negative = neg


def pow(a: Any, b: Any) -> Tensor:  # noqa: A001 - the op's name, as in NumPy and PyTorch
    """Elementwise ``a ** b``. A Python-number exponent is kept as a constant (cheaper)."""
    if isinstance(b, np.generic) and b.dtype.kind in "iuf":
        b = b.item()  # np.float64(2.0) is a plain constant exponent (and must not widen float32)
    if isinstance(a, Tensor) and isinstance(b, int | float) and not isinstance(b, bool):
        return PowScalar(b)(floating(a, "pow") if isinstance(b, float) else a)
    return Pow()(*operands(a, b, "pow"))


# the ops this family adds to ``autograd`` (and ``autograd.ops``)
__all__ = [
    "add", "div", "divide", "mul", "multiply", "neg", "negative", "pow", "sub", "subtract",
    "true_divide",
]  # fmt: skip
