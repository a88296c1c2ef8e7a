"""RMSprop: AdaGrad with a leaky (exponential moving) average of squared gradients.

The rule in its forms, top to bottom: the formula (:class:`RMSprop`'s docstring), the
in-place NumPy update (``RMSprop._update``, the formula on each line),
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
from .optimizer import NON_NEGATIVE, POSITIVE_EPS, UNIT_INTERVAL, Flag, Optimizer, _WorkArrays

if TYPE_CHECKING:
    from backends import Backend

__all__ = ["RMSprop"]


class RMSprop(Optimizer):
    r"""RMSprop (Hinton, Coursera lecture 6e), PyTorch's rule.

    .. math::
        g_t &\leftarrow g_t + \lambda\,\theta_{t-1} \\
        v_t &= \alpha\, v_{t-1} + (1-\alpha)\, g_t^2 \\
        \bar g_t &= \alpha\, \bar g_{t-1} + (1-\alpha)\, g_t
            \qquad\text{(centered only)} \\
        d_t &= \begin{cases} \sqrt{v_t - \bar g_t^2} + \epsilon & \text{centered} \\
                             \sqrt{v_t} + \epsilon & \text{otherwise} \end{cases} \\
        b_t &= \mu\, b_{t-1} + g_t / d_t, \quad \theta_t = \theta_{t-1} - \eta\, b_t
            \qquad (\mu > 0) \\
        \theta_t &= \theta_{t-1} - \eta\, g_t / d_t \qquad (\mu = 0)

    Args:
        lr: :math:`\eta` (default 1e-2). alpha: smoothing :math:`\alpha` in [0, 1] (0.99;
            Keras calls it ``rho`` and defaults to 0.9). eps: :math:`\epsilon` (1e-8, outside
            the root; must be > 0).
        weight_decay: :math:`\lambda` (0). momentum: :math:`\mu` (0).
        centered: divide by an estimate of the gradient's variance instead of its second
            moment (default False).

    State per parameter: ``step``, ``square_avg`` (:math:`v`), ``grad_avg`` (:math:`\bar g`,
    if centered), ``momentum_buffer`` (:math:`b`, if momentum > 0).

    Keras spelling: ``RMSprop(learning_rate=1e-3, rho=0.9, epsilon=1e-7)`` (``rho`` is
    ``alpha``); the defaults stay PyTorch's, ``optim.get("rmsprop")`` takes Keras'.
    """

    _decaying_state: ClassVar[tuple[str, ...]] = ("square_avg", "momentum_buffer", "grad_avg")

    _keras_aliases = {"rho": "alpha"}
    # alpha > 1 makes (1 - alpha) g^2 negative: the square root of the average is then NaN.
    hyper_parameters = {**Optimizer.hyper_parameters, "alpha": UNIT_INTERVAL,
                        "eps": POSITIVE_EPS, "momentum": NON_NEGATIVE, "centered": Flag()}

    _flat_update = True  # elementwise: a group may be updated as one flat array
    _capture_mode = "device step"  # its step count can live on the device

    @accepts_keras_spellings
    def __init__(self, params: Iterable[Any] | None = None, lr: float = 1e-2, alpha: float = 0.99,
                 eps: float = 1e-8, weight_decay: float = 0.0, momentum: float = 0.0,
                 centered: bool = False) -> None:
        defaults = dict(lr=lr, alpha=alpha, eps=eps, weight_decay=weight_decay,
                        momentum=momentum, centered=centered)
        super().__init__(params, defaults)

    def _step_scales(self, group: dict[str, Any]) -> dict[str, float]:
        return {**super()._step_scales(group), "momentum": group["momentum"]}

    def _init_state(self, param: Any, group: dict[str, Any]) -> dict[str, Any]:
        zeros = param.copy()
        zeros[...] = 0
        state: dict[str, Any] = {"step": 0, "square_avg": zeros}
        if group["momentum"] > 0:
            state["momentum_buffer"] = zeros.copy()
        if group["centered"]:
            state["grad_avg"] = zeros.copy()
        return state

    def _update(self, param: Any, grad: Any, state: dict[str, Any], group: dict[str, Any],
                work: _WorkArrays) -> None:
        state["step"] += 1
        lr, alpha, eps = group["lr"], group["alpha"], group["eps"]
        weight_decay, momentum, centered = (group["weight_decay"], group["momentum"],
                                            group["centered"])
        square_avg = state["square_avg"]
        grad_avg = state.get("grad_avg") if centered else None
        buf = state.get("momentum_buffer") if momentum > 0 else None

        backend = kernel_backend(param)
        if backend is not None:
            _launch(backend, param, grad, square_avg, grad_avg, buf, lr=lr, alpha=alpha, eps=eps,
                    weight_decay=weight_decay, momentum=momentum)
            return

        decayed, avg = work.get(2)
        g = grad_with_weight_decay(param, grad, weight_decay, decayed)  # g = g + wd p
        square_avg *= alpha
        np.multiply(g, g, out=avg)
        avg *= 1.0 - alpha
        square_avg += avg                                          # v = a v + (1 - a) g^2
        if grad_avg is not None:
            lerp_(grad_avg, g, 1.0 - alpha, avg)                   # g_bar = a g_bar + (1 - a) g
            np.multiply(grad_avg, grad_avg, out=avg)
            np.subtract(square_avg, avg, out=avg)
            np.sqrt(avg, out=avg)                                  # d = sqrt(v - g_bar^2)
        else:
            np.sqrt(square_avg, out=avg)                           # d = sqrt(v)
        avg += eps                                                 #     + eps
        if buf is not None:
            buf *= momentum
            np.divide(g, avg, out=avg)
            buf += avg                                             # b = mu b + g/d
            np.multiply(buf, -lr, out=avg)
        else:
            np.divide(g, avg, out=avg)
            avg *= -lr
        param += avg                                               # p = p - lr b  (or lr g/d)


def reference_step(param: np.ndarray, grad: np.ndarray, state: dict[str, Any],
                   hyper: dict[str, Any]) -> tuple[np.ndarray, dict[str, Any]]:
    """One RMSprop step as the formula reads: out of place, in float64, no scratch buffers.

    What tests hold the in-place path and the fused kernel to. ``hyper`` is a parameter
    group, ``state`` this parameter's optimizer state (float64 arrays, left unchanged);
    returns the new parameter and the new state.
    """
    lr, alpha, eps, mu = hyper["lr"], hyper["alpha"], hyper["eps"], hyper["momentum"]
    g = grad + hyper["weight_decay"] * param
    v = alpha * state["square_avg"] + (1 - alpha) * g**2
    new_state: dict[str, Any] = {"step": state["step"] + 1, "square_avg": v}
    if hyper["centered"]:
        g_bar = new_state["grad_avg"] = alpha * state["grad_avg"] + (1 - alpha) * g
        d = np.sqrt(v - g_bar**2) + eps
    else:
        d = np.sqrt(v) + eps
    if mu > 0:
        b = new_state["momentum_buffer"] = mu * state["momentum_buffer"] + g / d
        return param - lr * b, new_state
    return param - lr * g / d, new_state


# --------------------------------------------------------------------------- fused kernel
@functools.cache
def _kernel(decay: bool, centered: bool, momentum: bool) -> KernelSource:
    """RMSprop's fused kernel for one combination of options (the state it updates:
    ``square_avg``, then ``grad_avg`` if centered, then ``buf`` with momentum)."""
    body = decay_line(decay) + """
        square_avg = alpha * square_avg + one_minus_alpha * (gg * gg);"""
    if centered:
        body += """
        grad_avg = xpg_lerp(grad_avg, gg, one_minus_alpha);
        T avg = sqrt(square_avg - grad_avg * grad_avg) + eps;"""
    else:
        body += """
        T avg = sqrt(square_avg) + eps;"""
    if momentum:
        body += """
        buf = momentum * buf + gg / avg;
        param = param - lr * buf;"""
    else:
        body += """
        param = param - lr * (gg / avg);"""
    outs = "T param, T square_avg" + (", T grad_avg" if centered else "") + (
        ", T buf" if momentum else "")
    return KernelSource(
        f"xpgrad_rmsprop_wd{decay}_c{centered}_m{momentum}",
        "T grad, T lr, T alpha, T one_minus_alpha, T eps, T weight_decay, T momentum",
        outs, body, LERP)


def _launch(backend: Backend, param: Any, grad: Any, square_avg: Any, grad_avg: Any | None,
            buf: Any | None, *, lr: float, alpha: float, eps: float, weight_decay: float,
            momentum: float) -> None:
    """One fused launch updating ``param`` and its state in place; the scalars are
    computed on the host and cast to the parameter's dtype."""
    s = functools.partial(scalar, param)
    states = [a for a in (grad_avg, buf) if a is not None]
    _kernel(weight_decay != 0, grad_avg is not None, buf is not None).on(backend)(
        grad, s(lr), s(alpha), s(1.0 - alpha), s(eps), s(weight_decay), s(momentum), param,
        square_avg, *states)
