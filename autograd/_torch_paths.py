"""PyTorch's subpackage paths under ``autograd``: ``autograd.nn`` is ``nn``,
``autograd.optim`` is ``optim``, ``autograd.utils.data`` is ``nn.data`` (and their
submodules: ``autograd.nn.functional``, ``autograd.optim.lr_scheduler``...), and
``autograd.autograd`` is ``autograd`` (``from torch.autograd import grad``).

So a PyTorch program ports by writing ``autograd`` for ``torch`` in its import lines and
nothing else: ``import torch.nn as nn`` -> ``import autograd.nn as nn``,
``from torch.utils.data import DataLoader`` -> ``from autograd.utils.data import
DataLoader``; and after ``import autograd as torch``, ``torch.nn.Linear`` and
``torch.optim.SGD`` resolve.

An import hook (a finder first on ``sys.meta_path``) hands out the modules themselves, not
copies: ``autograd.nn.Linear is nn.Linear``. Nothing is imported until asked for; the
engine itself never imports ``nn`` or ``optim``.
"""

from __future__ import annotations

import importlib
import importlib.abc
import importlib.util
import sys
import types
from typing import Any

# alias prefix -> the real package (longest first: ``autograd.utils.data`` before ``utils``)
_PREFIXES = (
    ("autograd.utils.data", "nn.data"),
    ("autograd.nn", "nn"),
    ("autograd.optim", "optim"),
    ("autograd.autograd", "autograd"),  # from torch.autograd import grad, Function
)
_UTILS = "autograd.utils"  # a namespace holding ``data`` only, as far as xpgrad goes


def _target(fullname: str) -> str | None:
    for alias, real in _PREFIXES:
        if fullname == alias or fullname.startswith(alias + "."):
            return real + fullname[len(alias):]
    return None


class _Alias(importlib.abc.Loader):
    """Loads an alias by importing the real module and handing it out as it is."""

    def __init__(self, real: str | None) -> None:
        self.real = real

    def create_module(self, spec: Any) -> types.ModuleType:
        if self.real is None:  # ``autograd.utils``: a package to hold ``data``
            module = types.ModuleType(spec.name, "PyTorch's torch.utils: only .data here")
            module.__path__ = []
            module.__getattr__ = _utils_attribute  # type: ignore[method-assign]
            return module
        return importlib.import_module(self.real)

    def exec_module(self, module: types.ModuleType) -> None:
        pass  # already executed under its own name


def _utils_attribute(name: str) -> Any:
    """``torch.utils.data`` after ``import autograd as torch``: imported on first use."""
    if name == "data":
        return importlib.import_module(_UTILS + ".data")
    raise AttributeError(f"module {_UTILS!r} has no attribute {name!r}")


class _TorchPaths(importlib.abc.MetaPathFinder):
    def find_spec(self, fullname: str, path: Any = None, target: Any = None) -> Any:
        if fullname == _UTILS:
            return importlib.util.spec_from_loader(fullname, _Alias(None), is_package=True)
        real = _target(fullname)
        if real is None:
            return None
        return importlib.util.spec_from_loader(fullname, _Alias(real))


def install() -> None:
    """Put the finder first on ``sys.meta_path`` (once): it must answer before the path
    finder would load ``nn/functional.py`` a second time as ``autograd.nn.functional``."""
    if not any(isinstance(finder, _TorchPaths) for finder in sys.meta_path):
        sys.meta_path.insert(0, _TorchPaths())
