"""Keras' ``keras.callbacks`` namespace; the classes live in :mod:`nn.training.callbacks`."""

from .training.callbacks import (
    Callback,
    CallbackList,
    CSVLogger,
    EarlyStopping,
    History,
    LearningRateScheduler,
    ModelCheckpoint,
    ReduceLROnPlateau,
    TerminateOnNaN,
)

__all__ = [
    "CSVLogger", "Callback", "CallbackList", "EarlyStopping", "History",
    "LearningRateScheduler", "ModelCheckpoint", "ReduceLROnPlateau", "TerminateOnNaN",
]  # fmt: skip
