"""Keras 3's AdamW: Adam with decoupled weight decay on by default.

Its rule is :mod:`optim.keras.adam`'s in all its forms (in-place update, fused kernel,
:func:`reference_step`): the decay ``w <- w (1 - weight_decay lr)`` before it is the base
class's, as in every Keras 3 optimizer.
"""

from __future__ import annotations

from typing import Any

from .adam import Adam
from .adam import reference_step as reference_step  # Adam's rule after the base's decay

__all__ = ["AdamW"]


class AdamW(Adam):
    """AdamW (Loshchilov & Hutter, 2019), Keras 3's rule (``keras.optimizers.AdamW``).

    Keras' :class:`~optim.keras.Adam` rule after the decoupled decay every Keras 3
    optimizer applies; AdamW only makes it mandatory, 0.004 by default::

        w <- w (1 - weight_decay lr)
        (then Adam's step:  alpha = lr sqrt(1 - beta_2^t) / (1 - beta_1^t),
         m <- beta_1 m + (1 - beta_1) g,  v <- beta_2 v + (1 - beta_2) g^2,
         w <- w - alpha m / (sqrt(v) + eps))

    Args:
        learning_rate: float, schedule or callable (default 0.001).
        weight_decay: the decay rate (0.004; None is refused, as in Keras).
        beta_1, beta_2, epsilon, amsgrad: as :class:`~optim.keras.Adam` (0.9, 0.999, 1e-7,
            False).
        **kwargs: Keras' common arguments, see :class:`optim.keras.Optimizer`.
    """

    def __init__(self, learning_rate: Any = 0.001, weight_decay: float = 0.004,
                 beta_1: float = 0.9, beta_2: float = 0.999, epsilon: float = 1e-7,
                 amsgrad: bool = False, clipnorm: float | None = None,
                 clipvalue: float | None = None, global_clipnorm: float | None = None,
                 use_ema: bool = False, ema_momentum: float = 0.99,
                 ema_overwrite_frequency: int | None = None,
                 loss_scale_factor: float | None = None,
                 gradient_accumulation_steps: int | None = None, name: str | None = None,
                 **kwargs: Any) -> None:
        super().__init__(learning_rate=learning_rate, beta_1=beta_1, beta_2=beta_2,
                         epsilon=epsilon, amsgrad=amsgrad, weight_decay=weight_decay,
                         clipnorm=clipnorm, clipvalue=clipvalue,
                         global_clipnorm=global_clipnorm, use_ema=use_ema,
                         ema_momentum=ema_momentum,
                         ema_overwrite_frequency=ema_overwrite_frequency,
                         loss_scale_factor=loss_scale_factor,
                         gradient_accumulation_steps=gradient_accumulation_steps, name=name,
                         **kwargs)
        if self.weight_decay is None:
            raise ValueError("Argument `weight_decay` must be a float. Received: "
                             "weight_decay=None")
