"""`Model`: a Layer that trains. Keras' ``keras.Model``.

``compile``/``fit``/``evaluate``/``predict`` come from :mod:`nn.training` (one training
step behind all of them), ``summary()`` from :mod:`nn.summary`, saving from
:mod:`nn.saving`. ``nn.Sequential`` is a Model; so is a Keras-style subclass::

    class WideAndDeep(nn.Model):
        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            self.hidden = nn.layers.Dense(30, activation="relu")
            self.out = nn.layers.Dense(1)

        def call(self, inputs):
            return self.out(self.hidden(inputs))
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..training.fit import TrainingMixin
from .layer import Layer
from .module import IncompatibleKeys


class Model(TrainingMixin, Layer):
    """Base class of trainable models (Keras' subclassing API); see the module docstring.

    ``Model(inputs=..., outputs=...)`` (Keras' functional API) makes a
    :class:`nn.models.Functional` instead, as ``keras.Model`` does."""

    def __new__(cls, *args: Any, **kwargs: Any) -> Model:
        if cls is Model and (args or "inputs" in kwargs or "outputs" in kwargs):
            from ..models.functional import Functional

            return super().__new__(Functional)  # Python then runs Functional.__init__
        return super().__new__(cls, *args, **kwargs)  # a subclass' arguments: its auto config

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        if args or "inputs" in kwargs or "outputs" in kwargs:
            # A subclass built from inputs and outputs (``CustomModel(inputs, outputs)``,
            # to override ``train_step``): as Keras does, Functional takes Model's place
            # among the subclass' bases, so it runs the graph and keeps the overrides.
            from ..models.functional import Functional

            _put_functional_in_place_of_model(type(self), Functional)
            Functional.__init__(self, *args, **kwargs)
            return
        super().__init__(**kwargs)

    @classmethod
    def from_config(cls, config: dict[str, Any], custom_objects: dict | None = None) -> Model:
        """A model from its config: ``keras.Model.from_config(functional.get_config())``
        rebuilds the functional model (its layers found in ``custom_objects`` too), as in
        Keras; a subclass' config goes to its constructor."""
        if cls is Model and isinstance(config, dict) and "input_layers" in config:
            from ..models.functional import Functional

            return Functional.from_config(config, custom_objects=custom_objects)
        return super().from_config(config)

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        d = self.__dict__
        if "_build_shape" not in d and args:  # Keras' build_config: the first call's shape
            shape = getattr(args[0], "shape", None)
            if shape is not None and not callable(shape):
                d["_build_shape"] = tuple(shape)
        return super().__call__(*args, **kwargs)

    def build(self, input_shape: Any = None) -> None:
        """Keras' ``model.build((None, 784))`` for a subclassed model: runs ``call`` once, on a
        batch of one of zeros of that shape, so that every layer makes its weights (then
        ``summary()`` and ``count_params()`` know them). A list of shapes for several
        inputs. This is Keras 2's behaviour, which the textbooks show; Keras 3 on PyTorch
        warns and leaves the layers unbuilt (it builds them so only when loading a file)."""
        if input_shape is None:
            raise ValueError(f"{type(self).__name__}.build() needs the input shape, e.g. "
                             "model.build((None, 784))")  # fmt: skip
        self.__dict__["_build_shape"] = input_shape
        if type(self).build is not Model.build:
            return  # super().build(shape) from the class' own build: nothing more, as Keras
        if all(getattr(m, "built", True) for m in self.modules()) and any(
            True for _ in self.parameters()
        ):
            return  # everything has its weights already
        import autograd

        def zeros(shape: Any) -> Any:
            shape = tuple(shape)
            if any(d is None for d in shape[1:]):
                raise ValueError(f"{type(self).__name__}.build({input_shape!r}): only the "
                                 "batch dimension may be None")  # fmt: skip
            return autograd.zeros((1, *shape[1:]), device=self._device)

        nested = isinstance(input_shape, list) and input_shape and all(
            isinstance(s, list | tuple) for s in input_shape)  # fmt: skip
        x = [zeros(s) for s in input_shape] if nested else zeros(input_shape)
        with autograd.no_grad():
            self(x, training=False)

    @property
    def layers(self) -> list[Layer]:
        """The direct sub-layers, in the order they were assigned (a subclassed model)."""
        return list(self.children())

    def get_layer(self, name: str | None = None, index: int | None = None) -> Layer:
        """Keras' lookup by name or index."""
        layers = self.layers
        if index is not None:
            return layers[index]
        for layer in layers:
            if getattr(layer, "name", None) == name:
                return layer
        raise ValueError(
            f"no layer named {name!r}; layers: {[getattr(la, 'name', '?') for la in layers]}"
        )

    def summary(
        self, line_length: int | None = None, print_fn: Callable[[str], Any] | None = print
    ) -> str | None:
        """Keras-style table of layers, output shapes and parameter counts.

        Printed line by line through ``print_fn`` (default ``print``); with
        ``print_fn=None`` nothing is printed and the text is returned instead."""
        from ..summary import format_summary

        text = format_summary(self, line_length=line_length)
        if print_fn is None:
            return text
        for line in text.split("\n"):
            print_fn(line)
        return None

    def save_weights(self, path: str) -> None:
        """Write ``state_dict()`` atomically to ``path`` (``.safetensors`` or ``.npz``), or
        in Keras 3's layout to a ``.weights.h5`` path (:mod:`nn.saving.keras`)."""
        from ..saving import save_weights

        save_weights(self, path)

    def load_weights(self, path: str, strict: bool = True) -> IncompatibleKeys:
        """Load weights written by ``save_weights``/``save`` (also Keras 3's ``.weights.h5``
        and ``.keras`` files); refuses other architectures."""
        from ..saving import load_weights

        return load_weights(self, path, strict=strict)

    def to_json(self, **kwargs: Any) -> str:
        """The model's config in Keras' schema as a JSON string (``kwargs`` go to
        ``json.dumps``); ``keras.models.model_from_json`` (here or in Keras) makes a new
        model of it, with fresh weights."""
        from ..saving.serialization import model_to_json

        return model_to_json(self, **kwargs)

    def get_compile_config(self) -> dict[str, Any] | None:
        """Keras' ``compile_config`` of a ``.keras`` file: the compile settings in Keras'
        form (None when not compiled). Override it, with :meth:`compile_from_config`, when
        ``compile`` takes arguments of your own."""
        from ..saving.keras.compile import _compile_config

        return _compile_config(self)

    def compile_from_config(self, config: dict[str, Any]) -> None:
        """Compile as :meth:`get_compile_config`'s dict says (a loader calls it)."""
        from ..saving.keras.compile import _compile_from_keras

        _compile_from_keras(self, config)

    def save(self, path: str) -> None:
        """Write architecture (JSON config) and weights to one file; see ``nn.load_model``.
        A ``.keras`` path writes Keras 3's format (with the compile configuration), which
        real Keras loads."""
        from ..saving import save_model

        save_model(self, path)


def _put_functional_in_place_of_model(cls: type, functional: type) -> type:
    """Replace ``Model`` by ``functional`` among the bases of ``cls`` and of its bases that
    derive from Model (Keras' ``inject_functional_model_class``); ``cls``, changed."""
    if cls is Model:
        return functional
    if cls is object or not issubclass(cls, Model) or issubclass(cls, functional):
        return cls
    cls.__bases__ = tuple(_put_functional_in_place_of_model(b, functional) for b in cls.__bases__)
    return cls
