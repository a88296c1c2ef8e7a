"""Keras 3's Adagrad: per-coordinate steps shrinking with the sum of squared gradients.

The rule in its forms, top to bottom: the formula (:class:`Adagrad`'s docstring), the in-place
NumPy update (``Adagrad._update_rule``, the formula on each line), :func:`reference_step` (the
formula in plain float64 NumPy, which tests hold both fast paths to) and the fused CUDA
kernel with its launch (:func:`_kernel`, :func:`_launch`).
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np

from .._shared import KernelSource, kernel_backend, scalar
from .optimizer import HyperParameter, Optimizer, _full_like

if TYPE_CHECKING:
    from backends import Backend

__all__ = ["Adagrad"]


class Adagrad(Optimizer):
    """Adagrad (Duchi et al., 2011), Keras 3's rule (``keras.optimizers.Adagrad``).

    With learning rate ``lr`` and gradient ``g``::

        A <- A + g^2                       (accumulator, starts at initial_accumulator_value)
        w <- w - lr g / sqrt(A + eps)

    Unlike PyTorch's Adagrad, the accumulator starts at 0.1 and epsilon is inside the
    square root.

    Args:
        learning_rate: float, schedule or callable (default 0.001).
        initial_accumulator_value: the accumulator's starting value (0.1).
        epsilon: ``eps`` (1e-7).
        **kwargs: Keras' common arguments, see :class:`optim.keras.Optimizer`.

    State per parameter: ``accumulator`` (``A``).
    """

    _scratch_arrays: ClassVar[int] = 2
    _config_keys: ClassVar[tuple[str, ...]] = ("initial_accumulator_value", "epsilon")
    initial_accumulator_value = HyperParameter()
    epsilon = HyperParameter()

    _flat_update = True  # elementwise: a group may be updated as one flat array
    _capture_mode = "as is"  # no host number in its step changes from step to step

    def __init__(self, learning_rate: Any = 0.001, initial_accumulator_value: float = 0.1,
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
        self._set_hyper_parameters(initial_accumulator_value=initial_accumulator_value,
                                   epsilon=epsilon)

    def _init_state(self, param: Any, group: dict[str, Any]) -> dict[str, Any]:
        return {"accumulator": _full_like(param, float(group["initial_accumulator_value"]))}

    def _update_rule(self, param: Any, grad: Any, state: dict[str, Any],
                     group: dict[str, Any], scalars: dict[str, float],
                     scratch: list[Any]) -> None:
        lr, eps = scalars["lr"], float(group["epsilon"])
        accumulator = state["accumulator"]
        backend = kernel_backend(param)
        if backend is not None:
            _launch(backend, param, grad, accumulator, lr=lr, eps=eps)
            return

        step, root = scratch
        np.multiply(grad, grad, out=step)
        accumulator += step  # A <- A + g^2
        np.add(accumulator, eps, out=root)
        np.sqrt(root, out=root)  # sqrt(A + eps)
        np.multiply(grad, lr, out=step)
        step /= root  # lr g / sqrt(A + eps)
        param -= step  # w <- w - lr g / sqrt(A + eps)


def reference_step(param: np.ndarray, grad: np.ndarray, state: dict[str, Any],
                   hyper: dict[str, Any], step: int) -> tuple[np.ndarray, dict[str, Any]]:
    """One Adagrad step as the formula reads: out of place, in float64, no scratch buffers.

    What tests hold the in-place path and the fused kernel to. ``hyper`` is a parameter
    group (``lr`` the learning rate at this step), ``state`` this parameter's optimizer
    state (float64 arrays, left unchanged), ``step`` the step number ``t`` (1, 2, ...);
    returns the new parameter and the new state. Only the rule: the decoupled weight decay,
    clipping and EMA around it are the base class's (:class:`optim.keras.Optimizer`).
    """
    a = state["accumulator"] + grad**2
    return param - hyper["lr"] * grad / np.sqrt(a + hyper["epsilon"]), {"accumulator": a}


# --------------------------------------------------------------------------- fused kernel
@functools.cache
def _kernel() -> KernelSource:
    """Adagrad's fused kernel (no options change its computation)."""
    return KernelSource("xpgrad_keras_adagrad", "T grad, T lr, T eps", "T param, T accumulator",
                        """
        accumulator = accumulator + grad * grad;        // A <- A + g^2
        param = param - lr * grad / sqrt(accumulator + eps);  // w <- w - lr g / sqrt(A + eps)""")


def _launch(backend: Backend, param: Any, grad: Any, accumulator: Any, *, lr: float,
            eps: float) -> None:
    """One fused launch updating ``param`` and the accumulator in place; the scalars are
    cast to the parameter's dtype on the host."""
    _kernel().on(backend)(grad, scalar(param, lr), scalar(param, eps), param, accumulator)
