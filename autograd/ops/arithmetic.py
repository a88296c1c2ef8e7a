"""Elementwise arithmetic: add, sub, mul, div, neg, pow.

Operands broadcast as in NumPy; the engine sums each gradient back to its input's shape.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..function import Function
from ..tensor import Tensor
from ._coerce import lift, operands


class Add(Function):
    """y = a + b;  dy/da = 1, dy/db = 1."""

    __slots__ = ()

    def forward(self, a, b):
        return a + b

    def backward(self, gy):
        return gy, gy


class Sub(Function):
    """y = a - b;  dy/da = 1, dy/db = -1."""

    __slots__ = ()

    def forward(self, a, b):
        return a - b

    def backward(self, gy):
        return gy, -gy


class Mul(Function):
    """y = a * b;  dy/da = b, dy/db = a."""

    __slots__ = ()

    def forward(self, a, b):
        return a * b

    def backward(self, gy):
        a, b = self.inputs
        return (gy * b if a.requires_grad else None), (gy * a if b.requires_grad else None)


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


class Neg(Function):
    """y = -x;  dy/dx = -1."""

    __slots__ = ()

    def forward(self, x):
        return -x

    def backward(self, gy):
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
        return gy * (c * x ** (c - 1))


class Pow(Function):
    """y = a**b;  dy/da = b * a**(b-1), dy/db = a**b * log(a) (defined for a > 0)."""

    __slots__ = ()

    def forward(self, a, b):
        return a**b

    def backward(self, gy):
        a, b = self.inputs
        ga = gy * b * a ** (b - 1) if a.requires_grad else None
        gb = gy * self.output() * _ops.log(a) if b.requires_grad else None
        return ga, gb


def add(a: Any, b: Any) -> Tensor:
    """Elementwise ``a + b`` with broadcasting."""
    return Add()(*operands(a, b))


def sub(a: Any, b: Any) -> Tensor:
    """Elementwise ``a - b`` with broadcasting."""
    return Sub()(*operands(a, b))


def mul(a: Any, b: Any) -> Tensor:
    """Elementwise ``a * b`` with broadcasting."""
    return Mul()(*operands(a, b))


def div(a: Any, b: Any) -> Tensor:
    """Elementwise ``a / b`` with broadcasting."""
    a, b = operands(a, b)
    if a.data.dtype.kind != "f" and b.data.dtype.kind != "f":  # true division of integers
        a = lift(a.data.astype(_float_dtype()), a)
    return Div()(a, b)


def neg(x: Any) -> Tensor:
    """Elementwise ``-x``."""
    return Neg()(x)


def pow(a: Any, b: Any) -> Tensor:  # noqa: A001 - the op's name, as in NumPy and PyTorch
    """Elementwise ``a ** b``. A Python-number exponent is kept as a constant (cheaper)."""
    if isinstance(b, np.generic) and b.dtype.kind in "iuf":
        b = b.item()  # np.float64(2.0) is a plain constant exponent (and must not widen float32)
    if isinstance(a, Tensor) and isinstance(b, int | float) and not isinstance(b, bool):
        return PowScalar(b)(a)
    return Pow()(*operands(a, b))


def _float_dtype():
    from ..defaults import _Defaults

    return _Defaults.dtype


from .. import ops as _ops  # noqa: E402
