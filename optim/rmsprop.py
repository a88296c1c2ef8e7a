"""RMSprop: AdaGrad with a leaky (exponential moving) average of squared gradients."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np

from ._keras_arguments import accepts_keras_spellings
from .optimizer import (
    NON_NEGATIVE,
    POSITIVE_EPS,
    UNIT_INTERVAL,
    Flag,
    Optimizer,
    _grad_with_weight_decay,
    _lerp_,
    _uses_plain_path,
    _WorkArrays,
)

__all__ = ["RMSprop"]


class RMSprop(Optimizer):
    r"""RMSprop (Hinton, Coursera lecture 6e), PyTorch's rule.

    .. math::
        g_t &\leftarrow g_t + \lambda\,\theta_{t-1} \\
        v_t &= \alpha\, v_{t-1} + (1-\alpha)\, g_t^2 \\
        \bar g_t &= \alpha\, \bar g_{t-1} + (1-\alpha)\, g_t
            \qquad\text{(centered only)} \\
        d_t &= \begin{cases} \sqrt{v_t - \bar g_t^2} + \epsilon & \text{centered} \\
                             \sqrt{v_t} + \epsilon & \text{otherwise} \end{cases} \\
        b_t &= \mu\, b_{t-1} + g_t / d_t, \quad \theta_t = \theta_{t-1} - \eta\, b_t
            \qquad (\mu > 0) \\
        \theta_t &= \theta_{t-1} - \eta\, g_t / d_t \qquad (\mu = 0)

    Args:
        lr: :math:`\eta` (default 1e-2). alpha: smoothing :math:`\alpha` in [0, 1] (0.99;
            Keras calls it ``rho`` and defaults to 0.9). eps: :math:`\epsilon` (1e-8, outside
            the root; must be > 0).
        weight_decay: :math:`\lambda` (0). momentum: :math:`\mu` (0).
        centered: divide by an estimate of the gradient's variance instead of its second
            moment (default False).

    State per parameter: ``step``, ``square_avg`` (:math:`v`), ``grad_avg`` (:math:`\bar g`,
    if centered), ``momentum_buffer`` (:math:`b`, if momentum > 0).

    Keras spelling: ``RMSprop(learning_rate=1e-3, rho=0.9, epsilon=1e-7)`` (``rho`` is
    ``alpha``); the defaults stay PyTorch's, ``optim.get("rmsprop")`` takes Keras'.
    """

    _keras_aliases = {"rho": "alpha"}
    # alpha > 1 makes (1 - alpha) g^2 negative: the square root of the average is then NaN.
    hyper_parameters = {**Optimizer.hyper_parameters, "alpha": UNIT_INTERVAL,
                        "eps": POSITIVE_EPS, "momentum": NON_NEGATIVE, "centered": Flag()}

    @accepts_keras_spellings
    def __init__(self, params: Iterable[Any] | None = None, lr: float = 1e-2, alpha: float = 0.99,
                 eps: float = 1e-8, weight_decay: float = 0.0, momentum: float = 0.0,
                 centered: bool = False) -> None:
        defaults = dict(lr=lr, alpha=alpha, eps=eps, weight_decay=weight_decay,
                        momentum=momentum, centered=centered)
        super().__init__(params, defaults)

    def _step_scales(self, group: dict[str, Any]) -> dict[str, float]:
        return {**super()._step_scales(group), "momentum": group["momentum"]}

    def _init_state(self, param: Any, group: dict[str, Any]) -> dict[str, Any]:
        zeros = param.copy()
        zeros[...] = 0
        state: dict[str, Any] = {"step": 0, "square_avg": zeros}
        if group["momentum"] > 0:
            state["momentum_buffer"] = zeros.copy()
        if group["centered"]:
            state["grad_avg"] = zeros.copy()
        return state

    def _update(self, param: Any, grad: Any, state: dict[str, Any], group: dict[str, Any],
                work: _WorkArrays) -> None:
        state["step"] += 1
        lr, alpha, eps = group["lr"], group["alpha"], group["eps"]
        weight_decay, momentum, centered = (group["weight_decay"], group["momentum"],
                                            group["centered"])
        square_avg = state["square_avg"]
        grad_avg = state.get("grad_avg") if centered else None
        buf = state.get("momentum_buffer") if momentum > 0 else None

        if not _uses_plain_path(param):
            from . import _cupy_kernels

            _cupy_kernels.rmsprop(param, grad, square_avg, grad_avg, buf, lr=lr, alpha=alpha,
                                  eps=eps, weight_decay=weight_decay, momentum=momentum)
            return

        decayed, avg = work.get(2)
        g = _grad_with_weight_decay(param, grad, weight_decay, decayed)
        square_avg *= alpha
        np.multiply(g, g, out=avg)
        avg *= 1.0 - alpha
        square_avg += avg
        if grad_avg is not None:
            _lerp_(grad_avg, g, 1.0 - alpha, avg)
            np.multiply(grad_avg, grad_avg, out=avg)
            np.subtract(square_avg, avg, out=avg)
            np.sqrt(avg, out=avg)
        else:
            np.sqrt(square_avg, out=avg)
        avg += eps
        if buf is not None:
            buf *= momentum
            np.divide(g, avg, out=avg)
            buf += avg
            np.multiply(buf, -lr, out=avg)
        else:
            np.divide(g, avg, out=avg)
            avg *= -lr
        param += avg
