"""Every op: forward against NumPy, backward against central differences (``autograd.gradcheck``).

Property tests over random shapes (0-d, size-1 axes, broadcasting pairs) and values,
in float64, on every device the ``device`` fixture names.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
import strategies as S
from _device import host
from hypothesis import assume, given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from strategies import on_device

import autograd as ag
import backends
from autograd import Tensor


def tensors(device, *arrays):
    return [
        Tensor(np.asarray(a, dtype=np.float64), device=device, requires_grad=True) for a in arrays
    ]


def check(fn, arrays, device, reference=None, rtol=1e-7, atol=1e-10):
    """gradcheck ``fn`` at ``arrays``; with ``reference``, also compare the forward with NumPy."""
    xs = tensors(device, *arrays)
    if reference is not None:
        got = fn(*xs)
        assert got.device == xs[0].device
        want = np.asarray(reference(*arrays))
        assert got.shape == want.shape
        np.testing.assert_allclose(got.cpu().numpy(), want, rtol=rtol, atol=atol)
    assert ag.gradcheck(fn, xs)


# ----------------------------------------------------------------- arithmetic


@on_device
@given(S.broadcast_arrays())
def test_add(device, ab):
    check(ag.add, ab, device, np.add)
    check(lambda a, b: a + b, ab, device, np.add)


@on_device
@given(S.broadcast_arrays())
def test_sub(device, ab):
    check(ag.sub, ab, device, np.subtract)
    check(lambda a, b: a - b, ab, device, np.subtract)


@on_device
@given(S.broadcast_arrays())
def test_mul(device, ab):
    check(ag.mul, ab, device, np.multiply)


@on_device
@given(st.tuples(S.broadcastable_pairs, st.data()))
def test_div(device, pair_data):
    pair, data = pair_data
    a = data.draw(S.arrays(pair.input_shapes[0]))
    b = data.draw(S.nonzero_arrays(pair.input_shapes[1]))
    check(ag.div, (a, b), device, np.divide)
    check(lambda a, b: a / b, (a, b), device, np.divide)


@on_device
@given(S.arrays(S.shapes))
def test_neg(device, x):
    check(ag.neg, (x,), device, np.negative)
    check(lambda t: -t, (x,), device, np.negative)


@on_device
@given(S.positive_arrays(S.shapes), st.sampled_from([2, 3, 0.5, -1, 1.5, -2.5, 0]))
def test_pow_scalar_exponent(device, x, c):
    check(lambda t: t**c, (x,), device, lambda a: a**c)
    check(lambda t: ag.pow(t, c), (x,), device, lambda a: a**c)


@on_device
@given(S.arrays(S.shapes), st.sampled_from([2, 3]))
def test_pow_integer_exponent_of_negative_base(device, x, c):
    check(lambda t: t**c, (x,), device, lambda a: a**c)


@on_device
@given(st.tuples(S.broadcastable_pairs, st.data()))
def test_pow_tensor_exponent(device, pair_data):
    pair, data = pair_data
    a = data.draw(S.positive_arrays(pair.input_shapes[0], 0.1, 5.0))
    b = data.draw(S.arrays(pair.input_shapes[1], -2.0, 2.0))
    check(ag.pow, (a, b), device, np.power)


@on_device
@given(S.arrays(S.shapes, -2.0, 2.0), st.sampled_from([2.0, 0.5, 3]))
def test_pow_scalar_base(device, x, base):
    check(lambda t: base**t, (x,), device, lambda a: base**a)


# ----------------------------------------------------------------- matmul


@on_device
@given(st.tuples(S.matmul_shapes, st.data()))
def test_matmul(device, shapes_data):
    """2-D, batched with broadcast batch axes, and 1-D on either side, as NumPy defines them."""
    shapes, data = shapes_data
    a, b = (data.draw(S.arrays(s)) for s in shapes.input_shapes)
    check(ag.matmul, (a, b), device, np.matmul)
    check(lambda x, y: x @ y, (a, b), device, np.matmul)


@pytest.mark.parametrize(
    "sa, sb",
    [((3,), (3,)), ((3,), (3, 2)), ((2, 3), (3,)), ((4,), (2, 4, 3)), ((2, 3, 4), (4,)),
     ((2, 1, 3, 4), (5, 4, 2)), ((1, 3), (3, 1))],
)  # fmt: skip
def test_matmul_fixed_shapes(device, sa, sb):
    rng = np.random.default_rng(0)
    check(ag.matmul, (rng.standard_normal(sa), rng.standard_normal(sb)), device, np.matmul)


_ACTIVATIONS = {"relu": lambda z: np.maximum(z, 0), "tanh": np.tanh,
                "sigmoid": lambda z: 1 / (1 + np.exp(-z))}  # fmt: skip


@on_device
@given(st.sampled_from(sorted(_ACTIVATIONS)), st.booleans(), st.booleans(),
       hnp.array_shapes(min_dims=1, max_dims=3, max_side=3), st.integers(1, 3), st.data())
def test_affine_activation(device, activation, transposed, bias, x_shape, n_out, data):
    """A layer fused with its activation (``AffineActivation``): f(x Wᵀ + b) or f(x K + b),
    inputs of 1 to 3 axes, with and without a bias; relu's kink kept out of reach."""
    from autograd.ops.matmul import affine_activation

    n_in = x_shape[-1]
    x = data.draw(S.arrays(x_shape))
    w = data.draw(S.arrays((n_out, n_in) if transposed else (n_in, n_out)))
    b = data.draw(S.arrays((n_out,))) if bias else np.zeros(n_out)
    z = x @ (w.T if transposed else w) + b
    assume(np.abs(z).min() > S.KINK_GAP)  # rarely false: a finite difference over the kink

    def fn(*t):
        return affine_activation(t[0], t[1], t[2] if bias else None, activation,
                                 transposed=transposed)  # fmt: skip

    check(fn, (x, w, b) if bias else (x, w), device, lambda *a: _ACTIVATIONS[activation](z))


