"""`Layer`: Keras' layer surface on top of the PyTorch-style :class:`Module` core.

What it adds, all of it Keras' (``keras.layers.Layer``):

* a ``name`` (``dense``, ``dense_1``... given when it is made, :mod:`nn.core.naming`) and
  ``trainable``;
* lazy weights: ``build(input_shape)`` creates them with ``add_weight`` at the first call,
  or at once when ``input_shape=`` is given; calling ``build`` directly marks the layer
  built too, so ``layer.build((None, 4)); layer.set_weights(w); layer(x)`` keeps ``w``;
* ``call(inputs, training=None)``: built-in layers implement ``call``, and ``forward``
  runs it, so a Keras subclass overriding ``call`` (``class MCDropout(Dropout)``) and a
  PyTorch subclass overriding ``forward`` both work;
* ``layer(x, training=True)`` runs one call in that mode (Monte-Carlo dropout);
* called on symbolic tensors (``keras.Input``), it records the call for a functional model
  instead of computing (:mod:`nn.core.symbolic`);
* ``weights`` / ``variables``, ``get_weights()`` / ``set_weights()``, ``count_params()``,
  regularization ``losses``, ``get_config()`` / ``from_config()``.

A layer does not train by itself: ``compile``/``fit`` belong to :class:`nn.Model`.
"""

from __future__ import annotations

import contextlib
import contextvars
import functools
import inspect
from collections.abc import Iterable, Iterator
from typing import Any, ClassVar

import numpy as np

from autograd import Tensor, from_array, get_default_dtype
from optim.validation import check_int, describe

from .._registry import is_users_own
from .module import Module, _shape_of, _unique, copy_into, to_host
from .naming import auto_name, snake_case
from .parameter import Buffer, Parameter, Variable
from .symbolic import contains_symbolic, flatten, is_nest, map_structure, symbolic_call

Shape = tuple  # (None | int, ...) with None for an unknown batch size

#: While a saved model is rebuilt from its config (``nn.load_model``), an object whose
#: ``charge(module, what, shape)`` is called before every weight or probe allocation and
#: raises when the config asks for more than the file can hold: a 1 kB file declaring
#: Dense(20000) is refused before 3 GiB are allocated. None otherwise.
ALLOCATION_BUDGET: contextvars.ContextVar[Any] = contextvars.ContextVar(
    "xpgrad_allocation_budget", default=None
)

#: every layer class defined in this package, by "module.ClassName" (one registration:
#: defining the class is all it takes; saved configs find their classes here)
BUILTIN_LAYERS: dict[str, type] = {}


def check_name(name: str) -> str:
    """Validate a layer name: a non-empty string without ``.`` (dots separate state_dict keys)."""
    if not isinstance(name, str) or not name or "." in name:
        raise ValueError(f"invalid layer name {name!r}: use a non-empty string without '.'")
    return name


#: Whether any layer ever called ``add_loss``: until one does, a call has no terms to clear
#: (spares the walk over the modules on every outermost call).
_ADD_LOSS_USED = False
#: How deep the current layer calls are nested (0: no layer is running).
_CALL_DEPTH: contextvars.ContextVar[int] = contextvars.ContextVar("layer_call_depth", default=0)
#: The ``training`` value of the calls in progress: True in ``fit``'s steps, False in
#: ``evaluate``/``predict``, or what an outer call was given (``model(x, training=True)``).
#: A layer whose ``call`` takes ``training`` gets it when its own call does not say, as
#: Keras hands it down; None (no call says): the ``call``'s own default applies.
_TRAINING: contextvars.ContextVar[bool | None] = contextvars.ContextVar("training", default=None)


@contextlib.contextmanager
def training_calls(training: bool) -> Iterator[None]:
    """Run layer calls with ``training`` handed down to every ``call`` that takes it."""
    token = _TRAINING.set(training)
    try:
        yield
    finally:
        _TRAINING.reset(token)


