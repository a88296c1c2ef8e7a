"""``compile(jit_compile=True)``: ``fit`` records its training step once and replays it.

Every test compares a fit with ``jit_compile=True`` with the same fit run eagerly, from
the same weights and the same shuffled batches. On the ``fakegpu`` stand-in a replay runs
the very computations again, so the two must agree bit for bit: a number frozen into the
recording (Adam's step count, a learning rate changed by a callback), a metric updated
into an array the recording no longer sees, or a batch trained twice would show. On a GPU
the same tests run on CUDA graphs, whose products cuBLAS may round differently.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from _device import host

import autograd as ag
import nn
from backends import fake_gpu

N, FEATURES, CLASSES, BATCH = 200, 12, 4, 32  # 6 full batches of 32 and one of 8 (no split)


def _data(n=N):
    rng = np.random.default_rng(0)
    x = rng.standard_normal((n, FEATURES)).astype(np.float32)
    y = rng.integers(0, CLASSES, n)
    return x, y


class _ReadsOnTheHost(nn.Layer):
    """A custom layer that makes a Python decision on a device value in its forward."""

    def forward(self, x):
        return x if float(x.sum()) == float(x.sum()) else x * 0


def _fit(device, jit, optimizer="adam", dropout=0.0, callbacks=(), epochs=3, x=None, y=None,
         host_read=False, metrics=("accuracy",), **fit_args):
    ag.manual_seed(0)
    layers = [nn.Dense(16, activation="relu", input_shape=(FEATURES,))]
    if dropout:
        layers.append(nn.Dropout(dropout))
    if host_read:
        layers.append(_ReadsOnTheHost())
    layers.append(nn.Dense(CLASSES, activation="softmax"))
    model = nn.Sequential(layers).to(device)
    model.compile(optimizer=optimizer() if callable(optimizer) else optimizer,
                  loss="sparse_categorical_crossentropy", metrics=list(metrics),
                  jit_compile=jit)  # fmt: skip
    if x is None:
        x, y = _data()
    history = model.fit(x, y, epochs=epochs, batch_size=BATCH, verbose=0, seed=1,
                        callbacks=list(callbacks), **fit_args)  # fmt: skip
    return model, history.history


def _assert_same_training(device, eager, captured):
    (eager_model, eager_logs), (model, logs) = eager, captured
    exact = device != "cuda"  # cuBLAS called directly may round otherwise
    assert logs.keys() == eager_logs.keys()
    for key in logs:
        if exact:
            assert logs[key] == eager_logs[key], key
        else:
            assert logs[key] == pytest.approx(eager_logs[key], rel=1e-4), key
    for a, b in zip(model.parameters(), eager_model.parameters(), strict=True):
        np.testing.assert_allclose(host(a), host(b), rtol=0 if exact else 1e-4,
                                   atol=0 if exact else 1e-6)
    assert _steps_taken(model.optimizer) == _steps_taken(eager_model.optimizer)


def _steps_taken(optimizer):
    if hasattr(optimizer, "iterations"):  # Keras' count, on the host after every replay
        return optimizer.iterations
    return int(host(next(iter(optimizer.state.values()))["step"]))  # PyTorch's, per parameter


OPTIMIZERS = {
    "adam": "adam",
    "adamw-amsgrad": lambda: nn.optimizers.AdamW(learning_rate=0.01, amsgrad=True),
    "sgd-nesterov": lambda: nn.optimizers.SGD(0.05, momentum=0.9, nesterov=True),
    "rmsprop-clipnorm": lambda: nn.optimizers.RMSprop(clipnorm=1.0),
    "pytorch-adam": lambda: __import__("optim").Adam(lr=1e-2),
}


@pytest.mark.parametrize("name", OPTIMIZERS)
def test_a_captured_fit_trains_as_the_eager_fit(accelerator, name):
    # validation_split: each epoch also evaluates eagerly between the replays; the last
    # batch of each epoch is smaller and runs eagerly between them too.
    eager = _fit(accelerator, False, OPTIMIZERS[name], validation_split=0.2)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # nothing here falls back to the eager step
        captured = _fit(accelerator, True, OPTIMIZERS[name], validation_split=0.2)
    _assert_same_training(accelerator, eager, captured)


class _CountLaunches(nn.callbacks.Callback):
    """Launches between one batch's start and the next's, in the last epoch."""

    def __init__(self):
        super().__init__()
        self.marks = []

    def on_epoch_begin(self, epoch, logs=None):
        self.marks = []

    def on_train_batch_begin(self, batch, logs=None):
        self.marks.append(fake_gpu.launch_count())


def test_a_replayed_batch_launches_the_replay_and_its_bookkeeping_only():
    counted = {}
    for jit in (False, "auto", True):
        counter = _CountLaunches()
        _fit("fakegpu", jit, callbacks=[counter])
        # batches 2 to 6 (the first also makes the epoch's running sums, the last is smaller)
        counted[jit] = set(np.diff(counter.marks)[1:])
    # The loader gathers x and y (2), the replay copies them into the recorded inputs (2)
    # and runs (1), with the running loss and the accuracy's hits inside it; then a copy
    # of the batch's loss for the NaN watch (1).
    assert counted[True] == {2 + 2 + 1 + 1}
    assert min(counted[False]) > 20  # the eager step: one launch per op
    assert counted["auto"] == counted[False]  # not chosen for you (see compile's docstring)


class _BatchLogs(nn.callbacks.Callback):
    """Every batch's running logs, training and validation: read after each batch."""

    def __init__(self):
        super().__init__()
        self.seen = []

    def on_train_batch_end(self, batch, logs=None):
        self.seen.append(("train", batch, dict(logs)))

    def on_test_batch_end(self, batch, logs=None):
        self.seen.append(("test", batch, dict(logs)))


