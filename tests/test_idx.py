"""The IDX reader: round trips, and a clear error naming the file for every kind of damage."""

from __future__ import annotations

import gzip
import hashlib

import numpy as np
import pytest
from idx_fixtures import idx_bytes, write_gz

from nn.datasets.idx import IDXFormatError, read_idx_gz


@pytest.mark.parametrize(
    ("dtype", "code"),
    [
        (np.uint8, 0x08),
        (np.int8, 0x09),
        (np.int16, 0x0B),
        (np.int32, 0x0C),
        (np.float32, 0x0D),
        (np.float64, 0x0E),
    ],
)
def test_round_trip_every_dtype(tmp_path, dtype, code):
    expected = (np.arange(2 * 3 * 5) - 7).astype(dtype).reshape(2, 3, 5)
    path = write_gz(tmp_path / "a.gz", idx_bytes(expected, code))
    result = read_idx_gz(path)
    assert result.dtype == np.dtype(dtype).newbyteorder("=")
    assert result.dtype.isnative
    np.testing.assert_array_equal(result, expected)


def test_result_is_writable_like_keras_arrays(tmp_path):
    path = write_gz(tmp_path / "a.gz", idx_bytes(np.zeros((3, 2, 2), np.uint8)))
    result = read_idx_gz(path)
    result[0, 0, 0] = 7
    assert result[0, 0, 0] == 7


def test_expected_magic_accepts_images_and_labels(tmp_path):
    images = write_gz(tmp_path / "i.gz", idx_bytes(np.zeros((3, 2, 2), np.uint8)))
    labels = write_gz(tmp_path / "l.gz", idx_bytes(np.zeros(3, np.uint8)))
    assert read_idx_gz(images, expected_magic=2051).shape == (3, 2, 2)
    assert read_idx_gz(labels, expected_magic=2049).shape == (3,)


def test_label_file_where_images_are_expected_is_rejected(tmp_path):
    labels = write_gz(tmp_path / "labels.gz", idx_bytes(np.zeros(3, np.uint8)))
    with pytest.raises(IDXFormatError, match=r"labels\.gz.*magic number 2049.*expected 2051"):
        read_idx_gz(labels, expected_magic=2051)


def test_nonzero_magic_bytes(tmp_path):
    payload = b"\x12\x34" + idx_bytes(np.zeros(3, np.uint8))[2:]
    path = write_gz(tmp_path / "bad.gz", payload)
    with pytest.raises(IDXFormatError, match=r"bad\.gz: bad magic number 0x12340801"):
        read_idx_gz(path)


def test_unknown_dtype_code(tmp_path):
    payload = bytearray(idx_bytes(np.zeros(3, np.uint8)))
    payload[2] = 0x42
    path = write_gz(tmp_path / "bad.gz", bytes(payload))
    with pytest.raises(IDXFormatError, match=r"bad\.gz: unknown IDX dtype code 0x42"):
        read_idx_gz(path)


def test_truncated_data(tmp_path):
    payload = idx_bytes(np.zeros((5, 4, 4), np.uint8))[:-16]  # the last image is missing
    path = write_gz(tmp_path / "short.gz", payload)
    with pytest.raises(
        IDXFormatError, match=r"short\.gz: truncated.*\(5, 4, 4\) = 80 data bytes.*only 64"
    ):
        read_idx_gz(path)


def test_truncated_header(tmp_path):
    payload = idx_bytes(np.zeros((5, 4, 4), np.uint8))[:9]  # cut inside the dimension sizes
    path = write_gz(tmp_path / "short.gz", payload)
    with pytest.raises(
        IDXFormatError, match=r"short\.gz: truncated: file ends inside 3 dimension sizes"
    ):
        read_idx_gz(path)


def test_empty_file(tmp_path):
    path = write_gz(tmp_path / "empty.gz", b"")
    with pytest.raises(
        IDXFormatError, match=r"empty\.gz: truncated: file ends inside the 4-byte header"
    ):
        read_idx_gz(path)


def test_count_larger_than_header_says(tmp_path):
    # Header claims 4 labels, the file holds 6: a count/dimension mismatch.
    payload = idx_bytes(np.zeros(4, np.uint8)) + b"\x01\x02"
    path = write_gz(tmp_path / "long.gz", payload)
    with pytest.raises(IDXFormatError, match=r"long\.gz: unexpected bytes after the 4 data bytes"):
        read_idx_gz(path)


def test_not_gzip_at_all(tmp_path):
    path = tmp_path / "plain.gz"
    path.write_bytes(idx_bytes(np.zeros(3, np.uint8)))
    with pytest.raises(IDXFormatError, match=r"plain\.gz: corrupt gzip data"):
        read_idx_gz(path)


def test_gzip_cut_short(tmp_path):
    path = tmp_path / "cut.gz"
    data = gzip.compress(idx_bytes(np.arange(3000, dtype=np.uint8) % 251))
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(IDXFormatError, match=r"cut\.gz: corrupt gzip data"):
        read_idx_gz(path)


def test_gzip_checksum_damage_is_caught(tmp_path):
    # Flip a byte of the CRC-32 trailer: the data decompresses but the check must fail.
    path = tmp_path / "crc.gz"
    data = bytearray(gzip.compress(idx_bytes(np.zeros(8, np.uint8))))
    data[-8] ^= 0xFF
    path.write_bytes(bytes(data))
    with pytest.raises(IDXFormatError, match=r"crc\.gz: corrupt gzip data.*CRC"):
        read_idx_gz(path)


def test_content_checksum(tmp_path):
    payload = idx_bytes(np.arange(6, dtype=np.uint8))
    path = write_gz(tmp_path / "a.gz", payload)
    good = hashlib.sha256(payload).hexdigest()
    np.testing.assert_array_equal(read_idx_gz(path, expected_sha256=good), np.arange(6))
    with pytest.raises(IDXFormatError, match=r"a\.gz: content SHA-256 .* does not match"):
        read_idx_gz(path, expected_sha256="0" * 64)


def test_missing_file(tmp_path):
    with pytest.raises(FileNotFoundError):
        read_idx_gz(tmp_path / "nothing.gz")
