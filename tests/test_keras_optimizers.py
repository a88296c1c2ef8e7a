"""optim.keras against real Keras 3 (3.15.1, torch backend), step for step.

Each trajectory test starts xpgrad's optimizer and Keras' from the same weights and feeds
both the same gradient sequence (random, with magnitudes spread over three decades and a
tenth of the entries exactly zero), then compares every weight after every step. Feeding
fixed gradients rather than a loss isolates the update rules: nothing but the optimizer
can make the trajectories part.

Precision: Keras builds float64 variables here and ``keras.config.floatx`` is float64 for
the duration of a test, because Keras stores its learning rate (and computes schedules)
in floatx; with the float32 default, even ``learning_rate=0.001`` is ``float32(0.001)``
inside Keras, a 5e-8 relative difference unrelated to the update rule. In float64 the two
implementations differ only in rounding (fused multiply-adds inside torch's foreach
kernels, host versus device scalars), so after 60 steps the weights must agree to
``FLOAT64_TOL``: 1e-11 relative, while a wrong rule is off by 1e-4 or more. A float32 run
per optimizer checks the everyday precision at ``FLOAT32_TOL`` (float32 epsilon is 1.2e-7;
Keras computes its step scalars in float32, xpgrad in float64, and each step can differ
by a few units in the last place).

Through the ``keras`` fixture (tests/conftest.py) these tests fail in CI when Keras is
missing and skip with a reason elsewhere.
"""

from __future__ import annotations

import copy
import inspect
import re
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
from _device import assert_close, host
from _keras_reference import IGNORE_KERAS_ARRAY_WARNING, floatx

from autograd import Tensor
from optim import keras as ko

pytestmark = IGNORE_KERAS_ARRAY_WARNING

STEPS = 60
SHAPES = [(3, 4), (4,), (2, 3, 2), ()]
FLOAT64_TOL = {"rtol": 1e-11, "atol": 1e-13}
FLOAT32_TOL = {"rtol": 2e-6, "atol": 1e-7}

NAMES = ["SGD", "RMSprop", "Adagrad", "Adadelta", "Adam", "AdamW", "Adamax", "Nadam", "Lion",
         "Ftrl"]

