"""``save`` and ``load``: PyTorch's ``torch.save(model.state_dict(), "model.pth")`` and
``model.load_state_dict(torch.load("model.pth"))``, without pickle.

The file is a NumPy ``.npz`` archive (a zip of ``.npy`` arrays) whatever its name, with
one JSON entry, ``__xpgrad_index__``, that describes the saved object: nested dicts
(any order, str/int/float/bool/None keys), lists, tuples, numbers, strings, None,
Tensors (with their dtype, device and ``requires_grad``), NumPy arrays and device arrays
(an optimizer's state on a GPU, loaded back onto that device or ``map_location``). Such
data loads without running any code from the file (``allow_pickle=False``).

A whole model (``torch.save(model, PATH)``, or a dict holding one) is stored as a pickle,
as PyTorch stores it, and, as PyTorch 2.6+ does, ``load`` refuses it unless told
``weights_only=False``: unpickling runs code the file names, so only for files you trust.
Saving ``model.state_dict()`` stays the way that needs no trust. Other objects (a
function, an object array) are refused, naming where they were found.

``load`` also reads ``.safetensors`` files (a state dict saved by PyTorch with
``safetensors.torch.save_file``), without needing the safetensors package. A PyTorch
pickle (what ``torch.save`` writes) is refused with a message saying how to convert it.
"""

from __future__ import annotations

import io
import json
import os
import pickle
import struct
import tempfile
import zipfile
from collections.abc import Callable
from typing import Any, BinaryIO

import numpy as np

from backends import backend_of, device_of, get_backend, is_device_array

from .tensor import Tensor, _wrap

__all__ = ["load", "save"]

INDEX_KEY = "__xpgrad_index__"
PICKLE_KEY = "__xpgrad_pickle__"
FORMAT = "xpgrad.save"
VERSION = 1


def save(obj: Any, f: str | os.PathLike | BinaryIO, **_ignored: Any) -> None:
    """Write ``obj`` (a state dict: nested dicts, lists and tuples of Tensors, NumPy or
    device arrays, numbers, strings and None) to ``f``, a path with any extension or a
    binary file.

    A path is written atomically (a temporary file, then renamed), so a failed save leaves
    any previous file intact. Raises ``TypeError`` for what it cannot store.
    """
    arrays: dict[str, np.ndarray] = {}
    try:
        index: dict[str, Any] = {"format": FORMAT, "version": VERSION,
                                 "root": _encode(obj, arrays, "obj")}  # fmt: skip
    except TypeError as not_data:  # a whole model: a pickle, as PyTorch writes it
        if not _holds_a_module(obj):
            raise
        arrays = {PICKLE_KEY: np.frombuffer(_pickled(obj, not_data), dtype=np.uint8)}
        index = {"format": FORMAT, "version": VERSION, "pickled": True}
    payload = json.dumps(index).encode("utf-8")
    arrays[INDEX_KEY] = np.frombuffer(payload, dtype=np.uint8)
    if isinstance(f, str | os.PathLike):
        _write_atomically(os.fspath(f), lambda out: np.savez(out, **arrays))
    else:
        np.savez(f, **arrays)


