"""``Generator``: a random number generator of its own, as ``torch.Generator``.

PyTorch programs pass one where a draw must not disturb (or depend on) the global
generator that ``autograd.manual_seed`` seeds: ``random_split(dataset, [0.8, 0.2],
generator=torch.Generator().manual_seed(42))``, ``DataLoader(..., generator=g)``,
``torch.randn(3, generator=g)``. It holds the array library's own generator on its
device (NumPy's ``default_rng`` on the CPU, CuPy's on a GPU); the same seed gives the
same numbers here every time, though not PyTorch's numbers.
"""

from __future__ import annotations

import secrets
from typing import Any

from backends import get_backend

from .devices import as_device

_DEFAULT_SEED = 67280421310721  # PyTorch's default for a new Generator


class Generator:
    """A seeded source of random numbers on ``device`` (``"cpu"`` by default)."""

    __slots__ = ("device", "_seed", "_rng")

    def __init__(self, device: Any = "cpu") -> None:
        self.device = as_device(get_backend(str(device)).device)  # "cuda" -> "cuda:0"
        self.manual_seed(_DEFAULT_SEED)

    def manual_seed(self, seed: int) -> Generator:
        """Restart from ``seed``; returns the generator, so it can be made and seeded in
        one expression."""
        self._seed = int(seed)
        self._rng = get_backend(str(self.device)).xp.random.default_rng(self._seed)
        return self

    def seed(self) -> int:
        """Restart from a fresh random seed, and return it."""
        self.manual_seed(secrets.randbits(63))
        return self._seed

    def initial_seed(self) -> int:
        """The seed this generator last started from."""
        return self._seed

    def __getattr__(self, name: str) -> Any:
        # the draws (random, standard_normal, integers, permutation) are the array
        # library's own: the factories call them as they call a backend's generator
        return getattr(self._rng, name)

    def __repr__(self) -> str:
        return f"Generator(device='{self.device}', initial_seed={self._seed})"


def generator_for(generator: Any, backend: Any, op: str) -> Any:
    """The generator to draw from for a tensor on ``backend``'s device: ``generator``
    (it must be on that device, as PyTorch requires), else the backend's own. Either is
    refused while a step is recorded (``autograd.capture``): a replay would repeat it."""
    if generator is None:
        return backend.rng
    backend.rng.random  # noqa: B018 - refuses (NotCapturable) while a step is recorded
    if isinstance(generator, Generator) and generator.device != backend.device:
        raise RuntimeError(
            f"{op}: the generator is on {generator.device} but the tensor is made on "
            f"{backend.device}; use a Generator(device='{backend.device}')"
        )
    return generator
