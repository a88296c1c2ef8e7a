"""What several update rules share, each piece in the forms it takes, and kernel launching.

Every optimizer's own file holds its rule in its forms: the formula (the class docstring),
the in-place NumPy update (``_update``), the plain reference step (``reference_step``) and
the fused CUDA kernel. What more than one rule uses lives here:

* PyTorch's lerp, in place on NumPy arrays (:func:`lerp_`) and as the CUDA helper
  ``xpg_lerp`` that kernels get through their preamble (:data:`LERP`);
* the L2 penalty folded into the gradient, ``g + weight_decay * param``, in place
  (:func:`grad_with_weight_decay`) and as a kernel line (:func:`decay_line`);
* :func:`kernel_backend`, which picks a parameter's path, :class:`KernelSource`, which
  asks the backend for a kernel, and :func:`scalar`, which types a host scalar for it.

Kernels get their scalars (learning rate, bias corrections, ``1 - beta``...) computed on
the host in double precision, as PyTorch and the NumPy path do, then cast to the
parameter's dtype: computed in float32 inside a kernel, ``1 - 0.999f`` is off by 1.3e-5
relative. Options that change the shape of the computation (momentum, nesterov, amsgrad,
centered, decoupled decay...) select between kernels made separately, so kernels carry no
dead branches and never alias an output argument.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from backends import Backend

__all__ = ["LERP", "KernelSource", "decay_line", "grad_with_weight_decay", "kernel_backend",
           "lerp_", "scalar"]


# --------------------------------------------------------------------------- lerp
def lerp_(start: Any, end: Any, weight: float, tmp: Any) -> None:
    """``start += weight * (end - start)`` in place, with PyTorch's two-branch rounding.

    PyTorch's ``lerp_`` computes ``start + w (end - start)`` for ``w < 0.5`` and
    ``end - (end - start)(1 - w)`` otherwise; following it keeps runs bit-close to torch.
    """
    np.subtract(end, start, out=tmp)
    if abs(weight) < 0.5:
        tmp *= weight
        start += tmp
    else:
        tmp *= 1.0 - weight
        np.subtract(end, tmp, out=start)


#: The same lerp as a CUDA helper, for a kernel's preamble.
LERP = """
// PyTorch's lerp: start + w (end - start) for |w| < 0.5, else end - (end - start)(1 - w)
template <typename T> __device__ T xpg_lerp(T start, T end, T w) {
    return (fabs((double)w) < 0.5) ? start + w * (end - start)
                                   : end - (end - start) * ((T)1 - w);
}
"""


# --------------------------------------------------------------------------- weight decay
def grad_with_weight_decay(param: Any, grad: Any, weight_decay: float, buf: Any) -> Any:
    """``grad + weight_decay * param`` (L2 penalty folded into the gradient), into ``buf``."""
    if weight_decay == 0:
        return grad
    np.multiply(param, weight_decay, out=buf)
    buf += grad
    return buf


def decay_line(decay: bool) -> str:
    """The kernel line computing the (L2-decayed) gradient ``gg``."""
    return "T gg = grad + weight_decay * param;" if decay else "T gg = grad;"


# --------------------------------------------------------------------------- kernels
def kernel_backend(param: Any) -> Backend | None:
    """The backend that runs ``param``'s update as a fused kernel (CuPy compiles it, the
    ``fakegpu`` stand-in interprets it), or None where the in-place NumPy path runs."""
    if isinstance(param, np.ndarray):  # first: the CPU's step pays for this test only
        return None
    import backends  # deferred: keeps optim importable while backends is being built

    backend = backends.backend_of(param)
    return backend if backend.compiles_kernels else None


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


def scalar(param: Any, value: float) -> Any:
    """A host scalar of the parameter's dtype (a float32 model gets float32 constants)."""
    return param.dtype.type(value)
