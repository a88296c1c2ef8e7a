"""`Parameter`: a Tensor that a Module registers as learnable state."""

from __future__ import annotations

from typing import Any

import numpy as np

from autograd import Tensor


class _KerasVariable:
    """Keras' variable methods on the weights (``layer.kernel.assign(w)``) and on the
    variables of custom metrics (``self.total.assign_add(x)``): in place, outside the graph,
    keeping the dtype, shape and device."""

    __slots__ = ()

    def assign(self, value: Any) -> Any:
        """Set the values to ``value`` (a tensor, array or number, broadcast to the shape)."""
        array = self.array  # type: ignore[attr-defined]
        array[...] = _raw_like(value, array)
        self._version += 1  # type: ignore[attr-defined]
        return self

    def assign_add(self, delta: Any) -> Any:
        """Add ``delta`` in place."""
        return self.assign(self.array + _raw_like(delta, self.array))  # type: ignore[attr-defined]

    def assign_sub(self, delta: Any) -> Any:
        """Subtract ``delta`` in place."""
        return self.assign(self.array - _raw_like(delta, self.array))  # type: ignore[attr-defined]

    @property
    def value(self) -> Tensor:
        """The variable itself, as Keras' ``variable.value`` is on its PyTorch backend (the
        ``torch.nn.Parameter``): after ``loss.backward()``, ``v.value.grad`` is the
        gradient a ``train_step`` hands to ``optimizer.apply``."""
        return self  # type: ignore[return-value]


def _raw_like(value: Any, like: Any) -> Any:
    """``value`` as something ``like[...] = `` takes: a number, or an array on its device."""
    import backends

    raw = value.array if isinstance(value, Tensor) else value
    if isinstance(raw, int | float | bool | np.generic) or isinstance(raw, type(like)):
        return raw
    host = backends.backend_of(raw).to_host(raw) if backends.is_array(raw) else raw
    return backends.backend_of(like).from_host(np.asarray(host, dtype=like.dtype))


class Parameter(_KerasVariable, Tensor):
    """A Tensor that is a module's learnable weight (``requires_grad=True`` by default).

    Assigning a Parameter as an attribute of a :class:`nn.Module` registers it, so it
    appears in ``parameters()``, ``named_parameters()`` and ``state_dict()``.
    A frozen parameter (``requires_grad=False``, e.g. after ``layer.trainable = False``)
    is still a Parameter: it is saved and counted, as "Non-trainable params" in ``summary()``.

    ``Parameter(tensor)`` shares the tensor's array (no copy) and stays on its device, like
    ``torch.nn.Parameter``. Other data follows ``Tensor``'s rules (NumPy arrays and Python
    data go to the default device).
    """

    def __init__(self, data: Any, requires_grad: bool = True, dtype: Any = None) -> None:
        device = None
        if isinstance(data, Tensor):
            data, device = data.array, data.device
        super().__init__(data, dtype=dtype, device=device, requires_grad=requires_grad)

    @property
    def trainable(self) -> bool:
        """Keras' name for ``requires_grad`` (``layer.variables[i].trainable``)."""
        return self.requires_grad

    def __repr__(self) -> str:
        return "Parameter containing:\n" + super().__repr__()


class Buffer(_KerasVariable, Tensor):
    """A Tensor a Module registers as non-trainable state (``torch.nn.Buffer``): running
    statistics, step counters. Saved in ``state_dict()``, moved by ``to()``, never in
    ``parameters()``. It carries Keras' variable surface too (``name``, ``trainable`` is
    False), since ``add_weight(..., trainable=False)`` makes one."""

    def __init__(self, data: Any, dtype: Any = None, persistent: bool = True) -> None:
        device = None
        if isinstance(data, Tensor):
            data, device = data.array, data.device
        super().__init__(data, dtype=dtype, device=device)
        self.persistent = persistent

    @property
    def trainable(self) -> bool:
        return False

    def __repr__(self) -> str:
        return "Buffer containing:\n" + super().__repr__()


class Variable(Parameter):
    """Keras 3's ``keras.Variable(initializer, shape=None, dtype=None, trainable=True,
    name=None)``: a weight made outside ``add_weight``. ``initializer`` is a value (a tensor,
    array, list or number) or an initializer (a name such as ``"zeros"``, or a callable
    ``(shape, dtype)``) with ``shape``. A non-trainable one is a frozen Parameter; either
    way, assigned to a layer's attribute it becomes that layer's weight, as in Keras."""

    def __init__(self, initializer: Any, shape: Any = None, dtype: Any = None,
                 trainable: bool = True, autocast: bool = True, aggregation: str = "none",
                 synchronization: str = "auto", name: str | None = None) -> None:  # fmt: skip
        from .. import initializers

        if isinstance(initializer, str) or (callable(initializer)
                                            and not isinstance(initializer, Tensor)):  # fmt: skip
            if shape is None:
                raise ValueError("Variable: an initializer needs a shape (Variable("
                                 f"{initializer!r}, shape=(...)))")  # fmt: skip
            import autograd

            kind = np.dtype(dtype or autograd.get_default_dtype())
            data: Any = initializers.get(initializer)(tuple(shape), dtype=kind, device=None)
        else:
            data = initializer
            if dtype is None and isinstance(data, float | list | tuple) \
                    and np.asarray(data).dtype == np.float64:  # fmt: skip
                import autograd

                dtype = autograd.get_default_dtype()  # Python floats: float32, as Keras
        super().__init__(data, requires_grad=trainable and _floating(data, dtype), dtype=dtype)
        self.name = name or "variable"

    def numpy(self, force: bool = True) -> np.ndarray:
        """The values as a NumPy array, as Keras' ``variable.numpy()``: on a device, copied
        to the host (a PyTorch tensor's ``numpy()`` refuses that; a Keras variable's
        does not)."""
        return super().numpy(force=force)


def _floating(data: Any, dtype: Any) -> bool:
    if dtype is not None:
        kind = np.dtype(dtype).kind
    else:
        kind = data.dtype.kind if hasattr(data, "dtype") else np.asarray(data).dtype.kind
    return kind == "f"
