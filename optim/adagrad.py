"""AdaGrad: per-coordinate learning rates from the running sum of squared gradients."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np

from ._keras_arguments import accepts_keras_spellings
from .optimizer import (
    NON_NEGATIVE,
    POSITIVE_EPS,
    Optimizer,
    _grad_with_weight_decay,
    _uses_plain_path,
    _WorkArrays,
)

__all__ = ["Adagrad"]


class Adagrad(Optimizer):
    r"""AdaGrad (Duchi, Hazan & Singer, 2011), PyTorch's rule.

    .. math::
        g_t &\leftarrow g_t + \lambda\,\theta_{t-1} \\
        \tilde\eta_t &= \frac{\eta}{1 + (t-1)\,\delta} \\
        s_t &= s_{t-1} + g_t^2 \qquad (s_0 = \text{initial\_accumulator\_value}) \\
        \theta_t &= \theta_{t-1} - \tilde\eta_t\,\frac{g_t}{\sqrt{s_t} + \epsilon}

    Coordinates with large past gradients take small steps; the accumulated sum only
    grows, so the effective learning rate decays towards zero (RMSprop fixes that).

    Args:
        lr: :math:`\eta` (default 1e-2). lr_decay: :math:`\delta` (default 0).
        weight_decay: :math:`\lambda` (default 0).
        initial_accumulator_value: :math:`s_0` (default 0). eps: :math:`\epsilon` (1e-10;
        must be > 0: a zero gradient would otherwise give 0/0).

    State per parameter: ``step`` (int), ``sum`` (:math:`s`).
    """

    hyper_parameters = {**Optimizer.hyper_parameters, "lr_decay": NON_NEGATIVE,
                        "initial_accumulator_value": NON_NEGATIVE, "eps": POSITIVE_EPS}

    @accepts_keras_spellings
    def __init__(self, params: Iterable[Any] | None = None, lr: float = 1e-2, lr_decay: float = 0.0,
                 weight_decay: float = 0.0, initial_accumulator_value: float = 0.0,
                 eps: float = 1e-10) -> None:
        defaults = dict(lr=lr, lr_decay=lr_decay, weight_decay=weight_decay,
                        initial_accumulator_value=initial_accumulator_value, eps=eps)
        super().__init__(params, defaults)

    def _step_scales(self, group: dict[str, Any]) -> dict[str, float]:
        return {**super()._step_scales(group),
                "initial_accumulator_value": group["initial_accumulator_value"]}

    def _init_state(self, param: Any, group: dict[str, Any]) -> dict[str, Any]:
        total = param.copy()
        total[...] = group["initial_accumulator_value"]
        return {"step": 0, "sum": total}

    def _update(self, param: Any, grad: Any, state: dict[str, Any], group: dict[str, Any],
                work: _WorkArrays) -> None:
        state["step"] += 1
        step = state["step"]
        clr = group["lr"] / (1 + (step - 1) * group["lr_decay"])
        weight_decay, eps = group["weight_decay"], group["eps"]
        total = state["sum"]

        if not _uses_plain_path(param):
            from . import _cupy_kernels

            _cupy_kernels.adagrad(param, grad, total, clr=clr, weight_decay=weight_decay,
                                  eps=eps)
            return

        decayed, tmp = work.get(2)
        g = _grad_with_weight_decay(param, grad, weight_decay, decayed)
        np.multiply(g, g, out=tmp)
        total += tmp
        np.sqrt(total, out=tmp)
        tmp += eps
        np.divide(g, tmp, out=tmp)
        tmp *= -clr
        param += tmp
