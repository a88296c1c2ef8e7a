"""Layer normalization in both dialects: ``nn.LayerNorm``/``F.layer_norm`` against PyTorch
and ``keras.layers.LayerNormalization`` against Keras 3 (values, gradients, a few fit
steps), with gradient checks in float64."""

from __future__ import annotations

import numpy as np
import pytest
import strategies as S
from _device import host
from _keras_reference import IGNORE_KERAS_ARRAY_WARNING
from hypothesis import given
from hypothesis import strategies as st
from strategies import on_device

import autograd as ag
import nn
import nn.functional as F
from autograd import Tensor

pytestmark = IGNORE_KERAS_ARRAY_WARNING
RNG = np.random.default_rng(11)


@on_device
@given(S.nonscalar_shapes.flatmap(lambda s: st.tuples(st.just(s), st.integers(1, len(s)))),
       st.data())  # fmt: skip
def test_layer_norm_gradient(device, case, data):
    shape, k = case
    normalized = shape[len(shape) - k:]
    x = data.draw(S.arrays(shape))
    x = x + np.linspace(0, 1, x.size).reshape(shape)  # no constant group: σ² > 0
    w, b = data.draw(S.arrays(normalized)), data.draw(S.arrays(normalized))
    xs = [Tensor(a, device=device, requires_grad=True) for a in (x, w, b)]
    assert ag.gradcheck(lambda t, g, c: F.layer_norm(t, normalized, g, c, eps=1e-3), xs)


@pytest.mark.parametrize("normalized", [(6,), (3, 6)])
def test_layernorm_matches_torch(torch, device, normalized):
    x = RNG.normal(size=(4, 3, 6)) * 3 + 1
    ours = nn.LayerNorm(normalized, dtype="float64").to(device)
    theirs = torch.nn.LayerNorm(normalized, dtype=torch.float64)
    w, b = RNG.normal(size=normalized), RNG.normal(size=normalized)
    with ag.no_grad():
        ours.weight.copy_(Tensor(w, device=device))
        ours.bias.copy_(Tensor(b, device=device))
    with torch.no_grad():
        theirs.weight.copy_(torch.from_numpy(w))
        theirs.bias.copy_(torch.from_numpy(b))
    xt, tx = Tensor(x, device=device, requires_grad=True), torch.tensor(x, requires_grad=True)
    y, ty = ours(xt), theirs(tx)
    np.testing.assert_allclose(host(y), ty.detach().numpy(), rtol=1e-10, atol=1e-12)
    g = RNG.normal(size=x.shape)
    y.backward(Tensor(g, device=device))
    ty.backward(torch.from_numpy(g))
    np.testing.assert_allclose(host(xt.grad), tx.grad.numpy(), rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(host(ours.weight.grad), theirs.weight.grad.numpy(), rtol=1e-9)
    np.testing.assert_allclose(host(ours.bias.grad), theirs.bias.grad.numpy(), rtol=1e-9)
    assert list(ours.state_dict()) == list(theirs.state_dict())
    functional = F.layer_norm(Tensor(x, device=device), normalized, eps=1e-5)
    want = torch.nn.functional.layer_norm(torch.tensor(x), normalized, eps=1e-5)
    np.testing.assert_allclose(host(functional), want.numpy(), rtol=1e-10, atol=1e-12)


def test_layernorm_refuses_a_wrong_shape():
    with pytest.raises(ValueError, match=r"LayerNorm: expected an input ending in shape \(5,\)"):
        nn.LayerNorm(5)(Tensor(np.zeros((2, 4), np.float32)))


def test_layer_normalization_trains_as_in_keras(keras):
    x = RNG.normal(size=(64, 8)).astype(np.float32) * 4
    y = RNG.integers(0, 3, 64)
    weights = [RNG.normal(size=(8, 16)).astype(np.float32) * 0.3, np.zeros(16, np.float32),
               RNG.uniform(0.5, 1.5, 16).astype(np.float32), RNG.normal(size=16).astype(np.float32),
               RNG.normal(size=(16, 3)).astype(np.float32) * 0.3, np.zeros(3, np.float32)]
    results = []
    for lib in (keras, nn):
        model = lib.Sequential([lib.Input(shape=(8,)), lib.layers.Dense(16, activation="relu"),
                                lib.layers.LayerNormalization(),
                                lib.layers.Dense(3, activation="softmax")])  # fmt: skip
        model.set_weights(weights)
        model.compile(optimizer=lib.optimizers.SGD(learning_rate=0.1),
                      loss="sparse_categorical_crossentropy", metrics=["accuracy"])
        history = model.fit(x, y, batch_size=16, epochs=2, shuffle=False, verbose=0).history
        results.append((history, model.get_weights(), model.count_params()))
    (theirs, w_theirs, n_theirs), (mine, w_mine, n_mine) = results
    assert n_mine == n_theirs
    for key in theirs:
        np.testing.assert_allclose(mine[key], theirs[key], rtol=2e-5, err_msg=key)
    for a, b in zip(w_mine, w_theirs, strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-5)
