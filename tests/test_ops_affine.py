"""``linear`` (x Wᵀ + b, PyTorch's layout) and ``dense`` (x K + b, Keras'): one op each.

Both are held to the composition they replace (matmul, transpose, add): same values, same
gradients, gradient checks in float64 for inputs of 1 to 3 axes with and without a bias,
gradients of gradients, and the errors for shapes that do not align.
"""

from __future__ import annotations

import numpy as np
import pytest
from _device import host

import autograd
from autograd import Tensor
from autograd.ops.matmul import dense, linear


def _data(x_shape, transposed, bias, seed=0):
    rng = np.random.default_rng(seed)
    n_in, n_out = x_shape[-1], 3
    x = Tensor(rng.standard_normal(x_shape), requires_grad=True)
    w = Tensor(rng.standard_normal((n_out, n_in) if transposed else (n_in, n_out)),
               requires_grad=True)  # fmt: skip
    b = Tensor(rng.standard_normal(n_out), requires_grad=True) if bias else None
    return x, w, b


def _composed(x, w, b, transposed):
    y = x @ (w.T if transposed else w)
    return y if b is None else y + b


def _fused(x, w, b, transposed):
    return (linear if transposed else dense)(x, w, b)


SHAPES = [(4,), (5, 4), (2, 5, 4)]


@pytest.mark.parametrize("transposed", [True, False], ids=["linear", "dense"])
@pytest.mark.parametrize("bias", [True, False], ids=["bias", "no-bias"])
@pytest.mark.parametrize("x_shape", SHAPES, ids=lambda s: f"x{len(s)}d")
def test_equals_the_composition_and_passes_gradcheck(x_shape, transposed, bias):
    x, w, b = _data(x_shape, transposed, bias)
    inputs = [x, w] + ([b] if bias else [])
    weights = Tensor(np.random.default_rng(1).standard_normal((*x_shape[:-1], 3)))
    grads = []
    for f in (_fused, _composed):
        for t in inputs:
            t.grad = None
        y = f(x, w, b, transposed)
        (y * weights).sum().backward()
        grads.append([host(y)] + [host(t.grad) for t in inputs])
    for fused, composed in zip(*grads, strict=True):
        np.testing.assert_allclose(fused, composed, rtol=1e-12, atol=1e-12)
    assert autograd.gradcheck(lambda *a: (_fused(a[0], a[1], a[2] if bias else None,
                                                 transposed) * weights).sum(), inputs)


@pytest.mark.parametrize("transposed", [True, False], ids=["linear", "dense"])
def test_gradients_of_gradients_equal_the_composition(transposed):
    results = []
    for f in (_fused, _composed):
        x, w, b = _data((5, 4), transposed, True, seed=3)
        y = f(x, w, b, transposed)
        (gx, gw) = autograd.grad((y * y).sum(), [x, w], create_graph=True)
        (gx.sum() + (gw * gw).sum()).backward()
        results.append([host(t.grad) for t in (x, w, b)])
    for fused, composed in zip(*results, strict=True):
        np.testing.assert_allclose(fused, composed, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("transposed", [True, False], ids=["linear", "dense"])
def test_parameter_gradients_are_new_c_contiguous_arrays(transposed):
    x, w, b = _data((6, 4), transposed, True)
    _fused(x, w, b, transposed).sum().backward()
    for t in (w, b):
        assert t.grad.shape == t.shape
        assert t.grad.array.flags.c_contiguous


def test_a_bias_of_another_broadcastable_shape_gets_its_own_shape():
    x, w, _ = _data((5, 4), True, False)
    b = Tensor(np.ones((1, 3)), requires_grad=True)
    y = linear(x, w, b)
    y.sum().backward()
    np.testing.assert_allclose(host(b.grad), np.full((1, 3), 5.0))


def test_shapes_that_do_not_align_are_named():
    x = Tensor(np.ones((2, 4)))
    with pytest.raises(ValueError, match=r"linear: input shape \(2, 4\) and weight shape "
                                         r"\(3, 5\) do not align"):  # fmt: skip
        linear(x, Tensor(np.ones((3, 5))))
    with pytest.raises(ValueError, match=r"dense: input shape \(2, 4\) and weight shape "
                                         r"\(5, 3\) do not align"):  # fmt: skip
        dense(x, Tensor(np.ones((5, 3))))
    with pytest.raises(ValueError, match="2-D weight"):
        linear(x, Tensor(np.ones(4)))
