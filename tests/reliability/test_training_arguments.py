"""Keras-style training refuses what Keras or PyTorch would refuse, before any work, and
never trains silently into NaN; evaluation computes the loss as training does."""

from __future__ import annotations

import os
import re
import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import autograd as ag
import nn
import optim
from nn.callbacks import (
    Callback,
    EarlyStopping,
    LearningRateScheduler,
    ModelCheckpoint,
    ReduceLROnPlateau,
    TerminateOnNaN,
)

NAN, INF = float("nan"), float("inf")


def _data(n=40, features=4, classes=3, seed=0):
    rng = np.random.default_rng(seed)
    return rng.normal(size=(n, features)).astype(np.float32), rng.integers(0, classes, n)


def _model(seed=0, loss="sparse_categorical_crossentropy", optimizer="sgd", **compile_kwargs):
    ag.manual_seed(seed)
    model = nn.Sequential([nn.Dense(8, activation="relu", input_shape=(4,)),
                           nn.Dense(3, activation="softmax")])  # fmt: skip
    model.compile(optimizer=optimizer, loss=loss, **compile_kwargs)
    return model


class BatchCounter(Callback):
    """Counts training batches and epochs: proof that nothing ran."""

    def __init__(self):
        super().__init__()
        self.batches = self.epochs = 0

    def on_train_batch_begin(self, batch, logs=None):
        self.batches += 1

    def on_epoch_end(self, epoch, logs=None):
        self.epochs += 1


def _assert_refused_before_any_work(model, error, match, **fit_kwargs):
    x, y = fit_kwargs.pop("x", None), fit_kwargs.pop("y", None)
    x, y = (_data()[0] if x is None else x), (_data()[1] if y is None else y)
    counter = BatchCounter()
    clean_x, labels = _data(n=2)
    clean_y = labels if model.loss.name.startswith("sparse") else np.eye(3)[labels]
    model.fit(clean_x, clean_y, epochs=1, verbose=0)  # binds the optimizer: weights exist
    before = model.get_weights()
    with pytest.raises(error, match=match) as info:
        model.fit(x, y, **{"verbose": 0, "callbacks": [counter], **fit_kwargs})
    assert counter.batches == 0
    for w, old in zip(model.get_weights(), before, strict=True):
        np.testing.assert_array_equal(w, old)
    return str(info.value)


# ---------------------------------------------------------------- one loss formula
def _saturated(torch, sparse: bool):
    """A softmax layer whose logits are [30, 0, 0] for every sample, all labelled class 1:
    the clipped probability formula gives -log(1e-7) = 16.118, the exact one 30.0."""
    ag.manual_seed(0)
    model = nn.Sequential([nn.Dense(3, activation="softmax", input_shape=(4,))])
    kernel = np.zeros((4, 3), np.float32)
    kernel[0, 0] = 30.0
    model.set_weights([kernel, np.zeros(3, np.float32)])
    x = np.zeros((8, 4), np.float32)
    x[:, 0] = 1.0
    labels = np.ones(8, np.int64)
    y = labels if sparse else np.eye(3, dtype=np.float32)[labels]
    logits = torch.tensor(x @ kernel)
    expected = float(torch.nn.functional.cross_entropy(logits, torch.tensor(labels)))
    assert abs(expected - 30.0) < 1e-4  # the case of the issue
    return model, x, y, expected


@pytest.mark.parametrize("sparse", [True, False], ids=["sparse", "one-hot"])
def test_evaluate_val_loss_and_training_loss_are_one_formula_on_saturated_softmax(torch, sparse):
    model, x, y, expected = _saturated(torch, sparse)
    loss = "sparse_categorical_crossentropy" if sparse else "categorical_crossentropy"
    # lr = 0: the weights do not move, so every number below is at the same weights
    model.compile(optimizer=optim.SGD(lr=0.0), loss=loss, metrics=[loss])
    history = model.fit(x, y, batch_size=8, epochs=1, validation_data=(x, y), verbose=0,
                        shuffle=False).history
    evaluated = model.evaluate(x, y, verbose=0, return_dict=True)
    for name, value in [("training loss", history["loss"][0]),
                        ("val_loss", history["val_loss"][0]),
                        ("evaluate", evaluated["loss"]),
                        ("metric named after the loss", history[loss][0]),
                        ("its val_ twin", history[f"val_{loss}"][0]),
                        ("evaluate's metric", evaluated[loss])]:
        assert value == pytest.approx(expected, rel=1e-6), f"{name}: {value} != {expected}"


