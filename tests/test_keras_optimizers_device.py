"""optim.keras on a device: the same trajectory as on the host, state on the device, and
no value read back to the host during a step.

The ``accelerator`` fixture runs each test on the ``fakegpu`` stand-in everywhere and on
CUDA where there is one. On the stand-in, any conversion of a device value to a Python
number (``float()``, ``bool()``, ``.item()``, ``.get()``) is made to raise while the
optimizer steps: that is where CuPy would synchronise with the GPU.
"""

from __future__ import annotations

import numpy as np
import pytest
from _device import no_host_reads

import backends
from autograd import Tensor
from optim import keras as ko

SETTINGS = [
    ("SGD", {"learning_rate": 0.05, "momentum": 0.9, "nesterov": True, "clipnorm": 1.0}),
    ("RMSprop", {"momentum": 0.5, "centered": True, "weight_decay": 0.01,
                 "global_clipnorm": 2.0}),
    ("Adagrad", {"learning_rate": 0.05, "clipvalue": 0.5}),
    ("Adadelta", {"learning_rate": 1.0, "use_ema": True, "ema_overwrite_frequency": 5}),
    ("Adam", {"learning_rate": 0.01, "amsgrad": True, "gradient_accumulation_steps": 2,
              "loss_scale_factor": 8.0}),
    ("AdamW", {"learning_rate": ko.schedules.CosineDecay(0.01, 20, warmup_target=0.02,
                                                         warmup_steps=5)}),
    ("Adamax", {"weight_decay": 0.01}),
    ("Nadam", {"learning_rate": 0.01, "global_clipnorm": 1.0}),
    ("Lion", {"weight_decay": 0.1}),
    ("Ftrl", {"learning_rate": 0.1, "l1_regularization_strength": 0.01,
              "l2_shrinkage_regularization_strength": 0.01}),
]


@pytest.mark.parametrize("setting", SETTINGS, ids=[s[0] for s in SETTINGS])
def test_device_steps_equal_host_steps_without_syncs(setting, accelerator, monkeypatch):
    name, kwargs = setting
    device = backends.get_backend(accelerator)
    rng = np.random.default_rng(0)
    shapes = [(16, 9), (9,), (3, 2, 5)]
    start = [rng.standard_normal(s).astype(np.float32) for s in shapes]
    host = [Tensor(a.copy(), device="cpu", requires_grad=True) for a in start]
    dev = [Tensor(device.from_host(a), requires_grad=True) for a in start]
    opt_host, opt_dev = getattr(ko, name)(**kwargs), getattr(ko, name)(**kwargs)
    opt_host.build(host)
    opt_dev.build(dev)
    for step in range(20):
        grads = [(rng.standard_normal(s) * 3).astype(np.float32) for s in shapes]
        for p, g in zip(host, grads, strict=True):
            p.grad = Tensor(g, device="cpu")
        device_grads = [Tensor(device.from_host(g)) for g in grads]
        opt_host.step()
        with no_host_reads(monkeypatch, accelerator):
            if step % 2:  # both entry points
                opt_dev.apply_gradients(zip(device_grads, dev, strict=True))
            else:
                for p, g in zip(dev, device_grads, strict=True):
                    p.grad = g
                opt_dev.step()
    opt_host.finalize_variable_values()
    opt_dev.finalize_variable_values()
    assert opt_dev.iterations == opt_host.iterations
    for ph, pd in zip(host, dev, strict=True):
        assert device.owns(pd.array) and pd.array.dtype == np.float32
        np.testing.assert_allclose(pd.cpu().numpy(), ph.numpy(), rtol=1e-5, atol=1e-6)
    for state in opt_dev.state.values():
        assert all(device.owns(v) for v in state.values() if hasattr(v, "shape"))
