"""Each optimizer's forms held to one another: both fast paths equal the reference step.

Every optimizer file holds its rule as a formula (docstring), a plain ``reference_step``
(float64 NumPy, out of place, read off the formula), the in-place NumPy update and a
fused CUDA kernel. Here, for every optimizer and the options that change its
computation, three runs take the same gradients for 25 steps:

* the reference, ``module.reference_step`` applied to float64 host arrays;
* the in-place NumPy path (parameters on the CPU);
* the fused kernel (parameters on a device with kernels: the ``fakegpu`` stand-in, which
  runs the kernel's CUDA C through ``backends.cuda_subset``, and CUDA where there is one).

Each of the last two runs with the group's parameters stored flat (``optim._flat``: one
update of all of them) and with one update per parameter.

After every step the parameters and every state entry must agree with the reference (see
``_optim_paths.TOLERANCE``). The gradient depends on the parameter (``0.5 p + noise``), so a
wrong state or parameter would also change every later gradient.

The tests also show that the comparison can fail: a kernel with one line broken.
"""

from __future__ import annotations

import importlib
import re
from typing import Any

import numpy as np
import pytest
from _optim_paths import SHAPES, TwoPaths, assert_paths_match, break_kernel, config_id

import optim

STEPS = 25

# (class name, keyword arguments): every option that selects another computation, in both
# lerp branches (a weight of 1 - beta >= 0.5 takes PyTorch's second formula).
CONFIGS = [
    ("SGD", {"lr": 0.05}),
    ("SGD", {"lr": 0.05, "weight_decay": 0.01}),
    ("SGD", {"lr": 0.05, "momentum": 0.9}),
    ("SGD", {"lr": 0.05, "momentum": 0.9, "dampening": 0.3, "weight_decay": 0.01}),
    ("SGD", {"lr": 0.05, "momentum": 0.9, "nesterov": True}),
    ("SGD", {"lr": 0.05, "momentum": 0.8, "nesterov": True, "weight_decay": 0.05}),
    ("Adagrad", {}),
    ("Adagrad", {"lr": 0.05, "lr_decay": 0.01, "weight_decay": 0.02,
                 "initial_accumulator_value": 0.1}),
    ("Adadelta", {}),
    ("Adadelta", {"lr": 0.5, "rho": 0.8, "eps": 1e-5, "weight_decay": 0.02}),
    ("RMSprop", {}),
    ("RMSprop", {"lr": 0.005, "alpha": 0.9, "weight_decay": 0.02}),
    ("RMSprop", {"lr": 0.005, "centered": True}),
    ("RMSprop", {"lr": 0.005, "alpha": 0.4, "centered": True}),
    ("RMSprop", {"lr": 0.002, "momentum": 0.9}),
    ("RMSprop", {"lr": 0.002, "momentum": 0.5, "centered": True, "weight_decay": 0.01}),
    ("Adam", {}),
    ("Adam", {"lr": 0.01, "weight_decay": 0.02}),
    ("Adam", {"lr": 0.01, "weight_decay": 0.02, "decoupled_weight_decay": True}),
    ("Adam", {"lr": 0.01, "amsgrad": True}),
    ("Adam", {"lr": 0.01, "betas": (0.3, 0.9), "amsgrad": True, "weight_decay": 0.05}),
    ("AdamW", {}),
    ("AdamW", {"lr": 0.01, "weight_decay": 0.1, "amsgrad": True}),
    ("Adamax", {}),
    ("Adamax", {"lr": 0.01, "betas": (0.3, 0.99), "weight_decay": 0.02}),
    ("NAdam", {}),
    ("NAdam", {"lr": 0.01, "momentum_decay": 0.01, "weight_decay": 0.02}),
    ("NAdam", {"lr": 0.01, "weight_decay": 0.05, "decoupled_weight_decay": True}),
    # RAdam's first ~6 steps skip the adaptive term (rho_t <= 5): 25 steps take both kernels.
    ("RAdam", {}),
    ("RAdam", {"lr": 0.01, "betas": (0.4, 0.99), "weight_decay": 0.02}),
    ("RAdam", {"lr": 0.01, "weight_decay": 0.05, "decoupled_weight_decay": True}),
    ("Lion", {}),
    ("Lion", {"lr": 1e-3, "betas": (0.3, 0.99), "weight_decay": 0.1}),
]

