"""nn.functional against torch.nn.functional on the same inputs (float64)."""

from __future__ import annotations

import numpy as np
import pytest
from _device import host

import autograd as ag
import nn
import nn.functional as F


@pytest.fixture
def data():
    rng = np.random.default_rng(0)
    return {
        "x": rng.normal(size=(5, 4)),
        "w": rng.normal(size=(3, 4)),  # PyTorch layout (out, in)
        "b": rng.normal(size=3),
        "labels": rng.integers(0, 3, 5),
        "target": rng.normal(size=(5, 3)),
        "binary": rng.integers(0, 2, (5, 3)).astype(np.float64),
    }


def _grad_pair(torch, fn_ours, fn_torch, *arrays):
    ours = [ag.Tensor(a, requires_grad=True) for a in arrays]
    theirs = [torch.tensor(a, requires_grad=True) for a in arrays]
    out_ours, out_theirs = fn_ours(*ours), fn_torch(*theirs)
    np.testing.assert_allclose(
        out_ours.cpu().numpy(), out_theirs.detach().cpu().numpy(), rtol=1e-10, atol=1e-12
    )
    out_ours.sum().backward()
    out_theirs.sum().backward()
    for a, b in zip(ours, theirs, strict=True):
        np.testing.assert_allclose(host(a.grad), host(b.grad), rtol=1e-10, atol=1e-12)


def test_linear_uses_pytorchs_weight_layout(torch, data):
    tf = torch.nn.functional
    _grad_pair(torch, F.linear, tf.linear, data["x"], data["w"], data["b"])


@pytest.mark.parametrize(
    "name", ["relu", "sigmoid", "tanh", "elu", "selu", "gelu", "silu", "softplus"]
)
def test_activations(torch, data, name):
    _grad_pair(torch, getattr(F, name), getattr(torch.nn.functional, name), data["x"])


def test_softmax_family(torch, data):
    tf = torch.nn.functional
    _grad_pair(torch, lambda t: F.softmax(t, axis=1), lambda t: tf.softmax(t, dim=1), data["x"])
    _grad_pair(
        torch, lambda t: F.log_softmax(t, axis=1), lambda t: tf.log_softmax(t, dim=1), data["x"]
    )
    _grad_pair(torch, lambda t: F.leaky_relu(t, 0.2), lambda t: tf.leaky_relu(t, 0.2), data["x"])


@pytest.mark.parametrize("reduction", ["mean", "sum"])
def test_losses_take_input_then_target(torch, data, reduction):
    tf = torch.nn.functional
    labels, target, binary = data["labels"], data["target"], data["binary"]
    cases = [
        (F.cross_entropy, tf.cross_entropy, labels),
        (F.mse_loss, tf.mse_loss, target),
        (F.l1_loss, tf.l1_loss, target),
        (F.huber_loss, tf.huber_loss, target),
        (F.binary_cross_entropy_with_logits, tf.binary_cross_entropy_with_logits, binary),
    ]
    for ours, theirs, y in cases:
        logits = data["x"][:, :3]
        a = ag.Tensor(logits, requires_grad=True)
        b = torch.tensor(logits, requires_grad=True)
        la, lb = ours(a, y, reduction=reduction), theirs(b, torch.tensor(y), reduction=reduction)
        np.testing.assert_allclose(la.item(), lb.item(), rtol=1e-10)
        la.backward()
        lb.backward()
        np.testing.assert_allclose(host(a.grad), host(b.grad), rtol=1e-9, atol=1e-12)


def test_nll_and_binary_cross_entropy_on_probabilities(torch, data):
    tf = torch.nn.functional
    logp = ag.log_softmax(ag.Tensor(data["x"][:, :3]), axis=1)
    expected = tf.nll_loss(
        torch.log_softmax(torch.tensor(data["x"][:, :3]), 1), torch.tensor(data["labels"])
    )
    np.testing.assert_allclose(F.nll_loss(logp, data["labels"]).item(), expected.item(), rtol=1e-12)
    probs = 1 / (1 + np.exp(-data["x"][:, :3]))
    expected = tf.binary_cross_entropy(torch.tensor(probs), torch.tensor(data["binary"]))
    np.testing.assert_allclose(F.binary_cross_entropy(ag.Tensor(probs), data["binary"]).item(),
                               expected.item(), rtol=1e-6)  # fmt: skip


def test_dropout_is_identity_when_not_training():
    x = ag.Tensor(np.ones((4, 4)))
    assert F.dropout(x, 0.5, training=False) is x
    kept = F.dropout(x, 0.5).cpu().numpy()
    assert set(np.unique(kept)) <= {0.0, 2.0}


def test_a_pytorch_style_module_with_functional_calls_trains():
    class MLP(nn.Module):
        def __init__(self):
            super().__init__()
            self.fc1, self.fc2 = nn.Linear(2, 16), nn.Linear(16, 2)

        def forward(self, x):
            return self.fc2(F.relu(self.fc1(x)))

    rng = np.random.default_rng(1)
    x = rng.normal(size=(128, 2)).astype(np.float32)
    y = (x[:, 0] * x[:, 1] > 0).astype(np.int64)
    ag.manual_seed(0)
    model = MLP()
    import optim

    opt = optim.Adam(model.parameters(), lr=0.05)
    losses = []
    for _ in range(100):
        opt.zero_grad()
        loss = F.cross_entropy(model(ag.Tensor(x)), y)
        loss.backward()
        opt.step()
        losses.append(loss.item())
    assert losses[-1] < 0.5 * losses[0]