def test_the_loss_function_gives_the_same_value_with_and_without_a_graph(torch):
    model, x, y, expected = _saturated(torch, sparse=True)
    loss = nn.losses.SparseCategoricalCrossentropy()
    with_graph = loss(y, model(ag.Tensor(x))).item()
    with ag.no_grad():
        without = loss(y, model(ag.Tensor(x))).item()
    assert with_graph == pytest.approx(expected, rel=1e-6)
    assert without == pytest.approx(expected, rel=1e-6)


# ---------------------------------------------------------------- NaN at the source
@pytest.mark.parametrize("where, value, name, index", [
    ((5, 2), NAN, "x", "x[5, 2]"), ((0, 0), INF, "x", "x[0, 0]"), ((7, 1), NAN, "y", "y[7, 1]"),
])
def test_fit_refuses_nan_or_inf_data_naming_the_count_and_first_index(where, value, name, index):
    x, _ = _data()
    y = np.random.default_rng(1).normal(size=(40, 3)).astype(np.float32)  # regression targets
    target = x if name == "x" else y
    target[where] = value
    target[(9, where[1])] = value  # a second bad value, later: the count is 2, the index first
    kind = "NaN" if value != value else "infinite"
    message = _assert_refused_before_any_work(
        _model(loss="mse"), ValueError, re.escape(f"fit: {name} contains"), x=x, y=y
    )
    assert f"2 {kind}" in message and f"at {index}" in message, message
    assert "check_finite=False" in message


def test_validation_evaluate_and_predict_data_are_checked_too():
    x, y = _data()
    bad = x.copy()
    bad[3, 1] = NAN
    model = _model()
    with pytest.raises(ValueError, match=re.escape("validation x contains 1 NaN")):
        model.fit(x, y, validation_data=(bad, y), verbose=0)
    with pytest.raises(ValueError, match=re.escape("evaluate: x contains 1 NaN and 0 infinite "
                                                   "values; the first is nan at x[3, 1]")):
        model.evaluate(bad, y, verbose=0)
    with pytest.raises(ValueError, match=re.escape("predict: x contains 1 NaN")):
        model.predict(bad)


def test_check_finite_false_lets_nan_data_through():
    x, y = _data()
    x[0, 0] = NAN
    model = _model()
    model.fit(x, y, verbose=0, check_finite=False, terminate_on_nan=False)
    assert np.isnan(model.predict(x, check_finite=False)).all()


def _diverging(terminate_on_nan=True, callbacks=(), epochs=5):
    """Linear regression with lr = 1: finite through epoch 1, inf from epoch 2, batch 1."""
    rng = np.random.default_rng(0)
    x = (rng.normal(size=(64, 4)) * 10).astype(np.float32)
    y = rng.normal(size=(64, 1)).astype(np.float32)
    ag.manual_seed(0)
    model = nn.Sequential([nn.Dense(1, input_shape=(4,))])
    model.compile(optimizer=optim.SGD(lr=1.0), loss="mse")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        history = model.fit(x, y, epochs=epochs, batch_size=8, shuffle=False, verbose=0,
                            callbacks=list(callbacks), terminate_on_nan=terminate_on_nan)
    ours = [w for w in caught if "fit: the loss became" in str(w.message)]
    return history.history, ours


class LossRecorder(Callback):
    def __init__(self):
        super().__init__()
        self.first_bad = None
        self.epoch = 0

    def on_epoch_begin(self, epoch, logs=None):
        self.epoch = epoch

    def on_train_batch_end(self, batch, logs=None):
        if self.first_bad is None and not np.isfinite(logs["loss"]):
            self.first_bad = (self.epoch + 1, batch + 1)


