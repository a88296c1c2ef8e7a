"""What several update rules share, each piece in the forms it takes, and kernel launching.

Every optimizer's own file holds its rule in its forms: the formula (the class docstring),
the in-place NumPy update (``_update``), the plain reference step (``reference_step``) and
the fused CUDA kernel. What more than one rule uses lives here:

* PyTorch's lerp, in place on NumPy arrays (:func:`lerp_`) and as the CUDA helper
  ``xpg_lerp`` that kernels get through their preamble (:data:`LERP`);
* the L2 penalty folded into the gradient, ``g + weight_decay * param``, in place
  (:func:`grad_with_weight_decay`) and as a kernel line (:func:`decay_line`);
* :func:`flush_subnormal_`, which sets state values too small to be normal floats to 0
  on the CPU (see :data:`FLUSH_EVERY`);
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

from typing import Any

import numpy as np

from backends.kernels import KernelSource, kernel_backend

__all__ = ["FLUSH_EVERY", "LERP", "KernelSource", "decay_line", "flush_subnormal_",
           "grad_with_weight_decay", "kernel_backend", "lerp_", "scalar"]


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


# --------------------------------------------------------------------------- subnormals
#: Every ``FLUSH_EVERY``-th step the CPU path flushes the decaying state buffers.
#:
#: Why: a moving average whose gradient is exactly 0 for a long time (Adam's first moment
#: for an input pixel that is almost always 0) decays geometrically, ``m <- 0.9 m``, and
#: after ~750 float32 steps falls below the smallest normal number (1.18e-38): it becomes
#: *subnormal*, and on many x86 CPUs every arithmetic op reading or writing a subnormal
#: takes a microcode assist, tens to hundreds of cycles instead of one. Left alone, a
#: value spends ~150 steps in the subnormal range (0.9**151 ~ 2**-23) before it reaches 0;
#: Fashion-MNIST training with Adam holds 20,000-40,000 of them after an epoch.
#:
#: The CPU's update runs in flush-to-zero mode (``optim._flush_to_zero``) where that mode
#: can be set (x86-64 Linux with glibc), and then writes no subnormal value at all. This
#: flush is the fallback elsewhere.
#:
#: The rule: ``x <- 0 if |x| < finfo(dtype).smallest_normal else x`` for every entry of
#: the buffers an optimizer names in ``_decaying_state``, after every ``FLUSH_EVERY``-th
#: step, in place. A value is then subnormal for at most ``FLUSH_EVERY`` steps instead of
#: ~150, and the work costs one eighth of three passes over the buffers per step. It changes
#: nothing above the dtype's normal range: a parameter moves by ``lr m / (sqrt(v) + eps)``,
#: under 1e-30 for such an ``m``, so results agree with unflushed PyTorch to far below any
#: test's tolerance. Keras (TensorFlow) flushes subnormals in the whole CPU; PyTorch offers
#: ``torch.set_flush_denormal``. GPUs compute with subnormals at full speed: the CuPy and
#: fused-kernel paths are left as they are.
FLUSH_EVERY = 8


def flush_subnormal_(array: Any, scratch: Any) -> None:
    """``array[|array| < smallest normal] = 0`` in place, for a NumPy float array.

    Written as ``array *= (|array| >= tiny)`` through ``scratch`` (same shape and dtype),
    three streaming passes whose cost does not depend on the data (a masked assignment
    costs ten times more when the mask is irregular). NaN stays NaN, infinities stay.
    """
    np.abs(array, out=scratch)
    np.greater_equal(scratch, np.finfo(array.dtype).smallest_normal, out=scratch)
    array *= scratch


# --------------------------------------------------------------------------- kernels
# KernelSource and kernel_backend live in backends.kernels (autograd's ops use them too).


def scalar(param: Any, value: float) -> Any:
    """A host scalar of the parameter's dtype (a float32 model gets float32 constants)."""
    return param.dtype.type(value)
