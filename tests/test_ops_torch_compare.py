"""A few ops' forward and backward against PyTorch in float64 (torch is a test-time reference)."""

from __future__ import annotations

import numpy as np
import pytest
from _device import host

import autograd as ag
from autograd import Tensor

CASES = {
    "matmul_batched": (lambda a, b: a @ b, lambda t, a, b: a @ b, [(2, 3, 4), (4, 5)]),
    "div_broadcast": (
        lambda a, b: a / (b * b + 1),
        lambda t, a, b: a / (b * b + 1),
        [(3, 1), (1, 4)],
    ),
    "log_softmax": (lambda a: ag.log_softmax(a, 1), lambda t, a: t.log_softmax(a, 1), [(3, 5)]),
    "softmax": (lambda a: ag.softmax(a, 0), lambda t, a: t.softmax(a, 0), [(4, 3)]),
    "logsumexp": (
        lambda a: ag.logsumexp(a, (0, 2)),
        lambda t, a: t.logsumexp(a, (0, 2)),
        [(2, 3, 4)],
    ),
    "gelu": (ag.gelu, lambda t, a: t.nn.functional.gelu(a), [(7,)]),
    "gelu_tanh": (
        lambda a: ag.gelu(a, approximate="tanh"),
        lambda t, a: t.nn.functional.gelu(a, approximate="tanh"),
        [(7,)],
    ),
    "selu": (ag.selu, lambda t, a: t.selu(a), [(7,)]),
    "elu": (lambda a: ag.elu(a, 0.7), lambda t, a: t.nn.functional.elu(a, 0.7), [(7,)]),
    "softplus": (ag.softplus, lambda t, a: t.nn.functional.softplus(a), [(7,)]),
    "silu": (ag.silu, lambda t, a: t.nn.functional.silu(a), [(7,)]),
    "var_unbiased": (
        lambda a: ag.var(a, 1, ddof=1),
        lambda t, a: a.var(1, unbiased=True),
        [(3, 4)],
    ),
    "max_axis": (lambda a: ag.amax(a, -1), lambda t, a: a.amax(-1), [(3, 4)]),
    "getitem_advanced": (
        lambda a: a[np.array([0, 2, 0]), 1:],
        lambda t, a: a[t.tensor([0, 2, 0]), 1:],
        [(3, 4)],
    ),
    "pow_tensor": (
        lambda a, b: (a * a + 0.5) ** b,
        lambda t, a, b: (a * a + 0.5) ** b,
        [(3,), (3,)],
    ),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_matches_torch_float64(torch, name):
    ours, theirs, shapes = CASES[name]
    rng = np.random.default_rng(5)
    arrays = [rng.standard_normal(s) for s in shapes]
    xs = [Tensor(a.copy(), requires_grad=True) for a in arrays]
    ts = [torch.tensor(a, requires_grad=True) for a in arrays]
    y, ty = ours(*xs), theirs(torch, *ts)
    np.testing.assert_allclose(y.cpu().numpy(), ty.detach().cpu().numpy(), rtol=1e-12, atol=1e-14)
    g = rng.standard_normal(y.shape)
    y.backward(g)
    ty.backward(torch.from_numpy(g))
    for x, t in zip(xs, ts, strict=True):
        np.testing.assert_allclose(host(x.grad), t.grad.numpy(), rtol=1e-12, atol=1e-14)
