"""Keras 3's files (``.keras``, ``.weights.h5``) against real Keras 3.15, both ways.

Real Keras runs here on the PyTorch backend (the ``keras`` fixture). Each direction is
checked by the numbers: the model read by the other library predicts the same outputs
(float32 tolerance) and ``evaluate`` gives the same loss and accuracy, without calling
``compile`` again.
"""

from __future__ import annotations

import json
import sys
import warnings
import zipfile

import numpy as np
import pytest
from _device import host
from conftest import IN_CI

import autograd
import nn
from nn.keras_saving import KerasFormatError

# Keras 3.15 on NumPy 2 converts its tensors with np.array(x, copy=False) internally and
# NumPy warns about it on every predict: noise from the reference, not from this project
pytestmark = pytest.mark.filterwarnings(
    "ignore:__array__ implementation doesn't accept a copy keyword:DeprecationWarning"
)


def _h5py():
    """h5py, the ``keras`` extra (a skip locally, a failure in CI, as the keras fixture)."""
    try:
        import h5py
    except ImportError:
        if IN_CI:
            pytest.fail("h5py is required in CI: pip install -e '.[compare]'")
        pytest.skip("h5py is not installed (pip install -e '.[keras]')")
    return h5py


def _data(n: int = 96, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    return rng.normal(size=(n, 6, 5)).astype(np.float32), rng.integers(0, 4, n)


def _keras_model(keras, optimizer, dropout: bool = True):
    layers = keras.layers
    return keras.Sequential(
        [
            keras.Input(shape=(6, 5)),
            layers.Flatten(),
            layers.Dense(16, activation="relu"),
            layers.BatchNormalization(),
            *([layers.Dropout(0.3)] if dropout else []),
            layers.Dense(4, activation="softmax"),
        ]
    )


def _our_model(dropout: bool = True) -> nn.Sequential:
    layers = nn.layers
    return nn.Sequential(
        [
            layers.Input(shape=(6, 5)),
            layers.Flatten(),
            layers.Dense(16, activation="relu"),
            layers.BatchNormalization(),
            *([layers.Dropout(0.3)] if dropout else []),
            layers.Dense(4, activation="softmax"),
        ]
    )


def _keras_optimizer(keras, name: str):
    return {
        "adam": lambda: "adam",
        "sgd": lambda: keras.optimizers.SGD(learning_rate=0.05, momentum=0.9),
        "rmsprop": lambda: keras.optimizers.RMSprop(learning_rate=0.01, momentum=0.5),
    }[name]()


def _trained_keras_model(keras, optimizer: str, dropout: bool = True, epochs: int = 2):
    keras.utils.set_random_seed(0)
    model = _keras_model(keras, optimizer, dropout)
    model.compile(
        optimizer=_keras_optimizer(keras, optimizer),
        loss="sparse_categorical_crossentropy",
        metrics=["accuracy"],
    )
    x, y = _data()
    model.fit(x, y, epochs=epochs, batch_size=32, verbose=0)
    return model


def _our_optimizer(name: str):
    import optim

    return {
        "adam": lambda: "adam",
        "sgd": lambda: optim.SGD(learning_rate=0.05, momentum=0.9),
        # Keras' RMSprop(0.01, momentum=0.5) in PyTorch's spelling, bound at fit
        "rmsprop": lambda: optim.RMSprop(lr=0.01, alpha=0.9, eps=1e-7, momentum=0.5),
    }[name]()


def _trained_our_model(optimizer: str, dropout: bool = True, epochs: int = 2) -> nn.Sequential:
    autograd.manual_seed(0)
    model = _our_model(dropout)
    model.compile(
        optimizer=_our_optimizer(optimizer),
        loss="sparse_categorical_crossentropy",
        metrics=["accuracy"],
    )
    x, y = _data()
    model.fit(x, y, epochs=epochs, batch_size=32, verbose=0, seed=0)
    return model


def _keras_predict(model, x: np.ndarray) -> np.ndarray:
    return np.asarray(model.predict(x, verbose=0))


def _assert_same_outputs(keras_model, our_model, x: np.ndarray) -> None:
    np.testing.assert_allclose(our_model.predict(x), _keras_predict(keras_model, x),
                               rtol=1e-5, atol=1e-6)  # fmt: skip


def _assert_same_evaluation(keras_model, our_model, x: np.ndarray, y: np.ndarray) -> None:
    keras_loss, keras_accuracy = keras_model.evaluate(x, y, verbose=0)
    our_loss, our_accuracy = our_model.evaluate(x, y, verbose=0)
    assert our_loss == pytest.approx(keras_loss, rel=1e-5)
    assert our_accuracy == pytest.approx(keras_accuracy, abs=1e-7)


def _keras_loads_quietly(keras, path):
    """``keras.models.load_model`` with Keras' own warnings (a variable it skipped, a
    compile it could not do) turned into errors."""
    with warnings.catch_warnings():
        warnings.filterwarnings("error", category=UserWarning)
        return keras.models.load_model(str(path))


# ----------------------------------------------------------------- Keras -> this project
@pytest.mark.parametrize("optimizer", ["adam", "sgd", "rmsprop"])
def test_keras_model_file_loads_here_compiled(keras, tmp_path, optimizer):
    _h5py()
    keras_model = _trained_keras_model(keras, optimizer)
    path = tmp_path / "my_model.keras"
    keras_model.save(str(path))

    ours = nn.models.load_model(str(path))

    assert isinstance(ours, nn.Sequential)
    assert [type(layer).__name__ for layer in ours.layers] == [
        "Flatten", "Dense", "BatchNormalization", "Dropout", "Dense",
    ]  # fmt: skip
    assert [layer.name for layer in ours.layers] == [la.name for la in keras_model.layers]
    assert not ours.training  # as a Keras model called without training=True
    x, y = _data(40, seed=5)
    _assert_same_outputs(keras_model, ours, x)
    _assert_same_evaluation(keras_model, ours, x, y)  # no compile() call: it came with the file
    keras_config = keras_model.optimizer.get_config()
    assert ours.optimizer.param_groups[0]["lr"] == pytest.approx(keras_config["learning_rate"])
    # the class (a name like "adam_1" carries Keras' process-wide counter)
    assert type(ours.optimizer).__name__ == type(keras_model.optimizer).__name__


def test_keras_weights_file_loads_here(keras, tmp_path):
    _h5py()
    keras_model = _trained_keras_model(keras, "adam")
    path = tmp_path / "x.weights.h5"
    keras_model.save_weights(str(path))
    ours = _our_model()
    before = ours.get_weights()

    ours.load_weights(str(path))

    x, _ = _data(40, seed=5)
    _assert_same_outputs(keras_model, ours, x)
    for mine, theirs, old in zip(ours.get_weights(), keras_model.get_weights(), before,
                                 strict=True):  # fmt: skip
        np.testing.assert_array_equal(mine, np.asarray(theirs))
        assert mine.shape == old.shape


# ----------------------------------------------------------------- this project -> Keras
@pytest.mark.parametrize("optimizer", ["adam", "sgd", "rmsprop"])
def test_our_model_file_loads_in_keras(keras, tmp_path, optimizer):
    _h5py()
    ours = _trained_our_model(optimizer)
    path = tmp_path / "my_model.keras"
    ours.save(str(path))

    keras_model = _keras_loads_quietly(keras, path)

    x, y = _data(40, seed=5)
    _assert_same_outputs(keras_model, ours, x)
    _assert_same_evaluation(keras_model, ours, x, y)
    compile_config = keras_model.get_compile_config()
    assert compile_config["loss"] == "sparse_categorical_crossentropy"
    assert compile_config["metrics"] == ["accuracy"]
    keras_optimizer = keras_model.optimizer.get_config()
    assert keras_optimizer["learning_rate"] == pytest.approx(ours.optimizer.param_groups[0]["lr"])
    with zipfile.ZipFile(path) as zf:
        assert sorted(zf.namelist()) == ["config.json", "metadata.json", "model.weights.h5"]
        assert json.loads(zf.read("metadata.json"))["keras_version"] == keras.__version__


def test_our_weights_file_loads_in_keras(keras, tmp_path):
    _h5py()
    ours = _trained_our_model("adam")
    path = tmp_path / "x.weights.h5"
    ours.save_weights(str(path))
    keras_model = _keras_model(keras, "adam")  # identical architecture, fresh weights

    keras_model.load_weights(str(path))

    _assert_same_outputs(keras_model, ours, _data(40, seed=5)[0])


def test_textbook_flow_save_then_evaluate_without_compile(tmp_path):
    """Hands-On ML ch. 10: ``model.save("my_model.keras")``, then
    ``keras.models.load_model(...)`` and ``evaluate`` at once."""
    _h5py()
    model = _trained_our_model("adam")
    x, y = _data(40, seed=5)
    expected = model.evaluate(x, y, verbose=0)
    path = tmp_path / "model-whole.keras"
    model.save(str(path))

    loaded = nn.models.load_model(str(path))

    assert loaded.evaluate(x, y, verbose=0) == pytest.approx(expected, rel=1e-6)
    assert not getattr(nn.load_model(str(path), compile=False), "compiled", False)
    history = loaded.fit(x, y, epochs=1, verbose=0)  # and it trains on
    assert np.isfinite(history.history["loss"][0])


# ----------------------------------------------------------------- optimizer state
@pytest.mark.parametrize(("optimizer", "tolerance"), [("sgd", 1e-6), ("adam", 2e-5)])
def test_optimizer_state_carries_over_from_keras(keras, tmp_path, optimizer, tolerance):
    """Keras trains, saves, and both libraries take one more full-batch step from the
    file: the steps agree only if the moments/momentum were carried over."""
    _h5py()
    keras_model = _trained_keras_model(keras, optimizer, dropout=False, epochs=3)
    path = tmp_path / "m.keras"
    keras_model.save(str(path))
    x, y = _data()
    keras_next = keras.models.load_model(str(path))
    keras_next.fit(x, y, epochs=1, batch_size=len(x), shuffle=False, verbose=0)
    ours = nn.models.load_model(str(path))
    fresh = nn.models.load_model(str(path))
    fresh.compile(optimizer=_fresh_copy(fresh.optimizer, fresh),
                  loss="sparse_categorical_crossentropy")  # fmt: skip

    for model in (ours, fresh):
        model.fit(x, y, epochs=1, batch_size=len(x), shuffle=False, verbose=0)

    expected = keras_next.get_weights()
    for mine, theirs in zip(ours.get_weights(), expected, strict=True):
        np.testing.assert_allclose(mine, np.asarray(theirs), rtol=tolerance, atol=tolerance)
    # without the carried state the step is measurably different: the check can fail
    assert max(
        float(np.abs(mine - np.asarray(theirs)).max())
        for mine, theirs in zip(fresh.get_weights(), expected, strict=True)
    ) > 20 * tolerance


def _fresh_copy(optimizer, model):
    """An optimizer of the same class and hyper-parameters, without state."""
    from optim import keras as keras_optimizers

    if isinstance(optimizer, keras_optimizers.Optimizer):  # what compile's names make now
        return keras_optimizers.deserialize(keras_optimizers.serialize(optimizer))
    hyper = {k: v for k, v in optimizer.param_groups[0].items() if k != "params"}
    return type(optimizer)([p for p in model.parameters() if p.requires_grad], **hyper)


def test_optimizer_state_carries_over_to_keras(keras, tmp_path):
    _h5py()
    ours = _trained_our_model("sgd", dropout=False, epochs=3)
    path = tmp_path / "m.keras"
    ours.save(str(path))
    keras_model = _keras_loads_quietly(keras, path)
    slot = host(ours.optimizer.state[ours.layers[-1].kernel]["momentum_buffer"])
    keras_slot = keras.ops.convert_to_numpy(keras_model.optimizer.variables[-2])
    np.testing.assert_allclose(keras_slot, -0.05 * slot, rtol=1e-6, atol=1e-7)
    x, y = _data()

    for model in (keras_model, ours):
        model.fit(x, y, epochs=1, batch_size=len(x), shuffle=False, verbose=0)

    for mine, theirs in zip(ours.get_weights(), keras_model.get_weights(), strict=True):
        np.testing.assert_allclose(mine, np.asarray(theirs), rtol=1e-5, atol=1e-6)


# ----------------------------------------------------------------- the legacy .h5 file
def test_our_legacy_h5_file_loads_in_keras(keras, tmp_path):
    """혼자 공부하는 머신러닝+딥러닝 7-3: ``model.save('model-whole.h5')`` (Keras 3 still
    writes and reads this Keras 2 format, with a warning)."""
    h5py = _h5py()
    ours = _trained_our_model("adam")
    path = tmp_path / "model-whole.h5"
    with pytest.warns(UserWarning, match="HDF5 file via `model.save\\(\\)`"):
        ours.save(str(path))

    keras_model = keras.models.load_model(str(path))

    x, y = _data(40, seed=5)
    _assert_same_outputs(keras_model, ours, x)
    _assert_same_evaluation(keras_model, ours, x, y)  # compiled from the file
    with h5py.File(path, "r") as f:  # Keras' layout: the Adam variables go along
        assert json.loads(f.attrs["model_config"])["class_name"] == "Sequential"
        assert len(f["optimizer_weights"].attrs["weight_names"]) == 2 + 2 * 6
    assert int(keras_model.optimizer.iterations.numpy()) == 6  # 2 epochs of 3 batches


def test_keras_legacy_h5_file_loads_here(keras, tmp_path):
    _h5py()
    keras_model = _trained_keras_model(keras, "adam", dropout=False, epochs=3)
    legacy, current = tmp_path / "model-whole.h5", tmp_path / "model-whole.keras"
    keras_model.save(str(current))  # first: Keras' .h5 writer drops the optimizer from the
    keras_model.save(str(legacy))   # compile config a later .keras file is written with

    ours = nn.models.load_model(str(legacy))

    assert [layer.name for layer in ours.layers] == [la.name for la in keras_model.layers]
    x, y = _data(40, seed=5)
    _assert_same_outputs(keras_model, ours, x)
    _assert_same_evaluation(keras_model, ours, x, y)
    # the optimizer state came along: one more step from the .h5 file goes where the step
    # from the .keras file (whose state transfer is checked against Keras above) goes
    x, y = _data()
    other = nn.models.load_model(str(current))
    for model in (ours, other):
        model.fit(x, y, epochs=1, batch_size=len(x), shuffle=False, verbose=0)
    for mine, theirs in zip(ours.get_weights(), other.get_weights(), strict=True):
        np.testing.assert_allclose(mine, theirs, rtol=1e-6, atol=1e-7)
    # load_weights reads the weights of a whole-model .h5 file, matched by order
    fresh = _our_model(dropout=False)
    fresh.load_weights(str(legacy))
    _assert_same_outputs(keras_model, fresh, _data(40, seed=5)[0])


def test_legacy_h5_mismatches_and_weights_only_saves_are_refused(tmp_path):
    _h5py()
    path = tmp_path / "model.h5"
    with pytest.warns(UserWarning):
        _trained_our_model("adam").save(str(path))
    other = nn.Sequential([nn.layers.Input(shape=(6, 5)), nn.layers.Flatten(),
                           nn.layers.Dense(4)])  # fmt: skip
    with pytest.raises(KerasFormatError, match=r"weights for 3 layer\(s\).* 1 layer\(s\)"):
        other.load_weights(str(path))
    with pytest.raises(ValueError, match="end in '.weights.h5'"):
        other.save_weights(str(tmp_path / "weights.h5"))  # Keras 3 refuses it too
    x = nn.Input((4,))
    with pytest.raises(KerasFormatError, match="only Sequential"), pytest.warns(UserWarning):
        nn.Model(x, nn.layers.Dense(1)(x)).save(str(tmp_path / "functional.h5"))


# ----------------------------------------------------------------- every supported layer
def _keras_all_layers(keras):
    layers, init = keras.layers, keras.initializers
    return keras.Sequential(
        [
            keras.Input(shape=(5,)),
            layers.Dense(
                8, activation="elu", kernel_initializer="he_normal",
                bias_initializer=init.Constant(0.1),
                kernel_regularizer=keras.regularizers.L2(0.01),
                bias_regularizer=keras.regularizers.L1L2(0.1, 0.2),
                kernel_constraint=keras.constraints.MaxNorm(2.0),
            ),
            layers.BatchNormalization(center=False, momentum=0.9, epsilon=1e-2),
            layers.Activation("tanh"),
            layers.Dense(8, use_bias=False,
                         kernel_initializer=init.VarianceScaling(2.0, "fan_out", "uniform")),
            layers.ReLU(max_value=6.0, negative_slope=0.1, threshold=0.05),
            layers.LeakyReLU(negative_slope=0.2),
            layers.PReLU(alpha_initializer=init.Constant(0.25)),
            layers.ELU(alpha=0.5),
            layers.LayerNormalization(epsilon=1e-2, beta_initializer=init.Constant(0.05)),
            layers.LayerNormalization(center=False),
            layers.Rescaling(0.5, offset=0.1),
            layers.Reshape((4, 2)),
            layers.GaussianNoise(0.05, seed=3),
            layers.Flatten(),
            layers.GaussianDropout(0.1),
            layers.AlphaDropout(0.1),
            layers.Dense(6, activation="selu", kernel_initializer="lecun_uniform"),
            layers.Dense(6, activation="softplus", kernel_initializer="glorot_normal"),
            layers.Dense(6, activation="silu", kernel_initializer=init.RandomNormal(0.0, 0.3)),
            layers.Dense(6, activation="softsign",
                         kernel_initializer=init.TruncatedNormal(stddev=0.3)),
            layers.Dense(6, activation="sigmoid", kernel_initializer=init.RandomUniform(-1, 1)),
            layers.Dropout(0.2, seed=1),
            layers.Flatten(),
            layers.Dense(3),
            layers.Softmax(),
        ]
    )  # fmt: skip


def test_every_supported_layer_round_trips_through_both(keras, tmp_path):
    """Keras file -> here -> Keras file: same numbers at each stop, and Keras reads back
    exactly the layer and compile configurations it wrote."""
    _h5py()
    keras.utils.set_random_seed(0)
    original = _keras_all_layers(keras)
    original.compile(optimizer=keras.optimizers.Adagrad(0.05),
                     loss="sparse_categorical_crossentropy", metrics=["accuracy"])  # fmt: skip
    rng = np.random.default_rng(0)
    x, y = rng.normal(size=(64, 5)).astype(np.float32), rng.integers(0, 3, 64)
    original.fit(x, y, epochs=2, verbose=0)
    first = tmp_path / "keras.keras"
    original.save(str(first))

    ours = nn.load_model(str(first))
    _assert_same_outputs(original, ours, x)
    _assert_same_evaluation(original, ours, x, y)
    second = tmp_path / "ours.keras"
    ours.save(str(second))
    back = _keras_loads_quietly(keras, second)

    _assert_same_outputs(back, ours, x)
    # the input layer's name is not kept (a Sequential here keeps only its shape); the
    # JSON round trip makes in-memory tuples the lists a file holds
    back_layers, original_layers = (
        json.loads(json.dumps(model.get_config()["layers"])) for model in (back, original)
    )
    assert back_layers[0]["config"]["batch_shape"] == original_layers[0]["config"]["batch_shape"]
    assert back_layers[1:] == original_layers[1:]
    assert back.get_compile_config() == original.get_compile_config()
    for a, b in zip(back.optimizer.variables, original.optimizer.variables, strict=True):
        np.testing.assert_allclose(keras.ops.convert_to_numpy(a), keras.ops.convert_to_numpy(b),
                                   rtol=1e-6)  # fmt: skip


def test_our_layers_and_settings_load_in_keras(keras, tmp_path):
    """Built here with this project's spellings (strings, nn.initializers objects,
    regularizers, a constraint, a frozen layer): Keras reads the same model."""
    _h5py()
    layers = nn.layers
    autograd.manual_seed(3)
    ours = nn.Sequential(
        [
            layers.Dense(7, activation="leaky_relu", kernel_initializer="he_uniform",
                         kernel_regularizer="l1", bias_constraint=nn.constraints.NonNeg(),
                         input_shape=(4,)),
            layers.BatchNormalization(scale=False, trainable=False),
            layers.PReLU(alpha_initializer=nn.initializers.Constant(0.2)),
            layers.Dense(5, activation="tanh",
                         kernel_initializer=nn.initializers.VarianceScaling(1.5, "fan_avg")),
            layers.Activation("exponential"),
            layers.Dense(2, activation="log_softmax", name="logp"),
        ],
        name="mine",
    )  # fmt: skip
    ours.compile(optimizer="nadam", loss="mse", metrics=["mae"])
    x = np.random.default_rng(1).normal(size=(20, 4)).astype(np.float32)
    y = np.random.default_rng(2).normal(size=(20, 2)).astype(np.float32)
    ours.fit(x, y, epochs=2, verbose=0)
    path = tmp_path / "mine.keras"
    ours.save(str(path))

    with warnings.catch_warnings():
        # Nadam's variables are not carried (see nn.saving.keras.weights); nothing else may warn
        warnings.filterwarnings("error", category=UserWarning)
        warnings.filterwarnings("ignore", message="Skipping variable loading for optimizer")
        keras_model = keras.models.load_model(str(path))

    assert keras_model.name == "mine"
    assert [layer.name for layer in keras_model.layers] == [la.name for la in ours.layers]
    assert keras_model.layers[1].trainable is False
    assert keras_model.get_compile_config()["metrics"] == ["mae"]
    assert type(keras_model.optimizer).__name__ == "Nadam"
    _assert_same_outputs(keras_model, ours, x)
    keras_loss, keras_mae = keras_model.evaluate(x, y, verbose=0)
    our_loss, our_mae = ours.evaluate(x, y, verbose=0)
    # Keras adds the kernel's L1 penalty to the loss, as this project does
    assert our_loss == pytest.approx(keras_loss, rel=1e-5)
    assert our_mae == pytest.approx(keras_mae, rel=1e-5)


def test_loss_and_metric_objects_travel_both_ways(keras, tmp_path):
    """Keras' loss and metric objects (logits, a named metric class) in compile_config."""
    _h5py()
    keras.utils.set_random_seed(1)
    keras_model = keras.Sequential([keras.Input((6, 5)), keras.layers.Flatten(),
                                    keras.layers.Dense(4)])  # fmt: skip
    keras_model.compile(
        optimizer=keras.optimizers.Adam(0.01),
        loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
        metrics=[keras.metrics.SparseCategoricalAccuracy()],
    )
    x, y = _data(40, seed=5)
    keras_model.fit(x, y, epochs=1, verbose=0)
    first = tmp_path / "logits.keras"
    keras_model.save(str(first))

    ours = nn.load_model(str(first))
    assert ours.loss.from_logits is True
    _assert_same_outputs(keras_model, ours, x)
    _assert_same_evaluation(keras_model, ours, x, y)
    second = tmp_path / "ours.keras"
    ours.save(str(second))
    back = _keras_loads_quietly(keras, second)
    assert back.get_compile_config()["loss"]["config"]["from_logits"] is True
    _assert_same_evaluation(back, ours, x, y)


def test_label_smoothing_travels_both_ways(keras, tmp_path):
    """A cross-entropy with label smoothing keeps it through a file, either way."""
    _h5py()
    keras.utils.set_random_seed(2)
    keras_model = keras.Sequential([keras.Input((6, 5)), keras.layers.Flatten(),
                                    keras.layers.Dense(4, activation="softmax")])  # fmt: skip
    keras_model.compile(optimizer="sgd", metrics=["accuracy"],
                        loss=keras.losses.CategoricalCrossentropy(label_smoothing=0.2))
    x, labels = _data(40, seed=6)
    y = np.eye(4, dtype=np.float32)[labels]
    first = tmp_path / "smoothed.keras"
    keras_model.save(str(first))
    ours = nn.load_model(str(first))
    assert ours.loss.label_smoothing == pytest.approx(0.2)
    _assert_same_evaluation(keras_model, ours, x, y)
    second = tmp_path / "ours.keras"
    ours.save(str(second))
    back = _keras_loads_quietly(keras, second)
    assert back.get_compile_config()["loss"]["config"]["label_smoothing"] == pytest.approx(0.2)
    _assert_same_evaluation(back, ours, x, y)


def test_compiled_but_untrained_models_load_quietly_both_ways(keras, tmp_path):
    """Saved right after compile, before fit: no optimizer state to lose, no warning."""
    _h5py()
    keras_model = _keras_model(keras, "adam")
    keras_model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    keras_path = tmp_path / "keras.keras"
    keras_model.save(str(keras_path))
    ours = _our_model()
    ours.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    our_path = tmp_path / "ours.keras"
    ours.save(str(our_path))

    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)
        loaded = nn.load_model(str(keras_path))
    _keras_loads_quietly(keras, our_path)
    assert loaded.compiled


