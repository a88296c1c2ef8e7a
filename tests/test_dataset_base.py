"""``nn.data.Dataset`` (PyTorch's base class for one's own datasets) and ``ConcatDataset``,
fed to ``DataLoader`` as PyTorch programs do."""

from __future__ import annotations

import numpy as np
import pytest
from _device import host

import autograd as ag
from nn.data import ConcatDataset, DataLoader, Dataset


class Squares(Dataset):
    def __init__(self, start: int, n: int) -> None:
        self.values = np.arange(start, start + n, dtype=np.float32)

    def __len__(self) -> int:
        return len(self.values)

    def __getitem__(self, i):
        v = self.values[i]
        return ag.tensor([v, v * v]), int(v) % 2


def test_a_subclassed_dataset_batches_through_the_dataloader(device):
    loader = DataLoader(Squares(0, 10), batch_size=4, device=device)
    batches = list(loader)
    assert [len(y) for _, y in batches] == [4, 4, 2]
    x, y = batches[1]
    np.testing.assert_array_equal(host(x), [[4, 16], [5, 25], [6, 36], [7, 49]])
    np.testing.assert_array_equal(host(y), [0, 1, 0, 1])


def test_concat_dataset_chains_datasets():
    both = Squares(0, 3) + Squares(10, 2)
    assert isinstance(both, ConcatDataset) and len(both) == 5
    assert [float(both[i][0][0]) for i in range(5)] == [0, 1, 2, 10, 11]
    assert float(both[-1][0][0]) == 11
    with pytest.raises(IndexError, match="out of range for 5 samples"):
        both[5]
    with pytest.raises(NotImplementedError, match="must define __getitem__"):
        Dataset()[0]