# (test id, class name, keyword arguments as a function of the optimizers module:
# keras.optimizers or optim.keras, which both have a .schedules)
Kwargs = Callable[[Any], dict[str, Any]]
SETTINGS: list[tuple[str, str, Kwargs]] = [
    ("sgd-defaults", "SGD", lambda m: {}),
    ("sgd-momentum", "SGD", lambda m: {"learning_rate": 0.05, "momentum": 0.9}),
    ("sgd-nesterov", "SGD", lambda m: {"learning_rate": 0.05, "momentum": 0.9,
                                       "nesterov": True}),
    ("sgd-weight_decay", "SGD", lambda m: {"learning_rate": 0.05, "momentum": 0.5,
                                           "weight_decay": 0.01}),
    ("sgd-clipnorm", "SGD", lambda m: {"learning_rate": 0.1, "clipnorm": 1.0}),
    ("sgd-clipvalue", "SGD", lambda m: {"learning_rate": 0.1, "clipvalue": 0.5}),
    ("sgd-global_clipnorm", "SGD", lambda m: {"learning_rate": 0.1, "momentum": 0.9,
                                              "global_clipnorm": 1.0}),
    ("sgd-exponential_decay", "SGD", lambda m: {
        "learning_rate": m.schedules.ExponentialDecay(0.1, 10, 0.5), "momentum": 0.9}),
    ("sgd-piecewise_constant", "SGD", lambda m: {
        "learning_rate": m.schedules.PiecewiseConstantDecay([10, 30], [0.1, 0.05, 0.01])}),
    ("sgd-accumulation-clipnorm", "SGD", lambda m: {
        "learning_rate": 0.05, "momentum": 0.9, "gradient_accumulation_steps": 4,
        "clipnorm": 1.0}),
    ("rmsprop-defaults", "RMSprop", lambda m: {}),
    ("rmsprop-momentum", "RMSprop", lambda m: {"learning_rate": 0.01, "momentum": 0.9}),
    ("rmsprop-centered", "RMSprop", lambda m: {"learning_rate": 0.01, "centered": True}),
    ("rmsprop-centered-momentum", "RMSprop", lambda m: {
        "learning_rate": 0.01, "rho": 0.8, "momentum": 0.5, "centered": True,
        "epsilon": 1e-5}),
    ("rmsprop-weight_decay", "RMSprop", lambda m: {"learning_rate": 0.01,
                                                   "weight_decay": 0.05}),
    ("rmsprop-inverse_time_decay", "RMSprop", lambda m: {
        "learning_rate": m.schedules.InverseTimeDecay(0.01, 5, 0.5, staircase=True)}),
    ("adagrad-defaults", "Adagrad", lambda m: {}),
    ("adagrad-accumulator0", "Adagrad", lambda m: {
        "learning_rate": 0.1, "initial_accumulator_value": 0.0, "epsilon": 1e-6}),
    ("adagrad-clipnorm", "Adagrad", lambda m: {"learning_rate": 0.1, "clipnorm": 0.5}),
    ("adadelta-defaults", "Adadelta", lambda m: {}),
    ("adadelta-paper", "Adadelta", lambda m: {"learning_rate": 1.0, "rho": 0.9,
                                              "epsilon": 1e-6}),
    ("adadelta-weight_decay", "Adadelta", lambda m: {"learning_rate": 1.0,
                                                     "weight_decay": 0.01}),
    ("adam-defaults", "Adam", lambda m: {}),
    ("adam-amsgrad", "Adam", lambda m: {"learning_rate": 0.01, "amsgrad": True}),
    ("adam-betas-epsilon", "Adam", lambda m: {"learning_rate": 0.01, "beta_1": 0.5,
                                              "beta_2": 0.9, "epsilon": 1e-4}),
    ("adam-weight_decay", "Adam", lambda m: {"learning_rate": 0.01, "weight_decay": 0.05}),
    ("adam-global_clipnorm", "Adam", lambda m: {"learning_rate": 0.01,
                                                "global_clipnorm": 1.0}),
    ("adam-clipvalue-amsgrad", "Adam", lambda m: {"learning_rate": 0.01, "clipvalue": 0.1,
                                                  "amsgrad": True}),
    ("adam-cosine_warmup", "Adam", lambda m: {
        "learning_rate": m.schedules.CosineDecay(0.0, 40, alpha=0.1, warmup_target=0.01,
                                                 warmup_steps=10)}),
    ("adam-loss_scale", "Adam", lambda m: {"learning_rate": 0.01,
                                           "loss_scale_factor": 128.0}),
    ("adam-accumulation", "Adam", lambda m: {"learning_rate": 0.01,
                                             "gradient_accumulation_steps": 3}),
    ("adam-ema", "Adam", lambda m: {"learning_rate": 0.01, "use_ema": True,
                                    "ema_momentum": 0.9}),
    ("adam-ema-overwrite", "Adam", lambda m: {"learning_rate": 0.01, "use_ema": True,
                                              "ema_overwrite_frequency": 7}),
    ("adamw-defaults", "AdamW", lambda m: {}),
    ("adamw-amsgrad", "AdamW", lambda m: {"learning_rate": 0.01, "weight_decay": 0.1,
                                          "amsgrad": True}),
    ("adamw-polynomial_decay", "AdamW", lambda m: {
        "learning_rate": m.schedules.PolynomialDecay(0.01, 30, 0.001, power=2.0)}),
    ("adamax-defaults", "Adamax", lambda m: {}),
    ("adamax-options", "Adamax", lambda m: {"learning_rate": 0.01, "beta_1": 0.8,
                                            "weight_decay": 0.02, "epsilon": 1e-5}),
    ("nadam-defaults", "Nadam", lambda m: {}),
    ("nadam-betas", "Nadam", lambda m: {"learning_rate": 0.01, "beta_1": 0.95,
                                        "beta_2": 0.99}),
    ("nadam-cosine_restarts", "Nadam", lambda m: {
        "learning_rate": m.schedules.CosineDecayRestarts(0.01, 10)}),
    ("nadam-accumulation-weight_decay", "Nadam", lambda m: {
        "learning_rate": 0.01, "gradient_accumulation_steps": 2, "weight_decay": 0.01}),
    ("lion-defaults", "Lion", lambda m: {}),
    ("lion-options", "Lion", lambda m: {"learning_rate": 0.003, "beta_1": 0.95,
                                        "beta_2": 0.98, "weight_decay": 0.1}),
    ("ftrl-defaults", "Ftrl", lambda m: {}),
    ("ftrl-regularized", "Ftrl", lambda m: {
        "learning_rate": 0.1, "l1_regularization_strength": 0.01,
        "l2_regularization_strength": 0.01, "l2_shrinkage_regularization_strength": 0.01,
        "beta": 0.5}),
    ("ftrl-fixed_rate", "Ftrl", lambda m: {"learning_rate": 0.1, "learning_rate_power": 0.0,
                                           "initial_accumulator_value": 0.5}),
]


