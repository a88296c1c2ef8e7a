"""The ops PyTorch programs use for accuracy, ranking and bookkeeping: gather,
take_along_dim, index_select, masked_select, diag, sort, argsort, topk, nonzero, unique,
bincount, prod, cumsum, flip, unbind, log1p, expm1, reciprocal, rsqrt, square, and the
steps (round, floor, ceil, trunc, sign).

Forward against NumPy and backward against central differences (``autograd.gradcheck``),
in float64 over random shapes, on every device the ``device`` fixture names; then a few
cases against PyTorch itself (ties, zeros in a product, descending order).
"""

from __future__ import annotations

import numpy as np
import pytest
import strategies as S
from _device import host
from hypothesis import given
from hypothesis import strategies as st
from strategies import on_device
from test_ops_gradients import check

import autograd as ag
import backends
from autograd import Tensor

# ----------------------------------------------------------------- elementwise


@on_device
@given(S.arrays(S.shapes, -0.9, 3.0))
def test_log1p(device, x):
    check(ag.log1p, (x,), device, np.log1p)
    check(lambda t: t.log1p(), (x,), device, np.log1p)


@on_device
@given(S.arrays(S.shapes))
def test_expm1(device, x):
    check(ag.expm1, (x,), device, np.expm1)
    check(lambda t: t.expm1(), (x,), device, np.expm1)


@on_device
@given(S.nonzero_arrays(S.shapes))
def test_reciprocal(device, x):
    check(ag.reciprocal, (x,), device, np.reciprocal)
    check(lambda t: t.reciprocal(), (x,), device, np.reciprocal)


@on_device
@given(S.positive_arrays(S.shapes))
def test_rsqrt(device, x):
    check(ag.rsqrt, (x,), device, lambda a: 1 / np.sqrt(a))
    check(lambda t: t.rsqrt(), (x,), device, lambda a: 1 / np.sqrt(a))


@on_device
@given(S.arrays(S.shapes))
def test_square(device, x):
    check(ag.square, (x,), device, np.square)


_STEPS = {  # name: (NumPy's function, where it jumps)
    "round": (np.round, np.arange(-3.5, 4.0)),
    "floor": (np.floor, np.arange(-3.0, 4.0)),
    "ceil": (np.ceil, np.arange(-3.0, 4.0)),
    "trunc": (np.trunc, np.arange(-3.0, 4.0)),
    "sign": (np.sign, [0.0]),
}


@pytest.mark.parametrize("name", sorted(_STEPS))
def test_steps_have_a_zero_gradient_away_from_their_jumps(device, name):
    reference, jumps = _STEPS[name]

    @on_device
    @given(S.arrays_away_from(S.shapes, jumps))
    def run(x):
        check(getattr(ag, name), (x,), device, reference)
        t = Tensor(x, device=device, requires_grad=True)
        getattr(t, name)().sum().backward()
        assert (host(t.grad) == 0).all()  # zero, not merely small

    run()


def test_steps_keep_integer_tensors_integer(device):
    x = Tensor(np.array([-2, 0, 3], dtype=np.int64), device=device)
    for name in ("round", "floor", "ceil", "trunc", "sign"):
        y = getattr(ag, name)(x)
        assert y.dtype == np.int64, name
        np.testing.assert_array_equal(host(y), getattr(np, name)(host(x)))


def test_round_halves_to_even_and_takes_decimals(device):
    x = Tensor([0.5, 1.5, 2.5, -0.5, 1.26], device=device)
    np.testing.assert_array_equal(host(ag.round(x)), [0.0, 2.0, 2.0, -0.0, 1.0])
    np.testing.assert_allclose(host(x.round(decimals=1)), [0.5, 1.5, 2.5, -0.5, 1.3], rtol=1e-6)


# ----------------------------------------------------------------- prod, cumsum, flip


@on_device
@given(S.array_and_axes(-2.0, 2.0))
def test_prod(device, case):
    x, axis, keepdims = case
    check(lambda t: ag.prod(t, axis, keepdims), (x,), device,
          lambda a: np.prod(a, axis, keepdims=keepdims))  # fmt: skip
    check(lambda t: t.prod(axis=axis, keepdims=keepdims), (x,), device)


