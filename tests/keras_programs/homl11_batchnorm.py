"""Hands-On Machine Learning (3rd ed.), ch. 11: "Batch Normalization": BN after and before
the activation, its variables, training and inference. The steps marked "not from the book"
check that inference (predict, evaluate, a plain model(X)) uses the moving statistics and
leaves them alone. Small slices, 1 epoch (BatchNormalization makes longer runs sensitive to
float32 rounding, in real Keras too), shuffle=False, seeded weights."""

# %% load-data
import numpy as np
import tensorflow as tf
from _corpus import set_seeded_weights

(X_train_full, y_train_full), (X_test, y_test) = tf.keras.datasets.fashion_mnist.load_data()
X_train, y_train = X_train_full[:1000] / 255., y_train_full[:1000]
X_valid, y_valid = X_train_full[-300:] / 255., y_train_full[-300:]
X_test, y_test = X_test[:300] / 255., y_test[:300]

# %% bn-model
model = tf.keras.Sequential([
    tf.keras.layers.Flatten(input_shape=[28, 28]),
    tf.keras.layers.BatchNormalization(),
    tf.keras.layers.Dense(300, activation="relu",
                          kernel_initializer="he_normal"),
    tf.keras.layers.BatchNormalization(),
    tf.keras.layers.Dense(100, activation="relu",
                          kernel_initializer="he_normal"),
    tf.keras.layers.BatchNormalization(),
    tf.keras.layers.Dense(10, activation="softmax")
])
set_seeded_weights(model)

# %% summary
model.summary()

# %% bn-variables
[(var.name, var.trainable) for var in model.layers[1].variables]

# %% bn-weights-shapes
[w.shape for w in model.layers[1].get_weights()]

# %% bn-fit
model.compile(loss="sparse_categorical_crossentropy", optimizer="sgd",
              metrics=["accuracy"])
history = model.fit(X_train, y_train, epochs=1,
                    validation_data=(X_valid, y_valid), shuffle=False)
history.history

# %% moving-statistics
# not from the book: the moving mean and variance after training (Keras' momentum is 0.99)
moving_mean, moving_variance = model.layers[3].get_weights()[2:]
moving_mean[:5], moving_variance[:5]

# %% bn-evaluate
model.evaluate(X_test, y_test)

# %% call-after-fit
# not from the book: calling the model (no training argument) is inference, as predict
model(X_test[:3]), model.predict(X_test[:3])

# %% evaluate-after-call
# not from the book: the call left the moving statistics alone
model.evaluate(X_test, y_test)

# %% training-call
# not from the book: training=True normalises with the batch's own statistics
model(X_test[:5], training=True)

# %% bn-before-activation
model = tf.keras.Sequential([
    tf.keras.layers.Flatten(input_shape=[28, 28]),
    tf.keras.layers.Dense(300, kernel_initializer="he_normal", use_bias=False),
    tf.keras.layers.BatchNormalization(),
    tf.keras.layers.Activation("relu"),
    tf.keras.layers.Dense(100, kernel_initializer="he_normal", use_bias=False),
    tf.keras.layers.BatchNormalization(),
    tf.keras.layers.Activation("relu"),
    tf.keras.layers.Dense(10, activation="softmax")
])
set_seeded_weights(model)
model.summary()

# %% bn-before-activation-fit
model.compile(loss="sparse_categorical_crossentropy", optimizer="sgd",
              metrics=["accuracy"])
history = model.fit(X_train, y_train, epochs=1,
                    validation_data=(X_valid, y_valid), shuffle=False)
history.history, model.evaluate(X_test, y_test)

# %% bn-momentum-argument
# "you may need to tweak the momentum": the argument name and its effect
model = tf.keras.Sequential([
    tf.keras.layers.Flatten(input_shape=[28, 28]),
    tf.keras.layers.BatchNormalization(momentum=0.9, epsilon=0.001),
    tf.keras.layers.Dense(10, activation="softmax")
])
set_seeded_weights(model)
model.compile(loss="sparse_categorical_crossentropy", optimizer="sgd",
              metrics=["accuracy"])
history = model.fit(X_train, y_train, epochs=1, shuffle=False)
history.history, model.layers[1].get_weights()[2][300:305]