@pytest.fixture
def keras64(keras):
    """Keras with floatx float64 for one test (see the module docstring)."""
    with floatx(keras, "float64"):
        yield keras


def _problem(seed: int, dtype: str, steps: int = STEPS,
             missing: bool = False) -> tuple[list[np.ndarray], list[list[np.ndarray | None]]]:
    """Initial weights and ``steps`` lists of gradients (None where ``missing`` drops one)."""
    rng = np.random.default_rng(seed)
    weights = [rng.standard_normal(shape).astype(dtype) for shape in SHAPES]
    sequence = []
    for t in range(steps):
        scale = 10.0 ** rng.uniform(-2, 1)  # gradients from 0.01 to 10: clipping bites
        grads: list[np.ndarray | None] = []
        for shape in SHAPES:
            g = rng.standard_normal(shape) * scale
            g = np.where(rng.random(shape) < 0.1, 0.0, g)  # some exact zeros (sign, max)
            grads.append(np.asarray(g, dtype=dtype))
        if missing and t % 3 == 2:
            grads[1] = None  # Keras skips the variable; the step still counts
        sequence.append(grads)
    return weights, sequence


def _host_copy(variable: Any) -> np.ndarray:
    """A NumPy copy of a Keras variable on the torch backend (``np.array`` of a torch tensor
    would warn that torch's ``__array__`` takes no ``copy`` argument)."""
    return variable.value.detach().cpu().numpy().copy()


def _keras_run(keras, name: str, kwargs: dict[str, Any], weights, sequence, dtype: str,
               on_step: Callable[[Any, int], None] | None = None) -> list[list[np.ndarray]]:
    variables = [keras.Variable(w, dtype=dtype) for w in weights]
    opt = getattr(keras.optimizers, name)(**kwargs)
    history = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # "Gradients do not exist for variables ..."
        for t, grads in enumerate(sequence):
            if on_step is not None:
                on_step(opt, t)
            opt.apply_gradients([
                (None if g is None else keras.ops.convert_to_tensor(g, dtype=dtype), v)
                for g, v in zip(grads, variables, strict=True)
            ])
            history.append([_host_copy(v) for v in variables])
    if opt.use_ema:  # what fit() does after the last epoch
        opt.finalize_variable_values(variables)
        history.append([_host_copy(v) for v in variables])
    return history


def _xpgrad_run(name: str, kwargs: dict[str, Any], weights, sequence, path: str,
                on_step: Callable[[Any, int], None] | None = None) -> list[list[np.ndarray]]:
    params = [Tensor(w.copy(), requires_grad=True) for w in weights]
    opt = getattr(ko, name)(**kwargs)
    if path == "step":
        opt.build(params)  # what model.compile does; apply_gradients builds by itself
    history = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for t, grads in enumerate(sequence):
            if on_step is not None:
                on_step(opt, t)
            tensors = [None if g is None else Tensor(g) for g in grads]
            if path == "step":
                for p, g in zip(params, tensors, strict=True):
                    p.grad = g
                opt.step()
            else:
                opt.apply_gradients(zip(tensors, params, strict=True))
            history.append([host(p) for p in params])
    if opt.use_ema:
        opt.finalize_variable_values(params)
        history.append([host(p) for p in params])
    return history


def _assert_same_trajectory(ours, theirs, tol: dict[str, float]) -> None:
    assert len(ours) == len(theirs)
    for t, (mine, reference) in enumerate(zip(ours, theirs, strict=True)):
        for i, (a, b) in enumerate(zip(mine, reference, strict=True)):
            assert a.dtype == b.dtype and a.shape == b.shape
            np.testing.assert_allclose(a, b, **tol, err_msg=f"step {t + 1}, weight {i}")


# ---------------------------------------------------------------------------- trajectories
@pytest.mark.parametrize("setting", SETTINGS, ids=[s[0] for s in SETTINGS])
def test_trajectory_matches_keras_float64(keras64, setting):
    label, name, kwargs = setting
    weights, sequence = _problem(seed=len(label), dtype="float64")
    reference = _keras_run(keras64, name, kwargs(keras64.optimizers), weights, sequence,
                           "float64")
    for path in ("apply_gradients", "step"):
        ours = _xpgrad_run(name, kwargs(ko), weights, sequence, path)
        _assert_same_trajectory(ours, reference, FLOAT64_TOL)


