"""``autograd.Function`` in PyTorch's form: static ``forward(ctx, ...)``/``backward(ctx, ...)``,
``ctx.save_for_backward``, ``Fn.apply``; checked against torch 2.13's own autograd.Function
(the same class body runs under both, ``m`` being ``autograd`` or ``torch``)."""

from __future__ import annotations

import numpy as np
import pytest
from _device import host

import autograd as ag
from autograd import Function, Tensor


def legendre_class(m):
    """The tutorial's LegendrePolynomial3, written once for either module."""

    class LegendrePolynomial3(m.autograd.Function):
        @staticmethod
        def forward(ctx, input):
            ctx.save_for_backward(input)
            return 0.5 * (5 * input**3 - 3 * input)

        @staticmethod
        def backward(ctx, grad_output):
            (input,) = ctx.saved_tensors
            return grad_output * 1.5 * (5 * input**2 - 1)

    return LegendrePolynomial3


def scaled_product_class(m):
    """Two tensor inputs, a non-tensor argument, ctx attributes and needs_input_grad."""

    class ScaledProduct(m.autograd.Function):
        @staticmethod
        def forward(ctx, a, b, scale):
            ctx.scale = scale
            ctx.save_for_backward(a, b)
            return a * b * scale

        @staticmethod
        def backward(ctx, grad):
            a, b = ctx.saved_tensors
            ga = grad * b * ctx.scale if ctx.needs_input_grad[0] else None
            gb = grad * a * ctx.scale if ctx.needs_input_grad[1] else None
            return ga, gb, None

    return ScaledProduct


