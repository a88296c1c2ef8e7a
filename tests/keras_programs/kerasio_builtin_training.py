"""keras.io's guide "Training & evaluation with the built-in methods" (Keras 3): compile,
fit, evaluate, predict; custom loss functions and a ``Loss`` subclass; a ``Metric``
subclass with ``add_variable``; ``add_loss`` in a layer, and a model compiled without a
loss that trains on it alone (``fit(dict)`` without targets); ``validation_split``;
``keras.utils.PyDataset``; a PyTorch ``Dataset`` in a ``DataLoader``; class and sample
weights; a model of two inputs and two outputs with per-output losses, metrics and loss
weights, as lists and as dicts; ``EarlyStopping``, a callback of one's own,
``ModelCheckpoint`` (best only, and every 100 batches, restored); ``ExponentialDecay``.

Changes from the guide, so that both runs see the same numbers: Fashion-MNIST slices
stand in for MNIST (2,000 training, 500 validation, 500 test images); weights are seeded,
and so is NumPy's random data; fits, loaders and PyDatasets do not shuffle; the
multi-input model's convolutions become Dense layers on flat inputs (xpgrad builds MLPs);
the ``tf.data`` and TensorBoard parts are left out (no TensorFlow here); fewer epochs, and
a checkpoint every 10 batches (the guide: 100), the decay every 10 steps.

Where real Keras' own numbers move with a 1e-6 change of the weights
(``python tests/test_keras_programs.py --stability``), the step changed: the loss function
trains on 640 images (Adam amplifies float32 rounding of a softmax's tiny MSE gradients);
the class output has a softmax (the guide's linear output meets the cross-entropy's
clipping at random); early stopping compares the structure (the stopping epoch, the keys),
its 12 epochs amplify rounding. The schedule starts at 0.001, not 0.1: 0.1 saturates the
softmax, where Keras' TensorFlow backend (the exact cross-entropy from the logits, which
xpgrad follows) and its PyTorch backend (clipped probabilities) disagree."""

# %% setup
import torch
import os
import numpy as np
import keras
from keras import layers
from keras import ops
from _corpus import set_seeded_weights

np.random.seed(0)

# %% first-fit
inputs = keras.Input(shape=(784,), name="digits")
x = layers.Dense(64, activation="relu", name="dense_1")(inputs)
x = layers.Dense(64, activation="relu", name="dense_2")(x)
outputs = layers.Dense(10, activation="softmax", name="predictions")(x)
model = keras.Model(inputs=inputs, outputs=outputs)
set_seeded_weights(model)

(x_train, y_train), (x_test, y_test) = keras.datasets.fashion_mnist.load_data()
x_train = x_train[:2500].reshape(2500, 784).astype("float32") / 255
x_test = x_test[:500].reshape(500, 784).astype("float32") / 255
y_train = y_train[:2500].astype("float32")
y_test = y_test[:500].astype("float32")
x_val = x_train[-500:]
y_val = y_train[-500:]
x_train = x_train[:-500]
y_train = y_train[:-500]

model.compile(
    optimizer=keras.optimizers.RMSprop(),
    loss=keras.losses.SparseCategoricalCrossentropy(),
    metrics=[keras.metrics.SparseCategoricalAccuracy()],
)
print("Fit model on training data")
history = model.fit(
    x_train, y_train, batch_size=64, epochs=2, validation_data=(x_val, y_val), shuffle=False
)
history.history

# %% evaluate-predict
results = model.evaluate(x_test, y_test, batch_size=128)
print("test loss, test acc:", results)
predictions = model.predict(x_test[:3])
print("predictions shape:", predictions.shape)
predictions

# %% compile-strings
def get_uncompiled_model():
    inputs = keras.Input(shape=(784,), name="digits")
    x = layers.Dense(64, activation="relu", name="dense_1")(inputs)
    x = layers.Dense(64, activation="relu", name="dense_2")(x)
    outputs = layers.Dense(10, activation="softmax", name="predictions")(x)
    model = keras.Model(inputs=inputs, outputs=outputs)
    set_seeded_weights(model)
    return model

def get_compiled_model():
    model = get_uncompiled_model()
    model.compile(
        optimizer="rmsprop",
        loss="sparse_categorical_crossentropy",
        metrics=["sparse_categorical_accuracy"],
    )
    return model

