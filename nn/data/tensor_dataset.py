"""In-memory datasets: ``TensorDataset`` (aligned arrays) and ``Subset`` (a view by indices)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

import backends
from autograd import from_array

__all__ = ["TensorDataset", "Subset"]


class TensorDataset:
    """Samples are the rows of equally long arrays: ``dataset[i] == (x[i], y[i], ...)``,
    as Tensors (PyTorch's ``TensorDataset``: ``x, y = test_data[0]; x.to(device)``).

    Accepts NumPy arrays, CuPy arrays or autograd Tensors (their ``.array`` is
    kept). Nothing is copied. ``dataset[index_array]`` returns whole batches;
    :class:`nn.data.DataLoader` gathers its batches from ``arrays`` directly.
    """

    __slots__ = ("arrays",)

    def __init__(self, *arrays: Any) -> None:
        if not arrays:
            raise ValueError("TensorDataset needs at least one array")
        self.arrays = tuple(_raw_array(a) for a in arrays)
        lengths = [len(a) for a in self.arrays]
        if len(set(lengths)) != 1:
            raise ValueError(f"TensorDataset: arrays differ in length (first dimension): {lengths}")

    def __len__(self) -> int:
        return len(self.arrays[0])

    def __getitem__(self, index: Any) -> tuple[Any, ...]:
        return tuple(from_array(a[index]) for a in self.arrays)

    @property
    def tensors(self) -> tuple[Any, ...]:
        """The whole columns as Tensors (PyTorch's ``TensorDataset.tensors``)."""
        return tuple(from_array(a) for a in self.arrays)

    def __repr__(self) -> str:
        shapes = ", ".join(f"{a.dtype}{list(a.shape)}" for a in self.arrays)
        return f"TensorDataset({shapes})"


class Subset:
    """The samples ``dataset[indices[0]], dataset[indices[1]], ...`` of another dataset."""

    __slots__ = ("dataset", "indices")

    def __init__(self, dataset: Any, indices: Sequence[int] | np.ndarray) -> None:
        self.dataset = dataset
        self.indices = np.asarray(indices, dtype=np.int64)
        if self.indices.ndim != 1:
            raise ValueError("Subset: indices must be one-dimensional")

    def __len__(self) -> int:
        return len(self.indices)

    def __getitem__(self, index: Any) -> Any:
        """``subset[i]`` is ``dataset[indices[i]]``; slices and index arrays map likewise."""
        mapped = self.indices[index]
        return self.dataset[mapped if isinstance(mapped, np.ndarray) else int(mapped)]

    def __repr__(self) -> str:
        return f"Subset({len(self)} of {self.dataset!r})"


def _raw_array(array: Any) -> Any:
    """The NumPy/CuPy array behind ``array`` (a Tensor's ``.array``); lists become arrays."""
    data = getattr(array, "array", None)
    if hasattr(array, "grad_fn") and data is not None:  # an autograd Tensor
        return data
    if backends.is_array(array):
        return array
    return np.asarray(array)
