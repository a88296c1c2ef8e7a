"""Kaggle Learn, Intro to Deep Learning, lessons 5 ("Dropout and Batch Normalization") and
6 ("Binary Classification"): Dropout + BatchNormalization on the red-wine stand-in, the
exercise's BatchNormalization as the first layer, and the ionosphere classifier with
sigmoid, binary_crossentropy and binary_accuracy. The CSVs are replaced by synthetic
stand-ins of the same shapes. Seeded weights, fewer epochs, shuffle=False; steps that
train with dropout are compared loosely."""

# %% load-data
import numpy as np
from _corpus import ionosphere_stand_in, set_seeded_weights, wine_stand_in
from tensorflow import keras
from tensorflow.keras import layers

(X_train, y_train), (X_valid, y_valid) = wine_stand_in()

# %% set-random-seed
keras.utils.set_random_seed(0)

# %% dropout-batchnorm-model
model = keras.Sequential([
    layers.Dense(1024, activation='relu', input_shape=[11]),
    layers.Dropout(0.3),
    layers.BatchNormalization(),
    layers.Dense(1024, activation='relu'),
    layers.Dropout(0.3),
    layers.BatchNormalization(),
    layers.Dense(1024, activation='relu'),
    layers.Dropout(0.3),
    layers.BatchNormalization(),
    layers.Dense(1),
])
set_seeded_weights(model)
model.compile(
    optimizer='adam',
    loss='mae',
)
# not from the lesson: before training, inference gives the same numbers
model.evaluate(X_valid, y_valid, verbose=0)

# %% dropout-batchnorm-fit [compare=structure]
# (early in training, dropout + batch norm losses depend on the random masks: keys and lengths)
history = model.fit(
    X_train, y_train,
    validation_data=(X_valid, y_valid),
    batch_size=256,
    epochs=5,  # the lesson: 100
    verbose=0,
    shuffle=False,
)
history.history

# %% batchnorm-first
input_shape = [11]
model = keras.Sequential([
    layers.BatchNormalization(input_shape=input_shape),
    layers.Dense(512, activation='relu'),
    layers.BatchNormalization(),
    layers.Dense(512, activation='relu'),
    layers.BatchNormalization(),
    layers.Dense(512, activation='relu'),
    layers.BatchNormalization(),
    layers.Dense(1),
])
set_seeded_weights(model)
model.compile(
    optimizer='sgd',
    loss='mae',
    metrics=['mae'],
)
history = model.fit(
    X_train, y_train,
    validation_data=(X_valid, y_valid),
    batch_size=64,
    epochs=5,  # the exercise: 100
    verbose=0,
    shuffle=False,
)
history.history

# %% ionosphere-data
(X_train, y_train), (X_valid, y_valid) = ionosphere_stand_in()
X_train.shape, y_train.mean()

# %% binary-model
model = keras.Sequential([
    layers.Dense(4, activation='relu', input_shape=[33]),
    layers.Dense(4, activation='relu'),
    layers.Dense(1, activation='sigmoid'),
])
set_seeded_weights(model)

# %% binary-compile
model.compile(
    optimizer='adam',
    loss='binary_crossentropy',
    metrics=['binary_accuracy'],
)

# %% binary-fit
early_stopping = keras.callbacks.EarlyStopping(
    patience=10,
    min_delta=0.001,
    restore_best_weights=True,
)
history = model.fit(
    X_train, y_train,
    validation_data=(X_valid, y_valid),
    batch_size=512,
    epochs=200,  # the lesson: 1000
    callbacks=[early_stopping],
    verbose=0,  # hide the output because we have so many epochs
    shuffle=False,
)

# %% binary-results
# the lesson: history_df = pd.DataFrame(history.history) and its plots
print(("Best Validation Loss: {:0.4f}" +
       "\nBest Validation Accuracy: {:0.4f}")
      .format(min(history.history['val_loss']),
              max(history.history['val_binary_accuracy'])))
sorted(history.history), len(history.history['loss'])

# %% binary-predict
model.predict(X_valid[:5])
