"""A strict stand-in for a GPU, on NumPy: how CI catches device bugs without one.

CI has no GPU, yet the bugs that only a GPU used to show (``np.asarray(device_array)``
deep in an op, a host array mixed into device arithmetic, code that tests "is this
CuPy?" by module name) are all about *where arrays live*, not about CUDA. This module
gives the engine a device, ``"fakegpu"``, whose arrays behave like CuPy's where it
matters and compute with NumPy underneath:

* ``np.asarray(a)`` (any implicit conversion to a host array) raises ``TypeError``, as
  CuPy does; ``a.get()`` is the explicit copy to the host.
* Mixing with host arrays raises ``TypeError`` (CuPy: "Unsupported type"): operators,
  ``xp`` functions, NumPy ufuncs and index arrays all refuse a ``numpy.ndarray``.
  Python numbers and NumPy scalars mix freely, as in CuPy.
* Reductions return 0-d device arrays, never NumPy scalars (CuPy's rule).
* The array type is not ``numpy.ndarray``, not from a module called ``cupy``, and has no
  ``__cuda_array_interface__``: code must ask ``backends`` what an array is.
* NumPy functions called on these arrays dispatch to the stand-in (NEP 13/18), as they
  do for CuPy arrays.
* Fused elementwise kernels (:meth:`FakeGpuBackend.elementwise_kernel`, CuPy's
  ``ElementwiseKernel``) run: their CUDA C is translated into NumPy code by
  :mod:`backends.cuda_subset`, so the kernels that only a GPU would compile run in CI.
* Every computation is counted as one kernel launch (:func:`launch_count`): an operator,
  a ufunc, an ``xp`` function or array method that computes, a copy, a fused kernel. Views
  (reshape, transpose, basic slicing) and ``empty`` launch nothing, as on a GPU. On a GPU
  each launch costs the host a few microseconds of Python and CuPy whatever the array's
  size, so the count is what a step's small-batch time scales with; tests hold it down.
* A capture (:meth:`FakeGpuBackend.capture`, behind ``autograd.capture``) records every
  launch and replays them on the same arrays, as a CUDA graph does: a host number baked
  into a launch stays what it was when recorded, and reading a device value on the host
  or copying a host array in while recording raises, as CUDA's stream capture does.

Select it like ``cuda``: ``Tensor(x, device="fakegpu")``, ``model.to("fakegpu")``,
``autograd.set_default_device("fakegpu")``, or run the whole test suite on it with
``XPGRAD_TEST_DEVICE=fakegpu python -m pytest``.
"""

from __future__ import annotations

import functools
import types
from collections.abc import Callable
from typing import Any

import numpy as np

from .backend import Backend

DEVICE_NAME = "fakegpu:0"

_IMPLICIT = (
    "Implicit conversion to a NumPy array is not allowed. Please use `.get()` to construct "
    "a NumPy array explicitly."
)
# xp functions that copy host data to the device on purpose, as cupy.asarray does.
_HOST_INPUT_OK = frozenset({"asarray", "array", "asanyarray", "ascontiguousarray"})
# xp functions and array methods that make a view or an uninitialised array: no kernel.
_NO_KERNEL = frozenset({
    "reshape", "view", "transpose", "swapaxes", "moveaxis", "expand_dims", "squeeze",
    "broadcast_to", "empty", "empty_like", "atleast_1d", "atleast_2d", "result_type",
    "shape", "ndim", "size", "may_share_memory", "shares_memory", "iscomplexobj",
    "isscalar", "errstate",
})
_launches = [0]  # a list, so that the hot paths bump it without a global statement
_recording: list[list[Callable[[], Any]] | None] = [None]  # a capture's launches, in order
_CAPTURING = "the current stream is capturing, so D2H transfers are disallowed"


def launch_count() -> int:
    """How many kernels the stand-in has launched in this process (see the module's
    docstring for what counts); take the difference around the code to measure."""
    return _launches[0]


