"""Kaggle Learn, Intro to Deep Learning, lessons 3 ("Stochastic Gradient Descent") and 4
("Overfitting and Underfitting"): the red-wine model with Adam and MAE, history as a
DataFrame (here: plain dicts, no pandas), EarlyStopping(min_delta, patience,
restore_best_weights). The wine CSV is replaced by a synthetic stand-in of the same shape.
Seeded weights, fewer epochs, shuffle=False."""

# %% load-data
import numpy as np
from _corpus import set_seeded_weights, wine_stand_in
from tensorflow import keras
from tensorflow.keras import layers

(X_train, y_train), (X_valid, y_valid) = wine_stand_in()
print(X_train.shape)

# %% model
model = keras.Sequential([
    layers.Dense(512, activation='relu', input_shape=[11]),
    layers.Dense(512, activation='relu'),
    layers.Dense(512, activation='relu'),
    layers.Dense(1),
])
set_seeded_weights(model)

# %% compile
model.compile(
    optimizer='adam',
    loss='mae',
)

# %% fit
history = model.fit(
    X_train, y_train,
    validation_data=(X_valid, y_valid),
    batch_size=256,
    epochs=10,
    shuffle=False,
)

# %% history
# the lesson: history_df = pd.DataFrame(history.history); history_df['loss'].plot()
history.history['loss']

# %% early-stopping-callback
from tensorflow.keras import callbacks

early_stopping = callbacks.EarlyStopping(
    min_delta=0.001,  # minimium amount of change to count as an improvement
    patience=5,  # how many epochs to wait before stopping (the lesson: 20)
    restore_best_weights=True,
)

# %% early-stopping-fit
model = keras.Sequential([
    layers.Dense(512, activation='relu', input_shape=[11]),
    layers.Dense(512, activation='relu'),
    layers.Dense(512, activation='relu'),
    layers.Dense(1),
])
set_seeded_weights(model)
model.compile(
    optimizer='adam',
    loss='mae',
)
history = model.fit(
    X_train, y_train,
    validation_data=(X_valid, y_valid),
    batch_size=256,
    epochs=60,  # the lesson: 500
    callbacks=[early_stopping],  # put your callbacks in a list
    verbose=0,  # turn off training log
    shuffle=False,
)
print("Minimum validation loss: {}".format(min(history.history['val_loss'])))
len(history.history['loss']), early_stopping.stopped_epoch

# %% restored-best
# restore_best_weights: the model is the one of the best epoch
model.evaluate(X_valid, y_valid, verbose=0), min(history.history['val_loss'])
