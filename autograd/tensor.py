"""``Tensor``: an array plus what reverse-mode differentiation needs to know about it."""

from __future__ import annotations

from typing import Any

import numpy as np

from backends import (
    Backend,
    backend_of,
    device_of,
    get_array_module,
    get_backend,
    is_device_array,
)

from .defaults import _Defaults
from .grad_mode import _GradMode


class Tensor:
    """An n-dimensional array (NumPy or CuPy) that can record the ops applied to it.

    ``Tensor(data, dtype=None, device=None, requires_grad=False)``

    * NumPy and CuPy arrays keep their dtype and are not copied (like ``torch.as_tensor``),
      unless ``dtype`` asks for another dtype or ``device`` for another device.
    * NumPy scalars are 0-d arrays of their own dtype (``np.float32(3)`` gives float32).
    * Python floats and float lists become the default dtype (float32); Python ints
      become int64 and bools bool, so labels stay integers. ``dtype=`` overrides this
      (``Tensor([[1, 2], [3, 4]], dtype="float64")``).
    * ``device=None`` puts Python data and NumPy arrays on the default device
      (``autograd.set_default_device``); a CuPy array stays on its GPU.
    * Only floating-point tensors can require grad. Integer or boolean tensors meeting
      a float tensor take its dtype; fed to real-valued ops (exp, log, mean, ``/``) they
      give the default float dtype, never float64.

    ``grad`` is filled by ``backward()`` for leaves that require grad; intermediate
    results keep no ``grad`` unless ``retain_grad()`` was called on them.
    """

    __slots__ = (
        "data",
        "grad",
        "requires_grad",
        "grad_fn",
        "generation",
        "_retains_grad",
        "_version",
        "__weakref__",
    )

    # NumPy must hand ``ndarray + tensor`` to ``Tensor.__radd__`` instead of looping over
    # the tensor element by element.
    __array_ufunc__ = None
    __array_priority__ = 1000

    def __init__(
        self,
        data: Any,
        dtype: Any = None,
        device: str | Backend | None = None,
        requires_grad: bool = False,
    ) -> None:
        if isinstance(data, Tensor):
            data = data.data
        target = get_backend(device) if device is not None else None
        if isinstance(data, np.ndarray | np.generic):
            array = np.asarray(data) if dtype is None else np.asarray(data, dtype=dtype)
            target = target or _Defaults.backend
        elif is_device_array(data):  # a CuPy (or stand-in) array: stays on its device
            array = data if dtype is None else data.astype(dtype, copy=False)
        else:
            array = np.asarray(data, dtype=dtype)
            if dtype is None and array.dtype.kind == "f":
                array = array.astype(_Defaults.dtype)
            target = target or _Defaults.backend
        if target is not None and not target.owns(array):
            array = (
                target.from_host(array)
                if target.device != "cpu"
                else backend_of(array).to_host(array)
            )
        self.data = array
        self.grad: Tensor | None = None
        self.grad_fn = None
        self.generation = 0
        self._retains_grad = False
        self._version = 0  # bumped by in-place updates; backward checks it
        self.requires_grad = False
        if requires_grad:
            self.requires_grad_(True)

    # ------------------------------------------------------------------ properties
    @property
    def shape(self) -> tuple[int, ...]:
        return self.data.shape

    @property
    def ndim(self) -> int:
        return self.data.ndim

    @property
    def size(self) -> int:
        return self.data.size

    @property
    def dtype(self) -> np.dtype:
        return self.data.dtype

    @property
    def device(self) -> str:
        """``"cpu"`` or ``"cuda:N"``."""
        return device_of(self.data)

    @property
    def is_leaf(self) -> bool:
        """True for tensors made by the user rather than by an op that records the graph."""
        return self.grad_fn is None

    @property
    def T(self) -> Tensor:
        """The tensor with its axes reversed."""
        return _ops.transpose(self)

    # ------------------------------------------------------------------ conversion
    def item(self) -> Any:
        """The value of a one-element tensor as a Python number (synchronises a GPU)."""
        if self.data.size != 1:
            raise ValueError(
                "item(): only one-element tensors convert to Python scalars, "
                f"got shape {self.shape}"
            )
        if not isinstance(self.data, np.ndarray):
            backend_of(self.data).check_errors()  # the host waits here anyway
        return self.data.item()

    def numpy(self, force: bool = False) -> np.ndarray:
        """The data as a NumPy array sharing this CPU tensor's memory, as PyTorch's
        ``numpy()``: writes to either reach the other. A tensor on a device raises
        ``TypeError`` (copy it with ``.cpu()`` first) unless ``force=True``, which copies."""
        data = self.data
        if isinstance(data, np.ndarray):
            return data.view()  # a new array object, the same memory
        if not force:
            raise TypeError(
                f"can't convert {self.device} device type tensor to numpy. Use Tensor.cpu() "
                "to copy the tensor to host memory first."
            )
        backend = backend_of(data)
        backend.check_errors()  # the host waits here anyway: raise what the device flagged
        return backend.to_host(data)

    def tolist(self) -> Any:
        """The values as (nested) Python lists and numbers, from any device."""
        data = self.data
        if not isinstance(data, np.ndarray):
            backend = backend_of(data)
            backend.check_errors()
            data = backend.to_host(data)
        return data.tolist()

    def __array__(self, dtype: Any = None, copy: bool | None = None) -> np.ndarray:
        # As PyTorch: NumPy may read a CPU tensor, but a GPU tensor is never copied
        # to the host behind the user's back (that would be a hidden device sync).
        if not isinstance(self.data, np.ndarray | np.generic):
            raise TypeError(
                f"cannot convert a {self.device} tensor to a NumPy array implicitly; "
                "call .cpu() first to copy it to the host"
            )
        return np.asarray(self.data, dtype=dtype)

    def detach(self) -> Tensor:
        """The same data, cut from the graph (shares memory)."""
        return _wrap(self.data)

    def to(self, target: Any) -> Tensor:
        """Move to a device (``"cpu"``, ``"cuda"``, ``"cuda:N"``) or cast to a dtype.

        Differentiable: gradients flow back to the source device or dtype.
        """
        if isinstance(target, str | Backend) and not _is_dtype_name(target):
            return _ops.to_device(self, target)
        return _ops.astype(self, target)

    def cpu(self) -> Tensor:
        return self.to("cpu")

    def cuda(self, index: int | None = None) -> Tensor:
        return self.to("cuda" if index is None else f"cuda:{index}")

    def astype(self, dtype: Any) -> Tensor:
        """Cast to ``dtype`` (differentiable between floating dtypes)."""
        return _ops.astype(self, dtype)

    # ------------------------------------------------------------------ autograd
    def requires_grad_(self, requires_grad: bool = True) -> Tensor:
        """Set ``requires_grad`` in place (only floating-point tensors can require grad)."""
        if requires_grad and self.data.dtype.kind not in "fc":
            raise TypeError(
                "only floating-point tensors can require gradients; "
                f"this tensor is {self.data.dtype}"
            )
        self.requires_grad = bool(requires_grad)
        return self

    def retain_grad(self) -> None:
        """Keep ``grad`` on this intermediate result after ``backward()``."""
        if self.grad_fn is not None:
            self._retains_grad = True

    def zero_grad(self) -> None:
        """Forget the accumulated gradient."""
        self.grad = None

    # ------------------------------------------------------------------ in-place updates
    # The PyTorch idiom for a hand-written optimizer step:
    #     with autograd.no_grad():
    #         w -= lr * w.grad
    #         w.grad.zero_()
    # Without these methods Python would quietly rebind ``w`` to a new tensor that no
    # longer requires grad.
    def _inplace(self, other: Any, name: str, ufunc: str) -> Tensor:
        if self.requires_grad and _GradMode.enabled:
            raise RuntimeError(
                f"{name}: a tensor that requires grad cannot be changed in place while the "
                "graph is being recorded; do the update inside `with autograd.no_grad():`"
            )
        data = self.data
        value = other.data if isinstance(other, Tensor) else other
        if isinstance(value, list):
            value = np.asarray(value)
        if isinstance(value, np.ndarray) and not isinstance(data, np.ndarray):
            value = backend_of(data).from_host(value)  # host data written in the program
        if isinstance(other, Tensor) and type(value) is not type(data):
            raise RuntimeError(
                f"{name}: expected both tensors on one device, found {self.device} and "
                f"{other.device}"
            )
        xp = get_array_module(data)
        try:
            getattr(xp, ufunc)(data, value, out=data, casting="same_kind")
        except (TypeError, ValueError) as error:
            kind = TypeError if isinstance(error, TypeError) else ValueError
            raise kind(
                f"{name}: cannot update a {data.dtype} tensor of shape {self.shape} in place "
                f"with {getattr(value, 'dtype', type(value).__name__)} of shape "
                f"{getattr(value, 'shape', ())}: {error}"
            ) from error
        self._version += 1
        return self

    def __iadd__(self, other: Any) -> Tensor:
        return self._inplace(other, "+=", "add")

    def __isub__(self, other: Any) -> Tensor:
        return self._inplace(other, "-=", "subtract")

    def __imul__(self, other: Any) -> Tensor:
        return self._inplace(other, "*=", "multiply")

    def __itruediv__(self, other: Any) -> Tensor:
        return self._inplace(other, "/=", "divide")

    def copy_(self, src: Any) -> Tensor:
        """Copy ``src`` (a Tensor, an array of any device, a list or a number) into this
        tensor in place, casting to its dtype and moving to its device, as PyTorch's
        ``copy_``: an explicit copy, so host data may go to a device here. Broadcasts."""
        if self.requires_grad and _GradMode.enabled:
            raise RuntimeError(
                "copy_: a tensor that requires grad cannot be changed in place while the "
                "graph is being recorded; do it inside `with autograd.no_grad():`"
            )
        value = src.data if isinstance(src, Tensor) else src
        target = backend_of(self.data)
        if not target.owns(value):
            if not isinstance(value, np.ndarray | np.generic) and is_device_array(value):
                value = backend_of(value).to_host(value)
            value = target.from_host(np.asarray(value))
        self.data[...] = value.astype(self.data.dtype, copy=False)
        self._version += 1
        return self

    def zero_(self) -> Tensor:
        """Fill with zeros in place (``w.grad.zero_()``); returns the tensor."""
        if self.requires_grad and _GradMode.enabled:
            raise RuntimeError(
                "zero_: a tensor that requires grad cannot be changed in place while the "
                "graph is being recorded; do it inside `with autograd.no_grad():`"
            )
        self.data[...] = 0
        self._version += 1
        return self

    def backward(
        self, grad: Any = None, retain_graph: bool | None = None, create_graph: bool = False
    ) -> None:
        """Accumulate d(self)/d(leaf) into ``leaf.grad`` for every leaf that requires grad.

        ``grad`` is the upstream gradient; it may be left out only for one-element tensors.
        The graph is freed afterwards unless ``retain_graph=True``; ``create_graph=True``
        records the backward pass itself so gradients of gradients can be taken.
        """
        from .engine import backward

        backward((self,), None if grad is None else (grad,), retain_graph, create_graph)

    # ------------------------------------------------------------------ Python protocol
    def __repr__(self) -> str:
        host = backend_of(self.data).to_host(self.data)
        body = np.array2string(host, separator=", ", prefix="tensor(", threshold=200)
        extra = [f"device='{self.device}'", f"dtype={self.data.dtype}"]
        if self.grad_fn is not None:
            extra.append(f"grad_fn=<{type(self.grad_fn).__name__}>")
        elif self.requires_grad:
            extra.append("requires_grad=True")
        return f"tensor({body}, {', '.join(extra)})"

    def __len__(self) -> int:
        if self.data.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return self.data.shape[0]

    def __iter__(self):
        for i in range(len(self)):
            yield self[i]

    def __bool__(self) -> bool:
        if not isinstance(self.data, np.ndarray):
            backend_of(self.data).check_errors()
        return bool(self.data)

    def __float__(self) -> float:
        return float(self.item())

    def __int__(self) -> int:
        return int(self.item())

    __hash__ = object.__hash__  # identity: tensors key optimizer state and graph walks

    # Comparisons are not differentiable: they return boolean tensors with no graph.
    def __eq__(self, other: Any) -> Tensor:  # type: ignore[override]
        return _compared(self.data == _raw(other))

    def __ne__(self, other: Any) -> Tensor:  # type: ignore[override]
        return _compared(self.data != _raw(other))

    def __lt__(self, other: Any) -> Tensor:
        return _compared(self.data < _raw(other))

    def __le__(self, other: Any) -> Tensor:
        return _compared(self.data <= _raw(other))

    def __gt__(self, other: Any) -> Tensor:
        return _compared(self.data > _raw(other))

    def __ge__(self, other: Any) -> Tensor:
        return _compared(self.data >= _raw(other))

    def argmax(self, axis: int | None = None, keepdims: bool = False) -> Tensor:
        """Indices of the maxima (not differentiable)."""
        return _compared(self.data.argmax(axis=axis, keepdims=keepdims))

    def argmin(self, axis: int | None = None, keepdims: bool = False) -> Tensor:
        """Indices of the minima (not differentiable)."""
        return _compared(self.data.argmin(axis=axis, keepdims=keepdims))


