"""Hands-On Machine Learning (3rd ed.), ch. 11: "Gradient Clipping" (clipvalue, clipnorm;
global_clipnorm from Keras' documentation), on a small Fashion-MNIST classifier with a
learning rate high enough for clipping to matter. 1 epoch, shuffle=False, seeded weights."""

# %% load-data
import numpy as np
import tensorflow as tf
from _corpus import set_seeded_weights

(X_train_full, y_train_full), (X_test, y_test) = tf.keras.datasets.fashion_mnist.load_data()
X_train, y_train = X_train_full[:1000] / 255., y_train_full[:1000]


def build_model():
    model = tf.keras.Sequential([
        tf.keras.layers.Flatten(input_shape=[28, 28]),
        tf.keras.layers.Dense(100, activation="relu", kernel_initializer="he_normal"),
        tf.keras.layers.Dense(10, activation="softmax")
    ])
    set_seeded_weights(model)
    return model


# %% clipvalue
model = build_model()
optimizer = tf.keras.optimizers.SGD(clipvalue=1.0)
model.compile(loss="sparse_categorical_crossentropy", optimizer=optimizer)
model.fit(X_train, y_train, epochs=1, shuffle=False).history

# %% clipnorm
model = build_model()
optimizer = tf.keras.optimizers.SGD(clipnorm=1.0)
model.compile(loss="sparse_categorical_crossentropy", optimizer=optimizer)
model.fit(X_train, y_train, epochs=1, shuffle=False).history

# %% clipvalue-active
# not from the book: a clip small enough to change every step
model = build_model()
optimizer = tf.keras.optimizers.SGD(learning_rate=0.1, clipvalue=0.01)
model.compile(loss="sparse_categorical_crossentropy", optimizer=optimizer)
model.fit(X_train, y_train, epochs=1, shuffle=False).history

# %% clipnorm-active
# not from the book: clipnorm clips each variable's gradient on its own
model = build_model()
optimizer = tf.keras.optimizers.SGD(learning_rate=0.1, clipnorm=0.1)
model.compile(loss="sparse_categorical_crossentropy", optimizer=optimizer)
model.fit(X_train, y_train, epochs=1, shuffle=False).history

# %% global-clipnorm
model = build_model()
optimizer = tf.keras.optimizers.Adam(global_clipnorm=0.1)
model.compile(loss="sparse_categorical_crossentropy", optimizer=optimizer)
model.fit(X_train, y_train, epochs=1, shuffle=False).history
