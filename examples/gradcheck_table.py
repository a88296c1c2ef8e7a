"""Checking gradients: backward() against finite differences, element by element.

Hands-On ML ch. 10 "Backpropagation" (and its appendix on autodiff: finite differences are
the slow, approximate way to the same numbers), Kaggle's "Stochastic Gradient Descent".
Every op's backward is a hand-written formula; ``autograd.gradcheck(fn, inputs,
verbose=True)`` checks it by nudging each input element by +-eps and comparing the slope
it sees, (f(x + eps) - f(x - eps)) / (2 eps), with what backward() says. The table it
prints has one row per element: analytical, numerical, their difference, ok?

Three checks: a Dense layer with tanh (passes), then a custom ``autograd.Function`` for the
sigmoid with a classic bug in its backward (it returns s instead of s (1 - s)), which the
table catches, then the fixed op. gradcheck.png shows (left) each element's analytical
against numerical gradient for the buggy and the fixed op, and (right) why gradcheck works
in float64 with eps = 1e-6: the finite difference's error against eps, which falls with eps
(truncation error ~ eps^2) until rounding error (~ machine epsilon / eps) takes over.

    python examples/gradcheck_table.py            # the full run is as small as --quick
"""

from __future__ import annotations

from collections.abc import Callable

import matplotlib.pyplot as plt
import numpy as np
from _study import parse_args, save_figure

import autograd


class BuggySigmoid(autograd.Function):
    """s = 1 / (1 + exp(-x)), with the bug: ds/dx written as s instead of s (1 - s)."""

    def forward(self, x: np.ndarray) -> np.ndarray:
        return 1.0 / (1.0 + np.exp(-x))

    def backward(self, gy: autograd.Tensor) -> autograd.Tensor:
        return gy * self.output()  # wrong: missing the factor (1 - s)


class Sigmoid(BuggySigmoid):
    """The same op with the right derivative, ds/dx = s (1 - s)."""

    def backward(self, gy: autograd.Tensor) -> autograd.Tensor:
        s = self.output()
        return gy * s * (1.0 - s)


def numerical_gradient(f: Callable[[np.ndarray], float], x: np.ndarray, eps: float) -> np.ndarray:
    """Central differences, one element at a time: what gradcheck's "numerical" column is."""
    grad = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        plus, minus = x.copy(), x.copy()
        plus[i] += eps
        minus[i] -= eps
        grad[i] = (f(plus) - f(minus)) / (2 * eps)
    return grad


def analytic_gradient(op: type[autograd.Function], x: np.ndarray) -> np.ndarray:
    """backward()'s gradient of sum(op(x)) with respect to x."""
    t = autograd.Tensor(x, requires_grad=True)
    op()(t).sum().backward()
    return t.grad.numpy()


def main() -> None:
    args = parse_args(__doc__)  # --quick changes nothing: the example is tiny either way
    rng = np.random.default_rng(args.seed)

    print("1. A Dense layer with tanh, tanh(x @ kernel + bias): gradients of kernel and bias")
    x = autograd.Tensor(rng.normal(size=(2, 3)))
    kernel = autograd.Tensor(rng.normal(size=(3, 2)), requires_grad=True)
    bias = autograd.Tensor(rng.normal(size=(2,)), requires_grad=True)
    autograd.gradcheck(lambda k, b: (x @ k + b).tanh(), [kernel, bias], verbose=True)
    print("-> passed\n")

    print("2. A custom sigmoid whose backward forgets the factor (1 - s)")
    z = autograd.Tensor(rng.normal(size=(2, 3)), requires_grad=True)
    try:
        autograd.gradcheck(lambda t: BuggySigmoid()(t), [z], verbose=True)
    except autograd.GradcheckError as error:
        print(f"-> GradcheckError: {error}\n")

    print("3. The fixed sigmoid")
    autograd.gradcheck(lambda t: Sigmoid()(t), [z], verbose=True)
    print("-> passed")

    # The figure. Left: both ops' elements, analytical against numerical.
    points = rng.normal(size=(4, 5)) * 2
    numeric = numerical_gradient(lambda v: float(Sigmoid().forward(v).sum()), points, 1e-6)
    fig, (ax_scatter, ax_eps) = plt.subplots(1, 2, figsize=(11, 4.3), layout="constrained")
    for op, colour, marker in ((BuggySigmoid, "tab:red", "x"), (Sigmoid, "tab:green", "o")):
        ax_scatter.plot(numeric.ravel(), analytic_gradient(op, points).ravel(), marker,
                        color=colour, label=f"{op.__name__}: backward()")  # fmt: skip
    ax_scatter.plot([0, 1], [0, 1], "k--", lw=1, label="analytical = numerical")
    ax_scatter.set(title="Each element: backward() against finite differences",
                   xlabel="numerical gradient (central difference, eps = 1e-6)",
                   ylabel="analytical gradient (backward())")  # fmt: skip
    ax_scatter.grid(alpha=0.3)
    ax_scatter.legend(fontsize=8)

    # Right: the finite difference's error against eps, at x = 0.5, in float64 and float32.
    # Each evaluation is rounded to the dtype, as gradcheck's would be.
    epsilons = np.logspace(-12, -0.5, 60)
    exact = float(Sigmoid().forward(np.array(0.5)) * (1 - Sigmoid().forward(np.array(0.5))))
    for dtype, colour in ((np.float64, "tab:blue"), (np.float32, "tab:orange")):

        def f(v: float, dtype: type = dtype) -> float:
            return float(Sigmoid().forward(np.asarray(v, dtype=dtype)))

        errors = [abs((f(0.5 + e) - f(0.5 - e)) / (2 * e) - exact) for e in epsilons]
        ax_eps.loglog(epsilons, np.maximum(errors, 1e-17), color=colour,
                      label=np.dtype(dtype).name)  # fmt: skip
    ax_eps.axvline(1e-6, color="gray", ls="--", lw=1, label="gradcheck's eps = 1e-6")
    ax_eps.text(0.03, 0.04, "rounding error\n~ machine epsilon / eps", transform=ax_eps.transAxes,
                fontsize=8, color="dimgray")  # fmt: skip
    ax_eps.text(0.97, 0.04, "truncation error\n~ eps^2", transform=ax_eps.transAxes,
                fontsize=8, color="dimgray", ha="right")  # fmt: skip
    ax_eps.set(
        title="Central-difference error vs eps (sigmoid at x = 0.5)",
        xlabel="eps (log scale)",
        ylabel="|numerical - exact| (log scale)",
    )
    ax_eps.grid(alpha=0.3, which="both")
    ax_eps.legend(fontsize=8)
    fig.suptitle("autograd.gradcheck: comparing backward() with finite differences")
    save_figure(fig, args.out, "gradcheck.png")


if __name__ == "__main__":
    main()