@pytest.mark.parametrize("name", ["SGD", "Adam", "Nadam", "RMSprop"])
def test_missing_gradients_match_keras(keras64, name):
    """A variable without a gradient is skipped, but the step counts (bias corrections,
    Nadam's momentum product and schedules all move on)."""
    kwargs = {"learning_rate": 0.01} if name != "SGD" else {"learning_rate": 0.05,
                                                            "momentum": 0.9}
    weights, sequence = _problem(seed=7, dtype="float64", missing=True)
    reference = _keras_run(keras64, name, kwargs, weights, sequence, "float64")
    for path in ("apply_gradients", "step"):
        ours = _xpgrad_run(name, kwargs, weights, sequence, path)
        _assert_same_trajectory(ours, reference, FLOAT64_TOL)


@pytest.mark.parametrize("name", NAMES)
def test_defaults_match_keras_float32(keras, name):
    """Keras' everyday precision: float32 weights, float32 floatx."""
    with floatx(keras, "float32"):
        weights, sequence = _problem(seed=3, dtype="float32")
        reference = _keras_run(keras, name, {}, weights, sequence, "float32")
    ours = _xpgrad_run(name, {}, weights, sequence, "apply_gradients")
    _assert_same_trajectory(ours, reference, FLOAT32_TOL)


@pytest.mark.parametrize("name", ["SGD", "Adam", "RMSprop"])
def test_assigning_learning_rate_changes_the_next_step(keras64, name):
    """``opt.learning_rate = x`` (and Keras' ``opt.learning_rate.assign(x)``) take effect
    at the next step, as in Keras; the new value reads back."""
    kwargs = {"learning_rate": 0.01} if name != "SGD" else {"learning_rate": 0.05,
                                                            "momentum": 0.9}

    def keras_schedule(opt, t):
        if t == 20:
            opt.learning_rate = 0.003
        if t == 40:
            opt.learning_rate.assign(0.0005)

    def our_schedule(opt, t):
        keras_schedule(opt, t)
        if t in (20, 40):
            assert opt.learning_rate == (0.003 if t == 20 else 0.0005)

    weights, sequence = _problem(seed=11, dtype="float64")
    reference = _keras_run(keras64, name, kwargs, weights, sequence, "float64",
                           on_step=keras_schedule)
    unchanged = _xpgrad_run(name, kwargs, weights, sequence, "apply_gradients")
    for path in ("apply_gradients", "step"):
        ours = _xpgrad_run(name, kwargs, weights, sequence, path, on_step=our_schedule)
        _assert_same_trajectory(ours, reference, FLOAT64_TOL)
    # the assignments did change the trajectory (so the comparison above means something)
    assert not np.allclose(unchanged[25][0], ours[25][0])


def test_callable_learning_rate_is_read_every_step(keras64):
    """A callable learning rate (no argument) is called before each step, as in Keras."""
    def make():
        box = {"lr": 0.01}

        def on_step(opt, t):
            box["lr"] = 0.01 / (1 + t)

        return (lambda: box["lr"]), on_step

    weights, sequence = _problem(seed=5, dtype="float64")
    rate, on_step = make()
    reference = _keras_run(keras64, "Adam", {"learning_rate": rate}, weights, sequence,
                           "float64", on_step=on_step)
    rate, on_step = make()
    ours = _xpgrad_run("Adam", {"learning_rate": rate}, weights, sequence,
                       "apply_gradients", on_step=on_step)
    _assert_same_trajectory(ours, reference, FLOAT64_TOL)


# ---------------------------------------------------------------------------- surface
def _strip_counter(name: str) -> str:
    return re.sub(r"_\d+$", "", name)


@pytest.mark.parametrize("name", NAMES)
def test_default_hyper_parameters_match_keras(keras64, name):
    ours = getattr(ko, name)().get_config()
    theirs = getattr(keras64.optimizers, name)().get_config()
    assert _strip_counter(ours.pop("name")) == _strip_counter(theirs.pop("name"))
    assert ours == theirs
    for key, value in ours.items():  # types too: 0.001 and not 1e-3 as a numpy scalar
        assert type(value) is type(theirs[key]), key


