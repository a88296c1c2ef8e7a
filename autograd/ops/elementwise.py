"""Elementwise math: exp, log, sqrt, abs, clip, maximum, minimum, where, and casts."""

from __future__ import annotations

from typing import Any

import numpy as np

from backends import backend_of, device_of, get_array_module, get_backend, is_device_array

from ..function import Function
from ..tensor import Tensor, _wrap
from ._coerce import floating, lift, operands


class Exp(Function):
    """y = e**x;  dy/dx = e**x = y."""

    __slots__ = ()

    def forward(self, x):
        return get_array_module(x).exp(x)

    def backward(self, gy):
        return gy * self.output()


class Log(Function):
    """y = ln x;  dy/dx = 1/x."""

    __slots__ = ()

    def forward(self, x):
        return get_array_module(x).log(x)

    def backward(self, gy):
        return gy / self.inputs[0]


class Sqrt(Function):
    """y = sqrt(x);  dy/dx = 1 / (2 sqrt(x))."""

    __slots__ = ()

    def forward(self, x):
        return get_array_module(x).sqrt(x)

    def backward(self, gy):
        return gy / (2 * self.output())


class Abs(Function):
    """y = |x|;  dy/dx = sign(x) (0 at x = 0)."""

    __slots__ = ()

    def forward(self, x):
        return get_array_module(x).abs(x)

    def backward(self, gy):
        (x,) = self.inputs
        return gy * _wrap(get_array_module(x.data).sign(x.data))


class Clip(Function):
    """y = min(max(x, lo), hi);  dy/dx = 1 where lo <= x <= hi, else 0."""

    __slots__ = ("lo", "hi")

    def __init__(self, lo: float | None, hi: float | None) -> None:
        self.lo, self.hi = lo, hi

    def forward(self, x):
        return get_array_module(x).clip(x, self.lo, self.hi)

    def backward(self, gy):
        x = self.inputs[0].data
        if self.lo is None:
            inside = x <= self.hi
        elif self.hi is None:
            inside = x >= self.lo
        else:
            inside = (x >= self.lo) & (x <= self.hi)
        return gy * _wrap(inside.astype(x.dtype))


class Maximum(Function):
    """y = max(a, b);  the gradient goes to the larger input (split evenly on ties)."""

    __slots__ = ()

    def forward(self, a, b):
        return get_array_module(a).maximum(a, b)

    def backward(self, gy):
        a, b = self.inputs
        return _split_by_winner(gy, a.data > b.data, a.data == b.data)


class Minimum(Function):
    """y = min(a, b);  the gradient goes to the smaller input (split evenly on ties)."""

    __slots__ = ()

    def forward(self, a, b):
        return get_array_module(a).minimum(a, b)

    def backward(self, gy):
        a, b = self.inputs
        return _split_by_winner(gy, a.data < b.data, a.data == b.data)


def _split_by_winner(gy: Tensor, a_wins: Any, tie: Any) -> tuple[Tensor, Tensor]:
    dtype = gy.data.dtype
    share_a = a_wins.astype(dtype) + 0.5 * tie.astype(dtype)
    share_b = 1 - share_a
    return gy * _wrap(share_a), gy * _wrap(share_b)


class Where(Function):
    """y = a where cond else b;  dy/da = cond, dy/db = not cond."""

    __slots__ = ("cond",)

    def __init__(self, cond: Any) -> None:
        self.cond = cond

    def forward(self, a, b):
        return get_array_module(a).where(self.cond, a, b)

    def backward(self, gy):
        xp = get_array_module(gy.data)
        zero = xp.zeros((), dtype=gy.data.dtype)
        return where(self.cond, gy, zero), where(self.cond, zero, gy)


class AsType(Function):
    """y = x cast to another dtype;  the gradient is cast back."""

    __slots__ = ("dtype",)

    def __init__(self, dtype: Any) -> None:
        self.dtype = np.dtype(dtype)

    def forward(self, x):
        return x.astype(self.dtype)

    def backward(self, gy):
        return astype(gy, self.inputs[0].data.dtype)


class ToDevice(Function):
    """y = x on another device;  the gradient is moved back."""

    __slots__ = ("device",)

    def __init__(self, device: str) -> None:
        self.device = device

    def forward(self, x):
        target = get_backend(self.device)
        if target.device == "cpu":
            source = backend_of(x)
            source.check_errors()  # the host waits for the copy anyway: raise what was flagged
            return source.to_host(x)
        return target.from_host(x)

    def backward(self, gy):
        return to_device(gy, self.inputs[0].device)


def exp(x: Tensor) -> Tensor:
    """Elementwise e**x (integer input gives the default float dtype)."""
    return Exp()(floating(x))


def log(x: Tensor) -> Tensor:
    """Elementwise natural logarithm (integer input gives the default float dtype)."""
    return Log()(floating(x))


def sqrt(x: Tensor) -> Tensor:
    """Elementwise square root (integer input gives the default float dtype)."""
    return Sqrt()(floating(x))


def abs(x: Tensor) -> Tensor:  # noqa: A001 - the op's name, as in NumPy and PyTorch
    """Elementwise absolute value."""
    return Abs()(x)


def clip(x: Tensor, lo: float | None = None, hi: float | None = None) -> Tensor:
    """Limit values to [lo, hi] (either bound may be None)."""
    if lo is None and hi is None:
        raise ValueError("clip: give at least one of lo and hi")
    return Clip(lo, hi)(x)


def maximum(a: Any, b: Any) -> Tensor:
    """Elementwise maximum of two tensors (broadcasting)."""
    return Maximum()(*operands(a, b))


def minimum(a: Any, b: Any) -> Tensor:
    """Elementwise minimum of two tensors (broadcasting)."""
    return Minimum()(*operands(a, b))


def where(cond: Any, a: Any, b: Any) -> Tensor:
    """Choose elementwise from ``a`` where ``cond`` is true, else from ``b`` (broadcasting)."""
    cond = cond.data if isinstance(cond, Tensor) else cond
    if not isinstance(a, Tensor) and not isinstance(b, Tensor):
        a = lift(a, _wrap(get_array_module(cond).asarray(cond)))
    a, b = operands(a, b)
    if type(cond) is not type(a.data):
        if isinstance(cond, np.ndarray) or is_device_array(cond):
            raise RuntimeError(
                f"where: the condition is on {device_of(cond)} but the values on {a.device}; "
                "move it first (nothing is copied silently)"
            )
        cond = get_array_module(a.data).asarray(cond)  # Python bools or lists: no device yet
    return Where(cond)(a, b)


def astype(x: Tensor, dtype: Any) -> Tensor:
    """Cast to ``dtype``; differentiable between floating dtypes."""
    if x.data.dtype == np.dtype(dtype):
        return x
    return AsType(dtype)(x)


def to_device(x: Tensor, device: str) -> Tensor:
    """Copy to ``device`` (``"cpu"``, ``"cuda"``, ``"cuda:N"``); differentiable."""
    target = get_backend(device)
    if target.owns(x.data):
        return x
    return ToDevice(target.device)(x)
