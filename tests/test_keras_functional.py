"""Keras' functional API and multi-input / multi-output training, against real Keras 3.

Each comparison builds the same model with both libraries from one builder (``nn``'s Keras
namespaces are spelled as Keras'), gives both the same weights (Keras' ``get_weights()``
after seeding, copied in with ``set_weights``: this also checks that the weights come in
the same order), trains both on the same batches (``shuffle=False``) and compares what a
student sees: predictions, ``history.history`` (keys and values), ``evaluate``'s list and
``predict``'s structure. The tests without the ``keras`` fixture check the graph itself,
the merging layers and the errors.
"""

from __future__ import annotations

import numpy as np
import pytest
from _device import host

import autograd
import nn
from nn.core.symbolic import KerasTensor

RTOL, ATOL = 2e-4, 2e-5

# Keras 3.15 on NumPy 2 converts its tensors with np.array(x, copy=False) internally and
# NumPy warns about it: noise from the reference, not from this project
pytestmark = pytest.mark.filterwarnings(
    "ignore:__array__ implementation doesn't accept a copy keyword:DeprecationWarning"
)


# ---------------------------------------------------------------------- shared builders
def _data(n: int = 96, seed: int = 0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 8)).astype(np.float32)
    y = (X[:, 0] - 0.5 * X[:, 3] + 0.1 * rng.normal(size=n)).astype(np.float32)
    return X, y


def _wide_and_deep(lib):
    """Hands-On ML ch. 10: one input, its normalized copy concatenated with a deep path."""
    normalization = lib.layers.Normalization()
    hidden1 = lib.layers.Dense(30, activation="relu")
    hidden2 = lib.layers.Dense(30, activation="relu")
    concat = lib.layers.Concatenate()
    output_layer = lib.layers.Dense(1)
    input_ = lib.layers.Input(shape=(8,))
    normalized = normalization(input_)
    out = output_layer(concat([normalized, hidden2(hidden1(normalized))]))
    return lib.Model(inputs=[input_], outputs=[out]), [normalization]


def _two_inputs(lib, aux: bool = False):
    """Two inputs (features 0-4 and 2-7), and with ``aux`` an auxiliary output."""
    input_wide, input_deep = lib.layers.Input(shape=[5]), lib.layers.Input(shape=[6])
    norm_wide, norm_deep = lib.layers.Normalization(), lib.layers.Normalization()
    hidden1 = lib.layers.Dense(30, activation="relu")(norm_deep(input_deep))
    hidden2 = lib.layers.Dense(30, activation="relu")(hidden1)
    concat = lib.layers.concatenate([norm_wide(input_wide), hidden2])
    output = lib.layers.Dense(1)(concat)
    outputs = [output, lib.layers.Dense(1)(hidden2)] if aux else [output]
    return lib.Model(inputs=[input_wide, input_deep], outputs=outputs), [norm_wide, norm_deep]


def _same_start(keras, keras_model, model, norms_k, norms_x, adapt_data, seed: int = 1):
    """Seed Keras' Dense kernels and biases, adapt both libraries' Normalization layers on
    the same data, then copy every Keras weight into the xpgrad model."""
    rng = np.random.default_rng(seed)
    for layer in keras_model.layers:
        if isinstance(layer, keras.layers.Dense):
            layer.set_weights([rng.uniform(-0.3, 0.3, w.shape).astype(np.float32)
                               for w in layer.get_weights()])  # fmt: skip
    for nk, nx, data in zip(norms_k, norms_x, adapt_data, strict=True):
        nk.adapt(data)
        nx.adapt(data)
    model.set_weights(keras_model.get_weights())


def _assert_history_equal(h_keras, h_xpgrad):
    assert sorted(h_xpgrad) == sorted(h_keras)
    for key in h_keras:
        np.testing.assert_allclose(h_xpgrad[key], h_keras[key], rtol=RTOL, atol=ATOL,
                                   err_msg=key)  # fmt: skip


@pytest.fixture
def fresh_keras(keras):
    """Keras with fresh name counters (xpgrad's restart before every test, see conftest):
    both libraries then name the layers, and so the logs, alike."""
    keras.backend.clear_session()
    return keras


