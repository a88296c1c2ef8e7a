"""Short real training runs on Fashion-MNIST (Debian's dataset-fashion-mnist; .ci/run installs it).

Without the files these tests fail with the loader's message on where it looked and how
to get the data: they are never skipped.
"""

from __future__ import annotations

import importlib.util
import pathlib

import numpy as np
import pytest

import autograd as ag
import nn

EXAMPLES = pathlib.Path(__file__).resolve().parent.parent / "examples"


@pytest.fixture(scope="module")
def fashion_slice():
    (x, y), (x_test, y_test) = nn.datasets.fashion_mnist.load_data()
    return (x[:2000], y[:2000]), (x_test[:1000], y_test[:1000])


def _textbook_model():
    return nn.Sequential([
        nn.Flatten(input_shape=(28, 28)),
        nn.Dense(300, activation="relu", kernel_initializer="he_normal"),
        nn.Dense(100, activation="relu", kernel_initializer="he_normal"),
        nn.Dense(10, activation="softmax"),
    ])  # fmt: skip


def test_keras_style_training_on_2000_images_beats_75_percent(fashion_slice):
    (x, y), (x_test, y_test) = fashion_slice
    ag.manual_seed(0)
    model = _textbook_model()
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    history = model.fit(
        x / 255.0, y, epochs=5, batch_size=32, validation_split=0.1, verbose=0, seed=0
    )
    assert history.history["loss"][-1] < history.history["loss"][0]
    _, accuracy = model.evaluate(x_test / 255.0, y_test, verbose=0)
    assert accuracy > 0.75


def test_training_twice_with_one_seed_gives_bit_identical_weights(fashion_slice):
    (x, y), _ = fashion_slice

    def train():
        ag.manual_seed(123)
        model = nn.Sequential([
            nn.Flatten(input_shape=(28, 28)),
            nn.Dense(300, activation="relu", kernel_initializer="he_normal"),
            nn.Dropout(0.2),  # the dropout masks must repeat too
            nn.Dense(100, activation="relu"),
            nn.Dense(10, activation="softmax"),
        ])  # fmt: skip
        model.compile(optimizer="nadam", loss="sparse_categorical_crossentropy")
        model.fit(x[:500] / 255.0, y[:500], epochs=2, batch_size=32, verbose=0, seed=7)
        return model.get_weights()

    first, second = train(), train()
    assert len(first) == len(second) == 6
    for a, b in zip(first, second, strict=True):
        assert a.dtype == np.float32 and np.array_equal(a, b)


def test_pytorch_style_loop_example_runs_and_learns():
    spec = importlib.util.spec_from_file_location(
        "pytorch_style_loop", EXAMPLES / "pytorch_style_loop.py"
    )
    example = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(example)
    _, accuracy = example.train(epochs=3, limit=2400, seed=0)
    assert accuracy > 0.75
