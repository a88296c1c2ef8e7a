"""Keras' fully connected layer.

    y = activation(x @ kernel + bias)

``kernel`` has shape (in, out), as in Keras; PyTorch's :class:`nn.Linear` keeps
``weight`` as (out, in) instead (``dense.kernel`` equals ``linear.weight.T``).
"""

from __future__ import annotations

from typing import Any

from autograd import Tensor
from autograd.ops.matmul import affine_activation as _affine_activation
from autograd.ops.matmul import dense as _dense
from optim.validation import check_int

from .. import activations as _activations
from .. import initializers as _initializers
from .. import regularizers as _regularizers
from ..core.layer import Layer, autocast_input, check_features


class Dense(Layer):
    """Keras' Dense layer.

    Args:
        units: output features (a positive integer).
        activation: a Keras name (``"relu"``, ``"softmax"``...), a function, an activation
            layer or None (linear).
        use_bias: add a bias vector.
        kernel_initializer / bias_initializer: names or ``nn.initializers`` objects.
        kernel_regularizer / bias_regularizer / activity_regularizer: ``"l1"``, ``"l2"``,
            ``"l1_l2"`` or ``nn.regularizers`` objects; weight penalties appear in
            ``model.losses``.
        kernel_constraint / bias_constraint: ``nn.constraints`` (e.g. ``max_norm(1.0)``),
            applied after every optimizer step.
        input_shape: ``(in_features,)``; with it the weights are created immediately,
            otherwise on the first call (lazy build from the input's last axis).
        input_dim: Keras 2 spelling of ``input_shape=(input_dim,)``.
        name: layer name (default: ``dense``, ``dense_1``..., counted per process as Keras).
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
        activity_regularizer: Any = None,
        kernel_constraint: Any = None,
        bias_constraint: Any = None,
        **kwargs: Any,
    ) -> None:
        # Checked before anything is built: int(2.5) would silently make 2 units.
        units = check_int(type(self).__name__, "units", units, minimum=1)
        super().__init__(**kwargs)
        self.units = units
        self.use_bias = bool(use_bias)
        self.kernel_initializer = kernel_initializer
        self.bias_initializer = bias_initializer
        self.kernel_regularizer = _regularizers.get(kernel_regularizer)
        self.bias_regularizer = _regularizers.get(bias_regularizer)
        self.activity_regularizer = _regularizers.get(activity_regularizer)
        self.kernel_constraint = kernel_constraint
        self.bias_constraint = bias_constraint
        self.activation = _activations.get(activation)
        self.in_features: int | None = None
        self.built = False
        if self._declared_input_shape is not None:
            self.ensure_built(self._declared_input_shape)

    def build(self, input_shape: tuple) -> None:
        in_features = input_shape[-1]
        if in_features is None:
            raise ValueError(
                f"{self.name}: the last input dimension must be known, got {input_shape}"
            )
        self.in_features = int(in_features)
        self.add_weight(
            "kernel", (self.in_features, self.units), self.kernel_initializer,
            regularizer=self.kernel_regularizer, constraint=self.kernel_constraint,
        )  # fmt: skip
        if self.use_bias:
            self.add_weight(
                "bias", (self.units,), self.bias_initializer,
                regularizer=self.bias_regularizer, constraint=self.bias_constraint,
            )  # fmt: skip
        else:
            self.bias = None
        # an activation layer with weights (PReLU) is built with this layer
        ensure_built = getattr(self.activation, "ensure_built", None)
        if ensure_built is not None:
            ensure_built((*tuple(input_shape[:-1]), self.units))

    def call(self, inputs: Tensor) -> Tensor:
        x = autocast_input(self, inputs, self.kernel, self.in_features)
        fused = _FUSED_ACTIVATIONS.get(id(self.activation))  # id: any callable is allowed
        if fused is not None:  # activation(x K + b) in one op: a GPU kernel less each way
            return _affine_activation(x, self.kernel, self.bias, fused, transposed=False)
        return self.activation(_dense(x, self.kernel, self.bias))  # x K + b in one op

    def _own_variables(self) -> list[Any]:
        """What Keras' Dense saves in its group: the kernel, then the bias (a subclass'
        extra weights are its own ``save_own_variables``' business, as in Keras)."""
        if not self.built:
            return []
        return [self.kernel] + ([self.bias] if self.bias is not None else [])

    def compute_output_shape(self, input_shape: tuple) -> tuple:
        check_features(self, tuple(input_shape), self.in_features)
        return (*tuple(input_shape[:-1]), self.units)

    def __getattr__(self, name: str) -> Any:
        # only reached when normal lookup fails: point PyTorch users to the kernel
        if name == "weight":
            raise AttributeError(
                "Dense has no 'weight': its weight matrix is 'kernel', stored (in_features, "
                "out_features) as in Keras; nn.Linear is PyTorch's layer with weight (out, in)"
            )
        return super().__getattr__(name)

    def get_config(self) -> dict[str, Any]:
        from .. import constraints as _constraints

        cfg = {
            **self._base_config(),
            "units": self.units,
            "activation": _activations.serialize(self.activation),
            "use_bias": self.use_bias,
            "kernel_initializer": _initializers.serialize(self.kernel_initializer),
            "bias_initializer": _initializers.serialize(self.bias_initializer),
            "kernel_regularizer": _regularizers.serialize(self.kernel_regularizer),
            "bias_regularizer": _regularizers.serialize(self.bias_regularizer),
            "kernel_constraint": _constraints.serialize(self.kernel_constraint),
            "bias_constraint": _constraints.serialize(self.bias_constraint),
        }
        if self.in_features is not None:
            cfg["input_shape"] = [self.in_features]
        return cfg

    def extra_repr(self) -> str:
        act = getattr(self.activation, "__name__", None) or repr(self.activation)
        return (
            f"in_features={self.in_features}, units={self.units}, "
            f"activation={act}, use_bias={self.use_bias}"
        )

    def __repr__(self) -> str:  # the activation is shown in extra_repr, not as a child
        return f"{type(self).__name__}({self.extra_repr()})"


#: The activation functions (by id) whose Dense runs as one op with them (AffineActivation).
_FUSED_ACTIVATIONS = {
    id(_activations.relu): "relu", id(_activations.sigmoid): "sigmoid",
    id(_activations.tanh): "tanh",
}

__all__ = ["Dense"]