# ---------------------------------------------------------------------- against real Keras
@pytest.mark.host_only("compares with real Keras on the host")
def test_wide_and_deep_trains_as_keras(fresh_keras):
    keras = fresh_keras
    X, y = _data()
    km, knorms = _wide_and_deep(keras)
    xm, xnorms = _wide_and_deep(nn)
    assert [la.name for la in xm.layers] == [la.name for la in km.layers]
    assert xm.count_params() == km.count_params()
    _same_start(keras, km, xm, knorms, xnorms, [X])
    np.testing.assert_allclose(host(xm(X[:5])), km.predict(X[:5], verbose=0), rtol=RTOL,
                               atol=ATOL)  # fmt: skip
    for m, lib in ((km, keras), (xm, nn)):
        m.compile(loss="mse", optimizer=lib.optimizers.Adam(1e-3),
                  metrics=["RootMeanSquaredError"])  # fmt: skip
    hk = km.fit(X, y, epochs=2, batch_size=16, validation_data=(X[:32], y[:32]),
                shuffle=False, verbose=0)  # fmt: skip
    hx = xm.fit(X, y, epochs=2, batch_size=16, validation_data=(X[:32], y[:32]),
                shuffle=False, verbose=0)  # fmt: skip
    _assert_history_equal(hk.history, hx.history)
    np.testing.assert_allclose(xm.evaluate(X, y, verbose=0), km.evaluate(X, y, verbose=0),
                               rtol=RTOL, atol=ATOL)  # fmt: skip
    np.testing.assert_allclose(xm.predict(X[:3], verbose=0), km.predict(X[:3], verbose=0),
                               rtol=RTOL, atol=ATOL)  # fmt: skip


@pytest.mark.host_only("compares with real Keras on the host")
def test_two_input_model_trains_as_keras(fresh_keras):
    keras = fresh_keras
    X, y = _data()
    wide, deep = X[:, :5], X[:, 2:]
    km, knorms = _two_inputs(keras)
    xm, xnorms = _two_inputs(nn)
    assert [la.name for la in xm.layers] == [la.name for la in km.layers]
    _same_start(keras, km, xm, knorms, xnorms, [wide, deep])
    for m, lib in ((km, keras), (xm, nn)):
        m.compile(loss="mse", optimizer=lib.optimizers.Adam(1e-3),
                  metrics=["RootMeanSquaredError"])  # fmt: skip
    fit = {"epochs": 2, "batch_size": 16, "shuffle": False, "verbose": 0,
           "validation_data": ((wide[:32], deep[:32]), y[:32])}  # fmt: skip
    _assert_history_equal(km.fit((wide, deep), y, **fit).history,
                          xm.fit((wide, deep), y, **fit).history)  # fmt: skip
    np.testing.assert_allclose(xm.evaluate((wide, deep), y, verbose=0),
                               km.evaluate((wide, deep), y, verbose=0), rtol=RTOL, atol=ATOL)
    # a list of arrays is several inputs too, as in Keras
    np.testing.assert_allclose(xm.predict([wide[:3], deep[:3]], verbose=0),
                               km.predict([wide[:3], deep[:3]], verbose=0), rtol=RTOL, atol=ATOL)


