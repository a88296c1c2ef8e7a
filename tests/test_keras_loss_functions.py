"""Keras' loss functions and classes against Keras 3 itself: the functions give one value
per sample (``keras.losses.mean_squared_error(y, p)`` has shape (N,)), the classes reduce
those values (a 1-D input is one sample), ``label_smoothing`` and ``name``; and a custom
loss function returning per-sample or per-element values trains in ``fit`` as in Keras
(HOML's ``huber_fn``), as a loss and as a metric."""

from __future__ import annotations

import numpy as np
import pytest
from _device import host
from _keras_reference import IGNORE_KERAS_ARRAY_WARNING

import autograd as ag
import nn as ours
from autograd import Tensor

pytestmark = IGNORE_KERAS_ARRAY_WARNING

RNG = np.random.default_rng(7)
ONEHOT = np.eye(4, dtype=np.float32)[[0, 3, 1, 1, 2]]
PROBS = RNG.dirichlet(np.ones(4), size=5).astype(np.float32)
LOGITS = RNG.normal(size=(5, 4)).astype(np.float32)
LABELS = np.array([0, 3, 1, 1, 2])
Y01 = (RNG.random((5, 3)) > 0.5).astype(np.float32)
P01 = RNG.uniform(0.05, 0.95, (5, 3)).astype(np.float32)
Y1D, P1D = np.array([1.0, 2.0, 3.0], np.float32), np.array([1.5, 2.0, 5.0], np.float32)

FUNCTIONS = {  # name: (arguments, keyword arguments)
    "categorical_crossentropy": ((ONEHOT, PROBS), {}),
    "categorical_crossentropy-logits-smoothed": ((ONEHOT, LOGITS),
                                                 {"from_logits": True, "label_smoothing": 0.2}),
    "categorical_crossentropy-smoothed": ((ONEHOT, PROBS), {"label_smoothing": 0.1}),
    "sparse_categorical_crossentropy": ((LABELS, PROBS), {}),
    "sparse_categorical_crossentropy-logits": ((LABELS, LOGITS), {"from_logits": True}),
    "binary_crossentropy": ((Y01, P01), {}),
    "binary_crossentropy-smoothed": ((Y01, P01), {"label_smoothing": 0.3}),
    "binary_crossentropy-1d": ((Y01[:, 0], P01[:, 0]), {}),
    "mean_squared_error": ((Y01, P01), {}),
    "mean_squared_error-1d": ((Y1D, P1D), {}),
    "mean_absolute_error": ((Y01, P01), {}),
    "huber": ((Y01, P01 * 3), {"delta": 0.5}),
    # one prediction per sample against several targets: Keras broadcasts them
    "mean_squared_error-broadcast": ((Y01, P01[:, :1]), {}),
    "mean_absolute_error-broadcast": ((Y01, P01[:, :1]), {}),
    "huber-broadcast": ((Y01, P01[:, :1] * 3), {}),
    "log_cosh-broadcast": ((Y01, P01[:, :1]), {}),
    "kl_divergence-number-target": ((0.1, P01[0]), {}),  # Hands-On ML's sparsity target
    "binary_focal_crossentropy": ((Y01, P01), {}),
    "binary_focal_crossentropy-balanced-logits-smoothed": (
        (Y01, LOGITS[:, :3]), {"apply_class_balancing": True, "alpha": 0.4, "gamma": 1.5,
                               "from_logits": True, "label_smoothing": 0.1}),
    "categorical_focal_crossentropy": ((ONEHOT, PROBS), {}),
    "categorical_focal_crossentropy-logits-smoothed": (
        (ONEHOT, LOGITS), {"alpha": 0.5, "gamma": 3.0, "from_logits": True,
                           "label_smoothing": 0.2}),
}  # fmt: skip


@pytest.mark.parametrize("case", sorted(FUNCTIONS))
def test_functions_give_one_value_per_sample_as_keras(keras, device, case):
    name = case.split("-")[0]
    (y_true, y_pred), kwargs = FUNCTIONS[case]
    want = getattr(keras.losses, name)(y_true, y_pred, **kwargs).cpu().numpy()
    got = getattr(ours.losses, name)(y_true, Tensor(y_pred, device=device), **kwargs)
    assert got.shape == want.shape
    np.testing.assert_allclose(host(got), want, rtol=2e-6, atol=1e-7)


CLASSES = {  # class name: (arguments, constructor keyword arguments)
    "CategoricalCrossentropy": ((ONEHOT, PROBS), {"label_smoothing": 0.1}),
    "BinaryCrossentropy": ((Y01, P01), {"label_smoothing": 0.2}),
    "BinaryCrossentropy-1d": ((Y01[:, 0], P01[:, 0]), {}),
    "MeanSquaredError-1d": ((Y1D, P1D), {}),
    "MeanAbsoluteError": ((Y01, P01), {}),
    "Huber": ((Y01, P01 * 3), {"delta": 0.5}),
    "MeanSquaredError-broadcast": ((Y01, P01[:, :1]), {}),
    "BinaryFocalCrossentropy": ((Y01, P01), {"apply_class_balancing": True}),
    "CategoricalFocalCrossentropy": ((ONEHOT, LOGITS), {"from_logits": True, "gamma": 1.0}),
    "SparseCategoricalCrossentropy": ((LABELS, LOGITS), {"from_logits": True}),
}


