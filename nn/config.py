"""Keras 3's ``keras.config``: the process-wide settings Keras 3 code sets by name.

``floatx``/``set_floatx`` (the default float dtype, as ``keras.backend``'s),
``epsilon``, ``backend`` (``"xpgrad"``), ``image_data_format`` (``"channels_last"``;
xpgrad has no image layers), ``disable_interactive_logging``/``enable_...``/
``is_interactive_logging_enabled`` (off: ``fit`` prints no "Epoch 1/10" lines, which
Keras then sends to Python's logging, silent by default; the progress bars stay, as in
Keras) and
``enable_unsafe_deserialization`` (loading may then run the code a file holds, a Lambda's
Python lambda, without ``safe_mode=False``).
"""

from __future__ import annotations

from .backend import epsilon, floatx, set_floatx

_INTERACTIVE_LOGGING = [True]


def backend() -> str:
    """The name of the engine Keras code runs on (Keras: ``"torch"``, ``"jax"``...)."""
    return "xpgrad"


def image_data_format() -> str:
    """Keras' default, ``"channels_last"`` (xpgrad builds no image layers)."""
    return "channels_last"


def disable_interactive_logging() -> None:
    """``fit``'s "Epoch 1/10" lines off (Keras logs them instead of printing them)."""
    _INTERACTIVE_LOGGING[0] = False


def enable_interactive_logging() -> None:
    """Progress bars back on (the default)."""
    _INTERACTIVE_LOGGING[0] = True


def is_interactive_logging_enabled() -> bool:
    return _INTERACTIVE_LOGGING[0]


def enable_unsafe_deserialization() -> None:
    """From now on, loading runs the code a file holds (a Lambda layer's Python lambda)
    without ``safe_mode=False``. Only for files you trust."""
    from .saving.serialization import allow_unsafe_deserialization

    allow_unsafe_deserialization()


__all__ = [
    "backend", "disable_interactive_logging", "enable_interactive_logging",
    "enable_unsafe_deserialization", "epsilon", "floatx", "image_data_format",
    "is_interactive_logging_enabled", "set_floatx",
]  # fmt: skip
