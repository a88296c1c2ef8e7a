"""Keras' custom objects (Hands-On ML ch. 12 in Keras 3's spelling) against Keras 3: layers
that build their weights, the ``training`` argument handed down, ``add_loss``, Loss and
Metric subclasses, loss functions with (N,) targets, metric names, ``keras.random``,
``keras.Variable``, and custom layers, losses and optimizer states through ``.keras``
files both ways."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from _device import host
from _keras_reference import IGNORE_KERAS_ARRAY_WARNING
from test_keras_files import _h5py

import autograd as ag
import nn as ours

pytestmark = IGNORE_KERAS_ARRAY_WARNING

RNG = np.random.default_rng(12)
X = RNG.normal(size=(96, 4)).astype(np.float32)
Y = (X @ np.array([1.0, -2.0, 0.5, 3.0]) + 0.3 * RNG.standard_t(2, 96)).astype(np.float32)


def _seeded(model, seed=0):
    model.set_weights([np.random.default_rng(seed).normal(0, 0.3, w.shape)
                       for w in model.get_weights()])  # fmt: skip
    return model


def _huber_fn(ops):
    def huber_fn(y_true, y_pred):
        error = y_true - y_pred
        small = ops.abs(error) < 1
        return ops.where(small, ops.square(error) / 2, ops.abs(error) - 0.5)

    return huber_fn


def _my_dense_class(lib):
    class MyDense(lib.layers.Layer):
        def __init__(self, units, activation=None, **kwargs):
            super().__init__(**kwargs)
            self.units = units
            self.activation = lib.activations.get(activation)

        def build(self, batch_input_shape):
            self.kernel = self.add_weight(name="kernel", shape=[batch_input_shape[-1], self.units],
                                          initializer="glorot_normal")  # fmt: skip
            self.bias = self.add_weight(name="bias", shape=[self.units], initializer="zeros")

        def call(self, x):
            return self.activation(x @ self.kernel + self.bias)

        def get_config(self):
            return {**super().get_config(), "units": self.units,
                    "activation": lib.activations.serialize(self.activation)}  # fmt: skip

    return MyDense


def _huber_loss_class(lib):
    class HuberLoss(lib.losses.Loss):
        def __init__(self, threshold=1.0, **kwargs):
            self.threshold = threshold
            super().__init__(**kwargs)

        def call(self, y_true, y_pred):
            error = y_true - y_pred
            small = lib.ops.abs(error) < self.threshold
            return lib.ops.where(small, lib.ops.square(error) / 2,
                                 self.threshold * lib.ops.abs(error) - self.threshold**2 / 2)

        def get_config(self):
            return {**super().get_config(), "threshold": self.threshold}

    return HuberLoss


# ---------------------------------------------------------------- layers and calls
def test_a_layer_with_build_starts_unbuilt_and_builds_on_its_first_call():
    layer = _my_dense_class(ours)(3)
    assert not layer.built and not hasattr(layer, "kernel")
    out = layer(X[:2])
    assert layer.built and tuple(layer.kernel.shape) == (4, 3) and tuple(out.shape) == (2, 3)
    assert [w.name for w in layer.weights] == ["kernel", "bias"]


def test_training_is_handed_down_as_keras_does():
    seen = []

    class Probe(ours.layers.Layer):
        def call(self, x, training=False):
            seen.append(training)
            return x

    class Outer(ours.Model):
        def __init__(self):
            super().__init__()
            self.probe = Probe()
            self.out = ours.layers.Dense(1)

        def call(self, x):
            return self.out(self.probe(x))

    model = Outer()
    model(X[:2])
    assert seen == [False]  # a plain call: the call's own default
    model(X[:2], training=True)
    assert seen[-1] is True  # an outer call's value reaches the inner layer
    model.compile(optimizer="sgd", loss="mse")
    seen.clear()
    model.fit(X, Y, batch_size=48, epochs=1, verbose=0, validation_data=(X, Y))
    assert seen == [True, True, False, False]  # two training steps, two validation batches
    seen.clear()
    model.predict(X[:5], verbose=0)
    model.evaluate(X, Y, verbose=0)
    assert seen == [False] * 4  # one prediction batch, three evaluation batches


def test_add_loss_terms_last_one_outermost_call_and_join_the_training_loss():
    class Penalised(ours.layers.Layer):
        def call(self, x):
            self.add_loss(ag.sum(x * 0) + 1.5)
            return x

    inner = Penalised()
    model = ours.Sequential([ours.layers.Input((4,)), inner, ours.layers.Dense(1)])
    model(X[:2])
    model(X[:2])
    assert [float(t) for t in model.losses] == [1.5]  # replaced, not accumulated
    _seeded(model)
    model.compile(optimizer="sgd", loss="mse")
    with_penalty = model.evaluate(X, Y, verbose=0)
    model.compile(optimizer="sgd", loss="mse")
    plain = float(np.mean((host(model.predict(X, verbose=0)).ravel() - Y) ** 2))
    assert with_penalty == pytest.approx(plain + 1.5, rel=1e-5)


# ---------------------------------------------------------------- losses
def test_a_loss_function_meets_column_predictions_elementwise(keras):
    """(N,) targets and (N, 1) predictions: Keras matches their ranks before calling a loss
    function (broadcasting them would average every pair instead), but not before a metric
    function (keras-team/keras#19601's kind): the same numbers here, and a warning."""
    histories = {}
    for lib in (keras, ours):
        model = _seeded(lib.Sequential([lib.layers.Input((4,)), lib.layers.Dense(1)]))
        model.compile(optimizer="sgd", loss=_huber_fn(lib.ops), metrics=[_huber_fn(lib.ops)])
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            histories[lib] = model.fit(X, Y, batch_size=32, epochs=2, shuffle=False,
                                       verbose=0).history  # fmt: skip
        if lib is ours:
            assert any("broadcasts them to every pair" in str(w.message) for w in caught)
    for key in histories[keras]:
        np.testing.assert_allclose(histories[ours][key], histories[keras][key], rtol=1e-5)
    # the loss is the elementwise one: what (N, 1) targets give
    model = _seeded(ours.Sequential([ours.layers.Input((4,)), ours.layers.Dense(1)]))
    model.compile(optimizer="sgd", loss=_huber_fn(ours.ops))
    column = model.fit(X, Y.reshape(-1, 1), batch_size=32, epochs=2, shuffle=False, verbose=0)
    np.testing.assert_allclose(histories[ours]["loss"], column.history["loss"], rtol=1e-6)


def test_a_loss_subclass_gets_the_ranks_as_keras_3_gives_them_and_says_so(keras):
    """Keras 3 does not match ranks for a Loss subclass (keras-team/keras#19601): with (N,)
    targets its call broadcasts. The numbers are Keras', and a warning says what happens."""
    results = {}
    for lib in (keras, ours):
        model = _seeded(lib.Sequential([lib.layers.Input((4,)), lib.layers.Dense(1)]))
        model.compile(optimizer="sgd", loss=_huber_loss_class(lib)(2.0))
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            results[lib] = model.fit(X, Y, batch_size=32, epochs=2, shuffle=False,
                                     verbose=0).history["loss"]  # fmt: skip
        if lib is ours:
            assert any("broadcasts them to every pair" in str(w.message) for w in caught)
    np.testing.assert_allclose(results[ours], results[keras], rtol=1e-5)


# ---------------------------------------------------------------- metrics
def test_a_metric_subclass_keeps_its_variables_as_keras():
    class Counting(ours.metrics.Metric):
        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            self.total = self.add_weight(name="total", initializer="zeros")
            self.count = self.add_weight("count", initializer="ones")  # Keras 2's order
            self.vector = self.add_variable(shape=(2,), initializer="zeros", name="vector")

        def update_state(self, y_true, y_pred, sample_weight=None):
            self.total.assign_add(ours.ops.sum(y_pred))
            self.count.assign_add(float(np.size(y_true)))
            self.vector.assign(np.array([1.0, 2.0]))

        def result(self):
            return self.total / self.count

    m = Counting()
    m.update_state(np.ones(3), np.full(3, 2.0))
    assert float(m.result()) == pytest.approx(6.0 / 4.0)
    assert [v.name for v in m.variables] == ["total", "count", "vector"]
    m.reset_state()
    assert [host(v).tolist() for v in m.variables] == [0.0, 1.0, [0.0, 0.0]]
    assert m.get_config() == {"name": m.name, "dtype": None}


def test_metrics_without_a_name_are_numbered_as_keras_numbers_them(keras):
    keras.backend.clear_session()
    ours.backend.clear_session()
    for lib in (keras, ours):
        made = [lib.metrics.Precision(), lib.metrics.AUC(), lib.metrics.Precision(),
                lib.metrics.Mean(), lib.metrics.Mean(), lib.metrics.Precision(name="mine")]
        names = [m.name for m in made]
        if lib is keras:
            want = names
        else:
            assert names == want == ["precision", "auc", "precision_1", "mean", "mean", "mine"]


# ---------------------------------------------------------------- keras.random, keras.Variable
@pytest.mark.parametrize("draw", [
    lambda r, s: r.normal((4000,), mean=1.0, stddev=2.0, seed=s),
    lambda r, s: r.uniform((4000,), minval=-1.0, maxval=3.0, seed=s),
    lambda r, s: r.truncated_normal((4000,), stddev=0.5, seed=s),
    lambda r, s: r.randint((4000,), 0, 7, seed=s),
])  # fmt: skip
def test_random_draws_have_their_distribution_and_seeds_repeat(draw):
    r = ours.random
    a, b = host(draw(r, 3)), host(draw(r, 3))
    np.testing.assert_array_equal(a, b)  # an int seed: the same numbers every call
    generator = r.SeedGenerator(5)
    c, d = host(draw(r, generator)), host(draw(r, generator))
    assert not np.array_equal(c, d)  # a SeedGenerator: new numbers each call...
    again = r.SeedGenerator(5)
    np.testing.assert_array_equal(host(draw(r, again)), c)  # ...reproducibly
    unseeded = host(draw(r, None))
    assert unseeded.shape == (4000,)


def test_random_moments_and_ranges():
    r = ours.random
    n = host(r.normal((20000,), mean=1.0, stddev=2.0, seed=1))
    assert abs(n.mean() - 1.0) < 0.05 and abs(n.std() - 2.0) < 0.05 and n.dtype == np.float32
    u = host(r.uniform((20000,), minval=-1.0, maxval=3.0, seed=1))
    assert u.min() >= -1.0 and u.max() < 3.0 and abs(u.mean() - 1.0) < 0.05
    t = host(r.truncated_normal((20000,), mean=0.5, stddev=0.5, seed=1))
    assert t.min() >= -0.5 and t.max() <= 1.5
    k = host(r.randint((20000,), 2, 5, seed=1))
    assert set(np.unique(k)) == {2, 3, 4}
    x = np.arange(10.0)
    assert sorted(host(r.shuffle(x, seed=2)).tolist()) == x.tolist()
    dropped = host(r.dropout(np.ones(20000, np.float32), 0.25, seed=1))
    assert set(np.unique(dropped)) == {0.0, np.float32(1 / 0.75)}
    assert abs((dropped == 0).mean() - 0.25) < 0.02


def test_variables_assign_and_become_layer_weights():
    v = ours.Variable(np.ones((2, 2), np.float32), name="w")
    v.assign(v * 2)
    v.assign_add(np.ones((2, 2), np.float32))
    v.assign_sub(0.5)
    np.testing.assert_allclose(host(v), np.full((2, 2), 2.5))
    assert v.trainable and v.name == "w"
    frozen = ours.Variable("zeros", shape=(3,), trainable=False)
    assert not frozen.trainable and host(frozen).tolist() == [0.0, 0.0, 0.0]
    assert ours.Variable([1.0, 2.0]).dtype == np.float32  # Python floats: float32

    class Scale(ours.layers.Layer):
        def __init__(self):
            super().__init__()
            self.scale = ours.Variable(2.0)

        def call(self, x):
            return x * self.scale

    assert [w.name for w in Scale().trainable_weights] == ["variable"]


def test_an_initializer_function_in_keras_form_runs_on_the_layers_device(device):
    def my_glorot_initializer(shape, dtype=None):
        return ours.random.normal(shape, stddev=(2.0 / (shape[0] + shape[1])) ** 0.5,
                                  dtype=dtype, seed=1)  # fmt: skip

    layer = ours.layers.Dense(3, kernel_initializer=my_glorot_initializer).to(device)
    layer.build((None, 4))
    assert layer.kernel.device == ag.zeros(1, device=device).device
    assert layer.kernel.dtype == np.float32


# ---------------------------------------------------------------- .keras files, both ways
def _custom_model(lib):
    model = lib.Sequential([lib.layers.Input((4,)), _my_dense_class(lib)(5, activation="relu"),
                            lib.layers.Dense(1)])  # fmt: skip
    _seeded(model)
    model.compile(optimizer="nadam", loss=_huber_loss_class(lib)(2.0))
    return model


@pytest.mark.parametrize("writer", ["keras", "xpgrad"])
def test_custom_layers_and_losses_travel_through_keras_files(keras, tmp_path, writer):
    _h5py()
    libs = {"keras": keras, "xpgrad": ours}
    source_lib = libs[writer]
    reader_lib = ours if writer == "keras" else keras
    y = Y.reshape(-1, 1)
    source = _custom_model(source_lib)
    source.fit(X, y, batch_size=32, epochs=1, shuffle=False, verbose=0)
    path = tmp_path / "custom.keras"
    source.save(str(path))
    custom = {"MyDense": _my_dense_class(reader_lib), "HuberLoss": _huber_loss_class(reader_lib)}
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)
        loaded = reader_lib.models.load_model(str(path), custom_objects=custom)
    assert type(loaded.layers[0]).__name__ == "MyDense" and loaded.layers[0].units == 5
    assert loaded.loss.threshold == 2.0
    np.testing.assert_allclose(np.asarray(host(loaded.predict(X[:4], verbose=0))),
                               np.asarray(host(source.predict(X[:4], verbose=0))), rtol=1e-6)
    # the optimizer's state came along: one more epoch on both sides agrees
    after_source = source.fit(X, y, batch_size=32, epochs=1, shuffle=False, verbose=0)
    after_loaded = loaded.fit(X, y, batch_size=32, epochs=1, shuffle=False, verbose=0)
    np.testing.assert_allclose(after_loaded.history["loss"], after_source.history["loss"],
                               rtol=1e-5)  # fmt: skip


