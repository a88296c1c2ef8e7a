"""nn.losses: values from the formulas, stability, label checks, conventions, resolver."""

from __future__ import annotations

import numpy as np
import pytest
from _device import assert_close

import autograd
import nn
from autograd import Tensor
from nn import losses

RNG = np.random.default_rng(0)
LOGITS = RNG.normal(size=(6, 4))
LABELS = np.array([0, 3, 1, 1, 2, 0])
ONEHOT = np.eye(4)[LABELS]


def _log_softmax(z: np.ndarray) -> np.ndarray:
    z = z - z.max(-1, keepdims=True)
    return z - np.log(np.exp(z).sum(-1, keepdims=True))


def _ce_reference(z: np.ndarray, labels: np.ndarray) -> float:
    return float(-_log_softmax(z)[np.arange(len(labels)), labels].mean())


def test_sparse_and_categorical_agree_from_logits_and_probs():
    want = _ce_reference(LOGITS, LABELS)
    z = Tensor(LOGITS)
    p = autograd.softmax(z)
    for value in (
        losses.sparse_categorical_crossentropy(LABELS, z, from_logits=True, reduction="mean"),
        losses.categorical_crossentropy(ONEHOT, z, from_logits=True, reduction="mean"),
        losses.sparse_categorical_crossentropy(LABELS, p, reduction="mean"),
        losses.categorical_crossentropy(ONEHOT, p, reduction="mean"),
        nn.CrossEntropyLoss()(z, LABELS),
        nn.NLLLoss()(autograd.log_softmax(z), LABELS),
    ):
        assert value.item() == pytest.approx(want, rel=1e-9)


def test_fused_cross_entropy_gradient_is_softmax_minus_onehot_over_n():
    z = Tensor(LOGITS, requires_grad=True)
    losses.sparse_categorical_crossentropy(LABELS, z, from_logits=True, reduction="mean").backward()
    p = np.exp(_log_softmax(LOGITS))
    np.testing.assert_allclose(z.grad.cpu().numpy(), (p - ONEHOT) / len(LABELS), rtol=1e-12)


def test_cross_entropy_from_logits_is_stable_at_1e4_float32():
    z = Tensor(np.array([[1e4, -1e4, 0.0], [-1e4, 1e4, 5e3]], np.float32), requires_grad=True)
    loss = losses.sparse_categorical_crossentropy(
        np.array([0, 2]), z, from_logits=True, reduction="mean"
    )
    assert loss.dtype == np.float32
    # sample 0 is certain and right (0); sample 1 is wrong by 5e3 -> 5e3; mean 2500
    assert loss.item() == pytest.approx(2500.0, rel=1e-6)
    loss.backward()
    assert np.isfinite(z.grad.cpu().numpy()).all()
    np.testing.assert_allclose(z.grad.cpu().numpy(), [[0, 0, 0], [0, 0.5, -0.5]], atol=1e-6)


def test_probability_path_is_clipped_not_infinite():
    p = Tensor(np.array([[1.0, 0.0], [0.0, 1.0]], np.float32))
    loss = losses.sparse_categorical_crossentropy(np.array([1, 1]), p, reduction="mean")
    assert np.isfinite(loss.item()) and loss.item() == pytest.approx(-np.log(1e-7) / 2, rel=1e-3)


def test_out_of_range_labels_name_the_label_and_class_count():
    z = Tensor(LOGITS)
    with pytest.raises(IndexError, match="label 4 is out of range for 4 classes"):
        losses.sparse_categorical_crossentropy(
            np.array([0, 4, 1, 1, 2, 0]), z, from_logits=True, reduction="mean"
        )
    with pytest.raises(IndexError, match="label -1"):
        nn.CrossEntropyLoss()(z, np.array([0, -1, 1, 1, 2, 0]))
    with pytest.raises(ValueError, match="do not match"):
        nn.CrossEntropyLoss()(z, np.array([0, 1]))