@pytest.mark.host_only("compares with real Keras on the host")
def test_two_output_model_with_loss_weights_logs_as_keras(fresh_keras):
    keras = fresh_keras
    X, y = _data()
    wide, deep = X[:, :5], X[:, 2:]
    km, knorms = _two_inputs(keras, aux=True)
    xm, xnorms = _two_inputs(nn, aux=True)
    assert xm.output_names == km.output_names
    _same_start(keras, km, xm, knorms, xnorms, [wide, deep])
    for m, lib in ((km, keras), (xm, nn)):
        m.compile(loss=("mse", "mse"), loss_weights=(0.9, 0.1),
                  optimizer=lib.optimizers.Adam(1e-3),
                  metrics=["RootMeanSquaredError", "RootMeanSquaredError"])  # fmt: skip
    fit = {"epochs": 2, "batch_size": 16, "shuffle": False, "verbose": 0,
           "validation_data": ((wide[:32], deep[:32]), (y[:32], y[:32]))}  # fmt: skip
    hk = km.fit((wide, deep), (y, y), **fit).history
    hx = xm.fit((wide, deep), (y, y), **fit).history
    assert "dense_3_loss" in hx and "val_dense_2_RootMeanSquaredError" in hx
    _assert_history_equal(hk, hx)
    # the weighted total is what trains: loss = 0.9 main + 0.1 aux
    np.testing.assert_allclose(hx["loss"][-1], 0.9 * hx["dense_2_loss"][-1]
                               + 0.1 * hx["dense_3_loss"][-1], rtol=1e-4)  # fmt: skip
    ek = km.evaluate((wide, deep), (y, y), verbose=0)
    ex = xm.evaluate((wide, deep), (y, y), verbose=0)
    assert len(ex) == len(ek) == 5  # total, the two losses, the two metrics (Keras' order)
    np.testing.assert_allclose(ex, ek, rtol=RTOL, atol=ATOL)
    assert xm.evaluate((wide, deep), (y, y), verbose=0, return_dict=True).keys() == (
        km.evaluate((wide, deep), (y, y), verbose=0, return_dict=True).keys()
    )
    new = (wide[:3], deep[:3])
    pk, px = km.predict(new, verbose=0), xm.predict(new, verbose=0)
    assert type(px) is type(pk) and len(px) == 2
    for a, b in zip(px, pk, strict=True):
        np.testing.assert_allclose(a, b, rtol=RTOL, atol=ATOL)
    # targets as a dict by output name
    by_name = dict(zip(xm.output_names, (y, y), strict=True))
    np.testing.assert_allclose(xm.evaluate((wide, deep), by_name, verbose=0), ex, rtol=1e-6)


def _subclassed(lib):
    class WideAndDeepModel(lib.Model):
        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            self.norm_layer_wide = lib.layers.Normalization()
            self.hidden1 = lib.layers.Dense(30, activation="relu")
            self.main_output = lib.layers.Dense(1)
            self.aux_output = lib.layers.Dense(1)

        def call(self, inputs):
            input_wide, input_deep = inputs
            hidden1 = self.hidden1(input_deep)
            concat = lib.layers.concatenate([self.norm_layer_wide(input_wide), hidden1])
            return self.main_output(concat), self.aux_output(hidden1)

    return WideAndDeepModel(name="my_cool_model")


@pytest.mark.host_only("compares with real Keras on the host")
def test_subclassed_model_with_two_inputs_and_outputs_logs_as_keras(fresh_keras):
    keras = fresh_keras
    X, y = _data()
    wide, deep = X[:, :5], X[:, 2:]
    km, xm = _subclassed(keras), _subclassed(nn)
    for m in (km, xm):
        m.norm_layer_wide.adapt(wide)
        m((wide[:2], deep[:2]))  # creates the weights
    xm.set_weights(km.get_weights())
    for m, lib in ((km, keras), (xm, nn)):
        # per-output lists, one metric shared by name: Keras' keys mae, mae_1, mse_loss...
        m.compile(loss=["mse", "mae"], loss_weights=[0.9, 0.1],
                  optimizer=lib.optimizers.SGD(0.01), metrics=[["mae"], ["mse", "mae"]])
    fit = {"epochs": 2, "batch_size": 32, "shuffle": False, "verbose": 0}
    hk = km.fit((wide, deep), (y, y), **fit).history
    hx = xm.fit((wide, deep), (y, y), **fit).history
    assert sorted(hx) == ["loss", "mae", "mae_1", "mae_loss", "mse", "mse_loss"]
    _assert_history_equal(hk, hx)
    ek = km.evaluate((wide, deep), (y, y), verbose=0)
    ex = xm.evaluate((wide, deep), (y, y), verbose=0)
    assert len(ex) == len(ek) == 7  # Keras repeats the metrics listed twice by name
    np.testing.assert_allclose(ex, ek, rtol=RTOL, atol=ATOL)
    new = (wide[:3], deep[:3])
    pk, px = km.predict(new, verbose=0), xm.predict(new, verbose=0)
    assert isinstance(px, tuple) and type(px) is type(pk)
    for a, b in zip(px, pk, strict=True):
        np.testing.assert_allclose(a, b, rtol=RTOL, atol=ATOL)


