"""Deep Learning with Python (Chollet, 2nd ed.; Korean: 케라스 창시자에게 배우는 딥러닝),
chapter 4, "Getting started with neural networks: classification and regression": IMDB
reviews (binary, multi-hot vectors from ``vectorize_sequences``, float64 as NumPy makes
them), Reuters newswires (46 topics, ``to_categorical`` and the sparse variant, the random
baseline, ``predict``), Boston housing (feature-wise normalization, K-fold validation with
``build_model``, per-epoch MAE histories). The datasets are stand-ins of the same form (the
corpus has no network); weights are seeded and fits unshuffled, with fewer epochs and a
smaller vocabulary than the book's."""

# %% imdb-load
import numpy as np
from _corpus import boston_housing_stand_in, imdb_stand_in, reuters_stand_in, set_seeded_weights
from tensorflow import keras
from tensorflow.keras import layers

# the book: from tensorflow.keras.datasets import imdb; imdb.load_data(num_words=10000)
(train_data, train_labels), (test_data, test_labels) = imdb_stand_in(num_words=2000)
train_data[0][:10], train_labels[0], max([max(sequence) for sequence in train_data])

# %% imdb-vectorize
def vectorize_sequences(sequences, dimension=2000):  # the book: 10000
    results = np.zeros((len(sequences), dimension))
    for i, sequence in enumerate(sequences):
        for j in sequence:
            results[i, j] = 1.
    return results

x_train = vectorize_sequences(train_data)
x_test = vectorize_sequences(test_data)
y_train = np.asarray(train_labels).astype("float32")
y_test = np.asarray(test_labels).astype("float32")
x_train[0], x_train.dtype

# %% imdb-model
model = keras.Sequential([
    layers.Dense(16, activation="relu"),
    layers.Dense(16, activation="relu"),
    layers.Dense(1, activation="sigmoid")
])
model.build((None, 2000))  # built here so the weights can be seeded
set_seeded_weights(model)
model.compile(optimizer="rmsprop",
              loss="binary_crossentropy",
              metrics=["accuracy"])

# %% imdb-fit
x_val = x_train[:100]
partial_x_train = x_train[100:]
y_val = y_train[:100]
partial_y_train = y_train[100:]
history = model.fit(partial_x_train,
                    partial_y_train,
                    epochs=8,
                    batch_size=64,
                    validation_data=(x_val, y_val),
                    shuffle=False)

# %% imdb-history
history_dict = history.history
sorted(history_dict.keys()), history_dict["val_loss"], history_dict["accuracy"]

# %% imdb-retrain
model = keras.Sequential([
    layers.Dense(16, activation="relu"),
    layers.Dense(16, activation="relu"),
    layers.Dense(1, activation="sigmoid")
])
model.build((None, 2000))
set_seeded_weights(model)
model.compile(optimizer="rmsprop",
              loss="binary_crossentropy",
              metrics=["accuracy"])
model.fit(x_train, y_train, epochs=4, batch_size=64, shuffle=False, verbose=0)
results = model.evaluate(x_test, y_test)
results

# %% imdb-predict
model.predict(x_test)[:5]

# %% reuters-load
(train_data, train_labels), (test_data, test_labels) = reuters_stand_in(num_words=2000)
len(train_data), len(test_data), train_labels[10]

# %% reuters-encode
x_train = vectorize_sequences(train_data)
x_test = vectorize_sequences(test_data)

def to_one_hot(labels, dimension=46):
    results = np.zeros((len(labels), dimension))
    for i, label in enumerate(labels):
        results[i, label] = 1.
    return results

y_train = to_one_hot(train_labels)
y_test = to_one_hot(test_labels)

from tensorflow.keras.utils import to_categorical

y_train = to_categorical(train_labels)
y_test = to_categorical(test_labels)
y_train.shape, y_train.dtype

# %% reuters-model
model = keras.Sequential([
    layers.Dense(64, activation="relu"),
    layers.Dense(64, activation="relu"),
    layers.Dense(46, activation="softmax")
])
model.build((None, 2000))
set_seeded_weights(model)
model.compile(optimizer="rmsprop",
              loss="categorical_crossentropy",
              metrics=["accuracy"])

