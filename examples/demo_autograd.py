"""A first look at autograd: build a tiny graph, run backward, print the gradients, check them.

python examples/demo_autograd.py
"""

import numpy as np

import autograd as ag


def main() -> None:
    # y = sum(tanh(x @ w + b)) for a 2x3 input and a 3x2 weight matrix.
    rng = np.random.default_rng(0)
    x = ag.Tensor(rng.standard_normal((2, 3)))
    w = ag.Tensor(rng.standard_normal((3, 2)), requires_grad=True)
    b = ag.Tensor(np.zeros(2), requires_grad=True)
    y = ag.tanh(x @ w + b).sum()
    y.backward()
    print("y      =", y)
    print("dy/dw  =", w.grad)
    print("dy/db  =", b.grad)

    # The same gradients by central finite differences, in float64.
    ok = ag.gradcheck(lambda w, b: ag.tanh(x @ w + b).sum(), [w, b])
    print("gradcheck against finite differences:", "PASSED" if ok else "FAILED")

    # Gradients of gradients: d2/dx2 of x**3 at x = 2 is 6x = 12.
    t = ag.Tensor(2.0, requires_grad=True)
    (g,) = ag.grad(t**3, t, create_graph=True)
    (g2,) = ag.grad(g, t)
    print("d(x^3)/dx at 2 =", g.item(), "  d2(x^3)/dx2 at 2 =", g2.item())


if __name__ == "__main__":
    main()