def test_binary_crossentropy_probabilities_and_logits():
    x = RNG.normal(size=(5, 1)) * 3
    y = np.array([[1.0], [0.0], [1.0], [1.0], [0.0]])
    p = 1 / (1 + np.exp(-x))
    want = -np.mean(y * np.log(p) + (1 - y) * np.log(1 - p))
    assert losses.binary_crossentropy(y, Tensor(p), reduction="mean").item() == pytest.approx(
        want, rel=1e-6
    )
    assert losses.binary_crossentropy(
        y, Tensor(x), from_logits=True, reduction="mean"
    ).item() == pytest.approx(want, rel=1e-9)
    assert nn.BCEWithLogitsLoss()(Tensor(x), y).item() == pytest.approx(want, rel=1e-9)
    assert nn.BCELoss()(Tensor(p), y).item() == pytest.approx(want, rel=1e-6)


def test_binary_crossentropy_with_logits_is_stable():
    x = Tensor(np.array([1e4, -1e4, 1e4, -1e4], np.float32), requires_grad=True)
    y = np.array([1.0, 0.0, 0.0, 1.0], np.float32)
    loss = losses.binary_crossentropy(y, x, from_logits=True, reduction="mean")
    assert loss.item() == pytest.approx(5e3)
    loss.backward()
    np.testing.assert_allclose(x.grad.cpu().numpy(), [0, 0, 0.25, -0.25], atol=1e-7)


def test_regression_losses():
    pred = RNG.normal(size=(4, 3))
    true = RNG.normal(size=(4, 3))
    e = pred - true
    assert losses.mean_squared_error(true, Tensor(pred), reduction="mean").item() == pytest.approx(
        np.mean(e**2)
    )
    assert losses.mean_absolute_error(true, Tensor(pred), reduction="mean").item() == pytest.approx(
        np.mean(abs(e))
    )
    delta = 0.5
    hub = np.where(abs(e) <= delta, 0.5 * e**2, delta * (abs(e) - 0.5 * delta))
    assert losses.huber(true, Tensor(pred), delta, reduction="mean").item() == pytest.approx(
        hub.mean()
    )
    assert nn.HuberLoss(delta=delta)(Tensor(pred), true).item() == pytest.approx(hub.mean())
    assert nn.MSELoss()(Tensor(pred), true).item() == pytest.approx(np.mean(e**2))
    assert nn.L1Loss()(Tensor(pred), true).item() == pytest.approx(np.mean(abs(e)))


def test_reductions_keras_per_sample_vs_torch_per_element():
    pred, true = RNG.normal(size=(4, 3)), RNG.normal(size=(4, 3))
    e2 = (pred - true) ** 2
    keras_none = nn.MeanSquaredError(reduction="none")(true, Tensor(pred)).cpu().numpy()
    np.testing.assert_allclose(keras_none, e2.mean(-1))
    torch_none = nn.MSELoss(reduction="none")(Tensor(pred), true).cpu().numpy()
    np.testing.assert_allclose(torch_none, e2)
    assert nn.MSELoss(reduction="sum")(Tensor(pred), true).item() == pytest.approx(e2.sum())
    ce_none = nn.CrossEntropyLoss(reduction="none")(Tensor(LOGITS), LABELS).cpu().numpy()
    np.testing.assert_allclose(ce_none, -_log_softmax(LOGITS)[np.arange(6), LABELS])
    with pytest.raises(ValueError, match="reduction"):
        nn.MSELoss(reduction="avg")


def test_column_targets_are_not_broadcast_to_a_matrix():
    pred = Tensor(np.array([[1.0], [2.0], [3.0]]))
    assert losses.mean_squared_error(
        np.array([1.0, 2.0, 5.0]), pred, reduction="mean"
    ).item() == pytest.approx(4 / 3)
    with pytest.raises(ValueError, match="do not match"):
        losses.mean_squared_error(np.ones(2), pred, reduction="mean")