@pytest.mark.parametrize("name", NAMES)
def test_constructor_arguments_are_keras(keras, name):
    """The same argument names, in the same order, with the same defaults."""
    def arguments(cls):
        return [(p.name, p.default, p.kind) for p in inspect.signature(cls).parameters.values()]

    assert arguments(getattr(ko, name)) == arguments(getattr(keras.optimizers, name))


@pytest.mark.parametrize("name", NAMES)
def test_get_config_round_trip(keras64, name):
    kwargs = {"learning_rate": ko.schedules.ExponentialDecay(0.1, 10, 0.5),
              "clipnorm": 2.0, "name": f"my_{name.lower()}"}
    if name == "AdamW":
        kwargs["weight_decay"] = 0.1
    opt = getattr(ko, name)(**kwargs)
    config = opt.get_config()
    rebuilt = type(opt).from_config(copy.deepcopy(config))
    assert rebuilt.get_config() == config
    assert ko.deserialize(ko.serialize(opt)).get_config() == config
    # real Keras reads xpgrad's serialization, and xpgrad reads Keras'
    theirs = keras64.optimizers.deserialize(ko.serialize(opt))
    assert type(theirs).__name__ == name
    assert theirs.get_config() == config
    assert ko.deserialize(keras64.optimizers.serialize(theirs)).get_config() == config


def test_get_resolves_names_dicts_and_objects(keras):
    assert isinstance(ko.get("adam"), ko.Adam)
    assert isinstance(ko.get("RMSprop"), ko.RMSprop)
    assert isinstance(ko.get("ADAMW"), ko.AdamW)
    opt = ko.get({"class_name": "SGD", "config": {"learning_rate": 0.5, "momentum": 0.9}})
    assert isinstance(opt, ko.SGD) and opt.learning_rate == 0.5 and opt.momentum == 0.9
    assert ko.get(opt) is opt
    assert ko.get(None) is None
    for bad in ("rms_prop", 3):
        with pytest.raises(ValueError, match="Could not interpret optimizer identifier"):
            ko.get(bad)
        with pytest.raises(ValueError, match="Could not interpret optimizer identifier"):
            keras.optimizers.get(bad)


def test_reusing_an_optimizer_for_other_variables_raises(keras):
    """One optimizer object trains one set of variables: Keras raises ValueError when it is
    applied to another model's; so does xpgrad, and already at build/compile time."""
    first = [Tensor(np.ones(3), requires_grad=True), Tensor(np.ones(2), requires_grad=True)]
    second = [Tensor(np.ones(3), requires_grad=True)]
    opt = ko.Adam()
    opt.apply_gradients(zip([Tensor(np.ones(3)), Tensor(np.ones(2))], first, strict=True))
    opt.build(first)  # the same variables again: nothing happens, as in Keras
    opt.build(first[:1])  # some of them: also fine (frozen layers)
    with pytest.raises(ValueError, match="Unknown variable"):
        opt.apply_gradients(zip([Tensor(np.ones(3))], second, strict=True))
    with pytest.raises(ValueError, match="Unknown variable"):
        opt.build(second)
    with pytest.raises(ValueError, match="Unknown variable"):
        opt.bind(second)  # what model.compile calls
    assert opt.iterations == 1

    k_first, k_second = [keras.Variable(np.ones(3))], [keras.Variable(np.ones(3))]
    k_opt = keras.optimizers.Adam()
    k_opt.apply_gradients([(keras.ops.ones(3), k_first[0])])
    with pytest.raises(ValueError, match="Unknown variable"):
        k_opt.apply_gradients([(keras.ops.ones(3), k_second[0])])


def test_argument_checks_match_keras(keras):
    bad_calls = [
        ("SGD", {"learning_rate": 1}),  # Keras wants a float
        ("SGD", {"momentum": 1}),
        ("SGD", {"momentum": 1.5}),
        ("Adam", {"clipnorm": 1.0, "clipvalue": 1.0}),
        ("Adam", {"gradient_accumulation_steps": 1}),
        ("Adam", {"use_ema": True, "ema_momentum": 1.5}),
        ("Adam", {"lr": 0.1}),  # a PyTorch spelling is not a Keras argument
        ("AdamW", {"weight_decay": None}),
        ("Lion", {"beta_1": 0.0}),
        ("Ftrl", {"learning_rate_power": 0.5}),
        ("Ftrl", {"l1_regularization_strength": -1.0}),
    ]
    for name, kwargs in bad_calls:
        with pytest.raises(ValueError):
            getattr(keras.optimizers, name)(**kwargs)
        with pytest.raises(ValueError):
            getattr(ko, name)(**kwargs)


