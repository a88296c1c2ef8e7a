"""Keras 3's RMSprop: divide the gradient by a running root mean square of its history."""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np

from .optimizer import HyperParameter, Optimizer, _zeros_like

__all__ = ["RMSprop"]


class RMSprop(Optimizer):
    """RMSprop (Hinton, 2012), Keras 3's rule (``keras.optimizers.RMSprop``).

    With learning rate ``lr``, discount ``rho``, momentum ``mu`` and gradient ``g``::

        s <- rho s + (1 - rho) g^2                      (velocity, starts at 0)
        a <- rho a + (1 - rho) g                        (centered only)
        d = sqrt(s + eps)          or, centered,  d = sqrt(s - a^2 + eps)
        mu = 0:  w <- w - lr g / d
        mu > 0:  m <- mu m + lr g / d;   w <- w - m

    Unlike PyTorch's RMSprop (``optim.RMSprop``), epsilon is *inside* the square root and
    the learning rate is folded into the momentum buffer; the defaults also differ
    (rho 0.9, epsilon 1e-7, learning rate 0.001).

    Args:
        learning_rate: float, schedule or callable (default 0.001).
        rho: discount of the squared-gradient average (0.9).
        momentum: ``mu`` (0.0).
        epsilon: ``eps`` (1e-7).
        centered: normalise by the estimated variance of the gradient rather than its
            second moment (False).
        **kwargs: Keras' common arguments, see :class:`optim.keras.Optimizer`.

    State per parameter: ``velocity`` (``s``), ``momentum`` (``m``, if momentum > 0),
    ``average_gradient`` (``a``, if centered).
    """

    _decaying_state: ClassVar[tuple[str, ...]] = ("velocity", "momentum", "average_gradient")

    _scratch_arrays: ClassVar[int] = 2
    _config_keys: ClassVar[tuple[str, ...]] = ("rho", "momentum", "epsilon", "centered")
    rho = HyperParameter()
    momentum = HyperParameter()
    epsilon = HyperParameter()
    centered = HyperParameter()

    def __init__(self, learning_rate: Any = 0.001, rho: float = 0.9, momentum: float = 0.0,
                 epsilon: float = 1e-7, centered: bool = False,
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
        self._set_hyper_parameters(rho=rho, momentum=momentum, epsilon=epsilon,
                                   centered=centered)

    def _init_state(self, param: Any, group: dict[str, Any]) -> dict[str, Any]:
        state = {"velocity": _zeros_like(param)}
        if group["momentum"] > 0:
            state["momentum"] = _zeros_like(param)
        if group["centered"]:
            state["average_gradient"] = _zeros_like(param)
        return state

    def _update_rule(self, param: Any, grad: Any, state: dict[str, Any],
                     group: dict[str, Any], scalars: dict[str, float],
                     scratch: list[Any]) -> None:
        lr, rho = scalars["lr"], float(group["rho"])
        eps, momentum = float(group["epsilon"]), float(group["momentum"])
        denominator, tmp = scratch
        velocity = state["velocity"]
        velocity *= rho
        np.multiply(grad, grad, out=tmp)
        tmp *= 1.0 - rho
        velocity += tmp  # s <- rho s + (1 - rho) g^2
        np.add(velocity, eps, out=denominator)  # s + eps
        if group["centered"]:
            if "average_gradient" not in state:  # centered switched on after building
                state["average_gradient"] = _zeros_like(param)
            average = state["average_gradient"]
            average *= rho
            np.multiply(grad, 1.0 - rho, out=tmp)
            average += tmp  # a <- rho a + (1 - rho) g
            np.multiply(average, average, out=tmp)
            denominator -= tmp  # s + eps - a^2
        np.sqrt(denominator, out=denominator)  # d
        increment = np.multiply(grad, lr, out=tmp)
        increment /= denominator  # lr g / d
        if momentum > 0:
            if "momentum" not in state:
                state["momentum"] = _zeros_like(param)
            buffer = state["momentum"]
            buffer *= momentum
            buffer += increment  # m <- mu m + lr g / d
            param -= buffer  # w <- w - m
        else:
            param -= increment  # w <- w - lr g / d
