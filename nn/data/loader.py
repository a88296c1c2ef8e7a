"""``DataLoader``: batches of a dataset or of arrays, as Tensors on the model's device.

Small in-memory datasets are copied to the device once and batched there; the rest is
gathered on the host and sent batch by batch.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import Any

import numpy as np

from autograd import Tensor, get_default_device
from backends import Backend, backend_of, get_backend, is_device_array

from .tensor_dataset import Subset, TensorDataset

__all__ = ["DataLoader"]

# PyTorch's arguments about worker processes and pinned memory: accepted so that its
# programs run, and without effect here (batches are made in this process, by indexing
# whole arrays at once, which is what worker processes would buy).
_IN_PROCESS_ARGUMENTS = frozenset({
    "num_workers", "pin_memory", "timeout", "worker_init_fn", "multiprocessing_context",
    "prefetch_factor", "persistent_workers", "pin_memory_device", "in_order",
})

# Copy a dataset to the GPU only if it takes at most this share of the free
# device memory, so the model, its activations and the optimizer still fit.
_MAX_STAGED_FRACTION = 0.5


class DataLoader:
    """Iterate over a dataset in mini-batches of autograd Tensors on ``device``.

    ``dataset``: a :class:`TensorDataset`, a tuple ``(x, y, ...)`` of equally
    long arrays, a :class:`Subset` of those, or any object with ``__len__`` and
    ``__getitem__(i)`` returning a tuple of array-likes (stacked per batch).

    * ``len(loader)`` is the number of batches: ``ceil(n / batch_size)``, or
      ``floor`` with ``drop_last=True`` (which drops the last, smaller batch).
    * ``shuffle=True`` draws a new permutation at the start of every epoch
      (every ``iter(loader)``) from a generator seeded once with ``seed``, so the
      sequence of epochs is reproducible. ``seed=None`` seeds it from the CPU
      backend's generator, which ``autograd.manual_seed`` controls, or from
      ``generator`` (an ``autograd.Generator``, PyTorch's spelling). The
      permutation is drawn on the host, so a seed gives the same batches on
      every device.
    * PyTorch's ``num_workers``, ``pin_memory``, ``persistent_workers`` and the
      other worker arguments are accepted and change nothing: batches are made in
      this process.
    * ``sampler`` (an iterable of indices, e.g. :class:`nn.data.WeightedRandomSampler`)
      picks the indices of an epoch and their order (instead of ``shuffle``);
      ``batch_sampler`` gives whole batches of indices; ``collate_fn(samples)`` makes a
      batch of the list of its samples, as in PyTorch.
    * Array datasets are indexed a whole batch at a time: without shuffling a
      batch is a slice (a view, no copy); with shuffling one gather per batch.
    * On a GPU the arrays are copied to the device once, on the first epoch,
      when they take at most half of the free device memory; batches are then
      gathered on the device with a device-side copy of the permutation.
      Otherwise each batch is gathered on the host and copied over.
    * Batches keep the dataset's dtype (uint8 images stay uint8).
    """

    def __init__(
        self,
        dataset: Any,
        batch_size: int = 32,
        shuffle: bool = False,
        drop_last: bool = False,
        seed: int | None = None,
        device: str | Backend | None = None,
        *,
        generator: Any = None,
        sampler: Any = None,
        batch_sampler: Any = None,
        collate_fn: Any = None,
        **in_process: Any,
    ) -> None:
        if (
            isinstance(batch_size, bool)
            or not isinstance(batch_size, int | np.integer)
            or batch_size < 1
        ):
            raise ValueError(f"DataLoader: batch_size must be a positive int, got {batch_size!r}")
        if sampler is not None and shuffle:
            raise ValueError("DataLoader: sampler option is mutually exclusive with shuffle")
        if batch_sampler is not None and (batch_size != 32 or shuffle or sampler is not None
                                          or drop_last):  # fmt: skip
            raise ValueError("DataLoader: batch_sampler option is mutually exclusive with "
                             "batch_size, shuffle, sampler, and drop_last")  # fmt: skip
        for name, given in (("sampler", sampler), ("batch_sampler", batch_sampler)):
            if given is not None and not hasattr(given, "__iter__"):
                raise TypeError(f"DataLoader: {name} must be an iterable of indices, got "
                                f"{type(given).__name__}")  # fmt: skip
        if collate_fn is not None and not callable(collate_fn):
            raise TypeError(f"DataLoader: collate_fn must be callable, got {collate_fn!r}")
        self.sampler, self.batch_sampler, self.collate_fn = sampler, batch_sampler, collate_fn
        unknown = sorted(set(in_process) - _IN_PROCESS_ARGUMENTS)
        if unknown:
            raise TypeError(f"DataLoader: unexpected keyword arguments {unknown}")
        if generator is not None and seed is not None:
            raise TypeError("DataLoader: give a generator or a seed, not both")
        if isinstance(dataset, tuple | list):
            dataset = TensorDataset(*dataset)
        if not (hasattr(dataset, "__len__") and hasattr(dataset, "__getitem__")):
            raise TypeError(
                "DataLoader: expected a TensorDataset, a tuple (x, y) of arrays, or an object "
                f"with __len__ and __getitem__; got {type(dataset).__name__}"
            )
        self.dataset = dataset
        self.batch_size = int(batch_size)
        self.shuffle = bool(shuffle)  # PyTorch's shuffle=None means False
        self.generator = generator
        self.drop_last = bool(drop_last)
        self.backend = get_backend(device if device is not None else get_default_device())
        # as PyTorch, a loader that does not shuffle draws nothing from the global
        # generator, so weights drawn after building it are the same as without it
        self._seed = seed
        self._rng = self._new_rng() if self.shuffle else None
        self._arrays: tuple[Any, ...] | None = None  # staged arrays, prepared on first use
        self._index_map: np.ndarray | None = None  # Subset indices into self._arrays

    def _new_rng(self) -> np.random.Generator:
        seed = self._seed
        if seed is None:
            source = self.generator if self.generator is not None else get_backend("cpu").rng
            seed = int(source.integers(2**63))
        return np.random.default_rng(seed)

    @property
    def device(self) -> str:
        return self.backend.device

    def __len__(self) -> int:
        if self.batch_sampler is not None:
            return len(self.batch_sampler)
        n = len(self.dataset) if self.sampler is None else len(self.sampler)
        return n // self.batch_size if self.drop_last else math.ceil(n / self.batch_size)

    def __iter__(self) -> Iterator[tuple[Tensor, ...]]:
        if self.sampler is not None or self.batch_sampler is not None:
            order, bounds = self._sampled()
        else:
            n = len(self.dataset)
            if self.shuffle and self._rng is None:  # shuffle switched on after construction
                self._rng = self._new_rng()
            order = self._rng.permutation(n) if self.shuffle else None
            stops = range(self.batch_size, n + 1, self.batch_size)
            bounds = [(stop - self.batch_size, stop) for stop in stops]
            if not self.drop_last and n % self.batch_size:
                bounds.append((n - n % self.batch_size, n))
        if self.collate_fn is not None:
            yield from self._iterate_collated(order, bounds)
        elif _is_array_backed(self.dataset):
            yield from self._iterate_arrays(order, bounds)
        else:
            yield from self._iterate_samples(order, bounds)

    # ------------------------------------------------------------------ array datasets
    def _iterate_arrays(self, order: np.ndarray | None, bounds: list[tuple[int, int]]):
        if self._arrays is None:
            self._stage()
        arrays, index_map = self._arrays, self._index_map
        on_device = all(self.backend.owns(a) for a in arrays)
        if order is not None and index_map is not None:
            order = index_map[order]
        elif order is None:
            order = index_map  # None for a plain TensorDataset: batches are slices
        if order is not None and on_device:
            order = self.backend.from_host(order)  # one transfer per epoch
        for start, stop in bounds:
            index = slice(start, stop) if order is None else order[start:stop]
            batch = tuple(a[index] for a in arrays)
            if not on_device:
                batch = tuple(self.backend.from_host(b) for b in batch)
            yield tuple(Tensor(b, device=self.backend) for b in batch)

    def _stage(self) -> None:
        """Resolve Subsets and put the arrays where batches will be gathered from."""
        arrays, index_map = _array_source(self.dataset)
        if self.backend.device == "cpu":
            arrays = tuple(
                a if isinstance(a, np.ndarray) else backend_of(a).to_host(a) for a in arrays
            )
        elif not all(self.backend.owns(a) for a in arrays):
            selected = arrays if index_map is None else tuple(a[index_map] for a in arrays)
            if _fits_on_device(self.backend, selected):
                arrays, index_map = tuple(self.backend.from_host(a) for a in selected), None
        self._arrays, self._index_map = arrays, index_map

    def _sampled(self) -> tuple[np.ndarray, list[tuple[int, int]]]:
        """This epoch's indices from the sampler (or batch sampler), end to end, and where
        each batch starts and stops in them."""
        if self.batch_sampler is not None:
            batches = [np.asarray(list(b), dtype=np.int64) for b in self.batch_sampler]
        else:
            drawn = np.asarray([int(i) for i in self.sampler], dtype=np.int64)
            cuts = range(0, len(drawn), self.batch_size)
            batches = [drawn[c:c + self.batch_size] for c in cuts]
            if self.drop_last and batches and len(batches[-1]) < self.batch_size:
                batches.pop()
        n = len(self.dataset)
        order = np.concatenate(batches) if batches else np.zeros(0, np.int64)
        if order.size and (order.min() < -n or order.max() >= n):
            raise IndexError(f"DataLoader: the sampler gave index {int(order.max())} for a "
                             f"dataset of {n} samples")  # fmt: skip
        stops = np.cumsum([len(b) for b in batches]).tolist()
        return order % n if order.size else order, list(zip([0, *stops[:-1]], stops,
                                                             strict=True))  # fmt: skip

    def _iterate_collated(self, order: np.ndarray | None, bounds: list[tuple[int, int]]):
        """Batches made by the user's ``collate_fn`` from the list of their samples."""
        for start, stop in bounds:
            indices = range(start, stop) if order is None else order[start:stop]
            yield self.collate_fn([self.dataset[int(i)] for i in indices])

    # ------------------------------------------------------------------ generic datasets
    def _iterate_samples(self, order: np.ndarray | None, bounds: list[tuple[int, int]]):
        for start, stop in bounds:
            indices = range(start, stop) if order is None else order[start:stop]
            samples = [self.dataset[int(i)] for i in indices]
            if not isinstance(samples[0], tuple | list):
                raise TypeError(
                    "DataLoader: dataset[i] must return a tuple such as (x, y); "
                    f"got {type(samples[0]).__name__}"
                )
            columns = zip(*samples, strict=True)
            yield tuple(
                Tensor(
                    self.backend.from_host(np.stack([_to_host(v) for v in column])),
                    device=self.backend,
                )
                for column in columns
            )

    def __repr__(self) -> str:
        return (
            f"DataLoader({self.dataset!r}, batch_size={self.batch_size}, shuffle={self.shuffle}, "
            f"drop_last={self.drop_last}, device={self.device!r})"
        )


def _is_array_backed(dataset: Any) -> bool:
    """True for a TensorDataset or a (nested) Subset of one: batches can be gathered at once."""
    while isinstance(dataset, Subset):
        dataset = dataset.dataset
    return isinstance(dataset, TensorDataset)


def _array_source(dataset: Any) -> tuple[tuple[Any, ...], np.ndarray | None] | None:
    """``(arrays, indices)`` behind a TensorDataset or (nested) Subset of one; else None."""
    if isinstance(dataset, TensorDataset):
        return dataset.arrays, None
    if isinstance(dataset, Subset):
        inner = _array_source(dataset.dataset)
        if inner is None:
            return None
        arrays, indices = inner
        return arrays, dataset.indices if indices is None else indices[dataset.indices]
    return None


def _fits_on_device(backend: Backend, arrays: tuple[Any, ...]) -> bool:
    free = backend.free_memory()
    if free is None:
        return False
    return sum(a.nbytes for a in arrays) <= _MAX_STAGED_FRACTION * free


def _to_host(value: Any) -> Any:
    if isinstance(value, Tensor):
        value = value.array
    if is_device_array(value):
        return backend_of(value).to_host(value)
    return np.asarray(value)
