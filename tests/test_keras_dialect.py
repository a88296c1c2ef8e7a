"""The seven silent differences from Keras that issue 11 found, each checked against real
Keras 3 (torch backend) where a number is involved."""

from __future__ import annotations

import numpy as np
import pytest
from _device import host

import nn  # what `import nn as keras` gives a textbook reader
from autograd import Tensor

# Keras 3.15's own tensor-to-NumPy conversion warns under NumPy 2; not ours to fix.
pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

RNG = np.random.default_rng(0)
X = RNG.normal(size=(64, 8)).astype(np.float32)
Y = RNG.integers(0, 3, 64)


def _model(dropout: float = 0.0, batchnorm: bool = False) -> nn.Sequential:
    layers = [nn.layers.Dense(16, activation="relu", input_shape=(8,))]
    if batchnorm:
        layers.append(nn.layers.BatchNormalization())
    if dropout:
        layers.append(nn.layers.Dropout(dropout))
    layers.append(nn.layers.Dense(3, activation="softmax"))
    return nn.Sequential(layers)


def test_batch_hooks_fire_and_a_learning_rate_set_there_is_used():
    """1. on_batch_begin/on_batch_end fire in fit; 2. optimizer.learning_rate is readable
    and assignable (the textbooks' 1cycle callback and learning-rate sweep)."""
    rates, seen = [], []

    class Sweep(nn.callbacks.Callback):
        def on_batch_begin(self, batch, logs=None):
            self.model.optimizer.learning_rate = 0.01 * (batch + 1)

        def on_batch_end(self, batch, logs=None):
            rates.append(float(self.model.optimizer.learning_rate))
            seen.append(logs["loss"])

    model = _model()
    model.compile(optimizer=nn.optimizers.SGD(), loss="sparse_categorical_crossentropy")
    model.fit(X, Y, batch_size=16, epochs=1, shuffle=False, callbacks=[Sweep()], verbose=0)
    assert rates == pytest.approx([0.01, 0.02, 0.03, 0.04])
    assert len(seen) == 4 and all(np.isfinite(seen))


def test_a_learning_rate_assigned_between_fits_changes_the_update():
    model = _model()
    opt = nn.optimizers.SGD(learning_rate=0.1)
    model.compile(optimizer=opt, loss="sparse_categorical_crossentropy")
    model.fit(X, Y, epochs=1, verbose=0)
    opt.learning_rate = 0.0
    before = model.get_weights()
    model.fit(X, Y, epochs=1, verbose=0)
    for a, b in zip(model.get_weights(), before, strict=True):
        np.testing.assert_array_equal(a, b)  # a zero rate: nothing moves


def test_calling_a_model_after_fit_is_inference():
    """3. After fit, model(x) has no dropout (equals predict) and does not touch
    BatchNormalization's moving statistics."""
    model = _model(dropout=0.5, batchnorm=True)
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    model.fit(X, Y, epochs=1, verbose=0)
    moving = [w.copy() for w in model.layers[1].get_weights()[2:]]
    out = host(model(X))
    np.testing.assert_allclose(out, model.predict(X), rtol=1e-6)
    for a, b in zip(model.layers[1].get_weights()[2:], moving, strict=True):
        np.testing.assert_array_equal(a, b)
    assert not np.allclose(host(model(X, training=True)), out)  # training=True: dropout


def test_a_subclass_overriding_call_is_used():
    """4. The book's Monte-Carlo dropout: a Dropout subclass whose call() forces training."""

    class MCDropout(nn.layers.Dropout):
        def call(self, inputs, training=False):
            return super().call(inputs, training=True)

    layer = MCDropout(0.5)
    layer.eval()
    x = Tensor(np.ones((200, 10), np.float32))
    y = host(layer(x))
    assert (y == 0).mean() == pytest.approx(0.5, abs=0.1)  # dropout active in eval mode
    assert set(np.unique(y)) <= {0.0, 2.0}
    plain = nn.layers.Dropout(0.5)
    plain.eval()
    np.testing.assert_array_equal(host(plain(x)), host(x))


@pytest.mark.parametrize(
    ("name", "keras_kwargs"),
    [("SGD", {}), ("Adagrad", {}), ("RMSprop", {}), ("Adam", {}), ("Adamax", {}),
     ("Nadam", {}), ("AdamW", {}), ("Adadelta", {})],
)  # fmt: skip
def test_default_hyper_parameters_are_keras(keras, name, keras_kwargs):
    """5. Keras' defaults under Keras' names (SGD 0.01, the others 0.001; Adagrad's
    accumulator 0.1...)."""
    ours = getattr(nn.optimizers, name)(**keras_kwargs).get_config()
    theirs = getattr(keras.optimizers, name)(**keras_kwargs).get_config()
    for key in (
        "learning_rate",
        "epsilon",
        "beta_1",
        "beta_2",
        "rho",
        "momentum",
        "initial_accumulator_value",
        "weight_decay",
    ):
        if key in theirs:
            assert ours[key] == pytest.approx(theirs[key]), key


def test_activation_and_layer_defaults_are_keras(keras):
    x = np.linspace(-3, 3, 13, dtype=np.float32).reshape(1, 13)
    for name in ("LeakyReLU", "ELU", "ReLU", "Softmax"):  # layer defaults: LeakyReLU 0.3
        ours = host(getattr(nn.layers, name)()(Tensor(x)))
        theirs = keras.ops.convert_to_numpy(getattr(keras.layers, name)()(x))
        np.testing.assert_allclose(ours, theirs, rtol=1e-6, err_msg=name)
    # the activation *function* leaky_relu has slope 0.2 in Keras 3
    np.testing.assert_allclose(
        host(nn.activations.get("leaky_relu")(Tensor(x))),
        keras.ops.convert_to_numpy(keras.activations.get("leaky_relu")(x)),
        rtol=1e-6,
    )
    ours, theirs = nn.layers.PReLU(), keras.layers.PReLU()
    ours(Tensor(x))
    theirs(x)
    np.testing.assert_array_equal(host(ours.alpha), keras.ops.convert_to_numpy(theirs.alpha))


def test_one_optimizer_reused_for_a_second_model_raises():
    """6. Keras refuses; silently the second model would never train."""
    opt = nn.optimizers.Adam()
    first, second = _model(), _model()
    first.compile(optimizer=opt, loss="sparse_categorical_crossentropy")
    first.fit(X, Y, epochs=1, verbose=0)
    second.compile(optimizer=opt, loss="sparse_categorical_crossentropy")
    with pytest.raises(ValueError):
        second.fit(X, Y, epochs=1, verbose=0)


def test_build_then_set_weights_then_call_keeps_the_weights():
    """7. layer.build(shape) marks the layer built: set_weights is not undone by the call."""
    layer = nn.layers.Dense(2)
    layer.build((None, 3))
    assert layer.built
    w = [np.arange(6, dtype=np.float32).reshape(3, 2), np.array([1.0, -1.0], np.float32)]
    layer.set_weights(w)
    out = host(layer(np.ones((1, 3), np.float32)))
    np.testing.assert_allclose(out, [[0 + 2 + 4 + 1, 1 + 3 + 5 - 1]])
