"""Every differentiable op, as a function; ``install_tensor_methods`` adds the Tensor operators."""

from __future__ import annotations

from typing import Any

from .activations import elu, erf, gelu, leaky_relu, relu, selu, sigmoid, silu, softplus, tanh
from .arithmetic import add, div, mul, neg, pow, sub
from .dropout import dropout
from .elementwise import abs, astype, clip, exp, log, maximum, minimum, sqrt, to_device, where
from .indexing import getitem
from .matmul import matmul
from .reductions import max, mean, min, sum, var
from .shape import (
    broadcast_to,
    concat,
    expand_dims,
    flatten,
    permute,
    reshape,
    stack,
    sum_to,
    swapaxes,
    transpose,
)
from .softmax import log_softmax, logsumexp, softmax

__all__ = [
    "abs", "add", "astype", "broadcast_to", "clip", "concat", "div", "dropout", "elu", "erf",
    "exp", "expand_dims", "flatten", "gelu", "getitem", "leaky_relu", "log", "log_softmax",
    "logsumexp", "matmul", "max", "maximum", "mean", "min", "minimum", "mul", "neg", "permute",
    "pow", "relu", "reshape", "selu", "sigmoid", "silu", "softmax", "softplus", "sqrt", "stack",
    "sub", "sum", "sum_to", "swapaxes", "tanh", "to_device", "transpose", "var", "where",
]  # fmt: skip


def _reflected(op):
    def method(self: Any, other: Any) -> Any:
        return op(other, self)

    method.__name__ = f"__r{op.__name__}__"
    return method


def install_tensor_methods(cls: type) -> None:
    """Give ``Tensor`` its operators and the method forms of the ops."""
    cls.__add__, cls.__radd__ = add, _reflected(add)
    cls.__sub__, cls.__rsub__ = sub, _reflected(sub)
    cls.__mul__, cls.__rmul__ = mul, _reflected(mul)
    cls.__truediv__, cls.__rtruediv__ = div, _reflected(div)
    cls.__pow__, cls.__rpow__ = pow, _reflected(pow)
    cls.__matmul__, cls.__rmatmul__ = matmul, _reflected(matmul)
    cls.__neg__ = neg
    cls.__abs__ = abs
    cls.__getitem__ = getitem
    for fn in (
        sum, mean, max, min, var, reshape, transpose, permute, flatten, broadcast_to, exp, log,
        sqrt, abs, clip, relu, sigmoid, tanh, softmax, log_softmax, logsumexp, matmul,
    ):  # fmt: skip
        setattr(cls, fn.__name__, fn)
