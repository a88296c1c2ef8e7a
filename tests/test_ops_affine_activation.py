"""A layer fused with its activation: ``AffineActivation``, f(x Wᵀ + b) or f(x K + b) as one op.

``nn.Sequential`` runs a ``Linear`` followed by ``ReLU``/``Sigmoid``/``Tanh`` this way, and
``Dense`` its ``activation``. The fused op is held to the two ops it replaces (same values,
same gradients, same gradients of gradients), to finite differences in float64, and to
the number of kernels it saves on a device (the ``fakegpu`` stand-in counts them). The
models are held to their unfused selves: a hook on either module turns the fusion off,
and the hook sees what it would see without it.
"""

from __future__ import annotations

import numpy as np
import pytest
from _device import host

import autograd
import nn
from autograd import Tensor
from autograd.ops.matmul import affine_activation, dense, linear

ACTIVATIONS = ["relu", "sigmoid", "tanh"]
SHAPES = [(4,), (5, 4), (2, 5, 4)]


def _data(x_shape, transposed, bias, seed=0, dtype=np.float64):
    rng = np.random.default_rng(seed)
    n_in, n_out = x_shape[-1], 3
    x = Tensor((2 * rng.standard_normal(x_shape)).astype(dtype), requires_grad=True)
    w = Tensor(rng.standard_normal((n_out, n_in) if transposed else (n_in, n_out)).astype(dtype),
               requires_grad=True)  # fmt: skip
    b = Tensor(rng.standard_normal(n_out).astype(dtype), requires_grad=True) if bias else None
    return x, w, b


def _composed(x, w, b, activation, transposed):
    return getattr(autograd, activation)((linear if transposed else dense)(x, w, b))


def _fused(x, w, b, activation, transposed):
    return affine_activation(x, w, b, activation, transposed=transposed)


@pytest.mark.parametrize("activation", ACTIVATIONS)
@pytest.mark.parametrize("transposed", [True, False], ids=["linear", "dense"])
@pytest.mark.parametrize("bias", [True, False], ids=["bias", "no-bias"])
@pytest.mark.parametrize("x_shape", SHAPES, ids=lambda s: f"x{len(s)}d")
def test_equals_the_composition_and_passes_gradcheck(x_shape, transposed, bias, activation):
    x, w, b = _data(x_shape, transposed, bias)
    inputs = [x, w] + ([b] if bias else [])
    weights = Tensor(np.random.default_rng(1).standard_normal((*x_shape[:-1], 3)))
    results = []
    for f in (_fused, _composed):
        for t in inputs:
            t.grad = None
        y = f(x, w, b, activation, transposed)
        (y * weights).sum().backward()
        results.append([host(y)] + [host(t.grad) for t in inputs])
    for fused, composed in zip(*results, strict=True):
        np.testing.assert_allclose(fused, composed, rtol=1e-12, atol=1e-12)
    assert autograd.gradcheck(
        lambda *a: (_fused(a[0], a[1], a[2] if bias else None, activation, transposed)
                    * weights).sum(), inputs)  # fmt: skip


