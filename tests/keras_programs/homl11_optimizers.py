"""Hands-On Machine Learning (3rd ed.), ch. 11: "Faster Optimizers": the notebook's
build_model / build_and_train_model with every optimizer of the chapter, from seeded
weights (the notebook seeds TensorFlow's generator instead), 2 epochs on small slices,
shuffle=False. The book's AdamW lives in tf.keras.optimizers.experimental (TF 2.11): Keras 3
has it as keras.optimizers.AdamW. The last steps (not from the book) check the defaults."""

# %% load-data
import numpy as np
import tensorflow as tf
from _corpus import set_seeded_weights

(X_train_full, y_train_full), (X_test, y_test) = tf.keras.datasets.fashion_mnist.load_data()
X_train, y_train = X_train_full[:500] / 255., y_train_full[:500]
X_valid, y_valid = X_train_full[-300:] / 255., y_train_full[-300:]


def build_model(seed=42):
    model = tf.keras.Sequential([
        tf.keras.layers.Flatten(input_shape=[28, 28]),
        tf.keras.layers.Dense(100, activation="relu", kernel_initializer="he_normal"),
        tf.keras.layers.Dense(100, activation="relu", kernel_initializer="he_normal"),
        tf.keras.layers.Dense(100, activation="relu", kernel_initializer="he_normal"),
        tf.keras.layers.Dense(10, activation="softmax")
    ])
    set_seeded_weights(model, seed)
    return model


def build_and_train_model(optimizer):
    model = build_model()
    model.compile(loss="sparse_categorical_crossentropy", optimizer=optimizer,
                  metrics=["accuracy"])
    return model.fit(X_train, y_train, epochs=2, validation_data=(X_valid, y_valid),
                     shuffle=False)


# %% sgd
optimizer = tf.keras.optimizers.SGD(learning_rate=0.001)
history_sgd = build_and_train_model(optimizer)
history_sgd.history

# %% momentum
optimizer = tf.keras.optimizers.SGD(learning_rate=0.001, momentum=0.9)
history_momentum = build_and_train_model(optimizer)
history_momentum.history

# %% nesterov
optimizer = tf.keras.optimizers.SGD(learning_rate=0.001, momentum=0.9,
                                    nesterov=True)
history_nesterov = build_and_train_model(optimizer)
history_nesterov.history

# %% adagrad
optimizer = tf.keras.optimizers.Adagrad(learning_rate=0.001)
history_adagrad = build_and_train_model(optimizer)
history_adagrad.history

# %% rmsprop [rtol=0.003; atol=0.01]
# (with RMSprop, real Keras itself moves by ~2e-4 under float32 rounding)
optimizer = tf.keras.optimizers.RMSprop(learning_rate=0.001, rho=0.9)
history_rmsprop = build_and_train_model(optimizer)
history_rmsprop.history

# %% adam
optimizer = tf.keras.optimizers.Adam(learning_rate=0.001, beta_1=0.9,
                                     beta_2=0.999)
history_adam = build_and_train_model(optimizer)
history_adam.history

# %% adamax
optimizer = tf.keras.optimizers.Adamax(learning_rate=0.001, beta_1=0.9,
                                       beta_2=0.999)
history_adamax = build_and_train_model(optimizer)
history_adamax.history

# %% nadam
optimizer = tf.keras.optimizers.Nadam(learning_rate=0.001, beta_1=0.9,
                                      beta_2=0.999)
history_nadam = build_and_train_model(optimizer)
history_nadam.history

# %% adamw-experimental [keras-fails: keras.optimizers.experimental is TensorFlow 2.11's; Keras 3 has keras.optimizers.AdamW]
optimizer = tf.keras.optimizers.experimental.AdamW(weight_decay=1e-5,
                                                   learning_rate=0.001,
                                                   beta_1=0.9, beta_2=0.999)

# %% adamw
optimizer = tf.keras.optimizers.AdamW(weight_decay=1e-5, learning_rate=0.001,
                                      beta_1=0.9, beta_2=0.999)
history_adamw = build_and_train_model(optimizer)
history_adamw.history

# %% adamw-strong-decay
# not from the book: a decay large enough to show where it is applied
optimizer = tf.keras.optimizers.AdamW(weight_decay=0.2, learning_rate=0.001)
build_and_train_model(optimizer).history

# %% default-hyperparameters
# not from the book: Keras' defaults
sgd, adagrad, rmsprop = (tf.keras.optimizers.SGD(), tf.keras.optimizers.Adagrad(),
                         tf.keras.optimizers.RMSprop())
