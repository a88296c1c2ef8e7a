"""Hands-On Machine Learning (3rd ed.), ch. 11: "Learning Rate Scheduling": power scheduling
(decay=), exponential and piecewise constant scheduling with LearningRateScheduler,
performance scheduling (ReduceLROnPlateau), keras.optimizers.schedules, the notebook's
exponential learning-rate sweep (find_learning_rate) and 1cycle scheduler (callbacks that
set optimizer.learning_rate from on_batch_begin / on_batch_end). Small slices, a few epochs,
shuffle=False, seeded weights; boundaries scaled down to the corpus' epochs."""

# %% load-data
import math

import numpy as np
import tensorflow as tf
from _corpus import set_seeded_weights

(X_train_full, y_train_full), (X_test, y_test) = tf.keras.datasets.fashion_mnist.load_data()
X_train, y_train = X_train_full[:1000] / 255., y_train_full[:1000]
X_valid, y_valid = X_train_full[-300:] / 255., y_train_full[-300:]


def build_model(seed=42):
    model = tf.keras.Sequential([
        tf.keras.layers.Flatten(input_shape=[28, 28]),
        tf.keras.layers.Dense(100, activation="relu", kernel_initializer="he_normal"),
        tf.keras.layers.Dense(100, activation="relu", kernel_initializer="he_normal"),
        tf.keras.layers.Dense(10, activation="softmax")
    ])
    set_seeded_weights(model, seed)
    return model


# %% power-scheduling
# Keras 3 accepts decay= with a warning and ignores it
optimizer = tf.keras.optimizers.SGD(learning_rate=0.01, decay=1e-4)
model = build_model()
model.compile(loss="sparse_categorical_crossentropy", optimizer=optimizer,
              metrics=["accuracy"])
history = model.fit(X_train, y_train, epochs=2, validation_data=(X_valid, y_valid),
                    shuffle=False)
history.history

# %% exponential-decay-fn
def exponential_decay_fn(epoch):
    return 0.01 * 0.1 ** (epoch / 20)


def exponential_decay(lr0, s):
    def exponential_decay_fn(epoch):
        return lr0 * 0.1 ** (epoch / s)
    return exponential_decay_fn


exponential_decay_fn = exponential_decay(lr0=0.01, s=2)
model = build_model()
optimizer = tf.keras.optimizers.SGD(learning_rate=0.001)
model.compile(loss="sparse_categorical_crossentropy", optimizer=optimizer,
              metrics=["accuracy"])
n_epochs = 3
lr_scheduler = tf.keras.callbacks.LearningRateScheduler(exponential_decay_fn)
history = model.fit(X_train, y_train, epochs=n_epochs,
                    validation_data=(X_valid, y_valid), shuffle=False,
                    callbacks=[lr_scheduler])
history.history

# %% exponential-decay-fn-lr
def exponential_decay_fn(epoch, lr):
    return lr * 0.1 ** (1 / 20)


model = build_model()
optimizer = tf.keras.optimizers.SGD(learning_rate=0.01)
model.compile(loss="sparse_categorical_crossentropy", optimizer=optimizer,
              metrics=["accuracy"])
lr_scheduler = tf.keras.callbacks.LearningRateScheduler(exponential_decay_fn)
history = model.fit(X_train, y_train, epochs=3, validation_data=(X_valid, y_valid),
                    shuffle=False, callbacks=[lr_scheduler])
history.history

# %% piecewise-constant-fn
def piecewise_constant_fn(epoch):
    if epoch < 1:  # the book: 5
        return 0.01
    elif epoch < 2:  # the book: 15
        return 0.005
    else:
        return 0.001


model = build_model()
model.compile(loss="sparse_categorical_crossentropy",
              optimizer=tf.keras.optimizers.SGD(learning_rate=0.01), metrics=["accuracy"])
lr_scheduler = tf.keras.callbacks.LearningRateScheduler(piecewise_constant_fn)
history = model.fit(X_train, y_train, epochs=3, validation_data=(X_valid, y_valid),
                    shuffle=False, callbacks=[lr_scheduler])
