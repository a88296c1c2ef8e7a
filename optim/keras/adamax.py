"""Keras 3's Adamax: Adam with the infinity norm in place of the second moment.

The rule in its forms, top to bottom: the formula (:class:`Adamax`'s docstring), the in-place
NumPy update (``Adamax._update_rule``, the formula on each line), :func:`reference_step` (the
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

__all__ = ["Adamax"]


class Adamax(Optimizer):
    """Adamax (Kingma & Ba, 2015, section 7.1), Keras 3's rule (``keras.optimizers.Adamax``).

    At step ``t`` with learning rate ``lr`` and gradient ``g``::

        m <- beta_1 m + (1 - beta_1) g                   (both start at 0)
        u <- max(beta_2 u, |g|)
        w <- w - lr m / ((u + eps) (1 - beta_1^t))

    PyTorch's Adamax computes ``u <- max(beta_2 u, |g| + eps)`` instead and divides by
    ``u`` alone; the defaults also differ (learning rate 0.001, eps 1e-7).

    Args:
        learning_rate: float, schedule or callable (default 0.001).
        beta_1: decay of the first moment (0.9). beta_2: of the infinity norm (0.999).
        epsilon: ``eps`` (1e-7).
        **kwargs: Keras' common arguments, see :class:`optim.keras.Optimizer`.

    State per parameter: ``momentum`` (``m``), ``norm`` (``u``).
    """

    _decaying_state: ClassVar[tuple[str, ...]] = ("momentum", "norm")

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
        self._set_hyper_parameters(beta_1=beta_1, beta_2=beta_2, epsilon=epsilon)

    def _init_state(self, param: Any, group: dict[str, Any]) -> dict[str, Any]:
        return {"momentum": _zeros_like(param), "norm": _zeros_like(param)}

    def _step_scalars(self, group: dict[str, Any], step: int) -> dict[str, float]:
        return {"lr": float(group["lr"]),
                "bias_correction": 1.0 - float(group["beta_1"]) ** step}  # 1 - beta_1^t

    def _update_rule(self, param: Any, grad: Any, state: dict[str, Any],
                     group: dict[str, Any], scalars: dict[str, float],
                     scratch: list[Any]) -> None:
        beta_1, beta_2 = float(group["beta_1"]), float(group["beta_2"])
        eps = float(group["epsilon"])
        m, u = state["momentum"], state["norm"]
        backend = kernel_backend(param)
        if backend is not None:
            _launch(backend, param, grad, m, u, lr=scalars["lr"], beta_1=beta_1, beta_2=beta_2,
                    eps=eps, bias_correction=scalars["bias_correction"])
            return

        step, denominator = scratch
        m *= beta_1
        np.multiply(grad, 1.0 - beta_1, out=step)
        m += step  # m <- beta_1 m + (1 - beta_1) g
        u *= beta_2
        np.abs(grad, out=step)
        np.maximum(u, step, out=u)  # u <- max(beta_2 u, |g|)
        np.add(u, eps, out=denominator)
        denominator *= scalars["bias_correction"]  # (u + eps)(1 - beta_1^t)
        np.multiply(m, scalars["lr"], out=step)
        step /= denominator  # lr m / ((u + eps)(1 - beta_1^t))
        param -= step  # w <- w - lr m / ((u + eps)(1 - beta_1^t))


def reference_step(param: np.ndarray, grad: np.ndarray, state: dict[str, Any],
                   hyper: dict[str, Any], step: int) -> tuple[np.ndarray, dict[str, Any]]:
    """One Adamax step as the formula reads: out of place, in float64, no scratch buffers.

    What tests hold the in-place path and the fused kernel to. ``hyper`` is a parameter
    group (``lr`` the learning rate at this step), ``state`` this parameter's optimizer
    state (float64 arrays, left unchanged), ``step`` the step number ``t`` (1, 2, ...);
    returns the new parameter and the new state. Only the rule: the decoupled weight decay,
    clipping and EMA around it are the base class's (:class:`optim.keras.Optimizer`).
    """
    lr, beta_1, beta_2 = hyper["lr"], hyper["beta_1"], hyper["beta_2"]
    m = beta_1 * state["momentum"] + (1 - beta_1) * grad
    u = np.maximum(beta_2 * state["norm"], np.abs(grad))
    param = param - lr * m / ((u + hyper["epsilon"]) * (1 - beta_1**step))
    return param, {"momentum": m, "norm": u}


# --------------------------------------------------------------------------- fused kernel
@functools.cache
def _kernel() -> KernelSource:
    """Adamax's fused kernel (no options change its computation)."""
    return KernelSource(
        "xpgrad_keras_adamax",
        "T grad, T lr, T beta_1, T one_minus_beta_1, T beta_2, T eps, T bias_correction",
        "T param, T m, T u", """
        m = beta_1 * m + one_minus_beta_1 * grad;       // m <- beta_1 m + (1 - beta_1) g
        T decayed = beta_2 * u;
        T magnitude = fabs(grad);
        u = (decayed > magnitude || decayed != decayed) ? decayed : magnitude;  // max, NaN kept
        // w <- w - lr m / ((u + eps)(1 - beta_1^t))
        param = param - lr * m / ((u + eps) * bias_correction);""")


def _launch(backend: Backend, param: Any, grad: Any, m: Any, u: Any, *, lr: float,
            beta_1: float, beta_2: float, eps: float, bias_correction: float) -> None:
    """One fused launch updating ``param`` and its state in place; the scalars
    (``bias_correction`` is ``1 - beta_1^t``) are computed on the host and cast to the
    parameter's dtype."""
    s = functools.partial(scalar, param)
    _kernel().on(backend)(grad, s(lr), s(beta_1), s(1.0 - beta_1), s(beta_2), s(eps),
                          s(bias_correction), param, m, u)
