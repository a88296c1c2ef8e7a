"""Keras' other losses (MAPE, MSLE, KL divergence, Poisson, log-cosh, the hinges, cosine
similarity) and metrics (their streaming forms, the cross-entropy metrics, confusion
counts, F-scores, R², AUC) against Keras 3 itself: values, gradients (through Keras on its
torch backend), streaming over several batches, names, and ``compile``'s strings."""

from __future__ import annotations

import re

import numpy as np
import pytest
from _device import host
from _keras_reference import IGNORE_KERAS_ARRAY_WARNING

import autograd as ag
import nn as ours
from autograd import Tensor

pytestmark = IGNORE_KERAS_ARRAY_WARNING

RNG = np.random.default_rng(11)
N, C = 7, 4
NORMAL_Y = RNG.normal(size=(N, C)).astype(np.float32)
NORMAL_P = RNG.normal(size=(N, C)).astype(np.float32)
POSITIVE_Y = RNG.random((N, C)).astype(np.float32)
POSITIVE_P = (RNG.random((N, C)) + 0.05).astype(np.float32)
BINARY_Y = (RNG.random((N, C)) > 0.5).astype(np.float32)
SIGNED_Y = 2 * BINARY_Y - 1
ONEHOT = np.eye(C, dtype=np.float32)[RNG.integers(0, C, N)]

LOSS_CASES = {  # name: (y_true, y_pred)
    "mean_absolute_percentage_error": (NORMAL_Y, NORMAL_P),
    "mean_squared_logarithmic_error": (NORMAL_Y, NORMAL_P),  # negatives meet the max(·, ε)
    "kl_divergence": (POSITIVE_Y, POSITIVE_P),
    "poisson": (POSITIVE_Y, POSITIVE_P),
    "log_cosh": (NORMAL_Y, 10 * NORMAL_P),  # large errors: the stable form
    "hinge": (BINARY_Y, NORMAL_P),  # 0/1 labels, converted to -1/1
    "hinge-signed": (SIGNED_Y, NORMAL_P),
    "squared_hinge": (BINARY_Y, NORMAL_P),
    "categorical_hinge": (ONEHOT, NORMAL_P),
    "cosine_similarity": (NORMAL_Y, NORMAL_P),
}


def _torch_grad(keras, fn, y_true, y_pred):
    import torch

    p = torch.tensor(y_pred, requires_grad=True)
    value = fn(torch.tensor(y_true), p)
    value.sum().backward()
    return value.detach().cpu().numpy(), p.grad.numpy()


@pytest.mark.parametrize("one_sample", [False, True], ids=["batch", "1d"])
@pytest.mark.parametrize("case", sorted(LOSS_CASES))
def test_loss_functions_and_gradients_match_keras(keras, device, case, one_sample):
    name = case.split("-")[0]
    y_true, y_pred = LOSS_CASES[case]
    if one_sample:  # a 1-D input is one sample, as in Keras
        y_true, y_pred = y_true[0], y_pred[0]
    want, want_grad = _torch_grad(keras, getattr(keras.losses, name), y_true, y_pred)
    p = Tensor(y_pred, device=device, requires_grad=True)
    got = getattr(ours.losses, name)(y_true, p)
    ag.sum(got).backward()
    assert got.shape == want.shape and got.dtype == np.float32
    scale = max(1.0, float(np.abs(want).max()))
    np.testing.assert_allclose(host(got), want, rtol=1e-6, atol=1e-6 * scale)
    np.testing.assert_allclose(host(p.grad), want_grad, rtol=1e-5, atol=1e-6 * scale)


LOSS_CLASSES = {
    "MeanAbsolutePercentageError": "mean_absolute_percentage_error",
    "MeanSquaredLogarithmicError": "mean_squared_logarithmic_error",
    "KLDivergence": "kl_divergence", "Poisson": "poisson", "LogCosh": "log_cosh",
    "Hinge": "hinge", "SquaredHinge": "squared_hinge", "CategoricalHinge": "categorical_hinge",
    "CosineSimilarity": "cosine_similarity",
}  # fmt: skip


@pytest.mark.parametrize("reduction", ["sum_over_batch_size", "sum", "none"])
@pytest.mark.parametrize("cls", sorted(LOSS_CLASSES))
def test_loss_classes_reduce_and_are_named_as_keras(keras, cls, reduction):
    y_true, y_pred = LOSS_CASES[LOSS_CLASSES[cls]]
    theirs = getattr(keras.losses, cls)(reduction=reduction)
    mine = getattr(ours.losses, cls)(reduction=reduction)
    assert mine.name == theirs.name
    want = theirs(y_true, y_pred).cpu().numpy()
    got = mine(y_true, Tensor(y_pred))
    np.testing.assert_allclose(host(got), want, rtol=1e-6, atol=1e-5)