def test_running_logs_read_after_every_batch_are_the_eager_fit_s(accelerator):
    # Reading the running accuracy mid-epoch must not move its counts out of the arrays
    # the replays add into (the hits per batch position, the running sums).
    seen = []
    for jit in (False, True):
        logs = _BatchLogs()
        _fit(accelerator, jit, callbacks=[logs], validation_split=0.2)
        seen.append(logs.seen)
    eager, captured = seen
    assert [(kind, batch) for kind, batch, _ in captured] == [(k, b) for k, b, _ in eager]
    for (_, _, got), (_, _, want) in zip(captured, eager, strict=True):
        assert got.keys() == want.keys()
        for key in got:
            assert got[key] == (want[key] if accelerator != "cuda"
                                else pytest.approx(want[key], rel=1e-4)), key


class _EvaluateEachEpoch(nn.callbacks.Callback):
    """A callback that evaluates the model after every epoch, in batches larger than fit's:
    the shared accuracy then counts its hits in a longer array of its own."""

    def __init__(self, x, y):
        super().__init__()
        self.x, self.y, self.seen = x, y, []

    def on_epoch_end(self, epoch, logs=None):
        self.seen.append(self.model.evaluate(self.x, self.y, batch_size=2 * BATCH, verbose=0))


def test_an_evaluation_in_a_callback_does_not_leave_the_recording_behind(accelerator):
    # The recorded step adds into the accuracy's arrays; an evaluation with larger batches
    # makes new ones. The next epoch must count into those (and the old arrays, which the
    # recording still writes on a GPU, must not be freed under it).
    x, y = _data()
    runs = []
    for jit in (False, True):
        callback = _EvaluateEachEpoch(x, y)
        runs.append((_fit(accelerator, jit, callbacks=[callback]), callback.seen))
    (eager, eager_seen), (captured, captured_seen) = runs
    _assert_same_training(accelerator, eager, captured)
    assert captured_seen == (eager_seen if accelerator != "cuda" else
                             [pytest.approx(v, rel=1e-4) for v in eager_seen])