class _FirstCallTensors:
    """Keras' ``layer.input`` / ``layer.output``: the symbolic tensors of the layer's first
    call in a functional graph (one tensor, or a list of several), as Keras 3 gives them;
    for feature extraction, ``keras.Model(model.inputs, model.layers[2].output)``. An
    attribute of that name set on the instance (``self.output = Dense(...)``, PyTorch
    style) takes precedence."""

    def __init__(self, kind: str) -> None:
        self.kind = kind

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    def __get__(self, layer: Any, owner: type | None = None) -> Any:
        if layer is None:
            return self
        d = layer.__dict__
        for table in ("_modules", "_parameters", "_buffers"):
            if self.name in d.get(table, ()):
                return d[table][self.name]
        if self.name in d:
            return d[self.name]
        nodes = d.get("_inbound_nodes") or []
        if not nodes:  # Layer.__getattr__ says so (Python asks it after this AttributeError)
            raise AttributeError(self.name)
        tensors = nodes[0].input_tensors if self.kind == "input" else nodes[0].outputs
        return tensors[0] if len(tensors) == 1 else list(tensors)

    def __set__(self, layer: Any, value: Any) -> None:
        layer.__dict__[self.name] = value


class Layer(Module):
    """Base class of every built-in layer and of Keras-style custom layers.

    Subclass and implement ``call(inputs, training=None)`` (Keras) or ``forward`` (PyTorch);
    create weights in ``build(input_shape)`` with :meth:`add_weight` when their shapes
    depend on the input (``input_shape`` includes the batch dimension as ``None``).
    """

    #: base of the Keras-style default name; ``snake_case(class name)`` when None
    default_name: ClassVar[str | None] = None
    #: set on a user's subclass that defines ``build``: it starts unbuilt (see __init_subclass__)
    _builds_lazily: ClassVar[bool] = False
    input = _FirstCallTensors("input")
    output = _FirstCallTensors("output")

    def __new__(cls, *args: Any, **kwargs: Any) -> Layer:
        layer = super().__new__(cls)
        if is_users_own(cls):  # Keras' auto config: the constructor's arguments, if plain
            layer.__dict__["_auto_config"] = _constructor_arguments(cls, args, kwargs)
        return layer

    def __getattr__(self, name: str) -> Any:
        if name in ("input", "output"):
            raise AttributeError(f"layer {self.name!r} has never been called on symbolic "
                                 f"tensors (keras.Input), so it has no {name}")  # fmt: skip
        return super().__getattr__(name)

    def __init__(
        self,
        *,
        name: str | None = None,
        trainable: bool = True,
        dtype: Any = None,
        input_shape: tuple | None = None,
        input_dim: int | None = None,
        activity_regularizer: Any = None,
        **kwargs: Any,
    ) -> None:
        if kwargs:
            raise TypeError(
                f"{type(self).__name__}: unrecognized keyword argument(s) "
                f"{', '.join(repr(k) for k in kwargs)}"
            )
        super().__init__()
        if input_dim is not None and input_shape is None:
            input_shape = (check_int(type(self).__name__, "input_dim", input_dim, minimum=1),)
        d = self.__dict__
        d["_regularizers"] = []
        d["_trainable"] = bool(trainable)
        # Keras names a layer when it is made, from a per-process counter (see naming.py)
        d["_name"] = check_name(name) if name is not None else auto_name(self.base_name())
        d["_name_given"] = name is not None
        d["_inbound_nodes"] = []  # its calls on symbolic tensors (functional API)
        d["_dtype"] = _layer_dtype(dtype)
        d["built"] = not type(self)._builds_lazily
        # the input_shape= given (batch dimension added); None when not given
        d["_declared_input_shape"] = (None if input_shape is None
                                      else (None, *_shape_tuple(input_shape)))  # fmt: skip
        d["_last_output_shape"] = None
        if activity_regularizer is not None:  # looked up per call only where one was given
            from .. import regularizers as _regularizers

            d["activity_regularizer"] = _regularizers.get(activity_regularizer)

    def __init_subclass__(cls, **kwargs: Any) -> None:
        # Keras marks a layer built once its build() ran, also when user code calls build()
        # directly; wrap every subclass' own build so that holds for ours and users' alike.
        super().__init_subclass__(**kwargs)
        if cls.__module__.split(".")[0] == "nn" and not cls.__name__.startswith("_"):
            BUILTIN_LAYERS[f"{cls.__module__}.{cls.__name__}"] = cls
        build = cls.__dict__.get("build")
        if build is not None and is_users_own(cls):
            # a user's layer that makes its weights in build(): unbuilt until its first
            # call (or a model's build) runs it, as in Keras
            cls._builds_lazily = True
        if build is not None and not getattr(build, "_marks_built", False):

            @functools.wraps(build)
            def marking_build(self: Layer, *args: Any, **kw: Any) -> Any:
                result = build(self, *args, **kw)
                d = self.__dict__
                d["built"] = True
                if "_build_shape" not in d:  # the first build's shape: get_build_config's
                    d["_build_shape"] = args[0] if args else kw.get("input_shape")
                return result

            marking_build._marks_built = True  # type: ignore[attr-defined]
            cls.build = marking_build  # type: ignore[method-assign]

    # ------------------------------------------------------------------ names
    @property
    def name(self) -> str:
        """Keras' layer name: the ``name=`` given, else the one it got when it was made
        (``dense``, ``dense_1``... counted per process, as Keras does; restarted by
        ``keras.backend.clear_session()``)."""
        return self._name if self._name is not None else self.base_name()

    @classmethod
    def base_name(cls) -> str:
        return cls.default_name or snake_case(cls.__name__)

    @property
    def dtype(self) -> np.dtype:
        """The dtype of this layer's weights (the default float dtype until set)."""
        return self._dtype or np.dtype(get_default_dtype())

    # ------------------------------------------------------------------ weights
    def add_weight(
        self,
        name: str | None = None,
        shape: tuple = (),
        initializer: Any = "glorot_uniform",
        trainable: bool = True,
        regularizer: Any = None,
        dtype: Any = None,
        constraint: Any = None,
    ) -> Tensor:
        """Keras' ``add_weight``: create, register and return a weight.

        Trainable weights become Parameters (frozen if this layer is not ``trainable``);
        non-trainable ones (``trainable=False``, e.g. moving statistics) become buffers.
        The array is drawn by ``nn.initializers`` on this layer's device with the backend
        rng. A ``constraint`` (``nn.constraints``) is applied after every optimizer step.
        """
        from .. import initializers as _init
        from .. import regularizers as _regularizers

        if name is None:
            name = f"weight_{len(self._parameters) + len(self._buffers)}"
        dtype = np.dtype(dtype or self.dtype)
        budget = ALLOCATION_BUDGET.get()
        if budget is not None:
            budget.charge(self, name, tuple(shape))
        data = _init.get(initializer)(tuple(shape), dtype=dtype, device=self._device)
        if trainable:
            # from_array: the weights stay on the device the initializer made them on
            tensor: Tensor = Parameter(from_array(data), requires_grad=self._trainable)
            tensor.name = name
            if constraint is not None:
                from .. import constraints as _constraints

                tensor.constraint = _constraints.get(constraint)
            setattr(self, name, tensor)
            reg = _regularizers.get(regularizer)
            if reg is not None:
                self._regularizers.append((name, reg))
        else:
            tensor = Buffer(from_array(data))
            tensor.name = name
            self.register_buffer(name, tensor)
        return tensor

    @property
    def weights(self) -> list[Tensor]:
        """All weights (parameters and persistent buffers) in Keras order."""
        return list(_unique(self._state_tensors().values()))

    @property
    def variables(self) -> list[Tensor]:
        """Keras 3's name for :attr:`weights`."""
        return self.weights

    @property
    def trainable_weights(self) -> list[Tensor]:
        return [t for t in self.weights if isinstance(t, Parameter) and t.requires_grad]

    @property
    def non_trainable_weights(self) -> list[Tensor]:
        return [t for t in self.weights if not (isinstance(t, Parameter) and t.requires_grad)]

    trainable_variables = trainable_weights
    non_trainable_variables = non_trainable_weights

    @property
    def trainable(self) -> bool:
        """Keras' flag.  ``layer.trainable = False`` freezes every parameter of the layer and
        its sub-layers (``requires_grad=False``; they count as non-trainable in summary()),
        including parameters a lazy build creates later.  As in Keras, a frozen
        BatchNormalization also stops updating and uses its moving statistics."""
        return self._trainable

    @trainable.setter
    def trainable(self, flag: bool) -> None:
        for m in self.modules():
            m.__dict__["_trainable"] = bool(flag)
            for _, p in m._own_parameters():
                p.requires_grad = bool(flag)

    def requires_grad_(self, requires_grad: bool = True) -> Layer:
        """PyTorch spelling of ``trainable = requires_grad``; returns self."""
        self.trainable = requires_grad
        return self

    def count_params(self) -> int:
        """Number of scalars in all weights (trainable or not), as Keras.  Raises a
        ValueError while a layer is not built (its weights do not exist yet)."""
        unbuilt = [m.name for m in self.modules() if not getattr(m, "built", True)]
        if unbuilt:
            raise ValueError(
                f"count_params() on {self.name!r}: layer(s) {', '.join(unbuilt)} are not built "
                "yet (input shape unknown): pass input_shape= to the first layer, call "
                "build((None, ...)) or call the model on a batch first"
            )
        return int(sum(int(np.prod(t.shape)) for t in self.weights))

    def get_weights(self) -> list[np.ndarray]:
        """NumPy copies of all weights in Keras order (Dense: kernel (in, out), bias)."""
        return [np.array(to_host(t.array)) for t in self.weights]

    def set_weights(self, weights: list[Any]) -> None:
        """Inverse of ``get_weights()``; checks count and shapes before changing anything."""
        own = self.weights
        if len(weights) != len(own):
            raise ValueError(
                f"{self.name!r} expects {len(own)} weight arrays "
                f"{[tuple(t.shape) for t in own]}, got {len(weights)}"
            )
        bad = [
            (i, tuple(_shape_of(w)), tuple(t.shape))
            for i, (w, t) in enumerate(zip(weights, own, strict=True))
            if tuple(_shape_of(w)) != tuple(t.shape)
        ]
        if bad:
            raise ValueError(
                f"{self.name!r}: weight shape mismatch "
                + ", ".join(f"#{i}: given {g} vs expected {e}" for i, g, e in bad)
            )
        for w, t in zip(weights, own, strict=True):
            copy_into(t, w)

    def add_loss(self, loss: Any) -> None:
        """Keras' ``add_loss``: a term (a scalar tensor computed in ``call``) that training
        adds to the loss, as a reconstruction or activity penalty. The terms of one call
        of the outermost layer or model are kept until its next call."""
        global _ADD_LOSS_USED
        _ADD_LOSS_USED = True
        self.__dict__.setdefault("_added_losses", []).append(loss)

    @property
    def losses(self) -> list[Tensor]:
        """Regularization penalties of this layer and its sub-layers (Keras'
        ``model.losses``), computed now from the current weights, and the terms their last
        call added with :meth:`add_loss`; training adds their sum to the loss (see
        :meth:`regularization_loss`)."""
        out = []
        for mod in self.modules():
            for pname, reg in getattr(mod, "_regularizers", ()):
                p = mod._parameters.get(pname)
                if p is not None:
                    out.append(reg(p))
            out.extend(mod.__dict__.get("_added_losses", ()))
        return out

    def regularization_loss(self) -> Tensor | float:
        """Sum of :attr:`losses` (a differentiable scalar), or ``0.0`` when no layer has a
        regularizer, so ``loss = loss_fn(...) + model.regularization_loss()`` always works."""
        total: Tensor | float = 0.0
        for term in self.losses:
            total = term if isinstance(total, float) else total + term
        return total

    # ------------------------------------------------------------------ calling
    def call(self, *args: Any, **kwargs: Any) -> Any:
        """Keras' forward computation. Built-in layers implement it; ``forward`` runs it."""
        raise NotImplementedError(
            f"{type(self).__name__} must implement call(inputs) (Keras) or forward(x) (PyTorch)"
        )

    def forward(self, *args: Any, **kwargs: Any) -> Any:
        return self.call(*args, **kwargs)

    def __call__(self, *args: Any, training: bool | None = None, **kwargs: Any) -> Any:
        """Run the layer. NumPy arrays (and lists) among the positional arguments become
        Tensors first, as Keras accepts them; an unbuilt layer builds from the first input.
        ``training=True/False`` (Keras) runs this one call in that mode (e.g. Monte-Carlo
        dropout: ``model(x, training=True)``) and then restores every sub-module's
        previous mode; without it the current ``train()`` / ``eval()`` mode applies.

        Called on symbolic tensors (``keras.Input`` and what layers make of it), the layer
        computes nothing: it records the call and returns symbolic outputs (functional
        API, :mod:`nn.core.symbolic`)."""
        if args and not isinstance(args[0], Tensor):
            if contains_symbolic(args[0]):
                if training is not None:  # recorded: the model runs this call in that mode
                    kwargs["training"] = bool(training)
                return symbolic_call(self, args, kwargs)
            args = tuple(_as_input_tensor(a, self) for a in args)
        if not self.built and args:
            self._build_from_input(args[0])
        depth = _CALL_DEPTH.get()
        if depth == 0 and _ADD_LOSS_USED:  # the outermost call: the last one's terms go
            for module in self.modules():
                if module.__dict__.get("_added_losses"):
                    module.__dict__["_added_losses"] = []
        token = _CALL_DEPTH.set(depth + 1)
        try:
            out = self._call_in_mode(args, kwargs, training)
        finally:
            _CALL_DEPTH.reset(token)
        if isinstance(out, Tensor):
            self.__dict__["_last_output_shape"] = (None, *out.shape[1:])
        regularizer = self.__dict__.get("activity_regularizer")
        if regularizer is not None:
            self._add_activity_penalty(regularizer, out)
        return out

    def _add_activity_penalty(self, regularizer: Any, outputs: Any) -> None:
        """Keras 3's activity regularization: ``regularizer(output) / batch size`` added to
        the loss (``add_loss``) for each output of the call."""
        for output in flatten(outputs) if is_nest(outputs) else [outputs]:
            if isinstance(output, Tensor):
                penalty = regularizer(output)
                if output.ndim > 0 and output.shape[0]:
                    penalty = penalty / output.shape[0]
                self.add_loss(penalty)

    def _call_in_mode(self, args: tuple, kwargs: dict, training: bool | None) -> Any:
        if training is None:
            handed_down = _TRAINING.get()
            if handed_down is not None and "training" not in kwargs \
                    and _takes_training(type(self)):  # fmt: skip
                kwargs["training"] = handed_down
            out = super().__call__(*args, **kwargs)
        else:
            previous = [(m, m.training) for m in self.modules()]
            self.train(bool(training))
            if _takes_training(type(self)):  # call(inputs, training=None) gets the flag
                kwargs["training"] = bool(training)
            token = _TRAINING.set(bool(training))
            try:
                out = super().__call__(*args, **kwargs)
            finally:
                _TRAINING.reset(token)
                for m, mode in previous:
                    m.__dict__["training"] = mode
        return out

    # ------------------------------------------------------------------ build
    def build(self, input_shape: Shape) -> None:
        """Create the weights for inputs of ``input_shape`` (batch dimension included, may be
        None).  Called once, by the first call or by a model that knows the input shape.
        The default creates nothing."""

    def compute_output_shape(self, input_shape: Shape) -> Shape | None:
        """Output shape for ``input_shape`` (batch dimension included); None if unknown."""
        return None

    def ensure_built(self, input_shape: Shape) -> None:
        """Build this layer for ``input_shape`` unless it is already built."""
        if not self.built:
            self.build(tuple(input_shape))
            self.__dict__["built"] = True

    def _build_from_input(self, x: Any) -> None:
        # several inputs (a merging layer's list): build from the list of their shapes
        first = flatten(x)[0] if is_nest(x) else x
        if self._device is None and isinstance(first, Tensor):
            self.__dict__["_device"] = first.device
        if is_nest(x):
            self.ensure_built(map_structure(lambda t: (None, *tuple(t.shape)[1:]), x))
        else:
            self.ensure_built((None, *tuple(x.shape)[1:]))

    # ------------------------------------------------------------------ saving hooks
    def get_build_config(self) -> dict[str, Any] | None:
        """Keras' ``build_config``: ``{"input_shape": ...}`` of the layer's first build (None
        if never built), stored beside the config in a ``.keras`` file. Override it (with
        :meth:`build_from_config`) when ``build`` needs more than the input shape."""
        shape = self.__dict__.get("_build_shape")
        if shape is None or not self.built:
            return None
        return {"input_shape": _json_shape(shape)}

    def build_from_config(self, config: dict[str, Any]) -> None:
        """Build from :meth:`get_build_config`'s dict (a loader calls it before the weights
        are read): ``build(config["input_shape"])``."""
        shape = (config or {}).get("input_shape")
        if shape is not None and not self.built:
            self.build(_shape_tuple(shape) if not isinstance(shape, dict) else shape)
        self.__dict__["built"] = True

    def save_own_variables(self, store: Any) -> None:
        """Write this layer's own weights (not its sub-layers') into ``store`` as ``"0"``,
        ``"1"``... in Keras' order (trainable ones first): the group a ``.keras`` or
        ``.weights.h5`` file keeps for this layer. Override it (and
        :meth:`load_own_variables`) to store more, as in Keras."""
        for i, tensor in enumerate(self._own_variables()):
            store[str(i)] = tensor

    def load_own_variables(self, store: Any) -> None:
        """Read what :meth:`save_own_variables` wrote back into the layer's own weights."""
        own = self._own_variables()
        if len(store.keys()) != len(own):
            raise ValueError(f"layer {self.name!r} expects {len(own)} variables, the file "
                             f"holds {len(store.keys())}: {sorted(store.keys())}")  # fmt: skip
        for i, tensor in enumerate(own):
            tensor.assign(store[str(i)])

    def _own_variables(self) -> list[Tensor]:
        """This layer's own weights (sub-layers' not included) in Keras' order: trainable
        ones (as made) first, then the others."""
        own = [p for _, p in self._own_parameters()]
        own += [b for name, b in self._buffers.items()
                if b is not None and name not in self._non_persistent]  # fmt: skip
        # a keras.Variable(trainable=False) is a frozen Parameter here, Keras' non-trainable
        later = [t for t in own if not isinstance(t, Parameter)
                 or (isinstance(t, Variable) and not t.requires_grad)]  # fmt: skip
        return list(_unique([t for t in own if not any(t is u for u in later)] + later))

    # ------------------------------------------------------------------ config
    def get_config(self) -> dict[str, Any]:
        """Constructor arguments as JSON-able values (for ``save``/``load_model``).
        Built-in layers implement it; a custom layer must override it to be saved whole
        (``save_weights`` works for any model), starting from this base, as in Keras:
        ``return {**super().get_config(), "units": self.units}`` (name, trainable, and the
        dtype as Keras' policy dict, which ``__init__`` takes back). A layer of the user's
        without one gets Keras 3's automatic config: the arguments its constructor was
        given (defaults included) when they are plain values, with the name when
        ``__init__`` takes ``**kwargs``."""
        policy = {"module": "keras", "class_name": "DTypePolicy",  # Keras' form
                  "config": {"name": self.dtype.name}, "registered_name": None}
        if type(self).get_config is not Layer.get_config:  # called from an override
            return {"name": self.name, "trainable": self.trainable, "dtype": policy}
        auto = self.__dict__.get("_auto_config")
        if auto is not None:  # Keras 3's auto config: what the constructor was given
            arguments, takes_kwargs = auto
            config = {"name": self.name} if takes_kwargs else {}
            config.update(arguments)
            return {**config, "trainable": self.trainable, "dtype": policy}
        raise NotImplementedError(
            f"{type(self).__name__} has no get_config() and was made with arguments that are "
            "not plain numbers, strings or lists of them: implement get_config() (and accept "
            "its keys in __init__) to save the whole model, or use save_weights()"
        )

    def _base_config(self) -> dict[str, Any]:
        cfg: dict[str, Any] = {"name": self.name, "trainable": self.trainable}
        if self._dtype is not None:
            cfg["dtype"] = self._dtype.name
        return cfg

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> Layer:
        """``cls(**config)``. For a user's class whose ``__init__`` takes no ``**kwargs``,
        the base keys it does not name (``name``, ``trainable``, ``dtype``: Keras' automatic
        config holds them) are set on the layer instead of passed."""
        return _made_from_config(cls, config)