def test_gelu_is_translated_with_keras_meaning(keras, tmp_path):
    """Keras' "gelu" is the exact x·Φ(x), and so is this project's: same numbers, no warning."""
    _h5py()
    keras_model = keras.Sequential([keras.Input((5,)), keras.layers.Dense(3, activation="gelu")])
    path = tmp_path / "gelu.keras"
    keras_model.save(str(path))
    x = np.random.default_rng(0).normal(size=(8, 5)).astype(np.float32) * 3
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)
        _assert_same_outputs(keras_model, nn.load_model(str(path)), x)


# ----------------------------------------------------------------- refusals
def test_unsupported_keras_layer_is_named(keras, tmp_path):
    _h5py()
    model = keras.Sequential([keras.Input((8, 8, 1)), keras.layers.Conv2D(2, 3),
                              keras.layers.Flatten(), keras.layers.Dense(2)])  # fmt: skip
    path = tmp_path / "cnn.keras"
    model.save(str(path))
    with pytest.raises(KerasFormatError, match="Conv2D.*supported layers: InputLayer"):
        nn.load_model(str(path))


def test_a_functional_keras_model_loads_and_an_unsupported_layer_in_it_is_named(keras, tmp_path):
    _h5py()
    inputs = keras.Input((4,))
    model = keras.Model(inputs, keras.layers.Dense(2)(inputs))
    path = tmp_path / "functional.keras"
    model.save(str(path))
    x = np.ones((3, 4), np.float32)
    np.testing.assert_allclose(host(nn.load_model(str(path))(x)), model(x).detach().numpy(),
                               rtol=1e-6)  # fmt: skip
    hidden = keras.layers.Dense(3)(inputs)
    model = keras.Model(inputs, keras.layers.Dot(axes=1)([hidden, hidden]))
    model.save(str(path))
    with pytest.raises(KerasFormatError, match="'Dot' is not supported"):
        nn.load_model(str(path))


