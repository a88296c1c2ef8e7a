"""Edge cases of the ops: integer and boolean inputs, 0-d and empty tensors, pow's limits,
and indexing forms (masks, None, Ellipsis, negative steps, index tensors).

Expected values come from closed forms or from PyTorch's documented behaviour, never
from the code under test.
"""

from __future__ import annotations

import numpy as np
import pytest

import autograd as ag
from autograd import Tensor

F32 = np.dtype(np.float32)
INTS = Tensor(np.array([1, 2, 4]))


# ------------------------------------------------------------------ integer inputs
@pytest.mark.parametrize(
    "op",
    [
        ag.exp, ag.log, ag.sqrt, ag.sigmoid, ag.tanh, ag.softplus, ag.erf, ag.elu, ag.selu,
        ag.gelu, ag.silu, ag.leaky_relu, ag.softmax, ag.log_softmax, ag.logsumexp, ag.mean,
        ag.var, lambda t: ag.dropout(t, 0.5), lambda t: t / 2, lambda t: 2 / t,
        lambda t: t / Tensor(np.array([2, 2, 2])), lambda t: t**0.5, lambda t: t * 0.5,
        lambda t: 0.5**t, lambda t: t + Tensor(np.ones(3, np.float32)),
    ],
)  # fmt: skip
def test_integer_input_to_a_real_valued_op_gives_float32_not_float64(op):
    assert op(INTS).dtype == F32


def test_true_division_of_integer_tensors_has_the_exact_values():
    out = Tensor(np.array([1, 3])) / Tensor(np.array([2, 4]))
    np.testing.assert_array_equal(out.cpu().numpy(), np.array([0.5, 0.75], np.float32))


@pytest.mark.parametrize(
    "op, dtype",
    [
        (lambda t: t + 1, np.int64), (lambda t: t * 2, np.int64), (lambda t: t**2, np.int64),
        (ag.relu, np.int64), (lambda t: -t, np.int64), (lambda t: t.sum(), np.int64),
        (lambda t: (t > 1).sum(), np.int64),
    ],
)  # fmt: skip
def test_integer_arithmetic_stays_integer(op, dtype):
    assert op(INTS).dtype == np.dtype(dtype)


def test_boolean_tensor_times_float32_is_float32():
    mask = Tensor(np.array([True, False]))
    x = Tensor(np.array([2.0, 3.0], np.float32), requires_grad=True)
    y = mask * x
    assert y.dtype == F32
    y.sum().backward()
    np.testing.assert_array_equal(x.grad.cpu().numpy(), [1.0, 0.0])


@pytest.mark.parametrize("value", [np.array(0.5), np.float64(0.5), 0.5])
def test_zero_d_float64_values_act_like_scalars_in_float32_arithmetic(value):
    x = Tensor(np.ones(3, np.float32))
    assert (x * value).dtype == F32
    assert (value - x).dtype == F32


def test_a_float64_array_with_dimensions_still_promotes_as_in_pytorch():
    assert (Tensor(np.ones(3, np.float32)) * np.ones(3)).dtype == np.float64


# ------------------------------------------------------------------ pow's limits
def test_gradient_of_x_to_the_zero_is_zero_also_at_zero():
    x = Tensor(np.array([0.0, 1.0, -2.0]), requires_grad=True)
    (x**0).sum().backward()
    np.testing.assert_array_equal(x.grad.cpu().numpy(), [0.0, 0.0, 0.0])


def test_gradient_of_zero_to_the_x_is_zero_for_non_negative_x():
    # d/dx 0**x = 0**x ln 0 -> 0 for x > 0 (and PyTorch's 0 at x = 0); x < 0 is a pole.
    x = Tensor(np.array([0.0, 0.5, 2.0]), requires_grad=True)
    (0.0**x).sum().backward()
    np.testing.assert_array_equal(x.grad.cpu().numpy(), [0.0, 0.0, 0.0])


