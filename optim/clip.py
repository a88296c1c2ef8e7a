"""Gradient clipping, the standard remedy for exploding gradients."""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

import numpy as np

__all__ = ["clip_grad_norm_", "clip_grad_value_"]


def _grads(parameters: Any) -> list[Any]:
    """The raw gradient arrays of the parameters that have one."""
    if hasattr(parameters, "data") and hasattr(parameters, "grad"):
        parameters = [parameters]
    return [p.grad.array for p in parameters if p.grad is not None]


def _array_module(array: Any) -> Any:
    if isinstance(array, np.ndarray):
        return np
    import backends

    return backends.get_array_module(array)


def _vector_norm(xp: Any, g: Any, norm_type: float) -> Any:
    """The ``norm_type``-norm of all entries of ``g`` as a 0-d device array."""
    if norm_type == math.inf:
        return xp.abs(g).max() if g.size else xp.zeros((), dtype=g.dtype)
    if norm_type == -math.inf:
        return xp.abs(g).min() if g.size else xp.zeros((), dtype=g.dtype)
    if norm_type == 2.0:
        return xp.sqrt(xp.vdot(g.ravel(), g.ravel()).real)
    if norm_type == 1.0:
        return xp.abs(g).sum()
    if norm_type == 0:
        return xp.asarray(xp.count_nonzero(g), dtype=g.dtype)
    return (xp.abs(g) ** norm_type).sum() ** (1.0 / norm_type)


def clip_grad_norm_(parameters: Any | Iterable[Any], max_norm: float,
                    norm_type: float = 2.0, error_if_nonfinite: bool = False) -> Any:
    r"""Rescale gradients in place so that their joint norm is at most ``max_norm``.

    .. math::
        \|g\| = \Big\| \big(\|g_1\|_p, \dots, \|g_n\|_p\big) \Big\|_p, \qquad
        g_i \leftarrow g_i \cdot \min\!\left(1, \frac{\text{max\_norm}}{\|g\| + 10^{-6}}\right)

    The scale is applied unconditionally (a factor 1 when below the threshold), so no
    value is read back from the device.

    Args:
        parameters: a Tensor or an iterable of Tensors; those without ``grad`` are ignored.
        max_norm: the largest allowed total norm.
        norm_type: :math:`p` (2.0 by default; ``math.inf`` for the max-norm).
        error_if_nonfinite: raise if the total norm is nan or inf (this reads it back).

    Returns:
        The total norm before clipping, as a 0-d Tensor on the gradients' device.
    """
    import autograd  # deferred: optim does not need autograd at import time

    grads = _grads(parameters)
    max_norm = float(max_norm)
    norm_type = float(norm_type)
    if not grads:
        return autograd.Tensor(np.zeros((), dtype=np.float32))
    xp = _array_module(grads[0])
    norms = [_vector_norm(xp, g, norm_type) for g in grads]
    total_norm = xp.asarray(_vector_norm(xp, xp.stack(norms), norm_type))
    if error_if_nonfinite and not bool(xp.isfinite(total_norm)):
        raise RuntimeError(
            f"The total norm of order {norm_type} for gradients is non-finite, so it cannot "
            "be clipped. To disable this error and scale the gradients by the non-finite "
            "norm anyway, set `error_if_nonfinite=False`"
        )
    clip_coef = xp.asarray(xp.minimum(max_norm / (total_norm + 1e-6), 1.0))
    for g in grads:
        g *= clip_coef.astype(g.dtype, copy=False)
    return autograd.from_array(total_norm)


def clip_grad_value_(parameters: Any | Iterable[Any], clip_value: float) -> None:
    r"""Clamp every gradient entry in place to :math:`[-c, c]` with :math:`c` =
    ``clip_value``."""
    clip_value = float(clip_value)
    for g in _grads(parameters):
        xp = _array_module(g)
        xp.clip(g, -clip_value, clip_value, out=g)
