"""Making tensors, PyTorch's way: ``tensor``, ``zeros``, ``ones``, ``full``, ``empty``, ``eye``,
``arange``, ``linspace``, ``logspace``, ``rand``, ``randn``, ``randint``, ``randperm``, the
``*_like`` forms, ``from_numpy`` and ``as_tensor``.

Every factory takes ``dtype=``, ``device=`` and ``requires_grad=`` as PyTorch's do. New
tensors go to the default device (``set_default_device``) unless ``device`` says
otherwise; floating ones get the default dtype (``set_default_dtype``, float32) unless
``dtype`` says otherwise. Random tensors are drawn on their device from its generator,
which ``autograd.manual_seed`` seeds (the numbers are NumPy's, not PyTorch's).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from backends import Backend, backend_of, get_backend, is_device_array

from .defaults import _Defaults, _Device
from .dtypes import as_dtype
from .generator import generator_for
from .tensor import Tensor, _wrap, from_array

__all__ = [
    "BoolTensor", "ByteTensor", "DoubleTensor", "FloatTensor", "HalfTensor", "IntTensor",
    "LongTensor", "Variable",
    "arange", "as_tensor", "empty", "empty_like", "eye", "from_numpy", "full", "full_like",
    "linspace", "logspace", "normal", "ones", "ones_like", "rand", "rand_like", "randint",
    "randint_like", "randn", "randn_like", "randperm", "tensor", "zeros", "zeros_like",
]  # fmt: skip


def size_of(size: Sequence[Any]) -> tuple[int, ...]:
    """A shape from PyTorch's two spellings: ``zeros(2, 3)`` and ``zeros((2, 3))``."""
    if len(size) == 1 and isinstance(size[0], Sequence | np.ndarray):
        size = tuple(size[0])
    return tuple(int(n) for n in size)


def _backend(device: Any) -> Backend:
    return _Device.backend if device is None else get_backend(device)


def _float_dtype(dtype: Any) -> np.dtype:
    return _Defaults.dtype if dtype is None else as_dtype(dtype)


def _made(array: Any, requires_grad: bool) -> Tensor:
    t = _wrap(array)
    if requires_grad:
        t.requires_grad_(True)
    return t


def tensor(data: Any, dtype: Any = None, device: Any = None, requires_grad: bool = False) -> Tensor:
    """A new tensor holding a copy of ``data`` (nested lists, numbers, NumPy arrays, tensors).

    As ``torch.tensor``: Python floats become the default dtype (float32), Python ints
    int64 and bools bool; NumPy arrays keep their dtype. Always copies.
    """
    if isinstance(data, Tensor):
        data = data.array
    elif isinstance(data, list | tuple) and _holds_tensors(data):
        data = _nested_values(data)
    dtype = None if dtype is None else as_dtype(dtype)
    if is_device_array(data):
        array = data.astype(dtype or data.dtype, copy=True)
        target = None if device is None else get_backend(device)
        if target is not None and not target.owns(array):
            array = target.from_host(backend_of(array).to_host(array)) if target.device != "cpu" \
                else backend_of(array).to_host(array)  # fmt: skip
        return _made(array, requires_grad)
    array = np.array(data, dtype=dtype)  # a copy
    if dtype is None and array.dtype.kind == "f" and not isinstance(data, np.ndarray | np.generic):
        array = array.astype(_Defaults.dtype)
    return _made(_backend(device).from_host(array), requires_grad)


def _holds_tensors(data: Sequence) -> bool:
    return any(isinstance(d, Tensor) or (isinstance(d, list | tuple) and _holds_tensors(d))
               for d in data)  # fmt: skip


def _nested_values(data: Any) -> Any:
    # tensor([t1, t2]) with 0-d tensors (or lists of them): their values, on the host
    if isinstance(data, Tensor):
        return data.tolist()
    if isinstance(data, list | tuple):
        return [_nested_values(d) for d in data]
    return data


def as_tensor(data: Any, dtype: Any = None, device: Any = None) -> Tensor:
    """``data`` as a tensor, sharing memory where it can (a tensor or an array of the right
    dtype already on the device), else converted as ``Tensor(data)`` does."""
    if isinstance(data, Tensor):
        out = data
        if device is not None:
            out = out.to(device)
        return out if dtype is None else out.to(as_dtype(dtype))
    return Tensor(data, dtype=None if dtype is None else as_dtype(dtype), device=device)


def from_numpy(ndarray: np.ndarray) -> Tensor:
    """A CPU tensor sharing ``ndarray``'s memory (writes to either reach the other), as
    ``torch.from_numpy``. Keeps the dtype (float64 stays float64)."""
    if not isinstance(ndarray, np.ndarray):
        raise TypeError(f"expected np.ndarray (got {type(ndarray).__name__})")
    return from_array(ndarray)


