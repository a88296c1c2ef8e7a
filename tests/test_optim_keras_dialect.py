"""Keras-style optimizer objects: built before the model has weights, Keras' argument names.

``model.compile(optimizer=optim.SGD(learning_rate=0.01, momentum=0.9))`` creates the
optimizer without parameters ("unbound"); ``bind`` gives it the weights later. An unbound
optimizer that is bound and stepped must follow exactly the trajectory of one built with
its parameters.
"""

from __future__ import annotations

import numpy as np
import pytest

import autograd
import optim
from autograd import Tensor
from optim import lr_scheduler

# (class name, Keras-spelled kwargs, the same in PyTorch spelling)
SPELLINGS = [
    ("SGD", {"learning_rate": 0.05, "momentum": 0.9, "nesterov": True},
     {"lr": 0.05, "momentum": 0.9, "nesterov": True}),
    ("Adam", {"learning_rate": 0.01, "beta_1": 0.8, "beta_2": 0.99, "epsilon": 1e-7},
     {"lr": 0.01, "betas": (0.8, 0.99), "eps": 1e-7}),
    ("Adam", {"beta_2": 0.9, "amsgrad": True}, {"betas": (0.9, 0.9), "amsgrad": True}),
    ("AdamW", {"learning_rate": 0.01, "beta_1": 0.5, "weight_decay": 0.004},
     {"lr": 0.01, "betas": (0.5, 0.999), "weight_decay": 0.004}),
    ("RMSprop", {"learning_rate": 0.001, "rho": 0.9, "epsilon": 1e-7, "momentum": 0.5},
     {"lr": 0.001, "alpha": 0.9, "eps": 1e-7, "momentum": 0.5}),
    ("Adadelta", {"learning_rate": 0.5, "rho": 0.95, "epsilon": 1e-7},
     {"lr": 0.5, "rho": 0.95, "eps": 1e-7}),
    ("Adagrad", {"learning_rate": 0.05, "initial_accumulator_value": 0.1, "epsilon": 1e-7},
     {"lr": 0.05, "initial_accumulator_value": 0.1, "eps": 1e-7}),
    ("Adamax", {"learning_rate": 0.01, "beta_1": 0.7}, {"lr": 0.01, "betas": (0.7, 0.999)}),
    ("NAdam", {"learning_rate": 0.01, "beta_2": 0.99, "epsilon": 1e-7},
     {"lr": 0.01, "betas": (0.9, 0.99), "eps": 1e-7}),
    ("RAdam", {"learning_rate": 0.01, "beta_1": 0.85}, {"lr": 0.01, "betas": (0.85, 0.999)}),
    ("Lion", {"learning_rate": 1e-3, "beta_1": 0.95, "beta_2": 0.98},
     {"lr": 1e-3, "betas": (0.95, 0.98)}),
]


def _ids(config) -> str:
    return config[0] + "-" + "-".join(config[1])


class _Model:
    """A float64 MLP whose gradients depend only on its parameters (deterministic)."""

    def __init__(self, seed: int = 0) -> None:
        rng = np.random.default_rng(seed)
        self.x = Tensor(rng.standard_normal((8, 3)))
        self.y = Tensor(rng.standard_normal((8, 1)))
        self.params = [Tensor(rng.standard_normal(s) * 0.5, requires_grad=True)
                       for s in [(3, 4), (4,), (4, 1), (1,)]]

    def train_step(self, opt: optim.Optimizer) -> None:
        opt.zero_grad()
        w1, b1, w2, b2 = self.params
        diff = autograd.tanh(self.x @ w1 + b1) @ w2 + b2 - self.y
        (diff * diff).mean().backward()
        opt.step()


@pytest.mark.parametrize("config", SPELLINGS, ids=_ids)
def test_keras_spelling_builds_the_same_optimizer(config):
    name, keras_kwargs, torch_kwargs = config
    cls = getattr(optim, name)
    params = [Tensor(np.ones(2), requires_grad=True)]
    assert cls(params, **keras_kwargs).defaults == cls(params, **torch_kwargs).defaults


@pytest.mark.parametrize("config", SPELLINGS, ids=_ids)
def test_unbound_then_bound_steps_like_a_bound_optimizer(config):
    name, keras_kwargs, torch_kwargs = config
    cls = getattr(optim, name)
    bound_model, late_model = _Model(), _Model()
    bound = cls(bound_model.params, **torch_kwargs)
    late = cls(**keras_kwargs)  # Keras: compile() before the layers have weights
    assert not late.is_bound
    late.bind(late_model.params)
    assert late.is_bound
    for _ in range(12):
        bound_model.train_step(bound)
        late_model.train_step(late)
    for a, b in zip(bound_model.params, late_model.params, strict=True):
        np.testing.assert_array_equal(a.cpu().numpy(), b.cpu().numpy())
    assert late.param_groups[0]["params"] == late_model.params


