"""Keras' spellings of optimizer arguments, translated to PyTorch's (the one mapping).

Used by every optimizer constructor (through :func:`accepts_keras_spellings`) and by
:func:`optim.get`, so that ``optim.Adam(learning_rate=1e-3, beta_1=0.9, epsilon=1e-7)``
and ``optim.get("adam", params, learning_rate=1e-3)`` mean the same thing.

=================  ===========================================================
Keras              PyTorch / xpgrad
=================  ===========================================================
``learning_rate``  ``lr``
``epsilon``        ``eps``
``beta_1``         ``betas[0]`` (the other entry keeps its default)
``beta_2``         ``betas[1]``
``rho``            ``alpha`` for RMSprop only (Adadelta's ``rho`` is the same)
=================  ===========================================================

Giving both spellings of one argument (``lr`` and ``learning_rate``, ``betas`` and
``beta_1``) is a TypeError, as giving a Python argument twice is.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from typing import Any

__all__ = ["to_torch_names", "accepts_keras_spellings"]

# Keras spelling -> xpgrad spelling, for every optimizer.
_COMMON = {"learning_rate": "lr", "epsilon": "eps"}

# Keras options that xpgrad's optimizers do not take, with what to use instead.
_UNSUPPORTED = {
    "clipnorm": "call optim.clip_grad_norm_(params, max_norm) before step()",
    "global_clipnorm": "call optim.clip_grad_norm_(params, max_norm) before step()",
    "clipvalue": "call optim.clip_grad_value_(params, clip_value) before step()",
    "use_ema": "exponential moving averages of the weights are not implemented",
}


def to_torch_names(cls: type, kwargs: dict[str, Any]) -> dict[str, Any]:
    """``kwargs`` with Keras spellings replaced by ``cls``'s own argument names.

    ``cls._keras_aliases`` adds per-optimizer renames (RMSprop: ``rho`` -> ``alpha``).
    """
    out = dict(kwargs)
    aliases = {**_COMMON, **getattr(cls, "_keras_aliases", {})}
    for keras_name, name in aliases.items():
        if keras_name not in out:
            continue
        if name in out:
            raise TypeError(f"{cls.__name__}() got both {name!r} and its Keras spelling "
                            f"{keras_name!r}; give one")
        out[name] = out.pop(keras_name)
    if "beta_1" in out or "beta_2" in out:
        if "betas" in out:
            raise TypeError(f"{cls.__name__}() got both 'betas' and Keras' 'beta_1'/'beta_2'; "
                            "give one spelling")
        default = _default_betas(cls)
        if default is None:
            raise TypeError(f"{cls.__name__}() takes no betas (beta_1/beta_2)")
        out["betas"] = (out.pop("beta_1", default[0]), out.pop("beta_2", default[1]))
    for keras_name, advice in _UNSUPPORTED.items():
        if keras_name in out:
            raise TypeError(f"{cls.__name__}() does not take Keras' {keras_name!r}: {advice}")
    return out


def _default_betas(cls: type) -> tuple[float, float] | None:
    parameter = inspect.signature(cls).parameters.get("betas")
    return None if parameter is None else tuple(parameter.default)


def accepts_keras_spellings(init: Callable[..., None]) -> Callable[..., None]:
    """Decorate an optimizer's ``__init__`` so that it also takes Keras' argument names."""

    @functools.wraps(init)
    def wrapper(self: Any, *args: Any, **kwargs: Any) -> None:
        init(self, *args, **to_torch_names(type(self), kwargs))

    return wrapper
