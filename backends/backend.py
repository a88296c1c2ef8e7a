"""The backend interface: one small object per array library and device.

A backend owns what differs between NumPy and CuPy: the array module ``xp``,
moving arrays between host and device, synchronisation, the device's name and
its random generator. Everything else in xpgrad is written once against ``xp``.
"""

from __future__ import annotations

from types import ModuleType
from typing import Any


class Backend:
    """Base class of the per-library backends (see ``NumpyBackend``, ``CupyBackend``)."""

    __slots__ = ("xp", "device", "rng", "_seed")

    xp: ModuleType
    device: str

    def from_host(self, array: Any) -> Any:
        """Return ``array`` (a NumPy array or anything array-like) on this backend's device."""
        raise NotImplementedError

    def to_host(self, array: Any) -> Any:
        """Return a NumPy copy (or view, on the CPU) of ``array``."""
        raise NotImplementedError

    def owns(self, array: Any) -> bool:
        """True if ``array`` lives on this backend's device."""
        raise NotImplementedError

    def synchronize(self) -> None:
        """Block until all queued work on the device has finished (a no-op on the CPU)."""

    def manual_seed(self, seed: int) -> None:
        """Reseed this backend's random generator."""
        raise NotImplementedError

    def erf(self, x: Any) -> Any:
        """The error function, elementwise (used by the exact GELU)."""
        raise NotImplementedError

    @property
    def is_host(self) -> bool:
        """True if arrays live in host memory (NumPy): no copy is needed to read them."""
        return False

    def constant(self, value: Any, dtype: Any) -> Any:
        """A 0-d array holding ``value`` on this device (filled there, not copied from the host)."""
        return self.xp.full((), value, dtype=dtype)

    def scatter_add(self, target: Any, index: Any, values: Any) -> None:
        """``target[index] += values`` in place, repeated indices adding up (unbuffered)."""
        self.xp.add.at(target, index, values)

    #: True where ``xp.ElementwiseKernel`` compiles fused CUDA kernels (CuPy). Elsewhere
    #: (NumPy, the stand-in) callers take their plain ``xp`` code path.
    compiles_kernels = False

    def __repr__(self) -> str:
        return f"{type(self).__name__}(device={self.device!r})"
