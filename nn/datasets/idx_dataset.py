"""Shared loader for MNIST-style datasets: four gzipped IDX files, found or downloaded.

A dataset is described by an :class:`IdxDatasetSpec` (file names, published
checksums, download URLs, system directory). :func:`load_idx_dataset` finds
each file in the directories of :func:`nn.datasets.locations.search_dirs`,
downloads the missing ones into the user cache, checks them, and returns the
arrays in the ``keras.datasets`` layout ``(x_train, y_train), (x_test, y_test)``.
:func:`missing_files` answers, without downloading, which files that search misses.
"""

from __future__ import annotations

import hashlib
import os
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .download import DEFAULT_TIMEOUT_S, DownloadError, download_file
from .idx import IDXFormatError, read_idx_gz
from .locations import DATA_DIR_ENV_VAR, search_dirs, user_cache_dir

__all__ = [
    "DataFile",
    "IdxDatasetSpec",
    "DatasetNotFoundError",
    "load_idx_dataset",
    "missing_files",
]

_IMAGES_MAGIC = 0x0803  # uint8, 3 dimensions (count, rows, cols) = 2051
_LABELS_MAGIC = 0x0801  # uint8, 1 dimension (count) = 2049


@dataclass(frozen=True)
class DataFile:
    """One file of a dataset and the checksums it must have.

    ``md5`` is the published MD5 of the ``.gz`` file, checked on download.
    ``content_sha256`` is the SHA-256 of the decompressed IDX bytes; it is the
    same for every gzip of the same data (distributions recompress files), so
    it is the check applied to files found on disk. When it is unknown (None),
    found files are checked against ``md5`` instead.
    """

    name: str
    md5: str
    content_sha256: str | None = None


@dataclass(frozen=True)
class IdxDatasetSpec:
    """Everything needed to find, download and check an MNIST-style dataset."""

    name: str  # directory name under the cache and $XPGRAD_DATA, e.g. "fashion-mnist"
    title: str  # for messages, e.g. "Fashion-MNIST"
    train_images: DataFile
    train_labels: DataFile
    test_images: DataFile
    test_labels: DataFile
    base_urls: tuple[str, ...]  # tried in order; each ends with "/"
    url_env_var: str  # environment variable overriding base_urls
    system_dir: Path | None = None
    install_hint: str = ""  # extra way to get the files, shown when nothing is found

    @property
    def files(self) -> tuple[DataFile, DataFile, DataFile, DataFile]:
        return (self.train_images, self.train_labels, self.test_images, self.test_labels)


class DatasetNotFoundError(FileNotFoundError):
    """A dataset file is on no searched directory and could not be downloaded."""


def load_idx_dataset(
    spec: IdxDatasetSpec,
    path: str | os.PathLike[str] | None = None,
    base_url: str | Sequence[str] | None = None,
    timeout: float = DEFAULT_TIMEOUT_S,
) -> tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]:
    """Find or download the files of ``spec``; return ``(x_train, y_train), (x_test, y_test)``.

    ``base_url`` (one URL or a list tried in order) overrides ``spec.base_urls``
    and the ``spec.url_env_var`` environment variable. All four arrays are read
    and checked before any is returned.
    """
    paths = []
    for data_file in spec.files:
        paths.append(_find_or_download(spec, data_file, path, base_url, timeout))
    x_train = _read_checked(spec, paths[0], spec.train_images, _IMAGES_MAGIC)
    y_train = _read_checked(spec, paths[1], spec.train_labels, _LABELS_MAGIC)
    x_test = _read_checked(spec, paths[2], spec.test_images, _IMAGES_MAGIC)
    y_test = _read_checked(spec, paths[3], spec.test_labels, _LABELS_MAGIC)
    for images, labels, split in ((x_train, y_train, "train"), (x_test, y_test, "test")):
        if len(images) != len(labels):
            raise IDXFormatError(
                f"{spec.title} {split} split: {len(images)} images but {len(labels)} labels"
            )
    return (x_train, y_train), (x_test, y_test)


