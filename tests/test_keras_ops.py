"""``keras.ops`` (nn.ops) against Keras 3's own, on its torch backend: each op's values
and, where it is differentiable, the gradient of the sum of its result (through torch's
autograd on Keras' side)."""

from __future__ import annotations

import numpy as np
import pytest
from _device import host
from _keras_reference import IGNORE_KERAS_ARRAY_WARNING

import autograd as ag
import nn
from autograd import Tensor

pytestmark = IGNORE_KERAS_ARRAY_WARNING

RNG = np.random.default_rng(21)
X = RNG.normal(size=(3, 4)).astype(np.float32)
Y = RNG.normal(size=(3, 4)).astype(np.float32)
POS = (RNG.random((3, 4)) + 0.1).astype(np.float32)
V = RNG.normal(size=4).astype(np.float32)
M = RNG.normal(size=(4, 2)).astype(np.float32)
LABELS = np.array([2, 0, 3])
ONEHOT = np.eye(4, dtype=np.float32)[LABELS]
PROBS = (POS / POS.sum(1, keepdims=True)).astype(np.float32)
BITS = (RNG.random((3, 4)) > 0.5).astype(np.float32)

# name: (arguments (the first is differentiated when `grad`), keyword arguments, grad)
CASES = {
    "abs": ((X,), {}, True), "negative": ((X,), {}, True), "exp": ((X,), {}, True),
    "log": ((POS,), {}, True), "log1p": ((POS,), {}, True), "expm1": ((X,), {}, True),
    "sqrt": ((POS,), {}, True), "square": ((X,), {}, True), "rsqrt": ((POS,), {}, True),
    "reciprocal": ((POS,), {}, True), "sign": ((X,), {}, False), "floor": ((X,), {}, False),
    "ceil": ((X,), {}, False), "round": ((3 * X,), {}, False), "trunc": ((X,), {}, False),
    "sin": ((X,), {}, True), "cos": ((X,), {}, True), "tan": ((X,), {}, True),
    "tanh": ((X,), {}, True), "erf": ((X,), {}, True), "log2": ((POS,), {}, True),
    "log10": ((POS,), {}, True),
    "add": ((X, Y), {}, True), "add-scalar": ((X, 2.0), {}, True),
    "subtract": ((X, Y), {}, True), "multiply": ((X, Y), {}, True),
    "divide": ((X, POS), {}, True), "power": ((POS, 2.5), {}, True),
    "maximum": ((X, Y), {}, True), "minimum": ((X, 0.0), {}, True),
    "floor_divide": ((3 * X, 2.0), {}, False), "mod": ((3 * X, 2.0), {}, False),
    "equal": ((X, X), {}, False), "greater": ((X, Y), {}, False), "less_equal": ((X, Y), {}, False),
    "logical_and": ((X > 0, Y > 0), {}, False), "logical_not": ((X > 0,), {}, False),
    "clip": ((X, -0.5, 0.5), {}, True), "where": ((X > 0, X, Y), {}, False),
    "isclose": ((X, X + 1e-7), {}, False),
    "sum": ((X,), {"axis": 1}, True),
    "sum-keepdims": ((X,), {"axis": [0, 1], "keepdims": True}, True),
    "mean": ((X,), {"axis": 0}, True), "prod": ((POS,), {"axis": 1}, True),
    "max": ((X, 1), {}, True), "min": ((X,), {"axis": 0, "keepdims": True}, True),
    "std": ((X,), {"axis": 1}, True), "var": ((X,), {}, True),
    "logsumexp": ((X,), {"axis": -1}, True), "argmax": ((X,), {"axis": 1}, False),
    "argmin": ((X,), {}, False), "all": ((X > -1,), {"axis": 1}, False),
    "any": ((X > 1,), {}, False), "count_nonzero": ((X > 0,), {"axis": 0}, False),
    "cumsum": ((X,), {"axis": 1}, True), "norm": ((X,), {"axis": 1}, True),
    "normalize": ((X,), {}, True),
    "reshape": ((X, (2, 6)), {}, True), "transpose": ((X,), {}, True),
    "swapaxes": ((X, 0, 1), {}, True), "moveaxis": ((X[None], 0, 2), {}, True),
    "expand_dims": ((X, 1), {}, True), "squeeze": ((X[:, None],), {"axis": 1}, True),
    "concatenate": (([X, Y],), {"axis": 1}, False), "stack": (([X, Y],), {"axis": 1}, False),
    "broadcast_to": ((V, (3, 4)), {}, True), "flip": ((X,), {"axis": 1}, True),
    "tile": ((V, (2, 2)), {}, True), "repeat": ((X, 2), {"axis": 0}, True),
    "repeat-flat": ((X, 3), {}, True), "take": ((X, [2, 0, 2]), {"axis": 1}, True),
    "take_along_axis": ((X, np.argsort(X, axis=1)), {"axis": 1}, True),
    "sort": ((X,), {}, True), "argsort": ((X,), {"axis": 0}, False),
    "diag": ((V,), {}, True),
    "matmul": ((X, M), {}, True), "dot": ((V, V), {}, True), "outer": ((V, V), {}, True),
    "relu": ((X,), {}, True), "relu6": ((6 * X,), {}, True), "sigmoid": ((X,), {}, True),
    "softplus": ((X,), {}, True), "softsign": ((X,), {}, True), "silu": ((X,), {}, True),
    "log_sigmoid": ((X,), {}, True), "leaky_relu": ((X,), {}, True),
    "elu": ((X,), {"alpha": 0.7}, True), "selu": ((X,), {}, True), "gelu": ((X,), {}, True),
    "gelu-exact": ((X,), {"approximate": False}, True), "hard_sigmoid": ((3 * X,), {}, True),
    "hard_silu": ((3 * X,), {}, True), "softmax": ((X,), {}, True),
    "log_softmax": ((X,), {"axis": 0}, True),
    "binary_crossentropy": ((BITS, PROBS), {}, False),
    "binary_crossentropy-logits": ((BITS, X), {"from_logits": True}, False),
    "categorical_crossentropy": ((ONEHOT, PROBS), {}, False),
    "sparse_categorical_crossentropy": ((LABELS, X), {"from_logits": True}, False),
    "one_hot": ((LABELS, 5), {}, False), "average": ((X,), {"axis": 1, "weights": V}, True),
    "zeros_like": ((X,), {}, False), "full_like": ((X, 3.0), {}, False),
    "cast": ((X, "float64"), {}, True), "stop_gradient": ((X,), {}, False),
}  # fmt: skip


