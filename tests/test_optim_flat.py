"""A parameter group stored flat (``optim._flat``): one update for all its parameters.

The flat layout must be invisible: the same values as one update per parameter, bit for
bit, in both optimizer families; per-parameter state in ``state_dict``; gradients a user
kept from an earlier step never overwritten; and whatever breaks the layout (a parameter
without a gradient, ``p.array`` replaced, a state loaded, clipping) falls back to the
per-parameter path with the same results.
"""

from __future__ import annotations

import numpy as np
import pytest
from _device import host

import autograd
import nn
import optim


def _model(seed=0):
    autograd.manual_seed(seed)
    return nn.Sequential(nn.Linear(6, 5), nn.ReLU(), nn.Linear(5, 4), nn.Tanh(),
                         nn.Linear(4, 3))  # fmt: skip


def _batch(step, n=8):
    rng = np.random.default_rng(step)
    return (autograd.tensor(rng.standard_normal((n, 6)).astype(np.float32)),
            autograd.tensor(rng.integers(0, 3, n)))  # fmt: skip


def _train(model, opt, steps, between=None):
    loss_fn = nn.CrossEntropyLoss()
    for step in range(steps):
        x, y = _batch(step)
        opt.zero_grad()
        loss_fn(model(x), y).backward()
        if between is not None:
            between(step, model)
        opt.step()
    return [host(p) for p in model.parameters()]


def _per_parameter(monkeypatch, cls):
    monkeypatch.setattr(cls, "_flat_update", False)


def _is_flat(model):
    """Whether the model's parameters are views of a flat group (each has its slice of
    the group's gradient buffer; ``.base`` is compared on the host only: the stand-in
    device makes a new wrapper per call)."""
    params = list(model.parameters())
    if not all(getattr(p, "_grad_buffer", None) is not None for p in params):
        return False
    bases = [p.array.base for p in params]
    if isinstance(bases[0], np.ndarray):
        return all(b is bases[0] for b in bases)
    return all(b is not None for b in bases)


OPTIMIZERS = [(optim.Adam, {"lr": 1e-2}), (optim.SGD, {"lr": 0.1, "momentum": 0.9}),
              (optim.RMSprop, {"lr": 1e-2, "centered": True}),
              (optim.NAdam, {"lr": 1e-2})]  # fmt: skip


@pytest.mark.parametrize("cls,kwargs", OPTIMIZERS, ids=lambda v: getattr(v, "__name__", ""))
def test_flat_updates_equal_per_parameter_updates_bit_for_bit(cls, kwargs, monkeypatch):
    flat_model = _model()
    flat_opt = cls(flat_model.parameters(), **kwargs)
    flat = _train(flat_model, flat_opt, 6)
    assert _is_flat(flat_model)
    with monkeypatch.context() as patch:
        _per_parameter(patch, cls)
        plain_model = _model()
        plain_opt = cls(plain_model.parameters(), **kwargs)
        plain = _train(plain_model, plain_opt, 6)
        assert not _is_flat(plain_model)
    for a, b in zip(flat, plain, strict=True):
        np.testing.assert_array_equal(a, b)
    for p, q in zip(flat_model.parameters(), plain_model.parameters(), strict=True):
        for key, value in plain_opt.state[q].items():
            mine = flat_opt.state[p][key]
            if hasattr(value, "shape"):
                assert mine.shape == value.shape == p.shape
                np.testing.assert_array_equal(host(mine), host(value))
            else:
                assert mine == value


def test_gradients_are_written_into_the_flat_buffer_without_a_copy():
    model = _model()
    opt = optim.Adam(model.parameters(), lr=1e-2)
    _train(model, opt, 2)
    x, y = _batch(5)
    opt.zero_grad()
    nn.CrossEntropyLoss()(model(x), y).backward()
    grads = [p.grad.array for p in model.parameters()]
    assert all(g.base is not None for g in grads)
    assert all(g is p._grad_buffer for g, p in zip(grads, model.parameters(), strict=True))


def test_a_gradient_kept_from_an_earlier_step_is_not_overwritten():
    model = _model()
    opt = optim.Adam(model.parameters(), lr=1e-2)
    kept, copies = [], []

    def keep(step, model):
        kept.append([p.grad for p in model.parameters()])
        kept.append([p.grad.array for p in model.parameters()] if step % 2 else [])  # raw
        copies.append([host(p.grad).copy() for p in model.parameters()])

    _train(model, opt, 5, between=keep)
    for step, grads in enumerate(kept[0::2]):
        for g, c in zip(grads, copies[step], strict=True):
            np.testing.assert_array_equal(host(g), c)
    for step in (1, 3):
        for g, c in zip(kept[2 * step + 1], copies[step], strict=True):
            np.testing.assert_array_equal(host(g), c)


