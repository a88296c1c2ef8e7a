"""Keras 3's ``keras.ops``: the NumPy-style functions custom Keras code is written with
(custom losses, metrics, layers and activations), on this project's autograd.

Each takes tensors, NumPy arrays, lists or numbers (converted as
``ops.convert_to_tensor`` does), returns a Tensor, and is differentiable where Keras' is.
Names, argument names, defaults and results follow Keras 3 (``axis=``/``keepdims=``;
``std``/``var`` over the population; ``max(x, 1)`` the values only; ``transpose(x, axes)``
and ``repeat`` as NumPy's; ``gelu``'s tanh approximation by default; the cross-entropies
one value per element or sample, as the ``keras.losses`` functions). Integer results are
int64 here (Keras' are int32 on some backends); their values are the same.

Only the ops an MLP's custom code reaches for are here (about a third of Keras'); the
others raise an AttributeError that names this module.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

import autograd
import backends
from autograd import Tensor

from . import activations as _activations

Axis = int | Sequence[int] | None


def _axis(axis: Any) -> Any:
    return tuple(axis) if isinstance(axis, list) else axis


# ---------------------------------------------------------------- tensors and their facts
def convert_to_tensor(x: Any, dtype: Any = None, sparse: Any = None) -> Tensor:
    """``x`` as a Tensor (a Tensor is returned as it is unless ``dtype`` asks for another).
    Python floats become float32, NumPy arrays keep their dtype, as in Keras."""
    if sparse:
        raise NotImplementedError("convert_to_tensor: sparse tensors are not supported here")
    t = x if isinstance(x, Tensor) else autograd.as_tensor(x)
    return t if dtype is None or t.dtype == np.dtype(dtype) else autograd.astype(t, dtype)


def _t(x: Any) -> Tensor:
    return x if isinstance(x, Tensor) else autograd.as_tensor(x)


def convert_to_numpy(x: Any) -> np.ndarray:
    """A NumPy array of ``x``'s values (copied from a device)."""
    if isinstance(x, Tensor):
        return np.asarray(backends.backend_of(x.array).to_host(x.array))
    return np.asarray(x)


def is_tensor(x: Any) -> bool:
    return isinstance(x, Tensor)


def cast(x: Any, dtype: Any) -> Tensor:
    """``x`` in ``dtype`` (the gradient flows through float-to-float casts)."""
    return autograd.astype(_t(x), dtype)


def shape(x: Any) -> tuple[int, ...]:
    return tuple(_t(x).shape)


def dtype(x: Any) -> str:
    """The dtype's name, as Keras gives it (``"float32"``)."""
    return str(_t(x).dtype)


def size(x: Any) -> int:
    return int(np.prod(_t(x).shape))


def ndim(x: Any) -> int:
    return _t(x).ndim


def stop_gradient(x: Any) -> Tensor:
    """``x`` with no gradient flowing back through it."""
    return _t(x).detach()


def identity(n: int, dtype: Any = None) -> Tensor:
    """The n x n identity matrix (NumPy's ``identity``; not the identity function)."""
    return autograd.eye(n, dtype=dtype)


# ---------------------------------------------------------------- creation
def zeros(shape: Any, dtype: Any = None) -> Tensor:
    return autograd.zeros(shape, dtype=dtype)


def ones(shape: Any, dtype: Any = None) -> Tensor:
    return autograd.ones(shape, dtype=dtype)


def full(shape: Any, fill_value: Any, dtype: Any = None) -> Tensor:
    return autograd.full(shape, fill_value, dtype=dtype)


def zeros_like(x: Any, dtype: Any = None) -> Tensor:
    return autograd.zeros_like(_t(x), dtype=dtype)


def ones_like(x: Any, dtype: Any = None) -> Tensor:
    return autograd.ones_like(_t(x), dtype=dtype)


def full_like(x: Any, fill_value: Any, dtype: Any = None) -> Tensor:
    return autograd.full_like(_t(x), fill_value, dtype=dtype)


