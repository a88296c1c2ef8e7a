"""Optimizer and schedule arguments: a bad setting is a TypeError or ValueError at once,
naming the optimizer, the argument, what was expected and what was received; a setting
that is accepted never turns the weights into NaN."""

from __future__ import annotations

import math
import re

import numpy as np
import pytest
from _device import host
from hypothesis import given, settings
from hypothesis import strategies as st

import optim
from autograd import Tensor
from optim import lr_scheduler

NAN, INF = float("nan"), float("inf")

# Every optimizer with its real-valued hyper-parameters and a value outside each range.
REAL_ARGUMENTS = {
    "SGD": {"lr": -0.1, "momentum": -0.5, "dampening": 1.5, "weight_decay": -1e-4},
    "Adagrad": {"lr": -0.1, "lr_decay": -1.0, "weight_decay": -1.0,
                "initial_accumulator_value": -0.1, "eps": 0.0},
    "Adadelta": {"lr": -1.0, "rho": 1.1, "eps": -1e-6, "weight_decay": -1.0},
    "RMSprop": {"lr": -0.1, "alpha": 1.5, "eps": 0.0, "weight_decay": -1.0, "momentum": -0.9},
    "Adam": {"lr": -0.1, "eps": 0.0, "weight_decay": -1.0},
    "AdamW": {"lr": -0.1, "eps": -1.0, "weight_decay": -1.0},
    "Adamax": {"lr": -0.1, "eps": 0.0, "weight_decay": -1.0},
    "NAdam": {"lr": -0.1, "eps": 0.0, "weight_decay": -1.0, "momentum_decay": -1.0},
    "RAdam": {"lr": -0.1, "eps": 0.0, "weight_decay": -1.0},
    "Lion": {"lr": -0.1, "weight_decay": -1.0},
}
CASES = [(name, arg, bad) for name, args in REAL_ARGUMENTS.items() for arg, bad in args.items()]
WITH_BETAS = ["Adam", "AdamW", "Adamax", "NAdam", "RAdam", "Lion"]


def _params(dtype=np.float32):
    rng = np.random.default_rng(0)
    kernel = Tensor(rng.normal(size=(3, 4)).astype(dtype), requires_grad=True)
    bias = Tensor(np.zeros(4, dtype), requires_grad=True)  # zeros: 0 * inf would be NaN
    grad = rng.normal(size=(3, 4)).astype(dtype)
    grad[0] = 0.0  # a dead unit: zero gradients, 0 / 0 where eps were 0
    kernel.grad = Tensor(grad)
    bias.grad = Tensor(np.zeros(4, dtype))
    return [kernel, bias]


@pytest.mark.parametrize("name, arg, bad", CASES, ids=[f"{n}-{a}" for n, a, _ in CASES])
@pytest.mark.parametrize("kind", ["out of range", "nan", "inf", "string", "None"])
def test_every_bad_hyper_parameter_is_refused_at_construction(name, arg, bad, kind):
    value, error = {
        "out of range": (bad, ValueError),
        "nan": (NAN, ValueError),
        "inf": (INF, ValueError),
        "string": ("0.1", TypeError),
        "None": (None, TypeError),
    }[kind]
    with pytest.raises(error) as info:
        getattr(optim, name)(_params(), **{arg: value})
    message = str(info.value)
    # the optimizer, the argument, and what it got
    assert name in message and arg in message and repr(value) in message, message
    # Keras style, before the weights exist, too
    with pytest.raises(error):
        getattr(optim, name)(**{arg: value})


def test_the_issue_examples_have_clear_messages():
    with pytest.raises(ValueError, match=r"Adam: lr must be a finite number >= 0, got nan"):
        optim.Adam(lr=NAN)
    with pytest.raises(TypeError, match=r"Adam: lr must be a real number, got '0\.1' \(str\)"):
        optim.Adam(lr="0.1")
    with pytest.raises(TypeError, match=r"Adam: lr must be a real number, got True \(bool\)"):
        optim.Adam(learning_rate=True)
    with pytest.raises(TypeError, match="nesterov must be True or False, got 'yes'"):
        optim.SGD(momentum=0.9, nesterov="yes")


