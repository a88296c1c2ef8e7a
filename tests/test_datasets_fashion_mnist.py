"""The real Fashion-MNIST files from Debian's dataset-fashion-mnist package.

CI installs the package (.ci/run); there a missing package is a failure, not a
skip. Elsewhere the tests skip with a reason.
"""

from __future__ import annotations

import gzip
import hashlib
import os
import struct

import numpy as np
import pytest
from idx_fixtures import refused_url

from nn.datasets import fashion_mnist

SYSTEM_DIR = fashion_mnist.SPEC.system_dir
HAVE_FILES = all((SYSTEM_DIR / f.name).is_file() for f in fashion_mnist.SPEC.files)

if not HAVE_FILES:
    if os.environ.get("CI", "").lower() in ("1", "true", "yes"):  # as tests/conftest.py
        pytest.fail(
            f"CI=true but the Fashion-MNIST files are missing from {SYSTEM_DIR}: "
            "apt-get install dataset-fashion-mnist",
            pytrace=False,
        )
    pytestmark = pytest.mark.skip(
        reason=f"Fashion-MNIST not in {SYSTEM_DIR} (apt-get install dataset-fashion-mnist)"
    )


@pytest.fixture(scope="module")
def data(tmp_path_factory):
    # Found in the system directory: an empty cache, no $XPGRAD_DATA, no network.
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("XDG_CACHE_HOME", str(tmp_path_factory.mktemp("empty-cache")))
        patch.delenv("XPGRAD_DATA", raising=False)
        yield fashion_mnist.load_data(base_url=refused_url())


def test_shapes_and_dtypes_match_keras(data):
    (x_train, y_train), (x_test, y_test) = data
    assert x_train.shape == (60000, 28, 28) and x_test.shape == (10000, 28, 28)
    assert y_train.shape == (60000,) and y_test.shape == (10000,)
    assert x_train.dtype == x_test.dtype == y_train.dtype == y_test.dtype == np.uint8


def test_labels_and_class_counts(data):
    (x_train, y_train), (x_test, y_test) = data
    assert y_train.min() == 0 and y_train.max() == 9
    assert np.bincount(y_train).tolist() == [6000] * 10  # balanced, per Zalando's README
    assert np.bincount(y_test).tolist() == [1000] * 10
    assert x_train.min() == 0 and x_train.max() == 255


def test_first_training_image_is_an_ankle_boot(data):
    # The example TensorFlow's "Basic classification" tutorial shows.
    (_, y_train), _ = data
    assert fashion_mnist.class_names[y_train[0]] == "Ankle boot"


def test_class_names():
    assert fashion_mnist.class_names == (
        "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
        "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot",
    )  # fmt: skip


# Debian's build (strip-nondeterminism) dropped the file name from each gzip
# header and reset its mtime, so the .gz MD5s differ from Zalando's. Putting the
# original header back (name, mtime 2017-08-31, XFL=0, OS=3 = Unix) onto
# Debian's untouched deflate stream must reproduce the published MD5 exactly:
# this checks the constants in SPEC against real files.
ORIGINAL_GZIP_MTIMES = {
    "train-images-idx3-ubyte.gz": 1504176606,
    "train-labels-idx1-ubyte.gz": 1504176606,
    "t10k-images-idx3-ubyte.gz": 1504176627,
    "t10k-labels-idx1-ubyte.gz": 1504176627,
}


@pytest.mark.parametrize("data_file", fashion_mnist.SPEC.files, ids=lambda f: f.name)
def test_published_md5_matches_debian_file_with_original_gzip_header(data_file):
    debian = (SYSTEM_DIR / data_file.name).read_bytes()
    assert debian[:4] == b"\x1f\x8b\x08\x00"  # deflate, no optional header fields
    stored_name = data_file.name.removesuffix(".gz").encode() + b"\0"
    mtime = struct.pack("<I", ORIGINAL_GZIP_MTIMES[data_file.name])
    original = b"\x1f\x8b\x08\x08" + mtime + b"\x00\x03" + stored_name + debian[10:]
    assert hashlib.md5(original).hexdigest() == data_file.md5
    assert hashlib.sha256(gzip.decompress(original)).hexdigest() == data_file.content_sha256
