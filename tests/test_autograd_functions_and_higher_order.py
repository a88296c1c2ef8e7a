"""User-written Functions, higher-order gradients of the indexing/joining/selecting ops,
``autograd.grad`` corner cases, retain_grad under create_graph, GPU indexing and where.

Expected values are closed forms worked out by hand (noted next to each).
"""

from __future__ import annotations

import numpy as np
import pytest

import autograd as ag
from autograd import Function, Tensor


def leaf(values, device=None):
    return Tensor(np.asarray(values, dtype=np.float64), device=device, requires_grad=True)


# ------------------------------------------------------------------ user Functions
class Square(Function):  # exactly the docstring's example: no __slots__, no __init__
    "y = x**2, dy/dx = 2x"

    def forward(self, x):
        return x * x

    def backward(self, gy):
        (x,) = self.inputs
        return gy * 2 * x


class ClampedCube(Function):
    """State from __init__ and from forward, a raw-array gradient (allowed for users)."""

    def __init__(self, limit):
        self.limit = limit

    def forward(self, x):
        self.inside = np.abs(x) < self.limit
        return np.where(self.inside, x**3, 0.0)

    def backward(self, gy):
        (x,) = self.inputs
        return gy.array * np.where(self.inside, 3 * x.array**2, 0.0)


def test_a_user_function_without_slots_gives_gradients_and_second_derivatives():
    x = leaf([1.0, -2.0, 3.0])
    (g,) = ag.grad(Square()(x).sum(), x, create_graph=True)
    np.testing.assert_allclose(g.cpu().numpy(), [2.0, -4.0, 6.0])
    (gg,) = ag.grad(g.sum(), x)
    np.testing.assert_allclose(gg.cpu().numpy(), [2.0, 2.0, 2.0])
    assert ag.gradcheck(lambda t: Square()(t) * t, [Tensor(np.array([0.5, -1.5]))])


def test_a_user_function_with_state_and_raw_array_gradients():
    x = leaf([0.5, 2.0, -1.0])
    y = ClampedCube(1.5)(x)
    np.testing.assert_allclose(y.cpu().numpy(), [0.125, 0.0, -1.0])
    y.sum().backward()
    np.testing.assert_allclose(x.grad.cpu().numpy(), [0.75, 0.0, 3.0])
    assert ag.gradcheck(lambda t: ClampedCube(1.5)(t), [Tensor(np.array([0.5, 2.0, -1.0]))])


def test_a_user_function_returning_too_many_gradients_is_named():
    class Bad(Function):
        def forward(self, x):
            return x * 1.0

        def backward(self, gy):
            return gy, gy

    with pytest.raises(RuntimeError, match="bad: backward returned 2 gradient"):
        Bad()(leaf([1.0])).sum().backward()


# ------------------------------------------------------------------ higher orders
def _derivatives(fn, values, order):
    """[d/dx sum(fn(x)), d/dx sum(first), ...] as NumPy arrays."""
    x = leaf(values)
    out, result = fn(x).sum(), []
    for _ in range(order):
        (out,) = ag.grad(out, x, create_graph=True)
        result.append(out.cpu().numpy())
        out = out.sum()
    return result


@pytest.mark.parametrize(
    "fn, expected",
    [
        # x[[0,0,2]]**3 -> 2 x0**3 + x2**3: 6x0^2, 3x2^2 | 12x0, 6x2 | 12, 6  at x = (1, 2, 3)
        (lambda x: x[[0, 0, 2]] ** 3, [[6, 0, 27], [12, 0, 18], [12, 0, 6]]),
        # x[::-1][1:] ** 3 -> x0**3 + x1**3
        (lambda x: x[::-1][1:] ** 3, [[3, 12, 0], [6, 12, 0], [6, 6, 0]]),
        # concat([x**3, x[:1]**2]): 3x^2 + (2x0, 0, 0) | 6x + (2,0,0) | 6
        (lambda x: ag.concat([x**3, x[:1] ** 2]), [[5, 12, 27], [8, 12, 18], [6, 6, 6]]),
        # stack([x**3, x**2]).sum(): 3x^2 + 2x | 6x + 2 | 6
        (lambda x: ag.stack([x**3, x**2]), [[5, 16, 33], [8, 14, 20], [6, 6, 6]]),
        # max(x**3) = x2**3 at x2 = 3: 27 | 18 | 6
        (lambda x: ag.max(x**3), [[0, 0, 27], [0, 0, 18], [0, 0, 6]]),
        # clip(x, 0, 2.5)**3: x2 = 3 is clipped (constant 2.5**3)
        (lambda x: ag.clip(x, 0, 2.5) ** 3, [[3, 12, 0], [6, 12, 0], [6, 6, 0]]),
        # where(x > 1.5, x**3, x**2): 2x0, 3x^2 | 2, 6x | 0, 6
        (lambda x: ag.where(x.array > 1.5, x**3, x**2), [[2, 12, 27], [2, 12, 18], [0, 6, 6]]),
        # maximum(x**3, 8x): 8x wins at x0 (8 > 1) and x1 (16 > 8), x**3 at x2 (27 > 24)
        (lambda x: ag.maximum(x**3, x * 8), [[8, 8, 27], [0, 0, 18], [0, 0, 6]]),
    ],
)
def test_third_derivatives_of_indexing_joining_and_selecting_ops(fn, expected):
    got = _derivatives(fn, [1.0, 2.0, 3.0], 3)
    for order, (g, e) in enumerate(zip(got, expected, strict=True), start=1):
        np.testing.assert_allclose(g, e, err_msg=f"derivative {order}")