def load(
    f: str | os.PathLike | BinaryIO, map_location: Any = None, weights_only: bool | None = None,
    **_ignored: Any,
) -> Any:  # fmt: skip
    """Read what ``save`` wrote (or a ``.safetensors`` file: a dict of Tensors).

    Tensors and device arrays go back to the device they were saved from, or to
    ``map_location`` (a device
    name or ``device``; a dict ``{"cuda:0": "cpu"}`` maps devices one by one).
    ``weights_only``: data (state dicts) loads whatever it says. A file holding a whole
    model (a pickle, see the module doc) loads only with ``weights_only=False``, as in
    PyTorch 2.6+; ``map_location`` then moves the model (``.to()``).
    """
    data = _read_bytes(f)
    if data[:4] == b"PK\x03\x04":
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = archive.namelist()
        if f"{INDEX_KEY}.npy" not in names:
            if any(name.endswith("data.pkl") for name in names):
                raise ValueError(
                    "load: this is a PyTorch pickle file (written by torch.save), which is "
                    "not read here because unpickling can run arbitrary code. Convert it once "
                    "with PyTorch: safetensors.torch.save_file(torch.load(path), "
                    "'model.safetensors'), then load that file."
                )
            raise ValueError(f"load: not a file written by autograd.save (entries {names[:5]})")
        with np.load(io.BytesIO(data), allow_pickle=False) as npz:
            arrays = {name: npz[name] for name in npz.files}
        index = json.loads(arrays.pop(INDEX_KEY).tobytes().decode("utf-8"))
        if index.get("format") != FORMAT:
            raise ValueError(f"load: unknown format {index.get('format')!r}")
        if index.get("version", 0) > VERSION:
            raise ValueError(
                f"load: the file has format version {index['version']}; this xpgrad reads "
                f"up to {VERSION}"
            )
        if index.get("pickled"):
            return _unpickled(arrays[PICKLE_KEY].tobytes(), weights_only, map_location)
        return _decode(index["root"], arrays, map_location)
    if len(data) >= 9 and data[8:9] == b"{":
        return _read_safetensors(data, map_location)
    raise ValueError(
        "load: not a file written by autograd.save (an npz archive) or a .safetensors file"
    )


# ----------------------------------------------------------------- whole objects (pickles)
def _holds_a_module(obj: Any) -> bool:
    """Whether ``obj`` is, or holds in its dicts, lists and tuples, a module (anything with
    ``state_dict`` and ``parameters``): the objects saved whole, as pickles."""
    if hasattr(obj, "state_dict") and hasattr(obj, "parameters"):
        return True
    if isinstance(obj, dict):
        return any(_holds_a_module(v) for v in obj.values())
    if isinstance(obj, list | tuple):
        return any(_holds_a_module(v) for v in obj)
    return False


def _pickled(obj: Any, not_data: TypeError) -> bytes:
    try:
        return pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL)
    except (pickle.PicklingError, TypeError, AttributeError) as error:
        raise TypeError(
            f"{not_data}; as a pickle it fails too ({type(error).__name__}: {error}). Save "
            "model.state_dict() and rebuild the model in code to load it"
        ) from None


def _unpickled(payload: bytes, weights_only: bool | None, map_location: Any) -> Any:
    if weights_only is not False:
        raise pickle.UnpicklingError(
            "load: weights only load failed: this file holds a whole object (a model), "
            "stored as a pickle. torch.load(path, weights_only=False) unpickles it, which "
            "runs code the file names: do it only for a file you trust (as PyTorch 2.6+ "
            "asks). Saving model.state_dict() instead needs no trust."
        )
    obj = pickle.loads(payload)  # noqa: S301 - the caller said weights_only=False
    if map_location is not None and not isinstance(map_location, dict) and hasattr(obj, "to"):
        obj = obj.to(map_location)
    return obj


# ----------------------------------------------------------------- the JSON index
def _encode(value: Any, arrays: dict[str, np.ndarray], where: str) -> Any:
    if value is None or isinstance(value, bool | str):
        return value
    if isinstance(value, int | float):
        return value  # json writes inf and nan as Infinity and NaN, and reads them back
    if isinstance(value, np.generic):
        return _encode(value.item(), arrays, where)
    if isinstance(value, Tensor):
        key = f"a{len(arrays)}"
        arrays[key] = _host_array(value.array, where)
        return {"tensor": key, "device": str(value.device), "requires_grad": value.requires_grad}
    if isinstance(value, np.ndarray) or is_device_array(value):
        key = f"a{len(arrays)}"
        arrays[key] = _host_array(value, where)
        if isinstance(value, np.ndarray):
            return {"array": key}
        return {"array": key, "device": device_of(value)}  # (an optimizer's state on a GPU)
    if isinstance(value, dict):
        items = []
        for k, v in value.items():
            if not (k is None or isinstance(k, str | int | float | bool)):
                raise TypeError(
                    f"save: cannot store the dict key {k!r} ({type(k).__name__}) at {where}; "
                    "keys must be strings, numbers, booleans or None"
                )
            items.append([k, _encode(v, arrays, f"{where}[{k!r}]")])
        return {"dict": items}
    if isinstance(value, list | tuple):
        encoded = [_encode(v, arrays, f"{where}[{i}]") for i, v in enumerate(value)]
        return {"tuple" if isinstance(value, tuple) else "list": encoded}
    hint = " (save model.state_dict(), not the model)" if hasattr(value, "state_dict") else ""
    raise TypeError(
        f"save: cannot store a {type(value).__name__} at {where}{hint}; only Tensors, NumPy "
        "arrays, numbers, strings, None and dicts/lists/tuples of them are saved as data"
    )


