"""Keras 3's serialization API against Keras 3 itself (keras.io's "Save, serialize, and
export models"): the custom-object registry (``register_keras_serializable``,
``custom_object_scope``), ``serialize_keras_object`` / ``deserialize_keras_object``,
``to_json`` / ``model_from_json``, subclassed models in ``.keras`` files (their layers laid
out by attribute as Keras' walk lays them out), the saving hooks a class may override
(``save_own_variables``, ``save_assets``, ``get_build_config``, ``get_compile_config`` and
their loading halves), Lambda layers and ``safe_mode``; files written by each library are
read by the other."""

from __future__ import annotations

import io
import json
import os
import warnings
import zipfile

import numpy as np
import pytest
from _device import host
from _keras_reference import IGNORE_KERAS_ARRAY_WARNING
from test_keras_files import _h5py

import nn as ours

pytestmark = IGNORE_KERAS_ARRAY_WARNING

RNG = np.random.default_rng(21)
X = RNG.normal(size=(12, 4)).astype(np.float32)
Y = RNG.normal(size=(12, 2)).astype(np.float32)
WRITERS = ["xpgrad", "keras"]


def _libs(keras, writer):
    libs = {"xpgrad": ours, "keras": keras}
    return libs[writer], libs["keras" if writer == "xpgrad" else "xpgrad"]


def _predict(model, x):
    return np.asarray(host(model.predict(x, verbose=0)))


def _seeded(model, seed=3):
    model.set_weights([np.random.default_rng(seed).normal(0, 0.4, w.shape).astype(np.float32)
                       for w in model.get_weights()])  # fmt: skip
    return model


# ---------------------------------------------------------------- the registry
def _registered(lib, package):
    @lib.saving.register_keras_serializable(package=package)
    class Scale(lib.layers.Layer):
        def __init__(self, factor, **kwargs):
            super().__init__(**kwargs)
            self.factor = factor

        def call(self, x):
            return x * self.factor

        def get_config(self):
            return {**super().get_config(), "factor": self.factor}

    @lib.saving.register_keras_serializable(package=package, name="cube")
    def cube(x):
        return x * x * x

    def halved(x):  # not registered: found through custom_objects or a scope
        return x * 0.5

    return Scale, cube, halved


def test_registered_names_and_entries_are_keras(keras):
    Scale, cube, halved = _registered(ours, "test_names")
    KScale, kcube, khalved = _registered(keras, "test_names")
    for mine, theirs in ((Scale, KScale), (cube, kcube), (halved, khalved)):
        assert ours.saving.get_registered_name(mine) == keras.saving.get_registered_name(theirs)
    assert ours.saving.get_registered_object("test_names>Scale") is Scale
    assert ours.utils.get_custom_objects()["test_names>cube"] is cube
    for fn, kfn in ((cube, kcube), (halved, khalved)):
        assert ours.saving.serialize_keras_object(fn) == keras.saving.serialize_keras_object(kfn)
    mine = ours.saving.serialize_keras_object(Scale(2.0, name="s"))
    theirs = keras.saving.serialize_keras_object(KScale(2.0, name="s"))
    for key in ("module", "class_name", "registered_name"):
        assert mine[key] == theirs[key]
    assert mine["config"]["factor"] == theirs["config"]["factor"] == 2.0
    with pytest.raises(ValueError, match="get_config"):
        ours.saving.register_keras_serializable()(type("NoConfig", (), {}))


def test_scopes_replace_each_other_and_end():
    Scale, cube, halved = _registered(ours, "test_scopes")
    with ours.saving.custom_object_scope({"halved": halved}):
        assert ours.activations.get("halved") is halved
        with ours.utils.CustomObjectScope({"other": cube}):
            assert ours.saving.get_registered_object("halved") is None  # as in Keras
            assert ours.saving.get_registered_object("other") is cube
        assert ours.saving.get_registered_object("halved") is halved
    with pytest.raises(ValueError, match="unknown activation 'halved'.*custom_object_scope"):
        ours.activations.get("halved")