@pytest.mark.parametrize("zeros", [1, 2])
def test_prod_gradient_is_exact_where_the_input_holds_zeros(device, zeros):
    values = np.array([[2.0, 3.0, 4.0, 5.0], [1.0, -2.0, 0.5, 3.0]])
    values[0, :zeros] = 0.0
    x = Tensor(values, device=device, requires_grad=True)
    ag.prod(x, 1).sum().backward()
    others = np.array([[np.prod(np.delete(row, i)) for i in range(4)] for row in values])
    np.testing.assert_array_equal(host(x.grad), others)  # no 0/0: exactly the others' product


def test_prod_refuses_a_second_derivative_clearly():
    x = Tensor([1.0, 2.0, 3.0], requires_grad=True)
    (g,) = ag.grad(ag.prod(x), [x], create_graph=True)
    with pytest.raises(RuntimeError, match="second derivatives"):
        g.sum().backward()


@st.composite
def _array_and_one_axis(draw):
    x = draw(S.arrays(S.nonscalar_shapes))
    return x, draw(S.one_axis(x.shape))


@on_device
@given(_array_and_one_axis())
def test_cumsum(device, case):
    x, axis = case
    check(lambda t: ag.cumsum(t, axis), (x,), device, lambda a: np.cumsum(a, axis))
    check(lambda t: t.cumsum(dim=axis), (x,), device)


def test_cumsum_of_integers_and_bools_is_int64(device):
    for dtype in (np.int32, np.bool_):
        y = ag.cumsum(Tensor(np.array([1, 0, 1], dtype=dtype), device=device), 0)
        assert y.dtype == np.int64
        np.testing.assert_array_equal(host(y), [1, 1, 2])


@on_device
@given(S.nonscalar_shapes.flatmap(lambda s: st.tuples(
    S.arrays(s), st.lists(st.integers(-len(s), len(s) - 1), min_size=1, max_size=len(s),
                          unique_by=lambda a: a % len(s)))))  # fmt: skip
def test_flip(device, case):
    x, dims = case
    check(lambda t: ag.flip(t, dims), (x,), device, lambda a: np.flip(a, tuple(dims)))
    check(lambda t: t.flip(*dims), (x,), device, lambda a: np.flip(a, tuple(dims)))


@on_device
@given(_array_and_one_axis())
def test_unbind(device, case):
    x, axis = case
    for i in range(x.shape[axis]):
        check(lambda t, i=i: ag.unbind(t, axis)[i], (x,), device,
              lambda a, i=i: np.take(a, i, axis))  # fmt: skip


# ----------------------------------------------------------------- selection


@st.composite
def _gather_case(draw):
    """(x, axis, index): an index of the input's rank, no longer on the other axes, with
    repeats along ``axis`` (their gradients add up)."""
    x = draw(S.arrays(S.nonscalar_shapes))
    axis = draw(S.one_axis(x.shape))
    shape = [draw(st.integers(1, n)) for n in x.shape]
    shape[axis] = draw(st.integers(1, 4))
    n = x.shape[axis]
    flat = draw(st.lists(st.integers(0, n - 1), min_size=int(np.prod(shape)),
                         max_size=int(np.prod(shape))))  # fmt: skip
    return x, axis, np.asarray(flat, dtype=np.int64).reshape(shape)


def _np_gather(a, axis, index):
    """NumPy's take_along_axis on the part of ``a`` the index covers outside ``axis``."""
    part = tuple(slice(0, n) if d != axis % a.ndim else slice(None)
                 for d, n in enumerate(index.shape))  # fmt: skip
    return np.take_along_axis(a[part], index, axis)


@on_device
@given(_gather_case())
def test_gather(device, case):
    x, axis, index = case
    on = backends.get_backend(device).from_host(index)
    check(lambda t: ag.gather(t, axis, on), (x,), device, lambda a: _np_gather(a, axis, index))
    check(lambda t: t.gather(axis, Tensor(index, device=device)), (x,), device)


@on_device
@given(_gather_case())
def test_take_along_dim(device, case):
    x, axis, index = case
    full = np.broadcast_to(index[tuple(slice(0, 1) if d != axis % x.ndim else slice(None)
                                       for d in range(x.ndim))],
                           tuple(n if d != axis % x.ndim else index.shape[d]
                                 for d, n in enumerate(x.shape)))  # fmt: skip
    ones = full[tuple(slice(0, 1) if d != axis % x.ndim else slice(None) for d in range(x.ndim))]
    check(lambda t: ag.take_along_dim(t, Tensor(ones, device=device), axis), (x,), device,
          lambda a: np.take_along_axis(a, full, axis))  # broadcast over the other axes
    check(lambda t: t.take_along_dim(Tensor(index.reshape(-1), device=device)), (x,), device,
          lambda a: a.reshape(-1)[index.reshape(-1)])  # fmt: skip