def test_gradient_of_a_tensor_power_with_zero_exponent_and_zero_base():
    a = Tensor(np.array([0.0, 0.0, 3.0]), requires_grad=True)
    b = Tensor(np.array([0.0, 1.0, 0.0]), requires_grad=True)
    (a**b).sum().backward()
    # d/da a**b = b a**(b-1): 0 where b = 0, 1 at (a, b) = (0, 1)
    np.testing.assert_array_equal(a.grad.cpu().numpy(), [0.0, 1.0, 0.0])
    # d/db a**b = a**b ln a: 0 where a = 0 and b >= 0, ln 3 at (3, 0)
    np.testing.assert_allclose(b.grad.cpu().numpy(), [0.0, 0.0, np.log(3.0)])


def test_second_derivative_of_a_tensor_power_stays_finite_at_the_masked_points():
    a = Tensor(np.array([0.0, 2.0]), requires_grad=True)
    b = Tensor(np.array([0.0, 3.0]), requires_grad=True)
    (ga,) = ag.grad((a**b).sum(), a, create_graph=True)
    (gaa,) = ag.grad(ga.sum(), a)
    # d2/da2 a**b = b (b-1) a**(b-2): 0 for b = 0, 3*2*2 = 12 at (2, 3)
    np.testing.assert_array_equal(gaa.cpu().numpy(), [0.0, 12.0])


def test_pow_against_torch_at_the_special_points(torch):
    a_np = np.array([0.0, 0.0, 0.0, 2.0, 1.5])
    b_np = np.array([0.0, 1.0, 2.5, 0.0, -1.0])
    a, b = Tensor(a_np, requires_grad=True), Tensor(b_np, requires_grad=True)
    (a**b).sum().backward()
    ta = torch.tensor(a_np, requires_grad=True)
    tb = torch.tensor(b_np, requires_grad=True)
    (ta**tb).sum().backward()
    np.testing.assert_allclose(a.grad.cpu().numpy(), ta.grad.cpu().numpy())
    np.testing.assert_allclose(b.grad.cpu().numpy(), tb.grad.cpu().numpy())


# ------------------------------------------------------------------ 0-d and empty tensors
def test_construction_from_numpy_scalars_and_with_an_explicit_dtype():
    assert Tensor(np.float32(3)).dtype == F32 and Tensor(np.float32(3)).shape == ()
    t = Tensor([[1, 2], [3, 4]], dtype="float64")
    assert t.dtype == np.float64
    np.testing.assert_array_equal(t.cpu().numpy(), [[1.0, 2.0], [3.0, 4.0]])
    assert Tensor(True).dtype == np.bool_
    assert Tensor(3).dtype == np.int64 and Tensor(3.0).dtype == F32


@pytest.mark.parametrize(
    "op, grad",
    [
        (lambda s: s.sum(), 1.0), (lambda s: s.mean(), 1.0), (lambda s: s.max(), 1.0),
        (lambda s: s.var(correction=0), 0.0), (lambda s: ag.logsumexp(s), 1.0),
        (lambda s: ag.softmax(s), 0.0), (lambda s: s.reshape(1).sum(), 1.0),
        (lambda s: ag.flatten(s).sum(), 1.0), (lambda s: ag.stack([s, s]).sum(), 2.0),
        (lambda s: s.T * 3, 3.0), (lambda s: s[None].sum(), 1.0), (lambda s: s[...] * 2, 2.0),
        (lambda s: ag.broadcast_to(s, (2, 3)).sum(), 6.0), (lambda s: s * s, 4.0),
    ],
)  # fmt: skip
def test_zero_d_tensors_through_ops(op, grad):
    s = Tensor(np.float64(2.0), requires_grad=True)
    (g,) = ag.grad(op(s), s)
    assert g.shape == ()
    assert g.item() == pytest.approx(grad)


