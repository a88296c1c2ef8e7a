"""Hands-On Machine Learning (3rd ed.), ch. 11: "Avoiding Overfitting Through
Regularization": l1/l2, functools.partial, Dropout, MC Dropout, max-norm. Dropout masks are
random and differ between libraries: steps that train with dropout are compared loosely
(rtol/atol), inference with the same weights exactly. Small slices, 2 epochs,
shuffle=False, seeded weights."""

# %% load-data
from functools import partial

import numpy as np
import tensorflow as tf
from _corpus import set_seeded_weights

(X_train_full, y_train_full), (X_test, y_test) = tf.keras.datasets.fashion_mnist.load_data()
X_train, y_train = X_train_full[:2000] / 255., y_train_full[:2000]
X_valid, y_valid = X_train_full[-500:] / 255., y_train_full[-500:]
X_test, y_test = X_test[:500] / 255., y_test[:500]

# %% set-random-seed
tf.keras.utils.set_random_seed(42)

# %% l2-layer
layer = tf.keras.layers.Dense(100, activation="relu",
                              kernel_initializer="he_normal",
                              kernel_regularizer=tf.keras.regularizers.l2(0.01))

# %% regularizer-values
# not from the book: a regularizer is a function of the weights
w = np.array([[1.0, -2.0], [0.5, 0.0]])
(float(tf.keras.regularizers.l2(0.01)(w)), float(tf.keras.regularizers.l1(0.01)(w)),
 float(tf.keras.regularizers.l1_l2(l1=0.01, l2=0.01)(w)))

# %% regularized-dense
RegularizedDense = partial(tf.keras.layers.Dense,
                           activation="relu",
                           kernel_initializer="he_normal",
                           kernel_regularizer=tf.keras.regularizers.l2(0.01))

model = tf.keras.Sequential([
    tf.keras.layers.Flatten(input_shape=[28, 28]),
    RegularizedDense(100),
    RegularizedDense(100),
    RegularizedDense(10, activation="softmax")
])
set_seeded_weights(model)

# %% model-losses
# not from the book: the regularization terms the model adds to the loss
[float(loss) for loss in model.losses]

# %% regularized-fit
optimizer = tf.keras.optimizers.SGD(learning_rate=0.02)
model.compile(loss="sparse_categorical_crossentropy", optimizer=optimizer,
              metrics=["accuracy"])
history = model.fit(X_train, y_train, epochs=2,
                    validation_data=(X_valid, y_valid), shuffle=False)
history.history

# %% dropout-model
model = tf.keras.Sequential([
    tf.keras.layers.Flatten(input_shape=[28, 28]),
    tf.keras.layers.Dropout(rate=0.2),
    tf.keras.layers.Dense(100, activation="relu",
                          kernel_initializer="he_normal"),
    tf.keras.layers.Dropout(rate=0.2),
    tf.keras.layers.Dense(100, activation="relu",
                          kernel_initializer="he_normal"),
    tf.keras.layers.Dropout(rate=0.2),
    tf.keras.layers.Dense(10, activation="softmax")
])
set_seeded_weights(model)
optimizer = tf.keras.optimizers.SGD(learning_rate=0.01, momentum=0.9)
model.compile(loss="sparse_categorical_crossentropy", optimizer=optimizer,
              metrics=["accuracy"])

# %% dropout-inference
# not from the book: before training, inference (no dropout) gives the same numbers
model.evaluate(X_valid, y_valid), model.predict(X_valid[:2])

# %% dropout-fit [rtol=0.1; atol=0.03]
history = model.fit(X_train, y_train, epochs=2,
                    validation_data=(X_valid, y_valid), shuffle=False)
history.history

# %% dropout-evaluate [rtol=0.1; atol=0.03]
model.evaluate(X_train, y_train), model.evaluate(X_test, y_test)

# %% mc-dropout-stack [keras-fails: with the torch backend, model(X, training=True) is a torch tensor that needs grad, which np.stack refuses]
y_probas = np.stack([model(X_test, training=True)
                     for sample in range(100)])
y_proba = y_probas.mean(axis=0)

# %% predict-one [compare=structure]
# (after training with dropout the weights depend on the random masks: shapes only)
model.predict(X_test[:1]).round(3)

# %% mc-dropout-class
class MCDropout(tf.keras.layers.Dropout):
    def call(self, inputs, training=False):
        return super().call(inputs, training=True)


Dropout = tf.keras.layers.Dropout
mc_model = tf.keras.Sequential([
    MCDropout(layer.rate) if isinstance(layer, Dropout) else layer
    for layer in model.layers
])
mc_model.set_weights(model.get_weights())
mc_model.summary()

# %% mc-dropout-mean [compare=structure]
samples = [mc_model.predict(X_test[:1]) for sample in range(100)]
y_proba_mc = np.mean(samples, axis=0).round(2)
# not from the book: the samples differ from one another (dropout stays on), and their mean
# is close to the prediction without dropout (the numbers themselves depend on the masks)
(y_proba_mc, bool(np.std(samples, axis=0).max() > 0),
 bool(np.abs(y_proba_mc - model.predict(X_test[:1])).max() < 0.1))

# %% max-norm
dense = tf.keras.layers.Dense(
    100, activation="relu", kernel_initializer="he_normal",
    kernel_constraint=tf.keras.constraints.max_norm(1.))

MaxNormDense = partial(tf.keras.layers.Dense,
                       activation="relu", kernel_initializer="he_normal",
                       kernel_constraint=tf.keras.constraints.max_norm(1.))

model = tf.keras.Sequential([
    tf.keras.layers.Flatten(input_shape=[28, 28]),
    MaxNormDense(100),
    MaxNormDense(100),
    tf.keras.layers.Dense(10, activation="softmax")
])
set_seeded_weights(model)
optimizer = tf.keras.optimizers.SGD(learning_rate=0.01, momentum=0.9)
model.compile(loss="sparse_categorical_crossentropy", optimizer=optimizer,
              metrics=["accuracy"])
history = model.fit(X_train, y_train, epochs=2,
                    validation_data=(X_valid, y_valid), shuffle=False)
# not from the book: every column of the kernel has a norm of at most 1
history.history, float(np.linalg.norm(model.layers[1].get_weights()[0], axis=0).max())
