"""Saving: weights and whole models, safetensors and npz, atomic writes, refusals."""

from __future__ import annotations

import os

import numpy as np
import pytest

import autograd
import nn
from autograd import Tensor
from nn import BatchNormalization, Dense, Dropout, Flatten, Sequential, saving

FORMATS = ["model.safetensors", "model.npz"]


def _model(seed: int = 0) -> Sequential:
    autograd.manual_seed(seed)
    return Sequential(
        [
            Flatten(input_shape=(4, 3)),
            Dense(8, activation="relu", kernel_initializer="he_normal", kernel_regularizer="l2"),
            BatchNormalization(),
            Dropout(0.25),
            Dense(5, activation=nn.LeakyReLU(0.2)),
            Dense(3, activation="softmax", name="probs"),
        ],
        name="clf",
    )


def _x() -> Tensor:
    return Tensor(np.random.default_rng(1).normal(size=(7, 4, 3)).astype(np.float32))


def _train_bn_a_little(model: Sequential) -> None:
    model.train()
    model(_x())  # updates the moving statistics: buffers must be saved too
    model.eval()


@pytest.mark.parametrize("filename", FORMATS)
def test_weights_round_trip(tmp_path, filename):
    a, b = _model(0), _model(1)
    _train_bn_a_little(a)
    b.eval()
    path = tmp_path / filename
    a.save_weights(str(path))
    assert not np.allclose(a(_x()).cpu().numpy(), b(_x()).cpu().numpy())
    b.load_weights(str(path))
    np.testing.assert_array_equal(a(_x()).cpu().numpy(), b(_x()).cpu().numpy())
    for wa, wb in zip(a.get_weights(), b.get_weights(), strict=True):
        np.testing.assert_array_equal(wa, wb)


@pytest.mark.parametrize("filename", FORMATS)
def test_whole_model_round_trip(tmp_path, filename):
    a = _model()
    _train_bn_a_little(a)
    a.layers[1].trainable = False
    path = str(tmp_path / filename)
    a.save(path)
    b = nn.load_model(path)
    b.eval()
    assert isinstance(b, Sequential) and b.name == "clf"
    assert [type(la).__name__ for la in b.layers] == [type(la).__name__ for la in a.layers]
    assert [la.name for la in b.layers] == [la.name for la in a.layers]
    assert b.summary(print_fn=None) == a.summary(print_fn=None)
    np.testing.assert_array_equal(a(_x()).cpu().numpy(), b(_x()).cpu().numpy())
    assert isinstance(b.layers[4].activation, nn.LeakyReLU)
    assert b.layers[4].activation.negative_slope == 0.2
    assert len(b.losses) == 1  # the l2 regularizer came back


def test_pytorch_style_model_round_trip(tmp_path):
    autograd.manual_seed(0)
    a = Sequential(
        nn.Linear(4, 6), nn.PReLU(), nn.BatchNorm1d(6), nn.Linear(6, 2), nn.LogSoftmax(dim=1)
    )
    path = str(tmp_path / "torchy.safetensors")
    a.save(path)
    b = nn.load_model(path)
    x = Tensor(np.ones((3, 4), np.float32))
    a.eval()
    b.eval()
    np.testing.assert_array_equal(a(x).cpu().numpy(), b(x).cpu().numpy())
    assert isinstance(b[0], nn.Linear) and isinstance(b[2], nn.BatchNorm1d)


def test_wrong_architecture_is_refused_with_the_differences(tmp_path):
    path = str(tmp_path / "w.safetensors")
    _model().save_weights(path)
    other = Sequential([Flatten(input_shape=(4, 3)), Dense(9), Dense(3)], name="other")
    before = other.get_weights()
    with pytest.raises(nn.StateDictError) as err:
        other.load_weights(path)
    msg = str(err.value)
    assert "does not match the architecture" in msg
    assert "1.kernel: given (12, 8) vs model (12, 9)" in msg  # PyTorch's keys: positions
    assert "unexpected keys" in msg and "5.kernel" in msg
    for w, w0 in zip(other.get_weights(), before, strict=True):
        np.testing.assert_array_equal(w, w0)


def test_load_model_refuses_a_weights_only_file(tmp_path):
    path = str(tmp_path / "w.npz")
    _model().save_weights(path)
    with pytest.raises(ValueError, match="weights only"):
        nn.load_model(path)


def test_unknown_extension_is_refused(tmp_path):
    with pytest.raises(ValueError, match="'.safetensors' or '.npz'"):
        _model().save_weights(str(tmp_path / "w.pt"))
    # .h5 is Keras' legacy whole-model file: weights alone go to .weights.h5, as in Keras 3
    with pytest.raises(ValueError, match="end in '.weights.h5'"):
        _model().save_weights(str(tmp_path / "w.h5"))


