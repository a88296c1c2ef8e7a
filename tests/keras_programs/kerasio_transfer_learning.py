"""keras.io's guide "Transfer learning & fine-tuning" (Keras 3): the ``trainable`` API
(weights, trainable and non-trainable weights of Dense and BatchNormalization, freezing a
layer, a frozen layer's weights unchanged by ``fit``, ``trainable`` set recursively), the
typical workflow (a frozen base model called with ``training=False`` inside a new model,
trained; then unfrozen and recompiled with a low learning rate for fine-tuning, its
BatchNormalization kept in inference mode), and the same with a training loop of one's
own that updates ``model.trainable_weights`` only.

Changes from the guide: the base model is a small MLP with BatchNormalization, "pretrained"
here on synthetic data (the guide loads Xception's ImageNet weights and uses convolutions),
the new dataset is synthetic too, weights are seeded, ``fit`` runs with ``shuffle=False``,
and the custom loop is written for Keras on PyTorch (``loss.backward()``, as the guide
"Writing a training loop from scratch in PyTorch" writes it) in place of a GradientTape."""

# %% setup
import numpy as np
import keras
import torch
from _corpus import set_seeded_weights

rng = np.random.default_rng(7)

# %% dense-weights
layer = keras.layers.Dense(3)
layer.build((None, 4))  # Create the weights

print("weights:", len(layer.weights))
print("trainable_weights:", len(layer.trainable_weights))
print("non_trainable_weights:", len(layer.non_trainable_weights))

# %% batchnorm-weights
layer = keras.layers.BatchNormalization()
layer.build((None, 4))  # Create the weights

print("weights:", len(layer.weights))
print("trainable_weights:", len(layer.trainable_weights))
print("non_trainable_weights:", len(layer.non_trainable_weights))

# %% freezing
layer = keras.layers.Dense(3)
layer.build((None, 4))  # Create the weights
layer.trainable = False  # Freeze the layer

print("weights:", len(layer.weights))
print("trainable_weights:", len(layer.trainable_weights))
print("non_trainable_weights:", len(layer.non_trainable_weights))

# %% frozen-layer-unchanged-by-fit
# Make a model with 2 layers
layer1 = keras.layers.Dense(3, activation="relu")
layer2 = keras.layers.Dense(3, activation="sigmoid")
model = keras.Sequential([keras.Input(shape=(3,)), layer1, layer2])
set_seeded_weights(model)

# Freeze the first layer
layer1.trainable = False

# Keep a copy of the weights of layer1 for later reference
initial_layer1_weights_values = layer1.get_weights()

# Train the model
model.compile(optimizer="adam", loss="mse")
history = model.fit(rng.random((2, 3)), rng.random((2, 3)), shuffle=False, verbose=0)

# Check that the weights of layer1 have not changed during training
final_layer1_weights_values = layer1.get_weights()
np.testing.assert_allclose(
    initial_layer1_weights_values[0], final_layer1_weights_values[0]
)
np.testing.assert_allclose(
    initial_layer1_weights_values[1], final_layer1_weights_values[1]
)
history.history, layer2.get_weights()

# %% recursive-trainable
inner_model = keras.Sequential(
    [
        keras.Input(shape=(3,)),
        keras.layers.Dense(3, activation="relu"),
        keras.layers.Dense(3, activation="relu"),
    ]
)

model = keras.Sequential(
    [
        keras.Input(shape=(3,)),
        inner_model,
        keras.layers.Dense(3, activation="sigmoid"),
    ]
)

model.trainable = False  # Freeze the outer model

assert inner_model.trainable == False  # All layers in `model` are now frozen
assert inner_model.layers[0].trainable == False  # `trainable` is propagated recursively
len(model.trainable_weights), len(model.non_trainable_weights)

# %% pretrained-base-model
# corpus: the "pretrained" base model, an MLP with BatchNormalization trained on old data
x_old = rng.normal(size=(256, 8)).astype("float32")
y_old = (x_old[:, :4].sum(axis=1) > 0).astype("int64")
base_model = keras.Sequential(
    [
        keras.Input(shape=(8,)),
        keras.layers.Dense(16, activation="relu"),
        keras.layers.BatchNormalization(),
        keras.layers.Dense(16, activation="relu"),
    ],
    name="base_model",
)
set_seeded_weights(base_model)
pretraining = keras.Sequential([base_model, keras.layers.Dense(2, activation="softmax")])
set_seeded_weights(pretraining.layers[-1], seed=1)
pretraining.compile(optimizer="adam", loss="sparse_categorical_crossentropy",
                    metrics=["accuracy"])
history = pretraining.fit(x_old, y_old, batch_size=32, epochs=2, shuffle=False, verbose=0)
history.history, base_model.layers[1].get_weights()

# %% new-model-on-frozen-base
x_new = rng.normal(size=(96, 8)).astype("float32")
y_new = (x_new[:, 4:].sum(axis=1) > 0).astype("float32")

base_model.trainable = False

inputs = keras.Input(shape=(8,))
# We make sure that the base_model is running in inference mode here,
# by passing `training=False`. This is important for fine-tuning, as you will
# learn in a few paragraphs.
x = base_model(inputs, training=False)
# A Dense classifier with a single unit (binary classification)
outputs = keras.layers.Dense(1)(x)
model = keras.Model(inputs, outputs)
set_seeded_weights(model.layers[-1], seed=2)
model.summary()
len(model.trainable_weights), len(model.non_trainable_weights)

# %% train-top
model.compile(
    optimizer=keras.optimizers.Adam(),
    loss=keras.losses.BinaryCrossentropy(from_logits=True),
    metrics=[keras.metrics.BinaryAccuracy()],
)
history = model.fit(x_new, y_new, batch_size=16, epochs=3, shuffle=False, verbose=0,
                    validation_data=(x_new[:32], y_new[:32]))
history.history

# %% fine-tune
# Unfreeze the base model
base_model.trainable = True

# It's important to recompile your model after you make any changes
# to the `trainable` attribute of any inner layer, so that your changes
# are take into account
model.compile(
    optimizer=keras.optimizers.Adam(1e-5),  # Very low learning rate
    loss=keras.losses.BinaryCrossentropy(from_logits=True),
    metrics=[keras.metrics.BinaryAccuracy()],
)

# Train end-to-end. Be careful to stop before you overfit!
history = model.fit(x_new, y_new, batch_size=16, epochs=2, shuffle=False, verbose=0)
bn = base_model.layers[1]
history.history, bn.get_weights()[2], len(model.trainable_weights)

# %% custom-loop-on-frozen-base
base_model.trainable = False
inputs = keras.Input(shape=(8,))
x = base_model(inputs, training=False)
outputs = keras.layers.Dense(1)(x)
model = keras.Model(inputs, outputs)
set_seeded_weights(model.layers[-1], seed=3)

loss_fn = keras.losses.BinaryCrossentropy(from_logits=True)
optimizer = keras.optimizers.Adam()

losses = []
# Iterate over the batches of a dataset.
for start in range(0, 96, 16):
    inputs_batch = x_new[start:start + 16]
    targets = y_new[start:start + 16].reshape(-1, 1)
    # Forward pass.
    predictions = model(inputs_batch)
    # Compute the loss value for this batch.
    loss_value = loss_fn(targets, predictions)

    # Get gradients of loss wrt the *trainable* weights.
    model.zero_grad()
    loss_value.backward()
    gradients = [v.value.grad for v in model.trainable_weights]
    # Update the weights of the model.
    with torch.no_grad():
        optimizer.apply(gradients, model.trainable_weights)
    losses.append(float(loss_value.detach()))
losses, model.layers[-1].get_weights()
