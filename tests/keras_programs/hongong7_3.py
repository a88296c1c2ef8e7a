"""혼자 공부하는 머신러닝+딥러닝, 7-3 "신경망 모델 훈련": model_fn, history (verbose=0),
validation loss, Dropout, saving (save_weights / save / load_weights / load_model),
ModelCheckpoint and EarlyStopping. Small slices instead of train_test_split, seeded
weights, fewer epochs, shuffle=False. Dropout masks are random and differ between the
libraries: steps that train with dropout are compared loosely (rtol/atol)."""

# %% load-data
import numpy as np
from _corpus import set_seeded_weights
from tensorflow import keras

(train_input, train_target), (test_input, test_target) = \
    keras.datasets.fashion_mnist.load_data()
# corpus: a small slice (the first 2,000 images) before the book's scaling
train_input, train_target = train_input[:2000], train_target[:2000]
train_scaled = train_input / 255.0
# stand-in for train_test_split(test_size=0.2, random_state=42), on a small slice
train_scaled, val_scaled = train_scaled[:1600], train_scaled[1600:2000]
train_target, val_target = train_target[:1600], train_target[1600:2000]

# %% model-fn
def model_fn(a_layer=None):
    model = keras.Sequential()
    model.add(keras.layers.Flatten(input_shape=(28, 28)))
    model.add(keras.layers.Dense(100, activation='relu'))
    if a_layer:
        model.add(a_layer)
    model.add(keras.layers.Dense(10, activation='softmax'))
    return model


model = model_fn()
model.summary()

# %% history-keys
# corpus: 2 epochs (the book: 5); RMSprop on this ReLU network moves by ~1e-3 in real Keras
# itself under float32 rounding: the numbers below are compared with that tolerance
set_seeded_weights(model)
model.compile(loss='sparse_categorical_crossentropy', metrics=['accuracy'])
history = model.fit(train_scaled, train_target, epochs=2, verbose=0, shuffle=False)
print(history.history.keys())

# %% loss-curve [rtol=0.005; atol=0.01]
# the book plots these
history.history['loss'], history.history['accuracy']

# %% validation-loss [rtol=0.005; atol=0.01]
model = model_fn()
set_seeded_weights(model)
model.compile(loss='sparse_categorical_crossentropy', metrics=['accuracy'])
history = model.fit(train_scaled, train_target, epochs=2, verbose=0,
                    validation_data=(val_scaled, val_target), shuffle=False)
print(history.history.keys())
history.history

# %% adam-validation
model = model_fn()
set_seeded_weights(model)
model.compile(optimizer='adam', loss='sparse_categorical_crossentropy',
              metrics=['accuracy'])
history = model.fit(train_scaled, train_target, epochs=5, verbose=0,
                    validation_data=(val_scaled, val_target), shuffle=False)
history.history

# %% set-random-seed
keras.utils.set_random_seed(42)

# %% dropout-summary
model = model_fn(keras.layers.Dropout(0.3))
model.summary()

# %% dropout-fit [rtol=0.1; atol=0.03]
set_seeded_weights(model)
model.compile(optimizer='adam', loss='sparse_categorical_crossentropy',
              metrics=['accuracy'])
history = model.fit(train_scaled, train_target, epochs=5, verbose=0,
                    validation_data=(val_scaled, val_target), shuffle=False)
history.history

# %% save-weights-h5 [keras-fails: Keras 3 saves weights only to .weights.h5 files]
model.save_weights('model-weights.h5')

# %% save-whole-h5
# the first edition's file name: Keras 3 still writes the legacy HDF5 format
model.save('model-whole.h5')

# %% save-weights
model.save_weights('model.weights.h5')

# %% save-whole
model.save('model-whole.keras')

# %% files
import os

sorted(name for name in os.listdir('.') if name.startswith('model'))

# %% load-weights
trained = model  # corpus: kept to compare with
model = model_fn(keras.layers.Dropout(0.3))
model.load_weights('model.weights.h5')
np.array_equal(model.predict(val_scaled[:5]), trained.predict(val_scaled[:5]))

# %% load-weights-accuracy [rtol=0.1; atol=0.03]
val_labels = np.argmax(model.predict(val_scaled), axis=-1)
print(np.mean(val_labels == val_target))

# %% load-model [rtol=0.1; atol=0.03]
model = None  # corpus: as in a new session, only the file is left
model = keras.models.load_model('model-whole.keras')
model.evaluate(val_scaled, val_target)

# %% load-model-same-predictions
np.array_equal(model.predict(val_scaled[:5]), trained.predict(val_scaled[:5]))

# %% checkpoint [rtol=0.1; atol=0.03]
model = model_fn(keras.layers.Dropout(0.3))
set_seeded_weights(model)
model.compile(optimizer='adam', loss='sparse_categorical_crossentropy',
              metrics=['accuracy'])
checkpoint_cb = keras.callbacks.ModelCheckpoint('best-model.keras',
                                                save_best_only=True)
model.fit(train_scaled, train_target, epochs=4, verbose=0,
          validation_data=(val_scaled, val_target),
          callbacks=[checkpoint_cb], shuffle=False)
model = keras.models.load_model('best-model.keras')
model.evaluate(val_scaled, val_target)

# %% early-stopping [noprint; rtol=0.1; atol=0.03]
model = model_fn(keras.layers.Dropout(0.3))
set_seeded_weights(model)
model.compile(optimizer='adam', loss='sparse_categorical_crossentropy',
              metrics=['accuracy'])
checkpoint_cb = keras.callbacks.ModelCheckpoint('best-model.keras',
                                                save_best_only=True)
early_stopping_cb = keras.callbacks.EarlyStopping(patience=2,
                                                  restore_best_weights=True)
history = model.fit(train_scaled, train_target, epochs=20, verbose=0,
                    validation_data=(val_scaled, val_target), shuffle=False,
                    callbacks=[checkpoint_cb, early_stopping_cb])
print(early_stopping_cb.stopped_epoch)
# the epoch it stops at depends on the dropout masks: only that it stopped early is compared
sorted(history.history), 0 < early_stopping_cb.stopped_epoch < 19

# %% early-stopping-evaluate [rtol=0.1; atol=0.03]
model.evaluate(val_scaled, val_target)