class _Device:
    """What ``array.device`` gives, like ``cupy.cuda.Device``: an ``id``."""

    __slots__ = ()
    id = 0

    def __repr__(self) -> str:
        return "<FakeGPU Device 0>"

    def synchronize(self) -> None:
        pass


_DEVICE = _Device()


def _refuse_host(value: Any) -> None:
    raise TypeError(
        f"Unsupported type {type(value)}: a host (NumPy) array cannot be mixed with "
        f"{DEVICE_NAME} arrays; copy it over explicitly first (xp.asarray)"
    )


def _unwrap(value: Any) -> Any:
    kind = type(value)
    if kind is ndarray:
        return value._a
    if kind is np.ndarray:
        _refuse_host(value)
    if kind is list or kind is tuple:
        return kind(_unwrap(v) for v in value)
    return value


def _unwrap_kwargs(kwargs: dict[str, Any]) -> dict[str, Any]:
    return {k: _unwrap(v) for k, v in kwargs.items()}


def _wrap(value: Any) -> Any:
    kind = type(value)
    if kind is np.ndarray:
        return ndarray(value)
    if isinstance(value, np.generic):  # CuPy gives 0-d device arrays, not host scalars
        return ndarray(np.asarray(value))
    if kind is tuple or kind is list:
        return kind(_wrap(v) for v in value)
    return value


def _call(function: Any, args: tuple, kwargs: dict[str, Any], launches: int = 1) -> Any:
    """Run a NumPy callable on unwrapped operands (``launches`` kernels); results come back
    as device arrays."""
    _launches[0] += launches
    out = kwargs.get("out")
    args, kwargs = _unwrap(args), _unwrap_kwargs(kwargs)
    result = function(*args, **kwargs)
    if out is not None:  # in place: hand back the caller's own device array(s)
        if launches and _recording[0] is not None:
            _recording[0].append(lambda: function(*args, **kwargs))
        return out[0] if type(out) is tuple and len(out) == 1 else out
    result = _wrap(result)
    if launches and _recording[0] is not None:
        _record_into(result, lambda: function(*args, **kwargs))
    return result


def _record_into(result: Any, compute: Callable[[], Any]) -> None:
    """While capturing: replaying computes ``result`` again, into its own memory."""
    if type(result) is ndarray:
        target = result._a

        def launch() -> None:
            target[...] = compute()
    elif type(result) is tuple and all(type(r) is ndarray for r in result):
        targets = [r._a for r in result]

        def launch() -> None:
            for target, value in zip(targets, compute(), strict=True):
                target[...] = value
    else:  # a host value (a Python bool, say): the host would have to read the device
        raise RuntimeError(f"{_CAPTURING} (a computation returned {type(result).__name__})")
    _recording[0].append(launch)  # type: ignore[union-attr]


def _no_host_read(what: str) -> None:
    if _recording[0] is not None:
        raise RuntimeError(f"{_CAPTURING} ({what} of a {DEVICE_NAME} array)")


def _binary(name: str, reflected: bool = False):
    op = getattr(np.ndarray, name)

    def method(self: ndarray, other: Any) -> Any:
        kind = type(other)
        if kind is ndarray:
            other = other._a
        elif kind is np.ndarray:
            _refuse_host(other)
        elif not isinstance(other, int | float | complex | bool | np.generic):
            return NotImplemented  # e.g. a Tensor: let it handle the reflected operator
        _launches[0] += 1
        a = self._a
        result = _wrap(op(a, other))
        if _recording[0] is not None:
            _record_into(result, lambda: op(a, other))
        return result

    method.__name__ = name
    return method


def _inplace(name: str):
    op = getattr(np.ndarray, name)

    def method(self: ndarray, other: Any) -> Any:
        _launches[0] += 1
        a, other = self._a, _unwrap(other)
        op(a, other)
        if _recording[0] is not None:
            _recording[0].append(lambda: op(a, other))
        return self

    method.__name__ = name
    return method


