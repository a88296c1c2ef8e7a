"""Audit cases from the optim issue: intermittent gradients, groups added mid-training,
optimizer + scheduler resumed together, state loaded onto float32 parameters, frozen ones."""

from __future__ import annotations

import pickle

import numpy as np
import pytest
from _device import host

import autograd
import optim
from autograd import Tensor
from optim import lr_scheduler

CONFIGS = [("SGD", {"lr": 0.05, "momentum": 0.9}), ("Adam", {"lr": 0.01, "amsgrad": True}),
           ("NAdam", {}), ("RAdam", {}), ("Adagrad", {"lr_decay": 0.01}),
           ("RMSprop", {"centered": True, "momentum": 0.5}), ("Adadelta", {}), ("Adamax", {}),
           ("AdamW", {})]


@pytest.fixture
def torch64(torch):
    """float64 default dtype: torch then keeps NAdam's mu_product in float64, as xpgrad."""
    previous = torch.get_default_dtype()
    torch.set_default_dtype(torch.float64)
    yield torch
    torch.set_default_dtype(previous)


@pytest.mark.parametrize("config", CONFIGS, ids=lambda c: c[0])
def test_intermittent_grads_and_a_group_added_after_steps_match_torch(torch64, config):
    torch = torch64
    name, kwargs = config
    rng = np.random.default_rng(0)
    starts = [rng.standard_normal((4, 3)), rng.standard_normal(3), rng.standard_normal(2)]
    mine = [Tensor(a.copy(), requires_grad=True) for a in starts]
    theirs = [torch.tensor(a.copy(), requires_grad=True) for a in starts]
    opt = getattr(optim, name)(mine[:2], **kwargs)
    topt = getattr(torch.optim, name)(theirs[:2], **kwargs)
    for t in range(30):
        if t == 10:
            opt.add_param_group({"params": [mine[2]], "lr": 0.003})
            topt.add_param_group({"params": [theirs[2]], "lr": 0.003})
        for i, (p, tp) in enumerate(zip(mine, theirs, strict=True)):
            if i == 1 and t % 3 == 0:  # this parameter gets no gradient every third step
                p.grad, tp.grad = None, None
                continue
            g = rng.standard_normal(p.shape) + p.cpu().numpy()
            p.grad, tp.grad = Tensor(g), torch.tensor(g)
        opt.step()
        topt.step()
        for p, tp in zip(mine, theirs, strict=True):
            np.testing.assert_allclose(host(p), tp.detach().numpy(), rtol=1e-10, atol=1e-12)


def _run(grads, start, stop, snapshot_at=None):
    p = Tensor(np.linspace(-1, 1, 5), requires_grad=True)
    opt = optim.SGD([p], lr=0.1, momentum=0.9)
    sched = lr_scheduler.OneCycleLR(opt, max_lr=0.5, total_steps=len(grads))
    snap = None
    for t in range(start, stop):
        p.grad = Tensor(grads[t])
        opt.step()
        sched.step()
        if t == snapshot_at:
            snap = pickle.dumps((p.cpu().numpy(), opt.state_dict(), sched.state_dict()))
    return p, opt, sched, snap


def test_optimizer_and_scheduler_resume_together_exactly():
    rng = np.random.default_rng(1)
    grads = [rng.standard_normal(5) for _ in range(40)]
    p, _, sched, snap = _run(grads, 0, 40, snapshot_at=19)
    q, opt2, sched2, _ = _run(grads, 0, 0)
    data, opt_state, sched_state = pickle.loads(snap)
    with autograd.no_grad():
        q.copy_(data)
    opt2.load_state_dict(opt_state)
    sched2.load_state_dict(sched_state)
    for t in range(20, 40):
        q.grad = Tensor(grads[t])
        opt2.step()
        sched2.step()
    np.testing.assert_array_equal(q.cpu().numpy(), p.cpu().numpy())
    assert sched2.get_last_lr() == sched.get_last_lr()
    assert opt2.param_groups[0]["momentum"] == sched.optimizer.param_groups[0]["momentum"]


def test_float64_state_loads_onto_float32_parameters():
    p = Tensor(np.ones(3), requires_grad=True)
    opt = optim.Adam([p])
    p.grad = Tensor(np.full(3, 0.5))
    opt.step()
    q = Tensor(np.ones(3, dtype=np.float32), requires_grad=True)
    opt32 = optim.Adam([q])
    opt32.load_state_dict(opt.state_dict())
    assert opt32.state[q]["exp_avg"].dtype == np.float32
    q.grad = Tensor(np.full(3, 0.5, dtype=np.float32))
    opt32.step()
    assert q.array.dtype == np.float32 and opt32.state[q]["step"] == 2


def test_a_frozen_parameter_without_grad_is_left_alone():
    frozen = Tensor(np.ones(3), requires_grad=False)
    live = Tensor(np.ones(3), requires_grad=True)
    opt = optim.SGD([frozen, live], lr=0.5)
    live.grad = Tensor(np.ones(3))
    opt.step()
    np.testing.assert_array_equal(frozen.cpu().numpy(), np.ones(3))
    np.testing.assert_array_equal(live.cpu().numpy(), np.full(3, 0.5))
    assert frozen not in opt.state