model = get_compiled_model()
model.fit(x_train, y_train, batch_size=64, epochs=1, shuffle=False).history

# %% custom-loss-function
def custom_mean_squared_error(y_true, y_pred):
    return ops.mean(ops.square(y_true - y_pred), axis=-1)

model = get_uncompiled_model()
model.compile(optimizer=keras.optimizers.Adam(), loss=custom_mean_squared_error)
y_train_one_hot = ops.one_hot(y_train, num_classes=10)
model.fit(x_train[:640], y_train_one_hot[:640], batch_size=64, epochs=1,
          shuffle=False).history

# %% custom-loss-class
class CustomMSE(keras.losses.Loss):
    def __init__(self, regularization_factor=0.1, name="custom_mse"):
        super().__init__(name=name)
        self.regularization_factor = regularization_factor

    def call(self, y_true, y_pred):
        mse = ops.mean(ops.square(y_true - y_pred), axis=-1)
        reg = ops.mean(ops.square(0.5 - y_pred), axis=-1)
        return mse + reg * self.regularization_factor

model = get_uncompiled_model()
model.compile(optimizer=keras.optimizers.Adam(), loss=CustomMSE())
y_train_one_hot = ops.one_hot(y_train, num_classes=10)
model.fit(x_train, y_train_one_hot, batch_size=64, epochs=1, shuffle=False).history

# %% custom-metric
class CategoricalTruePositives(keras.metrics.Metric):
    def __init__(self, name="categorical_true_positives", **kwargs):
        super().__init__(name=name, **kwargs)
        self.true_positives = self.add_variable(
            shape=(), name="ctp", initializer="zeros"
        )

    def update_state(self, y_true, y_pred, sample_weight=None):
        y_pred = ops.reshape(ops.argmax(y_pred, axis=1), (-1, 1))
        values = ops.cast(y_true, "int32") == ops.cast(y_pred, "int32")
        values = ops.cast(values, "float32")
        if sample_weight is not None:
            sample_weight = ops.cast(sample_weight, "float32")
            values = ops.multiply(values, sample_weight)
        self.true_positives.assign_add(ops.sum(values))

    def result(self):
        return self.true_positives

    def reset_state(self):
        self.true_positives.assign(0.0)

model = get_uncompiled_model()
model.compile(
    optimizer=keras.optimizers.RMSprop(learning_rate=1e-3),
    loss=keras.losses.SparseCategoricalCrossentropy(),
    metrics=[CategoricalTruePositives()],
)
model.fit(x_train, y_train, batch_size=64, epochs=3, shuffle=False).history

# %% add-loss-layer
class ActivityRegularizationLayer(layers.Layer):
    def call(self, inputs):
        self.add_loss(ops.sum(inputs) * 0.1)
        return inputs

inputs = keras.Input(shape=(784,), name="digits")
x = layers.Dense(64, activation="relu", name="dense_1")(inputs)
x = ActivityRegularizationLayer()(x)
x = layers.Dense(64, activation="relu", name="dense_2")(x)
outputs = layers.Dense(10, name="predictions")(x)
model = keras.Model(inputs=inputs, outputs=outputs)
set_seeded_weights(model)
model.compile(
    optimizer=keras.optimizers.RMSprop(learning_rate=1e-3),
    loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
)
model.fit(x_train, y_train, batch_size=64, epochs=1, shuffle=False).history

# %% logistic-endpoint
class LogisticEndpoint(keras.layers.Layer):
    def __init__(self, name=None):
        super().__init__(name=name)
        self.loss_fn = keras.losses.BinaryCrossentropy(from_logits=True)

    def call(self, targets, logits, sample_weights=None):
        loss = self.loss_fn(targets, logits, sample_weights)
        self.add_loss(loss)
        return ops.softmax(logits)

inputs = keras.Input(shape=(3,), name="inputs")
targets = keras.Input(shape=(10,), name="targets")
logits = keras.layers.Dense(10)(inputs)
predictions = LogisticEndpoint(name="predictions")(targets, logits)
model = keras.Model(inputs=[inputs, targets], outputs=predictions)
set_seeded_weights(model)
model.compile(optimizer="adam")
data = {
    "inputs": np.random.random((3, 3)),
    "targets": np.random.random((3, 10)),
}
model.fit(data).history

