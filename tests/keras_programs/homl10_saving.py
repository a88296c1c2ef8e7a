"""Hands-On Machine Learning (3rd ed.), ch. 10: "Saving and Restoring a Model", on the
chapter's Fashion-MNIST classifier (small slices, 1 epoch, shuffle=False, seeded weights).
The book saves in TensorFlow's SavedModel format (save_format="tf"), which Keras 3 refuses:
those spellings are kept as steps that real Keras is expected to refuse, followed by the
Keras 3 spellings (.keras, .weights.h5)."""

# %% load-data
import numpy as np
import tensorflow as tf
from _corpus import set_seeded_weights

(X_train_full, y_train_full), (X_test, y_test) = tf.keras.datasets.fashion_mnist.load_data()
X_train, y_train = X_train_full[:2000] / 255., y_train_full[:2000]
X_valid, y_valid = X_train_full[-500:] / 255., y_train_full[-500:]
X_test, y_test = X_test[:500] / 255., y_test[:500]
X_new = X_test[:3]

# %% model
model = tf.keras.Sequential([
    tf.keras.layers.Flatten(input_shape=[28, 28]),
    tf.keras.layers.Dense(300, activation="relu"),
    tf.keras.layers.Dense(100, activation="relu"),
    tf.keras.layers.Dense(10, activation="softmax")
])
set_seeded_weights(model)
model.compile(loss="sparse_categorical_crossentropy", optimizer="sgd", metrics=["accuracy"])
history = model.fit(X_train, y_train, epochs=1, validation_data=(X_valid, y_valid),
                    shuffle=False)
history.history

# %% save-savedmodel [keras-fails: Keras 3 has no save_format="tf" (TensorFlow SavedModel)]
model.save("my_keras_model", save_format="tf")

# %% save-keras
model.save("my_keras_model.keras")

# %% load-keras
model = None  # corpus: as in a new session, only the file is left
model = tf.keras.models.load_model("my_keras_model.keras")
[type(layer).__name__ for layer in model.layers], model.count_params()

# %% predict-loaded
model.predict(X_new)

# %% evaluate-loaded
model.evaluate(X_test, y_test)

# %% save-weights-tf [keras-fails: Keras 3 saves weights only to .weights.h5 files]
model.save_weights("my_weights")

# %% save-weights
model.save_weights("my.weights.h5")

# %% load-weights
fresh = tf.keras.models.clone_model(model)
fresh.load_weights("my.weights.h5")
fresh.compile(loss="sparse_categorical_crossentropy", optimizer="sgd", metrics=["accuracy"])
fresh.evaluate(X_test, y_test)
