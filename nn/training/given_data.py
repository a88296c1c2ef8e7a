"""Data given to ``fit``, ``evaluate`` and ``predict`` already in batches: a ``DataLoader``
(``torch.utils.data``'s, here :class:`nn.data.DataLoader`) or a Keras ``PyDataset``. Each
becomes a loader of Tensor batches on the model's device, ``(x,)``, ``(x, y)`` or ``(x, y,
sample_weight)``, with the ``batch_size`` and ``num_samples`` the progress bar counts."""

from __future__ import annotations

import random
from collections.abc import Iterator
from typing import Any

import numpy as np

from autograd import Tensor

from ..core.symbolic import flatten, map_structure
from ..data import DataLoader
from ..data.py_dataset import PyDataset
from . import arguments as _args


def is_batched(value: Any) -> bool:
    """Whether ``value`` is data that comes in batches (a DataLoader or a PyDataset)."""
    return isinstance(value, DataLoader | PyDataset)


def batches(value: Any, device: str, shuffle: bool = False,
            class_weight: dict | None = None, training: bool = False) -> Any:  # fmt: skip
    """``value`` (see :func:`is_batched`) as a loader of batches on ``device``
    (``training``: for ``fit``, which looks at one batch first, as Keras does)."""
    if isinstance(value, PyDataset):
        return _PyDatasetBatches(value, device, shuffle, class_weight, training)
    if class_weight is not None:
        raise ValueError("fit: class_weight with a DataLoader is not supported here; yield "
                         "(x, y, sample_weight) batches")
    return _OnDevice(value, device)


class _OnDevice:
    """A user's DataLoader whose batches are moved to ``device`` (the model's)."""

    def __init__(self, loader: DataLoader, device: str) -> None:
        self.loader, self.device = loader, device
        self.batch_size, self.dataset = loader.batch_size, loader.dataset

    def __len__(self) -> int:
        return len(self.loader)

    def __iter__(self) -> Iterator[tuple]:
        if self.loader.device == self.device:
            yield from self.loader
            return
        for batch in self.loader:
            yield tuple(map_structure(lambda t: t.to(self.device), part) for part in batch)


class _PyDatasetBatches:
    """A PyDataset's batches as tuples of Tensors on ``device``, in order or (``shuffle``)
    in Python's ``random.shuffle`` order, as Keras' adapter; ``class_weight`` turns into a
    third entry of sample weights.

    For ``fit`` (``peek``) one batch is read first in an epoch of its own, its hooks called
    and its order drawn, as Keras reads one to learn the data's structure: a shuffled fit
    then visits the batches in Keras' order, draw for draw. Otherwise batch 0 is read once
    more, to size the progress bar. ``num_samples`` counts every batch as full."""

    def __init__(self, dataset: PyDataset, device: str, shuffle: bool,
                 class_weight: dict | None, peek: bool) -> None:  # fmt: skip
        self.dataset, self.device = dataset, device
        self.shuffle, self.class_weight = shuffle, class_weight
        self.steps = dataset.num_batches
        if self.steps == 0:
            raise ValueError(f"{type(dataset).__name__} has no batches (len 0)")
        if peek:
            dataset.on_epoch_begin()
            first = self._standardized(dataset[self._order()[0]])
            dataset.on_epoch_end()
        else:
            first = self._standardized(dataset[0])
        self.batch_size = len(flatten(first[0])[0])
        self.num_samples = self.batch_size * self.steps
        #: the batch read first, its inputs (what builds a lazily shaped model)
        self.first_inputs = self._tensors(first)[0]

    def __len__(self) -> int:
        return self.steps

    def _standardized(self, batch: Any) -> tuple:
        if isinstance(batch, np.ndarray | Tensor):
            batch = (batch,)
        if isinstance(batch, list):
            batch = tuple(batch)
        if not isinstance(batch, tuple) or len(batch) not in (1, 2, 3):
            raise ValueError(
                "PyDataset.__getitem__() must return a tuple (x,), (x, y) or (x, y, "
                f"sample_weight); got {type(batch).__name__}")
        if self.class_weight is not None:
            if len(batch) == 3:
                raise ValueError("You cannot specify `class_weight` and `sample_weight` at "
                                 "the same time.")
            if len(batch) == 2:
                batch = (*batch, _args.sample_weights("fit", batch[1],
                                                      class_weight=self.class_weight))
        return batch

    def _tensors(self, batch: tuple) -> tuple:
        def to_tensor(value: Any) -> Any:
            if isinstance(value, Tensor):
                return value.to(self.device)
            return Tensor(_args.as_array("fit", "a PyDataset batch", value), device=self.device)

        return tuple(map_structure(to_tensor, part) for part in batch)

    def _order(self) -> list[int]:
        order = list(range(self.steps))
        if self.shuffle:
            random.shuffle(order)  # Keras' own draw
        return order

    def __iter__(self) -> Iterator[tuple]:
        order = self._order()
        self.dataset.on_epoch_begin()
        for index in order:
            yield self._tensors(self._standardized(self.dataset[index]))
        self.dataset.on_epoch_end()
