"""nn.utils.to_categorical, as keras.utils.to_categorical."""

from __future__ import annotations

import numpy as np
import pytest

import autograd as ag
import nn


def test_to_categorical_matches_an_identity_lookup():
    y = np.array([2, 0, 1, 2])
    onehot = nn.utils.to_categorical(y)
    assert onehot.dtype == np.float64 and onehot.shape == (4, 3)  # as Keras 3's NumPy result
    np.testing.assert_array_equal(onehot, np.eye(3)[y])
    assert nn.utils.to_categorical(y, dtype="float32").dtype == np.float32  # Keras 2's argument
    np.testing.assert_array_equal(nn.utils.to_categorical(y.reshape(-1, 1), 5), np.eye(5)[y])
    np.testing.assert_array_equal(nn.utils.to_categorical(y.astype(float)), np.eye(3)[y])


def test_to_categorical_rejects_bad_labels():
    with pytest.raises(ValueError, match="out of range for 3 classes"):
        nn.utils.to_categorical(np.array([0, 3]), num_classes=3)
    with pytest.raises(ValueError, match=">= 0"):
        nn.utils.to_categorical(np.array([-1, 0]))
    with pytest.raises(ValueError, match="integers"):
        nn.utils.to_categorical(np.array([0.5, 1.0]))


def test_categorical_crossentropy_training_on_one_hot_labels():
    rng = np.random.default_rng(0)
    x = rng.normal(0, 1, (120, 2)).astype(np.float32)
    y = (x[:, 0] > 0).astype(np.int64)
    ag.manual_seed(0)
    model = nn.Sequential([nn.Dense(8, activation="relu", input_shape=(2,)),
                           nn.Dense(2, activation="softmax")])  # fmt: skip
    # lr 0.02: learns from any initial weights within 20 epochs (at Keras' default 1e-3 the
    # result depended on the seed, and a GPU's generator draws other weights for seed 0)
    model.compile(optimizer=nn.optimizers.Adam(learning_rate=0.02),
                  loss="categorical_crossentropy", metrics=["accuracy"])
    history = model.fit(x, nn.utils.to_categorical(y), epochs=20, verbose=0)
    assert history.history["accuracy"][-1] > 0.9
