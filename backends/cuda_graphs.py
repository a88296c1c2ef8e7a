"""Capturing work as a CUDA graph with CuPy, and the matrix product that may be captured.

A CUDA graph is a recording of the kernels a stream ran: replaying it launches them all at
once, for the cost of one launch, with the very same arguments (pointers and scalars).
:func:`capture` records a callable's device work this way. Two things CuPy 14 does not give
for free:

* **Memory.** Arrays the recorded work allocates must stay where they are for as long as
  the graph may replay, and nothing else may be given their memory. They come from a
  memory pool of the graph's own, which nothing outside a capture allocates from.
* **cuBLAS.** CuPy refuses cuBLAS calls while a stream is capturing (its cuBLAS wrapper
  raises ``NotImplementedError``), although cuBLAS itself captures fine. :class:`CaptureGemm`
  calls ``cublasSgemm_v2``/``cublasDgemm_v2`` through ``ctypes`` on CuPy's own handle
  (bound to the capture stream first), for 2-D operands: what a training step of dense
  layers multiplies. :func:`gemm_arguments` turns two row-major operands, plain or
  transposed views, into cuBLAS' column-major arguments without a copy.
"""

from __future__ import annotations

import ctypes
from collections.abc import Callable
from typing import Any

__all__ = ["CAPTURE_WATCH", "CaptureGemm", "NotCapturable", "capture", "check_capturable_matmul",
           "gemm_arguments"]

_OP_N, _OP_T = 0, 1  # cublasOperation_t

#: While ``autograd.capture`` runs a step it will record (a list), each optimizer's
#: ``step`` appends the optimizer, so that it can be prepared (step counts moved to the
#: device) before the recording; None the rest of the time.
CAPTURE_WATCH: list[list[Any] | None] = [None]


class NotCapturable(NotImplementedError):
    """What a captured step cannot record (a product that is not a 2-D float matrix, random
    numbers, an optimizer whose update reads changing host numbers). Raised before the
    step's update runs where that can be known (the optimizer's check), else from inside
    the step, before it updates anything (the forward or backward pass); ``fit(...,
    jit_compile=True)`` then trains eagerly."""


def check_capturable_matmul(a: Any, b: Any) -> None:
    """A product a captured step can record: two 2-D float32/float64 operands of one dtype
    (the stand-in holds CI to the same rule)."""
    if a.ndim != 2 or b.ndim != 2 or a.dtype != b.dtype or a.dtype.char not in "fd":
        raise NotCapturable(
            f"matmul of shapes {a.shape} and {b.shape} ({a.dtype}, {b.dtype}) inside a "
            "captured step: only 2-D float32/float64 products of one dtype are captured "
            "(dense layers); run this step without autograd.capture"
        )


def _operand(shape: tuple[int, int], strides: tuple[int, int],
             itemsize: int) -> tuple[int, int] | None:
    """(cuBLAS op, leading dimension) reading a row-major (rows, cols) operand in place:
    C-contiguous memory is its transpose in column-major order (op N on it gives the
    transposed product below), F-contiguous memory (a transposed view) is itself (op T).
    None when the operand is neither."""
    rows, cols = shape
    if strides[1] == itemsize and (rows <= 1 or strides[0] == cols * itemsize):
        return _OP_N, max(1, cols)
    if strides[0] == itemsize and (cols <= 1 or strides[1] == rows * itemsize):
        return _OP_T, max(1, rows)
    return None


def gemm_arguments(a_shape: tuple[int, int], a_strides: tuple[int, int],
                   b_shape: tuple[int, int], b_strides: tuple[int, int],
                   itemsize: int) -> tuple[int, ...] | None:
    """cuBLAS' arguments for the row-major product ``out (m, n) = a (m, k) @ b (k, n)``.

    cuBLAS is column-major, and row-major ``out`` read column-major is ``outᵀ = bᵀ aᵀ``.
    So the call is ``gemm(op_b, op_a, n, m, k, 1, b, ldb, a, lda, 0, out, n)``, and this
    returns ``(op_b, op_a, n, m, k, ldb, lda, ldc)``; None when an operand is neither C- nor
    F-contiguous (copy it first)."""
    (m, k), n = a_shape, b_shape[1]
    a_op = _operand(a_shape, a_strides, itemsize)
    b_op = _operand(b_shape, b_strides, itemsize)
    if a_op is None or b_op is None:
        return None
    return (b_op[0], a_op[0], n, m, k, b_op[1], a_op[1], max(1, n))


