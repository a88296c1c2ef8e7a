"""Keras 3's SGD: gradient descent with optional (Nesterov) momentum."""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np

from .optimizer import HyperParameter, Optimizer, _zeros_like

__all__ = ["SGD"]


class SGD(Optimizer):
    """Gradient descent with momentum, Keras 3's rule (``keras.optimizers.SGD``).

    With learning rate ``lr``, momentum ``mu`` and gradient ``g``::

        mu = 0:     w <- w - lr g
        mu > 0:     v <- mu v - lr g                 (velocity, starts at 0)
                    w <- w + v
        nesterov:   v <- mu v - lr g
                    w <- w - lr g + mu v

    Keras folds the learning rate into the velocity; PyTorch's SGD (``optim.SGD``) keeps
    ``b <- mu b + g`` and multiplies by ``lr`` afterwards. The two agree while the learning
    rate is constant and part ways when it changes.

    Args:
        learning_rate: float, schedule or callable (default 0.01).
        momentum: a float in [0, 1] (default 0.0; Keras refuses non-floats such as ``1``).
        nesterov: use Nesterov momentum (default False).
        **kwargs: Keras' common arguments (weight_decay, clipnorm, clipvalue,
            global_clipnorm, use_ema, ema_momentum, ema_overwrite_frequency,
            loss_scale_factor, gradient_accumulation_steps, name): see
            :class:`optim.keras.Optimizer`.

    State per parameter: ``momentum`` (``v``), only when ``momentum != 0``.
    """

    _decaying_state: ClassVar[tuple[str, ...]] = ("momentum",)

    _scratch_arrays: ClassVar[int] = 1
    _config_keys: ClassVar[tuple[str, ...]] = ("momentum", "nesterov")
    momentum = HyperParameter()
    nesterov = HyperParameter()

    def __init__(self, learning_rate: Any = 0.01, momentum: float = 0.0, nesterov: bool = False,
                 weight_decay: float | None = None, clipnorm: float | None = None,
                 clipvalue: float | None = None, global_clipnorm: float | None = None,
                 use_ema: bool = False, ema_momentum: float = 0.99,
                 ema_overwrite_frequency: int | None = None,
                 loss_scale_factor: float | None = None,
                 gradient_accumulation_steps: int | None = None, name: str | None = None,
                 **kwargs: Any) -> None:
        super().__init__(learning_rate=learning_rate, weight_decay=weight_decay,
                         clipnorm=clipnorm, clipvalue=clipvalue,
                         global_clipnorm=global_clipnorm, use_ema=use_ema,
                         ema_momentum=ema_momentum,
                         ema_overwrite_frequency=ema_overwrite_frequency,
                         loss_scale_factor=loss_scale_factor,
                         gradient_accumulation_steps=gradient_accumulation_steps, name=name,
                         **kwargs)
        if not isinstance(momentum, float) or momentum < 0 or momentum > 1:
            raise ValueError("`momentum` must be a float between [0, 1].")
        self._set_hyper_parameters(momentum=momentum, nesterov=nesterov)

    def _init_state(self, param: Any, group: dict[str, Any]) -> dict[str, Any]:
        return {"momentum": _zeros_like(param)} if group["momentum"] != 0 else {}

    def _update_rule(self, param: Any, grad: Any, state: dict[str, Any],
                     group: dict[str, Any], scalars: dict[str, float],
                     scratch: list[Any]) -> None:
        lr, momentum = scalars["lr"], float(group["momentum"])
        (step,) = scratch
        np.multiply(grad, -lr, out=step)  # -lr g
        if momentum == 0:
            param += step  # w <- w - lr g
            return
        if "momentum" not in state:  # momentum switched on after the first step
            state["momentum"] = _zeros_like(param)
        velocity = state["momentum"]
        velocity *= momentum
        velocity += step  # v <- mu v - lr g
        if group["nesterov"]:
            param += step  # w <- w - lr g ...
            np.multiply(velocity, momentum, out=step)
            param += step  # ... + mu v
        else:
            param += velocity  # w <- w + v
