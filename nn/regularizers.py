"""Weight penalties (Keras formulas), attached with ``kernel_regularizer=``.

* ``L1(l1=0.01)``:   penalty = l1 · Σ|w|
* ``L2(l2=0.01)``:   penalty = l2 · Σw²   (no ½: the gradient is 2·l2·w)
* ``L1L2(l1=0.01, l2=0.01)``: both.

Strings ``"l1"``, ``"l2"``, ``"l1_l2"`` give the defaults.  A layer's penalties appear in
``model.losses``; a training loop adds ``model.regularization_loss()`` (their sum) to the
data loss before ``backward()``.
"""

from __future__ import annotations

from typing import Any

import autograd
from autograd import Tensor

from ._registry import from_name_or_config


class Regularizer:
    """Base class: ``reg(weight) -> scalar Tensor``."""

    def __call__(self, w: Tensor) -> Tensor:
        raise NotImplementedError

    def get_config(self) -> dict[str, Any]:
        return {}

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}({', '.join(f'{k}={v}' for k, v in self.get_config().items())})"
        )


class L1L2(Regularizer):
    """penalty = l1 · Σ|w| + l2 · Σw²."""

    def __init__(self, l1: float = 0.01, l2: float = 0.01) -> None:
        self.l1, self.l2 = float(l1), float(l2)

    def __call__(self, w: Tensor) -> Tensor:
        if not isinstance(w, Tensor):  # Keras accepts arrays: l2(0.01)(np_weights)
            w = Tensor(w)
        total = None
        if self.l1:
            total = autograd.sum(autograd.abs(w)) * self.l1
        if self.l2:
            sq = autograd.sum(w * w) * self.l2
            total = sq if total is None else total + sq
        if total is None:
            total = autograd.sum(w) * 0.0
        return total

    def get_config(self) -> dict[str, Any]:
        return {"l1": self.l1, "l2": self.l2}


class L1(L1L2):
    """penalty = l1 · Σ|w|."""

    def __init__(self, l1: float = 0.01) -> None:
        super().__init__(l1=l1, l2=0.0)

    def get_config(self) -> dict[str, Any]:
        return {"l1": self.l1}


class L2(L1L2):
    """penalty = l2 · Σw²."""

    def __init__(self, l2: float = 0.01) -> None:
        super().__init__(l1=0.0, l2=l2)

    def get_config(self) -> dict[str, Any]:
        return {"l2": self.l2}


l1, l2, l1_l2 = L1, L2, L1L2
_NAMES = {"l1": L1, "l2": L2, "l1_l2": L1L2, "l1l2": L1L2}
_CLASSES = {"L1": L1, "L2": L2, "L1L2": L1L2}


def get(identifier: Any) -> Any:
    """None, a name (``"l2"``), a config dict, or any callable ``(weight) -> scalar``."""
    if identifier is None:
        return None
    if isinstance(identifier, str | dict):
        return from_name_or_config(identifier, "regularizer", _NAMES, _CLASSES)
    if callable(identifier):
        return identifier
    raise TypeError(f"cannot interpret {identifier!r} as a regularizer")


def serialize(regularizer: Any) -> Any:
    if regularizer is None:
        return None
    if isinstance(regularizer, Regularizer) and type(regularizer).__name__ in _CLASSES:
        return {"class_name": type(regularizer).__name__, "config": regularizer.get_config()}
    raise ValueError(f"cannot serialize regularizer {regularizer!r}")
