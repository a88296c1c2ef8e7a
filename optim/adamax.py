"""Adamax: Adam with the infinity norm in place of the root mean square."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np

from ._keras_arguments import accepts_keras_spellings
from .adam import _with_bias_correction
from .optimizer import (
    POSITIVE_EPS,
    Betas,
    Optimizer,
    _grad_with_weight_decay,
    _lerp_,
    _uses_plain_path,
    _WorkArrays,
)

__all__ = ["Adamax"]


class Adamax(Optimizer):
    r"""Adamax (Kingma & Ba, 2015, section 7), PyTorch's rule.

    .. math::
        g_t &\leftarrow g_t + \lambda\,\theta_{t-1} \\
        m_t &= \beta_1 m_{t-1} + (1-\beta_1)\, g_t \\
        u_t &= \max(\beta_2\, u_{t-1},\ |g_t| + \epsilon) \\
        \theta_t &= \theta_{t-1} - \frac{\eta}{1-\beta_1^t}\, \frac{m_t}{u_t}

    Args:
        lr: :math:`\eta` (default 2e-3). betas: (0.9, 0.999). eps: 1e-8.
        weight_decay: :math:`\lambda` (0).

    State per parameter: ``step``, ``exp_avg`` (:math:`m`), ``exp_inf`` (:math:`u`).
    """

    hyper_parameters = {**Optimizer.hyper_parameters, "betas": Betas(), "eps": POSITIVE_EPS}

    @accepts_keras_spellings
    def __init__(self, params: Iterable[Any] | None = None, lr: float = 2e-3,
                 betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 0.0) -> None:
        super().__init__(params, dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay))

    def _step_scales(self, group: dict[str, Any]) -> dict[str, float]:
        return _with_bias_correction(super()._step_scales(group), group)

    def _init_state(self, param: Any, group: dict[str, Any]) -> dict[str, Any]:
        zeros = param.copy()
        zeros[...] = 0
        return {"step": 0, "exp_avg": zeros, "exp_inf": zeros.copy()}

    def _update(self, param: Any, grad: Any, state: dict[str, Any], group: dict[str, Any],
                work: _WorkArrays) -> None:
        state["step"] += 1
        lr, eps, weight_decay = group["lr"], group["eps"], group["weight_decay"]
        beta1, beta2 = group["betas"]
        exp_avg, exp_inf = state["exp_avg"], state["exp_inf"]
        clr = lr / (1 - beta1 ** state["step"])

        if not _uses_plain_path(param):
            from . import _cupy_kernels

            _cupy_kernels.adamax(param, grad, exp_avg, exp_inf, beta1=beta1, beta2=beta2,
                                 eps=eps, weight_decay=weight_decay, clr=clr)
            return

        decayed, tmp = work.get(2)
        g = _grad_with_weight_decay(param, grad, weight_decay, decayed)
        _lerp_(exp_avg, g, 1 - beta1, tmp)
        exp_inf *= beta2
        np.abs(g, out=tmp)
        tmp += eps
        np.maximum(exp_inf, tmp, out=exp_inf)
        np.divide(exp_avg, exp_inf, out=tmp)
        tmp *= -clr
        param += tmp
