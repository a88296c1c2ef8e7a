"""PyTorch's module-level API and Tensor methods, after ``import autograd as torch``,
checked against torch 2.13 for values, dtypes and gradients (torch is the test-time
reference: the library never imports it)."""

from __future__ import annotations

import inspect
import math

import numpy as np
import pytest
from _device import host

import autograd as ag
import backends
from autograd import Tensor


def _same(ours, theirs, rtol=1e-6, atol=0.0):
    """Values, shape and dtype agree (torch's dtype compared by name)."""
    got = host(ours)
    want = theirs.detach().numpy()
    assert got.shape == want.shape
    assert got.dtype == want.dtype, (got.dtype, want.dtype)
    np.testing.assert_allclose(got, want, rtol=rtol, atol=atol)


# ----------------------------------------------------------------- the module surface


def test_tensor_is_the_factory_function_and_tensor_py_still_defines_tensor():
    assert callable(ag.tensor) and not inspect.ismodule(ag.tensor)
    from autograd.tensor import Tensor as Defined

    assert Defined is Tensor
    t = ag.tensor([[1, 2], [3, 4]])
    assert isinstance(t, Tensor) and t.dtype == ag.int64 and t.dtype == ag.long


def test_tensor_copies_and_infers_dtypes_as_torch(torch):
    a = np.array([1.0, 2.0])  # float64 stays float64, as torch.tensor
    t = ag.tensor(a)
    a[0] = 9.0
    assert host(t).tolist() == [1.0, 2.0] and t.dtype == ag.float64
    for data in ([1.5, 2], [1, 2], [True, False], 3.0, 7, [[1.0]]):
        assert str(ag.tensor(data).dtype) == str(torch.tensor(data).dtype).removeprefix("torch.")
    assert ag.tensor([1, 2], dtype=ag.float).dtype == np.float32
    assert ag.tensor(3.0, requires_grad=True).requires_grad
    scalars = [ag.tensor(1.5), ag.tensor(2.5)]
    assert host(ag.tensor(scalars)).tolist() == [1.5, 2.5]


def test_dtype_names_are_numpy_dtypes_that_compare_as_torch_users_write():
    x = ag.ones(2)
    assert x.dtype == ag.float32 == ag.float and ag.float32 == x.dtype
    assert ag.double == np.float64 and ag.half == np.float16 and ag.long == np.int64
    assert ag.int == np.int32 and ag.bool == np.bool_ and ag.uint8 == np.uint8
    assert ag.get_default_dtype() == ag.float32
    assert x.type(ag.float64).dtype == ag.float64
    assert x.type("torch.LongTensor").dtype == ag.int64
    assert x.type() in ("torch.FloatTensor", "torch.cuda.FloatTensor")
    assert x.double().dtype == np.float64 and x.half().dtype == np.float16
    assert x.long().dtype == np.int64 and x.int().dtype == np.int32 and x.bool().dtype == np.bool_
    assert x.float().dtype == np.float32


def test_set_default_dtype_changes_factories_and_python_floats():
    ag.set_default_dtype(ag.float64)
    try:
        assert ag.zeros(2).dtype == ag.float64 and ag.tensor([1.0]).dtype == ag.float64
        assert ag.randn(2).dtype == ag.float64 and ag.linspace(0, 1, 3).dtype == ag.float64
    finally:
        ag.set_default_dtype(ag.float32)


def test_devices_are_strings_with_type_and_index():
    d = ag.device("cuda:1")
    assert d == "cuda:1" and d.type == "cuda" and d.index == 1
    assert ag.device("cuda", 0) == "cuda:0" and ag.device("cpu").index is None
    assert repr(ag.device("cpu")) == "device(type='cpu')"
    x = ag.tensor([1.0])
    assert x.device.type in ("cpu", "fakegpu", "cuda") and x.device == str(x.device)
    assert ag.zeros(2, device=ag.device("cpu")).device == "cpu"
    assert x.to(ag.device("cpu")).device == "cpu"
    assert Tensor([1.0], device=ag.device("cpu")).device == "cpu"
    with pytest.raises(RuntimeError, match="Invalid device"):
        ag.device("cuda:x")


