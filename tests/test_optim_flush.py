"""Keeping subnormal values out of the optimizers' moving averages on the CPU.

A moving average whose gradient stays 0 decays into the subnormal range, where many CPUs
compute tens of times slower. The update runs in the CPU's flush-to-zero mode
(``optim._flush_to_zero``); where that mode is not available, every ``FLUSH_EVERY`` steps
the CPU path sets such values to 0 (``optim._shared.FLUSH_EVERY``). These tests (on the
CPU, whatever device the suite runs on) hold both to exactly that, check that the mode
ends with the update, that every optimizer names buffers it really has, and that training
follows the unflushed run.
"""

from __future__ import annotations

import platform
import sys

import numpy as np
import pytest

import autograd
import optim
import optim._flush_to_zero as flush_to_zero
import optim.optimizer as optimizer_module
from optim import keras as keras_optim
from optim._shared import FLUSH_EVERY, flush_subnormal_
from optim.optimizer import Optimizer


@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.float16])
def test_flush_zeroes_exactly_the_subnormal_values(dtype):
    tiny = np.finfo(dtype).smallest_normal
    values = np.array([tiny, -tiny, tiny / 2, -tiny / 2, np.finfo(dtype).smallest_subnormal,
                       tiny * 1.5, 1.0, -3.5, 0.0, -0.0, np.inf, -np.inf, np.nan,
                       np.finfo(dtype).max], dtype=dtype)  # fmt: skip
    subnormal = np.array([0, 0, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0], bool)
    assert np.all((np.abs(values[subnormal]) < tiny) & (values[subnormal] != 0))
    array = values.copy()
    flush_subnormal_(array, np.empty_like(array))
    assert np.all(array[subnormal] == 0)
    kept = ~subnormal
    # bit for bit: the flush leaves every other value (NaN, infinities, -0.0) as it was
    assert array[kept].tobytes() == values[kept].tobytes()


def _registered(family: str) -> list[type]:
    return sorted(Optimizer.registry[family].values(), key=lambda c: c.__name__)


# Options that make every state buffer exist.
_ALL_BUFFERS = {"SGD": {"momentum": 0.9}, "RMSprop": {"momentum": 0.9, "centered": True}}


@pytest.mark.parametrize("family", ["torch", "keras"])
def test_every_named_decaying_buffer_exists_in_the_state(family):
    for cls in _registered(family):
        p = autograd.Tensor(np.ones(3, np.float32), device="cpu", requires_grad=True)
        kwargs = dict(_ALL_BUFFERS.get(cls.__name__, {}))
        opt = cls([p], **kwargs) if family == "torch" else cls(**kwargs)
        if family == "keras":
            opt.build([p])
        for _ in range(2):
            p.grad = autograd.Tensor(np.full(3, 0.5, np.float32), device="cpu")
            opt.step()
        missing = set(cls._decaying_state) - set(opt.state[p])
        assert not missing, f"{cls.__module__}.{cls.__name__} names {missing}"


# A gradient of 1 at the first step and 0 afterwards: the moving averages decay into the
# subnormal range of float32 after ~830 (Adam's m), ~40 (beta 0.1) steps.
_DECAYING = [
    (optim.Adam, {"lr": 1e-3, "betas": (0.1, 0.5)}),
    (optim.SGD, {"lr": 1e-3, "momentum": 0.1}),
    (optim.RMSprop, {"lr": 1e-3, "alpha": 0.1, "momentum": 0.1, "centered": True}),
    (keras_optim.Adam, {"beta_1": 0.1, "beta_2": 0.5}),
    (keras_optim.SGD, {"momentum": 0.1}),
]


def _train(cls, kwargs, steps, check=None):
    p = autograd.Tensor(np.full(4, 0.25, np.float32), device="cpu", requires_grad=True)
    if cls.__module__.startswith("optim.keras"):
        opt = cls(**kwargs)
        opt.build([p])
    else:
        opt = cls([p], **kwargs)
    for step in range(1, steps + 1):
        grad = np.full(4, 1.0 if step == 1 else 0.0, np.float32)
        p.grad = autograd.Tensor(grad, device="cpu")
        opt.step()
        if check is not None:
            check(step, opt.state[p])
    return p, opt


def _subnormal_count(state, names):
    tiny = np.finfo(np.float32).smallest_normal
    return sum(int(np.count_nonzero((state[n] != 0) & (np.abs(state[n]) < tiny)))
               for n in names if isinstance(state.get(n), np.ndarray))