# %% validation-split
model = get_compiled_model()
model.fit(x_train, y_train, batch_size=64, validation_split=0.2, epochs=1,
          shuffle=False).history

# %% py-dataset
class ExamplePyDataset(keras.utils.PyDataset):
    def __init__(self, x, y, batch_size, **kwargs):
        super().__init__(**kwargs)
        self.x = x
        self.y = y
        self.batch_size = batch_size

    def __len__(self):
        return int(np.ceil(len(self.x) / float(self.batch_size)))

    def __getitem__(self, idx):
        batch_x = self.x[idx * self.batch_size : (idx + 1) * self.batch_size]
        batch_y = self.y[idx * self.batch_size : (idx + 1) * self.batch_size]
        return batch_x, batch_y

train_py_dataset = ExamplePyDataset(x_train, y_train, batch_size=32)
val_py_dataset = ExamplePyDataset(x_val, y_val, batch_size=32)
model = get_compiled_model()
history = model.fit(train_py_dataset, batch_size=64, validation_data=val_py_dataset,
                    epochs=1, shuffle=False)
history.history, model.evaluate(val_py_dataset)

# %% torch-dataloader
class ExampleTorchDataset(torch.utils.data.Dataset):
    def __init__(self, x, y):
        self.x = x
        self.y = y

    def __len__(self):
        return len(self.x)

    def __getitem__(self, idx):
        return self.x[idx], self.y[idx]

train_torch_dataset = ExampleTorchDataset(x_train, y_train)
val_torch_dataset = ExampleTorchDataset(x_val, y_val)
train_dataloader = torch.utils.data.DataLoader(
    train_torch_dataset, batch_size=32, shuffle=False
)
val_dataloader = torch.utils.data.DataLoader(
    val_torch_dataset, batch_size=32, shuffle=False
)
model = get_compiled_model()
history = model.fit(train_dataloader, batch_size=64, validation_data=val_dataloader,
                    epochs=1)
history.history, model.evaluate(val_dataloader)

# %% class-weight
class_weight = {
    0: 1.0, 1: 1.0, 2: 1.0, 3: 1.0, 4: 1.0,
    5: 2.0,
    6: 1.0, 7: 1.0, 8: 1.0, 9: 1.0,
}
print("Fit with class weight")
model = get_compiled_model()
model.fit(x_train, y_train, class_weight=class_weight, batch_size=64, epochs=1,
          shuffle=False).history

# %% sample-weight
sample_weight = np.ones(shape=(len(y_train),))
sample_weight[y_train == 5] = 2.0
print("Fit with sample weight")
model = get_compiled_model()
model.fit(x_train, y_train, sample_weight=sample_weight, batch_size=64, epochs=1,
          shuffle=False).history

# %% multi-io-model
image_input = keras.Input(shape=(12,), name="img_input")
timeseries_input = keras.Input(shape=(10,), name="ts_input")
x1 = layers.Dense(3, activation="relu")(image_input)
x2 = layers.Dense(3, activation="relu")(timeseries_input)
x = layers.concatenate([x1, x2])
score_output = layers.Dense(1, name="score_output")(x)
class_output = layers.Dense(5, activation="softmax", name="class_output")(x)
model = keras.Model(
    inputs=[image_input, timeseries_input], outputs=[score_output, class_output]
)
set_seeded_weights(model)
model.count_params()

# %% multi-io-compile
model.compile(
    optimizer=keras.optimizers.RMSprop(1e-3),
    loss=[
        keras.losses.MeanSquaredError(),
        keras.losses.CategoricalCrossentropy(),
    ],
    metrics=[
        [
            keras.metrics.MeanAbsolutePercentageError(),
            keras.metrics.MeanAbsoluteError(),
        ],
        [keras.metrics.CategoricalAccuracy()],
    ],
)
model.compile(
    optimizer=keras.optimizers.RMSprop(1e-3),
    loss={
        "score_output": keras.losses.MeanSquaredError(),
        "class_output": keras.losses.CategoricalCrossentropy(),
    },
    metrics={
        "score_output": [
            keras.metrics.MeanAbsolutePercentageError(),
            keras.metrics.MeanAbsoluteError(),
        ],
        "class_output": [keras.metrics.CategoricalAccuracy()],
    },
    loss_weights={"score_output": 2.0, "class_output": 1.0},
)
img_data = np.random.random_sample(size=(100, 12))
ts_data = np.random.random_sample(size=(100, 10))
score_targets = np.random.random_sample(size=(100, 1))
class_targets = np.random.random_sample(size=(100, 5))
model.fit([img_data, ts_data], [score_targets, class_targets], batch_size=32, epochs=1,
          shuffle=False).history