@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_gradients_of_gradients_equal_the_composition(activation):
    x, w, b = _data((5, 4), True, True, seed=2)
    results = []
    for f in (_fused, _composed):
        y = f(x, w, b, activation, True)
        gx, gw = autograd.grad((y * y).sum(), [x, w], create_graph=True)
        results.append([host(g) for g in autograd.grad((gx * gx).sum() + gw.sum(), [x, w, b])])
    for fused, composed in zip(*results, strict=True):
        np.testing.assert_allclose(fused, composed, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_float32_stays_float32_and_equals_the_host(activation):
    x, w, b = _data((6, 4), True, True, seed=3, dtype=np.float32)
    y = _fused(x, w, b, activation, True)
    y.sum().backward()
    assert {y.dtype, x.grad.dtype, w.grad.dtype, b.grad.dtype} == {np.dtype(np.float32)}
    xh, wh, bh = (Tensor(host(t), requires_grad=True, device="cpu") for t in (x, w, b))
    yh = _fused(xh, wh, bh, activation, True)
    yh.sum().backward()
    np.testing.assert_allclose(host(y), host(yh), rtol=1e-6, atol=1e-7)
    np.testing.assert_allclose(host(w.grad), host(wh.grad), rtol=1e-5, atol=1e-6)


def test_relu_keeps_nan_and_large_sigmoid_inputs_do_not_overflow():
    x = Tensor(np.array([[np.nan, -1.0, 2.0]], np.float32))
    eye = Tensor(np.eye(3, dtype=np.float32))
    assert np.isnan(host(_fused(x, eye, None, "relu", True))[0, 0])
    big = Tensor(np.array([[-1e4, 0.0, 1e4]], np.float32))
    with np.errstate(over="raise", invalid="raise"):
        np.testing.assert_array_equal(host(_fused(big, eye, None, "sigmoid", True)),
                                      [[0.0, 0.5, 1.0]])  # fmt: skip


def test_unknown_activations_are_refused_by_name():
    x, w, b = _data((2, 4), True, True)
    with pytest.raises(ValueError, match="no fused form of 'elu'"):
        affine_activation(x, w, b, "elu", transposed=True)


def test_on_a_device_bias_and_activation_are_one_kernel_each_way():
    from backends import fake_gpu

    x, w, b = (Tensor(host(t), requires_grad=True, device="fakegpu")
               for t in _data((8, 4), True, True, dtype=np.float32))  # fmt: skip
    counts = {}
    for name, f in (("fused", _fused), ("composed", _composed)):
        for activation in ACTIVATIONS:
            x.grad = w.grad = b.grad = None
            start = fake_gpu.launch_count()
            y = f(x, w, b, activation, True)
            middle = fake_gpu.launch_count()
            y.backward(Tensor(np.ones((8, 3), np.float32), device="fakegpu"))
            counts[name, activation] = (middle - start, fake_gpu.launch_count() - middle)
    for activation in ACTIVATIONS:
        # forward: the product, then bias and activation in one kernel; backward: f' in
        # one kernel, then dL/dx, dL/dW and dL/db (plus the ones the test passes in)
        assert counts["fused", activation] == (2, 1 + 1 + 3)
        fwd, bwd = counts["composed", activation]
        assert fwd > 2 and bwd >= 1 + 1 + 3


# ---------------------------------------------------------------- in nn
def _torch_style(act_module, seed=0):
    autograd.manual_seed(seed)
    return nn.Sequential(nn.Linear(4, 5), act_module(), nn.Linear(5, 3), act_module())


def _run(model, x):
    for p in model.parameters():
        p.grad = None
    y = model(x)
    (y * y).sum().backward()
    return [host(y)] + [host(p.grad) for p in model.parameters()]


@pytest.mark.parametrize("act_module", [nn.ReLU, nn.Sigmoid, nn.Tanh],
                         ids=lambda c: c.__name__)  # fmt: skip
def test_sequential_fuses_linear_and_activation_with_the_same_results(act_module):
    x = Tensor(np.random.default_rng(4).standard_normal((6, 4)))
    model = _torch_style(act_module)
    model(x)  # builds; from then on the pairs run fused
    fused = _run(model, x)
    assert model(x).grad_fn.name == f"linear+{act_module.__name__.lower()}"
    seen = []
    handle = model[1].register_forward_hook(lambda m, args, out: seen.append(host(args[0])))
    unfused = _run(model, x)
    assert len(seen) == 1  # the hooked module ran as a module, on the Linear's output
    np.testing.assert_allclose(seen[0], host(model[0](x)), rtol=1e-12)
    handle.remove()
    for a, b in zip(fused, unfused, strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-14)


def test_a_hook_on_the_linear_layer_turns_the_fusion_off():
    model = _torch_style(nn.ReLU)
    x = Tensor(np.ones((2, 4)))
    model(x)
    outputs = []
    model[2].register_forward_hook(lambda m, args, out: outputs.append(out))
    y = model(x)
    assert outputs and outputs[0].grad_fn.name == "linear"  # the hook saw the Linear's own output
    assert y.grad_fn.name == "relu"
    assert model[0](x).grad_fn.name == "linear"  # a layer called alone is never fused


@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_dense_runs_its_activation_fused_with_the_same_results(activation):
    x = np.random.default_rng(5).standard_normal((6, 4)).astype(np.float32)
    autograd.manual_seed(0)
    fused = nn.layers.Dense(3, activation=activation, input_shape=(4,))
    plain = nn.layers.Dense(3, input_shape=(4,))
    plain.set_weights(fused.get_weights())
    y = fused(x)
    assert y.grad_fn.name == f"dense+{activation}"
    y_plain = getattr(nn.activations, activation)(plain(x))
    np.testing.assert_array_equal(host(y), host(y_plain))
    (y * y).sum().backward()
    (y_plain * y_plain).sum().backward()
    np.testing.assert_allclose(host(fused.kernel.grad), host(plain.kernel.grad), rtol=1e-6)