@pytest.mark.filterwarnings("ignore:overflow encountered:RuntimeWarning")
@pytest.mark.filterwarnings("ignore:invalid value encountered:RuntimeWarning")
def test_fit_stops_on_a_nan_loss_naming_the_first_bad_epoch_and_batch():
    recorder = LossRecorder()
    history, warned = _diverging(terminate_on_nan=False, callbacks=[recorder])
    assert len(history["loss"]) == 5 and not np.isfinite(history["loss"][-1])  # the issue
    assert recorder.first_bad == (2, 1)
    assert warned == []
    history, warned = _diverging()  # the default; no callback reads every batch's logs
    assert len(history["loss"]) == 2  # epoch 2 is recorded, epoch 3 never starts
    assert len(warned) == 1 and warned[0].category is RuntimeWarning
    assert "at epoch 2/5, batch 1/8" in str(warned[0].message)


@pytest.mark.filterwarnings("ignore:overflow encountered:RuntimeWarning")
@pytest.mark.filterwarnings("ignore:invalid value encountered:RuntimeWarning")
def test_terminate_on_nan_callback_stops_at_the_batch_or_raises(capsys):
    history, _ = _diverging(terminate_on_nan=False, callbacks=[TerminateOnNaN()])
    assert len(history["loss"]) == 2
    assert "Epoch 2, batch 1: invalid loss inf, terminating training" in capsys.readouterr().out
    with pytest.raises(RuntimeError, match="TerminateOnNaN: Epoch 2, batch 1: invalid loss"):
        _diverging(terminate_on_nan=False, callbacks=[TerminateOnNaN(raise_error=True)])
    with pytest.raises(TypeError, match="raise_error must be True or False"):
        TerminateOnNaN(raise_error="yes")


# ---------------------------------------------------------------- fit's arguments
@pytest.mark.parametrize("kwargs, error, match", [
    ({"epochs": -1}, ValueError, r"fit: epochs must be an integer >= 0, got -1"),
    ({"epochs": 2.5}, TypeError, r"fit: epochs must be an integer, got 2\.5 \(float\)"),
    ({"epochs": "3"}, TypeError, r"fit: epochs must be an integer, got '3' \(str\)"),
    ({"initial_epoch": -2}, ValueError, "fit: initial_epoch"),
    ({"batch_size": 0}, ValueError, r"fit: batch_size must be an integer >= 1, got 0"),
    ({"batch_size": 2.5}, TypeError, "fit: batch_size must be an integer"),
    ({"validation_split": 1.5}, ValueError, r"fit: validation_split must be .* \[0, 1\)"),
    ({"validation_split": NAN}, ValueError, "fit: validation_split"),
    ({"validation_split": 0.01}, ValueError, "leaves an empty set"),
    ({"verbose": 3}, ValueError, "fit: verbose must be 0, 1, 2 or 'auto', got 3"),
    ({"shuffle": "yes"}, TypeError, "fit: shuffle must be True or False"),
    ({"seed": -1}, ValueError, "fit: seed"),
    ({"callbacks": EarlyStopping()}, TypeError, "fit: callbacks must be a list"),
    ({"callbacks": [object()]}, TypeError, "fit: callbacks must be nn.callbacks.Callback"),
    ({"check_finite": None}, TypeError, "fit: check_finite must be True or False"),
])
def test_bad_fit_arguments_are_refused_before_any_work(kwargs, error, match):
    _assert_refused_before_any_work(_model(), error, match, **kwargs)


@pytest.mark.parametrize("validation_data, error, match", [
    ("x", 0, "must be a tuple \\(x_val, y_val\\) or \\(x_val, y_val, sample_weight_val\\), "
             "got a tuple of 1"),
    ("xyzw", 0, "sample_weight_val\\), got a tuple of 4"),
    ("array", 1, "fit: validation_data must be a tuple \\(x_val, y_val\\), got array"),
    ("short", 0, "fit: validation x has 40 samples but validation y has 39"),
])
def test_bad_validation_data_is_refused_before_any_work(validation_data, error, match):
    x, y = _data()
    value = {"x": (x,), "xyzw": (x, y, y, y), "array": x, "short": (x, y[:-1])}[validation_data]
    _assert_refused_before_any_work(
        _model(), [ValueError, TypeError][error], match, validation_data=value
    )


