"""Keras 3's ``keras.random``: random tensors for custom layers, initializers and
augmentation (``keras.random.normal(shape, stddev=0.1)``).

Without ``seed`` the numbers come from the default device's generator (seeded by
``keras.utils.set_random_seed``/``autograd.manual_seed``), so a captured training step
refuses them as it refuses dropout. ``seed`` (an int or a :class:`SeedGenerator`) draws
from a generator of its own: an int gives the same numbers on every call, as in Keras;
a SeedGenerator gives new numbers each call, reproducibly. The numbers are this
project's, not Keras' (the streams differ).
"""

from __future__ import annotations

from typing import Any

import numpy as np

import autograd
from autograd import Tensor


class SeedGenerator:
    """A seeded source of random numbers, new ones at each draw: ``SeedGenerator(42)``."""

    def __init__(self, seed: int | None = None, name: str | None = None, **kwargs: Any) -> None:
        self.seed = seed
        self.name = name
        # on the default device, where keras.random makes its tensors
        self.generator = autograd.Generator(device=autograd.get_default_device())
        if seed is not None:
            self.generator.manual_seed(int(seed))


def _generator(seed: Any) -> Any:
    if seed is None:
        return None
    if isinstance(seed, SeedGenerator):
        return seed.generator
    if isinstance(seed, int) and not isinstance(seed, bool):
        return autograd.Generator(device=autograd.get_default_device()).manual_seed(seed)
    raise TypeError(f"seed must be an int, a keras.random.SeedGenerator or None, got {seed!r}")


def _shape(shape: Any) -> tuple[int, ...]:
    return (int(shape),) if isinstance(shape, int | np.integer) else tuple(int(s) for s in shape)


def normal(shape: Any, mean: float = 0.0, stddev: float = 1.0, dtype: Any = None,
           seed: Any = None) -> Tensor:  # fmt: skip
    """Samples of N(mean, stddev²)."""
    return autograd.normal(mean, stddev, _shape(shape), dtype=dtype, generator=_generator(seed))


def uniform(shape: Any, minval: float = 0.0, maxval: float = 1.0, dtype: Any = None,
            seed: Any = None) -> Tensor:  # fmt: skip
    """Samples of U[minval, maxval)."""
    t = autograd.rand(_shape(shape), dtype=dtype, generator=_generator(seed))
    return t * (maxval - minval) + minval if (minval, maxval) != (0.0, 1.0) else t


def truncated_normal(shape: Any, mean: float = 0.0, stddev: float = 1.0, dtype: Any = None,
                     seed: Any = None) -> Tensor:  # fmt: skip
    """Samples of N(mean, stddev²) kept within two standard deviations (redrawn beyond)."""
    generator = _generator(seed)
    z = autograd.randn(_shape(shape), dtype=dtype, generator=generator).array
    outside = abs(z) > 2.0
    while bool(outside.any()):  # about 5% of the draws, once; then fewer
        count = int(outside.sum())
        fresh = autograd.randn((count,), dtype=z.dtype, device=autograd.from_array(z).device,
                               generator=generator).array  # fmt: skip
        z[outside] = fresh
        outside = abs(z) > 2.0
    return autograd.from_array(z * z.dtype.type(stddev) + z.dtype.type(mean))


def randint(shape: Any, minval: int, maxval: int, dtype: Any = "int32",
            seed: Any = None) -> Tensor:  # fmt: skip
    """Integers drawn uniformly from [minval, maxval)."""
    return autograd.randint(minval, maxval, size=_shape(shape), dtype=dtype,
                            generator=_generator(seed))  # fmt: skip


def shuffle(x: Any, axis: int = 0, seed: Any = None) -> Tensor:
    """``x`` with its entries along ``axis`` in a random order."""
    t = x if isinstance(x, Tensor) else autograd.as_tensor(x)
    order = autograd.randperm(t.shape[axis], generator=_generator(seed))
    return autograd.index_select(t, axis, order)


def dropout(inputs: Any, rate: float, noise_shape: Any = None, seed: Any = None) -> Tensor:
    """Inverted dropout: each entry zeroed with probability ``rate``, the others scaled
    by 1/(1 - rate)."""
    if noise_shape is not None:
        raise NotImplementedError("dropout: noise_shape is not supported here")
    t = inputs if isinstance(inputs, Tensor) else autograd.as_tensor(inputs)
    return autograd.dropout(t, rate, True, _generator(seed))


__all__ = ["SeedGenerator", "dropout", "normal", "randint", "shuffle", "truncated_normal",
           "uniform"]  # fmt: skip