@on_device
@given(_array_and_one_axis(), st.data())
def test_index_select(device, case, data):
    x, axis = case
    index = np.asarray(data.draw(st.lists(st.integers(0, x.shape[axis] - 1), min_size=1,
                                          max_size=5)), dtype=np.int64)  # fmt: skip
    check(lambda t: ag.index_select(t, axis, Tensor(index, device=device)), (x,), device,
          lambda a: np.take(a, index, axis))  # fmt: skip


@st.composite
def _distinct_and_axis(draw):
    shape = draw(S.nonscalar_shapes)
    (x,) = draw(S.distinct_arrays((shape,)))
    return x, draw(S.one_axis(shape)), draw(st.booleans())


@on_device
@given(_distinct_and_axis())
def test_sort_and_argsort(device, case):
    x, axis, descending = case
    order = np.argsort(-x if descending else x, axis, kind="stable")
    check(lambda t: ag.sort(t, axis, descending).values, (x,), device,
          lambda a: np.take_along_axis(a, order, axis))  # fmt: skip
    t = Tensor(x, device=device)
    np.testing.assert_array_equal(host(ag.sort(t, axis, descending).indices), order)
    np.testing.assert_array_equal(host(t.argsort(axis, descending)), order)


@on_device
@given(_distinct_and_axis(), st.data())
def test_topk(device, case, data):
    x, axis, largest = case
    k = data.draw(st.integers(0, x.shape[axis]))
    order = np.argsort(-x if largest else x, axis, kind="stable")
    first_k = np.take(order, np.arange(k), axis)
    check(lambda t: ag.topk(t, k, axis, largest).values, (x,), device,
          lambda a: np.take_along_axis(a, first_k, axis))  # fmt: skip
    np.testing.assert_array_equal(host(Tensor(x, device=device).topk(k, axis, largest).indices),
                                  first_k)  # fmt: skip


def test_selection_errors_name_the_op_and_the_problem(device):
    x = Tensor(np.arange(6.0).reshape(2, 3), device=device)
    with pytest.raises(ValueError, match="gather: the index has 1 dimensions"):
        ag.gather(x, 1, Tensor([0, 1], device=device))
    with pytest.raises(TypeError, match="gather: the index must hold integers"):
        ag.gather(x, 1, Tensor([[0.0]], device=device))
    with pytest.raises(IndexError, match="gather: dim 2 is out of range"):
        ag.gather(x, 2, Tensor([[0]], device=device))
    with pytest.raises(ValueError, match="topk: k must be an int from 0 to 3"):
        ag.topk(x, 4)
    with pytest.raises(ValueError, match="index_select: the index must be 0-d or 1-D"):
        ag.index_select(x, 0, Tensor([[0]], device=device))


def test_host_indices_out_of_range_are_refused():
    x = Tensor(np.arange(6.0).reshape(2, 3), device="cpu")
    with pytest.raises(IndexError, match="gather: index 3 is out of range for size 3"):
        ag.gather(x, 1, Tensor([[3]], device="cpu"))
    with pytest.raises(IndexError, match="index_select: index -1 is out of range"):
        ag.index_select(x, 0, Tensor([-1], device="cpu"))


@on_device
@given(S.arrays(st.tuples(st.integers(1, 4), st.integers(1, 4))), st.integers(-4, 4),
       S.arrays(st.tuples(st.integers(1, 4))))  # fmt: skip
def test_diag_both_ways(device, matrix, k, vector):
    check(lambda t: ag.diag(t, k), (matrix,), device, lambda a: np.diag(a, k))
    check(lambda t: t.diag(k), (vector,), device, lambda a: np.diag(a, k))


@on_device
@given(S.arrays(S.nonscalar_shapes))
def test_masked_select(device, x):
    mask = x > 0
    check(lambda t: ag.masked_select(t, Tensor(mask, device=device)), (x,), device,
          lambda a: a[mask])  # fmt: skip


# ----------------------------------------------------------------- against PyTorch