def missing_files(spec: IdxDatasetSpec, path: str | os.PathLike[str] | None = None) -> list[str]:
    """Names of the files of ``spec`` that are in no searched directory (empty: all found).

    Searches exactly as :func:`load_idx_dataset` does but downloads nothing and
    reads nothing, so set-up scripts can ask whether the loader would find the
    data before deciding to fetch it another way.
    """
    return [f.name for f in spec.files if _find_on_disk(spec, f, path) is None]


def _find_on_disk(
    spec: IdxDatasetSpec, data_file: DataFile, path: str | os.PathLike[str] | None
) -> Path | None:
    for directory, _label in search_dirs(spec.name, path, spec.system_dir):
        candidate = directory / data_file.name
        if candidate.is_file():
            return candidate
    return None


def _read_checked(spec: IdxDatasetSpec, path: Path, data_file: DataFile, magic: int) -> np.ndarray:
    if data_file.content_sha256 is None:
        digest = _file_md5(path)
        if digest != data_file.md5.lower():
            raise IDXFormatError(
                f"{path}: MD5 {digest} does not match the published {data_file.md5.lower()} "
                "(a modified copy or another dataset's file; delete it to download it again)"
            )
    try:
        return read_idx_gz(path, expected_magic=magic, expected_sha256=data_file.content_sha256)
    except IDXFormatError as exc:
        # A file found on disk is used as it is, never re-downloaded behind the user's back;
        # say how to get a good copy (an interrupted copy into the cache is the usual cause).
        raise IDXFormatError(
            f"{exc}. Delete or replace this file; load_data() downloads a missing file "
            f"into {user_cache_dir(spec.name)}"
        ) from exc


def _find_or_download(
    spec: IdxDatasetSpec,
    data_file: DataFile,
    path: str | os.PathLike[str] | None,
    base_url: str | Sequence[str] | None,
    timeout: float,
) -> Path:
    found = _find_on_disk(spec, data_file, path)
    if found is not None:
        return found

    urls = [url.rstrip("/") + "/" + data_file.name for url in _base_urls(spec, base_url)]
    destination = user_cache_dir(spec.name) / data_file.name
    failures: list[str] = []
    for attempt, url in enumerate(urls):
        if attempt:
            warnings.warn(
                f"{spec.title}: {failures[-1]}; trying {url}", RuntimeWarning, stacklevel=4
            )
        try:
            return download_file(url, destination, data_file.md5, timeout=timeout)
        except DownloadError as exc:
            failures.append(str(exc))
    searched = search_dirs(spec.name, path, spec.system_dir)
    raise DatasetNotFoundError(_not_found_message(spec, data_file, searched, failures))


def _base_urls(spec: IdxDatasetSpec, base_url: str | Sequence[str] | None) -> list[str]:
    if base_url is None:
        base_url = os.environ.get(spec.url_env_var) or spec.base_urls
    return [base_url] if isinstance(base_url, str) else list(base_url)


def _not_found_message(
    spec: IdxDatasetSpec,
    data_file: DataFile,
    searched: list[tuple[Path, str]],
    failures: list[str],
) -> str:
    lines = [f"{spec.title} file {data_file.name} not found. Looked in:"]
    lines += [f"  {directory}  ({label})" for directory, label in searched]
    lines.append("Download failed:")
    lines += [f"  {failure}" for failure in failures]
    lines.append("To get the data:")
    if spec.install_hint:
        lines.append(f"  - {spec.install_hint}")
    lines.append(
        f"  - {'or ' if spec.install_hint else ''}put the four .gz files in a directory and "
        f"pass it as path=, or set "
        f"{DATA_DIR_ENV_VAR} to a directory containing {spec.name}/ with them"
    )
    return "\n".join(lines)


def _file_md5(path: Path) -> str:
    md5 = hashlib.md5()
    with open(path, "rb") as file:
        while chunk := file.read(1 << 20):
            md5.update(chunk)
    return md5.hexdigest()
