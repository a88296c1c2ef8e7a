"""Fully connected layer: Keras' ``Dense`` and PyTorch's ``Linear``, one implementation.

    y = activation(x @ kernel + bias)

``kernel`` is stored with shape (in, out) as in Keras (PyTorch's ``Linear.weight`` is
(out, in): ``linear.kernel`` equals ``torch_linear.weight.T``).  state_dict keys:
``kernel``, ``bias`` (and the activation's parameters, e.g. ``activation.alpha`` for PReLU).
"""

from __future__ import annotations

import math
from typing import Any

import autograd
from autograd import Tensor
from optim.validation import check_int

from .. import activations as _activations
from .. import init as _init
from .. import regularizers as _regularizers
from ..module import Module, autocast_input, check_features


class Dense(Module):
    """Keras' Dense layer.

    Args:
        units: output features.
        activation: a Keras name (``"relu"``, ``"softmax"``...), an activation module or
            None (linear).
        use_bias: add a bias vector.
        kernel_initializer / bias_initializer: names or ``nn.init`` objects.
        kernel_regularizer / bias_regularizer: ``"l1"``, ``"l2"``, ``"l1_l2"`` or
            ``nn.regularizers`` objects; their penalty appears in ``model.losses``.
        input_shape: ``(in_features,)``; with it the weights are created immediately,
            otherwise on the first call (lazy build from the input's last axis).
        input_dim: Keras 2 spelling of ``input_shape=(input_dim,)``.
        name: layer name (default: ``dense``, ``dense_1``... assigned by the model).
        dtype: weight dtype (default: the default dtype, float32).
    """

    def __init__(
        self,
        units: int,
        activation: Any = None,
        use_bias: bool = True,
        kernel_initializer: Any = "glorot_uniform",
        bias_initializer: Any = "zeros",
        kernel_regularizer: Any = None,
        bias_regularizer: Any = None,
        input_shape: tuple | None = None,
        input_dim: int | None = None,
        name: str | None = None,
        trainable: bool = True,
        dtype: Any = None,
    ) -> None:
        # Checked before anything is built: int(2.5) would silently make 2 units.
        units = check_int(type(self).__name__, "units", units, minimum=1)
        if input_dim is not None and input_shape is None:
            input_shape = (check_int(type(self).__name__, "input_dim", input_dim, minimum=1),)
        super().__init__(name=name, trainable=trainable, dtype=dtype, input_shape=input_shape)
        self.units = units
        self.use_bias = bool(use_bias)
        self.kernel_initializer = kernel_initializer
        self.bias_initializer = bias_initializer
        self.kernel_regularizer = _regularizers.get(kernel_regularizer)
        self.bias_regularizer = _regularizers.get(bias_regularizer)
        self.activation = _activations.get(activation)
        self.in_features: int | None = None
        self.built = False
        if self._input_shape is not None:
            self.ensure_built(self._input_shape)

    @property
    def out_features(self) -> int:
        return self.units

    def build(self, input_shape: tuple) -> None:
        in_features = input_shape[-1]
        if in_features is None:
            raise ValueError(
                f"{self.name}: the last input dimension must be known, got {input_shape}"
            )
        self.in_features = int(in_features)
        self.add_weight(
            "kernel",
            (self.in_features, self.units),
            self.kernel_initializer,
            regularizer=self.kernel_regularizer,
        )
        if self.use_bias:
            self.add_weight(
                "bias", (self.units,), self.bias_initializer, regularizer=self.bias_regularizer
            )
        else:
            self.bias = None
        # an activation with weights (PReLU) is built with the layer
        self.activation.ensure_built((*tuple(input_shape[:-1]), self.units))

    def forward(self, x: Tensor) -> Tensor:
        x = autocast_input(self, x, self.kernel, self.in_features)
        y = autograd.matmul(x, self.kernel)
        if self.bias is not None:
            y = y + self.bias
        return self.activation(y)

    def compute_output_shape(self, input_shape: tuple) -> tuple:
        check_features(self, tuple(input_shape), self.in_features)
        return (*tuple(input_shape[:-1]), self.units)

    def __getattr__(self, name: str) -> Any:
        # only reached when normal lookup fails: point PyTorch users to the kernel
        if name == "weight":
            raise AttributeError(
                f"{type(self).__name__} has no 'weight': its weight matrix is 'kernel', stored "
                "(in_features, out_features) as in Keras, i.e. PyTorch's weight.T"
            )
        raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")

    def get_config(self) -> dict[str, Any]:
        cfg = {
            **self._base_config(),
            "units": self.units,
            "activation": _activations.serialize(self.activation),
            "use_bias": self.use_bias,
            "kernel_initializer": _init.serialize(self.kernel_initializer),
            "bias_initializer": _init.serialize(self.bias_initializer),
            "kernel_regularizer": _regularizers.serialize(self.kernel_regularizer),
            "bias_regularizer": _regularizers.serialize(self.bias_regularizer),
        }
        if self.in_features is not None:
            cfg["input_shape"] = [self.in_features]
        return cfg

    def extra_repr(self) -> str:
        act = (
            _activations.serialize(self.activation)
            if not isinstance(self.activation, _activations._FunctionActivation)
            else repr(self.activation.fn)
        )
        return (
            f"in_features={self.in_features}, units={self.units}, "
            f"activation={act}, use_bias={self.use_bias}"
        )

    def __repr__(self) -> str:  # the activation is shown in extra_repr, not as a child
        return f"{type(self).__name__}({self.extra_repr()})"


class Linear(Dense):
    """PyTorch's Linear: ``Linear(in_features, out_features, bias=True)``, y = x @ kernel + b.

    Same class as Dense (kernel (in, out)), with PyTorch's default initialisation:
    kernel ~ U(-1/sqrt(in), 1/sqrt(in)) (kaiming_uniform with a = sqrt(5)) and
    bias ~ U(-1/sqrt(in), 1/sqrt(in)).  Built immediately (in_features is known).
    """

    def __init__(
        self,
        in_features: int,
        out_features: int,
        bias: bool = True,
        dtype: Any = None,
        name: str | None = None,
        **kwargs: Any,
    ) -> None:
        in_features = check_int("Linear", "in_features", in_features, minimum=0)
        out_features = check_int("Linear", "out_features", out_features, minimum=1)
        bound = 1.0 / math.sqrt(in_features) if in_features > 0 else 0.0
        kwargs.setdefault("kernel_initializer", _init.kaiming(a=math.sqrt(5)))
        kwargs.setdefault("bias_initializer", _init.RandomUniform(-bound, bound))
        super().__init__(
            out_features,
            use_bias=bias,
            input_shape=(in_features,),
            dtype=dtype,
            name=name,
            **kwargs,
        )

    def extra_repr(self) -> str:
        return f"in_features={self.in_features}, out_features={self.units}, bias={self.use_bias}"

    def get_config(self) -> dict[str, Any]:
        cfg = super().get_config()
        cfg["in_features"] = cfg.pop("input_shape")[0]
        cfg["out_features"] = cfg.pop("units")
        cfg["bias"] = cfg.pop("use_bias")
        return cfg
