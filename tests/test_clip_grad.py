"""Gradient clipping against torch.nn.utils (fails in CI without torch, skips otherwise)."""

from __future__ import annotations

import math

import numpy as np
import pytest

import optim
from autograd import Tensor


def _params_with_grads(seed: int = 0, scale: float = 1.0):
    rng = np.random.default_rng(seed)
    params = []
    for shape in [(3, 4), (4,), (2, 2, 2)]:
        p = Tensor(rng.standard_normal(shape), requires_grad=True)
        p.grad = Tensor(rng.standard_normal(shape) * scale)
        params.append(p)
    return params


def _torch_twins(torch, params):
    twins = []
    for p in params:
        t = torch.tensor(p.cpu().numpy(), requires_grad=True)
        t.grad = torch.tensor(p.grad.cpu().numpy())
        twins.append(t)
    return twins


@pytest.mark.parametrize("norm_type", [2.0, 1.0, math.inf, 3.0])
@pytest.mark.parametrize("max_norm", [0.5, 1e3], ids=["clips", "below-threshold"])
def test_clip_grad_norm_matches_torch(torch, norm_type, max_norm):
    params = _params_with_grads(scale=2.0)
    twins = _torch_twins(torch, params)
    before = [p.grad.cpu().numpy() for p in params]
    total = optim.clip_grad_norm_(params, max_norm, norm_type=norm_type)
    expected = torch.nn.utils.clip_grad_norm_(twins, max_norm, norm_type=norm_type)
    assert isinstance(total, Tensor) and total.shape == ()
    np.testing.assert_allclose(total.item(), expected.item(), rtol=1e-12)
    for p, t, b in zip(params, twins, before, strict=True):
        np.testing.assert_allclose(p.grad.cpu().numpy(), t.grad.cpu().numpy(), rtol=1e-12)
        if max_norm > total.item():
            np.testing.assert_allclose(p.grad.cpu().numpy(), b, rtol=1e-6)  # unchanged (up to 1e-6)
    if max_norm < total.item():
        joint = optim.clip_grad_norm_(params, math.inf, norm_type=norm_type).item()
        assert joint <= max_norm * (1 + 1e-9)


def test_clip_grad_norm_ignores_parameters_without_grad_and_accepts_one_tensor():
    p = Tensor(np.ones(4), requires_grad=True)
    p.grad = Tensor(np.full(4, 3.0))
    q = Tensor(np.ones(4), requires_grad=True)  # no grad
    total = optim.clip_grad_norm_([p, q], max_norm=1.0)
    assert total.item() == pytest.approx(6.0)
    np.testing.assert_allclose(np.linalg.norm(p.grad.cpu().numpy()), 1.0, rtol=1e-6)
    total_one = optim.clip_grad_norm_(p, max_norm=10.0)
    assert total_one.item() == pytest.approx(1.0, rel=1e-6)


def test_clip_grad_norm_keeps_float32():
    p = Tensor(np.ones(3, dtype=np.float32), requires_grad=True)
    p.grad = Tensor(np.full(3, 5.0, dtype=np.float32))
    total = optim.clip_grad_norm_([p], 1.0)
    assert p.grad.array.dtype == np.float32 and total.dtype == np.float32


def test_clip_grad_norm_can_refuse_non_finite_norms():
    p = Tensor(np.ones(2), requires_grad=True)
    p.grad = Tensor(np.array([np.inf, 1.0]))
    with pytest.raises(RuntimeError, match="non-finite"):
        optim.clip_grad_norm_([p], 1.0, error_if_nonfinite=True)


def test_clip_grad_value_matches_torch(torch):
    params = _params_with_grads(scale=2.0)
    twins = _torch_twins(torch, params)
    optim.clip_grad_value_(params, 0.7)
    torch.nn.utils.clip_grad_value_(twins, 0.7)
    for p, t in zip(params, twins, strict=True):
        np.testing.assert_array_equal(p.grad.cpu().numpy(), t.grad.cpu().numpy())
        assert np.abs(p.grad.cpu().numpy()).max() == pytest.approx(0.7)