class ndarray:  # noqa: N801 - named as cupy.ndarray, which it stands in for
    """An array in the stand-in device's memory (a private NumPy array)."""

    __slots__ = ("_a",)
    __array_priority__ = 100

    def __init__(self, array: np.ndarray) -> None:
        # Always a real ndarray: NumPy answers 0-d arithmetic with scalars.
        self._a = array if type(array) is np.ndarray else np.asarray(array)

    # --- what makes it a device array
    def __array__(self, dtype: Any = None, copy: Any = None) -> np.ndarray:
        raise TypeError(_IMPLICIT)

    def get(self, stream: Any = None, out: Any = None) -> np.ndarray:
        """A fresh NumPy copy in host memory (CuPy's explicit device-to-host copy)."""
        _no_host_read("get()")
        if out is not None:
            out[...] = self._a
            return out
        return self._a.copy()

    @property
    def device(self) -> _Device:
        return _DEVICE

    def __array_ufunc__(self, ufunc: np.ufunc, method: str, *inputs: Any, **kwargs: Any) -> Any:
        return _call(getattr(ufunc, method), inputs, kwargs)

    def __array_function__(self, func: Any, types_: Any, args: tuple, kwargs: dict) -> Any:
        return _call(func, args, kwargs)

    # --- the ndarray protocol
    @property
    def shape(self) -> tuple[int, ...]:
        return self._a.shape

    @shape.setter
    def shape(self, value: tuple[int, ...]) -> None:
        self._a.shape = value

    @property
    def dtype(self) -> np.dtype:
        return self._a.dtype

    @property
    def ndim(self) -> int:
        return self._a.ndim

    @property
    def size(self) -> int:
        return self._a.size

    @property
    def T(self) -> ndarray:
        return ndarray(self._a.T)

    @property
    def base(self) -> ndarray | None:
        """The device array this one is a view of, or None when it owns its memory (as
        ``cupy.ndarray.base``)."""
        base = self._a.base
        return None if base is None else ndarray(base)

    def __getattr__(self, name: str) -> Any:
        # Dunders stay hidden: NumPy would read __array_interface__ and copy silently.
        if name.startswith("__") or name in ("ctypes", "data"):
            raise AttributeError(f"{DEVICE_NAME} arrays have no attribute {name!r}")
        attr = getattr(self._a, name)
        if callable(attr):
            if name in ("item", "tolist", "tobytes"):
                _no_host_read(f"{name}()")
            if name == "astype":  # astype(dtype, copy=False) of the same dtype copies nothing
                return lambda *args, **kwargs: self._astype(attr, args, kwargs)
            launches = _method_launches(name)
            return lambda *args, **kwargs: _call(attr, args, kwargs, launches)
        return _wrap(attr)

    def _astype(self, astype: Any, args: tuple, kwargs: dict[str, Any]) -> ndarray:
        result = astype(*args, **kwargs)
        if result is self._a:
            return self
        _launches[0] += 1
        result = ndarray(result)
        if _recording[0] is not None:
            _record_into(result, lambda: astype(*args, **kwargs))
        return result

    def __getitem__(self, index: Any) -> Any:
        index = _unwrap(index)
        a = self._a
        raw = a[index]
        if isinstance(raw, np.generic):  # one element: a 0-d view, as CuPy gives, not a copy
            raw = a[(*index, Ellipsis) if type(index) is tuple else (index, Ellipsis)]
        result = _wrap(raw)
        if _gathers(index):
            _launches[0] += 1
            if _recording[0] is not None:
                _record_into(result, lambda: a[index])
        return result

    def __setitem__(self, index: Any, value: Any) -> None:
        _launches[0] += 1
        a, index, value = self._a, _unwrap(index), _unwrap(value)
        a[index] = value
        if _recording[0] is not None:
            _recording[0].append(lambda: a.__setitem__(index, value))

    def __len__(self) -> int:
        return len(self._a)

    def __iter__(self):
        for i in range(len(self._a)):
            yield self[i]

    def __bool__(self) -> bool:  # a device sync on CuPy, allowed there too
        _no_host_read("bool()")
        return bool(self._a)

    def __float__(self) -> float:
        _no_host_read("float()")
        return float(self._a)

    def __int__(self) -> int:
        _no_host_read("int()")
        return int(self._a)

    def __index__(self) -> int:
        _no_host_read("index")
        return self._a.__index__()

    def __complex__(self) -> complex:
        _no_host_read("complex()")
        return complex(self._a)

    def __repr__(self) -> str:
        _no_host_read("repr()")
        return f"{repr(self._a)[:-1]}, device='{DEVICE_NAME}')"

    def __str__(self) -> str:
        _no_host_read("str()")
        return str(self._a)

    def __copy__(self) -> ndarray:
        return self._unary(np.ndarray.copy)

    def __deepcopy__(self, memo: dict) -> ndarray:
        return self._unary(np.ndarray.copy)

    def _unary(self, op: Callable[[np.ndarray], np.ndarray]) -> ndarray:
        """``op(self)``, one launch."""
        _launches[0] += 1
        a = self._a
        result = ndarray(op(a))
        if _recording[0] is not None:
            _record_into(result, lambda: op(a))
        return result

    def __reduce__(self):  # as CuPy: pickled through a host copy, unpickled onto the device
        return (ndarray, (self._a.copy(),))

    __hash__ = None  # type: ignore[assignment]

    def __neg__(self) -> ndarray:
        return self._unary(np.negative)

    def __pos__(self) -> ndarray:
        return self._unary(np.positive)

    def __abs__(self) -> ndarray:
        return self._unary(np.absolute)

    def __invert__(self) -> ndarray:
        return self._unary(np.invert)


