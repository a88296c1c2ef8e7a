"""The backward engine: known traps, higher-order gradients, deep graphs, freed graphs, devices."""

from __future__ import annotations

import numpy as np
import pytest
from _device import host
from conftest import GPU_AVAILABLE

import autograd as ag
import backends
from autograd import Tensor


def leaf(values, device=None, dtype=np.float64):
    return Tensor(np.asarray(values, dtype=dtype), device=device, requires_grad=True)


# ----------------------------------------------------------------- known traps


def test_non_leaf_used_twice(device):
    a = leaf(3.0, device)
    b = a + a
    c = b + b
    c.backward()
    assert a.grad.item() == 4.0


def test_reuse_accumulates(device):
    x = leaf([0.5, -2.0, 3.0], device)
    y = x * x + x
    y.sum().backward()
    np.testing.assert_allclose(x.grad.cpu().numpy(), 2 * x.cpu().numpy() + 1)


def test_diamond_graph():
    x = leaf(2.0)
    a = ag.exp(x)
    y = a * a + ag.log(a)  # e**2x + x: a feeds two ops, one of them twice
    y.backward()
    np.testing.assert_allclose(x.grad.item(), 2 * np.exp(4.0) + 1)


@pytest.mark.parametrize(
    "axis, kept",
    [((1, 2), (2, 1, 1, 5)), ((-1, -3), (2, 1, 4, 1)), (-2, (2, 3, 1, 5)), ((0, -1), (1, 3, 4, 1))],
)
@pytest.mark.parametrize("op", ["sum", "mean", "var", "logsumexp", "max"])
def test_reductions_over_tuples_and_negative_axes(device, axis, kept, op):
    rng = np.random.default_rng(1)
    x = leaf(rng.permutation(120).reshape(2, 3, 4, 5) / 7, device)
    for keepdims in (False, True):
        y = getattr(ag, op)(x, axis=axis, keepdims=keepdims)
        dropped = {a % 4 for a in (axis if isinstance(axis, tuple) else (axis,))}
        expected = kept if keepdims else tuple(n for i, n in enumerate(x.shape) if i not in dropped)
        assert y.shape == expected
        x.zero_grad()
        y.backward(np.ones(y.shape))
        assert x.grad.shape == x.shape
    if op == "mean":  # and the values: 1/n for each reduced element
        n = int(np.prod([x.shape[a] for a in (axis if isinstance(axis, tuple) else (axis,))]))
        np.testing.assert_allclose(x.grad.cpu().numpy(), np.full(x.shape, 1 / n))


@pytest.mark.parametrize(
    "sa, sb", [((3, 1), (1, 4)), ((4,), (2, 3, 4)), ((2, 1, 4), (3, 1)), ((), (2, 3)), ((1,), (5,))]
)
def test_broadcasting_reduces_gradients_back(device, sa, sb):
    rng = np.random.default_rng(2)
    a, b = leaf(rng.standard_normal(sa), device), leaf(rng.standard_normal(sb), device)
    out = a * b
    g = rng.standard_normal(out.shape)
    out.backward(g)
    a_np, b_np = a.cpu().numpy(), b.cpu().numpy()
    assert a.grad.shape == sa and b.grad.shape == sb
    # against the definition: the sum over every broadcast copy
    full_a = g * np.broadcast_to(b_np, out.shape)
    full_b = g * np.broadcast_to(a_np, out.shape)
    np.testing.assert_allclose(a.grad.cpu().numpy(), _sum_to(full_a, sa))
    np.testing.assert_allclose(b.grad.cpu().numpy(), _sum_to(full_b, sb))


def _sum_to(x, shape):
    lead = x.ndim - len(shape)
    x = x.sum(axis=tuple(range(lead)))
    return x.sum(axis=tuple(i for i, n in enumerate(shape) if n == 1), keepdims=True).reshape(shape)


