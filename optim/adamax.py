"""Adamax: Adam with the infinity norm in place of the root mean square.

The rule in its forms, top to bottom: the formula (:class:`Adamax`'s docstring), the
in-place NumPy update (``Adamax._update``, the formula on each line),
:func:`reference_step` (the formula in plain float64 NumPy, which tests hold both fast
paths to) and the fused CUDA kernel with its launch (:func:`_kernel`, :func:`_launch`).
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np

from ._keras_arguments import accepts_keras_spellings
from ._shared import (
    LERP,
    KernelSource,
    decay_line,
    grad_with_weight_decay,
    kernel_backend,
    lerp_,
    scalar,
)
from .adam import _with_bias_correction
from .optimizer import POSITIVE_EPS, Betas, Optimizer, _WorkArrays

if TYPE_CHECKING:
    from backends import Backend

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

    _decaying_state: ClassVar[tuple[str, ...]] = ("exp_avg",)

    hyper_parameters = {**Optimizer.hyper_parameters, "betas": Betas(), "eps": POSITIVE_EPS}

    _flat_update = True  # elementwise: a group may be updated as one flat array

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

        backend = kernel_backend(param)
        if backend is not None:
            _launch(backend, param, grad, exp_avg, exp_inf, beta1=beta1, beta2=beta2, eps=eps,
                    weight_decay=weight_decay, clr=clr)
            return

        decayed, tmp = work.get(2)
        g = grad_with_weight_decay(param, grad, weight_decay, decayed)  # g = g + wd p
        lerp_(exp_avg, g, 1 - beta1, tmp)                          # m = b1 m + (1 - b1) g
        exp_inf *= beta2
        np.abs(g, out=tmp)
        tmp += eps
        np.maximum(exp_inf, tmp, out=exp_inf)                      # u = max(b2 u, |g| + eps)
        np.divide(exp_avg, exp_inf, out=tmp)
        tmp *= -clr
        param += tmp                                               # p = p - lr/(1 - b1^t) m/u


def reference_step(param: np.ndarray, grad: np.ndarray, state: dict[str, Any],
                   hyper: dict[str, Any]) -> tuple[np.ndarray, dict[str, Any]]:
    """One Adamax step as the formula reads: out of place, in float64, no scratch buffers.

    What tests hold the in-place path and the fused kernel to. ``hyper`` is a parameter
    group, ``state`` this parameter's optimizer state (float64 arrays, left unchanged);
    returns the new parameter and the new state.
    """
    lr, eps = hyper["lr"], hyper["eps"]
    beta1, beta2 = hyper["betas"]
    t = state["step"] + 1
    g = grad + hyper["weight_decay"] * param
    m = beta1 * state["exp_avg"] + (1 - beta1) * g
    u = np.maximum(beta2 * state["exp_inf"], np.abs(g) + eps)
    return param - lr / (1 - beta1**t) * m / u, {"step": t, "exp_avg": m, "exp_inf": u}


# --------------------------------------------------------------------------- fused kernel
@functools.cache
def _kernel(decay: bool) -> KernelSource:
    """Adamax's fused kernel, with or without L2 weight decay."""
    return KernelSource(
        f"xpgrad_adamax_wd{decay}",
        "T grad, T one_minus_beta1, T beta2, T eps, T weight_decay, T clr",
        "T param, T exp_avg, T exp_inf",
        decay_line(decay) + """
        exp_avg = xpg_lerp(exp_avg, gg, one_minus_beta1);
        T decayed_inf = beta2 * exp_inf;
        T abs_grad = fabs(gg) + eps;
        exp_inf = (decayed_inf > abs_grad || decayed_inf != decayed_inf)
            ? decayed_inf : abs_grad;  // max, NaN kept as torch.maximum keeps it
        param = param - clr * (exp_avg / exp_inf);""",
        LERP)


def _launch(backend: Backend, param: Any, grad: Any, exp_avg: Any, exp_inf: Any, *,
            beta1: float, beta2: float, eps: float, weight_decay: float, clr: float) -> None:
    """One fused launch updating ``param`` and its state in place; the scalars are
    computed on the host and cast to the parameter's dtype."""
    s = functools.partial(scalar, param)
    _kernel(weight_decay != 0).on(backend)(
        grad, s(1.0 - beta1), s(beta2), s(eps), s(weight_decay), s(clr), param, exp_avg,
        exp_inf)
