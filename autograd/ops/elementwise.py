"""Elementwise math: exp, log, sqrt, abs, sin, cos, tan, log1p, expm1, reciprocal, rsqrt,
square, clamp, maximum, minimum, where, clone, casts; and the steps (round, floor, ceil,
trunc, sign), whose gradient is zero."""

from __future__ import annotations

from typing import Any

import numpy as np

from backends import backend_of, device_of, get_array_module, get_backend, is_device_array

from ..function import Function
from ..tensor import Tensor, _wrap
from ._coerce import describe, floating, lift, not_a_tensor, operands, tensor_arg


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


class Sin(Function):
    """y = sin x;  dy/dx = cos x."""

    __slots__ = ()

    def forward(self, x):
        return get_array_module(x).sin(x)

    def backward(self, gy):
        return gy * cos(self.inputs[0])


class Cos(Function):
    """y = cos x;  dy/dx = -sin x."""

    __slots__ = ()

    def forward(self, x):
        return get_array_module(x).cos(x)

    def backward(self, gy):
        return gy * -sin(self.inputs[0])


class Tan(Function):
    """y = tan x;  dy/dx = 1 / cos(x)**2 = 1 + y**2."""

    __slots__ = ()

    def forward(self, x):
        return get_array_module(x).tan(x)

    def backward(self, gy):
        y = self.output()
        return gy * (1 + y * y)


class Log1p(Function):
    """y = ln(1 + x), exact for small x;  dy/dx = 1 / (1 + x)."""

    __slots__ = ()

    def forward(self, x):
        return get_array_module(x).log1p(x)

    def backward(self, gy):
        return gy / (self.inputs[0] + 1)


class Expm1(Function):
    """y = e**x - 1, exact for small x;  dy/dx = e**x = y + 1."""

    __slots__ = ()

    def forward(self, x):
        return get_array_module(x).expm1(x)

    def backward(self, gy):
        return gy * (self.output() + 1)


class Reciprocal(Function):
    """y = 1/x;  dy/dx = -1/x**2 = -y**2."""

    __slots__ = ()

    def forward(self, x):
        return get_array_module(x).reciprocal(x)

    def backward(self, gy):
        y = self.output()
        return gy * -(y * y)


class Rsqrt(Function):
    """y = 1/sqrt(x);  dy/dx = -x**(-3/2) / 2 = -y**3 / 2."""

    __slots__ = ()

    def forward(self, x):
        xp = get_array_module(x)
        return xp.reciprocal(xp.sqrt(x))

    def backward(self, gy):
        y = self.output()
        return gy * (y * y * y * -0.5)


class Step(Function):
    """A piecewise-constant function (round, floor, ceil, trunc, sign): y = f(x), and
    dy/dx = 0 everywhere, as in PyTorch (the derivative where it exists; 0 at the jumps).
    The output still takes part in the graph, so a loss built on it backpropagates zeros
    rather than failing."""

    __slots__ = ("kind", "decimals")

    def __init__(self, kind: str, decimals: int = 0) -> None:
        self.kind, self.decimals = kind, decimals

    @property
    def name(self) -> str:
        return self.kind

    def forward(self, x):
        xp = get_array_module(x)
        if x.dtype.kind in "biu" and self.kind != "sign":
            return x.copy()  # whole numbers already (NumPy's floor would give float64)
        if self.kind == "round":  # halves to even, as PyTorch and NumPy
            return xp.round(x, self.decimals)
        return getattr(xp, self.kind)(x)

    def backward(self, gy):
        return _wrap(get_array_module(gy.array).zeros_like(gy.array))


class Clone(Function):
    """y = a copy of x in its own memory;  dy/dx = 1."""

    __slots__ = ()

    def forward(self, x):
        return x.copy()

    def backward(self, gy):
        return gy


class Abs(Function):
    """y = |x|;  dy/dx = sign(x) (0 at x = 0)."""

    __slots__ = ()

    def forward(self, x):
        return get_array_module(x).abs(x)

    def backward(self, gy):
        (x,) = self.inputs
        return gy * _wrap(get_array_module(x.array).sign(x.array))


class Clip(Function):
    """y = min(max(x, lo), hi);  dy/dx = 1 where lo <= x <= hi, else 0."""

    __slots__ = ("lo", "hi")

    def __init__(self, lo: float | None, hi: float | None) -> None:
        self.lo, self.hi = lo, hi

    def forward(self, x):
        return get_array_module(x).clip(x, self.lo, self.hi)

    def backward(self, gy):
        x = self.inputs[0].array
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
        return _split_by_winner(gy, a.array > b.array, a.array == b.array)


class Minimum(Function):
    """y = min(a, b);  the gradient goes to the smaller input (split evenly on ties)."""

    __slots__ = ()

    def forward(self, a, b):
        return get_array_module(a).minimum(a, b)

    def backward(self, gy):
        a, b = self.inputs
        return _split_by_winner(gy, a.array < b.array, a.array == b.array)