def test_leaf_gradients_accumulate_and_intermediates_keep_none():
    x = leaf([1.0, 2.0])
    h = x * 3
    y = (h * h).sum()
    y.backward(retain_graph=True)
    first = x.grad.cpu().numpy()
    np.testing.assert_allclose(first, 18 * x.cpu().numpy())
    assert h.grad is None  # an intermediate result: no .grad unless asked
    y.backward()
    np.testing.assert_allclose(x.grad.cpu().numpy(), 2 * first)  # accumulated, as in PyTorch
    x.zero_grad()
    assert x.grad is None


def test_retain_grad_keeps_intermediate_gradients():
    x = leaf([1.0, 2.0])
    h = x * 3
    h.retain_grad()
    (h * h).sum().backward()
    np.testing.assert_allclose(h.grad.cpu().numpy(), 2 * h.cpu().numpy())


def test_backward_does_not_alias_the_leaf_gradient():
    """Gradients handed to two leaves (add passes gy through) must not share memory."""
    a, b = leaf([1.0, 2.0]), leaf([3.0, 4.0])
    (a + b).sum().backward()
    a.grad.array += 100
    np.testing.assert_array_equal(b.grad.cpu().numpy(), [1.0, 1.0])


# ----------------------------------------------------------------- freed graphs


def test_second_backward_through_a_freed_graph_raises():
    x = leaf([1.0, 2.0])
    y = (ag.exp(x) * x).sum()
    y.backward()
    with pytest.raises(RuntimeError, match="retain_graph"):
        y.backward()


def test_retain_graph_allows_a_second_backward_that_accumulates():
    x = leaf([1.0, 2.0])
    y = (ag.exp(x) * x).sum()
    y.backward(retain_graph=True)
    y.backward()
    np.testing.assert_allclose(host(x.grad), 2 * (np.exp(host(x)) * (host(x) + 1)))


def test_backward_on_non_scalar_needs_a_gradient():
    x = leaf([1.0, 2.0])
    with pytest.raises(RuntimeError, match=r"one-element.*\(2,\)"):
        (x * 2).backward()


def test_backward_on_a_tensor_without_graph_raises():
    with pytest.raises(RuntimeError, match="does not require grad"):
        Tensor([1.0]).sum().backward()


# ----------------------------------------------------------------- deep graphs


def test_ten_thousand_op_chain_forward_and_backward():
    x = leaf(0.5)
    y = x
    for _ in range(10_000):
        y = y * 1.0001
    y.backward()  # iterative: no RecursionError
    np.testing.assert_allclose(x.grad.item(), 1.0001**10_000, rtol=1e-9)
    del y  # and freeing it must not recurse either


def test_ten_thousand_op_graph_freed_without_backward():
    x = leaf(0.5)
    y = x
    for _ in range(10_000):
        y = y + x
    del y


# ----------------------------------------------------------------- higher order


@pytest.mark.parametrize(
    "fn, d1, d2",
    [
        (ag.tanh, lambda x: 1 - np.tanh(x) ** 2, lambda x: -2 * np.tanh(x) * (1 - np.tanh(x) ** 2)),
        (
            ag.sigmoid,
            lambda x: _s(x) * (1 - _s(x)),
            lambda x: _s(x) * (1 - _s(x)) * (1 - 2 * _s(x)),
        ),
        (lambda t: t**3, lambda x: 3 * x**2, lambda x: 6 * x),
        (ag.exp, np.exp, np.exp),
        (ag.log, lambda x: 1 / x, lambda x: -1 / x**2),
        (ag.softplus, lambda x: _s(x), lambda x: _s(x) * (1 - _s(x))),
    ],
    ids=["tanh", "sigmoid", "cube", "exp", "log", "softplus"],
)
def test_second_derivatives_match_closed_forms(device, fn, d1, d2):
    values = np.array([0.3, 1.2, 2.5, 0.7])
    x = leaf(values, device)
    (g,) = ag.grad(fn(x).sum(), x, create_graph=True)
    np.testing.assert_allclose(g.cpu().numpy(), d1(values), rtol=1e-12)
    assert g.requires_grad
    (h,) = ag.grad(g.sum(), x)
    np.testing.assert_allclose(h.cpu().numpy(), d2(values), rtol=1e-10, atol=1e-14)


