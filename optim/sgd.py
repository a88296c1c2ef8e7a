"""Stochastic gradient descent, with classical momentum or Nesterov momentum."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np

from ._keras_arguments import accepts_keras_spellings
from .optimizer import (
    NON_NEGATIVE,
    UNIT_INTERVAL,
    Flag,
    Optimizer,
    _grad_with_weight_decay,
    _uses_plain_path,
    _WorkArrays,
)

__all__ = ["SGD"]


class SGD(Optimizer):
    r"""Stochastic gradient descent (optionally with momentum / Nesterov), PyTorch's rule.

    With gradient :math:`g_t`, learning rate :math:`\eta`, momentum :math:`\mu`,
    dampening :math:`\tau` and weight decay :math:`\lambda`:

    .. math::
        g_t &\leftarrow g_t + \lambda\,\theta_{t-1} \\
        b_t &= \begin{cases} g_t & t = 1 \\ \mu\, b_{t-1} + (1-\tau)\, g_t & t > 1 \end{cases} \\
        g_t &\leftarrow \begin{cases} g_t + \mu\, b_t & \text{nesterov} \\
                                      b_t & \text{otherwise} \end{cases} \\
        \theta_t &= \theta_{t-1} - \eta\, g_t

    Without momentum (:math:`\mu = 0`) this is plain SGD, :math:`\theta \leftarrow \theta -
    \eta g`. Note the velocity :math:`b` is not multiplied by the learning rate (the
    Sutskever form used by PyTorch); for a constant learning rate it gives the same
    trajectory as the textbook form :math:`v \leftarrow \mu v - \eta g,\ \theta \leftarrow
    \theta + v`.

    Args:
        params: parameters or parameter groups.
        lr: learning rate :math:`\eta` (default 1e-3, PyTorch's default).
        momentum: momentum factor :math:`\mu` (default 0).
        dampening: dampening :math:`\tau` of the momentum, in [0, 1] (default 0).
        weight_decay: L2 penalty :math:`\lambda` (default 0).
        nesterov: use Nesterov accelerated gradient (needs momentum > 0, dampening 0).

    State per parameter: ``momentum_buffer`` (:math:`b`, None until the first step).
    """

    hyper_parameters = {**Optimizer.hyper_parameters, "momentum": NON_NEGATIVE,
                        "dampening": UNIT_INTERVAL, "nesterov": Flag()}

    @accepts_keras_spellings
    def __init__(self, params: Iterable[Any] | None = None, lr: float = 1e-3, momentum: float = 0.0,
                 dampening: float = 0.0, weight_decay: float = 0.0,
                 nesterov: bool = False) -> None:
        defaults = dict(lr=lr, momentum=momentum, dampening=dampening,
                        weight_decay=weight_decay, nesterov=nesterov)
        super().__init__(params, defaults)

    def _check_group(self, group: dict[str, Any]) -> dict[str, Any]:
        super()._check_group(group)
        if group.get("nesterov") and (group["momentum"] <= 0 or group["dampening"] != 0):
            raise ValueError(
                "SGD: nesterov=True requires momentum > 0 and dampening = 0, got "
                f"momentum={group['momentum']!r}, dampening={group['dampening']!r}"
            )
        return group

    def _step_scales(self, group: dict[str, Any]) -> dict[str, float]:
        return {**super()._step_scales(group), "momentum": group["momentum"]}

    def _init_state(self, param: Any, group: dict[str, Any]) -> dict[str, Any]:
        return {"momentum_buffer": None}

    def _update(self, param: Any, grad: Any, state: dict[str, Any], group: dict[str, Any],
                work: _WorkArrays) -> None:
        lr = group["lr"]
        momentum = group["momentum"]
        dampening = group["dampening"]
        weight_decay = group["weight_decay"]
        nesterov = group["nesterov"]
        buf = state["momentum_buffer"]
        first = buf is None
        if momentum != 0 and first:
            buf = param.copy()  # allocated once; filled with the gradient below
            state["momentum_buffer"] = buf

        if not _uses_plain_path(param):
            from . import _cupy_kernels

            _cupy_kernels.sgd(param, grad, buf if momentum != 0 else None, lr=lr,
                              momentum=momentum, dampening=dampening,
                              weight_decay=weight_decay, nesterov=nesterov, first=first)
            return

        decayed, tmp = work.get(2)
        g = _grad_with_weight_decay(param, grad, weight_decay, decayed)
        if momentum != 0:
            if first:
                np.copyto(buf, g)
            else:
                buf *= momentum
                if dampening == 0:
                    buf += g
                else:
                    np.multiply(g, 1.0 - dampening, out=tmp)
                    buf += tmp
            if nesterov:
                np.multiply(buf, momentum, out=tmp)
                tmp += g
                g = tmp
            else:
                g = buf
        np.multiply(g, -lr, out=tmp)
        param += tmp
