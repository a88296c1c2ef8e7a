"""Activation functions: relu, leaky_relu, elu, selu, gelu, silu, softplus, sigmoid, tanh."""

from __future__ import annotations

import math
from typing import Any

from backends import backend_of, get_array_module
from backends.kernels import KernelSource, float_kernel_backend

from ..function import Function
from ..tensor import Tensor, _wrap
from ._coerce import floating, not_a_tensor
from .elementwise import exp, where


def _mask(condition: Any, like: Any) -> Tensor:
    """A constant 0/1 tensor in ``like``'s dtype (keeps float32 gradients float32)."""
    return _wrap(condition.astype(like.dtype))


class ReLU(Function):
    """y = max(x, 0);  dy/dx = 1 for x > 0, else 0."""

    __slots__ = ()

    def forward(self, x):
        return get_array_module(x).maximum(x, 0)

    def backward(self, gy):
        return activation_grad("relu", gy, self.output())

    def backward_data(self, gy):
        return activation_grad_data("relu", gy, self.output().array)


class LeakyReLU(Function):
    """y = x for x > 0, else slope * x;  dy/dx = 1 or slope."""

    __slots__ = ("slope",)

    @property
    def name(self) -> str:
        return "leaky_relu"

    def __init__(self, slope: float) -> None:
        self.slope = slope

    def forward(self, x):
        return get_array_module(x).where(x > 0, x, x * self.slope)

    def backward(self, gy):
        x = self.inputs[0].array
        positive = (x > 0).astype(x.dtype)
        return gy * _wrap(positive + (1 - positive) * x.dtype.type(self.slope))


class ELU(Function):
    """y = x for x > 0, else alpha (e**x - 1);  dy/dx = 1, or y + alpha for x <= 0."""

    __slots__ = ("alpha",)

    def __init__(self, alpha: float) -> None:
        self.alpha = alpha

    def forward(self, x):
        xp = get_array_module(x)
        return xp.where(x > 0, x, xp.expm1(xp.minimum(x, 0)) * self.alpha)

    def backward(self, gy):
        x = self.inputs[0].array
        return where(x > 0, gy, gy * (self.output() + self.alpha))


class Sigmoid(Function):
    """y = 1 / (1 + e**-x);  dy/dx = y (1 - y).

    Computed as e**min(x,0) / (1 + e**-|x|) so that no exponent overflows.
    """

    __slots__ = ()

    def forward(self, x):
        return activate("sigmoid", x)

    def backward(self, gy):
        return activation_grad("sigmoid", gy, self.output())

    def backward_data(self, gy):
        return activation_grad_data("sigmoid", gy, self.output().array)


class Tanh(Function):
    """y = tanh x;  dy/dx = 1 - y**2."""

    __slots__ = ()

    def forward(self, x):
        return get_array_module(x).tanh(x)

    def backward(self, gy):
        return activation_grad("tanh", gy, self.output())

    def backward_data(self, gy):
        return activation_grad_data("tanh", gy, self.output().array)


# ----------------------------------------------------------- relu, sigmoid, tanh as kernels
# The three activations whose derivative is a function of their output y. On a device that
# runs fused kernels each forward and each backward is one launch (sigmoid's forward is six
# xp calls, its backward three), and a layer's bias is added in the same launch
# (``autograd.ops.matmul.AffineActivation``). Elsewhere the xp lines below run.
_FORWARD_BODY = {
    "relu": "y = v < (T)0 ? (T)0 : v;",  # not max(): NaN stays NaN, as np.maximum
    "sigmoid": "T e = exp(-fabs(v));\ny = (v >= (T)0 ? (T)1 : e) / ((T)1 + e);",
    "tanh": "y = tanh(v);",
}
_BACKWARD_BODY = {
    "relu": "gx = y > (T)0 ? gy : (T)0;",
    "sigmoid": "gx = gy * y * ((T)1 - y);",
    "tanh": "gx = gy * ((T)1 - y * y);",
}
#: Names of the activations :func:`activate` and the fused layer ops take.
FUSABLE = frozenset(_FORWARD_BODY)
_BIAS_KERNELS = {  # y = f(y + b) in place, on a layer's fresh product y
    name: KernelSource(f"xpgrad_bias_{name}", "T b", "T y", f"T v = y + b;\n{body}")
    for name, body in _FORWARD_BODY.items()
}
_KERNELS = {  # y = f(x)
    name: KernelSource(f"xpgrad_{name}", "T x", "T y", f"T v = x;\n{body}")
    for name, body in _FORWARD_BODY.items()
}
_GRAD_KERNELS = {
    name: KernelSource(f"xpgrad_{name}_grad", "T gy, T y", "T gx", body)
    for name, body in _BACKWARD_BODY.items()
}
def activate(name: str, x: Any, bias: Any = None, *, in_place: bool = False) -> Any:
    """``f(x + bias)`` on arrays, for ``name`` in :data:`FUSABLE`; ``bias`` (None: none)
    broadcasts over ``x``'s leading axes and has its dtype. With ``in_place`` the result
    is written into ``x`` (which must be a fresh array no one else holds)."""
    backend = float_kernel_backend(x)
    if backend is not None:
        if bias is not None:
            if not in_place:
                x = x.copy()
            _BIAS_KERNELS[name].on(backend)(bias, x)
            return x
        out = x if in_place else get_array_module(x).empty_like(x)
        return _KERNELS[name].on(backend)(x, out)
    xp = get_array_module(x)
    if bias is not None:
        x = xp.add(x, bias, out=x if in_place else None)
        in_place = True
    if name == "relu":
        return xp.maximum(x, 0, out=x if in_place else None)
    if name == "tanh":
        return xp.tanh(x, out=x if in_place else None)
    e = xp.exp(-xp.abs(x))
    return xp.where(x >= 0, 1, e) / (1 + e)


