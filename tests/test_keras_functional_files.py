"""Functional models in ``.keras`` files, both ways with Keras 3 (Deep Learning with
Python ch. 7: ``ModelCheckpoint("checkpoint_path.keras")`` on a functional model), and
``layer.input``/``layer.output`` for feature extraction."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from _device import host
from _keras_reference import IGNORE_KERAS_ARRAY_WARNING
from test_keras_files import _h5py

import nn as ours

pytestmark = IGNORE_KERAS_ARRAY_WARNING

RNG = np.random.default_rng(31)
X = RNG.normal(size=(64, 6)).astype(np.float32)
Y = (X[:, :1] * 2 - X[:, 1:2] + 0.1 * RNG.normal(size=(64, 1))).astype(np.float32)


def _wide_and_deep(lib):
    """Hands-On ML ch. 10's wide & deep model: a Concatenate of the input and a deep path."""
    inputs = lib.Input(shape=(6,))
    hidden = lib.layers.Dense(8, activation="relu")(inputs)
    hidden = lib.layers.Dropout(0.2)(hidden)
    hidden = lib.layers.Dense(5, activation="relu")(hidden)
    concat = lib.layers.Concatenate()([inputs, hidden])
    output = lib.layers.Dense(1)(concat)
    model = lib.Model(inputs=[inputs], outputs=[output])
    model.set_weights([np.random.default_rng(2).normal(0, 0.3, w.shape)
                       for w in model.get_weights()])  # fmt: skip
    return model


def _two_in_two_out(lib):
    a, b = lib.Input(shape=(6,), name="a"), lib.Input(shape=(3,), name="b")
    joined = lib.layers.Concatenate()([a, b])
    hidden = lib.layers.Dense(4, activation="relu", name="hidden")(joined)
    first = lib.layers.Dense(1, name="first")(hidden)
    second = lib.layers.Add(name="second")([lib.layers.Dense(2)(hidden),
                                            lib.layers.Dense(2)(a)])  # fmt: skip
    model = lib.Model(inputs=[a, b], outputs=[first, second])
    model.set_weights([np.random.default_rng(3).normal(0, 0.3, w.shape)
                       for w in model.get_weights()])  # fmt: skip
    return model


@pytest.mark.parametrize("writer", ["keras", "xpgrad"])
def test_a_trained_functional_model_travels_with_its_optimizer_state(keras, tmp_path, writer):
    _h5py()
    source_lib, reader_lib = (keras, ours) if writer == "keras" else (ours, keras)
    model = _wide_and_deep(source_lib)
    model.compile(optimizer="adam", loss="mse", metrics=["mae"])
    model.fit(X, Y, batch_size=16, epochs=2, shuffle=False, verbose=0)
    path = tmp_path / "wide_deep.keras"
    model.save(str(path))
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)
        loaded = reader_lib.models.load_model(str(path))
    assert [type(la).__name__ for la in loaded.layers] == [
        "InputLayer", "Dense", "Dropout", "Dense", "Concatenate", "Dense"]
    # two libraries' float32 sums: an absolute floor near zero
    np.testing.assert_allclose(np.asarray(host(loaded.predict(X, verbose=0))),
                               np.asarray(host(model.predict(X, verbose=0))), rtol=1e-5,
                               atol=1e-6)  # fmt: skip
    # compiled as saved, the optimizer's moments came along: training continues alike
    # (Dropout draws different masks in the two libraries: evaluate, then train without it)
    np.testing.assert_allclose(loaded.evaluate(X, Y, verbose=0), model.evaluate(X, Y, verbose=0),
                               rtol=1e-5)  # fmt: skip


@pytest.mark.parametrize("writer", ["keras", "xpgrad"])
def test_several_inputs_and_outputs_keep_their_graph(keras, tmp_path, writer):
    _h5py()
    source_lib, reader_lib = (keras, ours) if writer == "keras" else (ours, keras)
    model = _two_in_two_out(source_lib)
    path = tmp_path / "two.keras"
    model.save(str(path))
    loaded = reader_lib.models.load_model(str(path), compile=False)
    b = RNG.normal(size=(64, 3)).astype(np.float32)
    want = model.predict([X, b], verbose=0)
    got = loaded.predict([X, b], verbose=0)
    for w, g in zip(want, got, strict=True):
        np.testing.assert_allclose(np.asarray(host(g)), np.asarray(host(w)), rtol=1e-5,
                                   atol=1e-6)  # fmt: skip
    assert [la.name for la in loaded.layers][:2] == ["a", "b"]


