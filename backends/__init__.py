"""Array backends: NumPy on the CPU, CuPy on NVIDIA GPUs, and ``fakegpu``, a strict
stand-in device on NumPy that lets CI catch device bugs without a GPU.

Ops find their array module from their inputs (``xp = get_array_module(x)``),
so each op is written once for every backend. Whatever differs between array
libraries (what counts as a device array, scatter-add, constants filled on the
device, fused kernels) lives here and nowhere else, and so does the one process-wide
setting for host memory (``host_memory``: freed large arrays stay mapped).
"""

from . import host_memory  # noqa: F401  (first: keeps large freed arrays' pages mapped)
from .backend import Backend
from .numpy_backend import NumpyBackend
from .registry import (
    backend_of,
    cuda_device_count,
    cupy_available,
    device_of,
    get_array_module,
    get_backend,
    is_array,
    is_device_array,
    manual_seed,
    parse_device,
)

__all__ = [
    "Backend",
    "NumpyBackend",
    "backend_of",
    "cuda_device_count",
    "cupy_available",
    "device_of",
    "get_array_module",
    "get_backend",
    "is_array",
    "is_device_array",
    "manual_seed",
    "parse_device",
]
