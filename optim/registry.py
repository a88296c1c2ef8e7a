"""Look up PyTorch-rule optimizers by name: ``optim.get("adam", model.parameters())``.

The names are the classes' own (``"sgd"``, ``"adam"``, ``"nadam"``, case-insensitive):
each optimizer class registers itself when it is defined (``Optimizer.registry``), so
adding an optimizer touches only its own file. The hyper-parameters are the class'
(PyTorch's) defaults plus any overrides, in PyTorch (``lr``, ``eps``, ``betas``) or Keras
(``learning_rate``, ``epsilon``, ``beta_1``) spelling (:mod:`optim._keras_arguments`).

Keras' names with Keras' rules and defaults, what ``compile(optimizer="adam")`` uses, are
:func:`optim.keras.get`.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from ._keras_arguments import to_torch_names
from .optimizer import Optimizer

__all__ = ["get"]


def _normalise_name(name: str) -> str:
    return name.lower().replace("_", "").replace("-", "")


def get(optimizer: str | Optimizer | type[Optimizer], params: Iterable[Any] | None = None,
        **overrides: Any) -> Optimizer:
    """Resolve a name, class or object to an optimizer over ``params``.

    Args:
        optimizer: an :class:`Optimizer` (returned as is; an unbound one, built without
            parameters, is first bound to ``params`` if given), an Optimizer subclass
            (instantiated with ``params`` and ``overrides``), or a name such as ``"adam"``,
            ``"SGD"``, ``"rmsprop"`` (case-insensitive).
        params: the model's parameters (needed unless ``optimizer`` is an object).
        **overrides: hyper-parameters, in PyTorch (``lr``, ``eps``, ``betas``...) or Keras
            (``learning_rate``, ``epsilon``, ``beta_1``...) spelling.

    Raises:
        ValueError: unknown name (the message lists the known ones).
        TypeError: anything else.
    """
    if isinstance(optimizer, Optimizer):
        if overrides:
            raise TypeError("hyper-parameter overrides cannot be applied to an optimizer object")
        if params is not None and not optimizer.is_bound:
            optimizer.bind(params)
        return optimizer
    if isinstance(optimizer, str):
        known = Optimizer.registry["torch"]
        cls = known.get(_normalise_name(optimizer))
        if cls is None:
            raise ValueError(
                f"unknown optimizer {optimizer!r}; known names: {', '.join(sorted(known))}"
            )
        optimizer = cls
    if isinstance(optimizer, type) and issubclass(optimizer, Optimizer):
        if params is None:
            raise TypeError(f"{optimizer.__name__} needs the model's parameters")
        return optimizer(params, **to_torch_names(optimizer, overrides))
    raise TypeError(
        f"optimizer must be a name, an Optimizer or an Optimizer class, got "
        f"{type(optimizer).__name__}"
    )
