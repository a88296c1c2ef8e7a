"""Keras 3's FTRL-Proximal: follow the regularized leader, for wide sparse models.

The rule in its forms, top to bottom: the formula (:class:`Ftrl`'s docstring), the in-place
NumPy update (``Ftrl._update_rule``, the formula on each line), :func:`reference_step` (the
formula in plain float64 NumPy, which tests hold both fast paths to) and the fused CUDA
kernel with its launch (:func:`_kernel`, :func:`_launch`).
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np

from .._shared import KernelSource, kernel_backend, scalar
from .optimizer import HyperParameter, Optimizer, _full_like, _zeros_like

if TYPE_CHECKING:
    from backends import Backend

__all__ = ["Ftrl"]


class Ftrl(Optimizer):
    """FTRL-Proximal (McMahan et al., 2013), Keras 3's rule (``keras.optimizers.Ftrl``).

    With learning rate ``lr``, ``p = learning_rate_power``, L1 strength ``l1``, L2 strength
    ``l2``, shrinkage ``s`` and gradient ``g``::

        l2'   = l2 + beta / (2 lr)
        g'    = g + 2 s w                            (shrinkage-type L2)
        n'    = n + g^2                              (n starts at initial_accumulator_value)
        z    <- z + g' - (n'^(-p) - n^(-p)) / lr * w  (z starts at 0)
        q     = n'^(-p) / lr + 2 l2'
        w    <- (clip(z, -l1, l1) - z) / q           (0 where |z| <= l1)
        n    <- n'

    Args:
        learning_rate: float, schedule or callable (default 0.001).
        learning_rate_power: ``p`` <= 0 (-0.5; 0 keeps the rate fixed).
        initial_accumulator_value: ``n``'s start, >= 0 (0.1).
        l1_regularization_strength: ``l1`` >= 0 (0.0).
        l2_regularization_strength: ``l2`` >= 0 (0.0).
        l2_shrinkage_regularization_strength: ``s`` >= 0 (0.0), an L2 penalty on the loss.
        beta: the paper's beta (0.0).
        **kwargs: Keras' common arguments, see :class:`optim.keras.Optimizer`.

    State per parameter: ``accumulator`` (``n``), ``linear`` (``z``).
    """

    _scratch_arrays: ClassVar[int] = 4
    _config_keys: ClassVar[tuple[str, ...]] = (
        "learning_rate_power", "initial_accumulator_value", "l1_regularization_strength",
        "l2_regularization_strength", "l2_shrinkage_regularization_strength", "beta",
    )
    learning_rate_power = HyperParameter()
    initial_accumulator_value = HyperParameter()
    l1_regularization_strength = HyperParameter()
    l2_regularization_strength = HyperParameter()
    l2_shrinkage_regularization_strength = HyperParameter()
    beta = HyperParameter()

    _flat_update = True  # elementwise: a group may be updated as one flat array
    _capture_mode = "as is"  # no host number in its step changes from step to step

    def __init__(self, learning_rate: Any = 0.001, learning_rate_power: float = -0.5,
                 initial_accumulator_value: float = 0.1,
                 l1_regularization_strength: float = 0.0,
                 l2_regularization_strength: float = 0.0,
                 l2_shrinkage_regularization_strength: float = 0.0, beta: float = 0.0,
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
        # (argument, value, whether it is out of range, what Keras requires)
        checks = [
            ("initial_accumulator_value", initial_accumulator_value,
             initial_accumulator_value < 0.0, "needs to be positive or zero"),
            ("learning_rate_power", learning_rate_power, learning_rate_power > 0.0,
             "needs to be negative or zero"),
            ("l1_regularization_strength", l1_regularization_strength,
             l1_regularization_strength < 0.0, "needs to be positive or zero"),
            ("l2_regularization_strength", l2_regularization_strength,
             l2_regularization_strength < 0.0, "needs to be positive or zero"),
            ("l2_shrinkage_regularization_strength", l2_shrinkage_regularization_strength,
             l2_shrinkage_regularization_strength < 0.0, "needs to be positive or zero"),
        ]
        for argument, value, bad, requirement in checks:
            if bad:
                raise ValueError(f"`{argument}` {requirement}. Received: {argument}={value}.")
        self._set_hyper_parameters(
            learning_rate_power=learning_rate_power,
            initial_accumulator_value=initial_accumulator_value,
            l1_regularization_strength=l1_regularization_strength,
            l2_regularization_strength=l2_regularization_strength,
            l2_shrinkage_regularization_strength=l2_shrinkage_regularization_strength,
            beta=beta,
        )

    def _init_state(self, param: Any, group: dict[str, Any]) -> dict[str, Any]:
        return {"accumulator": _full_like(param, float(group["initial_accumulator_value"])),
                "linear": _zeros_like(param)}

    def _step_scalars(self, group: dict[str, Any], step: int) -> dict[str, float]:
        lr = float(group["lr"])
        # l2' = l2 + beta / (2 lr)
        l2 = float(group["l2_regularization_strength"]) + float(group["beta"]) / (2.0 * lr)
        return {"lr": lr, "l2": l2}

    def _update_rule(self, param: Any, grad: Any, state: dict[str, Any],
                     group: dict[str, Any], scalars: dict[str, float],
                     scratch: list[Any]) -> None:
        lr, l2 = scalars["lr"], scalars["l2"]
        power = -float(group["learning_rate_power"])
        l1 = float(group["l1_regularization_strength"])
        shrinkage = float(group["l2_shrinkage_regularization_strength"])
        accumulator, linear = state["accumulator"], state["linear"]
        backend = kernel_backend(param)
        if backend is not None:
            _launch(backend, param, grad, accumulator, linear, lr=lr, power=power, l1=l1,
                    l2=l2, shrinkage=shrinkage)
            return

        new_accumulator, new_root, sigma_w, step = scratch
        np.multiply(param, 2.0 * shrinkage, out=step)
        np.add(grad, step, out=step)  # g' = g + 2 s w
        np.multiply(grad, grad, out=new_accumulator)
        np.add(accumulator, new_accumulator, out=new_accumulator)  # n' = n + g^2
        np.power(new_accumulator, power, out=new_root)  # n'^(-p)
        np.power(accumulator, power, out=sigma_w)  # n^(-p)
        np.subtract(new_root, sigma_w, out=sigma_w)
        sigma_w /= lr
        sigma_w *= param  # (n'^(-p) - n^(-p)) / lr * w
        step -= sigma_w
        linear += step  # z <- z + g' - (n'^(-p) - n^(-p)) / lr * w
        new_root /= lr
        new_root += 2.0 * l2  # q = n'^(-p) / lr + 2 l2'
        np.clip(linear, -l1, l1, out=step)
        step -= linear
        np.divide(step, new_root, out=param)  # w <- (clip(z, -l1, l1) - z) / q
        accumulator[...] = new_accumulator  # n <- n'


def reference_step(param: np.ndarray, grad: np.ndarray, state: dict[str, Any],
                   hyper: dict[str, Any], step: int) -> tuple[np.ndarray, dict[str, Any]]:
    """One FTRL step as the formula reads: out of place, in float64, no scratch buffers.

    What tests hold the in-place path and the fused kernel to. ``hyper`` is a parameter
    group (``lr`` the learning rate at this step), ``state`` this parameter's optimizer
    state (float64 arrays, left unchanged), ``step`` the step number ``t`` (1, 2, ...);
    returns the new parameter and the new state. Only the rule: the decoupled weight decay,
    clipping and EMA around it are the base class's (:class:`optim.keras.Optimizer`).
    """
    lr, p = hyper["lr"], hyper["learning_rate_power"]
    l1 = hyper["l1_regularization_strength"]
    l2 = hyper["l2_regularization_strength"] + hyper["beta"] / (2 * lr)
    n, z = state["accumulator"], state["linear"]
    g_shrunk = grad + 2 * hyper["l2_shrinkage_regularization_strength"] * param
    n_new = n + grad**2
    z = z + g_shrunk - (n_new ** (-p) - n ** (-p)) / lr * param
    q = n_new ** (-p) / lr + 2 * l2
    return (np.clip(z, -l1, l1) - z) / q, {"accumulator": n_new, "linear": z}


# --------------------------------------------------------------------------- fused kernel
@functools.cache
def _kernel() -> KernelSource:
    """FTRL's fused kernel (no options change its computation). It writes ``param`` last:
    the lines before it read the old weights."""
    return KernelSource(
        "xpgrad_keras_ftrl",
        "T grad, T lr, T power, T l1, T neg_l1, T two_l2, T two_shrinkage",
        "T param, T accumulator, T linear", """
        T shrunk = grad + two_shrinkage * param;        // g' = g + 2 s w
        T new_accumulator = accumulator + grad * grad;  // n' = n + g^2
        T new_root = pow(new_accumulator, power);       // n'^(-p)
        // z <- z + g' - (n'^(-p) - n^(-p)) / lr * w
        linear = linear + (shrunk - (new_root - pow(accumulator, power)) / lr * param);
        T quadratic = new_root / lr + two_l2;           // q = n'^(-p) / lr + 2 l2'
        T clipped = (linear > l1) ? l1 : ((linear < neg_l1) ? neg_l1 : linear);  // clip(z)
        param = (clipped - linear) / quadratic;         // w <- (clip(z, -l1, l1) - z) / q
        accumulator = new_accumulator;                  // n <- n'""")


def _launch(backend: Backend, param: Any, grad: Any, accumulator: Any, linear: Any, *,
            lr: float, power: float, l1: float, l2: float, shrinkage: float) -> None:
    """One fused launch updating ``param`` and its state in place; the scalars (``power``
    is ``-learning_rate_power``, ``l2`` already holds ``beta / (2 lr)``) are computed on the
    host and cast to the parameter's dtype."""
    s = functools.partial(scalar, param)
    _kernel().on(backend)(grad, s(lr), s(power), s(l1), s(-l1), s(2.0 * l2),
                          s(2.0 * shrinkage), param, accumulator, linear)
