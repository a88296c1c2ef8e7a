"""Argument checks shared by the optimizers, the learning-rate schedules and ``nn``'s
training arguments, so that a bad setting fails at once with one kind of message.

Every check raises before any work is done, naming the owner, the argument, what was
expected and what was received:

* a value of the wrong type (a string, None, a bool where a number is meant, a complex
  number, a float where a count is meant) is a ``TypeError``;
* a number that is NaN, infinite or out of range is a ``ValueError``.

::

    check_real("Adam", "lr", lr, minimum=0.0)          # TypeError for "0.1", ValueError for nan
    check_int("fit", "epochs", epochs, minimum=0)      # TypeError for 2.5, ValueError for -1
"""

from __future__ import annotations

import math
import numbers
from typing import Any

import numpy as np

__all__ = ["check_real", "check_int", "check_flag", "describe"]


def describe(value: Any) -> str:
    """``repr(value)`` with its type, shortened: what an error message says it received."""
    text = repr(value)
    if len(text) > 80:
        text = text[:77] + "..."
    return f"{text} ({type(value).__name__})"


def _is_bool(value: Any) -> bool:
    return isinstance(value, bool | np.bool_)


def check_real(
    owner: str,
    name: str,
    value: Any,
    *,
    minimum: float | None = None,
    maximum: float | None = None,
    min_open: bool = False,
    max_open: bool = False,
    hint: str = "",
) -> float:
    """``value`` as a finite Python float in the given range, else a clear error.

    Args:
        owner: who takes the argument (``"Adam"``, ``"fit"``), first in the message.
        name: the argument's name as the user spells it.
        value: what was given: a Python or NumPy real number (bools are refused: ``lr=True``
            is a mistake, not 1.0).
        minimum, maximum: the bounds (None: unbounded); ``min_open``/``max_open`` exclude them.
        hint: added to the ValueError's message (why the range is what it is).

    Raises:
        TypeError: not a real number.
        ValueError: NaN, infinite, or outside the range.
    """
    if _is_bool(value) or not isinstance(value, numbers.Real):
        raise TypeError(f"{owner}: {name} must be a real number, got {describe(value)}")
    number = float(value)
    expected = _range_text(minimum, maximum, min_open, max_open)
    below = minimum is not None and (number < minimum or (min_open and number == minimum))
    above = maximum is not None and (number > maximum or (max_open and number == maximum))
    if not math.isfinite(number) or below or above:
        raise ValueError(
            f"{owner}: {name} must be a finite number{expected}, got {number!r}"
            + (f" ({hint})" if hint else "")
        )
    return number


def _range_text(
    minimum: float | None, maximum: float | None, min_open: bool, max_open: bool
) -> str:
    if minimum is not None and maximum is not None:
        left, right = "(" if min_open else "[", ")" if max_open else "]"
        return f" in {left}{minimum:g}, {maximum:g}{right}"
    if minimum is not None:
        return f" {'>' if min_open else '>='} {minimum:g}"
    if maximum is not None:
        return f" {'<' if max_open else '<='} {maximum:g}"
    return ""


def check_int(owner: str, name: str, value: Any, *, minimum: int | None = None) -> int:
    """``value`` as a Python int ``>= minimum``, else a clear error.

    Python and NumPy integers are accepted; floats are refused even when integral
    (``epochs=2.0``), as ``range`` refuses them, and so are bools.

    Raises:
        TypeError: not an integer.
        ValueError: below ``minimum``.
    """
    if _is_bool(value) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{owner}: {name} must be an integer, got {describe(value)}")
    number = int(value)
    if minimum is not None and number < minimum:
        raise ValueError(f"{owner}: {name} must be an integer >= {minimum}, got {number}")
    return number


def check_flag(owner: str, name: str, value: Any) -> bool:
    """``value`` as a bool (Python or NumPy), else a TypeError: ``nesterov="no"`` would
    otherwise count as True."""
    if not _is_bool(value):
        raise TypeError(f"{owner}: {name} must be True or False, got {describe(value)}")
    return bool(value)
