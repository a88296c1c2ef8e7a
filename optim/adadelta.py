"""Adadelta: AdaGrad's fix with running averages and unit-correcting step sizes."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np

from ._keras_arguments import accepts_keras_spellings
from .optimizer import (
    POSITIVE_EPS,
    UNIT_INTERVAL,
    Optimizer,
    _grad_with_weight_decay,
    _uses_plain_path,
    _WorkArrays,
)

__all__ = ["Adadelta"]


class Adadelta(Optimizer):
    r"""Adadelta (Zeiler, 2012), PyTorch's rule.

    .. math::
        g_t &\leftarrow g_t + \lambda\,\theta_{t-1} \\
        v_t &= \rho\, v_{t-1} + (1-\rho)\, g_t^2 \\
        \Delta_t &= \frac{\sqrt{u_{t-1} + \epsilon}}{\sqrt{v_t + \epsilon}}\; g_t \\
        u_t &= \rho\, u_{t-1} + (1-\rho)\, \Delta_t^2 \\
        \theta_t &= \theta_{t-1} - \eta\, \Delta_t

    Args:
        lr: :math:`\eta`, a scale on the update (default 1.0). rho: :math:`\rho` (0.9).
        eps: :math:`\epsilon` (1e-6). weight_decay: :math:`\lambda` (0).

    State per parameter: ``step``, ``square_avg`` (:math:`v`), ``acc_delta`` (:math:`u`).
    """

    hyper_parameters = {**Optimizer.hyper_parameters, "rho": UNIT_INTERVAL, "eps": POSITIVE_EPS}

    @accepts_keras_spellings
    def __init__(self, params: Iterable[Any] | None = None, lr: float = 1.0, rho: float = 0.9,
                 eps: float = 1e-6, weight_decay: float = 0.0) -> None:
        super().__init__(params, dict(lr=lr, rho=rho, eps=eps, weight_decay=weight_decay))

    def _init_state(self, param: Any, group: dict[str, Any]) -> dict[str, Any]:
        xp_zeros = param.copy()
        xp_zeros[...] = 0
        return {"step": 0, "square_avg": xp_zeros, "acc_delta": xp_zeros.copy()}

    def _update(self, param: Any, grad: Any, state: dict[str, Any], group: dict[str, Any],
                work: _WorkArrays) -> None:
        state["step"] += 1
        lr, rho, eps, weight_decay = group["lr"], group["rho"], group["eps"], group["weight_decay"]
        square_avg, acc_delta = state["square_avg"], state["acc_delta"]

        if not _uses_plain_path(param):
            from . import _cupy_kernels

            _cupy_kernels.adadelta(param, grad, square_avg, acc_delta, lr=lr, rho=rho,
                                   eps=eps, weight_decay=weight_decay)
            return

        decayed, std, delta = work.get(3)
        g = _grad_with_weight_decay(param, grad, weight_decay, decayed)
        square_avg *= rho
        np.multiply(g, g, out=std)
        std *= 1.0 - rho
        square_avg += std
        np.add(square_avg, eps, out=std)
        np.sqrt(std, out=std)
        np.add(acc_delta, eps, out=delta)
        np.sqrt(delta, out=delta)
        delta /= std
        delta *= g
        acc_delta *= rho
        np.multiply(delta, delta, out=std)
        std *= 1.0 - rho
        acc_delta += std
        delta *= -lr
        param += delta