def test_cuda_and_backends_queries():
    assert ag.cuda.is_available() == backends.cupy_available()
    if not backends.cupy_available():
        assert ag.cuda.device_count() == 0
        with pytest.raises(RuntimeError, match="CuPy"):  # as PyTorch raises without a GPU
            ag.cuda.current_device()
    else:
        assert ag.cuda.device_count() >= 1
        assert 0 <= ag.cuda.current_device() < ag.cuda.device_count()
    assert ag.backends.mps.is_available() is False
    ag.backends.cudnn.deterministic = True  # accepted, as in PyTorch scripts
    assert ag.accelerator.is_available() == ag.cuda.is_available()
    if not ag.cuda.is_available():
        assert ag.accelerator.current_accelerator() is None
    assert ag.autograd is ag and ag.autograd.Function is ag.Function


def test_factories_match_torch(torch):
    for ours, theirs in [
        (ag.zeros(2, 3), torch.zeros(2, 3)), (ag.ones((2, 3)), torch.ones((2, 3))),
        (ag.full((2, 2), 7), torch.full((2, 2), 7)), (ag.full((2,), 1.5), torch.full((2,), 1.5)),
        (ag.eye(3), torch.eye(3)), (ag.eye(2, 3), torch.eye(2, 3)),
        (ag.arange(5), torch.arange(5)), (ag.arange(1, 2, 0.25), torch.arange(1, 2, 0.25)),
        (ag.arange(0, 1, 0.1), torch.arange(0, 1, 0.1)),
        (ag.arange(10, 0, -3), torch.arange(10, 0, -3)),
        (ag.logspace(0, 2, 5), torch.logspace(0, 2, 5)),
        (ag.zeros_like(ag.ones(2, dtype=ag.int64)), torch.zeros_like(torch.ones(2).long())),
        (ag.full_like(ag.ones(3), 2.5), torch.full_like(torch.ones(3), 2.5)),
        (ag.ones_like(ag.ones(2, 2), dtype=ag.float64), torch.ones_like(torch.ones(2, 2),
                                                                       dtype=torch.float64)),
    ]:  # fmt: skip
        _same(ours, theirs)
    assert ag.empty(2, 3).shape == (2, 3) and ag.empty_like(ag.ones(4)).shape == (4,)


@pytest.mark.parametrize(
    "start, end, steps, dtype",
    [(-math.pi, math.pi, 2000, "float32"), (0, 1, 7, "float32"), (-3.7, 11.2, 1001, "float64"),
     (2.0, -5.0, 64, "float32"), (0.0, 1.0, 1, "float32"), (1.0, 2.0, 2, "float64")],
)  # fmt: skip
def test_linspace_matches_torch_bit_for_bit(torch, start, end, steps, dtype):
    """The tutorials' data: x = linspace(-pi, pi, 2000); equal inputs, equal results."""
    ours = ag.linspace(start, end, steps, dtype=getattr(ag, dtype))
    theirs = torch.linspace(start, end, steps, dtype=getattr(torch, dtype))
    np.testing.assert_array_equal(host(ours), theirs.numpy())


def test_random_factories_have_torch_shapes_and_dtypes_and_follow_manual_seed():
    ag.manual_seed(3)
    a = ag.randn(2, 3)
    ag.manual_seed(3)
    b = ag.randn((2, 3))
    np.testing.assert_array_equal(host(a), host(b))
    assert a.dtype == ag.float32 and ag.randn((), dtype=ag.float64).shape == ()
    r = ag.rand(1000)
    assert 0 <= host(r).min() and host(r).max() < 1
    i = ag.randint(3, 7, (50,))
    assert i.dtype == ag.int64 and set(host(i).tolist()) <= {3, 4, 5, 6}
    assert set(host(ag.randint(2, (40,))).tolist()) == {0, 1}
    assert sorted(host(ag.randperm(6)).tolist()) == list(range(6))
    assert ag.randn_like(a).shape == (2, 3) and ag.rand_like(a).dtype == ag.float32
    assert ag.randn(3, requires_grad=True).requires_grad


