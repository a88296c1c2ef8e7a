"""Where load_data looks: path argument > $XPGRAD_DATA > user cache > system dir > download.

Each test gives the dataset a spec with the checksums of tiny files written
here, a temporary system directory and cache, and a download URL on 127.0.0.1.
To show which directory was used, the directories after the expected one hold
garbage: loading succeeds only if the expected one was read, and garbage in the
expected place raises an error naming it (found files are never skipped).
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from idx_fixtures import refused_url, serve_files, tiny_files

from nn.datasets import fashion_mnist, mnist
from nn.datasets.idx import IDXFormatError
from nn.datasets.idx_dataset import DatasetNotFoundError, missing_files

TINY = tiny_files()


@pytest.fixture
def dirs(tmp_path, monkeypatch):
    """Temporary search locations; the dataset's spec points at them."""
    locations = {
        "argument": tmp_path / "argument",
        "env": tmp_path / "env",
        "cache_home": tmp_path / "cache",
        "system": tmp_path / "system",
    }
    locations["cache"] = locations["cache_home"] / "xpgrad" / "fashion-mnist"
    monkeypatch.setenv("XDG_CACHE_HOME", str(locations["cache_home"]))
    monkeypatch.delenv("XPGRAD_DATA", raising=False)
    monkeypatch.delenv("XPGRAD_FASHION_MNIST_URL", raising=False)
    spec = TINY.spec(fashion_mnist.SPEC, system_dir=locations["system"], base_urls=(refused_url(),))
    monkeypatch.setattr(fashion_mnist, "SPEC", spec)
    return locations


def write_garbage(directory):
    directory.mkdir(parents=True, exist_ok=True)
    for name in TINY.gz:
        (directory / name).write_bytes(b"not a gzip file")


def assert_is_tiny(data):
    (x_train, y_train), (x_test, y_test) = data
    np.testing.assert_array_equal(x_train, TINY.arrays["train-images-idx3-ubyte.gz"])
    np.testing.assert_array_equal(y_train, TINY.arrays["train-labels-idx1-ubyte.gz"])
    np.testing.assert_array_equal(x_test, TINY.arrays["t10k-images-idx3-ubyte.gz"])
    np.testing.assert_array_equal(y_test, TINY.arrays["t10k-labels-idx1-ubyte.gz"])
    assert x_train.dtype == y_train.dtype == np.uint8


def test_argument_comes_first(dirs, monkeypatch):
    TINY.write_to(dirs["argument"])
    for later in ("env", "cache", "system"):
        write_garbage(dirs[later])
    monkeypatch.setenv("XPGRAD_DATA", str(dirs["env"]))
    assert_is_tiny(fashion_mnist.load_data(dirs["argument"]))


def test_env_var_before_cache_and_system(dirs, monkeypatch):
    TINY.write_to(dirs["env"] / "fashion-mnist")
    write_garbage(dirs["cache"])
    write_garbage(dirs["system"])
    monkeypatch.setenv("XPGRAD_DATA", str(dirs["env"]))
    assert_is_tiny(fashion_mnist.load_data())


def test_env_var_may_hold_the_files_directly(dirs, monkeypatch):
    TINY.write_to(dirs["env"])
    write_garbage(dirs["system"])
    monkeypatch.setenv("XPGRAD_DATA", str(dirs["env"]))
    assert_is_tiny(fashion_mnist.load_data())


def test_cache_before_system(dirs):
    TINY.write_to(dirs["cache"])
    write_garbage(dirs["system"])
    assert_is_tiny(fashion_mnist.load_data())


def test_system_dir_before_download(dirs):
    TINY.write_to(dirs["system"])
    assert_is_tiny(fashion_mnist.load_data())  # the download URL refuses connections


def test_a_bad_file_found_first_is_an_error_not_skipped(dirs):
    write_garbage(dirs["cache"])
    TINY.write_to(dirs["system"])
    with pytest.raises(IDXFormatError, match=str(dirs["cache"] / "train-images-idx3-ubyte.gz")):
        fashion_mnist.load_data()


def test_another_datasets_files_are_rejected_by_content_checksum(dirs):
    tiny_files(seed=1).write_to(dirs["argument"])  # valid IDX files, different content
    with pytest.raises(IDXFormatError, match=r"content SHA-256 .* does not match"):
        fashion_mnist.load_data(dirs["argument"])


def test_download_into_cache_then_reuse(dirs):
    with serve_files(TINY.gz) as server:
        assert_is_tiny(fashion_mnist.load_data(base_url=server.url("good")))
        assert sorted(server.requests) == sorted(f"/good/{name}" for name in TINY.gz)
        assert sorted(p.name for p in dirs["cache"].iterdir()) == sorted(TINY.gz)
        assert_is_tiny(fashion_mnist.load_data(base_url=server.url("good")))
        assert len(server.requests) == 4  # second load came from the cache


