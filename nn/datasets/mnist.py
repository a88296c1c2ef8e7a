"""MNIST handwritten digits: 70,000 28x28 grayscale images of the digits 0-9.

Same layout as ``keras.datasets.mnist``::

    from nn.datasets import mnist
    (x_train, y_train), (x_test, y_test) = mnist.load_data()

There is no distribution package for it, so the files are downloaded into the
user cache unless found in ``path``, ``$XPGRAD_DATA/mnist`` or the cache (see
:mod:`nn.datasets.locations`). yann.lecun.com no longer serves the files
reliably; the PyTorch project's S3 mirror is tried first.
"""

from __future__ import annotations

import os
from collections.abc import Sequence

import numpy as np

from .download import DEFAULT_TIMEOUT_S
from .idx_dataset import DataFile, IdxDatasetSpec, load_idx_dataset

__all__ = ["class_names", "load_data", "SPEC"]

#: Class names in label order (the digit itself).
class_names: tuple[str, ...] = tuple(str(digit) for digit in range(10))

# The MD5s of the original files, as used by torchvision.datasets.MNIST. No
# copy of MNIST exists on the development machine to measure the decompressed
# content hash, so found files are checked against these MD5s instead.
SPEC = IdxDatasetSpec(
    name="mnist",
    title="MNIST",
    train_images=DataFile("train-images-idx3-ubyte.gz", md5="f68b3c2dcbeaaa9fbdd348bbdeb94873"),
    train_labels=DataFile("train-labels-idx1-ubyte.gz", md5="d53e105ee54ea40749a09fcbcd1e9432"),
    test_images=DataFile("t10k-images-idx3-ubyte.gz", md5="9fb629c4189551a2d022fa330f9573f3"),
    test_labels=DataFile("t10k-labels-idx1-ubyte.gz", md5="ec29112dd5afa0611ce80d1b7f02629c"),
    base_urls=(
        "https://ossci-datasets.s3.amazonaws.com/mnist/",
        "http://yann.lecun.com/exdb/mnist/",
    ),
    url_env_var="XPGRAD_MNIST_URL",
)


def load_data(
    path: str | os.PathLike[str] | None = None,
    *,
    base_url: str | Sequence[str] | None = None,
    timeout: float = DEFAULT_TIMEOUT_S,
) -> tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]:
    """Load MNIST as ``(x_train, y_train), (x_test, y_test)``.

    uint8 arrays of shape (60000, 28, 28), (60000,), (10000, 28, 28), (10000,);
    labels are the digits 0..9. ``path``, ``base_url`` and ``timeout`` as in
    :func:`nn.datasets.fashion_mnist.load_data` (env override: ``$XPGRAD_MNIST_URL``).
    """
    return load_idx_dataset(SPEC, path=path, base_url=base_url, timeout=timeout)
