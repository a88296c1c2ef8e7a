"""``autograd.capture``: a whole training step recorded once, then replayed (a CUDA graph).

On a GPU, a small model's step is bound by the host: each of its ~30 kernels costs some
microseconds of Python and CuPy to launch, while the GPU computes each for less. A CUDA
graph records the kernels of one step and replays all of them for the cost of one launch::

    def train_step(x, y):               # an ordinary PyTorch-style step on cuda tensors
        opt.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()
        opt.step()
        return loss

    step = autograd.capture(train_step)
    for x, y in batches:
        loss = step(x, y)               # the same step as train_step(x, y), replayed

Every call is one training step with the results of calling ``train_step`` itself. The
first ``warmup`` calls run it as it is (the optimizer makes its state, kernels compile);
the next one records it (``Backend.capture``: CuPy's stream capture, or the ``fakegpu``
stand-in's record and replay), and from then on a call copies its inputs into the recorded
input tensors and replays. What this asks of the step:

* The same input shapes, dtypes and device on every call (a ValueError names the
  difference): call ``train_step`` itself for a last, smaller batch.
* The returned tensors are the recorded ones, overwritten by the next call: read them
  (``loss.item()``) or clone them first.
* A recording holds the step's arrays in device memory of its own, up to twice what the
  eager step needs; where that is more than is free, the recording raises NotCapturable
  (before any optimizer stepped in it: ``fit`` then trains eagerly).
* The step's host code runs once, when it is recorded: reading a device value on the
  host inside it (``.item()``, ``float()``, ``print``) fails then (NotCapturable where no
  optimizer has stepped yet in the recording), random numbers
  (dropout) are refused (a replay would repeat them), and so are products that are not
  2-D float matrices (CuPy cannot record cuBLAS; ``backends.cuda_graphs``).
* Optimizers: SGD, Adam, AdamW, RMSprop, Adadelta and Lion, whose step counts move into
  device memory; Keras' SGD, RMSprop, Adam, AdamW, Adagrad, Adadelta, Lion and Ftrl
  (``iterations`` kept on the device as well, counted on the host after each replay),
  without a learning-rate schedule, gradient accumulation or ``use_ema``. What cannot be
  recorded raises :class:`NotCapturable`. A hyper-parameter changed between calls (a
  scheduler's ``lr``) makes the next call record the step again: cheap once an epoch, no
  gain once a step. ``fit`` records its step this way with ``compile(jit_compile=True)``.
* Parameters replaced (``p.array = ...``) start the warm-up again; so do the arrays of the
  tensors given as ``watch`` (buffers, or the weights of a step without an optimizer).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import backends
from backends.backend import Backend
from backends.cuda_graphs import CAPTURE_WATCH, NotCapturable

from .defaults import get_default_device
from .ops.matmul import CAPTURE_MATMUL
from .tensor import Tensor

__all__ = ["CapturedStep", "NotCapturable", "capture"]


def capture(fn: Callable[..., Any], *, warmup: int = 2,
            watch: Iterable[Tensor] = ()) -> CapturedStep:
    """``fn`` (a training step taking tensors) as a step recorded once and replayed on a
    GPU; see the module's docstring. ``warmup``: calls run as they are first (at least 1,
    so that the optimizers are known and their state exists before the recording).
    ``watch``: tensors the step reads besides its optimizers' parameters (a model's
    buffers; the weights of a step without an optimizer): if one's array is replaced
    (``t.array = ...``), the step is warmed up and recorded again, as for a parameter."""
    if not callable(fn):
        raise TypeError(f"capture: expects a callable (the training step), got {type(fn).__name__}")
    if not isinstance(warmup, int) or isinstance(warmup, bool) or warmup < 1:
        raise ValueError(f"capture: warmup must be an integer >= 1, got {warmup!r}")
    watched = list(watch)
    if not all(isinstance(t, Tensor) for t in watched):
        raise TypeError("capture: watch takes tensors")
    return CapturedStep(fn, warmup, watched)


class _NoRandomNumbers:
    """A backend's generator while a step is recorded: a replay would repeat its draws."""

    __slots__ = ()

    def __getattr__(self, name: str) -> Any:
        raise NotCapturable(
            "random numbers inside a captured step (dropout, random initialisation): every "
            "replay would repeat the recorded ones; run this step without autograd.capture"
        )


