"""PyTorch's samplers and ``collate_fn`` in ``DataLoader``, against PyTorch: the batches of
a sequential sampler, a batch sampler and a collate function equal PyTorch's; the random
samplers visit what they should (a subset, reshuffled each epoch; indices in proportion to
their weights), reproducibly from a generator; the exclusive options are refused as PyTorch
refuses them."""

from __future__ import annotations

import numpy as np
import pytest
from _device import host

import autograd
from nn.data import (
    BatchSampler,
    DataLoader,
    RandomSampler,
    SequentialSampler,
    Subset,
    SubsetRandomSampler,
    TensorDataset,
    WeightedRandomSampler,
)

X = np.arange(20, dtype=np.float32).reshape(10, 2)
Y = np.arange(10, dtype=np.int64)


def _epoch(loader):
    return [[np.asarray(host(t)).tolist() for t in batch] for batch in loader]


def _torch_epoch(torch, **kwargs):
    data = torch.utils.data.TensorDataset(torch.from_numpy(X), torch.from_numpy(Y))
    loader = torch.utils.data.DataLoader(data, **kwargs)
    return [[t.numpy().tolist() for t in batch] for batch in loader]


def test_a_sequential_sampler_and_a_batch_sampler_give_pytorchs_batches(torch):
    ours = TensorDataset(X, Y)
    got = _epoch(DataLoader(ours, batch_size=4, sampler=SequentialSampler(ours)))
    data = torch.utils.data.TensorDataset(torch.from_numpy(X), torch.from_numpy(Y))
    assert got == _torch_epoch(torch, batch_size=4,
                               sampler=torch.utils.data.SequentialSampler(data))
    mine = DataLoader(ours, batch_sampler=BatchSampler(SequentialSampler(ours), 3, True))
    theirs = _torch_epoch(torch, batch_sampler=torch.utils.data.BatchSampler(
        torch.utils.data.SequentialSampler(data), 3, True))
    assert _epoch(mine) == theirs and len(mine) == 3


def test_a_collate_fn_makes_the_batch_from_its_samples_as_in_pytorch(torch):
    def collate(lib):
        def fn(samples):
            xs, ys = zip(*samples, strict=True)
            return lib.stack(xs) * 2, lib.tensor([int(y) for y in ys]) + 100

        return fn

    got = _epoch(DataLoader(TensorDataset(X, Y), batch_size=4, collate_fn=collate(autograd)))
    assert got == _torch_epoch(torch, batch_size=4, collate_fn=collate(torch))


def test_a_subset_random_sampler_reshuffles_its_indices_each_epoch():
    sampler = SubsetRandomSampler([1, 3, 5, 7, 9], generator=autograd.Generator().manual_seed(4))
    loader = DataLoader(TensorDataset(X, Y), batch_size=2, sampler=sampler)
    first, second = (sum((b[1] for b in _epoch(loader)), []) for _ in range(2))
    assert sorted(first) == sorted(second) == [1, 3, 5, 7, 9] and first != second
    again = SubsetRandomSampler([1, 3, 5, 7, 9], generator=autograd.Generator().manual_seed(4))
    assert list(again) == first and len(loader) == 3


def test_a_weighted_sampler_draws_in_proportion_to_the_weights():
    weights = [0.1, 0.1, 0.2, 0.6]
    sampler = WeightedRandomSampler(weights, 40_000, generator=autograd.Generator().manual_seed(0))
    counts = np.bincount(list(sampler), minlength=4) / 40_000
    np.testing.assert_allclose(counts, weights, atol=0.01)
    distinct = list(WeightedRandomSampler(weights, 4, replacement=False))
    assert sorted(distinct) == [0, 1, 2, 3]
    with pytest.raises(ValueError, match="without replacement"):
        WeightedRandomSampler([1.0, 0.0], 2, replacement=False)
    loader = DataLoader(Subset(TensorDataset(X, Y), [0, 2, 4, 6]), batch_size=3,
                        sampler=WeightedRandomSampler([0, 0, 0, 1], 5))
    assert sum((b[1] for b in _epoch(loader)), []) == [6] * 5 and len(loader) == 2


def test_a_random_sampler_permutes_or_draws_with_replacement():
    data = TensorDataset(X, Y)
    assert sorted(RandomSampler(data)) == list(range(10))
    drawn = list(RandomSampler(data, replacement=True, num_samples=50))
    assert len(drawn) == 50 and set(drawn) <= set(range(10))
    assert len(list(RandomSampler(data, num_samples=25))) == 25


def test_the_exclusive_options_are_refused_as_pytorch_refuses_them(torch):
    data = torch.utils.data.TensorDataset(torch.from_numpy(X))
    for lib_loader, lib_data, sampler in (
        (DataLoader, TensorDataset(X), SequentialSampler(TensorDataset(X))),
        (torch.utils.data.DataLoader, data, torch.utils.data.SequentialSampler(data)),
    ):
        with pytest.raises(ValueError, match="sampler option is mutually exclusive with shuffle"):
            lib_loader(lib_data, sampler=sampler, shuffle=True)
        with pytest.raises(ValueError, match="batch_sampler option is mutually exclusive"):
            lib_loader(lib_data, batch_sampler=[[0, 1]], batch_size=2)