def test_from_numpy_shares_memory_on_the_cpu_and_as_tensor_converts():
    a = np.zeros(3)
    t = ag.from_numpy(a)
    np.add(a, 1, out=a)  # the tensors tutorial's bridge, both ways
    assert t.device == "cpu" and t.dtype == ag.float64 and t.numpy().tolist() == [1.0, 1.0, 1.0]
    t.add_(1)
    assert a.tolist() == [2.0, 2.0, 2.0]
    with pytest.raises(TypeError, match="np.ndarray"):
        ag.from_numpy([1, 2])
    assert ag.as_tensor([1.0, 2.0]).dtype == ag.float32
    assert ag.as_tensor(t) is t
    assert ag.as_tensor(t, dtype=ag.float32).dtype == ag.float32


def test_tensors_tutorial_bridge_t_numpy_sees_add_(torch):
    t = ag.ones(5, device="cpu")
    n = t.numpy()
    t.add_(1)
    tt = torch.ones(5)
    nn_ = tt.numpy()
    tt.add_(1)
    assert n.tolist() == nn_.tolist() == [2.0] * 5


def test_numpy_on_a_device_tensor_raises_as_torch_on_cuda(accelerator):
    t = ag.ones(2, device=accelerator)
    with pytest.raises(TypeError, match=r"\.cpu\(\)"):
        t.numpy()
    assert t.cpu().numpy().tolist() == [1.0, 1.0]
    assert t.tolist() == [1.0, 1.0]  # tolist copies, as in PyTorch


# ----------------------------------------------------------------- math and reductions vs torch
@pytest.fixture
def pair(torch):
    rng = np.random.default_rng(7)
    a = rng.standard_normal((3, 4))
    a[1, 0] = a[1, 2] = a[1].max() + 0.5  # a tie for the maximum of row 1
    return a, torch


