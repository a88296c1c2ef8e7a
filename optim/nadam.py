"""NAdam: Adam with Nesterov momentum (look-ahead on the first moment)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np

from ._keras_arguments import accepts_keras_spellings
from .adam import _adam_moments_, _with_bias_correction
from .optimizer import (
    NON_NEGATIVE,
    POSITIVE_EPS,
    Betas,
    Flag,
    Optimizer,
    _uses_plain_path,
    _WorkArrays,
)

__all__ = ["NAdam"]


class NAdam(Optimizer):
    r"""NAdam (Dozat, 2016), PyTorch's rule with its momentum-decay schedule.

    .. math::
        g_t &\leftarrow g_t + \lambda\,\theta_{t-1}
            \quad\text{(or } \theta_{t-1} \leftarrow (1-\eta\lambda)\theta_{t-1}
            \text{ if decoupled)} \\
        \mu_t &= \beta_1 \left(1 - \tfrac12\, 0.96^{\,t\,\psi}\right), \quad
        \mu_{t+1} = \beta_1 \left(1 - \tfrac12\, 0.96^{\,(t+1)\,\psi}\right) \\
        m_t &= \beta_1 m_{t-1} + (1-\beta_1)\, g_t, \quad
        v_t = \beta_2 v_{t-1} + (1-\beta_2)\, g_t^2 \\
        d_t &= \sqrt{v_t / (1-\beta_2^t)} + \epsilon \\
        \theta_t &= \theta_{t-1}
            - \eta\,\frac{1-\mu_t}{1-\prod_{i\le t}\mu_i}\,\frac{g_t}{d_t}
            - \eta\,\frac{\mu_{t+1}}{1-\prod_{i\le t+1}\mu_i}\,\frac{m_t}{d_t}

    Args:
        lr: :math:`\eta` (default 2e-3; Keras' ``"nadam"``: 1e-3). betas: (0.9, 0.999).
        eps: 1e-8 (Keras: 1e-7). weight_decay: :math:`\lambda` (0).
        momentum_decay: :math:`\psi` (4e-3). decoupled_weight_decay: as AdamW.

    State per parameter: ``step``, ``mu_product`` (a Python float), ``exp_avg``,
    ``exp_avg_sq``.
    """

    hyper_parameters = {**Optimizer.hyper_parameters, "betas": Betas(), "eps": POSITIVE_EPS,
                        "momentum_decay": NON_NEGATIVE, "decoupled_weight_decay": Flag()}

    @accepts_keras_spellings
    def __init__(self, params: Iterable[Any] | None = None, lr: float = 2e-3,
                 betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 0.0, momentum_decay: float = 4e-3,
                 decoupled_weight_decay: bool = False) -> None:
        defaults = dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay,
                        momentum_decay=momentum_decay,
                        decoupled_weight_decay=decoupled_weight_decay)
        super().__init__(params, defaults)

    def _step_scales(self, group: dict[str, Any]) -> dict[str, float]:
        return _with_bias_correction(super()._step_scales(group), group)

    def _init_state(self, param: Any, group: dict[str, Any]) -> dict[str, Any]:
        zeros = param.copy()
        zeros[...] = 0
        return {"step": 0, "mu_product": 1.0, "exp_avg": zeros, "exp_avg_sq": zeros.copy()}

    def _update(self, param: Any, grad: Any, state: dict[str, Any], group: dict[str, Any],
                work: _WorkArrays) -> None:
        state["step"] += 1
        step = state["step"]
        lr, eps, weight_decay = group["lr"], group["eps"], group["weight_decay"]
        beta1, beta2 = group["betas"]
        momentum_decay = group["momentum_decay"]
        decoupled = group["decoupled_weight_decay"]
        exp_avg, exp_avg_sq = state["exp_avg"], state["exp_avg_sq"]

        bias_correction2 = 1 - beta2**step
        mu = beta1 * (1.0 - 0.5 * (0.96 ** (step * momentum_decay)))
        mu_next = beta1 * (1.0 - 0.5 * (0.96 ** ((step + 1) * momentum_decay)))
        mu_product = state["mu_product"] * mu
        state["mu_product"] = mu_product
        grad_coef = -lr * (1.0 - mu) / (1.0 - mu_product)
        avg_coef = (-lr * mu_next) / (1.0 - mu_product * mu_next)

        if not _uses_plain_path(param):
            from . import _cupy_kernels

            _cupy_kernels.nadam(param, grad, exp_avg, exp_avg_sq, lr=lr, beta1=beta1,
                                beta2=beta2, eps=eps, weight_decay=weight_decay,
                                decoupled=decoupled, bias_correction2=bias_correction2,
                                grad_coef=grad_coef, avg_coef=avg_coef)
            return

        decayed, denom, tmp = work.get(3)
        g = _adam_moments_(param, grad, exp_avg, exp_avg_sq, lr, beta1, beta2, weight_decay,
                           decoupled, decayed, tmp)
        np.divide(exp_avg_sq, bias_correction2, out=denom)
        np.sqrt(denom, out=denom)
        denom += eps
        np.divide(g, denom, out=tmp)
        tmp *= grad_coef
        param += tmp
        np.divide(exp_avg, denom, out=tmp)
        tmp *= avg_coef
        param += tmp
