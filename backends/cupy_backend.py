"""The GPU backend, on CuPy. Imported only when CuPy is installed."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import numpy as np

from .backend import Backend


class CupyBackend(Backend):
    """Arrays in the memory of one CUDA device, computed by CuPy. Device name ``"cuda:N"``."""

    __slots__ = ("_cupy", "_device_id", "_erf", "_gemm")
    compiles_kernels = True

    def __init__(self, device_id: int, seed: int | None = None) -> None:
        import cupy
        import cupyx.scipy.special

        self._cupy = cupy
        self._device_id = device_id
        self._erf = cupyx.scipy.special.erf
        self.xp = cupy
        self.device = f"cuda:{device_id}"
        with cupy.cuda.Device(device_id):
            self.rng = cupy.random.default_rng(seed)

    @property
    def device_id(self) -> int:
        return self._device_id

    def from_host(self, array: Any) -> Any:
        cp = self._cupy
        if isinstance(array, cp.ndarray) and array.device.id == self._device_id:
            return array
        with cp.cuda.Device(self._device_id):
            return cp.asarray(array)

    def to_host(self, array: Any) -> np.ndarray:
        if isinstance(array, self._cupy.ndarray):
            return array.get()
        return np.asarray(array)

    def owns(self, array: Any) -> bool:
        return isinstance(array, self._cupy.ndarray) and array.device.id == self._device_id

    def synchronize(self) -> None:
        self._cupy.cuda.Device(self._device_id).synchronize()

    def manual_seed(self, seed: int) -> None:
        with self._cupy.cuda.Device(self._device_id):
            self.rng = self._cupy.random.default_rng(seed)

    def erf(self, x: Any) -> Any:
        return self._erf(x)

    def scatter_add(self, target: Any, index: Any, values: Any) -> None:
        import cupyx

        cupyx.scatter_add(target, index, values)

    def elementwise_kernel(self, in_params: str, out_params: str, body: str, name: str,
                           preamble: str = "") -> Callable[..., Any]:
        return _compiled_kernel(in_params, out_params, body, name, preamble)

    def capture(self, fn: Callable[[], Any]) -> tuple[Callable[[], None], Any]:
        from .cuda_graphs import capture

        return capture(self._cupy, self._device_id, fn, self.capture_matmul())

    def copy_into(self, target: Any, source: Any) -> None:
        """One asynchronous device-to-device memcpy on the current stream where both are
        contiguous alike (no kernel: a few microseconds of host time less than
        ``target[...] = source``, paid on every captured step)."""
        if target.flags.c_contiguous and source.flags.c_contiguous:
            target.data.copy_from_device_async(source.data, source.nbytes)
        else:
            target[...] = source

    def capture_matmul(self) -> Callable[..., Any]:
        from .cuda_graphs import CaptureGemm

        with self._cupy.cuda.Device(self._device_id):
            if getattr(self, "_gemm", None) is None:
                self._gemm = CaptureGemm(self._cupy)
            # outside a capture it runs on the current stream (a capture binds its own)
            self._gemm.bind(self._cupy.cuda.get_current_stream())
        return self._gemm

    def free_memory(self) -> int:
        """Bytes free on the device (driver's view plus CuPy's pool cache)."""
        cp = self._cupy
        with cp.cuda.Device(self._device_id):
            free, _total = cp.cuda.runtime.memGetInfo()
            return free + cp.get_default_memory_pool().free_bytes()


@functools.cache
def _compiled_kernel(in_params: str, out_params: str, body: str, name: str,
                     preamble: str) -> Callable[..., Any]:
    """One ``cupy.ElementwiseKernel`` per source, shared by every device (CuPy compiles it
    for each device on its first launch there, and caches the binary on disk)."""
    import cupy

    return cupy.ElementwiseKernel(in_params, out_params, body, name, preamble=preamble)
