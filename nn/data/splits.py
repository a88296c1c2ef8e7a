"""Splitting data into training / validation / test parts.

* :func:`validation_split` takes the **last** part, like Keras' ``fit(validation_split=...)``
  and the textbooks' ``x_train[:-5000], x_train[-5000:]``.
* :func:`train_test_split` shuffles first (by default), like scikit-learn.
* :func:`random_split` splits a dataset object into :class:`Subset`\\ s, like PyTorch.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from .tensor_dataset import Subset

__all__ = ["validation_split", "train_test_split", "random_split"]


def validation_split(
    x: Any, y: Any, fraction: float | int
) -> tuple[tuple[Any, Any], tuple[Any, Any]]:
    """Return ``(x_train, y_train), (x_val, y_val)`` with the validation part taken from the end.

    ``fraction`` is a float in (0, 1) (Keras: the first ``ceil(n * (1 - fraction))``
    samples train) or an int number of validation samples. No shuffling and no
    copies: the results are slices (views) of ``x`` and ``y``.
    ``validation_split(x, y, 5000)`` is ``(x[:-5000], y[:-5000]), (x[-5000:], y[-5000:])``.
    """
    n = _common_length(x, y)
    if isinstance(fraction, bool) or not isinstance(
        fraction, int | float | np.integer | np.floating
    ):
        raise TypeError(f"validation_split: fraction must be a float or an int, got {fraction!r}")
    if isinstance(fraction, int | np.integer):
        if not 0 < fraction < n:
            raise ValueError(f"validation_split: {fraction} validation samples of {n} leaves none")
        split_at = n - int(fraction)
    else:
        if not 0.0 < fraction < 1.0:
            raise ValueError(f"validation_split: fraction must be in (0, 1), got {fraction}")
        split_at = math.ceil(n * (1.0 - fraction))  # Keras' rounding
    return (x[:split_at], y[:split_at]), (x[split_at:], y[split_at:])


def train_test_split(
    x: Any,
    y: Any,
    test_size: float | int = 0.25,
    shuffle: bool = True,
    seed: int | None = None,
) -> tuple[Any, Any, Any, Any]:
    """Return ``x_train, x_test, y_train, y_test`` (scikit-learn's order).

    ``test_size``: a fraction in (0, 1) (rounded up, as scikit-learn does) or a
    number of samples. With ``shuffle`` the samples are permuted first by a
    generator seeded with ``seed``; without it the test part is the end.
    """
    n = _common_length(x, y)
    if isinstance(test_size, int | np.integer) and not isinstance(test_size, bool):
        n_test = int(test_size)
    elif isinstance(test_size, float) and 0.0 < test_size < 1.0:
        n_test = math.ceil(n * test_size)
    else:
        raise ValueError(
            f"train_test_split: test_size must be in (0, 1) or an int, got {test_size!r}"
        )
    if not 0 < n_test < n:
        raise ValueError(f"train_test_split: {n_test} test samples of {n} leaves an empty part")
    if not shuffle:
        return x[: n - n_test], x[n - n_test :], y[: n - n_test], y[n - n_test :]
    order = np.random.default_rng(seed).permutation(n)
    train, test = order[: n - n_test], order[n - n_test :]
    return x[train], x[test], y[train], y[test]


def random_split(
    dataset: Any, lengths: Sequence[int | float], generator: Any = None, seed: int | None = None
) -> list[Subset]:
    """Split ``dataset`` into non-overlapping random :class:`Subset`\\ s of the given lengths.

    ``lengths`` are ints summing to ``len(dataset)``, or fractions summing to 1
    (each part gets ``floor(n * fraction)`` and the remainder goes one by one to
    the first parts, as in PyTorch). Reproducible under ``seed``, or under a seeded
    ``generator`` (PyTorch's spelling: ``generator=torch.Generator().manual_seed(42)``,
    an ``autograd.Generator``); the same seed gives the same split here, not PyTorch's.
    """
    n = len(dataset)
    if all(isinstance(length, float) for length in lengths):
        if not math.isclose(sum(lengths), 1.0) or any(f < 0 for f in lengths):
            raise ValueError(
                f"random_split: fractions must be >= 0 and sum to 1, got {list(lengths)}"
            )
        sizes = [math.floor(n * fraction) for fraction in lengths]
        for i in range(n - sum(sizes)):
            sizes[i % len(sizes)] += 1
    elif all(isinstance(length, int | np.integer) for length in lengths):
        sizes = [int(length) for length in lengths]
        if sum(sizes) != n or any(size < 0 for size in sizes):
            raise ValueError(
                f"random_split: lengths {sizes} must be >= 0 and sum to len(dataset) = {n}"
            )
    else:
        raise TypeError("random_split: lengths must be all ints or all fractions (floats)")
    if generator is not None and seed is not None:
        raise TypeError("random_split: give a generator or a seed, not both")
    rng = generator if generator is not None else np.random.default_rng(seed)
    order = rng.permutation(n)
    if not isinstance(order, np.ndarray):
        raise TypeError("random_split: the generator must be a CPU one (Generator('cpu'))")
    bounds = np.cumsum([0, *sizes])
    return [
        Subset(dataset, order[start:stop])
        for start, stop in zip(bounds[:-1], bounds[1:], strict=True)
    ]


def _common_length(x: Any, y: Any) -> int:
    if len(x) != len(y):
        raise ValueError(f"x and y differ in length: {len(x)} and {len(y)}")
    return len(x)
