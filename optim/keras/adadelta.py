"""Keras 3's Adadelta: steps scaled by the ratio of running RMS of updates and gradients.

The rule in its forms, top to bottom: the formula (:class:`Adadelta`'s docstring), the in-place
NumPy update (``Adadelta._update_rule``, the formula on each line), :func:`reference_step` (the
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

__all__ = ["Adadelta"]


class Adadelta(Optimizer):
    """Adadelta (Zeiler, 2012), Keras 3's rule (``keras.optimizers.Adadelta``).

    With learning rate ``lr``, decay ``rho`` and gradient ``g``::

        E[g^2]  <- rho E[g^2] + (1 - rho) g^2                      (both start at 0)
        d        = -sqrt(E[dx^2] + eps) g / sqrt(E[g^2] + eps)
        E[dx^2] <- rho E[dx^2] + (1 - rho) d^2
        w       <- w + lr d

    The rule is PyTorch's; the defaults differ (learning rate 0.001, rho 0.95, eps 1e-7).

    Args:
        learning_rate: float, schedule or callable (default 0.001; the paper's form is 1.0).
        rho: the decay rate (0.95).
        epsilon: ``eps`` (1e-7).
        **kwargs: Keras' common arguments, see :class:`optim.keras.Optimizer`.

    State per parameter: ``accumulated_grad`` (``E[g^2]``), ``accumulated_delta_var``
    (``E[dx^2]``).
    """

    _decaying_state: ClassVar[tuple[str, ...]] = ("accumulated_grad", "accumulated_delta_var")

    _scratch_arrays: ClassVar[int] = 2
    _config_keys: ClassVar[tuple[str, ...]] = ("rho", "epsilon")
    rho = HyperParameter()
    epsilon = HyperParameter()

    _flat_update = True  # elementwise: a group may be updated as one flat array
    _capture_mode = "as is"  # no host number in its step changes from step to step

    def __init__(self, learning_rate: Any = 0.001, rho: float = 0.95, epsilon: float = 1e-7,
                 weight_decay: float | None = None, clipnorm: float | None = None,
                 clipvalue: float | None = None, global_clipnorm: float | None = None,
                 use_ema: bool = False, ema_momentum: float = 0.99,
                 ema_overwrite_frequency: int | None = None,
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
        self._set_hyper_parameters(rho=rho, epsilon=epsilon)

    def _init_state(self, param: Any, group: dict[str, Any]) -> dict[str, Any]:
        return {"accumulated_grad": _zeros_like(param),
                "accumulated_delta_var": _zeros_like(param)}

    def _update_rule(self, param: Any, grad: Any, state: dict[str, Any],
                     group: dict[str, Any], scalars: dict[str, float],
                     scratch: list[Any]) -> None:
        lr, rho, eps = scalars["lr"], float(group["rho"]), float(group["epsilon"])
        square_grad, square_delta = state["accumulated_grad"], state["accumulated_delta_var"]
        backend = kernel_backend(param)
        if backend is not None:
            _launch(backend, param, grad, square_grad, square_delta, lr=lr, rho=rho, eps=eps)
            return

        delta, tmp = scratch
        square_grad *= rho
        np.multiply(grad, grad, out=tmp)
        tmp *= 1.0 - rho
        square_grad += tmp  # E[g^2] <- rho E[g^2] + (1 - rho) g^2
        np.add(square_delta, eps, out=delta)
        np.sqrt(delta, out=delta)
        delta *= grad  # sqrt(E[dx^2] + eps) g
        np.add(square_grad, eps, out=tmp)
        np.sqrt(tmp, out=tmp)
        delta /= tmp
        np.negative(delta, out=delta)  # d = -sqrt(E[dx^2] + eps) g / sqrt(E[g^2] + eps)
        square_delta *= rho
        np.multiply(delta, delta, out=tmp)
        tmp *= 1.0 - rho
        square_delta += tmp  # E[dx^2] <- rho E[dx^2] + (1 - rho) d^2
        delta *= lr
        param += delta  # w <- w + lr d


def reference_step(param: np.ndarray, grad: np.ndarray, state: dict[str, Any],
                   hyper: dict[str, Any], step: int) -> tuple[np.ndarray, dict[str, Any]]:
    """One Adadelta step as the formula reads: out of place, in float64, no scratch buffers.

    What tests hold the in-place path and the fused kernel to. ``hyper`` is a parameter
    group (``lr`` the learning rate at this step), ``state`` this parameter's optimizer
    state (float64 arrays, left unchanged), ``step`` the step number ``t`` (1, 2, ...);
    returns the new parameter and the new state. Only the rule: the decoupled weight decay,
    clipping and EMA around it are the base class's (:class:`optim.keras.Optimizer`).
    """
    lr, rho, eps = hyper["lr"], hyper["rho"], hyper["epsilon"]
    eg2 = rho * state["accumulated_grad"] + (1 - rho) * grad**2
    d = -np.sqrt(state["accumulated_delta_var"] + eps) * grad / np.sqrt(eg2 + eps)
    edx2 = rho * state["accumulated_delta_var"] + (1 - rho) * d**2
    return param + lr * d, {"accumulated_grad": eg2, "accumulated_delta_var": edx2}


# --------------------------------------------------------------------------- fused kernel
@functools.cache
def _kernel() -> KernelSource:
    """Adadelta's fused kernel (no options change its computation)."""
    return KernelSource(
        "xpgrad_keras_adadelta", "T grad, T lr, T rho, T one_minus_rho, T eps",
        "T param, T accumulated_grad, T accumulated_delta_var", """
        // E[g^2] <- rho E[g^2] + (1 - rho) g^2
        accumulated_grad = rho * accumulated_grad + one_minus_rho * (grad * grad);
        // d = -sqrt(E[dx^2] + eps) g / sqrt(E[g^2] + eps)
        T d = -(sqrt(accumulated_delta_var + eps) * grad / sqrt(accumulated_grad + eps));
        // E[dx^2] <- rho E[dx^2] + (1 - rho) d^2
        accumulated_delta_var = rho * accumulated_delta_var + one_minus_rho * (d * d);
        param = param + lr * d;                         // w <- w + lr d""")


def _launch(backend: Backend, param: Any, grad: Any, square_grad: Any, square_delta: Any, *,
            lr: float, rho: float, eps: float) -> None:
    """One fused launch updating ``param`` and both averages in place; the scalars are
    computed on the host and cast to the parameter's dtype."""
    s = functools.partial(scalar, param)
    _kernel().on(backend)(grad, s(lr), s(rho), s(1.0 - rho), s(eps), param, square_grad,
                          square_delta)
