"""The GPU backend, on CuPy. Imported only when CuPy is installed."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import numpy as np

from .backend import Backend


class CupyBackend(Backend):
    """Arrays in the memory of one CUDA device, computed by CuPy. Device name ``"cuda:N"``."""

    __slots__ = ("_cupy", "_device_id", "_erf", "_gemm", "_ones", "_ones_retired", "_capturing")
    compiles_kernels = True

    def __init__(self, device_id: int, seed: int | None = None) -> None:
        import cupy
        import cupyx.scipy.special

        self._cupy = cupy
        self._device_id = device_id
        self._gemm = None
        self._ones: dict[str, Any] = {}  # column_sums' row of ones per dtype
        self._ones_retired: list[Any] = []  # rows outgrown, kept: graphs may still read them
        self._capturing = False
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

    def column_sums(self, x: Any, out: Any = None) -> Any:
        """The column sums as the product ``ones (1, n) @ x``: cuBLAS reads ``x`` row by
        row at full bandwidth, where CuPy's reduction over a C-ordered array's first axis
        strides through it (measured on an H200 at batch 8192: 83 µs a bias gradient,
        most of the step's GPU time beside the matrix products)."""
        if x.ndim != 2 or x.dtype.char not in "fd" or x.dtype != getattr(out, "dtype", x.dtype):
            return x.sum(axis=0, out=out)
        cp, n = self._cupy, x.shape[0]
        ones = self._ones.get(x.dtype.char)
        if ones is None or ones.shape[1] < n:
            with cp.cuda.Device(self._device_id):
                grown = cp.ones((1, max(n, 1024, 2 * (0 if ones is None else ones.shape[1]))),
                                dtype=x.dtype)  # fmt: skip
            if not self._capturing:  # a capture's own pool does not outlive its graph
                if ones is not None:  # kept: a recorded graph may read it on every replay
                    self._ones_retired.append(ones)
                self._ones[x.dtype.char] = grown
            ones = grown
        ones = ones[:, :n]
        # a view of out to write into (a reshape of a strided out would be a copy)
        target = out.reshape(1, -1) if out is not None and out.flags.c_contiguous else None
        if self._capturing:  # CuPy's matmul refuses to run inside a capture
            row = self._gemm(ones, x, target)
        else:
            row = cp.matmul(ones, x, out=target)
        if out is None:
            return row.reshape(-1)
        if row is not target:  # not written in place (a strided out)
            out[...] = row.reshape(-1)
        return out  # itself: the engine knows a gradient written into its buffer by identity

    def scatter_add(self, target: Any, index: Any, values: Any) -> None:
        import cupyx

        cupyx.scatter_add(target, index, values)

    def elementwise_kernel(self, in_params: str, out_params: str, body: str, name: str,
                           preamble: str = "") -> Callable[..., Any]:
        return _compiled_kernel(in_params, out_params, body, name, preamble)

    def reduction_kernel(self, in_params: str, out_params: str, map_expr: str,
                         reduce_expr: str, post_map_expr: str, identity: str, name: str,
                         reduce_type: str) -> Callable[..., Any]:
        return _compiled_reduction(in_params, out_params, map_expr, reduce_expr,
                                   post_map_expr, identity, name, reduce_type)

    def capture(self, fn: Callable[[], Any]) -> tuple[Callable[[], None], Any]:
        from .cuda_graphs import capture

        gemm = self.capture_matmul()
        self._capturing = True
        try:
            return capture(self._cupy, self._device_id, fn, gemm)
        finally:
            self._capturing = False

    def _recording(self) -> bool:
        return self._capturing

    def _on_device(self) -> Any:
        return self._cupy.cuda.Device(self._device_id)

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
            if self._gemm is None:
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


@functools.cache
def _compiled_reduction(in_params: str, out_params: str, map_expr: str, reduce_expr: str,
                        post_map_expr: str, identity: str, name: str,
                        reduce_type: str) -> Callable[..., Any]:
    """One ``cupy.ReductionKernel`` per source, shared by every device."""
    import cupy

    return cupy.ReductionKernel(in_params, out_params, map_expr, reduce_expr, post_map_expr,
                                identity, name, reduce_type=reduce_type)