@pytest.mark.parametrize("name", ["mape", "msle", "kld", "kl_divergence", "poisson", "hinge",
                                  "squared_hinge", "categorical_hinge", "log_cosh",
                                  "cosine_similarity"])  # fmt: skip
def test_compile_takes_the_loss_names(keras, name):
    theirs, mine = keras.losses.get(name), ours.losses.get(name)
    y_true, y_pred = (POSITIVE_Y, POSITIVE_P)
    want = float(np.mean(theirs(y_true, y_pred).cpu().numpy()))  # compile averages it
    assert float(mine(y_true, Tensor(y_pred))) == pytest.approx(want, rel=1e-6, abs=1e-6)


def test_the_new_losses_gradients_agree_with_finite_differences():
    """In float64, away from the kinks (|y| and p positive, margins not at 1)."""
    y = RNG.random((3, 4)) + 0.1
    p0 = RNG.random((3, 4)) + 0.2
    for fn in (ours.losses.mean_absolute_percentage_error,
               ours.losses.mean_squared_logarithmic_error, ours.losses.kl_divergence,
               ours.losses.poisson, ours.losses.log_cosh, ours.losses.squared_hinge,
               ours.losses.cosine_similarity):  # fmt: skip
        assert ag.gradcheck(lambda p, fn=fn: ag.sum(fn(y, p)),
                            (Tensor(p0, requires_grad=True),)), fn.__name__  # fmt: skip


# ---------------------------------------------------------------- metrics
STREAMED = {  # class: (constructor keywords, y_true, y_pred)
    "MeanAbsolutePercentageError": ({}, NORMAL_Y, NORMAL_P),
    "MeanSquaredLogarithmicError": ({}, POSITIVE_Y, POSITIVE_P),
    "KLDivergence": ({}, POSITIVE_Y, POSITIVE_P),
    "Poisson": ({}, POSITIVE_Y, POSITIVE_P),
    "LogCoshError": ({}, NORMAL_Y, NORMAL_P),
    "Hinge": ({}, BINARY_Y, NORMAL_P),
    "SquaredHinge": ({}, BINARY_Y, NORMAL_P),
    "CategoricalHinge": ({}, ONEHOT, NORMAL_P),
    "CosineSimilarity": ({}, NORMAL_Y, NORMAL_P),
    "BinaryCrossentropy": ({"label_smoothing": 0.1}, BINARY_Y, POSITIVE_P / 1.1),
    "CategoricalCrossentropy": ({"from_logits": True}, ONEHOT, NORMAL_P),
    "SparseCategoricalCrossentropy": ({}, ONEHOT.argmax(1),
                                      POSITIVE_P / POSITIVE_P.sum(1, keepdims=True)),
    "TruePositives": ({}, BINARY_Y, POSITIVE_P / 1.05),
    "FalsePositives": ({"thresholds": 0.3}, BINARY_Y, POSITIVE_P / 1.05),
    "TrueNegatives": ({}, BINARY_Y, POSITIVE_P / 1.05),
    "FalseNegatives": ({}, BINARY_Y, POSITIVE_P / 1.05),
    "F1Score": ({}, ONEHOT, POSITIVE_P),
    "F1Score-macro": ({"average": "macro"}, ONEHOT, POSITIVE_P),
    "F1Score-micro-threshold": ({"average": "micro", "threshold": 0.5}, BINARY_Y, POSITIVE_P),
    "FBetaScore-weighted": ({"average": "weighted", "beta": 2.0}, ONEHOT, POSITIVE_P),
    "R2Score": ({}, NORMAL_Y, NORMAL_Y + 0.5 * NORMAL_P),
    "R2Score-weighted": ({"class_aggregation": "variance_weighted_average"}, NORMAL_Y,
                         NORMAL_Y + 0.5 * NORMAL_P),
    "R2Score-columns": ({"class_aggregation": None}, NORMAL_Y, NORMAL_Y + 0.5 * NORMAL_P),
    "R2Score-adjusted": ({"num_regressors": 3}, NORMAL_Y[:, :1], NORMAL_Y[:, :1] + NORMAL_P[:, :1]),
    "AUC": ({}, BINARY_Y, POSITIVE_P / 1.05),
    "AUC-PR": ({"curve": "PR"}, BINARY_Y, POSITIVE_P / 1.05),
    "AUC-few-minoring": ({"num_thresholds": 7, "summation_method": "minoring"}, BINARY_Y,
                         POSITIVE_P / 1.05),
    "AUC-PR-majoring": ({"curve": "PR", "summation_method": "majoring"}, BINARY_Y,
                        POSITIVE_P / 1.05),
    "AUC-logits-thresholds": ({"from_logits": True, "thresholds": [0.2, 0.5, 0.9]}, BINARY_Y,
                              NORMAL_P),
}  # fmt: skip


