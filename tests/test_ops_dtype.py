"""float32 in, float32 out: every op's forward, every backward step and the leaf gradients.

Python scalars, NumPy scalars and integer arrays must not widen a float32 computation
to float64 (NumPy 2 alone would for ``float32_array * np.float64(2)``). The engine
casts a leaf's gradient to the leaf's dtype, which would hide a backward that silently
computes in float64, so the test also walks the graph and calls each node's backward.
"""

from __future__ import annotations

import numpy as np
import pytest

import autograd as ag
from autograd import Tensor

F32 = np.dtype(np.float32)

OPS = {
    "add": lambda x, y: x + y,
    "add_python_float": lambda x, y: x + 2.5,
    "add_python_int": lambda x, y: 3 + x,
    "add_numpy_float64_scalar": lambda x, y: x + np.float64(0.5),
    "mul_numpy_sqrt": lambda x, y: x * np.sqrt(2.0),
    "add_int_array": lambda x, y: x + np.arange(4),
    "radd_int_array": lambda x, y: np.arange(4) + x,
    "add_int_tensor": lambda x, y: x + Tensor(np.arange(4), device=x.device),
    "add_int_0d_host_tensor": lambda x, y: x + Tensor(np.int64(3), device="cpu"),
    "mul_float_0d_host_tensor": lambda x, y: x * Tensor(np.float32(0.5), device="cpu"),
    "add_float_list": lambda x, y: x + [0.5, 1.5, 2.5, 3.5],
    "sub": lambda x, y: x - y,
    "rsub_scalar": lambda x, y: 1.0 - x,
    "mul": lambda x, y: x * y,
    "mul_scalar": lambda x, y: x * 0.1,
    "div": lambda x, y: x / y,
    "rdiv_scalar": lambda x, y: 1 / y,
    "div_int_array": lambda x, y: x / np.arange(1, 5),
    "neg": lambda x, y: -x,
    "pow_scalar": lambda x, y: y**3,
    "pow_half": lambda x, y: y**0.5,
    "pow_numpy_scalar": lambda x, y: y ** np.float64(1.5),
    "pow_numpy_int_scalar": lambda x, y: y ** np.int64(2),
    "rpow_scalar": lambda x, y: 2.0**x,
    "pow_tensor": lambda x, y: y**x,
    "matmul": lambda x, y: x @ y.T,
    "matmul_1d": lambda x, y: x[0] @ y.T,
    "exp": lambda x, y: ag.exp(x),
    "log": lambda x, y: ag.log(y),
    "sqrt": lambda x, y: ag.sqrt(y),
    "abs": lambda x, y: ag.abs(x),
    "clip": lambda x, y: ag.clip(x, -0.5, 0.5),
    "maximum": lambda x, y: ag.maximum(x, y),
    "maximum_scalar": lambda x, y: ag.maximum(x, 0.0),
    "minimum": lambda x, y: ag.minimum(x, y),
    "where": lambda x, y: ag.where(x.array > 0, x, y),
    "where_scalar": lambda x, y: ag.where(x.array > 0, x, 0.0),
    "sum": lambda x, y: ag.sum(x, axis=1),
    "mean": lambda x, y: ag.mean(x, axis=(0, 1)),
    "max": lambda x, y: ag.max(x, axis=-1),
    "min": lambda x, y: ag.min(x, axis=0, keepdims=True),
    "var": lambda x, y: ag.var(x, axis=1, ddof=1),
    "reshape": lambda x, y: x.reshape(4, 3),
    "transpose": lambda x, y: ag.transpose(x, (1, 0)),
    "flatten": lambda x, y: ag.flatten(x),
    "broadcast_to": lambda x, y: ag.broadcast_to(x, (2, 3, 4)),
    "getitem_basic": lambda x, y: x[1:, ::2],
    "getitem_advanced": lambda x, y: x[[0, 0, 2]],
    "concat": lambda x, y: ag.concat([x, y], axis=1),
    "stack": lambda x, y: ag.stack([x, y], axis=-1),
    "relu": lambda x, y: ag.relu(x),
    "leaky_relu": lambda x, y: ag.leaky_relu(x, 0.1),
    "elu": lambda x, y: ag.elu(x, 1.5),
    "selu": lambda x, y: ag.selu(x),
    "gelu": lambda x, y: ag.gelu(x),
    "gelu_tanh": lambda x, y: ag.gelu(x, approximate="tanh"),
    "silu": lambda x, y: ag.silu(x),
    "softplus": lambda x, y: ag.softplus(x),
    "sigmoid": lambda x, y: ag.sigmoid(x),
    "tanh": lambda x, y: ag.tanh(x),
    "softmax": lambda x, y: ag.softmax(x, axis=0),
    "log_softmax": lambda x, y: ag.log_softmax(x),
    "logsumexp": lambda x, y: ag.logsumexp(x, axis=(0, 1)),
    "dropout": lambda x, y: ag.dropout(x, 0.5),
}


def _inputs(device):
    rng = np.random.default_rng(0)
    x = rng.uniform(-2, 2, (3, 4)).astype(np.float32)
    x[np.abs(x) < 0.1] = 0.5  # away from the kinks
    y = rng.uniform(0.5, 2, (3, 4)).astype(np.float32)  # positive: log, sqrt, pow
    return (
        Tensor(x, device=device, requires_grad=True),
        Tensor(y, device=device, requires_grad=True),
    )


def _nodes(out):
    """Every Function in the graph that produced ``out``."""
    seen, stack, order = set(), [out.grad_fn], []
    while stack:
        fn = stack.pop()
        if fn is None or id(fn) in seen:
            continue
        seen.add(id(fn))
        order.append(fn)
        stack.extend(t.grad_fn for t in fn.inputs)
    return order


@pytest.mark.parametrize("name", sorted(OPS))
def test_float32_stays_float32(device, name):
    x, y = _inputs(device)
    out = OPS[name](x, y)
    assert out.dtype == F32, f"{name}: forward gave {out.dtype}"
    assert out.requires_grad
    for fn in _nodes(out):
        gy = Tensor(np.ones(fn.output().shape, dtype=np.float32), device=device)
        with ag.no_grad():
            grads = fn.backward(gy)
        for g in grads if isinstance(grads, tuple) else (grads,):
            if g is not None:
                assert g.dtype == F32, f"{name}: {type(fn).__name__}.backward gave {g.dtype}"
    out.sum().backward()
    for leaf in (x, y):
        if leaf.grad is not None:
            assert leaf.grad.dtype == F32
            assert leaf.grad.device == leaf.device
    assert x.grad is not None or y.grad is not None


@pytest.mark.parametrize("name", ["add", "mul", "matmul", "sigmoid", "log_softmax", "var"])
def test_float64_stays_float64(device, name):
    x, y = (t.detach().astype(np.float64).requires_grad_() for t in _inputs(device))
    out = OPS[name](x, y)
    assert out.dtype == np.float64
    out.sum().backward()
    assert x.grad.dtype == np.float64


def test_mixed_precision_gradient_takes_each_input_dtype():
    a = Tensor(np.ones(3, dtype=np.float32), requires_grad=True)
    b = Tensor(np.ones(3, dtype=np.float64), requires_grad=True)
    out = a * b
    assert out.dtype == np.float64  # as NumPy and PyTorch: the wider floating type wins
    out.sum().backward()
    assert a.grad.dtype == np.float32 and b.grad.dtype == np.float64
