"""Keras' ``keras.initializers``: weight initializers by name or object.

Every initializer is a callable ``init(shape, dtype=None, device=None) -> array`` that
returns a new array (NumPy or CuPy) on ``device`` (default: the default device), drawn
with that backend's random generator, so ``autograd.manual_seed(s)`` makes models
reproducible.  ``dtype`` defaults to the default dtype (float32).

Fans (Keras convention, kernels stored (in, out)): for a 2-D shape ``(fan_in, fan_out)``;
for a 1-D shape both fans are ``shape[0]``; for ``(*receptive_field, in, out)``
``fan_in = in * prod(receptive_field)`` and ``fan_out = out * prod(receptive_field)``.
(PyTorch's in-place functions, with PyTorch's (out, in) convention, are in :mod:`nn.init`.)

All fan-based initializers are :class:`VarianceScaling` with
``variance = scale / n``, ``n = fan_in | fan_out | (fan_in + fan_out) / 2``:

=================  ==========================================================
name               distribution
=================  ==========================================================
glorot_uniform     U(-l, l), l = sqrt(6 / (fan_in + fan_out))
glorot_normal      truncated N(0, s²), s = sqrt(2 / (fan_in + fan_out)) / .87962566103423978
he_uniform         U(-l, l), l = sqrt(6 / fan_in)
he_normal          truncated N(0, s²), s = sqrt(2 / fan_in) / .87962566103423978
lecun_uniform      U(-l, l), l = sqrt(3 / fan_in)
lecun_normal       truncated N(0, s²), s = sqrt(1 / fan_in) / .87962566103423978
=================  ==========================================================

Keras' ``*_normal`` names are TRUNCATED normals: draws beyond two standard deviations are
redrawn, and the stddev is divided by .87962566103423978 (the stddev of a standard normal
truncated to [-2, 2]) so the resulting variance is exactly ``scale / n``.

``zeros``, ``ones``, ``constant(value)``, ``random_normal(mean=0, stddev=0.05)``,
``random_uniform(minval=-0.05, maxval=0.05)`` and ``truncated_normal(mean=0, stddev=0.05)``
have Keras' defaults. Class names (``HeNormal``) are accepted as strings too, as in Keras.
"""

from __future__ import annotations

import inspect
import math
from collections.abc import Callable
from typing import Any

import numpy as np

import backends
from autograd import Tensor

from ._registry import from_name_or_config

_TRUNC_STD = 0.87962566103423978  # stddev of N(0, 1) truncated to [-2, 2]


def compute_fans(shape: tuple) -> tuple[float, float]:
    """``(fan_in, fan_out)`` of a kernel of ``shape`` stored (..., in, out) (Keras convention)."""
    shape = tuple(shape)
    if len(shape) == 0:
        return 1.0, 1.0
    if len(shape) == 1:
        return float(shape[0]), float(shape[0])
    receptive = float(np.prod(shape[:-2])) if len(shape) > 2 else 1.0
    return shape[-2] * receptive, shape[-1] * receptive


def _backend(device: str | None) -> Any:
    import autograd

    return backends.get_backend(device or autograd.get_default_device())


def _dtype(dtype: Any) -> np.dtype:
    import autograd

    return np.dtype(dtype if dtype is not None else autograd.get_default_dtype())


def _draw_dtype(dtype: np.dtype) -> np.dtype:
    """The dtype to draw in for ``dtype``: random generators (NumPy's, CuPy's) make only
    float32 and float64, so float16 weights are drawn in float32 and rounded, as PyTorch
    does for half precision on the CPU."""
    return dtype if dtype in (np.float32, np.float64) else np.dtype(np.float32)


class Initializer:
    """Base class: ``init(shape, dtype=None, device=None)`` returns a new array."""

    def __call__(self, shape: tuple, dtype: Any = None, device: str | None = None) -> Any:
        raise NotImplementedError

    def get_config(self) -> dict[str, Any]:
        return {}

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_config().items())
        return f"{type(self).__name__}({args})"


class Zeros(Initializer):
    """All zeros."""

    def __call__(self, shape: tuple, dtype: Any = None, device: str | None = None) -> Any:
        return _backend(device).xp.zeros(tuple(shape), dtype=_dtype(dtype))


class Ones(Initializer):
    """All ones."""

    def __call__(self, shape: tuple, dtype: Any = None, device: str | None = None) -> Any:
        return _backend(device).xp.ones(tuple(shape), dtype=_dtype(dtype))


class Constant(Initializer):
    """Every element equal to ``value``."""

    def __init__(self, value: float = 0.0) -> None:
        self.value = float(value)

    def __call__(self, shape: tuple, dtype: Any = None, device: str | None = None) -> Any:
        return _backend(device).xp.full(tuple(shape), self.value, dtype=_dtype(dtype))

    def get_config(self) -> dict[str, Any]:
        return {"value": self.value}