def arange(start: Any, stop: Any = None, step: Any = 1, dtype: Any = None) -> Tensor:
    return autograd.arange(start, stop, step, dtype=dtype)


def linspace(start: Any, stop: Any, num: int = 50, endpoint: bool = True,
             dtype: Any = None) -> Tensor:  # fmt: skip
    if not endpoint:
        raise NotImplementedError("linspace: endpoint=False is not supported here")
    return autograd.linspace(start, stop, num, dtype=dtype)


def eye(N: int, M: int | None = None, k: int = 0, dtype: Any = None) -> Tensor:  # noqa: N803
    if k:
        raise NotImplementedError("eye: a diagonal offset k is not supported here")
    return autograd.eye(N, M, dtype=dtype)


def one_hot(x: Any, num_classes: int, axis: int = -1, dtype: Any = None) -> Tensor:
    """Integer labels as one-hot rows (float32 by default, as Keras)."""
    if axis != -1:
        raise NotImplementedError("one_hot: only axis=-1 is supported here")
    labels = _t(x).array
    xp = backends.backend_of(labels).xp
    out = (labels[..., None] == xp.arange(num_classes)).astype(
        dtype or autograd.get_default_dtype())
    return autograd.from_array(out)


# ---------------------------------------------------------------- elementwise math
def _unary(fn: Any, name: str, doc: str) -> Any:
    def op(x: Any) -> Tensor:
        return fn(_t(x))

    op.__name__ = op.__qualname__ = name
    op.__doc__ = doc
    return op


abs = absolute = _unary(autograd.abs, "abs", "|x|")  # noqa: A001
negative = _unary(autograd.neg, "negative", "-x")
exp = _unary(autograd.exp, "exp", "e**x")
log = _unary(autograd.log, "log", "ln x")
log1p = _unary(autograd.log1p, "log1p", "ln(1 + x), exact for small x")
expm1 = _unary(autograd.expm1, "expm1", "e**x - 1, exact for small x")
sqrt = _unary(autograd.sqrt, "sqrt", "√x")
square = _unary(autograd.square, "square", "x²")
rsqrt = _unary(autograd.rsqrt, "rsqrt", "1/√x")
reciprocal = _unary(autograd.reciprocal, "reciprocal", "1/x")
sign = _unary(autograd.sign, "sign", "-1, 0 or 1 (gradient 0)")
floor = _unary(autograd.floor, "floor", "⌊x⌋ (gradient 0)")
ceil = _unary(autograd.ceil, "ceil", "⌈x⌉ (gradient 0)")
trunc = _unary(autograd.trunc, "trunc", "x rounded toward 0 (gradient 0)")
sin = _unary(autograd.sin, "sin", "sin x")
cos = _unary(autograd.cos, "cos", "cos x")
tan = _unary(autograd.tan, "tan", "tan x")
tanh = _unary(autograd.tanh, "tanh", "tanh x")
erf = _unary(autograd.erf, "erf", "the error function")
isnan = _unary(autograd.isnan, "isnan", "x is NaN")
isinf = _unary(autograd.isinf, "isinf", "x is ±inf")
isfinite = _unary(autograd.isfinite, "isfinite", "x is neither NaN nor ±inf")
logical_not = _unary(autograd.logical_not, "logical_not", "not x")


def round(x: Any, decimals: int = 0) -> Tensor:  # noqa: A001
    """x rounded half to even to ``decimals`` places (gradient 0)."""
    return autograd.round(_t(x), decimals=decimals)


def log2(x: Any) -> Tensor:
    return autograd.log(_t(x)) / float(np.log(2.0))


def log10(x: Any) -> Tensor:
    return autograd.log(_t(x)) / float(np.log(10.0))


def _operand(x: Any, other: Any) -> Any:
    # Python numbers stay numbers: they take the tensor's dtype, as in Keras. Arrays go
    # where the other operand is (Keras converts them onto its device).
    if isinstance(x, Tensor | int | float):
        return x
    return autograd.as_tensor(x, device=other.device if isinstance(other, Tensor) else None)


