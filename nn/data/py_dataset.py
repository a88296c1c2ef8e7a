"""`PyDataset`: Keras' dataset of whole batches (``keras.utils.PyDataset``, and its older
name ``keras.utils.Sequence``)::

    class Batches(keras.utils.PyDataset):
        def __init__(self, x, y, batch_size, **kwargs):
            super().__init__(**kwargs)
            self.x, self.y, self.batch_size = x, y, batch_size

        def __len__(self):                      # the number of batches
            return math.ceil(len(self.x) / self.batch_size)

        def __getitem__(self, idx):             # batch idx: (x,), (x, y) or (x, y, weights)
            s = slice(idx * self.batch_size, (idx + 1) * self.batch_size)
            return self.x[s], self.y[s]

    model.fit(Batches(x, y, 32), epochs=3)

``fit``, ``evaluate`` and ``predict`` take one as ``x``; ``fit(..., shuffle=True)`` visits
the batches in an order drawn with Python's ``random.shuffle``, as Keras does.
``on_epoch_begin``/``on_epoch_end`` are called around each epoch. ``workers``,
``use_multiprocessing`` and ``max_queue_size`` are kept for Keras' sake; batches are read in
this process, one after the other.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any


class PyDataset:
    """Base class of a dataset of batches; see the module docstring."""

    def __init__(self, workers: int = 1, use_multiprocessing: bool = False,
                 max_queue_size: int = 10) -> None:  # fmt: skip
        self.workers = workers
        self.use_multiprocessing = use_multiprocessing
        self.max_queue_size = max_queue_size

    def __getitem__(self, index: int) -> Any:
        """Batch ``index``: ``(x,)``, ``(x, y)`` or ``(x, y, sample_weight)`` (arrays)."""
        raise NotImplementedError(f"{type(self).__name__} implements __getitem__(index)")

    def __len__(self) -> int:
        raise NotImplementedError(f"{type(self).__name__} implements __len__ (the number "
                                  "of batches)")

    @property
    def num_batches(self) -> int:
        """The number of batches (Keras 3's name for ``len``)."""
        return len(self)

    def on_epoch_begin(self) -> None:
        """Called at the start of every epoch."""

    def on_epoch_end(self) -> None:
        """Called at the end of every epoch."""

    def __iter__(self) -> Iterator[Any]:
        for index in range(len(self)):
            yield self[index]


#: Keras 2's name, kept by Keras 3
Sequence = PyDataset