def test_download_url_from_environment(dirs, monkeypatch):
    with serve_files(TINY.gz) as server:
        monkeypatch.setenv("XPGRAD_FASHION_MNIST_URL", server.url("good"))
        assert_is_tiny(fashion_mnist.load_data())
        assert len(server.requests) == 4


def test_download_only_fetches_missing_files(dirs):
    TINY.write_to(dirs["system"])
    (dirs["system"] / "t10k-labels-idx1-ubyte.gz").unlink()
    with serve_files(TINY.gz) as server:
        assert_is_tiny(fashion_mnist.load_data(base_url=server.url("good")))
        assert server.requests == ["/good/t10k-labels-idx1-ubyte.gz"]


def test_mirror_is_tried_after_a_failure_and_says_so(dirs):
    with serve_files(TINY.gz) as server:
        mirrors = [server.url("status/500"), server.url("good")]
        with pytest.warns(
            RuntimeWarning, match=r"HTTP 500 .*; trying http://127\.0\.0\.1:\d+/good/"
        ):
            assert_is_tiny(fashion_mnist.load_data(base_url=mirrors))


def test_checksum_failure_of_download_is_an_error(dirs):
    with serve_files(TINY.gz) as server:
        with pytest.raises(DatasetNotFoundError, match=r"checksum mismatch"):
            fashion_mnist.load_data(base_url=server.url("wrong"))
    assert not dirs["cache"].exists() or list(dirs["cache"].iterdir()) == []


def test_nothing_found_and_no_network_says_where_it_looked_and_what_to_do(dirs, monkeypatch):
    monkeypatch.setenv("XPGRAD_DATA", str(dirs["env"]))
    with pytest.raises(DatasetNotFoundError) as info:
        fashion_mnist.load_data(dirs["argument"])
    message = str(info.value)
    for location in ("argument", "env", "cache", "system"):
        assert str(dirs[location]) in message
    assert "cannot reach" in message
    assert "apt-get install dataset-fashion-mnist" in message
    assert "XPGRAD_DATA" in message


def test_mnist_found_files_are_checked_against_published_md5(tmp_path, monkeypatch):
    # The MNIST spec has no content hashes; a found file must then match the .gz MD5.
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    spec = TINY.spec(mnist.SPEC, base_urls=(refused_url(),))
    without_content_hashes = {
        role: dataclasses.replace(getattr(spec, role), content_sha256=None)
        for role in ("train_images", "train_labels", "test_images", "test_labels")
    }
    monkeypatch.setattr(mnist, "SPEC", dataclasses.replace(spec, **without_content_hashes))
    TINY.write_to(tmp_path / "ok")
    assert_is_tiny(mnist.load_data(tmp_path / "ok"))
    tiny_files(seed=2).write_to(tmp_path / "other")
    with pytest.raises(IDXFormatError, match=r"MD5 .* does not match the published"):
        mnist.load_data(tmp_path / "other")


def test_mnist_downloads_into_its_own_cache_directory(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.delenv("XPGRAD_DATA", raising=False)
    monkeypatch.setattr(mnist, "SPEC", TINY.spec(mnist.SPEC))
    with serve_files(TINY.gz) as server, pytest.warns(RuntimeWarning, match="HTTP 404"):
        assert_is_tiny(mnist.load_data(base_url=[server.url("status/404"), server.url("good")]))
    assert sorted(p.name for p in (tmp_path / "cache" / "xpgrad" / "mnist").iterdir()) == sorted(
        TINY.gz
    )


def test_a_truncated_file_in_the_cache_names_it_and_says_how_to_recover(dirs):
    TINY.write_to(dirs["cache"])
    labels = dirs["cache"] / "train-labels-idx1-ubyte.gz"
    labels.write_bytes(labels.read_bytes()[:-20])  # an interrupted copy
    with pytest.raises(IDXFormatError) as info:
        fashion_mnist.load_data()
    message = str(info.value)
    assert str(labels) in message
    assert "Delete or replace this file" in message and str(dirs["cache"]) in message


def test_missing_files_follows_the_loaders_search_and_downloads_nothing(dirs, monkeypatch):
    spec = fashion_mnist.SPEC
    everything = sorted(TINY.gz)
    assert sorted(missing_files(spec)) == everything  # and the refused URL was never tried
    assert not dirs["cache"].exists()
    # Files split across places the loader searches count as found, as they do for load_data.
    names = list(TINY.gz)
    TINY.write_to(dirs["system"])
    for name in names[1:]:
        (dirs["system"] / name).unlink()
    assert sorted(missing_files(spec)) == sorted(names[1:])
    monkeypatch.setenv("XPGRAD_DATA", str(dirs["env"]))
    TINY.write_to(dirs["env"] / "fashion-mnist")
    (dirs["env"] / "fashion-mnist" / names[2]).unlink()
    assert missing_files(spec) == [names[2]]
    TINY.write_to(dirs["cache"])
    assert missing_files(spec) == []
    assert missing_files(spec, path=dirs["argument"]) == []  # an empty path= adds, never hides