@pytest.mark.parametrize("writer", WRITERS)
def test_registered_objects_travel_through_keras_files(keras, tmp_path, writer):
    """A registered layer and function load without custom_objects; an unregistered
    function needs a scope or custom_objects, in both libraries."""
    _h5py()
    source, reader = _libs(keras, writer)
    classes = {lib: _registered(lib, f"test_files_{writer}") for lib in (ours, keras)}
    Scale, cube, halved = classes[source]
    inputs = source.Input(shape=(4,))
    hidden = source.layers.Dense(3, activation=cube)(Scale(0.5)(inputs))
    model = source.Model(inputs, source.layers.Activation(halved)(hidden))
    _seeded(model)
    path = str(tmp_path / "registered.keras")
    model.save(path)
    with pytest.raises(Exception, match="halved"):
        reader.models.load_model(path)
    with reader.saving.custom_object_scope({"halved": classes[reader][2]}):
        loaded = reader.models.load_model(path)
    np.testing.assert_allclose(_predict(loaded, X), _predict(model, X), rtol=1e-6)
    again = reader.models.load_model(path, custom_objects={"halved": classes[reader][2]})
    np.testing.assert_allclose(_predict(again, X), _predict(model, X), rtol=1e-6)


# ---------------------------------------------------------------- configs and JSON
@pytest.mark.parametrize("writer", WRITERS)
def test_to_json_and_model_from_json_go_both_ways(keras, writer):
    source, reader = _libs(keras, writer)
    model = source.Sequential([
        source.Input((5,)),
        source.layers.Dense(4, activation="relu", kernel_regularizer=source.regularizers.L2(0.01)),
        source.layers.Dropout(0.2),
        source.layers.Dense(2, activation="softmax"),
    ])  # fmt: skip
    text = model.to_json()
    assert json.loads(text)["class_name"] == "Sequential"
    again = reader.models.model_from_json(text)
    assert again.count_params() == model.count_params() == 34
    assert [type(la).__name__ for la in again.layers] == ["Dense", "Dropout", "Dense"]
    assert again.layers[0].kernel_regularizer.get_config()["l2"] == pytest.approx(0.01)
    again.set_weights(model.get_weights())
    x = X[:, :1].repeat(5, axis=1)
    np.testing.assert_allclose(_predict(again, x), _predict(model, x), rtol=1e-6)


def test_plain_objects_serialize_as_keras_does(keras):
    for make in (lambda lib: lib.regularizers.L1(0.005),
                 lambda lib: lib.regularizers.L1L2(0.1, 0.2),
                 lambda lib: lib.initializers.RandomNormal(0.0, 0.3, seed=4),
                 lambda lib: lib.constraints.MaxNorm(2.0)):  # fmt: skip
        mine = ours.saving.serialize_keras_object(make(ours))
        theirs = keras.saving.serialize_keras_object(make(keras))
        assert (mine["module"], mine["class_name"]) == (theirs["module"], theirs["class_name"])
        for key, value in theirs["config"].items():
            if value is not None:
                assert mine["config"][key] == pytest.approx(value), key
        back = ours.saving.deserialize_keras_object(theirs)
        assert type(back).__name__ == theirs["class_name"]
    array = np.arange(3.0)
    assert ours.saving.serialize_keras_object(array) == keras.saving.serialize_keras_object(array)
    np.testing.assert_array_equal(
        ours.saving.deserialize_keras_object(keras.saving.serialize_keras_object(array)), array)
    assert ours.saving.deserialize_keras_object("adam") == "adam"  # names stay names


# ---------------------------------------------------------------- subclassed models
def _subclassed(lib):
    class Block(lib.layers.Layer):
        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            self.inner = lib.layers.Dense(3)
            self.scale = self.add_weight(shape=(3,), initializer="ones", name="scale")

        def call(self, x):
            return self.inner(x) * self.scale

    class Net(lib.Model):
        def __init__(self, units=2, **kwargs):
            super().__init__(**kwargs)
            self.units = units
            self.hidden = lib.layers.Dense(4, activation="relu")
            self.block = Block()
            self.heads = [lib.layers.Dense(units), lib.layers.Dense(units)]
            self._private = lib.layers.Dense(units)

        def call(self, x):
            h = self.block(self.hidden(x))
            return self.heads[0](h) + self.heads[1](h) + self._private(h)

    return Net, Block


def _weight_paths(path: str) -> set[str]:
    h5py = _h5py()
    with zipfile.ZipFile(path) as zf:
        data = zf.read("model.weights.h5")
    names: set[str] = set()
    with h5py.File(io.BytesIO(data), "r") as f:
        f.visititems(lambda name, obj: names.add(name) if isinstance(obj, h5py.Dataset) else None)
    return {n for n in names if not n.startswith("optimizer/")}