# ------------------------------------------------------------------ autograd.grad corners
def test_grad_of_a_non_leaf_input_stops_nothing_and_counts_every_path():
    x = leaf([1.0, 2.0])
    h = x * 3
    y = (h * h + h).sum()  # dy/dh = 2h + 1 = (7, 13)
    (gh,) = ag.grad(y, h)
    np.testing.assert_allclose(gh.cpu().numpy(), [7.0, 13.0])
    assert x.grad is None


def test_grad_of_an_output_that_does_not_depend_on_a_non_leaf_input():
    x = leaf([1.0, 2.0])
    h, unrelated = x * 2, x * 5
    y = (h * h).sum()
    with pytest.raises(RuntimeError, match="input 1 was not used"):
        ag.grad(y, [h, unrelated], retain_graph=True)
    gh, gu = ag.grad(y, [h, unrelated], allow_unused=True)
    assert gu is None
    np.testing.assert_allclose(gh.cpu().numpy(), [4.0, 8.0])


def test_grad_of_an_input_that_is_the_output_itself():
    x = leaf([1.0, 2.0])
    y = x * 3
    (g,) = ag.grad(y, y, grad_outputs=Tensor(np.array([1.0, 5.0])))
    np.testing.assert_allclose(g.cpu().numpy(), [1.0, 5.0])


# ------------------------------------------------------------------ retain_grad
def test_retain_grad_under_create_graph_keeps_a_differentiable_gradient():
    x = leaf([1.0, 2.0])
    h = x**2
    h.retain_grad()
    (h**2).sum().backward(create_graph=True)
    np.testing.assert_allclose(h.grad.cpu().numpy(), 2 * x.cpu().numpy() ** 2)  # d(h^2)/dh = 2h
    assert h.grad.requires_grad
    x_grad = x.grad  # 4x^3, itself differentiable: d/dx sum(4x^3) = 12x^2
    x.zero_grad()
    x_grad.sum().backward()
    np.testing.assert_allclose(x.grad.cpu().numpy(), 12 * np.array([1.0, 4.0]))


def test_retained_gradients_accumulate_over_two_backward_passes_like_leaves():
    x = leaf([1.0, 2.0])
    h = x * 3
    h.retain_grad()
    y = (h * h).sum()
    y.backward(retain_graph=True)
    y.backward()
    np.testing.assert_allclose(h.grad.cpu().numpy(), 2 * 2 * h.cpu().numpy())


# ------------------------------------------------------------------ devices
def test_host_indices_and_masks_index_a_gpu_tensor_and_scatter_back(accelerator):
    x = leaf(np.arange(6.0).reshape(2, 3), device=accelerator)
    for index, expected in [
        ([1, 1, 0], [[1, 1, 1], [2, 2, 2]]),
        (np.array([[True, False, True], [False, False, True]]), [[1, 0, 1], [0, 0, 1]]),
        (Tensor(np.array([0, 0]), device="cpu"), [[2, 2, 2], [0, 0, 0]]),
        ((x > 2.5), [[0, 0, 0], [1, 1, 1]]),
    ]:
        (g,) = ag.grad(x[index].sum(), x)
        assert g.device == x.device
        np.testing.assert_array_equal(g.cpu().numpy(), expected)


def test_where_with_a_host_condition_on_gpu_values_names_both_devices(accelerator):
    x = leaf([1.0, -1.0], device=accelerator)
    with pytest.raises(RuntimeError, match=f"cpu.*{x.device}"):
        ag.where(np.array([True, False]), x, 0.0)
    np.testing.assert_array_equal(ag.where(x > 0, x, 0.0).cpu().numpy(), [1.0, 0.0])
    np.testing.assert_array_equal(ag.where([True, False], x, 0.0).cpu().numpy(), [1.0, 0.0])


def test_where_with_python_conditions_works_on_the_cpu():
    x = leaf([1.0, -1.0], device="cpu")
    np.testing.assert_array_equal(ag.where([True, False], x, 0.0).cpu().numpy(), [1.0, 0.0])
