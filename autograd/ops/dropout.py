"""Inverted dropout."""

from __future__ import annotations

from typing import Any

import numpy as np

from backends import backend_of

from ..generator import generator_for
from ..tensor import Tensor, _wrap
from ._coerce import floating


def dropout(x: Tensor, p: float = 0.5, training: bool = True, generator: Any = None) -> Tensor:
    """Zero each element with probability ``p`` and scale the rest by 1/(1-p).

    The expected value is unchanged, so nothing needs rescaling at evaluation time,
    when (``training=False``) dropout is the identity. The mask comes from
    ``generator`` (anything with NumPy's ``Generator.random``) or, by default, the
    random generator of ``x``'s device, which ``autograd.manual_seed`` seeds.
    dy/dx = mask / (1 - p).
    """
    if not 0 <= p <= 1:
        raise ValueError(f"dropout: p must be in [0, 1], got {p}")
    if not training or p == 0:
        return x
    x = floating(x, "dropout")
    data = x.array
    if p == 1:
        return x * _wrap(data * 0)
    rng = generator_for(generator, backend_of(data), "dropout")
    # Generators draw float32 or float64 only: float16 tensors get a float32 draw (the mask
    # is all that is kept of it).
    draw = data.dtype if data.dtype in (np.float32, np.float64) else np.float32
    keep = rng.random(data.shape, dtype=draw) >= p
    scale = data.dtype.type(1 / (1 - p)) if data.dtype.kind == "f" else 1 / (1 - p)
    return x * _wrap(keep.astype(data.dtype) * scale)


# the ops this family adds to ``autograd`` (and ``autograd.ops``)
__all__ = ["dropout"]