def test_model_checkpoint_saves_a_functional_model_while_it_trains(tmp_path):
    """DLwP ch. 7: ModelCheckpoint(filepath="checkpoint_path.keras", save_best_only=True)."""
    _h5py()
    model = _wide_and_deep(ours)
    model.compile(optimizer="rmsprop", loss="mse")
    path = tmp_path / "checkpoint_path.keras"
    checkpoint = ours.callbacks.ModelCheckpoint(filepath=str(path), monitor="val_loss",
                                                save_best_only=True)  # fmt: skip
    model.fit(X, Y, epochs=2, batch_size=16, validation_data=(X, Y), callbacks=[checkpoint],
              verbose=0)  # fmt: skip
    best = ours.models.load_model(str(path))
    assert best.evaluate(X, Y, verbose=0) == pytest.approx(min(model.history.history["val_loss"]),
                                                           rel=1e-5)


def test_layer_input_and_output_extract_features_as_in_keras(keras):
    outs = {}
    for lib in (keras, ours):
        model = _wide_and_deep(lib)
        features = lib.Model(inputs=model.inputs, outputs=model.layers[3].output)
        outs[lib] = np.asarray(host(features.predict(X, verbose=0)))
        concat = model.layers[4]
        assert [tuple(t.shape) for t in concat.input] == [(None, 6), (None, 5)]
        assert tuple(concat.output.shape) == (None, 11)
    np.testing.assert_allclose(outs[ours], outs[keras], rtol=1e-5, atol=1e-6)
    with pytest.raises(AttributeError, match="never been called"):
        ours.layers.Dense(2).output  # noqa: B018


@pytest.mark.parametrize("writer", ["keras", "xpgrad"])
def test_functional_weights_files_both_ways(keras, tmp_path, writer):
    _h5py()
    source_lib, reader_lib = (keras, ours) if writer == "keras" else (ours, keras)
    source, target = _wide_and_deep(source_lib), _wide_and_deep(reader_lib)
    source.set_weights([w + 1.0 for w in source.get_weights()])
    source.save_weights(str(tmp_path / "w.weights.h5"))
    target.load_weights(str(tmp_path / "w.weights.h5"))
    for got, want in zip(target.get_weights(), source.get_weights(), strict=True):
        np.testing.assert_array_equal(np.asarray(host(got)), np.asarray(host(want)))


@pytest.mark.parametrize("form", ["lists", "dicts"])
@pytest.mark.parametrize("writer", ["keras", "xpgrad"])
def test_several_outputs_load_compiled_as_saved(keras, tmp_path, writer, form):
    """Per-output losses, metrics and loss weights (as lists or dicts by output name)."""
    _h5py()
    source_lib, reader_lib = (keras, ours) if writer == "keras" else (ours, keras)
    b = RNG.normal(size=(64, 3)).astype(np.float32)
    targets = [Y, (RNG.random((64, 2)) > 0.5).astype(np.float32)]
    model = _two_in_two_out(source_lib)
    if form == "lists":
        model.compile(optimizer="adam", loss=["mse", "mae"], metrics=[["mae"], ["mse"]],
                      loss_weights=[1.0, 0.5])  # fmt: skip
    else:
        model.compile(optimizer="adam", loss={"first": "mse", "second": "mae"},
                      metrics={"first": ["mae"], "second": ["mse"]},
                      loss_weights={"first": 1.0, "second": 0.5})  # fmt: skip
    model.fit([X, b], targets, batch_size=16, epochs=1, shuffle=False, verbose=0)
    model.save(str(tmp_path / "two.keras"))
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)  # "loaded uncompiled"
        loaded = reader_lib.models.load_model(str(tmp_path / "two.keras"))
    np.testing.assert_allclose(loaded.evaluate([X, b], targets, verbose=0),
                               model.evaluate([X, b], targets, verbose=0), rtol=1e-5)
    want = model.fit([X, b], targets, batch_size=16, epochs=1, shuffle=False, verbose=0)
    got = loaded.fit([X, b], targets, batch_size=16, epochs=1, shuffle=False, verbose=0)
    for key in want.history:
        np.testing.assert_allclose(got.history[key], want.history[key], rtol=1e-5, err_msg=key)
