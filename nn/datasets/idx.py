"""Reader for the IDX file format of MNIST-style datasets (gzip-compressed).

An IDX file is a big-endian binary array::

    bytes 0-1   0x00 0x00              magic: always zero
    byte  2     dtype code             0x08 uint8, 0x09 int8, 0x0B int16,
                                       0x0C int32, 0x0D float32, 0x0E float64
    byte  3     ndim                   number of dimensions
    4*ndim      dimension sizes        big-endian uint32 each
    ...         data                   prod(dims) items, row-major, big-endian

The "magic number" people quote (2051 for images, 2049 for labels) is the first
four bytes read as one big-endian integer: ``0x0803`` = uint8 with 3 dims.

The reader validates everything it can before handing out an array, so a
truncated, padded or corrupt file raises :class:`IDXFormatError` naming the
file instead of yielding a half-filled array.
"""

from __future__ import annotations

import gzip
import hashlib
import os
import struct
import zlib
from typing import BinaryIO

import numpy as np

__all__ = ["IDXFormatError", "IDX_DTYPES", "read_idx", "read_idx_gz"]

#: IDX dtype code -> big-endian NumPy dtype.
IDX_DTYPES: dict[int, np.dtype] = {
    0x08: np.dtype(np.uint8),
    0x09: np.dtype(np.int8),
    0x0B: np.dtype(">i2"),
    0x0C: np.dtype(">i4"),
    0x0D: np.dtype(">f4"),
    0x0E: np.dtype(">f8"),
}


class IDXFormatError(ValueError):
    """An IDX (or its gzip wrapper) is malformed; the message names the file and the fault."""


def read_idx_gz(
    path: str | os.PathLike[str],
    expected_magic: int | None = None,
    expected_sha256: str | None = None,
) -> np.ndarray:
    """Read a gzip-compressed IDX file into a writable, native-endian NumPy array.

    ``expected_magic`` (e.g. 2051 for an image file, 2049 for a label file) and
    ``expected_sha256`` (hex digest of the *decompressed* IDX bytes, which does
    not depend on how the file was gzipped) are checked when given. Raises
    :class:`IDXFormatError` for a corrupt gzip
    stream (bad header, CRC or length mismatch, early end) or a malformed IDX
    payload, and ``FileNotFoundError`` when the file does not exist.
    """
    path = os.fspath(path)
    try:
        with gzip.open(path, "rb") as stream:
            return read_idx(
                stream, name=path, expected_magic=expected_magic, expected_sha256=expected_sha256
            )
    except (gzip.BadGzipFile, zlib.error, EOFError) as exc:
        raise IDXFormatError(f"{path}: corrupt gzip data ({exc})") from exc


def read_idx(
    stream: BinaryIO,
    name: str = "<stream>",
    expected_magic: int | None = None,
    expected_sha256: str | None = None,
) -> np.ndarray:
    """Read one uncompressed IDX array from a binary stream and check it is complete.

    The data is read straight into the result array (no intermediate copy),
    then the stream must be exhausted: trailing bytes are an error, because a
    file with more data than its header announces is not the file we think.
    """
    header = _read_exactly(stream, 4, name, "the 4-byte header")
    zero, dtype_code, ndim = struct.unpack(">HBB", header)
    magic = int.from_bytes(header, "big")
    if zero != 0:
        raise IDXFormatError(
            f"{name}: bad magic number 0x{magic:08X}: an IDX file starts with two zero bytes"
        )
    if dtype_code not in IDX_DTYPES:
        raise IDXFormatError(f"{name}: unknown IDX dtype code 0x{dtype_code:02X}")
    if ndim == 0:
        raise IDXFormatError(f"{name}: IDX header declares 0 dimensions")
    if expected_magic is not None and magic != expected_magic:
        raise IDXFormatError(
            f"{name}: magic number {magic} (0x{magic:08X}), expected {expected_magic} "
            f"(0x{expected_magic:08X})"
        )

    dims_bytes = _read_exactly(stream, 4 * ndim, name, f"{ndim} dimension sizes")
    shape = struct.unpack(f">{ndim}I", dims_bytes)
    dtype = IDX_DTYPES[dtype_code]

    result = np.empty(shape, dtype=dtype)
    buffer = memoryview(result).cast("B") if result.size else memoryview(b"")
    filled = 0
    while filled < len(buffer):
        count = stream.readinto(buffer[filled:])
        if not count:
            raise IDXFormatError(
                f"{name}: truncated: header declares shape {shape} = {len(buffer)} data bytes, "
                f"file has only {filled}"
            )
        filled += count
    # Reading past the end also makes gzip verify its CRC and length trailer.
    if stream.read(1):
        raise IDXFormatError(
            f"{name}: unexpected bytes after the {len(buffer)} data bytes declared by "
            f"shape {shape} (dimension mismatch or concatenated files)"
        )
    if expected_sha256 is not None:
        digest = hashlib.sha256(header + dims_bytes)
        digest.update(buffer)
        if digest.hexdigest() != expected_sha256.lower():
            raise IDXFormatError(
                f"{name}: content SHA-256 {digest.hexdigest()} does not match the expected "
                f"{expected_sha256.lower()} (a modified copy or another dataset's file)"
            )
    return result.astype(dtype.newbyteorder("="), copy=False)


def _read_exactly(stream: BinaryIO, size: int, name: str, what: str) -> bytes:
    data = stream.read(size)
    if len(data) != size:
        raise IDXFormatError(f"{name}: truncated: file ends inside {what}")
    return data
