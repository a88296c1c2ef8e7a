"""Hands-On Machine Learning (3rd ed.), ch. 10: "Using the Subclassing API to Build Dynamic
Models": the Wide & Deep model as a keras.Model subclass. California housing is replaced by
a synthetic stand-in. The model is called once on a batch so that its weights exist, then
they are set from the seed; 2 epochs, shuffle=False."""

# %% load-data
import numpy as np
import tensorflow as tf
from _corpus import housing_stand_in, set_seeded_weights

(X_train, y_train), (X_valid, y_valid), (X_test, y_test) = housing_stand_in()
X_train_wide, X_train_deep = X_train[:, :5], X_train[:, 2:]
X_valid_wide, X_valid_deep = X_valid[:, :5], X_valid[:, 2:]
X_test_wide, X_test_deep = X_test[:, :5], X_test[:, 2:]
X_new_wide, X_new_deep = X_test_wide[:3], X_test_deep[:3]

# %% set-random-seed
tf.keras.utils.set_random_seed(42)

# %% subclass
class WideAndDeepModel(tf.keras.Model):
    def __init__(self, units=30, activation="relu", **kwargs):
        super().__init__(**kwargs)  # needed to support naming the model
        self.norm_layer_wide = tf.keras.layers.Normalization()
        self.norm_layer_deep = tf.keras.layers.Normalization()
        self.hidden1 = tf.keras.layers.Dense(units, activation=activation)
        self.hidden2 = tf.keras.layers.Dense(units, activation=activation)
        self.main_output = tf.keras.layers.Dense(1)
        self.aux_output = tf.keras.layers.Dense(1)

    def call(self, inputs):
        input_wide, input_deep = inputs
        norm_wide = self.norm_layer_wide(input_wide)
        norm_deep = self.norm_layer_deep(input_deep)
        hidden1 = self.hidden1(norm_deep)
        hidden2 = self.hidden2(hidden1)
        concat = tf.keras.layers.concatenate([norm_wide, hidden2])
        output = self.main_output(concat)
        aux_output = self.aux_output(hidden2)
        return output, aux_output


model = WideAndDeepModel(30, activation="relu", name="my_cool_model")
model.name

# %% build-and-seed
# corpus: one call creates the weights, which then come from the seed
model.norm_layer_wide.adapt(X_train_wide)
model.norm_layer_deep.adapt(X_train_deep)
model((X_new_wide, X_new_deep))
set_seeded_weights(model)
[type(layer).__name__ for layer in model.layers], model.count_params()

# %% compile-book [keras-fails: Keras 3 wants a loss and a metric per output (Keras 2 spelling)]
optimizer = tf.keras.optimizers.Adam(learning_rate=1e-3)
model.compile(loss="mse", loss_weights=[0.9, 0.1], optimizer=optimizer,
              metrics=["RootMeanSquaredError"])
history = model.fit(
    (X_train_wide, X_train_deep), (y_train, y_train), epochs=2,
    validation_data=((X_valid_wide, X_valid_deep), (y_valid, y_valid)),
    shuffle=False)

# %% compile
# Keras 3: a loss and a metric per output; the weights start again from the seed
set_seeded_weights(model)
optimizer = tf.keras.optimizers.Adam(learning_rate=1e-3)
model.compile(loss=("mse", "mse"), loss_weights=[0.9, 0.1], optimizer=optimizer,
              metrics=["RootMeanSquaredError", "RootMeanSquaredError"])

# %% fit
history = model.fit(
    (X_train_wide, X_train_deep), (y_train, y_train), epochs=2,
    validation_data=((X_valid_wide, X_valid_deep), (y_valid, y_valid)),
    shuffle=False)
sorted(history.history)

# %% evaluate
eval_results = model.evaluate((X_test_wide, X_test_deep), (y_test, y_test))
eval_results

# %% predict
y_pred_main, y_pred_aux = model.predict((X_new_wide, X_new_deep))
y_pred_main, y_pred_aux
