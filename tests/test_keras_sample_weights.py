"""Sample weights, Keras' way, against Keras 3 itself: the losses' ``sample_weight``
(``Σ vᵢ wᵢ / N``), the metrics' weighted means (``Σ vᵢ wᵢ / Σ wᵢ``), ``fit``'s
``sample_weight`` and ``class_weight`` (compile's ``weighted_metrics`` take them, its
``metrics`` do not), ``evaluate``'s, validation weights, and the ``.keras`` file's
``weighted_metrics``."""

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
                                  "TrueNegatives", "FalsePositives", "AUC"])
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


# ------------------------------------------------------------------ fit and evaluate
X_FIT = RNG.random((200, 5)).astype(np.float32)
Y_FIT = RNG.integers(0, 3, 200)
W_FIT = RNG.random(200).astype(np.float32)


def _model(lib):
    model = lib.Sequential([lib.Input(shape=(5,)), lib.layers.Dense(8, activation="relu"),
                            lib.layers.Dense(3, activation="softmax")])
    rng = np.random.default_rng(5)
    for layer in model.layers:
        layer.set_weights([rng.normal(0, 0.3, w.shape).astype(np.float32)
                           for w in layer.get_weights()])
    return model


def _rounded(history):
    return {k: np.round(v, 5).tolist() for k, v in history.history.items()}


def _sample_weighted_run(lib):
    model = _model(lib)
    model.compile("adam", "sparse_categorical_crossentropy", metrics=["accuracy"],
                  weighted_metrics=["accuracy"])
    history = model.fit(X_FIT, Y_FIT, sample_weight=W_FIT, epochs=2, batch_size=32,
                        shuffle=False, verbose=0, validation_split=0.2)
    return (_rounded(history),
            model.evaluate(X_FIT, Y_FIT, sample_weight=W_FIT, verbose=0),
            model.evaluate(X_FIT, Y_FIT, sample_weight=W_FIT, verbose=0, return_dict=True),
            model.evaluate(X_FIT, Y_FIT, verbose=0))


SCORES = {  # name: (metric maker, y_true, y_pred, weights)
    "f1-macro": (lambda k: k.metrics.F1Score(average="macro"), "onehot", (8,)),
    "f1-micro": (lambda k: k.metrics.F1Score(average="micro", threshold=0.4), "onehot", (8,)),
    "fbeta-weighted": (lambda k: k.metrics.FBetaScore(average="weighted", beta=2.0),
                       "onehot", (8,)),
    "fbeta-none": (lambda k: k.metrics.FBetaScore(beta=0.5), "onehot", (8,)),
    "auc-pr": (lambda k: k.metrics.AUC(curve="PR"), "binary", (8, 1)),
    "auc-majoring": (lambda k: k.metrics.AUC(summation_method="majoring"), "binary", (8,)),
    "r2": (lambda k: k.metrics.R2Score(), "regression", (8,)),
    "r2-per-entry": (lambda k: k.metrics.R2Score(class_aggregation=None), "regression", (8, 3)),
    "r2-variance-weighted": (lambda k: k.metrics.R2Score(
        class_aggregation="variance_weighted_average"), "regression", (8, 1)),
}


@pytest.mark.parametrize("case", sorted(SCORES))
def test_scores_weigh_each_sample_as_keras(keras, case):
    make, kind, w_shape = SCORES[case]
    rng = np.random.default_rng(sorted(SCORES).index(case) + 40)
    if kind == "onehot":
        y = np.eye(3, dtype=np.float32)[rng.integers(0, 3, 8)]
        p = rng.dirichlet(np.ones(3), 8).astype(np.float32)
    elif kind == "binary":
        y = (rng.random((8, 1)) > 0.5).astype(np.float32)
        p = rng.random((8, 1)).astype(np.float32)
    else:
        y = rng.normal(size=(8, 3)).astype(np.float32)
        p = (y + 0.5 * rng.normal(size=(8, 3))).astype(np.float32)
    w = rng.uniform(0.1, 2.0, w_shape).astype(np.float32)
    updates = [((y, p), {"sample_weight": w}), ((y[::-1].copy(), p), {})]
    np.testing.assert_allclose(_streamed(ours, make, updates), _streamed(keras, make, updates),
                               rtol=2e-6, atol=1e-7)