def _pair(x1: Any, x2: Any) -> tuple[Any, Any]:
    a, b = _operand(x1, x2), _operand(x2, x1)
    if not isinstance(a, Tensor) and not isinstance(b, Tensor):
        a = autograd.as_tensor(a)
    return a, b


def _binary(fn: Any, name: str, doc: str) -> Any:
    def op(x1: Any, x2: Any) -> Tensor:
        return fn(*_pair(x1, x2))

    op.__name__ = op.__qualname__ = name
    op.__doc__ = doc
    return op


add = _binary(autograd.add, "add", "x1 + x2 (broadcasting)")
subtract = _binary(autograd.subtract, "subtract", "x1 - x2")
multiply = _binary(autograd.multiply, "multiply", "x1 · x2")
divide = true_divide = _binary(autograd.divide, "divide", "x1 / x2 (a float result)")
power = _binary(autograd.pow, "power", "x1 ** x2")
maximum = _binary(autograd.maximum, "maximum", "the larger of x1 and x2, elementwise")
minimum = _binary(autograd.minimum, "minimum", "the smaller of x1 and x2, elementwise")
equal = _binary(autograd.eq, "equal", "x1 == x2")
not_equal = _binary(autograd.ne, "not_equal", "x1 != x2")
greater = _binary(autograd.gt, "greater", "x1 > x2")
greater_equal = _binary(autograd.ge, "greater_equal", "x1 >= x2")
less = _binary(autograd.lt, "less", "x1 < x2")
less_equal = _binary(autograd.le, "less_equal", "x1 <= x2")
logical_and = _binary(autograd.logical_and, "logical_and", "x1 and x2")
logical_or = _binary(autograd.logical_or, "logical_or", "x1 or x2")
logical_xor = _binary(autograd.logical_xor, "logical_xor", "x1 xor x2")


def floor_divide(x1: Any, x2: Any) -> Tensor:
    """⌊x1 / x2⌋ (gradient 0)."""
    a, b = _pair(x1, x2)
    return a // b


def mod(x1: Any, x2: Any) -> Tensor:
    """x1 - ⌊x1 / x2⌋ x2, with x2's sign (as NumPy's ``mod``)."""
    a, b = _pair(x1, x2)
    return a % b


def clip(x: Any, x_min: Any, x_max: Any) -> Tensor:
    return autograd.clip(_t(x), x_min, x_max)


def where(condition: Any, x1: Any = None, x2: Any = None) -> Any:
    """x1 where ``condition`` holds, else x2; with neither, the indices where it holds."""
    if x1 is None and x2 is None:
        return autograd.nonzero(_t(condition), as_tuple=True)
    c = condition.array if isinstance(condition, Tensor) else np.asarray(condition)
    return autograd.where(c, x1, x2)


def isclose(x1: Any, x2: Any, rtol: float = 1e-5, atol: float = 1e-8,
            equal_nan: bool = False) -> Tensor:  # fmt: skip
    return autograd.isclose(_t(x1), x2, rtol, atol, equal_nan)


# ---------------------------------------------------------------- reductions
def sum(x: Any, axis: Axis = None, keepdims: bool = False) -> Tensor:  # noqa: A001
    return autograd.sum(_t(x), axis=_axis(axis), keepdims=keepdims)


def mean(x: Any, axis: Axis = None, keepdims: bool = False) -> Tensor:
    return autograd.mean(_t(x), axis=_axis(axis), keepdims=keepdims)


def prod(x: Any, axis: Axis = None, keepdims: bool = False, dtype: Any = None) -> Tensor:
    return autograd.prod(_t(x), axis=_axis(axis), keepdims=keepdims, dtype=dtype)


def max(x: Any, axis: Axis = None, keepdims: bool = False, initial: Any = None) -> Tensor:  # noqa: A001
    """The largest value (over ``axis``); ties share the gradient. Values only."""
    if initial is not None:
        raise NotImplementedError("max: initial is not supported here")
    return autograd.amax(_t(x), _axis(axis), keepdims)


