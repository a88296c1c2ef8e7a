"""PyTorch functions a classification script reaches for, against PyTorch itself:
comparisons and logic as functions (``torch.eq(pred, y).sum()``), ``isnan`` and kin,
``count_nonzero``, ``F.one_hot``, and ``cross_entropy``/``nll_loss`` with class
``weight``, ``ignore_index`` and ``label_smoothing``."""

from __future__ import annotations

import numpy as np
import pytest
from _device import host

import autograd as ag
import nn
import nn.functional as F
from autograd import Tensor

A = [[1.0, -2.0, 0.0], [np.nan, 3.0, np.inf]]
B = [[1.0, 2.0, 0.0], [0.0, 3.0, -np.inf]]


@pytest.mark.parametrize("name", ["eq", "ne", "lt", "le", "gt", "ge", "greater", "greater_equal",
                                  "less", "less_equal", "not_equal", "logical_and", "logical_or",
                                  "logical_xor"])  # fmt: skip
def test_binary_functions_match_torch(torch, device, name):
    ours = getattr(ag, name)(Tensor(A, device=device), Tensor(B, device=device))
    theirs = getattr(torch, name)(torch.tensor(A), torch.tensor(B))
    assert ours.dtype == np.bool_
    np.testing.assert_array_equal(host(ours), theirs.numpy())
    if not name.startswith("logical"):  # PyTorch's logical functions take tensors only
        with_number = getattr(ag, name)(Tensor(A, device=device), 1.0)
        want = getattr(torch, name)(torch.tensor(A), 1.0)
        np.testing.assert_array_equal(host(with_number), want.numpy())


@pytest.mark.parametrize("name", ["isnan", "isinf", "isfinite", "logical_not"])
def test_unary_functions_match_torch(torch, device, name):
    ours = getattr(ag, name)(Tensor(A, device=device))
    np.testing.assert_array_equal(host(ours), getattr(torch, name)(torch.tensor(A)).numpy())
    np.testing.assert_array_equal(host(getattr(Tensor(A, device=device), name)()),
                                  host(ours))  # fmt: skip


def test_all_any_and_count_nonzero_match_torch(torch, device):
    x = [[0.0, 1.0, 2.0], [0.0, 0.0, 3.0]]
    t, ours = torch.tensor(x), Tensor(x, device=device)
    assert bool(ag.all(ours)) == bool(torch.all(t)) and bool(ag.any(ours)) == bool(torch.any(t))
    np.testing.assert_array_equal(host(ag.all(ours, 1)), torch.all(t, 1).numpy())
    np.testing.assert_array_equal(host(ag.any(ours, 0, keepdim=True)),
                                  torch.any(t, 0, keepdim=True).numpy())  # fmt: skip
    assert int(ag.count_nonzero(ours)) == int(torch.count_nonzero(t))
    np.testing.assert_array_equal(host(ours.count_nonzero(1)), torch.count_nonzero(t, 1).numpy())
    assert ag.count_nonzero(ours).dtype == np.int64


def test_accuracy_the_pytorch_way(device):
    """``torch.eq(y_true, y_pred).sum().item()`` and the rounding of a sigmoid, as in
    the usual binary-classification tutorial."""
    logits = Tensor([2.0, -1.0, 0.3, -0.2], device=device)
    y = Tensor([1.0, 0.0, 0.0, 0.0], device=device)
    pred = ag.round(ag.sigmoid(logits))
    assert ag.eq(y, pred).sum().item() == 3


def test_comparisons_refuse_what_is_not_numbers():
    with pytest.raises(TypeError, match="eq: cannot compare a tensor with"):
        ag.eq(Tensor([1.0]), "a")
    with pytest.raises(TypeError, match="logical_and: expected a tensor or numbers"):
        ag.logical_and(Tensor([1.0]), None)
    with pytest.raises(TypeError, match="gt"):
        ag.gt([1.0], Tensor([1.0]))


# ----------------------------------------------------------------- one_hot


def test_one_hot_matches_torch(torch, device):
    labels = [[0, 3], [2, 2]]
    for classes in (-1, 5):
        ours = F.one_hot(Tensor(np.array(labels), device=device), classes)
        theirs = torch.nn.functional.one_hot(torch.tensor(labels), classes)
        assert ours.dtype == np.int64
        np.testing.assert_array_equal(host(ours), theirs.numpy())


def test_one_hot_refuses_bad_input():
    with pytest.raises(TypeError, match="integer tensor"):
        F.one_hot(Tensor([0.0, 1.0]), 3)
    with pytest.raises(ValueError, match=r"class values must be in 0\.\.2"):
        F.one_hot(Tensor(np.array([0, 3]), device="cpu"), 3)


def test_one_hot_out_of_range_on_a_device_raises_at_the_next_read(device):
    if device == "cpu":
        pytest.skip("on the host the error is immediate (test_one_hot_refuses_bad_input)")
    y = F.one_hot(Tensor(np.array([0, 3]), device=device), 3)
    with pytest.raises(ValueError, match="class values must be in"):
        y.sum().item()


# ----------------------------------------------------------------- weight, ignore_index, smoothing

