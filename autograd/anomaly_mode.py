"""Anomaly detection: find the op that first produced NaN or inf, as ``torch.autograd``'s.

``detect_anomaly()`` (a context manager and a decorator) and ``set_detect_anomaly(mode)``
(a plain call or a context manager) switch it on for the current thread. While it is on:

* every op records where it was created (a short stack, taken when the op is called);
* an op whose forward pass turns finite inputs into NaN or inf (or NaN-free inputs
  into NaN) raises ``RuntimeError`` naming the op and the line of the user's code that
  called it;
* during ``backward()``, an op whose backward turns a finite incoming gradient into a
  gradient holding NaN or inf raises ``RuntimeError`` naming the op and the line that
  created it in the forward pass; an error raised inside an op's backward gets that
  line added as a note.

``check_nan=False`` keeps the stacks (for the notes) without the NaN/inf checks.
Off (the default), each op pays one per-thread flag read. On, each op costs a stack walk
and a scan of its output, and on a GPU every check synchronises the device: it is a
debugging tool, not a training mode.
"""

from __future__ import annotations

import functools
import linecache
import os
import sys
from collections.abc import Callable
from typing import Any

from backends import get_array_module

from .grad_mode import _GradMode

# Frames in these packages are xpgrad's own; the first frame outside them is the user's.
_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
_LIBRARY = tuple(os.path.join(_ROOT, p) + os.sep for p in ("autograd", "backends", "nn", "optim"))
_ENGINE = tuple(
    os.path.join(_ROOT, "autograd", f) for f in ("function.py", "anomaly_mode.py", "engine.py")
)
_MAX_FRAMES = 12  # enough to show the user's line and the layers between it and the op

Frame = tuple[str, int, str]  # (file name, line number, function name)


def is_anomaly_enabled() -> bool:
    """True while anomaly detection is on in this thread."""
    return _GradMode.anomaly


def is_anomaly_check_nan_enabled() -> bool:
    """True while anomaly detection also checks ops for NaN and inf (``check_nan``)."""
    return _GradMode.check_nan


def _decorate(fn: Callable, check_nan: bool) -> Callable:
    # Each call saves and restores its own state, so recursion and threads are safe.
    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        prev = _GradMode.anomaly, _GradMode.check_nan
        _GradMode.anomaly, _GradMode.check_nan = True, check_nan
        try:
            return fn(*args, **kwargs)
        finally:
            _GradMode.anomaly, _GradMode.check_nan = prev

    return wrapper


class detect_anomaly:  # noqa: N801 - PyTorch's name
    """Turn anomaly detection on for a block or for each call of a decorated function.

    >>> with autograd.detect_anomaly():
    ...     loss = model(x).log().mean()   # raises here if log met a 0
    ...     loss.backward()                # or here, naming the op that made the NaN

    ``@detect_anomaly`` and ``@detect_anomaly()`` both decorate. ``check_nan=False``
    records where ops were created without checking for NaN/inf.
    """

    def __new__(cls, fn: Callable | None = None, check_nan: bool = True):
        if fn is not None:  # used bare: ``@detect_anomaly``
            if not callable(fn):
                raise TypeError(
                    f"detect_anomaly() takes a function to decorate or nothing, got {fn!r}; "
                    "pass check_nan by name"
                )
            return _decorate(fn, bool(check_nan))
        return super().__new__(cls)

    def __init__(self, fn: Callable | None = None, check_nan: bool = True) -> None:
        self.check_nan = bool(check_nan)
        self._saved: list[tuple[bool, bool]] = []

    def __enter__(self) -> detect_anomaly:
        self._saved.append((_GradMode.anomaly, _GradMode.check_nan))
        _GradMode.anomaly, _GradMode.check_nan = True, self.check_nan
        return self

    def __exit__(self, *exc: object) -> None:
        _GradMode.anomaly, _GradMode.check_nan = self._saved.pop()

    def __call__(self, fn: Callable) -> Callable:
        return _decorate(fn, self.check_nan)


class set_detect_anomaly:  # noqa: N801 - PyTorch's name
    """Switch anomaly detection on or off in this thread, as ``torch.autograd.set_detect_anomaly``.

    A plain call switches it for good; ``with set_detect_anomaly(True): ...`` switches it
    for the block and restores the previous state afterwards.
    """

    def __init__(self, mode: bool, check_nan: bool = True) -> None:
        self._prev = _GradMode.anomaly, _GradMode.check_nan
        _GradMode.anomaly, _GradMode.check_nan = bool(mode), bool(check_nan)

    def __enter__(self) -> set_detect_anomaly:
        return self

    def __exit__(self, *exc: object) -> None:
        _GradMode.anomaly, _GradMode.check_nan = self._prev


