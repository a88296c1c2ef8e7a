"""Behaviour of the optimizers that does not need PyTorch: convergence, state, API."""

from __future__ import annotations

import pickle
import tracemalloc

import numpy as np
import pytest
from _device import host

import autograd
import optim
from autograd import Tensor

# One representative (and some non-default) setting per optimizer.
ALL_OPTIMIZERS = [
    ("SGD", {"lr": 0.2}),
    ("SGD", {"lr": 0.05, "momentum": 0.9}),
    ("SGD", {"lr": 0.05, "momentum": 0.9, "nesterov": True, "weight_decay": 1e-4}),
    ("Adagrad", {"lr": 0.5}),
    ("Adadelta", {"lr": 20.0}),
    ("RMSprop", {"lr": 0.01}),
    ("RMSprop", {"lr": 0.01, "momentum": 0.5, "centered": True}),
    ("Adam", {"lr": 0.05}),
    ("Adam", {"lr": 0.05, "amsgrad": True}),
    ("AdamW", {"lr": 0.05, "weight_decay": 1e-4}),
    ("Adamax", {"lr": 0.05}),
    ("NAdam", {"lr": 0.05}),
    ("RAdam", {"lr": 0.05}),
    ("Lion", {"lr": 0.01}),
]


def _ids(config):
    name, kwargs = config
    return name + "".join(f"-{k}={v}" for k, v in kwargs.items())


def _quadratic(seed: int = 1):
    """f(x) = 1/2 (x - c)^T A (x - c) with A symmetric positive definite (condition 8)."""
    rng = np.random.default_rng(seed)
    q, _ = np.linalg.qr(rng.standard_normal((5, 5)))
    a = q @ np.diag([0.5, 1.0, 2.0, 3.0, 4.0]) @ q.T
    c = rng.standard_normal(5)
    return Tensor(a), c


@pytest.mark.parametrize("config", ALL_OPTIMIZERS, ids=_ids)
def test_drives_a_convex_quadratic_to_its_minimum(config):
    name, kwargs = config
    a, c = _quadratic()
    target = Tensor(c)
    x = Tensor(np.zeros(5), requires_grad=True)
    opt = getattr(optim, name)([x], **kwargs)
    # A slowly decaying rate lets the sign-like methods (Lion, RMSprop) settle as well.
    schedule = optim.lr_scheduler.ExponentialLR(opt, gamma=0.998)
    for _ in range(2000):
        opt.zero_grad()
        d = x - target
        loss = 0.5 * (d * (a @ d)).sum()
        loss.backward()
        opt.step()
        schedule.step()
    np.testing.assert_allclose(host(x), c, atol=1e-3, err_msg=f"{name}{kwargs} did not converge")


class _Model:
    """A small float64 MLP whose gradient depends only on its parameters (deterministic)."""

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

    def snapshot(self) -> list[np.ndarray]:
        return [p.cpu().numpy().copy() for p in self.params]  # numpy() shares memory


@pytest.mark.parametrize("config", ALL_OPTIMIZERS, ids=_ids)
@pytest.mark.parametrize("through_disk", [False, True], ids=["in-memory", "pickle-file"])
def test_state_dict_round_trip_continues_bit_identically(config, through_disk, tmp_path):
    name, kwargs = config
    model = _Model()
    opt = getattr(optim, name)(model.params, **kwargs)
    for _ in range(7):
        model.train_step(opt)
    saved_params = model.snapshot()
    saved_state = opt.state_dict()
    if through_disk:
        path = tmp_path / "optimizer.pkl"
        path.write_bytes(pickle.dumps(saved_state))

    # The uninterrupted run: also checks the snapshot does not alias the live state.
    trajectory = []
    for _ in range(8):
        model.train_step(opt)
        trajectory.append(model.snapshot())

    resumed = _Model()
    with autograd.no_grad():
        for p, s in zip(resumed.params, saved_params, strict=True):
            p.copy_(s)
    opt2 = getattr(optim, name)(resumed.params, **kwargs)
    opt2.load_state_dict(pickle.loads(path.read_bytes()) if through_disk else saved_state)
    for expected in trajectory:
        resumed.train_step(opt2)
        for got, want in zip(resumed.snapshot(), expected, strict=True):
            np.testing.assert_array_equal(got, want)


def test_loaded_state_dict_restores_group_hyper_parameters():
    model = _Model()
    opt = optim.Adam(model.params, lr=0.01)
    model.train_step(opt)
    opt.param_groups[0]["lr"] = 0.123  # e.g. changed by a scheduler
    state = opt.state_dict()
    fresh = optim.Adam(model.params, lr=0.01)
    fresh.load_state_dict(state)
    assert fresh.param_groups[0]["lr"] == 0.123
    assert all(a is b for a, b in zip(fresh.param_groups[0]["params"], model.params,
                                      strict=True))
    assert fresh.state[model.params[0]]["step"] == 1


def test_load_state_dict_rejects_a_mismatched_layout():
    model = _Model()
    opt = optim.SGD(model.params, lr=0.1, momentum=0.9)
    other = optim.SGD(model.params[:2], lr=0.1, momentum=0.9)
    with pytest.raises(ValueError, match="doesn't match"):
        other.load_state_dict(opt.state_dict())