def _compare_with_per_parameter(monkeypatch, between, steps=6, cls=optim.Adam):
    results = []
    for layout in ("flat", "per-parameter"):
        with monkeypatch.context() as patch:
            if layout == "per-parameter":
                _per_parameter(patch, cls)
            model = _model()
            results.append(_train(model, cls(model.parameters(), lr=1e-2), steps, between))
    for a, b in zip(*results, strict=True):
        np.testing.assert_array_equal(a, b)


def test_a_parameter_without_a_gradient_falls_back_with_the_same_results(monkeypatch):
    def drop(step, model):
        if step in (2, 3):
            model[0].bias.grad = None  # frozen for two steps

    _compare_with_per_parameter(monkeypatch, drop)


def test_replaced_parameter_data_is_updated_as_it_is_now(monkeypatch):
    def replace(step, model):
        if step == 3:
            w = model[2].weight
            w.array = w.array * 0.5  # a new array, no longer a view of the flat buffer

    _compare_with_per_parameter(monkeypatch, replace)


def test_a_loaded_state_continues_exactly():
    model = _model()
    opt = optim.Adam(model.parameters(), lr=1e-2)
    _train(model, opt, 3)
    saved_state, saved_weights = opt.state_dict(), [host(p).copy() for p in model.parameters()]
    for key, value in saved_state["state"][0].items():
        if hasattr(value, "shape"):
            assert value.shape == model[0].weight.shape, key
    reference = _train(model, opt, 3)
    other = _model(seed=1)
    for p, w in zip(other.parameters(), saved_weights, strict=True):
        p.array[...] = autograd.tensor(w).array
    opt2 = optim.Adam(other.parameters(), lr=1e-2)
    _train(other, opt2, 1)  # builds its own flat layout, which loading replaces
    opt2.load_state_dict(saved_state)
    for p, w in zip(other.parameters(), saved_weights, strict=True):
        p.array[...] = autograd.tensor(w).array
    for a, b in zip(_train(other, opt2, 3), reference, strict=True):
        np.testing.assert_array_equal(a, b)


def test_parameters_of_two_dtypes_stay_per_parameter():
    w = autograd.tensor(np.ones((3, 2), np.float32), requires_grad=True)
    b = autograd.tensor(np.ones(2, np.float64), requires_grad=True)
    opt = optim.SGD([w, b], lr=0.1)
    w.grad, b.grad = (autograd.tensor(np.ones((3, 2), np.float32)),
                      autograd.tensor(np.ones(2, np.float64)))  # fmt: skip
    opt.step()
    assert w.array.base is None and b.array.base is None
    np.testing.assert_allclose(host(w), 0.9)
    np.testing.assert_allclose(host(b), 0.9)


def _keras_fit(clipnorm=None, epochs=2):
    autograd.manual_seed(0)
    model = nn.Sequential([nn.layers.Dense(5, activation="relu", input_shape=(6,)),
                           nn.layers.Dense(3, activation="softmax")])  # fmt: skip
    opt = optim.keras.Adam(learning_rate=1e-2, clipnorm=clipnorm)
    model.compile(optimizer=opt, loss="sparse_categorical_crossentropy")
    rng = np.random.default_rng(0)
    x = rng.standard_normal((40, 6)).astype(np.float32)
    y = rng.integers(0, 3, 40)
    model.fit(x, y, batch_size=8, epochs=epochs, verbose=0, shuffle=False)
    return model, [host(p).copy() for p in model.weights]


@pytest.mark.parametrize("clipnorm", [None, 1.0], ids=["plain", "clipnorm"])
def test_keras_fit_flat_equals_per_parameter(clipnorm, monkeypatch):
    model, flat = _keras_fit(clipnorm)
    assert _is_flat(model) == (clipnorm is None)  # clipping is per parameter: no flat step
    with monkeypatch.context() as patch:
        _per_parameter(patch, optim.keras.Adam)
        plain_model, plain = _keras_fit(clipnorm)
        assert not _is_flat(plain_model)
    for a, b in zip(flat, plain, strict=True):
        np.testing.assert_array_equal(a, b)


def test_a_parameter_swapped_in_the_group_is_updated_as_the_group_says(monkeypatch):
    def swap(step, model):
        if step == 2:  # a new tensor where the flat group had another: no comparison error
            opt = model._test_optimizer
            new = autograd.tensor(host(model[0].bias) + 1.0, requires_grad=True)
            new.grad = model[0].bias.grad
            opt.param_groups[0]["params"][1] = new
            model._test_swapped = new

    results = []
    for layout in ("flat", "per-parameter"):
        with monkeypatch.context() as patch:
            if layout == "per-parameter":
                _per_parameter(patch, optim.Adam)
            model = _model()
            opt = optim.Adam(model.parameters(), lr=1e-2)
            model.__dict__["_test_optimizer"] = opt
            _train(model, opt, 4, swap)
            results.append(host(model.__dict__["_test_swapped"]))
    np.testing.assert_array_equal(*results)
