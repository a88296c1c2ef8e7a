"""Same weights, same outputs and gradients as PyTorch (float64, to 1e-6).

Uses conftest's ``torch`` fixture: skipped with a reason without torch, FAILS when CI=true.
nn.Linear is PyTorch's layer (weight (out, in), state_dict keys and all): its values are
copied across as they are; Keras' Dense keeps kernel (in, out), its transpose.
"""

from __future__ import annotations

import numpy as np
import pytest
from _device import host

import autograd
import nn
from autograd import Tensor

RNG = np.random.default_rng(0)
TOL = dict(rtol=1e-6, atol=1e-9)


def _t(torch, a, grad=False):
    return torch.tensor(np.asarray(a), dtype=torch.float64, requires_grad=grad)


def test_linear_matches_torch_forward_and_backward(torch):
    ours = nn.Linear(5, 3, dtype="float64")
    ref = torch.nn.Linear(5, 3, dtype=torch.float64)
    with torch.no_grad():
        ref.weight.copy_(torch.from_numpy(ours.weight.cpu().numpy()))
        ref.bias.copy_(torch.from_numpy(ours.bias.cpu().numpy()))
    x = RNG.normal(size=(4, 5))
    y = ours(Tensor(x))
    y_ref = ref(_t(torch, x))
    np.testing.assert_allclose(y.cpu().numpy(), y_ref.detach().cpu().numpy(), **TOL)
    g = RNG.normal(size=(4, 3))
    (y * Tensor(g)).sum().backward()
    (y_ref * _t(torch, g)).sum().backward()
    np.testing.assert_allclose(ours.weight.grad.cpu().numpy(), ref.weight.grad.cpu().numpy(), **TOL)
    assert list(ours.state_dict()) == list(ref.state_dict())
    np.testing.assert_allclose(ours.bias.grad.cpu().numpy(), ref.bias.grad.cpu().numpy(), **TOL)


def test_linear_default_init_has_torch_bounds(torch):
    # same distribution (not the same draws): U(-1/sqrt(in), 1/sqrt(in)) for weight and bias
    torch.manual_seed(0)
    ref = torch.nn.Linear(300, 200)
    ours = nn.Linear(300, 200)
    for a, b in (
        (ours.weight.cpu().numpy(), ref.weight.detach().cpu().numpy()),
        (ours.bias.cpu().numpy(), ref.bias.detach().cpu().numpy()),
    ):
        assert abs(a.max() - b.max()) < 0.01 and abs(a.min() - b.min()) < 0.01
        assert a.std() == pytest.approx(b.std(), rel=0.1)


ACTIVATIONS = [
    (lambda: nn.ReLU(), lambda F: F.relu),
    (lambda: nn.LeakyReLU(0.2), lambda F: lambda x: F.leaky_relu(x, 0.2)),
    (lambda: nn.ELU(0.7), lambda F: lambda x: F.elu(x, 0.7)),
    (lambda: nn.SELU(), lambda F: F.selu),
    (lambda: nn.GELU(), lambda F: F.gelu),
    (lambda: nn.GELU("tanh"), lambda F: lambda x: F.gelu(x, approximate="tanh")),
    (lambda: nn.SiLU(), lambda F: F.silu),
    (lambda: nn.Softplus(), lambda F: F.softplus),
    (lambda: nn.Softplus(beta=2.0), lambda F: lambda x: F.softplus(x, beta=2.0)),
    (lambda: nn.Sigmoid(), lambda F: F.sigmoid),
    (lambda: nn.Tanh(), lambda F: F.tanh),
    (lambda: nn.Softmax(dim=1), lambda F: lambda x: F.softmax(x, dim=1)),
    (lambda: nn.LogSoftmax(dim=1), lambda F: lambda x: F.log_softmax(x, dim=1)),
    (lambda: nn.Softmax(dim=0), lambda F: lambda x: F.softmax(x, dim=0)),
]


@pytest.mark.parametrize("make_ours, make_ref", ACTIVATIONS)
def test_activations_match_torch(torch, make_ours, make_ref):
    x = RNG.normal(size=(6, 4)) * 3
    g = RNG.normal(size=(6, 4))
    xt = Tensor(x, requires_grad=True)
    y = make_ours()(xt)
    (y * Tensor(g)).sum().backward()
    xr = _t(torch, x, grad=True)
    yr = make_ref(torch.nn.functional)(xr)
    (yr * _t(torch, g)).sum().backward()
    np.testing.assert_allclose(y.cpu().numpy(), yr.detach().cpu().numpy(), **TOL)
    np.testing.assert_allclose(xt.grad.cpu().numpy(), xr.grad.cpu().numpy(), **TOL)