@pytest.mark.parametrize("name", WITH_BETAS)
@pytest.mark.parametrize("betas, error", [
    ((1.0, 0.999), ValueError), ((0.9, NAN), ValueError), ((-0.1, 0.9), ValueError),
    (0.9, TypeError), ((0.9,), TypeError), ("ab", TypeError), ((0.9, "0.99"), TypeError),
])
def test_betas_must_be_a_pair_in_the_unit_interval(name, betas, error):
    with pytest.raises(error, match=rf"{name}: betas"):
        getattr(optim, name)(_params(), betas=betas)


def test_numpy_numbers_are_accepted_and_stored_as_python_numbers():
    opt = optim.Adam(_params(), lr=np.float32(0.5), betas=[np.float64(0.8), 0.9])
    assert opt.param_groups[0]["lr"] == 0.5 and type(opt.param_groups[0]["lr"]) is float
    assert opt.param_groups[0]["betas"] == (0.8, 0.9)


def test_a_bad_parameter_group_is_refused_by_add_param_group():
    params = _params()
    opt = optim.SGD(params[:1], lr=0.1)
    with pytest.raises(ValueError, match="SGD: lr must be a finite number >= 0, got inf"):
        opt.add_param_group({"params": params[1:], "lr": INF})
    assert len(opt.param_groups) == 1


@pytest.mark.parametrize("value, error", [(NAN, ValueError), ("0.1", TypeError)])
def test_a_rate_written_into_param_groups_is_checked_before_any_weight_moves(value, error):
    params = _params()
    opt = optim.SGD([{"params": params[:1]}, {"params": params[1:]}], lr=0.1)
    before = [host(p).copy() for p in params]
    opt.param_groups[1]["lr"] = value
    with pytest.raises(error, match="SGD: lr"):
        opt.step()
    for p, old in zip(params, before, strict=True):  # not even the first group moved
        np.testing.assert_array_equal(host(p), old)


@pytest.mark.parametrize("make, what", [
    (lambda p: optim.SGD(p, lr=1e300), "lr = 1e+300 overflows the float32"),
    (lambda p: optim.Adam(p, lr=1e36, betas=(0.99999, 0.999)), "lr / (1 - beta_1) = 1e+41"),
    (lambda p: optim.AdamW(p, lr=1e30, weight_decay=1e10), "lr * weight_decay = 1e+40"),
    (lambda p: optim.SGD(p, lr=0.1, momentum=1e300, nesterov=True), "momentum"),
    (lambda p: optim.Adam(p, eps=1e-300), "eps = 1e-300 is not representable"),
])
def test_settings_that_overflow_the_weights_dtype_fail_at_step_without_changing_them(make, what):
    params = _params()
    before = [host(p).copy() for p in params]
    opt = make(params)
    with pytest.raises(ValueError, match=re.escape(what)):
        opt.step()
    for p, old in zip(params, before, strict=True):
        np.testing.assert_array_equal(host(p), old)


def test_float64_weights_take_what_float32_ones_cannot():
    params = _params(np.float64)
    optim.SGD(params, lr=1e300).step()  # representable in float64: no refusal
    assert not np.isnan(host(params[0])).any()


# ---------------------------------------------------------------- schedules
def _bound_sgd(lr=0.1):
    return optim.SGD(_params(), lr=lr, momentum=0.9)


@pytest.mark.parametrize("make, error, match", [
    (lambda o: lr_scheduler.StepLR(o, step_size=0), ValueError, "StepLR: step_size"),
    (lambda o: lr_scheduler.StepLR(o, step_size=2.5), TypeError, "StepLR: step_size"),
    (lambda o: lr_scheduler.StepLR(o, step_size=2, gamma=-0.5), ValueError, "StepLR: gamma"),
    (lambda o: lr_scheduler.ExponentialLR(o, gamma=NAN), ValueError, "ExponentialLR: gamma"),
    (lambda o: lr_scheduler.MultiStepLR(o, [2, "5"]), TypeError, "MultiStepLR: milestones"),
    (lambda o: lr_scheduler.CosineAnnealingLR(o, T_max=0), ValueError, "T_max"),
    (lambda o: lr_scheduler.CosineAnnealingLR(o, 10, eta_min=-1), ValueError, "eta_min"),
    (lambda o: lr_scheduler.LinearLR(o, start_factor="a"), TypeError, "start_factor"),
    (lambda o: lr_scheduler.OneCycleLR(o, max_lr=NAN, total_steps=5), ValueError, "max_lr"),
    (lambda o: lr_scheduler.ReduceLROnPlateau(o, factor=-0.5), ValueError,
     r"factor must be a finite number in \(0, 1\), got -0\.5"),
    (lambda o: lr_scheduler.ReduceLROnPlateau(o, factor=0.0), ValueError, "factor"),
    (lambda o: lr_scheduler.ReduceLROnPlateau(o, patience=-1), ValueError, "patience"),
    (lambda o: lr_scheduler.ReduceLROnPlateau(o, min_lr=NAN), ValueError, "min_lr"),
])
def test_bad_schedule_arguments_are_refused_at_construction(make, error, match):
    opt = _bound_sgd()
    with pytest.raises(error, match=match):
        make(opt)
    assert opt.param_groups[0]["lr"] == 0.1


