"""PyTorch's dtype names as NumPy dtypes: ``autograd.float32``, ``autograd.long``...

Tensors keep NumPy dtypes, so these are plain ``numpy.dtype`` objects:
``x.dtype == autograd.float32`` and ``x.type(autograd.float)`` work as in PyTorch,
and so does passing them to NumPy. ``as_dtype`` turns any spelling (these names,
NumPy dtypes and scalar types, strings such as ``"float32"`` or ``"torch.float32"``,
Python's ``float``/``int``/``bool``) into a ``numpy.dtype``.
"""

from __future__ import annotations

import builtins
from typing import Any

import numpy as np

float32 = np.dtype(np.float32)
float64 = np.dtype(np.float64)
float16 = np.dtype(np.float16)
int8 = np.dtype(np.int8)
int16 = np.dtype(np.int16)
int32 = np.dtype(np.int32)
int64 = np.dtype(np.int64)
uint8 = np.dtype(np.uint8)
bool_ = np.dtype(np.bool_)
complex64 = np.dtype(np.complex64)
complex128 = np.dtype(np.complex128)

# PyTorch's aliases. ``float``, ``int`` and ``bool`` shadow the builtins, so they are only
# exported from ``autograd``'s namespace (see ``TORCH_NAMES``), not used in this module.
TORCH_NAMES: dict[str, np.dtype] = {
    "float32": float32, "float": float32, "float64": float64, "double": float64,
    "float16": float16, "half": float16, "int8": int8, "int16": int16, "short": int16,
    "int32": int32, "int": int32, "int64": int64, "long": int64, "uint8": uint8,
    "bool": bool_, "complex64": complex64, "cfloat": complex64, "complex128": complex128,
    "cdouble": complex128,
}  # fmt: skip

# ``Tensor.type()`` names, as PyTorch prints them ("torch.FloatTensor").
_TENSOR_TYPE_NAMES: dict[np.dtype, str] = {
    float32: "FloatTensor", float64: "DoubleTensor", float16: "HalfTensor",
    int8: "CharTensor", int16: "ShortTensor", int32: "IntTensor", int64: "LongTensor",
    uint8: "ByteTensor", bool_: "BoolTensor",
}  # fmt: skip
_BY_TENSOR_TYPE = {name: dtype for dtype, name in _TENSOR_TYPE_NAMES.items()}


def as_dtype(dtype: Any) -> np.dtype:
    """``dtype`` in any spelling as a ``numpy.dtype``.

    Accepts NumPy dtypes and scalar types, the names above, strings (``"float32"``,
    ``"torch.float32"``, ``"torch.FloatTensor"``, ``"torch.cuda.LongTensor"``) and
    Python's ``float`` (float64, as in NumPy and PyTorch), ``int`` (int64) and ``bool``.
    """
    if isinstance(dtype, np.dtype):
        return dtype
    if type(dtype).__name__ == "LegacyTensorType":  # FloatTensor and friends
        return dtype.dtype
    if isinstance(dtype, str):
        name = dtype.removeprefix("torch.").removeprefix("cuda.")
        if name in _BY_TENSOR_TYPE:
            return _BY_TENSOR_TYPE[name]
        if name in TORCH_NAMES:
            return TORCH_NAMES[name]
    if dtype is builtins.int:
        return int64
    return np.dtype(dtype)


def is_dtype(value: Any) -> bool:
    """True if ``value`` names a dtype (as opposed to a device such as ``"cpu"``)."""
    if isinstance(value, np.dtype) or type(value).__name__ == "LegacyTensorType":
        return True
    if isinstance(value, type):
        return issubclass(value, np.generic) or value in (builtins.float, builtins.int,
                                                          builtins.bool)  # fmt: skip
    if isinstance(value, str):
        try:
            as_dtype(value)
        except TypeError:
            return False
        return True
    return False


def tensor_type_name(dtype: np.dtype, on_device: bool) -> str:
    """PyTorch's legacy type string for ``dtype``: ``"torch.FloatTensor"``,
    ``"torch.cuda.LongTensor"`` on a device."""
    name = _TENSOR_TYPE_NAMES.get(np.dtype(dtype), f"{np.dtype(dtype).name}Tensor")
    return f"torch.cuda.{name}" if on_device else f"torch.{name}"