def test_keras_option_without_counterpart_is_refused(keras, tmp_path):
    _h5py()
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dropout(0.5, noise_shape=(None, 1))])
    path = tmp_path / "noise.keras"
    model.save(str(path))
    with pytest.raises(KerasFormatError, match="noise_shape"):
        nn.load_model(str(path))


@pytest.mark.parametrize(
    ("layer", "match"),
    [
        (lambda: nn.Linear(3, 2), "nn.modules.linear.Linear.*supported layers"),
        (lambda: nn.layers.Dense(2, activation=nn.LeakyReLU(0.2)), "activation"),
        (lambda: nn.Flatten(0, 1), "Flatten"),
    ],
)
def test_unsupported_model_is_refused_before_writing(tmp_path, layer, match):
    _h5py()
    model = nn.Sequential([nn.layers.Input(shape=(3,)), layer()])
    path = tmp_path / "bad.keras"
    with pytest.raises(KerasFormatError, match=match):
        model.save(str(path))
    assert not path.exists()


def test_subclassed_layers_and_models_are_written_as_their_own_classes(tmp_path):
    _h5py()

    class MCDropout(nn.layers.Dropout):
        def call(self, inputs, training=None):
            return super().call(inputs, training=True)

    # as Keras: written under its own class name (never as a plain Dropout, which computes
    # something else), read back only with custom_objects
    model = nn.Sequential([nn.layers.Input(shape=(3,)), MCDropout(0.5)])
    model.save(str(tmp_path / "mc.keras"))
    with pytest.raises(KerasFormatError, match="custom_objects=.*MCDropout"):
        nn.load_model(str(tmp_path / "mc.keras"))
    loaded = nn.load_model(str(tmp_path / "mc.keras"), custom_objects={"MCDropout": MCDropout})
    assert type(loaded.layers[0]) is MCDropout and loaded.layers[0].rate == 0.5

    class Wide(nn.Model):
        def __init__(self):
            super().__init__()
            self.out = nn.layers.Dense(1)

        def call(self, inputs):
            return self.out(inputs)

    # a subclassed model too (Keras 3 writes its class, config and build shape): read back
    # only with its class, and refused by name without it
    wide = Wide()
    wide(np.ones((2, 3), np.float32))
    wide.save(str(tmp_path / "wide.keras"))
    with pytest.raises(KerasFormatError, match="custom_objects=.*Wide"):
        nn.load_model(str(tmp_path / "wide.keras"))
    loaded = nn.load_model(str(tmp_path / "wide.keras"), custom_objects={"Wide": Wide})
    np.testing.assert_array_equal(loaded.out.get_weights()[0], wide.out.get_weights()[0])
    # a PyTorch-style module is no Keras model
    with pytest.raises(KerasFormatError, match="only Sequential, functional and subclassed"):
        nn.saving.keras.save_model(nn.Linear(3, 1), str(tmp_path / "linear.keras"))


