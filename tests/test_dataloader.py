"""DataLoader on the CPU: batch shapes, partial batches, shuffling, seeds, dataset kinds."""

from __future__ import annotations

import numpy as np
import pytest
from _device import host

import autograd
from autograd import Tensor
from nn.data import DataLoader, Subset, TensorDataset, random_split

N = 10


def arrays(n=N):
    x = np.arange(n * 6, dtype=np.uint8).reshape(n, 2, 3)
    y = np.arange(n, dtype=np.int64) * 10
    return x, y


def labels_of(loader):
    """The y values of one epoch, batch by batch, as lists."""
    return [yb.cpu().numpy().tolist() for _, yb in loader]


def test_batches_are_tensors_with_shapes_and_dtype_kept():
    x, y = arrays()
    batches = list(DataLoader((x, y), batch_size=4))
    assert [xb.shape for xb, _ in batches] == [(4, 2, 3), (4, 2, 3), (2, 2, 3)]
    assert [yb.shape for _, yb in batches] == [(4,), (4,), (2,)]
    for xb, yb in batches:
        assert isinstance(xb, Tensor) and isinstance(yb, Tensor)
        assert xb.dtype == np.uint8 and yb.dtype == np.int64  # no conversion
        assert xb.device == yb.device == autograd.get_default_device()
        assert not xb.requires_grad


def test_unshuffled_batches_are_in_order_and_are_views():
    x, y = arrays()
    batches = list(DataLoader((x, y), batch_size=4, device="cpu"))
    np.testing.assert_array_equal(np.concatenate([xb.cpu().numpy() for xb, _ in batches]), x)
    assert np.shares_memory(batches[0][0].array, x)  # a slice, not a copy


@pytest.mark.parametrize(
    ("n", "batch_size", "drop_last", "expected"),
    [(10, 4, False, [4, 4, 2]), (10, 4, True, [4, 4]), (8, 4, False, [4, 4]), (8, 4, True, [4, 4]),
     (3, 4, False, [3]), (3, 4, True, []), (10, 1, False, [1] * 10)],
)  # fmt: skip
def test_len_and_last_partial_batch(n, batch_size, drop_last, expected):
    loader = DataLoader(arrays(n), batch_size=batch_size, drop_last=drop_last)
    assert len(loader) == len(expected)
    assert [len(yb.cpu().numpy()) for _, yb in loader] == expected