def from_array(array: Any) -> Tensor:
    """A tensor sharing ``array``'s memory, on that array's own device (NumPy: the CPU,
    CuPy: its GPU): ``torch.from_numpy`` for every backend. Unlike ``Tensor(array)`` it
    never moves the data to the default device and never copies."""
    if isinstance(array, np.generic):
        array = np.asarray(array)
    elif not isinstance(array, np.ndarray) and not is_device_array(array):
        raise TypeError(f"from_array: expected a NumPy or device array, got {type(array).__name__}")
    return _wrap(array)


def _wrap(array: Any) -> Tensor:
    """A tensor around an existing array, bypassing ``__init__``'s conversions (hot path)."""
    t = Tensor.__new__(Tensor)
    t.data = array
    t.grad = None
    t.requires_grad = False
    t.grad_fn = None
    t.generation = 0
    t._retains_grad = False
    t._version = 0
    return t


def _compared(result: Any) -> Tensor:
    # NumPy answers 0-d comparisons with a NumPy bool, not an array: keep ``data`` an array.
    return _wrap(np.asarray(result) if isinstance(result, np.generic) else result)


def _raw(value: Any) -> Any:
    return value.data if isinstance(value, Tensor) else value


def _is_dtype_name(value: Any) -> bool:
    if not isinstance(value, str):
        return False
    try:
        np.dtype(value)
    except TypeError:
        return False
    return True


from . import ops as _ops  # noqa: E402  (ops import Tensor; bound after the class exists)

_ops.install_tensor_methods(Tensor)