@pytest.mark.parametrize("x, y, error, match", [
    (None, None, ValueError, "fit: give both x and y"),
    ("abc", [0], TypeError, r"fit: x must be an array .* got 'abc' \(str\)"),
    # a dict holds several named inputs: each entry is checked as an array
    ({"a": 1}, [0], ValueError, r"fit: x\['a'\] must have a batch axis"),
    ({"a": "abc"}, [0], TypeError, r"fit: x\['a'\] must be an array .* got 'abc' \(str\)"),
    ([["a", "b", "c", "d"]], [0], TypeError, "fit: x must hold real numbers, got .*<U1"),
    (np.ones((2, 4), complex), [0, 1], TypeError, "fit: x must hold real numbers"),
    (np.float32(3.0), [0], ValueError, "fit: x must have a batch axis"),
    ([[1.0, 2.0], [3.0]], [0, 1], ValueError, "fit: x must be a rectangular array"),
    (np.ones((3, 4), np.float32), [0, 1], ValueError, "fit: x has 3 samples but y has 2"),
    (np.ones((0, 4), np.float32), np.ones(0, np.int64), ValueError, r"empty \(0 samples\)"),
])
def test_bad_data_is_refused_before_any_work(x, y, error, match):
    model = _model()
    if x is None:
        with pytest.raises(error, match=match):
            model.fit(verbose=0)
        return
    _assert_refused_before_any_work(model, error, match, x=x, y=np.asarray(y))


@pytest.mark.parametrize("label, match", [
    (3.7, r"integer class indices .* 1 of 40 are not whole numbers: the first is 3\.7 at "
          r"index \[4\]"),
    (NAN, r"y contains 1 NaN"),
])
def test_float_and_nan_labels_are_refused(label, match):
    x, y = _data()
    y = y.astype(np.float64)
    y[4] = label
    _assert_refused_before_any_work(_model(), ValueError, match, y=y)


def test_nan_labels_given_to_the_loss_directly_get_a_clear_message():
    loss = nn.losses.SparseCategoricalCrossentropy()
    probs = ag.Tensor(np.full((2, 3), 1 / 3, np.float32))
    with pytest.raises(ValueError, match="the first is nan at index"):
        loss(np.array([0.0, NAN]), probs)
    with pytest.raises(ValueError, match="the first is 2.5 at index"):
        nn.metrics.sparse_categorical_accuracy(np.array([0.0, 2.5]), probs)


def test_integral_float_labels_are_classes_as_in_keras():
    x, y = _data()
    a, b = _model(), _model()
    a.fit(x, y, epochs=2, verbose=0, seed=0)
    b.fit(x, y.astype(np.float32), epochs=2, verbose=0, seed=0)
    for wa, wb in zip(a.get_weights(), b.get_weights(), strict=True):
        np.testing.assert_array_equal(wa, wb)


def test_batch_size_none_means_32_as_in_keras():
    x, y = _data(n=70)
    seen = {}

    class Params(Callback):
        def on_train_begin(self, logs=None):
            seen.update(self.params)

    _model().fit(x, y, batch_size=None, verbose=0, callbacks=[Params()])
    assert seen == {"verbose": 0, "epochs": 1, "steps": 3}  # Keras 3's params: 70 / 32 -> 3
    assert np.shape(_model().predict(x, batch_size=None)) == (70, 3)
    assert np.isfinite(_model().evaluate(x, y, batch_size=None, verbose=0))


def test_verbose_accepts_keras_auto_and_bools():
    x, y = _data()
    model = _model()
    model.fit(x, y, verbose=False)
    model.evaluate(x, y, verbose="auto")


