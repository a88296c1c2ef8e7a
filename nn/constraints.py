"""Keras' ``keras.constraints``: projections applied to a weight after every optimizer step.

================================  =========================================================
constraint                        projection (norms over ``axis``, default 0: per unit of a
                                  (in, out) kernel, i.e. the incoming weights of each unit)
================================  =========================================================
MaxNorm(max_value=2, axis=0)      w · min(1, max_value / ‖w‖)
UnitNorm(axis=0)                  w / ‖w‖
MinMaxNorm(min_value=0,           w · (rate·clip(‖w‖, min, max) + (1 - rate)·‖w‖) / ‖w‖
           max_value=1, rate=1)
NonNeg()                          max(w, 0)
================================  =========================================================

``Dense(100, kernel_constraint=nn.constraints.max_norm(1.0))``: ``fit`` applies it after
each update, as Keras does (a PyTorch loop calls ``constraint(w)`` itself if it wants one).
"""

from __future__ import annotations

from typing import Any

from autograd import Tensor

from ._registry import from_name_or_config

_EPSILON = 1e-7  # Keras' backend epsilon, keeps the division finite for zero weights


class Constraint:
    """Base class: ``constraint(w)`` returns the projected weight array (raw, no graph)."""

    def __call__(self, w: Tensor) -> Any:
        return w.array

    def get_config(self) -> dict[str, Any]:
        return {}

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_config().items())
        return f"{type(self).__name__}({args})"


def _norms(w: Any, axis: int) -> Any:
    return (w * w).sum(axis=axis, keepdims=True) ** 0.5


class MaxNorm(Constraint):
    """Rescale each unit's weights whose L2 norm exceeds ``max_value``."""

    def __init__(self, max_value: float = 2.0, axis: int = 0) -> None:
        self.max_value, self.axis = float(max_value), axis

    def __call__(self, w: Tensor) -> Any:
        data = w.array
        norms = _norms(data, self.axis)
        desired = norms.clip(0, self.max_value)
        return data * (desired / (norms + _EPSILON))

    def get_config(self) -> dict[str, Any]:
        return {"max_value": self.max_value, "axis": self.axis}


class UnitNorm(Constraint):
    """Scale each unit's weights to unit L2 norm."""

    def __init__(self, axis: int = 0) -> None:
        self.axis = axis

    def __call__(self, w: Tensor) -> Any:
        data = w.array
        return data / (_norms(data, self.axis) + _EPSILON)

    def get_config(self) -> dict[str, Any]:
        return {"axis": self.axis}


class MinMaxNorm(Constraint):
    """Keep each unit's L2 norm within [min_value, max_value] (moved there at ``rate``)."""

    def __init__(self, min_value: float = 0.0, max_value: float = 1.0, rate: float = 1.0,
                 axis: int = 0) -> None:
        self.min_value, self.max_value = float(min_value), float(max_value)
        self.rate, self.axis = float(rate), axis

    def __call__(self, w: Tensor) -> Any:
        data = w.array
        norms = _norms(data, self.axis)
        desired = self.rate * norms.clip(self.min_value, self.max_value) + (1 - self.rate) * norms
        return data * (desired / (norms + _EPSILON))

    def get_config(self) -> dict[str, Any]:
        return {"min_value": self.min_value, "max_value": self.max_value, "rate": self.rate,
                "axis": self.axis}


class NonNeg(Constraint):
    """Set negative weights to 0."""

    def __call__(self, w: Tensor) -> Any:
        data = w.array
        return data * (data >= 0).astype(data.dtype)


max_norm, unit_norm, min_max_norm, non_neg = MaxNorm, UnitNorm, MinMaxNorm, NonNeg

_NAMES = {"max_norm": MaxNorm, "unit_norm": UnitNorm, "min_max_norm": MinMaxNorm,
          "non_neg": NonNeg, "maxnorm": MaxNorm, "unitnorm": UnitNorm,
          "minmaxnorm": MinMaxNorm, "nonneg": NonNeg}
_CLASSES = {c.__name__: c for c in (MaxNorm, UnitNorm, MinMaxNorm, NonNeg)}


def get(identifier: Any) -> Constraint | None:
    """Resolve a name (``"max_norm"``), a config dict, a Constraint or a callable."""
    if identifier is None:
        return None
    if isinstance(identifier, str | dict):
        return from_name_or_config(identifier, "constraint", _NAMES, _CLASSES)
    if callable(identifier):
        return identifier
    raise TypeError(f"cannot interpret {identifier!r} as a constraint")


def serialize(constraint: Any) -> Any:
    """JSON-able form (None stays None)."""
    if constraint is None or isinstance(constraint, str):
        return constraint
    if isinstance(constraint, Constraint):
        return {"class_name": type(constraint).__name__, "config": constraint.get_config()}
    raise ValueError(f"cannot serialize constraint {constraint!r}")


def apply_constraints(parameters: Any) -> None:
    """Project every parameter that has a ``constraint`` in place (after an optimizer step)."""
    for p in parameters:
        constraint = getattr(p, "constraint", None)
        if constraint is not None:
            p.array[...] = constraint(p)
