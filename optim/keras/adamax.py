"""Keras 3's Adamax: Adam with the infinity norm in place of the second moment."""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np

from .optimizer import HyperParameter, Optimizer, _zeros_like

__all__ = ["Adamax"]


class Adamax(Optimizer):
    """Adamax (Kingma & Ba, 2015, section 7.1), Keras 3's rule (``keras.optimizers.Adamax``).

    At step ``t`` with learning rate ``lr`` and gradient ``g``::

        m <- beta_1 m + (1 - beta_1) g                   (both start at 0)
        u <- max(beta_2 u, |g|)
        w <- w - lr m / ((u + eps) (1 - beta_1^t))

    PyTorch's Adamax computes ``u <- max(beta_2 u, |g| + eps)`` instead and divides by
    ``u`` alone; the defaults also differ (learning rate 0.001, eps 1e-7).

    Args:
        learning_rate: float, schedule or callable (default 0.001).
        beta_1: decay of the first moment (0.9). beta_2: of the infinity norm (0.999).
        epsilon: ``eps`` (1e-7).
        **kwargs: Keras' common arguments, see :class:`optim.keras.Optimizer`.

    State per parameter: ``momentum`` (``m``), ``norm`` (``u``).
    """

    _decaying_state: ClassVar[tuple[str, ...]] = ("momentum", "norm")

    _scratch_arrays: ClassVar[int] = 2
    _config_keys: ClassVar[tuple[str, ...]] = ("beta_1", "beta_2", "epsilon")
    beta_1 = HyperParameter()
    beta_2 = HyperParameter()
    epsilon = HyperParameter()

    def __init__(self, learning_rate: Any = 0.001, beta_1: float = 0.9, beta_2: float = 0.999,
                 epsilon: float = 1e-7, weight_decay: float | None = None,
                 clipnorm: float | None = None, clipvalue: float | None = None,
                 global_clipnorm: float | None = None, use_ema: bool = False,
                 ema_momentum: float = 0.99, ema_overwrite_frequency: int | None = None,
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
        self._set_hyper_parameters(beta_1=beta_1, beta_2=beta_2, epsilon=epsilon)

    def _init_state(self, param: Any, group: dict[str, Any]) -> dict[str, Any]:
        return {"momentum": _zeros_like(param), "norm": _zeros_like(param)}

    def _step_scalars(self, group: dict[str, Any], step: int) -> dict[str, float]:
        return {"lr": float(group["lr"]),
                "bias_correction": 1.0 - float(group["beta_1"]) ** step}  # 1 - beta_1^t

    def _update_rule(self, param: Any, grad: Any, state: dict[str, Any],
                     group: dict[str, Any], scalars: dict[str, float],
                     scratch: list[Any]) -> None:
        beta_1, beta_2 = float(group["beta_1"]), float(group["beta_2"])
        eps = float(group["epsilon"])
        step, denominator = scratch
        m, u = state["momentum"], state["norm"]
        m *= beta_1
        np.multiply(grad, 1.0 - beta_1, out=step)
        m += step  # m <- beta_1 m + (1 - beta_1) g
        u *= beta_2
        np.abs(grad, out=step)
        np.maximum(u, step, out=u)  # u <- max(beta_2 u, |g|)
        np.add(u, eps, out=denominator)
        denominator *= scalars["bias_correction"]  # (u + eps)(1 - beta_1^t)
        np.multiply(m, scalars["lr"], out=step)
        step /= denominator  # lr m / ((u + eps)(1 - beta_1^t))
        param -= step  # w <- w - lr m / ((u + eps)(1 - beta_1^t))
