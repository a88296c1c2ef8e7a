"""Keras-style training: compile/fit/evaluate/predict, History, callbacks, progress, lr_find."""

from __future__ import annotations

import io
import os

import numpy as np
import pytest
from _device import host

import autograd as ag
import nn
import optim
from nn.callbacks import (
    Callback,
    CSVLogger,
    EarlyStopping,
    LearningRateScheduler,
    ModelCheckpoint,
    ReduceLROnPlateau,
)
from nn.training.progress import ProgressBar


def _blobs(n=240, classes=3, features=4, seed=0):
    """Separable Gaussian blobs: a problem a small MLP learns in a few epochs."""
    rng = np.random.default_rng(seed)
    centers = rng.normal(0, 3, (classes, features))
    y = rng.integers(0, classes, n)
    x = (centers[y] + rng.normal(0, 0.5, (n, features))).astype(np.float32)
    return x, y


def _model(classes=3, features=4, seed=0):
    ag.manual_seed(seed)
    return nn.Sequential([nn.Dense(16, activation="relu", input_shape=(features,)),
                          nn.Dense(classes, activation="softmax")])  # fmt: skip


def _compiled(seed=0, **compile_kwargs):
    model = _model(seed=seed)
    kwargs = {
        "optimizer": "adam",
        "loss": "sparse_categorical_crossentropy",
        "metrics": ["accuracy"],
    }
    kwargs.update(compile_kwargs)
    model.compile(**kwargs)
    return model


class ScriptedValLoss(Callback):
    """Overwrites ``val_loss`` with a scripted curve before later callbacks see it."""

    def __init__(self, curve):
        super().__init__()
        self.curve = curve

    def on_epoch_end(self, epoch, logs=None):
        logs["val_loss"] = self.curve[epoch]


class RecordWeights(Callback):
    """Keeps a copy of the weights at the end of every epoch."""

    def __init__(self):
        super().__init__()
        self.weights = []

    def on_epoch_end(self, epoch, logs=None):
        self.weights.append([w.copy() for w in self.model.get_weights()])


# ---------------------------------------------------------------- fit / evaluate / predict
def test_fit_returns_history_with_keras_keys_and_learns():
    x, y = _blobs()
    model = _model()
    opt = optim.Adam(model.parameters(), lr=0.02)
    model.compile(optimizer=opt, loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])  # fmt: skip
    history = model.fit(
        x[:200], y[:200], epochs=4, batch_size=16, validation_data=(x[200:], y[200:]), verbose=0
    )
    assert set(history.history) == {"loss", "accuracy", "val_loss", "val_accuracy"}
    assert all(len(v) == 4 for v in history.history.values())
    assert history.epoch == [0, 1, 2, 3]
    assert model.history is history
    assert history.history["loss"][-1] < history.history["loss"][0]
    assert history.history["val_accuracy"][-1] > 0.9


def test_evaluate_and_predict_shapes_and_values():
    x, y = _blobs()
    model = _compiled()
    model.fit(x, y, epochs=2, verbose=0)
    loss, acc = model.evaluate(x, y, batch_size=50, verbose=0)
    probs = model.predict(x, batch_size=64)
    assert isinstance(probs, np.ndarray) and probs.shape == (len(x), 3)
    np.testing.assert_allclose(probs.sum(axis=1), 1, rtol=1e-5)
    assert acc == pytest.approx(float((probs.argmax(axis=1) == y).mean()))
    expected_loss = float(-np.log(np.clip(probs[np.arange(len(y)), y], 1e-7, 1)).mean())
    assert loss == pytest.approx(expected_loss, rel=1e-4)
    as_dict = model.evaluate(x, y, verbose=0, return_dict=True)
    assert set(as_dict) == {"loss", "accuracy"}


def test_evaluate_without_metrics_returns_the_loss_alone():
    x, y = _blobs()
    model = _compiled(metrics=None)
    assert isinstance(model.evaluate(x, y, verbose=0), float)


def test_bare_string_metric_is_accepted():
    x, y = _blobs()
    model = _compiled(metrics="accuracy")
    history = model.fit(x, y, epochs=1, verbose=0)
    assert "accuracy" in history.history