def _split_by_winner(gy: Tensor, a_wins: Any, tie: Any) -> tuple[Tensor, Tensor]:
    dtype = gy.array.dtype
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
        xp = get_array_module(gy.array)
        zero = xp.zeros((), dtype=gy.array.dtype)
        return where(self.cond, gy, zero), where(self.cond, zero, gy)


class AsType(Function):
    """y = x cast to another dtype;  the gradient is cast back."""

    __slots__ = ("dtype",)

    def __init__(self, dtype: Any) -> None:
        self.dtype = np.dtype(dtype)

    def forward(self, x):
        return x.astype(self.dtype)

    def backward(self, gy):
        return astype(gy, self.inputs[0].array.dtype)


class ToDevice(Function):
    """y = x on another device;  the gradient is moved back."""

    __slots__ = ("device",)

    @property
    def name(self) -> str:
        return "to_device"

    def __init__(self, device: str) -> None:
        self.device = device

    def forward(self, x):
        target = get_backend(self.device)
        source = backend_of(x)
        if target.device == "cpu":
            source.check_errors()  # the host waits for the copy anyway: raise what was flagged
            return source.to_host(x)
        if source.device != "cpu" and type(source) is not type(target):
            # between two kinds of device (cuda and the fakegpu stand-in): through the host,
            # since neither reads the other's arrays
            source.check_errors()
            x = source.to_host(x)
        return target.from_host(x)

    def backward(self, gy):
        return to_device(gy, self.inputs[0].device)


def exp(x: Tensor) -> Tensor:
    """Elementwise e**x (integer input gives the default float dtype)."""
    return Exp()(floating(x, "exp"))


def log(x: Tensor) -> Tensor:
    """Elementwise natural logarithm (integer input gives the default float dtype)."""
    return Log()(floating(x, "log"))


def sqrt(x: Tensor) -> Tensor:
    """Elementwise square root (integer input gives the default float dtype)."""
    return Sqrt()(floating(x, "sqrt"))


def abs(x: Tensor) -> Tensor:  # noqa: A001 - the op's name, as in NumPy and PyTorch
    """Elementwise absolute value."""
    if not isinstance(x, Tensor):
        raise not_a_tensor("abs", x)
    return Abs()(x)


def sin(x: Tensor) -> Tensor:
    """Elementwise sine (integer input gives the default float dtype)."""
    return Sin()(floating(x, "sin"))


def cos(x: Tensor) -> Tensor:
    """Elementwise cosine (integer input gives the default float dtype)."""
    return Cos()(floating(x, "cos"))


def tan(x: Tensor) -> Tensor:
    """Elementwise tangent (integer input gives the default float dtype)."""
    return Tan()(floating(x, "tan"))


def log1p(input: Tensor) -> Tensor:
    """Elementwise ln(1 + x), accurate where x is near 0."""
    return Log1p()(floating(input, "log1p"))


def expm1(input: Tensor) -> Tensor:
    """Elementwise e**x - 1, accurate where x is near 0."""
    return Expm1()(floating(input, "expm1"))


def reciprocal(input: Tensor) -> Tensor:
    """Elementwise 1/x (integer input gives the default float dtype, as PyTorch)."""
    return Reciprocal()(floating(input, "reciprocal"))


def rsqrt(input: Tensor) -> Tensor:
    """Elementwise 1/sqrt(x)."""
    return Rsqrt()(floating(input, "rsqrt"))


def square(input: Tensor) -> Tensor:
    """Elementwise x**2 (x * x;  dy/dx = 2x)."""
    input = tensor_arg(input, "square")
    return input * input


def round(input: Tensor, *, decimals: int = 0) -> Tensor:  # noqa: A001 - PyTorch's name
    """Round to ``decimals`` places, halves to even (2.5 -> 2). Gradient 0."""
    return Step("round", int(decimals))(tensor_arg(input, "round"))


def floor(input: Tensor) -> Tensor:
    """The largest whole number <= x. Gradient 0."""
    return Step("floor")(tensor_arg(input, "floor"))


def ceil(input: Tensor) -> Tensor:
    """The smallest whole number >= x. Gradient 0."""
    return Step("ceil")(tensor_arg(input, "ceil"))


def trunc(input: Tensor) -> Tensor:
    """x with its fractional part dropped (towards 0). Gradient 0."""
    return Step("trunc")(tensor_arg(input, "trunc"))


def sign(input: Tensor) -> Tensor:
    """-1, 0 or 1 by the sign of x. Gradient 0."""
    return Step("sign")(tensor_arg(input, "sign"))


def clone(input: Tensor) -> Tensor:
    """A copy with its own memory; the gradient passes through unchanged."""
    return Clone()(tensor_arg(input, "clone"))


