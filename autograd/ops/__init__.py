"""Every differentiable op, as a function: the module-level functions of ``autograd`` and
what ``Tensor``'s operators and methods (in ``autograd/tensor.py``) delegate to.

Each op takes PyTorch's argument names (``input``, ``dim``, ``keepdim``) and, where
NumPy's or Keras' differ, theirs too (``axis``, ``keepdims``).
"""

# ``X as X``: what Tensor's hottest operators call directly (tensor.py), not in __all__
from ._coerce import operands as operands
from .activations import elu, erf, gelu, leaky_relu, relu, selu, sigmoid, silu, softplus, tanh
from .arithmetic import Add as Add
from .arithmetic import Mul as Mul
from .arithmetic import Neg as Neg
from .arithmetic import Sub as Sub
from .arithmetic import (
    add,
    div,
    divide,
    mul,
    multiply,
    neg,
    negative,
    pow,
    sub,
    subtract,
    true_divide,
)
from .dropout import dropout
from .elementwise import (
    abs,
    allclose,
    astype,
    clamp,
    clip,
    clone,
    cos,
    equal,
    exp,
    is_floating_point,
    is_tensor,
    isclose,
    log,
    masked_fill,
    maximum,
    minimum,
    sin,
    sqrt,
    tan,
    to_device,
    where,
)
from .indexing import GetItem as GetItem
from .indexing import getitem
from .indexing import raw_index as raw_index
from .matmul import MatMul as MatMul
from .matmul import bmm, dot, matmul, mm
from .reductions import (
    MaxResult,
    MinResult,
    amax,
    amin,
    argmax,
    argmin,
    max,
    mean,
    min,
    norm,
    std,
    sum,
    var,
)
from .shape import (
    broadcast_to,
    cat,
    chunk,
    concat,
    concatenate,
    expand,
    expand_dims,
    flatten,
    numel,
    permute,
    repeat,
    reshape,
    split,
    squeeze,
    stack,
    sum_to,
    swapaxes,
    swapdims,
    t,
    transpose,
    unsqueeze,
)
from .softmax import log_softmax, logsumexp, softmax

__all__ = [
    "abs", "add", "allclose", "amax", "amin", "argmax", "argmin", "astype", "bmm", "broadcast_to",
    "cat", "chunk", "clamp", "clip", "clone", "concat", "concatenate", "cos", "div", "divide",
    "dot", "dropout", "elu", "equal", "erf", "exp", "expand", "expand_dims", "flatten", "gelu",
    "getitem", "is_floating_point", "is_tensor", "isclose", "leaky_relu", "log", "log_softmax",
    "logsumexp", "masked_fill", "matmul", "max", "maximum", "MaxResult", "mean", "min", "minimum",
    "MinResult", "mm", "mul", "multiply", "neg", "negative", "norm", "numel", "permute", "pow",
    "relu", "repeat", "reshape", "selu", "sigmoid", "silu", "sin", "softmax", "softplus", "split",
    "sqrt", "squeeze", "stack", "std", "sub", "subtract", "sum", "sum_to", "swapaxes", "swapdims",
    "t", "tan", "tanh", "to_device", "transpose", "true_divide", "unsqueeze", "var", "where",
]  # fmt: skip