def test_resolver_always_returns_y_true_y_pred_callables():
    z = Tensor(LOGITS)
    want = _ce_reference(LOGITS, LABELS)
    assert isinstance(
        losses.get("sparse_categorical_crossentropy"), nn.SparseCategoricalCrossentropy
    )
    for ident in (
        "sparse_categorical_crossentropy",
        nn.CrossEntropyLoss(),
        nn.CrossEntropyLoss,
        nn.SparseCategoricalCrossentropy(from_logits=True),
    ):
        fn = losses.get(ident)
        y_pred = z if ident != "sparse_categorical_crossentropy" else autograd.softmax(z)
        assert fn(LABELS, y_pred).item() == pytest.approx(want, rel=1e-9)
    mse = losses.get("mse")
    assert mse.name == "mean_squared_error"
    assert losses.get("mae").name == "mean_absolute_error"
    assert losses.get(nn.BCEWithLogitsLoss()).name.startswith("binary_crossentropy")

    def custom(y_true, y_pred):  # one value per sample, as Keras' own functions
        return autograd.sum(y_pred * 0 + 1.0, axis=-1)

    resolved = losses.get(custom)
    assert resolved.__name__ == "custom"  # the name the logs and saving use
    assert resolved(LABELS, z).item() == LOGITS.shape[-1]  # averaged over the samples
    with pytest.raises(ValueError, match="known"):
        losses.get("categorical_cross_entropy_typo")


def test_loss_dtype_follows_predictions():
    z = Tensor(LOGITS.astype(np.float32))
    assert (
        losses.sparse_categorical_crossentropy(LABELS, z, from_logits=True, reduction="mean").dtype
        == np.float32
    )
    assert losses.mean_squared_error(np.ones((6, 4)), z, reduction="mean").dtype == np.float32
    assert (
        losses.binary_crossentropy(np.ones((6, 4)), z, from_logits=True, reduction="mean").dtype
        == np.float32
    )


def test_probabilities_from_a_softmax_use_the_fused_logits_path():
    # p(label) = e^-30 underflows the clip at 1e-7: the fused path still gives 30 and
    # the full gradient, as Keras 3 does for softmax outputs
    z = Tensor(np.array([[30.0, 0.0, 0.0]]), requires_grad=True)
    probs = autograd.softmax(z)
    loss = losses.sparse_categorical_crossentropy(np.array([1]), probs, reduction="mean")
    assert loss.item() == pytest.approx(30.0, rel=1e-9)
    loss.backward()
    np.testing.assert_allclose(z.grad.cpu().numpy(), [[1.0, -1.0, 0.0]], atol=1e-12)
    model = nn.Sequential([nn.Dense(3, activation="softmax", input_shape=(2,), dtype="float64")])
    out = model(Tensor(np.ones((4, 2))))
    value = losses.categorical_crossentropy(np.eye(3)[[0, 1, 2, 0]], out, reduction="mean")
    assert isinstance(value.grad_fn, losses.SoftmaxCrossEntropy)
    # a leaf tensor of probabilities (no softmax graph) keeps the clipped probability path
    leaf = Tensor(probs.cpu().numpy())
    assert losses.sparse_categorical_crossentropy(
        np.array([1]), leaf, reduction="mean"
    ).item() == pytest.approx(-np.log(1e-7), rel=1e-6)


@pytest.mark.parametrize(
    "loss",
    [
        lambda p, t: nn.MSELoss()(p, t),
        lambda p, t: nn.L1Loss()(p, t),
        lambda p, t: nn.BCEWithLogitsLoss()(p, t),
        lambda p, t: nn.losses.mean_squared_error(t, p),
        lambda p, t: nn.losses.huber(t, p),
        lambda p, t: nn.losses.binary_crossentropy(t, autograd.sigmoid(p)),
        lambda p, t: nn.losses.categorical_crossentropy(t, p, from_logits=True),
    ],
)
def test_float64_target_tensors_keep_a_float32_loss_float32(loss):
    pred = Tensor(np.full((4, 3), 0.25, np.float32), requires_grad=True)
    target = Tensor(np.eye(4, 3))  # float64, e.g. built from NumPy data
    value = loss(pred, target)
    assert value.dtype == np.float32
    value.sum().backward()  # Keras' functions give one value per sample
    assert pred.grad.dtype == np.float32


