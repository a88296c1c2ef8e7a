"""Look up optimizers by name, as Keras' ``compile(optimizer="adam")`` does.

String names take **Keras' default hyper-parameters** where Keras has that optimizer, so
that textbook code behaves as in the book; the update rules themselves are PyTorch's (see
each class). The differences from the class defaults (PyTorch's) are:

============  ==========================================================================
name          defaults used by :func:`get` (class default in parentheses)
============  ==========================================================================
"sgd"         lr=0.01 (1e-3)
"rmsprop"     lr=0.001 (1e-2), alpha=rho=0.9 (0.99), eps=1e-7 (1e-8)
"adam"        lr=0.001, eps=1e-7 (1e-8)
"adamw"       lr=0.001, weight_decay=0.004 (1e-2), eps=1e-7 (1e-8)
"adagrad"     lr=0.001 (1e-2), initial_accumulator_value=0.1 (0), eps=1e-7 (1e-10)
"adadelta"    lr=0.001 (1.0), rho=0.95 (0.9), eps=1e-7 (1e-6)
"adamax"      lr=0.001 (2e-3), eps=1e-7 (1e-8)
"nadam"       lr=0.001 (2e-3), eps=1e-7 (1e-8)
"lion"        lr=0.001 (1e-4)
"radam"       PyTorch's defaults (Keras has no RAdam)
============  ==========================================================================

Keras argument spellings are accepted as overrides: ``learning_rate`` (``lr``),
``epsilon`` (``eps``), ``beta_1``/``beta_2`` (``betas``), and ``rho`` for RMSprop
(``alpha``); the mapping is :mod:`optim._keras_arguments`, shared with the classes.

Only these string names use Keras' defaults: the classes themselves keep PyTorch's, so
``optim.Adam(learning_rate=1e-3)`` has eps=1e-8 where ``keras.optimizers.Adam`` has 1e-7.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from ._keras_arguments import to_torch_names
from .adadelta import Adadelta
from .adagrad import Adagrad
from .adam import Adam
from .adamax import Adamax
from .adamw import AdamW
from .lion import Lion
from .nadam import NAdam
from .optimizer import Optimizer
from .radam import RAdam
from .rmsprop import RMSprop
from .sgd import SGD

__all__ = ["get", "OPTIMIZERS", "KERAS_DEFAULTS"]

OPTIMIZERS: dict[str, type[Optimizer]] = {
    "sgd": SGD,
    "adagrad": Adagrad,
    "adadelta": Adadelta,
    "rmsprop": RMSprop,
    "adam": Adam,
    "adamw": AdamW,
    "adamax": Adamax,
    "nadam": NAdam,
    "radam": RAdam,
    "lion": Lion,
}

KERAS_DEFAULTS: dict[str, dict[str, Any]] = {
    "sgd": {"lr": 0.01},
    "rmsprop": {"lr": 0.001, "alpha": 0.9, "eps": 1e-7},
    "adam": {"lr": 0.001, "eps": 1e-7},
    "adamw": {"lr": 0.001, "weight_decay": 0.004, "eps": 1e-7},
    "adagrad": {"lr": 0.001, "initial_accumulator_value": 0.1, "eps": 1e-7},
    "adadelta": {"lr": 0.001, "rho": 0.95, "eps": 1e-7},
    "adamax": {"lr": 0.001, "eps": 1e-7},
    "nadam": {"lr": 0.001, "eps": 1e-7},
    "lion": {"lr": 0.001},
    "radam": {},
}


def _normalise_name(name: str) -> str:
    return name.lower().replace("_", "").replace("-", "")


def get(optimizer: str | Optimizer | type[Optimizer], params: Iterable[Any] | None = None,
        **overrides: Any) -> Optimizer:
    """Resolve ``compile(optimizer=...)``'s argument to an optimizer object.

    Args:
        optimizer: an :class:`Optimizer` (returned as is; an unbound one, built without
            parameters, is first bound to ``params`` if given), an Optimizer subclass
            (instantiated with ``params`` and ``overrides``, class defaults), or a name
            such as ``"adam"``, ``"SGD"``, ``"rmsprop"`` (case-insensitive; Keras defaults,
            see the module docstring).
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
    if isinstance(optimizer, type) and issubclass(optimizer, Optimizer):
        if params is None:
            raise TypeError(f"{optimizer.__name__} needs the model's parameters")
        return optimizer(params, **overrides)
    if isinstance(optimizer, str):
        key = _normalise_name(optimizer)
        if key not in OPTIMIZERS:
            raise ValueError(
                f"unknown optimizer {optimizer!r}; known names: {', '.join(sorted(OPTIMIZERS))}"
            )
        if params is None:
            raise TypeError(f"optimizer {optimizer!r} needs the model's parameters")
        defaults = KERAS_DEFAULTS[key]
        kwargs = {**defaults, **to_torch_names(OPTIMIZERS[key], overrides)}
        return OPTIMIZERS[key](params, **kwargs)
    raise TypeError(
        f"optimizer must be a name, an Optimizer or an Optimizer class, got "
        f"{type(optimizer).__name__}"
    )
