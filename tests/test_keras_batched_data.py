"""Data that comes in batches, against Keras 3: a ``keras.utils.PyDataset`` (in order, or
shuffled by Python's ``random`` as Keras shuffles it; its epoch hooks; ``class_weight``;
``predict``), and ``ModelCheckpoint(save_freq=N)``, which saves every N batches."""

from __future__ import annotations

import os
import random

import numpy as np
import pytest
from _keras_reference import IGNORE_KERAS_ARRAY_WARNING

import nn as ours

pytestmark = IGNORE_KERAS_ARRAY_WARNING

RNG = np.random.default_rng(9)
X = RNG.random((70, 6)).astype(np.float32)
Y = RNG.integers(0, 3, 70)


def _dataset_class(lib):
    class Batches(lib.utils.PyDataset):
        def __init__(self, x, y, batch_size, **kwargs):
            super().__init__(**kwargs)
            self.x, self.y, self.batch_size = x, y, batch_size
            self.events = []

        def __len__(self):
            return int(np.ceil(len(self.x) / self.batch_size))

        def __getitem__(self, idx):
            s = slice(idx * self.batch_size, (idx + 1) * self.batch_size)
            return self.x[s], self.y[s]

        def on_epoch_begin(self):
            self.events.append("begin")

        def on_epoch_end(self):
            self.events.append("end")

    return Batches


def _model(lib):
    model = lib.Sequential([lib.Input(shape=(6,)), lib.layers.Dense(4, activation="relu"),
                            lib.layers.Dense(3, activation="softmax")])
    rng = np.random.default_rng(2)
    for layer in model.layers:
        layer.set_weights([rng.normal(0, 0.4, w.shape).astype(np.float32)
                           for w in layer.get_weights()])
    model.compile("sgd", "sparse_categorical_crossentropy", metrics=["accuracy"])
    return model


def _run(lib, **fit_kwargs):
    data = _dataset_class(lib)(X, Y, batch_size=16)
    model = _model(lib)
    random.seed(1234)  # Keras shuffles a PyDataset's batches with Python's random
    history = model.fit(data, epochs=3, verbose=0, **fit_kwargs).history
    return history, model.evaluate(data, verbose=0), model.predict(data, verbose=0), data.events


@pytest.mark.parametrize("kwargs", [{"shuffle": False}, {"shuffle": True},
                                    {"shuffle": False, "class_weight": {0: 0.5, 2: 3.0}}],
                         ids=["in-order", "shuffled", "class-weight"])
def test_a_py_dataset_trains_evaluates_and_predicts_as_in_keras(keras, kwargs):
    mine, theirs = _run(ours, **kwargs), _run(keras, **kwargs)
    # Float32 tolerances, not rounding: two values a rounding boundary apart differ in
    # their last kept digit however close they are.
    assert sorted(mine[0]) == sorted(theirs[0])
    for key in mine[0]:
        np.testing.assert_allclose(mine[0][key], theirs[0][key], rtol=1e-5, err_msg=key)
    np.testing.assert_allclose(mine[1], theirs[1], rtol=1e-5)
    np.testing.assert_allclose(mine[2], theirs[2], atol=1e-5)
    assert mine[3][:6] == theirs[3][:6] == ["begin", "end"] * 3


def test_shuffling_a_py_dataset_changes_the_order_of_its_batches():
    shuffled, in_order = _run(ours, shuffle=True)[0], _run(ours, shuffle=False)[0]
    assert shuffled["loss"] != in_order["loss"]  # another order, other float sums


def test_a_py_dataset_without_batches_or_with_a_bad_batch_is_refused():
    class Empty(ours.utils.PyDataset):
        def __len__(self):
            return 0

    with pytest.raises(ValueError, match="has no batches"):
        _model(ours).fit(Empty(), verbose=0)

    class Bad(ours.utils.PyDataset):
        def __len__(self):
            return 1

        def __getitem__(self, idx):
            return X, Y, Y, Y

    with pytest.raises(ValueError, match="must return a tuple"):
        _model(ours).fit(Bad(), verbose=0)


def test_model_checkpoint_saves_every_n_batches_with_the_running_logs(tmp_path):
    model = _model(ours)
    path = str(tmp_path / "ckpt-{epoch}-{batch}-{loss:.3f}.keras")
    model.fit(X, Y, batch_size=10, epochs=2, verbose=0, shuffle=False,
              callbacks=[ours.callbacks.ModelCheckpoint(path, save_freq=3)])
    names = sorted(os.listdir(tmp_path))
    # 7 batches an epoch: saved after batches 3 and 6 of epoch 1, then 2 and 5 of epoch 2
    assert [n.split("-")[1:3] for n in names] == [["1", "3"], ["1", "6"], ["2", "2"],
                                                  ["2", "5"]]
    with pytest.raises(ValueError, match="save_freq must be 'epoch' or a positive int"):
        ours.callbacks.ModelCheckpoint(path, save_freq=0)
