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

    def __repr__(self) -> str:
        return f"{type(self).__name__}(device={self.device!r})"