class _Random(Initializer):
    """Shared drawing code.  ``seed=None`` draws from the backend rng (``manual_seed``);
    an integer seed gives a private, repeatable generator (host draw, then copied)."""

    seed: int | None = None

    def _rng(self, device: str | None) -> tuple[Any, Any]:
        backend = _backend(device)
        if self.seed is None:
            return backend, backend.rng
        return backend, np.random.default_rng(self.seed)

    def _uniform(
        self, shape: tuple, low: float, high: float, dtype: Any, device: str | None
    ) -> Any:
        backend, rng = self._rng(device)
        dtype = _dtype(dtype)
        draw = _draw_dtype(dtype)
        u = rng.random(tuple(shape), dtype=draw)
        return backend.from_host((u * draw.type(high - low) + draw.type(low)).astype(dtype))

    def _normal(
        self, shape: tuple, mean: float, std: float, truncated: bool, dtype: Any, device: str | None
    ) -> Any:
        backend, rng = self._rng(device)
        dtype = _dtype(dtype)
        draw = _draw_dtype(dtype)
        z = rng.standard_normal(tuple(shape), dtype=draw)
        if truncated:
            # redraw everything beyond 2 standard deviations (rare: 4.6% per round)
            outside = abs(z) > 2
            while bool(outside.any()):
                z[outside] = rng.standard_normal(int(outside.sum()), dtype=draw)
                outside = abs(z) > 2
        return backend.from_host((z * draw.type(std) + draw.type(mean)).astype(dtype))


class RandomUniform(_Random):
    """U(minval, maxval); Keras defaults -0.05, 0.05."""

    def __init__(
        self, minval: float = -0.05, maxval: float = 0.05, seed: int | None = None
    ) -> None:
        self.minval, self.maxval, self.seed = float(minval), float(maxval), seed

    def __call__(self, shape: tuple, dtype: Any = None, device: str | None = None) -> Any:
        return self._uniform(shape, self.minval, self.maxval, dtype, device)

    def get_config(self) -> dict[str, Any]:
        return {"minval": self.minval, "maxval": self.maxval, "seed": self.seed}


class RandomNormal(_Random):
    """N(mean, stddev²); Keras defaults 0, 0.05."""

    def __init__(self, mean: float = 0.0, stddev: float = 0.05, seed: int | None = None) -> None:
        self.mean, self.stddev, self.seed = float(mean), float(stddev), seed

    def __call__(self, shape: tuple, dtype: Any = None, device: str | None = None) -> Any:
        return self._normal(shape, self.mean, self.stddev, False, dtype, device)

    def get_config(self) -> dict[str, Any]:
        return {"mean": self.mean, "stddev": self.stddev, "seed": self.seed}


class TruncatedNormal(_Random):
    """N(mean, stddev²) with draws beyond 2 stddev redrawn (Keras; its variance is
    0.7737 stddev²).  Keras defaults 0, 0.05."""

    def __init__(self, mean: float = 0.0, stddev: float = 0.05, seed: int | None = None) -> None:
        self.mean, self.stddev, self.seed = float(mean), float(stddev), seed

    def __call__(self, shape: tuple, dtype: Any = None, device: str | None = None) -> Any:
        return self._normal(shape, self.mean, self.stddev, True, dtype, device)

    def get_config(self) -> dict[str, Any]:
        return {"mean": self.mean, "stddev": self.stddev, "seed": self.seed}


