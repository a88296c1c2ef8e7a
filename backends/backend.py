"""The backend interface: one small object per array library and device.

A backend owns what differs between NumPy and CuPy: the array module ``xp``,
moving arrays between host and device, synchronisation, the device's name, its
random generator and fused elementwise kernels. Everything else in xpgrad is
written once against ``xp``.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from types import ModuleType
from typing import Any


class Backend:
    """Base class of the per-library backends (see ``NumpyBackend``, ``CupyBackend``)."""

    __slots__ = ("xp", "device", "rng", "_seed", "_error_flag", "_error_message", "_error_arrays",
                 "_shared_ones")

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

    # ------------------------------------------------------------ captured steps
    @property
    def can_capture(self) -> bool:
        """Whether :meth:`capture` can record steps here (a GPU, the stand-in)."""
        return type(self).capture is not Backend.capture

    def capture(self, fn: Callable[[], Any]) -> tuple[Callable[[], None], Any]:
        """Record the device work of ``fn()`` once and run it: ``(replay, result)``, where
        ``replay()`` runs the same work again on the same memory (a CUDA graph) and
        ``result`` is what ``fn`` returned. See ``autograd.capture``."""
        raise ValueError(
            f"a step can be captured on a GPU ('cuda') or on the 'fakegpu' stand-in, not on "
            f"{self.device}: call the step itself there"
        )

    def copy_into(self, target: Any, source: Any) -> None:
        """``target[...] = source`` for two arrays of this device of one shape and dtype (a
        captured step's next batch into its recorded input)."""
        target[...] = source

    def capture_matmul(self) -> Callable[..., Any]:
        """``(a, b, out=None) -> a @ b`` as it may run while :meth:`capture` records."""
        raise NotImplementedError

    # ------------------------------------------------------------ deferred errors
    # A GPU cannot raise in the middle of a queued computation without the host waiting
    # for it (a sync per step). Ops that find bad input on a device (labels out of range)
    # record it in a device-side flag instead; the flag is read at the next point where
    # the host waits anyway (``item()``, ``numpy()``, the end of an epoch), and raised there.
    def flag_error(self, bad: Any, message: str, kind: type[Exception] = IndexError) -> None:
        """Record that the 0-d boolean array ``bad`` signals an error, described by
        ``message``. On the host it is checked at once; on a device it is raised by the
        next :meth:`check_errors`, without synchronising now."""
        if getattr(self, "_error_flag", None) is None:
            self._error_flag = bad.copy()
            self._error_message = (kind, message)
        else:
            self.xp.logical_or(self._error_flag, bad, out=self._error_flag)

    def error_flags(self, shape: tuple[int, ...], message: str,
                    kind: type[Exception] = IndexError) -> Any:
        """A boolean array of ``shape`` on this device, kept for one kind of error, that a
        kernel ORs its elements' errors into in place (``bad = bad || ...``): flagging then
        costs neither a reduction nor a launch of its own, and a recorded step (a CUDA
        graph) flags into the same array on every replay. :meth:`check_errors` reads it.

        One array per shape and message (a loss's label batches: the batch size, and the
        last, smaller batch). Made before a recording (the warm-up calls of
        ``autograd.capture`` make it): one made while a capture records is not kept, as its
        memory belongs to the recording.
        """
        return self._kept("_error_arrays", (tuple(shape), kind, message),
                          lambda: self.xp.zeros(shape, dtype=bool))

    def check_errors(self) -> None:
        """Raise the first error recorded by :meth:`flag_error` or in an
        :meth:`error_flags` array (reads one device value per flag: call it where the host
        waits for the device anyway). A raised array is cleared, and stays in use."""
        flag = getattr(self, "_error_flag", None)
        if flag is not None:
            self._error_flag = None
            if bool(flag):
                kind, message = self._error_message
                raise kind(f"{message} (detected on {self.device} after the op ran)")
        for (_, kind, message), flags in (getattr(self, "_error_arrays", None) or {}).items():
            if bool(flags.any()):
                flags[...] = False
                raise kind(f"{message} (detected on {self.device} after the op ran)")

    def free_memory(self) -> int | None:
        """Bytes free on the device, or None where the question does not apply (the host)."""
        return None

    def constant(self, value: Any, dtype: Any) -> Any:
        """A 0-d array holding ``value`` on this device (filled there, not copied from the host)."""
        return self.xp.full((), value, dtype=dtype)

    def shared_ones(self, shape: tuple[int, ...], dtype: Any) -> Any:
        """``ones(shape, dtype)`` made once per shape and dtype and then kept: the seed
        gradient of ``loss.backward()``, which on a GPU would otherwise cost a fill kernel
        every step. Callers must never write into it (on the host it is read-only)."""
        return self._kept("_shared_ones", (shape, dtype),
                          lambda: self._freeze(self.xp.ones(shape, dtype=dtype)))

    def _kept(self, slot: str, key: Any, make: Callable[[], Any]) -> Any:
        """The array ``make()`` gives, made once per ``key`` on this device and kept in the
        dict in ``slot``; one made while :meth:`capture` records is not kept (recorded,
        not run: its memory holds the values only in replays, and belongs to them)."""
        cache = getattr(self, slot, None)
        if cache is None:
            cache = {}
            setattr(self, slot, cache)
        array = cache.get(key)
        if array is None:
            with self._on_device():
                array = make()
            if not self._recording():
                cache[key] = array
        return array

    def _freeze(self, array: Any) -> Any:
        """``array`` made read-only where the array type can be (NumPy's can, CuPy's not)."""
        return array

    def _recording(self) -> bool:
        """Whether :meth:`capture` is recording now (its kernels are queued, not run)."""
        return False

    def _on_device(self) -> contextlib.AbstractContextManager[Any]:
        """A context in which ``xp`` allocates on this backend's device (CuPy allocates
        on the current device, which may be another GPU)."""
        return contextlib.nullcontext()

    def column_sums(self, x: Any, out: Any = None) -> Any:
        """``x.sum(axis=0)`` of a 2-D array (a layer's bias gradient), into the 1-D ``out``
        when given."""
        return x.sum(axis=0, out=out)

    def scatter_add(self, target: Any, index: Any, values: Any) -> None:
        """``target[index] += values`` in place, repeated indices adding up (unbuffered)."""
        self.xp.add.at(target, index, values)

    #: True where :meth:`elementwise_kernel` works, so callers with a fused kernel (the
    #: optimizers) launch it: CuPy compiles the CUDA C, the ``fakegpu`` stand-in interprets
    #: it in NumPy (so CI runs every kernel). Elsewhere (NumPy) callers take their plain
    #: ``xp`` code path.
    compiles_kernels = False

    def elementwise_kernel(self, in_params: str, out_params: str, body: str, name: str,
                           preamble: str = "") -> Callable[..., Any]:
        """A fused elementwise kernel, as ``cupy.ElementwiseKernel`` takes it.

        Args:
            in_params: the inputs, ``"T grad, T lr, int32 first"`` (``T``: a placeholder
                whose dtype the arguments decide).
            out_params: the outputs, ``"T param, T buf"``; the body reads and assigns them.
            body: CUDA C run once per element (broadcast over the array arguments).
            name: the kernel's name (a C identifier).
            preamble: CUDA C placed before the kernel (helper functions).

        Returns:
            A callable taking the inputs then the outputs, which it updates in place.
            Made once per distinct source and kept (compilation is the slow part).

        Raises:
            NotImplementedError: on a backend without kernels (``compiles_kernels`` False).
        """
        raise NotImplementedError(
            f"the {self.device} backend runs no fused kernels (compiles_kernels is False); "
            "take the plain xp path there"
        )

    def reduction_kernel(self, in_params: str, out_params: str, map_expr: str,
                         reduce_expr: str, post_map_expr: str, identity: str, name: str,
                         reduce_type: str) -> Callable[..., Any]:
        """A fused reduction, as ``cupy.ReductionKernel`` takes it (see
        ``backends.kernels.ReductionSource``): a callable taking the inputs and
        ``axis``/``keepdims``, returning the output. Made once per source and kept.

        Raises:
            NotImplementedError: on a backend without kernels (``compiles_kernels`` False).
        """
        raise NotImplementedError(
            f"the {self.device} backend runs no fused kernels (compiles_kernels is False); "
            "take the plain xp path there"
        )

    def __repr__(self) -> str:
        return f"{type(self).__name__}(device={self.device!r})"
