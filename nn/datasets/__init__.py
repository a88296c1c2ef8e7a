"""Datasets in the ``keras.datasets`` layout: ``(x_train, y_train), (x_test, y_test)``.

``fashion_mnist`` and ``mnist`` read the original gzipped IDX files (see
:mod:`nn.datasets.idx`), found on disk or downloaded and checksum-verified.
In-memory datasets (``TensorDataset``) and the splitting helpers are in :mod:`nn.data`.
"""

from . import fashion_mnist, mnist
from .download import ChecksumError, DownloadError
from .idx import IDXFormatError
from .idx_dataset import DatasetNotFoundError

__all__ = [
    "fashion_mnist",
    "mnist",
    "ChecksumError",
    "DownloadError",
    "IDXFormatError",
    "DatasetNotFoundError",
]
