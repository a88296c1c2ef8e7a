"""Every optimizer against torch.optim, step for step, on the same tiny model.

A 2-layer tanh MLP built from autograd Tensors produces its gradients with
``loss.backward()``; the very same gradient arrays are handed to a float64 copy of the
parameters inside ``torch.optim``. Only the optimizers' update rules are compared: after
every one of 100 steps the parameters must agree to rtol 1e-6. Lion, which torch lacks, is
checked against a transcription of its paper's algorithm.

Through the ``torch`` fixture (tests/conftest.py) these tests fail in CI when torch is
missing and skip with a reason elsewhere.
"""

from __future__ import annotations

import numpy as np
import pytest
from _device import host

import autograd
import optim

STEPS = 100

# (xpgrad/torch class name, keyword arguments); {} means the class defaults.
CONFIGS = [
    ("SGD", {}),
    ("SGD", {"lr": 0.05}),
    ("SGD", {"lr": 0.05, "momentum": 0.9}),
    ("SGD", {"lr": 0.05, "momentum": 0.9, "dampening": 0.3, "weight_decay": 0.01}),
    ("SGD", {"lr": 0.05, "momentum": 0.9, "nesterov": True}),
    ("SGD", {"lr": 0.05, "momentum": 0.8, "nesterov": True, "weight_decay": 0.05}),
    ("Adagrad", {}),
    ("Adagrad", {"lr": 0.05, "lr_decay": 0.01, "weight_decay": 0.02,
                 "initial_accumulator_value": 0.1, "eps": 1e-8}),
    ("Adadelta", {}),
    ("Adadelta", {"lr": 0.5, "rho": 0.8, "eps": 1e-5, "weight_decay": 0.02}),
    ("RMSprop", {}),
    ("RMSprop", {"lr": 0.005, "alpha": 0.9, "eps": 1e-6, "weight_decay": 0.02}),
    ("RMSprop", {"lr": 0.005, "centered": True}),
    ("RMSprop", {"lr": 0.002, "momentum": 0.9}),
    ("RMSprop", {"lr": 0.002, "momentum": 0.5, "centered": True, "weight_decay": 0.01}),
    ("Adam", {}),
    ("Adam", {"lr": 0.01, "betas": (0.8, 0.99), "eps": 1e-6, "weight_decay": 0.02}),
    ("Adam", {"lr": 0.01, "amsgrad": True}),
    ("Adam", {"lr": 0.01, "betas": (0.3, 0.9), "amsgrad": True, "weight_decay": 0.05}),
    ("AdamW", {}),
    ("AdamW", {"lr": 0.01, "weight_decay": 0.1, "amsgrad": True}),
    ("Adamax", {}),
    ("Adamax", {"lr": 0.01, "betas": (0.8, 0.99), "weight_decay": 0.02}),
    ("NAdam", {}),
    ("NAdam", {"lr": 0.01, "momentum_decay": 0.01, "weight_decay": 0.02}),
    ("NAdam", {"lr": 0.01, "weight_decay": 0.05, "decoupled_weight_decay": True}),
    ("RAdam", {}),
    ("RAdam", {"lr": 0.01, "betas": (0.9, 0.99), "weight_decay": 0.02}),
    ("RAdam", {"lr": 0.01, "weight_decay": 0.05, "decoupled_weight_decay": True}),
]


def _config_id(config: tuple[str, dict]) -> str:
    name, kwargs = config
    if not kwargs:
        return f"{name}-default"
    return name + "-" + "-".join(f"{k}={v}" for k, v in kwargs.items())


class TinyMLP:
    """x -> tanh(x W1 + b1) W2 + b2, mean-squared error; float64 autograd Tensors."""

    def __init__(self, seed: int = 0) -> None:
        rng = np.random.default_rng(seed)
        self.x = autograd.Tensor(rng.standard_normal((16, 3)))
        self.y = autograd.Tensor(rng.standard_normal((16, 2)))
        shapes = [(3, 5), (5,), (5, 2), (2,)]
        self.params = [autograd.Tensor(rng.standard_normal(s) * 0.5, requires_grad=True)
                       for s in shapes]

    def loss(self) -> autograd.Tensor:
        w1, b1, w2, b2 = self.params
        hidden = autograd.tanh(self.x @ w1 + b1)
        diff = hidden @ w2 + b2 - self.y
        return (diff * diff).mean()

    def compute_grads(self) -> None:
        for p in self.params:
            p.grad = None
        self.loss().backward()


@pytest.fixture
def torch64(torch):
    """torch with float64 as default dtype: torch.optim then keeps its scalar state (step
    counts, NAdam's mu_product) in float64 instead of float32, as xpgrad's Python floats."""
    previous = torch.get_default_dtype()
    torch.set_default_dtype(torch.float64)
    yield torch
    torch.set_default_dtype(previous)


def _torch_params(torch, model: TinyMLP) -> list:
    return [torch.tensor(p.cpu().numpy(), dtype=torch.float64, requires_grad=True)
            for p in model.params]