def min(x: Any, axis: Axis = None, keepdims: bool = False, initial: Any = None) -> Tensor:  # noqa: A001
    """The smallest value (over ``axis``); ties share the gradient. Values only."""
    if initial is not None:
        raise NotImplementedError("min: initial is not supported here")
    return autograd.amin(_t(x), _axis(axis), keepdims)


amax, amin = max, min


def std(x: Any, axis: Axis = None, keepdims: bool = False) -> Tensor:
    """The population standard deviation √(mean (x - x̄)²), as Keras (not PyTorch's n-1)."""
    return autograd.std(_t(x), axis=_axis(axis), keepdims=keepdims, correction=0)


def var(x: Any, axis: Axis = None, keepdims: bool = False) -> Tensor:
    """The population variance mean (x - x̄)², as Keras (not PyTorch's n-1)."""
    return autograd.var(_t(x), axis=_axis(axis), keepdims=keepdims, correction=0)


def moments(x: Any, axes: Axis, keepdims: bool = False) -> tuple[Tensor, Tensor]:
    """(mean, population variance) over ``axes``."""
    return mean(x, axes, keepdims), var(x, axes, keepdims)


def logsumexp(x: Any, axis: Axis = None, keepdims: bool = False) -> Tensor:
    """log Σ exp(x), stable for large x."""
    return autograd.logsumexp(_t(x), axis=_axis(axis), keepdims=keepdims)


def argmax(x: Any, axis: int | None = None, keepdims: bool = False) -> Tensor:
    return autograd.argmax(_t(x), axis=axis, keepdims=keepdims)


def argmin(x: Any, axis: int | None = None, keepdims: bool = False) -> Tensor:
    return autograd.argmin(_t(x), axis=axis, keepdims=keepdims)


def all(x: Any, axis: Axis = None, keepdims: bool = False) -> Tensor:  # noqa: A001
    return autograd.all(_t(x), _axis(axis), keepdims)


def any(x: Any, axis: Axis = None, keepdims: bool = False) -> Tensor:  # noqa: A001
    return autograd.any(_t(x), _axis(axis), keepdims)


def count_nonzero(x: Any, axis: Axis = None) -> Tensor:
    return autograd.count_nonzero(_t(x), _axis(axis))


def cumsum(x: Any, axis: int | None = None, dtype: Any = None) -> Tensor:
    return autograd.cumsum(_t(x), axis=axis, dtype=dtype)


def norm(x: Any, ord: Any = None, axis: Axis = None, keepdims: bool = False) -> Tensor:  # noqa: A002
    """The vector 2-norm (or ``ord``) over ``axis``, all entries by default."""
    return autograd.norm(_t(x), 2 if ord is None else ord, _axis(axis), keepdims)


def normalize(x: Any, axis: int = -1, order: int = 2, epsilon: float | None = None) -> Tensor:
    """x scaled to unit norm along ``axis``: x · min(1/‖x‖, 1/ε) for the 2-norm (ε = 1e-7)."""
    x = _t(x)
    eps = 1e-7 if epsilon is None else epsilon
    if order == 2:
        inverse = autograd.rsqrt(autograd.sum(x * x, axis=axis, keepdims=True))
        return x * autograd.minimum(inverse, 1.0 / eps)
    return x / autograd.maximum(norm(x, order, axis, keepdims=True), eps)


# ---------------------------------------------------------------- shapes and selection
def reshape(x: Any, newshape: Any) -> Tensor:
    return autograd.reshape(_t(x), tuple(newshape) if isinstance(newshape, list) else newshape)


def transpose(x: Any, axes: Sequence[int] | None = None) -> Tensor:
    """The axes permuted (reversed by default), as NumPy's ``transpose``."""
    x = _t(x)
    return autograd.permute(x, *(reversed(range(x.ndim)) if axes is None else axes))


def swapaxes(x: Any, axis1: int, axis2: int) -> Tensor:
    return autograd.swapaxes(_t(x), axis1, axis2)


