"""Adam: momentum on the gradient plus RMSprop's per-coordinate scaling, bias-corrected."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np

from ._keras_arguments import accepts_keras_spellings
from .optimizer import (
    POSITIVE_EPS,
    Betas,
    Flag,
    Optimizer,
    _grad_with_weight_decay,
    _lerp_,
    _uses_plain_path,
    _WorkArrays,
)

__all__ = ["Adam"]


class Adam(Optimizer):
    r"""Adam (Kingma & Ba, 2015), PyTorch's rule; AMSGrad (Reddi et al., 2018) optional.

    .. math::
        g_t &\leftarrow g_t + \lambda\,\theta_{t-1}
            \quad\text{(or } \theta_{t-1} \leftarrow (1-\eta\lambda)\,\theta_{t-1}
            \text{ if decoupled, i.e. AdamW)} \\
        m_t &= \beta_1 m_{t-1} + (1-\beta_1)\, g_t \\
        v_t &= \beta_2 v_{t-1} + (1-\beta_2)\, g_t^2 \\
        \hat v_t &= \max(\hat v_{t-1}, v_t) \text{ if amsgrad, else } v_t \\
        \theta_t &= \theta_{t-1} - \frac{\eta}{1-\beta_1^t}\,
            \frac{m_t}{\sqrt{\hat v_t}\,/\sqrt{1-\beta_2^t} + \epsilon}

    :math:`1-\beta_1^t` and :math:`1-\beta_2^t` undo the bias of the zero-initialised
    moving averages in the first steps. They are Python floats: no device sync.

    Args:
        lr: :math:`\eta` (default 1e-3). betas: :math:`(\beta_1, \beta_2)` ((0.9, 0.999)).
        eps: :math:`\epsilon` (1e-8; Keras' ``"adam"`` uses 1e-7); must be > 0.
        weight_decay: :math:`\lambda` (0). amsgrad: use :math:`\max` of past :math:`v`.
        decoupled_weight_decay: decay the weights directly (AdamW) instead of adding
            :math:`\lambda\theta` to the gradient.

    State per parameter: ``step``, ``exp_avg`` (:math:`m`), ``exp_avg_sq`` (:math:`v`),
    ``max_exp_avg_sq`` (:math:`\hat v`, if amsgrad).
    """

    hyper_parameters = {**Optimizer.hyper_parameters, "betas": Betas(), "eps": POSITIVE_EPS,
                        "amsgrad": Flag(), "decoupled_weight_decay": Flag()}

    @accepts_keras_spellings
    def __init__(self, params: Iterable[Any] | None = None, lr: float = 1e-3,
                 betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 0.0, amsgrad: bool = False, *,
                 decoupled_weight_decay: bool = False) -> None:
        defaults = dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay,
                        amsgrad=amsgrad, decoupled_weight_decay=decoupled_weight_decay)
        super().__init__(params, defaults)

    def _init_state(self, param: Any, group: dict[str, Any]) -> dict[str, Any]:
        zeros = param.copy()
        zeros[...] = 0
        state: dict[str, Any] = {"step": 0, "exp_avg": zeros, "exp_avg_sq": zeros.copy()}
        if group["amsgrad"]:
            state["max_exp_avg_sq"] = zeros.copy()
        return state

    def _update(self, param: Any, grad: Any, state: dict[str, Any], group: dict[str, Any],
                work: _WorkArrays) -> None:
        state["step"] += 1
        step = state["step"]
        lr, eps, weight_decay = group["lr"], group["eps"], group["weight_decay"]
        beta1, beta2 = group["betas"]
        decoupled = group["decoupled_weight_decay"]
        exp_avg, exp_avg_sq = state["exp_avg"], state["exp_avg_sq"]
        max_exp_avg_sq = state.get("max_exp_avg_sq") if group["amsgrad"] else None
        bias_correction1 = 1 - beta1**step
        bias_correction2_sqrt = (1 - beta2**step) ** 0.5
        step_size = lr / bias_correction1

        if not _uses_plain_path(param):
            from . import _cupy_kernels

            _cupy_kernels.adam(param, grad, exp_avg, exp_avg_sq, max_exp_avg_sq, lr=lr,
                               beta1=beta1, beta2=beta2, eps=eps, weight_decay=weight_decay,
                               decoupled=decoupled, step_size=step_size,
                               bias_correction2_sqrt=bias_correction2_sqrt)
            return

        decayed, tmp = work.get(2)
        _adam_moments_(param, grad, exp_avg, exp_avg_sq, lr, beta1, beta2, weight_decay,
                       decoupled, decayed, tmp)
        if max_exp_avg_sq is not None:
            np.maximum(max_exp_avg_sq, exp_avg_sq, out=max_exp_avg_sq)
            np.sqrt(max_exp_avg_sq, out=tmp)
        else:
            np.sqrt(exp_avg_sq, out=tmp)
        tmp /= bias_correction2_sqrt
        tmp += eps
        np.divide(exp_avg, tmp, out=tmp)
        tmp *= -step_size
        param += tmp

    def _step_scales(self, group: dict[str, Any]) -> dict[str, float]:
        return _with_bias_correction(super()._step_scales(group), group)


def _with_bias_correction(scales: dict[str, float], group: dict[str, Any]) -> dict[str, float]:
    """Add the Adam family's largest step size, ``lr / (1 - beta_1 ** t)`` at ``t = 1``."""
    return {**scales, "lr / (1 - beta_1)": group["lr"] / (1.0 - group["betas"][0])}


def _adam_moments_(param: Any, grad: Any, exp_avg: Any, exp_avg_sq: Any, lr: float, beta1: float,
                   beta2: float, weight_decay: float, decoupled: bool, decayed: Any,
                   tmp: Any) -> Any:
    """The first half of every Adam-family step (NumPy path), shared by Adam, NAdam, RAdam.

    Weight decay (decoupled: ``p <- p (1 - lr wd)``; else ``g <- g + wd p``), then the
    moment estimates ``m <- b1 m + (1 - b1) g`` and ``v <- b2 v + (1 - b2) g^2`` in place.
    Returns the (possibly decayed) gradient ``g``; ``decayed`` and ``tmp`` are scratch.
    """
    if weight_decay != 0 and decoupled:
        param *= 1 - lr * weight_decay
        g = grad
    else:
        g = _grad_with_weight_decay(param, grad, weight_decay, decayed)
    _lerp_(exp_avg, g, 1 - beta1, tmp)
    exp_avg_sq *= beta2
    np.multiply(g, g, out=tmp)
    tmp *= 1 - beta2
    exp_avg_sq += tmp
    return g