LOGITS = np.random.default_rng(3).standard_normal((7, 4))
LABELS = np.array([0, 3, -100, 1, 1, 2, 3])
WEIGHT = np.array([1.0, 2.0, 0.5, 3.0])
OPTIONS = [
    {}, {"label_smoothing": 0.1}, {"weight": WEIGHT}, {"weight": WEIGHT, "label_smoothing": 0.2},
    {"ignore_index": 1}, {"weight": WEIGHT, "ignore_index": 3, "label_smoothing": 0.3},
]  # fmt: skip


def _options(module, options, device="cpu"):
    return {k: (module.tensor(v, **({"device": device} if module is ag else {}))
                if k == "weight" else v) for k, v in options.items()}  # fmt: skip


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("options", OPTIONS, ids=lambda o: "-".join(o) or "plain")
def test_cross_entropy_options_match_torch(torch, device, options, reduction):
    labels = LABELS if "ignore_index" not in options else np.where(LABELS < 0, 0, LABELS)
    z = Tensor(LOGITS, device=device, requires_grad=True)
    tz = torch.tensor(LOGITS, requires_grad=True)
    ours = nn.CrossEntropyLoss(reduction=reduction, **_options(ag, options, device))
    theirs = torch.nn.CrossEntropyLoss(reduction=reduction, **_options(torch, options))
    loss = ours(z, Tensor(labels, device="cpu"))  # host labels: -100 is seen and ignored
    want = theirs(tz, torch.tensor(labels))
    np.testing.assert_allclose(host(loss), want.detach().numpy(), rtol=1e-12)
    g = np.random.default_rng(0).standard_normal(want.shape)
    loss.backward(Tensor(g, device=device))
    want.backward(torch.from_numpy(g))
    np.testing.assert_allclose(host(z.grad), tz.grad.numpy(), rtol=1e-10, atol=1e-15)


@pytest.mark.parametrize("options", [{"label_smoothing": 0.2}, {"weight": WEIGHT},
                                     {"weight": WEIGHT, "label_smoothing": 0.1}],
                         ids=lambda o: "-".join(o))  # fmt: skip
def test_cross_entropy_with_class_probabilities_matches_torch(torch, device, options):
    target = np.random.default_rng(1).random(LOGITS.shape)
    target /= target.sum(1, keepdims=True)
    z = Tensor(LOGITS, device=device, requires_grad=True)
    tz = torch.tensor(LOGITS, requires_grad=True)
    loss = F.cross_entropy(z, Tensor(target, device=device), **_options(ag, options, device))
    want = torch.nn.functional.cross_entropy(tz, torch.tensor(target), **_options(torch, options))
    loss.backward()
    want.backward()
    np.testing.assert_allclose(loss.item(), want.item(), rtol=1e-12)
    np.testing.assert_allclose(host(z.grad), tz.grad.numpy(), rtol=1e-10, atol=1e-15)


@pytest.mark.parametrize("options", [{"weight": WEIGHT}, {"ignore_index": 2}, {}],
                         ids=lambda o: "-".join(o) or "plain")  # fmt: skip
def test_nll_loss_options_match_torch(torch, device, options):
    log_p = np.log(np.exp(LOGITS) / np.exp(LOGITS).sum(1, keepdims=True))
    x = Tensor(log_p, device=device, requires_grad=True)
    tx = torch.tensor(log_p, requires_grad=True)
    labels = LABELS if "ignore_index" not in options else np.where(LABELS < 0, 0, LABELS)
    loss = F.nll_loss(x, Tensor(labels, device="cpu"), **_options(ag, options, device))
    want = torch.nn.functional.nll_loss(tx, torch.tensor(labels), **_options(torch, options))
    loss.backward()
    want.backward()
    np.testing.assert_allclose(loss.item(), want.item(), rtol=1e-12)
    np.testing.assert_allclose(host(x.grad), tx.grad.numpy(), rtol=1e-12, atol=1e-15)


def test_device_labels_are_ignored_when_ignore_index_is_given(device):
    z = Tensor(LOGITS, device=device)
    labels = Tensor(np.where(LABELS < 0, 1, LABELS), device=device)
    kept = host(labels) != 1
    loss = nn.CrossEntropyLoss(ignore_index=1)(z, labels)
    want = nn.CrossEntropyLoss()(Tensor(LOGITS[kept], device=device),
                                 Tensor(host(labels)[kept], device=device))  # fmt: skip
    np.testing.assert_allclose(loss.item(), want.item(), rtol=1e-12)


def test_legacy_reduction_arguments_map_as_in_torch():
    z, y = Tensor(LOGITS, device="cpu"), Tensor(np.array([0, 1, 2, 3, 0, 1, 2]), device="cpu")
    with pytest.warns(UserWarning, match="deprecated"):
        summed = nn.CrossEntropyLoss(size_average=False)(z, y)
    np.testing.assert_allclose(summed.item(), nn.CrossEntropyLoss(reduction="sum")(z, y).item())
    with pytest.raises(ValueError, match="label_smoothing must be in"):
        nn.CrossEntropyLoss(label_smoothing=1.5)
    with pytest.raises(TypeError, match=r"CrossEntropyLoss\(reduction='sum'\)"):
        nn.CrossEntropyLoss("sum")
    with pytest.raises(ValueError, match="one weight per class"):
        nn.CrossEntropyLoss(weight=Tensor([1.0, 2.0], device="cpu"))(z, y)
