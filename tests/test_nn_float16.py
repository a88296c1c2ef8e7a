"""Half precision builds and trains as in PyTorch: weights and dropout masks are drawn in
float32 (the generators make nothing narrower) and rounded to float16."""

from __future__ import annotations

import numpy as np
import pytest
from _device import host

import autograd as ag
import nn
from autograd import Tensor


def test_linear_in_float16_holds_the_float32_draws_rounded_and_runs_forward_and_backward():
    ag.manual_seed(0)
    wide = nn.Linear(8, 16)
    ag.manual_seed(0)
    half = nn.Linear(8, 16, dtype="float16")
    for p16, p32 in zip(half.parameters(), wide.parameters(), strict=True):
        assert p16.dtype == np.float16
        np.testing.assert_array_equal(host(p16), host(p32).astype(np.float16))
    x = Tensor(np.linspace(-1, 1, 16).reshape(2, 8), dtype="float16")
    y = half(x)
    assert y.dtype == np.float16 and y.shape == (2, 16)
    y.sum().backward()
    assert all(p.grad.dtype == np.float16 for p in half.parameters())


@pytest.mark.parametrize(
    "name", ["glorot_uniform", "glorot_normal", "he_normal", "random_normal", "truncated_normal"]
)
def test_random_initializers_draw_float16(name):
    ag.manual_seed(1)
    w = nn.initializers.get(name)((64, 32), dtype="float16")
    ag.manual_seed(1)
    w32 = nn.initializers.get(name)((64, 32), dtype="float32")
    assert w.dtype == np.float16
    np.testing.assert_array_equal(host(w), host(w32).astype(np.float16))


@pytest.mark.parametrize("spelling", ["op", "layer"])
def test_dropout_on_float16_keeps_float16_and_the_float32_mask(spelling):
    x16 = Tensor(np.ones((4, 50)), dtype="float16", requires_grad=True)
    x32 = Tensor(np.ones((4, 50)), dtype="float32")
    if spelling == "op":
        ag.manual_seed(3)
        y16 = ag.dropout(x16, 0.5)
        ag.manual_seed(3)
        y32 = ag.dropout(x32, 0.5)
    else:
        layer = nn.Dropout(0.5)
        layer.train()
        ag.manual_seed(3)
        y16 = layer(x16)
        ag.manual_seed(3)
        y32 = layer(x32)
    assert y16.dtype == np.float16
    np.testing.assert_array_equal(host(y16), host(y32).astype(np.float16))
    assert set(np.unique(host(y16))) == {0.0, 2.0}
    y16.sum().backward()
    assert x16.grad.dtype == np.float16
    np.testing.assert_array_equal(host(x16.grad), host(y16))  # d/dx (mask · 2 · x) = mask · 2