def test_fit_and_evaluate_with_sample_weight_equal_keras(keras):
    ours_run, keras_run = _sample_weighted_run(ours), _sample_weighted_run(keras)
    assert ours_run[0] == keras_run[0]  # the logs, their order included (Keras sorts them)
    assert "weighted_accuracy" in ours_run[0] and "val_weighted_accuracy" in ours_run[0]
    # evaluate's list as Keras gives it: loss, the metrics by compile's names, the rest
    np.testing.assert_allclose(ours_run[1], keras_run[1], rtol=1e-5)
    assert len(ours_run[1]) == len(keras_run[1]) == 4
    assert list(ours_run[2]) == list(keras_run[2])
    np.testing.assert_allclose(list(ours_run[2].values()), list(keras_run[2].values()),
                               rtol=1e-5)
    np.testing.assert_allclose(ours_run[3], keras_run[3], rtol=1e-5)


def _class_weighted_run(lib):
    model = _model(lib)
    model.compile("sgd", "sparse_categorical_crossentropy", metrics=["accuracy"])
    history = model.fit(X_FIT, Y_FIT, class_weight={0: 1.0, 1: 3.0, 2: 0.5}, epochs=2,
                        batch_size=50, shuffle=False, verbose=0,
                        validation_data=(X_FIT[:50], Y_FIT[:50], W_FIT[:50]))
    return _rounded(history)


def test_fit_with_class_weight_and_weighted_validation_data_equals_keras(keras):
    assert _class_weighted_run(ours) == _class_weighted_run(keras)


def test_one_hot_labels_pick_their_class_weight(keras):
    onehot = np.eye(3, dtype=np.float32)[Y_FIT]

    def run(lib):
        model = _model(lib)
        model.compile("sgd", "categorical_crossentropy")
        return _rounded(model.fit(X_FIT, onehot, class_weight={1: 4.0}, epochs=1,
                                  shuffle=False, verbose=0))

    assert run(ours) == run(keras)


def test_weighted_metrics_go_both_ways_through_keras_files(keras, tmp_path):
    model = _model(ours)
    model.compile("adam", "sparse_categorical_crossentropy", weighted_metrics=["accuracy"])
    model.fit(X_FIT, Y_FIT, sample_weight=W_FIT, epochs=1, shuffle=False, verbose=0)
    path = str(tmp_path / "weighted.keras")
    model.save(path)
    expected = model.evaluate(X_FIT, Y_FIT, sample_weight=W_FIT, verbose=0)
    theirs = keras.models.load_model(path)
    np.testing.assert_allclose(theirs.evaluate(X_FIT, Y_FIT, sample_weight=W_FIT, verbose=0),
                               expected, rtol=1e-5)
    theirs.save(str(tmp_path / "back.keras"))
    back = ours.models.load_model(str(tmp_path / "back.keras"))
    np.testing.assert_allclose(back.evaluate(X_FIT, Y_FIT, sample_weight=W_FIT, verbose=0),
                               expected, rtol=1e-5)


def test_wrong_weights_are_refused_before_training():
    model = _model(ours)
    model.compile("adam", "sparse_categorical_crossentropy")
    with pytest.raises(ValueError, match="cannot `class_weight` and `sample_weight`"):
        model.fit(X_FIT, Y_FIT, sample_weight=W_FIT, class_weight={0: 2.0}, verbose=0)
    with pytest.raises(ValueError, match="sample_weight has 199 entries but y has 200"):
        model.fit(X_FIT, Y_FIT, sample_weight=W_FIT[:-1], verbose=0)
    with pytest.raises(TypeError, match="class_weight must be a dict"):
        model.fit(X_FIT, Y_FIT, class_weight=[1.0, 2.0, 3.0], verbose=0)
    bad = W_FIT.copy()
    bad[7] = np.nan
    with pytest.raises(ValueError, match="sample_weight"):
        model.evaluate(X_FIT, Y_FIT, sample_weight=bad, verbose=0)


def test_unweighted_training_is_unchanged_by_weights_of_one():
    def run(**weights):
        model = _model(ours)
        model.compile("adam", "sparse_categorical_crossentropy", metrics=["accuracy"])
        return _rounded(model.fit(X_FIT, Y_FIT, epochs=2, shuffle=False, verbose=0,
                                  **weights))

    assert run() == run(sample_weight=np.ones(200, dtype=np.float32))


def test_a_plain_mean_is_refused_as_a_compiled_metric_as_keras_refuses_it(keras):
    # Mean.update_state(values, sample_weight): compiled, it would take y_pred as weights
    model = _model(keras)
    model.compile("sgd", "sparse_categorical_crossentropy", metrics=[keras.metrics.Mean()])
    with pytest.raises(TypeError):
        model.fit(X_FIT, Y_FIT, epochs=1, verbose=0)
    with pytest.raises(TypeError, match="averages the values given to update_state"):
        _model(ours).compile("sgd", "sparse_categorical_crossentropy",
                             metrics=[ours.metrics.Mean()])
