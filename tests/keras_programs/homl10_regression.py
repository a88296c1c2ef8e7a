"""Hands-On Machine Learning (3rd ed.), ch. 10: "Building a Regression MLP Using the
Sequential API". California housing would be downloaded by scikit-learn: a synthetic
stand-in of the same shape (8 features) takes its place. Small data, 2 epochs,
shuffle=False, seeded starting weights."""

# %% load-data
import numpy as np
import tensorflow as tf
from _corpus import housing_stand_in, set_seeded_weights

# stand-in for fetch_california_housing() + train_test_split(...)
(X_train, y_train), (X_valid, y_valid), (X_test, y_test) = housing_stand_in()
X_train.shape, X_valid.shape, X_test.shape

# %% set-random-seed
tf.keras.utils.set_random_seed(42)

# %% model
norm_layer = tf.keras.layers.Normalization(input_shape=X_train.shape[1:])
model = tf.keras.Sequential([
    norm_layer,
    tf.keras.layers.Dense(50, activation="relu"),
    tf.keras.layers.Dense(50, activation="relu"),
    tf.keras.layers.Dense(50, activation="relu"),
    tf.keras.layers.Dense(1)
])
set_seeded_weights(model)

# %% summary
model.summary()

# %% compile
optimizer = tf.keras.optimizers.Adam(learning_rate=1e-3)
model.compile(loss="mse", optimizer=optimizer, metrics=["RootMeanSquaredError"])

# %% adapt
norm_layer.adapt(X_train)
[w for w in norm_layer.get_weights()]

# %% fit
history = model.fit(X_train, y_train, epochs=2,
                    validation_data=(X_valid, y_valid), shuffle=False)
history.history

# %% evaluate
mse_test, rmse_test = model.evaluate(X_test, y_test)
mse_test, rmse_test

# %% predict
X_new = X_test[:3]
y_pred = model.predict(X_new)
y_pred
