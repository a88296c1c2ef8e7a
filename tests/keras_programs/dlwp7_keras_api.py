"""Deep Learning with Python (Chollet, 2nd ed.; Korean: 케라스 창시자에게 배우는 딥러닝),
chapter 7, "Working with Keras: a deep dive": the Sequential model built incrementally and
named, the functional API with several inputs and outputs (losses and metrics as lists
and as dicts), feature extraction from a layer's output, a subclassed model taking a dict,
a custom ``Metric`` (RootMeanSquaredError with ``add_weight``, in Keras 3's ``ops``), and
the callbacks (EarlyStopping, ModelCheckpoint on a functional model, a custom LossHistory).
MNIST and the ticket data are stand-ins of the same form; weights are seeded and fits
unshuffled, with fewer epochs and samples than the book's."""

# %% sequential-incremental
import numpy as np
from _corpus import set_seeded_weights
from tensorflow import keras
from tensorflow.keras import layers
from keras import ops

model = keras.Sequential(name="my_example_model")
model.add(layers.Dense(64, activation="relu", name="my_first_layer"))
model.add(layers.Dense(10, activation="softmax", name="my_last_layer"))
model.build((None, 3))
[layer.name for layer in model.layers], [tuple(w.shape) for w in model.weights]

# %% functional-model
vocabulary_size = 100
num_tags = 10
num_departments = 4

title = keras.Input(shape=(vocabulary_size,), name="title")
text_body = keras.Input(shape=(vocabulary_size,), name="text_body")
tags = keras.Input(shape=(num_tags,), name="tags")

features = layers.Concatenate()([title, text_body, tags])
features = layers.Dense(64, activation="relu")(features)

priority = layers.Dense(1, activation="sigmoid", name="priority")(features)
department = layers.Dense(num_departments, activation="softmax", name="department")(features)

model = keras.Model(inputs=[title, text_body, tags], outputs=[priority, department])
set_seeded_weights(model)
[layer.name for layer in model.layers]

# %% functional-data
num_samples = 256
rng = np.random.default_rng(7)
title_data = rng.integers(0, 2, size=(num_samples, vocabulary_size)).astype("float32")
text_body_data = rng.integers(0, 2, size=(num_samples, vocabulary_size)).astype("float32")
tags_data = rng.integers(0, 2, size=(num_samples, num_tags)).astype("float32")
priority_data = rng.random(size=(num_samples, 1)).astype("float32")
department_data = np.eye(num_departments, dtype="float32")[rng.integers(0, num_departments, num_samples)]

# %% functional-fit-lists
model.compile(optimizer="rmsprop",
              loss=["mean_squared_error", "categorical_crossentropy"],
              metrics=[["mean_absolute_error"], ["accuracy"]])
history = model.fit([title_data, text_body_data, tags_data],
                    [priority_data, department_data],
                    epochs=2, shuffle=False, verbose=0)
results = model.evaluate([title_data, text_body_data, tags_data],
                         [priority_data, department_data], verbose=0)
priority_preds, department_preds = model.predict(
    [title_data, text_body_data, tags_data], verbose=0)
history.history, results, priority_preds[:3], department_preds[:2]

# %% functional-fit-dicts
model.compile(optimizer="rmsprop",
              loss={"priority": "mean_squared_error", "department": "categorical_crossentropy"},
              metrics={"priority": ["mean_absolute_error"], "department": ["accuracy"]})
model.fit({"title": title_data, "text_body": text_body_data, "tags": tags_data},
          {"priority": priority_data, "department": department_data},
          epochs=1, shuffle=False, verbose=0).history

# %% layer-input-output
[tuple(t.shape) for t in model.layers[3].input], tuple(model.layers[3].output.shape)

# %% feature-extraction
features = model.layers[4].output
difficulty = layers.Dense(3, activation="softmax", name="difficulty")(features)
new_model = keras.Model(inputs=[title, text_body, tags],
                        outputs=[priority, department, difficulty])
set_seeded_weights(new_model.get_layer("difficulty"), seed=9)
[tuple(o.shape) for o in new_model.predict([title_data[:4], text_body_data[:4], tags_data[:4]],
                                           verbose=0)]

# %% subclassed-model
class CustomerTicketModel(keras.Model):

    def __init__(self, num_departments):
        super().__init__()
        self.concat_layer = layers.Concatenate()
        self.mixing_layer = layers.Dense(64, activation="relu")
        self.priority_scorer = layers.Dense(1, activation="sigmoid")
        self.department_classifier = layers.Dense(
            num_departments, activation="softmax")

    def call(self, inputs):
        title = inputs["title"]
        text_body = inputs["text_body"]
        tags = inputs["tags"]

        features = self.concat_layer([title, text_body, tags])
        features = self.mixing_layer(features)
        priority = self.priority_scorer(features)
        department = self.department_classifier(features)
        return priority, department

