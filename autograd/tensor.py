"""``Tensor``: an array plus what reverse-mode differentiation needs to know about it."""

from __future__ import annotations

from collections.abc import Callable
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

from ._errors import ALL_NUMBERS, NUMERIC_KINDS, _first_non_number, describe, not_numbers
from .defaults import _Defaults, _Device
from .devices import as_device, device
from .dtypes import as_dtype, is_dtype, tensor_type_name
from .generator import generator_for as _generator_for
from .grad_mode import _GradMode
from .hooks import RemovableHandle, add_hook


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

    ``array`` is the NumPy or CuPy array itself (what the ops compute on); ``data`` is
    PyTorch's: a tensor sharing that array, outside the graph.
    """

    __slots__ = (
        "array",
        "grad",
        "requires_grad",
        "grad_fn",
        "generation",
        "_retains_grad",
        "_version",
        "_hooks",
        "_grad_buffer",  # set by optim's flat groups only (read with getattr: often unset)
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
            data = data.array
        if dtype is not None:
            dtype = _numeric_dtype(dtype)
        target = get_backend(device) if device is not None else None
        if isinstance(data, np.ndarray | np.generic):
            if data.dtype.kind not in NUMERIC_KINDS:
                raise not_numbers("Tensor()", data)
            array = np.asarray(data) if dtype is None else np.asarray(data, dtype=dtype)
            target = target or _Device.backend
        elif is_device_array(data):  # a CuPy (or stand-in) array: stays on its device
            array = data if dtype is None else data.astype(dtype, copy=False)
        else:
            array = _from_python(data, dtype)
            if dtype is None and array.dtype.kind == "f":
                array = array.astype(_Defaults.dtype)
            target = target or _Device.backend
        if target is not None and not target.owns(array):
            array = (
                target.from_host(array)
                if target.device != "cpu"
                else backend_of(array).to_host(array)
            )
        self.array = array
        self.grad: Tensor | None = None
        self.grad_fn = None
        self.generation = 0
        self._retains_grad = False
        self._version = 0  # bumped by in-place updates; backward checks it
        self._hooks = None  # gradient hooks (register_hook): {handle id: fn}
        self.requires_grad = False
        if requires_grad:
            self.requires_grad_(True)

    # ------------------------------------------------------------------ properties
    @property
    def shape(self) -> tuple[int, ...]:
        return self.array.shape

    @property
    def ndim(self) -> int:
        return self.array.ndim

    @property
    def dtype(self) -> np.dtype:
        return self.array.dtype

    @property
    def device(self) -> device:
        """Where the data lives: ``device("cpu")``, ``device("cuda:0")``... (a ``str``)."""
        if type(self.array) is np.ndarray:
            return _CPU
        return as_device(device_of(self.array))

    @property
    def is_cuda(self) -> bool:
        """True for a tensor in a device's memory (a GPU, or the ``fakegpu`` stand-in)."""
        return type(self.array) is not np.ndarray

    @property
    def is_leaf(self) -> bool:
        """True for tensors made by the user rather than by an op that records the graph."""
        return self.grad_fn is None

    @property
    def T(self) -> Tensor:
        """The tensor with its axes reversed."""
        return _ops.transpose(self)

    def size(self, dim: int | None = None) -> Any:
        """The shape, as PyTorch's ``size()``; ``size(dim)`` is the length of one axis."""
        return self.array.shape if dim is None else self.array.shape[dim]

    def dim(self) -> int:
        """The number of axes (``ndim``)."""
        return self.array.ndim

    ndimension = dim

    def numel(self) -> int:
        """The number of elements."""
        return int(self.array.size)

    nelement = numel

    def element_size(self) -> int:
        """Bytes per element."""
        return self.array.dtype.itemsize

    def is_floating_point(self) -> bool:
        return self.array.dtype.kind == "f"

    def is_contiguous(self) -> bool:
        return True  # ops give fresh arrays or views that NumPy/CuPy handle alike

    # ------------------------------------------------------------------ conversion
    def item(self) -> Any:
        """The value of a one-element tensor as a Python number (synchronises a GPU)."""
        if self.array.size != 1:
            raise ValueError(
                "item(): only one-element tensors convert to Python scalars, "
                f"got shape {self.shape}"
            )
        if not isinstance(self.array, np.ndarray):
            backend_of(self.array).check_errors()  # the host waits here anyway
        return self.array.item()

    def numpy(self, force: bool = False) -> np.ndarray:
        """The data as a NumPy array sharing this CPU tensor's memory, as PyTorch's
        ``numpy()``: writes to either reach the other. A tensor on a device raises
        ``TypeError`` (copy it with ``.cpu()`` first) unless ``force=True``, which copies."""
        data = self.array
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
        data = self.array
        if not isinstance(data, np.ndarray):
            backend = backend_of(data)
            backend.check_errors()
            data = backend.to_host(data)
        return data.tolist()

    def __array__(self, dtype: Any = None, copy: bool | None = None) -> np.ndarray:
        # As PyTorch: NumPy may read a CPU tensor, but a GPU tensor is never copied
        # to the host behind the user's back (that would be a hidden device sync).
        if not isinstance(self.array, np.ndarray | np.generic):
            raise TypeError(
                f"cannot convert a {self.device} tensor to a NumPy array implicitly; "
                "call .cpu() first to copy it to the host"
            )
        return np.asarray(self.array, dtype=dtype)

    def detach(self) -> Tensor:
        """The same data, cut from the graph (shares memory)."""
        return _wrap(self.array)

    @property
    def data(self) -> Tensor:
        """PyTorch's ``.data``: a tensor sharing this one's memory, outside the graph, whose
        in-place changes autograd does not see (``p.data.normal_(0, 0.02)``,
        ``torch.max(outputs.data, 1)``). The raw NumPy/CuPy array is ``array``."""
        return _wrap(self.array)

    @data.setter
    def data(self, value: Any) -> None:
        # ``p.data = other``: this tensor now holds other's values (its memory, no copy)
        if isinstance(value, Tensor):
            value = value.array
        elif not (isinstance(value, np.ndarray) or is_device_array(value)):
            raise TypeError(f"Tensor.data: expected a Tensor or an array, got {describe(value)}")
        self.array = value

    def clone(self) -> Tensor:
        """A copy with its own memory; differentiable (the gradient passes through)."""
        return _ops.clone(self)

    def contiguous(self) -> Tensor:
        """The tensor itself (arrays here need no re-layout for any op)."""
        return self

    def to(self, *args: Any, **kwargs: Any) -> Tensor:
        """Move to a device and/or cast to a dtype, as PyTorch's ``to``:
        ``to("cuda")``, ``to(autograd.float64)``, ``to(device, dtype)``, ``to(other)``
        (other's device and dtype), ``to(device=..., dtype=..., copy=False)``.

        Differentiable: gradients flow back to the source device and dtype. Returns the
        tensor itself when nothing changes (unless ``copy=True``).
        """
        device, dtype, copy = _to_arguments(args, kwargs)
        out = self
        if device is not None:
            out = _ops.to_device(out, device)
        if dtype is not None:
            out = _ops.astype(out, dtype)
        if copy and out is self:
            out = _ops.clone(self)
        return out

    def cpu(self) -> Tensor:
        """The tensor in host memory (itself if it is there already)."""
        return self.to("cpu")

    def cuda(self, device: Any = None, non_blocking: bool = False) -> Tensor:
        """The tensor on a GPU (``cuda(1)``: on GPU 1)."""
        if device is None:
            return self.to("cuda")
        return self.to(f"cuda:{device}" if isinstance(device, int) else device)

    def astype(self, dtype: Any) -> Tensor:
        """Cast to ``dtype`` (differentiable between floating dtypes)."""
        return _ops.astype(self, as_dtype(dtype))

    def type(self, dtype: Any = None, non_blocking: bool = False) -> Any:  # noqa: A003
        """Without an argument, PyTorch's type string (``"torch.FloatTensor"``); with a
        dtype (``autograd.float``, ``"torch.LongTensor"``...), the tensor cast to it."""
        if dtype is None:
            return tensor_type_name(self.array.dtype, type(self.array) is not np.ndarray)
        return _ops.astype(self, as_dtype(dtype))

    def float(self) -> Tensor:  # noqa: A003
        """Cast to float32."""
        return _ops.astype(self, np.float32)

    def double(self) -> Tensor:
        """Cast to float64."""
        return _ops.astype(self, np.float64)

    def half(self) -> Tensor:
        """Cast to float16."""
        return _ops.astype(self, np.float16)

    def long(self) -> Tensor:
        """Cast to int64."""
        return _ops.astype(self, np.int64)

    def int(self) -> Tensor:  # noqa: A003
        """Cast to int32."""
        return _ops.astype(self, np.int32)

    def short(self) -> Tensor:
        """Cast to int16."""
        return _ops.astype(self, np.int16)

    def byte(self) -> Tensor:
        """Cast to uint8."""
        return _ops.astype(self, np.uint8)

    def bool(self) -> Tensor:  # noqa: A003
        """Cast to bool."""
        return _ops.astype(self, np.bool_)

    def new_tensor(self, data: Any, dtype: Any = None, device: Any = None,
                   requires_grad: bool = False) -> Tensor:  # fmt: skip
        """``autograd.tensor(data)`` with this tensor's dtype and device by default."""
        return _factories.tensor(data, dtype=self.dtype if dtype is None else dtype,
                                 device=self.device if device is None else device,
                                 requires_grad=requires_grad)  # fmt: skip

    def new_zeros(self, *size: Any, dtype: Any = None, device: Any = None,
                  requires_grad: bool = False) -> Tensor:  # fmt: skip
        """Zeros of ``size`` with this tensor's dtype and device by default."""
        return self.new_full(_factories.size_of(size), 0, dtype=dtype, device=device,
                             requires_grad=requires_grad)  # fmt: skip

    def new_ones(self, *size: Any, dtype: Any = None, device: Any = None,
                 requires_grad: bool = False) -> Tensor:  # fmt: skip
        """Ones of ``size`` with this tensor's dtype and device by default."""
        return self.new_full(_factories.size_of(size), 1, dtype=dtype, device=device,
                             requires_grad=requires_grad)  # fmt: skip

    def new_full(self, size: Any, fill_value: Any, dtype: Any = None, device: Any = None,
                 requires_grad: bool = False) -> Tensor:  # fmt: skip
        """``fill_value`` everywhere in ``size``, this tensor's dtype and device by default."""
        return _factories.full(size, fill_value, dtype=self.dtype if dtype is None else dtype,
                               device=self.device if device is None else device,
                               requires_grad=requires_grad)  # fmt: skip

    # ------------------------------------------------------------------ autograd
    def requires_grad_(self, requires_grad: bool = True) -> Tensor:
        """Set ``requires_grad`` in place (only floating-point tensors can require grad:
        the engine's gradients are real, so a complex leaf would get a wrong one)."""
        if requires_grad and self.array.dtype.kind != "f":
            raise TypeError(
                "only floating-point tensors can require gradients; "
                f"this tensor is {self.array.dtype}"
            )
        self.requires_grad = bool(requires_grad)
        return self

    def retain_grad(self) -> None:
        """Keep ``grad`` on this intermediate result after ``backward()``."""
        if self.grad_fn is not None:
            self._retains_grad = True

    def register_hook(self, hook: Callable[[Tensor], Tensor | None]) -> RemovableHandle:
        """Call ``hook(grad)`` whenever the gradient with respect to this tensor is computed
        (summed over all its uses), before it reaches ``.grad`` or the op that made this
        tensor. ``hook`` may return a replacement gradient of the same shape, or None.

        ``handle = w.register_hook(lambda g: print(g.norm()))``; ``handle.remove()`` stops it.
        """
        if not self.requires_grad:
            raise RuntimeError("cannot register a hook on a tensor that doesn't require gradient")
        if self._hooks is None:
            self._hooks = {}
        return add_hook(self._hooks, hook)

    def zero_grad(self) -> None:
        """Forget the accumulated gradient."""
        self.grad = None

    def backward(
        self, gradient: Any = None, retain_graph: bool | None = None, create_graph: bool = False,
        inputs: Any = None,
    ) -> None:  # fmt: skip
        """Accumulate d(self)/d(leaf) into ``leaf.grad`` for every leaf that requires grad.

        ``gradient`` is the upstream gradient; it may be left out only for one-element
        tensors. The graph is freed afterwards unless ``retain_graph=True``;
        ``create_graph=True`` records the backward pass itself so gradients of gradients
        can be taken.
        """
        if inputs is not None:
            raise NotImplementedError("backward(inputs=...) is not supported; use autograd.grad")
        from .engine import backward  # the engine imports this module: bound at call time

        backward((self,), None if gradient is None else (gradient,), retain_graph, create_graph)

    # ------------------------------------------------------------------ in-place updates
    # The PyTorch idiom for a hand-written optimizer step:
    #     with autograd.no_grad():
    #         w -= lr * w.grad
    #         w.grad.zero_()
    # Without these methods Python would quietly rebind ``w`` to a new tensor that no
    # longer requires grad. They refuse a tensor that requires grad while the graph is
    # being recorded: the graph would silently use the new values.
    def _check_inplace(self, name: str) -> None:
        if self.requires_grad and _GradMode.enabled:
            raise RuntimeError(
                f"{name}: a tensor that requires grad cannot be changed in place while the "
                "graph is being recorded; do the update inside `with autograd.no_grad():`"
            )

    def _inplace(self, other: Any, name: str, ufunc: str) -> Tensor:
        self._check_inplace(name)
        data = self.array
        if isinstance(other, Tensor):
            value = _raw_operand(other, data, name)
        else:
            # A number, list or array is checked and placed as the ops do ("+=: expected a
            # number ..., got str"), rather than reaching NumPy's "ufunc 'add' did not
            # contain a loop". (Imported here: tensor.py imports no op module at load.)
            from .ops._coerce import lift

            value = lift(other, self, name).array
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

    def add_(self, other: Any, alpha: Any = 1) -> Tensor:
        """self += alpha * other, in place."""
        return self._inplace(other if alpha == 1 else _scaled(other, alpha), "add_", "add")

    def sub_(self, other: Any, alpha: Any = 1) -> Tensor:
        """self -= alpha * other, in place."""
        return self._inplace(other if alpha == 1 else _scaled(other, alpha), "sub_", "subtract")

    def mul_(self, other: Any) -> Tensor:
        """self *= other, in place."""
        return self._inplace(other, "mul_", "multiply")

    def div_(self, other: Any) -> Tensor:
        """self /= other, in place."""
        return self._inplace(other, "div_", "divide")

    def clamp_(self, min: Any = None, max: Any = None) -> Tensor:  # noqa: A002
        """Limit the values to [min, max] in place."""
        self._check_inplace("clamp_")
        if min is None and max is None:
            raise ValueError("clamp_: give at least one of min and max")
        data = self.array
        get_array_module(data).clip(
            data, _raw_operand(min, data, "clamp_"), _raw_operand(max, data, "clamp_"), out=data
        )
        self._version += 1
        return self

    clip_ = clamp_

    def fill_(self, value: Any) -> Tensor:
        """Set every element to ``value`` in place."""
        self._check_inplace("fill_")
        self.array[...] = _raw_operand(value, self.array, "fill_")
        self._version += 1
        return self

    def zero_(self) -> Tensor:
        """Fill with zeros in place (``w.grad.zero_()``); returns the tensor."""
        self._check_inplace("zero_")
        self.array[...] = 0
        self._version += 1
        return self

    def normal_(self, mean: float = 0.0, std: float = 1.0, generator: Any = None) -> Tensor:
        """Fill in place with draws from N(mean, std**2) (the device's generator, which
        ``autograd.manual_seed`` seeds)."""
        self._check_inplace("normal_")
        rng = _generator_for(generator, backend_of(self.array), "normal_")
        draw = rng.standard_normal(self.array.shape, dtype=_draw_dtype(self.array.dtype))
        self.array[...] = draw * std + mean
        self._version += 1
        return self

    def uniform_(self, a: float = 0.0, b: float = 1.0, generator: Any = None) -> Tensor:
        """Fill in place with draws from U[a, b)."""
        self._check_inplace("uniform_")
        rng = _generator_for(generator, backend_of(self.array), "uniform_")
        draw = rng.random(self.array.shape, dtype=_draw_dtype(self.array.dtype))
        self.array[...] = draw * (b - a) + a
        self._version += 1
        return self

    def copy_(self, src: Any, non_blocking: bool = False) -> Tensor:
        """Copy ``src`` (a Tensor, an array of any device, a list or a number) into this
        tensor in place, casting to its dtype and moving to its device, as PyTorch's
        ``copy_``: an explicit copy, so host data may go to a device here. Broadcasts."""
        self._check_inplace("copy_")
        value = src.array if isinstance(src, Tensor) else src
        target = backend_of(self.array)
        if not target.owns(value):
            if not isinstance(value, np.ndarray | np.generic) and is_device_array(value):
                value = backend_of(value).to_host(value)
            value = target.from_host(np.asarray(value))
        self.array[...] = value.astype(self.array.dtype, copy=False)
        self._version += 1
        return self

    def __setitem__(self, index: Any, value: Any) -> None:
        """``x[index] = value`` in place (``x[:, 1] = 0``), as PyTorch.

        Not recorded in the graph: refused while recording for a tensor that requires
        grad, or for a value that does (build the result with ``where``/``cat`` instead).
        """
        self._check_inplace("x[index] = value")
        if isinstance(value, Tensor) and value.requires_grad and _GradMode.enabled:
            raise RuntimeError(
                "x[index] = value: writing a tensor that requires grad into another tensor "
                "is not recorded in the graph here; build the result with autograd.where, "
                "cat or stack instead (or write inside `with autograd.no_grad():`)"
            )
        data = self.array
        data[_ops.raw_index(index, data)] = _raw_operand(value, data, "x[index] = value")
        self._version += 1

    # ------------------------------------------------------------------ arithmetic
    # Operators and methods are the ops of ``autograd.ops`` (see that package for the
    # formulas); ``_ops`` is bound by ``autograd/__init__.py``. The hottest operators
    # call the op's Function directly, as ``ops.add`` does, so that ``x + y`` costs no
    # Python call more than ``ops.add(x, y)``.
    def __add__(self, other: Any) -> Tensor:
        return _ops.Add()(*_ops.operands(self, other, "add"))

    def __radd__(self, other: Any) -> Tensor:
        return _ops.Add()(*_ops.operands(other, self, "add"))

    def __sub__(self, other: Any) -> Tensor:
        return _ops.Sub()(*_ops.operands(self, other, "sub"))

    def __rsub__(self, other: Any) -> Tensor:
        return _ops.Sub()(*_ops.operands(other, self, "sub"))

    def __mul__(self, other: Any) -> Tensor:
        return _ops.Mul()(*_ops.operands(self, other, "mul"))

    def __rmul__(self, other: Any) -> Tensor:
        return _ops.Mul()(*_ops.operands(other, self, "mul"))

    def __truediv__(self, other: Any) -> Tensor:
        return _ops.div(self, other)

    def __rtruediv__(self, other: Any) -> Tensor:
        return _ops.div(other, self)

    def __pow__(self, other: Any) -> Tensor:
        return _ops.pow(self, other)

    def __rpow__(self, other: Any) -> Tensor:
        return _ops.pow(other, self)

    def __matmul__(self, other: Any) -> Tensor:
        return _ops.MatMul()(*_ops.operands(self, other, "matmul"))

    def __rmatmul__(self, other: Any) -> Tensor:
        return _ops.MatMul()(*_ops.operands(other, self, "matmul"))

    def __neg__(self) -> Tensor:
        return _ops.Neg()(self)

    def __pos__(self) -> Tensor:
        return self

    def __abs__(self) -> Tensor:
        return _ops.abs(self)

    def __getitem__(self, index: Any) -> Tensor:
        return _ops.GetItem(_ops.raw_index(index, self.array))(self)

    # Integer division and remainder are not differentiable (as in PyTorch).
    def __floordiv__(self, other: Any) -> Tensor:
        return _compared(self.array // _raw(other))

    def __rfloordiv__(self, other: Any) -> Tensor:
        return _compared(_raw(other) // self.array)

    def __mod__(self, other: Any) -> Tensor:
        return _compared(self.array % _raw(other))

    # Logical operators on boolean (or integer) tensors, such as masks: no gradient.
    def __and__(self, other: Any) -> Tensor:
        return _compared(self.array & _raw(other))

    def __or__(self, other: Any) -> Tensor:
        return _compared(self.array | _raw(other))

    def __xor__(self, other: Any) -> Tensor:
        return _compared(self.array ^ _raw(other))

    def __invert__(self) -> Tensor:
        return _compared(~self.array)

    def add(self, other: Any, alpha: Any = 1) -> Tensor:
        """self + alpha * other."""
        return _ops.add(self, other, alpha=alpha)

    def sub(self, other: Any, alpha: Any = 1) -> Tensor:
        """self - alpha * other."""
        return _ops.sub(self, other, alpha=alpha)

    def mul(self, other: Any) -> Tensor:
        """self * other."""
        return _ops.mul(self, other)

    def div(self, other: Any) -> Tensor:
        """self / other."""
        return _ops.div(self, other)

    def pow(self, exponent: Any) -> Tensor:
        """self ** exponent."""
        return _ops.pow(self, exponent)

    def matmul(self, other: Any) -> Tensor:
        """The matrix product self @ other."""
        return _ops.matmul(self, other)

    def mm(self, other: Any) -> Tensor:
        """The product of two matrices (2-D only)."""
        return _ops.mm(self, other)

    def bmm(self, other: Any) -> Tensor:
        """Batched matrix product of (b, n, m) and (b, m, p)."""
        return _ops.bmm(self, other)

    def neg(self) -> Tensor:
        return _ops.neg(self)

    def exp(self) -> Tensor:
        return _ops.exp(self)

    def log(self) -> Tensor:
        return _ops.log(self)

    def sqrt(self) -> Tensor:
        return _ops.sqrt(self)

    def abs(self) -> Tensor:  # noqa: A003
        return _ops.abs(self)

    def sin(self) -> Tensor:
        return _ops.sin(self)

    def cos(self) -> Tensor:
        return _ops.cos(self)

    def tan(self) -> Tensor:
        return _ops.tan(self)

    def tanh(self) -> Tensor:
        return _ops.tanh(self)

    def sigmoid(self) -> Tensor:
        return _ops.sigmoid(self)

    def relu(self) -> Tensor:
        return _ops.relu(self)

    def square(self) -> Tensor:
        return _ops.mul(self, self)

    def clamp(self, min: Any = None, max: Any = None) -> Tensor:  # noqa: A002
        """Limit the values to [min, max] (see ``autograd.clamp``)."""
        return _ops.clamp(self, min, max)

    def clip(self, min: Any = None, max: Any = None, **kwargs: Any) -> Tensor:  # noqa: A002
        """Limit the values to [min, max] (see ``autograd.clip``)."""
        return _ops.clip(self, min, max, **kwargs)

    def masked_fill(self, mask: Any, value: Any) -> Tensor:
        """``value`` where ``mask`` is true, else this tensor (differentiable)."""
        return _ops.masked_fill(self, mask, value)

    def masked_fill_(self, mask: Any, value: Any) -> Tensor:
        """``self[mask] = value``, in place."""
        self[mask] = value
        return self

    def maximum(self, other: Any) -> Tensor:
        return _ops.maximum(self, other)

    def minimum(self, other: Any) -> Tensor:
        return _ops.minimum(self, other)

    def log1p(self) -> Tensor:
        return _ops.log1p(self)

    def expm1(self) -> Tensor:
        return _ops.expm1(self)

    def reciprocal(self) -> Tensor:
        return _ops.reciprocal(self)

    def rsqrt(self) -> Tensor:
        return _ops.rsqrt(self)

    def round(self, *, decimals: int = 0) -> Tensor:
        """Round halves to even; gradient 0 (see ``autograd.round``)."""
        return _ops.round(self, decimals=decimals)

    def floor(self) -> Tensor:
        return _ops.floor(self)

    def ceil(self) -> Tensor:
        return _ops.ceil(self)

    def trunc(self) -> Tensor:
        return _ops.trunc(self)

    def sign(self) -> Tensor:
        return _ops.sign(self)

    def clamp_min(self, min: Any) -> Tensor:  # noqa: A002
        return _ops.clamp(self, min, None)

    def clamp_max(self, max: Any) -> Tensor:  # noqa: A002
        return _ops.clamp(self, None, max)

    def isnan(self) -> Tensor:
        return _ops.isnan(self)

    def isinf(self) -> Tensor:
        return _ops.isinf(self)

    def isfinite(self) -> Tensor:
        return _ops.isfinite(self)

    def logical_not(self) -> Tensor:
        return _ops.logical_not(self)

    def logical_and(self, other: Any) -> Tensor:
        return _ops.logical_and(self, other)

    def logical_or(self, other: Any) -> Tensor:
        return _ops.logical_or(self, other)

    def logical_xor(self, other: Any) -> Tensor:
        return _ops.logical_xor(self, other)

    def count_nonzero(self, dim: Any = None) -> Tensor:
        return _ops.count_nonzero(self, dim)

    # ------------------------------------------------------------------ selection
    def gather(self, dim: int, index: Any) -> Tensor:
        """The elements ``index`` names along ``dim`` (see ``autograd.gather``)."""
        return _ops.gather(self, dim, index)

    def take_along_dim(self, indices: Any, dim: int | None = None) -> Tensor:
        return _ops.take_along_dim(self, indices, dim)

    def index_select(self, dim: int, index: Any) -> Tensor:
        """The slices at ``index`` along ``dim`` (see ``autograd.index_select``)."""
        return _ops.index_select(self, dim, index)

    def sort(self, dim: int = -1, descending: bool = False, *, stable: bool = False) -> Any:
        """``(values, indices)`` sorted along ``dim`` (see ``autograd.sort``)."""
        return _ops.sort(self, dim, descending)

    def argsort(self, dim: int = -1, descending: bool = False, *, stable: bool = False) -> Tensor:
        return _ops.argsort(self, dim, descending)

    def nonzero(self, *, as_tuple: bool = False) -> Any:
        """The indices of the nonzero elements (see ``autograd.nonzero``)."""
        return _ops.nonzero(self, as_tuple=as_tuple)

    def masked_select(self, mask: Any) -> Tensor:
        return _ops.masked_select(self, mask)

    def diag(self, diagonal: int = 0) -> Tensor:
        return _ops.diag(self, diagonal)

    def unique(self, sorted: bool = True, return_inverse: bool = False,  # noqa: A002
               return_counts: bool = False, dim: int | None = None) -> Any:  # fmt: skip
        return _ops.unique(self, sorted, return_inverse, return_counts, dim)

    def bincount(self, weights: Any = None, minlength: int = 0) -> Tensor:
        return _ops.bincount(self, weights, minlength)

    def topk(self, k: int, dim: int = -1, largest: bool = True, sorted: bool = True) -> Any:  # noqa: A002
        """``(values, indices)`` of the k largest along ``dim`` (see ``autograd.topk``)."""
        return _ops.topk(self, k, dim, largest, sorted)

    def softmax(self, dim: Any = None, **kwargs: Any) -> Tensor:
        """Softmax along ``dim`` (see ``autograd.softmax``)."""
        return _ops.softmax(self, dim, **kwargs)

    def log_softmax(self, dim: Any = None, **kwargs: Any) -> Tensor:
        """Log-softmax along ``dim`` (see ``autograd.log_softmax``)."""
        return _ops.log_softmax(self, dim, **kwargs)

    def logsumexp(self, dim: Any = None, keepdim: bool = False, **kwargs: Any) -> Tensor:
        return _ops.logsumexp(self, dim, keepdim, **kwargs)

    # ------------------------------------------------------------------ reductions
    # PyTorch's ``dim``/``keepdim`` and NumPy/Keras' ``axis``/``keepdims`` both work.
    def sum(self, dim: Any = None, keepdim: bool = False, **kwargs: Any) -> Tensor:
        """Sum over ``dim`` (see ``autograd.sum``)."""
        return _ops.sum(self, dim, keepdim, **kwargs)

    def mean(self, dim: Any = None, keepdim: bool = False, **kwargs: Any) -> Tensor:
        """Mean over ``dim`` (see ``autograd.mean``)."""
        return _ops.mean(self, dim, keepdim, **kwargs)

    def prod(self, dim: Any = None, keepdim: bool = False, **kwargs: Any) -> Tensor:
        """Product over ``dim`` (see ``autograd.prod``)."""
        return _ops.prod(self, dim, keepdim, **kwargs)

    def var(self, dim: Any = None, *args: Any, **kwargs: Any) -> Tensor:
        """Variance over ``dim`` (see ``autograd.var`` for the correction)."""
        return _ops.var(self, dim, *args, **kwargs)

    def std(self, dim: Any = None, *args: Any, **kwargs: Any) -> Tensor:
        """Standard deviation over ``dim`` (see ``autograd.std``)."""
        return _ops.std(self, dim, *args, **kwargs)

    def max(self, dim: Any = None, keepdim: bool = False, **kwargs: Any) -> Any:  # noqa: A003
        """The maximum: overall, ``(values, indices)`` along an int ``dim``, or the
        elementwise maximum with a tensor (see ``autograd.max``)."""
        return _ops.max(self, dim, keepdim, **kwargs)

    def min(self, dim: Any = None, keepdim: bool = False, **kwargs: Any) -> Any:  # noqa: A003
        """The minimum, as ``max``."""
        return _ops.min(self, dim, keepdim, **kwargs)

    def norm(
        self, p: Any = "fro", dim: Any = None, keepdim: bool = False, dtype: Any = None
    ) -> Tensor:
        """The p-norm over ``dim`` (see ``autograd.norm``)."""
        return _ops.norm(self, p, dim, keepdim, dtype)

    def amax(self, dim: Any = None, keepdim: bool = False) -> Tensor:
        return _ops.amax(self, dim, keepdim)

    def amin(self, dim: Any = None, keepdim: bool = False) -> Tensor:
        return _ops.amin(self, dim, keepdim)

    def argmax(self, dim: Any = None, keepdim: bool = False, **kwargs: Any) -> Tensor:
        """Indices of the maxima (int64, not differentiable)."""
        return _ops.argmax(self, dim, keepdim, **kwargs)

    def argmin(self, dim: Any = None, keepdim: bool = False, **kwargs: Any) -> Tensor:
        """Indices of the minima (int64, not differentiable)."""
        return _ops.argmin(self, dim, keepdim, **kwargs)

    def all(self, dim: Any = None, keepdim: bool = False) -> Tensor:  # noqa: A003
        """True where every element (along ``dim``) is nonzero (not differentiable)."""
        return _compared(self.array.all(axis=dim, keepdims=keepdim))

    def any(self, dim: Any = None, keepdim: bool = False) -> Tensor:  # noqa: A003
        """True where some element (along ``dim``) is nonzero (not differentiable)."""
        return _compared(self.array.any(axis=dim, keepdims=keepdim))

    # ------------------------------------------------------------------ shape
    def reshape(self, *shape: Any) -> Tensor:
        """The same values in another shape (one dimension may be -1)."""
        return _ops.reshape(self, *shape)

    def view(self, *shape: Any) -> Tensor:
        """As ``reshape`` (a view where the array library can make one)."""
        return _ops.reshape(self, *shape)

    def view_as(self, other: Tensor) -> Tensor:
        return _ops.reshape(self, other.shape)

    def reshape_as(self, other: Tensor) -> Tensor:
        return _ops.reshape(self, other.shape)

    def flatten(self, start_dim: int = 0, end_dim: int = -1) -> Tensor:
        """Merge the axes ``start_dim..end_dim`` into one."""
        return _ops.flatten(self, start_dim, end_dim)

    def squeeze(self, dim: Any = None) -> Tensor:
        """Remove axes of length 1 (all, or those in ``dim``)."""
        return _ops.squeeze(self, dim)

    def unsqueeze(self, dim: int) -> Tensor:
        """Insert an axis of length 1 at ``dim``."""
        return _ops.unsqueeze(self, dim)

    def transpose(self, *dims: Any) -> Tensor:
        """Exchange two axes (``transpose(0, 1)``, PyTorch); a full permutation or none
        reverses/permutes as NumPy (see ``autograd.transpose``)."""
        return _ops.transpose(self, *dims)

    def permute(self, *dims: Any) -> Tensor:
        """Put the axes in the given order."""
        return _ops.permute(self, *dims)

    def t(self) -> Tensor:
        """The transpose of a matrix (a vector stays as it is)."""
        return _ops.t(self)

    def expand(self, *sizes: Any) -> Tensor:
        """Broadcast to ``sizes`` (-1 keeps an axis), as PyTorch's ``expand``."""
        return _ops.expand(self, *sizes)

    def expand_as(self, other: Tensor) -> Tensor:
        return _ops.broadcast_to(self, other.shape)

    def broadcast_to(self, shape: Any) -> Tensor:
        return _ops.broadcast_to(self, shape)

    def repeat(self, *sizes: Any) -> Tensor:
        """Tile the tensor ``sizes[i]`` times along axis i (PyTorch's ``repeat``)."""
        return _ops.repeat(self, *sizes)

    def flip(self, *dims: Any) -> Tensor:
        """Reverse the order along ``dims``: ``x.flip(0)``, ``x.flip(0, 1)``, ``x.flip([0, 1])``."""
        if len(dims) == 1 and not isinstance(dims[0], int | np.integer):
            dims = dims[0]
        return _ops.flip(self, dims)

    def unbind(self, dim: int = 0) -> tuple[Tensor, ...]:
        return _ops.unbind(self, dim)

    def cumsum(self, dim: int | None = None, *, dtype: Any = None) -> Tensor:
        """The running sum along ``dim`` (see ``autograd.cumsum``)."""
        return _ops.cumsum(self, dim, dtype=dtype)

    def chunk(self, chunks: int, dim: int = 0) -> tuple[Tensor, ...]:
        return _ops.chunk(self, chunks, dim)

    def split(self, split_size_or_sections: Any, dim: int = 0) -> tuple[Tensor, ...]:
        return _ops.split(self, split_size_or_sections, dim)

    # ------------------------------------------------------------------ Python protocol
    def __repr__(self) -> str:
        host = backend_of(self.array).to_host(self.array)
        body = np.array2string(host, separator=", ", prefix="tensor(", **_print_options)
        extra = [f"device='{self.device}'", f"dtype={self.array.dtype}"]
        if self.grad_fn is not None:
            extra.append(f"grad_fn=<{type(self.grad_fn).__name__}>")
        elif self.requires_grad:
            extra.append("requires_grad=True")
        return f"tensor({body}, {', '.join(extra)})"

    def __format__(self, spec: str) -> str:
        # f"{loss:.4f}" on a 0-d tensor formats its value, as in PyTorch
        if self.array.ndim == 0 and spec:
            return format(self.item(), spec)
        return format(repr(self), spec)

    def __len__(self) -> int:
        if self.array.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return self.array.shape[0]

    def __iter__(self):
        for i in range(len(self)):
            yield self[i]

    def __bool__(self) -> bool:
        if not isinstance(self.array, np.ndarray):
            backend_of(self.array).check_errors()
        return bool(self.array)

    def __float__(self) -> float:
        return float(self.item())

    def __int__(self) -> int:
        return int(self.item())

    def __index__(self) -> int:
        if self.array.dtype.kind not in "iu" or self.array.size != 1:
            raise TypeError("only integer tensors of a single element can be used as an index")
        return int(self.item())

    __hash__ = object.__hash__  # identity: tensors key optimizer state and graph walks

    # Comparisons are not differentiable: they return boolean tensors with no graph. An
    # operand that is not numbers gives NotImplemented, so that Python answers as PyTorch
    # does: ``t == "a"`` is False and ``t < "a"`` a TypeError naming both types.
    def __eq__(self, other: Any) -> Tensor:  # type: ignore[override]
        other = _comparand(other, self, "eq")
        return NotImplemented if other is None else _compared(self.array == other)

    def __ne__(self, other: Any) -> Tensor:  # type: ignore[override]
        other = _comparand(other, self, "ne")
        return NotImplemented if other is None else _compared(self.array != other)

    def __lt__(self, other: Any) -> Tensor:
        other = _comparand(other, self, "lt")
        return NotImplemented if other is None else _compared(self.array < other)

    def __le__(self, other: Any) -> Tensor:
        other = _comparand(other, self, "le")
        return NotImplemented if other is None else _compared(self.array <= other)

    def __gt__(self, other: Any) -> Tensor:
        other = _comparand(other, self, "gt")
        return NotImplemented if other is None else _compared(self.array > other)

    def __ge__(self, other: Any) -> Tensor:
        other = _comparand(other, self, "ge")
        return NotImplemented if other is None else _compared(self.array >= other)

    eq, ne, lt, le, gt, ge = __eq__, __ne__, __lt__, __le__, __gt__, __ge__

    def equal(self, other: Tensor) -> bool:
        """True if both have the same shape and elements."""
        return self.shape == other.shape and bool((self.array == _raw(other)).all())


def set_printoptions(
    precision: int | None = None, threshold: int | None = None, edgeitems: int | None = None,
    linewidth: int | None = None, sci_mode: bool | None = None, profile: str | None = None,
) -> None:  # fmt: skip
    """How tensors print, as ``torch.set_printoptions`` (NumPy's own print options are left
    alone). ``profile="default"`` restores the defaults, ``"short"`` and ``"full"`` as PyTorch."""
    if profile is not None:
        _print_options.clear()
        _print_options.update({"default": {"threshold": 200},
                               "short": {"precision": 2, "threshold": 1000, "edgeitems": 2},
                               "full": {"threshold": 2**31 - 1}}[profile])  # fmt: skip
    for key, value in (("precision", precision), ("threshold", threshold),
                       ("edgeitems", edgeitems), ("max_line_width", linewidth)):  # fmt: skip
        if value is not None:
            _print_options[key] = value
    if sci_mode is not None:
        _print_options["suppress_small"] = not sci_mode


_print_options: dict[str, Any] = {"threshold": 200}  # np.array2string's arguments


def from_array(array: Any) -> Tensor:
    """A tensor sharing ``array``'s memory, on that array's own device (NumPy: the CPU,
    CuPy: its GPU): ``torch.from_numpy`` for every backend. Unlike ``Tensor(array)`` it
    never moves the data to the default device and never copies."""
    if isinstance(array, np.generic):
        array = np.asarray(array)
    elif not isinstance(array, np.ndarray) and not is_device_array(array):
        raise TypeError(f"from_array: expected a NumPy or device array, got {type(array).__name__}")
    return _wrap(array)


def _numeric_dtype(dtype: Any) -> np.dtype:
    """``dtype`` as a NumPy dtype of numbers, or a TypeError naming it."""
    try:
        resolved = np.dtype(dtype)
    except TypeError:
        raise TypeError(f"Tensor(): {dtype!r} is not a dtype (try 'float32' or 'int64')") from None
    if resolved.kind not in NUMERIC_KINDS:
        raise TypeError(
            f"Tensor(): dtype {resolved} holds no numbers; use a bool, integer, floating or "
            "complex dtype"
        )
    return resolved


def _from_python(data: Any, dtype: np.dtype | None) -> np.ndarray:
    """Python numbers or nested lists of them as an array; anything else is refused.

    NumPy is asked for the array without ``dtype`` first, so that strings are refused
    rather than parsed (``np.asarray(["1.5"], dtype=float)`` would read them).
    """
    try:
        array = np.asarray(data)
    except (ValueError, TypeError, OverflowError) as error:
        raise not_numbers("Tensor()", data, error) from None
    if array.dtype.kind not in NUMERIC_KINDS:
        if (
            dtype is None
            or array.dtype.kind != "O"
            or _first_non_number(data, 0, True) is not ALL_NUMBERS
        ):
            raise not_numbers("Tensor()", data)
        # integers beyond 64 bits with a dtype that can hold them: Tensor([2**70], dtype=float)
        try:
            return np.asarray(data, dtype=dtype)
        except OverflowError:
            raise not_numbers("Tensor()", data) from None
    return array if dtype is None else array.astype(dtype, copy=False)


def _wrap(array: Any) -> Tensor:
    """A tensor around an existing array, bypassing ``__init__``'s conversions (hot path)."""
    t = Tensor.__new__(Tensor)
    t.array = array
    t.grad = None
    t.requires_grad = False
    t.grad_fn = None
    t.generation = 0
    t._retains_grad = False
    t._version = 0
    t._hooks = None
    return t


def _compared(result: Any) -> Tensor:
    # NumPy answers 0-d comparisons with a NumPy bool, not an array: keep ``data`` an array.
    return _wrap(np.asarray(result) if isinstance(result, np.generic) else result)


def _comparand(value: Any, like: Tensor, op: str) -> Any:
    """The raw array to compare ``like`` with (lists and arrays moved to its device once),
    or None if ``value`` is not numbers (a number too large for ``like``'s dtype raises)."""
    if isinstance(value, Tensor):
        return value.array
    try:
        return _ops._coerce.lift(value, like, op).array
    except TypeError:
        return None


def _raw(value: Any) -> Any:
    return value.array if isinstance(value, Tensor) else value


def _raw_operand(other: Any, data: Any, name: str) -> Any:
    """``other`` as something NumPy/CuPy can write into ``data`` in place: a number, or an
    array on ``data``'s device (host data written in the program is copied there)."""
    value = other.array if isinstance(other, Tensor) else other
    if isinstance(value, list | tuple):
        value = np.asarray(value)
    if isinstance(value, np.ndarray) and not isinstance(data, np.ndarray):
        if isinstance(other, Tensor) and value.ndim:
            raise RuntimeError(
                f"{name}: expected both tensors on one device, found {device_of(data)} and cpu"
            )
        value = backend_of(data).from_host(value)
    elif isinstance(other, Tensor) and type(value) is not type(data):
        raise RuntimeError(
            f"{name}: expected both tensors on one device, found {device_of(data)} and "
            f"{device_of(value)}"
        )
    return value


def _scaled(other: Any, alpha: Any) -> Any:
    value = other.array if isinstance(other, Tensor) else other
    if isinstance(value, list | tuple):
        value = np.asarray(value)
    scaled = value * alpha
    return _wrap(scaled) if isinstance(other, Tensor) else scaled


def _draw_dtype(dtype: np.dtype) -> Any:
    # NumPy's generators draw float32 or float64; other dtypes take a float64 draw, cast
    return dtype if dtype in (np.float32, np.float64) else np.float64


def _to_arguments(args: tuple, kwargs: dict[str, Any]) -> tuple[Any, Any, bool]:
    device = kwargs.pop("device", None)
    dtype = kwargs.pop("dtype", None)
    copy = bool(kwargs.pop("copy", False))
    kwargs.pop("non_blocking", None)
    kwargs.pop("memory_format", None)
    if kwargs:
        raise TypeError(f"to(): unexpected keyword arguments {sorted(kwargs)}")
    for arg in args:
        if isinstance(arg, Tensor):
            device, dtype = arg.device, arg.dtype
        elif isinstance(arg, bool):  # to(device, dtype, non_blocking, copy) positionally
            continue
        elif is_dtype(arg):
            dtype = arg
        elif isinstance(arg, str | Backend | int):
            device = f"cuda:{arg}" if isinstance(arg, int) else arg
        elif arg is not None:
            raise TypeError(f"to(): expected a device, a dtype or a tensor, got {arg!r}")
    return device, (None if dtype is None else as_dtype(dtype)), copy


_CPU = as_device("cpu")

# ``autograd.ops`` (the differentiable ops the methods above delegate to) and
# ``autograd.factories``: bound by ``autograd/__init__.py`` once they are imported, so
# that this module imports neither (they import ``Tensor`` from here: no import circle).
_ops: Any = None
_factories: Any = None