class _MeanTopProbability(nn.metrics.Mean):
    """A user's metric: the mean of the largest predicted probability (a Mean of a batch of
    values: not one of the updates a recording holds)."""

    def __init__(self):
        super().__init__(name="top_probability")

    def update_state(self, y_true, y_pred, sample_weight=None):
        super().update_state(y_pred.max(axis=-1))


class _MeanLabel(nn.metrics.Mean):
    """A user's metric: the mean label, a batch of values added by rebinding its total,
    which a recording cannot hold."""

    def __init__(self):
        super().__init__(name="mean_label")

    def update_state(self, y_true, y_pred, sample_weight=None):
        super().update_state(y_true)


@pytest.mark.parametrize("kind", ["a Mean subclass", "a Mean of the labels"])
def test_a_user_metric_is_tracked_after_each_replay(accelerator, kind):
    metric, launches = {"a Mean subclass": (_MeanTopProbability(), 3),  # max, sum, add
                        "a Mean of the labels": (_MeanLabel(), 2)}[kind]
    counters = {}
    runs = []
    for jit in (False, True):
        counters[jit] = _CountLaunches()
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # the step is still captured
            runs.append(_fit(accelerator, jit, metrics=["accuracy", metric],
                             callbacks=[counters[jit]]))  # fmt: skip
    _assert_same_training(accelerator, *runs)
    assert metric.name in runs[1][1]
    if accelerator == "fakegpu":
        replayed = set(np.diff(counters[True].marks)[1:])
        # the replay's 6 launches, then the loss and the accuracy after it (3) and the
        # user's metric: all are tracked outside the recording
        assert replayed == {2 + 2 + 1 + 1 + 3 + launches}


class _CountTestLaunches(nn.callbacks.Callback):
    def __init__(self):
        super().__init__()
        self.marks = []

    def on_test_batch_begin(self, batch, logs=None):
        self.marks.append(fake_gpu.launch_count())


def test_a_replayed_evaluation_batch_launches_the_replay_and_its_bookkeeping_only():
    counted, results = {}, {}
    for jit in (False, True):
        model, _ = _fit("fakegpu", jit, epochs=1)
        counter = _CountTestLaunches()
        for _ in range(2):  # the second evaluate records its own step again
            results[jit] = model.evaluate(*_data(), batch_size=BATCH, verbose=0,
                                          callbacks=[counter])  # fmt: skip
            counted.setdefault(jit, set()).update(np.diff(counter.marks)[4:])
            counter.marks = []
    assert results[True] == results[False]  # loss and accuracy, bit for bit
    # batches 5 and 6, past the warm-up and the recording (unshuffled batches are views:
    # no gather): the copies into the recorded inputs (2) and the replay (1), which
    # updates the running loss and the accuracy too
    assert counted[True] == {2 + 1}
    assert min(counted[False]) > 2 + 1 + 3 + 3  # the eager forward: one launch per op


@pytest.mark.parametrize("case", ["dropout", "host read", "schedule", "ema"])
def test_a_step_that_cannot_be_recorded_warns_and_trains_eagerly(accelerator, case):
    optimizer, dropout, host_read = "adam", 0.0, case == "host read"
    if case == "dropout":  # found while recording: that batch runs eagerly, once
        dropout = 0.3  # (and so is a read in the forward pass, before the update)
    elif case == "schedule":  # found before the first step
        def optimizer():
            return nn.optimizers.Adam(nn.optimizers.schedules.ExponentialDecay(0.01, 3, 0.5))
    elif case == "ema":
        def optimizer():
            return nn.optimizers.Adam(use_ema=True)
    eager = _fit(accelerator, False, optimizer, dropout, host_read=host_read)
    with pytest.warns(RuntimeWarning, match="cannot be captured.*runs eagerly") as caught:
        captured = _fit(accelerator, True, optimizer, dropout, host_read=host_read)
    assert len(caught) == 1
    message = str(caught[0].message)
    assert {"dropout": "random numbers", "host read": "reads a device value on the host",
            "schedule": "schedule", "ema": "use_ema"}[case] in message  # fmt: skip
    _assert_same_training(accelerator, eager, captured)


