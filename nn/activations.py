"""Keras' ``keras.activations``: activation *functions*, and the resolver behind
``Dense(..., activation="relu")``.

Each function calls one autograd op (no math is reimplemented here). Defaults are Keras':

==============  ==========================================  ===============================
name            function                                    formula
==============  ==========================================  ===============================
relu            relu(x, negative_slope=0, max_value=None,    max(x, 0) (leaky below
                threshold=0)                                 threshold, capped at max_value)
leaky_relu      leaky_relu(x, negative_slope=0.2)            x if x > 0 else a·x
elu             elu(x, alpha=1.0)                            x if x > 0 else α(eˣ - 1)
selu            selu(x)                                      λ·elu(x, α), λ≈1.0507, α≈1.6733
gelu            gelu(x, approximate=False)                   x·Φ(x) (exact)
silu / swish    silu(x)                                      x·σ(x)
softplus        softplus(x)                                  log(1 + eˣ)
softsign        softsign(x)                                  x / (1 + |x|)
sigmoid         sigmoid(x)                                   σ(x) = 1 / (1 + e⁻ˣ)
tanh            tanh(x)                                      tanh(x)
softmax         softmax(x, axis=-1)                          eˣⁱ / Σⱼ eˣʲ
log_softmax     log_softmax(x, axis=-1)                      xᵢ - log Σⱼ eˣʲ
exponential     exponential(x)                               eˣ
mish            mish(x)                                      x·tanh(softplus(x))
relu6           relu6(x)                                     min(max(x, 0), 6)
hard_sigmoid    hard_sigmoid(x)                              clip(x/6 + 1/2, 0, 1)
hard_silu       hard_silu(x) (hard_swish)                    x·hard_sigmoid(x)
linear          linear(x)                                    x
==============  ==========================================  ===============================

The layer forms (``nn.layers.ReLU``, ``LeakyReLU``, ``PReLU``...) are in
:mod:`nn.layers`; PyTorch's modules (``nn.ReLU``...) in :mod:`nn.modules.activation`.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import autograd
from autograd import Tensor

from ._registry import is_users_own


def _on_tensors(fn: Callable[..., Tensor]) -> Callable[..., Tensor]:
    """Keras' activations take arrays too (``keras.activations.relu(np_array)``): data that
    is not a Tensor is wrapped first, keeping its dtype."""

    @functools.wraps(fn)
    def wrapper(x: Any, *args: Any, **kwargs: Any) -> Tensor:
        return fn(x if isinstance(x, Tensor) else Tensor(x), *args, **kwargs)

    return wrapper


@_on_tensors
def relu(
    x: Tensor, negative_slope: float = 0.0, max_value: float | None = None, threshold: float = 0.0
) -> Tensor:
    """max(x, 0); with Keras' options: x < threshold gives negative_slope·(x - threshold),
    and the output is capped at max_value."""
    if negative_slope == 0.0 and max_value is None and threshold == 0.0:
        return autograd.relu(x)
    if threshold != 0.0:
        y = autograd.where(x.array >= threshold, x, negative_slope * (x - threshold))
    else:
        y = autograd.leaky_relu(x, negative_slope) if negative_slope else autograd.relu(x)
    if max_value is not None:
        y = autograd.minimum(y, float(max_value))
    return y


@_on_tensors
def leaky_relu(x: Tensor, negative_slope: float = 0.2) -> Tensor:
    """x if x > 0 else negative_slope·x (Keras 3's function default: 0.2)."""
    return autograd.leaky_relu(x, negative_slope)


@_on_tensors
def elu(x: Tensor, alpha: float = 1.0) -> Tensor:
    """x if x > 0 else alpha·(exp(x) - 1)."""
    return autograd.elu(x, alpha)


@_on_tensors
def selu(x: Tensor) -> Tensor:
    """λ·elu(x, α) with λ = 1.0507..., α = 1.6732... (Klambauer et al. 2017)."""
    return autograd.selu(x)


@_on_tensors
def gelu(x: Tensor, approximate: bool = False) -> Tensor:
    """x·Φ(x), Φ the standard normal CDF (exact, Keras 3's default); ``approximate=True``
    uses 0.5·x·(1 + tanh(sqrt(2/π)·(x + 0.044715x³)))."""
    return autograd.gelu(x, approximate="tanh" if approximate else "none")


@_on_tensors
def silu(x: Tensor) -> Tensor:
    """x·σ(x)."""
    return autograd.silu(x)


swish = silu


@_on_tensors
def softplus(x: Tensor) -> Tensor:
    """log(1 + exp(x))."""
    return autograd.softplus(x)


@_on_tensors
def softsign(x: Tensor) -> Tensor:
    """x / (1 + |x|)."""
    return x / (autograd.abs(x) + 1.0)


@_on_tensors
def sigmoid(x: Tensor) -> Tensor:
    """1 / (1 + exp(-x))."""
    return autograd.sigmoid(x)


@_on_tensors
def tanh(x: Tensor) -> Tensor:
    """tanh(x)."""
    return autograd.tanh(x)


@_on_tensors
def softmax(x: Tensor, axis: int = -1) -> Tensor:
    """exp(x_i - max x) / Σ_j exp(x_j - max x) along ``axis``.

    As Keras 3 does, the output remembers its logits, so the probability losses compute
    from them exactly (in training and in evaluation alike)."""
    probs = autograd.softmax(x, axis=axis)
    if axis in (-1, x.ndim - 1):
        from .losses import remember_softmax_logits

        remember_softmax_logits(probs, x)
    return probs


@_on_tensors
def log_softmax(x: Tensor, axis: int = -1) -> Tensor:
    """x_i - logsumexp(x) along ``axis`` (stable)."""
    return autograd.log_softmax(x, axis=axis)


@_on_tensors
def mish(x: Tensor) -> Tensor:
    """x·tanh(softplus(x)) (Misra 2019)."""
    return x * autograd.tanh(autograd.softplus(x))


@_on_tensors
def relu6(x: Tensor) -> Tensor:
    """min(max(x, 0), 6)."""
    return autograd.clip(x, 0.0, 6.0)


@_on_tensors
def hard_sigmoid(x: Tensor) -> Tensor:
    """clip(x / 6 + 1/2, 0, 1) (Keras 3's piecewise-linear sigmoid)."""
    return autograd.clip(x * (1.0 / 6.0) + 0.5, 0.0, 1.0)


@_on_tensors
def hard_silu(x: Tensor) -> Tensor:
    """x·hard_sigmoid(x) (a.k.a. hard swish)."""
    return x * hard_sigmoid(x)


hard_swish = hard_silu


@_on_tensors
def exponential(x: Tensor) -> Tensor:
    """exp(x)."""
    return autograd.exp(x)


@_on_tensors
def linear(x: Tensor) -> Tensor:
    """x (no activation)."""
    return x


_FUNCTIONS: dict[str, Callable[..., Tensor]] = {
    f.__name__: f
    for f in (
        relu, leaky_relu, elu, selu, gelu, silu, softplus, softsign, sigmoid, tanh, softmax,
        log_softmax, exponential, linear, mish, relu6, hard_sigmoid, hard_silu,
    )
}  # fmt: skip
_FUNCTIONS["swish"] = silu
_FUNCTIONS["hard_swish"] = hard_silu
_FUNCTIONS["identity"] = linear


def known_names() -> list[str]:
    """The strings accepted as ``activation=``."""
    return sorted(_FUNCTIONS)


def get(identifier: Any) -> Callable[[Tensor], Tensor]:
    """Resolve ``activation=``: None or ``"linear"`` -> :func:`linear`; a Keras name -> its
    function; the name of a function of your own (registered with
    ``register_keras_serializable``, or in a ``custom_object_scope``) -> it; a saved config
    dict -> that function or layer; any callable (a function, a layer such as
    ``nn.layers.PReLU()``, a module such as ``nn.ReLU()``) as is. Unknown names raise a
    ValueError listing the known ones."""
    if identifier is None:
        return linear
    if isinstance(identifier, dict) and identifier.get("class_name") == "function":
        identifier = identifier.get("config")  # Keras' form of a function: by its name
        if not isinstance(identifier, str):
            raise ValueError(f"a serialized activation function needs a name: {identifier!r}")
    if isinstance(identifier, str):
        fn = _FUNCTIONS.get(identifier.lower())
        if fn is None:
            from .saving.registry import get_registered_object

            fn = get_registered_object(identifier)
        if fn is None:
            raise ValueError(
                f"unknown activation {identifier!r}; known activations: "
                f"{', '.join(known_names())} (a function of your own: register it with "
                "@keras.saving.register_keras_serializable() or load inside "
                "keras.saving.custom_object_scope)"
            )
        return fn
    if isinstance(identifier, dict):
        from .saving import deserialize_layer

        return deserialize_layer(identifier)
    if callable(identifier):
        return identifier
    raise TypeError(f"cannot interpret {identifier!r} as an activation")


def serialize(activation: Callable[[Tensor], Tensor]) -> Any:
    """The Keras name of a built-in activation function; Keras' form of a function of your
    own (``{"class_name": "function", "config": <its registered name>}``, loaded back by
    that name: register it or load inside ``custom_object_scope``); else the config of a
    layer. A lambda has no name to load it by and raises NotImplementedError."""
    name = getattr(activation, "__name__", None)
    if name in _FUNCTIONS and _FUNCTIONS[name] is activation:
        return name
    get_config = getattr(activation, "get_config", None)
    if get_config is None:
        if name is None or name == "<lambda>" or not is_users_own(activation):
            raise NotImplementedError(
                f"activation {activation!r} has no name to be saved by; use a name, a "
                "function of your own (def), or an activation layer"
            )
        from .saving.registry import function_entry

        return function_entry(activation)
    from .saving import serialize_layer

    return serialize_layer(activation)


def deserialize(config: Any) -> Callable[[Tensor], Tensor]:
    """Inverse of :func:`serialize`."""
    return get(config)


__all__ = [*sorted(_FUNCTIONS), "deserialize", "get", "serialize"]
