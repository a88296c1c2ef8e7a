"""Each Keras-rule optimizer's forms held to one another: both fast paths equal the reference.

The Keras-rule optimizers (``optim/keras/<name>.py``) hold their rule as the PyTorch-rule
ones do (``tests/test_optim_reference.py``): a formula (docstring), a plain
``reference_step`` (float64 NumPy, out of place, read off Keras 3's formula), the in-place
NumPy update (``_update_rule``) and a fused CUDA kernel. Here, for every optimizer and the
options that change its computation, three runs take the same gradients for 25 steps:

* the reference: the base class's decoupled weight decay ``w <- w (1 - wd lr)`` where set,
  then ``module.reference_step`` at step ``t``, on float64 host arrays;
* the in-place NumPy path (parameters on the CPU);
* the fused kernel (parameters on a device with kernels: the ``fakegpu`` stand-in, which
  runs the kernel's CUDA C through ``backends.cuda_subset``, and CUDA where there is one;
  no GPU has run these kernels yet, only the stand-in's interpreter).

Each of the last two runs with the group's parameters stored flat (``optim._flat``: one
update of all of them) and with one update per parameter.

After every step the parameters and every state entry must agree with the reference (see
``_optim_paths.TOLERANCE``). The gradient depends on the parameter (``0.5 w + noise``), so a
wrong state or parameter would also change every later gradient. What wraps the rule (clipping, EMA,
gradient accumulation, schedules) is the base class's and is checked against real Keras in
``tests/test_keras_optimizers.py``; the kernels there run on the stand-in too with
``XPGRAD_TEST_DEVICE=fakegpu``.

The tests also show that the comparison can fail: a kernel with one line broken.
``tests/test_architecture_doc.py`` checks that every class in ``optim.keras`` has a
``reference_step`` and a configuration here.
"""

from __future__ import annotations

import importlib
import re
from typing import Any

import numpy as np
import pytest
from _optim_paths import SHAPES, TwoPaths, assert_paths_match, break_kernel, config_id

from optim import keras as ko

STEPS = 25

# (class name, keyword arguments): every option that selects another computation.
CONFIGS = [
    ("SGD", {}),
    ("SGD", {"learning_rate": 0.05, "momentum": 0.9}),
    ("SGD", {"learning_rate": 0.05, "momentum": 0.9, "nesterov": True}),
    ("SGD", {"learning_rate": 0.05, "momentum": 0.5, "nesterov": True, "weight_decay": 0.01}),
    ("RMSprop", {}),
    ("RMSprop", {"learning_rate": 0.005, "rho": 0.4, "weight_decay": 0.02}),
    ("RMSprop", {"learning_rate": 0.005, "centered": True}),
    ("RMSprop", {"learning_rate": 0.002, "momentum": 0.9}),
    ("RMSprop", {"learning_rate": 0.002, "rho": 0.8, "momentum": 0.5, "centered": True,
                 "epsilon": 1e-5}),
    ("Adagrad", {}),
    ("Adagrad", {"learning_rate": 0.1, "initial_accumulator_value": 0.0, "epsilon": 1e-6,
                 "weight_decay": 0.02}),
    ("Adadelta", {}),
    ("Adadelta", {"learning_rate": 1.0, "rho": 0.8, "epsilon": 1e-5, "weight_decay": 0.02}),
    ("Adam", {}),
    ("Adam", {"learning_rate": 0.01, "amsgrad": True}),
    ("Adam", {"learning_rate": 0.01, "beta_1": 0.3, "beta_2": 0.9, "epsilon": 1e-4,
              "weight_decay": 0.05}),
    ("AdamW", {}),
    ("AdamW", {"learning_rate": 0.01, "weight_decay": 0.1, "amsgrad": True}),
    ("Adamax", {}),
    ("Adamax", {"learning_rate": 0.01, "beta_1": 0.3, "beta_2": 0.9, "epsilon": 1e-5,
                "weight_decay": 0.02}),
    ("Nadam", {}),
    ("Nadam", {"learning_rate": 0.01, "beta_1": 0.95, "beta_2": 0.99, "weight_decay": 0.02}),
    ("Lion", {}),
    ("Lion", {"learning_rate": 0.003, "beta_1": 0.3, "beta_2": 0.98, "weight_decay": 0.1}),
    ("Ftrl", {}),
    # l1 large enough that some weights sit at exactly 0 (|z| <= l1) and others do not
    ("Ftrl", {"learning_rate": 0.1, "l1_regularization_strength": 0.5,
              "l2_regularization_strength": 0.01, "l2_shrinkage_regularization_strength": 0.01,
              "beta": 0.5}),
    ("Ftrl", {"learning_rate": 0.1, "learning_rate_power": 0.0,
              "initial_accumulator_value": 0.5}),
    ("Ftrl", {"learning_rate": 0.05, "learning_rate_power": -1.0, "weight_decay": 0.01}),
]

# Per dtype: (rtol, atol as a fraction of the array's largest magnitude), as in
# tests/test_optim_reference.py. The absolute part is for entries that cancel to near zero
# (a momentum changing sign, FTRL's ``clip(z) - z``): their rounding error is relative to
# the operands, so to the array's scale, not to the small result.


