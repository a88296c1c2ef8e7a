"""혼자 공부하는 머신러닝+딥러닝, 7-1 "인공 신경망": Fashion-MNIST, a single Dense(10,
softmax) layer, compile / fit (5 epochs) / evaluate. scikit-learn's train_test_split is
replaced by slicing (no scikit-learn here), on a small slice. Seeded weights, shuffle=False.
The first edition's spellings that Keras 3 refuses are kept as steps (keras-fails)."""

# %% load-data
from tensorflow import keras

(train_input, train_target), (test_input, test_target) = \
    keras.datasets.fashion_mnist.load_data()
print(train_input.shape, train_target.shape)
print(test_input.shape, test_target.shape)

# %% labels
print([train_target[i] for i in range(10)])

# %% label-counts
import numpy as np

print(np.unique(train_target, return_counts=True))

# %% scale
# corpus: a small slice (the first 2,000 images) before the book's scaling
train_input, train_target = train_input[:2000], train_target[:2000]
train_scaled = train_input / 255.0
train_scaled = train_scaled.reshape(-1, 28*28)
print(train_scaled.shape)

# %% split
# stand-in for train_test_split(train_scaled, train_target, test_size=0.2, random_state=42)
train_scaled, val_scaled = train_scaled[:1600], train_scaled[1600:2000]
train_target, val_target = train_target[:1600], train_target[1600:2000]
print(train_scaled.shape, train_target.shape)
print(val_scaled.shape, val_target.shape)

# %% sequential-of-a-layer [keras-fails: Keras 3's Sequential wants a list of layers]
dense = keras.layers.Dense(10, activation='softmax', input_shape=(784,))
model = keras.Sequential(dense)

# %% dense
from _corpus import set_seeded_weights

dense = keras.layers.Dense(10, activation='softmax', input_shape=(784,))
model = keras.Sequential([dense])
set_seeded_weights(model)

# %% compile-metrics-string [keras-fails: Keras 3 wants metrics as a list]
model.compile(loss='sparse_categorical_crossentropy', metrics='accuracy')

# %% compile
model.compile(loss='sparse_categorical_crossentropy', metrics=['accuracy'])

# %% targets
print(train_target[:10])

# %% fit
history = model.fit(train_scaled, train_target, epochs=5, shuffle=False)
history.history

# %% evaluate
model.evaluate(val_scaled, val_target)
