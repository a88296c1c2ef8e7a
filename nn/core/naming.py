"""Keras' automatic object names: ``dense``, ``dense_1``, ``dense_2``... per process.

Keras 3 names every layer (and model, and symbolic tensor) when it is made, from one
counter per base name shared by the whole process: the third ``Dense()`` a program makes is
``dense_2``, whichever model it ends up in. ``keras.backend.clear_session()`` restarts the
counters. Textbook output depends on it (a two-output functional model logs
``dense_8_loss`` when eight Dense layers were made before its output layer), so this
project names objects the same way.
"""

from __future__ import annotations

import collections
import re

_COUNTS: collections.defaultdict[str, int] = collections.defaultdict(int)


def snake_case(class_name: str) -> str:
    """Keras' ``to_snake_case``: ``Dense`` -> ``dense``, ``ReLU`` -> ``re_lu``,
    ``BatchNormalization`` -> ``batch_normalization``."""
    name = re.sub(r"\W+", "", class_name)
    name = re.sub(r"(.)([A-Z][a-z]+)", r"\1_\2", name)
    return re.sub(r"([a-z])([A-Z])", r"\1_\2", name).lower()


def auto_name(base: str) -> str:
    """The next free name for ``base`` in this process: ``base``, then ``base_1``,
    ``base_2``... (Keras' ``uniquify``; names given explicitly do not count)."""
    count = _COUNTS[base]
    _COUNTS[base] += 1
    return base if count == 0 else f"{base}_{count}"


def reset_names() -> None:
    """Restart every counter (part of ``keras.backend.clear_session()``)."""
    _COUNTS.clear()