# %% reuters-fit
x_val = x_train[:100]
partial_x_train = x_train[100:]
y_val = y_train[:100]
partial_y_train = y_train[100:]
history = model.fit(partial_x_train,
                    partial_y_train,
                    epochs=6,
                    batch_size=128,
                    validation_data=(x_val, y_val),
                    shuffle=False)
history.history["val_accuracy"]

# %% reuters-evaluate
results = model.evaluate(x_test, y_test)
results

# %% reuters-random-baseline
import copy

test_labels_copy = copy.copy(test_labels)
np.random.shuffle(test_labels_copy)
hits_array = np.array(test_labels) == np.array(test_labels_copy)
float(hits_array.mean()) < 0.5

# %% reuters-predict
predictions = model.predict(x_test)
predictions[0].shape, np.sum(predictions[0]), np.argmax(predictions[0])

# %% reuters-sparse
y_train = np.array(train_labels)
y_test = np.array(test_labels)
model = keras.Sequential([
    layers.Dense(64, activation="relu"),
    layers.Dense(64, activation="relu"),
    layers.Dense(46, activation="softmax")
])
model.build((None, 2000))
set_seeded_weights(model)
model.compile(optimizer="rmsprop",
              loss="sparse_categorical_crossentropy",
              metrics=["accuracy"])
model.fit(x_train, y_train, epochs=3, batch_size=128, shuffle=False, verbose=0)
model.evaluate(x_test, y_test, verbose=0)

# %% boston-load
(train_data, train_targets), (test_data, test_targets) = boston_housing_stand_in()
train_data.shape, test_data.shape, train_targets[:5]

# %% boston-normalize
mean = train_data.mean(axis=0)
train_data -= mean
std = train_data.std(axis=0)
train_data /= std
test_data -= mean
test_data /= std

# %% boston-build-model
def build_model():
    model = keras.Sequential([
        layers.Dense(64, activation="relu"),
        layers.Dense(64, activation="relu"),
        layers.Dense(1)
    ])
    model.build((None, 13))
    set_seeded_weights(model)
    model.compile(optimizer="rmsprop", loss="mse", metrics=["mae"])
    return model

# %% boston-k-fold [rtol=1e-4]
k = 4
num_val_samples = len(train_data) // k
num_epochs = 10  # the book: 100, then 500
all_scores = []
all_mae_histories = []
for i in range(k):
    print(f"Processing fold #{i}")
    val_data = train_data[i * num_val_samples: (i + 1) * num_val_samples]
    val_targets = train_targets[i * num_val_samples: (i + 1) * num_val_samples]
    partial_train_data = np.concatenate(
        [train_data[:i * num_val_samples],
         train_data[(i + 1) * num_val_samples:]],
        axis=0)
    partial_train_targets = np.concatenate(
        [train_targets[:i * num_val_samples],
         train_targets[(i + 1) * num_val_samples:]],
        axis=0)
    model = build_model()
    history = model.fit(partial_train_data, partial_train_targets,
                        validation_data=(val_data, val_targets),
                        epochs=num_epochs, batch_size=16, verbose=0, shuffle=False)
    val_mse, val_mae = model.evaluate(val_data, val_targets, verbose=0)
    all_scores.append(val_mae)
    all_mae_histories.append(history.history["val_mae"])
all_scores, np.mean(all_scores)

# %% boston-average-history [rtol=1e-4]
average_mae_history = [
    np.mean([x[i] for x in all_mae_histories]) for i in range(num_epochs)]
average_mae_history

# %% boston-final [rtol=1e-4]
model = build_model()
model.fit(train_data, train_targets,
          epochs=12, batch_size=16, verbose=0, shuffle=False)
test_mse_score, test_mae_score = model.evaluate(test_data, test_targets)
test_mae_score

# %% boston-predict [rtol=1e-4]
predictions = model.predict(test_data)
predictions[0]