@pytest.mark.parametrize("num_parameters", [1, 3])
def test_prelu_matches_torch_shared_and_per_channel(torch, num_parameters):
    x = RNG.normal(size=(5, 3))
    ours = nn.PReLU(num_parameters, init=0.25, dtype="float64")
    xt = Tensor(x, requires_grad=True)
    y = ours(xt)
    ref = torch.nn.PReLU(num_parameters=num_parameters, init=0.25, dtype=torch.float64)
    xr = _t(torch, x, grad=True)
    yr = ref(xr)
    y.sum().backward()
    yr.sum().backward()
    np.testing.assert_allclose(y.cpu().numpy(), yr.detach().cpu().numpy(), **TOL)
    np.testing.assert_allclose(ours.weight.grad.cpu().numpy(), ref.weight.grad.cpu().numpy(), **TOL)
    np.testing.assert_allclose(xt.grad.cpu().numpy(), xr.grad.cpu().numpy(), **TOL)


def test_batchnorm1d_matches_torch_in_train_and_eval(torch):
    ours = nn.BatchNorm1d(3, dtype="float64")
    ref = torch.nn.BatchNorm1d(3, dtype=torch.float64)
    gamma, beta = RNG.normal(size=3), RNG.normal(size=3)
    ours.load_state_dict({**ours.state_dict(), "weight": gamma, "bias": beta})
    with torch.no_grad():
        ref.weight.copy_(_t(torch, gamma))
        ref.bias.copy_(_t(torch, beta))
    g = RNG.normal(size=(8, 3))
    for step in range(3):
        x = RNG.normal(loc=step, size=(8, 3))
        xt = Tensor(x, requires_grad=True)
        xr = _t(torch, x, grad=True)
        y, yr = ours(xt), ref(xr)
        (y * Tensor(g)).sum().backward()
        (yr * _t(torch, g)).sum().backward()
        np.testing.assert_allclose(y.cpu().numpy(), yr.detach().cpu().numpy(), **TOL)
        np.testing.assert_allclose(xt.grad.cpu().numpy(), xr.grad.cpu().numpy(), **TOL)
    np.testing.assert_allclose(ours.weight.grad.cpu().numpy(), ref.weight.grad.cpu().numpy(), **TOL)
    for key, value in ref.state_dict().items():  # same keys, same running statistics
        np.testing.assert_allclose(ours.state_dict()[key].cpu().numpy(), value.cpu().numpy(), **TOL)
    assert list(ours.state_dict()) == list(ref.state_dict())
    ours.eval()
    ref.eval()
    x = RNG.normal(size=(4, 3))
    np.testing.assert_allclose(host(ours(Tensor(x))), ref(_t(torch, x)).detach().numpy(), **TOL)


def _check_loss(torch, ours, ref, pred, target, target_torch=None):
    pt = Tensor(pred, requires_grad=True)
    loss = ours(pt)
    pr = _t(torch, pred, grad=True)
    loss_ref = ref(pr, target_torch if target_torch is not None else _t(torch, target))
    g = RNG.normal(size=loss.shape)  # a cotangent also for reduction="none"
    (loss * Tensor(g)).sum().backward()
    (loss_ref * _t(torch, g)).sum().backward()
    np.testing.assert_allclose(loss.cpu().numpy(), loss_ref.detach().cpu().numpy(), **TOL)
    np.testing.assert_allclose(pt.grad.cpu().numpy(), pr.grad.cpu().numpy(), **TOL)


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_classification_losses_match_torch(torch, reduction):
    F = torch.nn.functional
    logits = RNG.normal(size=(7, 5)) * 4
    labels = RNG.integers(0, 5, size=7)
    labels_t = torch.from_numpy(labels)
    probs = RNG.dirichlet(np.ones(5), size=7)
    _check_loss(
        torch,
        lambda z: nn.CrossEntropyLoss(reduction=reduction)(z, labels),
        lambda z, t: F.cross_entropy(z, t, reduction=reduction),
        logits,
        None,
        labels_t,
    )
    _check_loss(
        torch,
        lambda z: nn.CrossEntropyLoss(reduction=reduction)(z, probs),
        lambda z, t: F.cross_entropy(z, t, reduction=reduction),
        logits,
        probs,
    )
    _check_loss(
        torch,
        lambda z: nn.NLLLoss(reduction=reduction)(z, labels),
        lambda z, t: F.nll_loss(z, t, reduction=reduction),
        logits,
        None,
        labels_t,
    )
    x = RNG.normal(size=(6, 2)) * 3
    y = RNG.integers(0, 2, size=(6, 2)).astype(np.float64)
    _check_loss(
        torch,
        lambda z: nn.BCEWithLogitsLoss(reduction=reduction)(z, y),
        lambda z, t: F.binary_cross_entropy_with_logits(z, t, reduction=reduction),
        x,
        y,
    )
    p = 1 / (1 + np.exp(-x))
    _check_loss(
        torch,
        lambda z: nn.BCELoss(reduction=reduction)(z, y),
        lambda z, t: F.binary_cross_entropy(z, t, reduction=reduction),
        p,
        y,
    )