@pytest.mark.parametrize("where", ["before the update", "in the update"])
def test_a_recording_that_runs_out_of_device_memory(monkeypatch, where):
    """Where the recording's own memory does not fit (CuPy raises its OutOfMemoryError, a
    MemoryError): before any optimizer stepped in it, fit trains eagerly with the warning;
    after, the error is raised (the host's step count has moved)."""
    from backends.fake_gpu import FakeGpuBackend

    recording = FakeGpuBackend.capture
    fail_before_update = where == "before the update"

    def capture(self, fn):
        def step():
            if fail_before_update:
                raise MemoryError("Out of memory allocating 1,024 bytes")
            fn()  # the optimizer has stepped
            raise MemoryError("Out of memory allocating 1,024 bytes")

        return recording(self, step)

    eager = _fit("fakegpu", False)
    monkeypatch.setattr(FakeGpuBackend, "capture", capture)
    if not fail_before_update:
        with pytest.raises(MemoryError):
            _fit("fakegpu", True)
        return
    with pytest.warns(RuntimeWarning, match="more device memory than is free") as caught:
        captured = _fit("fakegpu", True)
    assert len(caught) == 1
    _assert_same_training("fakegpu", eager, captured)


def test_a_learning_rate_set_by_a_callback_is_recorded_again(accelerator):
    def schedule():
        return nn.callbacks.LearningRateScheduler(lambda epoch, lr: lr * 0.5)

    eager = _fit(accelerator, False, callbacks=[schedule()], epochs=4)
    captured = _fit(accelerator, True, callbacks=[schedule()], epochs=4)
    _assert_same_training(accelerator, eager, captured)
    assert captured[0].optimizer.learning_rate == pytest.approx(0.001 * 0.5**4)


def test_the_nan_watch_names_the_first_bad_batch_of_a_captured_fit(accelerator):
    # Unshuffled, sample 150 is in batch 5: replayed (calls 1 and 2 warm up, 3 records),
    # and read only at the epoch's end, after batches 6 and 7 have run.
    x, y = _data()
    x[150:] = np.nan
    messages = []
    for jit in (False, True):
        with pytest.warns(RuntimeWarning, match="the loss became") as caught:
            _fit(accelerator, jit, x=x, y=y, check_finite=False, shuffle=False)
        messages.append(str(caught[0].message))
    assert "epoch 1/3, batch 5/7" in messages[0]
    assert messages[1] == messages[0]


def test_a_model_of_several_outputs_warns_and_trains_eagerly(accelerator):
    def fit(jit):
        nn.backend.clear_session()  # the same layer names, so the same log keys
        ag.manual_seed(0)
        inputs = nn.Input((FEATURES,))
        hidden = nn.layers.Dense(8, activation="relu")(inputs)
        outputs = [nn.layers.Dense(CLASSES, activation="softmax")(hidden),
                   nn.layers.Dense(1)(hidden)]  # fmt: skip
        model = nn.Model(inputs, outputs).to(accelerator)
        model.compile(optimizer="adam", loss=["sparse_categorical_crossentropy", "mse"],
                      jit_compile=jit)  # fmt: skip
        x, y = _data()
        history = model.fit(x, [y, x[:, :1]], epochs=2, batch_size=BATCH, verbose=0, seed=1)
        return model, history.history

    eager = fit(False)
    with pytest.warns(RuntimeWarning, match="several inputs or outputs"):
        captured = fit(True)
    _assert_same_training(accelerator, eager, captured)