@pytest.mark.filterwarnings("ignore::RuntimeWarning")  # NumPy warns that the mean of nothing is nan
def test_empty_tensors_in_sum_mean_reshape_and_concat():
    e = Tensor(np.zeros((0, 3)), requires_grad=True)
    (g,) = ag.grad(e.sum(), e)
    assert g.shape == (0, 3)
    # the mean over no elements is nan (NumPy and PyTorch); its gradient is empty, not an error
    assert np.isnan(e.mean(axis=0).cpu().numpy()).all()
    (g,) = ag.grad(e.mean(axis=0).sum(), e)
    assert g.shape == (0, 3)
    (g,) = ag.grad(e.mean(), e)
    assert g.shape == (0, 3)
    assert e.reshape(-1, 3).shape == (0, 3) and e.reshape(3, 0).shape == (3, 0)
    full = Tensor(np.ones((2, 3)), requires_grad=True)
    out = ag.concat([e, full])
    ge, gf = ag.grad((out * 2).sum(), [e, full])
    assert ge.shape == (0, 3)
    np.testing.assert_array_equal(gf.cpu().numpy(), np.full((2, 3), 2.0))


@pytest.mark.filterwarnings("ignore::RuntimeWarning")  # NumPy warns that the mean of nothing is nan
def test_mean_of_a_size_zero_axis_next_to_a_kept_axis():
    e = Tensor(np.zeros((3, 0)), requires_grad=True)
    (g,) = ag.grad(e.mean(axis=1).sum(), e)
    assert g.shape == (3, 0)


# ------------------------------------------------------------------ indexing forms
def _grad_of_index(values, index, weights=None):
    x = Tensor(np.asarray(values, dtype=np.float64), requires_grad=True)
    y = x[index]
    w = np.arange(1.0, y.numel() + 1).reshape(y.shape) if weights is None else weights
    (g,) = ag.grad((y * Tensor(w)).sum(), x)
    expected = np.zeros(np.shape(values))
    np.add.at(expected, index, w)
    return g.cpu().numpy(), expected


@pytest.mark.parametrize(
    "index",
    [
        np.s_[::-1], np.s_[::-2], np.s_[None], np.s_[..., 0], np.s_[1:, None, ::-1],
        np.array([0, 0, 1]), [1, 1, 1, 0], np.s_[[0, 0], [1, 1]],
        np.array([[True, False, True], [False, False, True]]),
        np.s_[np.array([1, 1]), ::-1], np.s_[:, np.array([True, False, True])],
    ],
)  # fmt: skip
def test_indexing_gradients_scatter_back(index):
    got, expected = _grad_of_index(np.arange(6.0).reshape(2, 3), index)
    np.testing.assert_array_equal(got, expected)


def test_boolean_mask_from_a_comparison_selects_and_routes_gradients():
    x = Tensor(np.array([-1.0, 2.0, -3.0, 4.0]), requires_grad=True)
    y = x[x > 0]
    np.testing.assert_array_equal(y.cpu().numpy(), [2.0, 4.0])
    (y * Tensor(np.array([10.0, 20.0]))).sum().backward()
    np.testing.assert_array_equal(x.grad.cpu().numpy(), [0.0, 10.0, 0.0, 20.0])


def test_a_tensor_of_indices_with_repeats_accumulates():
    x = Tensor(np.array([1.0, 2.0, 3.0]), requires_grad=True)
    x[Tensor(np.array([2, 0, 2, 2]))].sum().backward()
    np.testing.assert_array_equal(x.grad.cpu().numpy(), [1.0, 0.0, 3.0])


def test_a_tuple_of_index_tensors():
    x = Tensor(np.ones((2, 3)), requires_grad=True)
    x[Tensor(np.array([0, 1, 1])), Tensor(np.array([2, 2, 2]))].sum().backward()
    np.testing.assert_array_equal(x.grad.cpu().numpy(), [[0.0, 0.0, 1.0], [0.0, 0.0, 2.0]])
