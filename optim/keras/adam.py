"""Keras 3's Adam: momentum plus per-coordinate scaling, bias correction in the step size."""

from __future__ import annotations

import math
from typing import Any, ClassVar

import numpy as np

from .optimizer import HyperParameter, Optimizer, _zeros_like

__all__ = ["Adam"]


class Adam(Optimizer):
    """Adam (Kingma & Ba, 2015), Keras 3's rule (``keras.optimizers.Adam``); AMSGrad optional.

    At step ``t`` (1, 2, ...) with learning rate ``lr`` and gradient ``g``::

        alpha = lr sqrt(1 - beta_2^t) / (1 - beta_1^t)
        m <- beta_1 m + (1 - beta_1) g                  (both start at 0)
        v <- beta_2 v + (1 - beta_2) g^2
        v_hat <- max(v_hat, v), used instead of v       (amsgrad only)
        w <- w - alpha m / (sqrt(v) + eps)

    The bias corrections are folded into the step size ``alpha``, so epsilon is added to
    the *uncorrected* ``sqrt(v)`` ("epsilon hat" in the paper): PyTorch's Adam adds it to
    ``sqrt(v / (1 - beta_2^t))``, which differs whenever eps matters. Default eps 1e-7.
    Weight decay, if set, is decoupled (``w <- w (1 - weight_decay lr)`` before the step),
    as in every Keras 3 optimizer.

    Args:
        learning_rate: float, schedule or callable (default 0.001).
        beta_1: decay of the first moment (0.9). beta_2: of the second moment (0.999).
        epsilon: ``eps`` (1e-7).
        amsgrad: use the running maximum of ``v`` (AMSGrad, Reddi et al., 2018).
        **kwargs: Keras' common arguments, see :class:`optim.keras.Optimizer`.

    State per parameter: ``momentum`` (``m``), ``velocity`` (``v``), ``velocity_hat``
    (``v_hat``, amsgrad only).
    """

    _decaying_state: ClassVar[tuple[str, ...]] = ("momentum", "velocity")

    _scratch_arrays: ClassVar[int] = 2
    _config_keys: ClassVar[tuple[str, ...]] = ("beta_1", "beta_2", "epsilon", "amsgrad")
    beta_1 = HyperParameter()
    beta_2 = HyperParameter()
    epsilon = HyperParameter()
    amsgrad = HyperParameter()

    def __init__(self, learning_rate: Any = 0.001, beta_1: float = 0.9, beta_2: float = 0.999,
                 epsilon: float = 1e-7, amsgrad: bool = False,
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
        self._set_hyper_parameters(beta_1=beta_1, beta_2=beta_2, epsilon=epsilon,
                                   amsgrad=amsgrad)

    def _init_state(self, param: Any, group: dict[str, Any]) -> dict[str, Any]:
        state = {"momentum": _zeros_like(param), "velocity": _zeros_like(param)}
        if group["amsgrad"]:
            state["velocity_hat"] = _zeros_like(param)
        return state

    def _step_scalars(self, group: dict[str, Any], step: int) -> dict[str, float]:
        beta_1, beta_2 = float(group["beta_1"]), float(group["beta_2"])
        lr = float(group["lr"])
        # alpha = lr sqrt(1 - beta_2^t) / (1 - beta_1^t), on the host in float64
        alpha = lr * math.sqrt(1.0 - beta_2**step) / (1.0 - beta_1**step)
        return {"lr": lr, "alpha": alpha}

    def _update_rule(self, param: Any, grad: Any, state: dict[str, Any],
                     group: dict[str, Any], scalars: dict[str, float],
                     scratch: list[Any]) -> None:
        beta_1, beta_2 = float(group["beta_1"]), float(group["beta_2"])
        eps = float(group["epsilon"])
        step, denominator = scratch
        m, v = state["momentum"], state["velocity"]
        m *= beta_1
        np.multiply(grad, 1.0 - beta_1, out=step)
        m += step  # m <- beta_1 m + (1 - beta_1) g
        v *= beta_2
        np.multiply(grad, grad, out=step)
        step *= 1.0 - beta_2
        v += step  # v <- beta_2 v + (1 - beta_2) g^2
        if group["amsgrad"]:
            if "velocity_hat" not in state:  # amsgrad switched on after building
                state["velocity_hat"] = _zeros_like(param)
            v = np.maximum(state["velocity_hat"], v, out=state["velocity_hat"])  # v_hat
        np.sqrt(v, out=denominator)
        denominator += eps  # sqrt(v) + eps
        np.multiply(m, scalars["alpha"], out=step)
        step /= denominator  # alpha m / (sqrt(v) + eps)
        param -= step  # w <- w - alpha m / (sqrt(v) + eps)
