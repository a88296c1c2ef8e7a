"""Hands-On Machine Learning (3rd ed.), ch. 10: "Building an Image Classifier Using the
Sequential API" on Fashion-MNIST. The book's code, with small data slices, 2 epochs,
shuffle=False and weights set from a seeded NumPy generator (set_seeded_weights) so that
real Keras and xpgrad start from the same numbers."""

# %% load-data
import numpy as np
import tensorflow as tf
from _corpus import set_seeded_weights

fashion_mnist = tf.keras.datasets.fashion_mnist.load_data()
(X_train_full, y_train_full), (X_test, y_test) = fashion_mnist
X_train, y_train = X_train_full[:-5000], y_train_full[:-5000]
X_valid, y_valid = X_train_full[-5000:], y_train_full[-5000:]
X_train.shape, X_train.dtype

# %% small-slices
# corpus: small slices so that the whole corpus runs in a minute or two
X_train, y_train = X_train[:2000], y_train[:2000]
X_valid, y_valid = X_valid[:500], y_valid[:500]
X_test, y_test = X_test[:1000], y_test[:1000]
X_train.shape, X_valid.shape, X_test.shape

# %% scale
X_train, X_valid, X_test = X_train / 255., X_valid / 255., X_test / 255.
class_names = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
               "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"]
class_names[y_train[0]]

# %% set-random-seed
tf.keras.utils.set_random_seed(42)

# %% sequential-add
model = tf.keras.Sequential()
model.add(tf.keras.layers.Input(shape=[28, 28]))
model.add(tf.keras.layers.Flatten())
model.add(tf.keras.layers.Dense(300, activation="relu"))
model.add(tf.keras.layers.Dense(100, activation="relu"))
model.add(tf.keras.layers.Dense(10, activation="softmax"))
model.count_params()

# %% clear-session
tf.keras.backend.clear_session()
tf.keras.utils.set_random_seed(42)

# %% sequential-list
model = tf.keras.Sequential([
    tf.keras.layers.Flatten(input_shape=[28, 28]),
    tf.keras.layers.Dense(300, activation="relu"),
    tf.keras.layers.Dense(100, activation="relu"),
    tf.keras.layers.Dense(10, activation="softmax")
])

# %% summary
model.summary()

# %% layers
model.layers

# %% layer-name
hidden1 = model.layers[1]
hidden1.name

# %% get-layer
model.get_layer('dense') is hidden1

# %% initial-weights [rtol=0.02]
# the initial kernel is random (Glorot uniform: std = sqrt(2 / (784 + 300)) = 0.0430):
# compared through its standard deviation; the biases start at zero
weights, biases = hidden1.get_weights()
weights.shape, float(weights.std()), biases, biases.shape

# %% seeded-weights
set_seeded_weights(model)
weights, biases = hidden1.get_weights()
weights[:2, :5], biases[:5]

# %% compile
model.compile(loss="sparse_categorical_crossentropy",
              optimizer="sgd",
              metrics=["accuracy"])

# %% compile-equivalent
# "This code is equivalent to": a twin model, compiled with the objects
twin = tf.keras.models.clone_model(model)
twin.set_weights(model.get_weights())
twin.compile(loss=tf.keras.losses.sparse_categorical_crossentropy,
             optimizer=tf.keras.optimizers.SGD(),
             metrics=[tf.keras.metrics.sparse_categorical_accuracy])
twin_history = twin.fit(X_train, y_train, epochs=1, shuffle=False)
twin_history.history

# %% to-categorical
tf.keras.utils.to_categorical([0, 5, 1, 0], num_classes=10)

# %% argmax-of-one-hot
np.argmax(
    [[1., 0., 0., 0., 0., 0., 0., 0., 0., 0.],
     [0., 0., 0., 0., 0., 1., 0., 0., 0., 0.],
     [0., 1., 0., 0., 0., 0., 0., 0., 0., 0.],
     [1., 0., 0., 0., 0., 0., 0., 0., 0., 0.]],
    axis=1
)

# %% fit
history = model.fit(X_train, y_train, epochs=2,
                    validation_data=(X_valid, y_valid), shuffle=False)

# %% history-params
history.params

# %% history-epoch
history.epoch

# %% history
history.history

# %% evaluate
model.evaluate(X_test, y_test)

# %% predict [atol=0.0101]
X_new = X_test[:3]
y_proba = model.predict(X_new)
y_proba.round(2)

# %% predict-classes
y_pred = y_proba.argmax(axis=-1)
y_pred, np.array(class_names)[y_pred]

# %% true-classes
y_new = y_test[:3]
y_new