adam, adamax, nadam, adamw = (tf.keras.optimizers.Adam(), tf.keras.optimizers.Adamax(),
                              tf.keras.optimizers.Nadam(), tf.keras.optimizers.AdamW())
{
    "SGD": (float(sgd.learning_rate), sgd.momentum, sgd.nesterov),
    "Adagrad": (float(adagrad.learning_rate), adagrad.initial_accumulator_value,
                adagrad.epsilon),
    "RMSprop": (float(rmsprop.learning_rate), rmsprop.rho, rmsprop.momentum,
                rmsprop.epsilon, rmsprop.centered),
    "Adam": (float(adam.learning_rate), adam.beta_1, adam.beta_2, adam.epsilon,
             adam.amsgrad),
    "Adamax": (float(adamax.learning_rate), adamax.beta_1, adamax.beta_2, adamax.epsilon),
    "Nadam": (float(nadam.learning_rate), nadam.beta_1, nadam.beta_2, nadam.epsilon),
    "AdamW": (float(adamw.learning_rate), adamw.weight_decay, adamw.beta_1, adamw.beta_2,
              adamw.epsilon),
}

# %% update-rules
# not from the book: each update rule step for step, where float32 rounding cannot move the
# result (one Dense layer, mean squared error, the whole batch, 10 steps)
rng = np.random.default_rng(0)
X_small = rng.normal(size=(64, 4))
y_small = X_small @ np.array([[1.0], [-2.0], [0.5], [3.0]]) + 1.0


def train_small(optimizer):
    model = tf.keras.Sequential([tf.keras.layers.Input(shape=[4]), tf.keras.layers.Dense(1)])
    set_seeded_weights(model)
    model.compile(loss="mse", optimizer=optimizer)
    history = model.fit(X_small, y_small, batch_size=64, epochs=10, shuffle=False, verbose=0)
    return history.history["loss"], model.get_weights()


{
    "SGD": train_small(tf.keras.optimizers.SGD(learning_rate=0.01)),
    "momentum": train_small(tf.keras.optimizers.SGD(learning_rate=0.01, momentum=0.9)),
    "nesterov": train_small(tf.keras.optimizers.SGD(learning_rate=0.01, momentum=0.9,
                                                    nesterov=True)),
    "Adagrad": train_small(tf.keras.optimizers.Adagrad(learning_rate=0.1)),
    "RMSprop": train_small(tf.keras.optimizers.RMSprop(learning_rate=0.01)),
    "RMSprop-centered": train_small(tf.keras.optimizers.RMSprop(learning_rate=0.01,
                                                                momentum=0.5, centered=True)),
    "Adam": train_small(tf.keras.optimizers.Adam(learning_rate=0.01)),
    "Adam-amsgrad": train_small(tf.keras.optimizers.Adam(learning_rate=0.01, amsgrad=True)),
    "Adamax": train_small(tf.keras.optimizers.Adamax(learning_rate=0.01)),
    "Nadam": train_small(tf.keras.optimizers.Nadam(learning_rate=0.01)),
    "AdamW": train_small(tf.keras.optimizers.AdamW(learning_rate=0.01, weight_decay=0.1)),
}

# %% update-rules-defaults
# not from the book: the same with each optimizer's default hyper-parameters
{name: train_small(getattr(tf.keras.optimizers, name)())
 for name in ["SGD", "Adagrad", "RMSprop", "Adam", "Adamax", "Nadam", "AdamW"]}

# %% string-optimizers
# not from the book: compile(optimizer="name") gives the class with its defaults
learning_rates = {}
for name in ["sgd", "adagrad", "rmsprop", "adam", "adamax", "nadam", "adamw"]:
    model = build_model()
    model.compile(loss="sparse_categorical_crossentropy", optimizer=name)
    learning_rates[name] = (type(model.optimizer).__name__,
                            float(model.optimizer.learning_rate))
learning_rates

# %% reused-optimizer
# not from the book: Keras refuses an optimizer already used for another model
optimizer = tf.keras.optimizers.Adam()
first = build_model()
first.compile(loss="sparse_categorical_crossentropy", optimizer=optimizer)
first.fit(X_train[:64], y_train[:64], epochs=1, shuffle=False, verbose=0)
second = build_model()
second.compile(loss="sparse_categorical_crossentropy", optimizer=optimizer)
try:
    second.fit(X_train[:64], y_train[:64], epochs=1, shuffle=False, verbose=0)
    outcome = "trained"
except ValueError:
    outcome = "refused"
outcome