NEG_INF_LOG_PROBS = np.array([[0.0, -np.inf, -1.0], [-0.1, -2.4, -np.inf], [-np.inf, -0.5, -0.9]])
NEG_INF_LABELS = np.array([0, 0, 2])  # no label points at a -inf entry


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("spelling", ["class", "functional"])
def test_nll_loss_ignores_minus_inf_log_probabilities_of_other_classes(torch, reduction, spelling):
    """0 · (-inf) is NaN: picking the target entries, as PyTorch does, keeps the loss and
    its gradient (-1/N at each target, 0 elsewhere) finite."""
    import nn.functional as F

    ours = Tensor(NEG_INF_LOG_PROBS, requires_grad=True)
    theirs = torch.tensor(NEG_INF_LOG_PROBS, requires_grad=True)
    if spelling == "class":
        loss = nn.NLLLoss(reduction=reduction)(ours, NEG_INF_LABELS)
    else:
        loss = F.nll_loss(ours, NEG_INF_LABELS, reduction=reduction)
    expected = torch.nn.functional.nll_loss(
        theirs, torch.tensor(NEG_INF_LABELS), reduction=reduction
    )
    assert_close(loss, expected.detach().numpy(), rtol=1e-15)
    loss.sum().backward()
    expected.sum().backward()
    assert_close(ours.grad, theirs.grad.numpy(), rtol=1e-15)


def test_nll_loss_of_the_issues_example_is_0_05():
    loss = nn.NLLLoss()(Tensor([[0.0, -np.inf], [-0.1, -2.4]]), [0, 0])
    assert loss.item() == pytest.approx(0.05)


BCE_CASES = {
    "inside, bounds included": ([0.0, 0.3, 1.0], [1.0, 0.0, 1.0], None),
    "the issue's example": ([1.5, -0.5], [1.0, 0.0], "input"),
    "input above 1": ([0.2, 1.0000001], [1.0, 0.0], "input"),
    "input below 0": ([[0.2, -1e-9]], [[1.0, 0.0]], "input"),
    "NaN input": ([0.2, np.nan], [1.0, 0.0], "input"),
    "target above 1": ([0.2, 0.7], [1.5, 0.0], "target"),
    "target below 0": ([0.2, 0.7], [1.0, -0.5], "target"),
    "NaN target": ([0.2, 0.7], [np.nan, 0.0], "target"),
}


@pytest.mark.parametrize("case", list(BCE_CASES))
@pytest.mark.parametrize("spelling", ["class", "functional", "compiled"])
def test_bce_refuses_probabilities_and_targets_outside_0_1_as_pytorch(torch, case, spelling):
    import nn.functional as F

    p, y, refused = BCE_CASES[case]
    # PyTorch is the reference for which inputs are refused
    try:
        torch.nn.functional.binary_cross_entropy(
            torch.tensor(p, dtype=torch.float64), torch.tensor(y, dtype=torch.float64)
        )
        torch_refuses = None
    except RuntimeError as error:
        torch_refuses = "input" if "of input" in str(error) else "target"
    assert torch_refuses == refused

    def call():
        if spelling == "class":
            return nn.BCELoss()(Tensor(p), y)
        if spelling == "functional":
            return F.binary_cross_entropy(Tensor(p), Tensor(y))
        return losses.get(nn.BCELoss())(y, Tensor(p))  # compile's (y_true, y_pred) order

    if refused is None:
        assert np.isfinite(call().item())
    else:
        message = f"all elements of {refused} should be between 0 and 1"
        with pytest.raises(ValueError, match=message):
            call()