def activation_grad_data(name: str, gy: Any, y: Any) -> Any:
    """``gy · f'`` on arrays, from the activation's output ``y`` (relu: y > 0; sigmoid:
    y (1 - y); tanh: 1 - y²)."""
    backend = float_kernel_backend(y)
    if backend is not None and gy.dtype == y.dtype and gy.shape == y.shape:
        return _GRAD_KERNELS[name].on(backend)(gy, y, get_array_module(y).empty_like(y))
    if name == "relu":
        return gy * (y > 0)  # a bool mask keeps gy's dtype
    if name == "sigmoid":
        return gy * y * (1 - y)
    return gy * (1 - y * y)


def activation_grad(name: str, gy: Tensor, y: Tensor) -> Tensor:
    """``gy · f'`` with tensor ops (recorded under ``create_graph``): through ``y``, so
    gradients of gradients see sigmoid's and tanh's curvature (relu's mask is constant)."""
    if name == "relu":
        return gy * _mask(y.array > 0, y.array)
    if name == "sigmoid":
        return gy * y * (1 - y)
    return gy * (1 - y * y)


class Softplus(Function):
    """y = ln(1 + e**x), computed as logaddexp(0, x);  dy/dx = sigmoid(x)."""

    __slots__ = ()

    def forward(self, x):
        return get_array_module(x).logaddexp(0, x).astype(x.dtype, copy=False)

    def backward(self, gy):
        return gy * sigmoid(self.inputs[0])


class Erf(Function):
    """y = erf x;  dy/dx = 2/sqrt(pi) e**(-x**2)."""

    __slots__ = ()

    def forward(self, x):
        return backend_of(x).erf(x).astype(x.dtype, copy=False)

    def backward(self, gy):
        x = self.inputs[0]
        return gy * (2 / math.sqrt(math.pi)) * exp(-(x * x))


_SELU_ALPHA = 1.6732632423543772848170429916717
_SELU_SCALE = 1.0507009873554804934193349852946


def relu(x: Tensor) -> Tensor:
    """max(x, 0)."""
    if not isinstance(x, Tensor):
        raise not_a_tensor("relu", x)
    return ReLU()(x)


def leaky_relu(x: Tensor, negative_slope: float = 0.01) -> Tensor:
    """x for x > 0, else negative_slope * x."""
    return LeakyReLU(negative_slope)(floating(x, "leaky_relu"))


def elu(x: Tensor, alpha: float = 1.0) -> Tensor:
    """x for x > 0, else alpha (e**x - 1)."""
    return ELU(alpha)(floating(x, "elu"))


def selu(x: Tensor) -> Tensor:
    """scale * elu(x, alpha) with the self-normalising constants alpha ~ 1.6733, scale ~ 1.0507."""
    return elu(floating(x, "selu"), _SELU_ALPHA) * _SELU_SCALE


def sigmoid(x: Tensor) -> Tensor:
    """1 / (1 + e**-x), stable for large |x|."""
    return Sigmoid()(floating(x, "sigmoid"))


def tanh(x: Tensor) -> Tensor:
    """Hyperbolic tangent."""
    return Tanh()(floating(x, "tanh"))


def softplus(x: Tensor) -> Tensor:
    """ln(1 + e**x), stable for large |x|."""
    return Softplus()(floating(x, "softplus"))


def erf(x: Tensor) -> Tensor:
    """The error function."""
    return Erf()(floating(x, "erf"))


def silu(x: Tensor) -> Tensor:
    """x * sigmoid(x) (also called swish);  d/dx = s + x s (1 - s)."""
    x = floating(x, "silu")
    return x * sigmoid(x)


def gelu(x: Tensor, approximate: str = "none") -> Tensor:
    """x * Phi(x), Phi the standard normal CDF: 0.5 x (1 + erf(x / sqrt 2)).

    ``approximate="tanh"`` uses 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x**3))), as PyTorch.
    d/dx (exact) = Phi(x) + x phi(x).
    """
    x = floating(x, "gelu")
    if approximate == "none":
        return x * (erf(x * (1 / math.sqrt(2))) + 1) * 0.5
    if approximate == "tanh":
        inner = (x + x * x * x * 0.044715) * math.sqrt(2 / math.pi)
        return x * (tanh(inner) + 1) * 0.5
    raise ValueError(f"gelu: approximate must be 'none' or 'tanh', got {approximate!r}")


# the ops this family adds to ``autograd`` (and ``autograd.ops``)
__all__ = [
    "elu", "erf", "gelu", "leaky_relu", "relu", "selu", "sigmoid", "silu", "softplus", "tanh",
]  # fmt: skip
