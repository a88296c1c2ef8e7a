"""Hands-On Machine Learning (3rd ed.), ch. 10: "Using Callbacks" (ModelCheckpoint,
EarlyStopping, a custom callback), on the chapter's Fashion-MNIST classifier (small slices,
a few epochs, shuffle=False, seeded weights). The last step is not from the book: a callback
that records which hooks fire, in what order, with which logs."""

# %% load-data
import numpy as np
import tensorflow as tf
from _corpus import set_seeded_weights

(X_train_full, y_train_full), (X_test, y_test) = tf.keras.datasets.fashion_mnist.load_data()
X_train, y_train = X_train_full[:1000] / 255., y_train_full[:1000]
X_valid, y_valid = X_train_full[-300:] / 255., y_train_full[-300:]


def build_model():
    model = tf.keras.Sequential([
        tf.keras.layers.Flatten(input_shape=[28, 28]),
        tf.keras.layers.Dense(300, activation="relu"),
        tf.keras.layers.Dense(100, activation="relu"),
        tf.keras.layers.Dense(10, activation="softmax")
    ])
    set_seeded_weights(model)
    model.compile(loss="sparse_categorical_crossentropy", optimizer="sgd",
                  metrics=["accuracy"])
    return model


model = build_model()

# %% checkpoint-tf-format [keras-fails: Keras 3 wants save_weights_only paths to end in .weights.h5]
checkpoint_cb = tf.keras.callbacks.ModelCheckpoint("my_checkpoints",
                                                   save_weights_only=True)

# %% checkpoint-early-stopping
checkpoint_cb = tf.keras.callbacks.ModelCheckpoint("my_checkpoints.weights.h5",
                                                   save_weights_only=True)
early_stopping_cb = tf.keras.callbacks.EarlyStopping(patience=10,
                                                     restore_best_weights=True)
history = model.fit(X_train, y_train, epochs=3,
                    validation_data=(X_valid, y_valid), shuffle=False,
                    callbacks=[checkpoint_cb, early_stopping_cb])
history.history

# %% checkpoint-file
import os

os.path.exists("my_checkpoints.weights.h5")

# %% early-stopping-stops
# not from the book: min_delta larger than any gain, so the run stops after patience epochs
# and restore_best_weights brings back the weights of the first epoch
model = build_model()
early_stopping_cb = tf.keras.callbacks.EarlyStopping(min_delta=1.0, patience=1,
                                                     restore_best_weights=True)
history = model.fit(X_train, y_train, epochs=10,
                    validation_data=(X_valid, y_valid), shuffle=False,
                    callbacks=[early_stopping_cb])
early_stopping_cb.stopped_epoch, history.epoch, model.evaluate(X_valid, y_valid)

# %% save-best-only
model = build_model()
checkpoint_cb = tf.keras.callbacks.ModelCheckpoint("my_keras_model.keras",
                                                   save_best_only=True)
history = model.fit(X_train, y_train, epochs=2,
                    validation_data=(X_valid, y_valid), shuffle=False,
                    callbacks=[checkpoint_cb])
model = tf.keras.models.load_model("my_keras_model.keras")  # rollback to best model
model.evaluate(X_valid, y_valid)

# %% custom-callback
class PrintValTrainRatioCallback(tf.keras.callbacks.Callback):
    def on_epoch_end(self, epoch, logs):
        ratio = logs["val_loss"] / logs["loss"]
        print(f"Epoch={epoch}, val/train={ratio:.2f}")


model = build_model()
history = model.fit(X_train, y_train, epochs=2,
                    validation_data=(X_valid, y_valid), shuffle=False,
                    callbacks=[PrintValTrainRatioCallback()])

# %% hooks-fired
# not from the book: which hooks fire, in what order, with which logs keys
class HookRecorder(tf.keras.callbacks.Callback):
    def __init__(self):
        super().__init__()
        self.calls = []

    def _record(self, hook, logs):
        entry = (hook, sorted(logs) if logs else [])
        if not self.calls or self.calls[-1] != entry:
            self.calls.append(entry)


for hook in ["on_train_begin", "on_train_end", "on_epoch_begin", "on_epoch_end",
             "on_train_batch_begin", "on_train_batch_end", "on_test_begin", "on_test_end",
             "on_test_batch_begin", "on_test_batch_end", "on_predict_begin",
             "on_predict_end", "on_predict_batch_begin", "on_predict_batch_end"]:
    def method(self, *args, _hook=hook, **kwargs):
        logs = kwargs.get("logs", args[-1] if args else None)
        self._record(_hook, logs)
    setattr(HookRecorder, hook, method)

recorder = HookRecorder()
model = build_model()
model.fit(X_train[:64], y_train[:64], epochs=2, batch_size=32,
          validation_data=(X_valid[:64], y_valid[:64]), shuffle=False,
          callbacks=[recorder], verbose=0)
model.evaluate(X_valid[:64], y_valid[:64], callbacks=[recorder], verbose=0)
model.predict(X_valid[:64], callbacks=[recorder], verbose=0)
recorder.calls

# %% batch-hooks
# on_batch_begin / on_batch_end (the books' spelling) fire for every training batch
class BatchCounter(tf.keras.callbacks.Callback):
    def __init__(self):
        super().__init__()
        self.begins, self.ends = 0, 0

    def on_batch_begin(self, batch, logs=None):
        self.begins += 1

    def on_batch_end(self, batch, logs=None):
        self.ends += 1


counter = BatchCounter()
model = build_model()
model.fit(X_train[:64], y_train[:64], epochs=2, batch_size=32, shuffle=False,
          callbacks=[counter], verbose=0)
counter.begins, counter.ends
