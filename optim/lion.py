"""Lion: sign of an interpolated momentum, found by program search.

The rule in its forms, top to bottom: the formula (:class:`Lion`'s docstring), the
in-place NumPy update (``Lion._update``, the formula on each line),
:func:`reference_step` (the formula in plain float64 NumPy, which tests hold both fast
paths to) and the fused CUDA kernel with its launch (:func:`_kernel`, :func:`_launch`).
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np

from ._keras_arguments import accepts_keras_spellings
from ._shared import KernelSource, kernel_backend, scalar
from .optimizer import Betas, Optimizer, _WorkArrays

if TYPE_CHECKING:
    from backends import Backend

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

    _decaying_state: ClassVar[tuple[str, ...]] = ("exp_avg",)

    hyper_parameters = {**Optimizer.hyper_parameters, "betas": Betas()}

    _flat_update = True  # elementwise: a group may be updated as one flat array
    _capture_mode = "device step"  # its step count can live on the device

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

        backend = kernel_backend(param)
        if backend is not None:
            _launch(backend, param, grad, exp_avg, lr=lr, beta1=beta1, beta2=beta2,
                    weight_decay=weight_decay)
            return

        direction, tmp = work.get(2)
        np.multiply(exp_avg, beta1, out=direction)
        np.multiply(grad, 1 - beta1, out=tmp)
        direction += tmp                                           # c = b1 m + (1 - b1) g
        np.sign(direction, out=direction)                          # sign(c)
        if weight_decay != 0:
            np.multiply(param, weight_decay, out=tmp)
            direction += tmp                                       #     + wd p
        direction *= -lr
        param += direction                                         # p = p - lr (sign(c) + wd p)
        exp_avg *= beta2
        np.multiply(grad, 1 - beta2, out=tmp)
        exp_avg += tmp                                             # m = b2 m + (1 - b2) g


def reference_step(param: np.ndarray, grad: np.ndarray, state: dict[str, Any],
                   hyper: dict[str, Any]) -> tuple[np.ndarray, dict[str, Any]]:
    """One Lion step as the formula reads: out of place, in float64, no scratch buffers.

    What tests hold the in-place path and the fused kernel to. ``hyper`` is a parameter
    group, ``state`` this parameter's optimizer state (float64 arrays, left unchanged);
    returns the new parameter and the new state.
    """
    lr, wd = hyper["lr"], hyper["weight_decay"]
    beta1, beta2 = hyper["betas"]
    c = beta1 * state["exp_avg"] + (1 - beta1) * grad
    param = param - lr * (np.sign(c) + wd * param)
    m = beta2 * state["exp_avg"] + (1 - beta2) * grad
    return param, {"step": state["step"] + 1, "exp_avg": m}


# --------------------------------------------------------------------------- fused kernel
@functools.cache
def _kernel() -> KernelSource:
    """Lion's fused kernel (its decay is decoupled and costs one multiply: no variants)."""
    return KernelSource(
        "xpgrad_lion",
        "T grad, T lr, T beta1, T one_minus_beta1, T beta2, T one_minus_beta2, T weight_decay",
        "T param, T exp_avg",
        """
        T c = beta1 * exp_avg + one_minus_beta1 * grad;
        T direction = (c > (T)0) ? (T)1 : ((c < (T)0) ? (T)-1 : (T)0);
        param = param - lr * (direction + weight_decay * param);
        exp_avg = beta2 * exp_avg + one_minus_beta2 * grad;""")


def _launch(backend: Backend, param: Any, grad: Any, exp_avg: Any, *, lr: float, beta1: float,
            beta2: float, weight_decay: float) -> None:
    """One fused launch updating ``param`` and its state in place; the scalars are
    computed on the host and cast to the parameter's dtype."""
    s = functools.partial(scalar, param)
    _kernel().on(backend)(grad, s(lr), s(beta1), s(1.0 - beta1), s(beta2), s(1.0 - beta2),
                          s(weight_decay), param, exp_avg)
