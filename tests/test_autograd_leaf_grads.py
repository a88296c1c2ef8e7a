"""A leaf's ``grad`` never shares memory with anything else.

The engine hands a leaf the gradient array an op's backward made for it, without a copy,
when nothing else can see that array (``autograd.engine._owned``); otherwise it copies.
These tests build graphs where gradients are passed through unchanged (``+``, ``clone``),
handed to two inputs at once, returned as views (``reshape``, ``cat``, transposes), given
by the user, retained on intermediates or returned by custom Functions from what they
saved, and check that no leaf's grad shares memory with another leaf's grad, with any
tensor's data, with a retained grad or with the user's gradient, and that in-place
changes to any of those leave the leaf's grad as it was.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from _device import host

import autograd
from autograd import Function, Tensor
from autograd.engine import _owned
from autograd.tensor import _wrap


def _raw(a):
    return getattr(a, "_a", a)  # the fake GPU's private NumPy array


def shares(a, b) -> bool:
    a = _raw(a.array if isinstance(a, Tensor) else a)
    b = _raw(b.array if isinstance(b, Tensor) else b)
    if isinstance(a, np.ndarray) and isinstance(b, np.ndarray):
        return bool(np.shares_memory(a, b))
    import cupy

    return bool(cupy.shares_memory(a, b))


def leaf(*shape, seed=0):
    rng = np.random.default_rng(seed)
    return Tensor(rng.standard_normal(shape), requires_grad=True)


def _assert_no_aliasing(leaves, others):
    grads = [t.grad for t in leaves]
    assert all(g is not None for g in grads)
    for g, h in itertools.combinations(grads, 2):
        assert not shares(g, h), "two leaves share one grad array"
    for g in grads:
        for o in others:
            if o is not None:
                assert not shares(g, o), "a leaf's grad shares memory with another array"


class _ReturnsSaved(Function):
    """y = x * c with a backward that returns a tensor it holds (c) as x's gradient."""

    def forward(self, x, c):
        return x * c

    def backward(self, gy):
        return self.inputs[1], None


class _TorchStyleReturnsSaved(Function):
    @staticmethod
    def forward(ctx, x, c):
        ctx.save_for_backward(c)
        return x * c

    @staticmethod
    def backward(ctx, gy):
        (c,) = ctx.saved_tensors
        return c, None


class _SameTensorTwice(Function):
    """y = a + b whose backward hands one new tensor to both inputs."""

    def forward(self, a, b):
        return a + b

    def backward(self, gy):
        g = gy * 1.0
        return g, g


# Each case: (leaves, a function of them returning (output, extra arrays to check against))
def _add(a, b, c):
    return (a + b + c).sum(), []


def _add_retained(a, b, c):
    y = a + b
    y.retain_grad()
    z = y + c
    z.retain_grad()
    return z.sum(), [y, z]


def _clone_retained(a, b, c):
    y = a.clone()
    y.retain_grad()
    return (y * 1.0 + b + c).sum(), [y]


def _views(a, b, c):
    return (autograd.cat([a.reshape(-1), b.reshape(-1), c.T.reshape(-1)]) * 2.0).sum(), []


def _matmul(a, b, c):
    return (a @ b.T + c).sum(), []


def _used_twice(a, b, c):
    return (a * a + a + b * c + c).sum(), []


def _custom_same_tensor(a, b, c):
    return (_SameTensorTwice()(a, b) + c).sum(), []


CASES = [_add, _add_retained, _clone_retained, _views, _matmul, _used_twice, _custom_same_tensor]


@pytest.mark.parametrize("case", CASES, ids=lambda f: f.__name__.strip("_"))
def test_leaves_get_grads_of_their_own(case):
    a, b, c = leaf(3, 3, seed=1), leaf(3, 3, seed=2), leaf(3, 3, seed=3)
    out, extra = case(a, b, c)
    out.backward()
    retained = [t.grad for t in extra]
    _assert_no_aliasing([a, b, c], [a, b, c, *extra, *retained])
    before = [host(t.grad) for t in (a, b, c)]
    for t in (*extra, *retained):  # in-place changes elsewhere leave the leaves' grads alone
        # CuPy's flags have no ``writeable`` (its arrays always are)
        if getattr(getattr(_raw(t.array), "flags", None), "writeable", True):
            t.array[...] = 7.0
    for t, g in zip((a, b, c), before, strict=True):
        np.testing.assert_array_equal(host(t.grad), g)


@pytest.mark.parametrize("given", ["tensor", "array"])
@pytest.mark.parametrize("through", ["leaf itself", "add", "reshape"])
def test_a_leaf_grad_is_not_the_gradient_the_caller_passed(given, through):
    x = leaf(2, 3)
    y = {"leaf itself": x, "add": x + 0.0, "reshape": x.reshape(3, 2).reshape(2, 3)}[through]
    g = Tensor(np.full((2, 3), 2.0))
    y.backward(g if given == "tensor" else g.array)
    assert not shares(x.grad, g)
    g.array[...] = 5.0
    np.testing.assert_array_equal(host(x.grad), np.full((2, 3), 2.0))


@pytest.mark.parametrize("fn", [_ReturnsSaved, _TorchStyleReturnsSaved])
def test_a_gradient_returned_from_what_a_function_saved_is_copied(fn):
    x = leaf(4)
    c = Tensor(np.arange(4.0))
    y = fn.apply(x, c) if fn is _TorchStyleReturnsSaved else fn()(x, c)
    y.backward(Tensor(np.ones(4)))
    assert not shares(x.grad, c)
    x.grad.zero_()  # as optimizer.zero_grad(set_to_none=False) does
    np.testing.assert_array_equal(host(c), np.arange(4.0))


def test_an_input_used_as_its_own_gradient_source_is_not_aliased():
    # d(x * w)/dw = x: the gradient is computed from x's data, never x's array itself
    x = Tensor(np.arange(6.0).reshape(2, 3))
    w = leaf(2, 3)
    (x * w).sum().backward()
    assert not shares(w.grad, x)
    w.grad.zero_()
    np.testing.assert_array_equal(host(x), np.arange(6.0).reshape(2, 3))


def test_accumulating_a_second_backward_leaves_the_first_grad_array_alone():
    w = leaf(3, 2)
    x = Tensor(np.ones((4, 3)))
    (x @ w).sum().backward()
    first = w.grad
    kept = host(first)
    (x @ w).sum().backward()
    np.testing.assert_array_equal(host(first), kept)  # a new array holds the sum
    np.testing.assert_allclose(host(w.grad), 2 * kept)


def test_parameter_grads_are_c_contiguous_like_the_parameters():
    lin = autograd.Tensor(np.ones((5, 4)), requires_grad=True)  # PyTorch's (out, in) layout
    x = Tensor(np.ones((3, 4)))
    (x @ lin.T).sum().backward()
    assert host(lin.grad).shape == (5, 4)
    assert lin.grad.array.flags.c_contiguous


def test_owned_takes_over_only_an_array_nothing_else_holds():
    # (plain statements: pytest's rewritten asserts keep extra references to what they show)
    fresh = _wrap(np.ones(3))
    taken = _owned(fresh.array)
    assert taken is fresh.array
    held = np.ones(3)
    shared = _wrap(held)
    taken = _owned(shared.array)
    assert taken is not held
    base = np.ones((2, 3))
    view = _wrap(base.T)  # a view: its base is another array
    del base
    assert _owned(view.array) is not view.array
    fortran = _wrap(np.asfortranarray(np.ones((2, 3))))
    copied = _owned(fortran.array)
    assert copied is not fortran.array and copied.flags.c_contiguous
