"""The house rules of ``nn`` (issue 9, item 7): its parts are folders, the files left at
its top are the namespaces users import by name, and moving code into the folders kept
every old import path working."""

from __future__ import annotations

import importlib
from pathlib import Path

import autograd
import nn

PACKAGE = Path(nn.__file__).parent

FOLDERS = {"core", "modules", "layers", "models", "training", "losses", "metrics", "data",
           "datasets", "saving"}  # fmt: skip
# Keras' namespaces (keras.activations, keras.ops, keras.random...), PyTorch's
# (torch.nn.functional, torch.nn.init), summary()'s text, the resolver the Keras
# namespaces share, the left-out families' message they share, and one old path kept.
TOP_FILES = {
    "__init__", "activations", "backend", "callbacks", "config", "constraints", "initializers",
    "ops", "optimizers", "random", "regularizers", "utils", "functional", "init", "summary",
    "_registry", "_scope", "keras_saving",
}  # fmt: skip


def test_nn_is_folders_and_named_namespaces():
    folders = {p.name for p in PACKAGE.iterdir() if (p / "__init__.py").exists()}
    files = {p.stem for p in PACKAGE.glob("*.py")}
    assert folders == FOLDERS
    assert files == TOP_FILES, "a new file at nn/'s top: does it belong in one of the folders?"


def test_old_import_paths_still_work():
    from nn.data import DataLoader, Subset, TensorDataset, random_split, validation_split
    from nn.keras_saving import KerasFormatError

    assert DataLoader is nn.data.loader.DataLoader
    assert (TensorDataset, Subset) == (nn.data.tensor_dataset.TensorDataset,
                                       nn.data.tensor_dataset.Subset)  # fmt: skip
    assert (random_split, validation_split) == (nn.data.splits.random_split,
                                                nn.data.splits.validation_split)  # fmt: skip
    assert KerasFormatError is importlib.import_module("nn.saving.keras").KerasFormatError
    keras_saving = importlib.import_module("nn.keras_saving")
    for name in keras_saving.__all__:
        assert getattr(keras_saving, name) is getattr(nn.saving.keras, name), name
    for name in ("save_model", "load_model", "save_weights", "load_weights", "read_file",
                 "atomic_write", "serialize_layer", "deserialize_layer", "FileFormatError",
                 "CHECKSUM_KEY", "_SERIALIZERS", "_format_of"):  # fmt: skip
        assert hasattr(nn.saving, name), name
    assert nn.FileFormatError is nn.saving.native.FileFormatError
    assert nn.models.load_model is nn.saving.load_model
    assert callable(nn.datasets.fashion_mnist.load_data)


def test_losses_keep_one_namespace():
    from nn import losses

    for name in losses.__all__:
        assert hasattr(losses, name), name
    assert losses.CrossEntropyLoss is losses.pytorch.CrossEntropyLoss
    assert losses.SparseCategoricalCrossentropy is losses.keras.SparseCategoricalCrossentropy
    assert losses.mse is losses.mean_squared_error and losses.MSE is losses.mse
    assert losses.get("mse")(autograd.tensor([1.0]), autograd.tensor([3.0])).item() == 4.0
    assert type(losses.get(losses.CrossEntropyLoss())).__name__ == "KerasConvention"

