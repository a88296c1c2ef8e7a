"""PyTorch's device surface: ``device``, ``cuda``, ``accelerator`` and ``backends`` stubs.

``device`` is a ``str`` subclass, so a ``device("cuda")`` goes wherever a device name
does (``Tensor(..., device=)``, ``.to()``, ``DataLoader(device=)``, the backends) and
``Tensor.device`` can answer with one: ``x.device == "cpu"`` and ``x.device.type``
both work.
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import backends


class device(str):  # noqa: N801 - PyTorch's name
    """A device name with PyTorch's ``type`` and ``index``: ``device("cuda")``,
    ``device("cuda:1")``, ``device("cuda", 1)``, ``device(type="cpu")``.

    Equal to its string form (``device("cpu") == "cpu"``); nothing is checked against
    the machine until a tensor is put there.
    """

    __slots__ = ()

    def __new__(cls, type: Any = None, index: int | None = None) -> device:  # noqa: A002
        if isinstance(type, device) and index is None:
            return type
        if isinstance(type, int) and index is None:  # device(0): PyTorch's current accelerator
            type, index = "cuda", type
        if not isinstance(type, str):
            raise TypeError(f"device: expected a device name such as 'cpu' or 'cuda', got {type!r}")
        name = type.strip().lower()
        kind, _, number = name.partition(":")
        if not kind.isidentifier() or (number and not number.isdigit()):
            raise RuntimeError(
                f"Invalid device string: {type!r} (expected 'cpu', 'cuda' or 'cuda:N')"
            )
        if index is not None:
            if number:
                raise RuntimeError(f"device: {type!r} already names an index; got index={index}")
            number = str(int(index))
        return super().__new__(cls, f"{kind}:{number}" if number else kind)

    @property
    def type(self) -> str:  # noqa: A003
        """``"cpu"``, ``"cuda"``..., without the index."""
        return self.partition(":")[0]

    @property
    def index(self) -> int | None:
        """The device index, or None where the name has none (``"cpu"``, ``"cuda"``)."""
        number = self.partition(":")[2]
        return int(number) if number else None

    def __repr__(self) -> str:
        index = self.index
        return f"device(type='{self.type}')" if index is None else (
            f"device(type='{self.type}', index={index})"
        )

    def __reduce__(self):
        return device, (str(self),)


_known: dict[str, device] = {}


def as_device(name: str) -> device:
    """The (cached) ``device`` for a device name; ``Tensor.device`` calls this on each read."""
    found = _known.get(name)
    if found is None:
        found = _known[name] = device(name)
    return found


# ----------------------------------------------------------------- torch.cuda


def _is_available() -> bool:
    """True if CuPy imports and finds a CUDA device (the stand-in does not count)."""
    return backends.cupy_available()


def _device_count() -> int:
    """The number of CUDA devices CuPy finds (0 without CuPy or a GPU)."""
    return backends.cuda_device_count()


def _current_device() -> int:
    """The index of the current CUDA device (raises without one, as PyTorch)."""
    return int(backends.parse_device("cuda").split(":")[1])


def _synchronize(device: Any = None) -> None:
    """Wait for the queued work on a CUDA device (the current one by default)."""
    backends.get_backend("cuda" if device is None else device).synchronize()


def _cuda_manual_seed(seed: int) -> None:
    """Reseed the random generators (every backend shares one seed, as ``manual_seed``)."""
    backends.manual_seed(seed)


cuda = SimpleNamespace(
    is_available=_is_available,
    device_count=_device_count,
    current_device=_current_device,
    synchronize=_synchronize,
    manual_seed=_cuda_manual_seed,
    manual_seed_all=_cuda_manual_seed,
    empty_cache=lambda: None,
)
cuda.__doc__ = "PyTorch's ``torch.cuda`` queries, answered through CuPy."


def _current_accelerator(check_available: bool = False) -> device | None:
    """``device("cuda")`` where a GPU answers, else None (``torch.accelerator``)."""
    return device("cuda") if _is_available() else None


accelerator = SimpleNamespace(
    is_available=_is_available,
    current_accelerator=_current_accelerator,
    device_count=_device_count,
    synchronize=_synchronize,
)
accelerator.__doc__ = "PyTorch's ``torch.accelerator``: the GPU where there is one."

# ``torch.backends``: no Apple GPU here; cuDNN's switches are accepted and have no effect.
backends_namespace = SimpleNamespace(
    mps=SimpleNamespace(is_available=lambda: False, is_built=lambda: False),
    cudnn=SimpleNamespace(
        is_available=lambda: False, enabled=True, benchmark=False, deterministic=False
    ),
    cuda=SimpleNamespace(is_built=_is_available, matmul=SimpleNamespace(allow_tf32=False)),
)
