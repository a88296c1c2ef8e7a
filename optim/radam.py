"""RAdam: Adam whose adaptive step is switched on only once its variance is tractable.

The rule in its forms, top to bottom: the formula (:class:`RAdam`'s docstring), the
in-place NumPy update (``RAdam._update``, the formula on each line),
:func:`reference_step` (the formula in plain float64 NumPy, which tests hold both fast
paths to) and the fused CUDA kernel with its launch (:func:`_kernel`, :func:`_launch`).
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np

from ._keras_arguments import accepts_keras_spellings
from ._shared import LERP, KernelSource, kernel_backend, scalar
from .adam import (
    _ADAM_FAMILY_SCALARS,
    _adam_family_scalars,
    _adam_moments_,
    _adam_moments_cuda,
    _with_bias_correction,
)
from .optimizer import POSITIVE_EPS, Betas, Flag, Optimizer, _WorkArrays

if TYPE_CHECKING:
    from backends import Backend

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

    _decaying_state: ClassVar[tuple[str, ...]] = ("exp_avg", "exp_avg_sq")

    hyper_parameters = {**Optimizer.hyper_parameters, "betas": Betas(), "eps": POSITIVE_EPS,
                        "decoupled_weight_decay": Flag()}

    _flat_update = True  # elementwise: a group may be updated as one flat array

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

        backend = kernel_backend(param)
        if backend is not None:
            _launch(backend, param, grad, exp_avg, exp_avg_sq, lr=lr, beta1=beta1, beta2=beta2,
                    eps=eps, weight_decay=weight_decay, decoupled=decoupled,
                    bias_correction1=bias_correction1,
                    bias_correction2_sqrt=bias_correction2**0.5, rectified=rectified, rect=rect)
            return

        decayed, update, tmp = work.get(3)
        _adam_moments_(param, grad, exp_avg, exp_avg_sq, lr, beta1, beta2, weight_decay,
                       decoupled, decayed, tmp)                    # decay; m, v
        np.divide(exp_avg, bias_correction1, out=update)           # m_hat = m / (1 - b1^t)
        update *= lr                                               # u = lr m_hat
        if rectified:
            np.sqrt(exp_avg_sq, out=tmp)
            tmp += eps                                             # sqrt(v) + eps
            np.divide(bias_correction2**0.5, tmp, out=tmp)         # l = sqrt(1 - b2^t) / ...
            update *= tmp
            update *= rect                                         # u = lr m_hat l r
        param -= update                                            # p = p - u


def reference_step(param: np.ndarray, grad: np.ndarray, state: dict[str, Any],
                   hyper: dict[str, Any]) -> tuple[np.ndarray, dict[str, Any]]:
    """One RAdam step as the formula reads: out of place, in float64, no scratch buffers.

    What tests hold the in-place path and the fused kernel to. ``hyper`` is a parameter
    group, ``state`` this parameter's optimizer state (float64 arrays, left unchanged);
    returns the new parameter and the new state.
    """
    lr, eps, wd = hyper["lr"], hyper["eps"], hyper["weight_decay"]
    beta1, beta2 = hyper["betas"]
    t = state["step"] + 1
    g = grad
    if hyper["decoupled_weight_decay"]:
        param = (1 - lr * wd) * param
    else:
        g = g + wd * param
    m = beta1 * state["exp_avg"] + (1 - beta1) * g
    v = beta2 * state["exp_avg_sq"] + (1 - beta2) * g**2
    m_hat = m / (1 - beta1**t)
    rho_inf = 2 / (1 - beta2) - 1
    rho_t = rho_inf - 2 * t * beta2**t / (1 - beta2**t)
    if rho_t > 5:
        r = np.sqrt((rho_t - 4) * (rho_t - 2) * rho_inf
                    / ((rho_inf - 4) * (rho_inf - 2) * rho_t))
        l_t = np.sqrt(1 - beta2**t) / (np.sqrt(v) + eps)
        param = param - lr * m_hat * l_t * r
    else:
        param = param - lr * m_hat
    return param, {"step": t, "exp_avg": m, "exp_avg_sq": v}


# --------------------------------------------------------------------------- fused kernel
@functools.cache
def _kernel(decay: bool, decoupled: bool, rectified: bool) -> KernelSource:
    """RAdam's fused kernel for one combination of options (``rectified``: rho_t > 5, known
    on the host, so the early SGD-like steps launch a kernel without the adaptive term)."""
    adaptive = """
        update = update * (bias_correction2_sqrt / (sqrt(exp_avg_sq) + eps)) * rect;"""
    return KernelSource(
        f"xpgrad_radam_wd{decay}_dec{decoupled}_rect{rectified}",
        _ADAM_FAMILY_SCALARS + ", T bias_correction1, T bias_correction2_sqrt, T rect",
        "T param, T exp_avg, T exp_avg_sq",
        _adam_moments_cuda(decay, decoupled) + """
        T update = exp_avg / bias_correction1 * lr;""" + (adaptive if rectified else "") + """
        param = param - update;""",
        LERP)


def _launch(backend: Backend, param: Any, grad: Any, exp_avg: Any, exp_avg_sq: Any, *,
            lr: float, beta1: float, beta2: float, eps: float, weight_decay: float,
            decoupled: bool, bias_correction1: float, bias_correction2_sqrt: float,
            rectified: bool, rect: float) -> None:
    """One fused launch updating ``param`` and its state in place; the scalars are
    computed on the host and cast to the parameter's dtype."""
    s = functools.partial(scalar, param)
    _kernel(weight_decay != 0, decoupled, rectified).on(backend)(
        grad, *_adam_family_scalars(param, lr, beta1, beta2, eps, weight_decay),
        s(bias_correction1), s(bias_correction2_sqrt), s(rect), param, exp_avg, exp_avg_sq)