@pytest.mark.parametrize("case", sorted(STREAMED))
def test_metrics_stream_over_batches_as_keras(keras, device, case):
    cls = case.split("-")[0]
    kwargs, y_true, y_pred = STREAMED[case]
    theirs, mine = getattr(keras.metrics, cls)(**kwargs), getattr(ours.metrics, cls)(**kwargs)
    assert mine.name == re.sub(r"_\d+$", "", theirs.name)  # Keras numbers unnamed AUCs
    for part in (slice(0, 3), slice(3, N)):
        theirs.update_state(y_true[part], y_pred[part])
        mine.update_state(y_true[part], Tensor(y_pred[part], device=device))
    want = np.asarray(theirs.result().cpu().numpy())
    got = mine.result()
    assert got.shape == want.shape
    np.testing.assert_allclose(host(got), want, rtol=2e-6, atol=2e-6)
    mine.reset_state()
    theirs.reset_state()
    mine.update_state(y_true[:2], Tensor(y_pred[:2], device=device))
    theirs.update_state(y_true[:2], y_pred[:2])
    np.testing.assert_allclose(host(mine.result()), theirs.result().cpu().numpy(),
                               rtol=2e-6, atol=2e-6)  # fmt: skip


def test_auc_of_a_perfect_and_a_useless_ranking():
    y = np.array([0, 0, 1, 1, 0, 1], np.float32)
    perfect, useless = ours.metrics.AUC(), ours.metrics.AUC()
    perfect.update_state(y, Tensor(np.array([0.1, 0.2, 0.8, 0.9, 0.3, 0.7], np.float32)))
    useless.update_state(y, Tensor(np.full(6, 0.5, np.float32)))
    assert float(perfect.result()) == pytest.approx(1.0)
    assert float(useless.result()) == pytest.approx(0.5)


@pytest.mark.parametrize("name", ["auc", "AUC", "precision", "Recall", "f1_score", "r2_score",
                                  "TruePositives", "mape", "msle", "poisson", "hinge"])  # fmt: skip
def test_metrics_get_resolves_keras_names(keras, name):
    theirs, mine = keras.metrics.get(name), ours.metrics.get(name)
    if isinstance(theirs, keras.metrics.Metric) and not isinstance(
        theirs, keras.metrics.MeanMetricWrapper
    ):
        assert type(mine).__name__ == type(theirs).__name__
    else:  # a loss name: the loss's mean over the samples
        y, p = POSITIVE_Y, POSITIVE_P
        theirs.update_state(y, p)
        assert float(ours.metrics.MeanMetricWrapper(mine)(y, Tensor(p))) == pytest.approx(
            float(theirs.result()), rel=1e-6)


def test_fit_logs_the_new_metrics_as_keras(keras):
    x = RNG.normal(size=(64, 5)).astype(np.float32)
    y = (x[:, :1] - x[:, 1:2] > 0).astype(np.float32)
    keras.utils.set_random_seed(0)
    histories, weights = {}, None
    for lib in (keras, ours):  # Keras first: ours starts from its weights
        model = lib.Sequential([lib.layers.Input((5,)), lib.layers.Dense(1, activation="sigmoid")])
        if weights is None:
            weights = model.get_weights()
        else:
            model.set_weights(weights)
        model.compile(optimizer="sgd", loss="binary_crossentropy",
                      metrics=["auc", "precision", lib.metrics.Recall(name="recall"),
                               "poisson"])  # fmt: skip
        h = model.fit(x, y, batch_size=16, epochs=2, shuffle=False, verbose=0)
        histories[lib] = h.history
    assert set(histories[ours]) == set(histories[keras])
    for key, values in histories[keras].items():
        np.testing.assert_allclose(histories[ours][key], values, rtol=1e-4, atol=1e-5,
                                   err_msg=key)  # fmt: skip


def test_unsupported_options_are_refused_by_name():
    with pytest.raises(NotImplementedError, match="multi_label"):
        ours.metrics.AUC(multi_label=True)
    with pytest.raises(ValueError, match="one weight per sample"):
        ours.metrics.F1Score().update_state(np.eye(2), Tensor(np.eye(2)), sample_weight=[1, 2, 3])
    with pytest.raises(NotImplementedError, match="list"):
        ours.metrics.TruePositives(thresholds=[0.3, 0.6])
    with pytest.raises(NotImplementedError, match="axis"):
        ours.losses.CosineSimilarity(axis=0)
    with pytest.raises(ValueError, match="one-hot"):
        ours.metrics.F1Score().update_state(np.array([0, 1]), Tensor(np.eye(2, dtype=np.float32)))
