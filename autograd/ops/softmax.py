"""softmax, log_softmax and logsumexp, shifted by the maximum so inputs of size 1e4 stay finite."""

from __future__ import annotations

from typing import Any

from backends import get_array_module
from backends.kernels import KernelSource, ReductionSource, float_kernel_backend

from ..function import Function
from ..tensor import Tensor, _wrap
from ._coerce import floating
from .elementwise import astype, exp
from .reductions import _keepdims_shape, _normalize_axis
from .reductions import sum as _sum
from .shape import reshape


class Softmax(Function):
    """y_i = e**(x_i - m) / sum_j e**(x_j - m), m = max x;  dL/dx = y (g - sum(g y)).

    On a device, ``stats`` keeps the maxima m and the sums s (keepdims) after the forward,
    for a cross-entropy of the same x that would compute them again (a Keras model that
    ends in a softmax: ``nn.losses.keras``); None on the host.
    """

    __slots__ = ("axis", "stats")

    def __init__(self, axis: int) -> None:
        self.axis = axis
        self.stats = None

    def forward(self, x):
        xp = get_array_module(x)
        m = x.max(axis=self.axis, keepdims=True)
        backend = float_kernel_backend(x)
        if backend is not None:  # a device: three launches (max, the sums, e / s), not four
            s = SUM_EXP_SHIFTED.on(backend)(x, m, axis=self.axis, keepdims=True)
            self.stats = (m, s)
            return SOFTMAX_FROM_SUMS.on(backend)(x, m, s, xp.empty_like(x))
        e = xp.exp(x - m)
        e /= e.sum(axis=self.axis, keepdims=True)
        return e

    def backward(self, gy):
        y = self.output()
        gy_y = gy * y
        return gy_y - y * _sum(gy_y, self.axis, keepdims=True)


#: s = sum of exp(z - m) along an axis, for z and its maxima m, in one launch (no e in
#: memory): the softmax's and the softmax cross-entropy's sums.
SUM_EXP_SHIFTED = ReductionSource("xpgrad_sum_exp_shifted", "T z, T m", "T s", "exp(z - m)",
                                  "s = a", "T")
#: y = exp(z - m) / s: the softmax from its maxima and sums (the values e / s would give).
SOFTMAX_FROM_SUMS = KernelSource("xpgrad_softmax", "T z, T m, T s", "T y",
                                 "y = exp(z - m) / s;")


class LogSoftmax(Function):
    """y_i = x_i - m - ln sum_j e**(x_j - m);  dL/dx = g - softmax(x) sum(g)."""

    __slots__ = ("axis",)

    @property
    def name(self) -> str:
        return "log_softmax"

    def __init__(self, axis: int) -> None:
        self.axis = axis

    def forward(self, x):
        xp = get_array_module(x)
        shifted = x - x.max(axis=self.axis, keepdims=True)
        return shifted - xp.log(xp.exp(shifted).sum(axis=self.axis, keepdims=True))

    def backward(self, gy):
        return gy - exp(self.output()) * _sum(gy, self.axis, keepdims=True)


class LogSumExp(Function):
    """y = m + ln sum e**(x - m), m = max x;  dy/dx = softmax(x) = e**(x - m) / sum e**(x - m).

    The gradient is NOT computed as e**(x - y): at |x| ~ 1e4 a float32 y is only known to
    ~1e-3 (its spacing there), which would become a 1e-3 relative error in the gradient.
    m is a constant shift (softmax does not depend on it), so higher orders stay exact.
    """

    __slots__ = ("axis", "keepdims", "shift")

    def __init__(self, axis: tuple[int, ...] | None, keepdims: bool) -> None:
        self.axis = axis
        self.keepdims = keepdims

    def forward(self, x):
        xp = get_array_module(x)
        m = x.max(axis=self.axis, keepdims=True)
        m = xp.where(xp.isfinite(m), m, 0)  # all -inf: keep -inf instead of nan
        self.shift = m
        y = xp.log(xp.exp(x - m).sum(axis=self.axis, keepdims=True)) + m
        return y if self.keepdims else y.reshape(_reduced_shape(x.shape, self.axis))

    def backward(self, gy):
        x = self.inputs[0]
        e = exp(x - _wrap(self.shift))
        softmax_x = e / _sum(e, self.axis, keepdims=True)
        return reshape(gy, _keepdims_shape(x.shape, self.axis)) * softmax_x


def _reduced_shape(shape, axes):
    if axes is None:
        return ()
    return tuple(n for i, n in enumerate(shape) if i not in axes)


def _one_axis(x: Tensor, axis: int, op: str) -> int:
    axes = _normalize_axis(axis, x, op) or (0,)
    if len(axes) != 1:
        raise ValueError(f"{op}: takes one axis, got {axis!r}")
    return axes[0]


def _softmax_dim(x: Tensor, dim: Any, axis: Any, dtype: Any, op: str) -> tuple[Tensor, int]:
    if axis is not None:
        if dim is not None:
            raise TypeError(f"{op}: give dim or axis, not both")
        dim = axis
    if dtype is not None:
        x = astype(x, dtype)
    return floating(x, op), _one_axis(x, -1 if dim is None else dim, op)


def softmax(
    input: Tensor, dim: int | None = None, dtype: Any = None, *, axis: int | None = None
) -> Tensor:  # fmt: skip
    """e**x normalised to sum to 1 along ``dim`` (the last axis when not given;
    ``axis`` is Keras' name). ``dtype`` casts the input first."""
    x, dim = _softmax_dim(input, dim, axis, dtype, "softmax")
    if x.ndim == 0:  # NumPy reduces a 0-d array over "axis 0", CuPy refuses: go through (1,)
        return reshape(Softmax(0)(reshape(x, (1,))), ())
    return Softmax(dim)(x)


def log_softmax(
    input: Tensor, dim: int | None = None, dtype: Any = None, *, axis: int | None = None
) -> Tensor:  # fmt: skip
    """ln softmax(x) along ``dim``, computed without forming softmax (stable for large inputs)."""
    x, dim = _softmax_dim(input, dim, axis, dtype, "log_softmax")
    if x.ndim == 0:  # as in softmax
        return reshape(LogSoftmax(0)(reshape(x, (1,))), ())
    return LogSoftmax(dim)(x)


def logsumexp(
    input: Tensor, dim: Any = None, keepdim: bool = False, *, axis: Any = None,
    keepdims: bool | None = None,
) -> Tensor:  # fmt: skip
    """ln sum e**x over ``dim`` (all axes when None), stable for large inputs."""
    if axis is not None:
        dim = axis
    if keepdims is not None:
        keepdim = keepdims
    x = floating(input, "logsumexp")
    return LogSumExp(_normalize_axis(dim, x, "logsumexp"), bool(keepdim))(x)


# the ops this family adds to ``autograd`` (and ``autograd.ops``)
__all__ = ["log_softmax", "logsumexp", "softmax"]
