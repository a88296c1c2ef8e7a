"""PyTorch's ``torch.nn.init``: fill an existing tensor in place.

Fans follow PyTorch's convention for weights stored (out, in, *receptive_field), as
``nn.Linear.weight``: ``fan_in = in · receptive``, ``fan_out = out · receptive``.

=========================================  ==============================================
function                                   fills with
=========================================  ==============================================
uniform_(t, a=0, b=1)                      U(a, b)
normal_(t, mean=0, std=1)                  N(mean, std²)
trunc_normal_(t, mean=0, std=1, a=-2, b=2) N(mean, std²) redrawn outside [a, b]
constant_(t, val), zeros_(t), ones_(t)     the value
xavier_uniform_(t, gain=1)                 U(-l, l), l = gain·sqrt(6 / (fan_in + fan_out))
xavier_normal_(t, gain=1)                  N(0, s²), s = gain·sqrt(2 / (fan_in + fan_out))
kaiming_uniform_(t, a=0, mode="fan_in",    U(-l, l), l = gain·sqrt(3 / fan),
    nonlinearity="leaky_relu")             gain = calculate_gain(nonlinearity, a)
kaiming_normal_(t, ...)                    N(0, s²), s = gain / sqrt(fan)
=========================================  ==============================================

Draws come from the tensor's device generator (``autograd.manual_seed``). Keras'
initializer objects (``"he_normal"``, ``HeNormal()``) are in :mod:`nn.initializers`.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np

import backends
from autograd import Tensor

from .initializers import Constant, Ones, RandomNormal, RandomUniform, TruncatedNormal, Zeros


def calculate_gain(nonlinearity: str, param: float | None = None) -> float:
    """PyTorch's recommended gains: linear/sigmoid 1, tanh 5/3, relu sqrt(2),
    leaky_relu sqrt(2 / (1 + a²)) (a = param, default 0.01), selu 3/4."""
    if nonlinearity in ("linear", "identity", "sigmoid") or nonlinearity.startswith("conv"):
        return 1.0
    if nonlinearity == "tanh":
        return 5.0 / 3.0
    if nonlinearity == "relu":
        return math.sqrt(2.0)
    if nonlinearity == "leaky_relu":
        a = 0.01 if param is None else float(param)
        return math.sqrt(2.0 / (1.0 + a * a))
    if nonlinearity == "selu":
        return 0.75
    raise ValueError(f"unsupported nonlinearity {nonlinearity!r}")


def _calculate_fan_in_and_fan_out(tensor: Tensor) -> tuple[int, int]:
    """``(fan_in, fan_out)`` of a weight stored (out, in, *receptive_field) (PyTorch)."""
    shape = tuple(tensor.shape)
    if len(shape) < 2:
        raise ValueError(
            "Fan in and fan out can not be computed for tensor with fewer than 2 dimensions"
        )
    receptive = math.prod(shape[2:]) if len(shape) > 2 else 1
    return shape[1] * receptive, shape[0] * receptive


def _fan(tensor: Tensor, mode: str) -> int:
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    if mode not in ("fan_in", "fan_out"):
        raise ValueError(f"mode must be 'fan_in' or 'fan_out', got {mode!r}")
    return fan_in if mode == "fan_in" else fan_out


def _fill_(tensor: Tensor, init: Callable[..., Any]) -> Tensor:
    """Overwrite ``tensor.array`` in place with a fresh draw of the same shape/dtype/device."""
    tensor.array[...] = init(tuple(tensor.shape), dtype=tensor.dtype, device=tensor.device)
    tensor._version += 1
    return tensor


def uniform_(tensor: Tensor, a: float = 0.0, b: float = 1.0) -> Tensor:
    """Fill with U(a, b)."""
    return _fill_(tensor, RandomUniform(a, b))


def normal_(tensor: Tensor, mean: float = 0.0, std: float = 1.0) -> Tensor:
    """Fill with N(mean, std²)."""
    return _fill_(tensor, RandomNormal(mean, std))


def trunc_normal_(
    tensor: Tensor, mean: float = 0.0, std: float = 1.0, a: float = -2.0, b: float = 2.0
) -> Tensor:
    """Fill with N(mean, std²) restricted to [a, b] (absolute bounds, as PyTorch: with the
    defaults and std = 0.02 nothing is cut). Draws outside are drawn again."""
    if not a < b:
        raise ValueError(f"trunc_normal_: expected a < b, got a={a}, b={b}")
    if math.isclose(a, mean - 2 * std) and math.isclose(b, mean + 2 * std):
        return _fill_(tensor, TruncatedNormal(mean, std))  # the ±2 std case, Keras' own
    rng = backends.backend_of(tensor.array).rng
    shape, draw_dtype = tuple(tensor.shape), _draw_dtype(tensor.dtype)
    values = rng.standard_normal(shape, dtype=draw_dtype) * std + mean
    for _ in range(1000):
        outside = (values < a) | (values > b)
        if not bool(outside.any()):
            tensor.array[...] = values
            tensor._version += 1
            return tensor
        fresh = rng.standard_normal(shape, dtype=draw_dtype) * std + mean
        values[outside] = fresh[outside]
    raise ValueError(
        f"trunc_normal_: [{a}, {b}] holds too little of N({mean}, {std}²) to draw from"
    )


def orthogonal_(tensor: Tensor, gain: float = 1.0) -> Tensor:
    """Fill with a (semi-)orthogonal matrix (Saxe et al. 2013), as PyTorch: the Q of a QR
    decomposition of a standard normal matrix (rows × the rest), signs fixed by R's
    diagonal, times ``gain``."""
    if tensor.ndim < 2:
        raise ValueError("orthogonal_: only tensors with 2 or more dimensions are supported")
    backend = backends.backend_of(tensor.array)
    rows = tensor.shape[0]
    cols = tensor.array.size // rows
    flat = backend.to_host(backend.rng.standard_normal((rows, cols), dtype=np.float64))
    if rows < cols:
        flat = flat.T
    q, r = np.linalg.qr(flat)
    q *= np.sign(np.diag(r))
    if rows < cols:
        q = q.T
    return tensor.copy_(np.ascontiguousarray(q.reshape(tensor.shape) * gain))


def _draw_dtype(dtype: Any) -> Any:
    return dtype if dtype in (np.float32, np.float64) else np.float64


def constant_(tensor: Tensor, val: float) -> Tensor:
    """Fill with ``val``."""
    return _fill_(tensor, Constant(val))


def zeros_(tensor: Tensor) -> Tensor:
    """Fill with 0."""
    return _fill_(tensor, Zeros())


def ones_(tensor: Tensor) -> Tensor:
    """Fill with 1."""
    return _fill_(tensor, Ones())


def xavier_uniform_(tensor: Tensor, gain: float = 1.0) -> Tensor:
    """U(-l, l), l = gain · sqrt(6 / (fan_in + fan_out))."""
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    limit = gain * math.sqrt(6.0 / (fan_in + fan_out))
    return _fill_(tensor, RandomUniform(-limit, limit))


def xavier_normal_(tensor: Tensor, gain: float = 1.0) -> Tensor:
    """N(0, s²), s = gain · sqrt(2 / (fan_in + fan_out))."""
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    return _fill_(tensor, RandomNormal(0.0, gain * math.sqrt(2.0 / (fan_in + fan_out))))


def kaiming_uniform_(
    tensor: Tensor, a: float = 0.0, mode: str = "fan_in", nonlinearity: str = "leaky_relu"
) -> Tensor:
    """U(-l, l), l = gain · sqrt(3 / fan), gain = calculate_gain(nonlinearity, a)."""
    limit = calculate_gain(nonlinearity, a) * math.sqrt(3.0 / _fan(tensor, mode))
    return _fill_(tensor, RandomUniform(-limit, limit))


def kaiming_normal_(
    tensor: Tensor, a: float = 0.0, mode: str = "fan_in", nonlinearity: str = "leaky_relu"
) -> Tensor:
    """N(0, s²), s = gain / sqrt(fan), gain = calculate_gain(nonlinearity, a)."""
    std = calculate_gain(nonlinearity, a) / math.sqrt(_fan(tensor, mode))
    return _fill_(tensor, RandomNormal(0.0, std))


# PyTorch's deprecated names without the trailing underscore
uniform, normal, constant = uniform_, normal_, constant_
xavier_uniform, xavier_normal = xavier_uniform_, xavier_normal_
kaiming_uniform, kaiming_normal = kaiming_uniform_, kaiming_normal_