def test_the_issues_bce_example_with_lists_is_refused_not_answered():
    with pytest.raises(ValueError, match="all elements of input should be between 0 and 1"):
        nn.BCELoss()([1.5, -0.5], [1, 0])


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (lambda: nn.MSELoss()("abc", [1.0]), TypeError, "MSELoss: predictions"),
        (
            lambda: losses.mean_squared_error([1.0], None, reduction="mean"),
            TypeError,
            "mean_squared_error: pred",
        ),
        (lambda: nn.MSELoss()(Tensor([1.0, 2.0]), ["a", "b"]), TypeError, "loss targets"),
        (lambda: nn.L1Loss()(Tensor([1.0, 2.0]), [[1.0], []]), TypeError, "ragged"),
        (lambda: nn.CrossEntropyLoss()(Tensor([[1.0, 2.0]]), [[0], []]), TypeError, "ragged"),
        (lambda: nn.NLLLoss()(Tensor(0.5), [0]), ValueError, "need a class axis"),
        (lambda: nn.NLLLoss()(Tensor([[0.1, 0.9]]), [None]), TypeError, "labels must be"),
    ],
)
def test_malformed_predictions_and_targets_are_refused_naming_them(call, error, message):
    with pytest.raises(error, match=message):
        call()


@pytest.mark.parametrize("label", [3.7, np.nan, np.inf])
def test_class_labels_must_be_whole_numbers(label):
    """Keras would truncate 3.7 to class 3, and NaN became label -9223372036854775808."""
    logits = Tensor(np.zeros((2, 5)))
    loss = nn.SparseCategoricalCrossentropy(from_logits=True)
    with pytest.raises(ValueError, match="class labels must be whole numbers"):
        loss(np.array([1.0, label]), logits)
    with pytest.raises(ValueError, match="class labels must be whole numbers"):
        nn.NLLLoss()(logits, [label, 0.0])
    assert loss(np.array([1.0, 3.0]), logits).item() == pytest.approx(np.log(5))  # whole: fine


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("anomaly", [False, True], ids=["arrays", "tensor-backward"])
def test_a_softmax_output_lends_its_maxima_and_sums_to_the_loss(accelerator, reduction, anomaly):
    """On a device the loss of a softmax's output reuses the softmax's row maxima and
    sums (Softmax.stats) instead of computing them again: the same loss and gradient,
    bit for bit, as the loss computed from the logits."""
    z_host = RNG.normal(size=(6, 4)).astype(np.float32) * 5
    results = []
    for through_softmax in (True, False):
        z = Tensor(z_host, device=accelerator, requires_grad=True)
        logits = z * 1  # a graph node, as a Dense layer's output is
        with autograd.set_detect_anomaly(anomaly):
            if through_softmax:
                probs = autograd.softmax(logits, axis=-1)
                assert probs.grad_fn.stats is not None
                loss = losses.sparse_categorical_crossentropy(LABELS, probs, reduction=reduction)
                assert loss.grad_fn.stats is probs.grad_fn.stats
            else:
                loss = losses.sparse_categorical_crossentropy(
                    LABELS, logits, from_logits=True, reduction=reduction
                )
                assert loss.grad_fn.stats is None
            if reduction == "none":
                loss = autograd.sum(loss * 1)
            loss.backward()
        results.append((loss.detach().cpu().numpy(), z.grad.cpu().numpy()))
    (loss_a, grad_a), (loss_b, grad_b) = results
    np.testing.assert_array_equal(loss_a, loss_b)
    np.testing.assert_array_equal(grad_a, grad_b)


def test_a_softmax_on_the_host_keeps_no_stats():
    probs = autograd.softmax(Tensor(LOGITS, device="cpu", requires_grad=True) * 1, axis=-1)
    assert probs.grad_fn.stats is None
