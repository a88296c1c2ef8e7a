"""혼자 공부하는 머신러닝+딥러닝, 7-2 "심층 신경망": a sigmoid hidden layer (79,510
parameters), naming, model.add, Flatten + ReLU, and the optimizers ('sgd', SGD objects,
Adagrad, RMSprop, 'adam'). Small slices instead of train_test_split, seeded weights,
5 epochs, shuffle=False."""

# %% load-data
import numpy as np
from _corpus import set_seeded_weights
from tensorflow import keras

(train_input, train_target), (test_input, test_target) = \
    keras.datasets.fashion_mnist.load_data()
# corpus: a small slice (the first 2,000 images) before the book's scaling
train_input, train_target = train_input[:2000], train_target[:2000]
train_scaled = train_input / 255.0
train_scaled = train_scaled.reshape(-1, 28*28)
# stand-in for train_test_split(test_size=0.2, random_state=42), on a small slice
train_scaled, val_scaled = train_scaled[:1600], train_scaled[1600:2000]
train_target, val_target = train_target[:1600], train_target[1600:2000]

# %% two-layers
dense1 = keras.layers.Dense(100, activation='sigmoid', input_shape=(784,))
dense2 = keras.layers.Dense(10, activation='softmax')
model = keras.Sequential([dense1, dense2])

# %% summary
model.summary()

# %% named
model = keras.Sequential([
    keras.layers.Dense(100, activation='sigmoid', input_shape=(784,), name='hidden'),
    keras.layers.Dense(10, activation='softmax', name='output')
], name='패션 MNIST 모델')
model.summary()
model.name, [layer.name for layer in model.layers]

# %% add
model = keras.Sequential()
model.add(keras.layers.Dense(100, activation='sigmoid', input_shape=(784,)))
model.add(keras.layers.Dense(10, activation='softmax'))
model.summary()

# %% fit
set_seeded_weights(model)
model.compile(loss='sparse_categorical_crossentropy', metrics=['accuracy'])
history = model.fit(train_scaled, train_target, epochs=5, shuffle=False)
history.history

# %% flatten-relu
model = keras.Sequential()
model.add(keras.layers.Flatten(input_shape=(28, 28)))
model.add(keras.layers.Dense(100, activation='relu'))
model.add(keras.layers.Dense(10, activation='softmax'))
model.summary()

# %% reload-data
(train_input, train_target), (test_input, test_target) = \
    keras.datasets.fashion_mnist.load_data()
# corpus: a small slice (the first 2,000 images) before the book's scaling
train_input, train_target = train_input[:2000], train_target[:2000]
train_scaled = train_input / 255.0
train_scaled, val_scaled = train_scaled[:1600], train_scaled[1600:2000]
train_target, val_target = train_target[:1600], train_target[1600:2000]

# %% relu-fit [rtol=0.005; atol=0.01]
# corpus: 2 epochs (the book: 5); the default optimizer, RMSprop, on a ReLU network moves by
# ~1e-3 in real Keras itself under float32 rounding: hence the tolerance
set_seeded_weights(model)
model.compile(loss='sparse_categorical_crossentropy', metrics=['accuracy'])
history = model.fit(train_scaled, train_target, epochs=2, shuffle=False)
history.history

# %% relu-evaluate [rtol=0.005; atol=0.01]
model.evaluate(val_scaled, val_target)

# %% optimizer-sgd-string
model.compile(optimizer='sgd', loss='sparse_categorical_crossentropy', metrics=['accuracy'])

# %% optimizer-sgd-object
sgd = keras.optimizers.SGD()
model.compile(optimizer=sgd, loss='sparse_categorical_crossentropy', metrics=['accuracy'])

# %% sgd-learning-rate
sgd = keras.optimizers.SGD(learning_rate=0.1)

# %% sgd-nesterov
sgd = keras.optimizers.SGD(momentum=0.9, nesterov=True)

# %% adagrad
adagrad = keras.optimizers.Adagrad()
model.compile(optimizer=adagrad, loss='sparse_categorical_crossentropy',
              metrics=['accuracy'])

# %% rmsprop
rmsprop = keras.optimizers.RMSprop()
model.compile(optimizer=rmsprop, loss='sparse_categorical_crossentropy',
              metrics=['accuracy'])

# %% adam-model
model = keras.Sequential()
model.add(keras.layers.Flatten(input_shape=(28, 28)))
model.add(keras.layers.Dense(100, activation='relu'))
model.add(keras.layers.Dense(10, activation='softmax'))
set_seeded_weights(model)

# %% adam-fit
model.compile(optimizer='adam', loss='sparse_categorical_crossentropy', metrics=['accuracy'])
history = model.fit(train_scaled, train_target, epochs=5, shuffle=False)
history.history

# %% adam-evaluate
model.evaluate(val_scaled, val_target)