@pytest.mark.parametrize("writer", WRITERS)
def test_a_subclassed_model_goes_both_ways_through_keras_files(keras, tmp_path, writer):
    """Config, build shape, weights laid out by attribute (a layer inside a layer, a list,
    a private attribute: Keras' own walk), compile settings and the optimizer's state."""
    _h5py()
    source, reader = _libs(keras, writer)
    model = _subclassed(source)[0](units=2, name="net")
    model(X)
    _seeded(model)
    model.compile(optimizer="adam", loss="mse")
    model.fit(X, Y, batch_size=4, epochs=1, shuffle=False, verbose=0)
    path = str(tmp_path / "net.keras")
    model.save(path)
    with pytest.raises(Exception, match="Net"):
        reader.models.load_model(path)
    net, block = _subclassed(reader)
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)  # "optimizer variables not restored"
        loaded = reader.models.load_model(path, custom_objects={"Net": net, "Block": block})
    assert type(loaded).__name__ == "Net" and loaded.units == 2
    np.testing.assert_allclose(_predict(loaded, X), _predict(model, X), rtol=1e-6)
    want = model.fit(X, Y, batch_size=4, epochs=1, shuffle=False, verbose=0).history["loss"]
    got = loaded.fit(X, Y, batch_size=4, epochs=1, shuffle=False, verbose=0).history["loss"]
    np.testing.assert_allclose(got, want, rtol=1e-5)
    # both libraries lay the weights out alike
    other = str(tmp_path / "again.keras")
    loaded.save(other)
    assert _weight_paths(other) == _weight_paths(path)


def test_the_weight_layout_of_a_subclassed_model_is_keras(keras, tmp_path):
    _h5py()
    paths = {}
    for lib in (ours, keras):
        model = _subclassed(lib)[0]()
        model(X)
        model.save(str(tmp_path / f"{lib.__name__}.keras"))
        paths[lib] = _weight_paths(str(tmp_path / f"{lib.__name__}.keras"))
    assert paths[ours] == paths[keras]
    assert "block/inner/vars/0" in paths[ours] and "layers/dense_3/vars/0" in paths[ours]


def test_building_a_subclassed_model_makes_its_weights(keras):
    """``model.build((None, 4))`` makes the weights a first call makes (Keras 2's behaviour,
    which the textbooks show; Keras 3 on PyTorch warns and leaves the layers unbuilt, but
    builds them so when it loads a file)."""
    built = _subclassed(ours)[0]()
    built.build((None, 4))
    called = _subclassed(keras)[0]()
    called(X)
    assert built.count_params() == called.count_params() == 62
    assert [tuple(w.shape) for w in built.get_weights()] == \
        [tuple(w.shape) for w in called.get_weights()]  # fmt: skip