def test_jit_compile_on_the_cpu_changes_nothing():
    eager = _fit("cpu", False)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        captured = _fit("cpu", True)
    _assert_same_training("fakegpu", eager, captured)  # exactly the same computations


def test_jit_compile_takes_keras_values_and_run_eagerly_turns_it_off():
    model = nn.Sequential([nn.Dense(2, input_shape=(3,))])
    for given, chosen in ((True, True), (False, False), ("auto", False)):
        model.compile(loss="mse", jit_compile=given)
        assert model.jit_compile is chosen  # Keras resolves "auto" too (here: eager, for now)
    with pytest.warns(UserWarning, match="Disabling `jit_compile`"):  # as Keras does
        model.compile(loss="mse", jit_compile=True, run_eagerly=True)
    assert model.jit_compile is False and model.run_eagerly is True
    for bad in ("xla", 1):
        with pytest.raises(ValueError, match="jit_compile must be True, False or 'auto'"):
            model.compile(loss="mse", jit_compile=bad)


def test_a_second_fit_goes_on_from_the_first(accelerator):
    def twice(jit):
        model, first = _fit(accelerator, jit, epochs=2)
        x, y = _data()
        second = model.fit(x, y, epochs=2, batch_size=BATCH, verbose=0, seed=2).history
        return model, {key: first[key] + second[key] for key in first}

    _assert_same_training(accelerator, twice(False), twice(True))


def test_batch_normalization_regularizers_constraints_and_early_stopping(accelerator):
    """What a textbook model adds to the recorded step: moving statistics updated in
    place, a weight penalty in the loss, a constraint after the update; and weights that
    EarlyStopping restores between fits."""

    def fit(jit):
        nn.backend.clear_session()
        ag.manual_seed(0)
        model = nn.Sequential([
            nn.Dense(16, activation="relu", input_shape=(FEATURES,),
                     kernel_regularizer=nn.regularizers.l2(1e-3),
                     kernel_constraint=nn.constraints.MaxNorm(1.0)),
            nn.BatchNormalization(),
            nn.Dense(CLASSES, activation="softmax"),
        ]).to(accelerator)  # fmt: skip
        model.compile(optimizer="adam", loss="sparse_categorical_crossentropy",
                      metrics=["accuracy"], jit_compile=jit)  # fmt: skip
        stop = nn.callbacks.EarlyStopping(monitor="val_loss", patience=1,
                                          restore_best_weights=True)  # fmt: skip
        history = model.fit(*_data(), epochs=4, batch_size=BATCH, verbose=0, seed=1,
                            validation_split=0.2, callbacks=[stop])  # fmt: skip
        model.fit(*_data(), epochs=1, batch_size=BATCH, verbose=0, seed=2)  # from those weights
        return model, history.history

    eager, captured = fit(False), fit(True)
    _assert_same_training(accelerator, eager, captured)
    for a, b in zip(captured[0].weights, eager[0].weights, strict=True):  # moving statistics too
        np.testing.assert_allclose(host(a), host(b), rtol=0 if accelerator != "cuda" else 1e-4,
                                   atol=0 if accelerator != "cuda" else 1e-6)


def test_a_replaced_weight_array_is_recorded_again(accelerator):
    """``p.array = ...`` between calls: a recording would go on reading the old array."""
    model, _ = _fit(accelerator, True, epochs=1)
    step = model._step()  # evaluate's step
    x, y = (ag.tensor(a, device=accelerator) for a in _data())
    batches = [(x[i:i + BATCH], y[i:i + BATCH]) for i in range(0, 4 * BATCH, BATCH)]
    for xb, yb in batches:
        step.test(xb, yb)
    assert step._captured.recorded
    kernel = next(model.parameters())
    kernel.array = kernel.array * 2  # another array, other values
    step.reset()
    step.test(*batches[0])
    eager = model._step()
    eager._captured = None
    eager.reset()
    eager.test(*batches[0])
    assert step.logs() == eager.logs()