@pytest.mark.parametrize("reduction", ["sum_over_batch_size", "sum", "none"])
@pytest.mark.parametrize("case", sorted(CLASSES))
def test_classes_reduce_as_keras(keras, device, case, reduction):
    name = case.split("-")[0]
    (y_true, y_pred), kwargs = CLASSES[case]
    want = getattr(keras.losses, name)(reduction=reduction, name="mine", **kwargs)(y_true, y_pred)
    got = getattr(ours.losses, name)(reduction=reduction, name="mine", **kwargs)(
        y_true, Tensor(y_pred, device=device))
    assert got.shape == tuple(want.shape)
    np.testing.assert_allclose(host(got), want.cpu().numpy(), rtol=2e-6, atol=1e-7)


def test_the_binary_cross_entropy_refuses_to_broadcast_as_keras_does(keras):
    with pytest.raises(ValueError, match="same shape"):
        keras.losses.binary_crossentropy(Y01, P01[:, :1])
    with pytest.raises(ValueError, match=r"targets of shape \(5, 3\) do not match"):
        ours.losses.binary_crossentropy(Y01, Tensor(P01[:, :1]))


def test_unsupported_options_are_refused_by_name():
    with pytest.raises(NotImplementedError, match="ignore_class"):
        ours.losses.SparseCategoricalCrossentropy(ignore_class=0)
    with pytest.raises(NotImplementedError, match="axis=-1"):
        ours.losses.CategoricalCrossentropy(axis=0)
    with pytest.raises(ValueError, match="label_smoothing must be in"):
        ours.losses.BinaryCrossentropy(label_smoothing=2.0)


def _huber_fn(lib):
    def huber_fn(y_true, y_pred):  # HOML ch. 12: per-element values, Keras averages them
        error = y_true - y_pred
        is_small_error = lib.abs(error) < 1
        squared_loss = lib.square(error) / 2
        linear_loss = lib.abs(error) - 0.5
        return lib.where(is_small_error, squared_loss, linear_loss)

    return huber_fn


def test_a_custom_loss_function_trains_as_in_keras(keras):
    x = RNG.normal(size=(64, 3)).astype(np.float32)
    y = (x @ np.array([[2.0], [-1.0], [0.5]], np.float32) + 1.5).astype(np.float32)
    w = [RNG.normal(size=(3, 1)).astype(np.float32), np.zeros(1, np.float32)]
    histories = []
    for lib, fns in ((keras, keras.ops), (ours, ag)):
        model = lib.Sequential([lib.Input(shape=(3,)), lib.layers.Dense(1)])
        model.set_weights(w)
        huber_fn = _huber_fn(fns)
        model.compile(loss=huber_fn, optimizer=lib.optimizers.SGD(learning_rate=0.05),
                      metrics=[huber_fn, lib.losses.mean_absolute_error])  # fmt: skip
        history = model.fit(x, y, batch_size=16, epochs=3, shuffle=False, verbose=0).history
        histories.append((history, model.get_weights()))
    (theirs, w_theirs), (mine, w_mine) = histories
    assert sorted(mine) == sorted(theirs)
    for key in theirs:
        np.testing.assert_allclose(mine[key], theirs[key], rtol=1e-5, err_msg=key)
    for a, b in zip(w_mine, w_theirs, strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)


def test_compile_with_a_keras_loss_function_evaluates_its_mean():
    model = ours.Sequential([ours.Input(shape=(3,)), ours.layers.Dense(3, activation="sigmoid")])
    model.compile(loss=ours.losses.binary_crossentropy, optimizer="sgd")
    want = ours.losses.binary_crossentropy(Y01, model.predict(P01, verbose=0)).mean()
    assert model.evaluate(P01, Y01, verbose=0) == pytest.approx(float(host(want)), rel=1e-6)


@pytest.mark.parametrize("name", ["binary_focal_crossentropy", "categorical_focal_crossentropy"])
def test_focal_losses_train_as_in_keras(keras, name):
    """By compile name: the losses' gradients, through fit, as Keras 3's."""
    rng = np.random.default_rng(11)
    x = rng.normal(size=(48, 5)).astype(np.float32)
    y = np.eye(3, dtype=np.float32)[rng.integers(0, 3, 48)]
    histories = []
    for lib in (ours, keras):
        model = lib.Sequential([lib.Input((5,)), lib.layers.Dense(4, activation="relu"),
                                lib.layers.Dense(3, activation="sigmoid" if "binary" in name
                                                 else "softmax")])  # fmt: skip
        model.set_weights([np.random.default_rng(i).normal(0, 0.5, w.shape).astype(np.float32)
                           for i, w in enumerate(model.get_weights())])  # fmt: skip
        model.compile("sgd", name)
        histories.append(model.fit(x, y, batch_size=16, epochs=3, shuffle=False,
                                   verbose=0).history["loss"])  # fmt: skip
    np.testing.assert_allclose(histories[0], histories[1], rtol=1e-5)
