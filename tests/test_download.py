"""download_file against a real HTTP server on 127.0.0.1: success and every failure mode."""

from __future__ import annotations

import hashlib

import pytest
from idx_fixtures import serve_files

from nn.datasets.download import ChecksumError, DownloadError, download_file

BODY = bytes(range(256)) * 40
MD5 = hashlib.md5(BODY).hexdigest()


@pytest.fixture(scope="module")
def server():
    with serve_files({"data.bin": BODY}) as state:
        yield state


def leftovers(directory):
    return sorted(p.name for p in directory.iterdir() if p.name != "data.bin")


def test_good_download_is_written_whole(server, tmp_path):
    target = tmp_path / "sub" / "data.bin"
    assert download_file(server.url("good") + "data.bin", target, MD5) == target
    assert target.read_bytes() == BODY
    assert leftovers(target.parent) == []  # no temporary file left behind


def test_checksum_mismatch_leaves_nothing(server, tmp_path):
    target = tmp_path / "data.bin"
    with pytest.raises(
        ChecksumError, match=r"checksum mismatch for http://127\.0\.0\.1:\d+/wrong/data\.bin"
    ):
        download_file(server.url("wrong") + "data.bin", target, MD5)
    assert not target.exists()
    assert leftovers(tmp_path) == []


def test_failed_download_keeps_the_previous_file(server, tmp_path):
    target = tmp_path / "data.bin"
    target.write_bytes(b"previous")
    with pytest.raises(ChecksumError):
        download_file(server.url("wrong") + "data.bin", target, MD5)
    assert target.read_bytes() == b"previous"


def test_truncated_transfer(server, tmp_path):
    target = tmp_path / "data.bin"
    with pytest.raises(
        DownloadError, match=rf"truncated transfer .*received {len(BODY) // 2} of {len(BODY)}"
    ):
        download_file(server.url("truncated") + "data.bin", target, MD5)
    assert not target.exists()
    assert leftovers(tmp_path) == []


@pytest.mark.parametrize("status", [404, 500])
def test_http_error_status(server, tmp_path, status):
    with pytest.raises(DownloadError, match=rf"HTTP {status} .* from http://127\.0\.0\.1"):
        download_file(server.url(f"status/{status}") + "data.bin", tmp_path / "data.bin", MD5)
    assert leftovers(tmp_path) == []


def test_timeout(server, tmp_path):
    with pytest.raises(DownloadError, match=r"(?i)timed out"):
        download_file(server.url("slow") + "data.bin", tmp_path / "data.bin", MD5, timeout=0.3)
    assert leftovers(tmp_path) == []


def test_each_request_is_made_once(tmp_path):
    with serve_files({"data.bin": BODY}) as state:
        with pytest.raises(DownloadError):
            download_file(state.url("status/500") + "data.bin", tmp_path / "data.bin", MD5)
        assert state.requests == ["/status/500/data.bin"]  # nothing retried behind our back
