"""In-place updates (``w -= lr * w.grad`` under no_grad) and the check that guards backward."""

from __future__ import annotations

import numpy as np
import pytest

import autograd as ag


def test_manual_sgd_loop_in_the_pytorch_idiom_trains_and_keeps_the_leaf():
    rng = np.random.default_rng(0)
    x = ag.Tensor(rng.normal(size=(64, 3)).astype(np.float32))
    y = x @ ag.Tensor(np.array([1.0, -2.0, 0.5], np.float32))
    w = ag.Tensor(np.zeros(3, np.float32), requires_grad=True)
    first = None
    for _ in range(200):
        loss = ((x @ w - y) ** 2).mean()
        first = first if first is not None else loss.item()
        loss.backward()
        with ag.no_grad():
            w -= 0.1 * w.grad
            w.grad.zero_()
    assert w.requires_grad and w.is_leaf and w.dtype == np.float32
    np.testing.assert_allclose(w.cpu().numpy(), [1.0, -2.0, 0.5], atol=1e-3)
    assert loss.item() < 1e-4 * first


@pytest.mark.parametrize(
    ("update", "expected"),
    [
        (lambda t: t.__iadd__(2.0), [3.0, 4.0]),
        (lambda t: t.__isub__(ag.Tensor([1.0, 1.0])), [0.0, 1.0]),
        (lambda t: t.__imul__(np.array([2.0, 3.0])), [2.0, 6.0]),
        (lambda t: t.__itruediv__(2), [0.5, 1.0]),
        (lambda t: t.zero_(), [0.0, 0.0]),
    ],
)
def test_in_place_operators_update_the_same_array_and_keep_float32(update, expected):
    t = ag.Tensor([1.0, 2.0])
    data = t.array
    assert update(t) is t
    assert t.array is data and t.dtype == np.float32
    np.testing.assert_allclose(t.cpu().numpy(), expected)


def test_a_tensor_that_requires_grad_cannot_change_in_place_while_recording():
    w = ag.Tensor([1.0], requires_grad=True)
    with pytest.raises(RuntimeError, match="no_grad"):
        w -= 1.0
    with pytest.raises(RuntimeError, match="no_grad"):
        w.zero_()
    np.testing.assert_array_equal(w.cpu().numpy(), [1.0])


def test_in_place_errors_name_shapes_and_dtypes():
    labels = ag.Tensor([1, 2])
    with pytest.raises(TypeError, match=r"int64 tensor of shape \(2,\)"):
        labels += 0.5
    t = ag.Tensor([1.0, 2.0])
    with pytest.raises(ValueError, match=r"shape \(3,\)"):
        t += np.ones(3)


def test_backward_refuses_a_saved_input_changed_in_place():
    x = ag.Tensor([1.0, 2.0])
    w = ag.Tensor([3.0, 4.0], requires_grad=True)
    loss = (x * w).sum()
    x *= 2  # the gradient of w is x: it would now be wrong
    with pytest.raises(RuntimeError, match="mul: .*changed in place"):
        loss.backward()


def test_backward_refuses_an_output_changed_in_place_under_no_grad():
    w = ag.Tensor([0.5, -0.5], requires_grad=True)
    y = ag.sigmoid(w)  # sigmoid's backward uses its output
    loss = (y * y).sum()
    with ag.no_grad():
        y += 1.0
    with pytest.raises(RuntimeError, match="changed in place"):
        loss.backward()


def test_updates_after_backward_are_fine_for_the_next_step():
    w = ag.Tensor([1.0, 2.0], requires_grad=True)
    for _ in range(3):
        (w * w).sum().backward()
        with ag.no_grad():
            w -= 0.25 * w.grad
        w.zero_grad()
    np.testing.assert_allclose(w.cpu().numpy(), [0.125, 0.25])
