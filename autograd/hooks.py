"""Gradient hooks: look at (or replace) a gradient as the backward pass computes it.

``tensor.register_hook(fn)`` calls ``fn(grad)`` once the gradient with respect to
``tensor`` is complete, i.e. summed over every use of the tensor in the graph:

* for an intermediate result, just before its op's ``backward`` passes it on;
* for a leaf (a parameter), just before it is added to ``leaf.grad``.

``fn`` may return a tensor of the same shape to use instead (gradient clipping per
tensor, for instance), or ``None`` to leave the gradient as it is. Hooks run in the order
they were registered, in ``backward()`` and ``autograd.grad`` alike, as in PyTorch.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import Any


class RemovableHandle:
    """What every ``register_*hook`` returns: ``handle.remove()`` unregisters the hook."""

    __slots__ = ("_hooks", "id")
    _ids = itertools.count()

    def __init__(self, hooks: dict[int, Callable]) -> None:
        self._hooks = hooks
        self.id = next(RemovableHandle._ids)

    def remove(self) -> None:
        self._hooks.pop(self.id, None)

    def __enter__(self) -> RemovableHandle:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.remove()


def add_hook(table: dict[int, Callable], hook: Callable) -> RemovableHandle:
    """Register ``hook`` in ``table`` and return the handle that removes it."""
    if not callable(hook):
        raise TypeError(f"a hook must be callable, got {type(hook).__name__}")
    handle = RemovableHandle(table)
    table[handle.id] = hook
    return handle


def run_tensor_hooks(hooks: dict[int, Callable], grad: Any) -> Any:
    """``grad`` after every hook in ``hooks`` (each may return a replacement or None)."""
    for hook in tuple(hooks.values()):
        result = hook(grad)
        if result is not None:
            if getattr(result, "shape", None) != grad.shape:
                raise RuntimeError(
                    f"a gradient hook returned {type(result).__name__} of shape "
                    f"{getattr(result, 'shape', None)}; it must return None or a Tensor of "
                    f"the gradient's shape {tuple(grad.shape)}"
                )
            grad = result
    return grad
