"""AdaGrad: per-coordinate learning rates from the running sum of squared gradients.

The rule in its forms, top to bottom: the formula (:class:`Adagrad`'s docstring), the
in-place NumPy update (``Adagrad._update``, the formula on each line),
:func:`reference_step` (the formula in plain float64 NumPy, which tests hold both fast
paths to) and the fused CUDA kernel with its launch (:func:`_kernel`, :func:`_launch`).
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

import numpy as np

from ._keras_arguments import accepts_keras_spellings
from ._shared import KernelSource, decay_line, grad_with_weight_decay, kernel_backend, scalar
from .optimizer import NON_NEGATIVE, POSITIVE_EPS, Optimizer, _WorkArrays

if TYPE_CHECKING:
    from backends import Backend

__all__ = ["Adagrad"]


class Adagrad(Optimizer):
    r"""AdaGrad (Duchi, Hazan & Singer, 2011), PyTorch's rule.

    .. math::
        g_t &\leftarrow g_t + \lambda\,\theta_{t-1} \\
        \tilde\eta_t &= \frac{\eta}{1 + (t-1)\,\delta} \\
        s_t &= s_{t-1} + g_t^2 \qquad (s_0 = \text{initial\_accumulator\_value}) \\
        \theta_t &= \theta_{t-1} - \tilde\eta_t\,\frac{g_t}{\sqrt{s_t} + \epsilon}

    Coordinates with large past gradients take small steps; the accumulated sum only
    grows, so the effective learning rate decays towards zero (RMSprop fixes that).

    Args:
        lr: :math:`\eta` (default 1e-2). lr_decay: :math:`\delta` (default 0).
        weight_decay: :math:`\lambda` (default 0).
        initial_accumulator_value: :math:`s_0` (default 0). eps: :math:`\epsilon` (1e-10;
        must be > 0: a zero gradient would otherwise give 0/0).

    State per parameter: ``step`` (int), ``sum`` (:math:`s`).
    """

    hyper_parameters = {**Optimizer.hyper_parameters, "lr_decay": NON_NEGATIVE,
                        "initial_accumulator_value": NON_NEGATIVE, "eps": POSITIVE_EPS}

    _flat_update = True  # elementwise: a group may be updated as one flat array

    @accepts_keras_spellings
    def __init__(self, params: Iterable[Any] | None = None, lr: float = 1e-2, lr_decay: float = 0.0,
                 weight_decay: float = 0.0, initial_accumulator_value: float = 0.0,
                 eps: float = 1e-10) -> None:
        defaults = dict(lr=lr, lr_decay=lr_decay, weight_decay=weight_decay,
                        initial_accumulator_value=initial_accumulator_value, eps=eps)
        super().__init__(params, defaults)

    def _step_scales(self, group: dict[str, Any]) -> dict[str, float]:
        return {**super()._step_scales(group),
                "initial_accumulator_value": group["initial_accumulator_value"]}

    def _init_state(self, param: Any, group: dict[str, Any]) -> dict[str, Any]:
        total = param.copy()
        total[...] = group["initial_accumulator_value"]
        return {"step": 0, "sum": total}

    def _update(self, param: Any, grad: Any, state: dict[str, Any], group: dict[str, Any],
                work: _WorkArrays) -> None:
        state["step"] += 1
        step = state["step"]
        clr = group["lr"] / (1 + (step - 1) * group["lr_decay"])
        weight_decay, eps = group["weight_decay"], group["eps"]
        total = state["sum"]

        backend = kernel_backend(param)
        if backend is not None:
            _launch(backend, param, grad, total, clr=clr, weight_decay=weight_decay, eps=eps)
            return

        decayed, tmp = work.get(2)
        g = grad_with_weight_decay(param, grad, weight_decay, decayed)  # g = g + wd p
        np.multiply(g, g, out=tmp)
        total += tmp                                               # s = s + g^2
        np.sqrt(total, out=tmp)
        tmp += eps
        np.divide(g, tmp, out=tmp)
        tmp *= -clr
        param += tmp                                               # p = p - clr g/(sqrt(s) + eps)


def reference_step(param: np.ndarray, grad: np.ndarray, state: dict[str, Any],
                   hyper: dict[str, Any]) -> tuple[np.ndarray, dict[str, Any]]:
    """One Adagrad step as the formula reads: out of place, in float64, no scratch buffers.

    What tests hold the in-place path and the fused kernel to. ``hyper`` is a parameter
    group, ``state`` this parameter's optimizer state (float64 arrays, left unchanged);
    returns the new parameter and the new state.
    """
    t = state["step"] + 1
    clr = hyper["lr"] / (1 + (t - 1) * hyper["lr_decay"])
    g = grad + hyper["weight_decay"] * param
    total = state["sum"] + g**2
    return param - clr * g / (np.sqrt(total) + hyper["eps"]), {"step": t, "sum": total}


# --------------------------------------------------------------------------- fused kernel
@functools.cache
def _kernel(decay: bool) -> KernelSource:
    """Adagrad's fused kernel, with or without L2 weight decay (``clr``: the decayed
    learning rate, computed on the host)."""
    return KernelSource(
        f"xpgrad_adagrad_wd{decay}",
        "T grad, T clr, T weight_decay, T eps",
        "T param, T total",
        decay_line(decay) + """
        total = total + gg * gg;
        param = param - clr * (gg / (sqrt(total) + eps));""")


def _launch(backend: Backend, param: Any, grad: Any, total: Any, *, clr: float,
            weight_decay: float, eps: float) -> None:
    """One fused launch updating ``param`` and its state in place; the scalars are
    computed on the host and cast to the parameter's dtype."""
    s = functools.partial(scalar, param)
    _kernel(weight_decay != 0).on(backend)(grad, s(clr), s(weight_decay), s(eps), param, total)