@pytest.mark.parametrize("optimizer", ["nadam", "adamax", "adadelta", "lion", "ftrl"])
@pytest.mark.parametrize("writer", ["keras", "xpgrad"])
def test_more_optimizer_states_travel_through_keras_files(keras, tmp_path, optimizer, writer):
    """Their slots (and Nadam's u_product) are read and written as Keras lays them out:
    training continues after loading as it would have without saving, either way."""
    _h5py()
    libs = {"keras": keras, "xpgrad": ours}
    source_lib, reader_lib = libs[writer], (ours if writer == "keras" else keras)
    y = Y.reshape(-1, 1)
    model = _seeded(source_lib.Sequential([source_lib.layers.Input((4,)),
                                           source_lib.layers.Dense(3, activation="relu"),
                                           source_lib.layers.Dense(1)]))  # fmt: skip
    model.compile(optimizer=optimizer, loss="mse")
    model.fit(X, y, batch_size=32, epochs=2, shuffle=False, verbose=0)
    model.save(str(tmp_path / "m.keras"))
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)  # "optimizer variables not restored"
        loaded = reader_lib.models.load_model(str(tmp_path / "m.keras"))
    want = model.fit(X, y, batch_size=32, epochs=2, shuffle=False, verbose=0).history["loss"]
    got = loaded.fit(X, y, batch_size=32, epochs=2, shuffle=False, verbose=0).history["loss"]
    np.testing.assert_allclose(got, want, rtol=2e-5)