# ---------------------------------------------------------------- compile and layers
@pytest.mark.parametrize("kwargs, error, match", [
    ({"optimizer": "adamz"}, ValueError, "compile: unknown optimizer 'adamz'; known names: "),
    ({"optimizer": 3}, TypeError, r"compile: optimizer must be .* got 3 \(int\)"),
    ({"loss": "mse2"}, ValueError, "unknown loss 'mse2'"),
    ({"metrics": ["acurracy"]}, ValueError, "unknown metric 'acurracy'"),
    ({"metrics": 5}, TypeError, r"compile: metrics must be a list .* got 5 \(int\)"),
])
def test_unknown_names_fail_at_compile(kwargs, error, match):
    ag.manual_seed(0)
    model = nn.Sequential([nn.Dense(3, input_shape=(4,))])
    kwargs = {"optimizer": "sgd", "loss": "mse", **kwargs}
    with pytest.raises(error, match=match):
        model.compile(**kwargs)


@pytest.mark.parametrize("make, error, match", [
    (lambda: nn.Dense(2.5), TypeError, r"Dense: units must be an integer, got 2\.5 \(float\)"),
    (lambda: nn.Dense(0), ValueError, "Dense: units must be an integer >= 1, got 0"),
    (lambda: nn.Dense("8"), TypeError, "Dense: units must be an integer"),
    (lambda: nn.Dense(True), TypeError, "Dense: units must be an integer"),
    (lambda: nn.Linear(2.5, 3), TypeError, "Linear: in_features must be an integer"),
    (lambda: nn.Linear(4, -3), ValueError, "Linear: out_features must be an integer >= 1"),
    (lambda: nn.Dense(3, input_shape=(2.5,)), TypeError, "input_shape: entry 0 must be an "),
    (lambda: nn.Dense(3, input_shape="ab"), TypeError, "input_shape must be a tuple"),
    (lambda: nn.Dense(3, input_dim=-4), ValueError, "Dense: input_dim"),
])
def test_layer_sizes_must_be_positive_integers(make, error, match):
    with pytest.raises(error, match=match):
        make()


def test_integer_sizes_of_any_integer_type_are_accepted():
    assert nn.Dense(np.int64(3), input_shape=(np.int32(4),)).kernel.shape == (4, 3)


# ---------------------------------------------------------------- callbacks
@pytest.mark.parametrize("make, error, match", [
    (lambda: ReduceLROnPlateau(factor=-0.5), ValueError,
     r"ReduceLROnPlateau: factor must be a finite number in \(0, 1\), got -0\.5"),
    (lambda: ReduceLROnPlateau(factor=1.0), ValueError, "factor"),
    (lambda: ReduceLROnPlateau(factor=NAN), ValueError, "factor"),
    (lambda: ReduceLROnPlateau(patience=-1), ValueError, "patience"),
    (lambda: ReduceLROnPlateau(min_lr=-1e-3), ValueError, "min_lr"),
    (lambda: EarlyStopping(patience=2.5), TypeError, "EarlyStopping: patience"),
    (lambda: EarlyStopping(monitor=3), TypeError, "monitor must be a log key"),
    (lambda: LearningRateScheduler(0.1), TypeError, "schedule must be a function"),
    (lambda: ModelCheckpoint("model.pt"), ValueError,
     "ModelCheckpoint: unsupported weights file extension '.pt'"),
    (lambda: ModelCheckpoint("model.h5", save_weights_only=True), ValueError,
     "must end in '.weights.h5'"),
    (lambda: ModelCheckpoint("ck-{epoch"), ValueError, "not a valid format string"),
    (lambda: ModelCheckpoint("ck-{}.npz"), ValueError, "positional field"),
    (lambda: ModelCheckpoint(None), TypeError, "filepath must be a path"),
])
def test_bad_callback_arguments_fail_at_construction(make, error, match):
    with pytest.raises(error, match=match):
        make()


@pytest.mark.host_only("checks paths on the host's file system")
def test_a_checkpoint_path_under_a_file_fails_at_construction(tmp_path):
    (tmp_path / "afile").write_text("")
    with pytest.raises(ValueError, match="is a file, not a directory"):
        ModelCheckpoint(str(tmp_path / "afile" / "ck.npz"))
    (tmp_path / "adir.npz").mkdir()
    with pytest.raises(ValueError, match="is a directory"):
        ModelCheckpoint(str(tmp_path / "adir.npz"))


