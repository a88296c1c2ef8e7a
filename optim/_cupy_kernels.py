"""Fused CuPy kernels: one elementwise launch per parameter per optimizer step.

Each function here mirrors the NumPy path of one optimizer (same formulas, same order of
operations) but does the whole per-parameter update in a single ``cupy.ElementwiseKernel``
instead of a dozen separate launches. Parameters and state are updated in place (they are
passed as the kernel's output arguments, which CUDA code may also read).

Scalar hyper-parameters (learning rate, bias corrections...) are computed on the host as
Python floats and passed by value, cast to the parameter dtype, so a float32 model stays
float32 and nothing is read back from the device. Coefficients such as ``1 - beta2`` are
computed on the host in double precision too, as PyTorch and the NumPy path do: computed
in float32 inside the kernel, ``1 - 0.999f`` is off by 1.3e-5 relative.

CuPy is imported lazily, on the first GPU step: importing :mod:`optim` never needs CuPy.
Options that change the shape of the computation (momentum, nesterov, amsgrad, centered,
decoupled decay...) select between kernels compiled separately, so the kernels contain no
dead branches and never alias an output argument.
"""

from __future__ import annotations

import functools
from typing import Any

_LERP = """
// PyTorch's lerp: start + w (end - start) for |w| < 0.5, else end - (end - start)(1 - w)
template <typename T> __device__ T xpg_lerp(T start, T end, T w) {
    return (fabs((double)w) < 0.5) ? start + w * (end - start)
                                   : end - (end - start) * ((T)1 - w);
}
"""


@functools.cache
def _kernel(name: str, in_params: str, out_params: str, body: str, preamble: str = "") -> Any:
    import cupy

    return cupy.ElementwiseKernel(in_params, out_params, body, f"xpgrad_{name}",
                                  preamble=preamble)


def _scalar(param: Any, value: float) -> Any:
    """A host scalar of the parameter's dtype (a float32 model gets float32 constants)."""
    return param.dtype.type(value)


def _decay(weight_decay: float) -> str:
    """CUDA line computing the (L2-decayed) gradient ``gg``."""
    return "T gg = grad + weight_decay * param;" if weight_decay != 0 else "T gg = grad;"


def _adam_moments(weight_decay: float, decoupled: bool) -> str:
    """CUDA lines shared by Adam, NAdam and RAdam: weight decay, then both moment estimates."""
    if weight_decay != 0 and decoupled:
        body = "param = param * decay_factor; T gg = grad;"
    else:
        body = _decay(weight_decay)
    return body + """
        exp_avg = xpg_lerp(exp_avg, gg, one_minus_beta1);
        exp_avg_sq = beta2 * exp_avg_sq + one_minus_beta2 * (gg * gg);"""


# --------------------------------------------------------------------------- SGD
def sgd(param: Any, grad: Any, buf: Any | None, *, lr: float, momentum: float,
        dampening: float, weight_decay: float, nesterov: bool, first: bool) -> None:
    s = functools.partial(_scalar, param)
    if buf is None:
        body = _decay(weight_decay) + "param = param - lr * gg;"
        k = _kernel(f"sgd_wd{weight_decay != 0}", "T grad, T lr, T weight_decay", "T param",
                    body)
        k(grad, s(lr), s(weight_decay), param)
        return
    body = _decay(weight_decay)
    body += "buf = first ? gg : momentum * buf + one_minus_dampening * gg;"
    body += ("param = param - lr * (gg + momentum * buf);" if nesterov
             else "param = param - lr * buf;")
    k = _kernel(f"sgd_momentum_wd{weight_decay != 0}_nesterov{nesterov}",
                "T grad, T lr, T momentum, T one_minus_dampening, T weight_decay, int32 first",
                "T param, T buf", body)
    k(grad, s(lr), s(momentum), s(1.0 - dampening), s(weight_decay), int(first), param, buf)


# --------------------------------------------------------------------------- Adagrad
def adagrad(param: Any, grad: Any, total: Any, *, clr: float, weight_decay: float,
            eps: float) -> None:
    s = functools.partial(_scalar, param)
    body = _decay(weight_decay) + """
        total = total + gg * gg;
        param = param - clr * (gg / (sqrt(total) + eps));
    """
    k = _kernel(f"adagrad_wd{weight_decay != 0}", "T grad, T clr, T weight_decay, T eps",
                "T param, T total", body)
    k(grad, s(clr), s(weight_decay), s(eps), param, total)