def _made_from_config(cls: type, config: dict[str, Any]) -> Any:
    config = dict(config)
    base: dict[str, Any] = {}
    if is_users_own(cls):
        parameters = inspect.signature(cls.__init__).parameters
        if not any(p.kind is inspect.Parameter.VAR_KEYWORD for p in parameters.values()):
            base = {k: config.pop(k) for k in ("name", "trainable", "dtype")
                    if k in config and k not in parameters}
    layer = cls(**config)
    if base.get("trainable") is False:
        layer.trainable = False
    return layer


_PLAIN = (str, int, float, bool, type(None))


def _plain(value: Any) -> bool:
    if isinstance(value, list | tuple):
        return all(_plain(v) for v in value)
    if isinstance(value, dict):
        return all(isinstance(k, str) and _plain(v) for k, v in value.items())
    return isinstance(value, _PLAIN)


def _constructor_arguments(cls: type, args: tuple, kwargs: dict) -> tuple[dict, bool] | None:
    """``(arguments by name, defaults included; whether __init__ takes **kwargs)`` for a
    layer made as ``cls(*args, **kwargs)``, or None when they are not all plain values
    (Keras' ``Operation.__new__``: only those make an automatic config)."""
    try:
        signature = inspect.signature(cls.__init__)
        bound = signature.bind(None, *args, **kwargs)
    except (TypeError, ValueError):
        return None  # the constructor itself will say what is wrong
    bound.apply_defaults()
    arguments = dict(bound.arguments)
    takes_kwargs = False
    for position, (name, parameter) in enumerate(signature.parameters.items()):
        if position == 0:
            arguments.pop(name, None)  # self
        elif parameter.kind is inspect.Parameter.VAR_KEYWORD:
            arguments.update(arguments.pop(name, {}))
            takes_kwargs = True
        elif parameter.kind is inspect.Parameter.VAR_POSITIONAL:
            if arguments.pop(name, ()):
                return None  # unnamed arguments cannot be given back by name
    return (arguments, takes_kwargs) if _plain(arguments) else None


