"""Feeding data to training loops (PyTorch's ``torch.utils.data``): ``DataLoader`` plus the
in-memory datasets and the splitting helpers.

::

    from nn.data import DataLoader, validation_split
    (x_train, y_train), (x_val, y_val) = validation_split(x, y, 5000)
    for xb, yb in DataLoader((x_train, y_train), batch_size=128, shuffle=True, seed=0):
        ...  # xb, yb: autograd Tensors

Batches keep the data's dtype: uint8 images stay uint8 (convert in the model or
with ``xb.astype('float32') / 255``), integer labels stay integers.

The files: ``loader.py`` (``DataLoader``), ``dataset.py`` (``Dataset``, the base class of
one's own datasets, and ``ConcatDataset``), ``tensor_dataset.py`` (``TensorDataset``,
``Subset``), ``splits.py`` (``validation_split``, ``train_test_split``, ``random_split``),
``py_dataset.py`` (Keras' ``PyDataset``, a dataset of whole batches), ``samplers.py``
(PyTorch's samplers: which indices an epoch visits).
Downloadable datasets (``fashion_mnist``, ``mnist``) are :mod:`nn.datasets`, Keras' name.
"""

from .dataset import ConcatDataset, Dataset
from .loader import DataLoader
from .py_dataset import PyDataset
from .samplers import (
    BatchSampler,
    RandomSampler,
    Sampler,
    SequentialSampler,
    SubsetRandomSampler,
    WeightedRandomSampler,
)
from .splits import random_split, train_test_split, validation_split
from .tensor_dataset import Subset, TensorDataset

__all__ = [
    "BatchSampler",
    "ConcatDataset",
    "DataLoader",
    "Dataset",
    "PyDataset",
    "RandomSampler",
    "Sampler",
    "SequentialSampler",
    "SubsetRandomSampler",
    "WeightedRandomSampler",
    "TensorDataset",
    "Subset",
    "random_split",
    "train_test_split",
    "validation_split",
]
