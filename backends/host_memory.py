"""Keep large host arrays' memory mapped between steps (glibc's ``malloc`` settings).

A training step makes and drops the same large arrays every time: a layer's output of
1024 x 300 floats is 1.2 MB, the first layer's weight gradient 0.9 MB. glibc's ``malloc``
gives every block above its *mmap threshold* (128 KiB to start) its own ``mmap`` and
returns it with ``munmap`` on ``free``; its *trim threshold* likewise hands the free top
of the heap back to the kernel. Either way the next step's array lands on fresh pages,
and the kernel zero-fills each 4 KiB page on first touch: a page fault every 4 KiB of
every large temporary. Measured on the project's 2-core EPYC, the six matrix products of
the benchmark MLP's step at batch 1024 take 7.6 ms into fresh arrays and 6.0 ms into
reused ones; the whole step 12.8 ms and 10.3 ms.

:func:`keep_freed_memory` raises both thresholds (``mallopt``), so freed blocks stay in
the heap and are handed out again: memory the process reached once is kept, as
PyTorch's and CuPy's caching allocators keep device memory. Blocks of 32 MiB and more
(datasets, batch-8192 activations) are still mapped and unmapped one by one.

It runs once when ``backends`` is imported. It changes nothing where it does not apply
(not Linux, not glibc), when the user set glibc's own ``MALLOC_*_`` variables or
``GLIBC_TUNABLES`` (their choice wins), or with ``XPGRAD_KEEP_FREED_MEMORY=0``.
"""

from __future__ import annotations

import ctypes
import os
import sys

__all__ = ["MMAP_THRESHOLD", "TRIM_THRESHOLD", "keep_freed_memory"]

#: Blocks from this size up get their own mapping; glibc's largest allowed value (64-bit).
MMAP_THRESHOLD = 32 * 1024 * 1024
#: Free memory at the top of the heap beyond this is returned to the kernel.
TRIM_THRESHOLD = 256 * 1024 * 1024

_M_TRIM_THRESHOLD = -1  # mallopt's parameter numbers, from glibc's <malloc.h>
_M_MMAP_THRESHOLD = -3
_USER_SETTINGS = ("MALLOC_MMAP_THRESHOLD_", "MALLOC_TRIM_THRESHOLD_", "MALLOC_TOP_PAD_",
                  "GLIBC_TUNABLES")  # fmt: skip


def keep_freed_memory() -> bool:
    """Raise glibc's mmap and trim thresholds for this process; True if they were set."""
    if sys.platform != "linux" or os.environ.get("XPGRAD_KEEP_FREED_MEMORY", "1") == "0":
        return False
    if any(name in os.environ for name in _USER_SETTINGS):
        return False
    try:
        libc = ctypes.CDLL(None)
        _ = libc.gnu_get_libc_version  # only glibc has it (musl's mallopt does nothing)
        mallopt = libc.mallopt
    except (OSError, AttributeError):
        return False
    mallopt.argtypes = (ctypes.c_int, ctypes.c_int)
    mallopt.restype = ctypes.c_int
    return bool(mallopt(_M_MMAP_THRESHOLD, MMAP_THRESHOLD)) and bool(
        mallopt(_M_TRIM_THRESHOLD, TRIM_THRESHOLD)
    )


KEPT = keep_freed_memory()  # once, at import: whether this process keeps freed memory
