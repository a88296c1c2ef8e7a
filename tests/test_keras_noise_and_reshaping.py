"""Keras' Rescaling, Reshape, GaussianNoise, GaussianDropout and AlphaDropout: the
deterministic two against Keras 3 (a whole fit), the noise layers by what their noise
must be (identity at inference, the moments of the training noise), AlphaDropout's
self-normalizing property included."""

from __future__ import annotations

import numpy as np
import pytest
from _device import host
from _keras_reference import IGNORE_KERAS_ARRAY_WARNING

import autograd as ag
import nn as keras_here
from autograd import Tensor

pytestmark = IGNORE_KERAS_ARRAY_WARNING
RNG = np.random.default_rng(21)


def test_rescaling_and_reshape_train_as_in_keras(keras):
    x = RNG.integers(0, 256, (48, 12)).astype(np.uint8)
    y = RNG.integers(0, 3, 48)
    w = [RNG.normal(size=(12, 3)).astype(np.float32) * 0.3, np.zeros(3, np.float32)]
    runs = []
    for lib in (keras, keras_here):
        model = lib.Sequential([lib.Input(shape=(12,)), lib.layers.Rescaling(1 / 255, offset=-0.5),
                                lib.layers.Reshape((3, 4)), lib.layers.Reshape((-1,)),
                                lib.layers.Dense(3, activation="softmax")])  # fmt: skip
        model.set_weights(w)
        model.compile(optimizer=lib.optimizers.SGD(0.5), loss="sparse_categorical_crossentropy")
        runs.append(model.fit(x, y, batch_size=16, epochs=2, shuffle=False, verbose=0).history)
        assert tuple(model.layers[1].compute_output_shape((None, 12))) == (None, 3, 4)
    np.testing.assert_allclose(runs[1]["loss"], runs[0]["loss"], rtol=1e-5)


@pytest.mark.parametrize("layer", ["GaussianNoise", "GaussianDropout", "AlphaDropout"])
def test_noise_layers_are_the_identity_at_inference(device, layer):
    x = Tensor(RNG.normal(size=(8, 5)).astype(np.float32), device=device)
    noisy = getattr(keras_here.layers, layer)(0.3)
    np.testing.assert_array_equal(host(noisy(x, training=False)), host(x))


def test_the_training_noise_has_its_moments(device):
    ag.manual_seed(0)
    n = 200_000
    x = Tensor(np.ones(n, np.float32), device=device)
    added = host(keras_here.layers.GaussianNoise(0.2)(x, training=True)) - 1.0
    assert abs(added.mean()) < 3e-3 and abs(added.std() - 0.2) < 3e-3
    factor = host(keras_here.layers.GaussianDropout(0.2)(x, training=True))
    assert abs(factor.mean() - 1.0) < 5e-3 and abs(factor.std() - 0.5) < 5e-3  # √(.2/.8)


def test_alpha_dropout_keeps_a_standardized_input_standardized(device):
    ag.manual_seed(1)
    x = Tensor(np.random.default_rng(2).normal(size=400_000).astype(np.float32), device=device)
    y = host(keras_here.layers.AlphaDropout(0.2)(x, training=True))
    assert abs(y.mean()) < 1e-2 and abs(y.var() - 1.0) < 1e-2
    values, counts = np.unique(y, return_counts=True)  # the dropped share one value, a·α' + b
    alpha_p = -1.6732632423543772 * 1.0507009873554805
    a = ((1 - 0.2) * (1 + 0.2 * alpha_p**2)) ** -0.5
    assert values[counts.argmax()] == pytest.approx(a * alpha_p - a * alpha_p * 0.2, rel=1e-6)
    assert abs(counts.max() / y.size - 0.2) < 5e-3


def test_noise_layers_refuse_bad_rates():
    with pytest.raises(ValueError, match="rate must be in"):
        keras_here.layers.AlphaDropout(1.0)
    with pytest.raises(ValueError, match="rate must be in"):
        keras_here.layers.GaussianDropout(-0.1)
    with pytest.raises(ValueError, match="at most one -1"):
        keras_here.layers.Reshape((-1, -1))
