"""Lion: sign of an interpolated momentum, found by program search."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np

from ._keras_arguments import accepts_keras_spellings
from .optimizer import Betas, Optimizer, _uses_plain_path, _WorkArrays

__all__ = ["Lion"]


class Lion(Optimizer):
    r"""Lion, EvoLved Sign Momentum (Chen et al., 2023, "Symbolic Discovery of
    Optimization Algorithms", Algorithm 2).

    .. math::
        c_t &= \beta_1 m_{t-1} + (1-\beta_1)\, g_t \\
        \theta_t &= \theta_{t-1}
            - \eta\left(\operatorname{sign}(c_t) + \lambda\,\theta_{t-1}\right) \\
        m_t &= \beta_2 m_{t-1} + (1-\beta_2)\, g_t

    Every coordinate moves by exactly :math:`\eta` (plus decay), so the paper advises a
    learning rate 3-10x smaller than AdamW's and a weight decay 3-10x larger.
    ``sign(0) = 0``.

    Args:
        lr: :math:`\eta` (default 1e-4, the paper's). betas: :math:`(\beta_1, \beta_2)`
            ((0.9, 0.99)). weight_decay: :math:`\lambda` (0), decoupled as in the paper.

    State per parameter: ``step``, ``exp_avg`` (:math:`m`).
    """

    hyper_parameters = {**Optimizer.hyper_parameters, "betas": Betas()}

    @accepts_keras_spellings
    def __init__(self, params: Iterable[Any] | None = None, lr: float = 1e-4,
                 betas: tuple[float, float] = (0.9, 0.99), weight_decay: float = 0.0) -> None:
        super().__init__(params, dict(lr=lr, betas=betas, weight_decay=weight_decay))

    def _init_state(self, param: Any, group: dict[str, Any]) -> dict[str, Any]:
        zeros = param.copy()
        zeros[...] = 0
        return {"step": 0, "exp_avg": zeros}

    def _update(self, param: Any, grad: Any, state: dict[str, Any], group: dict[str, Any],
                work: _WorkArrays) -> None:
        state["step"] += 1
        lr, weight_decay = group["lr"], group["weight_decay"]
        beta1, beta2 = group["betas"]
        exp_avg = state["exp_avg"]

        if not _uses_plain_path(param):
            from . import _cupy_kernels

            _cupy_kernels.lion(param, grad, exp_avg, lr=lr, beta1=beta1, beta2=beta2,
                               weight_decay=weight_decay)
            return

        direction, tmp = work.get(2)
        np.multiply(exp_avg, beta1, out=direction)
        np.multiply(grad, 1 - beta1, out=tmp)
        direction += tmp
        np.sign(direction, out=direction)
        if weight_decay != 0:
            np.multiply(param, weight_decay, out=tmp)
            direction += tmp
        direction *= -lr
        param += direction
        exp_avg *= beta2
        np.multiply(grad, 1 - beta2, out=tmp)
        exp_avg += tmp
