"""Activity regularization against Keras 3: ``Dense(activity_regularizer=...)`` and the
``ActivityRegularization`` layer add ``penalty(output) / batch size`` to the loss (a
sparse autoencoder's codings, Hands-On ML ch. 17), in ``model.losses``, in ``fit`` and in
``evaluate``, and through ``.keras`` files both ways. (The Dense argument was accepted and
ignored before: training lacked the penalty, silently.)"""

from __future__ import annotations

import numpy as np
import pytest
from _device import host
from _keras_reference import IGNORE_KERAS_ARRAY_WARNING
from test_keras_files import _h5py

import nn as ours

pytestmark = IGNORE_KERAS_ARRAY_WARNING

X = np.random.default_rng(0).normal(size=(40, 6)).astype(np.float32)


def _autoencoder(lib):
    inputs = lib.Input((6,))
    codings = lib.layers.Dense(3, activation="sigmoid",
                               activity_regularizer=lib.regularizers.l1(1e-2))(inputs)
    hidden = lib.layers.ActivityRegularization(l1=1e-3, l2=1e-2)(codings)
    model = lib.Model(inputs, lib.layers.Dense(6)(hidden))
    model.set_weights([np.random.default_rng(i).normal(0, 0.5, w.shape).astype(np.float32)
                       for i, w in enumerate(model.get_weights())])  # fmt: skip
    model.compile("sgd", "mse")
    return model


def _numbers(values):
    return [float(np.asarray(host(v.detach().cpu() if hasattr(v, "detach") else v)))
            for v in values]  # fmt: skip


def test_the_penalties_join_losses_fit_and_evaluate_as_in_keras(keras):
    mine, theirs = _autoencoder(ours), _autoencoder(keras)
    mine(X[:5])
    theirs(X[:5])
    np.testing.assert_allclose(_numbers(mine.losses), _numbers(theirs.losses), rtol=1e-6)
    got = mine.fit(X, X, batch_size=16, epochs=3, shuffle=False, verbose=0).history["loss"]
    want = theirs.fit(X, X, batch_size=16, epochs=3, shuffle=False, verbose=0).history["loss"]
    np.testing.assert_allclose(got, want, rtol=1e-5)
    np.testing.assert_allclose(mine.evaluate(X, X, verbose=0), theirs.evaluate(X, X, verbose=0),
                               rtol=1e-5)  # fmt: skip


@pytest.mark.parametrize("writer", ["xpgrad", "keras"])
def test_an_activity_regularizer_travels_through_keras_files(keras, tmp_path, writer):
    _h5py()
    libs = {"xpgrad": ours, "keras": keras}
    source, reader = libs[writer], libs["keras" if writer == "xpgrad" else "xpgrad"]
    model = source.Sequential([source.Input((6,)),
                               source.layers.Dense(3, activity_regularizer="l2")])
    path = str(tmp_path / "activity.keras")
    model.save(path)
    loaded = reader.models.load_model(path)
    loaded(X[:4])
    model(X[:4])
    np.testing.assert_allclose(_numbers(loaded.losses), _numbers(model.losses), rtol=1e-6)