# ----------------------------------------------------------------- elementwise math


@on_device
@given(S.arrays(S.shapes))
def test_exp(device, x):
    check(ag.exp, (x,), device, np.exp)


@on_device
@given(S.positive_arrays(S.shapes))
def test_log(device, x):
    check(ag.log, (x,), device, np.log)


@on_device
@given(S.arrays(S.shapes, -6.0, 6.0))
def test_sin(device, x):
    check(ag.sin, (x,), device, np.sin)
    check(lambda t: t.sin(), (x,), device, np.sin)


@on_device
@given(S.arrays(S.shapes, -6.0, 6.0))
def test_cos(device, x):
    check(ag.cos, (x,), device, np.cos)
    check(lambda t: t.cos(), (x,), device, np.cos)


@on_device
@given(S.arrays(S.shapes, -1.3, 1.3))  # inside (-pi/2, pi/2), where tan and tan' stay moderate
def test_tan(device, x):
    check(ag.tan, (x,), device, np.tan)


@on_device
@given(S.arrays(S.shapes))
def test_clone_is_a_copy_with_the_identity_gradient(device, x):
    check(ag.clone, (x,), device, lambda a: a)
    t = Tensor(x, device=device)
    c = t.clone()
    assert c.array is not t.array and not np.shares_memory(host(c), host(t))


@on_device
@given(S.positive_arrays(S.shapes))
def test_sqrt(device, x):
    check(ag.sqrt, (x,), device, np.sqrt)


@on_device
@given(S.arrays_away_from(S.shapes))
def test_abs(device, x):
    check(ag.abs, (x,), device, np.abs)
    check(lambda t: abs(t), (x,), device, np.abs)


@st.composite
def _clip_case(draw):
    lo = draw(S.floats(-2.0, 1.0))
    hi = lo + draw(S.floats(0.5, 2.0))
    which = draw(st.sampled_from(["both", "lo", "hi"]))
    lo, hi = (lo if which != "hi" else None), (hi if which != "lo" else None)
    bounds = [b for b in (lo, hi) if b is not None]
    return draw(S.arrays_away_from(S.shapes, bounds)), lo, hi


@on_device
@given(_clip_case())
def test_clip(device, case):
    x, lo, hi = case
    check(lambda t: ag.clip(t, lo, hi), (x,), device, lambda a: np.clip(a, lo, hi))
    check(lambda t: ag.clamp(t, min=lo, max=hi), (x,), device, lambda a: np.clip(a, lo, hi))
    check(lambda t: t.clamp(lo, hi), (x,), device, lambda a: np.clip(a, lo, hi))


@st.composite
def _distinct_broadcast_pair(draw):
    pair = draw(S.broadcastable_pairs)
    return draw(S.distinct_arrays(pair.input_shapes))