@pytest.mark.host_only("compares with real Keras on the host")
def test_layer_names_and_connections_as_keras(fresh_keras):
    keras = fresh_keras
    km, _ = _two_inputs(keras, aux=True)
    xm, _ = _two_inputs(nn, aux=True)
    assert [la.name for la in xm.layers] == [la.name for la in km.layers]
    assert [type(la).__name__ for la in xm.layers] == [type(la).__name__ for la in km.layers]
    assert xm.name == km.name == "functional"
    text = xm.summary(print_fn=None)
    assert "Connected to" in text
    row = next(line for line in text.splitlines() if line.startswith(" concatenate "))
    assert row.split()[-1] == "normalization[0][0]"  # then dense_1[0][0] on the next line
    assert f"Total params: {km.count_params():,}" in text


# ---------------------------------------------------------------------- the graph itself
def test_input_is_a_symbolic_tensor_and_layers_give_shapes():
    x = nn.Input(shape=(8,), name="features")
    assert isinstance(x, KerasTensor) and x.shape == (None, 8) and x.name == "features"
    h = nn.layers.Dense(3)(x)
    assert isinstance(h, KerasTensor) and h.shape == (None, 3)
    assert nn.layers.Concatenate()([x, h]).shape == (None, 11)
    assert nn.layers.Flatten()(nn.Input((2, 3))).shape == (None, 6)
    with pytest.raises(TypeError, match="symbolic"):
        x + h  # noqa: B018 - the misuse under test


def test_model_entry_points_make_a_functional_model():
    x = nn.Input((4,))
    y = nn.layers.Dense(2)(x)
    for make in (nn.Model, nn.models.Model):
        model = make(inputs=x, outputs=y)
        assert isinstance(model, nn.models.Functional) and isinstance(model, nn.Model)
    model = nn.Model(x, y)
    out = model(np.ones((3, 4), np.float32))
    assert host(out).shape == (3, 2)


def test_sequential_still_takes_input():
    model = nn.Sequential([nn.Input((784,)), nn.layers.Dense(10)])
    assert [type(la).__name__ for la in model.layers] == ["Dense"]
    assert model.count_params() == 7850


def test_shared_layer_runs_once_per_call_and_gradients_flow():
    autograd.manual_seed(0)
    a, b = nn.Input((3,)), nn.Input((3,))
    shared = nn.layers.Dense(2)
    out = nn.layers.Add()([shared(a), shared(b)])
    model = nn.Model([a, b], out)
    assert [la.name for la in model.layers].count(shared.name) == 1
    assert model.count_params() == 8
    xa = np.arange(6, dtype=np.float32).reshape(2, 3)
    xb = np.ones((2, 3), np.float32)
    kernel, bias = (host(w) for w in shared.weights)
    expected = xa @ kernel + bias + xb @ kernel + bias
    y = model([xa, xb])
    np.testing.assert_allclose(host(y), expected, rtol=1e-6)
    y.sum().backward()
    # d/dW of sum(xa W + xb W) = (xa + xb) summed over the batch, per output column
    np.testing.assert_allclose(host(shared.kernel.grad),
                               np.repeat((xa + xb).sum(0)[:, None], 2, axis=1), rtol=1e-6)


def test_merging_layers_work_eagerly_with_gradients():
    a = autograd.Tensor(np.array([[1.0, 2.0]], np.float32), requires_grad=True)
    b = autograd.Tensor(np.array([[3.0, 5.0]], np.float32), requires_grad=True)
    layers = nn.layers
    np.testing.assert_array_equal(host(layers.concatenate([a, b])), [[1, 2, 3, 5]])
    np.testing.assert_array_equal(host(layers.add([a, b])), [[4, 7]])
    np.testing.assert_array_equal(host(layers.subtract([a, b])), [[-2, -3]])
    np.testing.assert_array_equal(host(layers.multiply([a, b])), [[3, 10]])
    np.testing.assert_array_equal(host(layers.average([a, b])), [[2, 3.5]])
    np.testing.assert_array_equal(host(layers.maximum([a, b])), [[3, 5]])
    np.testing.assert_array_equal(host(layers.minimum([a, b])), [[1, 2]])
    layers.multiply([a, b]).sum().backward()
    np.testing.assert_array_equal(host(a.grad), [[3, 5]])  # d(ab)/da = b
    # NumPy arrays are accepted and float64 is cast to the layer's float32
    out = layers.concatenate([np.ones((2, 1)), np.zeros((2, 2), np.float32)])
    assert host(out).shape == (2, 3) and host(out).dtype == np.float32
    with pytest.raises(ValueError, match="agree except along that axis"):
        layers.Concatenate(axis=-1)([nn.Input((2, 3)), nn.Input((3, 3))])
    with pytest.raises(ValueError, match="at least 2 inputs"):
        layers.Add()([nn.Input((2,))])