def _run_against_reference(name: str, kwargs: dict[str, Any], dtype: type, device: str,
                           steps: int = STEPS) -> None:
    """Run the NumPy path (cpu) and the kernel path (``device``) next to the reference,
    comparing parameters and state after every step."""
    cls = getattr(ko, name)
    reference_step = importlib.import_module(cls.__module__).reference_step
    run = TwoPaths.start(dtype, device, steps)
    cpu, dev, ref = run.cpu, run.dev, run.ref
    opt_cpu, opt_dev = cls(**kwargs), cls(**kwargs)
    opt_cpu.build(cpu)
    opt_dev.build(dev)
    group = opt_cpu.param_groups[0]
    hyper = {k: v for k, v in group.items() if k != "params"}
    ref_state = [opt_cpu._init_state(p, group) for p in ref]
    decay = hyper["weight_decay"] or 0.0

    for step in range(steps):
        run.set_gradients(step)
        opt_cpu.step()
        opt_dev.step()
        for i in range(len(SHAPES)):
            g = run.reference_gradient(step, i)
            ref[i] = ref[i] * (1 - decay * hyper["lr"])  # the base class's decoupled decay
            ref[i], ref_state[i] = reference_step(ref[i], g, ref_state[i], hyper, step + 1)
            paths = [("numpy", cpu, opt_cpu), ("kernel", dev, opt_dev)]
            assert_paths_match(paths, i, ref[i], ref_state[i], dtype, step + 1)


@pytest.mark.parametrize("layout", ["flat", "per-parameter"])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("config", CONFIGS, ids=config_id)
def test_numpy_path_and_fused_kernel_equal_the_reference_step(config, dtype, layout,
                                                              accelerator, launches,
                                                              monkeypatch):  # fmt: skip
    """Both layouts: the group's parameters as views of one flat buffer updated in one
    call (``optim._flat``, the default), and one update per parameter."""
    name, kwargs = config
    if layout == "per-parameter":
        monkeypatch.setattr(getattr(ko, name), "_flat_update", False)
    _run_against_reference(name, kwargs, dtype, accelerator)
    if accelerator == "fakegpu":  # one fused launch per step, or per parameter and step
        assert len(launches) == STEPS * (1 if layout == "flat" else len(SHAPES))


@pytest.mark.parametrize("config", CONFIGS, ids=config_id)
def test_kernels_take_their_coefficients_from_the_host(config, launches):
    """``1 - beta`` computed inside a float32 kernel is off by up to 1.3e-5 relative
    (``1 - 0.999f``): coefficients come from the host, computed in double precision."""
    name, kwargs = config
    _run_against_reference(name, kwargs, np.float64, "fakegpu", steps=7)
    assert launches
    for kernel_name, body in launches:
        body = re.sub(r"//[^\n]*", "", body)
        assert re.search(r"\(T\)\s*1\s*-|\b1\s*-\s*[a-z]", body) is None, kernel_name
        assert kernel_name.startswith("xpgrad_keras_"), kernel_name


# Broken kernels: (optimizer, options, the module whose kernel breaks, a line's text, the
# broken text). Each break is small; the comparison must catch every one.
BREAKS = [
    ("SGD", {"momentum": 0.9, "nesterov": True}, "sgd", "(momentum * m - lr * grad)",
     "(m - lr * grad)"),
    ("RMSprop", {"centered": True}, "rmsprop", "- average_gradient * average_gradient",
     "- rho * average_gradient * average_gradient"),
    ("Adagrad", {}, "adagrad", "sqrt(accumulator + eps)", "sqrt(accumulator)"),
    ("Adadelta", {}, "adadelta", "sqrt(accumulated_delta_var + eps)",
     "sqrt(accumulated_delta_var)"),
    ("Adam", {"amsgrad": True}, "adam", "(v_hat > v ||", "(v_hat < v ||"),
    ("AdamW", {}, "adam", "sqrt(v) + eps", "sqrt(v + eps)"),
    ("Adamax", {}, "adamax", "(u + eps)", "u"),
    ("Nadam", {}, "nadam", "one_minus_u_t * grad", "grad"),
    ("Lion", {}, "lion", "(T)-1", "(T)1"),
    ("Ftrl", {"l1_regularization_strength": 0.5}, "ftrl", "(clipped - linear)",
     "(linear - clipped)"),
]


@pytest.mark.parametrize("broken", BREAKS, ids=lambda b: f"{b[0]}:{b[3]}")
def test_a_kernel_with_a_broken_line_fails_the_comparison(broken, monkeypatch):
    name, kwargs, module_name, text, replacement = broken
    module = importlib.import_module(f"optim.keras.{module_name}")
    found = break_kernel(monkeypatch, module, text, replacement)
    with pytest.raises(AssertionError, match="kernel path"):
        _run_against_reference(name, kwargs, np.float64, "fakegpu")
    assert found, f"{text!r} is not in {name}'s kernel: the break did not apply"