CASES = {
    "sum_dim": lambda m, x: m.sum(x, dim=1), "sum_keepdim": lambda m, x: x.sum(1, keepdim=True),
    "sum_dims": lambda m, x: x.sum((0, 1)), "mean_dim": lambda m, x: m.mean(x, 0),
    "mean_method": lambda m, x: x.mean(dim=-1, keepdim=True),
    "var_default": lambda m, x: x.var(), "var_dim": lambda m, x: x.var(1),
    "var_unbiased_false": lambda m, x: x.var(1, unbiased=False),
    "var_correction": lambda m, x: m.var(x, dim=0, correction=0),
    "std_default": lambda m, x: x.std(), "std_dim": lambda m, x: m.std(x, 1, keepdim=True),
    "max_all": lambda m, x: x.max(), "min_all": lambda m, x: m.min(x),
    "max_dim_values": lambda m, x: x.max(1)[0],
    "max_dim_keepdim": lambda m, x: m.max(x, 1, True)[0],
    "min_dim_values": lambda m, x: m.min(x, dim=0).values,
    "amax": lambda m, x: x.amax(1), "max_other": lambda m, x: m.max(x, x * 0.5 + 0.1),
    "softmax": lambda m, x: x.softmax(dim=1), "log_softmax": lambda m, x: m.log_softmax(x, 0),
    "sin": lambda m, x: m.sin(x), "cos": lambda m, x: x.cos(), "tan": lambda m, x: m.tan(x * 0.3),
    "exp": lambda m, x: x.exp(), "tanh": lambda m, x: m.tanh(x),
    "sigmoid": lambda m, x: x.sigmoid(),
    "relu": lambda m, x: m.relu(x), "abs": lambda m, x: x.abs(),
    "pow": lambda m, x: x.pow(3), "pow_fn": lambda m, x: m.pow(x, 2),
    "sqrt": lambda m, x: m.sqrt(x * x + 1), "log": lambda m, x: (x * x + 1).log(),
    "clamp": lambda m, x: m.clamp(x, min=-0.5, max=0.5), "clamp_min": lambda m, x: x.clamp(min=0),
    "clip": lambda m, x: x.clip(-0.3, 0.2),
    "mul": lambda m, x: x.mul(x), "add_alpha": lambda m, x: m.add(x, x * x, alpha=-2),
    "sub": lambda m, x: x.sub(1.5), "div": lambda m, x: x.div(x * x + 1),
    "neg": lambda m, x: x.neg(),
    "matmul": lambda m, x: x.matmul(x.t()), "mm": lambda m, x: m.mm(x.t(), x),
    "bmm": lambda m, x: m.bmm(x.unsqueeze(0), x.t().unsqueeze(0)),
    "t": lambda m, x: x.t() * 2, "T": lambda m, x: x.T * 2,
    "transpose": lambda m, x: m.transpose(x, 0, 1) * 3, "permute": lambda m, x: x.permute(1, 0),
    "view": lambda m, x: x.view(2, 6) * 1, "view_minus_one": lambda m, x: x.view(-1) * 1,
    "reshape": lambda m, x: m.reshape(x, (4, 3)) * 1,
    "reshape_args": lambda m, x: x.reshape(6, 2),
    "unsqueeze": lambda m, x: m.unsqueeze(x, 1) * 1, "squeeze": lambda m, x: x[:1].squeeze(0) * 1,
    "flatten": lambda m, x: m.flatten(x.unsqueeze(0), 1) * 1,
    "expand": lambda m, x: x[:, :1].expand(3, 5) * 1, "expand_as": lambda m, x: x[:1].expand_as(x),
    "repeat": lambda m, x: x.repeat(2, 1, 3), "clone": lambda m, x: x.clone() * 1,
    "cat": lambda m, x: m.cat([x, x * 2], dim=1), "stack": lambda m, x: m.stack([x, x * 2], dim=2),
    "chunk": lambda m, x: x.chunk(3, dim=1)[1], "split": lambda m, x: m.split(x, [1, 3], dim=1)[1],
    "where": lambda m, x: m.where(x > 0, x, x * 0.1),
    "getitem": lambda m, x: x[:, 1:3] * x[0, :2],
    "logsumexp": lambda m, x: m.logsumexp(x, dim=1),
    "square": lambda m, x: x.square(),
    "norm": lambda m, x: x.norm(), "norm_dim": lambda m, x: m.norm(x, dim=1),
    "norm_p1": lambda m, x: x.norm(1, dim=0, keepdim=True), "norm_inf": lambda m, x: x.norm(
        float("inf")), "norm_p3": lambda m, x: x.norm(3),
}  # fmt: skip


@pytest.mark.parametrize("name", sorted(CASES))
def test_values_and_gradients_match_torch(pair, name):
    a, torch = pair
    fn = CASES[name]
    x = ag.tensor(a, requires_grad=True)
    tx = torch.tensor(a, requires_grad=True)
    y, ty = fn(ag, x), fn(torch, tx)
    _same(y, ty, rtol=1e-10, atol=1e-12)
    w = np.random.default_rng(1).standard_normal(ty.shape)
    (y * ag.tensor(w)).sum().backward()
    (ty * torch.tensor(w)).sum().backward()
    _same(x.grad, tx.grad, rtol=1e-10, atol=1e-12)


def test_max_along_a_dim_gives_the_gradient_to_the_index_as_torch(pair):
    a, torch = pair
    row = a[1]
    assert (row == row.max()).sum() == 2  # ties: torch routes the gradient to one index
    x, tx = ag.tensor(a, requires_grad=True), torch.tensor(a, requires_grad=True)
    values, indices = x.max(1)
    tvalues, tindices = tx.max(1)
    np.testing.assert_array_equal(host(indices), tindices.numpy())
    values.sum().backward()
    tvalues.sum().backward()
    _same(x.grad, tx.grad)
    _, idx = x.max(dim=1, keepdim=True)
    assert idx.shape == (3, 1) and idx.dtype == ag.int64


def test_norm_at_the_origin_has_a_zero_gradient_as_torch(torch):
    x, tx = ag.zeros(3, requires_grad=True), torch.zeros(3, requires_grad=True)
    x.norm().backward()
    tx.norm().backward()
    _same(x.grad, tx.grad)


