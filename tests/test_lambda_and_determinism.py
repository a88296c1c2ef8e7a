"""Keras' ``Lambda`` layer and ``LambdaCallback`` against Keras 3, and PyTorch's
``use_deterministic_algorithms``: the one op without a repeatable GPU implementation
(adding into repeated indices) refuses, or warns, when asked."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from _device import host
from _keras_reference import IGNORE_KERAS_ARRAY_WARNING

import autograd as ag
import nn as ours
from autograd import Tensor

pytestmark = IGNORE_KERAS_ARRAY_WARNING
RNG = np.random.default_rng(8)


def test_lambda_layer_and_callback_train_as_in_keras(keras):
    x = RNG.normal(size=(24, 4)).astype(np.float32)
    y = RNG.normal(size=(24, 1)).astype(np.float32)
    w = [RNG.normal(size=(2, 1)).astype(np.float32), np.zeros(1, np.float32)]
    runs = []
    for lib, ops in ((keras, keras.ops), (ours, ag)):
        seen: list = []
        model = lib.Sequential([
            lib.Input(shape=(4,)),
            lib.layers.Lambda(lambda t, ops=ops: ops.tanh(t) * 2.0),
            lib.layers.Lambda(lambda t, k: t[:, :k], arguments={"k": 2}),
            lib.layers.Dense(1),
        ])  # fmt: skip
        model.set_weights(w)
        model.compile(optimizer=lib.optimizers.SGD(0.1), loss="mse")
        callback = lib.callbacks.LambdaCallback(
            on_epoch_end=lambda epoch, logs, seen=seen: seen.append((epoch, logs["loss"])),
            on_train_begin=lambda logs, seen=seen: seen.append("begin"),
        )
        model.fit(x, y, batch_size=8, epochs=3, shuffle=False, verbose=0, callbacks=[callback])
        runs.append((seen, [tuple(layer.compute_output_shape((None, 4))) for layer in
                            model.layers[:1]]))  # fmt: skip
    (theirs, shapes_theirs), (mine, shapes_mine) = runs
    assert mine[0] == theirs[0] == "begin" and len(mine) == len(theirs) == 4
    for (e1, l1), (e2, l2) in zip(mine[1:], theirs[1:], strict=True):
        assert e1 == e2 and l1 == pytest.approx(l2, rel=1e-5)
    assert shapes_mine == shapes_theirs == [(None, 4)]


def test_lambda_callback_per_batch_hooks_see_every_batch():
    batches = []
    model = ours.Sequential([ours.Input(shape=(2,)), ours.layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse")
    callback = ours.callbacks.LambdaCallback(on_batch_end=lambda b, logs: batches.append(b))
    model.fit(np.ones((10, 2), np.float32), np.ones((10, 1), np.float32), batch_size=4,
              epochs=1, verbose=0, callbacks=[callback])  # fmt: skip
    assert batches == [0, 1, 2]
    with pytest.raises(TypeError, match="not a callback hook"):
        ours.callbacks.LambdaCallback(on_lunch=print)


def test_deterministic_mode_refuses_atomic_additions_on_a_device(device):
    x = Tensor(np.arange(4.0), device=device, requires_grad=True)
    try:
        ag.use_deterministic_algorithms(True)
        assert ag.are_deterministic_algorithms_enabled()
        x[1:3].sum().backward()  # a slice: plain assignment, repeatable everywhere
        if device == "cpu":
            x[[0, 0]].sum().backward()  # NumPy's add.at repeats bit for bit
            np.testing.assert_array_equal(host(x.grad), [2.0, 1.0, 1.0, 0.0])
            x.grad = None
            return
        with pytest.raises(RuntimeError, match="does not have a deterministic implementation"):
            x[[0, 0]].sum().backward()
        ag.use_deterministic_algorithms(True, warn_only=True)
        with pytest.warns(UserWarning, match="deterministic implementation"):
            x[[0, 0]].sum().backward()
    finally:
        ag.use_deterministic_algorithms(False)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        x[[0, 0]].sum().backward()  # off again: silent
    assert not ag.are_deterministic_algorithms_enabled()