@pytest.mark.parametrize("rate", [-0.01, NAN, INF])
def test_a_schedule_giving_a_negative_or_nan_rate_is_refused_and_leaves_the_rate(rate):
    class Broken(lr_scheduler.LRScheduler):
        def get_lr(self):
            return [rate if self.last_epoch == 2 else base for base in self.base_lrs]

    opt = _bound_sgd()
    sched = Broken(opt)
    sched.step()
    with pytest.raises(ValueError, match=r"Broken: the learning rate of parameter group 0 at "
                                         r"epoch 2 must be a finite number >= 0"):
        sched.step()
    assert opt.param_groups[0]["lr"] == 0.1


def test_one_cycle_linear_stops_at_its_final_rate_one_step_past_the_end():
    opt = _bound_sgd()
    sched = lr_scheduler.OneCycleLR(opt, max_lr=0.5, total_steps=10, anneal_strategy="linear")
    for _ in range(10):  # the tenth step is one past the last (a common extra step)
        opt.step()
        sched.step()
    assert sched.get_last_lr()[0] == pytest.approx(0.5 / 25 / 1e4)


def test_plateau_scheduler_refuses_a_nan_metric():
    sched = lr_scheduler.ReduceLROnPlateau(_bound_sgd())
    with pytest.raises(ValueError, match="metric is NaN"):
        sched.step(NAN)


# ---------------------------------------------------------------- fuzzing
# Values a fuzzer or a typo gives: the special floats, ones just outside the ranges, ones
# beyond float32, plain wrong types, and ordinary values. Weight decays of ~1e38 and more,
# whose product with a weight overflows float32 inside the step (an infinite gradient,
# which no optimizer can step with), are left out: all else must be refused or stay finite.
_SPECIAL = [NAN, INF, -INF, -1.0, -1e-12, 0.0, -0.0, 1e-300, 1e-45, 1e300, 3.5e38, 1e30,
            1.0, 2.0, 0.5, 0.999999, 1 - 1e-16, "0.1", None, True, 1j, [0.9, 0.99]]
_VALUE = st.one_of(
    st.sampled_from(_SPECIAL),
    st.floats(min_value=-10.0, max_value=10.0),
    st.floats(min_value=0.0, max_value=1.0),
    st.floats(min_value=0.0, max_value=1e6),
)
_SETTING = st.sampled_from(sorted(REAL_ARGUMENTS)).flatmap(
    lambda name: st.tuples(
        st.just(name),
        st.dictionaries(
            st.sampled_from([*REAL_ARGUMENTS[name], *(["betas"] if name in WITH_BETAS else []),
                             *(["nesterov"] if name == "SGD" else [])]),
            _VALUE | st.tuples(_VALUE, _VALUE),
            max_size=4,
        ),
    )
)


# Overflow to inf inside a step (g * g for a huge decayed gradient) is allowed; NaN is not.
@pytest.mark.filterwarnings("ignore:overflow encountered:RuntimeWarning")
@settings(max_examples=2000, deadline=None)
@given(setting=_SETTING)
def test_fuzzed_settings_are_refused_clearly_or_give_finite_weights(setting):
    name, kwargs = setting
    params = _params()
    try:
        opt = getattr(optim, name)(params, **kwargs)
        opt.step()
    except (TypeError, ValueError) as error:
        message = str(error)
        assert message.startswith(f"{name}"), message  # names the optimizer first
        assert len(message) > 30, message
        return
    for p in params:
        assert not np.isnan(host(p)).any(), f"{name}({kwargs}) gave NaN weights"
    assert all(math.isfinite(v) for v in (opt.param_groups[0]["lr"],))