def _json_shape(shape: Any) -> Any:
    """A build shape (a tuple, or a list or dict of them) as JSON: lists, None kept."""
    if isinstance(shape, dict):
        return {k: _json_shape(v) for k, v in shape.items()}
    if isinstance(shape, list | tuple) and shape and all(
        isinstance(s, list | tuple | dict) for s in shape
    ):
        return [_json_shape(s) for s in shape]
    return [None if d is None else int(d) for d in shape]


def _layer_dtype(dtype: Any) -> np.dtype | None:
    """The layer's own dtype, or None to follow the default. Keras' dtype policy (the dict
    its ``get_config`` writes) gives its name; a policy of the default dtype, None, so a
    layer made from a config follows ``model.to(dtype)`` like any other."""
    if dtype is None:
        return None
    if isinstance(dtype, dict):
        config = dtype.get("config")
        name = config.get("name") if isinstance(config, dict) else dtype.get("name")
        kind = np.dtype(name)
        return None if kind == np.dtype(get_default_dtype()) else kind
    return np.dtype(dtype)


@functools.cache
def _takes_training(cls: type) -> bool:
    """Whether the layer's forward computation accepts a ``training`` argument."""
    method = cls.forward if cls.forward is not Layer.forward else cls.call
    try:
        params = inspect.signature(method).parameters
    except (TypeError, ValueError):  # pragma: no cover - builtins without a signature
        return False
    return "training" in params