def test_state_dict_after_bind_round_trips():
    model = _Model()
    opt = optim.Adam(learning_rate=0.01, beta_1=0.8)
    opt.bind(model.params)
    for _ in range(5):
        model.train_step(opt)
    saved = opt.state_dict()
    saved_params = [p.cpu().numpy().copy() for p in model.params]  # numpy() shares memory
    assert saved["param_groups"][0]["betas"] == (0.8, 0.999)
    assert saved["param_groups"][0]["params"] == [0, 1, 2, 3]
    assert saved["state"][0]["step"] == 5
    for _ in range(5):
        model.train_step(opt)
    expected = [p.cpu().numpy() for p in model.params]

    resumed_model = _Model()
    with autograd.no_grad():
        for p, data in zip(resumed_model.params, saved_params, strict=True):
            p.copy_(data)
    resumed = optim.Adam()
    resumed.bind(resumed_model.params)
    resumed.load_state_dict(saved)
    for _ in range(5):
        resumed_model.train_step(resumed)
    for p, data in zip(resumed_model.params, expected, strict=True):
        np.testing.assert_array_equal(p.cpu().numpy(), data)


def test_bind_accepts_parameter_groups():
    a, b = (Tensor(np.ones(2), requires_grad=True) for _ in range(2))
    opt = optim.SGD(learning_rate=0.1)
    opt.bind([{"params": [a]}, {"params": [b], "lr": 0.5}])
    assert [g["lr"] for g in opt.param_groups] == [0.1, 0.5]


def test_bind_twice_raises():
    opt = optim.SGD(learning_rate=0.1)
    opt.bind([Tensor(np.ones(2), requires_grad=True)])
    with pytest.raises(RuntimeError, match="already has parameters"):
        opt.bind([Tensor(np.ones(2), requires_grad=True)])
    bound = optim.SGD([Tensor(np.ones(2), requires_grad=True)], lr=0.1)
    with pytest.raises(RuntimeError, match="already has parameters"):
        bound.bind([Tensor(np.ones(2), requires_grad=True)])


@pytest.mark.parametrize("use", [
    lambda opt: opt.step(),
    lambda opt: opt.zero_grad(),
    lambda opt: opt.load_state_dict({"state": {}, "param_groups": []}),
], ids=["step", "zero_grad", "load_state_dict"])
def test_unbound_optimizer_says_how_to_give_it_parameters(use):
    opt = optim.Adam(learning_rate=1e-3)
    with pytest.raises(RuntimeError, match=r"no parameters yet.*model\.compile"):
        use(opt)


def test_schedulers_refuse_an_unbound_optimizer():
    with pytest.raises(RuntimeError, match="no parameters yet"):
        lr_scheduler.StepLR(optim.SGD(learning_rate=0.1), step_size=2)
    with pytest.raises(RuntimeError, match="no parameters yet"):
        lr_scheduler.ReduceLROnPlateau(optim.SGD(learning_rate=0.1))
    with pytest.raises(RuntimeError, match="no parameters yet"):
        lr_scheduler.OneCycleLR(optim.SGD(momentum=0.9), max_lr=0.1, total_steps=10)


def test_bad_hyper_parameters_fail_at_construction_not_at_bind():
    with pytest.raises(ValueError, match="learning rate"):
        optim.SGD(learning_rate=-0.1)
    with pytest.raises(ValueError, match="beta"):
        optim.Adam(beta_1=1.5)


@pytest.mark.parametrize("make, message", [
    (lambda: optim.Adam(lr=0.1, learning_rate=0.2), "both 'lr' and its Keras spelling"),
    (lambda: optim.Adam(eps=1e-8, epsilon=1e-7), "both 'eps'"),
    (lambda: optim.Adam(betas=(0.9, 0.99), beta_1=0.8), "both 'betas'"),
    (lambda: optim.RMSprop(alpha=0.9, rho=0.9), "both 'alpha'"),
    (lambda: optim.Adagrad(beta_1=0.9), "takes no betas"),
    (lambda: optim.SGD(learning_rate=0.1, clipnorm=1.0), "clip_grad_norm_"),
    (lambda: optim.SGD(0.01), "learning_rate=0.01"),
])
def test_ambiguous_or_unsupported_arguments_raise_type_errors(make, message):
    with pytest.raises(TypeError, match=message):
        make()


def test_optims_classes_keep_pytorchs_defaults_and_keras_names_get_keras_classes():
    params = [Tensor(np.ones(2), requires_grad=True)]
    assert optim.Adam(learning_rate=1e-3).defaults["eps"] == 1e-8
    assert optim.RMSprop().defaults["alpha"] == 0.99
    assert optim.get("adam", params).param_groups[0]["eps"] == 1e-8
    assert optim.keras.get("adam").get_config()["epsilon"] == 1e-7  # compile's "adam"
    assert optim.keras.get("rmsprop").get_config()["rho"] == 0.9


def test_get_binds_an_unbound_object_and_keeps_a_bound_one():
    params = [Tensor(np.ones(2), requires_grad=True)]
    opt = optim.SGD(learning_rate=0.1)
    assert optim.get(opt, params) is opt
    assert opt.param_groups[0]["params"] == params
    other = [Tensor(np.ones(2), requires_grad=True)]
    assert optim.get(opt, other) is opt  # already bound: left as it is
    assert opt.param_groups[0]["params"] == params
    with pytest.raises(TypeError, match="both 'lr'"):
        optim.get("sgd", params, lr=0.1, learning_rate=0.2)


def test_repr_of_an_unbound_optimizer_shows_its_defaults():
    text = repr(optim.SGD(learning_rate=0.01, momentum=0.9))
    assert "Unbound" in text and "lr: 0.01" in text and "momentum: 0.9" in text
