"""What every part of the Keras formats shares: the error, the limits against
crafted files, which paths are Keras files, and h5py (imported only when needed).
"""

from __future__ import annotations

import os
from typing import Any

#: the Keras release whose format this module writes (``metadata.json``) and is tested with
KERAS_VERSION = "3.15.1"

CONFIG_MEMBER = "config.json"
METADATA_MEMBER = "metadata.json"
WEIGHTS_MEMBER = "model.weights.h5"

# A config or metadata member is a few kilobytes; anything near this is not a Keras file.
_MAX_JSON_BYTES = 64 * 2**20
# Zip and HDF5 "bombs": a member or dataset declaring far more bytes than it stores. Real
# Keras files store their weights uncompressed, so a large expansion means a crafted file
# (the limits follow Keras' own guards in saving_lib).
_MAX_EXPANSION = 1000
_ZIP_BOMB_FLOOR = 2**28
_DATASET_BOMB_FLOOR = 2**26


class KerasFormatError(ValueError):
    """A Keras file, or a model to be written as one, uses something this project cannot
    translate (the message names it), or the file does not match the model."""


class _Untranslatable(Exception):
    """A compile setting without a counterpart: the compile configuration is skipped."""


def is_keras_path(path: Any) -> bool:
    """Whether ``path`` names a Keras file: ``*.keras`` (model), ``*.weights.h5``, or a
    legacy whole-model ``*.h5`` / ``*.hdf5``."""
    name = os.fspath(path).lower()
    return name.endswith((".keras", ".h5", ".hdf5"))


def is_legacy_path(path: Any) -> bool:
    """Whether ``path`` names a legacy whole-model HDF5 file (``.h5``/``.hdf5``, not
    ``.weights.h5``)."""
    name = os.fspath(path).lower()
    return name.endswith((".h5", ".hdf5")) and not name.endswith(".weights.h5")


def _h5py() -> Any:
    try:
        import h5py
    except ImportError as e:  # pragma: no cover - depends on the environment
        raise ImportError(
            "reading or writing Keras files (.keras, .weights.h5) needs h5py: "
            "pip install 'xpgrad[keras]'"
        ) from e
    return h5py


def _keras_object(module: str, class_name: str, config: Any) -> dict[str, Any]:
    """Keras' serialized form of an object (``serialize_keras_object``)."""
    return {"module": module, "class_name": class_name, "config": config, "registered_name": None}