def test_untranslatable_compile_is_left_out_with_a_warning(tmp_path):
    _h5py()
    model = _our_model()
    model.compile(optimizer="adam", loss=lambda y_true, y_pred: (y_pred * 0).sum())
    path = tmp_path / "custom-loss.keras"
    with pytest.warns(UserWarning, match="without its compile configuration"):
        model.save(str(path))
    with zipfile.ZipFile(path) as zf:
        assert "compile_config" not in json.loads(zf.read("config.json"))
    assert not getattr(nn.load_model(str(path)), "compiled", False)


def test_other_architecture_is_refused_and_leaves_weights(tmp_path):
    _h5py()
    source = _trained_our_model("adam")
    path = tmp_path / "x.weights.h5"
    source.save_weights(str(path))
    target = nn.Sequential([nn.layers.Input(shape=(6, 5)), nn.layers.Flatten(),
                            nn.layers.Dense(17, activation="relu"),
                            nn.layers.BatchNormalization(), nn.layers.Dense(4)])  # fmt: skip
    before = target.get_weights()

    with pytest.raises(KerasFormatError, match=r"layers/dense.*\(30, 16\).*\(30, 17\)"):
        target.load_weights(str(path))

    for now, then in zip(target.get_weights(), before, strict=True):
        np.testing.assert_array_equal(now, then)


