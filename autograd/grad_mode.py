"""Switching graph recording on and off: ``no_grad``, ``enable_grad``, ``set_grad_enabled``.

All three work as context managers and as decorators (``@no_grad`` and ``@no_grad()``
alike, as in PyTorch). A decorated function switches the mode for each call and
restores the mode the call began with, so recursive and nested calls are safe.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any


class _GradMode:
    # A class attribute, read on every op: the cheapest global flag Python offers.
    enabled = True


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
        self._saved: list[bool] = []  # a stack, so one instance can be entered re-entrantly

    def __enter__(self) -> _GradModeContext:
        self._saved.append(_GradMode.enabled)
        _GradMode.enabled = self._mode
        return self

    def __exit__(self, *exc: object) -> None:
        _GradMode.enabled = self._saved.pop()

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
        self._saved.append(_GradMode.enabled)
        if self._active:
            _GradMode.enabled = False
        return self

    def __call__(self, fn: Callable) -> Callable:
        return _decorate(fn, False) if self._active else fn