def test_dict_inputs_and_outputs():
    wide, deep = nn.Input((2,), name="wide"), nn.Input((3,), name="deep")
    main = nn.layers.Dense(1, name="main")(nn.layers.concatenate([wide, deep]))
    aux = nn.layers.Dense(1, name="aux")(deep)
    model = nn.Model({"wide": wide, "deep": deep}, {"main": main, "aux": aux})
    x = {"wide": np.ones((4, 2), np.float32), "deep": np.ones((4, 3), np.float32)}
    out = model(x)
    assert isinstance(out, dict) and list(out) == ["main", "aux"]
    model.compile(optimizer="sgd", loss={"main": "mse", "aux": "mae"},
                  loss_weights={"main": 1.0, "aux": 0.5})  # fmt: skip
    history = model.fit(x, {"main": np.zeros(4), "aux": np.ones(4)}, epochs=1, verbose=0)
    assert sorted(history.history) == ["aux_loss", "loss", "main_loss"]
    pred = model.predict(x, verbose=0)
    assert isinstance(pred, dict) and pred["main"].shape == (4, 1)
    with pytest.raises(ValueError, match="missing"):
        model({"wide": x["wide"]})


def test_misuse_is_a_clear_error():
    x1, x2 = nn.Input((3,)), nn.Input((2,))
    y = nn.layers.Dense(1)(nn.layers.concatenate([x1, x2]))
    model = nn.Model([x1, x2], y)
    with pytest.raises(ValueError, match="expects 2 input"):
        model(np.ones((4, 3), np.float32))
    with pytest.raises(ValueError, match=r"expects shape \(None, 2\)"):
        model([np.ones((4, 3), np.float32), np.ones((4, 3), np.float32)])
    with pytest.raises(ValueError, match="Graph disconnected"):
        nn.Model(x1, y)
    with pytest.raises(TypeError, match="keras.Input"):
        nn.Model(np.ones(3), y)
    with pytest.raises(ValueError, match="unique"):
        z = nn.layers.Dense(1, name="same")(x1)
        nn.Model(x1, nn.layers.Dense(1, name="same")(z))
    model.compile(optimizer="sgd", loss="mse")
    with pytest.raises(ValueError, match="fit: x holds 1 array.* takes 2 input"):
        model.fit(np.ones((4, 3), np.float32), np.ones(4), verbose=0)
    with pytest.raises(ValueError, match=r"x\[0\]: 4, x\[1\]: 5"):
        model.fit([np.ones((4, 3)), np.ones((5, 2))], np.ones(4), verbose=0)
    two = nn.Model(x1, [nn.layers.Dense(1)(x1), nn.layers.Dense(1)(x1)])
    with pytest.raises(ValueError, match="loss has 3 entries, but the model has 2 outputs"):
        two.compile(optimizer="sgd", loss=["mse", "mse", "mse"])
    with pytest.raises(ValueError, match="metrics has 1 entries"):
        two.compile(optimizer="sgd", loss="mse", metrics=["mae"])
    two.compile(optimizer="sgd", loss="mse")
    with pytest.raises(ValueError, match="y holds 1 target array.* 2 output"):
        two.fit(np.ones((4, 3)), np.ones(4), verbose=0)


