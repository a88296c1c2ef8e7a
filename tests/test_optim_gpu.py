"""Optimizers on a device against the NumPy path (float32 tolerance): on CUDA the fused
CuPy kernels, on the stand-in device the in-place path on device arrays (state created on
the device, no host array mixed in). The ``accelerator`` fixture runs each test on the
stand-in everywhere and on CUDA where there is one."""

from __future__ import annotations

import numpy as np
import pytest

import backends
import optim
from autograd import Tensor

CONFIGS = [
    ("SGD", {"lr": 0.05}),
    ("SGD", {"lr": 0.05, "weight_decay": 0.01}),
    ("SGD", {"lr": 0.05, "momentum": 0.9}),
    ("SGD", {"lr": 0.05, "momentum": 0.9, "dampening": 0.2, "weight_decay": 0.01}),
    ("SGD", {"lr": 0.05, "momentum": 0.9, "nesterov": True}),
    ("Adagrad", {"lr": 0.05, "lr_decay": 0.01, "weight_decay": 0.01}),
    ("Adadelta", {"weight_decay": 0.01}),
    ("RMSprop", {}),
    ("RMSprop", {"centered": True, "momentum": 0.5, "weight_decay": 0.01}),
    ("Adam", {"lr": 0.01}),
    ("Adam", {"lr": 0.01, "amsgrad": True, "weight_decay": 0.01}),
    ("Adam", {"lr": 0.01, "betas": (0.3, 0.9)}),
    ("AdamW", {"lr": 0.01, "amsgrad": True}),
    ("Adamax", {"weight_decay": 0.01}),
    ("NAdam", {"weight_decay": 0.01}),
    ("NAdam", {"weight_decay": 0.01, "decoupled_weight_decay": True}),
    ("RAdam", {"lr": 0.01}),
    ("RAdam", {"lr": 0.01, "weight_decay": 0.01, "decoupled_weight_decay": True}),
    ("Lion", {"lr": 1e-3, "weight_decay": 0.1}),
]


@pytest.mark.parametrize("config", CONFIGS,
                         ids=lambda c: c[0] + "".join(f"-{k}={v}" for k, v in c[1].items()))
def test_fused_gpu_update_equals_numpy_path(config, accelerator):
    device = backends.get_backend(accelerator)
    name, kwargs = config
    rng = np.random.default_rng(0)
    shapes = [(64, 33), (33,), (7, 3, 5)]
    start = [rng.standard_normal(s).astype(np.float32) for s in shapes]
    cpu = [Tensor(a.copy(), device="cpu", requires_grad=True) for a in start]
    gpu = [Tensor(device.from_host(a), requires_grad=True) for a in start]
    opt_cpu = getattr(optim, name)(cpu, **kwargs)
    opt_gpu = getattr(optim, name)(gpu, **kwargs)
    for _ in range(20):
        for pc, pg in zip(cpu, gpu, strict=True):
            # A gradient that depends on the parameter, so trajectories must agree to matter.
            g = (pc.cpu().numpy() * 0.5 + rng.standard_normal(pc.shape).astype(np.float32))
            pc.grad = Tensor(g, device="cpu")
            pg.grad = Tensor(device.from_host(g))
        opt_cpu.step()
        opt_gpu.step()
    for pc, pg, s in zip(cpu, gpu, start, strict=True):
        assert device.owns(pg.array) and pg.array.dtype == np.float32
        np.testing.assert_allclose(pg.cpu().numpy(), pc.cpu().numpy(), rtol=1e-4, atol=1e-5)
        assert np.abs(pc.cpu().numpy() - s).max() > 1e-3
    for key, value in opt_gpu.state[gpu[0]].items():
        if backends.is_array(value):
            assert device.owns(value) and value.dtype == np.float32, key
            np.testing.assert_allclose(device.to_host(value), opt_cpu.state[cpu[0]][key],
                                       rtol=1e-4, atol=1e-5)


def test_gpu_state_dict_loads_on_cpu(accelerator):
    p = Tensor(np.ones(4, dtype=np.float32), device=accelerator, requires_grad=True)
    p.grad = Tensor(np.full(4, 0.5, dtype=np.float32), device=accelerator)
    opt = optim.Adam([p], lr=0.1)
    opt.step()
    q = Tensor(np.ones(4, dtype=np.float32), device="cpu", requires_grad=True)
    cpu_opt = optim.Adam([q], lr=0.1)
    cpu_opt.load_state_dict(opt.state_dict())
    assert isinstance(cpu_opt.state[q]["exp_avg"], np.ndarray)
    np.testing.assert_allclose(cpu_opt.state[q]["exp_avg"], np.full(4, 0.05), rtol=1e-6)