def _torch_args(args, grad):
    import torch

    def convert(a, first):
        if isinstance(a, np.ndarray):
            t = torch.from_numpy(a.copy())
            return t.requires_grad_(True) if first and grad else t
        if isinstance(a, list) and a and isinstance(a[0], np.ndarray):
            return [torch.from_numpy(x.copy()) for x in a]
        return a

    return [convert(a, i == 0) for i, a in enumerate(args)]


def _our_args(args, grad, device):
    def convert(a, first):
        if isinstance(a, np.ndarray):
            return Tensor(a, device=device, requires_grad=first and grad)
        if isinstance(a, list) and a and isinstance(a[0], np.ndarray):
            return [Tensor(x, device=device) for x in a]
        return a

    return [convert(a, i == 0) for i, a in enumerate(args)]


def _values(result):
    if isinstance(result, tuple | list):
        return [_values(r) for r in result]
    if hasattr(result, "detach"):  # torch
        return result.detach().cpu().numpy()
    return host(result)


@pytest.mark.parametrize("case", sorted(CASES))
def test_ops_match_keras(keras, device, case):
    name = case.split("-")[0]
    args, kwargs, grad = CASES[case]
    theirs_in, ours_in = _torch_args(args, grad), _our_args(args, grad, device)
    want = getattr(keras.ops, name)(*theirs_in, **kwargs)
    got = getattr(nn.ops, name)(*ours_in, **kwargs)
    want_v, got_v = _values(want), _values(got)
    np.testing.assert_allclose(np.asarray(got_v, dtype=np.float64),
                               np.asarray(want_v, dtype=np.float64),
                               rtol=2e-6, atol=2e-6)  # fmt: skip
    assert np.shape(got_v) == np.shape(want_v)
    if grad:
        want.sum().backward()
        ag.sum(got).backward()
        np.testing.assert_allclose(host(ours_in[0].grad), theirs_in[0].grad.numpy(),
                                   rtol=2e-5, atol=2e-6)  # fmt: skip