def test_unbuilt_model_cannot_load_weights(tmp_path):
    _h5py()
    path = tmp_path / "x.weights.h5"
    _trained_our_model("adam").save_weights(str(path))
    lazy = nn.Sequential([nn.layers.Flatten(), nn.layers.Dense(16)])
    with pytest.raises(KerasFormatError, match="not built"):
        lazy.load_weights(str(path))


# ----------------------------------------------------------------- crafted files
def _weights_file(tmp_path):
    model = _our_model()
    path = tmp_path / "w.weights.h5"
    model.save_weights(str(path))
    return model, path


@pytest.mark.parametrize("link", ["soft", "external"])
def test_links_in_hdf5_are_refused(tmp_path, link):
    h5py = _h5py()
    model, path = _weights_file(tmp_path)
    other = tmp_path / "other.h5"
    with h5py.File(other, "w") as f:
        f["kernel"] = np.ones((30, 16), np.float32)
    with h5py.File(path, "a") as f:
        del f["layers/dense/vars/0"]
        f["layers/dense/vars/0"] = (
            h5py.SoftLink("/layers/dense_1/vars/0") if link == "soft"
            else h5py.ExternalLink(str(other), "/kernel")
        )  # fmt: skip
    with pytest.raises(KerasFormatError, match="Link"):
        model.load_weights(str(path))