class VarianceScaling(_Random):
    """Keras' VarianceScaling: draws with variance ``scale / n``.

    ``n`` is ``fan_in`` (mode="fan_in"), ``fan_out`` or ``(fan_in + fan_out) / 2``
    ("fan_avg").  distribution:

    * ``"uniform"``: U(-l, l) with ``l = sqrt(3 * scale / n)``;
    * ``"truncated_normal"``: N(0, s²) truncated at ±2s,
      ``s = sqrt(scale / n) / .87962566103423978``;
    * ``"untruncated_normal"`` (alias ``"normal"``): N(0, s²), ``s = sqrt(scale / n)``.
    """

    def __init__(
        self,
        scale: float = 1.0,
        mode: str = "fan_in",
        distribution: str = "truncated_normal",
        seed: int | None = None,
    ) -> None:
        if mode not in ("fan_in", "fan_out", "fan_avg"):
            raise ValueError(f"mode must be 'fan_in', 'fan_out' or 'fan_avg', got {mode!r}")
        if distribution == "normal":
            distribution = "untruncated_normal"
        if distribution not in ("uniform", "truncated_normal", "untruncated_normal"):
            raise ValueError(
                "distribution must be 'uniform', 'truncated_normal' or "
                f"'untruncated_normal', got {distribution!r}"
            )
        if scale <= 0:
            raise ValueError(f"scale must be positive, got {scale}")
        self.scale, self.mode, self.distribution, self.seed = float(scale), mode, distribution, seed

    def variance(self, shape: tuple) -> float:
        fan_in, fan_out = compute_fans(shape)
        n = {"fan_in": fan_in, "fan_out": fan_out, "fan_avg": (fan_in + fan_out) / 2}[self.mode]
        return self.scale / max(1.0, n)

    def __call__(self, shape: tuple, dtype: Any = None, device: str | None = None) -> Any:
        var = self.variance(shape)
        if self.distribution == "uniform":
            limit = math.sqrt(3.0 * var)
            return self._uniform(shape, -limit, limit, dtype, device)
        if self.distribution == "truncated_normal":
            return self._normal(shape, 0.0, math.sqrt(var) / _TRUNC_STD, True, dtype, device)
        return self._normal(shape, 0.0, math.sqrt(var), False, dtype, device)

    def get_config(self) -> dict[str, Any]:
        return {
            "scale": self.scale,
            "mode": self.mode,
            "distribution": self.distribution,
            "seed": self.seed,
        }


def _preset(class_name: str, scale: float, mode: str, distribution: str, doc: str) -> type:
    def __init__(self: VarianceScaling, seed: int | None = None) -> None:
        VarianceScaling.__init__(self, scale, mode, distribution, seed)

    def get_config(self: VarianceScaling) -> dict[str, Any]:
        return {"seed": self.seed}

    return type(
        class_name,
        (VarianceScaling,),
        {"__init__": __init__, "get_config": get_config, "__doc__": doc},
    )


GlorotUniform = _preset(
    "GlorotUniform",
    1.0,
    "fan_avg",
    "uniform",
    "U(-l, l), l = sqrt(6 / (fan_in + fan_out)) (Glorot & Bengio 2010).",
)
GlorotNormal = _preset(
    "GlorotNormal",
    1.0,
    "fan_avg",
    "truncated_normal",
    "Truncated N(0, s²), s = sqrt(2 / (fan_in + fan_out)) / .87962566103423978 (Keras).",
)
HeUniform = _preset(
    "HeUniform", 2.0, "fan_in", "uniform", "U(-l, l), l = sqrt(6 / fan_in) (He et al. 2015)."
)
HeNormal = _preset(
    "HeNormal",
    2.0,
    "fan_in",
    "truncated_normal",
    "Truncated N(0, s²), s = sqrt(2 / fan_in) / .87962566103423978 (Keras).",
)
LecunUniform = _preset(
    "LecunUniform", 1.0, "fan_in", "uniform", "U(-l, l), l = sqrt(3 / fan_in) (LeCun 1998)."
)
LecunNormal = _preset(
    "LecunNormal",
    1.0,
    "fan_in",
    "truncated_normal",
    "Truncated N(0, s²), s = sqrt(1 / fan_in) / .87962566103423978 (Keras).",
)
class Orthogonal(_Random):
    """Keras' ``Orthogonal(gain=1.0, seed=None)`` (Saxe et al., 2014): a (semi-)orthogonal
    matrix times ``gain``: the Q of a QR decomposition of a standard normal matrix of
    shape (max(rows, cols), min(rows, cols)), each column's sign fixed by R's diagonal,
    transposed when there are fewer rows than columns; rows are all axes but the last."""

    def __init__(self, gain: float = 1.0, seed: int | None = None) -> None:
        self.gain, self.seed = float(gain), seed

    def __call__(self, shape: tuple, dtype: Any = None, device: str | None = None) -> Any:
        shape = tuple(shape)
        if len(shape) < 2:
            raise ValueError(f"Orthogonal: the tensor must be at least two-dimensional, got "
                             f"shape {shape}")  # fmt: skip
        rows, cols = math.prod(shape[:-1]), shape[-1]
        backend, rng = self._rng(device)
        draw = rng.standard_normal((max(rows, cols), min(rows, cols)))
        q, r = np.linalg.qr(np.asarray(backends.backend_of(draw).to_host(draw), np.float64))
        q *= np.sign(np.diag(r))
        if rows < cols:
            q = q.T
        return backend.from_host((self.gain * q.reshape(shape)).astype(_dtype(dtype)))

    def get_config(self) -> dict[str, Any]:
        return {"gain": self.gain, "seed": self.seed}