def test_fit_accepts_uint8_images_and_tensors():
    rng = np.random.default_rng(0)
    x = rng.integers(0, 256, (64, 2, 2), dtype=np.uint8)
    y = (x.reshape(64, -1).mean(axis=1) > 127).astype(np.int64)
    ag.manual_seed(0)
    model = nn.Sequential([nn.Flatten(input_shape=(2, 2)), nn.Dense(2, activation="softmax")])
    model.compile(optimizer="sgd", loss="sparse_categorical_crossentropy")
    model.fit(x, y, epochs=1, verbose=0)
    model.fit(ag.Tensor(x.astype(np.float32) / 255), ag.Tensor(y), epochs=1, verbose=0)
    assert model.predict(x).dtype == np.float32


def test_float64_data_is_cast_to_the_models_dtype_even_in_custom_modules():
    """``x / 255.0`` is float64 in NumPy; fit/evaluate/predict feed the model float32 like Keras."""
    x, y = _blobs()
    seen_dtypes = set()

    class Custom(nn.Model):  # Keras' subclassing API: compile/fit belong to Model
        def __init__(self):
            super().__init__()
            self.w = nn.Parameter(np.zeros((4, 3), dtype=np.float32))

        def call(self, inputs):
            seen_dtypes.add(inputs.dtype)
            return ag.softmax(inputs @ self.w)

    model = Custom()
    model.compile(optimizer="sgd", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    x64 = x.astype(np.float64)
    model.fit(x64, y, epochs=1, validation_data=(x64, y), verbose=0)
    model.evaluate(x64, y, verbose=0)
    assert model.predict(x64).dtype == np.float32
    assert seen_dtypes == {np.dtype(np.float32)}


def test_validation_split_takes_the_last_fraction_like_keras():
    x, y = _blobs(n=100)
    model = _compiled()
    seen = {}

    class Spy(Callback):
        def on_epoch_end(self, epoch, logs=None):
            seen["val"] = self.model.evaluate(x[-20:], y[-20:], verbose=0, return_dict=True)
            seen["logs"] = dict(logs)

    model.fit(x, y, epochs=1, validation_split=0.2, callbacks=[Spy()], verbose=0)
    assert seen["logs"]["val_loss"] == pytest.approx(seen["val"]["loss"], rel=1e-6)
    assert seen["logs"]["val_accuracy"] == pytest.approx(seen["val"]["accuracy"])
    # and the training part is the first 80 samples: 80 / batch 32 -> 3 steps
    steps = []

    class CountSteps(Callback):
        def on_train_batch_end(self, batch, logs=None):
            steps.append(batch)

    model.fit(
        x, y, epochs=1, batch_size=32, validation_split=0.2, callbacks=[CountSteps()], verbose=0
    )
    assert steps == [0, 1, 2]


def test_fit_requires_compile_and_matching_lengths():
    x, y = _blobs()
    with pytest.raises(RuntimeError, match="compile"):
        _model().fit(x, y, verbose=0)
    with pytest.raises(ValueError, match="samples"):
        _compiled().fit(x, y[:-1], verbose=0)


def test_same_seed_gives_bit_identical_weights():
    x, y = _blobs()

    def run():
        model = _compiled(seed=3)
        model.fit(x, y, epochs=2, batch_size=16, seed=5, verbose=0)
        return model.get_weights()

    for a, b in zip(run(), run(), strict=True):
        assert np.array_equal(a, b)


def test_optimizer_object_and_frozen_layers():
    x, y = _blobs()
    model = _model()
    model.layers[0].trainable = False
    frozen = [w.copy() for w in model.layers[0].get_weights()]
    model.compile(
        optimizer=optim.SGD(model.parameters(), lr=0.1), loss="sparse_categorical_crossentropy"
    )
    model.fit(x, y, epochs=1, verbose=0)
    for before, after in zip(frozen, model.layers[0].get_weights(), strict=True):
        assert np.array_equal(before, after)


def test_keras_style_optimizer_object_before_the_model_is_built():
    """Textbook code: compile(optimizer=SGD(learning_rate=..., momentum=...)) on a lazy model."""
    x, y = _blobs()
    ag.manual_seed(0)
    model = nn.Sequential([nn.Dense(16, activation="relu"), nn.Dense(3, activation="softmax")])
    opt = optim.SGD(learning_rate=0.05, momentum=0.9, nesterov=True)
    model.compile(optimizer=opt, loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    history = model.fit(x, y, epochs=3, verbose=0)
    assert model.optimizer is opt and opt.is_bound
    assert len(opt.param_groups[0]["params"]) == 4
    assert history.history["loss"][-1] < history.history["loss"][0]


# ---------------------------------------------------------------- callbacks
def test_early_stopping_stops_at_the_right_epoch_and_restores_best_weights():
    x, y = _blobs()
    model = _compiled()
    # best at epoch index 2; patience 2 -> epochs 3 and 4 do not improve -> stop after epoch 4
    curve = [1.0, 0.8, 0.5, 0.6, 0.7, 0.4, 0.3]
    record = RecordWeights()
    stopper = EarlyStopping(patience=2, restore_best_weights=True)
    history = model.fit(
        x, y, epochs=7, callbacks=[ScriptedValLoss(curve), record, stopper], verbose=0
    )
    assert len(history.history["loss"]) == 5
    assert stopper.stopped_epoch == 4 and stopper.best_epoch == 2
    for restored, best in zip(model.get_weights(), record.weights[2], strict=True):
        assert np.array_equal(restored, best)


def test_early_stopping_defaults_are_keras_and_min_delta_counts():
    stopper = EarlyStopping()
    assert (stopper.monitor, stopper.min_delta, stopper.patience, stopper.restore_best_weights) == (
        "val_loss", 0.0, 0, False)  # fmt: skip
    x, y = _blobs()
    model = _compiled()
    curve = [1.0, 0.95, 0.5, 0.1]  # 0.95 is not better than 1.0 by min_delta=0.1
    history = model.fit(
        x, y, epochs=4, callbacks=[ScriptedValLoss(curve), EarlyStopping(min_delta=0.1)], verbose=0
    )
    assert len(history.history["loss"]) == 2


def test_early_stopping_on_accuracy_maximises():
    x, y = _blobs()
    model = _compiled()

    class Acc(Callback):
        def on_epoch_end(self, epoch, logs=None):
            logs["val_accuracy"] = [0.5, 0.6, 0.55, 0.58, 0.9][epoch]

    history = model.fit(
        x, y, epochs=5, callbacks=[Acc(), EarlyStopping("val_accuracy", patience=1)], verbose=0
    )
    assert len(history.history["loss"]) == 3


def test_model_checkpoint_writes_only_on_improvement(tmp_path):
    x, y = _blobs()
    model = _compiled()
    curve = [1.0, 1.2, 0.7, 0.9, 0.6]
    path = str(tmp_path / "ckpt-{epoch:02d}.npz")
    cb = ModelCheckpoint(path, monitor="val_loss", save_best_only=True, save_weights_only=True)
    model.fit(x, y, epochs=5, callbacks=[ScriptedValLoss(curve), cb], verbose=0)
    assert sorted(os.listdir(tmp_path)) == ["ckpt-01.npz", "ckpt-03.npz", "ckpt-05.npz"]


def test_model_checkpoint_saves_a_loadable_model(tmp_path):
    x, y = _blobs()
    model = _compiled()
    path = tmp_path / "best.npz"
    model.fit(x, y, epochs=1, validation_data=(x, y), callbacks=[ModelCheckpoint(path)], verbose=0)
    loaded = nn.load_model(str(path))
    np.testing.assert_array_equal(loaded.predict(x), model.predict(x))


def test_learning_rate_scheduler_and_reduce_on_plateau():
    x, y = _blobs()
    model = _compiled(optimizer="sgd")
    lrs = []

    class Spy(Callback):
        def on_epoch_end(self, epoch, logs=None):
            lrs.append(self.model.optimizer.param_groups[0]["lr"])

    schedule = LearningRateScheduler(lambda epoch, lr: 0.1 / (epoch + 1))
    model.fit(x, y, epochs=3, callbacks=[schedule, Spy()],
              verbose=0)  # fmt: skip
    assert lrs == pytest.approx([0.1, 0.05, 0.1 / 3])

    model = _compiled(optimizer="sgd")
    lrs.clear()
    curve = [1.0, 1.0, 1.0, 1.0, 1.0]
    plateau = ReduceLROnPlateau(factor=0.5, patience=2, min_lr=0.004)
    model.fit(x, y, epochs=5, callbacks=[ScriptedValLoss(curve), plateau, Spy()], verbose=0)
    # Keras' default SGD rate 0.01; no improvement after epoch 0 -> halved after epochs 2
    # and 4, down to the floor of 0.004
    assert lrs == pytest.approx([0.01, 0.01, 0.005, 0.005, 0.004])


def test_csv_logger_writes_one_row_per_epoch(tmp_path):
    x, y = _blobs()
    model = _compiled()
    path = tmp_path / "log.csv"
    model.fit(x, y, epochs=3, validation_data=(x, y), callbacks=[CSVLogger(path)], verbose=0)
    lines = path.read_text().strip().splitlines()
    assert lines[0] == "epoch,accuracy,loss,val_accuracy,val_loss"
    assert [line.split(",")[0] for line in lines[1:]] == ["0", "1", "2"]


def test_callback_hooks_are_called_in_keras_order():
    x, y = _blobs(n=40)
    calls = []

    class Spy(Callback):
        def __getattribute__(self, name):
            if name.startswith("on_"):
                calls.append(name)
            return super().__getattribute__(name)

    _compiled().fit(x, y, epochs=1, batch_size=20, callbacks=[Spy()], verbose=0)
    # as in Keras, the training-batch hooks call the generic batch hooks
    batch = ["on_train_batch_begin", "on_batch_begin", "on_train_batch_end", "on_batch_end"]
    epoch = ["on_epoch_begin", *batch, *batch, "on_epoch_end"]
    assert calls == ["on_train_begin", *epoch, "on_train_end"]


# ---------------------------------------------------------------- progress
def test_verbose_levels(capsys):
    x, y = _blobs(n=64)
    model = _compiled()
    model.fit(x, y, epochs=2, verbose=0)
    assert capsys.readouterr().out == ""
    model.fit(x, y, epochs=2, verbose=2)
    out = capsys.readouterr().out.strip().splitlines()
    assert out[0] == "Epoch 1/2" and out[2] == "Epoch 2/2" and len(out) == 4
    assert "samples/s" in out[1] and "loss: " in out[1] and "accuracy: " in out[1]
    assert " 0 samples/s" not in out[1]


def test_progress_bar_plain_lines_when_not_a_terminal():
    stream = io.StringIO()  # not a tty
    bar = ProgressBar(100, verbose=1, stream=stream)
    for step in range(1, 101):
        if bar.due(step):
            bar.update(step, step * 32, {"loss": 1.0 / step})
    bar.finish({"loss": 0.01}, 3200)
    text = stream.getvalue()
    assert "\r" not in text
    lines = text.strip().splitlines()
    assert 2 <= len(lines) <= 6
    assert lines[-1].startswith("100/100 [==============================]")
    assert "loss: 0.0100" in lines[-1]
    assert sum(line.startswith("100/100") for line in lines) == 1  # the end, once


def test_plain_lines_end_each_epoch_and_prediction_once(capsys):
    """In logs (not a terminal) the last step's line is written once: by the epoch's end,
    with the validation metrics; predict's and evaluate's last line once too (as Keras)."""
    import nn

    rng = np.random.default_rng(0)
    x, y = rng.random((10, 4)).astype(np.float32), np.zeros((10, 3), np.float32)
    model = nn.Sequential([nn.layers.Dense(3, input_shape=(4,))])
    model.compile(optimizer="adam", loss="mse")
    model.fit(x, y, epochs=1, batch_size=2, validation_data=(x, y))
    model.evaluate(x, y, batch_size=2)
    model.predict(x)
    lines = capsys.readouterr().out.splitlines()
    finals = [line for line in lines if line.startswith(("5/5", "1/1"))]
    assert len(finals) == 3, lines
    assert "val_loss" in finals[0] and finals[2].startswith("1/1")


def test_progress_bar_redraws_in_place_on_a_terminal():
    class Tty(io.StringIO):
        def isatty(self):
            return True

    stream = Tty()
    bar = ProgressBar(10, verbose=1, stream=stream)
    bar.update(1, 32, {"loss": 0.5})
    bar.finish({"loss": 0.25}, 320)
    assert stream.getvalue().startswith("\r") and stream.getvalue().count("\r") == 2
    assert stream.getvalue().endswith("\n")


# ---------------------------------------------------------------- plots and lr_find
def test_plot_history_writes_a_png(tmp_path):
    x, y = _blobs()
    model = _compiled()
    history = model.fit(x, y, epochs=2, validation_data=(x, y), verbose=0)
    path = nn.plot.plot_history(history, tmp_path / "curves.png")
    with open(path, "rb") as f:
        assert f.read(8) == b"\x89PNG\r\n\x1a\n"


def test_plot_without_matplotlib_says_how_to_install(monkeypatch, tmp_path):
    import builtins

    real_import = builtins.__import__

    def no_matplotlib(name, *args, **kwargs):
        if name.startswith("matplotlib"):
            raise ImportError("No module named 'matplotlib'")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_matplotlib)
    with pytest.raises(ImportError, match=r"xpgrad\[plot\]"):
        nn.plot.plot_history({"loss": [1.0]}, tmp_path / "x.png")


def test_lr_find_restores_weights_stops_on_explosion_and_suggests_a_rate(tmp_path):
    x, y = _blobs(n=512)
    model = _model()
    before = [w.copy() for w in model.get_weights()]
    result = nn.lr_find(
        model, "sparse_categorical_crossentropy", x, y, start=1e-5, end=100.0, steps=100
    )
    for a, b in zip(before, model.get_weights(), strict=True):
        assert np.array_equal(a, b)
    assert len(result.lrs) == len(result.losses) < 100  # stopped when the loss exploded
    assert np.all(np.diff(np.log(result.lrs)) > 0)
    assert result.lrs[0] == pytest.approx(1e-5)
    assert result.suggestion is not None and result.lr_at_min_loss is not None
    assert 1e-5 <= result.suggestion < result.lr_at_min_loss
    # the suggestion sits where the smoothed loss falls fastest before the minimum
    i = result.lrs.index(result.suggestion)
    assert result.losses[i] < result.losses[0]
    png = result.plot(tmp_path / "lr.png")
    assert os.path.getsize(png) > 0


def test_lr_find_with_a_compiled_optimizer_keeps_its_state():
    x, y = _blobs()
    model = _model()
    opt = optim.Adam(model.parameters(), lr=0.003)
    model.compile(optimizer=opt, loss="sparse_categorical_crossentropy")
    model.fit(x, y, epochs=1, verbose=0)
    state = opt.state_dict()
    nn.lr_find(model, "sparse_categorical_crossentropy", x, y, steps=20, optimizer=opt)
    assert opt.param_groups[0]["lr"] == 0.003
    after = opt.state_dict()
    for p_state, q_state in zip(state["state"].values(), after["state"].values(), strict=True):
        for key in p_state:
            assert np.array_equal(host(p_state[key]), host(q_state[key]))


# ---------------------------------------------------------------- audit: Keras 3 semantics
def test_early_stopping_restores_best_weights_when_epochs_run_out_as_keras_3():
    x, y = _blobs()
    model = _compiled()
    curve = [1.0, 0.5, 0.7]  # best at epoch 1; patience 5 never stops the 3 epochs
    record = RecordWeights()
    stopper = EarlyStopping(patience=5, restore_best_weights=True)
    model.fit(x, y, epochs=3, callbacks=[ScriptedValLoss(curve), record, stopper], verbose=0)
    assert stopper.stopped_epoch == 0 and stopper.best_epoch == 1
    for restored, best in zip(model.get_weights(), record.weights[1], strict=True):
        assert np.array_equal(restored, best)


def test_early_stopping_baseline_counts_every_epoch_and_restores_the_best_of_them():
    """Keras 3: epochs that never beat the baseline still become the best; only the wait
    keeps counting, and the best of them is restored."""
    x, y = _blobs()
    model = _compiled()
    curve = [1.0, 0.8, 0.9, 0.95, 0.99]
    record = RecordWeights()
    stopper = EarlyStopping(patience=2, baseline=0.3, restore_best_weights=True)
    history = model.fit(
        x, y, epochs=5, callbacks=[ScriptedValLoss(curve), record, stopper], verbose=0
    )
    # wait: 1 (best 1.0), 2 (best 0.8, an improvement: no stop check), 3 -> stop at epoch 2
    assert len(history.history["loss"]) == 3 and stopper.stopped_epoch == 2
    assert stopper.best_epoch == 1
    for restored, best in zip(model.get_weights(), record.weights[1], strict=True):
        assert np.array_equal(restored, best)


def test_early_stopping_start_from_epoch_ignores_the_warm_up():
    x, y = _blobs()
    model = _compiled()
    curve = [0.1, 0.2, 3.0, 4.0, 5.0, 6.0]  # epochs 0 and 1 are not monitored
    stopper = EarlyStopping(patience=0, start_from_epoch=2)
    history = model.fit(x, y, epochs=6, callbacks=[ScriptedValLoss(curve), stopper], verbose=0)
    assert len(history.history["loss"]) == 4 and stopper.stopped_epoch == 3


def test_learning_rate_shows_in_history_as_keras_logs_it():
    """History runs after the other callbacks, so it records the "learning_rate" they add
    (the rate the epoch ran with, before ReduceLROnPlateau lowers it)."""
    x, y = _blobs()
    model = _compiled(optimizer="sgd")
    plateau = ReduceLROnPlateau(factor=0.5, patience=1, cooldown=2)
    history = model.fit(x, y, epochs=6, callbacks=[ScriptedValLoss([1.0] * 6), plateau], verbose=0)
    # reduced after epoch 1; cooldown: epoch 2 is skipped, at epoch 3 the counter runs out
    # and the epoch counts as a wait of 1 (Keras' rule), so reduced again after 3 and 5
    assert history.history["learning_rate"] == pytest.approx(
        [0.01, 0.01, 0.005, 0.005, 0.0025, 0.0025]
    )
    schedule = LearningRateScheduler(lambda epoch, lr: 0.1 * 0.5**epoch)
    history = _compiled(optimizer="sgd").fit(x, y, epochs=3, callbacks=[schedule], verbose=0)
    assert history.history["learning_rate"] == pytest.approx([0.1, 0.05, 0.025])


def test_validation_split_rounds_like_keras():
    """Keras trains on the first ceil(n * (1 - split)) samples: 31 of 100 for split 0.7
    (int(100 * 0.7) = 70 held out would leave 30)."""
    x, y = _blobs(n=100)
    steps = []

    class CountSteps(Callback):
        def on_train_batch_end(self, batch, logs=None):
            steps.append(batch)

    _compiled().fit(
        x, y, epochs=1, batch_size=10, validation_split=0.7, callbacks=[CountSteps()], verbose=0
    )
    assert steps == [0, 1, 2, 3]  # 31 samples in batches of 10


def test_callbacks_get_running_logs_after_every_batch():
    x, y = _blobs(n=64)
    seen = []

    class Spy(Callback):
        def on_train_batch_end(self, batch, logs=None):
            seen.append(dict(logs))

    history = _compiled().fit(x, y, epochs=1, batch_size=16, callbacks=[Spy()], verbose=0)
    assert len(seen) == 4 and all(set(logs) == {"loss", "accuracy"} for logs in seen)
    # the last batch's running means are the epoch's
    assert seen[-1]["loss"] == pytest.approx(history.history["loss"][0])


def test_loss_names_as_metrics_are_logged_under_the_name_given():
    x, _ = _blobs()
    target = (x @ np.arange(1.0, 5.0)).astype(np.float32)[:, None]
    ag.manual_seed(0)
    model = nn.Sequential([nn.Dense(1, input_shape=(4,))])
    model.compile(optimizer="adam", loss="mse", metrics=["mae", "mean_squared_error"])
    history = model.fit(x, target, epochs=1, validation_split=0.25, verbose=0)
    assert set(history.history) == {
        "loss", "mae", "mean_squared_error", "val_loss", "val_mae", "val_mean_squared_error"
    }  # fmt: skip
    result = model.evaluate(x, target, verbose=0, return_dict=True)
    error = model.predict(x) - target
    assert result["mae"] == pytest.approx(np.abs(error).mean(), rel=1e-5)
    assert result["mean_squared_error"] == pytest.approx(result["loss"], rel=1e-6)


def test_fit_evaluate_predict_leave_the_model_in_inference_mode_as_keras():
    """Keras: after fit, a plain model(x) is inference (no dropout, moving statistics);
    a PyTorch loop calls model.train() itself."""
    x, y = _blobs()
    model = _compiled()
    model.train()
    model.fit(x, y, epochs=1, verbose=0)
    assert model.training is False

    class Boom(Callback):
        def on_train_batch_end(self, batch, logs=None):
            assert self.model.training  # fit trains in training mode
            raise KeyboardInterrupt

    model.train()
    with pytest.raises(KeyboardInterrupt):
        model.fit(x, y, epochs=1, callbacks=[Boom()], verbose=0)
    assert model.training is False
    for call in (lambda: model.evaluate(x, y, verbose=0), lambda: model.predict(x)):
        model.train()
        call()
        assert model.training is False


class _Tty(io.StringIO):
    def isatty(self):
        return True


def test_progress_bar_clears_a_longer_previous_line_and_fits_the_terminal(monkeypatch):
    import shutil

    monkeypatch.setattr(
        shutil, "get_terminal_size", lambda fallback=None: os.terminal_size((60, 24))
    )
    stream = _Tty()
    bar = ProgressBar(1000, verbose=1, stream=stream)
    bar.update(1, 32, {"loss": 123456.0, "accuracy": 0.5, "extra": 1.0})
    bar.update(999, 32_000, {"loss": 0.5}, final=True)
    first, second = stream.getvalue().split("\r")[1:]
    assert len(first) <= 59  # a line in progress never wraps
    assert len(second.rstrip("\n")) >= len(first)  # the shorter line blanks what was there
    assert second.endswith("\n") and "loss: 0.5000" in second


def test_progress_bar_close_ends_a_half_drawn_line():
    stream = _Tty()
    bar = ProgressBar(10, verbose=1, stream=stream)
    bar.update(1, 32, {"loss": 0.5})
    bar.close()
    assert stream.getvalue().endswith("\n")
    bar.close()  # nothing left open: no second newline
    assert not stream.getvalue().endswith("\n\n")


_PTY_SCRIPT = """
import numpy as np, autograd as ag, nn
rng = np.random.default_rng(0)
x = rng.normal(size=(4000, 4)).astype("float32"); y = rng.integers(0, 3, 4000)
ag.manual_seed(0)
model = nn.Sequential([nn.Dense(8, activation="relu", input_shape=(4,)),
                       nn.Dense(3, activation="softmax")])
model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
model.fit(x, y, epochs=2, batch_size=4, validation_split=0.1)
model.evaluate(x, y, batch_size=4)
print("END")
"""


@pytest.mark.skipif(os.name != "posix", reason="needs a pseudo-terminal (POSIX)")
def test_progress_on_a_real_terminal_never_wraps_and_ends_every_line(tmp_path):
    """fit/evaluate under a pty 80 columns wide: every in-place redraw fits on one row
    (a wrapped line cannot be overwritten by a carriage return), every epoch ends with a
    complete bar line, and nothing is left half drawn."""
    import fcntl
    import pty
    import struct
    import subprocess
    import sys
    import termios

    leader, follower = pty.openpty()
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
    env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES")}
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    process = subprocess.Popen(
        [sys.executable, "-c", _PTY_SCRIPT], stdin=follower, stdout=follower,
        stderr=follower, cwd=root, env=env,
    )  # fmt: skip
    os.close(follower)
    chunks = []
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # EIO: the child closed the terminal
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(leader)
    assert process.wait(timeout=60) == 0
    text = b"".join(chunks).decode().replace("\r\n", "\n")
    lines = text.split("\n")
    assert lines[-2:] == ["END", ""]
    bars = [line for line in lines if "\r" in line]
    assert len(bars) == 3  # two epochs and the evaluation
    for line in bars:
        *redraws, final = line.split("\r")
        assert all(len(r) <= 79 for r in redraws), redraws
        assert final.rstrip().split(" - ")[0].endswith("[==============================]")
        assert "accuracy: " in final


def test_lr_find_builds_a_lazy_model_with_a_named_or_unbound_optimizer():
    x, y = _blobs()
    for optimizer in ("adam", optim.Adam(learning_rate=1e-3)):
        ag.manual_seed(0)
        model = nn.Sequential([nn.Dense(16, activation="relu"), nn.Dense(3, activation="softmax")])
        result = nn.lr_find(
            model, "sparse_categorical_crossentropy", x, y, steps=20, optimizer=optimizer
        )
        assert len(result.lrs) == 20 and len(model.get_weights()) == 4
        ag.manual_seed(0)
        fresh = nn.Sequential([nn.Dense(16, activation="relu"), nn.Dense(3, activation="softmax")])
        fresh.build((None, 4))
        for restored, initial in zip(model.get_weights(), fresh.get_weights(), strict=True):
            assert np.array_equal(restored, initial)


def test_validation_and_evaluate_read_the_device_once_unless_a_callback_wants_batch_logs(
    monkeypatch,
):
    """Each read of the running logs waits for the GPU: fit's validation and evaluate read
    them at the end only, or per batch where a callback's on_test_batch_end takes them."""
    from nn.training.step import Step

    reads = []
    logs = Step.logs
    monkeypatch.setattr(Step, "logs", lambda self: reads.append(1) or logs(self))
    x, y = _blobs()
    model = _compiled()
    batches = -(-len(x) // 32)

    class BatchLogs(nn.callbacks.Callback):
        def __init__(self):
            super().__init__()
            self.seen = []

        def on_test_batch_end(self, batch, logs=None):
            self.seen.append(logs)

    model.evaluate(x, y, verbose=0)
    assert len(reads) == 1
    reads.clear()
    wanting = BatchLogs()
    model.evaluate(x, y, verbose=0, callbacks=[wanting])
    assert len(reads) == batches + 1
    assert all("loss" in logs for logs in wanting.seen) and len(wanting.seen) == batches
    reads.clear()
    model.fit(x, y, epochs=1, verbose=0, validation_data=(x, y))
    assert len(reads) == 2  # the epoch's training logs, then the validation's


@pytest.mark.parametrize("several_outputs", [False, True])
def test_predict_on_a_device_moves_its_outputs_to_the_host_at_once(monkeypatch,
                                                                  several_outputs):
    """Each transfer from a GPU waits for it: predict keeps the batches' outputs on the
    device and moves them together (in groups of at most FLUSH_BYTES), unless a callback
    takes each batch's outputs, which then come to it as NumPy arrays."""
    from backends import fake_gpu
    from nn.training import fit as fit_module

    x, _ = _blobs()
    ag.manual_seed(0)
    inputs = nn.Input((4,))
    hidden = nn.layers.Dense(8, activation="relu")(inputs)
    outputs = [nn.layers.Dense(3, activation="softmax")(hidden), nn.layers.Dense(1)(hidden)]
    model = nn.Model(inputs, outputs if several_outputs else outputs[0]).to("fakegpu")
    cpu = nn.models.clone_model(model).to("cpu")  # NumPy, as under the stand-in's arrays
    cpu.set_weights(model.get_weights())
    expected = cpu.predict(x, batch_size=32, verbose=0)
    transfers = []
    to_host = fake_gpu.FakeGpuBackend.to_host
    monkeypatch.setattr(fake_gpu.FakeGpuBackend, "to_host",
                        lambda self, a: transfers.append(1) or to_host(self, a))
    columns = len(outputs) if several_outputs else 1
    batches = -(-len(x) // 32)

    def check(got):
        for a, b in zip(got if several_outputs else [got], expected if several_outputs
                        else [expected], strict=True):  # fmt: skip
            assert isinstance(a, np.ndarray)
            np.testing.assert_allclose(a, b, rtol=1e-6)

    check(model.predict(x, batch_size=32, verbose=0))
    assert len(transfers) == columns  # one per output
    transfers.clear()
    monkeypatch.setattr(fit_module._PredictedOutputs, "FLUSH_BYTES", 1)  # move every batch
    check(model.predict(x, batch_size=32, verbose=0))
    assert len(transfers) == columns * batches

    class TakesOutputs(nn.callbacks.Callback):
        def __init__(self):
            super().__init__()
            self.seen = []

        def on_predict_batch_end(self, batch, logs=None):
            self.seen.append(logs["outputs"])

    taker = TakesOutputs()
    check(model.predict(x, batch_size=32, verbose=0, callbacks=[taker]))
    assert len(taker.seen) == batches
    first = taker.seen[0] if several_outputs else [taker.seen[0]]
    assert all(isinstance(a, np.ndarray) for a in first)