def test_learning_rate_property():
    opt = ko.SGD(learning_rate=0.1)
    assert opt.learning_rate == 0.1 and opt.learning_rate.numpy() == np.float64(0.1)
    opt.learning_rate = 0.2  # before build: kept for the groups made at build
    params = [Tensor(np.ones(2), requires_grad=True)]
    opt.build(params)
    assert opt.param_groups[0]["lr"] == 0.2
    opt.learning_rate = np.float32(0.5)  # NumPy scalars (callbacks compute them) are fine
    assert opt.param_groups[0]["lr"] == float(np.float32(0.5))

    schedule = ko.schedules.ExponentialDecay(1.0, 1, 0.5)
    opt = ko.SGD(learning_rate=schedule)
    opt.build(params)
    for t in range(3):
        assert opt.learning_rate == 0.5**t  # schedule(iterations)
        params[0].grad = Tensor(np.ones(2))
        opt.step()
    with pytest.raises(TypeError, match="not settable"):
        opt.learning_rate = 0.1
    with pytest.raises(ValueError, match="No gradients"):
        opt.zero_grad()
        opt.step()


def test_state_dict_resumes_exactly(keras64):
    """A state_dict taken mid-run (step count, moments, Nadam's momentum product) resumes
    on a fresh optimizer with the trajectory of an uninterrupted run."""
    weights, sequence = _problem(seed=13, dtype="float64", steps=40)
    kwargs = {"learning_rate": 0.01, "use_ema": True, "gradient_accumulation_steps": 3}
    reference = _keras_run(keras64, "Nadam", kwargs, weights, sequence, "float64")

    params = [Tensor(w.copy(), requires_grad=True) for w in weights]
    opt = ko.Nadam(**kwargs)
    for grads in sequence[:20]:
        opt.apply_gradients(zip([Tensor(g) for g in grads], params, strict=True))
    snapshot = opt.state_dict()
    resumed = [Tensor(host(p), requires_grad=True) for p in params]
    fresh = ko.Nadam(**kwargs)
    fresh.build(resumed)
    fresh.load_state_dict(snapshot)
    assert fresh.iterations == opt.iterations
    for grads in sequence[20:]:
        fresh.apply_gradients(zip([Tensor(g) for g in grads], resumed, strict=True))
    fresh.finalize_variable_values(resumed)
    for p, expected in zip(resumed, reference[-1], strict=True):
        assert_close(p, expected, **FLOAT64_TOL)


def test_exclude_from_weight_decay():
    decayed = Tensor(np.ones(2), requires_grad=True)
    excluded = Tensor(np.ones(2), requires_grad=True)
    opt = ko.SGD(learning_rate=0.1, weight_decay=0.5)
    opt.exclude_from_weight_decay(var_list=[excluded])
    opt.apply_gradients([(Tensor(np.zeros(2)), decayed), (Tensor(np.zeros(2)), excluded)])
    assert_close(decayed, np.full(2, 0.95))  # w (1 - 0.5 * 0.1)
    assert_close(excluded, np.ones(2))


def test_custom_schedule_subclass():
    """A user's LearningRateSchedule subclass drives the rate and round-trips through the
    config with ``custom_objects``, as in Keras."""

    class Halving(ko.schedules.LearningRateSchedule):
        def __init__(self, start: float) -> None:
            self.start = start

        def __call__(self, step: float) -> float:
            return self.start / 2**step

        def get_config(self) -> dict[str, Any]:
            return {"start": self.start}

    param = Tensor(np.zeros(1), requires_grad=True)
    opt = ko.SGD(learning_rate=Halving(1.0))
    for _ in range(3):
        opt.apply_gradients([(Tensor(np.ones(1)), param)])
    assert_close(param, np.array([-1.75]))  # -(1 + 1/2 + 1/4)
    config = ko.serialize(opt)
    rebuilt = ko.deserialize(config, custom_objects={"Halving": Halving})
    assert isinstance(rebuilt.get_config()["learning_rate"], dict)
    assert rebuilt.learning_rate == 1.0  # a fresh optimizer: step 0


def test_learning_rate_value_copies_as_a_float():
    """Stored by a callback and pickled, the rate is a float, not a handle on the optimizer."""
    import pickle

    rate = ko.Adam(learning_rate=0.01).learning_rate
    for copied in (pickle.loads(pickle.dumps(rate)), copy.deepcopy(rate)):
        assert type(copied) is float and copied == 0.01