@on_device
@given(_distinct_broadcast_pair())
def test_maximum(device, ab):
    check(ag.maximum, ab, device, np.maximum)


@on_device
@given(_distinct_broadcast_pair())
def test_clamp_with_tensor_bounds(device, ab):
    """Tensor bounds: the gradient goes to whichever of x and the bound is kept."""
    check(lambda t, b: ag.clamp(t, min=b), ab, device, np.maximum)
    check(lambda t, b: ag.clamp(t, max=b), ab, device, np.minimum)


@on_device
@given(_distinct_broadcast_pair())
def test_minimum(device, ab):
    check(ag.minimum, ab, device, np.minimum)


@on_device
@given(hnp.mutually_broadcastable_shapes(num_shapes=3, max_dims=3, max_side=3), st.data())
def test_where(device, shapes, data):
    cs, sa, sb = shapes.input_shapes
    cond = data.draw(hnp.arrays(np.bool_, cs))
    a, b = data.draw(S.arrays(sa)), data.draw(S.arrays(sb))
    cond_dev = backends.get_backend(device).from_host(cond)
    check(lambda x, y: ag.where(cond_dev, x, y), (a, b), device, lambda x, y: np.where(cond, x, y))
    check(
        lambda x, y: ag.where(Tensor(cond_dev, device=device), x, y),
        (a, b),
        device,
        lambda x, y: np.where(cond, x, y),
    )


# ----------------------------------------------------------------- reductions


@on_device
@given(S.array_and_axes())
def test_sum(device, case):
    x, axis, keepdims = case
    check(
        lambda t: ag.sum(t, axis, keepdims),
        (x,),
        device,
        lambda a: np.sum(a, axis, keepdims=keepdims),
    )
    check(lambda t: t.sum(axis=axis, keepdims=keepdims), (x,), device)


@on_device
@given(S.array_and_axes())
def test_mean(device, case):
    x, axis, keepdims = case
    check(
        lambda t: ag.mean(t, axis, keepdims),
        (x,),
        device,
        lambda a: np.mean(a, axis, keepdims=keepdims),
    )


@on_device
@given(S.array_and_axes(), st.sampled_from([0, 1]))
def test_var(device, case, ddof):
    x, axis, keepdims = case
    n = x.size // max(np.sum(x, axis).size, 1) if x.size else 0
    if n - ddof <= 0:
        ddof = 0
    check(
        lambda t: ag.var(t, axis=axis, keepdims=keepdims, ddof=ddof), (x,), device,
        lambda a: np.var(a, axis, keepdims=keepdims, ddof=ddof),
    )  # fmt: skip


@on_device
@given(S.distinct_array_and_axes())
def test_max(device, case):
    x, axis, keepdims = case
    check(
        lambda t: ag.max(t, axis=axis, keepdims=keepdims),  # NumPy's spelling: values
        (x,),
        device,
        lambda a: np.max(a, axis, keepdims=keepdims),
    )


@on_device
@given(S.distinct_array_and_axes())
def test_min(device, case):
    x, axis, keepdims = case
    check(
        lambda t: ag.min(t, axis=axis, keepdims=keepdims),
        (x,),
        device,
        lambda a: np.min(a, axis, keepdims=keepdims),
    )


@st.composite
def _distinct_array_and_dim(draw):
    shape = draw(S.nonscalar_shapes)
    (x,) = draw(S.distinct_arrays((shape,)))
    return x, draw(S.one_axis(shape)), draw(st.booleans())


@on_device
@given(_distinct_array_and_dim())
def test_max_and_min_along_a_dim_give_values_and_indices(device, case):
    """PyTorch's max(x, dim): the values are differentiable, the indices int64."""
    x, dim, keepdim = case
    for op, np_op, np_arg in (("max", np.max, np.argmax), ("min", np.min, np.argmin)):
        check(
            lambda t, op=op: getattr(ag, op)(t, dim, keepdim).values, (x,), device,
            lambda a, np_op=np_op: np_op(a, dim, keepdims=keepdim),
        )  # fmt: skip
        values, indices = getattr(Tensor(x, device=device), op)(dim, keepdim=keepdim)
        assert indices.dtype == np.int64
        np.testing.assert_array_equal(host(indices), np_arg(x, dim, keepdims=keepdim))