def test_integer_weights_are_refused(tmp_path):
    h5py = _h5py()
    model, path = _weights_file(tmp_path)
    with h5py.File(path, "a") as f:
        del f["layers/dense/vars/1"]
        f["layers/dense/vars/1"] = np.zeros(16, np.int64)
    with pytest.raises(KerasFormatError, match="dtype"):
        model.load_weights(str(path))


def test_shape_bomb_dataset_is_refused_before_reading(tmp_path):
    """A config asking for a huge layer, and a dataset of that shape that stores nothing
    (chunked, never written): refused before anything of that size is allocated."""
    h5py = _h5py()
    model = nn.Sequential([nn.layers.Input(shape=(4,)), nn.layers.Dense(3)])
    path = tmp_path / "bomb.keras"
    model.save(str(path))
    with zipfile.ZipFile(path) as zf:
        config = json.loads(zf.read("config.json"))
        metadata = zf.read("metadata.json")
    units = 2**24
    config["config"]["layers"][1]["config"]["units"] = units
    weights = tmp_path / "bomb.h5"
    with h5py.File(weights, "w") as f:
        group = f.create_group("layers/dense/vars")
        group.create_dataset("0", shape=(4, units), dtype="f4", chunks=(4, 1024))
        group.create_dataset("1", shape=(units,), dtype="f4", chunks=(1024,))
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("metadata.json", metadata)
        zf.writestr("config.json", json.dumps(config))
        zf.write(weights, "model.weights.h5")
    with pytest.raises(KerasFormatError, match="stores almost nothing"):
        nn.load_model(str(path))