def _s(x):
    return 1 / (1 + np.exp(-x))


def test_third_derivative_of_a_cube():
    x = leaf(1.7)
    (g,) = ag.grad(x**3, x, create_graph=True)
    (h,) = ag.grad(g, x, create_graph=True)
    (k,) = ag.grad(h, x)
    assert (g.item(), h.item(), k.item()) == pytest.approx((3 * 1.7**2, 6 * 1.7, 6.0))


def test_backward_with_create_graph_gives_differentiable_grad():
    x = leaf([1.0, 2.0])
    (x**3).sum().backward(create_graph=True)
    g = x.grad
    assert g.requires_grad
    (h,) = ag.grad(g.sum(), x)
    np.testing.assert_allclose(h.cpu().numpy(), 6 * x.cpu().numpy())


def _mlp_params(rng):
    return [
        rng.standard_normal((5, 4)) * 0.5, rng.standard_normal(4) * 0.1,
        rng.standard_normal((4, 3)) * 0.5, rng.standard_normal(3) * 0.1,
    ]  # fmt: skip


def _mlp_loss(x, labels, w1, b1, w2, b2):
    h = ag.tanh(x @ w1 + b1)
    logp = ag.log_softmax(h @ w2 + b2, axis=-1)
    return -logp[np.arange(len(labels)), labels].mean()


def _mlp_grad(params, x, labels, create_graph=False):
    loss = _mlp_loss(x, labels, *params)
    return ag.grad(loss, params, create_graph=create_graph)


def test_mlp_hessian_vector_product_matches_finite_differences():
    rng = np.random.default_rng(3)
    values = _mlp_params(rng)
    vs = [rng.standard_normal(v.shape) for v in values]
    x, labels = Tensor(rng.standard_normal((6, 5))), np.array([0, 2, 1, 1, 0, 2])
    params = [leaf(v) for v in values]
    grads = _mlp_grad(params, x, labels, create_graph=True)
    dot = sum((g * Tensor(v)).sum() for g, v in zip(grads, vs, strict=False))
    hvp = ag.grad(dot, params)
    eps = 1e-5
    plus = _mlp_grad([leaf(p + eps * v) for p, v in zip(values, vs, strict=False)], x, labels)
    minus = _mlp_grad([leaf(p - eps * v) for p, v in zip(values, vs, strict=False)], x, labels)
    for h, gp, gm in zip(hvp, plus, minus, strict=False):
        np.testing.assert_allclose(
            h.cpu().numpy(), (gp.cpu().numpy() - gm.cpu().numpy()) / (2 * eps), rtol=1e-5, atol=1e-8
        )


def test_mlp_hessian_vector_product_matches_torch(torch):
    rng = np.random.default_rng(4)
    values = _mlp_params(rng)
    vs = [rng.standard_normal(v.shape) for v in values]
    xs, labels = rng.standard_normal((6, 5)), np.array([0, 2, 1, 1, 0, 2])
    params = [leaf(v) for v in values]
    grads = _mlp_grad(params, Tensor(xs), labels, create_graph=True)
    hvp = ag.grad(sum((g * Tensor(v)).sum() for g, v in zip(grads, vs, strict=False)), params)

    def torch_loss(w1, b1, w2, b2):
        h = torch.tanh(torch.from_numpy(xs) @ w1 + b1)
        logp = torch.log_softmax(h @ w2 + b2, dim=-1)
        return -logp[torch.arange(6), torch.from_numpy(labels)].mean()

    _, want = torch.autograd.functional.hvp(
        torch_loss,
        tuple(torch.from_numpy(v) for v in values),
        tuple(torch.from_numpy(v) for v in vs),
    )
    for h, w in zip(hvp, want, strict=False):
        np.testing.assert_allclose(h.cpu().numpy(), w.cpu().numpy(), rtol=1e-10, atol=1e-12)


# ----------------------------------------------------------------- autograd.grad


