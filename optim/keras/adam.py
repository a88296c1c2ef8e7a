"""Keras 3's Adam: momentum plus per-coordinate scaling, bias correction in the step size.

The rule in its forms, top to bottom: the formula (:class:`Adam`'s docstring), the in-place
NumPy update (``Adam._update_rule``, the formula on each line), :func:`reference_step` (the
formula in plain float64 NumPy, which tests hold both fast paths to) and the fused CUDA
kernel with its launch (:func:`_kernel`, :func:`_launch`).
:class:`~optim.keras.AdamW` uses all four (its decay is the base class's).
"""

from __future__ import annotations

import functools
import math
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np

from .._shared import KernelSource, kernel_backend, scalar
from .optimizer import HyperParameter, Optimizer, _zeros_like

if TYPE_CHECKING:
    from backends import Backend

__all__ = ["Adam"]


class Adam(Optimizer):
    """Adam (Kingma & Ba, 2015), Keras 3's rule (``keras.optimizers.Adam``); AMSGrad optional.

    At step ``t`` (1, 2, ...) with learning rate ``lr`` and gradient ``g``::

        alpha = lr sqrt(1 - beta_2^t) / (1 - beta_1^t)
        m <- beta_1 m + (1 - beta_1) g                  (both start at 0)
        v <- beta_2 v + (1 - beta_2) g^2
        v_hat <- max(v_hat, v), used instead of v       (amsgrad only)
        w <- w - alpha m / (sqrt(v) + eps)

    The bias corrections are folded into the step size ``alpha``, so epsilon is added to
    the *uncorrected* ``sqrt(v)`` ("epsilon hat" in the paper): PyTorch's Adam adds it to
    ``sqrt(v / (1 - beta_2^t))``, which differs whenever eps matters. Default eps 1e-7.
    Weight decay, if set, is decoupled (``w <- w (1 - weight_decay lr)`` before the step),
    as in every Keras 3 optimizer.

    Args:
        learning_rate: float, schedule or callable (default 0.001).
        beta_1: decay of the first moment (0.9). beta_2: of the second moment (0.999).
        epsilon: ``eps`` (1e-7).
        amsgrad: use the running maximum of ``v`` (AMSGrad, Reddi et al., 2018).
        **kwargs: Keras' common arguments, see :class:`optim.keras.Optimizer`.

    State per parameter: ``momentum`` (``m``), ``velocity`` (``v``), ``velocity_hat``
    (``v_hat``, amsgrad only).
    """

    _decaying_state: ClassVar[tuple[str, ...]] = ("momentum", "velocity")

    _scratch_arrays: ClassVar[int] = 2
    _config_keys: ClassVar[tuple[str, ...]] = ("beta_1", "beta_2", "epsilon", "amsgrad")
    beta_1 = HyperParameter()
    beta_2 = HyperParameter()
    epsilon = HyperParameter()
    amsgrad = HyperParameter()

    _flat_update = True  # elementwise: a group may be updated as one flat array
    _capture_mode = "device step"  # alpha computed in the kernel from the device count

    def __init__(self, learning_rate: Any = 0.001, beta_1: float = 0.9, beta_2: float = 0.999,
                 epsilon: float = 1e-7, amsgrad: bool = False,
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
        self._set_hyper_parameters(beta_1=beta_1, beta_2=beta_2, epsilon=epsilon,
                                   amsgrad=amsgrad)

    def _init_state(self, param: Any, group: dict[str, Any]) -> dict[str, Any]:
        state = {"momentum": _zeros_like(param), "velocity": _zeros_like(param)}
        if group["amsgrad"]:
            state["velocity_hat"] = _zeros_like(param)
        return state

    def _step_scalars(self, group: dict[str, Any], step: int) -> dict[str, float]:
        beta_1, beta_2 = float(group["beta_1"]), float(group["beta_2"])
        lr = float(group["lr"])
        # alpha = lr sqrt(1 - beta_2^t) / (1 - beta_1^t), on the host in float64
        alpha = lr * math.sqrt(1.0 - beta_2**step) / (1.0 - beta_1**step)
        return {"lr": lr, "alpha": alpha}

    def _update_rule(self, param: Any, grad: Any, state: dict[str, Any],
                     group: dict[str, Any], scalars: dict[str, float],
                     scratch: list[Any]) -> None:
        beta_1, beta_2 = float(group["beta_1"]), float(group["beta_2"])
        eps = float(group["epsilon"])
        m, v = state["momentum"], state["velocity"]
        v_hat = None
        if group["amsgrad"]:
            if "velocity_hat" not in state:  # amsgrad switched on after building
                state["velocity_hat"] = _zeros_like(param)
            v_hat = state["velocity_hat"]
        backend = kernel_backend(param)
        if backend is not None:
            _launch(backend, param, grad, m, v, v_hat, alpha=scalars["alpha"], beta_1=beta_1,
                    beta_2=beta_2, eps=eps, lr=scalars["lr"],
                    device_iterations=self._device_iterations)
            return

        step, denominator = scratch
        m *= beta_1
        np.multiply(grad, 1.0 - beta_1, out=step)
        m += step  # m <- beta_1 m + (1 - beta_1) g
        v *= beta_2
        np.multiply(grad, grad, out=step)
        step *= 1.0 - beta_2
        v += step  # v <- beta_2 v + (1 - beta_2) g^2
        if v_hat is not None:
            v = np.maximum(v_hat, v, out=v_hat)  # v_hat <- max(v_hat, v)
        np.sqrt(v, out=denominator)
        denominator += eps  # sqrt(v) + eps
        np.multiply(m, scalars["alpha"], out=step)
        step /= denominator  # alpha m / (sqrt(v) + eps)
        param -= step  # w <- w - alpha m / (sqrt(v) + eps)


def reference_step(param: np.ndarray, grad: np.ndarray, state: dict[str, Any],
                   hyper: dict[str, Any], step: int) -> tuple[np.ndarray, dict[str, Any]]:
    """One Adam (or AdamW) step as the formula reads: out of place, in float64, no scratch.

    What tests hold the in-place path and the fused kernel to. ``hyper`` is a parameter
    group (``lr`` the learning rate at this step), ``state`` this parameter's optimizer
    state (float64 arrays, left unchanged), ``step`` the step number ``t`` (1, 2, ...);
    returns the new parameter and the new state. Only the rule: the decoupled weight decay,
    clipping and EMA around it are the base class's (:class:`optim.keras.Optimizer`).
    """
    lr, beta_1, beta_2 = hyper["lr"], hyper["beta_1"], hyper["beta_2"]
    alpha = lr * np.sqrt(1 - beta_2**step) / (1 - beta_1**step)
    m = beta_1 * state["momentum"] + (1 - beta_1) * grad
    v = beta_2 * state["velocity"] + (1 - beta_2) * grad**2
    new_state = {"momentum": m, "velocity": v}
    if hyper["amsgrad"]:
        v = new_state["velocity_hat"] = np.maximum(state["velocity_hat"], v)
    return param - alpha * m / (np.sqrt(v) + hyper["epsilon"]), new_state


# --------------------------------------------------------------------------- fused kernel
@functools.cache
def _kernel(amsgrad: bool, device_step: bool = False) -> KernelSource:
    """Adam's (and AdamW's) fused kernel, with or without AMSGrad's running maximum. With
    ``device_step`` it reads ``iterations`` from device memory (a 0-d array) and computes
    alpha itself, in double as the host does, so that a captured step replays with the
    right t."""
    body = """
        m = beta_1 * m + one_minus_beta_1 * grad;       // m <- beta_1 m + (1 - beta_1) g
        v = beta_2 * v + one_minus_beta_2 * (grad * grad);  // v <- beta_2 v + (1 - beta_2) g^2"""
    if amsgrad:
        body += """
        v_hat = (v_hat > v || v_hat != v_hat) ? v_hat : v;  // v_hat <- max(v_hat, v), NaN kept
        // w <- w - alpha m / (sqrt(v_hat) + eps)
        param = param - alpha * m / (sqrt(v_hat) + eps);"""
    else:
        body += """
        param = param - alpha * m / (sqrt(v) + eps);    // w <- w - alpha m / (sqrt(v) + eps)"""
    if device_step:
        scalars = "float64 iterations, float64 lr_d, float64 beta_1_d, float64 beta_2_d"
        body = """
        double t = iterations + 1.0;                          // t = iterations + 1
        // alpha = lr sqrt(1 - beta_2^t) / (1 - beta_1^t)
        T alpha = (T)(lr_d * sqrt(1.0 - pow(beta_2_d, t)) / (1.0 - pow(beta_1_d, t)));""" + body
    else:
        scalars = "T alpha"
    return KernelSource(
        f"xpgrad_keras_adam_ams{amsgrad}_dev{device_step}",
        f"T grad, {scalars}, T beta_1, T one_minus_beta_1, T beta_2, T one_minus_beta_2, T eps",
        "T param, T m, T v" + (", T v_hat" if amsgrad else ""), body)


def _launch(backend: Backend, param: Any, grad: Any, m: Any, v: Any, v_hat: Any | None, *,
            alpha: float, beta_1: float, beta_2: float, eps: float, lr: float = 0.0,
            device_iterations: Any = None) -> None:
    """One fused launch updating ``param`` and its state in place; the scalars (``alpha``
    holds the bias corrections) are computed on the host and cast to the parameter's
    dtype, or alpha in the kernel from ``lr`` and ``device_iterations`` when that is given
    (a 0-d device array: a captured step's count)."""
    s = functools.partial(scalar, param)
    states = (m, v) if v_hat is None else (m, v, v_hat)
    on_device = device_iterations is not None
    head = ((device_iterations, float(lr), float(beta_1), float(beta_2)) if on_device
            else (s(alpha),))
    _kernel(v_hat is not None, on_device).on(backend)(
        grad, *head, s(beta_1), s(1.0 - beta_1), s(beta_2), s(1.0 - beta_2), s(eps), param,
        *states)