model = CustomerTicketModel(num_departments=4)
priority, department = model(
    {"title": title_data, "text_body": text_body_data, "tags": tags_data})
model.set_weights([np.random.default_rng(11).normal(0, 0.1, w.shape) for w in model.get_weights()])
model.compile(optimizer="rmsprop",
              loss=["mean_squared_error", "categorical_crossentropy"],
              metrics=[["mean_absolute_error"], ["accuracy"]])
model.fit({"title": title_data, "text_body": text_body_data, "tags": tags_data},
          [priority_data, department_data], epochs=1, shuffle=False, verbose=0).history

# %% mnist-data
# the book: keras.datasets.mnist.load_data(); a stand-in of the same form, smaller
rng = np.random.default_rng(8)
images = rng.random((1200, 28 * 28)).astype("float32")
labels = (images[:, :10].argmax(axis=1) + (images[:, 10:20].sum(axis=1) > 5)) % 10
train_images, val_images = images[200:], images[:200]
train_labels, val_labels = labels[200:], labels[:200]

def get_mnist_model():
    inputs = keras.Input(shape=(28 * 28,))
    features = layers.Dense(512, activation="relu")(inputs)
    features = layers.Dropout(0.5)(features)
    outputs = layers.Dense(10, activation="softmax")(features)
    model = keras.Model(inputs, outputs)
    set_seeded_weights(model)
    return model

# %% custom-metric
class RootMeanSquaredError(keras.metrics.Metric):

    def __init__(self, name="rmse", **kwargs):
        super().__init__(name=name, **kwargs)
        self.mse_sum = self.add_weight(name="mse_sum", initializer="zeros")
        self.total_samples = self.add_weight(
            name="total_samples", initializer="zeros", dtype="int32")

    def update_state(self, y_true, y_pred, sample_weight=None):
        y_true = ops.one_hot(y_true, num_classes=ops.shape(y_pred)[1])
        mse = ops.sum(ops.square(y_true - y_pred))
        self.mse_sum.assign_add(mse)
        num_samples = ops.shape(y_pred)[0]
        self.total_samples.assign_add(num_samples)

    def result(self):
        return ops.sqrt(self.mse_sum / ops.cast(self.total_samples, "float32"))

    def reset_state(self):
        self.mse_sum.assign(0.)
        self.total_samples.assign(0)

model = get_mnist_model()
model.compile(optimizer="rmsprop",
              loss="sparse_categorical_crossentropy",
              metrics=["accuracy", RootMeanSquaredError()])
# Dropout's masks differ between the libraries: compare what does not depend on them
history = model.fit(train_images, train_labels, epochs=2, shuffle=False,
                    validation_data=(val_images, val_labels), verbose=0)
sorted(history.history)

# %% callbacks [compare=structure]
callbacks_list = [
    keras.callbacks.EarlyStopping(
        monitor="val_accuracy",
        patience=2,
    ),
    keras.callbacks.ModelCheckpoint(
        filepath="checkpoint_path.keras",
        monitor="val_loss",
        save_best_only=True,
    )
]
model = get_mnist_model()
model.compile(optimizer="rmsprop",
              loss="sparse_categorical_crossentropy",
              metrics=["accuracy"])
model.fit(train_images, train_labels,
          epochs=3,
          callbacks=callbacks_list,
          validation_data=(val_images, val_labels), verbose=0, shuffle=False)
model = keras.models.load_model("checkpoint_path.keras")
[type(layer).__name__ for layer in model.layers], len(model.evaluate(val_images, val_labels, verbose=0))

# %% loss-history [compare=structure]
class LossHistory(keras.callbacks.Callback):
    def on_train_begin(self, logs):
        self.per_batch_losses = []
        self.epochs = []

    def on_batch_end(self, batch, logs):
        self.per_batch_losses.append(logs.get("loss"))

    def on_epoch_end(self, epoch, logs):
        self.epochs.append(len(self.per_batch_losses))
        self.per_batch_losses = []

history_callback = LossHistory()
model = get_mnist_model()
model.compile(optimizer="rmsprop", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
model.fit(train_images, train_labels, epochs=2, callbacks=[history_callback],
          validation_data=(val_images, val_labels), verbose=0, shuffle=False)
history_callback.epochs
