"""The CPU's flush-to-zero mode while an optimizer updates: no subnormal value in its state.

A moving average whose gradient stays 0 decays into the subnormal range, where x86 CPUs
compute tens of times slower (``optim._shared.FLUSH_EVERY`` says when and why). The x86
SSE/AVX unit has two switches for it in its control register, MXCSR:

* FTZ (flush to zero, bit 15): a result below the smallest normal number is written as 0;
* DAZ (denormals are zero, bit 6): a subnormal operand is read as 0.

:func:`enter` sets both for the calling thread and returns what it found; :func:`leave`
puts that back. Between the two, an optimizer's NumPy update never writes a subnormal
value (``m <- 0.9 m`` goes from the smallest normal number straight to 0), so no pass
over the state is needed to clean it up. This is what ``torch.set_flush_denormal(True)``
sets for a whole process and what TensorFlow (so Keras) sets in its CPU threads; here
it holds only for the optimizer's update, so user code and the forward and backward
passes keep IEEE arithmetic. Values differ from unflushed arithmetic only below the
dtype's normal range: a weight moves by ``lr m / (sqrt(v) + eps)``, under 1e-30 for such
an ``m``.

The register is read and written through the C library's ``fegetenv``/``fesetenv``
(``ctypes``; about 1 us each): its ``fenv_t`` ends with MXCSR on x86-64 Linux with glibc.
On import the mode is tried once, on a float32 subnormal: where that does not give 0
(another platform, another C library), :data:`AVAILABLE` is False, :func:`enter` and
:func:`leave` do nothing, and the optimizers fall back to flushing their state every
``FLUSH_EVERY`` steps.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import platform
import sys

import numpy as np

__all__ = ["AVAILABLE", "enter", "leave"]

_BITS = 0x8040  # FTZ | DAZ


class _Environment(ctypes.Structure):
    """glibc's ``fenv_t`` on x86-64: the x87 unit's 28-byte environment, then MXCSR."""

    _fields_ = [("x87", ctypes.c_uint8 * 28), ("mxcsr", ctypes.c_uint32)]


def _library() -> ctypes.CDLL | None:
    if sys.platform != "linux" or platform.machine() not in ("x86_64", "AMD64"):
        return None
    if platform.libc_ver()[0] != "glibc":
        return None
    name = ctypes.util.find_library("m")
    if name is None:
        return None
    try:
        return ctypes.CDLL(name)
    except OSError:
        return None


_libm = _library()


def enter() -> int:
    """Set FTZ and DAZ in this thread; returns the bits that were set before (for
    :func:`leave`), or -1 where the mode is not available."""
    return _set_bits(_BITS) if AVAILABLE else -1


def leave(before: int) -> None:
    """Restore the FTZ and DAZ bits :func:`enter` found (``before`` is what it returned)."""
    if 0 <= before != _BITS:
        _set_bits(before)


def _set_bits(bits: int) -> int:
    """Set MXCSR's FTZ and DAZ bits to ``bits`` in this thread; returns what they were."""
    environment = _Environment()
    _libm.fegetenv(ctypes.byref(environment))
    before = environment.mxcsr & _BITS
    if before != bits:
        environment.mxcsr = (environment.mxcsr & ~_BITS) | bits
        _libm.fesetenv(ctypes.byref(environment))
    return before


def _works() -> bool:
    """Whether setting the bits flushes a float32 subnormal here, and restoring them
    undoes it."""
    if _libm is None or ctypes.sizeof(_Environment) != 32:
        return False
    environment = _Environment()
    if _libm.fegetenv(ctypes.byref(environment)) != 0:
        return False
    mxcsr = environment.mxcsr
    if mxcsr & ~0xFFFF or (mxcsr & 0x1F80) == 0:  # not an MXCSR (its masks are set by default)
        return False
    subnormal = np.full(16, np.finfo(np.float32).smallest_normal / 4, np.float32)
    one = np.ones(16, np.float32)
    unflushed = bool(np.all(subnormal * one))  # False where the process flushes already
    before = _set_bits(_BITS)
    try:
        flushed = not np.any(subnormal * one)
    finally:
        _set_bits(before)
    return flushed and bool(np.all(subnormal * one)) == unflushed


#: Whether this process can switch the mode (x86-64 Linux with glibc, checked on import).
AVAILABLE: bool = _works()
