"""Finding backends by device name or by array, PyTorch-style device names."""

from __future__ import annotations

import functools
from types import ModuleType
from typing import Any

import numpy as np

from .backend import Backend
from .numpy_backend import NumpyBackend

_GPU_INSTALL_HINT = (
    "install CuPy with the GPU extra that matches your CUDA driver: "
    "pip install 'xpgrad[gpu]' (CUDA 12) or pip install 'xpgrad[gpu-cuda13]' (CUDA 13)"
)

_cpu = NumpyBackend()
_cuda_backends: dict[int, Backend] = {}


@functools.lru_cache(maxsize=1)
def _import_cupy() -> ModuleType | None:
    try:
        import cupy
    except Exception:  # ImportError, or a broken CUDA install raising at import
        return None
    return cupy


def cupy_available() -> bool:
    """True if CuPy imports and at least one CUDA device answers."""
    cupy = _import_cupy()
    if cupy is None:
        return False
    try:
        return cupy.cuda.runtime.getDeviceCount() > 0
    except Exception:
        return False


def parse_device(device: str | Backend | None) -> str:
    """Normalise a device name: ``"cpu"``, ``"cuda"`` (the current GPU) or ``"cuda:N"``."""
    if isinstance(device, Backend):
        return device.device
    if device is None:
        return "cpu"
    if not isinstance(device, str):
        device = str(device)  # e.g. a torch.device-like object
    name = device.strip().lower()
    if name == "cpu":
        return "cpu"
    if name == "cuda" or name == "gpu":
        cupy = _require_cupy(device)
        return f"cuda:{cupy.cuda.runtime.getDevice()}"
    if name.startswith("cuda:") and name[5:].isdigit():
        return f"cuda:{int(name[5:])}"
    raise ValueError(f"unknown device {device!r}: expected 'cpu', 'cuda' or 'cuda:N'")


def _require_cupy(device: str) -> ModuleType:
    cupy = _import_cupy()
    if cupy is None:
        raise RuntimeError(
            f"device {device!r} needs CuPy, which is not installed; {_GPU_INSTALL_HINT}"
        )
    if not cupy_available():
        raise RuntimeError(
            f"device {device!r} was asked for, but CuPy finds no CUDA device "
            "(is there a GPU and a working NVIDIA driver?)"
        )
    return cupy


def get_backend(device: str | Backend | None = None) -> Backend:
    """The backend for a device name (``"cpu"``, ``"cuda"``, ``"cuda:0"``)."""
    if isinstance(device, Backend):
        return device
    if device is None or device == "cpu":
        return _cpu
    name = parse_device(device)
    if name == "cpu":
        return _cpu
    index = int(name[5:])
    backend = _cuda_backends.get(index)
    if backend is None:
        cupy = _require_cupy(name)
        count = cupy.cuda.runtime.getDeviceCount()
        if index >= count:
            raise RuntimeError(f"device {name!r} does not exist: this machine has {count} GPU(s)")
        from .cupy_backend import CupyBackend

        backend = _cuda_backends[index] = CupyBackend(index)
    return backend


def backend_of(array: Any) -> Backend:
    """The backend whose device holds ``array`` (NumPy arrays and scalars: the CPU)."""
    if isinstance(array, np.ndarray | np.generic):
        return _cpu
    device = getattr(array, "device", None)
    cupy = _import_cupy()
    if cupy is not None and isinstance(array, cupy.ndarray):
        return get_backend(f"cuda:{device.id}")
    return _cpu


def get_array_module(*arrays: Any) -> ModuleType:
    """``numpy`` or ``cupy``, whichever holds the given arrays or tensors (the ``xp`` idiom)."""
    cupy = None
    for a in arrays:
        if isinstance(a, np.ndarray):
            continue
        if cupy is None:
            cupy = _import_cupy()
            if cupy is None:
                return np
        if isinstance(a, cupy.ndarray) or isinstance(getattr(a, "data", None), cupy.ndarray):
            return cupy
    return np


def device_of(array: Any) -> str:
    """The device name of an array: ``"cpu"`` or ``"cuda:N"``."""
    if isinstance(array, np.ndarray):
        return "cpu"
    return backend_of(array).device


def manual_seed(seed: int) -> None:
    """Reseed the random generators of every backend in use (CPU and each GPU)."""
    _cpu.manual_seed(seed)
    for backend in _cuda_backends.values():
        backend.manual_seed(seed)
