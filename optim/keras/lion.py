"""Keras 3's Lion: the sign of an interpolated momentum as the step.

The rule in its forms, top to bottom: the formula (:class:`Lion`'s docstring), the in-place
NumPy update (``Lion._update_rule``, the formula on each line), :func:`reference_step` (the
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

__all__ = ["Lion"]


class Lion(Optimizer):
    """Lion (Chen et al., 2023), Keras 3's rule (``keras.optimizers.Lion``).

    With learning rate ``lr`` and gradient ``g``::

        c  = beta_1 m + (1 - beta_1) g
        w <- w - lr sign(c)
        m <- beta_2 m + (1 - beta_2) g                  (starts at 0)

    Weight decay, if set, is Keras' decoupled ``w <- w (1 - weight_decay lr)`` before the
    step (the paper's ``lr * lambda * w`` term).

    Args:
        learning_rate: float, schedule or callable (default 0.001).
        beta_1: interpolation of momentum and gradient for the step, in (0, 1] (0.9).
        beta_2: decay of the momentum (0.99).
        **kwargs: Keras' common arguments, see :class:`optim.keras.Optimizer`.

    State per parameter: ``momentum`` (``m``).
    """

    _decaying_state: ClassVar[tuple[str, ...]] = ("momentum",)

    _scratch_arrays: ClassVar[int] = 2
    _config_keys: ClassVar[tuple[str, ...]] = ("beta_1", "beta_2")
    beta_1 = HyperParameter()
    beta_2 = HyperParameter()

    _flat_update = True  # elementwise: a group may be updated as one flat array
    _capture_mode = "as is"  # no host number in its step changes from step to step

    def __init__(self, learning_rate: Any = 0.001, beta_1: float = 0.9, beta_2: float = 0.99,
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
        if beta_1 <= 0 or beta_1 > 1:
            raise ValueError(
                "Argument `beta_1` must be in the [0, 1] range. Otherwise, the optimizer "
                f"degenerates to SignSGD. Received: beta_1={beta_1}."
            )
        self._set_hyper_parameters(beta_1=beta_1, beta_2=beta_2)

    def _init_state(self, param: Any, group: dict[str, Any]) -> dict[str, Any]:
        return {"momentum": _zeros_like(param)}

    def _update_rule(self, param: Any, grad: Any, state: dict[str, Any],
                     group: dict[str, Any], scalars: dict[str, float],
                     scratch: list[Any]) -> None:
        beta_1, beta_2 = float(group["beta_1"]), float(group["beta_2"])
        m = state["momentum"]
        backend = kernel_backend(param)
        if backend is not None:
            _launch(backend, param, grad, m, lr=scalars["lr"], beta_1=beta_1, beta_2=beta_2)
            return

        direction, tmp = scratch
        np.multiply(m, beta_1, out=direction)
        np.multiply(grad, 1.0 - beta_1, out=tmp)
        direction += tmp  # c = beta_1 m + (1 - beta_1) g
        np.sign(direction, out=direction)
        direction *= scalars["lr"]
        param -= direction  # w <- w - lr sign(c)
        m *= beta_2
        np.multiply(grad, 1.0 - beta_2, out=tmp)
        m += tmp  # m <- beta_2 m + (1 - beta_2) g


def reference_step(param: np.ndarray, grad: np.ndarray, state: dict[str, Any],
                   hyper: dict[str, Any], step: int) -> tuple[np.ndarray, dict[str, Any]]:
    """One Lion step as the formula reads: out of place, in float64, no scratch buffers.

    What tests hold the in-place path and the fused kernel to. ``hyper`` is a parameter
    group (``lr`` the learning rate at this step), ``state`` this parameter's optimizer
    state (float64 arrays, left unchanged), ``step`` the step number ``t`` (1, 2, ...);
    returns the new parameter and the new state. Only the rule: the decoupled weight decay,
    clipping and EMA around it are the base class's (:class:`optim.keras.Optimizer`).
    """
    beta_1, beta_2 = hyper["beta_1"], hyper["beta_2"]
    c = beta_1 * state["momentum"] + (1 - beta_1) * grad
    m = beta_2 * state["momentum"] + (1 - beta_2) * grad
    return param - hyper["lr"] * np.sign(c), {"momentum": m}


# --------------------------------------------------------------------------- fused kernel
@functools.cache
def _kernel() -> KernelSource:
    """Lion's fused kernel (no options change its computation)."""
    return KernelSource(
        "xpgrad_keras_lion",
        "T grad, T lr, T beta_1, T one_minus_beta_1, T beta_2, T one_minus_beta_2",
        "T param, T m", """
        T c = beta_1 * m + one_minus_beta_1 * grad;     // c = beta_1 m + (1 - beta_1) g
        T direction = (c > (T)0) ? (T)1 : ((c < (T)0) ? (T)-1 : (T)0);  // sign(c)
        param = param - lr * direction;                 // w <- w - lr sign(c)
        m = beta_2 * m + one_minus_beta_2 * grad;       // m <- beta_2 m + (1 - beta_2) g""")


def _launch(backend: Backend, param: Any, grad: Any, m: Any, *, lr: float, beta_1: float,
            beta_2: float) -> None:
    """One fused launch updating ``param`` and the momentum in place; the scalars are
    computed on the host and cast to the parameter's dtype."""
    s = functools.partial(scalar, param)
    _kernel().on(backend)(grad, s(lr), s(beta_1), s(1.0 - beta_1), s(beta_2), s(1.0 - beta_2),
                          param, m)
