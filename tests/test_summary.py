"""summary(): the Keras layout and the textbook models' exact numbers."""

from __future__ import annotations

import numpy as np
import pytest

import autograd
import nn
from nn import BatchNormalization, Dense, Dropout, Flatten, Sequential


def _lines(model: nn.Module) -> list[str]:
    return model.summary(print_fn=None).split("\n")


def test_textbook_784_100_10_model():
    model = Sequential(
        [Dense(100, activation="sigmoid", input_shape=(784,)), Dense(10, activation="softmax")]
    )
    lines = _lines(model)
    assert lines[0] == 'Model: "sequential"'
    assert lines[2].split() == ["Layer", "(type)", "Output", "Shape", "Param", "#"]
    assert lines[4].split() == ["dense", "(Dense)", "(None,", "100)", "78,500"]
    assert lines[5].split() == ["dense_1", "(Dense)", "(None,", "10)", "1,010"]
    # 79,510 float32 scalars = 318,040 bytes = 310.59 KB
    assert "Total params: 79,510 (310.59 KB)" in lines
    assert "Trainable params: 79,510 (310.59 KB)" in lines
    assert "Non-trainable params: 0 (0.00 B)" in lines


def test_fashion_mnist_flatten_300_100_10_model():
    model = Sequential()
    model.add(Flatten(input_shape=(28, 28)))
    model.add(Dense(300, activation="relu"))
    model.add(Dense(100, activation="relu"))
    model.add(Dense(10, activation="softmax"))
    rows = [line.split() for line in _lines(model)[4:8]]
    assert rows == [
        ["flatten", "(Flatten)", "(None,", "784)", "0"],
        ["dense", "(Dense)", "(None,", "300)", "235,500"],
        ["dense_1", "(Dense)", "(None,", "100)", "30,100"],
        ["dense_2", "(Dense)", "(None,", "10)", "1,010"],
    ]
    text = model.summary(print_fn=None)
    assert "Total params: 266,610 (1.02 MB)" in text
    assert "Trainable params: 266,610 (1.02 MB)" in text
    assert model.count_params() == 266_610


def test_frozen_layers_count_as_non_trainable():
    model = Sequential(
        [Dense(100, activation="sigmoid", input_shape=(784,)), Dense(10, activation="softmax")]
    )
    model.layers[0].trainable = False
    text = model.summary(print_fn=None)
    assert "Trainable params: 1,010 (3.95 KB)" in text
    assert "Non-trainable params: 78,500 (306.64 KB)" in text
    assert "Total params: 79,510 (310.59 KB)" in text


def test_batchnorm_moving_statistics_are_non_trainable():
    model = Sequential(
        [Dense(300, input_shape=(784,)), BatchNormalization(), Dropout(0.2), Dense(10)]
    )
    lines = _lines(model)
    assert lines[5].split() == [
        "batch_normalization",
        "(BatchNormalization)",
        "(None,",
        "300)",
        "1,200",
    ]
    assert lines[6].split() == ["dropout", "(Dropout)", "(None,", "300)", "0"]
    # Keras: gamma, beta trainable (600); moving mean/variance not (600)
    assert "Trainable params: 239,110 (934.02 KB)" in lines
    assert "Non-trainable params: 600 (2.34 KB)" in lines


def test_unbuilt_model_says_so():
    model = Sequential([Dense(3), Dense(2)])
    text = model.summary(print_fn=None)
    assert "0 (unbuilt)" in text
    assert "not yet been built" in text
    model(autograd.Tensor(np.ones((4, 5), np.float32)))
    text = model.summary(print_fn=None)
    assert "not yet been built" not in text
    assert "Total params: 26 (104.00 B)" in text


def test_summary_prints_through_print_fn_and_returns_none():
    model = Sequential([Dense(2, input_shape=(3,))], name="tiny")
    printed: list[str] = []
    assert model.summary(print_fn=printed.append) is None
    assert printed[0] == 'Model: "tiny"'
    assert "\n".join(printed) == model.summary(print_fn=None)


def test_summary_prints_to_stdout_by_default(capsys: pytest.CaptureFixture[str]):
    Sequential([Dense(2, input_shape=(3,))]).summary()
    assert "Total params: 8 (32.00 B)" in capsys.readouterr().out


def test_custom_module_summary_uses_attribute_names_and_seen_shapes():
    class Net(nn.Model):  # Keras: a subclassed Model has summary()
        def __init__(self) -> None:
            super().__init__()
            self.hidden = nn.Linear(4, 8)
            self.out = nn.Linear(8, 2)

        def forward(self, x):
            return self.out(autograd.relu(self.hidden(x)))

    net = Net()
    net(autograd.Tensor(np.zeros((3, 4), np.float32)))
    lines = _lines(net)
    assert lines[0] == 'Model: "net"'
    assert lines[4].split() == ["hidden", "(Linear)", "(None,", "8)", "40"]
    assert lines[5].split() == ["out", "(Linear)", "(None,", "2)", "18"]
    assert "Total params: 58 (232.00 B)" in lines


def test_float64_sizes_use_the_dtype():
    model = Sequential([Dense(10, input_shape=(10,), dtype="float64")])
    assert "Total params: 110 (880.00 B)" in model.summary(print_fn=None)
