"""Keras 3's overridable training step on the PyTorch backend (keras.io, "Customizing what
happens in fit() with PyTorch"): ``train_step``/``test_step``/``predict_step``,
``compute_loss``, ``compute_metrics``, ``model.metrics``, a Model subclass built from
inputs and outputs, ``v.value.grad`` and ``optimizer.apply``, ``fit`` on a DataLoader.
The guides themselves run against Keras in ``tests/keras_programs/kerasio_torch_loops.py``;
these pin the pieces."""

from __future__ import annotations

import numpy as np
import pytest
from _device import host

import autograd as torch
import nn as keras
from nn.models import Functional

RNG = np.random.default_rng(7)
X = RNG.random((96, 4)).astype(np.float32)
Y = RNG.random((96, 1)).astype(np.float32)


def _seed(model):
    rng = np.random.default_rng(1)
    for layer in model.layers:
        layer.set_weights([rng.normal(0, 0.5, w.shape).astype(np.float32)
                           for w in layer.get_weights()])
    return model


def _functional(cls=keras.Model):
    inputs = keras.Input(shape=(4,))
    outputs = keras.layers.Dense(1)(keras.layers.Dense(5, activation="relu")(inputs))
    return _seed(cls(inputs, outputs))


class Plain(keras.Model):
    """No override: trains through the built-in step."""


class SuperStep(keras.Model):
    """Overrides train_step and test_step with Keras' defaults (super())."""

    def train_step(self, data):
        self.seen = type(data), len(data), [type(d).__name__ for d in data]
        return super().train_step(data)

    def test_step(self, data):
        return super().test_step(data)


def test_a_subclass_built_from_inputs_and_outputs_is_functional_and_keeps_its_overrides():
    model = _functional(SuperStep)
    assert isinstance(model, Functional) and isinstance(model, SuperStep)
    assert [type(la).__name__ for la in model.layers] == ["InputLayer", "Dense", "Dense"]
    again = _functional(SuperStep)  # the class changed once; a second model works alike
    assert again.layers[1] is not model.layers[1]
    assert isinstance(_functional(Plain), Functional)


def test_keras_default_steps_through_super_equal_the_built_in_step():
    def run(cls, **kwargs):
        model = _functional(cls)
        model.compile(optimizer="adam", loss="mse", metrics=["mae"])
        history = model.fit(X, Y, epochs=2, batch_size=16, shuffle=False, verbose=0,
                            validation_split=0.25, **kwargs)
        return model, history.history, model.evaluate(X, Y, verbose=0)

    _, plain, plain_eval = run(Plain)
    model, overridden, overridden_eval = run(SuperStep)
    assert model.seen[:2] == (tuple, 2) and model.seen[2] == ["Tensor", "Tensor"]
    assert list(overridden) == list(plain)
    for key in plain:
        np.testing.assert_allclose(overridden[key], plain[key], rtol=1e-6)
    np.testing.assert_allclose(overridden_eval, plain_eval, rtol=1e-6)
    weights = RNG.random(96).astype(np.float32)
    _, plain_w, _ = run(Plain, sample_weight=weights)
    model, overridden_w, _ = run(SuperStep, sample_weight=weights)
    assert model.seen[1] == 3  # (x, y, sample_weight)
    for key in plain_w:
        np.testing.assert_allclose(overridden_w[key], plain_w[key], rtol=1e-6)


def test_model_metrics_list_the_loss_tracker_then_compile_metrics_then_its_own():
    class Tracked(keras.Model):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self.extra = keras.metrics.Mean(name="extra")

    model = _functional(Tracked)
    assert [m.name for m in model.metrics] == ["extra"]  # not compiled yet
    model.compile(optimizer="adam", loss="mse", metrics=["mae", "mse"])
    assert [m.name for m in model.metrics] == ["loss", "compile_metrics", "extra"]
    container = model.metrics[1]
    container.update_state(Y, Y + 1.0)
    assert sorted(container.result()) == ["mae", "mse"]
    assert float(container.result()["mae"]) == pytest.approx(1.0)
    model.reset_metrics()
    assert float(container.metrics[0].result()) == 0.0


def test_a_hand_written_train_step_trains_with_value_grad_and_optimizer_apply():
    class ByHand(keras.Model):
        def train_step(self, data):
            x, y = data
            self.zero_grad()
            y_pred = self(x, training=True)
            loss = self.compute_loss(y=y, y_pred=y_pred)
            loss.backward()
            weights = list(self.trainable_weights)
            gradients = [v.value.grad for v in weights]
            with torch.no_grad():
                self.optimizer.apply(gradients, weights)
            for metric in self.metrics:
                if metric.name == "loss":
                    metric.update_state(loss)
                else:
                    metric.update_state(y, y_pred)
            return {m.name: m.result() for m in self.metrics}

    model = _functional(ByHand)
    model.compile(optimizer=keras.optimizers.SGD(0.1), loss="mse", metrics=["mae"])
    before = [host(w).copy() for w in model.get_weights()]
    history = model.fit(X, Y, epochs=3, batch_size=32, shuffle=False, verbose=0).history
    assert list(history) == ["mae", "loss"]  # Keras: the nested dict's keys sort first
    assert history["loss"][-1] < history["loss"][0]
    assert any(not np.allclose(b, a) for b, a in zip(before, model.get_weights(), strict=True))


