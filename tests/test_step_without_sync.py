"""A whole training step on a device reads nothing back to the host.

On a GPU every ``float()``, ``bool()``, ``.item()`` or ``.get()`` of a device value makes
the host wait until the GPU has finished everything queued so far, so one such read inside
a step serialises the CPU's Python with the GPU's kernels. On the ``fakegpu`` stand-in
(``_device.no_host_reads``) such a read raises: the PyTorch-style step (forward, loss,
backward, optimizer step, for several optimizers and losses), ``fit``'s step with its
running loss and accuracy, and clipping, are run under it. The values are also checked
against the same steps on the host.
"""

from __future__ import annotations

import numpy as np
import pytest
from _device import host, no_host_reads

import autograd
import nn
import optim
from nn.training.step import Step, bind_optimizer

OPTIMIZERS = [
    (optim.Adam, {"lr": 1e-2}),
    (optim.AdamW, {"lr": 1e-2, "amsgrad": True}),
    (optim.SGD, {"lr": 0.1, "momentum": 0.9, "nesterov": True}),
    (optim.RMSprop, {"lr": 1e-2, "centered": True}),
]


def _torch_style(device, optimizer, kwargs, loss_name):
    autograd.manual_seed(0)
    model = nn.Sequential(nn.Linear(6, 5), nn.ReLU(), nn.Dropout(0.0), nn.Linear(5, 3),
                          nn.Sigmoid(), nn.Linear(3, 3)).to(device)  # fmt: skip
    loss_fn = nn.CrossEntropyLoss() if loss_name == "ce" else nn.MSELoss()
    return model, loss_fn, optimizer(model.parameters(), **kwargs)


def _batches(device, loss_name, steps=6):
    rng = np.random.default_rng(1)
    out = []
    for _ in range(steps):
        x = rng.standard_normal((4, 6)).astype(np.float32)
        y = rng.integers(0, 3, 4) if loss_name == "ce" else rng.standard_normal((4, 3))
        y = y.astype(np.float32) if loss_name == "mse" else y
        out.append((autograd.tensor(x, device=device), autograd.tensor(y, device=device)))
    return out


@pytest.mark.parametrize("loss_name", ["ce", "mse"])
@pytest.mark.parametrize("optimizer,kwargs", OPTIMIZERS, ids=lambda v: getattr(v, "__name__", ""))
def test_pytorch_style_step_reads_nothing_back(accelerator, monkeypatch, optimizer, kwargs,
                                               loss_name):  # fmt: skip
    results = {}
    for device in ("cpu", accelerator):
        model, loss_fn, opt = _torch_style(device, optimizer, kwargs, loss_name)
        losses = []
        for x, y in _batches(device, loss_name):
            with no_host_reads(monkeypatch, device):
                opt.zero_grad()
                loss = loss_fn(model(x), y)
                loss.backward()
                nn.utils.clip_grad_norm_(model.parameters(), 1.0)
                opt.step()
            losses.append(loss)
        results[device] = ([float(host(l)) for l in losses],
                           [host(p) for p in model.parameters()])  # fmt: skip
    np.testing.assert_allclose(results[accelerator][0], results["cpu"][0], rtol=1e-5)
    for a, b in zip(results[accelerator][1], results["cpu"][1], strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-6)


def test_fit_step_with_loss_and_accuracy_reads_nothing_back(accelerator, monkeypatch):
    logs = {}
    for device in ("cpu", accelerator):
        autograd.manual_seed(0)  # drawn on the host, so that both devices start alike (a
        model = nn.Sequential([nn.layers.Dense(5, activation="relu", input_shape=(6,)),
                               nn.layers.Dense(3, activation="softmax")])  # GPU's own
        model.to(device)  # generator draws other numbers than NumPy's for the same seed)
        model.compile(optimizer="adam", loss="sparse_categorical_crossentropy",
                      metrics=["accuracy"])  # fmt: skip
        batches = _batches(device, "ce")
        optimizer = bind_optimizer(model, model.optimizer, batches[0][0])
        step = Step(model, nn.losses.get("sparse_categorical_crossentropy"), optimizer,
                    [nn.metrics.SparseCategoricalAccuracy(name="accuracy")])  # fmt: skip
        model.train()
        for x, y in batches:
            with no_host_reads(monkeypatch, device):
                step.train(x, y)
        logs[device] = step.logs()  # the one read, once per bar redraw or epoch
    assert logs[accelerator].keys() == logs["cpu"].keys() == {"loss", "accuracy"}
    for key in logs["cpu"]:
        np.testing.assert_allclose(logs[accelerator][key], logs["cpu"][key], rtol=1e-5)


def test_the_guard_catches_a_read(monkeypatch):
    """The stand-in's guard does raise (so the tests above could fail)."""
    x = autograd.tensor(np.ones(3, np.float32), device="fakegpu")
    with no_host_reads(monkeypatch, "fakegpu"), pytest.raises(AssertionError, match="host"):
        float(x.sum())
    with no_host_reads(monkeypatch, "fakegpu"), pytest.raises(AssertionError, match="host"):
        x.sum().item()