def test_normal_draws_with_numbers_or_tensors():
    ag.manual_seed(1)
    a = ag.normal(0, 0.01, size=(2000, 2))
    assert a.shape == (2000, 2) and a.dtype == ag.float32 and abs(host(a).std() - 0.01) < 1e-3
    mean = ag.tensor([0.0, 100.0])
    b = ag.normal(mean, 1.0)
    assert b.shape == (2,) and host(b)[1] > 90
    assert ag.normal(0, 1, (3,), requires_grad=True).requires_grad


def test_argmax_argmin_as_torch(pair):
    a, torch = pair
    x, tx = ag.tensor(a), torch.tensor(a)
    for name in ("argmax", "argmin"):
        _same(getattr(x, name)(1), getattr(tx, name)(1))
        _same(getattr(ag, name)(x, dim=0, keepdim=True), getattr(torch, name)(tx, 0, keepdim=True))
        _same(getattr(x, name)(), getattr(tx, name)())
    # the quickstart's accuracy line
    y = ag.tensor([0, 3, 1])
    ours = (x.argmax(1) == y).type(ag.float).sum().item()
    theirs = (tx.argmax(1) == torch.tensor([0, 3, 1])).type(torch.float).sum().item()
    assert ours == theirs


def test_axis_and_keepdims_still_work_next_to_dim_and_keepdim():
    x = ag.tensor(np.arange(6.0).reshape(2, 3))
    assert host(x.sum(axis=1, keepdims=True)).tolist() == [[3.0], [12.0]]
    assert host(ag.mean(x, axis=0)).tolist() == [1.5, 2.5, 3.5]
    assert host(ag.max(x, axis=1)).tolist() == [2.0, 5.0]  # NumPy's spelling: the values
    assert host(x.argmax(axis=1)).tolist() == [2, 2]
    assert host(ag.var(x, axis=1)).tolist() == [2 / 3, 2 / 3]  # NumPy's ddof=0
    with pytest.raises(TypeError, match="dim or axis"):
        x.sum(0, axis=1)


def test_comparisons_and_logical_reductions():
    x = ag.tensor([1.0, 2.0, 3.0])
    assert host(x.eq(2)).tolist() == [False, True, False]
    assert host(x.gt(1) & x.lt(3)).tolist() == [False, True, False]
    assert host(x.ge(2)).tolist() == [False, True, True] and host(x.le(1)).tolist()[0]
    assert host(x.ne(x)).tolist() == [False] * 3
    assert bool((x > 0).all()) and not bool((x > 2).all()) and bool((x > 2).any())
    assert x.equal(ag.tensor([1.0, 2.0, 3.0])) and ag.equal(x, x)
    assert ag.allclose(x, x + 1e-9) and not ag.allclose(x, x + 1)


def test_size_dim_numel_and_friends():
    x = ag.zeros(2, 3, 4)
    assert x.size() == (2, 3, 4) and x.size(1) == 3 and x.size(-1) == 4
    assert x.dim() == 3 and x.ndimension() == 3 and x.numel() == 24 == ag.numel(x)
    assert x.nelement() == 24 and len(x) == 2 and x.shape[0] == 2
    assert x.is_floating_point() and not ag.tensor([1]).is_floating_point()
    assert x.contiguous() is x and x.is_contiguous()
    assert x.view_as(ag.zeros(4, 6)).shape == (4, 6)


def test_item_tolist_format_and_index():
    loss = ag.tensor(0.123456)
    assert f"{loss:.3f}" == "0.123" and f"{loss.item():>7f}" == "0.123456"
    assert ag.tensor([[1, 2]]).tolist() == [[1, 2]]
    assert [10, 20, 30][ag.tensor(2)] == 30
    assert isinstance(ag.tensor([1.5]).item(), float)


