"""Adam: momentum on the gradient plus RMSprop's per-coordinate scaling, bias-corrected.

The rule in its forms, top to bottom: the formula (:class:`Adam`'s docstring), the in-place
NumPy update (``Adam._update``, the formula on each line), :func:`reference_step` (the
formula in plain float64 NumPy, which tests hold both fast paths to) and the fused CUDA
kernel with its launch (:func:`_kernel`, :func:`_launch`). The first half of the step,
weight decay and the two moments, is shared with NAdam and RAdam in both fast forms
(:func:`_adam_moments_`, :func:`_adam_moments_cuda`).
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np

from ._keras_arguments import accepts_keras_spellings
from ._shared import (
    LERP,
    KernelSource,
    decay_line,
    grad_with_weight_decay,
    kernel_backend,
    lerp_,
    scalar,
)
from .optimizer import POSITIVE_EPS, Betas, Flag, Optimizer, _WorkArrays

if TYPE_CHECKING:
    from backends import Backend

__all__ = ["Adam"]


class Adam(Optimizer):
    r"""Adam (Kingma & Ba, 2015), PyTorch's rule; AMSGrad (Reddi et al., 2018) optional.

    .. math::
        g_t &\leftarrow g_t + \lambda\,\theta_{t-1}
            \quad\text{(or } \theta_{t-1} \leftarrow (1-\eta\lambda)\,\theta_{t-1}
            \text{ if decoupled, i.e. AdamW)} \\
        m_t &= \beta_1 m_{t-1} + (1-\beta_1)\, g_t \\
        v_t &= \beta_2 v_{t-1} + (1-\beta_2)\, g_t^2 \\
        \hat v_t &= \max(\hat v_{t-1}, v_t) \text{ if amsgrad, else } v_t \\
        \theta_t &= \theta_{t-1} - \frac{\eta}{1-\beta_1^t}\,
            \frac{m_t}{\sqrt{\hat v_t}\,/\sqrt{1-\beta_2^t} + \epsilon}

    :math:`1-\beta_1^t` and :math:`1-\beta_2^t` undo the bias of the zero-initialised
    moving averages in the first steps. They are Python floats: no device sync.

    Args:
        lr: :math:`\eta` (default 1e-3). betas: :math:`(\beta_1, \beta_2)` ((0.9, 0.999)).
        eps: :math:`\epsilon` (1e-8; Keras' ``"adam"`` uses 1e-7); must be > 0.
        weight_decay: :math:`\lambda` (0). amsgrad: use :math:`\max` of past :math:`v`.
        decoupled_weight_decay: decay the weights directly (AdamW) instead of adding
            :math:`\lambda\theta` to the gradient.

    State per parameter: ``step``, ``exp_avg`` (:math:`m`), ``exp_avg_sq`` (:math:`v`),
    ``max_exp_avg_sq`` (:math:`\hat v`, if amsgrad).
    """

    _decaying_state: ClassVar[tuple[str, ...]] = ("exp_avg", "exp_avg_sq")

    hyper_parameters = {**Optimizer.hyper_parameters, "betas": Betas(), "eps": POSITIVE_EPS,
                        "amsgrad": Flag(), "decoupled_weight_decay": Flag()}

    _flat_update = True  # elementwise: a group may be updated as one flat array
    _capture_mode = "device step"  # its step count can live on the device

    @accepts_keras_spellings
    def __init__(self, params: Iterable[Any] | None = None, lr: float = 1e-3,
                 betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 0.0, amsgrad: bool = False, *,
                 decoupled_weight_decay: bool = False) -> None:
        defaults = dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay,
                        amsgrad=amsgrad, decoupled_weight_decay=decoupled_weight_decay)
        super().__init__(params, defaults)

    def _init_state(self, param: Any, group: dict[str, Any]) -> dict[str, Any]:
        zeros = param.copy()
        zeros[...] = 0
        state: dict[str, Any] = {"step": 0, "exp_avg": zeros, "exp_avg_sq": zeros.copy()}
        if group["amsgrad"]:
            state["max_exp_avg_sq"] = zeros.copy()
        return state

    def _update(self, param: Any, grad: Any, state: dict[str, Any], group: dict[str, Any],
                work: _WorkArrays) -> None:
        state["step"] += 1  # in place where it is a device array (a captured step)
        step = state["step"]
        lr, eps, weight_decay = group["lr"], group["eps"], group["weight_decay"]
        beta1, beta2 = group["betas"]
        decoupled = group["decoupled_weight_decay"]
        exp_avg, exp_avg_sq = state["exp_avg"], state["exp_avg_sq"]
        max_exp_avg_sq = state.get("max_exp_avg_sq") if group["amsgrad"] else None
        backend = kernel_backend(param)
        if backend is not None and hasattr(step, "shape"):  # the count in device memory:
            _launch(backend, param, grad, exp_avg, exp_avg_sq, max_exp_avg_sq, lr=lr,
                    beta1=beta1, beta2=beta2, eps=eps, weight_decay=weight_decay,
                    decoupled=decoupled, device_step=step)  # bias corrected in the kernel
            return
        bias_correction1 = 1 - beta1**step
        bias_correction2_sqrt = (1 - beta2**step) ** 0.5
        step_size = lr / bias_correction1
        if backend is not None:
            _launch(backend, param, grad, exp_avg, exp_avg_sq, max_exp_avg_sq, lr=lr,
                    beta1=beta1, beta2=beta2, eps=eps, weight_decay=weight_decay,
                    decoupled=decoupled, step_size=step_size,
                    bias_correction2_sqrt=bias_correction2_sqrt)
            return

        decayed, tmp = work.get(2)
        _adam_moments_(param, grad, exp_avg, exp_avg_sq, lr, beta1, beta2, weight_decay,
                       decoupled, decayed, tmp)                    # decay; m, v
        if max_exp_avg_sq is not None:
            np.maximum(max_exp_avg_sq, exp_avg_sq, out=max_exp_avg_sq)  # v_max = max(v_max, v)
            np.sqrt(max_exp_avg_sq, out=tmp)                       # d = sqrt(v_max)
        else:
            np.sqrt(exp_avg_sq, out=tmp)                           # d = sqrt(v)
        tmp /= bias_correction2_sqrt                               #     / sqrt(1 - b2^t)
        tmp += eps                                                 #     + eps
        np.divide(exp_avg, tmp, out=tmp)
        tmp *= -step_size
        param += tmp                                               # p = p - lr/(1 - b1^t) m/d

    def _step_scales(self, group: dict[str, Any]) -> dict[str, float]:
        return _with_bias_correction(super()._step_scales(group), group)


def _with_bias_correction(scales: dict[str, float], group: dict[str, Any]) -> dict[str, float]:
    """Add the Adam family's largest step size, ``lr / (1 - beta_1 ** t)`` at ``t = 1``."""
    return {**scales, "lr / (1 - beta_1)": group["lr"] / (1.0 - group["betas"][0])}


def _adam_moments_(param: Any, grad: Any, exp_avg: Any, exp_avg_sq: Any, lr: float, beta1: float,
                   beta2: float, weight_decay: float, decoupled: bool, decayed: Any,
                   tmp: Any) -> Any:
    """The first half of every Adam-family step (NumPy path), shared by Adam, NAdam, RAdam.

    Weight decay (decoupled: ``p <- p (1 - lr wd)``; else ``g <- g + wd p``), then the
    moment estimates ``m <- b1 m + (1 - b1) g`` and ``v <- b2 v + (1 - b2) g^2`` in place.
    Returns the (possibly decayed) gradient ``g``; ``decayed`` and ``tmp`` are scratch.
    """
    if weight_decay != 0 and decoupled:
        param *= 1 - lr * weight_decay                             # p = (1 - lr wd) p
        g = grad
    else:
        g = grad_with_weight_decay(param, grad, weight_decay, decayed)  # g = g + wd p
    lerp_(exp_avg, g, 1 - beta1, tmp)                              # m = b1 m + (1 - b1) g
    exp_avg_sq *= beta2                                            # v = b2 v
    np.multiply(g, g, out=tmp)
    tmp *= 1 - beta2
    exp_avg_sq += tmp                                              #     + (1 - b2) g^2
    return g


def reference_step(param: np.ndarray, grad: np.ndarray, state: dict[str, Any],
                   hyper: dict[str, Any]) -> tuple[np.ndarray, dict[str, Any]]:
    """One Adam (or AdamW) step as the formula reads: out of place, in float64, no scratch.

    What tests hold the in-place path and the fused kernel to. ``hyper`` is a parameter
    group, ``state`` this parameter's optimizer state (float64 arrays, left unchanged);
    returns the new parameter and the new state.
    """
    lr, eps, wd = hyper["lr"], hyper["eps"], hyper["weight_decay"]
    beta1, beta2 = hyper["betas"]
    t = state["step"] + 1
    g = grad
    if hyper["decoupled_weight_decay"]:
        param = (1 - lr * wd) * param
    else:
        g = g + wd * param
    m = beta1 * state["exp_avg"] + (1 - beta1) * g
    v = beta2 * state["exp_avg_sq"] + (1 - beta2) * g**2
    new_state = {"step": t, "exp_avg": m, "exp_avg_sq": v}
    v_hat = v
    if hyper["amsgrad"]:
        v_hat = new_state["max_exp_avg_sq"] = np.maximum(state["max_exp_avg_sq"], v)
    param = param - lr / (1 - beta1**t) * m / (np.sqrt(v_hat) / np.sqrt(1 - beta2**t) + eps)
    return param, new_state


# --------------------------------------------------------------------------- fused kernel
def _adam_moments_cuda(decay: bool, decoupled: bool) -> str:
    """The kernel lines of :func:`_adam_moments_` (Adam, NAdam, RAdam): weight decay, then
    both moments; ``gg`` is the gradient the rest of the kernel uses."""
    if decay and decoupled:
        lines = "param = param * decay_factor; T gg = grad;"
    else:
        lines = decay_line(decay)
    return lines + """
        exp_avg = xpg_lerp(exp_avg, gg, one_minus_beta1);
        exp_avg_sq = beta2 * exp_avg_sq + one_minus_beta2 * (gg * gg);"""


# The scalars of _adam_moments_cuda; ``decay_factor`` is AdamW's 1 - lr * weight_decay.
_ADAM_FAMILY_SCALARS = ("T grad, T lr, T one_minus_beta1, T beta2, T one_minus_beta2, T eps, "
                        "T weight_decay, T decay_factor")


def _adam_family_scalars(param: Any, lr: float, beta1: float, beta2: float, eps: float,
                         weight_decay: float) -> tuple[Any, ...]:
    """The values of :data:`_ADAM_FAMILY_SCALARS` but ``grad``, in the parameter's dtype."""
    s = functools.partial(scalar, param)
    return (s(lr), s(1.0 - beta1), s(beta2), s(1.0 - beta2), s(eps), s(weight_decay),
            s(1.0 - lr * weight_decay))


@functools.cache
def _kernel(decay: bool, decoupled: bool, amsgrad: bool, device_step: bool = False) -> KernelSource:
    """Adam's (and AdamW's) fused kernel for one combination of options. With
    ``device_step`` it reads the step count t from device memory (a 0-d array) and
    corrects the bias itself, so that a captured step replays with the right t."""
    if amsgrad:
        denom = """
        max_exp_avg_sq = (exp_avg_sq > max_exp_avg_sq || exp_avg_sq != exp_avg_sq)
            ? exp_avg_sq : max_exp_avg_sq;  // max, NaN kept as torch.maximum keeps it
        T denom = sqrt(max_exp_avg_sq) / bias_correction2_sqrt + eps;"""
    else:
        denom = """
        T denom = sqrt(exp_avg_sq) / bias_correction2_sqrt + eps;"""
    if device_step:  # in double, then rounded, as the host computes them (_update)
        scalars = ", T step, float64 lr_d, float64 beta1_d, float64 beta2_d"
        corrections = """
        double t = (double)step;
        T step_size = (T)(lr_d / (1.0 - pow(beta1_d, t)));          // lr / (1 - b1^t)
        T bias_correction2_sqrt = (T)pow(1.0 - pow(beta2_d, t), 0.5);  // (1 - b2^t)^0.5
        """
    else:
        scalars, corrections = ", T step_size, T bias_correction2_sqrt", ""
    return KernelSource(
        f"xpgrad_adam_wd{decay}_dec{decoupled}_ams{amsgrad}_dev{device_step}",
        _ADAM_FAMILY_SCALARS + scalars,
        "T param, T exp_avg, T exp_avg_sq" + (", T max_exp_avg_sq" if amsgrad else ""),
        corrections + _adam_moments_cuda(decay, decoupled) + denom + """
        param = param - step_size * (exp_avg / denom);""",
        LERP)


def _launch(backend: Backend, param: Any, grad: Any, exp_avg: Any, exp_avg_sq: Any,
            max_exp_avg_sq: Any | None, *, lr: float, beta1: float, beta2: float, eps: float,
            weight_decay: float, decoupled: bool, step_size: float = 0.0,
            bias_correction2_sqrt: float = 1.0, device_step: Any = None) -> None:
    """One fused launch updating ``param`` and its state in place; the scalars are
    computed on the host and cast to the parameter's dtype, the bias corrections in the
    kernel from ``device_step`` when it is given (a 0-d device array)."""
    amsgrad = max_exp_avg_sq is not None
    on_device = device_step is not None
    kernel = _kernel(weight_decay != 0, decoupled, amsgrad, on_device).on(backend)
    states = (exp_avg, exp_avg_sq) + ((max_exp_avg_sq,) if amsgrad else ())
    tail = ((device_step, float(lr), float(beta1), float(beta2)) if on_device
            else (scalar(param, step_size), scalar(param, bias_correction2_sqrt)))
    kernel(grad, *_adam_family_scalars(param, lr, beta1, beta2, eps, weight_decay), *tail,
           param, *states)
