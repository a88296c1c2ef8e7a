"""NAdam: Adam with Nesterov momentum (look-ahead on the first moment).

The rule in its forms, top to bottom: the formula (:class:`NAdam`'s docstring), the
in-place NumPy update (``NAdam._update``, the formula on each line),
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
from .optimizer import NON_NEGATIVE, POSITIVE_EPS, Betas, Flag, Optimizer, _WorkArrays

if TYPE_CHECKING:
    from backends import Backend

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

    _decaying_state: ClassVar[tuple[str, ...]] = ("exp_avg", "exp_avg_sq")

    hyper_parameters = {**Optimizer.hyper_parameters, "betas": Betas(), "eps": POSITIVE_EPS,
                        "momentum_decay": NON_NEGATIVE, "decoupled_weight_decay": Flag()}

    _flat_update = True  # elementwise: a group may be updated as one flat array

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

        backend = kernel_backend(param)
        if backend is not None:
            _launch(backend, param, grad, exp_avg, exp_avg_sq, lr=lr, beta1=beta1, beta2=beta2,
                    eps=eps, weight_decay=weight_decay, decoupled=decoupled,
                    bias_correction2=bias_correction2, grad_coef=grad_coef, avg_coef=avg_coef)
            return

        decayed, denom, tmp = work.get(3)
        g = _adam_moments_(param, grad, exp_avg, exp_avg_sq, lr, beta1, beta2, weight_decay,
                           decoupled, decayed, tmp)                # decay; m, v
        np.divide(exp_avg_sq, bias_correction2, out=denom)
        np.sqrt(denom, out=denom)
        denom += eps                                               # d = sqrt(v/(1 - b2^t)) + eps
        np.divide(g, denom, out=tmp)
        tmp *= grad_coef
        param += tmp                                               # p += grad_coef g/d
        np.divide(exp_avg, denom, out=tmp)
        tmp *= avg_coef
        param += tmp                                               # p += avg_coef m/d


def reference_step(param: np.ndarray, grad: np.ndarray, state: dict[str, Any],
                   hyper: dict[str, Any]) -> tuple[np.ndarray, dict[str, Any]]:
    """One NAdam step as the formula reads: out of place, in float64, no scratch buffers.

    What tests hold the in-place path and the fused kernel to. ``hyper`` is a parameter
    group, ``state`` this parameter's optimizer state (float64 arrays, left unchanged);
    returns the new parameter and the new state.
    """
    lr, eps, wd, psi = hyper["lr"], hyper["eps"], hyper["weight_decay"], hyper["momentum_decay"]
    beta1, beta2 = hyper["betas"]
    t = state["step"] + 1
    g = grad
    if hyper["decoupled_weight_decay"]:
        param = (1 - lr * wd) * param
    else:
        g = g + wd * param
    mu = beta1 * (1 - 0.5 * 0.96 ** (t * psi))
    mu_next = beta1 * (1 - 0.5 * 0.96 ** ((t + 1) * psi))
    mu_product = state["mu_product"] * mu
    m = beta1 * state["exp_avg"] + (1 - beta1) * g
    v = beta2 * state["exp_avg_sq"] + (1 - beta2) * g**2
    d = np.sqrt(v / (1 - beta2**t)) + eps
    param = (param - lr * (1 - mu) / (1 - mu_product) * g / d
             - lr * mu_next / (1 - mu_product * mu_next) * m / d)
    return param, {"step": t, "mu_product": mu_product, "exp_avg": m, "exp_avg_sq": v}


# --------------------------------------------------------------------------- fused kernel
@functools.cache
def _kernel(decay: bool, decoupled: bool) -> KernelSource:
    """NAdam's fused kernel for one combination of options (``grad_coef`` and ``avg_coef``
    are the step's two coefficients, negative, computed on the host)."""
    return KernelSource(
        f"xpgrad_nadam_wd{decay}_dec{decoupled}",
        _ADAM_FAMILY_SCALARS + ", T bias_correction2, T grad_coef, T avg_coef",
        "T param, T exp_avg, T exp_avg_sq",
        _adam_moments_cuda(decay, decoupled) + """
        T denom = sqrt(exp_avg_sq / bias_correction2) + eps;
        param = param + grad_coef * (gg / denom);
        param = param + avg_coef * (exp_avg / denom);""",
        LERP)


def _launch(backend: Backend, param: Any, grad: Any, exp_avg: Any, exp_avg_sq: Any, *,
            lr: float, beta1: float, beta2: float, eps: float, weight_decay: float,
            decoupled: bool, bias_correction2: float, grad_coef: float,
            avg_coef: float) -> None:
    """One fused launch updating ``param`` and its state in place; the scalars are
    computed on the host and cast to the parameter's dtype."""
    s = functools.partial(scalar, param)
    _kernel(weight_decay != 0, decoupled).on(backend)(
        grad, *_adam_family_scalars(param, lr, beta1, beta2, eps, weight_decay),
        s(bias_correction2), s(grad_coef), s(avg_coef), param, exp_avg, exp_avg_sq)