def _method_launches(name: str) -> int:
    return 0 if name in _NO_KERNEL else 1


def _gathers(index: Any) -> bool:
    """Whether indexing with ``index`` copies (a gather kernel) rather than making a view."""
    if type(index) is tuple:
        return any(_gathers(i) for i in index)
    return isinstance(index, np.ndarray | list)


for _name in (
    "add", "sub", "mul", "truediv", "floordiv", "mod", "pow", "matmul", "and", "or", "xor",
    "lshift", "rshift", "divmod",
):  # fmt: skip
    setattr(ndarray, f"__{_name}__", _binary(f"__{_name}__"))
    setattr(ndarray, f"__r{_name}__", _binary(f"__r{_name}__"))
    if _name != "divmod":
        setattr(ndarray, f"__i{_name}__", _inplace(f"__i{_name}__"))
for _name in ("eq", "ne", "lt", "le", "gt", "ge"):
    setattr(ndarray, f"__{_name}__", _binary(f"__{_name}__"))


class _Ufunc:
    """``xp.add`` and friends: NumPy's ufunc on device arrays, with ``.at``/``.reduce``."""

    __slots__ = ("_ufunc",)

    def __init__(self, ufunc: np.ufunc) -> None:
        self._ufunc = ufunc

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return _call(self._ufunc, args, kwargs)

    def __getattr__(self, name: str) -> Any:
        attr = getattr(self._ufunc, name)
        if callable(attr):
            return lambda *args, **kwargs: _call(attr, args, kwargs)
        return attr


