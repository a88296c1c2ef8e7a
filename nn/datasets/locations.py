"""Where dataset files are looked for, and where downloads are cached.

Search order for a dataset called ``<name>`` (e.g. ``fashion-mnist``):

1. the directory passed as ``path=`` to ``load_data``;
2. ``$XPGRAD_DATA/<name>``, then ``$XPGRAD_DATA`` itself;
3. the user cache, ``$XDG_CACHE_HOME/xpgrad/<name>`` (default ``~/.cache/xpgrad/<name>``),
   which is also where downloads go;
4. a system directory installed by a distribution package, if the dataset has one
   (Debian's ``dataset-fashion-mnist`` uses ``/usr/share/datasets/fashion-mnist``).
"""

from __future__ import annotations

import os
from pathlib import Path

__all__ = ["DATA_DIR_ENV_VAR", "user_cache_dir", "search_dirs"]

#: Environment variable naming a directory of datasets (or of one dataset's files).
DATA_DIR_ENV_VAR = "XPGRAD_DATA"


def user_cache_dir(dataset: str) -> Path:
    """Per-user cache directory for ``dataset`` (XDG base-directory convention)."""
    cache_home = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(cache_home) / "xpgrad" / dataset


def search_dirs(
    dataset: str,
    path: str | os.PathLike[str] | None = None,
    system_dir: str | os.PathLike[str] | None = None,
) -> list[tuple[Path, str]]:
    """Directories to look in, in order, each with a short label saying why it is searched."""
    candidates: list[tuple[Path, str]] = []
    if path is not None:
        candidates.append((Path(path), "path argument"))
    data_root = os.environ.get(DATA_DIR_ENV_VAR)
    if data_root:
        candidates.append((Path(data_root) / dataset, f"${DATA_DIR_ENV_VAR}/{dataset}"))
        candidates.append((Path(data_root), f"${DATA_DIR_ENV_VAR}"))
    candidates.append((user_cache_dir(dataset), "user cache"))
    if system_dir is not None:
        candidates.append((Path(system_dir), "system data directory"))
    return candidates