def test_out_arguments_as_in_the_tensors_tutorial(torch):
    a = np.arange(12.0, dtype=np.float32).reshape(3, 4)
    t, tt = ag.tensor(a), torch.tensor(a)
    y3, ty3 = ag.zeros(3, 3), torch.zeros(3, 3)
    ag.matmul(t, t.T, out=y3)
    torch.matmul(tt, tt.T, out=ty3)
    _same(y3, ty3)
    z3, tz3 = ag.zeros(3, 4), torch.zeros(3, 4)
    ag.mul(t, t, out=z3)
    torch.mul(tt, tt, out=tz3)
    _same(z3, tz3)
    w = ag.ones(2, requires_grad=True)
    with pytest.raises(RuntimeError, match="out="):
        ag.mul(w, w, out=ag.zeros(2))


# ----------------------------------------------------------------- conversion and devices
def test_to_takes_devices_dtypes_tensors_and_keywords(accelerator):
    x = ag.tensor([1.5, 2.5], device="cpu", requires_grad=True)
    assert x.to("cpu") is x and x.to(ag.float32) is x
    y = x.to(accelerator, ag.float64)
    assert y.device != "cpu" and y.dtype == ag.float64
    z = x.to(device=accelerator, dtype=ag.float16)
    assert z.dtype == np.float16
    w = x.to(y)  # other's device and dtype
    assert w.device == y.device and w.dtype == y.dtype
    assert x.to("cpu", copy=True) is not x
    (y.sum() * 2).backward()  # differentiable across the move and the cast
    assert host(x.grad).tolist() == [2.0, 2.0] and x.grad.dtype == np.float32
    assert y.cpu().device == "cpu"


def test_in_place_methods_update_and_bump_the_version():
    x = ag.tensor([1.0, 2.0, 3.0])
    v = x._version
    x.add_(1).mul_(2).sub_(ag.tensor([1.0, 1.0, 1.0]), alpha=2).div_(2)
    assert host(x).tolist() == [1.0, 2.0, 3.0] and x._version == v + 4
    x.add_(ag.ones(3), alpha=0.5)
    assert host(x).tolist() == [1.5, 2.5, 3.5]
    x.clamp_(2, 3)
    assert host(x).tolist() == [2.0, 2.5, 3.0]
    x.fill_(7)
    assert host(x).tolist() == [7.0] * 3
    x.zero_()
    assert host(x).tolist() == [0.0] * 3
    x.copy_(ag.tensor([4.0, 5.0, 6.0]))
    assert host(x).tolist() == [4.0, 5.0, 6.0]


def test_normal_and_uniform_fill_in_place_with_the_seeded_generator():
    ag.manual_seed(0)
    a = ag.empty(20000).normal_(2.0, 0.5)
    assert abs(host(a).mean() - 2.0) < 0.02 and abs(host(a).std() - 0.5) < 0.02
    b = ag.empty(20000, dtype=ag.float64).uniform_(-1, 3)
    assert -1 <= host(b).min() and host(b).max() < 3 and abs(host(b).mean() - 1) < 0.05
    ag.manual_seed(0)
    np.testing.assert_array_equal(host(ag.empty(20000).normal_(2.0, 0.5)), host(a))


def test_setitem_writes_in_place_as_in_the_tensors_tutorial(torch):
    a = np.ones((4, 4), dtype=np.float32)
    t, tt = ag.tensor(a), torch.tensor(a)
    t[:, 1] = 0
    tt[:, 1] = 0
    t[0] = ag.tensor([5.0, 6.0, 7.0, 8.0])
    tt[0] = torch.tensor([5.0, 6.0, 7.0, 8.0])
    t[t > 6] = -1
    tt[tt > 6] = -1
    _same(t, tt)
    _same(ag.cat([t, t, t], dim=1), torch.cat([tt, tt, tt], dim=1))


def test_setitem_refuses_what_the_graph_would_miss():
    w = ag.ones(3, requires_grad=True)
    with pytest.raises(RuntimeError, match="no_grad"):
        w[0] = 2.0
    with ag.no_grad():
        w[0] = 2.0  # an explicit update, as PyTorch allows
    assert host(w).tolist() == [2.0, 1.0, 1.0]
    buffer = ag.zeros(3)
    with pytest.raises(RuntimeError, match="requires grad"):
        buffer[0] = w[1]