# ---------------------------------------------------------------- the saving hooks
def _hooked(lib):
    class WithVariable(lib.layers.Dense):
        def __init__(self, units, **kwargs):
            super().__init__(units, **kwargs)
            self.offset = lib.Variable(np.full((units,), 0.25, np.float32), name="offset")

        def save_own_variables(self, store):
            super().save_own_variables(store)
            store["offset"] = np.asarray(self.offset.numpy())

        def load_own_variables(self, store):
            self.offset.assign(store["offset"])
            for i, v in enumerate([self.kernel, self.bias]):
                v.assign(store[str(i)])

        def call(self, inputs):
            return super().call(inputs) + self.offset

    class WithAssets(lib.layers.Dense):
        def __init__(self, vocab=None, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self.vocab = vocab

        def save_assets(self, inner_path):
            with open(os.path.join(inner_path, "vocabulary.txt"), "w") as f:
                f.write(self.vocab)

        def load_assets(self, inner_path):
            with open(os.path.join(inner_path, "vocabulary.txt")) as f:
                self.vocab = f.read().upper()

    class WithBuild(lib.layers.Layer):
        def __init__(self, units=3, **kwargs):
            super().__init__(**kwargs)
            self.units = units

        def build(self, input_shape, init):
            self.w = self.add_weight(shape=(input_shape[-1], self.units), initializer=init)
            self.init = init
            self.seen = list(input_shape)

        def call(self, x):
            return lib.ops.matmul(x, self.w)

        def get_config(self):
            return {**super().get_config(), "units": self.units}

        def get_build_config(self):
            return {"input_shape": self.seen, "init": self.init}

        def build_from_config(self, config):
            self.build(config["input_shape"], config["init"])

    return {"WithVariable": WithVariable, "WithAssets": WithAssets, "WithBuild": WithBuild}


@pytest.mark.parametrize("writer", WRITERS)
def test_saving_hooks_go_both_ways_through_keras_files(keras, tmp_path, writer):
    _h5py()
    source, reader = _libs(keras, writer)
    classes = _hooked(source)
    built = classes["WithBuild"](units=3)
    built.build((None, 3), "ones")  # it follows WithVariable(3)
    model = source.Sequential([source.Input((4,)), classes["WithVariable"](3), built,
                               classes["WithAssets"](vocab="a lamb", units=2)])  # fmt: skip
    model(X)
    _seeded(model)
    model.layers[0].offset.assign(np.array([0.5, -1.0, 2.0], np.float32))
    path = str(tmp_path / "hooks.keras")
    model.save(path)
    with zipfile.ZipFile(path) as zf:
        assert any(n.startswith("assets/") and n.endswith("vocabulary.txt") for n in zf.namelist())
    loaded = reader.models.load_model(path, custom_objects=_hooked(reader))
    np.testing.assert_array_equal(np.asarray(host(loaded.layers[0].offset.numpy())),
                                  [0.5, -1.0, 2.0])  # fmt: skip
    assert loaded.layers[1].init == "ones" and loaded.layers[-1].vocab == "A LAMB"
    np.testing.assert_allclose(_predict(loaded, X), _predict(model, X), rtol=1e-6)


def _custom_compile(lib):
    class Compiled(lib.Model):
        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            self.dense = lib.layers.Dense(2)

        def call(self, x):
            return self.dense(x)

        def compile(self, optimizer, loss_fn):
            super().compile(optimizer)
            self.model_optimizer, self.loss_fn = optimizer, loss_fn

        def get_compile_config(self):
            return {"model_optimizer": self.model_optimizer, "loss_fn": self.loss_fn}

        def compile_from_config(self, config):
            self.compile(optimizer=lib.saving.deserialize_keras_object(config["model_optimizer"]),
                         loss_fn=lib.saving.deserialize_keras_object(config["loss_fn"]))

    return Compiled


@pytest.mark.parametrize("writer", WRITERS)
def test_a_compile_of_ones_own_is_saved_and_redone(keras, tmp_path, writer):
    _h5py()
    source, reader = _libs(keras, writer)
    model = _custom_compile(source)()
    model.compile("SGD", "mean_squared_error")
    model(X)
    path = str(tmp_path / "compiled.keras")
    model.save(path)
    with zipfile.ZipFile(path) as zf:
        assert json.loads(zf.read("config.json"))["compile_config"] == {
            "model_optimizer": "SGD", "loss_fn": "mean_squared_error"}
    loaded = reader.models.load_model(path, custom_objects={"Compiled": _custom_compile(reader)})
    assert (loaded.model_optimizer, loaded.loss_fn) == ("SGD", "mean_squared_error")
    np.testing.assert_allclose(_predict(loaded, X), _predict(model, X), rtol=1e-6)


# ---------------------------------------------------------------- Lambda and safe mode
@pytest.mark.parametrize("writer", WRITERS)
def test_a_lambda_layer_loads_only_with_safe_mode_off(keras, tmp_path, writer):
    _h5py()
    source, reader = _libs(keras, writer)
    model = source.Sequential([source.Input((4,)), source.layers.Dense(2),
                               source.layers.Lambda(lambda x: x * 2 + 1)])  # fmt: skip
    _seeded(model)
    path = str(tmp_path / "lambda.keras")
    model.save(path)
    with pytest.raises(ValueError, match="safe_mode=False"):
        reader.models.load_model(path)
    loaded = reader.models.load_model(path, safe_mode=False)
    np.testing.assert_allclose(_predict(loaded, X), _predict(model, X), rtol=1e-6)


def test_a_subclassed_models_config_cannot_allocate_more_than_its_file_holds(tmp_path):
    """A subclassed model is built by running its code; what it may allocate is bounded by
    the values the file holds, so a config edited to ``units=10**8`` is refused first."""
    _h5py()
    net, block = _subclassed(ours)
    model = net(units=2)
    model(X)
    path = tmp_path / "net.keras"
    model.save(str(path))
    with zipfile.ZipFile(path) as zf:
        members = {name: zf.read(name) for name in zf.namelist()}
    config = json.loads(members["config.json"])
    config["config"]["units"] = 10**8
    members["config.json"] = json.dumps(config).encode()
    with zipfile.ZipFile(path, "w") as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    with pytest.raises(ValueError, match="refused before allocating"):
        ours.models.load_model(str(path), custom_objects={"Net": net, "Block": block})