def test_facts_and_creation_match_keras(keras):
    ops = nn.ops
    t = ops.convert_to_tensor(X)
    assert ops.shape(t) == keras.ops.shape(keras.ops.convert_to_tensor(X)) == (3, 4)
    assert ops.dtype(t) == keras.ops.dtype(keras.ops.convert_to_tensor(X)) == "float32"
    assert ops.size(t) == 12 and ops.ndim(t) == 2 and ops.is_tensor(t) and not ops.is_tensor(X)
    assert ops.convert_to_tensor([1.0, 2.0]).dtype == np.float32
    assert ops.convert_to_tensor(np.ones(2)).dtype == np.float64  # NumPy keeps its dtype
    np.testing.assert_array_equal(ops.convert_to_numpy(t), X)
    for name, args in [("zeros", ((2, 3),)), ("ones", ((2,),)), ("full", ((2, 2), 7.0)),
                       ("arange", (1, 7, 2)), ("linspace", (0.0, 1.0, 5)), ("eye", (3,)),
                       ("identity", (3,))]:  # fmt: skip
        np.testing.assert_allclose(ops.convert_to_numpy(getattr(ops, name)(*args)),
                                   keras.ops.convert_to_numpy(getattr(keras.ops, name)(*args)))
    values, indices = ops.top_k(X, 2)
    want_values, want_indices = keras.ops.top_k(X, 2)
    np.testing.assert_allclose(host(values), want_values.numpy())
    np.testing.assert_array_equal(host(indices), want_indices.numpy())
    mean, variance = ops.moments(X, axes=[0])
    want_mean, want_variance = keras.ops.moments(X, axes=[0])
    np.testing.assert_allclose(host(mean), want_mean.numpy(), rtol=1e-6)
    np.testing.assert_allclose(host(variance), want_variance.numpy(), rtol=1e-5)
    rows, cols = ops.nonzero(X > 0)
    want_rows, want_cols = keras.ops.nonzero(X > 0)
    np.testing.assert_array_equal(host(rows), want_rows.numpy())
    np.testing.assert_array_equal(host(cols), want_cols.numpy())


def test_a_custom_loss_written_with_ops_trains_as_in_keras(keras):
    """Hands-On ML's Huber loss in Keras 3's spelling (``keras.ops``), as a compiled loss."""

    def make_huber(ops):
        def huber_fn(y_true, y_pred):
            error = y_true - y_pred
            is_small_error = ops.abs(error) < 1
            squared_loss = ops.square(error) / 2
            linear_loss = ops.abs(error) - 0.5
            return ops.where(is_small_error, squared_loss, linear_loss)

        return huber_fn

    x = RNG.normal(size=(64, 3)).astype(np.float32)
    y = (x @ np.array([[2.0], [-1.0], [0.5]]) + 3 * RNG.standard_t(2, (64, 1))).astype(np.float32)
    histories, weights = {}, None
    for lib in (keras, nn):
        model = lib.Sequential([lib.layers.Input((3,)), lib.layers.Dense(1)])
        if weights is None:
            weights = model.get_weights()
        else:
            model.set_weights(weights)
        model.compile(optimizer="sgd", loss=make_huber(lib.ops))
        histories[lib] = model.fit(x, y, batch_size=16, epochs=3, shuffle=False,
                                   verbose=0).history["loss"]  # fmt: skip
    np.testing.assert_allclose(histories[nn], histories[keras], rtol=1e-5)


def test_missing_ops_say_where_they_would_be():
    with pytest.raises(AttributeError, match="keras.ops.fft is not implemented here"):
        nn.ops.fft  # noqa: B018
