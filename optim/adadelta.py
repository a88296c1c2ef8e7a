"""Adadelta: AdaGrad's fix with running averages and unit-correcting step sizes.

The rule in its forms, top to bottom: the formula (:class:`Adadelta`'s docstring), the
in-place NumPy update (``Adadelta._update``, the formula on each line),
:func:`reference_step` (the formula in plain float64 NumPy, which tests hold both fast
paths to) and the fused CUDA kernel with its launch (:func:`_kernel`, :func:`_launch`).
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np

from ._keras_arguments import accepts_keras_spellings
from ._shared import KernelSource, decay_line, grad_with_weight_decay, kernel_backend, scalar
from .optimizer import POSITIVE_EPS, UNIT_INTERVAL, Optimizer, _WorkArrays

if TYPE_CHECKING:
    from backends import Backend

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

    _decaying_state: ClassVar[tuple[str, ...]] = ("square_avg", "acc_delta")

    hyper_parameters = {**Optimizer.hyper_parameters, "rho": UNIT_INTERVAL, "eps": POSITIVE_EPS}

    _flat_update = True  # elementwise: a group may be updated as one flat array
    _capture_mode = "device step"  # its step count can live on the device

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

        backend = kernel_backend(param)
        if backend is not None:
            _launch(backend, param, grad, square_avg, acc_delta, lr=lr, rho=rho, eps=eps,
                    weight_decay=weight_decay)
            return

        decayed, std, delta = work.get(3)
        g = grad_with_weight_decay(param, grad, weight_decay, decayed)  # g = g + wd p
        square_avg *= rho
        np.multiply(g, g, out=std)
        std *= 1.0 - rho
        square_avg += std                                          # v = rho v + (1 - rho) g^2
        np.add(square_avg, eps, out=std)
        np.sqrt(std, out=std)                                      # sqrt(v + eps)
        np.add(acc_delta, eps, out=delta)
        np.sqrt(delta, out=delta)                                  # sqrt(u + eps)
        delta /= std
        delta *= g                                                 # D = sqrt(u+eps)/sqrt(v+eps) g
        acc_delta *= rho
        np.multiply(delta, delta, out=std)
        std *= 1.0 - rho
        acc_delta += std                                           # u = rho u + (1 - rho) D^2
        delta *= -lr
        param += delta                                             # p = p - lr D


def reference_step(param: np.ndarray, grad: np.ndarray, state: dict[str, Any],
                   hyper: dict[str, Any]) -> tuple[np.ndarray, dict[str, Any]]:
    """One Adadelta step as the formula reads: out of place, in float64, no scratch buffers.

    What tests hold the in-place path and the fused kernel to. ``hyper`` is a parameter
    group, ``state`` this parameter's optimizer state (float64 arrays, left unchanged);
    returns the new parameter and the new state.
    """
    lr, rho, eps = hyper["lr"], hyper["rho"], hyper["eps"]
    g = grad + hyper["weight_decay"] * param
    v = rho * state["square_avg"] + (1 - rho) * g**2
    delta = np.sqrt(state["acc_delta"] + eps) / np.sqrt(v + eps) * g
    u = rho * state["acc_delta"] + (1 - rho) * delta**2
    return param - lr * delta, {"step": state["step"] + 1, "square_avg": v, "acc_delta": u}


# --------------------------------------------------------------------------- fused kernel
@functools.cache
def _kernel(decay: bool) -> KernelSource:
    """Adadelta's fused kernel, with or without L2 weight decay."""
    return KernelSource(
        f"xpgrad_adadelta_wd{decay}",
        "T grad, T lr, T rho, T one_minus_rho, T eps, T weight_decay",
        "T param, T square_avg, T acc_delta",
        decay_line(decay) + """
        square_avg = rho * square_avg + one_minus_rho * (gg * gg);
        T delta = sqrt(acc_delta + eps) / sqrt(square_avg + eps) * gg;
        acc_delta = rho * acc_delta + one_minus_rho * (delta * delta);
        param = param - lr * delta;""")


def _launch(backend: Backend, param: Any, grad: Any, square_avg: Any, acc_delta: Any, *,
            lr: float, rho: float, eps: float, weight_decay: float) -> None:
    """One fused launch updating ``param`` and its state in place; the scalars are
    computed on the host and cast to the parameter's dtype."""
    s = functools.partial(scalar, param)
    _kernel(weight_decay != 0).on(backend)(
        grad, s(lr), s(rho), s(1.0 - rho), s(eps), s(weight_decay), param, square_avg,
        acc_delta)