def _auto_config_classes(lib):
    class Scaled(lib.layers.Layer):  # no get_config: Keras 3 makes one from the arguments
        def __init__(self, units=32, scale=1.0, **kwargs):
            super().__init__(**kwargs)
            self.units, self.scale = units, scale

        def build(self, input_shape):
            self.w = self.add_weight(shape=(input_shape[-1], self.units),
                                     initializer="random_normal")

        def call(self, x):
            return lib.ops.matmul(x, self.w) * self.scale

    class Plain(lib.layers.Layer):  # no **kwargs: the name is left out, as Keras leaves it
        def __init__(self, units=3, activation="relu", sizes=(1, 2)):
            super().__init__()

    class Holding(lib.layers.Layer):  # an object argument: no automatic config
        def __init__(self, initializer=None):
            super().__init__()

    return Scaled, Plain, Holding


def test_a_custom_layer_without_get_config_gets_keras_automatic_config(keras):
    mine, theirs = _auto_config_classes(ours), _auto_config_classes(keras)
    for made in (lambda c: c[0](8), lambda c: c[0](units=4, scale=0.5, name="s"),
                 lambda c: c[1](5), lambda c: c[1](sizes=[3, 4])):
        assert made(mine).get_config() == made(theirs).get_config()
    with pytest.raises(NotImplementedError, match="implement get_config"):
        mine[2](initializer=ours.initializers.Zeros()).get_config()
    again = mine[0].from_config(mine[0](4, scale=0.5, name="s").get_config())
    assert (again.units, again.scale, again.name) == (4, 0.5, "s")


