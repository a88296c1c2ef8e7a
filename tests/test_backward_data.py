"""Ops with a ``backward_data`` (the backward on raw arrays) give the same gradients as their
``backward`` (the backward on tensors, which a recorded backward pass uses).

The engine calls ``backward_data`` whenever the backward pass is not recorded, which is
every plain ``loss.backward()``; ``backward`` runs under ``create_graph=True`` and in
anomaly mode. Each op is run both ways on the same float64 inputs, for every input that
requires grad and for inputs that do not, with broadcasting where the op broadcasts. The
table must name every op that has a ``backward_data``, so a new one cannot go untested.
"""

from __future__ import annotations

import importlib

import numpy as np
import pytest
from _device import host

import autograd
import nn
from autograd import Tensor
from autograd.function import Function
from autograd.ops import activations, arithmetic
from nn.losses.base import SoftmaxCrossEntropy, softmax_cross_entropy

matmul_ops = importlib.import_module("autograd.ops.matmul")  # the package's matmul is a function


def _rng_tensors(shapes, seed, positive=()):
    rng = np.random.default_rng(seed)
    out = []
    for i, shape in enumerate(shapes):
        a = rng.standard_normal(shape)
        out.append(np.abs(a) + 0.5 if i in positive else a)
    return out


LABELS = np.array([0, 2, 1, 2, 0])

# op class -> list of (call on tensors, input shapes, indices of inputs kept positive)
CASES = {
    arithmetic.Add: [(lambda a, b: a + b, [(5, 3), (5, 3)], ()),
                     (lambda a, b: a + b, [(5, 3), (3,)], ())],
    arithmetic.Sub: [(lambda a, b: a - b, [(5, 3), (5, 3)], ()),
                     (lambda a, b: a - b, [(5, 3), (1, 3)], ())],
    arithmetic.Mul: [(lambda a, b: a * b, [(5, 3), (5, 3)], ()),
                     (lambda a, b: a * b, [(5, 3), (3,)], ())],
    arithmetic.Div: [(lambda a, b: a / b, [(5, 3), (5, 3)], (1,)),
                     (lambda a, b: a / b, [(5, 3), (3,)], (1,))],
    arithmetic.Neg: [(lambda a: -a, [(5, 3)], ())],
    activations.ReLU: [(autograd.relu, [(5, 3)], ())],
    activations.Sigmoid: [(autograd.sigmoid, [(5, 3)], ())],
    activations.Tanh: [(autograd.tanh, [(5, 3)], ())],
    matmul_ops.MatMul: [(lambda a, b: a @ b, [(5, 4), (4, 3)], ()),
                    (lambda a, b: a @ b, [(4,), (4, 3)], ()),  # 1-D: the tensor path's rules
                    (lambda a, b: a @ b, [(2, 5, 4), (4, 3)], ())],
    matmul_ops.Affine: [(matmul_ops.linear, [(5, 4), (3, 4), (3,)], ()),
                    (matmul_ops.linear, [(5, 4), (3, 4)], ()),
                    (matmul_ops.dense, [(5, 4), (4, 3), (3,)], ()),
                    (matmul_ops.dense, [(2, 5, 4), (4, 3), (3,)], ())],
    matmul_ops.AffineActivation: [
        (lambda x, w, b, f=f: matmul_ops.affine_activation(x, w, b, f, transposed=True),
         [(5, 4), (3, 4), (3,)], ()) for f in ("relu", "sigmoid", "tanh")
    ] + [(lambda x, w: matmul_ops.affine_activation(x, w, None, "tanh", transposed=True),
          [(5, 4), (3, 4)], ()),
         (lambda x, w, b: matmul_ops.affine_activation(x, w, b, "sigmoid", transposed=False),
          [(2, 5, 4), (4, 3), (3,)], ())],
    SoftmaxCrossEntropy: [
        (lambda z: softmax_cross_entropy(z, LABELS, sparse=True), [(5, 3)], ()),
        (lambda z: softmax_cross_entropy(z, LABELS, True, "sum"), [(5, 3)], ()),
        (lambda z: softmax_cross_entropy(z, LABELS, True, "none"), [(5, 3)], ()),
        (lambda z, t: softmax_cross_entropy(z, autograd.softmax(t, axis=-1), False),
         [(5, 3), (5, 3)], ()),
    ],
}  # fmt: skip


