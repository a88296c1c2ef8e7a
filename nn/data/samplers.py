"""PyTorch's samplers (``torch.utils.data``): which dataset indices a ``DataLoader``
visits, in which order, as ``DataLoader(dataset, sampler=...)`` or ``batch_sampler=...``
takes them.

* :class:`SequentialSampler`: 0, 1, ..., n - 1;
* :class:`RandomSampler`: a permutation each epoch (or ``num_samples`` draws with
  replacement);
* :class:`SubsetRandomSampler`: the given indices, shuffled each epoch (a train /
  validation split of one dataset, as older tutorials write it);
* :class:`WeightedRandomSampler`: ``num_samples`` indices drawn with probabilities
  proportional to ``weights`` (oversampling a rare class);
* :class:`BatchSampler`: a sampler's indices in lists of ``batch_size``.

Random ones draw from ``generator`` (``autograd.Generator``) or, without one, from a seed
taken each epoch from the generator ``autograd.manual_seed`` sets, as PyTorch's do; the
numbers are this project's, not PyTorch's.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

import numpy as np

from backends import get_backend

__all__ = ["BatchSampler", "RandomSampler", "Sampler", "SequentialSampler",
           "SubsetRandomSampler", "WeightedRandomSampler"]  # fmt: skip


class Sampler:
    """Base class: an iterable of dataset indices (define ``__iter__`` and ``__len__``)."""

    def __init__(self, data_source: Any = None) -> None:
        del data_source  # PyTorch's signature; a sampler needs only what it iterates

    def __iter__(self) -> Iterator[int]:
        raise NotImplementedError

    def __len__(self) -> int:
        raise TypeError(f"{type(self).__name__} has no length")


def _epoch_rng(generator: Any) -> np.random.Generator:
    """A generator for one epoch: seeded from ``generator`` or from the global one."""
    source = generator if generator is not None else get_backend("cpu").rng
    return np.random.default_rng(int(source.integers(2**63)))


class SequentialSampler(Sampler):
    """``0, 1, ..., len(data_source) - 1``."""

    def __init__(self, data_source: Any) -> None:
        self.data_source = data_source

    def __iter__(self) -> Iterator[int]:
        return iter(range(len(self.data_source)))

    def __len__(self) -> int:
        return len(self.data_source)


class RandomSampler(Sampler):
    """A new permutation of the indices every epoch; with ``replacement=True``,
    ``num_samples`` independent uniform draws (default: the dataset's length)."""

    def __init__(self, data_source: Any, replacement: bool = False,
                 num_samples: int | None = None, generator: Any = None) -> None:  # fmt: skip
        if num_samples is not None and (not isinstance(num_samples, int) or num_samples <= 0):
            raise ValueError(f"num_samples should be a positive integer, got {num_samples!r}")
        self.data_source, self.replacement = data_source, bool(replacement)
        self._num_samples, self.generator = num_samples, generator

    @property
    def num_samples(self) -> int:
        return len(self.data_source) if self._num_samples is None else self._num_samples

    def __iter__(self) -> Iterator[int]:
        n, rng = len(self.data_source), _epoch_rng(self.generator)
        if self.replacement:
            return iter(rng.integers(0, n, self.num_samples).tolist())
        rounds = -(-self.num_samples // n)  # whole permutations, as PyTorch concatenates
        order = np.concatenate([rng.permutation(n) for _ in range(rounds)])
        return iter(order[: self.num_samples].tolist())

    def __len__(self) -> int:
        return self.num_samples


class SubsetRandomSampler(Sampler):
    """The given ``indices`` in a new random order every epoch."""

    def __init__(self, indices: Sequence[int], generator: Any = None) -> None:
        self.indices, self.generator = list(indices), generator

    def __iter__(self) -> Iterator[int]:
        order = _epoch_rng(self.generator).permutation(len(self.indices))
        return iter([self.indices[i] for i in order])

    def __len__(self) -> int:
        return len(self.indices)


class WeightedRandomSampler(Sampler):
    """``num_samples`` indices of ``range(len(weights))``, index i drawn with probability
    ``weights[i] / sum(weights)`` (with replacement by default; without it, each index at
    most once, as ``torch.multinomial`` draws)."""

    def __init__(self, weights: Sequence[float], num_samples: int, replacement: bool = True,
                 generator: Any = None) -> None:  # fmt: skip
        if isinstance(num_samples, bool) or not isinstance(num_samples, int) or num_samples <= 0:
            raise ValueError(f"num_samples should be a positive integer, got {num_samples!r}")
        w = np.asarray(getattr(weights, "array", weights), dtype=np.float64).reshape(-1)
        if w.size == 0 or not np.all(np.isfinite(w)) or np.any(w < 0) or w.sum() <= 0:
            raise ValueError("weights must be finite, non-negative and not all zero")
        if not replacement and num_samples > np.count_nonzero(w):
            raise ValueError(f"cannot draw {num_samples} samples without replacement from "
                             f"{np.count_nonzero(w)} with non-zero weight")  # fmt: skip
        self.weights, self.num_samples = w, num_samples
        self.replacement, self.generator = bool(replacement), generator

    def __iter__(self) -> Iterator[int]:
        rng = _epoch_rng(self.generator)
        drawn = rng.choice(self.weights.size, size=self.num_samples, replace=self.replacement,
                           p=self.weights / self.weights.sum())  # fmt: skip
        return iter(drawn.tolist())

    def __len__(self) -> int:
        return self.num_samples


class BatchSampler(Sampler):
    """``sampler``'s indices in lists of ``batch_size`` (the last one shorter unless
    ``drop_last``)."""

    def __init__(self, sampler: Any, batch_size: int, drop_last: bool) -> None:
        if isinstance(batch_size, bool) or not isinstance(batch_size, int) or batch_size <= 0:
            raise ValueError(f"batch_size should be a positive integer, got {batch_size!r}")
        self.sampler, self.batch_size, self.drop_last = sampler, batch_size, bool(drop_last)

    def __iter__(self) -> Iterator[list[int]]:
        batch: list[int] = []
        for index in self.sampler:
            batch.append(int(index))
            if len(batch) == self.batch_size:
                yield batch
                batch = []
        if batch and not self.drop_last:
            yield batch

    def __len__(self) -> int:
        n = len(self.sampler)
        return n // self.batch_size if self.drop_last else -(-n // self.batch_size)