history.history

# %% piecewise-constant-numpy
# the notebook's general version returns a NumPy float
def piecewise_constant(boundaries, values):
    boundaries = np.array([0] + boundaries)
    values = np.array(values)

    def piecewise_constant_fn(epoch):
        return values[(boundaries > epoch).argmax() - 1]
    return piecewise_constant_fn


piecewise_constant_fn = piecewise_constant([1, 2], [0.01, 0.005, 0.001])
[piecewise_constant_fn(epoch) for epoch in range(3)]

# %% reduce-lr-on-plateau
model = build_model()
optimizer = tf.keras.optimizers.SGD(learning_rate=0.01)
model.compile(loss="sparse_categorical_crossentropy", optimizer=optimizer,
              metrics=["accuracy"])
# corpus: patience=1 and a min_delta larger than any gain (the book: patience=5), so that
# the rate halves within the corpus' few epochs
lr_scheduler = tf.keras.callbacks.ReduceLROnPlateau(factor=0.5, patience=1, min_delta=1.0)
history = model.fit(X_train, y_train, epochs=4, validation_data=(X_valid, y_valid),
                    shuffle=False, callbacks=[lr_scheduler])
history.history

# %% exponential-decay-schedule
batch_size = 32
n_epochs = 2
n_steps = n_epochs * math.ceil(len(X_train) / batch_size)
scheduled_learning_rate = tf.keras.optimizers.schedules.ExponentialDecay(
    initial_learning_rate=0.01, decay_steps=n_steps, decay_rate=0.1)
optimizer = tf.keras.optimizers.SGD(learning_rate=scheduled_learning_rate)
model = build_model()
model.compile(loss="sparse_categorical_crossentropy", optimizer=optimizer,
              metrics=["accuracy"])
history = model.fit(X_train, y_train, epochs=n_epochs,
                    validation_data=(X_valid, y_valid), shuffle=False)
history.history, float(optimizer.learning_rate)

# %% schedule-values
# not from the book: the schedule object is a function of the step
[float(scheduled_learning_rate(step)) for step in [0, 32, 64]]

# %% piecewise-constant-decay
n_steps_per_epoch = math.ceil(len(X_train) / batch_size)
scheduled_learning_rate = tf.keras.optimizers.schedules.PiecewiseConstantDecay(
    boundaries=[1 * n_steps_per_epoch, 2 * n_steps_per_epoch],  # the book: 5, 15
    values=[0.01, 0.005, 0.001])
optimizer = tf.keras.optimizers.SGD(learning_rate=scheduled_learning_rate)
model = build_model()
model.compile(loss="sparse_categorical_crossentropy", optimizer=optimizer,
              metrics=["accuracy"])
history = model.fit(X_train, y_train, epochs=3,
                    validation_data=(X_valid, y_valid), shuffle=False)
history.history

# %% lr-sweep-book [keras-fails: keras.backend.get_value / set_value are gone in Keras 3]
K = tf.keras.backend


class ExponentialLearningRate(tf.keras.callbacks.Callback):
    def __init__(self, factor):
        self.factor = factor
        self.rates = []
        self.losses = []

    def on_epoch_begin(self, epoch, logs=None):
        self.sum_of_epoch_losses = 0

    def on_batch_end(self, batch, logs=None):
        mean_epoch_loss = logs["loss"]  # the epoch's mean loss so far
        new_sum_of_epoch_losses = mean_epoch_loss * (batch + 1)
        batch_loss = new_sum_of_epoch_losses - self.sum_of_epoch_losses
        self.sum_of_epoch_losses = new_sum_of_epoch_losses
        self.rates.append(K.get_value(self.model.optimizer.learning_rate))
        self.losses.append(batch_loss)
        K.set_value(self.model.optimizer.learning_rate,
                    self.model.optimizer.learning_rate * self.factor)


model = build_model()
model.compile(loss="sparse_categorical_crossentropy",
              optimizer=tf.keras.optimizers.SGD(learning_rate=1e-4), metrics=["accuracy"])