def test_keras_spellings_match_torch_with_mean_reduction(torch):
    F = torch.nn.functional
    logits = RNG.normal(size=(7, 5))
    labels = RNG.integers(0, 5, size=7)
    _check_loss(
        torch,
        lambda z: nn.losses.get("sparse_categorical_crossentropy")(labels, autograd.softmax(z)),
        lambda z, t: F.cross_entropy(z, t),
        logits,
        None,
        torch.from_numpy(labels),
    )
    onehot = np.eye(5)[labels]
    _check_loss(
        torch,
        lambda z: nn.CategoricalCrossentropy(from_logits=True)(onehot, z),
        lambda z, t: F.cross_entropy(z, t),
        logits,
        onehot,
    )


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_regression_losses_match_torch(torch, reduction):
    F = torch.nn.functional
    pred, true = RNG.normal(size=(5, 3)), RNG.normal(size=(5, 3))
    for ours, ref in (
        (nn.MSELoss(reduction), lambda a, b: F.mse_loss(a, b, reduction=reduction)),
        (nn.L1Loss(reduction), lambda a, b: F.l1_loss(a, b, reduction=reduction)),
        (
            nn.HuberLoss(reduction, delta=0.5),
            lambda a, b: F.huber_loss(a, b, reduction=reduction, delta=0.5),
        ),
    ):
        _check_loss(torch, lambda z, ours=ours: ours(z, true), ref, pred, true)


def test_mlp_training_step_matches_torch(torch):
    autograd.manual_seed(0)
    ours = nn.Sequential(
        nn.Linear(4, 8, dtype="float64"), nn.Tanh(), nn.Linear(8, 3, dtype="float64")
    )
    ref = torch.nn.Sequential(
        torch.nn.Linear(4, 8), torch.nn.Tanh(), torch.nn.Linear(8, 3)
    ).double()
    with torch.no_grad():
        for i in (0, 2):
            ref[i].weight.copy_(torch.from_numpy(ours[i].weight.cpu().numpy()))
            ref[i].bias.copy_(torch.from_numpy(ours[i].bias.cpu().numpy()))
    x, labels = RNG.normal(size=(10, 4)), RNG.integers(0, 3, size=10)
    nn.CrossEntropyLoss()(ours(Tensor(x)), labels).backward()
    torch.nn.functional.cross_entropy(ref(_t(torch, x)), torch.from_numpy(labels)).backward()
    for i in (0, 2):
        np.testing.assert_allclose(host(ours[i].weight.grad), ref[i].weight.grad.numpy(), **TOL)


def test_a_pytorch_state_dict_loads_as_it_is(torch, tmp_path):
    """PyTorch's own keys and layouts: a state dict written by torch (via safetensors)
    loads into the same architecture here without renaming or transposing anything."""
    from collections import OrderedDict

    from safetensors.numpy import load_file
    from safetensors.torch import save_file

    def build(lib):
        return lib.Sequential(OrderedDict([
            ("flatten", lib.Flatten()), ("fc1", lib.Linear(12, 8)), ("bn", lib.BatchNorm1d(8)),
            ("act", lib.ReLU()), ("fc2", lib.Linear(8, 3)),
        ]))  # fmt: skip

    ref = build(torch.nn)
    ref.train()
    ref(torch.randn(16, 3, 4))  # running statistics and num_batches_tracked move
    ref.eval()
    path = str(tmp_path / "torch_model.safetensors")
    save_file(ref.state_dict(), path)
    ours = build(nn)
    assert list(ours.state_dict()) == list(ref.state_dict())
    ours.load_state_dict(load_file(path))
    ours.eval()
    x = RNG.normal(size=(5, 3, 4)).astype(np.float32)
    np.testing.assert_allclose(
        host(ours(Tensor(x))), ref(torch.from_numpy(x)).detach().numpy(), rtol=1e-5, atol=1e-6
    )
    assert repr(ours) == repr(ref)  # print(model) reads the same
