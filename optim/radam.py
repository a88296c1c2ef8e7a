"""RAdam: Adam whose adaptive step is switched on only once its variance is tractable."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np

from ._keras_arguments import accepts_keras_spellings
from .adam import _adam_moments_, _with_bias_correction
from .optimizer import POSITIVE_EPS, Betas, Flag, Optimizer, _uses_plain_path, _WorkArrays

__all__ = ["RAdam"]


class RAdam(Optimizer):
    r"""Rectified Adam (Liu et al., 2020), PyTorch's rule.

    .. math::
        m_t &= \beta_1 m_{t-1} + (1-\beta_1)\, g_t, \quad
        v_t = \beta_2 v_{t-1} + (1-\beta_2)\, g_t^2, \quad
        \hat m_t = m_t / (1-\beta_1^t) \\
        \rho_\infty &= \frac{2}{1-\beta_2} - 1, \quad
        \rho_t = \rho_\infty - \frac{2 t \beta_2^t}{1-\beta_2^t} \\
        r_t &= \sqrt{\frac{(\rho_t-4)(\rho_t-2)\rho_\infty}{(\rho_\infty-4)(\rho_\infty-2)\rho_t}},
        \quad l_t = \frac{\sqrt{1-\beta_2^t}}{\sqrt{v_t} + \epsilon} \\
        \theta_t &= \begin{cases}\theta_{t-1} - \eta\, \hat m_t\, l_t\, r_t & \rho_t > 5 \\
                                 \theta_{t-1} - \eta\, \hat m_t & \text{otherwise (SGD with
                                 momentum warm-up)} \end{cases}

    Weight decay :math:`\lambda` is added to the gradient, or applied as
    :math:`\theta \leftarrow (1-\eta\lambda)\theta` when ``decoupled_weight_decay``.

    Args: lr 1e-3, betas (0.9, 0.999), eps 1e-8, weight_decay 0,
    decoupled_weight_decay False.

    State per parameter: ``step``, ``exp_avg``, ``exp_avg_sq``.
    """

    hyper_parameters = {**Optimizer.hyper_parameters, "betas": Betas(), "eps": POSITIVE_EPS,
                        "decoupled_weight_decay": Flag()}

    @accepts_keras_spellings
    def __init__(self, params: Iterable[Any] | None = None, lr: float = 1e-3,
                 betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 0.0, decoupled_weight_decay: bool = False) -> None:
        defaults = dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay,
                        decoupled_weight_decay=decoupled_weight_decay)
        super().__init__(params, defaults)

    def _step_scales(self, group: dict[str, Any]) -> dict[str, float]:
        return _with_bias_correction(super()._step_scales(group), group)

    def _init_state(self, param: Any, group: dict[str, Any]) -> dict[str, Any]:
        zeros = param.copy()
        zeros[...] = 0
        return {"step": 0, "exp_avg": zeros, "exp_avg_sq": zeros.copy()}

    def _update(self, param: Any, grad: Any, state: dict[str, Any], group: dict[str, Any],
                work: _WorkArrays) -> None:
        state["step"] += 1
        step = state["step"]
        lr, eps, weight_decay = group["lr"], group["eps"], group["weight_decay"]
        beta1, beta2 = group["betas"]
        decoupled = group["decoupled_weight_decay"]
        exp_avg, exp_avg_sq = state["exp_avg"], state["exp_avg_sq"]

        bias_correction1 = 1 - beta1**step
        bias_correction2 = 1 - beta2**step
        rho_inf = 2 / (1 - beta2) - 1
        rho_t = rho_inf - 2 * step * (beta2**step) / bias_correction2
        rectified = rho_t > 5.0
        rect = 0.0
        if rectified:
            rect = ((rho_t - 4) * (rho_t - 2) * rho_inf
                    / ((rho_inf - 4) * (rho_inf - 2) * rho_t)) ** 0.5

        if not _uses_plain_path(param):
            from . import _cupy_kernels

            _cupy_kernels.radam(param, grad, exp_avg, exp_avg_sq, lr=lr, beta1=beta1,
                                beta2=beta2, eps=eps, weight_decay=weight_decay,
                                decoupled=decoupled, bias_correction1=bias_correction1,
                                bias_correction2_sqrt=bias_correction2**0.5,
                                rectified=rectified, rect=rect)
            return

        decayed, update, tmp = work.get(3)
        _adam_moments_(param, grad, exp_avg, exp_avg_sq, lr, beta1, beta2, weight_decay,
                       decoupled, decayed, tmp)
        np.divide(exp_avg, bias_correction1, out=update)
        update *= lr
        if rectified:
            np.sqrt(exp_avg_sq, out=tmp)
            tmp += eps
            np.divide(bias_correction2**0.5, tmp, out=tmp)
            update *= tmp
            update *= rect
        param -= update
