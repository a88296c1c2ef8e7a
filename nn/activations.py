"""Activation functions as modules, the ``activation="name"`` resolver and Keras'
``Activation("name")`` layer.

Each class wraps one autograd function (no math is reimplemented here), so a Dense layer's
activation, a stand-alone activation layer and ``autograd.relu(x)`` are the same op.
Keras names (``activation="relu"``) and PyTorch class names (``nn.ReLU()``) resolve to the
same classes.

==============  ====================================  ==============================
Keras name      class (PyTorch spelling)              formula
==============  ====================================  ==============================
relu            ReLU                                  max(x, 0)
leaky_relu      LeakyReLU(negative_slope=0.01)        x if x > 0 else a·x
prelu           PReLU(num_parameters=None, init=.25)  x if x > 0 else a_j·x, a learnable
elu             ELU(alpha=1.0)                        x if x > 0 else α(eˣ - 1)
selu            SELU                                  λ·elu(x, α), λ≈1.0507, α≈1.6733
gelu            GELU(approximate="none")              x·Φ(x)  ("tanh": tanh approximation)
silu / swish    SiLU (alias Swish)                    x·σ(x)
softplus        Softplus(beta=1)                      log(1 + e^(βx)) / β
sigmoid         Sigmoid                               σ(x) = 1 / (1 + e⁻ˣ)
tanh            Tanh                                  tanh(x)
softmax         Softmax(axis=-1) (``dim=`` too)       eˣⁱ / Σⱼ eˣʲ
log_softmax     LogSoftmax(axis=-1)                   xᵢ - log Σⱼ eˣʲ
linear          Identity                              x
==============  ====================================  ==============================

Defaults follow PyTorch where Keras and PyTorch differ: LeakyReLU's slope is 0.01
(Keras 2's layer used 0.3: pass ``LeakyReLU(0.3)``); PReLU starts at 0.25 (PyTorch; Keras
starts at 0) with one slope per unit by default (Keras; PyTorch's default is one shared
slope: ``PReLU(num_parameters=1)``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import autograd
from autograd import Tensor

from ._registry import from_name_or_config
from .module import Module, autocast_input, check_features


class ActivationFunction(Module):
    """Base of the activation modules: stateless, built, shape-preserving."""

    #: the Keras string that names this activation (None: not addressable by string)
    keras_name: str | None = None

    def compute_output_shape(self, input_shape: tuple) -> tuple:
        return tuple(input_shape)

    def get_config(self) -> dict[str, Any]:
        return self._base_config()


class Identity(ActivationFunction):
    """``linear`` activation: f(x) = x (PyTorch ``nn.Identity``)."""

    keras_name = "linear"

    def __init__(self, *args: Any, name: str | None = None, **kwargs: Any) -> None:
        super().__init__(name=name, **kwargs)

    def forward(self, x: Tensor) -> Tensor:
        return x


class ReLU(ActivationFunction):
    """f(x) = max(x, 0)."""

    keras_name = "relu"

    def forward(self, x: Tensor) -> Tensor:
        return autograd.relu(x)


class LeakyReLU(ActivationFunction):
    """f(x) = x if x > 0 else negative_slope·x (Keras' ``alpha=`` accepted too)."""

    keras_name = "leaky_relu"

    def __init__(
        self, negative_slope: float = 0.01, *, alpha: float | None = None, **kwargs: Any
    ) -> None:
        super().__init__(**kwargs)
        self.negative_slope = float(alpha if alpha is not None else negative_slope)

    def forward(self, x: Tensor) -> Tensor:
        return autograd.leaky_relu(x, self.negative_slope)

    def get_config(self) -> dict[str, Any]:
        return {**self._base_config(), "negative_slope": self.negative_slope}

    def extra_repr(self) -> str:
        return f"negative_slope={self.negative_slope}"


class PReLU(ActivationFunction):
    """f(x) = x if x > 0 else a·x with a learnable slope ``a`` (He et al. 2015).

    ``num_parameters=None`` (default): one slope per unit of the last axis, created on the
    first input (lazy build); an integer fixes the count (1 = one shared slope, PyTorch's
    default).  Slopes start at ``init`` (0.25).  Computed as relu(x) - a·relu(-x).
    """

    keras_name = "prelu"

    def __init__(
        self, num_parameters: int | None = None, init: float = 0.25, **kwargs: Any
    ) -> None:
        super().__init__(**kwargs)
        self.num_parameters = num_parameters
        self.init = float(init)
        self.built = False
        if num_parameters is not None:
            self.ensure_built((None, num_parameters))

    def build(self, input_shape: tuple) -> None:
        n = self.num_parameters if self.num_parameters is not None else int(input_shape[-1])
        from .init import Constant

        self.add_weight("alpha", (n,), Constant(self.init))

    def compute_output_shape(self, input_shape: tuple) -> tuple:
        if self.built and self.alpha.shape[0] > 1:
            check_features(self, tuple(input_shape), self.alpha.shape[0])
        return tuple(input_shape)

    def forward(self, x: Tensor) -> Tensor:
        n = self.alpha.shape[0]
        x = autocast_input(self, x, self.alpha, n if n > 1 else None)
        return autograd.relu(x) - self.alpha * autograd.relu(-x)

    def get_config(self) -> dict[str, Any]:
        return {**self._base_config(), "num_parameters": self.num_parameters, "init": self.init}

    def extra_repr(self) -> str:
        return f"num_parameters={self.num_parameters}, init={self.init}"


class ELU(ActivationFunction):
    """f(x) = x if x > 0 else alpha·(exp(x) - 1)."""

    keras_name = "elu"

    def __init__(self, alpha: float = 1.0, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.alpha = float(alpha)

    def forward(self, x: Tensor) -> Tensor:
        return autograd.elu(x, self.alpha)

    def get_config(self) -> dict[str, Any]:
        return {**self._base_config(), "alpha": self.alpha}


class SELU(ActivationFunction):
    """f(x) = λ·elu(x, α) with λ = 1.0507..., α = 1.6732... (Klambauer et al. 2017)."""

    keras_name = "selu"

    def forward(self, x: Tensor) -> Tensor:
        return autograd.selu(x)


class GELU(ActivationFunction):
    """f(x) = x·Φ(x), Φ the standard normal CDF; ``approximate="tanh"`` uses
    0.5·x·(1 + tanh(sqrt(2/π)·(x + 0.044715x³))).  Keras' ``approximate=True`` = "tanh"."""

    keras_name = "gelu"

    def __init__(self, approximate: str | bool = "none", **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if approximate is True:
            approximate = "tanh"
        elif approximate is False:
            approximate = "none"
        if approximate not in ("none", "tanh"):
            raise ValueError(f"GELU approximate must be 'none' or 'tanh', got {approximate!r}")
        self.approximate = approximate

    def forward(self, x: Tensor) -> Tensor:
        return autograd.gelu(x, approximate=self.approximate)

    def get_config(self) -> dict[str, Any]:
        return {**self._base_config(), "approximate": self.approximate}


class SiLU(ActivationFunction):
    """f(x) = x·σ(x) (a.k.a. swish)."""

    keras_name = "silu"

    def forward(self, x: Tensor) -> Tensor:
        return autograd.silu(x)


Swish = SiLU


class Softplus(ActivationFunction):
    """f(x) = log(1 + exp(beta·x)) / beta (beta = 1: Keras' softplus)."""

    keras_name = "softplus"

    def __init__(self, beta: float = 1.0, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.beta = float(beta)

    def forward(self, x: Tensor) -> Tensor:
        if self.beta == 1.0:
            return autograd.softplus(x)
        return autograd.softplus(x * self.beta) / self.beta

    def get_config(self) -> dict[str, Any]:
        return {**self._base_config(), "beta": self.beta}


class Sigmoid(ActivationFunction):
    """f(x) = 1 / (1 + exp(-x))."""

    keras_name = "sigmoid"

    def forward(self, x: Tensor) -> Tensor:
        return autograd.sigmoid(x)


class Tanh(ActivationFunction):
    """f(x) = tanh(x)."""

    keras_name = "tanh"

    def forward(self, x: Tensor) -> Tensor:
        return autograd.tanh(x)


class Softmax(ActivationFunction):
    """f(x)_i = exp(x_i - max x) / Σ_j exp(x_j - max x) along ``axis`` (PyTorch: ``dim``)."""

    keras_name = "softmax"

    def __init__(self, axis: int = -1, *, dim: int | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.axis = int(dim if dim is not None else axis)

    def forward(self, x: Tensor) -> Tensor:
        probs = autograd.softmax(x, axis=self.axis)
        if self.axis in (-1, x.ndim - 1):
            # The losses then use the logits, with or without a recorded graph (Keras 3).
            from .losses import remember_softmax_logits

            remember_softmax_logits(probs, x)
        return probs

    def get_config(self) -> dict[str, Any]:
        return {**self._base_config(), "axis": self.axis}


class LogSoftmax(Softmax):
    """f(x)_i = x_i - logsumexp(x) along ``axis`` (stable)."""

    keras_name = "log_softmax"

    def forward(self, x: Tensor) -> Tensor:
        return autograd.log_softmax(x, axis=self.axis)


class _FunctionActivation(ActivationFunction):
    """Wraps a plain callable given as ``activation=fn`` (not serializable)."""

    def __init__(self, fn: Callable[[Tensor], Tensor], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.fn = fn

    def forward(self, x: Tensor) -> Tensor:
        return self.fn(x)

    def get_config(self) -> dict[str, Any]:
        raise NotImplementedError(
            f"activation {self.fn!r} is a plain function and cannot be "
            "saved; use a name or an activation class"
        )


class Activation(Module):
    """Keras' ``Activation`` layer: ``Activation("relu")`` applies the named activation
    (any identifier :func:`get` accepts) as a layer of its own, e.g. after a
    BatchNormalization (``Dense(100, use_bias=False), BatchNormalization(),
    Activation("elu")``).  Named ``activation``, ``activation_1``... in a model; the
    wrapped module is its child ``activation`` (a PReLU's slopes: ``activation.alpha``)."""

    def __init__(self, activation: Any, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.activation = get(activation)
        self.built = self.activation.built

    def build(self, input_shape: tuple) -> None:
        self.activation.ensure_built(input_shape)

    def forward(self, x: Tensor) -> Tensor:
        return self.activation(x)

    def compute_output_shape(self, input_shape: tuple) -> tuple:
        return tuple(input_shape)

    def get_config(self) -> dict[str, Any]:
        return {**self._base_config(), "activation": serialize(self.activation)}

    def extra_repr(self) -> str:
        return (
            repr(serialize(self.activation))
            if not isinstance(self.activation, _FunctionActivation)
            else repr(self.activation.fn)
        )

    def __repr__(self) -> str:
        return f"Activation({self.extra_repr()})"


_BY_NAME: dict[str, type[ActivationFunction]] = {
    c.keras_name: c
    for c in (
        Identity,
        ReLU,
        LeakyReLU,
        PReLU,
        ELU,
        SELU,
        GELU,
        SiLU,
        Softplus,
        Sigmoid,
        Tanh,
        Softmax,
        LogSoftmax,
    )
}
_BY_NAME["swish"] = SiLU
_BY_NAME["identity"] = Identity
CLASSES: dict[str, type[Module]] = {c.__name__: c for c in set(_BY_NAME.values())}
CLASSES["Activation"] = Activation


def known_names() -> list[str]:
    """The strings accepted as ``activation=``."""
    return sorted(_BY_NAME)


def get(identifier: Any) -> Module:
    """Resolve ``activation=``: None or ``"linear"`` -> Identity; a Keras name -> a new
    module; a config dict; a Module as is; another callable wrapped.  Unknown names raise
    a ValueError listing the known ones."""
    if identifier is None:
        return Identity()
    if isinstance(identifier, Module):
        return identifier
    if isinstance(identifier, str | dict):
        return from_name_or_config(identifier, "activation", _BY_NAME, CLASSES)
    if callable(identifier):
        return _FunctionActivation(identifier)
    raise TypeError(f"cannot interpret {identifier!r} as an activation")


def serialize(activation: Module) -> Any:
    """The Keras string when the activation has no settings, else a config dict."""
    if isinstance(activation, ActivationFunction) and type(activation) in CLASSES.values():
        cfg = {
            k: v
            for k, v in activation.get_config().items()
            if k not in ("name", "trainable", "dtype")
        }
        if not cfg and activation.keras_name:
            return activation.keras_name
        return {"class_name": type(activation).__name__, "config": cfg}
    return {"class_name": type(activation).__name__, "config": activation.get_config()}
