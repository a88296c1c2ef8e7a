"""The gradient ``loss.backward()`` starts from: ones shared between backward calls.

On a GPU, making ``ones_like(loss)`` is a fill kernel every step. Where nothing can hold
or change the seed (the loss was made by an op whose backward only reads its gradient,
``Function._shares_seed``, with no hook and no retained gradient on it, no graph of the
backward built), the engine starts from the backend's one shared array
(``Backend.shared_ones``) instead. These tests check that it does, that every case
where someone could see or write the seed gets ones of its own, and that a capture
never keeps ones it only recorded.
"""

from __future__ import annotations

import numpy as np
import pytest
from _device import host

import autograd
import backends
import nn
from autograd import Function, Tensor
from autograd.engine import _root_grad


def _loss(device, reduction="mean"):
    rng = np.random.default_rng(0)
    z = Tensor(rng.standard_normal((4, 3)).astype(np.float32), device=device,
               requires_grad=True)  # fmt: skip
    y = autograd.tensor(np.array([0, 2, 1, 2]), device=device)
    return z, nn.CrossEntropyLoss(reduction=reduction)(z, y)


def _seed(loss, shareable=True):
    return _root_grad(loss, None, shareable).array


def test_a_loss_starts_from_the_shared_ones(device):
    _, loss = _loss(device)
    seed = _seed(loss)
    assert seed is backends.backend_of(loss.array).shared_ones(loss.array.shape, loss.array.dtype)
    assert seed is _seed(_loss(device)[1])  # one array for every backward
    assert host(seed) == 1 and seed.dtype == loss.array.dtype
    mean = autograd.mean(Tensor(np.ones(3, np.float32), device=device, requires_grad=True))
    assert _seed(mean) is seed


def test_the_shared_ones_cannot_be_written_on_the_host():
    _, loss = _loss("cpu")
    with pytest.raises(ValueError, match="read-only"):
        _seed(loss)[...] = 2


def test_gradients_stay_right_over_many_backward_calls(device):
    runs = []
    for _ in range(4):
        z, loss = _loss(device)
        loss.backward()
        runs.append(host(z.grad))
    for grad in runs[1:]:
        np.testing.assert_array_equal(grad, runs[0])
    z, loss = _loss(device)
    expected = (host(autograd.softmax(z, axis=-1)) - np.eye(3)[[0, 2, 1, 2]]) / 4
    np.testing.assert_allclose(runs[0], expected, rtol=1e-6, atol=1e-7)


def _fresh_ones_cases(device):
    """Outputs whose seed someone could hold or write: each must get ones of its own."""
    _, retained = _loss(device)
    retained.retain_grad()
    _, hooked = _loss(device)
    hooked.register_hook(lambda g: g)
    leaf = Tensor(np.ones((), np.float32), device=device, requires_grad=True)
    summed = autograd.sum(Tensor(np.ones(3, np.float32), device=device, requires_grad=True))

    class Custom(Function):  # a user's op: its backward may write into gy
        def forward(self, x):
            return x.sum()

        def backward(self, gy):
            return autograd.broadcast_to(gy, self.inputs[0].shape)

    custom = Custom.apply(Tensor(np.ones(3, np.float32), device=device, requires_grad=True))

    class Subclassed(nn.losses.base.SoftmaxCrossEntropy):  # rewrites the backward
        def backward(self, gy):
            return super().backward(gy)

    return {"retained grad": retained, "hook": hooked, "leaf": leaf,
            "sum (passes a view of gy on)": summed, "user Function": custom,
            "subclass with its own backward": Subclassed}  # fmt: skip


def test_who_could_see_or_write_the_seed_gets_ones_of_their_own(device):
    cases = _fresh_ones_cases(device)
    subclass = cases.pop("subclass with its own backward")
    assert not subclass._shares_seed
    for name, output in cases.items():
        shared = backends.backend_of(output.array).shared_ones(output.array.shape,
                                                              output.array.dtype)  # fmt: skip
        assert _seed(output) is not shared, name
    _, loss = _loss(device)
    assert _seed(loss, shareable=False) is not _seed(loss)  # create_graph / autograd.grad


def test_a_retained_loss_grad_can_be_changed_without_touching_later_seeds(device):
    z, loss = _loss(device)
    loss.retain_grad()
    loss.backward()
    loss.grad.array[...] = 5  # the user's own array
    z2, loss2 = _loss(device)
    loss2.backward()
    np.testing.assert_array_equal(host(z2.grad), host(z.grad))


def test_ones_made_while_a_capture_records_are_not_kept():
    backend = backends.get_backend("fakegpu")  # (made here if no test has made it yet)
    shape = (7, 1)  # a shape no other test asks for
    _, made = backend.capture(lambda: backend.shared_ones(shape, np.dtype(np.float32)))
    kept = backend.shared_ones(shape, np.dtype(np.float32))
    assert kept is not made  # recorded, not run on a GPU: made again outside the capture
    assert kept is backend.shared_ones(shape, np.dtype(np.float32))