def moveaxis(x: Any, source: int, destination: int) -> Tensor:
    x = _t(x)
    order = [i for i in range(x.ndim) if i != source % x.ndim]
    order.insert(destination % x.ndim, source % x.ndim)
    return autograd.permute(x, *order)


def expand_dims(x: Any, axis: int) -> Tensor:
    return autograd.expand_dims(_t(x), axis)


def squeeze(x: Any, axis: Axis = None) -> Tensor:
    return autograd.squeeze(_t(x), _axis(axis))


def concatenate(xs: Sequence[Any], axis: int = 0) -> Tensor:
    return autograd.concatenate([_t(x) for x in xs], axis=axis)


def stack(x: Sequence[Any], axis: int = 0) -> Tensor:
    return autograd.stack([_t(t) for t in x], axis=axis)


def broadcast_to(x: Any, shape: Sequence[int]) -> Tensor:
    return autograd.broadcast_to(_t(x), tuple(shape))


def flip(x: Any, axis: Axis = None) -> Tensor:
    return autograd.flip(_t(x), axis=_axis(axis))


def tile(x: Any, repeats: Any) -> Tensor:
    """``x`` repeated ``repeats`` times along each axis (NumPy's ``tile``)."""
    x = _t(x)
    reps = (repeats,) if isinstance(repeats, int) else tuple(repeats)
    reps = (1,) * (x.ndim - len(reps)) + reps
    if len(reps) > x.ndim:
        x = autograd.reshape(x, (1,) * (len(reps) - x.ndim) + tuple(x.shape))
    return autograd.repeat(x, *reps)


def repeat(x: Any, repeats: int, axis: int | None = None) -> Tensor:
    """Each element repeated ``repeats`` times (NumPy's ``repeat``; flattened without
    ``axis``)."""
    x = _t(x)
    if axis is None:
        x, axis = autograd.reshape(x, (-1,)), 0
    index = np.repeat(np.arange(x.shape[axis]), repeats)
    return take(x, index, axis=axis)


def take(x: Any, indices: Any, axis: int | None = None) -> Tensor:
    """``x``'s entries at ``indices`` along ``axis`` (of the flattened ``x`` without it)."""
    x = _t(x)
    if axis is None:
        x, axis = autograd.reshape(x, (-1,)), 0
    index = indices.array if isinstance(indices, Tensor) else np.asarray(indices)
    key = (slice(None),) * (axis % x.ndim) + (index,)
    return x[key]


def take_along_axis(x: Any, indices: Any, axis: int | None = None) -> Tensor:
    return autograd.take_along_dim(_t(x), _t(indices), axis)


def diag(x: Any, k: int = 0) -> Tensor:
    return autograd.diag(_t(x), k)


def top_k(x: Any, k: int, sorted: bool = True) -> tuple[Tensor, Tensor]:  # noqa: A002
    """(values, indices) of the k largest entries along the last axis."""
    values, indices = autograd.topk(_t(x), k, -1, True, sorted)
    return values, indices


def sort(x: Any, axis: int = -1) -> Tensor:
    return autograd.sort(_t(x), axis).values


def argsort(x: Any, axis: int = -1) -> Tensor:
    return autograd.argsort(_t(x), axis, stable=True)


def nonzero(x: Any) -> tuple[Tensor, ...]:
    return autograd.nonzero(_t(x), as_tuple=True)


# ---------------------------------------------------------------- linear algebra
def matmul(x1: Any, x2: Any) -> Tensor:
    return autograd.matmul(*map(_t, _pair(x1, x2)))


def dot(x1: Any, x2: Any) -> Tensor:
    """NumPy's ``dot``: the inner product of vectors, the matrix product otherwise."""
    a, b = map(_t, _pair(x1, x2))
    if a.ndim == 0 or b.ndim == 0:
        return a * b
    return autograd.matmul(a, b)


def outer(x1: Any, x2: Any) -> Tensor:
    a, b = map(_t, _pair(x1, x2))
    return autograd.reshape(a, (-1, 1)) * autograd.reshape(b, (1, -1))


# ---------------------------------------------------------------- activations (Keras' forms)
def relu(x: Any) -> Tensor:
    return autograd.relu(_t(x))


