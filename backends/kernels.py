"""Fused elementwise kernels: their source, and which arrays run them.

A fused kernel does in one pass over memory, and for the cost of one launch, what a chain
of ``xp`` calls does in several (on a GPU each launch costs the host microseconds of
Python and CuPy whatever the array's size). Ops and optimizers keep their kernels as
:class:`KernelSource` and ask :func:`kernel_backend` whether an array runs them: CuPy
compiles the CUDA C, the ``fakegpu`` stand-in interprets it (so CI runs every kernel),
and on the CPU callers take their NumPy code instead.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from .backend import Backend

__all__ = ["KernelSource", "ReductionSource", "float_kernel_backend", "kernel_backend"]


def kernel_backend(array: Any) -> Backend | None:
    """The backend that runs fused kernels on ``array`` (CuPy compiles them, the
    ``fakegpu`` stand-in interprets them), or None where the NumPy path runs."""
    if isinstance(array, np.ndarray):  # first: the CPU's hot paths pay for this test only
        return None
    from .registry import backend_of

    backend = backend_of(array)
    return backend if backend.compiles_kernels else None


_FLOAT_DTYPES = frozenset({np.dtype(np.float32), np.dtype(np.float64)})


def float_kernel_backend(array: Any) -> Backend | None:
    """:func:`kernel_backend` for the ops' kernels, which are written for float32 and
    float64 (CUDA's half has no ``exp``/``tanh`` overloads): None for other dtypes."""
    if isinstance(array, np.ndarray) or array.dtype not in _FLOAT_DTYPES:
        return None
    return kernel_backend(array)


@dataclass(frozen=True)
class KernelSource:
    """One fused kernel's CUDA C, in the pieces ``Backend.elementwise_kernel`` takes."""

    name: str
    in_params: str
    out_params: str
    body: str
    preamble: str = ""

    def on(self, backend: Backend) -> Callable[..., Any]:
        """The kernel made by ``backend`` (which keeps it: made once per source)."""
        return backend.elementwise_kernel(self.in_params, self.out_params, self.body,
                                          self.name, self.preamble)


@dataclass(frozen=True)
class ReductionSource:
    """One fused reduction's CUDA C, as ``cupy.ReductionKernel`` takes it: each element of
    the broadcast inputs mapped by ``map_expr``, the mapped values summed (``reduce_expr``
    ``"a + b"``, the one reduction the ``fakegpu`` stand-in interprets) in ``reduce_type``,
    and the sum ``a`` written by ``post_map_expr``. One launch where the same result in
    ``xp`` calls takes an elementwise kernel and a reduction (and the memory between them).

    Call what :meth:`on` gives with the inputs and ``axis=``/``keepdims=`` as for
    ``xp.sum``; it returns the new output array.
    """

    name: str
    in_params: str
    out_params: str
    map_expr: str
    post_map_expr: str
    reduce_type: str
    reduce_expr: str = "a + b"
    identity: str = "0"

    def on(self, backend: Backend) -> Callable[..., Any]:
        """The reduction made by ``backend`` (which keeps it: made once per source)."""
        return backend.reduction_kernel(self.in_params, self.out_params, self.map_expr,
                                        self.reduce_expr, self.post_map_expr, self.identity,
                                        self.name, self.reduce_type)