def _function(function: Any, host_input_ok: bool, launches: int) -> Any:
    def call(*args: Any, **kwargs: Any) -> Any:
        if not host_input_ok:
            return _call(function, args, kwargs, launches)
        # xp.asarray(host_data): the explicit copy to the device. A device array passes
        # through uncopied; host memory is never shared with a device array.
        source = args[0] if args else kwargs.get("a", kwargs.get("object"))
        if type(source) is not ndarray and _recording[0] is not None:
            raise RuntimeError(f"{function.__name__} of host data while capturing: copy it "
                               "to the device before the capture")
        rest, kwargs = _unwrap(args[1:]), _unwrap_kwargs(kwargs)
        result = function(_unwrap_host_ok(source), *rest, **kwargs)
        if type(source) is np.ndarray and np.may_share_memory(result, source):
            result = result.copy()
        copied = type(source) is not ndarray or result is not source._a
        result = _wrap(result)
        if copied:
            _launches[0] += 1  # a copy: from the host, or to another dtype or layout
            if _recording[0] is not None:
                a = source._a
                _record_into(result, lambda: function(a, *rest, **kwargs))
        return result

    call.__name__ = getattr(function, "__name__", "function")
    call.__doc__ = getattr(function, "__doc__", None)
    return call


def _unwrap_host_ok(value: Any) -> Any:
    kind = type(value)
    if kind is ndarray:
        return value._a
    if kind is list or kind is tuple:
        return kind(_unwrap_host_ok(v) for v in value)
    return value


class _Proxy:
    """A NumPy object (a random Generator) whose methods take and give device arrays."""

    __slots__ = ("_obj",)

    def __init__(self, obj: Any) -> None:
        self._obj = obj

    def __getattr__(self, name: str) -> Any:
        attr = getattr(self._obj, name)
        if callable(attr):
            return lambda *args, **kwargs: _call(attr, args, kwargs)
        return attr


class _Module(types.ModuleType):
    """The stand-in's ``xp``: NumPy's namespace, every function taking and giving device arrays."""

    def __init__(self, name: str, numpy_module: types.ModuleType) -> None:
        super().__init__(name)
        self._numpy_module = numpy_module

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        obj = getattr(self._numpy_module, name)
        if name == "ndarray":
            value: Any = ndarray
        elif isinstance(obj, np.ufunc):
            value = _Ufunc(obj)
        elif isinstance(obj, types.ModuleType):
            value = _Module(f"{self.__name__}.{name}", obj)
        elif isinstance(obj, type) and name == "Generator":
            value = obj
        elif callable(obj) and not isinstance(obj, type):
            value = _function(obj, name in _HOST_INPUT_OK, _method_launches(name))
        else:  # dtypes, constants, classes such as errstate and finfo
            value = obj
        setattr(self, name, value)
        return value


xp = _Module("fakegpu", np)
xp.random.default_rng = lambda seed=None: _Proxy(np.random.default_rng(seed))  # type: ignore[attr-defined]