@pytest.mark.parametrize("serializer", ["_serialize_safetensors", "_serialize_npz"])
def test_failed_write_leaves_the_previous_file_intact(tmp_path, monkeypatch, serializer):
    ext = ".safetensors" if "safetensors" in serializer else ".npz"
    path = str(tmp_path / f"model{ext}")
    good = _model(0)
    good.save(path)
    original = open(path, "rb").read()
    real = saving._SERIALIZERS[ext[1:]]

    def crash_midway(arrays, config, f):
        real(arrays, config, f)
        f.seek(f.tell() // 2)
        f.truncate()
        raise OSError("disk full (simulated)")

    monkeypatch.setitem(saving._SERIALIZERS, ext[1:], crash_midway)
    with pytest.raises(OSError, match="disk full"):
        _model(1).save(path)
    assert open(path, "rb").read() == original
    assert os.listdir(tmp_path) == [os.path.basename(path)]  # no temporary file left behind
    restored = nn.load_model(path)
    for a, b in zip(restored.get_weights(), good.get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)


def test_save_into_new_file_is_complete(tmp_path):
    path = str(tmp_path / "fresh.npz")
    _model().save(path)
    arrays, config = saving.read_file(path)
    assert config["model"]["class_name"] == "Sequential"
    assert "1.kernel" in arrays and "2.moving_mean" in arrays


def test_custom_module_saves_whole_by_keras_auto_config_or_says_what_is_missing(tmp_path):
    class Net(nn.Model):  # Keras' subclassing API: a Model has save()
        def __init__(self) -> None:
            super().__init__()
            self.fc = nn.Linear(2, 2)

        def call(self, x):
            return self.fc(x)

    class Holding(nn.Model):  # made with an object: no automatic config (as Keras)
        def __init__(self, layer) -> None:
            super().__init__()
            self.fc = layer

        def call(self, x):
            return self.fc(x)

    net = Net()
    net.save(str(tmp_path / "whole.npz"))  # Keras 3's automatic config: no arguments
    whole = nn.models.load_model(str(tmp_path / "whole.npz"), custom_objects={"Net": Net})
    np.testing.assert_array_equal(whole.fc.weight.cpu().numpy(), net.fc.weight.cpu().numpy())
    with pytest.raises(NotImplementedError, match="get_config"):
        Holding(nn.Linear(2, 2)).save(str(tmp_path / "holding.npz"))
    net.save_weights(str(tmp_path / "net.npz"))
    other = Net()
    other.load_weights(str(tmp_path / "net.npz"))
    np.testing.assert_array_equal(other.fc.weight.cpu().numpy(), net.fc.weight.cpu().numpy())


def _prelu_model(seed: int) -> Sequential:
    autograd.manual_seed(seed)
    return Sequential(
        [
            Dense(6, activation=nn.layers.PReLU(), input_shape=(3,)),
            nn.layers.PReLU(),
            nn.Activation("selu"),
            nn.Linear(6, 2),
        ]
    )


def test_files_of_the_real_safetensors_library_interoperate(tmp_path):
    from safetensors.numpy import load_file, save_file

    a, b = _prelu_model(0), _prelu_model(1)
    for alpha in (a.layers[0].activation.alpha, a.layers[1].alpha):
        with autograd.no_grad():
            alpha.copy_(np.linspace(0.1, 0.6, 6, dtype=np.float32))  # not the 0.25 init
    x = -np.abs(np.random.default_rng(2).normal(size=(4, 3))).astype(np.float32)
    # written by safetensors itself, under the state_dict names -> load_weights reads it
    foreign = str(tmp_path / "foreign.safetensors")
    save_file({k: v.cpu().numpy() for k, v in a.state_dict().items()}, foreign)
    b.load_weights(foreign)
    np.testing.assert_array_equal(b(x).cpu().numpy(), a(x).cpu().numpy())
    # written here -> safetensors reads the same names, shapes and values
    ours = str(tmp_path / "ours.safetensors")
    a.save(ours)
    arrays = load_file(ours)
    assert set(arrays) == set(a.state_dict())
    for name, value in a.state_dict().items():
        np.testing.assert_array_equal(arrays[name], value.cpu().numpy())
    c = nn.load_model(ours)
    assert isinstance(c.layers[1], nn.layers.PReLU) and isinstance(c.layers[2], nn.Activation)
    np.testing.assert_array_equal(c(x).cpu().numpy(), a(x).cpu().numpy())
