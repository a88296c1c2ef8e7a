"""`Parameter`: a Tensor that a Module registers as learnable state."""

from __future__ import annotations

from typing import Any

from autograd import Tensor


class Parameter(Tensor):
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


class Buffer(Tensor):
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