def _all_subclasses(cls):
    for sub in cls.__subclasses__():
        yield sub
        yield from _all_subclasses(sub)


def test_every_op_with_backward_data_is_in_the_table():
    assert nn  # imported for its ops (the fused loss)
    with_data = {c for c in _all_subclasses(Function)
                 if c.backward_data is not None and "backward_data" in c.__dict__}
    assert with_data == set(CASES), "add the new op to CASES (or remove it from there)"


def _grads(call, arrays, needs, create_graph, upstream_seed=7):
    inputs = [Tensor(a, requires_grad=r) for a, r in zip(arrays, needs, strict=True)]
    y = call(*inputs)
    g = np.random.default_rng(upstream_seed).standard_normal(y.shape)
    wanted = [x for x, r in zip(inputs, needs, strict=True) if r]
    grads = autograd.grad(y, wanted, Tensor(g), create_graph=create_graph, allow_unused=True)
    return [None if gr is None else host(gr.array) for gr in grads]


@pytest.mark.parametrize(
    "op,case",
    [(op, i) for op, cases in CASES.items() for i in range(len(cases))],
    ids=lambda v: v.__name__ if isinstance(v, type) else str(v),
)
def test_backward_data_equals_backward(op, case):
    call, shapes, positive = CASES[op][case]
    arrays = _rng_tensors(shapes, seed=case, positive=positive)
    needs_options = [[True] * len(shapes)]
    needs_options += [[j != i for j in range(len(shapes))] for i in range(len(shapes))]
    for needs in needs_options:
        if not any(needs):
            continue
        raw = _grads(call, arrays, needs, create_graph=False)
        recorded = _grads(call, arrays, needs, create_graph=True)
        assert len(raw) == len(recorded)
        for r, t in zip(raw, recorded, strict=True):
            assert (r is None) == (t is None)
            if r is not None:
                assert r.shape == t.shape
                np.testing.assert_allclose(r, t, rtol=1e-12, atol=1e-15)


def test_backward_data_is_what_plain_backward_runs(monkeypatch):
    """The raw path is really taken by ``backward()`` (and not by ``create_graph=True``)."""
    calls = []
    original = activations.ReLU.backward_data
    monkeypatch.setattr(activations.ReLU, "backward_data",
                        lambda self, gy: calls.append(1) or original(self, gy))  # fmt: skip
    x = Tensor(np.array([-1.0, 2.0]), requires_grad=True)
    autograd.relu(x).sum().backward()
    assert calls == [1]
    np.testing.assert_array_equal(host(x.grad.array), [0.0, 1.0])
    autograd.grad(autograd.relu(x).sum(), [x], create_graph=True)
    assert calls == [1]


def test_backward_data_keeps_float32():
    x = Tensor(np.ones((4, 3), np.float32), requires_grad=True)
    w = Tensor(np.ones((2, 3), np.float32), requires_grad=True)
    b = Tensor(np.zeros(2, np.float32), requires_grad=True)
    loss = softmax_cross_entropy(autograd.sigmoid(matmul_ops.linear(autograd.relu(x), w, b)),
                                 np.array([0, 1, 1, 0]), sparse=True)  # fmt: skip
    loss.backward()
    assert {x.grad.dtype, w.grad.dtype, b.grad.dtype} == {np.dtype(np.float32)}


def test_a_subclass_that_rewrites_backward_is_not_bypassed():
    """Guided backprop: a ReLU whose backward also zeroes negative gradients. Its own
    backward must run in a plain backward(), not the parent's array backward."""

    class GuidedReLU(activations.ReLU):
        def backward(self, gy):
            return autograd.relu(super().backward(gy))

    assert GuidedReLU.backward_data is None
    assert activations.ReLU.backward_data is not None  # the parent keeps its own
    x = Tensor(np.array([-1.0, 2.0, 3.0]), requires_grad=True)
    (GuidedReLU()(x) * Tensor(np.array([1.0, -1.0, 2.0]))).sum().backward()
    np.testing.assert_array_equal(host(x.grad), [0.0, 0.0, 2.0])
