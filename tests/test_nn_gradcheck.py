"""Every module's and loss's gradient against finite differences (float64, Hypothesis)."""

from __future__ import annotations

import numpy as np
import pytest
from _nn_helpers import (
    GRAD_SETTINGS,
    away_from_kinks,
    batches,
    class_problems,
    float_arrays,
    magnitudes,
    module_gradcheck,
    nonzero_floats,
    seeds,
)
from hypothesis import assume, given
from hypothesis import strategies as st

import autograd
import nn
from autograd import Tensor
from nn import losses

SMOOTH = [
    "linear", "sigmoid", "tanh", "softmax", "log_softmax", "softplus", "softsign", "gelu",
    "silu", "elu", "exponential",
]  # fmt: skip
KINKED = ["relu", "leaky_relu", "selu"]  # derivative jumps at 0: checked away from it


def _dense(units: int, activation: str, seed: int) -> nn.Dense:
    autograd.manual_seed(seed)
    return nn.Dense(units, activation=activation, bias_initializer="random_normal", dtype="float64")


@pytest.mark.parametrize("activation", SMOOTH + KINKED)
@GRAD_SETTINGS
@given(x=batches(), units=st.integers(1, 3), seed=seeds)
def test_dense_with_each_activation(activation, x, units, seed):
    layer = _dense(units, activation, seed)
    layer(Tensor(x))  # build
    if activation in KINKED:
        pre = x @ layer.kernel.cpu().numpy() + layer.bias.cpu().numpy()
        assume(away_from_kinks(pre))
    assert module_gradcheck(layer, x)


@GRAD_SETTINGS
@given(x=batches(features=3), seed=seeds)
def test_linear(x, seed):
    autograd.manual_seed(seed)
    assert module_gradcheck(nn.Linear(3, 2), x)


ACTIVATION_MODULES = [
    nn.Sigmoid(),
    nn.Tanh(),
    nn.Softmax(),
    nn.LogSoftmax(),
    nn.Softmax(dim=0),
    nn.Softplus(),
    nn.Softplus(beta=2.0),
    nn.GELU(),
    nn.GELU("tanh"),
    nn.SiLU(),
    nn.ELU(),
    nn.Identity(),
]
KINKED_MODULES = [nn.ReLU(), nn.LeakyReLU(0.2), nn.ELU(alpha=0.7), nn.SELU()]


@pytest.mark.parametrize("module", ACTIVATION_MODULES, ids=lambda m: repr(m))
@GRAD_SETTINGS
@given(x=batches())
def test_activation_modules(module, x):
    assert module_gradcheck(module, x)


@pytest.mark.parametrize("module", KINKED_MODULES, ids=lambda m: repr(m))
@GRAD_SETTINGS
@given(x=batches(elements=nonzero_floats))
def test_kinked_activation_modules_away_from_zero(module, x):
    assert module_gradcheck(module, x)


@GRAD_SETTINGS
@given(x=batches(elements=nonzero_floats), init=st.floats(-0.5, 0.9), shared=st.booleans())
def test_prelu_input_and_slope(x, init, shared):
    prelu = nn.PReLU(num_parameters=1 if shared else x.shape[1], init=init)
    prelu(Tensor(x))
    assert prelu.weight.shape == ((1,) if shared else (x.shape[1],))
    assert module_gradcheck(prelu, x)  # checks d/d(alpha) too


@GRAD_SETTINGS
@given(x=batches(min_batch=3), keras=st.booleans())
def test_batchnorm_in_training_mode(x, keras):
    # a batch whose features vary (a constant feature has an undefined normalisation)
    assume(np.all(x.std(axis=0) > 0.1))
    bn = nn.BatchNormalization() if keras else nn.BatchNorm1d(x.shape[1])
    bn(Tensor(x))
    # gamma/beta (Keras) or weight/bias (PyTorch) first; the running statistics after
    weights = bn.get_weights()
    weights[:2] = [np.linspace(0.5, 1.5, x.shape[1]), np.linspace(-1, 1, x.shape[1])]
    bn.set_weights(weights)
    assert bn.training
    assert module_gradcheck(bn, x)


@GRAD_SETTINGS
@given(x=batches(features=3))
def test_batchnorm_in_eval_mode(x):
    bn = nn.BatchNormalization(input_shape=(3,))
    bn.set_weights(
        [
            np.array([0.5, 1.0, 2.0]),
            np.array([0.0, 1.0, -1.0]),
            np.array([0.1, 0.2, 0.3]),
            np.array([0.5, 1.0, 2.0]),
        ]
    )
    bn.eval()
    assert module_gradcheck(bn, x)


@GRAD_SETTINGS
@given(x=batches(), seed=seeds, rate=st.floats(0.1, 0.7))
def test_dropout_under_a_fixed_seed(x, seed, rate):
    drop = nn.Dropout(rate)
    assert module_gradcheck(drop, x, before_call=lambda: autograd.manual_seed(seed))


@GRAD_SETTINGS
@given(x=float_arrays(st.tuples(st.integers(1, 3), st.integers(1, 3), st.integers(1, 3))))
def test_flatten(x):
    assert module_gradcheck(nn.Flatten(), x)


