"""Keras 3's learning-rate schedules (``keras.optimizers.schedules``), on the host.

A schedule is a callable ``schedule(step) -> learning rate``; passed as an optimizer's
``learning_rate``, it is called with the optimizer's step count (0 for the first update)
before every update. Everything is Python float64 arithmetic on the host: no device value
is involved, so a schedule costs no synchronisation. (Keras computes in the dtype of
``initial_learning_rate`` as a tensor, float32 by default: values agree to float32
precision, and exactly in float64 with ``keras.config.set_floatx("float64")``.)

Example (Hands-On ML, chapter 11)::

    s = optim.keras.schedules.ExponentialDecay(0.01, decay_steps=20_000, decay_rate=0.1)
    opt = optim.keras.SGD(learning_rate=s)
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

__all__ = [
    "LearningRateSchedule",
    "ExponentialDecay",
    "PiecewiseConstantDecay",
    "PolynomialDecay",
    "InverseTimeDecay",
    "CosineDecay",
    "CosineDecayRestarts",
    "serialize",
    "deserialize",
]


class LearningRateSchedule:
    """Base class of the schedules: subclasses implement ``__call__(step)`` and
    ``get_config()``; ``from_config(config)`` is ``cls(**config)``."""

    def __call__(self, step: float) -> float:
        raise NotImplementedError(
            f"Learning rate schedule '{type(self).__name__}' must override "
            "`__call__(self, step)`."
        )

    def get_config(self) -> dict[str, Any]:
        raise NotImplementedError(
            f"Learning rate schedule '{type(self).__name__}' must override `get_config()` "
            "in order to be serializable."
        )

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> LearningRateSchedule:
        """The schedule that :meth:`get_config` describes."""
        return cls(**config)


def _check_decay_steps(argument: str, value: float) -> None:
    if value <= 0:
        raise ValueError(f"Argument `{argument}` must be > 0. Received: {argument}={value}")


class ExponentialDecay(LearningRateSchedule):
    """``initial_learning_rate * decay_rate ^ (step / decay_steps)``.

    With ``staircase=True`` the exponent is ``floor(step / decay_steps)``: the rate drops
    by ``decay_rate`` every ``decay_steps`` steps.
    """

    def __init__(self, initial_learning_rate: float, decay_steps: float, decay_rate: float,
                 staircase: bool = False, name: str = "ExponentialDecay") -> None:
        self.initial_learning_rate = initial_learning_rate
        self.decay_steps = decay_steps
        self.decay_rate = decay_rate
        self.staircase = staircase
        self.name = name
        _check_decay_steps("decay_steps", decay_steps)

    def __call__(self, step: float) -> float:
        p = float(step) / float(self.decay_steps)  # step / decay_steps
        if self.staircase:
            p = math.floor(p)
        return float(self.initial_learning_rate) * float(self.decay_rate) ** p

    def get_config(self) -> dict[str, Any]:
        return {"initial_learning_rate": self.initial_learning_rate,
                "decay_steps": self.decay_steps, "decay_rate": self.decay_rate,
                "staircase": self.staircase, "name": self.name}


class PiecewiseConstantDecay(LearningRateSchedule):
    """``values[0]`` while ``step <= boundaries[0]``, ``values[i]`` while
    ``boundaries[i-1] < step <= boundaries[i]``, ``values[-1]`` after the last boundary.

    Raises:
        ValueError: ``len(boundaries) != len(values) - 1``.
    """

    def __init__(self, boundaries: Sequence[float], values: Sequence[float],
                 name: str = "PiecewiseConstant") -> None:
        if len(boundaries) != len(values) - 1:
            raise ValueError(
                "The length of boundaries should be 1 less than the length of values. "
                f"Received: boundaries={boundaries} of length {len(boundaries)}, and "
                f"values={values} of length {len(values)}."
            )
        self.boundaries = boundaries
        self.values = values
        self.name = name

    def __call__(self, step: float) -> float:
        for boundary, value in zip(self.boundaries, self.values, strict=False):
            if step <= boundary:
                return float(value)
        return float(self.values[-1])

    def get_config(self) -> dict[str, Any]:
        return {"boundaries": self.boundaries, "values": self.values, "name": self.name}


class PolynomialDecay(LearningRateSchedule):
    """From ``initial_learning_rate`` to ``end_learning_rate`` in ``decay_steps`` steps::

        p = min(step, decay_steps) / decay_steps
        lr = (initial - end) * (1 - p) ^ power + end

    With ``cycle=True`` the decay restarts: ``decay_steps`` is multiplied by
    ``ceil(step / decay_steps)`` (1 at step 0) instead of capping the step.
    """

    def __init__(self, initial_learning_rate: float, decay_steps: float,
                 end_learning_rate: float = 0.0001, power: float = 1.0, cycle: bool = False,
                 name: str = "PolynomialDecay") -> None:
        self.initial_learning_rate = initial_learning_rate
        self.decay_steps = decay_steps
        self.end_learning_rate = end_learning_rate
        self.power = power
        self.cycle = cycle
        self.name = name
        _check_decay_steps("decay_steps", decay_steps)

    def __call__(self, step: float) -> float:
        step = float(step)
        decay_steps = float(self.decay_steps)
        if self.cycle:
            # the first multiple of decay_steps at or above the step (1 at step 0)
            multiplier = 1.0 if step == 0 else math.ceil(step / decay_steps)
            decay_steps *= multiplier
        else:
            step = min(step, decay_steps)  # hold end_learning_rate after decay_steps
        p = step / decay_steps
        initial, end = float(self.initial_learning_rate), float(self.end_learning_rate)
        return (initial - end) * (1.0 - p) ** float(self.power) + end

    def get_config(self) -> dict[str, Any]:
        return {"initial_learning_rate": self.initial_learning_rate,
                "decay_steps": self.decay_steps, "end_learning_rate": self.end_learning_rate,
                "power": self.power, "cycle": self.cycle, "name": self.name}


class InverseTimeDecay(LearningRateSchedule):
    """``initial_learning_rate / (1 + decay_rate * step / decay_steps)`` (the fraction
    floored with ``staircase=True``)."""

    def __init__(self, initial_learning_rate: float, decay_steps: float, decay_rate: float,
                 staircase: bool = False, name: str = "InverseTimeDecay") -> None:
        self.initial_learning_rate = initial_learning_rate
        self.decay_steps = decay_steps
        self.decay_rate = decay_rate
        self.staircase = staircase
        self.name = name
        _check_decay_steps("decay_steps", decay_steps)

    def __call__(self, step: float) -> float:
        p = float(step) / float(self.decay_steps)  # step / decay_steps
        if self.staircase:
            p = math.floor(p)
        return float(self.initial_learning_rate) / (1.0 + float(self.decay_rate) * p)

    def get_config(self) -> dict[str, Any]:
        return {"initial_learning_rate": self.initial_learning_rate,
                "decay_steps": self.decay_steps, "decay_rate": self.decay_rate,
                "staircase": self.staircase, "name": self.name}


class CosineDecay(LearningRateSchedule):
    """Cosine decay (Loshchilov & Hutter, 2017, without restarts), optional linear warm-up.

    Without warm-up (``warmup_target=None``), from ``lr0 = initial_learning_rate``::

        s = min(step, decay_steps)
        lr = lr0 * ((1 - alpha) * 0.5 * (1 + cos(pi s / decay_steps)) + alpha)

    With ``warmup_target`` the rate first rises linearly from ``initial_learning_rate`` to
    ``warmup_target`` over ``warmup_steps`` steps, then decays as above from
    ``warmup_target`` (``s`` counted from the end of the warm-up).
    """

    def __init__(self, initial_learning_rate: float, decay_steps: float, alpha: float = 0.0,
                 name: str = "CosineDecay", warmup_target: float | None = None,
                 warmup_steps: float = 0) -> None:
        self.initial_learning_rate = initial_learning_rate
        self.decay_steps = decay_steps
        self.alpha = alpha
        self.name = name
        self.warmup_steps = warmup_steps
        self.warmup_target = warmup_target
        _check_decay_steps("decay_steps", decay_steps)

    def _decay(self, step: float, decay_steps: float, decay_from: float) -> float:
        fraction = step / decay_steps
        cosine = 0.5 * (1.0 + math.cos(math.pi * fraction))  # 0.5 (1 + cos(pi s / T))
        alpha = float(self.alpha)
        return decay_from * ((1.0 - alpha) * cosine + alpha)

    def __call__(self, step: float) -> float:
        step = float(step)
        decay_steps = float(self.decay_steps)
        initial = float(self.initial_learning_rate)
        if self.warmup_target is None:
            return self._decay(min(step, decay_steps), decay_steps, initial)
        target, warmup_steps = float(self.warmup_target), float(self.warmup_steps)
        step = min(step, decay_steps + warmup_steps)
        if step < warmup_steps:  # linear warm-up from initial to target
            return (target - initial) * (step / warmup_steps) + initial
        return self._decay(step - warmup_steps, decay_steps, target)

    def get_config(self) -> dict[str, Any]:
        return {"initial_learning_rate": self.initial_learning_rate,
                "decay_steps": self.decay_steps, "alpha": self.alpha, "name": self.name,
                "warmup_target": self.warmup_target, "warmup_steps": self.warmup_steps}


class CosineDecayRestarts(LearningRateSchedule):
    """Cosine decay with warm restarts (SGDR, Loshchilov & Hutter, 2017).

    Period ``i`` lasts ``first_decay_steps * t_mul^i`` steps and starts from
    ``initial_learning_rate * m_mul^i``; within a period, with ``f`` the completed
    fraction of it::

        lr = initial_learning_rate * ((1 - alpha) * m_mul^i * 0.5 * (1 + cos(pi f)) + alpha)
    """

    def __init__(self, initial_learning_rate: float, first_decay_steps: float,
                 t_mul: float = 2.0, m_mul: float = 1.0, alpha: float = 0.0,
                 name: str = "SGDRDecay") -> None:
        self.initial_learning_rate = initial_learning_rate
        self.first_decay_steps = first_decay_steps
        self._t_mul = t_mul
        self._m_mul = m_mul
        self.alpha = alpha
        self.name = name
        _check_decay_steps("first_decay_steps", first_decay_steps)

    def __call__(self, step: float) -> float:
        t_mul, m_mul, alpha = float(self._t_mul), float(self._m_mul), float(self.alpha)
        fraction = float(step) / float(self.first_decay_steps)
        if t_mul == 1.0:  # equal periods
            restart = math.floor(fraction)
            fraction -= restart
        else:
            # periods grow geometrically: i = floor(log(1 - f (1 - t_mul)) / log(t_mul)),
            # and the steps before period i sum to (1 - t_mul^i) / (1 - t_mul) periods
            restart = math.floor(math.log(1.0 - fraction * (1.0 - t_mul)) / math.log(t_mul))
            done = (1.0 - t_mul**restart) / (1.0 - t_mul)
            fraction = (fraction - done) / t_mul**restart
        cosine = 0.5 * m_mul**restart * (1.0 + math.cos(math.pi * fraction))
        return float(self.initial_learning_rate) * ((1.0 - alpha) * cosine + alpha)

    def get_config(self) -> dict[str, Any]:
        return {"initial_learning_rate": self.initial_learning_rate,
                "first_decay_steps": self.first_decay_steps, "t_mul": self._t_mul,
                "m_mul": self._m_mul, "alpha": self.alpha, "name": self.name}


_SCHEDULES: dict[str, type[LearningRateSchedule]] = {
    cls.__name__: cls
    for cls in (ExponentialDecay, PiecewiseConstantDecay, PolynomialDecay, InverseTimeDecay,
                CosineDecay, CosineDecayRestarts)
}


def serialize(learning_rate_schedule: LearningRateSchedule) -> dict[str, Any]:
    """The schedule as Keras serializes it: ``{"module", "class_name", "config",
    "registered_name"}`` (what a ``.keras`` file's optimizer config holds)."""
    return {"module": "keras.optimizers.schedules",
            "class_name": type(learning_rate_schedule).__name__,
            "config": learning_rate_schedule.get_config(),
            "registered_name": None}


def deserialize(config: dict[str, Any],
                custom_objects: dict[str, Any] | None = None) -> LearningRateSchedule:
    """The schedule that :func:`serialize` (or Keras) describes.

    Args:
        config: a dict with ``"class_name"`` and ``"config"``.
        custom_objects: extra ``{name: class}`` for user-defined schedules.

    Raises:
        ValueError: an unknown class name.
    """
    known = {**_SCHEDULES, **(custom_objects or {})}
    name = config.get("class_name")
    cls = known.get(name) or known.get(config.get("registered_name") or "")
    if cls is None:
        raise ValueError(f"Could not interpret learning-rate schedule {name!r}; known: "
                         f"{', '.join(sorted(known))}")
    return cls.from_config(dict(config.get("config", {})))