_TORCH_CASES = {  # name: (ours, PyTorch's, input values)
    "gather_repeats": (lambda t, x: t.gather(x, 1, t.tensor([[0, 0, 2], [1, 1, 1]])),
                       [[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]),
    "sort_ties_descending": (lambda t, x: t.sort(x, dim=1, descending=True, stable=True).values,
                             [[1.0, 3.0, 1.0, 3.0], [2.0, 2.0, 0.0, 2.0]]),
    "topk_values": (lambda t, x: t.topk(x, 2, dim=0).values, [[1.0, 9.0], [4.0, 2.0], [3.0, 5.0]]),
    "prod_with_zero": (lambda t, x: t.prod(x, 1), [[0.0, 2.0, 3.0], [0.0, 0.0, 1.5]]),
    "prod_all": (lambda t, x: t.prod(x), [[1.5, -2.0], [0.5, 3.0]]),
    "cumsum": (lambda t, x: t.cumsum(x, 0), [[1.0, 2.0], [3.0, -4.0], [0.5, 0.25]]),
    "flip": (lambda t, x: t.flip(x, [0, 1]) * t.tensor([[1.0, 2.0], [3.0, 4.0]]),
             [[1.0, 2.0], [3.0, 4.0]]),
    "index_select": (lambda t, x: t.index_select(x, 1, t.tensor([2, 0, 2])),
                     [[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]),
    "take_along_dim": (lambda t, x: t.take_along_dim(x, t.tensor([[1], [0]]), 1),
                       [[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]),
    "log1p_expm1": (lambda t, x: t.log1p(x) + t.expm1(x), [1e-9, 0.5, 2.0]),
    "rsqrt_reciprocal": (lambda t, x: t.rsqrt(x) * t.reciprocal(x), [0.25, 1.0, 9.0]),
    "round_floor_ceil": (lambda t, x: t.round(x) + t.floor(x) + t.ceil(x) + t.sign(x) * x,
                         [-1.5, -0.4, 0.5, 2.5, 3.7]),
}


@pytest.mark.parametrize("name", sorted(_TORCH_CASES))
def test_matches_torch(torch, name):
    fn, values = _TORCH_CASES[name]
    x = Tensor(np.array(values), requires_grad=True)
    tx = torch.tensor(values, dtype=torch.float64, requires_grad=True)
    y, ty = fn(ag, x), fn(torch, tx)
    np.testing.assert_allclose(host(y), ty.detach().numpy(), rtol=1e-12)
    g = np.random.default_rng(0).standard_normal(y.shape)
    y.backward(g)
    ty.backward(torch.from_numpy(g))
    np.testing.assert_allclose(host(x.grad), tx.grad.numpy(), rtol=1e-12, atol=1e-300)


def test_positions_and_counts_match_torch(torch, device):
    values = [[0.0, 1.5, 0.0], [2.0, 0.0, -1.0]]
    ours, theirs = Tensor(values, device=device), torch.tensor(values)
    for a, b in zip(ag.where(ours != 0), torch.where(theirs != 0), strict=True):
        np.testing.assert_array_equal(host(a), b.numpy())
    np.testing.assert_array_equal(host(ours.nonzero()), theirs.nonzero().numpy())
    for scalar in (0.0, 2.0):
        assert ag.nonzero(Tensor(scalar)).shape == tuple(torch.nonzero(torch.tensor(scalar)).shape)
    np.testing.assert_array_equal(host(ag.masked_select(ours, ours > 0)),
                                  torch.masked_select(theirs, theirs > 0).numpy())  # fmt: skip
    labels = [3, 1, 3, 0, 3, 1]
    ours_u = ag.unique(Tensor(np.array(labels), device=device), return_inverse=True,
                       return_counts=True)  # fmt: skip
    theirs_u = torch.unique(torch.tensor(labels), return_inverse=True, return_counts=True)
    for a, b in zip(ours_u, theirs_u, strict=True):
        np.testing.assert_array_equal(host(a), b.numpy())
    counts = ag.bincount(Tensor(np.array(labels), device=device), minlength=6)
    np.testing.assert_array_equal(host(counts), torch.bincount(torch.tensor(labels), minlength=6))


def test_orders_match_torch_with_ties(torch):
    values = [[3.0, 1.0, 3.0, 2.0, 1.0], [0.0, 0.0, 5.0, -1.0, 5.0]]
    for descending in (False, True):
        ours = ag.argsort(Tensor(values), dim=1, descending=descending, stable=True)
        theirs = torch.argsort(torch.tensor(values), dim=1, descending=descending, stable=True)
        np.testing.assert_array_equal(host(ours), theirs.numpy())