@on_device
@given(S.distinct_array_and_axes())
def test_amax_and_amin(device, case):
    x, axis, keepdims = case
    check(lambda t: ag.amax(t, axis, keepdims), (x,), device,
          lambda a: np.max(a, axis, keepdims=keepdims))  # fmt: skip
    check(lambda t: ag.amin(t, axis, keepdims), (x,), device,
          lambda a: np.min(a, axis, keepdims=keepdims))  # fmt: skip


@on_device
@given(S.array_and_axes(lo=-3.0, hi=3.0), st.sampled_from([0, 1]))
def test_std(device, case, correction):
    x, axis, keepdims = case
    n = x.size // max(np.sum(x, axis).size, 1) if x.size else 0
    if n - correction <= 0 or np.min(np.std(x, axis), initial=1.0) < 0.1:
        return  # sqrt'(0) is infinite: every reduced slice keeps some spread
    check(
        lambda t: ag.std(t, axis, keepdim=keepdims, correction=correction), (x,), device,
        lambda a: np.std(a, axis, keepdims=keepdims, ddof=correction),
    )  # fmt: skip


@st.composite
def _norm_case(draw):
    x = draw(S.arrays_away_from(S.shapes))  # |x| has a kink at 0
    return x, draw(S.axes(x.ndim)), draw(st.booleans()), draw(st.sampled_from([2, 1, 3, "fro"]))


def _np_norm(a, p, axis, keepdims):
    if p == "fro":
        p = 2
    return np.sum(np.abs(a) ** p, axis, keepdims=keepdims) ** (1 / p)


@on_device
@given(_norm_case())
def test_norm(device, case):
    x, axis, keepdims, p = case
    check(lambda t: ag.norm(t, p, axis, keepdims), (x,), device,
          lambda a: _np_norm(a, p, axis, keepdims))  # fmt: skip


def test_max_ties_share_the_gradient(device):
    x = Tensor(np.array([1.0, 3.0, 3.0, 2.0]), device=device, requires_grad=True)
    ag.max(x).backward()
    np.testing.assert_array_equal(x.grad.cpu().numpy(), [0, 0.5, 0.5, 0])


# ----------------------------------------------------------------- shape ops


