"""``torch.set_num_threads`` and ``torch.get_num_threads``: how many threads the CPU's
math libraries (NumPy's BLAS, OpenMP) may use, changed while the program runs.

The thread pools belong to the libraries NumPy loaded; ``threadpoolctl`` (``pip install
threadpoolctl``, in the ``test`` extra) is the well-kept way to reach them. Without it the
count cannot change after start-up: ``set_num_threads`` then warns and says how to set it
(``OMP_NUM_THREADS`` and ``OPENBLAS_NUM_THREADS`` before Python starts), as a benchmark
must not run on a thread count it did not ask for without saying so.
"""

from __future__ import annotations

import os
import warnings
from typing import Any

_limits: list[Any] = []  # the threadpoolctl limit in force (kept: dropping it changes nothing)


def set_num_threads(n: int) -> None:
    """Let the CPU's math libraries use ``n`` threads from now on."""
    if isinstance(n, bool) or not isinstance(n, int) or n < 1:
        raise ValueError(f"set_num_threads: expected a positive int, got {n!r}")
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:
        warnings.warn(
            f"set_num_threads({n}): threadpoolctl is not installed, so the thread count "
            "cannot change while Python runs; pip install threadpoolctl, or start Python "
            f"with OMP_NUM_THREADS={n} OPENBLAS_NUM_THREADS={n}",
            RuntimeWarning, stacklevel=2,
        )  # fmt: skip
        return
    _limits[:] = [threadpool_limits(limits=n)]


def get_num_threads() -> int:
    """How many threads the CPU's math libraries use (the largest of their pools)."""
    try:
        from threadpoolctl import threadpool_info
    except ImportError:
        for name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
            if os.environ.get(name, "").isdigit():
                return int(os.environ[name])
        return os.cpu_count() or 1
    pools = [info["num_threads"] for info in threadpool_info()]
    return max(pools) if pools else 1


__all__ = ["get_num_threads", "set_num_threads"]