def test_training_flag_recorded_in_the_graph(keras):
    """Monte-Carlo dropout: Dropout(...)(x, training=True) drops when the model is called
    without a mode; predict() calls it in inference mode, which wins, as in Keras 3."""
    for lib in (nn, keras):
        x = lib.Input((1000,))
        model = lib.Model(x, lib.layers.Dropout(0.5)(x, training=True))
        out = np.asarray(host(model(np.ones((2, 1000), np.float32))))
        assert 0.3 < (out == 0).mean() < 0.7
        out = np.asarray(host(model.predict(np.ones((2, 1000), np.float32), verbose=0)))
        assert (out == 0).mean() == 0


def test_config_round_trip_through_a_saved_file(tmp_path):
    a, b = nn.Input((3,), name="a"), nn.Input((2,), name="b")
    shared = nn.layers.Dense(4, activation="relu", name="shared")
    h = nn.layers.concatenate([shared(a), nn.layers.Dense(4)(b)])
    model = nn.Model([a, b], [nn.layers.Dense(1, name="main")(h), shared(a)])
    path = str(tmp_path / "functional.npz")
    model.save(path)
    loaded = nn.load_model(path)
    assert isinstance(loaded, nn.models.Functional)
    assert [la.name for la in loaded.layers] == [la.name for la in model.layers]
    x = [np.random.default_rng(0).normal(size=(5, 3)).astype(np.float32),
         np.ones((5, 2), np.float32)]  # fmt: skip
    for got, want in zip(loaded(x), model(x), strict=True):
        np.testing.assert_array_equal(host(got), host(want))
    # clone_model: the same graph and names, compiled as the original (per-output settings)
    model.compile(optimizer="sgd", loss=["mse", "mse"], loss_weights=[1.0, 0.5],
                  metrics={"main": ["mae"]})  # fmt: skip
    clone = nn.clone_model(model)
    assert [la.name for la in clone.layers] == [la.name for la in model.layers]
    history = clone.fit(x, [np.zeros(5), np.zeros((5, 4))], verbose=0)
    assert sorted(history.history) == ["loss", "main_loss", "main_mae", "shared_loss"]


def test_several_inputs_and_outputs_train_alike_on_a_device(accelerator):
    """The arrays are staged by one DataLoader on the model's device; the per-output
    losses and metrics stay there until the logs are read."""
    X, y = _data(64)
    histories = []
    for device in ("cpu", accelerator):
        nn.backend.clear_session()
        autograd.manual_seed(3)
        model, norms = _two_inputs(nn, aux=True)
        for norm, data in zip(norms, (X[:, :5], X[:, 2:]), strict=True):
            norm.adapt(data)
        model.to(device)
        model.compile(loss=("mse", "mae"), loss_weights=(0.9, 0.1), optimizer="adam",
                      metrics=[["mae"], ["mse"]])  # fmt: skip
        history = model.fit((X[:, :5], X[:, 2:]), (y, y), epochs=2, batch_size=16,
                            shuffle=False, verbose=0)  # fmt: skip
        histories.append(history.history)
        assert model._training_device().split(":")[0] == device
    _assert_history_equal(*histories)


class _Gate(nn.layers.Layer):
    """A layer of two positional tensor arguments (keras.io's ``LogisticEndpoint`` idiom):
    ``gate(values, scores)``."""

    def __init__(self, scale=1.0, **kwargs):
        super().__init__(**kwargs)
        self.scale = scale

    def call(self, values, scores):
        return values * autograd.sigmoid(scores * self.scale)

    def get_config(self):
        return {**super().get_config(), "scale": self.scale}