def test_value_is_the_variable_so_its_grad_is_the_gradient():
    layer = keras.layers.Dense(2)
    layer.build((None, 3))
    loss = layer(torch.ones((4, 3))).sum()
    loss.backward()
    assert layer.kernel.value is layer.kernel
    np.testing.assert_allclose(host(layer.kernel.value.grad), np.full((3, 2), 4.0))


def test_a_train_step_without_a_compiled_loss_and_its_own_metrics():
    class OwnMetrics(keras.Model):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self.loss_tracker = keras.metrics.Mean(name="loss")
            self.mae_metric = keras.metrics.MeanAbsoluteError(name="mae")
            self.loss_fn = keras.losses.MeanSquaredError()

        def train_step(self, data):
            x, y = data
            self.zero_grad()
            y_pred = self(x, training=True)
            loss = self.loss_fn(y, y_pred)
            loss.backward()
            with torch.no_grad():
                self.optimizer.apply([v.value.grad for v in self.trainable_weights],
                                     self.trainable_weights)
            self.loss_tracker.update_state(loss)
            self.mae_metric.update_state(y, y_pred)
            return {"loss": self.loss_tracker.result(), "mae": self.mae_metric.result()}

        @property
        def metrics(self):
            return [self.loss_tracker, self.mae_metric]

    model = _functional(OwnMetrics)
    model.compile(optimizer="adam")  # no loss: the step computes it
    history = model.fit(X, Y, epochs=2, batch_size=32, shuffle=False, verbose=0).history
    # each epoch starts from reset metrics: the second epoch's mean is not the running one
    model.mae_metric.reset_state()
    assert sorted(history) == ["loss", "mae"]
    assert history["loss"][1] < history["loss"][0]


def test_compile_without_a_loss_trains_on_add_loss_alone_or_says_what_is_missing():
    model = _functional()
    model.compile(optimizer="adam")
    with pytest.raises(ValueError, match="No loss to compute"):
        model.fit(X, Y, epochs=1, verbose=0)

    class Penalised(keras.layers.Layer):
        def call(self, inputs):
            self.add_loss(keras.ops.mean(keras.ops.square(inputs)))
            return inputs

    inputs = keras.Input(shape=(4,))
    outputs = Penalised()(keras.layers.Dense(3)(inputs))
    model = keras.Model(inputs, outputs)
    model.compile(optimizer=keras.optimizers.SGD(0.5))
    history = model.fit(X, Y, epochs=3, verbose=0, shuffle=False).history
    assert history["loss"][-1] < history["loss"][0]


def test_test_step_and_predict_step_overrides_run_in_evaluate_and_predict():
    class Custom(keras.Model):
        def test_step(self, data):
            x, y = data
            y_pred = self(x, training=False)
            loss = self.compute_loss(y=y, y_pred=y_pred)
            for metric in self.metrics:
                if metric.name == "loss":
                    metric.update_state(loss)
                else:
                    metric.update_state(y, y_pred)
            return {m.name: m.result() for m in self.metrics}

        def predict_step(self, data):
            (x,) = data
            return self(x, training=False) * 2.0

    model = _functional(Custom)
    model.compile(loss="mse", metrics=["mae"])
    loss, mae = model.evaluate(X, Y, batch_size=40, verbose=0)
    # unweighted per-batch means of 40, 40, 16 samples: what the step itself computes
    y_pred = host(keras.Model(model.inputs, model.outputs)(X))
    batches = [slice(0, 40), slice(40, 80), slice(80, 96)]
    np.testing.assert_allclose(
        loss, np.mean([np.mean((Y[b] - y_pred[b]) ** 2) for b in batches]), rtol=1e-5)
    np.testing.assert_allclose(mae, np.mean(np.abs(Y - y_pred)), rtol=1e-5)
    np.testing.assert_allclose(model.predict(X, verbose=0), 2 * y_pred, rtol=1e-6)


def test_fit_evaluate_and_predict_take_a_dataloader():
    data = torch.utils.data.TensorDataset(torch.from_numpy(X), torch.from_numpy(Y))
    loader = torch.utils.data.DataLoader(data, batch_size=16, shuffle=False)

    def run(fit_data, **kwargs):
        model = _functional()
        model.compile(optimizer="adam", loss="mse", metrics=["mae"])
        history = model.fit(*fit_data, epochs=2, verbose=0, **kwargs).history
        return history, model.evaluate(*fit_data[:1], verbose=0) if len(fit_data) == 1 else (
            model.evaluate(*fit_data, batch_size=16, verbose=0))

    from_loader = run((loader,), validation_data=loader)
    from_arrays = run((X, Y), batch_size=16, shuffle=False, validation_data=(X, Y))
    for key in from_arrays[0]:
        np.testing.assert_allclose(from_loader[0][key], from_arrays[0][key], rtol=1e-6)
    np.testing.assert_allclose(from_loader[1], from_arrays[1], rtol=1e-6)
    with pytest.raises(ValueError, match="leave y as None"):
        model = _functional()
        model.compile(optimizer="adam", loss="mse")
        model.fit(loader, Y, verbose=0)


def test_torch_utils_data_resolves_after_import_autograd_as_torch():
    assert torch.utils.data.DataLoader is keras.data.DataLoader
    with pytest.raises(AttributeError, match="no attribute 'nothing'"):
        torch.utils.nothing  # noqa: B018
