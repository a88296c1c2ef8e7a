"""xpgrad's reverse-mode automatic differentiation on NumPy and CuPy arrays.

>>> import autograd as ag
>>> x = ag.Tensor([1.0, 2.0, 3.0], requires_grad=True)
>>> y = (x * x).sum()
>>> y.backward()
>>> x.grad            # dy/dx = 2x
tensor([2., 4., 6.], device='cpu', dtype=float32)
"""

from backends import manual_seed

from .anomaly_mode import (
    detect_anomaly,
    is_anomaly_check_nan_enabled,
    is_anomaly_enabled,
    set_detect_anomaly,
)
from .defaults import get_default_device, get_default_dtype, set_default_device, set_default_dtype
from .engine import grad
from .function import Function
from .grad_mode import enable_grad, is_grad_enabled, no_grad, set_grad_enabled
from .gradcheck import GradcheckError, gradcheck
from .ops import (
    abs,
    add,
    astype,
    broadcast_to,
    clip,
    concat,
    div,
    dropout,
    elu,
    erf,
    exp,
    expand_dims,
    flatten,
    gelu,
    leaky_relu,
    log,
    log_softmax,
    logsumexp,
    matmul,
    max,
    maximum,
    mean,
    min,
    minimum,
    mul,
    neg,
    permute,
    pow,
    relu,
    reshape,
    selu,
    sigmoid,
    silu,
    softmax,
    softplus,
    sqrt,
    stack,
    sub,
    sum,
    sum_to,
    swapaxes,
    tanh,
    to_device,
    transpose,
    var,
    where,
)
from .tensor import Tensor, from_array

__all__ = [
    "Function", "GradcheckError", "Tensor", "abs", "add", "astype", "broadcast_to", "clip",
    "concat", "detect_anomaly", "div", "dropout", "elu", "enable_grad", "erf", "exp",
    "expand_dims", "flatten", "from_array", "gelu", "get_default_device", "get_default_dtype",
    "grad",
    "gradcheck", "is_anomaly_check_nan_enabled", "is_anomaly_enabled", "is_grad_enabled",
    "leaky_relu", "log", "log_softmax", "logsumexp", "manual_seed", "matmul", "max", "maximum",
    "mean", "min", "minimum", "mul", "neg", "no_grad", "permute", "pow", "relu", "reshape",
    "selu", "set_default_device", "set_default_dtype", "set_detect_anomaly",
    "set_grad_enabled", "sigmoid", "silu", "softmax", "softplus", "sqrt", "stack", "sub",
    "sum", "sum_to", "swapaxes", "tanh", "to_device", "transpose", "var", "where",
]  # fmt: skip
