"""Sample weights, Keras' way, against Keras 3 itself: the losses' ``sample_weight``
(``Σ vᵢ wᵢ / N``) and the metrics' weighted means (``Σ vᵢ wᵢ / Σ wᵢ``)."""

from __future__ import annotations

import numpy as np
import pytest
from _device import host
from _keras_reference import IGNORE_KERAS_ARRAY_WARNING

import nn as ours

pytestmark = IGNORE_KERAS_ARRAY_WARNING

RNG = np.random.default_rng(3)
N, C = 6, 3
Y = RNG.random((N, 1)).astype(np.float32)
P = RNG.random((N, 1)).astype(np.float32)
W = RNG.random(N).astype(np.float32)
LABELS = RNG.integers(0, C, N)
PROBS = RNG.random((N, C)).astype(np.float32)
PROBS /= PROBS.sum(axis=1, keepdims=True)


def _value(x):
    return np.asarray(host(x) if not hasattr(x, "detach") else x.detach().cpu().numpy(),
                      dtype=np.float64)


LOSSES = {  # name: (class name, keyword arguments, y_true, y_pred)
    "mse": ("MeanSquaredError", {}, Y, P),
    "mae-sum": ("MeanAbsoluteError", {"reduction": "sum"}, Y, P),
    "huber-none": ("Huber", {"reduction": "none"}, Y, P),
    "bce": ("BinaryCrossentropy", {}, Y.round(), P),
    "scce": ("SparseCategoricalCrossentropy", {}, LABELS, PROBS),
    "cce-logits": ("CategoricalCrossentropy", {"from_logits": True}, np.eye(C)[LABELS], PROBS),
}


@pytest.mark.parametrize("weights", ["rank-1", "rank-2"])
@pytest.mark.parametrize("case", sorted(LOSSES))
def test_a_loss_weights_each_samples_value_as_keras(keras, case, weights):
    name, kwargs, y_true, y_pred = LOSSES[case]
    w = W if weights == "rank-1" else W[:, None]
    keras_kwargs = dict(kwargs, reduction=None) if kwargs.get("reduction") == "none" else kwargs
    expected = getattr(keras.losses, name)(**keras_kwargs)(y_true, y_pred, sample_weight=w)
    got = getattr(ours.losses, name)(**kwargs)(y_true, y_pred, sample_weight=w)
    np.testing.assert_allclose(_value(got), _value(expected), rtol=1e-6, atol=1e-7)
    # and not the unweighted value: the weights change it
    assert not np.allclose(_value(got), _value(getattr(ours.losses, name)(**kwargs)(
        y_true, y_pred)))


def test_a_loss_function_given_to_compile_is_weighted_as_keras(keras):
    def my_loss(y_true, y_pred):
        return ours.ops.square(y_true - y_pred)

    from nn import losses

    got = losses.get(my_loss)(Y, ours.ops.convert_to_tensor(P), sample_weight=W)
    expected = keras.losses.MeanSquaredError()(Y, P, sample_weight=W)
    np.testing.assert_allclose(_value(got), _value(expected), rtol=1e-6)


def test_pytorch_losses_refuse_sample_weight_by_name():
    with pytest.raises(TypeError, match="sample_weight is an argument of Keras' losses"):
        ours.MSELoss()(ours.ops.convert_to_tensor(P), Y, sample_weight=W)


def _streamed(lib, make, updates):
    metric = make(lib)
    for args, kwargs in updates:
        metric.update_state(*args, **kwargs)
    return _value(metric.result())


METRICS = {  # name: (make(lib), updates)
    "mean": (lambda k: k.metrics.Mean(),
             [(([1.0, 2.0, 3.0],), {"sample_weight": [0.5, 0.25, 0.0]}), (([4.0],), {})]),
    "mean-all-zero": (lambda k: k.metrics.Mean(),
                      [(([1.0, 2.0],), {"sample_weight": [0.0, 0.0]})]),
    "mae-then-unweighted": (lambda k: k.metrics.MeanAbsoluteError(),
                            [((Y, P), {"sample_weight": W}), ((Y[:3], P[:3]), {})]),
    "mse-2d-weights": (lambda k: k.metrics.MeanSquaredError(),
                       [((Y, P), {"sample_weight": W[:, None]})]),
    "sparse-accuracy": (lambda k: k.metrics.SparseCategoricalAccuracy(),
                        [((LABELS, PROBS), {"sample_weight": W})]),
    "categorical-accuracy": (lambda k: k.metrics.CategoricalAccuracy(),
                             [((np.eye(C)[LABELS], PROBS), {"sample_weight": W})]),
    "binary-accuracy": (lambda k: k.metrics.BinaryAccuracy(),
                        [((Y.round(), P), {"sample_weight": W})]),
}


CONFUSION_SHAPES = {  # name: (y_true shape, y_pred shape, weights shape)
    "flat": ((8,), (8,), (8,)),
    "column": ((8, 1), (8, 1), (8,)),
    "column-weights": ((8, 1), (8, 1), (8, 1)),
    "several-per-sample": ((8, 3), (8, 3), (8,)),
    "flat-targets": ((8,), (8, 1), (8,)),
}


@pytest.mark.parametrize("kind", ["Precision", "Recall", "TruePositives", "FalseNegatives",
                                  "TrueNegatives", "FalsePositives"])
@pytest.mark.parametrize("shapes", sorted(CONFUSION_SHAPES))
def test_confusion_counts_weigh_each_prediction_as_keras(keras, kind, shapes):
    rng = np.random.default_rng(sorted(CONFUSION_SHAPES).index(shapes))
    y_shape, p_shape, w_shape = CONFUSION_SHAPES[shapes]
    y = (rng.random(y_shape) > 0.5).astype(np.float32)
    p = rng.random(p_shape).astype(np.float32)
    w = rng.random(w_shape).astype(np.float32)
    updates = [((y, p), {"sample_weight": w}), ((y, p), {})]
    make = lambda lib: getattr(lib.metrics, kind)()  # noqa: E731
    np.testing.assert_allclose(_streamed(ours, make, updates), _streamed(keras, make, updates),
                               rtol=1e-6)


@pytest.mark.parametrize("case", sorted(METRICS))
def test_a_metric_takes_the_weighted_mean_as_keras(keras, case):
    make, updates = METRICS[case]
    np.testing.assert_allclose(_streamed(ours, make, updates), _streamed(keras, make, updates),
                               rtol=1e-6)