def relu6(x: Any) -> Tensor:
    return _activations.relu6(_t(x))


def sigmoid(x: Any) -> Tensor:
    return autograd.sigmoid(_t(x))


def softplus(x: Any) -> Tensor:
    return autograd.softplus(_t(x))


def softsign(x: Any) -> Tensor:
    return _activations.softsign(_t(x))


def silu(x: Any) -> Tensor:
    return autograd.silu(_t(x))


swish = silu


def log_sigmoid(x: Any) -> Tensor:
    """log σ(x) = -softplus(-x), stable."""
    return -autograd.softplus(-_t(x))


def leaky_relu(x: Any, negative_slope: float = 0.2) -> Tensor:
    return autograd.leaky_relu(_t(x), negative_slope)


def elu(x: Any, alpha: float = 1.0) -> Tensor:
    return autograd.elu(_t(x), alpha)


def selu(x: Any) -> Tensor:
    return autograd.selu(_t(x))


def gelu(x: Any, approximate: bool = True) -> Tensor:
    """x Φ(x); its tanh approximation by default, as ``keras.ops.gelu``."""
    return autograd.gelu(_t(x), "tanh" if approximate else "none")


def hard_sigmoid(x: Any) -> Tensor:
    return _activations.hard_sigmoid(_t(x))


def hard_silu(x: Any) -> Tensor:
    return _activations.hard_silu(_t(x))


hard_swish = hard_silu


def softmax(x: Any, axis: int = -1) -> Tensor:
    return autograd.softmax(_t(x), axis=axis)


def log_softmax(x: Any, axis: int = -1) -> Tensor:
    return autograd.log_softmax(_t(x), axis=axis)


# ---------------------------------------------------------------- losses (Keras' values)
def binary_crossentropy(target: Any, output: Any, from_logits: bool = False) -> Tensor:
    """One value per element: -(t log p + (1 - t) log(1 - p)), p clipped to [ε, 1 - ε]
    (or from logits, stable)."""
    from .losses.keras import _binary_elementwise

    output = _t(output)
    return _binary_elementwise(_as_like(target, output), output, from_logits)


def categorical_crossentropy(target: Any, output: Any, from_logits: bool = False,
                             axis: int = -1) -> Tensor:  # fmt: skip
    """One value per sample: -Σ t log p over ``axis`` (the last)."""
    from .losses import categorical_crossentropy as loss

    if axis != -1:
        raise NotImplementedError("categorical_crossentropy: only axis=-1 is supported here")
    return loss(target, _t(output), from_logits)


def sparse_categorical_crossentropy(target: Any, output: Any, from_logits: bool = False,
                                    axis: int = -1) -> Tensor:  # fmt: skip
    """One value per sample: -log p[target] over ``axis`` (the last)."""
    from .losses import sparse_categorical_crossentropy as loss

    if axis != -1:
        raise NotImplementedError("sparse_categorical_crossentropy: only axis=-1 is "
                                  "supported here")  # fmt: skip
    return loss(target, _t(output), from_logits)


def _as_like(value: Any, like: Tensor) -> Tensor:
    t = _operand(value, like)
    return t if t.dtype == like.dtype else autograd.astype(t, like.dtype)


def average(x: Any, axis: int | None = None, weights: Any = None) -> Tensor:
    """The mean over ``axis``, weighted by ``weights`` (along that axis) when given."""
    if weights is None:
        return mean(x, axis)
    x = _t(x)
    w = _operand(weights, x)
    if axis is not None and w.ndim == 1 and x.ndim > 1:
        shape = [1] * x.ndim
        shape[axis] = -1
        w = autograd.reshape(w, tuple(shape))
    return autograd.sum(x * w, axis=axis) / autograd.sum(w * autograd.ones_like(x), axis=axis)


def __getattr__(name: str) -> Any:
    raise AttributeError(
        f"keras.ops.{name} is not implemented here: nn.ops has the ops an MLP's custom "
        "code uses (see its module docstring)"
    )