def split_class(m):
    """Two differentiable outputs and one integer output marked non-differentiable."""

    class SinCosArgmax(m.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            idx = x.argmax(-1)
            ctx.mark_non_differentiable(idx)
            return x.sin(), x.cos() * 2, idx

        @staticmethod
        def backward(ctx, g_sin, g_cos, g_idx):
            (x,) = ctx.saved_tensors
            return g_sin * x.cos() - g_cos * 2 * x.sin()

    return SinCosArgmax


@pytest.fixture
def values():
    return np.random.default_rng(3).standard_normal((3, 4))


def test_legendre_polynomial_matches_torch_values_and_gradients(torch, values):
    results = []
    for m in (ag, torch):
        fn = legendre_class(m)
        x = m.tensor(values, requires_grad=True)
        y = fn.apply(x)
        (y * y).sum().backward()
        results.append((host(y) if m is ag else y.detach().numpy(),
                        host(x.grad) if m is ag else x.grad.numpy()))  # fmt: skip
    for ours, theirs in zip(results[0], results[1], strict=True):
        np.testing.assert_allclose(ours, theirs, rtol=1e-12)


def test_second_derivatives_through_a_backward_written_with_tensor_ops(torch, values):
    grads = []
    for m in (ag, torch):
        fn = legendre_class(m)
        x = m.tensor(values, requires_grad=True)
        (g,) = m.autograd.grad(fn.apply(x).sum(), x, create_graph=True)
        (gg,) = m.autograd.grad((g * g).sum(), x)
        grads.append(host(gg) if m is ag else gg.numpy())
    np.testing.assert_allclose(grads[0], grads[1], rtol=1e-12)


def test_non_tensor_arguments_ctx_attributes_and_needs_input_grad(torch, values):
    results = []
    for m in (ag, torch):
        fn = scaled_product_class(m)
        a = m.tensor(values, requires_grad=True)
        b = m.tensor(values[::-1].copy())  # no grad: needs_input_grad[1] is False
        y = fn.apply(a, b, 2.5)
        y.sum().backward()
        results.append(host(a.grad) if m is ag else a.grad.numpy())
        assert b.grad is None
    np.testing.assert_allclose(results[0], results[1], rtol=1e-12)


def test_several_outputs_with_a_non_differentiable_one(torch, values):
    results = []
    for m in (ag, torch):
        fn = split_class(m)
        x = m.tensor(values, requires_grad=True)
        s, c, idx = fn.apply(x)
        assert not idx.requires_grad and s.requires_grad
        (s.sum() + (c * c).sum()).backward()
        results.append(host(x.grad) if m is ag else x.grad.numpy())
        assert (host(idx) if m is ag else idx.numpy()).tolist() == values.argmax(-1).tolist()
    np.testing.assert_allclose(results[0], results[1], rtol=1e-12)


def test_an_unused_output_gets_a_zero_gradient(values):
    fn = split_class(ag)
    x = ag.tensor(values, requires_grad=True)
    s, _, _ = fn.apply(x)
    s.sum().backward()
    np.testing.assert_allclose(host(x.grad), np.cos(values), rtol=1e-12)


def test_forward_runs_without_recording_and_gets_tensors():
    seen = {}

    class Probe(Function):
        @staticmethod
        def forward(ctx, x):
            seen["type"], seen["recording"] = type(x), ag.is_grad_enabled()
            return x * 2

        @staticmethod
        def backward(ctx, g):
            return g * 2

    x = ag.ones(2, requires_grad=True)
    y = Probe.apply(x)
    assert seen == {"type": Tensor, "recording": False}
    assert y.requires_grad and type(y.grad_fn).__name__ == "ProbeBackward"
    y.sum().backward()
    assert host(x.grad).tolist() == [2.0, 2.0]
    with ag.no_grad():
        assert not Probe.apply(x).requires_grad


def test_returning_an_input_as_it_is_keeps_the_input_a_leaf():
    class Identity(Function):
        @staticmethod
        def forward(ctx, x):
            return x

        @staticmethod
        def backward(ctx, g):
            return g * 3

    x = ag.ones(2, requires_grad=True)
    y = Identity.apply(x)
    assert y is not x and x.is_leaf and x.grad_fn is None
    y.sum().backward()
    assert host(x.grad).tolist() == [3.0, 3.0]


def test_setup_context_form():
    class Cube(Function):
        @staticmethod
        def forward(x):
            return x**3

        @staticmethod
        def setup_context(ctx, inputs, output):
            (ctx.x,) = inputs

        @staticmethod
        def backward(ctx, g):
            return g * 3 * ctx.x**2

    x = ag.tensor([1.0, 2.0], requires_grad=True)
    Cube.apply(x).sum().backward()
    assert host(x.grad).tolist() == [3.0, 12.0]


def test_clear_errors_for_wrong_gradient_counts_and_instance_calls():
    class Wrong(Function):
        @staticmethod
        def forward(ctx, x, y):
            return x * y

        @staticmethod
        def backward(ctx, g):
            return g  # one gradient for two inputs

    x = ag.ones(2, requires_grad=True)
    with pytest.raises(RuntimeError, match="incorrect number of gradients"):
        Wrong.apply(x, x).sum().backward()
    with pytest.raises(TypeError, match=r"Wrong\.apply"):
        Wrong()(x, x)


def test_gradcheck_through_a_pytorch_style_function():
    fn = legendre_class(ag)
    assert ag.gradcheck(fn.apply, [Tensor(np.array([0.3, -0.7, 1.1]))])
    sp = scaled_product_class(ag)
    assert ag.gradcheck(lambda a, b: sp.apply(a, b, 0.5),
                        [Tensor(np.array([0.3, 2.0])), Tensor(np.array([1.5, -1.0]))])  # fmt: skip


def test_the_dezero_form_keeps_working_and_gains_apply():
    class Square(Function):
        def forward(self, x):
            return x * x

        def backward(self, gy):
            (x,) = self.inputs
            return gy * 2 * x

    x = ag.tensor([3.0], requires_grad=True)
    Square.apply(x).backward()
    assert host(x.grad).tolist() == [6.0]
    y = Square()(x)
    assert type(y.grad_fn) is Square
