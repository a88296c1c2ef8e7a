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
_fake_gpu: Backend | None = None  # the CI stand-in (backends.fake_gpu), made on first use
# The last manual_seed: a device's backend made later starts from it (PyTorch seeds CUDA
# when it starts, too), so seeding before the first use of a device is reproducible.
_seed: list[int | None] = [None]


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


def cuda_device_count() -> int:
    """The number of CUDA devices CuPy finds (0 without CuPy, a GPU or a working driver)."""
    if not cupy_available():
        return 0
    return int(_import_cupy().cuda.runtime.getDeviceCount())


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
    if name in ("fakegpu", "fakegpu:0"):
        return "fakegpu:0"
    if name == "cuda" or name == "gpu":
        cupy = _require_cupy(device)
        return f"cuda:{cupy.cuda.runtime.getDevice()}"
    if name.startswith("cuda:") and name[5:].isdigit():
        return f"cuda:{int(name[5:])}"
    raise ValueError(
        f"unknown device {device!r}: expected 'cpu', 'cuda' or 'cuda:N' "
        "(or 'fakegpu', the strict stand-in device that tests use without a GPU)"
    )


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
    if name == "fakegpu:0":
        return _get_fake_gpu()
    index = int(name[5:])
    backend = _cuda_backends.get(index)
    if backend is None:
        cupy = _require_cupy(name)
        count = cupy.cuda.runtime.getDeviceCount()
        if index >= count:
            raise RuntimeError(f"device {name!r} does not exist: this machine has {count} GPU(s)")
        from .cupy_backend import CupyBackend

        backend = _cuda_backends[index] = CupyBackend(index, seed=_seed[0])
    return backend


def _get_fake_gpu() -> Backend:
    global _fake_gpu
    if _fake_gpu is None:
        from .fake_gpu import FakeGpuBackend

        _fake_gpu = FakeGpuBackend(seed=_seed[0])
    return _fake_gpu


def backend_of(array: Any) -> Backend:
    """The backend whose device holds ``array`` (NumPy arrays and scalars: the CPU)."""
    if isinstance(array, np.ndarray | np.generic):
        return _cpu
    if _fake_gpu is not None and _fake_gpu.owns(array):
        return _fake_gpu
    cupy = _import_cupy() if _cuda_backends else None
    if cupy is not None and isinstance(array, cupy.ndarray):
        # (called by every op on a GPU: the backend by its index, not by parsing a name)
        index = array.device.id
        backend = _cuda_backends.get(index)
        return backend if backend is not None else get_backend(f"cuda:{index}")
    return _cpu


def is_array(value: Any) -> bool:
    """True for an array of any backend: a NumPy array, a CuPy array, a stand-in array."""
    return isinstance(value, np.ndarray) or is_device_array(value)


def is_device_array(value: Any) -> bool:
    """True for an array in a device's memory (CuPy, or the ``fakegpu`` stand-in)."""
    if isinstance(value, np.ndarray | np.generic):
        return False
    if _fake_gpu is not None and _fake_gpu.owns(value):
        return True
    if not _cuda_backends and "cupy" not in type(value).__module__:
        return False  # no GPU in use: not a CuPy array, and CuPy need not be imported
    cupy = _import_cupy()
    return cupy is not None and isinstance(value, cupy.ndarray)


def get_array_module(*arrays: Any) -> ModuleType:
    """``numpy`` or the device's array module (``cupy``), whichever holds the given arrays
    or tensors (the ``xp`` idiom)."""
    for a in arrays:
        if isinstance(a, np.ndarray):
            continue
        if is_device_array(a):
            return backend_of(a).xp
        data = getattr(a, "array", None)  # a Tensor's array
        if data is not None and is_device_array(data):
            return backend_of(data).xp
    return np


def device_of(array: Any) -> str:
    """The device name of an array: ``"cpu"``, ``"cuda:N"`` or ``"fakegpu:0"``."""
    if isinstance(array, np.ndarray):
        return "cpu"
    return backend_of(array).device


def manual_seed(seed: int) -> None:
    """Reseed the random generators of every backend in use (CPU and each GPU), and of
    every device's backend made later."""
    _seed[0] = seed
    _cpu.manual_seed(seed)
    for backend in _cuda_backends.values():
        backend.manual_seed(seed)
    if _fake_gpu is not None:
        _fake_gpu.manual_seed(seed)