class CapturedStep:
    """A training step recorded once and replayed; made by :func:`capture`."""

    __slots__ = ("fn", "warmup", "_watch", "_calls", "_backend", "_optimizers", "_rehearsed",
                 "_replay", "_result", "_inputs", "_hyper", "_params", "_error", "_signature",
                 "_replayed_last")

    def __init__(self, fn: Callable[..., Any], warmup: int,
                 watch: list[Tensor] | None = None) -> None:
        self.fn, self.warmup = fn, warmup
        self._watch = watch or []
        self._calls = 0
        self._backend: Backend | None = None
        self._optimizers: list[Any] = []
        self._rehearsed = False  # the last call ran as the recording will (see _watched)
        self._signature: tuple[Any, ...] | None = None  # the inputs of that call
        self._replay: Callable[[], None] | None = None
        self._replayed_last = False

    @property
    def recorded(self) -> bool:
        """Whether calls now replay a recording."""
        return self._replay is not None

    @property
    def replayed_last(self) -> bool:
        """Whether the last call replayed the recording (its host code did not run) rather
        than running ``fn`` (a warm-up, or the recording itself)."""
        return self._replayed_last

    def replays(self, *inputs: Any) -> bool:
        """Whether a recording exists for inputs like these (shapes, dtypes, device): where
        it does not, a call with them would raise, and ``fn`` itself should run (an
        epoch's smaller last batch)."""
        return self._replay is not None and _signature(inputs) == self._signature

    def __call__(self, *inputs: Any) -> Any:
        self._replayed_last = False
        if self._replay is not None:
            if self._params_unchanged():
                if self._hyper_unchanged():
                    return self._replayed(inputs)
                self._calls = self.warmup  # only a number changed: record again, now
            else:
                self._calls = 0  # new parameter arrays: their layout is made again first
                self._rehearsed = False
            self._replay = None
        if self._backend is None:
            self._backend = _backend_of(inputs)
        if (self._calls < self.warmup or not self._rehearsed
                or _signature(inputs) != self._signature):  # fmt: skip
            # (another shape than the rehearsal's could make a cache entry, say, inside the
            # recording, where on a GPU it stays unwritten until the first replay)
            self._calls += 1
            return self._watched(inputs)
        return self._record(inputs)

    # ------------------------------------------------------------------ the three modes
    def _watched(self, inputs: tuple[Any, ...]) -> Any:
        """A warm-up call: ``fn`` itself, noting which optimizers step and preparing them
        (``_prepare_capture``). Once they are prepared, a call rehearses the recording:
        the same kernels (the optimizers' device-step ones, the capturable matrix product)
        run, so that they are compiled and loaded before the recording, and a product the
        recording could not make fails here."""
        known = self._optimizers
        rehearsal = bool(known) and self._calls > 1
        CAPTURE_WATCH[0] = seen = []
        if rehearsal:
            CAPTURE_MATMUL[0] = self._backend.capture_matmul()
        try:
            result = self.fn(*inputs)
        finally:
            CAPTURE_WATCH[0] = CAPTURE_MATMUL[0] = None
        stepped = list({id(o): o for o in seen}.values())
        self._rehearsed = rehearsal and all(any(o is k for k in known) for o in stepped)
        self._rehearsed |= not stepped and self._calls > 1  # no optimizer: nothing to prepare
        for optimizer in stepped:
            optimizer._prepare_capture()
        self._optimizers = stepped
        self._signature = _signature(inputs)
        return result

    def _record(self, inputs: tuple[Any, ...]) -> Any:
        backend = self._backend
        static = tuple(Tensor(x.array.copy(), requires_grad=x.requires_grad)
                       if isinstance(x, Tensor) else x for x in inputs)  # fmt: skip
        backend.check_errors()  # the warm-up's flags raise now; the recording makes its own
        rng, backend.rng = backend.rng, _NoRandomNumbers()
        CAPTURE_MATMUL[0] = backend.capture_matmul()
        CAPTURE_WATCH[0] = seen = []
        try:
            replay, result = backend.capture(lambda: self.fn(*static))
        except RuntimeError as error:
            # A read of a device value on the host (CuPy refuses the copy while a stream
            # captures, and so does the stand-in): nothing can be recorded. Before any
            # optimizer stepped, nothing on the host has changed either, so the step may
            # run as it is instead (NotCapturable); after, its count has moved: raise.
            if isinstance(error, NotCapturable) or "capturing" not in str(error) or seen:
                raise
            raise NotCapturable(
                f"the step reads a device value on the host ({error}); run it without "
                "autograd.capture, or read the value outside the step"
            ) from error
        except MemoryError as error:
            # The recording keeps the step's arrays in a memory pool of its own (up to twice
            # an eager step's device memory): where that does not fit, the step may still run
            # as it is, under the same rule as above. (Without the traceback, whose frames
            # hold the recording's arrays, its pool is freed for the eager step.)
            if seen:
                raise
            raise NotCapturable(
                f"recording the step needs more device memory than is free ({error}); a "
                "recording holds the step's arrays in memory of its own"
            ) from error.with_traceback(None)
        finally:
            CAPTURE_MATMUL[0] = None
            CAPTURE_WATCH[0] = None
            backend.rng = rng
        unprepared = [o for o in seen if not any(o is p for p in self._optimizers)]
        if unprepared:
            raise RuntimeError(
                f"capture: {type(unprepared[0]).__name__} stepped in the recorded call but "
                "not in the warm-up calls before it, so its state was not made ready"
            )
        self._replay, self._result, self._inputs = replay, result, static
        self._hyper = [(optimizer, list(optimizer.param_groups),
                        [_hyper_values(optimizer, group) for group in optimizer.param_groups])
                       for optimizer in self._optimizers]  # fmt: skip
        self._params = [(p, p.array) for optimizer in self._optimizers
                        for group in optimizer.param_groups for p in group["params"]]
        known = {id(p) for p, _ in self._params}  # (a model's parameters are watched too)
        self._params += [(t, t.array) for t in self._watch if id(t) not in known]
        flag = getattr(backend, "_error_flag", None)
        self._error = None if flag is None else (flag, backend._error_message)
        return result

    def _replayed(self, inputs: tuple[Any, ...]) -> Any:
        if len(inputs) != len(self._inputs):
            raise TypeError(f"capture: the step was recorded with {len(self._inputs)} "
                            f"inputs, got {len(inputs)}")
        for i, (recorded, given) in enumerate(zip(self._inputs, inputs, strict=True)):
            if isinstance(recorded, Tensor):
                _copy_into(recorded, given, i)
            elif _plain(given) != _plain(recorded):
                raise ValueError(f"capture: input {i} was {recorded!r} when the step was "
                                 f"recorded, now {given!r}; other values need another capture")
        self._replay()
        self._replayed_last = True
        for optimizer in self._optimizers:  # what the host counts per step (Keras' iterations)
            optimizer._after_replay()
        if self._error is not None:  # the recorded label check flags into its own array
            self._rearm_error_flag()
        return self._result

    # ------------------------------------------------------------------ checks
    def _params_unchanged(self) -> bool:
        return all(p.array is data for p, data in self._params)

    def _hyper_unchanged(self) -> bool:
        """The same groups with the same hyper-parameters (a scheduler edits ``lr``)."""
        for optimizer, groups, values in self._hyper:
            now = optimizer.param_groups
            if len(now) != len(groups) or any(a is not b for a, b in zip(now, groups, strict=True)):
                return False
            if any(_hyper_values(optimizer, g) != v for g, v in zip(now, values, strict=True)):
                return False
        return True

    def _rearm_error_flag(self) -> None:
        backend = self._backend
        flag, message = self._error
        current = getattr(backend, "_error_flag", None)
        if current is None:
            backend._error_flag, backend._error_message = flag, message
        elif current is not flag:  # an eager op flagged too: keep both
            backend.xp.logical_or(current, flag, out=current)