def full(size: Any, fill_value: Any, *, dtype: Any = None, device: Any = None,
         requires_grad: bool = False) -> Tensor:  # fmt: skip
    """A tensor of shape ``size`` filled with ``fill_value``; the dtype follows the value
    (float: the default dtype, int: int64, bool: bool) unless ``dtype`` is given."""
    if isinstance(fill_value, Tensor):
        fill_value = fill_value.item()
    if dtype is None:
        if isinstance(fill_value, bool | np.bool_):
            dtype = np.bool_
        elif isinstance(fill_value, int | np.integer):
            dtype = np.int64
        else:
            dtype = _Defaults.dtype
    shape = size_of((size,)) if not isinstance(size, int) else (size,)
    xp = _backend(device).xp
    return _made(xp.full(shape, fill_value, dtype=as_dtype(dtype)), requires_grad)


def zeros(*size: Any, dtype: Any = None, device: Any = None,
          requires_grad: bool = False) -> Tensor:  # fmt: skip
    """Zeros of shape ``size`` (``zeros(2, 3)`` or ``zeros((2, 3))``), default float dtype."""
    xp = _backend(device).xp
    return _made(xp.zeros(size_of(size), dtype=_float_dtype(dtype)), requires_grad)


def ones(*size: Any, dtype: Any = None, device: Any = None,
         requires_grad: bool = False) -> Tensor:  # fmt: skip
    """Ones of shape ``size``, default float dtype."""
    xp = _backend(device).xp
    return _made(xp.ones(size_of(size), dtype=_float_dtype(dtype)), requires_grad)


def empty(*size: Any, dtype: Any = None, device: Any = None,
          requires_grad: bool = False) -> Tensor:  # fmt: skip
    """An uninitialised tensor of shape ``size`` (its values are whatever memory held)."""
    xp = _backend(device).xp
    return _made(xp.empty(size_of(size), dtype=_float_dtype(dtype)), requires_grad)


def eye(n: int, m: int | None = None, *, dtype: Any = None, device: Any = None,
        requires_grad: bool = False) -> Tensor:  # fmt: skip
    """The n x m identity matrix (m = n by default)."""
    xp = _backend(device).xp
    return _made(xp.eye(n, n if m is None else m, dtype=_float_dtype(dtype)), requires_grad)


def arange(start: Any, end: Any = None, step: Any = 1, *, dtype: Any = None,
           device: Any = None, requires_grad: bool = False) -> Tensor:  # fmt: skip
    """Values from ``start`` (0 when only ``end`` is given) up to, not including, ``end``,
    ``step`` apart: int64 for integer arguments, else the default float dtype."""
    if end is None:
        start, end = 0, start
    values = [v.item() if isinstance(v, Tensor) else v for v in (start, end, step)]
    if dtype is None:
        integral = all(isinstance(v, int | np.integer) for v in values)
        dtype = np.int64 if integral else _Defaults.dtype
    dtype = as_dtype(dtype)
    start, end, step = values
    n = max(math.ceil((end - start) / step), 0)
    # computed in float64 then cast, as PyTorch does: start + i * step
    array = (start + np.arange(n, dtype=np.float64) * step) if dtype.kind == "f" else \
        np.arange(start, end, step)  # fmt: skip
    return _made(_backend(device).from_host(array.astype(dtype)), requires_grad)


def linspace(start: Any, end: Any, steps: int, *, dtype: Any = None, device: Any = None,
             requires_grad: bool = False) -> Tensor:  # fmt: skip
    """``steps`` evenly spaced values from ``start`` to ``end`` inclusive.

    Computed as PyTorch does: step = (end - start) / (steps - 1) in the output dtype,
    the first half as start + i step and the second half as end - (steps - 1 - i) step,
    so the values agree with ``torch.linspace`` bit for bit.
    """
    dtype = _float_dtype(dtype)
    start = start.item() if isinstance(start, Tensor) else start
    end = end.item() if isinstance(end, Tensor) else end
    array = _linspace(start, end, int(steps), dtype)
    return _made(_backend(device).from_host(array), requires_grad)


