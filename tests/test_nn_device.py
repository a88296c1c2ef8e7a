"""nn on each device (conftest's ``device`` fixture: cpu, and cuda where CuPy has a GPU):
same results as on the CPU, weights created and kept on the device, float32 preserved."""

from __future__ import annotations

import numpy as np

import autograd
import nn
from autograd import Tensor


def _model() -> nn.Sequential:
    autograd.manual_seed(0)
    return nn.Sequential([
        nn.Flatten(input_shape=(4, 3)),
        nn.Dense(8, activation="relu"),
        nn.BatchNormalization(),
        nn.Dense(5, activation="softmax"),
    ])  # fmt: skip


def test_forward_backward_on_device_matches_cpu(device, tmp_path):
    x = np.random.default_rng(0).normal(size=(6, 4, 3)).astype(np.float32)
    labels = np.array([0, 1, 2, 3, 4, 0])
    cpu = _model()
    moved = _model()
    kernel = moved.layers[1].kernel
    moved.to(device)
    assert moved.layers[1].kernel is kernel  # same Parameter object, data moved
    assert all(p.device.startswith(device) for p in moved.parameters())
    assert all(b.device.startswith(device) for b in moved.buffers())

    y = moved(Tensor(x, device=device))
    assert y.device.startswith(device) and y.dtype == np.float32
    loss = nn.losses.get("sparse_categorical_crossentropy")(labels, y)
    assert loss.dtype == np.float32
    loss.backward()
    loss_cpu = nn.losses.get("sparse_categorical_crossentropy")(labels, cpu(Tensor(x)))
    loss_cpu.backward()
    np.testing.assert_allclose(loss.item(), loss_cpu.item(), rtol=1e-5)
    np.testing.assert_allclose(kernel.grad.cpu().numpy(), cpu.layers[1].kernel.grad.cpu().numpy(),
                               rtol=1e-4, atol=1e-6)
    np.testing.assert_allclose(moved.layers[2].moving_mean.cpu().numpy(),
                               cpu.layers[2].moving_mean.cpu().numpy(), rtol=1e-5, atol=1e-7)
    acc = nn.metrics.accuracy(labels, y)
    assert acc.device.startswith(device)

    path = str(tmp_path / "m.npz")
    moved.save(path)
    back = nn.load_model(path)
    for a, b in zip(back.get_weights(), moved.get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)


def test_lazy_layer_builds_on_the_input_device(device):
    layer = nn.Dense(3)
    layer(Tensor(np.ones((2, 4), np.float32), device=device))
    assert layer.kernel.device.startswith(device)