def test_a_layer_call_on_several_positional_tensors_is_recorded_and_saved(tmp_path, keras):
    values, scores = nn.Input(shape=(3,), name="values"), nn.Input(shape=(3,), name="scores")
    gated = _Gate(2.0, name="gate")(values, nn.layers.Dense(3, name="proj")(scores))
    model = nn.Model([values, scores], gated)
    k_values, k_scores = keras.Input(shape=(3,), name="values"), keras.Input(shape=(3,),
                                                                             name="scores")
    k_model = keras.Model([k_values, k_scores], keras.layers.Multiply(name="gate")(
        [k_values, keras.layers.Dense(3, name="proj")(k_scores)]))
    assert [la.name for la in model.layers] == [la.name for la in k_model.layers]
    x = [np.linspace(-1, 1, 12, dtype=np.float32).reshape(4, 3),
         np.linspace(1, -2, 12, dtype=np.float32).reshape(4, 3)]
    expected = host(model(x))
    w = host(model.get_layer("proj").kernel)
    np.testing.assert_allclose(expected, x[0] / (1 + np.exp(-2 * (x[1] @ w + host(
        model.get_layer("proj").bias)))), rtol=1e-6)
    # this project's config, and Keras' file format both ways
    again = nn.Model.from_config(model.get_config(), custom_objects={"_Gate": _Gate})
    again.set_weights(model.get_weights())
    np.testing.assert_allclose(host(again(x)), expected, rtol=1e-6)
    path = str(tmp_path / "gate.keras")
    model.save(path)

    class _KerasGate(keras.layers.Layer):  # the same layer in real Keras
        def __init__(self, scale=1.0, **kwargs):
            super().__init__(**kwargs)
            self.scale = scale

        def call(self, values, scores):
            return values * keras.ops.sigmoid(scores * self.scale)

        def get_config(self):
            return {**super().get_config(), "scale": self.scale}

    _KerasGate.__name__ = _KerasGate.__qualname__ = "_Gate"  # Keras writes the class name
    theirs = keras.models.load_model(path, custom_objects={"_Gate": _KerasGate})
    np.testing.assert_allclose(theirs.predict(x, verbose=0), expected, rtol=1e-5)
    theirs.save(str(tmp_path / "back.keras"))
    back = nn.models.load_model(str(tmp_path / "back.keras"), custom_objects={"_Gate": _Gate})
    np.testing.assert_allclose(host(back(x)), expected, rtol=1e-6)


def test_a_built_sequential_is_a_graph_for_feature_extraction(keras):
    def build(lib):
        model = lib.Sequential([lib.Input(shape=(6,)), lib.layers.Dense(5, activation="relu"),
                                lib.layers.Dense(4, activation="relu", name="middle"),
                                lib.layers.Dense(3)])
        rng = np.random.default_rng(4)
        for layer in model.layers:
            layer.set_weights([rng.normal(size=w.shape).astype(np.float32)
                               for w in layer.get_weights()])
        return model

    x = np.linspace(-1, 1, 12, dtype=np.float32).reshape(2, 6)
    for lib in (nn, keras):
        model = build(lib)
        extractor = lib.Model(inputs=model.inputs,
                              outputs=[layer.output for layer in model.layers])
        middle = lib.Model(model.inputs, model.get_layer("middle").output)
        features = extractor.predict(x, verbose=0)
        if lib is nn:
            ours = ([np.asarray(f) for f in features], middle.predict(x, verbose=0),
                    model.input_shape, model.output_shape)
        else:
            theirs = ([np.asarray(f) for f in features], middle.predict(x, verbose=0),
                      model.input_shape, model.output_shape)
    for a, b in zip(ours[0], theirs[0], strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-5)
    np.testing.assert_allclose(ours[1], theirs[1], rtol=1e-5)
    assert ours[2:] == theirs[2:] == ((None, 6), (None, 3))


def test_a_sequentials_graph_follows_add_and_pop():
    model = nn.Sequential([nn.layers.Dense(4), nn.layers.Dense(3)])
    with pytest.raises(AttributeError, match="has no input yet"):
        model.inputs  # noqa: B018
    model(np.ones((2, 5), np.float32))  # built by its first call, as in Keras
    first = model.inputs[0]
    assert model.outputs[0].shape == (None, 3) and model.output_shape == (None, 3)
    model.add(nn.layers.Dense(2))
    assert model.inputs[0] is first and model.outputs[0].shape == (None, 2)
    model.pop()
    model.pop()
    assert model.outputs[0].shape == (None, 4)
    whole = nn.Model(model.inputs, model.outputs)
    np.testing.assert_allclose(host(whole(np.ones((2, 5), np.float32))),
                               host(model(np.ones((2, 5), np.float32))), rtol=1e-6)
    class Doubling(nn.Module):  # a PyTorch-style module of one's own: no symbolic form
        def forward(self, x):
            return 2 * x

    torch_style = nn.Sequential(nn.Linear(5, 4), Doubling())
    torch_style.build((None, 5))
    with pytest.raises(AttributeError, match="PyTorch module"):
        torch_style.outputs  # noqa: B018