def _linspace(start: float, end: float, steps: int, dtype: np.dtype) -> np.ndarray:
    if steps < 0:
        raise ValueError(f"linspace: number of steps must be non-negative, got {steps}")
    if steps <= 1:
        return np.full((steps,), start, dtype=dtype)
    if dtype.kind != "f":
        return np.linspace(start, end, steps).astype(dtype)
    one = dtype.type
    step = (one(end) - one(start)) / one(steps - 1)
    # PyTorch's kernel uses fused multiply-adds (one rounding): computed here in a wider
    # type (the product step * i is exact there), then rounded once to ``dtype``
    wide = np.float64 if dtype.itemsize < 8 else np.longdouble
    i = np.arange(steps)
    half = steps // 2
    out = np.empty(steps, dtype=dtype)
    out[:half] = wide(one(start)) + wide(step) * i[:half].astype(wide)
    out[half:] = wide(one(end)) - wide(step) * (steps - 1 - i[half:]).astype(wide)
    return out


def logspace(start: Any, end: Any, steps: int, base: float = 10.0, *, dtype: Any = None,
             device: Any = None, requires_grad: bool = False) -> Tensor:  # fmt: skip
    """``base ** linspace(start, end, steps)``."""
    dtype = _float_dtype(dtype)
    array = np.power(base, _linspace(start, end, int(steps), np.dtype(np.float64)))
    return _made(_backend(device).from_host(array.astype(dtype)), requires_grad)


def rand(*size: Any, dtype: Any = None, device: Any = None, requires_grad: bool = False,
         generator: Any = None) -> Tensor:  # fmt: skip
    """Draws from U[0, 1) of shape ``size``."""
    backend = _backend(device)
    dtype = _float_dtype(dtype)
    rng = generator_for(generator, backend, "rand")
    return _made(_draw(rng.random, size_of(size), dtype), requires_grad)


def randn(*size: Any, dtype: Any = None, device: Any = None, requires_grad: bool = False,
          generator: Any = None) -> Tensor:  # fmt: skip
    """Draws from the standard normal distribution N(0, 1), of shape ``size``."""
    backend = _backend(device)
    dtype = _float_dtype(dtype)
    rng = generator_for(generator, backend, "randn")
    return _made(_draw(rng.standard_normal, size_of(size), dtype), requires_grad)


def normal(mean: Any = 0.0, std: Any = 1.0, size: Any = None, *, dtype: Any = None,
           device: Any = None, requires_grad: bool = False,
           generator: Any = None) -> Tensor:  # fmt: skip
    """Draws from N(mean, std**2): ``normal(0, 0.01, (2, 1))`` with numbers and a size, or
    elementwise with tensor ``mean``/``std`` (broadcast), as ``torch.normal``."""
    tensors = [v for v in (mean, std) if isinstance(v, Tensor)]
    if tensors:
        like = tensors[0]
        shape = np.broadcast_shapes(*(v.shape for v in tensors))
        draw = randn(shape, dtype=like.dtype if dtype is None else dtype,
                     device=like.device if device is None else device,
                     generator=generator)  # fmt: skip
        out = draw * std + mean
        out = _wrap(out.array)
    else:
        if size is None:
            raise TypeError("normal: give a size with number mean and std")
        draw = randn(size_of((size,)), dtype=dtype, device=device, generator=generator)
        out = _wrap(draw.array * std + mean)
    if requires_grad:
        out.requires_grad_(True)
    return out


def _draw(method: Any, shape: tuple[int, ...], dtype: np.dtype) -> Any:
    if dtype in (np.float32, np.float64):
        return method(shape, dtype=dtype)
    return method(shape, dtype=np.float64).astype(dtype)


def randint(*args: Any, size: Any = None, dtype: Any = None, device: Any = None,
            requires_grad: bool = False, generator: Any = None) -> Tensor:  # fmt: skip
    """Integers drawn uniformly from [low, high): ``randint(high, size)`` or
    ``randint(low, high, size)``; int64 unless ``dtype`` says otherwise."""
    if size is None:
        *bounds, size = args
    else:
        bounds = list(args)
    low, high = (0, bounds[0]) if len(bounds) == 1 else bounds
    backend = _backend(device)
    rng = generator_for(generator, backend, "randint")
    draws = rng.integers(low, high, size=size_of((size,)), dtype=np.int64)
    return _made(draws.astype(as_dtype(dtype or np.int64), copy=False), requires_grad)


def randperm(n: int, *, dtype: Any = None, device: Any = None, requires_grad: bool = False,
             generator: Any = None) -> Tensor:  # fmt: skip
    """A random permutation of 0..n-1 (int64)."""
    backend = _backend(device)
    rng = generator_for(generator, backend, "randperm")
    if hasattr(rng, "permutation"):
        order = rng.permutation(int(n))
    else:  # CuPy's Generator has no permutation: the order that sorts n uniform draws
        order = backend.xp.argsort(rng.random(int(n)))
    return _made(order.astype(as_dtype(dtype or np.int64)), requires_grad)