@GRAD_SETTINGS
@given(x=batches(features=4), seed=seeds)
def test_sequential_mlp(x, seed):
    autograd.manual_seed(seed)
    model = nn.Sequential(
        [
            nn.Dense(5, activation="tanh", input_shape=(4,), dtype="float64"),
            nn.BatchNormalization(dtype="float64"),
            nn.Dense(3, activation="softmax", dtype="float64"),
        ]
    )
    assume(np.all(np.tanh(x @ model[0].kernel.cpu().numpy()).std(axis=0) > 0.05))
    assert module_gradcheck(model, x)


# ------------------------------------------------------------------ losses
@GRAD_SETTINGS
@given(problem=class_problems(), reduction=st.sampled_from(["mean", "sum", "none"]))
def test_fused_softmax_cross_entropy_sparse(problem, reduction):
    logits, labels = problem
    assert autograd.gradcheck(
        lambda z: losses.sparse_categorical_crossentropy(
            labels, z, from_logits=True, reduction=reduction
        ),
        [Tensor(logits)],
    )


@GRAD_SETTINGS
@given(problem=class_problems())
def test_fused_softmax_cross_entropy_soft_targets_both_inputs(problem):
    logits, labels = problem
    targets = np.full(logits.shape, 0.1) + np.eye(logits.shape[1])[labels]
    targets /= targets.sum(-1, keepdims=True)
    assert autograd.gradcheck(
        lambda z, t: losses.categorical_crossentropy(t, z, from_logits=True, reduction="mean"),
        [Tensor(logits), Tensor(targets)],
    )


@GRAD_SETTINGS
@given(problem=class_problems(), reduction=st.sampled_from(["mean", "sum", "none"]),
       total=st.floats(0.2, 3.0))
def test_fused_softmax_cross_entropy_targets_that_do_not_sum_to_one(problem, reduction, total):
    # Keras' guides train a softmax on random targets: d/dz is softmax(z) Σt - t, not p - t
    logits, labels = problem
    targets = (np.full(logits.shape, 0.1) + np.eye(logits.shape[1])[labels]) * total
    for differentiate_targets in (False, True):
        assert autograd.gradcheck(
            lambda z, t: losses.categorical_crossentropy(t, z, from_logits=True,
                                                         reduction=reduction),
            [Tensor(logits), Tensor(targets, requires_grad=differentiate_targets)],
        )


@given(problem=class_problems())
@GRAD_SETTINGS
def test_fused_cross_entropy_second_derivative(problem):
    logits, labels = problem

    def grad_of_loss(z):
        # gradcheck's finite-difference passes give a plain tensor: differentiate a leaf then
        if not z.requires_grad:
            z = Tensor(z.array, requires_grad=True)
        with autograd.enable_grad():
            loss = losses.sparse_categorical_crossentropy(
                labels, z, from_logits=True, reduction="mean"
            )
            (g,) = autograd.grad(loss, [z], create_graph=True)
        return g

    assert autograd.gradcheck(grad_of_loss, [Tensor(logits)])


@GRAD_SETTINGS
@given(problem=class_problems(bound=2.0))
def test_cross_entropy_from_probabilities(problem):
    # probabilities >= e^-4 / 5: inside the clipping range, and d(log p)/dp = 1/p is not so
    # steep that central differences (error ~ eps² / p³) lose the 1e-4 tolerance
    logits, labels = problem
    probs = np.exp(logits) / np.exp(logits).sum(-1, keepdims=True)
    assert autograd.gradcheck(
        lambda p: losses.sparse_categorical_crossentropy(labels, p, reduction="mean"),
        [Tensor(probs)],
    )


@GRAD_SETTINGS
@given(x=batches(), data=st.data())
def test_elementwise_losses(x, data):
    # y = x - e with |e| away from MAE's kink (0) and Huber's switch (|e| = 0.7)
    e = data.draw(float_arrays(x.shape, magnitudes(0.01, 0.65) | magnitudes(0.75, 2.0)))
    y = x - e
    p = 1 / (1 + np.exp(-x))
    y01 = (y > 0).astype(np.float64)
    checks = [
        (lambda t: losses.mean_squared_error(y, t, reduction="mean"), x),
        (lambda t: losses.mean_absolute_error(y, t, reduction="mean"), x),
        (lambda t: nn.HuberLoss(delta=0.7)(t, y), x),
        (lambda t: losses.binary_crossentropy(y01, t, from_logits=True, reduction="mean"), x),
        (lambda t: nn.BCELoss()(t, y01), p),
    ]
    for fn, value in checks:
        assert autograd.gradcheck(fn, [Tensor(value)])


@GRAD_SETTINGS
@given(w=float_arrays((3, 2), nonzero_floats))
def test_regularizers(w):
    for reg in (nn.regularizers.L1(0.3), nn.regularizers.L2(0.2), nn.regularizers.L1L2(0.1, 0.4)):
        assert autograd.gradcheck(reg, [Tensor(w)])