# --------------------------------------------------------------------------- Adadelta
def adadelta(param: Any, grad: Any, square_avg: Any, acc_delta: Any, *, lr: float, rho: float,
             eps: float, weight_decay: float) -> None:
    s = functools.partial(_scalar, param)
    body = _decay(weight_decay) + """
        square_avg = rho * square_avg + one_minus_rho * (gg * gg);
        T delta = sqrt(acc_delta + eps) / sqrt(square_avg + eps) * gg;
        acc_delta = rho * acc_delta + one_minus_rho * (delta * delta);
        param = param - lr * delta;
    """
    k = _kernel(f"adadelta_wd{weight_decay != 0}",
                "T grad, T lr, T rho, T one_minus_rho, T eps, T weight_decay",
                "T param, T square_avg, T acc_delta", body)
    k(grad, s(lr), s(rho), s(1.0 - rho), s(eps), s(weight_decay), param, square_avg, acc_delta)


# --------------------------------------------------------------------------- RMSprop
def rmsprop(param: Any, grad: Any, square_avg: Any, grad_avg: Any | None, buf: Any | None, *,
            lr: float, alpha: float, eps: float, weight_decay: float, momentum: float) -> None:
    s = functools.partial(_scalar, param)
    centered, with_momentum = grad_avg is not None, buf is not None
    body = _decay(weight_decay) + "square_avg = alpha * square_avg + one_minus_alpha * (gg * gg);"
    if centered:
        body += """
        grad_avg = xpg_lerp(grad_avg, gg, one_minus_alpha);
        T avg = sqrt(square_avg - grad_avg * grad_avg) + eps;"""
    else:
        body += "T avg = sqrt(square_avg) + eps;"
    if with_momentum:
        body += "buf = momentum * buf + gg / avg; param = param - lr * buf;"
    else:
        body += "param = param - lr * (gg / avg);"
    outs = ["T param", "T square_avg"]
    arrays = [param, square_avg]
    if centered:
        outs.append("T grad_avg")
        arrays.append(grad_avg)
    if with_momentum:
        outs.append("T buf")
        arrays.append(buf)
    k = _kernel(f"rmsprop_wd{weight_decay != 0}_c{centered}_m{with_momentum}",
                "T grad, T lr, T alpha, T one_minus_alpha, T eps, T weight_decay, T momentum",
                ", ".join(outs), body, _LERP)
    k(grad, s(lr), s(alpha), s(1.0 - alpha), s(eps), s(weight_decay), s(momentum), *arrays)


# --------------------------------------------------------------------------- Adam family
# Scalars shared by Adam, NAdam and RAdam; ``decay_factor`` is AdamW's 1 - lr * weight_decay.
_ADAM_FAMILY_SCALARS = ("T grad, T lr, T one_minus_beta1, T beta2, T one_minus_beta2, T eps, "
                        "T weight_decay, T decay_factor")


def _adam_family_scalars(s: Any, lr: float, beta1: float, beta2: float, eps: float,
                         weight_decay: float) -> tuple[Any, ...]:
    return (s(lr), s(1.0 - beta1), s(beta2), s(1.0 - beta2), s(eps), s(weight_decay),
            s(1.0 - lr * weight_decay))


# --------------------------------------------------------------------------- Adam / AdamW
def adam(param: Any, grad: Any, exp_avg: Any, exp_avg_sq: Any, max_exp_avg_sq: Any | None, *,
         lr: float, beta1: float, beta2: float, eps: float, weight_decay: float,
         decoupled: bool, step_size: float, bias_correction2_sqrt: float) -> None:
    s = functools.partial(_scalar, param)
    amsgrad = max_exp_avg_sq is not None
    body = _adam_moments(weight_decay, decoupled)
    if amsgrad:
        body += """
        max_exp_avg_sq = (exp_avg_sq > max_exp_avg_sq) ? exp_avg_sq : max_exp_avg_sq;
        T denom = sqrt(max_exp_avg_sq) / bias_correction2_sqrt + eps;"""
    else:
        body += "T denom = sqrt(exp_avg_sq) / bias_correction2_sqrt + eps;"
    body += "param = param - step_size * (exp_avg / denom);"
    outs = "T param, T exp_avg, T exp_avg_sq" + (", T max_exp_avg_sq" if amsgrad else "")
    k = _kernel(f"adam_wd{weight_decay != 0}_dec{decoupled}_ams{amsgrad}",
                _ADAM_FAMILY_SCALARS + ", T step_size, T bias_correction2_sqrt", outs, body,
                _LERP)
    arrays = [param, exp_avg, exp_avg_sq] + ([max_exp_avg_sq] if amsgrad else [])
    k(grad, *_adam_family_scalars(s, lr, beta1, beta2, eps, weight_decay), s(step_size),
      s(bias_correction2_sqrt), *arrays)