class Identity(Initializer):
    """Keras' ``Identity(gain=1.0)``: ``gain`` times the identity matrix (2-D shapes only;
    a rectangular one has ones on its main diagonal)."""

    def __init__(self, gain: float = 1.0) -> None:
        self.gain = float(gain)

    def __call__(self, shape: tuple, dtype: Any = None, device: str | None = None) -> Any:
        shape = tuple(shape)
        if len(shape) != 2:
            raise ValueError(f"Identity: only 2-D matrices, got shape {shape}")
        return _backend(device).xp.eye(*shape, dtype=_dtype(dtype)) * self.gain

    def get_config(self) -> dict[str, Any]:
        return {"gain": self.gain}


_NAMES: dict[str, Callable[[], Initializer]] = {
    "zeros": Zeros,
    "zero": Zeros,
    "ones": Ones,
    "one": Ones,
    "constant": Constant,
    "random_normal": RandomNormal,
    "random_uniform": RandomUniform,
    "truncated_normal": TruncatedNormal,
    "glorot_uniform": GlorotUniform,
    "glorot_normal": GlorotNormal,
    "he_uniform": HeUniform,
    "he_normal": HeNormal,
    "lecun_uniform": LecunUniform,
    "lecun_normal": LecunNormal,
    "variance_scaling": VarianceScaling,
    "orthogonal": Orthogonal,
    "identity": Identity,
}
_CLASSES = {
    c.__name__: c
    for c in (
        Zeros,
        Ones,
        Constant,
        RandomNormal,
        RandomUniform,
        TruncatedNormal,
        VarianceScaling,
        GlorotUniform,
        GlorotNormal,
        HeUniform,
        HeNormal,
        LecunUniform,
        LecunNormal,
        Orthogonal,
        Identity,
    )
}


def get(identifier: Any) -> Callable[..., Any]:
    """Resolve a name (``"he_normal"``), a config dict ``{"class_name", "config"}``, an
    Initializer or any callable ``(shape, dtype=None, device=None) -> array``."""
    if isinstance(identifier, str | dict):
        return from_name_or_config(identifier, "initializer", _NAMES, _CLASSES)
    if callable(identifier):
        return identifier if _takes_device(identifier) else _keras_signature(identifier)
    raise TypeError(f"cannot interpret {identifier!r} as an initializer")


def _takes_device(fn: Callable[..., Any]) -> bool:
    try:
        parameters = inspect.signature(fn).parameters.values()
    except (TypeError, ValueError):
        return False
    return any(p.name == "device" or p.kind is p.VAR_KEYWORD for p in parameters)


def _keras_signature(fn: Callable[..., Any]) -> Callable[..., Any]:
    """A user's initializer written as Keras' ``fn(shape, dtype=None)`` (returning a
    tensor, an array or a nested list), called the way the layers call initializers."""

    def initializer(shape: tuple[int, ...], dtype: Any = None, device: Any = None) -> Any:
        values = fn(shape, dtype=dtype)
        raw = values.array if isinstance(values, Tensor) else values
        if not backends.is_array(raw):
            raw = np.asarray(raw, dtype=dtype)
        target = backends.get_backend(device) if device is not None else backends.backend_of(raw)
        if not target.owns(raw):
            raw = target.from_host(backends.backend_of(raw).to_host(raw))
        return raw if dtype is None else raw.astype(dtype, copy=False)

    initializer.__name__ = getattr(fn, "__name__", type(fn).__name__)
    initializer.keras_function = fn  # type: ignore[attr-defined]
    return initializer


def serialize(initializer: Any) -> Any:
    """JSON-able form of an initializer (its name string stays a string)."""
    if isinstance(initializer, str):
        return initializer
    if isinstance(initializer, Initializer) and type(initializer).__name__ in _CLASSES:
        return {"class_name": type(initializer).__name__, "config": initializer.get_config()}
    raise ValueError(
        f"cannot serialize initializer {initializer!r}: use a name or an nn.initializers class"
    )




def deserialize(config: Any) -> Callable[..., Any]:
    """Inverse of :func:`serialize`."""
    return get(config)


# Keras accepts its class names as strings too ("HeNormal", "GlorotUniform").
for _name, _cls in list(_CLASSES.items()):
    _NAMES.setdefault(_name.lower(), _cls)
# and lower-case functional aliases, as keras.initializers.he_normal()
zeros, ones, constant = Zeros, Ones, Constant
random_normal, random_uniform, truncated_normal = RandomNormal, RandomUniform, TruncatedNormal
glorot_uniform, glorot_normal = GlorotUniform, GlorotNormal
he_uniform, he_normal = HeUniform, HeNormal
lecun_uniform, lecun_normal, variance_scaling = LecunUniform, LecunNormal, VarianceScaling