# %% multi-io-loss-for-one-output
model.compile(
    optimizer=keras.optimizers.RMSprop(1e-3),
    loss=[None, keras.losses.CategoricalCrossentropy()],
)
model.fit([img_data, ts_data], [score_targets, class_targets], batch_size=32, epochs=1,
          shuffle=False).history

# %% multi-io-dicts
model.compile(
    optimizer=keras.optimizers.RMSprop(1e-3),
    loss=[
        keras.losses.MeanSquaredError(),
        keras.losses.CategoricalCrossentropy(),
    ],
)
model.fit(
    {"img_input": img_data, "ts_input": ts_data},
    {"score_output": score_targets, "class_output": class_targets},
    batch_size=32,
    epochs=1,
    shuffle=False,
).history

# %% early-stopping [compare=structure]
model = get_compiled_model()
callbacks = [
    keras.callbacks.EarlyStopping(
        monitor="val_loss",
        min_delta=1e-2,
        patience=2,
        verbose=1,
    )
]
history = model.fit(x_train, y_train, epochs=20, batch_size=64, callbacks=callbacks,
                    validation_split=0.2, shuffle=False)
len(history.history["loss"]), history.history

# %% own-callback
class LossHistory(keras.callbacks.Callback):
    def on_train_begin(self, logs):
        self.per_batch_losses = []

    def on_batch_end(self, batch, logs):
        self.per_batch_losses.append(logs.get("loss"))

loss_history = LossHistory()
model = get_compiled_model()
model.fit(x_train, y_train, epochs=1, batch_size=64, callbacks=[loss_history],
          shuffle=False, verbose=0)
loss_history.per_batch_losses

# %% checkpoint-best
model = get_compiled_model()
callbacks = [
    keras.callbacks.ModelCheckpoint(
        filepath="mymodel_{epoch}.keras",
        save_best_only=True,
        monitor="val_loss",
        verbose=1,
    )
]
model.fit(x_train, y_train, epochs=2, batch_size=64, callbacks=callbacks,
          validation_split=0.2, shuffle=False)
sorted(name for name in os.listdir(".") if name.startswith("mymodel_"))

# %% checkpoint-restore
checkpoint_dir = "./ckpt"
if not os.path.exists(checkpoint_dir):
    os.makedirs(checkpoint_dir)

def make_or_restore_model():
    checkpoints = [checkpoint_dir + "/" + name for name in os.listdir(checkpoint_dir)]
    if checkpoints:
        latest_checkpoint = max(checkpoints, key=os.path.getctime)
        print("Restoring from", latest_checkpoint)
        return keras.models.load_model(latest_checkpoint)
    print("Creating a new model")
    return get_compiled_model()

model = make_or_restore_model()
callbacks = [
    keras.callbacks.ModelCheckpoint(
        filepath=checkpoint_dir + "/model-loss={loss:.2f}.keras", save_freq=10
    )
]
model.fit(x_train, y_train, epochs=1, callbacks=callbacks, shuffle=False)
restored = make_or_restore_model()
restored.evaluate(x_test, y_test, verbose=0)

# %% lr-schedule
initial_learning_rate = 0.001
lr_schedule = keras.optimizers.schedules.ExponentialDecay(
    initial_learning_rate, decay_steps=10, decay_rate=0.96, staircase=True
)
optimizer = keras.optimizers.RMSprop(learning_rate=lr_schedule)
model = get_uncompiled_model()
model.compile(optimizer=optimizer, loss="sparse_categorical_crossentropy")
model.fit(x_train, y_train, epochs=1, batch_size=64, shuffle=False).history
