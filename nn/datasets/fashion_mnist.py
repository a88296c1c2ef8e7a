"""Fashion-MNIST (Zalando Research): 70,000 28x28 grayscale images of clothing in 10 classes.

Same layout as ``keras.datasets.fashion_mnist``::

    from nn.datasets import fashion_mnist
    (x_train, y_train), (x_test, y_test) = fashion_mnist.load_data()
    fashion_mnist.class_names[y_train[0]]   # 'Ankle boot'

The files are looked for in ``path``, ``$XPGRAD_DATA``, the user cache and
``/usr/share/datasets/fashion-mnist`` (``apt-get install dataset-fashion-mnist``),
in that order, and otherwise downloaded into the cache; see
:mod:`nn.datasets.locations`.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from .download import DEFAULT_TIMEOUT_S
from .idx_dataset import DataFile, IdxDatasetSpec, load_idx_dataset

__all__ = ["class_names", "load_data", "SPEC"]

#: Class names in label order: ``class_names[label]``.
class_names: tuple[str, ...] = (
    "T-shirt/top",
    "Trouser",
    "Pullover",
    "Dress",
    "Coat",
    "Sandal",
    "Shirt",
    "Sneaker",
    "Bag",
    "Ankle boot",
)

# md5: as published in Zalando's README (github.com/zalandoresearch/fashion-mnist).
# content_sha256: SHA-256 of the decompressed IDX bytes, measured on Debian's
# dataset-fashion-mnist 0.0~git20200523.55506a9-1. Debian's .gz files have other
# MD5s only because strip-nondeterminism rewrote the gzip headers (file name
# dropped, mtime reset); restoring the original headers reproduces the published
# MD5s exactly (tests/test_datasets_fashion_mnist.py checks this), so both
# checksums describe the same, original data.
SPEC = IdxDatasetSpec(
    name="fashion-mnist",
    title="Fashion-MNIST",
    train_images=DataFile(
        "train-images-idx3-ubyte.gz",
        md5="8d4fb7e6c68d591d4c3dfef9ec88bf0d",
        content_sha256="c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888",
    ),
    train_labels=DataFile(
        "train-labels-idx1-ubyte.gz",
        md5="25c81989df183df01b3e8a0aad5dffbe",
        content_sha256="bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9",
    ),
    test_images=DataFile(
        "t10k-images-idx3-ubyte.gz",
        md5="bef4ecab320f06d8554ea6380940ec79",
        content_sha256="5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b",
    ),
    test_labels=DataFile(
        "t10k-labels-idx1-ubyte.gz",
        md5="bb300cfdad3c16e7a12a480ee83cd310",
        content_sha256="0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34",
    ),
    base_urls=("http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/",),
    url_env_var="XPGRAD_FASHION_MNIST_URL",
    system_dir=Path("/usr/share/datasets/fashion-mnist"),
    install_hint="on Debian/Ubuntu: apt-get install dataset-fashion-mnist",
)


def load_data(
    path: str | os.PathLike[str] | None = None,
    *,
    base_url: str | Sequence[str] | None = None,
    timeout: float = DEFAULT_TIMEOUT_S,
) -> tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]:
    """Load Fashion-MNIST as ``(x_train, y_train), (x_test, y_test)``.

    ``x_train``: uint8 (60000, 28, 28), ``y_train``: uint8 (60000,) with labels
    0..9 (see :data:`class_names`); ``x_test``/``y_test``: 10,000 samples. Pixel
    values are 0..255; scale them yourself (e.g. ``x_train / 255.0``).

    ``path``: a directory holding the four ``.gz`` files, searched first.
    ``base_url``: download location(s) overriding the official one and
    ``$XPGRAD_FASHION_MNIST_URL``. ``timeout``: seconds per network operation.
    """
    return load_idx_dataset(SPEC, path=path, base_url=base_url, timeout=timeout)