class FakeGpuBackend(Backend):
    """The stand-in device ``"fakegpu:0"``: NumPy underneath, CuPy's manners on top."""

    __slots__ = ()
    # Interpreted rather than compiled (see elementwise_kernel), but it runs the same CUDA
    # C source: callers take their fused-kernel path here, so CI exercises it.
    compiles_kernels = True

    def __init__(self, seed: int | None = None) -> None:
        self.xp = xp
        self.device = DEVICE_NAME
        self.rng = xp.random.default_rng(seed)

    def from_host(self, array: Any) -> ndarray:
        if type(array) is ndarray:
            return array
        if _recording[0] is not None:
            raise RuntimeError("a host-to-device copy while capturing: copy the data to the "
                               "device before the capture")
        _launches[0] += 1  # a host-to-device copy
        return ndarray(np.array(array, copy=True))  # a device has its own memory

    def to_host(self, array: Any) -> np.ndarray:
        if type(array) is ndarray:
            return array.get()
        return np.asarray(array)

    def owns(self, array: Any) -> bool:
        return type(array) is ndarray

    def manual_seed(self, seed: int) -> None:
        self.rng = xp.random.default_rng(seed)

    def free_memory(self) -> int:
        """The host's available memory: the stand-in's arrays live there."""
        import os

        return os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")

    def erf(self, x: Any) -> Any:
        from .numpy_backend import NumpyBackend

        return ndarray(NumpyBackend.erf(None, x._a))  # type: ignore[arg-type]

    def capture(self, fn: Callable[[], Any]) -> tuple[Callable[[], None], Any]:
        """Run ``fn()`` once, recording every launch; ``replay()`` runs the recorded
        launches again on the same arrays (one launch, like a CUDA graph)."""
        if _recording[0] is not None:
            raise RuntimeError("a capture is already recording")
        launches: list[Callable[[], Any]] = []
        _recording[0] = launches
        try:
            result = fn()
        finally:
            _recording[0] = None

        def replay() -> None:
            _launches[0] += 1
            for launch in launches:
                launch()

        return replay, result

    def reduction_kernel(self, in_params: str, out_params: str, map_expr: str,
                         reduce_expr: str, post_map_expr: str, identity: str, name: str,
                         reduce_type: str) -> Callable[..., Any]:
        """The reduction's CUDA C interpreted (:class:`_DeviceReduction`): sums only."""
        return _interpreted_reduction(in_params, out_params, map_expr, reduce_expr,
                                      post_map_expr, identity, name, reduce_type)

    def _recording(self) -> bool:
        return _recording[0] is not None

    def _freeze(self, array: ndarray) -> ndarray:
        array._a.flags.writeable = False
        return array

    def capture_matmul(self) -> Callable[..., Any]:
        from .cuda_graphs import check_capturable_matmul

        def matmul(a: ndarray, b: ndarray, out: ndarray | None = None) -> ndarray:
            check_capturable_matmul(a, b)  # what CUDA can capture, CI can
            shape = (a.shape[0], b.shape[1])
            if out is not None and out.shape == shape and out._a.flags.c_contiguous:
                return xp.matmul(a, b, out=out)
            return a @ b

        return matmul

    def elementwise_kernel(self, in_params: str, out_params: str, body: str, name: str,
                           preamble: str = "") -> Callable[..., Any]:
        """The kernel's CUDA C run by :class:`backends.cuda_subset.InterpretedKernel` on the
        device's arrays. Unsupported C raises NotImplementedError here, when it is made."""
        return _interpreted_kernel(in_params, out_params, body, name, preamble)


class _DeviceKernel:
    """An interpreted kernel taking device arrays, as a CuPy kernel takes CuPy arrays:
    a host array among the arguments is refused, outputs must be device arrays."""

    __slots__ = ("kernel",)

    def __init__(self, kernel: Any) -> None:
        self.kernel = kernel

    def __call__(self, *args: Any) -> Any:
        unwrapped = _kernel_arguments(args)
        for out in args[len(self.kernel.inputs):]:
            if type(out) is not ndarray:
                raise TypeError(f"{self.kernel.name}: outputs must be {DEVICE_NAME} arrays "
                                f"(updated in place), got {type(out).__name__}")
        _launches[0] += 1
        kernel = self.kernel
        kernel(*unwrapped)
        if _recording[0] is not None:
            _recording[0].append(lambda: kernel(*unwrapped))
        outs = args[len(self.kernel.inputs):]
        return outs[0] if len(outs) == 1 else outs


def _kernel_arguments(args: tuple[Any, ...]) -> list[Any]:
    """A kernel's arguments as the interpreter takes them: device arrays unwrapped, host
    arrays refused (as CuPy refuses NumPy arrays), scalars as they are."""
    unwrapped = []
    for arg in args:
        kind = type(arg)
        if kind is ndarray:
            unwrapped.append(arg._a)
        elif kind is np.ndarray:
            _refuse_host(arg)
        else:
            unwrapped.append(arg)
    return unwrapped


@functools.cache
def _interpreted_kernel(in_params: str, out_params: str, body: str, name: str,
                        preamble: str) -> _DeviceKernel:
    from .cuda_subset import InterpretedKernel

    return _DeviceKernel(InterpretedKernel(in_params, out_params, body, name, preamble))