exp_lr = ExponentialLearningRate(1.1)
model.fit(X_train[:320], y_train[:320], epochs=1, shuffle=False, callbacks=[exp_lr])

# %% lr-sweep
class ExponentialLearningRate(tf.keras.callbacks.Callback):
    def __init__(self, factor):
        self.factor = factor
        self.rates = []
        self.losses = []

    def on_epoch_begin(self, epoch, logs=None):
        self.sum_of_epoch_losses = 0

    def on_batch_end(self, batch, logs=None):
        mean_epoch_loss = logs["loss"]  # the epoch's mean loss so far
        new_sum_of_epoch_losses = mean_epoch_loss * (batch + 1)
        batch_loss = new_sum_of_epoch_losses - self.sum_of_epoch_losses
        self.sum_of_epoch_losses = new_sum_of_epoch_losses
        lr = self.model.optimizer.learning_rate.numpy()
        self.rates.append(lr)
        self.losses.append(batch_loss)
        self.model.optimizer.learning_rate = lr * self.factor


def find_learning_rate(model, X, y, epochs=1, batch_size=32, min_rate=1e-4,
                       max_rate=1):
    init_weights = model.get_weights()
    iterations = math.ceil(len(X) / batch_size) * epochs
    factor = (max_rate / min_rate) ** (1 / iterations)
    init_lr = model.optimizer.learning_rate.numpy()
    model.optimizer.learning_rate = min_rate
    exp_lr = ExponentialLearningRate(factor)
    history = model.fit(X, y, epochs=epochs, batch_size=batch_size,
                        callbacks=[exp_lr], shuffle=False)
    model.optimizer.learning_rate = init_lr
    model.set_weights(init_weights)
    return exp_lr.rates, exp_lr.losses


model = build_model()
model.compile(loss="sparse_categorical_crossentropy",
              optimizer=tf.keras.optimizers.SGD(learning_rate=0.001),
              metrics=["accuracy"])
batch_size = 128
rates, losses = find_learning_rate(model, X_train, y_train, epochs=1,
                                   batch_size=batch_size)
len(rates), rates, losses

# %% lr-sweep-restored
# find_learning_rate put the learning rate and the weights back
float(model.optimizer.learning_rate), model.evaluate(X_valid, y_valid)

# %% one-cycle
class OneCycleScheduler(tf.keras.callbacks.Callback):
    def __init__(self, iterations, max_lr=1e-3, start_lr=None,
                 last_iterations=None, last_lr=None):
        self.iterations = iterations
        self.max_lr = max_lr
        self.start_lr = start_lr or max_lr / 10
        self.last_iterations = last_iterations or iterations // 10 + 1
        self.half_iteration = (iterations - self.last_iterations) // 2
        self.last_lr = last_lr or self.start_lr / 1000
        self.iteration = 0

    def _interpolate(self, iter1, iter2, lr1, lr2):
        return (lr2 - lr1) * (self.iteration - iter1) / (iter2 - iter1) + lr1

    def on_batch_begin(self, batch, logs):
        if self.iteration < self.half_iteration:
            lr = self._interpolate(0, self.half_iteration, self.start_lr,
                                   self.max_lr)
        elif self.iteration < 2 * self.half_iteration:
            lr = self._interpolate(self.half_iteration, 2 * self.half_iteration,
                                   self.max_lr, self.start_lr)
        else:
            lr = self._interpolate(2 * self.half_iteration, self.iterations,
                                   self.start_lr, self.last_lr)
        self.iteration += 1
        self.model.optimizer.learning_rate = lr


model = build_model()
model.compile(loss="sparse_categorical_crossentropy",
              optimizer=tf.keras.optimizers.SGD(),
              metrics=["accuracy"])
n_epochs = 2
onecycle = OneCycleScheduler(math.ceil(len(X_train) / batch_size) * n_epochs,
                             max_lr=0.1)
history = model.fit(X_train, y_train, epochs=n_epochs, batch_size=batch_size,
                    validation_data=(X_valid, y_valid), shuffle=False,
                    callbacks=[onecycle])
history.history, float(model.optimizer.learning_rate)
