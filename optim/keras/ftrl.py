"""Keras 3's FTRL-Proximal: follow the regularized leader, for wide sparse models."""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np

from .optimizer import HyperParameter, Optimizer, _full_like, _zeros_like

__all__ = ["Ftrl"]


class Ftrl(Optimizer):
    """FTRL-Proximal (McMahan et al., 2013), Keras 3's rule (``keras.optimizers.Ftrl``).

    With learning rate ``lr``, ``p = learning_rate_power``, L1 strength ``l1``, L2 strength
    ``l2``, shrinkage ``s`` and gradient ``g``::

        l2'   = l2 + beta / (2 lr)
        g'    = g + 2 s w                            (shrinkage-type L2)
        n'    = n + g^2                              (n starts at initial_accumulator_value)
        z    <- z + g' - (n'^(-p) - n^(-p)) / lr * w  (z starts at 0)
        q     = n'^(-p) / lr + 2 l2'
        w    <- (clip(z, -l1, l1) - z) / q           (0 where |z| <= l1)
        n    <- n'

    Args:
        learning_rate: float, schedule or callable (default 0.001).
        learning_rate_power: ``p`` <= 0 (-0.5; 0 keeps the rate fixed).
        initial_accumulator_value: ``n``'s start, >= 0 (0.1).
        l1_regularization_strength: ``l1`` >= 0 (0.0).
        l2_regularization_strength: ``l2`` >= 0 (0.0).
        l2_shrinkage_regularization_strength: ``s`` >= 0 (0.0), an L2 penalty on the loss.
        beta: the paper's beta (0.0).
        **kwargs: Keras' common arguments, see :class:`optim.keras.Optimizer`.

    State per parameter: ``accumulator`` (``n``), ``linear`` (``z``).
    """

    _scratch_arrays: ClassVar[int] = 4
    _config_keys: ClassVar[tuple[str, ...]] = (
        "learning_rate_power", "initial_accumulator_value", "l1_regularization_strength",
        "l2_regularization_strength", "l2_shrinkage_regularization_strength", "beta",
    )
    learning_rate_power = HyperParameter()
    initial_accumulator_value = HyperParameter()
    l1_regularization_strength = HyperParameter()
    l2_regularization_strength = HyperParameter()
    l2_shrinkage_regularization_strength = HyperParameter()
    beta = HyperParameter()

    def __init__(self, learning_rate: Any = 0.001, learning_rate_power: float = -0.5,
                 initial_accumulator_value: float = 0.1,
                 l1_regularization_strength: float = 0.0,
                 l2_regularization_strength: float = 0.0,
                 l2_shrinkage_regularization_strength: float = 0.0, beta: float = 0.0,
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
        # (argument, value, whether it is out of range, what Keras requires)
        checks = [
            ("initial_accumulator_value", initial_accumulator_value,
             initial_accumulator_value < 0.0, "needs to be positive or zero"),
            ("learning_rate_power", learning_rate_power, learning_rate_power > 0.0,
             "needs to be negative or zero"),
            ("l1_regularization_strength", l1_regularization_strength,
             l1_regularization_strength < 0.0, "needs to be positive or zero"),
            ("l2_regularization_strength", l2_regularization_strength,
             l2_regularization_strength < 0.0, "needs to be positive or zero"),
            ("l2_shrinkage_regularization_strength", l2_shrinkage_regularization_strength,
             l2_shrinkage_regularization_strength < 0.0, "needs to be positive or zero"),
        ]
        for argument, value, bad, requirement in checks:
            if bad:
                raise ValueError(f"`{argument}` {requirement}. Received: {argument}={value}.")
        self._set_hyper_parameters(
            learning_rate_power=learning_rate_power,
            initial_accumulator_value=initial_accumulator_value,
            l1_regularization_strength=l1_regularization_strength,
            l2_regularization_strength=l2_regularization_strength,
            l2_shrinkage_regularization_strength=l2_shrinkage_regularization_strength,
            beta=beta,
        )

    def _init_state(self, param: Any, group: dict[str, Any]) -> dict[str, Any]:
        return {"accumulator": _full_like(param, float(group["initial_accumulator_value"])),
                "linear": _zeros_like(param)}

    def _step_scalars(self, group: dict[str, Any], step: int) -> dict[str, float]:
        lr = float(group["lr"])
        # l2' = l2 + beta / (2 lr)
        l2 = float(group["l2_regularization_strength"]) + float(group["beta"]) / (2.0 * lr)
        return {"lr": lr, "l2": l2}

    def _update_rule(self, param: Any, grad: Any, state: dict[str, Any],
                     group: dict[str, Any], scalars: dict[str, float],
                     scratch: list[Any]) -> None:
        lr, l2 = scalars["lr"], scalars["l2"]
        power = -float(group["learning_rate_power"])
        l1 = float(group["l1_regularization_strength"])
        shrinkage = float(group["l2_shrinkage_regularization_strength"])
        new_accumulator, new_root, sigma_w, step = scratch
        accumulator, linear = state["accumulator"], state["linear"]
        np.multiply(param, 2.0 * shrinkage, out=step)
        np.add(grad, step, out=step)  # g' = g + 2 s w
        np.multiply(grad, grad, out=new_accumulator)
        np.add(accumulator, new_accumulator, out=new_accumulator)  # n' = n + g^2
        np.power(new_accumulator, power, out=new_root)  # n'^(-p)
        np.power(accumulator, power, out=sigma_w)  # n^(-p)
        np.subtract(new_root, sigma_w, out=sigma_w)
        sigma_w /= lr
        sigma_w *= param  # (n'^(-p) - n^(-p)) / lr * w
        step -= sigma_w
        linear += step  # z <- z + g' - (n'^(-p) - n^(-p)) / lr * w
        new_root /= lr
        new_root += 2.0 * l2  # q = n'^(-p) / lr + 2 l2'
        np.clip(linear, -l1, l1, out=step)
        step -= linear
        np.divide(step, new_root, out=param)  # w <- (clip(z, -l1, l1) - z) / q
        accumulator[...] = new_accumulator  # n <- n'
