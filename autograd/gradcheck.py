"""``gradcheck``: compare backward()'s gradients with central finite differences."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from backends import backend_of, get_array_module

from .engine import grad
from .grad_mode import enable_grad, no_grad
from .tensor import Tensor, _wrap


class GradcheckError(AssertionError):
    """Raised by ``gradcheck`` when analytical and numerical gradients disagree."""


def gradcheck(
    fn: Callable[..., Any],
    inputs: Sequence[Any],
    eps: float = 1e-6,
    atol: float = 1e-5,
    rtol: float = 1e-4,
    seed: int = 0,
    verbose: bool = False,
) -> bool:
    """Check ``fn``'s gradients against central differences, in float64, on the inputs' device.

    Every floating-point tensor in ``inputs`` is copied to float64 and differentiated;
    other inputs are passed through unchanged. ``fn`` may return a tensor or a tuple of
    tensors. Each output is contracted with a fixed random cotangent ``v`` (drawn with
    ``seed``) so that one backward pass gives the gradient of ``L = sum(v * fn(x))``,
    which is compared elementwise with

        dL/dx_i ~ (L(x + eps e_i) - L(x - eps e_i)) / (2 eps)

    A pair passes when ``|analytic - numeric| <= atol + rtol * |numeric|``.
    ``verbose=True`` prints, for teaching, a table per input with every element's
    analytical and numerical gradient and their difference. Returns True,
    or raises ``GradcheckError`` naming the input, the index and both values of the
    worst element. Keep inputs away from kinks (ReLU or abs at 0, ties in max), where
    finite differences are meaningless.
    """
    inputs = list(inputs)
    positions = [i for i, x in enumerate(inputs) if _is_float_tensor(x)]
    if not positions:
        raise ValueError("gradcheck: no floating-point tensor among the inputs")
    xs = list(inputs)
    for i in positions:
        xs[i] = Tensor(
            inputs[i].array.astype(np.float64), device=inputs[i].device, requires_grad=True
        )

    with enable_grad():
        outputs = _as_tuple(fn(*xs))
    rng = np.random.default_rng(seed)
    cotangents = []
    for out in outputs:
        xp = get_array_module(out.array)
        v = rng.standard_normal(out.shape)
        cotangents.append(backend_of(out.array).from_host(v) if xp is not np else v)

    differentiable = [o for o in outputs if o.requires_grad]
    if differentiable:
        used = [v for o, v in zip(outputs, cotangents, strict=False) if o.requires_grad]
        analytic = grad(
            differentiable, [xs[i] for i in positions], [_wrap(v) for v in used], allow_unused=True
        )
    else:
        analytic = (None,) * len(positions)

    def objective() -> float:
        with no_grad():
            outs = _as_tuple(fn(*xs))
            return float(
                sum(
                    float((o.array.astype(np.float64) * v).sum())
                    for o, v in zip(outs, cotangents, strict=True)
                )
            )

    worst = None
    for k, i in enumerate(positions):
        x = xs[i].array
        host = backend_of(x).to_host(x)
        numeric = np.empty(host.shape)
        flat = x.reshape(-1)  # a view: writes go into xs[i]
        for j in range(flat.size):
            orig = float(flat[j])
            flat[j] = orig + eps
            plus = objective()
            flat[j] = orig - eps
            minus = objective()
            flat[j] = orig
            numeric.reshape(-1)[j] = (plus - minus) / (2 * eps)
        g = analytic[k]
        got = (
            np.zeros(host.shape)
            if g is None
            else np.asarray(backend_of(g.array).to_host(g.array), np.float64)
        )
        if verbose:
            _print_table(i, got, numeric, atol, rtol)
        excess = np.abs(got - numeric) - (atol + rtol * np.abs(numeric))
        if excess.size and excess.max() > 0:
            j = np.unravel_index(int(np.argmax(excess)), excess.shape)
            if worst is None or excess[j] > worst[0]:
                worst = (excess[j], i, tuple(int(n) for n in j), got[j], numeric[j])
    if worst is not None:
        _, i, index, a, n = worst
        raise GradcheckError(
            f"gradcheck failed for input {i} at index {index}: analytical {float(a)!r} vs "
            f"numerical {float(n)!r} "
            f"(atol={atol}, rtol={rtol}, eps={eps})"
        )
    return True


def _print_table(i: int, analytic: np.ndarray, numeric: np.ndarray, atol: float,
                 rtol: float) -> None:
    """One line per element: index, backward()'s value, the finite difference, |diff|."""
    print(f"input {i}: shape {analytic.shape}")
    print(f"  {'index':<14}{'analytical':>16}{'numerical':>16}{'|difference|':>16}  ok")
    for j in np.ndindex(analytic.shape):
        a, n = float(analytic[j]), float(numeric[j])
        ok = abs(a - n) <= atol + rtol * abs(n)
        print(f"  {str(j):<14}{a:>16.8g}{n:>16.8g}{abs(a - n):>16.3e}  {'yes' if ok else 'NO'}")


def _is_float_tensor(x: Any) -> bool:
    return isinstance(x, Tensor) and x.array.dtype.kind == "f"


def _as_tuple(out: Any) -> tuple[Tensor, ...]:
    if isinstance(out, Tensor):
        return (out,)
    return tuple(out)
