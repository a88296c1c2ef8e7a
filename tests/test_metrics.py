"""nn.metrics: accuracy in its three forms, the streaming Accuracy and confusion_matrix."""

from __future__ import annotations

import numpy as np
import pytest

import nn
from autograd import Tensor

PROBS = np.array(
    [
        [0.1, 0.7, 0.2],  # -> 1
        [0.8, 0.1, 0.1],  # -> 0
        [0.2, 0.3, 0.5],  # -> 2
        [0.3, 0.4, 0.3],
    ],
    np.float32,
)  # -> 1


def test_sparse_accuracy():
    acc = nn.metrics.accuracy(np.array([1, 0, 1, 1]), Tensor(PROBS))
    assert isinstance(acc, Tensor) and acc.shape == ()
    assert float(acc) == pytest.approx(0.75)
    # (N, 1) labels, as Keras' sparse targets often are
    assert float(nn.metrics.accuracy(np.array([[1], [0], [2], [1]]), PROBS)) == 1.0


def test_one_hot_accuracy():
    onehot = np.eye(3, dtype=np.float32)[[1, 2, 2, 1]]
    hits = nn.metrics.categorical_accuracy(onehot, Tensor(PROBS))  # per sample, as Keras
    assert hits.shape == (4,) and float(hits.mean()) == pytest.approx(0.75)


def test_binary_accuracy():
    y_pred = Tensor(np.array([[0.9], [0.2], [0.6], [0.4]], np.float32))
    assert float(nn.metrics.accuracy(np.array([1, 0, 0, 0]), y_pred)) == pytest.approx(0.75)
    hits = nn.metrics.binary_accuracy(np.array([1, 0, 0, 0]), y_pred)  # per entry, as Keras
    assert hits.shape == (4, 1) and float(hits.mean()) == pytest.approx(0.75)
    logits = Tensor(np.array([2.0, -1.0, 0.5], np.float32))
    hits = nn.metrics.binary_accuracy(np.array([1, 0, 0]), logits, threshold=0.0)
    assert float(hits.mean()) == pytest.approx(2 / 3)


def test_streaming_accuracy_accumulates_over_batches():
    m = nn.metrics.Accuracy()
    m.update_state(np.array([1, 0]), PROBS[:2])
    m.update_state(np.array([0, 0]), PROBS[2:])
    assert m.result() == pytest.approx(0.5)
    m.reset_state()
    assert m.result() == 0.0


def test_metric_resolver():
    assert nn.metrics.get("accuracy") is nn.metrics.accuracy
    assert nn.metrics.get("acc") is nn.metrics.accuracy
    with pytest.raises(ValueError, match="known"):
        nn.metrics.get("precision_at_7")


def test_confusion_matrix_rows_are_true_classes():
    y_true = np.array([1, 0, 1, 1, 2])
    y_pred = np.vstack([PROBS, [[0.0, 1.0, 0.0]]])  # predicted 1, 0, 2, 1, 1
    m = nn.metrics.confusion_matrix(y_true, Tensor(y_pred))
    np.testing.assert_array_equal(m, [[1, 0, 0], [0, 2, 1], [0, 1, 0]])
    assert m.sum() == 5
    np.testing.assert_array_equal(
        nn.metrics.confusion_matrix([0, 1], [1, 1], num_classes=3),
        [[0, 1, 0], [0, 1, 0], [0, 0, 0]],
    )
    with pytest.raises(IndexError):
        nn.metrics.confusion_matrix([0, 3], [0, 1], num_classes=3)



def test_get_resolves_loss_names_as_metrics_like_keras():
    mae = nn.metrics.get("mae")
    value = mae(np.array([[1.0, 2.0]]), Tensor(np.array([[1.5, 1.0]])))
    assert value.item() == pytest.approx(0.75)
    with pytest.raises(ValueError, match="known: .*mae"):
        nn.metrics.get("no_such_metric")


def test_streaming_accuracy_and_mean_on_a_device_count_every_batch(device):
    """On a device the accuracy adds its hits per batch position and the loss tracker its
    total in place (one launch each); batches of another size, results read mid-epoch and
    resets must still give the exact counts the host gives."""
    import autograd
    from backends import fake_gpu

    rng = np.random.default_rng(3)
    sizes = [8, 8, 5, 8, 8, 3, 12]  # smaller batches add into the first positions, a larger folds
    batches = [(rng.integers(0, 4, n), rng.standard_normal((n, 4)).astype(np.float32))
               for n in sizes]  # fmt: skip
    accuracy, mean = nn.metrics.SparseCategoricalAccuracy(), nn.metrics.Mean()
    hits = seen = total = 0.0
    for i, (labels, logits) in enumerate(batches):
        y = autograd.tensor(labels, device=device)
        p = Tensor(logits, device=device)
        loss = autograd.tensor(np.float32(i + 0.25), device=device)
        start = fake_gpu.launch_count()
        accuracy.update_state(y, p)
        mean.update_state(loss, n=len(labels))
        if device == "fakegpu" and i == 1:  # the second batch of a size: argmax, hits, total
            assert fake_gpu.launch_count() - start == 3
        hits += float(np.sum(np.argmax(logits, axis=-1) == labels))
        seen += len(labels)
        total += (i + 0.25) * len(labels)
        if i in (2, 4):  # read mid-epoch, as the progress bar does
            assert float(accuracy.result()) == pytest.approx(hits / seen, rel=1e-6)
            assert float(mean.result()) == pytest.approx(total / seen, rel=1e-6)
    read = accuracy.result()
    assert float(read) == pytest.approx(hits / seen, rel=1e-6)
    assert float(mean.result()) == pytest.approx(total / seen, rel=1e-6)
    arrays = accuracy._hits, accuracy._total, mean._total
    accuracy.reset_state()
    mean.reset_state()
    assert float(read) == pytest.approx(hits / seen, rel=1e-6)  # a result is a copy
    assert float(accuracy.result()) == 0 and float(mean.result()) == 0
    if device != "cpu":  # zeroed in place: a recorded step (fit's jit_compile) adds into them
        assert all(a is b for a, b in zip(arrays, (accuracy._hits, accuracy._total,
                                                   mean._total), strict=True))
    labels, logits = batches[0]
    accuracy.update_state(autograd.tensor(labels, device=device), Tensor(logits, device=device))
    assert float(accuracy.result()) == pytest.approx(
        np.mean(np.argmax(logits, axis=-1) == labels), rel=1e-6)
