"""Stochastic gradient descent, with classical momentum or Nesterov momentum.

The rule in its forms, top to bottom: the formula (:class:`SGD`'s docstring), the in-place
NumPy update (``SGD._update``, the formula on each line), :func:`reference_step` (the
formula in plain float64 NumPy, which tests hold both fast paths to) and the fused CUDA
kernel with its launch (:func:`_kernel`, :func:`_launch`).
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np

from ._keras_arguments import accepts_keras_spellings
from ._shared import KernelSource, decay_line, grad_with_weight_decay, kernel_backend, scalar
from .optimizer import NON_NEGATIVE, UNIT_INTERVAL, Flag, Optimizer, _WorkArrays

if TYPE_CHECKING:
    from backends import Backend

__all__ = ["SGD"]


class SGD(Optimizer):
    r"""Stochastic gradient descent (optionally with momentum / Nesterov), PyTorch's rule.

    With gradient :math:`g_t`, learning rate :math:`\eta`, momentum :math:`\mu`,
    dampening :math:`\tau` and weight decay :math:`\lambda`:

    .. math::
        g_t &\leftarrow g_t + \lambda\,\theta_{t-1} \\
        b_t &= \begin{cases} g_t & t = 1 \\ \mu\, b_{t-1} + (1-\tau)\, g_t & t > 1 \end{cases} \\
        g_t &\leftarrow \begin{cases} g_t + \mu\, b_t & \text{nesterov} \\
                                      b_t & \text{otherwise} \end{cases} \\
        \theta_t &= \theta_{t-1} - \eta\, g_t

    Without momentum (:math:`\mu = 0`) this is plain SGD, :math:`\theta \leftarrow \theta -
    \eta g`. Note the velocity :math:`b` is not multiplied by the learning rate (the
    Sutskever form used by PyTorch); for a constant learning rate it gives the same
    trajectory as the textbook form :math:`v \leftarrow \mu v - \eta g,\ \theta \leftarrow
    \theta + v`.

    Args:
        params: parameters or parameter groups.
        lr: learning rate :math:`\eta` (default 1e-3, PyTorch's default).
        momentum: momentum factor :math:`\mu` (default 0).
        dampening: dampening :math:`\tau` of the momentum, in [0, 1] (default 0).
        weight_decay: L2 penalty :math:`\lambda` (default 0).
        nesterov: use Nesterov accelerated gradient (needs momentum > 0, dampening 0).

    State per parameter: ``momentum_buffer`` (:math:`b`, None until the first step).
    """

    _decaying_state: ClassVar[tuple[str, ...]] = ("momentum_buffer",)

    hyper_parameters = {**Optimizer.hyper_parameters, "momentum": NON_NEGATIVE,
                        "dampening": UNIT_INTERVAL, "nesterov": Flag()}

    _flat_update = True  # elementwise: a group may be updated as one flat array
    _capture_mode = "as is"  # nothing on the host changes between steps

    @accepts_keras_spellings
    def __init__(self, params: Iterable[Any] | None = None, lr: float = 1e-3, momentum: float = 0.0,
                 dampening: float = 0.0, weight_decay: float = 0.0,
                 nesterov: bool = False) -> None:
        defaults = dict(lr=lr, momentum=momentum, dampening=dampening,
                        weight_decay=weight_decay, nesterov=nesterov)
        super().__init__(params, defaults)

    def _check_group(self, group: dict[str, Any]) -> dict[str, Any]:
        super()._check_group(group)
        if group.get("nesterov") and (group["momentum"] <= 0 or group["dampening"] != 0):
            raise ValueError(
                "SGD: nesterov=True requires momentum > 0 and dampening = 0, got "
                f"momentum={group['momentum']!r}, dampening={group['dampening']!r}"
            )
        return group

    def _step_scales(self, group: dict[str, Any]) -> dict[str, float]:
        return {**super()._step_scales(group), "momentum": group["momentum"]}

    def _init_state(self, param: Any, group: dict[str, Any]) -> dict[str, Any]:
        return {"momentum_buffer": None}

    def _update(self, param: Any, grad: Any, state: dict[str, Any], group: dict[str, Any],
                work: _WorkArrays) -> None:
        lr = group["lr"]
        momentum = group["momentum"]
        dampening = group["dampening"]
        weight_decay = group["weight_decay"]
        nesterov = group["nesterov"]
        buf = state["momentum_buffer"]
        first = buf is None
        if momentum != 0 and first:
            buf = param.copy()  # allocated once; filled with the gradient below
            state["momentum_buffer"] = buf

        backend = kernel_backend(param)
        if backend is not None:
            _launch(backend, param, grad, buf if momentum != 0 else None, lr=lr,
                    momentum=momentum, dampening=dampening, weight_decay=weight_decay,
                    nesterov=nesterov, first=first)
            return

        decayed, tmp = work.get(2)
        g = grad_with_weight_decay(param, grad, weight_decay, decayed)  # g = g + wd p
        if momentum != 0:
            if first:
                np.copyto(buf, g)                                  # b = g
            else:
                buf *= momentum                                    # b = mu b
                if dampening == 0:
                    buf += g                                       #     + g
                else:
                    np.multiply(g, 1.0 - dampening, out=tmp)
                    buf += tmp                                     #     + (1 - tau) g
            if nesterov:
                np.multiply(buf, momentum, out=tmp)
                tmp += g
                g = tmp                                            # g = g + mu b
            else:
                g = buf                                            # g = b
        np.multiply(g, -lr, out=tmp)
        param += tmp                                               # p = p - lr g


def reference_step(param: np.ndarray, grad: np.ndarray, state: dict[str, Any],
                   hyper: dict[str, Any]) -> tuple[np.ndarray, dict[str, Any]]:
    """One SGD step as the formula reads: out of place, in float64, no scratch buffers.

    What tests hold the in-place path and the fused kernel to. ``hyper`` is a parameter
    group, ``state`` this parameter's optimizer state (float64 arrays, left unchanged);
    returns the new parameter and the new state.
    """
    lr, mu, tau = hyper["lr"], hyper["momentum"], hyper["dampening"]
    g = grad + hyper["weight_decay"] * param
    b = state["momentum_buffer"]
    if mu != 0:
        b = g if b is None else mu * b + (1 - tau) * g
        g = g + mu * b if hyper["nesterov"] else b
    return param - lr * g, {"momentum_buffer": b}


# --------------------------------------------------------------------------- fused kernel
@functools.cache
def _kernel(decay: bool, momentum: bool, nesterov: bool) -> KernelSource:
    """SGD's fused kernel for one combination of options (``first``: the step that starts
    the momentum buffer ``b = g``)."""
    if not momentum:
        return KernelSource(f"xpgrad_sgd_wd{decay}", "T grad, T lr, T weight_decay",
                            "T param", decay_line(decay) + """
            param = param - lr * gg;""")
    update = ("param = param - lr * (gg + momentum * buf);" if nesterov
              else "param = param - lr * buf;")
    return KernelSource(
        f"xpgrad_sgd_momentum_wd{decay}_nesterov{nesterov}",
        "T grad, T lr, T momentum, T one_minus_dampening, T weight_decay, int32 first",
        "T param, T buf",
        decay_line(decay) + f"""
            buf = first ? gg : momentum * buf + one_minus_dampening * gg;
            {update}""")


def _launch(backend: Backend, param: Any, grad: Any, buf: Any | None, *, lr: float,
            momentum: float, dampening: float, weight_decay: float, nesterov: bool,
            first: bool) -> None:
    """One fused launch updating ``param`` and its state in place; the scalars are
    computed on the host and cast to the parameter's dtype."""
    s = functools.partial(scalar, param)
    if buf is None:
        _kernel(weight_decay != 0, False, False).on(backend)(
            grad, s(lr), s(weight_decay), param)
        return
    _kernel(weight_decay != 0, True, nesterov).on(backend)(
        grad, s(lr), s(momentum), s(1.0 - dampening), s(weight_decay), int(first), param, buf)
