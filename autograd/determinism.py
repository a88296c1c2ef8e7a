"""``torch.use_deterministic_algorithms``: ask for bitwise-repeatable results, and be told
where they cannot be had.

Everything on the CPU repeats bit for bit, and so do the GPU's products, reductions and
elementwise kernels. One op does not on a GPU: adding gradients at the positions an
index array names (the backward of ``x[idx]``, ``gather``, ``index_select``...), which
CuPy does with atomic additions in whatever order the threads arrive when an index
repeats. With the mode on, that op raises a RuntimeError naming itself for any index
array on a device (whether it repeats is not known without reading it), as PyTorch's
does (``warn_only=True``: a warning instead).
"""

from __future__ import annotations

import warnings

_mode = {"on": False, "warn_only": False}


def use_deterministic_algorithms(mode: bool, *, warn_only: bool = False) -> None:
    """Turn the deterministic mode on or off (see the module doc)."""
    _mode["on"], _mode["warn_only"] = bool(mode), bool(warn_only)


def are_deterministic_algorithms_enabled() -> bool:
    return _mode["on"]


def is_deterministic_algorithms_warn_only_enabled() -> bool:
    return _mode["warn_only"]


def alert_nondeterministic(op: str) -> None:
    """Called by an op about to compute something that may not repeat bit for bit."""
    if not _mode["on"]:
        return
    message = (f"{op} does not have a deterministic implementation on a GPU (atomic "
               "additions), but use_deterministic_algorithms(True) was called")  # fmt: skip
    if _mode["warn_only"]:
        warnings.warn(message, UserWarning, stacklevel=3)
    else:
        raise RuntimeError(message)


__all__ = [
    "are_deterministic_algorithms_enabled", "is_deterministic_algorithms_warn_only_enabled",
    "use_deterministic_algorithms",
]  # fmt: skip