@pytest.mark.parametrize(("cls", "kwargs"), _DECAYING, ids=lambda v: getattr(v, "__name__", ""))
def test_the_flush_to_zero_mode_writes_no_subnormal_value(cls, kwargs, monkeypatch):
    """In the CPU's flush-to-zero mode the moving averages go from the smallest normal
    number straight to 0, and the weights reach what IEEE arithmetic gives."""
    _require_flush_to_zero()
    names = cls._decaying_state
    counts = []
    p, _ = _train(cls, kwargs, 160, lambda step, state: counts.append(
        _subnormal_count(state, names)))
    assert counts and max(counts) == 0
    monkeypatch.setattr(flush_to_zero, "AVAILABLE", False)  # IEEE: enter() does nothing
    monkeypatch.setattr(optimizer_module, "FLUSH_EVERY", 10**9)  # and nothing is flushed
    ieee = []
    q, _ = _train(cls, kwargs, 160, lambda step, state: ieee.append(
        _subnormal_count(state, names)))
    assert max(ieee) > 0  # the run does go through the subnormal range (the test can fail)
    np.testing.assert_array_equal(p.array, q.array)


@pytest.mark.parametrize(("cls", "kwargs"), _DECAYING, ids=lambda v: getattr(v, "__name__", ""))
def test_without_the_mode_buffers_hold_no_subnormal_after_a_flush_step(cls, kwargs,
                                                                      monkeypatch):
    """Where the mode is not available, a pass over the state every FLUSH_EVERY steps."""
    monkeypatch.setattr(flush_to_zero, "AVAILABLE", False)
    names = cls._decaying_state
    seen = []

    def check(step, state):
        count = _subnormal_count(state, names)
        seen.append(count)
        if step % FLUSH_EVERY == 0:
            assert count == 0, f"step {step}: {count} subnormal values left"

    p, _ = _train(cls, kwargs, 160, check)
    assert max(seen) > 0  # the run does go through the subnormal range (the test can fail)
    # Without the flush the same run keeps subnormal values for many steps in a row, and
    # the parameters it reaches are the same: the flush changes nothing above the normal range.
    monkeypatch.setattr(optimizer_module, "FLUSH_EVERY", 10**9)
    unflushed = []
    q, _ = _train(cls, kwargs, 160, lambda step, state: unflushed.append(
        _subnormal_count(state, names)))
    assert sum(c > 0 for c in unflushed) > sum(c > 0 for c in seen)
    np.testing.assert_array_equal(p.array, q.array)


def _require_flush_to_zero():
    """The mode exists on x86-64 Linux with glibc (CI's machine): there it must work."""
    if sys.platform == "linux" and platform.machine() == "x86_64" \
            and platform.libc_ver()[0] == "glibc":
        assert flush_to_zero.AVAILABLE, "FTZ/DAZ could not be set through fesetenv"
    elif not flush_to_zero.AVAILABLE:
        pytest.skip(f"no flush-to-zero mode on {sys.platform}/{platform.machine()}")


_SUBNORMAL = np.float32(np.finfo(np.float32).smallest_normal / 4)


def _flushes() -> bool:
    return bool(np.full(4, _SUBNORMAL, np.float32)[0] * np.float32(1.0) == 0)


def test_the_mode_holds_between_enter_and_leave_only():
    _require_flush_to_zero()
    assert not _flushes()
    before = flush_to_zero.enter()
    try:
        assert _flushes()
        again = flush_to_zero.enter()  # already set: leave(again) must keep it set
        flush_to_zero.leave(again)
        assert _flushes()
    finally:
        flush_to_zero.leave(before)
    assert not _flushes()


def test_user_code_keeps_ieee_arithmetic_after_a_step_and_after_an_error():
    _require_flush_to_zero()
    p = autograd.Tensor(np.ones(3, np.float32), device="cpu", requires_grad=True)
    opt = optim.Adam([p])
    p.grad = autograd.Tensor(np.full(3, _SUBNORMAL, np.float32), device="cpu")
    opt.step()
    assert not _flushes()
    assert opt.state[p]["exp_avg"][0] == 0  # (1 - b1) g is subnormal: flushed in the step

    class Failing(optim.SGD):
        def _update(self, *args, **kwargs):
            assert _flushes()  # the update does run in the mode
            raise RuntimeError("boom")

    failing = Failing([p], lr=0.1)
    with pytest.raises(RuntimeError, match="boom"):
        failing.step()
    assert not _flushes()


def test_keras_optimizers_update_in_the_mode():
    _require_flush_to_zero()
    p = autograd.Tensor(np.ones(3, np.float32), device="cpu", requires_grad=True)
    opt = keras_optim.Adam()
    opt.build([p])
    p.grad = autograd.Tensor(np.full(3, _SUBNORMAL, np.float32), device="cpu")
    opt.step()
    assert not _flushes()
    assert opt.state[p]["momentum"][0] == 0  # (1 - b1) g is subnormal: flushed in the step


def test_the_flush_leaves_the_gpu_paths_alone():
    """Only NumPy arrays are flushed: a device array is skipped, not converted."""

    class NotNumpy:
        dtype = np.dtype(np.float32)

    p = autograd.Tensor(np.ones(2, np.float32), requires_grad=True)
    opt = optim.Adam([p])
    opt.state[p] = {"step": 1, "exp_avg": NotNumpy(), "exp_avg_sq": NotNumpy()}
    for _ in range(FLUSH_EVERY):
        opt._flush_subnormal_state()  # would raise on NotNumpy if it touched it
