"""keras.metrics: the classes' running results equal real Keras' over several batches."""

from __future__ import annotations

import re

import numpy as np
import pytest

import nn
from autograd import Tensor

RNG = np.random.default_rng(0)


def _batches(kind: str):
    if kind == "sparse":
        return [(RNG.integers(0, 4, n), RNG.random((n, 4)).astype(np.float32)) for n in (5, 3, 8)]
    if kind == "onehot":
        return [
            (
                np.eye(4, dtype=np.float32)[RNG.integers(0, 4, n)],
                RNG.random((n, 4)).astype(np.float32),
            )
            for n in (5, 3, 8)
        ]
    if kind == "binary":
        return [
            (RNG.integers(0, 2, (n, 1)).astype(np.float32), RNG.random((n, 1)).astype(np.float32))
            for n in (5, 3, 8)
        ]
    return [
        (RNG.normal(size=(n, 2)).astype(np.float32), RNG.normal(size=(n, 2)).astype(np.float32))
        for n in (5, 3, 8)
    ]


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("SparseCategoricalAccuracy", "sparse"), ("CategoricalAccuracy", "onehot"),
        ("BinaryAccuracy", "binary"), ("MeanSquaredError", "regression"),
        ("MeanAbsoluteError", "regression"), ("RootMeanSquaredError", "regression"),
        ("Precision", "binary"), ("Recall", "binary"),
    ],
)  # fmt: skip
def test_streaming_metrics_match_keras(keras, name, kind):
    ours, theirs = getattr(nn.metrics, name)(), getattr(keras.metrics, name)()
    # unnamed Precision/Recall are numbered per process (precision, precision_1...) by
    # both libraries; the counts depend on what earlier tests made
    assert re.sub(r"_\d+$", "", ours.name) == re.sub(r"_\d+$", "", theirs.name)
    for y_true, y_pred in _batches(kind):
        ours.update_state(y_true, Tensor(y_pred))
        theirs.update_state(y_true, y_pred)
        np.testing.assert_allclose(
            float(ours.result()), float(theirs.result()), rtol=1e-6, err_msg=name
        )
    ours.reset_state()
    theirs.reset_state()
    assert float(ours.result()) == float(theirs.result()) == 0.0


def test_mean_of_values_matches_keras(keras):
    ours, theirs = nn.metrics.Mean(), keras.metrics.Mean()
    for values in ([1.0, 2.0], [5.0], [0.5, 0.5, 0.5]):
        ours.update_state(Tensor(values))
        theirs.update_state(np.array(values))
    assert float(ours.result()) == pytest.approx(float(theirs.result()))