def test_shuffle_covers_every_index_once_per_epoch_and_keeps_pairs():
    x, y = arrays(23)
    loader = DataLoader((x, y), batch_size=5, shuffle=True, seed=3)
    for _ in range(3):
        xs, ys = zip(*[(xb.cpu().numpy(), yb.cpu().numpy()) for xb, yb in loader], strict=True)
        ys = np.concatenate(ys)
        assert sorted(ys.tolist()) == y.tolist()
        np.testing.assert_array_equal(np.concatenate(xs), x[ys // 10])  # x stays with its y


def test_shuffle_with_drop_last_draws_distinct_samples():
    x, y = arrays(23)
    seen = np.concatenate(
        [yb.cpu().numpy() for _, yb in DataLoader((x, y), 5, shuffle=True, drop_last=True)]
    )
    assert len(seen) == 20 and len(set(seen.tolist())) == 20


def test_epochs_differ_but_repeat_under_the_same_seed():
    first = DataLoader(arrays(50), batch_size=8, shuffle=True, seed=7)
    second = DataLoader(arrays(50), batch_size=8, shuffle=True, seed=7)
    epochs_first = [labels_of(first) for _ in range(3)]
    epochs_second = [labels_of(second) for _ in range(3)]
    assert epochs_first == epochs_second
    assert epochs_first[0] != epochs_first[1] != epochs_first[2]
    assert epochs_first[0] != labels_of(DataLoader(arrays(50), batch_size=8, shuffle=True, seed=8))


def test_without_seed_shuffling_follows_autograd_manual_seed():
    autograd.manual_seed(123)
    first = labels_of(DataLoader(arrays(50), batch_size=8, shuffle=True))
    autograd.manual_seed(123)
    second = labels_of(DataLoader(arrays(50), batch_size=8, shuffle=True))
    assert first == second
    assert first != labels_of(DataLoader(arrays(50), batch_size=8, shuffle=True))


def test_tensor_dataset_and_autograd_tensors():
    x, y = arrays()
    loader = DataLoader(TensorDataset(Tensor(x), y), batch_size=3)
    np.testing.assert_array_equal(next(iter(loader))[0].cpu().numpy(), x[:3])
    assert len(loader) == 4


def test_subset_from_random_split_yields_only_its_samples():
    x, y = arrays(20)
    train, val = random_split(TensorDataset(x, y), [15, 5], seed=0)
    got = np.concatenate([host(yb) for _, yb in DataLoader(val, batch_size=2, shuffle=True)])
    assert sorted(got.tolist()) == sorted(y[val.indices].tolist())
    xb, yb = next(iter(DataLoader(train, batch_size=15)))
    np.testing.assert_array_equal(xb.cpu().numpy(), x[train.indices])
    np.testing.assert_array_equal(yb.cpu().numpy(), y[train.indices])


def test_nested_subsets():
    x, y = arrays(20)
    inner = Subset(TensorDataset(x, y), np.arange(10, 20))
    outer = Subset(inner, [0, 2, 4])
    (_, yb), = DataLoader(outer, batch_size=8)  # fmt: skip
    assert yb.cpu().numpy().tolist() == [100, 120, 140]


class SquaresDataset:
    """A dataset with only __len__ and __getitem__ (per sample), like a PyTorch map dataset."""

    def __len__(self):
        return 7

    def __getitem__(self, i):
        if not 0 <= i < 7:
            raise IndexError(i)
        return np.full((2,), i, dtype=np.float32), i * i


def test_any_object_with_len_and_getitem():
    batches = list(DataLoader(SquaresDataset(), batch_size=3))
    assert [xb.shape for xb, _ in batches] == [(3, 2), (3, 2), (1, 2)]
    assert batches[0][0].dtype == np.float32
    assert np.concatenate([host(yb) for _, yb in batches]).tolist() == [i * i for i in range(7)]


def test_generic_dataset_shuffles_too():
    loader = DataLoader(SquaresDataset(), batch_size=3, shuffle=True, seed=1)
    assert sorted(np.concatenate([yb.cpu().numpy() for _, yb in loader]).tolist()) == [
        0,
        1,
        4,
        9,
        16,
        25,
        36,
    ]


def test_bad_arguments_are_explained():
    with pytest.raises(ValueError, match="batch_size must be a positive int"):
        DataLoader(arrays(), batch_size=0)
    with pytest.raises(ValueError, match="differ in length"):
        DataLoader((np.zeros(3), np.zeros(4)))
    with pytest.raises(TypeError, match="__len__ and __getitem__"):
        DataLoader(42)


def test_a_loader_that_does_not_shuffle_draws_nothing_from_the_global_generator():
    # as PyTorch: weights drawn after building such a loader are those drawn without it
    autograd.manual_seed(0)
    DataLoader(arrays(8), batch_size=4)
    after_loader = autograd.randn(3, device="cpu").tolist()
    autograd.manual_seed(0)
    assert autograd.randn(3, device="cpu").tolist() == after_loader
    autograd.manual_seed(0)
    DataLoader(arrays(8), batch_size=4, shuffle=True)  # a shuffling one seeds from it
    assert autograd.randn(3, device="cpu").tolist() != after_loader


def test_tensor_dataset_items_are_tensors_as_in_pytorch():
    x, y = arrays(6)
    data = TensorDataset(x, y)
    xi, yi = data[2]
    assert isinstance(xi, autograd.Tensor) and isinstance(yi, autograd.Tensor)
    np.testing.assert_array_equal(xi.cpu().numpy(), x[2])
    assert yi.item() == y[2]
    assert [t.shape for t in data.tensors] == [x.shape, y.shape]
