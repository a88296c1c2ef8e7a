"""What xpgrad leaves out, said by name.

xpgrad builds multilayer perceptrons. Code written for PyTorch or Keras may reach for a
convolution or a recurrent layer (the next textbook chapter); without this it would meet a
bare ``AttributeError: module 'nn' has no attribute 'Conv2d'`` and could take it for a
typo or a broken install. The namespaces' ``__getattr__`` ask here first.
"""

from __future__ import annotations

# (words a missing name may contain, lower case) -> what that family is
_FAMILIES = (
    (("conv",), "convolutional layers"),
    (("pool",), "pooling layers"),
    (("rnn", "lstm", "gru", "bidirectional", "timedistributed"), "recurrent layers"),
    (("embedding",), "embedding layers"),
    (("attention", "transformer"), "attention layers"),
    (("upsampl", "zeropad", "cropping", "pixelshuffle", "pixel_shuffle", "interpolate",
      "grid_sample", "fold"), "image resampling and padding layers"),
    (("norm2d", "norm3d", "instancenorm", "instance_norm", "groupnorm", "group_norm",
      "groupnormalization", "dropout2d", "dropout3d", "spatialdropout"),
     "per-channel (image) normalization and dropout"),
    (("textvectorization", "stringlookup", "integerlookup", "hashing", "categoryencoding",
      "discretization", "randomflip", "randomrotation", "randomzoom", "randomcrop",
      "randomcontrast", "resizing", "centercrop"), "preprocessing layers"),
)  # fmt: skip


def missing(module: str, name: str) -> AttributeError:
    """The AttributeError for ``module.name``: for a layer family xpgrad does not build, one
    that says so; for anything else, Python's usual one."""
    lowered = name.lower()
    if lowered.endswith("loss"):  # HingeEmbeddingLoss is a loss, not an embedding layer
        return AttributeError(f"module {module!r} has no attribute {name!r}")
    for words, family in _FAMILIES:
        if any(word in lowered for word in words):
            return AttributeError(
                f"{module}.{name} is not part of xpgrad: it builds multilayer perceptrons "
                f"(dense layers, activations, dropout, batch and layer normalization), and "
                f"{family} are outside it. See the README's 'Scope'."
            )
    return AttributeError(f"module {module!r} has no attribute {name!r}")
