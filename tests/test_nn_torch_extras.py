"""More of ``torch.nn`` against PyTorch: SmoothL1Loss, KLDivLoss (every reduction,
``log_target``), F.normalize, F.cosine_similarity, nn.init.trunc_normal_ with PyTorch's
absolute bounds and orthogonal_, Unflatten and ParameterList."""

from __future__ import annotations

import math

import numpy as np
import pytest
from _device import host

import autograd as ag
import nn
import nn.functional as F
from autograd import Tensor

RNG = np.random.default_rng(5)
A, B = RNG.normal(size=(4, 5)), RNG.normal(size=(4, 5))


def _log_softmax(a):
    return a - np.log(np.exp(a).sum(1, keepdims=True))


def _pair(torch, device, ours, theirs, *arrays):
    xs = [Tensor(a, device=device, requires_grad=True) for a in arrays]
    ts = [torch.tensor(a, requires_grad=True) for a in arrays]
    y, ty = ours(*xs), theirs(*ts)
    np.testing.assert_allclose(host(y), ty.detach().numpy(), rtol=1e-12, atol=1e-15)
    g = RNG.normal(size=ty.shape)
    y.backward(Tensor(g, device=device))
    ty.backward(torch.from_numpy(g))
    for x, t in zip(xs, ts, strict=True):
        np.testing.assert_allclose(host(x.grad), t.grad.numpy(), rtol=1e-10, atol=1e-14)


@pytest.mark.parametrize("beta", [1.0, 0.5, 0.0])
@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_smooth_l1_matches_torch(torch, device, beta, reduction):
    _pair(torch, device, lambda x, y: nn.SmoothL1Loss(reduction=reduction, beta=beta)(x, y),
          lambda x, y: torch.nn.SmoothL1Loss(reduction=reduction, beta=beta)(x, y), A, B * 2)
    _pair(torch, device, lambda x, y: F.smooth_l1_loss(x, y, beta=beta),
          lambda x, y: torch.nn.functional.smooth_l1_loss(x, y, beta=beta), A, B)


@pytest.mark.parametrize("options", ["weight", "pos_weight", "both"])
@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_binary_cross_entropies_take_weight_and_pos_weight_as_torch(torch, device, options,
                                                                  reduction):
    # logits (N, C) of C binary labels: pos_weight one per class, weight per element
    x = RNG.normal(size=(5, 3)) * 3
    y = (RNG.random((5, 3)) > 0.5).astype(np.float64)
    weight, pos_weight = RNG.random(3) + 0.2, np.array([3.0, 0.5, 2.0])
    kwargs = {"weight": weight if options != "pos_weight" else None,
              "pos_weight": pos_weight if options != "weight" else None}

    def as_tensors(make):
        return {k: None if v is None else make(v) for k, v in kwargs.items()}

    ours = as_tensors(lambda v: Tensor(v, device=device))
    theirs = as_tensors(torch.tensor)
    _pair(torch, device,
          lambda z: nn.BCEWithLogitsLoss(reduction=reduction, **ours)(z, Tensor(y, device=device)),
          lambda z: torch.nn.BCEWithLogitsLoss(reduction=reduction, **theirs)(
              z, torch.tensor(y)), x)
    _pair(torch, device,
          lambda z: F.binary_cross_entropy_with_logits(z, Tensor(y, device=device),
                                                       reduction=reduction, **ours),
          lambda z: torch.nn.functional.binary_cross_entropy_with_logits(
              z, torch.tensor(y), reduction=reduction, **theirs), x)
    if options == "weight":
        p = 1 / (1 + np.exp(-x))
        _pair(torch, device,
              lambda q: nn.BCELoss(ours["weight"], reduction=reduction)(
                  q, Tensor(y, device=device)),
              lambda q: torch.nn.BCELoss(theirs["weight"], reduction=reduction)(
                  q, torch.tensor(y)), p)
    with pytest.raises(TypeError, match="give the reduction by name"):
        nn.BCEWithLogitsLoss("sum")


@pytest.mark.filterwarnings("ignore:reduction. 'mean' divides the total loss:UserWarning")
@pytest.mark.parametrize("reduction", ["batchmean", "mean", "sum", "none"])
@pytest.mark.parametrize("log_target", [False, True])
def test_kl_div_matches_torch(torch, device, reduction, log_target):
    p = np.exp(_log_softmax(B))
    p[0, 0] = 0.0  # a zero probability contributes 0, not NaN
    target = np.log(p + 1e-300) if log_target else p
    ours = Tensor(target, device=device)
    theirs = torch.tensor(target)
    _pair(torch, device,
          lambda x: nn.KLDivLoss(reduction=reduction, log_target=log_target)(x, ours),
          lambda x: torch.nn.functional.kl_div(x, theirs, reduction=reduction,
                                               log_target=log_target),
          _log_softmax(A))  # fmt: skip