def test_parameters_without_grad_are_skipped():
    used = Tensor(np.ones(3), requires_grad=True)
    unused = Tensor(np.ones(3), requires_grad=True)
    opt = optim.Adam([used, unused], lr=0.1, weight_decay=0.1)
    (used * used).sum().backward()
    opt.step()
    assert unused.grad is None
    np.testing.assert_array_equal(unused.cpu().numpy(), np.ones(3))
    assert unused not in opt.state
    assert np.all(used.cpu().numpy() < 1)


def test_zero_grad_drops_or_zeroes_gradients():
    p = Tensor(np.ones(3), requires_grad=True)
    opt = optim.SGD([p], lr=0.1)
    (p * p).sum().backward()
    opt.zero_grad(set_to_none=False)
    np.testing.assert_array_equal(p.grad.cpu().numpy(), np.zeros(3))
    opt.zero_grad()
    assert p.grad is None


def test_update_is_in_place_and_builds_no_graph():
    p = Tensor(np.ones((2, 2)), requires_grad=True)
    array = p.array
    opt = optim.Adam([p], lr=0.1)
    (p * p).sum().backward()
    opt.step()
    assert p.array is array
    assert p.grad_fn is None and p.is_leaf
    assert np.all(array < 1)


@pytest.mark.parametrize("config", ALL_OPTIMIZERS, ids=_ids)
def test_float32_parameters_and_state_stay_float32(config):
    name, kwargs = config
    p = Tensor(np.linspace(-1, 1, 6, dtype=np.float32), requires_grad=True)
    opt = getattr(optim, name)([p], **kwargs)
    for _ in range(3):
        opt.zero_grad()
        (p * p * p).sum().backward()
        opt.step()
    assert p.array.dtype == np.float32
    for key, value in opt.state[p].items():
        if isinstance(value, np.ndarray):
            assert value.dtype == np.float32, key


@pytest.mark.parametrize("config", ALL_OPTIMIZERS, ids=_ids)
def test_numpy_step_allocates_no_temporaries(config):
    """After the first step (state and scratch buffers), a step reuses its buffers.

    On the CPU whatever the suite's device: elsewhere the fused kernel runs instead (the
    ``fakegpu`` stand-in interprets it with whole-array temporaries)."""
    name, kwargs = config
    n = 50_000  # 400 kB per float64 array: any temporary would show in the peak
    p = Tensor(np.linspace(-1, 1, n), device="cpu", requires_grad=True)
    p.grad = Tensor(np.linspace(1, 2, n), device="cpu")
    opt = getattr(optim, name)([p], **kwargs)
    opt.step()
    tracemalloc.start()
    try:
        opt.step()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 8 * n // 4, f"{name} allocated {peak} bytes in a step"


def test_param_groups_take_their_own_hyper_parameters():
    a = Tensor(np.ones(2), requires_grad=True)
    b = Tensor(np.ones(2), requires_grad=True)
    opt = optim.SGD([{"params": [a]}, {"params": [b], "lr": 0.5}], lr=0.1)
    assert opt.param_groups[0]["lr"] == 0.1 and opt.param_groups[1]["lr"] == 0.5
    assert opt.param_groups[1]["momentum"] == 0.0
    for p in (a, b):
        p.grad = Tensor(np.ones(2))
    opt.step()
    np.testing.assert_allclose(a.cpu().numpy(), [0.9, 0.9])
    np.testing.assert_allclose(b.cpu().numpy(), [0.5, 0.5])


def test_add_param_group():
    a = Tensor(np.ones(2), requires_grad=True)
    b = Tensor(np.ones(2), requires_grad=True)
    opt = optim.Adam([a], lr=0.1)
    opt.add_param_group({"params": b, "lr": 0.01})
    assert len(opt.param_groups) == 2
    assert opt.param_groups[1]["betas"] == (0.9, 0.999)
    with pytest.raises(ValueError, match="more than one parameter group"):
        opt.add_param_group({"params": [a]})


@pytest.mark.parametrize("bad, error", [
    ([], ValueError),
    (Tensor(np.ones(2), requires_grad=True), TypeError),
    ({Tensor(np.ones(2), requires_grad=True)}, TypeError),
])
def test_bad_params_argument_raises_clearly(bad, error):
    if isinstance(bad, set):  # a set as a group's params: unordered, so rejected
        with pytest.raises(error):
            optim.SGD([{"params": bad}], lr=0.1)
        return
    with pytest.raises(error):
        optim.SGD(bad, lr=0.1)


@pytest.mark.parametrize("make", [
    lambda p: optim.SGD(p, lr=-1.0),
    lambda p: optim.SGD(p, lr=0.1, nesterov=True),
    lambda p: optim.Adam(p, betas=(1.0, 0.999)),
    lambda p: optim.RMSprop(p, eps=-1.0),
    lambda p: optim.Adagrad(p, lr_decay=-0.1),
])
def test_invalid_hyper_parameters_raise_value_error(make):
    with pytest.raises(ValueError):
        make([Tensor(np.ones(2), requires_grad=True)])


def test_step_with_closure_returns_the_loss():
    p = Tensor(np.array([3.0]), requires_grad=True)
    opt = optim.SGD([p], lr=0.25)

    def closure():
        opt.zero_grad()
        loss = (p * p).sum()
        loss.backward()
        return loss

    loss = opt.step(closure)
    assert loss.item() == 9.0
    np.testing.assert_allclose(p.cpu().numpy(), [1.5])  # 3 - 0.25 * 6
