"""optim.get: PyTorch-rule optimizers by name, from the classes' own registration."""

from __future__ import annotations

import numpy as np
import pytest

import optim
from autograd import Tensor


def _params():
    return [Tensor(np.ones(3), requires_grad=True)]


@pytest.mark.parametrize("name, cls, expected", [
    ("sgd", optim.SGD, {"lr": 0.001, "momentum": 0.0}),
    ("SGD", optim.SGD, {"lr": 0.001}),
    ("rmsprop", optim.RMSprop, {"lr": 0.01, "alpha": 0.99, "eps": 1e-8}),
    ("RMSProp", optim.RMSprop, {"lr": 0.01}),
    ("adam", optim.Adam, {"lr": 0.001, "eps": 1e-8, "betas": (0.9, 0.999)}),
    ("adamw", optim.AdamW, {"lr": 0.001, "weight_decay": 0.01}),
    ("adagrad", optim.Adagrad, {"lr": 0.01, "initial_accumulator_value": 0.0}),
    ("adadelta", optim.Adadelta, {"lr": 1.0, "rho": 0.9, "eps": 1e-6}),
    ("adamax", optim.Adamax, {"lr": 0.002}),
    ("nadam", optim.NAdam, {"lr": 0.002, "eps": 1e-8}),
    ("lion", optim.Lion, {"lr": 0.0001}),
    ("radam", optim.RAdam, {"lr": 0.001, "eps": 1e-8}),
])
def test_names_resolve_to_the_classes_with_pytorchs_defaults(name, cls, expected):
    opt = optim.get(name, _params())
    assert type(opt) is cls
    for key, value in expected.items():
        assert opt.param_groups[0][key] == value, key


def test_keras_and_torch_spellings_of_overrides():
    opt = optim.get("adam", _params(), learning_rate=0.01, beta_1=0.8, epsilon=1e-6)
    group = opt.param_groups[0]
    assert (group["lr"], group["betas"], group["eps"]) == (0.01, (0.8, 0.999), 1e-6)
    opt = optim.get("rmsprop", _params(), rho=0.95, lr=0.1)
    assert (opt.param_groups[0]["alpha"], opt.param_groups[0]["lr"]) == (0.95, 0.1)
    opt = optim.get("sgd", _params(), learning_rate=0.1, momentum=0.9, nesterov=True)
    assert opt.param_groups[0]["nesterov"] is True


def test_objects_pass_through_and_classes_are_instantiated():
    params = _params()
    opt = optim.SGD(params, lr=0.3)
    assert optim.get(opt) is opt
    made = optim.get(optim.NAdam, params, lr=0.5)
    assert type(made) is optim.NAdam and made.param_groups[0]["lr"] == 0.5


def test_unknown_name_lists_the_known_ones():
    with pytest.raises(ValueError, match="unknown optimizer 'adamm'.*adam.*sgd"):
        optim.get("adamm", _params())


def test_bad_arguments_raise_type_errors():
    with pytest.raises(TypeError):
        optim.get(3, _params())
    with pytest.raises(TypeError, match="needs the model's parameters"):
        optim.get("adam")