def test_normalize_and_cosine_similarity_match_torch(torch, device):
    _pair(torch, device, lambda x: F.normalize(x), lambda x: torch.nn.functional.normalize(x), A)
    _pair(torch, device, lambda x: F.normalize(x, p=1.0, dim=0),
          lambda x: torch.nn.functional.normalize(x, p=1.0, dim=0), A)
    _pair(torch, device, lambda x, y: F.cosine_similarity(x, y),
          lambda x, y: torch.nn.functional.cosine_similarity(x, y), A, B)


def test_trunc_normal_takes_pytorchs_absolute_bounds():
    ag.manual_seed(0)
    w = nn.init.trunc_normal_(ag.empty(300, 300), std=0.02)  # bounds ±2: nothing is cut
    assert abs(float(w.array.std()) - 0.02) < 2e-4
    w = nn.init.trunc_normal_(ag.empty(300, 300), mean=0.0, std=1.0, a=-0.5, b=0.5)
    assert w.array.min() >= -0.5 and w.array.max() <= 0.5
    c, density = 0.5, math.exp(-0.125) / math.sqrt(2 * math.pi)  # N(0, 1) restricted to ±c
    want = math.sqrt(1 - 2 * c * density / math.erf(c / math.sqrt(2)))
    assert abs(float(w.array.std()) - want) < 2e-3  # 90,000 draws: std error ~7e-4
    with pytest.raises(ValueError, match="a < b"):
        nn.init.trunc_normal_(ag.empty(3), a=1.0, b=0.0)


@pytest.mark.parametrize("shape", [(3, 5), (5, 3), (4, 2, 3)])
def test_orthogonal_gives_orthonormal_rows_or_columns(device, shape):
    w = nn.init.orthogonal_(ag.empty(*shape, device=device), gain=2.0)
    flat = host(w).reshape(shape[0], -1)
    small = flat @ flat.T if flat.shape[0] <= flat.shape[1] else flat.T @ flat
    np.testing.assert_allclose(small, 4.0 * np.eye(len(small)), atol=1e-5)


def test_unflatten_and_parameter_list_as_pytorch(torch):
    ours, theirs = nn.Unflatten(1, (1, 28, 28)), torch.nn.Unflatten(1, (1, 28, 28))
    assert repr(ours) == repr(theirs)
    assert ours(Tensor(np.zeros((2, 784)))).shape == tuple(theirs(torch.zeros(2, 784)).shape)

    class Mixture(nn.Module):
        def __init__(self):
            super().__init__()
            self.scales = nn.ParameterList([ag.ones(2) for _ in range(3)])

        def forward(self, x):
            return sum(s * x for s in self.scales)

    model = Mixture()
    assert list(model.state_dict()) == ["scales.0", "scales.1", "scales.2"]
    model(Tensor(np.ones(2))).sum().backward()
    assert all(host(p.grad).tolist() == [1.0, 1.0] for p in model.parameters())
    assert len(model.scales) == 3 and model.scales[1] is list(model.parameters())[1]


def test_lazy_linear_finds_its_input_size_at_its_first_call_as_torch(torch):
    """d2l.ai's models: nn.LazyLinear, with the optimizer made before the first call (it
    holds the same Parameters, filled in place); afterwards a Linear, as in PyTorch; a
    state dict loads into a lazy layer and sizes it."""
    for lib in (nn, torch.nn):
        net = lib.Sequential(lib.Flatten(), lib.LazyLinear(3), lib.ReLU(), lib.LazyLinear(2))
        assert "LazyLinear(in_features=0, out_features=3, bias=True)" in repr(net)
    lazy = nn.Sequential(nn.Flatten(), nn.LazyLinear(3), nn.ReLU(), nn.LazyLinear(2))
    params = list(lazy.parameters())
    optimizer = ag.optim.SGD(lazy.parameters(), lr=0.1)
    x = Tensor(np.random.default_rng(0).normal(size=(4, 2, 3)).astype(np.float32))
    out = lazy(x)
    assert [type(m).__name__ for m in lazy] == ["Flatten", "Linear", "ReLU", "Linear"]
    assert "Linear(in_features=6, out_features=3, bias=True)" in repr(lazy)
    assert [tuple(p.shape) for p in lazy.parameters()] == [(3, 6), (3,), (2, 3), (2,)]
    assert all(a is b for a, b in zip(params, lazy.parameters(), strict=True))
    before = [np.array(host(p)) for p in params]
    out.sum().backward()
    optimizer.step()
    assert all(not np.array_equal(b, host(p)) for b, p in zip(before, params, strict=True))
    # the same numbers as a Linear of the found size
    fixed = nn.Sequential(nn.Flatten(), nn.Linear(6, 3), nn.ReLU(), nn.Linear(3, 2))
    fixed.load_state_dict(lazy.state_dict())
    np.testing.assert_array_equal(host(fixed(x)), host(lazy(x)))
    again = nn.Sequential(nn.Flatten(), nn.LazyLinear(3), nn.ReLU(), nn.LazyLinear(2))
    again.load_state_dict(lazy.state_dict())
    np.testing.assert_array_equal(host(again(x)), host(lazy(x)))