def test_grad_leaves_dot_grad_untouched_and_handles_non_leaf_inputs():
    x = leaf([1.0, 2.0, 3.0])
    h = x * x
    y = (h * 2).sum()
    gh, gx = ag.grad(y, [h, x])
    np.testing.assert_allclose(gh.cpu().numpy(), [2.0, 2.0, 2.0])
    np.testing.assert_allclose(gx.cpu().numpy(), 4 * x.cpu().numpy())
    assert x.grad is None and h.grad is None


def test_grad_allow_unused():
    x, unused = leaf([1.0]), leaf([2.0])
    y = (x * 3).sum()
    with pytest.raises(RuntimeError, match="allow_unused"):
        ag.grad(y, [x, unused], retain_graph=True)
    gx, gu = ag.grad(y, [x, unused], allow_unused=True)
    assert gu is None and gx.item() == 3.0


def test_grad_with_grad_outputs_and_several_outputs():
    x = leaf([1.0, 2.0])
    a, b = x * 2, x * x
    (g,) = ag.grad(
        [a, b], x, grad_outputs=[Tensor(np.array([1.0, 1.0])), Tensor(np.array([0.5, 2.0]))]
    )
    np.testing.assert_allclose(g.cpu().numpy(), [2 + 0.5 * 2, 2 + 2 * 4])


# ----------------------------------------------------------------- devices


@pytest.mark.skipif(GPU_AVAILABLE, reason="this machine has a GPU: asking for cuda succeeds")
def test_cuda_without_cupy_names_the_gpu_extra():
    with pytest.raises(RuntimeError, match=r"xpgrad\[gpu\]"):
        Tensor([1.0], device="cuda")
    with pytest.raises(RuntimeError, match="gpu"):
        backends.get_backend("cuda:0")
    assert not backends.cupy_available()


def test_mixing_devices_raises_naming_both(accelerator):
    a = Tensor([1.0, 2.0], device="cpu", requires_grad=True)
    b = Tensor([1.0, 2.0], device=accelerator, requires_grad=True)
    for op in (lambda: a + b, lambda: b * a, lambda: ag.matmul(a, b), lambda: ag.concat([a, b])):
        with pytest.raises(RuntimeError) as info:
            op()
        assert "cpu" in str(info.value) and b.device in str(info.value)


def test_python_data_and_0d_host_values_combine_with_device_tensors(accelerator):
    """As in PyTorch: numbers, lists, NumPy data and 0-d host tensors go with a device
    tensor (copied there once); a host *tensor* with dimensions does not (error above)."""
    b = Tensor([1.0, 2.0], device=accelerator, requires_grad=True)
    for other, expected in [
        (2, [3.0, 4.0]), ([0.5, 1.5], [1.5, 3.5]), (np.arange(2), [1.0, 3.0]),
        (np.float64(1.0), [2.0, 3.0]), (Tensor(np.float32(3.0), device="cpu"), [4.0, 5.0]),
    ]:  # fmt: skip
        out = b + other
        assert out.device == b.device and out.dtype == np.float32
        np.testing.assert_allclose(out.cpu().numpy(), expected)
    s = Tensor(2.0, device="cpu", requires_grad=True)
    (b * s).sum().backward()  # the 0-d host tensor's gradient comes back to the host
    assert s.grad.device == "cpu" and b.grad.device == b.device
    np.testing.assert_allclose(s.grad.cpu().numpy(), 3.0)


def test_to_device_is_differentiable(accelerator):
    x = Tensor([1.0, 2.0], device="cpu", requires_grad=True)
    y = (x.to(accelerator) * 3).sum()
    assert y.device == backends.parse_device(accelerator) != "cpu"
    y.backward()
    assert x.grad.device == "cpu"
    np.testing.assert_allclose(x.grad.cpu().numpy(), [3.0, 3.0])
    back = x.to(accelerator).cpu()  # there and back: still one graph
    (back * back).sum().backward()
    np.testing.assert_allclose(x.grad.cpu().numpy(), [3.0 + 2.0, 3.0 + 4.0])