# ---------------------------------------------------------------- called by Function / engine
class paused:  # noqa: N801 - used like a function: ``with paused() as anomaly:``
    """Anomaly mode off for a block; ``as`` gives whether it was on (restored on exit).

    The engine walks the graph inside it: each op's backward is checked as a whole by
    :func:`backward`, so the ops that backward is written with must not check themselves.
    """

    __slots__ = ("was_on",)

    def __enter__(self) -> bool:
        self.was_on = _GradMode.anomaly
        if self.was_on:
            _GradMode.anomaly = False
        return self.was_on

    def __exit__(self, *exc: object) -> None:
        if self.was_on:
            _GradMode.anomaly = True


def creation_stack() -> tuple[Frame, ...]:
    """The caller's stack, innermost first, without the engine's own frames (cheap: no
    source lines are read until an error is reported)."""
    frame = sys._getframe(1)
    frames: list[Frame] = []
    while frame is not None and len(frames) < _MAX_FRAMES:
        code = frame.f_code
        if code.co_filename not in _ENGINE:
            frames.append((code.co_filename, frame.f_lineno, code.co_name))
        frame = frame.f_back
    return tuple(frames)


def check_forward(fn: Any, inputs: tuple, y: Any, stack: tuple[Frame, ...]) -> None:
    """Raise if ``fn``'s forward produced NaN or inf that its inputs did not hold."""
    if y.dtype.kind not in "fc":
        return
    xp = get_array_module(y)
    if bool(xp.isfinite(y).all()):  # the common case: one reduction
        return
    made = _made(xp, y, [x.array for x in inputs])
    if made is not None:
        raise RuntimeError(
            f"{fn.name}: its forward pass produced {made} (output shape {tuple(y.shape)}; "
            "anomaly detection); "
            + _where(stack, "it was called")
        )


def backward(fn: Any, gy: Any) -> tuple:
    """``fn.backward(gy)`` as a tuple, checked for NaN/inf and with errors located."""
    stack = fn.__dict__.get("_anomaly_stack")
    try:
        gxs = fn.backward(gy)
    except Exception as error:
        if hasattr(error, "add_note"):  # Python 3.11+
            error.add_note(f"{fn.name}'s backward failed; " + _where(stack, "the op was created"))
        raise
    if not isinstance(gxs, tuple):
        gxs = (gxs,)
    if not _GradMode.check_nan:
        return gxs
    g = gy.array
    xp = get_array_module(g)
    if g.dtype.kind in "fc" and not bool(xp.isfinite(g).all()):
        return gxs  # the NaN/inf came from further down the graph, already checked there
    for i, gx in enumerate(gxs):
        if gx is None:
            continue
        data = getattr(gx, "array", gx)
        if data.dtype.kind not in "fc" or bool(xp.isfinite(data).all()):
            continue
        made = "NaN" if bool(xp.isnan(data).any()) else _inf_sign(xp, data)
        raise RuntimeError(
            f"{fn.name}: its backward produced {made} in the gradient of input {i} from a "
            "finite incoming gradient (anomaly detection); " + _where(stack, "the op was created")
        )
    return gxs


def _made(xp: Any, y: Any, inputs: list) -> str | None:
    """What ``y`` holds that the inputs do not explain (NaN from NaN-free inputs, inf from
    finite ones), in words, or None: an op that passes on a NaN it was given is not blamed."""
    floats = [x for x in inputs if x.dtype.kind in "fc"]
    if bool(xp.isnan(y).any()) and not any(bool(xp.isnan(x).any()) for x in floats):
        return "NaN from inputs without NaN"
    if bool(xp.isinf(y).any()) and all(bool(xp.isfinite(x).all()) for x in floats):
        return f"{_inf_sign(xp, y)} from finite inputs"
    return None


def _inf_sign(xp: Any, a: Any) -> str:
    return "inf" if bool(xp.isposinf(a).any()) else "-inf"


def _where(stack: tuple[Frame, ...] | None, what: str) -> str:
    """``what`` at the user's line, then the recorded stack (most recent call last)."""
    if not stack:
        return (
            f"{what} where no stack was recorded (during a backward pass, or before anomaly "
            "detection was switched on)"
        )
    user = next((f for f in stack if not f[0].startswith(_LIBRARY)), stack[0])
    lines = [f"{what} at {_frame_text(user)}", "Stack of that call (most recent call last):"]
    lines += [f"  {_frame_text(f)}" for f in reversed(stack)]
    return "\n".join(lines)


def _frame_text(frame: Frame) -> str:
    filename, lineno, name = frame
    source = linecache.getline(filename, lineno).strip()
    text = f'File "{filename}", line {lineno}, in {name}'
    return f"{text}: {source}" if source else text
