"""Switching graph recording on and off: ``no_grad``, ``enable_grad``, ``set_grad_enabled``.

All three work as context managers and as decorators (``@no_grad`` and ``@no_grad()``
alike, as in PyTorch). A decorated function switches the mode for each call and
restores the mode the call began with, so recursive and nested calls are safe.

The mode is per thread, as in PyTorch: ``no_grad()`` in an inference thread, or the
engine switching recording off while ``backward()`` runs, leaves every other thread
alone. A new thread starts with grad mode on (and anomaly mode off), whatever the
thread that started it was doing.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable
from typing import Any


class _ThreadModes(threading.local):
    """The per-thread switches that every op reads.

    The class attributes are the values a new thread starts with; an assignment in one
    thread shadows them for that thread only. Reading an attribute of a ``threading.local``
    costs about 20 ns more than a class attribute, a percent of an op's own overhead.
    """

    enabled = True  # record the graph (grad mode)
    anomaly = False  # anomaly detection: check for NaN/inf, remember where ops were made
    check_nan = True  # in anomaly mode: raise on NaN/inf (False: only remember the stacks)


_GradMode = _ThreadModes()


def is_grad_enabled() -> bool:
    """True while ops record the graph that ``backward`` walks."""
    return _GradMode.enabled


def _decorate(fn: Callable, mode: bool) -> Callable:
    # A fresh saved state per call (not one shared by all calls, which recursion would clobber).
    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        prev = _GradMode.enabled
        _GradMode.enabled = mode
        try:
            return fn(*args, **kwargs)
        finally:
            _GradMode.enabled = prev

    return wrapper


class _GradModeContext:
    """A context manager and decorator that sets the grad mode to ``_mode``."""

    _mode: bool

    def __new__(cls, fn: Callable | None = None):
        if fn is not None:  # used bare, ``@no_grad``
            if not callable(fn):
                raise TypeError(f"{cls.__name__}() takes no arguments (got {fn!r})")
            return _decorate(fn, cls._mode)
        return super().__new__(cls)

    def __init__(self, fn: Callable | None = None) -> None:
        # A stack per thread, so that one instance can be entered re-entrantly and from
        # several threads at once without one thread restoring another's mode.
        self._saved = threading.local()

    def __enter__(self) -> _GradModeContext:
        saved = self._saved.__dict__.setdefault("stack", [])
        saved.append(_GradMode.enabled)
        _GradMode.enabled = self._mode
        return self

    def __exit__(self, *exc: object) -> None:
        _GradMode.enabled = self._saved.stack.pop()

    def __call__(self, fn: Callable) -> Callable:
        return _decorate(fn, self._mode)


class no_grad(_GradModeContext):
    """Run without recording the graph (evaluation, optimizer updates).

    >>> with no_grad():
    ...     y = model(x)        # y.requires_grad is False
    """

    _mode = False


class enable_grad(_GradModeContext):
    """Record the graph again inside a ``no_grad`` block."""

    _mode = True


class set_grad_enabled:
    """Turn graph recording on or off, as ``torch.set_grad_enabled``.

    * a plain call, ``set_grad_enabled(False)``, switches the mode at once and for good;
    * ``with set_grad_enabled(False): ...`` switches it for the block and then restores it;
    * ``@set_grad_enabled(False)`` switches it for each call of the decorated function
      (decorating itself leaves the mode alone).
    """

    def __init__(self, mode: bool) -> None:
        self._prev = _GradMode.enabled
        self._mode = bool(mode)
        _GradMode.enabled = self._mode

    def __enter__(self) -> set_grad_enabled:
        _GradMode.enabled = self._mode
        return self

    def __exit__(self, *exc: object) -> None:
        _GradMode.enabled = self._prev

    def __call__(self, fn: Callable) -> Callable:
        _GradMode.enabled = self._prev  # __init__ switched the mode; decorating must not
        return _decorate(fn, self._mode)


class inference_mode(_GradModeContext):
    """``no_grad`` under PyTorch's other name (this engine has no separate inference
    tensors): ``with inference_mode():``, ``@inference_mode()``, ``@inference_mode``.
    ``inference_mode(False)`` changes nothing, as in PyTorch."""

    _mode = False

    def __new__(cls, mode: Any = True):
        if callable(mode):  # used bare, ``@inference_mode``
            return _decorate(mode, False)
        return object.__new__(cls)

    def __init__(self, mode: bool = True) -> None:
        super().__init__()
        self._active = bool(mode)

    def __enter__(self) -> inference_mode:
        self._saved.__dict__.setdefault("stack", []).append(_GradMode.enabled)
        if self._active:
            _GradMode.enabled = False
        return self

    def __call__(self, fn: Callable) -> Callable:
        return _decorate(fn, False) if self._active else fn