@pytest.mark.parametrize(
    ("members", "match"),
    [
        ({"config.json": "{not json", "model.weights.h5": b""}, "not valid JSON"),
        ({"config.json": "{}", "metadata.json": "{}"}, "Sequential"),
        ({"metadata.json": "{}"}, "no config.json"),
    ],
)
def test_malformed_archives_are_refused(tmp_path, members, match):
    _h5py()
    path = tmp_path / "bad.keras"
    with zipfile.ZipFile(path, "w") as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    with pytest.raises(KerasFormatError, match=match):
        nn.load_model(str(path))


def test_not_a_zip_is_refused(tmp_path):
    _h5py()
    path = tmp_path / "plain.keras"
    path.write_bytes(b"PK? not really")
    with pytest.raises(KerasFormatError, match="not a zip"):
        nn.load_model(str(path))


def test_missing_h5py_names_the_extra(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "h5py", None)  # import h5py now raises ImportError
    with pytest.raises(ImportError, match=r"xpgrad\[keras\]"):
        _our_model().save(str(tmp_path / "m.keras"))
    with pytest.raises(ImportError, match=r"xpgrad\[keras\]"):
        _our_model().save_weights(str(tmp_path / "m.weights.h5"))


def test_native_formats_are_unaffected(tmp_path):
    """The extension decides: ``.npz`` still writes the native format."""
    model = _trained_our_model("adam")
    path = tmp_path / "m.npz"
    model.save(str(path))
    loaded = nn.load_model(str(path))
    x, _ = _data(10)
    np.testing.assert_allclose(loaded.predict(x), model.predict(x), rtol=1e-6)