class _DeviceReduction:
    """An interpreted ``cupy.ReductionKernel`` that sums (``reduce_expr`` ``"a + b"``,
    identity 0): ``map_expr`` as an interpreted elementwise kernel into an array of the
    reduce type, NumPy's sum over ``axis``, then ``post_map_expr`` as a second interpreted
    kernel from the sum ``a`` to the outputs. One launch, as on a GPU; the sum's rounding
    is NumPy's (CuPy adds in another order, as its own sums do)."""

    __slots__ = ("name", "map", "post", "reduce_type")

    def __init__(self, in_params: str, out_params: str, map_expr: str, reduce_expr: str,
                 post_map_expr: str, identity: str, name: str, reduce_type: str) -> None:
        from .cuda_subset import InterpretedKernel

        if reduce_expr.replace(" ", "") != "a+b" or identity.strip() not in ("0", "0.0"):
            raise NotImplementedError(
                f"{name}: the stand-in interprets sums only (reduce_expr 'a + b' from "
                f"identity 0), not {reduce_expr!r} from {identity!r}"
            )
        self.name = name
        # C's names of the reduce type are NumPy's in an argument list
        self.reduce_type = {"float": "float32", "double": "float64"}.get(reduce_type,
                                                                          reduce_type)
        self.map = InterpretedKernel(in_params, f"{self.reduce_type} a", f"a = {map_expr};",
                                     name)  # fmt: skip
        post = post_map_expr.strip()
        self.post = InterpretedKernel(f"{self.reduce_type} a", out_params,
                                      post if post.endswith(";") else post + ";", name)

    def __call__(self, *args: Any, axis: Any = None, keepdims: bool = False) -> Any:
        if len(args) != len(self.map.inputs):
            raise TypeError(f"{self.name}: takes {len(self.map.inputs)} inputs, got {len(args)}")
        unwrapped = _kernel_arguments(args)
        types = {}  # placeholder -> dtype, from the inputs (the first of each decides)
        for param, value in zip(self.map.inputs, unwrapped, strict=True):
            if param.placeholder and param.type_name not in types:
                types[param.type_name] = np.asarray(value).dtype
        reduce_dtype = types.get(self.reduce_type) or np.dtype(self.reduce_type)
        types.setdefault(self.reduce_type, reduce_dtype)
        shape = np.broadcast_shapes(*(np.shape(a) for a in unwrapped))
        mapped = np.empty(shape, reduce_dtype)
        reduced_shape = _reduced_shape(shape, axis, keepdims)
        outs = [np.empty(reduced_shape, types.get(p.type_name) if p.placeholder
                         else np.dtype(p.type_name)) for p in self.post.outputs]  # fmt: skip

        def launch() -> None:
            self.map(*unwrapped, mapped)
            with np.errstate(all="ignore"):  # a GPU flags nothing: inf is the answer
                total = np.add.reduce(mapped, axis=axis, keepdims=keepdims, dtype=reduce_dtype)
            self.post(np.asarray(total), *outs)

        _launches[0] += 1
        launch()
        if _recording[0] is not None:
            _recording[0].append(launch)
        wrapped = [ndarray(out) for out in outs]
        return wrapped[0] if len(wrapped) == 1 else wrapped


def _reduced_shape(shape: tuple[int, ...], axis: Any, keepdims: bool) -> tuple[int, ...]:
    """The shape ``xp.sum(array of shape, axis, keepdims=keepdims)`` has."""
    if axis is None:
        axes = set(range(len(shape)))
    else:
        axes = {int(a) % max(len(shape), 1) for a in (axis if isinstance(axis, tuple) else (axis,))}
    return tuple(1 if i in axes else n for i, n in enumerate(shape)
                 if keepdims or i not in axes)  # fmt: skip


@functools.cache
def _interpreted_reduction(in_params: str, out_params: str, map_expr: str, reduce_expr: str,
                           post_map_expr: str, identity: str, name: str,
                           reduce_type: str) -> _DeviceReduction:
    return _DeviceReduction(in_params, out_params, map_expr, reduce_expr, post_map_expr,
                            identity, name, reduce_type)
