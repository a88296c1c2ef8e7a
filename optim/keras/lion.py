"""Keras 3's Lion: the sign of an interpolated momentum as the step."""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np

from .optimizer import HyperParameter, Optimizer, _zeros_like

__all__ = ["Lion"]


class Lion(Optimizer):
    """Lion (Chen et al., 2023), Keras 3's rule (``keras.optimizers.Lion``).

    With learning rate ``lr`` and gradient ``g``::

        c  = beta_1 m + (1 - beta_1) g
        w <- w - lr sign(c)
        m <- beta_2 m + (1 - beta_2) g                  (starts at 0)

    Weight decay, if set, is Keras' decoupled ``w <- w (1 - weight_decay lr)`` before the
    step (the paper's ``lr * lambda * w`` term).

    Args:
        learning_rate: float, schedule or callable (default 0.001).
        beta_1: interpolation of momentum and gradient for the step, in (0, 1] (0.9).
        beta_2: decay of the momentum (0.99).
        **kwargs: Keras' common arguments, see :class:`optim.keras.Optimizer`.

    State per parameter: ``momentum`` (``m``).
    """

    _decaying_state: ClassVar[tuple[str, ...]] = ("momentum",)

    _scratch_arrays: ClassVar[int] = 2
    _config_keys: ClassVar[tuple[str, ...]] = ("beta_1", "beta_2")
    beta_1 = HyperParameter()
    beta_2 = HyperParameter()

    def __init__(self, learning_rate: Any = 0.001, beta_1: float = 0.9, beta_2: float = 0.99,
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
        if beta_1 <= 0 or beta_1 > 1:
            raise ValueError(
                "Argument `beta_1` must be in the [0, 1] range. Otherwise, the optimizer "
                f"degenerates to SignSGD. Received: beta_1={beta_1}."
            )
        self._set_hyper_parameters(beta_1=beta_1, beta_2=beta_2)

    def _init_state(self, param: Any, group: dict[str, Any]) -> dict[str, Any]:
        return {"momentum": _zeros_like(param)}

    def _update_rule(self, param: Any, grad: Any, state: dict[str, Any],
                     group: dict[str, Any], scalars: dict[str, float],
                     scratch: list[Any]) -> None:
        beta_1, beta_2 = float(group["beta_1"]), float(group["beta_2"])
        direction, tmp = scratch
        m = state["momentum"]
        np.multiply(m, beta_1, out=direction)
        np.multiply(grad, 1.0 - beta_1, out=tmp)
        direction += tmp  # c = beta_1 m + (1 - beta_1) g
        np.sign(direction, out=direction)
        direction *= scalars["lr"]
        param -= direction  # w <- w - lr sign(c)
        m *= beta_2
        np.multiply(grad, 1.0 - beta_2, out=tmp)
        m += tmp  # m <- beta_2 m + (1 - beta_2) g
