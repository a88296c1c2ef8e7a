"""Helpers for the dataset tests: tiny IDX .gz files and a local HTTP server.

Used only by tests/test_idx*.py, test_download*.py and test_datasets*.py.
"""

from __future__ import annotations

import dataclasses
import gzip
import hashlib
import http.server
import struct
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import numpy as np

from nn.datasets.idx_dataset import DataFile, IdxDatasetSpec

IMAGE_SHAPE = (4, 4)


def idx_bytes(array: np.ndarray, dtype_code: int = 0x08) -> bytes:
    """Encode ``array`` as an uncompressed IDX file (big-endian, as in MNIST)."""
    big_endian = {0x08: ">u1", 0x09: ">i1", 0x0B: ">i2", 0x0C: ">i4", 0x0D: ">f4", 0x0E: ">f8"}
    header = struct.pack(">HBB", 0, dtype_code, array.ndim)
    header += struct.pack(f">{array.ndim}I", *array.shape)
    return header + np.ascontiguousarray(array, dtype=big_endian[dtype_code]).tobytes()


def write_gz(path: Path, payload: bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(gzip.compress(payload))
    return path


def tiny_dataset(n_train: int = 12, n_test: int = 5, seed: int = 0) -> dict[str, np.ndarray]:
    """Four small uint8 arrays in the Fashion-MNIST layout, keyed by file name."""
    rng = np.random.default_rng(seed)
    return {
        "train-images-idx3-ubyte.gz": rng.integers(0, 256, (n_train, *IMAGE_SHAPE), dtype=np.uint8),
        "train-labels-idx1-ubyte.gz": rng.integers(0, 10, n_train, dtype=np.uint8),
        "t10k-images-idx3-ubyte.gz": rng.integers(0, 256, (n_test, *IMAGE_SHAPE), dtype=np.uint8),
        "t10k-labels-idx1-ubyte.gz": rng.integers(0, 10, n_test, dtype=np.uint8),
    }


@dataclasses.dataclass
class TinyFiles:
    """A tiny dataset's arrays, its .gz bytes per file name, and a spec with their checksums."""

    arrays: dict[str, np.ndarray]
    gz: dict[str, bytes]

    def write_to(self, directory: Path) -> Path:
        directory.mkdir(parents=True, exist_ok=True)
        for name, data in self.gz.items():
            (directory / name).write_bytes(data)
        return directory

    def spec(self, base: IdxDatasetSpec, **changes) -> IdxDatasetSpec:
        def data_file(name: str) -> DataFile:
            payload = gzip.decompress(self.gz[name])
            return DataFile(
                name,
                md5=hashlib.md5(self.gz[name]).hexdigest(),
                content_sha256=hashlib.sha256(payload).hexdigest(),
            )

        return dataclasses.replace(
            base,
            train_images=data_file("train-images-idx3-ubyte.gz"),
            train_labels=data_file("train-labels-idx1-ubyte.gz"),
            test_images=data_file("t10k-images-idx3-ubyte.gz"),
            test_labels=data_file("t10k-labels-idx1-ubyte.gz"),
            **changes,
        )


def tiny_files(seed: int = 0) -> TinyFiles:
    arrays = tiny_dataset(seed=seed)
    return TinyFiles(arrays, {name: gzip.compress(idx_bytes(a)) for name, a in arrays.items()})


# ---------------------------------------------------------------------- HTTP server
class FileServer:
    """What the local server answers, by URL path prefix:

    ``/good/<name>``       the bytes registered under ``name``
    ``/wrong/<name>``      other bytes of the same length (checksum failure)
    ``/truncated/<name>``  Content-Length of the full file, half the body, then close
    ``/status/<code>/...`` an empty response with that HTTP status (404, 500)
    ``/slow/<name>``       headers, then a pause longer than the client's timeout
    """

    def __init__(self, files: dict[str, bytes]) -> None:
        self.files = files
        self.requests: list[str] = []
        self.base_url = ""

    def url(self, kind: str) -> str:
        return f"{self.base_url}/{kind}/"


def _handler_for(server_state: FileServer) -> type[http.server.BaseHTTPRequestHandler]:
    class Handler(http.server.BaseHTTPRequestHandler):
        def log_message(self, *args) -> None:  # keep test output clean
            pass

        def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
            server_state.requests.append(self.path)
            parts = self.path.strip("/").split("/")
            kind, name = parts[0], parts[-1]
            if kind == "status":
                self.send_response(int(parts[1]))
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            body = server_state.files.get(name)
            if body is None:
                self.send_error(404)
                return
            if kind == "wrong":
                body = bytes(b ^ 0xFF for b in body)
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if kind == "truncated":
                self.wfile.write(body[: len(body) // 2])
                self.close_connection = True
                return
            if kind == "slow":
                time.sleep(2.0)
            self.wfile.write(body)

    return Handler


@contextmanager
def serve_files(files: dict[str, bytes]) -> Iterator[FileServer]:
    """Run an HTTP server on 127.0.0.1 (ephemeral port) in a thread for the ``with`` body."""
    state = FileServer(files)
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(state))
    server.daemon_threads = True
    state.base_url = f"http://127.0.0.1:{server.server_address[1]}"
    # A short poll interval makes shutdown() return quickly.
    thread = threading.Thread(target=server.serve_forever, args=(0.02,), daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def refused_url() -> str:
    """A base URL on 127.0.0.1 where nothing listens: connecting fails at once."""
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}/"
