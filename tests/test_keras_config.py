"""Keras 3's ``keras.config`` against Keras 3: the float dtype, the names it reports,
interactive logging (off: no "Epoch 1/N" lines, the progress bars stay) and unsafe
deserialization switched on for the whole process."""

from __future__ import annotations

import numpy as np
import pytest
from _keras_reference import IGNORE_KERAS_ARRAY_WARNING
from test_keras_files import _h5py

import nn as ours

pytestmark = IGNORE_KERAS_ARRAY_WARNING


def test_settings_read_and_set_as_in_keras(keras):
    for lib in (ours, keras):
        assert lib.config.floatx() == "float32" and lib.config.epsilon() == 1e-7
        assert lib.config.image_data_format() == "channels_last"
        lib.config.set_floatx("float64")
        try:
            assert lib.config.floatx() == "float64"
            if lib is ours:
                assert ours.layers.Dense(2).dtype == np.dtype("float64")
        finally:
            lib.config.set_floatx("float32")
    assert ours.config.backend() == "xpgrad"


def _fit_output(lib, capsys):
    model = lib.Sequential([lib.Input((3,)), lib.layers.Dense(1)])
    model.compile("sgd", "mse")
    model.fit(np.ones((8, 3), np.float32), np.ones((8, 1), np.float32), epochs=2, verbose=1)
    return capsys.readouterr().out


def test_interactive_logging_off_drops_the_epoch_lines_as_keras(keras, capsys):
    for lib in (ours, keras):
        assert lib.config.is_interactive_logging_enabled()
        assert "Epoch 2/2" in _fit_output(lib, capsys)
        lib.config.disable_interactive_logging()
        try:
            assert not lib.config.is_interactive_logging_enabled()
            out = _fit_output(lib, capsys)
            assert "Epoch" not in out and "loss" in out
        finally:
            lib.config.enable_interactive_logging()


def test_unsafe_deserialization_for_the_whole_process(tmp_path, monkeypatch):
    _h5py()
    from nn.saving import serialization

    monkeypatch.setattr(serialization, "_UNSAFE_EVERYWHERE", [False])
    model = ours.Sequential([ours.Input((2,)), ours.layers.Lambda(lambda x: x + 1)])
    path = str(tmp_path / "lambda.keras")
    model.save(path)
    with pytest.raises(ValueError, match="safe_mode=False"):
        ours.models.load_model(path)
    ours.config.enable_unsafe_deserialization()
    loaded = ours.models.load_model(path)
    assert np.asarray(loaded.predict(np.zeros((1, 2)), verbose=0)).tolist() == [[1.0, 1.0]]