def _signature(inputs: tuple[Any, ...]) -> tuple[Any, ...]:
    """What a recording is specific to: each tensor input's shape, dtype, device and whether
    it requires grad; any other input itself."""
    return tuple((x.shape, x.dtype, x.device, x.requires_grad) if isinstance(x, Tensor)
                 else _plain(x) for x in inputs)  # fmt: skip


def _plain(value: Any) -> Any:
    """A non-tensor input as a recording sees it: a number or string by value (and type),
    anything else (an array, a list) by identity."""
    if isinstance(value, int | float | str | bytes | None):
        return ("value", type(value), value)
    return ("object", id(value))


def _hyper_values(optimizer: Any, group: dict[str, Any]) -> tuple[Any, ...]:
    """Everything a group holds but its parameters (PyTorch's ``lr``, Keras' ``beta_1``...)."""
    return tuple((key, value) for key, value in group.items() if key != "params")


def _backend_of(inputs: tuple[Any, ...]) -> Backend:
    """The device the step runs on (its tensor inputs', else the default), if it can
    record steps."""
    devices = {x.device for x in inputs if isinstance(x, Tensor)}
    if len(devices) > 1:
        raise ValueError(f"capture: the step's inputs are on several devices: {sorted(devices)}")
    backend = backends.get_backend(devices.pop() if devices else get_default_device())
    if not backend.can_capture:
        backend.capture(lambda: None)  # raises, saying where steps can be captured
    return backend


def _copy_into(recorded: Tensor, given: Any, position: int) -> None:
    """The next batch into the recorded input tensor (one device copy)."""
    data = given.array if isinstance(given, Tensor) else given
    if (getattr(data, "shape", None) != recorded.array.shape
            or getattr(data, "dtype", None) != recorded.array.dtype
            or not backends.backend_of(recorded.array).owns(data)):
        raise ValueError(
            f"capture: input {position} was recorded as {tuple(recorded.shape)} "
            f"{recorded.dtype} on {recorded.device}, now it is "
            f"{tuple(getattr(data, 'shape', ()))} {getattr(data, 'dtype', type(data).__name__)}"
            f"{'' if not isinstance(given, Tensor) else ' on ' + str(given.device)}: a "
            "recorded step takes the same shapes each call (call the step itself for others)"
        )
    backends.backend_of(data).copy_into(recorded.array, data)
