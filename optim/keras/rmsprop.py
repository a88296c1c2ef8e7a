"""Keras 3's RMSprop: divide the gradient by a running root mean square of its history.

The rule in its forms, top to bottom: the formula (:class:`RMSprop`'s docstring), the in-place
NumPy update (``RMSprop._update_rule``, the formula on each line), :func:`reference_step` (the
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

__all__ = ["RMSprop"]


class RMSprop(Optimizer):
    """RMSprop (Hinton, 2012), Keras 3's rule (``keras.optimizers.RMSprop``).

    With learning rate ``lr``, discount ``rho``, momentum ``mu`` and gradient ``g``::

        s <- rho s + (1 - rho) g^2                      (velocity, starts at 0)
        a <- rho a + (1 - rho) g                        (centered only)
        d = sqrt(s + eps)          or, centered,  d = sqrt(s - a^2 + eps)
        mu = 0:  w <- w - lr g / d
        mu > 0:  m <- mu m + lr g / d;   w <- w - m

    Unlike PyTorch's RMSprop (``optim.RMSprop``), epsilon is *inside* the square root and
    the learning rate is folded into the momentum buffer; the defaults also differ
    (rho 0.9, epsilon 1e-7, learning rate 0.001).

    Args:
        learning_rate: float, schedule or callable (default 0.001).
        rho: discount of the squared-gradient average (0.9).
        momentum: ``mu`` (0.0).
        epsilon: ``eps`` (1e-7).
        centered: normalise by the estimated variance of the gradient rather than its
            second moment (False).
        **kwargs: Keras' common arguments, see :class:`optim.keras.Optimizer`.

    State per parameter: ``velocity`` (``s``), ``momentum`` (``m``, if momentum > 0),
    ``average_gradient`` (``a``, if centered).
    """

    _decaying_state: ClassVar[tuple[str, ...]] = ("velocity", "momentum", "average_gradient")

    _scratch_arrays: ClassVar[int] = 2
    _config_keys: ClassVar[tuple[str, ...]] = ("rho", "momentum", "epsilon", "centered")
    rho = HyperParameter()
    momentum = HyperParameter()
    epsilon = HyperParameter()
    centered = HyperParameter()

    _flat_update = True  # elementwise: a group may be updated as one flat array
    _capture_mode = "as is"  # no host number in its step changes from step to step

    def __init__(self, learning_rate: Any = 0.001, rho: float = 0.9, momentum: float = 0.0,
                 epsilon: float = 1e-7, centered: bool = False,
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
        self._set_hyper_parameters(rho=rho, momentum=momentum, epsilon=epsilon,
                                   centered=centered)

    def _init_state(self, param: Any, group: dict[str, Any]) -> dict[str, Any]:
        state = {"velocity": _zeros_like(param)}
        if group["momentum"] > 0:
            state["momentum"] = _zeros_like(param)
        if group["centered"]:
            state["average_gradient"] = _zeros_like(param)
        return state

    def _update_rule(self, param: Any, grad: Any, state: dict[str, Any],
                     group: dict[str, Any], scalars: dict[str, float],
                     scratch: list[Any]) -> None:
        lr, rho = scalars["lr"], float(group["rho"])
        eps, momentum = float(group["epsilon"]), float(group["momentum"])
        centered = bool(group["centered"])
        if centered and "average_gradient" not in state:  # centered switched on after building
            state["average_gradient"] = _zeros_like(param)
        if momentum > 0 and "momentum" not in state:
            state["momentum"] = _zeros_like(param)
        velocity = state["velocity"]
        average = state["average_gradient"] if centered else None
        buffer = state["momentum"] if momentum > 0 else None
        backend = kernel_backend(param)
        if backend is not None:
            _launch(backend, param, grad, velocity, average, buffer, lr=lr, rho=rho, eps=eps,
                    momentum=momentum)
            return

        denominator, tmp = scratch
        velocity *= rho
        np.multiply(grad, grad, out=tmp)
        tmp *= 1.0 - rho
        velocity += tmp  # s <- rho s + (1 - rho) g^2
        np.add(velocity, eps, out=denominator)  # s + eps
        if average is not None:
            average *= rho
            np.multiply(grad, 1.0 - rho, out=tmp)
            average += tmp  # a <- rho a + (1 - rho) g
            np.multiply(average, average, out=tmp)
            denominator -= tmp  # s + eps - a^2
        np.sqrt(denominator, out=denominator)  # d
        increment = np.multiply(grad, lr, out=tmp)
        increment /= denominator  # lr g / d
        if buffer is not None:
            buffer *= momentum
            buffer += increment  # m <- mu m + lr g / d
            param -= buffer  # w <- w - m
        else:
            param -= increment  # w <- w - lr g / d


def reference_step(param: np.ndarray, grad: np.ndarray, state: dict[str, Any],
                   hyper: dict[str, Any], step: int) -> tuple[np.ndarray, dict[str, Any]]:
    """One RMSprop step as the formula reads: out of place, in float64, no scratch buffers.

    What tests hold the in-place path and the fused kernel to. ``hyper`` is a parameter
    group (``lr`` the learning rate at this step), ``state`` this parameter's optimizer
    state (float64 arrays, left unchanged), ``step`` the step number ``t`` (1, 2, ...);
    returns the new parameter and the new state. Only the rule: the decoupled weight decay,
    clipping and EMA around it are the base class's (:class:`optim.keras.Optimizer`).
    """
    lr, rho, eps, mu = hyper["lr"], hyper["rho"], hyper["epsilon"], hyper["momentum"]
    s = rho * state["velocity"] + (1 - rho) * grad**2
    new_state: dict[str, Any] = {"velocity": s}
    if hyper["centered"]:
        a = new_state["average_gradient"] = rho * state["average_gradient"] + (1 - rho) * grad
        d = np.sqrt(s - a**2 + eps)
    else:
        d = np.sqrt(s + eps)
    if mu > 0:
        m = new_state["momentum"] = mu * state["momentum"] + lr * grad / d
        return param - m, new_state
    return param - lr * grad / d, new_state


# --------------------------------------------------------------------------- fused kernel
@functools.cache
def _kernel(centered: bool, momentum: bool) -> KernelSource:
    """RMSprop's fused kernel for one combination of options (the state it updates:
    ``velocity``, then ``average_gradient`` if centered, then ``m`` with momentum)."""
    body = """
        velocity = rho * velocity + one_minus_rho * (grad * grad);  // s <- rho s + (1 - rho) g^2"""
    if centered:
        body += """
        // a <- rho a + (1 - rho) g;  d = sqrt(s - a^2 + eps)
        average_gradient = rho * average_gradient + one_minus_rho * grad;
        T d = sqrt(velocity - average_gradient * average_gradient + eps);"""
    else:
        body += """
        T d = sqrt(velocity + eps);                     // d = sqrt(s + eps)"""
    if momentum:
        body += """
        m = momentum * m + lr * grad / d;               // m <- mu m + lr g / d
        param = param - m;                              // w <- w - m"""
    else:
        body += """
        param = param - lr * grad / d;                  // w <- w - lr g / d"""
    outs = "T param, T velocity" + (", T average_gradient" if centered else "") + (
        ", T m" if momentum else "")
    return KernelSource(f"xpgrad_keras_rmsprop_c{centered}_m{momentum}",
                        "T grad, T lr, T rho, T one_minus_rho, T eps, T momentum", outs, body)


def _launch(backend: Backend, param: Any, grad: Any, velocity: Any, average: Any | None,
            buffer: Any | None, *, lr: float, rho: float, eps: float, momentum: float) -> None:
    """One fused launch updating ``param`` and its state in place; the scalars are
    computed on the host and cast to the parameter's dtype."""
    s = functools.partial(scalar, param)
    states = [a for a in (average, buffer) if a is not None]
    _kernel(average is not None, buffer is not None).on(backend)(
        grad, s(lr), s(rho), s(1.0 - rho), s(eps), s(momentum), param, velocity, *states)