# ----------------------------------------------------------------- the *_like forms
def _like(input: Tensor, dtype: Any, device: Any) -> dict[str, Any]:
    return {
        "dtype": input.dtype if dtype is None else dtype,
        "device": input.device if device is None else device,
    }


def zeros_like(input: Tensor, *, dtype: Any = None, device: Any = None,
               requires_grad: bool = False) -> Tensor:  # fmt: skip
    """Zeros with ``input``'s shape, dtype and device."""
    return zeros(input.shape, requires_grad=requires_grad, **_like(input, dtype, device))


def ones_like(input: Tensor, *, dtype: Any = None, device: Any = None,
              requires_grad: bool = False) -> Tensor:  # fmt: skip
    """Ones with ``input``'s shape, dtype and device."""
    return ones(input.shape, requires_grad=requires_grad, **_like(input, dtype, device))


def empty_like(input: Tensor, *, dtype: Any = None, device: Any = None,
               requires_grad: bool = False) -> Tensor:  # fmt: skip
    """An uninitialised tensor with ``input``'s shape, dtype and device."""
    return empty(input.shape, requires_grad=requires_grad, **_like(input, dtype, device))


def full_like(input: Tensor, fill_value: Any, *, dtype: Any = None, device: Any = None,
              requires_grad: bool = False) -> Tensor:  # fmt: skip
    """``fill_value`` everywhere, with ``input``'s shape, dtype and device."""
    return full(input.shape, fill_value, requires_grad=requires_grad,
                **_like(input, dtype, device))  # fmt: skip


def rand_like(input: Tensor, *, dtype: Any = None, device: Any = None,
              requires_grad: bool = False) -> Tensor:  # fmt: skip
    """U[0, 1) draws with ``input``'s shape, dtype and device."""
    return rand(input.shape, requires_grad=requires_grad, **_like(input, dtype, device))


def randn_like(input: Tensor, *, dtype: Any = None, device: Any = None,
               requires_grad: bool = False) -> Tensor:  # fmt: skip
    """N(0, 1) draws with ``input``'s shape, dtype and device."""
    return randn(input.shape, requires_grad=requires_grad, **_like(input, dtype, device))


def randint_like(input: Tensor, low: int = 0, high: int | None = None, *, dtype: Any = None,
                 device: Any = None, requires_grad: bool = False) -> Tensor:  # fmt: skip
    """Integers from [low, high) with ``input``'s shape, dtype and device
    (``randint_like(x, high)`` or ``randint_like(x, low, high)``)."""
    if high is None:
        low, high = 0, low
    return randint(low, high, input.shape, requires_grad=requires_grad,
                   **_like(input, dtype, device))  # fmt: skip


# ----------------------------------------------------------------- PyTorch's legacy spellings
class LegacyTensorType:
    """``torch.FloatTensor`` and friends, from code older than ``torch.tensor``:
    ``FloatTensor([1, 2])`` (data), ``FloatTensor(2, 3)`` (an uninitialised shape), and
    ``x.type(FloatTensor)`` (a cast: ``as_dtype`` reads ``.dtype``)."""

    def __init__(self, name: str, dtype: Any) -> None:
        self.__name__ = name
        self.dtype = np.dtype(dtype)

    def __call__(self, *args: Any, device: Any = None) -> Tensor:
        if len(args) == 1 and not isinstance(args[0], int):
            return tensor(args[0], dtype=self.dtype, device=device)
        return empty(*args, dtype=self.dtype, device=device)

    def __repr__(self) -> str:
        return f"<class 'torch.{self.__name__}'>"


FloatTensor = LegacyTensorType("FloatTensor", np.float32)
DoubleTensor = LegacyTensorType("DoubleTensor", np.float64)
HalfTensor = LegacyTensorType("HalfTensor", np.float16)
LongTensor = LegacyTensorType("LongTensor", np.int64)
IntTensor = LegacyTensorType("IntTensor", np.int32)
ByteTensor = LegacyTensorType("ByteTensor", np.uint8)
BoolTensor = LegacyTensorType("BoolTensor", np.bool_)


def Variable(data: Tensor, requires_grad: bool = False, volatile: bool = False) -> Tensor:  # noqa: N802
    """``torch.autograd.Variable``, from before Variables and Tensors merged: a tensor
    sharing ``data``'s memory that requires grad if asked (a new leaf)."""
    if not isinstance(data, Tensor):
        raise TypeError(f"Variable data has to be a tensor, but got {type(data).__name__}")
    out = _wrap(data.array)
    if requires_grad:
        out.requires_grad_(True)
    return out