# --------------------------------------------------------------------------- Adamax
def adamax(param: Any, grad: Any, exp_avg: Any, exp_inf: Any, *, beta1: float, beta2: float,
           eps: float, weight_decay: float, clr: float) -> None:
    s = functools.partial(_scalar, param)
    body = _decay(weight_decay) + """
        exp_avg = xpg_lerp(exp_avg, gg, one_minus_beta1);
        T decayed_inf = beta2 * exp_inf;
        T abs_grad = fabs(gg) + eps;
        exp_inf = (decayed_inf > abs_grad) ? decayed_inf : abs_grad;
        param = param - clr * (exp_avg / exp_inf);
    """
    k = _kernel(f"adamax_wd{weight_decay != 0}",
                "T grad, T one_minus_beta1, T beta2, T eps, T weight_decay, T clr",
                "T param, T exp_avg, T exp_inf", body, _LERP)
    k(grad, s(1.0 - beta1), s(beta2), s(eps), s(weight_decay), s(clr), param, exp_avg,
      exp_inf)


# --------------------------------------------------------------------------- NAdam
def nadam(param: Any, grad: Any, exp_avg: Any, exp_avg_sq: Any, *, lr: float, beta1: float,
          beta2: float, eps: float, weight_decay: float, decoupled: bool,
          bias_correction2: float, grad_coef: float, avg_coef: float) -> None:
    s = functools.partial(_scalar, param)
    body = _adam_moments(weight_decay, decoupled)
    body += """
        T denom = sqrt(exp_avg_sq / bias_correction2) + eps;
        param = param + grad_coef * (gg / denom);
        param = param + avg_coef * (exp_avg / denom);
    """
    k = _kernel(f"nadam_wd{weight_decay != 0}_dec{decoupled}",
                _ADAM_FAMILY_SCALARS + ", T bias_correction2, T grad_coef, T avg_coef",
                "T param, T exp_avg, T exp_avg_sq", body, _LERP)
    k(grad, *_adam_family_scalars(s, lr, beta1, beta2, eps, weight_decay),
      s(bias_correction2), s(grad_coef), s(avg_coef), param, exp_avg, exp_avg_sq)


# --------------------------------------------------------------------------- RAdam
def radam(param: Any, grad: Any, exp_avg: Any, exp_avg_sq: Any, *, lr: float, beta1: float,
          beta2: float, eps: float, weight_decay: float, decoupled: bool,
          bias_correction1: float, bias_correction2_sqrt: float, rectified: bool,
          rect: float) -> None:
    s = functools.partial(_scalar, param)
    body = _adam_moments(weight_decay, decoupled)
    body += """
        T update = exp_avg / bias_correction1 * lr;"""
    if rectified:
        body += "update = update * (bias_correction2_sqrt / (sqrt(exp_avg_sq) + eps)) * rect;"
    body += "param = param - update;"
    k = _kernel(f"radam_wd{weight_decay != 0}_dec{decoupled}_rect{rectified}",
                _ADAM_FAMILY_SCALARS + ", T bias_correction1, T bias_correction2_sqrt, T rect",
                "T param, T exp_avg, T exp_avg_sq", body, _LERP)
    k(grad, *_adam_family_scalars(s, lr, beta1, beta2, eps, weight_decay),
      s(bias_correction1), s(bias_correction2_sqrt), s(rect), param, exp_avg, exp_avg_sq)


# --------------------------------------------------------------------------- Lion
def lion(param: Any, grad: Any, exp_avg: Any, *, lr: float, beta1: float, beta2: float,
         weight_decay: float) -> None:
    s = functools.partial(_scalar, param)
    body = """
        T c = beta1 * exp_avg + one_minus_beta1 * grad;
        T direction = (c > (T)0) ? (T)1 : ((c < (T)0) ? (T)-1 : (T)0);
        param = param - lr * (direction + weight_decay * param);
        exp_avg = beta2 * exp_avg + one_minus_beta2 * grad;
    """
    k = _kernel("lion", "T grad, T lr, T beta1, T one_minus_beta1, T beta2, T one_minus_beta2, "
                "T weight_decay", "T param, T exp_avg", body)
    k(grad, s(lr), s(beta1), s(1.0 - beta1), s(beta2), s(1.0 - beta2), s(weight_decay), param,
      exp_avg)
