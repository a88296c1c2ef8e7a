"""Switching graph recording on and off: ``no_grad``, ``enable_grad``, ``set_grad_enabled``."""

from __future__ import annotations

import contextlib


class _GradMode:
    # A class attribute, read on every op: the cheapest global flag Python offers.
    enabled = True


def is_grad_enabled() -> bool:
    """True while ops record the graph that ``backward`` walks."""
    return _GradMode.enabled


class set_grad_enabled(contextlib.ContextDecorator):
    """Turn graph recording on or off; usable as a plain call, a context manager or a decorator."""

    def __init__(self, mode: bool) -> None:
        self._prev = _GradMode.enabled
        self._mode = bool(mode)
        _GradMode.enabled = self._mode

    def __enter__(self) -> set_grad_enabled:
        _GradMode.enabled = self._mode
        return self

    def __exit__(self, *exc: object) -> None:
        _GradMode.enabled = self._prev


class no_grad(contextlib.ContextDecorator):
    """Run without recording the graph (evaluation, optimizer updates).

    >>> with no_grad():
    ...     y = model(x)        # y.requires_grad is False
    """

    def __enter__(self) -> no_grad:
        self._prev = _GradMode.enabled
        _GradMode.enabled = False
        return self

    def __exit__(self, *exc: object) -> None:
        _GradMode.enabled = self._prev


class enable_grad(contextlib.ContextDecorator):
    """Record the graph again inside a ``no_grad`` block."""

    def __enter__(self) -> enable_grad:
        self._prev = _GradMode.enabled
        _GradMode.enabled = True
        return self

    def __exit__(self, *exc: object) -> None:
        _GradMode.enabled = self._prev