@pytest.mark.host_only("writes checkpoint files on the host")
def test_a_checkpoint_naming_val_loss_without_validation_data_fails_before_training(tmp_path):
    path = str(tmp_path / "ck-{val_loss:.3f}.npz")
    message = _assert_refused_before_any_work(
        _model(), ValueError, r"names \{val_loss\}, which this fit does not log",
        callbacks=[ModelCheckpoint(path)],
    )
    assert "validation_data" in message
    assert os.listdir(tmp_path) == []
    x, y = _data()
    typo = ModelCheckpoint(str(tmp_path / "ck-{val_los:.3f}.npz"))
    with pytest.raises(ValueError, match=r"\{val_los\}"):
        _model().fit(x, y, validation_data=(x, y), verbose=0, callbacks=[typo])
    bad_spec = ModelCheckpoint(str(tmp_path / "ck-{loss:.3q}.npz"))
    with pytest.raises(ValueError, match="cannot be formatted"):
        _model().fit(x, y, verbose=0, callbacks=[bad_spec])
    nested = ModelCheckpoint(str(tmp_path / "run" / "ck-{epoch:02d}-{val_loss:.3f}.npz"))
    _model().fit(x, y, validation_data=(x, y), epochs=2, verbose=0, callbacks=[nested])
    assert len(os.listdir(tmp_path / "run")) == 2  # the missing directory was made
    # a key another callback adds to the logs is known at the start too
    by_rate = ModelCheckpoint(str(tmp_path / "rate" / "lr-{learning_rate:.0e}.npz"))
    _model().fit(x, y, verbose=0, callbacks=[ReduceLROnPlateau(monitor="loss"), by_rate])
    assert os.listdir(tmp_path / "rate") == ["lr-1e-02.npz"]


@pytest.mark.parametrize("rate", [-0.1, NAN, "0.1"])
def test_a_schedule_returning_a_bad_rate_stops_fit_before_the_epoch(rate):
    error = TypeError if isinstance(rate, str) else ValueError
    schedule = LearningRateScheduler(lambda epoch, lr: rate if epoch == 1 else lr)
    x, y = _data()
    model = _model()
    counter = BatchCounter()
    with pytest.raises(error, match="LearningRateScheduler: the rate the schedule returned "
                                    "for epoch 1"):
        model.fit(x, y, epochs=3, verbose=0, callbacks=[schedule, counter])
    assert counter.epochs == 1  # epoch 0 ran; epoch 1 never started
    assert model.optimizer.param_groups[0]["lr"] == pytest.approx(0.01)


# ---------------------------------------------------------------- fuzzing fit
OPAQUE = re.compile(
    r"values to unpack|not supported between|ufunc|has no len|cannot be interpreted as an "
    r"integer|unhashable|object is not (iterable|callable|subscriptable)|'NoneType' object|"
    r"only length-1|truth value of an array|invalid literal|could not convert"
)
_JUNK = st.one_of(
    st.none(), st.booleans(), st.integers(-3, 3), st.floats(allow_nan=True),
    st.text(max_size=3), st.just([]), st.just((1,)), st.just({"a": 1}),
    st.just(np.ones((2, 4), np.float32)), st.just(np.ones(2, np.float32)),
    st.just(EarlyStopping()), st.just([object()]), st.just(2.5), st.just("auto"),
)
_FIT_ARGS = st.dictionaries(
    st.sampled_from(["x", "y", "epochs", "batch_size", "validation_data", "validation_split",
                     "shuffle", "callbacks", "verbose", "initial_epoch", "seed",
                     "check_finite", "terminate_on_nan"]),
    _JUNK, min_size=1, max_size=3,
)


@settings(max_examples=300, deadline=None)
@given(kwargs=_FIT_ARGS)
def test_fuzzed_fit_arguments_give_only_documented_errors_with_messages(kwargs):
    x, y = _data(n=8)
    model = _model()
    call = {"x": x, "y": y, "verbose": 0, **kwargs}
    try:
        model.fit(**call)
    except (TypeError, ValueError) as error:
        message = str(error)
        # fit's own checks name it first; data of the wrong shape is refused by the first
        # layer or the loss, naming both shapes. Python's and NumPy's own wordings are not
        # messages for a user.
        assert len(message) > 20 and not OPAQUE.search(message), message
