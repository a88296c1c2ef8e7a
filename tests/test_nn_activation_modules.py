"""PyTorch's other activation modules and functions (ReLU6, Hardtanh, Hardsigmoid,
Hardswish, Mish, Softsign, LogSigmoid, Tanhshrink, Softmin) against PyTorch: values and
gradients in float64, away from the kinks, and their repr as ``print(model)`` shows it."""

from __future__ import annotations

import numpy as np
import pytest
from _device import host

import nn
import nn.functional as F
from autograd import Tensor

# points away from every kink (-3, -1, 0, 1, 3, 6) by at least 0.05
X = np.array([-40.0, -7.3, -3.4, -2.2, -0.95, -0.3, 0.4, 0.9, 1.7, 2.95, 4.2, 6.6, 40.0])

CASES = {  # name: (ours, PyTorch's), each called on a tensor
    "ReLU6": (lambda x: nn.ReLU6()(x), lambda t, x: t.nn.ReLU6()(x)),
    "Hardtanh": (lambda x: nn.Hardtanh(-2.0, 2.5)(x), lambda t, x: t.nn.Hardtanh(-2.0, 2.5)(x)),
    "Hardsigmoid": (lambda x: nn.Hardsigmoid()(x), lambda t, x: t.nn.Hardsigmoid()(x)),
    "Hardswish": (lambda x: nn.Hardswish()(x), lambda t, x: t.nn.Hardswish()(x)),
    "Mish": (lambda x: nn.Mish()(x), lambda t, x: t.nn.Mish()(x)),
    "Softsign": (lambda x: nn.Softsign()(x), lambda t, x: t.nn.Softsign()(x)),
    "LogSigmoid": (lambda x: nn.LogSigmoid()(x), lambda t, x: t.nn.LogSigmoid()(x)),
    "Tanhshrink": (lambda x: nn.Tanhshrink()(x), lambda t, x: t.nn.Tanhshrink()(x)),
    "Softmin": (lambda x: nn.Softmin(dim=0)(x), lambda t, x: t.nn.Softmin(dim=0)(x)),
    "F.relu6": (F.relu6, lambda t, x: t.nn.functional.relu6(x)),
    "F.hardtanh": (F.hardtanh, lambda t, x: t.nn.functional.hardtanh(x)),
    "F.hardsigmoid": (F.hardsigmoid, lambda t, x: t.nn.functional.hardsigmoid(x)),
    "F.hardswish": (F.hardswish, lambda t, x: t.nn.functional.hardswish(x)),
    "F.mish": (F.mish, lambda t, x: t.nn.functional.mish(x)),
    "F.softsign": (F.softsign, lambda t, x: t.nn.functional.softsign(x)),
    "F.logsigmoid": (F.logsigmoid, lambda t, x: t.nn.functional.logsigmoid(x)),
    "F.tanhshrink": (F.tanhshrink, lambda t, x: t.nn.functional.tanhshrink(x)),
    "F.softmin": (lambda x: F.softmin(x, dim=0), lambda t, x: t.nn.functional.softmin(x, dim=0)),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_matches_torch(torch, device, name):
    ours, theirs = CASES[name]
    x = Tensor(X, device=device, requires_grad=True)
    tx = torch.tensor(X, requires_grad=True)
    y, ty = ours(x), theirs(torch, tx)
    np.testing.assert_allclose(host(y), ty.detach().numpy(), rtol=1e-12, atol=1e-15)
    g = np.linspace(-1.0, 2.0, X.size)
    y.backward(Tensor(g, device=device))
    ty.backward(torch.from_numpy(g))
    if name.endswith(("Hardsigmoid", "hardsigmoid")):
        # PyTorch's float64 backward multiplies by 1/6 rounded to float32 (3e-8 relative
        # off); ours is the exact slope, checked as such
        inside = np.abs(X) < 3
        np.testing.assert_allclose(host(x.grad)[inside], g[inside] / 6, rtol=1e-15)
        np.testing.assert_array_equal(host(x.grad)[~inside], 0.0)
        np.testing.assert_allclose(host(x.grad), tx.grad.numpy(), rtol=1e-7)
        return
    np.testing.assert_allclose(host(x.grad), tx.grad.numpy(), rtol=1e-12, atol=1e-15)


def test_reprs_read_as_pytorch_prints_them(torch):
    for name in ("ReLU6", "Hardsigmoid", "Hardswish", "Mish", "Softsign", "LogSigmoid",
                 "Tanhshrink"):  # fmt: skip
        assert repr(getattr(nn, name)()) == repr(getattr(torch.nn, name)()), name
    assert repr(nn.Hardtanh(-2.0, 2.0)) == repr(torch.nn.Hardtanh(-2.0, 2.0))
    assert repr(nn.Softmin(dim=1)) == repr(torch.nn.Softmin(dim=1))
    with pytest.raises(ValueError, match="max_val"):
        nn.Hardtanh(1.0, -1.0)