# Per dtype: (rtol, atol as a fraction of the array's largest magnitude). The absolute part
# is for entries that cancel to near zero (a momentum changing sign): their rounding error
# is relative to the operands, so to the array's scale, not to the small result.


def _run_against_reference(name: str, kwargs: dict[str, Any], dtype: type, device: str,
                           steps: int = STEPS) -> None:
    """Run the NumPy path (cpu) and the kernel path (``device``) next to the reference,
    comparing parameters and state after every step."""
    cls = getattr(optim, name)
    reference_step = importlib.import_module(cls.__module__).reference_step
    run = TwoPaths.start(dtype, device, steps)
    cpu, dev, ref = run.cpu, run.dev, run.ref
    opt_cpu, opt_dev = cls(cpu, **kwargs), cls(dev, **kwargs)
    hyper = {k: v for k, v in opt_cpu.param_groups[0].items() if k != "params"}
    ref_state = [opt_cpu._init_state(p, opt_cpu.param_groups[0]) for p in ref]

    for step in range(steps):
        run.set_gradients(step)
        opt_cpu.step()
        opt_dev.step()
        for i in range(len(SHAPES)):
            g = run.reference_gradient(step, i)
            ref[i], ref_state[i] = reference_step(ref[i], g, ref_state[i], hyper)
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
        monkeypatch.setattr(getattr(optim, name), "_flat_update", False)
    _run_against_reference(name, kwargs, dtype, accelerator)
    if accelerator == "fakegpu":  # one fused launch per step, or per parameter and step
        assert len(launches) == STEPS * (1 if layout == "flat" else len(SHAPES))


@pytest.mark.parametrize("config", CONFIGS, ids=config_id)
def test_kernels_take_their_coefficients_from_the_host(config, launches):
    """``1 - beta`` computed inside a float32 kernel is off by up to 1.3e-5 relative
    (``1 - 0.999f``): coefficients come from the host, computed in double precision."""
    name, kwargs = config
    _run_against_reference(name, kwargs, np.float64, "fakegpu", steps=7)
    for kernel_name, body in launches:
        body = re.sub(r"//[^\n]*", "", body)
        assert re.search(r"\(T\)\s*1\s*-|\b1\s*-\s*[a-z]", body) is None, kernel_name
        assert kernel_name.startswith("xpgrad_"), kernel_name


# Broken kernels: (optimizer, options, the module whose kernel breaks, a line's text, the
# broken text). Each break is small; the comparison must catch every one.
BREAKS = [
    ("Adam", {"lr": 0.01}, "adam", "sqrt(exp_avg_sq)", "sqrt(exp_avg_sq + eps)"),
    ("Adam", {"lr": 0.01, "amsgrad": True}, "adam", "(exp_avg_sq > max_exp_avg_sq ||",
     "(exp_avg_sq < max_exp_avg_sq ||"),
    ("SGD", {"lr": 0.05, "momentum": 0.9, "dampening": 0.3}, "sgd",
     "one_minus_dampening * gg", "gg"),
    ("RMSprop", {"centered": True}, "rmsprop", "- grad_avg * grad_avg",
     "- alpha * grad_avg * grad_avg"),
    ("NAdam", {}, "nadam", "param + avg_coef", "param - avg_coef"),
    ("RAdam", {}, "radam", "* rect;", ";"),
    ("Lion", {}, "lion", "(T)-1", "(T)1"),
    ("Adadelta", {}, "adadelta", "sqrt(acc_delta + eps)", "sqrt(acc_delta)"),
]


@pytest.mark.parametrize("broken", BREAKS, ids=lambda b: f"{b[0]}:{b[3]}")
def test_a_kernel_with_a_broken_line_fails_the_comparison(broken, monkeypatch):
    name, kwargs, module_name, text, replacement = broken
    module = importlib.import_module(f"optim.{module_name}")
    found = break_kernel(monkeypatch, module, text, replacement)
    with pytest.raises(AssertionError, match="kernel path"):
        _run_against_reference(name, kwargs, np.float64, "fakegpu")
    assert found, f"{text!r} is not in {name}'s kernel: the break did not apply"