def test_symbolic_dtypes_read_as_keras_gives_them(keras):
    assert nn.Input(shape=(3,)).dtype == keras.Input(shape=(3,)).dtype == "float32"
    assert nn.Input(shape=(3,), dtype="float64").dtype == "float64"


class _Scale(nn.layers.Layer):
    """A custom layer whose get_config leaves out its name (keras.io's CustomDense)."""

    def __init__(self, factor=2.0):
        super().__init__()
        self.factor = factor

    def call(self, inputs):
        return inputs * self.factor

    def get_config(self):
        return {"factor": self.factor}


def test_from_config_finds_a_custom_layer_whose_config_has_no_name():
    inputs = nn.Input(shape=(3,))
    model = nn.Model(inputs, _Scale(3.0)(nn.layers.Dense(2, name="d")(inputs)))
    again = nn.Model.from_config(model.get_config(), custom_objects={"_Scale": _Scale})
    again.set_weights(model.get_weights())
    x = np.ones((2, 3), np.float32)
    np.testing.assert_allclose(host(again(x)), host(model(x)), rtol=1e-6)
    assert [type(la).__name__ for la in again.layers] == ["InputLayer", "Dense", "_Scale"]


def _recorded_modes(lib):
    base = lib.Sequential([lib.Input((4,)), lib.layers.Dense(3), lib.layers.BatchNormalization()])
    inputs = lib.Input((4,))
    x = base(inputs, training=False)  # keras.io's transfer-learning guide writes this
    x = lib.layers.Dropout(0.5)(x, training=True)  # Monte-Carlo dropout, recorded
    model = lib.Model(inputs, lib.layers.Dense(1)(x))
    model.set_weights([np.random.default_rng(4).normal(0, 0.5, w.shape).astype(np.float32)
                       for w in model.get_weights()])  # fmt: skip
    model.compile("sgd", "mse")
    return model, base.layers[1]


def test_the_models_mode_replaces_a_recorded_training_argument_as_in_keras_3(keras):
    """Keras 3's functional models hand their own mode to every call that takes one, over
    the ``training=`` recorded when the model was made: ``fit`` runs
    ``base(inputs, training=False)`` in training mode (its BatchNormalization updates its
    statistics) and ``predict`` runs a recorded ``Dropout(...)(x, training=True)`` in
    inference mode. The first is said once in a warning."""
    x = np.random.default_rng(5).normal(size=(16, 4)).astype(np.float32)
    y = np.random.default_rng(6).normal(size=(16, 1)).astype(np.float32)
    mine, my_bn = _recorded_modes(nn)
    theirs, their_bn = _recorded_modes(keras)
    np.testing.assert_array_equal(mine.predict(x, verbose=0), mine.predict(x, verbose=0))
    np.testing.assert_allclose(mine.predict(x, verbose=0), theirs.predict(x, verbose=0),
                               rtol=1e-5)  # fmt: skip
    with pytest.warns(UserWarning, match="training=False .* as in Keras 3"):
        mine.fit(x, y, batch_size=16, epochs=1, shuffle=False, verbose=0)
    keras.utils.set_random_seed(0)
    theirs.fit(x, y, batch_size=16, epochs=1, shuffle=False, verbose=0)
    assert np.abs(my_bn.get_weights()[2]).max() > 0  # the moving mean moved
    np.testing.assert_allclose(my_bn.get_weights()[2], their_bn.get_weights()[2], rtol=1e-5)
    np.testing.assert_allclose(my_bn.get_weights()[3], their_bn.get_weights()[3], rtol=1e-5)


def test_a_sequential_starting_with_a_built_model_is_built_as_in_keras(keras):
    counts = {}
    for lib in (nn, keras):
        base = lib.Sequential([lib.Input((8,)), lib.layers.Dense(4)])
        model = lib.Sequential([base, lib.layers.Dense(2)])
        assert model.layers[-1].built
        counts[lib] = (model.count_params(), tuple(model.output_shape))
    assert counts[nn] == counts[keras] == (36 + 10, (None, 2))