class CaptureGemm:
    """``out = a @ b`` through cuBLAS directly (see the module's docstring), on the stream
    CuPy's cuBLAS handle was bound to."""

    __slots__ = ("_cp", "_handle", "_gemm", "_scalars")

    def __init__(self, cp: Any) -> None:
        self._cp = cp
        self._handle = cp.cuda.device.get_cublas_handle()
        library = ctypes.CDLL(_loaded_cublas(cp))
        self._gemm, self._scalars = {}, {}
        for char, name, scalar in (("f", "cublasSgemm_v2", ctypes.c_float),
                                   ("d", "cublasDgemm_v2", ctypes.c_double)):  # fmt: skip
            gemm = getattr(library, name)
            gemm.restype = ctypes.c_int
            p, i = ctypes.c_void_p, ctypes.c_int
            gemm.argtypes = [p, i, i, i, i, i, p, p, i, p, i, p, p, i]
            self._gemm[char] = gemm
            self._scalars[char] = (scalar(1.0), scalar(0.0))  # kept alive: cuBLAS reads them

    def bind(self, stream: Any) -> None:
        """Make cuBLAS launch on ``stream`` (call before the capture begins: CuPy's
        ``setStream`` is one of the calls it refuses during a capture)."""
        from cupy_backends.cuda.libs import cublas

        cublas.setStream(self._handle, stream.ptr)

    def __call__(self, a: Any, b: Any, out: Any = None) -> Any:
        check_capturable_matmul(a, b)
        cp = self._cp
        if a.shape[1] != b.shape[0]:
            raise ValueError(f"matmul: shapes {a.shape} and {b.shape} do not align")
        args = gemm_arguments(a.shape, a.strides, b.shape, b.strides, a.itemsize)
        if args is None:
            a, b = cp.ascontiguousarray(a), cp.ascontiguousarray(b)
            args = gemm_arguments(a.shape, a.strides, b.shape, b.strides, a.itemsize)
        shape = (a.shape[0], b.shape[1])
        if out is None or out.shape != shape or not out.flags.c_contiguous:
            out = cp.empty(shape, dtype=a.dtype)
        if out.size == 0:
            return out
        if a.shape[1] == 0:  # cuBLAS leaves out unwritten for k = 0
            out[...] = 0
            return out
        op_b, op_a, n, m, k, ldb, lda, ldc = args
        one, zero = self._scalars[a.dtype.char]
        status = self._gemm[a.dtype.char](
            self._handle, op_b, op_a, n, m, k, ctypes.byref(one), b.data.ptr, ldb,
            a.data.ptr, lda, ctypes.byref(zero), out.data.ptr, ldc)  # fmt: skip
        if status != 0:
            raise RuntimeError(f"cuBLAS gemm failed with status {status}")
        return out


def _loaded_cublas(cp: Any) -> str:
    """The path of the libcublas CuPy loaded (the same library, so the same handle)."""
    cp.ones((1, 1), cp.float32) @ cp.ones((1, 1), cp.float32)  # loads it, if not yet
    with open("/proc/self/maps") as maps:
        for line in maps:
            path = line.split()[-1]
            if "libcublas.so" in path and "libcublasLt" not in path:
                return path
    raise RuntimeError("cannot find the cuBLAS library CuPy loaded, needed to capture matmul")


class _Replay:
    """Launches a captured graph on the current stream, after whatever is queued there
    (the inputs' copies); holds the graph's memory pool as long as it may run."""

    __slots__ = ("graph", "pool")

    def __init__(self, graph: Any, pool: Any) -> None:
        self.graph, self.pool = graph, pool

    def __call__(self) -> None:
        self.graph.launch()


def capture(cp: Any, device_id: int, fn: Callable[[], Any],
            gemm: CaptureGemm) -> tuple[Callable[[], None], Any]:
    """Record ``fn()``'s device work as a CUDA graph and run it once.

    Returns ``(replay, result)``: ``replay()`` runs the graph again, ``result`` is what
    ``fn`` returned, whose arrays each replay overwrites. ``fn``'s host code runs once, here."""
    with cp.cuda.Device(device_id):
        stream = cp.cuda.Stream(non_blocking=True)
        pool = cp.cuda.MemoryPool()  # the graph's own memory: see the module's docstring
        cp.cuda.get_current_stream().synchronize()  # the capture stream does not wait for it
        gemm.bind(stream)
        with stream, cp.cuda.using_allocator(pool.malloc):
            stream.begin_capture()
            try:
                result = fn()
            except BaseException:
                try:  # end the capture, so that the stream works again; fn's error wins
                    stream.end_capture()
                except Exception:  # noqa: S110 - the capture was invalidated by the error
                    pass
                raise
            graph = stream.end_capture()
        graph.upload(stream)
        stream.synchronize()
    replay = _Replay(graph, pool)
    replay()
    return replay, result
