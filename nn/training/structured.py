"""Several input arrays and several target arrays (``fit((x_wide, x_deep), (y, y))``):
checking them, splitting off validation data, and batching them all through one
DataLoader.

The arrays are kept as one flat tuple, inputs first, so one DataLoader stages each of them
(on a GPU: copied once, batches gathered there) and draws one permutation for all: the
samples of all arrays stay aligned. Each batch is then handed out as the inputs in the
structure the user gave (a tuple, list or dict: what the model's ``call`` receives) and
the targets as a list with one Tensor per output.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from typing import Any

import backends
from autograd import Tensor

from ..core.symbolic import flatten, pack_as
from . import arguments as _args


def is_structured(value: Any) -> bool:
    """Whether ``value`` holds several arrays (a dict, or a list/tuple of arrays or
    Tensors) rather than being one array (a nested list of numbers is one array)."""
    if isinstance(value, dict):
        return True
    return isinstance(value, list | tuple) and len(value) > 0 and all(
        isinstance(v, Tensor | dict) or backends.is_array(v) for v in value
    )


class StructuredData:
    """The input arrays (``template``: their structure, leaves numbered in order; None
    for one array) and the target arrays (one per output; None for predict)."""

    def __init__(self, template: Any, inputs: list[Any], targets: list[Any] | None) -> None:
        self.template = template
        self.inputs = inputs
        self.targets = targets

    @classmethod
    def checked(
        cls, who: str, x: Any, y: Any, *, outputs: int, output_keys: list[str] | None,
        inputs: int | None, check_finite: bool, with_targets: bool = True,
        names: tuple[str, str] = ("x", "y"),
    ) -> StructuredData:
        """Check ``x`` (``inputs``: how many inputs the model takes, None if unknown) and,
        ``with_targets``, ``y`` (``outputs`` targets; a dict is matched by
        ``output_keys``): numeric arrays with a batch axis, all equally long, finite
        (unless ``check_finite`` is False). Errors name the array (``x[1]``, ``y['aux']``)."""
        x_name, y_name = names
        if x is None or (with_targets and y is None):
            raise ValueError(f"{who}: give both {x_name} and {y_name}" if with_targets
                             else f"{who}: give {x_name}")  # fmt: skip
        x_labelled = _leaves(x, x_name)
        if inputs is not None and len(x_labelled) != inputs:
            raise ValueError(
                f"{who}: {x_name} holds {len(x_labelled)} array(s) but the model takes "
                f"{inputs} input(s): give {'one array' if inputs == 1 else f'{inputs} arrays'}"
            )
        y_labelled = _targets(who, y, y_name, outputs, output_keys) if with_targets else []
        labelled = x_labelled + y_labelled
        arrays = [_args.as_array(who, label, value) for label, value in labelled]
        if len({len(a) for a in arrays}) > 1:
            raise ValueError(
                f"{who}: all arrays must hold the same number of samples, got "
                + ", ".join(f"{label}: {len(a)}" for (label, _), a in zip(labelled, arrays,
                                                                           strict=True))
            )
        if len(arrays[0]) == 0:
            raise ValueError(f"{who}: {x_name} is empty (0 samples)")
        if check_finite:
            for (label, _), array in zip(labelled, arrays, strict=True):
                _args.check_finite(who, label, array)
        k = len(x_labelled)
        template = pack_as(x, list(range(k))) if is_structured(x) else None
        return cls(template, arrays[:k], arrays[k:] if with_targets else None)

    @property
    def arrays(self) -> list[Any]:
        return [*self.inputs, *(self.targets or [])]

    @property
    def num_samples(self) -> int:
        return len(self.inputs[0])

    def first_inputs(self, device: Any) -> Any:
        """The first sample's inputs as Tensors on ``device``, in the user's structure
        (what building a lazily shaped model needs)."""
        tensors = [Tensor(a[:1], device=device) for a in self.inputs]
        return tensors[0] if self.template is None else pack_as(self.template, tensors)

    def split(self, fraction: float) -> tuple[StructuredData, StructuredData]:
        """The first ``ceil(n · (1 - fraction))`` samples and the rest (Keras' rounding),
        as views."""
        at = math.ceil(self.num_samples * (1.0 - fraction))
        head = StructuredData(self.template, [a[:at] for a in self.inputs],
                              None if self.targets is None else [a[:at] for a in self.targets])
        tail = StructuredData(self.template, [a[at:] for a in self.inputs],
                              None if self.targets is None else [a[at:] for a in self.targets])
        return head, tail

    def loader(self, make: Callable[..., Any], batch_size: int, **kwargs: Any) -> Loader:
        """Batches of all arrays through one DataLoader made by ``make(arrays, batch_size,
        **kwargs)``."""
        return Loader(make(tuple(self.arrays), batch_size, **kwargs), self)


class Loader:
    """Iterates ``(inputs, targets)`` batches: the inputs in the user's structure, the
    targets as a list with one Tensor per output (only the inputs for predict)."""

    def __init__(self, loader: Any, data: StructuredData) -> None:
        self.loader = loader
        self.template = data.template
        self.split = len(data.inputs)
        self.has_targets = data.targets is not None
        self.batch_size = loader.batch_size
        self.num_samples = data.num_samples

    def __len__(self) -> int:
        return len(self.loader)

    def __iter__(self) -> Iterator[tuple[Any, ...]]:
        k, template = self.split, self.template
        for batch in self.loader:
            inputs = batch[0] if template is None else pack_as(template, list(batch[:k]))
            yield (inputs, list(batch[k:])) if self.has_targets else (inputs,)


def first_input(x: Any) -> Any:
    """The first array of ``x`` (a structure or one array): where its length is read."""
    return flatten(x)[0] if is_structured(x) else x


def _leaves(x: Any, name: str) -> list[tuple[str, Any]]:
    """``x``'s arrays with labels for messages (``x[0]``, ``x['wide']``), in the order
    :func:`nn.core.symbolic.flatten` gives them."""
    if isinstance(x, dict):
        return [(f"{name}[{key!r}]", x[key]) for key in sorted(x)]
    if is_structured(x):
        return [(f"{name}[{i}]", value) for i, value in enumerate(x)]
    return [(name, x)]


def _targets(
    who: str, y: Any, name: str, outputs: int, keys: list[str] | None
) -> list[tuple[str, Any]]:
    """``y`` as one labelled array per output, in the outputs' order."""
    if isinstance(y, dict):
        if keys is None or set(y) != set(keys):
            expected = f"the output names {keys}" if keys else "a list (the outputs have no names)"
            raise ValueError(f"{who}: {name} is a dict with keys {sorted(y)}; expected {expected}")
        labelled = [(f"{name}[{key!r}]", y[key]) for key in keys]
    elif is_structured(y):
        labelled = [(f"{name}[{i}]", value) for i, value in enumerate(y)]
    else:
        labelled = [(name, y)]
    if len(labelled) != outputs:
        raise ValueError(
            f"{who}: {name} holds {len(labelled)} target array(s) but the model has {outputs} "
            f"output(s): give one target array per output"
            + (f" ({keys})" if keys else "")
        )
    return labelled