def _shape_tuple(shape: Any) -> tuple:
    """``input_shape=`` as a tuple; a bare integer (``input_shape=784``) means ``(784,)``.

    Each entry must be a non-negative integer or None (unknown): a float such as 2.5 would
    otherwise be truncated where the weights are built."""
    if isinstance(shape, (int, np.integer)) and not isinstance(shape, bool):
        shape = (shape,)
    if isinstance(shape, str) or not isinstance(shape, Iterable):
        raise TypeError(
            f"input_shape must be a tuple of integers such as (784,), got {describe(shape)}"
        )
    return tuple(
        None if d is None else check_int("input_shape", f"entry {i}", d, minimum=0)
        for i, d in enumerate(shape)
    )


def _as_input_tensor(value: Any, layer: Layer) -> Any:
    """A NumPy array or list given to a layer call as a Tensor, on the layer's device
    (the layers cast floating inputs to their weights' dtype, see :func:`autocast_input`)."""
    if is_nest(value) and any(
        isinstance(v, Tensor | np.ndarray) or is_nest(v) and not _is_numbers(v)
        for v in (value.values() if isinstance(value, dict) else value)
    ):
        # several inputs (``model([x_wide, x_deep])``, ``concatenate([a, b])``), each kept
        return map_structure(lambda v: _as_input_tensor(v, layer), value)
    if isinstance(value, (np.ndarray, list)):
        return Tensor(np.asarray(value), device=layer._device)
    return value