def test_model_is_float64_and_has_gradients():
    model = TinyMLP()
    model.compute_grads()
    for p in model.params:
        assert p.dtype == np.float64
        assert p.grad is not None and p.grad.dtype == np.float64
        assert np.any(p.grad.cpu().numpy() != 0)


@pytest.mark.parametrize("config", CONFIGS, ids=_config_id)
def test_matches_torch_every_step(torch64, config):
    torch = torch64
    name, kwargs = config
    model = TinyMLP()
    tparams = _torch_params(torch, model)
    opt = getattr(optim, name)(model.params, **kwargs)
    topt = getattr(torch.optim, name)(tparams, **kwargs)
    start = [p.cpu().numpy().copy() for p in model.params]  # numpy() shares memory
    for step in range(1, STEPS + 1):
        model.compute_grads()
        for p, tp in zip(model.params, tparams, strict=True):
            tp.grad = torch.from_numpy(p.grad.cpu().numpy())
        opt.step()
        topt.step()
        for i, (p, tp) in enumerate(zip(model.params, tparams, strict=True)):
            np.testing.assert_allclose(
                p.cpu().numpy(), tp.detach().numpy(), rtol=1e-6, atol=1e-12,
                err_msg=f"{name}{kwargs}: parameter {i} differs from torch after step {step}",
            )
    moved = max(np.max(np.abs(host(p) - s)) for p, s in zip(model.params, start, strict=True))
    assert moved > 1e-3, "the comparison is vacuous: the parameters barely moved"


def test_param_groups_with_their_own_settings_match_torch(torch64):
    torch = torch64
    model = TinyMLP()
    tparams = _torch_params(torch, model)
    w1, b1, w2, b2 = model.params
    opt = optim.SGD([{"params": [w1, b1]}, {"params": [w2, b2], "lr": 0.01, "nesterov": True}],
                    lr=0.05, momentum=0.9)
    topt = torch.optim.SGD([{"params": tparams[:2]},
                            {"params": tparams[2:], "lr": 0.01, "nesterov": True}],
                           lr=0.05, momentum=0.9)
    for _ in range(30):
        model.compute_grads()
        for p, tp in zip(model.params, tparams, strict=True):
            tp.grad = torch.from_numpy(p.grad.cpu().numpy())
        opt.step()
        topt.step()
    for p, tp in zip(model.params, tparams, strict=True):
        np.testing.assert_allclose(host(p), tp.detach().numpy(), rtol=1e-6, atol=1e-12)


def _lion_paper_reference(params, grads_per_step, lr, beta1, beta2, weight_decay):
    """Algorithm 2 of Chen et al. (2023), "Symbolic Discovery of Optimization Algorithms",
    transcribed literally (a generator: yields the parameters after each step)."""
    theta = [p.copy() for p in params]
    m = [np.zeros_like(p) for p in params]
    for grads in grads_per_step:
        for i, g in enumerate(grads(theta)):
            c = beta1 * m[i] + (1 - beta1) * g          # update = interp(g, m, beta1)
            theta[i] = theta[i] - lr * (np.sign(c) + weight_decay * theta[i])
            m[i] = beta2 * m[i] + (1 - beta2) * g       # momentum = interp(g, m, beta2)
        yield theta


@pytest.mark.parametrize("kwargs", [{}, {"lr": 3e-3, "betas": (0.95, 0.98), "weight_decay": 0.1}],
                         ids=["default", "custom"])
def test_lion_matches_its_paper(kwargs):
    model = TinyMLP()
    settings = {"lr": 1e-4, "betas": (0.9, 0.99), "weight_decay": 0.0, **kwargs}
    opt = optim.Lion(model.params, **kwargs)

    def grads_at(theta):
        # The reference evaluates the gradient at its own parameters, with the same model.
        saved = [p.cpu().numpy() for p in model.params]
        with autograd.no_grad():
            for p, t in zip(model.params, theta, strict=True):
                p.copy_(t)
        model.compute_grads()
        grads = [p.grad.cpu().numpy() for p in model.params]
        with autograd.no_grad():
            for p, s in zip(model.params, saved, strict=True):
                p.copy_(s)
                p.grad = None
        return grads

    reference = _lion_paper_reference([p.cpu().numpy() for p in model.params], [grads_at] * STEPS,
                                      settings["lr"], *settings["betas"],
                                      settings["weight_decay"])
    start = [p.cpu().numpy().copy() for p in model.params]  # numpy() shares memory
    for step, expected in enumerate(reference, start=1):
        model.compute_grads()
        opt.step()
        for i, (p, e) in enumerate(zip(model.params, expected, strict=True)):
            np.testing.assert_allclose(p.cpu().numpy(), e, rtol=1e-6, atol=1e-12,
                                       err_msg=f"Lion parameter {i}, step {step}")
    moved = max(np.max(np.abs(host(p) - s)) for p, s in zip(model.params, start, strict=True))
    assert moved >= 0.5 * STEPS * settings["lr"]