def clamp(
    input: Tensor, min: Any = None, max: Any = None, *, lo: Any = None, hi: Any = None
) -> Tensor:  # fmt: skip
    """y = min(max(x, min), max), either bound may be None;  dy/dx = 1 where
    min <= x <= max, else 0 (PyTorch's convention at the bounds).

    Number bounds are constants; tensor bounds (broadcasting) are compared elementwise
    with ``maximum``/``minimum``. ``lo``/``hi`` are the older names of ``min``/``max``.
    """
    input = tensor_arg(input, "clamp")
    lo = min if lo is None else lo
    hi = max if hi is None else hi
    if lo is None and hi is None:
        raise ValueError("clamp: give at least one of min and max")
    if isinstance(lo, Tensor) or isinstance(hi, Tensor):
        out = input if lo is None else maximum(input, lo)
        return out if hi is None else minimum(out, hi)
    return Clip(lo, hi)(input)


clip = clamp


def maximum(a: Any, b: Any) -> Tensor:
    """Elementwise maximum of two tensors (broadcasting)."""
    return Maximum()(*operands(a, b, "maximum"))


def minimum(a: Any, b: Any) -> Tensor:
    """Elementwise minimum of two tensors (broadcasting)."""
    return Minimum()(*operands(a, b, "minimum"))


_NOT_GIVEN: Any = object()  # where(cond) alone, told apart from a None passed as a value


def where(cond: Any, a: Any = _NOT_GIVEN, b: Any = _NOT_GIVEN) -> Any:
    """Choose elementwise from ``a`` where ``cond`` is true, else from ``b`` (broadcasting).
    With the condition alone, the indices where it holds, one int64 tensor per axis
    (``torch.where(cond)``, ``nonzero(as_tuple=True)``)."""
    if a is _NOT_GIVEN and b is _NOT_GIVEN:
        from .selection import nonzero

        return nonzero(tensor_arg(cond, "where"), as_tuple=True)
    if a is _NOT_GIVEN or b is _NOT_GIVEN:
        raise TypeError("where: give both values (where(cond, a, b)) or neither (where(cond))")
    cond = cond.array if isinstance(cond, Tensor) else _condition(cond)
    if not isinstance(a, Tensor) and not isinstance(b, Tensor):
        a = lift(a, _wrap(get_array_module(cond).asarray(cond)), "where")
    a, b = operands(a, b, "where")
    if type(cond) is not type(a.array):
        if isinstance(cond, np.ndarray) or is_device_array(cond):
            raise RuntimeError(
                f"where: the condition is on {device_of(cond)} but the values on {a.device}; "
                "move it first (nothing is copied silently)"
            )
        cond = get_array_module(a.array).asarray(cond)  # Python bools or lists: no device yet
    return Where(cond)(a, b)


def _condition(cond: Any) -> Any:
    """``where``'s condition, checked to be bools or numbers (their truth), else a TypeError:
    NumPy would take a string or None as one truth value for the whole tensor. Python data
    is returned as given, to be placed on the values' device below."""
    if isinstance(cond, np.ndarray) or is_device_array(cond):
        kind = cond.dtype.kind
    else:
        try:
            kind = np.asarray(cond).dtype.kind
        except (ValueError, TypeError):
            kind = "?"
    if kind not in "biuf":
        raise TypeError(
            "where: the condition must be a bool, or a Tensor, array or (nested) list of "
            f"bools or numbers; got {describe(cond)}"
        )
    return cond


def masked_fill(input: Tensor, mask: Any, value: Any) -> Tensor:
    """``value`` where ``mask`` is true, else ``input`` (broadcasting); the gradient reaches
    ``input`` where the mask is false."""
    return where(mask, value, input)


def astype(x: Tensor, dtype: Any) -> Tensor:
    """Cast to ``dtype``; differentiable between floating dtypes."""
    x = tensor_arg(x, "astype")
    try:
        dtype = np.dtype(dtype)
    except TypeError:
        raise TypeError(f"astype: {dtype!r} is not a dtype (try 'float32' or 'int64')") from None
    if dtype.kind not in "biufc":
        raise TypeError(f"astype: {dtype} holds no numbers; a tensor holds numbers only")
    if x.array.dtype == dtype:
        return x
    return AsType(dtype)(x)


def to_device(x: Tensor, device: str) -> Tensor:
    """Copy to ``device`` (``"cpu"``, ``"cuda"``, ``"cuda:N"``); differentiable."""
    target = get_backend(device)
    if target.owns(x.array):
        return x
    return ToDevice(target.device)(x)


# ----------------------------------------------------------------- questions about a tensor
def is_tensor(obj: Any) -> bool:
    """True for a Tensor."""
    return isinstance(obj, Tensor)


def is_floating_point(input: Tensor) -> bool:
    """True for a tensor of a floating dtype."""
    return input.array.dtype.kind == "f"


# the ops this family adds to ``autograd`` (and ``autograd.ops``)
__all__ = [
    "abs", "astype", "ceil", "clamp", "clip", "clone", "cos", "exp",
    "expm1", "floor", "is_floating_point", "is_tensor", "log", "log1p",
    "masked_fill", "maximum", "minimum", "reciprocal", "round", "rsqrt", "sign", "sin", "sqrt",
    "square", "tan", "to_device", "trunc", "where",
]  # fmt: skip