def test_clip_grad_norm_on_gpu_matches_cpu(accelerator):
    rng = np.random.default_rng(1)
    grads = [rng.standard_normal(s).astype(np.float32) for s in [(10, 3), (3,)]]
    cpu, gpu = [], []
    for g in grads:
        pc = Tensor(np.zeros_like(g), device="cpu", requires_grad=True)
        pc.grad = Tensor(g.copy(), device="cpu")
        pg = Tensor(np.zeros_like(g), device=accelerator, requires_grad=True)
        pg.grad = Tensor(g, device=accelerator)
        cpu.append(pc)
        gpu.append(pg)
    total_cpu = optim.clip_grad_norm_(cpu, 1.0)
    total_gpu = optim.clip_grad_norm_(gpu, 1.0)
    assert total_gpu.device != "cpu"
    np.testing.assert_allclose(total_gpu.item(), total_cpu.item(), rtol=1e-5)
    for pc, pg in zip(cpu, gpu, strict=True):
        np.testing.assert_allclose(pg.grad.cpu().numpy(), pc.grad.cpu().numpy(), rtol=1e-5)


def _mlp_data():
    rng = np.random.default_rng(0)
    return rng.standard_normal((64, 5)).astype(np.float32), rng.integers(0, 3, 64)


@pytest.mark.parametrize("optimizer", ["Adam", "SGD"])
def test_training_goes_on_after_the_model_moves_between_devices(accelerator, optimizer):
    """``model.to(...)`` after the optimizer has stepped: the next backward must not write
    into the flat gradient buffer left on the old device, and the optimizer's state must
    follow its parameters (PyTorch raises; here the training goes on as if nothing moved).
    The reference trains the same steps without moving."""
    import autograd
    import nn

    x, y = _mlp_data()
    kwargs = {"lr": 0.01} if optimizer == "Adam" else {"lr": 0.05, "momentum": 0.9}
    runs = {}
    for moving in (False, True):
        autograd.manual_seed(0)
        model = nn.Sequential(nn.Linear(5, 8), nn.ReLU(), nn.Linear(8, 3)).to(accelerator)
        opt = getattr(optim, optimizer)(model.parameters(), **kwargs)
        loss_fn = nn.CrossEntropyLoss()
        for device in [accelerator] * 3 + ["cpu"] * 3 + [accelerator] * 2:
            if moving:
                model.to(device)
            else:
                device = accelerator
            opt.zero_grad()
            loss_fn(model(Tensor(x, device=device)), Tensor(y, device=device)).backward()
            opt.step()
        runs[moving] = (model, opt)
    (still, _), (moved, opt) = runs[False], runs[True]
    for a, b in zip(moved.parameters(), still.parameters(), strict=True):
        np.testing.assert_allclose(a.cpu().numpy(), b.cpu().numpy(), rtol=1e-4, atol=1e-6)
    for p, state in opt.state.items():  # back on the device, after the parameters
        for value in state.values():
            if getattr(value, "ndim", 0):
                assert backends.backend_of(p.array).owns(value)


def test_fit_goes_on_after_the_model_moves_between_devices(accelerator):
    """The same for Keras' optimizers, which ``fit`` binds (the Keras dialect)."""
    import autograd
    import nn

    x, y = _mlp_data()
    results = {}
    for moving in (False, True):
        autograd.manual_seed(0)
        model = nn.Sequential([nn.Dense(8, activation="relu", input_shape=(5,)),
                               nn.Dense(3, activation="softmax")]).to(accelerator)  # fmt: skip
        model.compile(optimizer="adam", loss="sparse_categorical_crossentropy",
                      metrics=["accuracy"])  # fmt: skip
        history = []
        for device in (accelerator, "cpu", accelerator):
            if moving:
                model.to(device)
            history.append(model.fit(x, y, epochs=1, batch_size=16, shuffle=False,
                                     verbose=0).history)  # fmt: skip
        results[moving] = (model, history)
    (still, still_history), (moved, history) = results[False], results[True]
    for a, b in zip(moved.parameters(), still.parameters(), strict=True):
        np.testing.assert_allclose(a.cpu().numpy(), b.cpu().numpy(), rtol=1e-4, atol=1e-6)
    for logs, reference in zip(history, still_history, strict=True):
        assert logs["loss"] == pytest.approx(reference["loss"], rel=1e-5)
        assert logs["accuracy"] == reference["accuracy"]
    assert moved.optimizer.iterations == still.optimizer.iterations == 12
