"""Kaggle Learn, Intro to Deep Learning, lessons 1 ("A Single Neuron") and 2 ("Deep Neural
Networks"): keras.Sequential([layers.Dense(...)]), model.weights, activation layers.
The lessons call tf.linspace; the corpus uses NumPy's. Seeded weights."""

# %% single-neuron
from _corpus import set_seeded_weights
from tensorflow import keras
from tensorflow.keras import layers

# Create a network with 1 linear unit
model = keras.Sequential([
    layers.Dense(units=1, input_shape=[3])
])
set_seeded_weights(model)

# %% weights [noprint]
w, b = model.weights
print("Weights\n{}\n\nBias\n{}".format(w, b))
w, b

# %% untrained-predict
import numpy as np

x = np.linspace(-1.0, 1.0, 100)
y = model.predict(np.stack([x, x, x], axis=1))
y[:3], y.shape

# %% deep
model = keras.Sequential([
    # the hidden ReLU layers
    layers.Dense(units=4, activation='relu', input_shape=[2]),
    layers.Dense(units=3, activation='relu'),
    # the linear output layer
    layers.Dense(units=1),
])
set_seeded_weights(model)
model.count_params(), model.predict(np.array([[0.5, -1.0], [2.0, 1.0]]))

# %% activation-layers
model = keras.Sequential([
    layers.Dense(32, input_shape=[8]),
    layers.Activation('relu'),
    layers.Dense(32),
    layers.Activation('relu'),
    layers.Dense(1),
])
model.summary()

# %% activation-call
activation_layer = layers.Activation('relu')
x = np.linspace(-3.0, 3.0, 100)
y = activation_layer(x)  # once created, a layer is callable just like a function
y[45:55]

# %% activation-exercise
{name: layers.Activation(name)(x)[::20] for name in ['relu', 'elu', 'selu', 'swish']}