def _host_array(data: Any, where: str) -> np.ndarray:
    array = data if isinstance(data, np.ndarray) else backend_of(data).to_host(data)
    if array.dtype.kind not in "biufc":
        raise TypeError(f"save: cannot store an array of dtype {array.dtype} at {where}")
    return array


def _decode(node: Any, arrays: dict[str, np.ndarray], map_location: Any) -> Any:
    if not isinstance(node, dict):
        return node
    if "tensor" in node:
        array = arrays[node["tensor"]]
        t = _wrap(_placed(array, _target(node.get("device", "cpu"), map_location)))
        if node.get("requires_grad"):
            t.requires_grad_(True)
        return t
    if "array" in node:
        array = arrays[node["array"]]
        return array if "device" not in node else _placed(array, _target(node["device"],
                                                                         map_location))
    if "dict" in node:
        return {k: _decode(v, arrays, map_location) for k, v in node["dict"]}
    if "list" in node:
        return [_decode(v, arrays, map_location) for v in node["list"]]
    if "tuple" in node:
        return tuple(_decode(v, arrays, map_location) for v in node["tuple"])
    raise ValueError(f"load: unknown entry {sorted(node)} in the index")


def _target(saved: str, map_location: Any) -> str:
    if map_location is None:
        return saved
    if isinstance(map_location, dict):
        return str(map_location.get(saved, saved))
    if callable(map_location):
        raise TypeError("load: map_location as a function is not supported; give a device")
    return str(map_location)


def _placed(array: np.ndarray, device: str) -> Any:
    backend = get_backend(device)
    return array if backend.device == "cpu" else backend.from_host(array)


# ----------------------------------------------------------------- safetensors
_SAFETENSORS_DTYPES = {
    "F64": np.float64, "F32": np.float32, "F16": np.float16, "I64": np.int64,
    "I32": np.int32, "I16": np.int16, "I8": np.int8, "U8": np.uint8, "BOOL": np.bool_,
}  # fmt: skip


def _read_safetensors(data: bytes, map_location: Any) -> dict[str, Tensor]:
    (length,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8 : 8 + length].decode("utf-8"))
    body = memoryview(data)[8 + length :]
    device = "cpu" if map_location is None else _target("cpu", map_location)
    out: dict[str, Tensor] = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        kind = info["dtype"]
        begin, end = info["data_offsets"]
        raw = body[begin:end]
        if kind == "BF16":  # bfloat16: the high half of a float32
            halves = np.frombuffer(raw, dtype="<u2").astype(np.uint32) << 16
            array = halves.view(np.float32)
        elif kind in _SAFETENSORS_DTYPES:
            array = np.frombuffer(raw, dtype=np.dtype(_SAFETENSORS_DTYPES[kind]).newbyteorder("<"))
        else:
            raise ValueError(f"load: tensor {name!r} has dtype {kind}, which is not supported")
        array = array.reshape(info["shape"]).astype(array.dtype.newbyteorder("="), copy=True)
        out[name] = _wrap(_placed(array, device))
    return out


# ----------------------------------------------------------------- files
def _read_bytes(f: Any) -> bytes:
    if isinstance(f, str | os.PathLike):
        with open(f, "rb") as handle:
            return handle.read()
    return f.read()


def _write_atomically(path: str, write: Callable[[BinaryIO], None]) -> None:
    directory = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(dir=directory, prefix=".tmp-", suffix=".xpgrad")
    try:
        with os.fdopen(fd, "wb") as out:
            write(out)
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.remove(tmp)
        raise
