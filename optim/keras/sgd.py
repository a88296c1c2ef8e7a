"""Keras 3's SGD: gradient descent with optional (Nesterov) momentum.

The rule in its forms, top to bottom: the formula (:class:`SGD`'s docstring), the in-place
NumPy update (``SGD._update_rule``, the formula on each line), :func:`reference_step` (the
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

__all__ = ["SGD"]


class SGD(Optimizer):
    """Gradient descent with momentum, Keras 3's rule (``keras.optimizers.SGD``).

    With learning rate ``lr``, momentum ``mu`` and gradient ``g``::

        mu = 0:     w <- w - lr g
        mu > 0:     v <- mu v - lr g                 (velocity, starts at 0)
                    w <- w + v
        nesterov:   v <- mu v - lr g
                    w <- w - lr g + mu v

    Keras folds the learning rate into the velocity; PyTorch's SGD (``optim.SGD``) keeps
    ``b <- mu b + g`` and multiplies by ``lr`` afterwards. The two agree while the learning
    rate is constant and part ways when it changes.

    Args:
        learning_rate: float, schedule or callable (default 0.01).
        momentum: a float in [0, 1] (default 0.0; Keras refuses non-floats such as ``1``).
        nesterov: use Nesterov momentum (default False).
        **kwargs: Keras' common arguments (weight_decay, clipnorm, clipvalue,
            global_clipnorm, use_ema, ema_momentum, ema_overwrite_frequency,
            loss_scale_factor, gradient_accumulation_steps, name): see
            :class:`optim.keras.Optimizer`.

    State per parameter: ``momentum`` (``v``), only when ``momentum != 0``.
    """

    _decaying_state: ClassVar[tuple[str, ...]] = ("momentum",)

    _scratch_arrays: ClassVar[int] = 1
    _config_keys: ClassVar[tuple[str, ...]] = ("momentum", "nesterov")
    momentum = HyperParameter()
    nesterov = HyperParameter()

    _flat_update = True  # elementwise: a group may be updated as one flat array
    _capture_mode = "as is"  # no host number in its step changes from step to step

    def __init__(self, learning_rate: Any = 0.01, momentum: float = 0.0, nesterov: bool = False,
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
        if not isinstance(momentum, float) or momentum < 0 or momentum > 1:
            raise ValueError("`momentum` must be a float between [0, 1].")
        self._set_hyper_parameters(momentum=momentum, nesterov=nesterov)

    def _init_state(self, param: Any, group: dict[str, Any]) -> dict[str, Any]:
        return {"momentum": _zeros_like(param)} if group["momentum"] != 0 else {}

    def _update_rule(self, param: Any, grad: Any, state: dict[str, Any],
                     group: dict[str, Any], scalars: dict[str, float],
                     scratch: list[Any]) -> None:
        lr, momentum = scalars["lr"], float(group["momentum"])
        if momentum != 0 and "momentum" not in state:  # momentum switched on after building
            state["momentum"] = _zeros_like(param)
        backend = kernel_backend(param)
        if backend is not None:
            _launch(backend, param, grad, state["momentum"] if momentum != 0 else None,
                    lr=lr, momentum=momentum, nesterov=bool(group["nesterov"]))
            return

        (step,) = scratch
        np.multiply(grad, -lr, out=step)  # -lr g
        if momentum == 0:
            param += step  # w <- w - lr g
            return
        velocity = state["momentum"]
        velocity *= momentum
        velocity += step  # v <- mu v - lr g
        if group["nesterov"]:
            param += step  # w <- w - lr g ...
            np.multiply(velocity, momentum, out=step)
            param += step  # ... + mu v
        else:
            param += velocity  # w <- w + v


def reference_step(param: np.ndarray, grad: np.ndarray, state: dict[str, Any],
                   hyper: dict[str, Any], step: int) -> tuple[np.ndarray, dict[str, Any]]:
    """One SGD step as the formula reads: out of place, in float64, no scratch buffers.

    What tests hold the in-place path and the fused kernel to. ``hyper`` is a parameter
    group (``lr`` the learning rate at this step), ``state`` this parameter's optimizer
    state (float64 arrays, left unchanged), ``step`` the step number ``t`` (1, 2, ...);
    returns the new parameter and the new state. Only the rule: the decoupled weight decay,
    clipping and EMA around it are the base class's (:class:`optim.keras.Optimizer`).
    """
    lr, mu = hyper["lr"], hyper["momentum"]
    if mu == 0:
        return param - lr * grad, dict(state)
    v = mu * state["momentum"] - lr * grad
    if hyper["nesterov"]:
        return param + mu * v - lr * grad, {"momentum": v}
    return param + v, {"momentum": v}


# --------------------------------------------------------------------------- fused kernel
@functools.cache
def _kernel(momentum: bool, nesterov: bool) -> KernelSource:
    """SGD's fused kernel: plain, with momentum, or with Nesterov momentum."""
    if not momentum:
        return KernelSource("xpgrad_keras_sgd", "T grad, T lr", "T param", """
        param = param - lr * grad;                      // w <- w - lr g""")
    if nesterov:
        update = """
        param = param + (momentum * m - lr * grad);     // w <- w + mu v - lr g"""
    else:
        update = """
        param = param + m;                              // w <- w + v"""
    return KernelSource(
        f"xpgrad_keras_sgd_momentum_nesterov{nesterov}", "T grad, T lr, T momentum",
        "T param, T m", """
        m = momentum * m - lr * grad;                   // v <- mu v - lr g""" + update)


def _launch(backend: Backend, param: Any, grad: Any, velocity: Any | None, *, lr: float,
            momentum: float, nesterov: bool) -> None:
    """One fused launch updating ``param`` (and the velocity) in place; the scalars are
    cast to the parameter's dtype on the host."""
    if velocity is None:
        _kernel(False, False).on(backend)(grad, scalar(param, lr), param)
        return
    _kernel(True, nesterov).on(backend)(grad, scalar(param, lr), scalar(param, momentum),
                                        param, velocity)