def test_in_place_updates_refuse_a_leaf_that_requires_grad_while_recording():
    w = ag.ones(2, requires_grad=True)
    for update in (lambda: w.add_(1), lambda: w.clamp_(0, 1), lambda: w.fill_(0),
                   lambda: w.normal_(), lambda: w.uniform_(), lambda: w.mul_(2)):  # fmt: skip
        with pytest.raises(RuntimeError, match="no_grad"):
            update()


def test_hand_written_sgd_step_under_no_grad_as_torch(torch):
    rng = np.random.default_rng(0)
    xs, w0 = rng.standard_normal((8, 3)), rng.standard_normal(3)
    results = []
    for m in (ag, torch):
        x = m.tensor(xs)
        w = m.tensor(w0, requires_grad=True)
        for _ in range(5):
            loss = ((x @ w).sin() ** 2).mean()
            loss.backward()
            with m.no_grad():
                w -= 0.1 * w.grad
                w.grad.zero_()
        results.append(host(w) if m is ag else w.detach().numpy())
    np.testing.assert_allclose(results[0], results[1], rtol=1e-12)


def test_inference_mode_as_context_decorator_and_switch():
    x = ag.ones(2, requires_grad=True)
    with ag.inference_mode():
        assert not (x * 2).requires_grad
    with ag.inference_mode(False):
        assert (x * 2).requires_grad

    @ag.inference_mode()
    def f(t):
        return t * 2

    @ag.inference_mode
    def g(t):
        return t * 2

    assert not f(x).requires_grad and not g(x).requires_grad and ag.is_grad_enabled()


# ----------------------------------------------------------------- older spellings
def test_legacy_tensor_types_and_variable(torch):
    x = ag.FloatTensor([1, 2])
    assert x.dtype == ag.float32 and host(x).tolist() == [1.0, 2.0]
    assert ag.LongTensor(2, 3).shape == (2, 3) and ag.LongTensor(2, 3).dtype == ag.int64
    assert x.type(ag.LongTensor).dtype == ag.int64 and x.type(ag.DoubleTensor).dtype == np.float64
    assert x.to(ag.DoubleTensor).dtype == np.float64
    assert x.type(ag.DoubleTensor).type().endswith(torch.ones(1).double().type()[len("torch"):])
    v = ag.autograd.Variable(x, requires_grad=True)
    assert v.requires_grad and v.is_leaf and not x.requires_grad
    (v * 3).sum().backward()
    assert host(v.grad).tolist() == [3.0, 3.0]


def test_masked_fill_as_torch(pair):
    a, torch = pair
    x, tx = ag.tensor(a, requires_grad=True), torch.tensor(a, requires_grad=True)
    y, ty = x.masked_fill(x > 0.3, -1.0), tx.masked_fill(tx > 0.3, -1.0)
    _same(y, ty)
    (y * y).sum().backward()
    (ty * ty).sum().backward()
    _same(x.grad, tx.grad)
    z = ag.tensor(a)
    z.masked_fill_(z < 0, 0.0)
    _same(z, torch.tensor(a).masked_fill_(torch.tensor(a) < 0, 0.0))


def test_set_printoptions_changes_tensors_not_numpy():
    try:
        ag.set_printoptions(precision=2)
        assert "[1.23]" in repr(ag.tensor([1.23456], device="cpu"))
        assert repr(np.array([1.23456])) == "array([1.23456])"
    finally:
        ag.set_printoptions(profile="default")
    assert "1.23456" in repr(ag.tensor([1.23456], device="cpu"))


def test_device_objects_go_where_device_names_go():
    import nn
    from nn.data import DataLoader

    cpu = ag.device("cpu")
    loader = DataLoader((np.zeros((4, 2)), np.arange(4)), batch_size=2, device=cpu)
    xb, yb = next(iter(loader))
    assert xb.device == "cpu" and yb.dtype == np.int64
    layer = nn.Linear(2, 3).to(cpu)
    assert all(p.device == "cpu" for p in layer.parameters())