@st.composite
def _reshape_case(draw):
    x = draw(S.arrays(S.shapes))
    n = x.size
    divisors = [d for d in range(1, n + 1) if n % d == 0]
    d = draw(st.sampled_from(divisors))
    target = draw(
        st.sampled_from([(n,), (-1,), (d, n // d), (n // d, -1), (1, d, 1, n // d), x.shape[::-1]])
    )
    return x, target


@on_device
@given(_reshape_case())
def test_reshape(device, case):
    x, shape = case
    check(lambda t: ag.reshape(t, shape), (x,), device, lambda a: np.reshape(a, shape))
    check(lambda t: t.reshape(*shape), (x,), device, lambda a: np.reshape(a, shape))


@on_device
@given(S.shapes.flatmap(lambda s: st.tuples(S.arrays(s), S.permutations(len(s)))))
def test_transpose_and_permute(device, case):
    """Negative axes included: the backward pass must invert the permutation they name."""
    x, perm = case
    check(lambda t: ag.transpose(t, perm), (x,), device, lambda a: np.transpose(a, perm))
    check(lambda t: ag.permute(t, perm), (x,), device, lambda a: np.transpose(a, perm))
    check(lambda t: t.T, (x,), device, lambda a: a.T)
    check(lambda t: ag.transpose(t), (x,), device, np.transpose)


@on_device
@given(S.shapes.flatmap(lambda s: st.tuples(S.arrays(s), st.integers(-len(s) - 1, len(s)))))
def test_unsqueeze_and_squeeze(device, case):
    x, dim = case
    check(lambda t: ag.unsqueeze(t, dim), (x,), device, lambda a: np.expand_dims(a, dim))
    check(lambda t: t.unsqueeze(dim).squeeze(dim), (x,), device, lambda a: a)
    check(lambda t: t.squeeze(), (x,), device, np.squeeze)


@on_device
@given(S.nonscalar_shapes.flatmap(lambda s: st.tuples(S.arrays(s), S.one_axis(s), S.one_axis(s))))
def test_transpose_two_dims_swaps_them(device, case):
    """PyTorch's transpose(x, dim0, dim1), also where NumPy's reading would differ."""
    x, d0, d1 = case
    check(lambda t: ag.transpose(t, d0, d1), (x,), device, lambda a: np.swapaxes(a, d0, d1))
    check(lambda t: t.transpose(d0, d1), (x,), device, lambda a: np.swapaxes(a, d0, d1))


@on_device
@given(S.shapes.flatmap(lambda s: st.tuples(
    S.arrays(s), st.lists(st.integers(1, 3), min_size=len(s), max_size=len(s) + 2))))
def test_repeat_tiles_and_sums_the_gradient_over_copies(device, case):
    x, reps = case
    check(lambda t: t.repeat(*reps), (x,), device, lambda a: np.tile(a, reps))


@st.composite
def _expand_case(draw):
    target = draw(S.shapes)
    return draw(S.arrays(tuple(1 if i % 2 else n for i, n in enumerate(target)))), target


@on_device
@given(_expand_case())
def test_expand_keeps_minus_one_axes(device, case):
    x, target = case
    sizes = tuple(-1 if a == b else b for a, b in zip(x.shape, target, strict=True))
    check(lambda t: t.expand(*sizes), (x,), device, lambda a: np.broadcast_to(a, target))


@on_device
@given(S.nonscalar_shapes.flatmap(lambda s: st.tuples(
    S.arrays(s), S.one_axis(s), st.integers(1, 5))))
def test_chunk_and_split_are_slices(device, case):
    x, dim, k = case
    n = x.shape[dim]
    pieces = np.array_split(x, [i for i in range(-(-n // k), n, -(-n // k))], axis=dim)
    for i, want in enumerate(pieces):
        check(lambda t, i=i: ag.chunk(t, k, dim)[i], (x,), device, lambda a, w=want: w)
    sizes = [p.shape[dim] for p in pieces]
    got = ag.split(Tensor(x, device=device), sizes, dim)
    assert [g.shape for g in got] == [p.shape for p in pieces]


@st.composite
def _flatten_case(draw):
    x = draw(S.arrays(S.nonscalar_shapes))
    ndim = x.ndim
    start = draw(st.integers(-ndim, ndim - 1))
    end = draw(st.integers(start % ndim, ndim - 1))
    if draw(st.booleans()):
        end -= ndim
    return x, start, end


def _np_flatten(a, start, end):
    start, end = start % a.ndim, end % a.ndim
    return a.reshape(a.shape[:start] + (-1,) + a.shape[end + 1 :])


@on_device
@given(_flatten_case())
def test_flatten(device, case):
    x, start, end = case
    check(lambda t: ag.flatten(t, start, end), (x,), device, lambda a: _np_flatten(a, start, end))


@st.composite
def _broadcast_to_case(draw):
    target = draw(S.shapes)
    kept = draw(st.integers(0, len(target)))
    source = tuple(n if draw(st.booleans()) else 1 for n in target[len(target) - kept :])
    return draw(S.arrays(source)), target


@on_device
@given(_broadcast_to_case())
def test_broadcast_to(device, case):
    x, target = case
    check(lambda t: ag.broadcast_to(t, target), (x,), device, lambda a: np.broadcast_to(a, target))


@on_device
@given(S.shapes.flatmap(lambda s: st.tuples(S.arrays(s), hnp.basic_indices(s, allow_newaxis=True))))
def test_getitem_basic(device, case):
    x, index = case
    check(lambda t: t[index], (x,), device, lambda a: a[index])


@on_device
@given(S.nonscalar_shapes.flatmap(lambda s: st.tuples(S.arrays(s), S.advanced_index(s))))
def test_getitem_advanced(device, case):
    x, index = case
    to_device = backends.get_backend(device).from_host
    dev_index = tuple(to_device(i) for i in index) if isinstance(index, tuple) else to_device(index)
    check(lambda t: t[dev_index], (x,), device, lambda a: a[index])


def test_getitem_repeated_indices_accumulate(device):
    x = Tensor(np.arange(4.0), device=device, requires_grad=True)
    x[[0, 2, 0, 0]].sum().backward()
    np.testing.assert_array_equal(x.grad.cpu().numpy(), [3, 0, 1, 0])
    y = Tensor(np.arange(6.0).reshape(3, 2), device=device, requires_grad=True)
    (
        y[np.array([1, 1]), np.array([0, 0])] * Tensor(np.array([2.0, 5.0]), device=device)
    ).sum().backward()
    np.testing.assert_array_equal(y.grad.cpu().numpy(), [[0, 0], [7, 0], [0, 0]])


def test_getitem_with_tensor_index(device):
    x = Tensor(np.arange(5.0), device=device, requires_grad=True)
    idx = Tensor(np.array([4, 4, 1]), device=device)
    x[idx].sum().backward()
    np.testing.assert_array_equal(x.grad.cpu().numpy(), [0, 1, 0, 0, 2])


@on_device
@given(S.joinable_arrays(same_shape=False))
def test_concat(device, case):
    arrays, axis = case
    check(lambda *ts: ag.concat(ts, axis), arrays, device, lambda *a: np.concatenate(a, axis))


@on_device
@given(S.joinable_arrays(same_shape=True))
def test_stack(device, case):
    arrays, axis = case
    check(lambda *ts: ag.stack(ts, axis), arrays, device, lambda *a: np.stack(a, axis))


# ----------------------------------------------------------------- activations


def _np_sigmoid(a):
    return 1 / (1 + np.exp(-a))


_ERF = np.vectorize(math.erf, otypes=[np.float64])
_SELU_A, _SELU_S = 1.6732632423543772848170429916717, 1.0507009873554804934193349852946


@on_device
@given(S.arrays_away_from(S.shapes))
def test_relu(device, x):
    check(ag.relu, (x,), device, lambda a: np.maximum(a, 0))
    check(lambda t: t.relu(), (x,), device)


@on_device
@given(S.arrays_away_from(S.shapes), S.floats(0.0, 0.5))
def test_leaky_relu(device, x, slope):
    check(lambda t: ag.leaky_relu(t, slope), (x,), device, lambda a: np.where(a > 0, a, slope * a))


@on_device
@given(S.arrays_away_from(S.shapes), S.floats(0.1, 2.0))
def test_elu(device, x, alpha):
    check(
        lambda t: ag.elu(t, alpha), (x,), device, lambda a: np.where(a > 0, a, alpha * np.expm1(a))
    )


@on_device
@given(S.arrays_away_from(S.shapes))
def test_selu(device, x):
    check(ag.selu, (x,), device, lambda a: _SELU_S * np.where(a > 0, a, _SELU_A * np.expm1(a)))


@on_device
@given(S.arrays(S.shapes), st.sampled_from(["none", "tanh"]))
def test_gelu(device, x, approximate):
    if approximate == "none":

        def ref(a):
            return 0.5 * a * (1 + _ERF(a / math.sqrt(2)))
    else:

        def ref(a):
            return 0.5 * a * (1 + np.tanh(math.sqrt(2 / math.pi) * (a + 0.044715 * a**3)))

    check(lambda t: ag.gelu(t, approximate=approximate), (x,), device, ref)


@on_device
@given(S.arrays(S.shapes, -6, 6))
def test_silu(device, x):
    check(ag.silu, (x,), device, lambda a: a * _np_sigmoid(a))


@on_device
@given(S.arrays(S.shapes, -6, 6))
def test_softplus(device, x):
    check(ag.softplus, (x,), device, lambda a: np.log1p(np.exp(a)))


@on_device
@given(S.arrays(S.shapes, -6, 6))
def test_sigmoid(device, x):
    check(ag.sigmoid, (x,), device, _np_sigmoid)


@on_device
@given(S.arrays(S.shapes))
def test_tanh(device, x):
    check(ag.tanh, (x,), device, np.tanh)


# ----------------------------------------------------------------- softmax family


def _np_softmax(a, axis):
    e = np.exp(a - a.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def _np_logsumexp(a, axis, keepdims):
    m = np.max(a, axis=axis, keepdims=True)
    y = np.log(np.sum(np.exp(a - m), axis=axis, keepdims=True)) + m
    return y if keepdims else np.squeeze(y, axis=axis) if axis is not None else y.reshape(())


_softmax_case = S.nonscalar_shapes.flatmap(lambda s: st.tuples(S.arrays(s), S.one_axis(s)))


@on_device
@given(_softmax_case)
def test_softmax(device, case):
    x, axis = case
    check(lambda t: ag.softmax(t, axis), (x,), device, lambda a: _np_softmax(a, axis))


@on_device
@given(_softmax_case)
def test_log_softmax(device, case):
    x, axis = case
    check(lambda t: ag.log_softmax(t, axis), (x,), device, lambda a: np.log(_np_softmax(a, axis)))


@on_device
@given(S.array_and_axes())
def test_logsumexp(device, case):
    x, axis, keepdims = case
    check(
        lambda t: ag.logsumexp(t, axis, keepdims),
        (x,),
        device,
        lambda a: _np_logsumexp(a, axis, keepdims),
    )


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("shift", [1e4, -1e4])
def test_softmax_family_finite_for_huge_inputs(device, dtype, shift):
    """Forward AND gradient stay finite at |x| ~ 1e4 and match the unshifted values."""
    base = np.array([[0.5, -1.0, 2.0], [0.0, 0.0, 3.0]])
    tol = dict(rtol=1e-5, atol=1e-6) if dtype == np.float32 else dict(rtol=1e-9, atol=1e-12)
    probs = _np_softmax(base, -1)
    for name, fn, want in [
        ("softmax", lambda t: ag.softmax(t, -1), probs),
        ("log_softmax", lambda t: ag.log_softmax(t, -1), np.log(probs)),
        ("logsumexp", lambda t: ag.logsumexp(t, -1), _np_logsumexp(base, -1, False) + shift),
    ]:
        x = Tensor((base + shift).astype(dtype), device=device, requires_grad=True)
        y = fn(x)
        assert np.all(np.isfinite(y.cpu().numpy())), name
        np.testing.assert_allclose(y.cpu().numpy(), want, err_msg=name, **tol)
        weights = Tensor(np.arange(y.numel(), dtype=dtype).reshape(y.shape), device=device)
        (y * weights).sum().backward()
        g = x.grad.cpu().numpy()
        assert np.all(np.isfinite(g)), name
        # the gradient is shift-invariant: compare with the one at the unshifted input
        x0 = Tensor(base.astype(dtype), device=device, requires_grad=True)
        (fn(x0) * weights).sum().backward()
        np.testing.assert_allclose(g, x0.grad.cpu().numpy(), err_msg=name, **tol)


# ----------------------------------------------------------------- dropout


def test_dropout_same_seed_same_mask(device):
    x = Tensor(np.ones((50, 40)), device=device)
    ag.manual_seed(123)
    a = ag.dropout(x, 0.3).cpu().numpy()
    ag.manual_seed(123)
    b = ag.dropout(x, 0.3).cpu().numpy()
    c = ag.dropout(x, 0.3).cpu().numpy()
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(b, c)  # the generator moved on


@pytest.mark.parametrize("p", [0.1, 0.5, 0.8])
def test_dropout_is_inverted_and_preserves_the_mean(device, p):
    n = 200_000
    ag.manual_seed(0)
    y = ag.dropout(Tensor(np.ones(n, dtype=np.float32), device=device), p).cpu().numpy()
    kept = y != 0
    np.testing.assert_allclose(y[kept], 1 / (1 - p), rtol=1e-6)  # survivors scaled by 1/(1-p)
    # kept count ~ Binomial(n, 1-p): 6 standard deviations
    assert abs(kept.sum() - n * (1 - p)) < 6 * math.sqrt(n * p * (1 - p))
    assert abs(y.mean() - 1.0) < 6 * math.sqrt(p / ((1 - p) * n))


def test_dropout_eval_mode_and_p_zero_are_identity(device):
    x = Tensor(np.arange(6.0), device=device, requires_grad=True)
    np.testing.assert_array_equal(ag.dropout(x, 0.5, training=False).cpu().numpy(), x.cpu().numpy())
    np.testing.assert_array_equal(ag.dropout(x, 0.0).cpu().numpy(), x.cpu().numpy())
    y = ag.dropout(x, 1.0)
    np.testing.assert_array_equal(y.cpu().numpy(), np.zeros(6))


def test_dropout_rejects_bad_p():
    with pytest.raises(ValueError, match="dropout"):
        ag.dropout(Tensor([1.0]), 1.5)


@on_device
@given(S.arrays(S.shapes), st.sampled_from([0.2, 0.5]))
def test_dropout_gradient_under_a_fixed_seed(device, x, p):
    def fn(t):
        ag.manual_seed(7)  # same mask on every one of gradcheck's forward passes
        return ag.dropout(t, p)

    check(fn, (x,), device)
    xs = tensors(device, x)
    fn(xs[0]).sum().backward()
    mask = host(fn(Tensor(np.ones_like(x), device=device))) != 0  # the same seed: the same mask
    np.testing.assert_allclose(xs[0].grad.cpu().numpy(), mask / (1 - p))
