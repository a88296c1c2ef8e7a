"""PyTorch's ``Dataset`` base class and ``ConcatDataset``.

A map-style dataset is any object with ``__len__`` and ``__getitem__(i)``; subclassing
``Dataset`` is how PyTorch programs write one (``class MyData(Dataset): ...``), and
``DataLoader`` stacks what ``__getitem__`` returns into batches. ``a + b`` chains two.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable
from typing import Any

__all__ = ["ConcatDataset", "Dataset"]


class Dataset:
    """Subclass and define ``__getitem__(self, index)`` (a sample, usually a tuple such
    as ``(x, y)``) and ``__len__(self)``."""

    def __getitem__(self, index: Any) -> Any:
        raise NotImplementedError(f"{type(self).__name__} must define __getitem__")

    def __add__(self, other: Any) -> ConcatDataset:
        return ConcatDataset([self, other])


class ConcatDataset(Dataset):
    """The samples of several datasets one after the other."""

    def __init__(self, datasets: Iterable[Any]) -> None:
        self.datasets = list(datasets)
        if not self.datasets:
            raise ValueError("ConcatDataset: give at least one dataset")
        self.cumulative_sizes: list[int] = []
        total = 0
        for dataset in self.datasets:
            total += len(dataset)
            self.cumulative_sizes.append(total)

    def __len__(self) -> int:
        return self.cumulative_sizes[-1]

    def __getitem__(self, index: int) -> Any:
        n = len(self)
        if not -n <= index < n:
            raise IndexError(f"ConcatDataset: index {index} is out of range for {n} samples")
        index %= n
        which = bisect.bisect_right(self.cumulative_sizes, index)
        start = self.cumulative_sizes[which - 1] if which else 0
        return self.datasets[which][index - start]
