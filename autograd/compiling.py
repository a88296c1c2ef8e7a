"""``torch.compile`` (PyTorch 2's one line, ``model = torch.compile(model)``): here it
hands back what it is given, so programs that call it run unchanged and compute the same.

xpgrad has no compiler of Python code: every op runs eagerly. What it has instead is
``autograd.capture(step, ...)``, which records a whole training step once on a GPU and
replays it (README: "Captured steps")."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

_OPTIONS = {"fullgraph", "dynamic", "backend", "mode", "options", "disable"}


def compile(model: Any = None, **options: Any) -> Any:  # noqa: A001 (PyTorch's name)
    """``model`` itself (a Module or a function); without one, a decorator that returns
    what it decorates (``@torch.compile(mode="max-autotune")``). Takes PyTorch's keyword
    arguments (``fullgraph``, ``dynamic``, ``backend``, ``mode``, ``options``, ``disable``)
    and refuses others by name."""
    unknown = sorted(set(options) - _OPTIONS)
    if unknown:
        raise TypeError(f"compile() got unexpected keyword argument(s) {unknown}")
    if model is None:
        def decorate(fn: Callable[..., Any]) -> Callable[..., Any]:
            return fn

        return decorate
    if not callable(model):
        raise TypeError(f"compile() expects a Module or a function, got {type(model).__name__}")
    return model
