"""Keras' accuracy functions give one value per sample (per entry for the binary one), as
Keras 3's do; the top-k accuracies, as functions, metric classes and ``compile`` names,
against Keras 3."""

from __future__ import annotations

import numpy as np
import pytest
from _device import host
from _keras_reference import IGNORE_KERAS_ARRAY_WARNING

import nn as ours
from autograd import Tensor

pytestmark = IGNORE_KERAS_ARRAY_WARNING
RNG = np.random.default_rng(4)
SCORES = RNG.random((9, 6)).astype(np.float32)  # no ties
LABELS = RNG.integers(0, 6, 9)
ONEHOT = np.eye(6, dtype=np.float32)[LABELS]

CASES = {  # name: (y_true, y_pred, keyword arguments)
    "sparse_categorical_accuracy": (LABELS, SCORES, {}),
    "sparse_categorical_accuracy-column": (LABELS[:, None], SCORES, {}),
    "categorical_accuracy": (ONEHOT, SCORES, {}),
    "binary_accuracy": (ONEHOT[:, :2], SCORES[:, :2], {}),
    "binary_accuracy-1d": (ONEHOT[:, 0], SCORES[:, 0], {"threshold": 0.3}),
    "sparse_top_k_categorical_accuracy": (LABELS, SCORES, {"k": 3}),
    "top_k_categorical_accuracy": (ONEHOT, SCORES, {"k": 2}),
}


CASES.update({  # Keras' loss functions under keras.metrics
    "mean_squared_error": (ONEHOT, SCORES, {}),
    "mean_absolute_error": (ONEHOT, SCORES, {}),
    "binary_crossentropy": (ONEHOT, SCORES, {}),
    "categorical_crossentropy": (ONEHOT, SCORES / SCORES.sum(1, keepdims=True), {}),
    "sparse_categorical_crossentropy": (LABELS, SCORES, {"from_logits": True}),
})


@pytest.mark.parametrize("case", sorted(CASES))
def test_functions_match_keras(keras, device, case):
    name = case.split("-")[0]
    y_true, y_pred, kwargs = CASES[case]
    want = getattr(keras.metrics, name)(y_true, y_pred, **kwargs).cpu().numpy()
    got = getattr(ours.metrics, name)(y_true, Tensor(y_pred, device=device), **kwargs)
    assert got.shape == want.shape
    np.testing.assert_allclose(host(got), want, rtol=2e-6, atol=1e-7)


@pytest.mark.parametrize("cls, y_true", [("SparseTopKCategoricalAccuracy", LABELS),
                                         ("TopKCategoricalAccuracy", ONEHOT)])  # fmt: skip
def test_top_k_metrics_stream_as_keras(keras, cls, y_true):
    theirs, mine = getattr(keras.metrics, cls)(k=3), getattr(ours.metrics, cls)(k=3)
    assert mine.name == theirs.name
    for part in (slice(0, 4), slice(4, 9)):
        theirs.update_state(y_true[part], SCORES[part])
        mine.update_state(y_true[part], Tensor(SCORES[part]))
    assert float(mine.result()) == pytest.approx(float(theirs.result()), abs=1e-7)


def test_top_k_accuracy_by_name_in_fit(keras):
    x = RNG.normal(size=(32, 4)).astype(np.float32)
    y = RNG.integers(0, 5, 32)
    w = [RNG.normal(size=(4, 5)).astype(np.float32), np.zeros(5, np.float32)]
    logs = []
    for lib in (keras, ours):
        model = lib.Sequential([lib.Input(shape=(4,)), lib.layers.Dense(5, activation="softmax")])
        model.set_weights(w)
        model.compile(optimizer="sgd", loss="sparse_categorical_crossentropy",
                      metrics=["sparse_top_k_categorical_accuracy",
                               lib.metrics.SparseTopKCategoricalAccuracy(k=2, name="top2")])
        logs.append(model.evaluate(x, y, verbose=0, return_dict=True))
    assert sorted(logs[1]) == sorted(logs[0])
    for key in logs[0]:
        assert logs[1][key] == pytest.approx(logs[0][key], rel=1e-6), key