def _is_numbers(value: Any) -> bool:
    """A (nested) list of plain numbers: one array's data, not several inputs."""
    return all(
        _is_numbers(v) if isinstance(v, list | tuple) else isinstance(v, int | float | np.number)
        for v in value
    )


def check_features(layer: Layer, input_shape: tuple, features: int | None) -> None:
    """Raise a ValueError naming ``layer`` when the last axis of ``input_shape`` (batch
    axis included, None = unknown) is known and differs from ``features``."""
    last = input_shape[-1] if input_shape else 0
    if features is None or last is None or last == features:
        return
    raise ValueError(
        f"Input of layer {layer.name!r} ({type(layer).__name__}) is incompatible with the "
        f"layer: expected the last axis to have {features} features, i.e. shape "
        f"(batch, {features}), but received input with shape "
        f"({', '.join('None' if d is None else str(d) for d in input_shape)})"
    )


def autocast_input(layer: Layer, x: Any, weight: Tensor, features: int | None) -> Tensor:
    """Check and prepare the input ``x`` of a layer whose last input axis must have
    ``features`` entries (None: any) and whose weights have ``weight``'s dtype.

    * A wrong last axis raises a ValueError naming the layer and both shapes (instead of
      a matmul/broadcast error from deep inside the op).
    * A floating input of another dtype is cast to the weights' dtype (Keras' autocast):
      float64 NumPy data (``X / 255.0``) does not silently turn a float32 model's
      forward and backward passes into float64.  The cast is differentiable.  For exact
      float64 work (gradcheck) build the layer with ``dtype="float64"`` or ``.double()``.
    """
    if not isinstance(x, Tensor):
        x = Tensor(np.asarray(x), device=weight.device)  # NumPy data goes where the weights are
    if features is not None and (x.ndim == 0 or x.shape[-1] != features):
        check_features(layer, tuple(x.shape), features)
    if x.dtype != weight.dtype and x.dtype.kind == "f":
        x = x.astype(weight.dtype)
    return x
