"""Keras 3's Nadam: Adam with Nesterov momentum and Dozat's momentum schedule.

The rule in its forms, top to bottom: the formula (:class:`Nadam`'s docstring), the in-place
NumPy update (``Nadam._update_rule``, the formula on each line), :func:`reference_step` (the
formula in plain float64 NumPy, which tests hold both fast paths to) and the fused CUDA
kernel with its launch (:func:`_kernel`, :func:`_launch`).
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np

from .._shared import KernelSource, kernel_backend, scalar
from .optimizer import HyperParameter, Optimizer, _zeros_like

if TYPE_CHECKING:
    from backends import Backend

__all__ = ["Nadam"]


class Nadam(Optimizer):
    """Nadam (Dozat, 2016), Keras 3's rule (``keras.optimizers.Nadam``).

    At step ``t`` with learning rate ``lr`` and gradient ``g``, the momentum coefficient
    follows a warming schedule and its running product ``P`` corrects the bias::

        u_t     = beta_1 (1 - 0.5 * 0.96^t)
        u_t+1   = beta_1 (1 - 0.5 * 0.96^(t+1))
        P_t     = P_t-1 u_t                            (P_0 = 1)
        m <- beta_1 m + (1 - beta_1) g                 (both start at 0)
        v <- beta_2 v + (1 - beta_2) g^2
        m_hat   = u_t+1 m / (1 - P_t u_t+1) + (1 - u_t) g / (1 - P_t)
        v_hat   = v / (1 - beta_2^t)
        w <- w - lr m_hat / (sqrt(v_hat) + eps)

    PyTorch's NAdam (``optim.NAdam``) uses ``0.96^(t psi)`` with ``momentum_decay`` psi =
    0.004, so its momentum warms up over thousands of steps; Keras' schedule is psi = 1
    (a few dozen steps). The defaults differ too (learning rate 0.001, eps 1e-7).

    Args:
        learning_rate: float, schedule or callable (default 0.001).
        beta_1: decay of the first moment (0.9). beta_2: of the second moment (0.999).
        epsilon: ``eps`` (1e-7).
        **kwargs: Keras' common arguments, see :class:`optim.keras.Optimizer`.

    State per parameter: ``momentum`` (``m``), ``velocity`` (``v``). ``P`` is one number
    per parameter group, kept in the group as ``"u_product"`` (so that ``state_dict``
    carries it); Keras keeps one for the whole optimizer.
    """

    _decaying_state: ClassVar[tuple[str, ...]] = ("momentum", "velocity")

    _scratch_arrays: ClassVar[int] = 2
    _config_keys: ClassVar[tuple[str, ...]] = ("beta_1", "beta_2", "epsilon")
    beta_1 = HyperParameter()
    beta_2 = HyperParameter()
    epsilon = HyperParameter()

    _flat_update = True  # elementwise: a group may be updated as one flat array

    def __init__(self, learning_rate: Any = 0.001, beta_1: float = 0.9, beta_2: float = 0.999,
                 epsilon: float = 1e-7, weight_decay: float | None = None,
                 clipnorm: float | None = None, clipvalue: float | None = None,
                 global_clipnorm: float | None = None, use_ema: bool = False,
                 ema_momentum: float = 0.99, ema_overwrite_frequency: int | None = None,
                 loss_scale_factor: float | None = None,
                 gradient_accumulation_steps: int | None = None, name: str | None = None,
                 **kwargs: Any) -> None:
        super().__init__(learning_rate=learning_rate, weight_decay=weight_decay,
                         clipnorm=clipnorm, clipvalue=clipvalue,
                         global_clipnorm=global_clipnorm, use_ema=use_ema,
                         ema_momentum=ema_momentum,
                         ema_overwrite_frequency=ema_overwrite_frequency,
                         loss_scale_factor=loss_scale_factor,
                         gradient_accumulation_steps=gradient_accumulation_steps, name=name,
                         **kwargs)
        self._set_hyper_parameters(beta_1=beta_1, beta_2=beta_2, epsilon=epsilon,
                                   u_product=1.0)

    def _init_state(self, param: Any, group: dict[str, Any]) -> dict[str, Any]:
        return {"momentum": _zeros_like(param), "velocity": _zeros_like(param)}

    def _step_scalars(self, group: dict[str, Any], step: int) -> dict[str, float]:
        beta_1, beta_2 = float(group["beta_1"]), float(group["beta_2"])
        u_t = beta_1 * (1.0 - 0.5 * 0.96**step)  # u_t
        u_next = beta_1 * (1.0 - 0.5 * 0.96 ** (step + 1))  # u_t+1
        u_product = float(group["u_product"]) * u_t  # P_t = P_t-1 u_t
        group["u_product"] = u_product
        return {
            "lr": float(group["lr"]),
            "u_t": u_t,
            "u_next": u_next,
            "m_denominator": 1.0 - u_product * u_next,  # 1 - P_t u_t+1
            "g_denominator": 1.0 - u_product,  # 1 - P_t
            "v_denominator": 1.0 - beta_2**step,  # 1 - beta_2^t
        }

    def _update_rule(self, param: Any, grad: Any, state: dict[str, Any],
                     group: dict[str, Any], scalars: dict[str, float],
                     scratch: list[Any]) -> None:
        beta_1, beta_2 = float(group["beta_1"]), float(group["beta_2"])
        eps = float(group["epsilon"])
        m, v = state["momentum"], state["velocity"]
        backend = kernel_backend(param)
        if backend is not None:
            _launch(backend, param, grad, m, v, scalars, beta_1=beta_1, beta_2=beta_2, eps=eps)
            return

        m_hat, tmp = scratch
        m *= beta_1
        np.multiply(grad, 1.0 - beta_1, out=tmp)
        m += tmp  # m <- beta_1 m + (1 - beta_1) g
        v *= beta_2
        np.multiply(grad, grad, out=tmp)
        tmp *= 1.0 - beta_2
        v += tmp  # v <- beta_2 v + (1 - beta_2) g^2
        np.multiply(m, scalars["u_next"], out=m_hat)
        m_hat /= scalars["m_denominator"]  # u_t+1 m / (1 - P_t u_t+1)
        np.multiply(grad, 1.0 - scalars["u_t"], out=tmp)
        tmp /= scalars["g_denominator"]  # (1 - u_t) g / (1 - P_t)
        m_hat += tmp  # m_hat
        np.divide(v, scalars["v_denominator"], out=tmp)  # v_hat = v / (1 - beta_2^t)
        np.sqrt(tmp, out=tmp)
        tmp += eps  # sqrt(v_hat) + eps
        m_hat *= scalars["lr"]
        m_hat /= tmp  # lr m_hat / (sqrt(v_hat) + eps)
        param -= m_hat  # w <- w - lr m_hat / (sqrt(v_hat) + eps)


def reference_step(param: np.ndarray, grad: np.ndarray, state: dict[str, Any],
                   hyper: dict[str, Any], step: int) -> tuple[np.ndarray, dict[str, Any]]:
    """One Nadam step as the formula reads: out of place, in float64, no scratch buffers.

    What tests hold the in-place path and the fused kernel to. ``hyper`` is a parameter
    group (``lr`` the learning rate at this step), ``state`` this parameter's optimizer
    state (float64 arrays, left unchanged), ``step`` the step number ``t`` (1, 2, ...);
    returns the new parameter and the new state. Only the rule: the decoupled weight decay,
    clipping and EMA around it are the base class's (:class:`optim.keras.Optimizer`).
    The momentum product ``P_t = u_1 ... u_t`` is computed here from its definition, not
    read from the optimizer (which keeps it running in the parameter group).
    """
    lr, beta_1, beta_2, eps = hyper["lr"], hyper["beta_1"], hyper["beta_2"], hyper["epsilon"]

    def u(t: int) -> float:
        return beta_1 * (1 - 0.5 * 0.96**t)

    u_product = 1.0
    for t in range(1, step + 1):
        u_product *= u(t)  # P_t = u_1 u_2 ... u_t
    m = beta_1 * state["momentum"] + (1 - beta_1) * grad
    v = beta_2 * state["velocity"] + (1 - beta_2) * grad**2
    m_hat = u(step + 1) * m / (1 - u_product * u(step + 1)) + (1 - u(step)) * grad / (
        1 - u_product)
    v_hat = v / (1 - beta_2**step)
    return param - lr * m_hat / (np.sqrt(v_hat) + eps), {"momentum": m, "velocity": v}


# --------------------------------------------------------------------------- fused kernel
@functools.cache
def _kernel() -> KernelSource:
    """Nadam's fused kernel (no options change its computation)."""
    return KernelSource(
        "xpgrad_keras_nadam",
        "T grad, T lr, T beta_1, T one_minus_beta_1, T beta_2, T one_minus_beta_2, T eps, "
        "T u_next, T one_minus_u_t, T m_denominator, T g_denominator, T v_denominator",
        "T param, T m, T v", """
        m = beta_1 * m + one_minus_beta_1 * grad;       // m <- beta_1 m + (1 - beta_1) g
        v = beta_2 * v + one_minus_beta_2 * (grad * grad);  // v <- beta_2 v + (1 - beta_2) g^2
        // m_hat = u_t+1 m / (1 - P_t u_t+1) + (1 - u_t) g / (1 - P_t)
        T m_hat = u_next * m / m_denominator + one_minus_u_t * grad / g_denominator;
        T v_hat = v / v_denominator;                    // v_hat = v / (1 - beta_2^t)
        param = param - lr * m_hat / (sqrt(v_hat) + eps);  // w <- w - lr m_hat / (...)""")


def _launch(backend: Backend, param: Any, grad: Any, m: Any, v: Any,
            scalars: dict[str, float], *, beta_1: float, beta_2: float, eps: float) -> None:
    """One fused launch updating ``param`` and its state in place; the scalars (the step's
    from ``Nadam._step_scalars``) are computed on the host and cast to the parameter's
    dtype."""
    s = functools.partial(scalar, param)
    _kernel().on(backend)(
        grad, s(scalars["lr"]), s(beta_1), s(1.0 - beta_1), s(beta_2), s(1.0 - beta_2), s(eps),
        s(scalars["u_next"]), s(1.0 - scalars["u_t"]), s(scalars["m_denominator"]),
        s(scalars["g_denominator"]), s(scalars["v_denominator"]), param, m, v)
