"""Hands-On Machine Learning (3rd ed.), ch. 11: "Glorot and He Initialization" and
"Better Activation Functions" (LeakyReLU, PReLU, ELU, SELU, GELU, Swish, Mish). Initial
weights are random in both libraries: they are compared through their statistics. The
activation values are computed on a fixed input. Trained networks start from seeded weights
(1-2 epochs, small slices, shuffle=False)."""

# %% load-data
from functools import partial

import numpy as np
import tensorflow as tf
from _corpus import set_seeded_weights

(X_train_full, y_train_full), (X_test, y_test) = tf.keras.datasets.fashion_mnist.load_data()
# corpus: 10,000 images (the book: 55,000), enough for every pixel to vary
X_train, y_train = X_train_full[:10000] / 255., y_train_full[:10000]
X_valid, y_valid = X_train_full[-1000:] / 255., y_train_full[-1000:]
x = np.linspace(-3.0, 3.0, 9).reshape(1, -1)  # corpus: an input for the activations

# %% set-random-seed
tf.keras.utils.set_random_seed(42)

# %% he-normal [rtol=0.03]
dense = tf.keras.layers.Dense(50, activation="relu",
                              kernel_initializer="he_normal")
# corpus: built for 784 inputs; He normal is a normal truncated at 2 standard deviations
# (before the correction), so that its std is sqrt(2 / fan_in) = 0.0505
dense.build((None, 784))
kernel, bias = dense.get_weights()
limit = 2 * np.sqrt(2 / 784) / .87962566103423978
kernel.shape, float(kernel.std()), bool(np.abs(kernel).max() <= limit + 1e-6), bias[:3]

# %% variance-scaling [rtol=0.03]
he_avg_init = tf.keras.initializers.VarianceScaling(scale=2., mode="fan_avg",
                                                    distribution="uniform")
dense = tf.keras.layers.Dense(50, activation="sigmoid",
                              kernel_initializer=he_avg_init)
dense.build((None, 784))
kernel = dense.get_weights()[0]
# uniform on +-sqrt(3 * 2 / ((784 + 50) / 2)) = +-0.1200, std 0.0693
float(kernel.std()), float(np.abs(kernel).max())

# %% lecun-normal [rtol=0.03]
dense = tf.keras.layers.Dense(50, activation="selu",
                              kernel_initializer="lecun_normal")
dense.build((None, 784))
float(dense.get_weights()[0].std())  # sqrt(1 / 784) = 0.0357

# %% glorot-default [rtol=0.03]
dense = tf.keras.layers.Dense(50)
dense.build((None, 784))
float(dense.get_weights()[0].std()), float(np.abs(dense.get_weights()[0]).max())

# %% leaky-relu
leaky_relu = tf.keras.layers.LeakyReLU(alpha=0.2)
dense = tf.keras.layers.Dense(50, activation=leaky_relu,
                              kernel_initializer="he_normal")
leaky_relu(x)

# %% leaky-relu-layer
model = tf.keras.models.Sequential([
    tf.keras.layers.Flatten(input_shape=[28, 28]),
    tf.keras.layers.Dense(50, kernel_initializer="he_normal"),  # no activation
    tf.keras.layers.LeakyReLU(alpha=0.2),  # activation as a separate layer
    tf.keras.layers.Dense(10, activation="softmax")
])
set_seeded_weights(model)
model.compile(loss="sparse_categorical_crossentropy", optimizer="sgd", metrics=["accuracy"])
history = model.fit(X_train[:2000], y_train[:2000], epochs=1, shuffle=False)
history.history

# %% leaky-relu-defaults
# not from the book: the default slopes, LeakyReLU() (0.3) and "leaky_relu" (0.2)
tf.keras.layers.LeakyReLU()(x), tf.keras.layers.Activation("leaky_relu")(x)

# %% prelu
prelu = tf.keras.layers.PReLU()
y = prelu(x)  # alpha starts at 0
y, [w.shape for w in prelu.get_weights()], prelu.get_weights()[0][:3]

# %% elu-selu
dense = tf.keras.layers.Dense(50, activation="elu",
                              kernel_initializer="he_normal")
dense = tf.keras.layers.Dense(50, activation="selu",
                              kernel_initializer="lecun_normal")
tf.keras.layers.Activation("elu")(x), tf.keras.layers.Activation("selu")(x)

# %% gelu-swish-mish
dense = tf.keras.layers.Dense(50, activation="swish")
{name: tf.keras.layers.Activation(name)(x) for name in ["gelu", "swish", "silu", "mish"]}

# %% activation-functions
tf.keras.activations.relu(x), tf.keras.activations.sigmoid(x), tf.keras.activations.elu(x)

# %% other-activations
{name: tf.keras.layers.Activation(name)(x)
 for name in ["relu", "sigmoid", "tanh", "softplus", "softsign", "exponential", "linear",
              "relu6", "hard_sigmoid"]}

# %% selu-network [atol=0.001]
# the book stacks 100 SELU layers; the corpus stacks 5. The inputs are standardised with
# the statistics of the training set, as in the book.
model = tf.keras.Sequential()
model.add(tf.keras.layers.Flatten(input_shape=[28, 28]))
for layer in range(5):
    model.add(tf.keras.layers.Dense(100, activation="selu",
                                    kernel_initializer="lecun_normal"))
model.add(tf.keras.layers.Dense(10, activation="softmax"))
set_seeded_weights(model)
model.compile(loss="sparse_categorical_crossentropy",
              optimizer=tf.keras.optimizers.SGD(learning_rate=0.001, momentum=0.9),
              metrics=["accuracy"])
pixel_means = X_train.mean(axis=0, keepdims=True)
pixel_stds = X_train.std(axis=0, keepdims=True)
X_train_scaled = (X_train - pixel_means) / pixel_stds
X_valid_scaled = (X_valid - pixel_means) / pixel_stds
history = model.fit(X_train_scaled[:2000], y_train[:2000], epochs=1,
                    validation_data=(X_valid_scaled[:500], y_valid[:500]), shuffle=False)
history.history

# %% relu-network-with-partial
DenseHe = partial(tf.keras.layers.Dense, activation="relu", kernel_initializer="he_normal")
model = tf.keras.Sequential([tf.keras.layers.Flatten(input_shape=[28, 28]),
                             DenseHe(100), DenseHe(100),
                             tf.keras.layers.Dense(10, activation="softmax")])
set_seeded_weights(model)
model.compile(loss="sparse_categorical_crossentropy",
              optimizer=tf.keras.optimizers.SGD(learning_rate=0.001, momentum=0.9),
              metrics=["accuracy"])
history = model.fit(X_train_scaled[:2000], y_train[:2000], epochs=2,
                    validation_data=(X_valid_scaled[:500], y_valid[:500]), shuffle=False)
history.history