@pytest.mark.parametrize("writer", ["xpgrad", "keras"])
def test_a_model_of_auto_config_layers_goes_both_ways_through_keras_files(keras, tmp_path,
                                                                         writer):
    _h5py()
    libs = {"xpgrad": ours, "keras": keras}
    source, reader = libs[writer], libs["keras" if writer == "xpgrad" else "xpgrad"]
    scaled = {lib: _auto_config_classes(lib)[0] for lib in (ours, keras)}
    inputs = source.Input(shape=(3,))
    model = source.Model(inputs, scaled[source](2, scale=3.0)(inputs))
    model.set_weights([np.arange(6, dtype=np.float32).reshape(3, 2)])
    path = str(tmp_path / "auto.keras")
    model.save(path)
    loaded = reader.models.load_model(path, custom_objects={"Scaled": scaled[reader]})
    x = np.ones((2, 3), np.float32)
    np.testing.assert_allclose(loaded.predict(x, verbose=0), model.predict(x, verbose=0))
    assert loaded.layers[-1].scale == 3.0


def test_a_layer_may_keep_its_input_shape_under_any_attribute_name():
    """keras.io's serialization guide keeps ``self._input_shape`` in a layer's build; the
    layer's own bookkeeping must not live under such a name (it did: the Sequential then
    read (8,) as the declared input shape and ran the layer on a batch of shape (2,))."""

    class KeepsShape(ours.layers.Layer):
        def build(self, input_shape):
            self._input_shape = input_shape
            self.w = self.add_weight(shape=(input_shape[-1], 3), initializer="ones")

        def call(self, x):
            return ours.ops.matmul(x, self.w)

    layer = KeepsShape()
    layer.build((8,))
    model = ours.Sequential([layer, ours.layers.Dense(1)])
    assert tuple(model(np.ones((16, 8), np.float32)).shape) == (16, 1)
