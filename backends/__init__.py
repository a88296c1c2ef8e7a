"""Array backends: NumPy on the CPU, CuPy on NVIDIA GPUs.

Ops find their array module from their inputs (``xp = get_array_module(x)``),
so each op is written once for both backends.
"""

from .backend import Backend
from .numpy_backend import NumpyBackend
from .registry import (
    backend_of,
    cupy_available,
    device_of,
    get_array_module,
    get_backend,
    manual_seed,
    parse_device,
)

__all__ = [
    "Backend",
    "NumpyBackend",
    "backend_of",
    "cupy_available",
    "device_of",
    "get_array_module",
    "get_backend",
    "manual_seed",
    "parse_device",
]