@pytest.mark.parametrize("jit_compile, run_eagerly", [(True, False), (False, True),
                                                      ("auto", False)])  # fmt: skip
def test_jit_compile_and_run_eagerly_survive_saving(tmp_path, jit_compile, run_eagerly):
    _h5py()
    model = _our_model(dropout=False)
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy",
                  jit_compile=jit_compile, run_eagerly=run_eagerly)  # fmt: skip
    path = tmp_path / "m.keras"
    model.save(str(path))
    with zipfile.ZipFile(path) as zf:
        written = json.loads(zf.read("config.json"))["compile_config"]
    assert written["jit_compile"] is (jit_compile is True)  # the choice made, as Keras reads it
    assert written["run_eagerly"] is run_eagerly
    back = nn.models.load_model(str(path))
    assert back.jit_compile is (jit_compile is True)
    assert back.run_eagerly is run_eagerly


@pytest.mark.parametrize("loss, metric", [
    ("Poisson", "mape"), ("LogCosh", "msle"), ("Hinge", "hinge"), ("KLDivergence", "poisson"),
    ("CosineSimilarity", "kl_divergence"), ("MeanSquaredLogarithmicError", "squared_hinge"),
])  # fmt: skip
def test_the_other_keras_losses_and_metrics_travel_both_ways(keras, tmp_path, loss, metric):
    """Keras' other loss classes (with a reduction) and loss-named metrics keep their
    meaning through a file, either way: the same evaluation on both sides."""
    _h5py()
    keras.utils.set_random_seed(3)
    keras_model = keras.Sequential([keras.Input((6, 5)), keras.layers.Flatten(),
                                    keras.layers.Dense(4, activation="softmax")])  # fmt: skip
    keras_model.compile(optimizer="sgd", metrics=[metric],
                        loss=getattr(keras.losses, loss)(reduction="sum"))  # fmt: skip
    x, labels = _data(40, seed=8)
    y = np.eye(4, dtype=np.float32)[labels]
    first = tmp_path / "other.keras"
    keras_model.save(str(first))
    ours = nn.load_model(str(first))
    assert type(ours.loss).__name__ == loss and ours.loss.reduction == "sum"
    want = keras_model.evaluate(x, y, verbose=0)
    np.testing.assert_allclose(ours.evaluate(x, y, verbose=0), want, rtol=1e-5)
    second = tmp_path / "ours.keras"
    ours.save(str(second))
    back = _keras_loads_quietly(keras, second)
    assert back.get_compile_config()["loss"]["class_name"] == loss
    np.testing.assert_allclose(back.evaluate(x, y, verbose=0), want, rtol=1e-5)
