"""Hands-On Machine Learning (3rd ed.), ch. 11: "Reusing Pretrained Layers": model A on 8
Fashion-MNIST classes, model B (T-shirt/top vs pullover) reusing A's layers, frozen and then
unfrozen. The book saves model A in the SavedModel format: here as my_model_A.keras. Small
slices, 2 epochs per stage, shuffle=False, seeded weights."""

# %% load-data
import numpy as np
import tensorflow as tf
from _corpus import set_seeded_weights

(X_train_full, y_train_full), (X_test, y_test) = tf.keras.datasets.fashion_mnist.load_data()
X_train, y_train = X_train_full[:3000] / 255., y_train_full[:3000]
X_valid, y_valid = X_train_full[-1000:] / 255., y_train_full[-1000:]
X_test, y_test = X_test[:1000] / 255., y_test[:1000]
class_names = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
               "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"]

# %% split
pos_class_id = class_names.index("Pullover")
neg_class_id = class_names.index("T-shirt/top")


def split_dataset(X, y):
    y_for_B = (y == pos_class_id) | (y == neg_class_id)
    y_A = y[~y_for_B]
    y_B = (y[y_for_B] == pos_class_id).astype(np.float32)
    old_class_ids = list(set(range(10)) - set([neg_class_id, pos_class_id]))
    for old_class_id, new_class_id in zip(old_class_ids, range(8)):
        y_A[y_A == old_class_id] = new_class_id  # reorder class ids for A
    return ((X[~y_for_B], y_A), (X[y_for_B], y_B))


(X_train_A, y_train_A), (X_train_B, y_train_B) = split_dataset(X_train, y_train)
(X_valid_A, y_valid_A), (X_valid_B, y_valid_B) = split_dataset(X_valid, y_valid)
(X_test_A, y_test_A), (X_test_B, y_test_B) = split_dataset(X_test, y_test)
X_train_B = X_train_B[:200]
y_train_B = y_train_B[:200]
len(X_train_A), len(X_train_B), len(X_valid_B), len(X_test_B)

# %% model-A
model_A = tf.keras.Sequential([
    tf.keras.layers.Flatten(input_shape=[28, 28]),
    tf.keras.layers.Dense(100, activation="relu",
                          kernel_initializer="he_normal"),
    tf.keras.layers.Dense(100, activation="relu",
                          kernel_initializer="he_normal"),
    tf.keras.layers.Dense(100, activation="relu",
                          kernel_initializer="he_normal"),
    tf.keras.layers.Dense(8, activation="softmax")
])
set_seeded_weights(model_A)
model_A.compile(loss="sparse_categorical_crossentropy",
                optimizer=tf.keras.optimizers.SGD(learning_rate=0.001),
                metrics=["accuracy"])
history = model_A.fit(X_train_A, y_train_A, epochs=2,
                      validation_data=(X_valid_A, y_valid_A), shuffle=False)
history.history

# %% save-A
model_A.save("my_model_A.keras")

# %% model-B
model_B = tf.keras.Sequential([
    tf.keras.layers.Flatten(input_shape=[28, 28]),
    tf.keras.layers.Dense(100, activation="relu", kernel_initializer="he_normal"),
    tf.keras.layers.Dense(100, activation="relu", kernel_initializer="he_normal"),
    tf.keras.layers.Dense(100, activation="relu", kernel_initializer="he_normal"),
    tf.keras.layers.Dense(1, activation="sigmoid")
])
set_seeded_weights(model_B, seed=43)
model_B.compile(loss="binary_crossentropy",
                optimizer=tf.keras.optimizers.SGD(learning_rate=0.001),
                metrics=["accuracy"])
history = model_B.fit(X_train_B, y_train_B, epochs=2,
                      validation_data=(X_valid_B, y_valid_B), shuffle=False)
history.history, model_B.evaluate(X_test_B, y_test_B)

# %% load-A
model_A = tf.keras.models.load_model("my_model_A.keras")
model_A.evaluate(X_test_A, y_test_A)

# %% reuse-layers
model_B_on_A = tf.keras.Sequential(model_A.layers[:-1])
model_B_on_A.add(tf.keras.layers.Dense(1, activation="sigmoid"))
model_B_on_A.predict(X_train_B[:1], verbose=0)  # corpus: builds the new head,
set_seeded_weights(model_B_on_A.layers[-1], seed=7)  # whose weights come from the seed
[type(layer).__name__ for layer in model_B_on_A.layers], model_B_on_A.count_params()

# %% clone
model_A_clone = tf.keras.models.clone_model(model_A)
model_A_clone.set_weights(model_A.get_weights())
[np.array_equal(a, b) for a, b in zip(model_A_clone.get_weights(), model_A.get_weights())]

# %% freeze
for layer in model_B_on_A.layers[:-1]:
    layer.trainable = False

optimizer = tf.keras.optimizers.SGD(learning_rate=0.001)
model_B_on_A.compile(loss="binary_crossentropy", optimizer=optimizer,
                     metrics=["accuracy"])

# %% frozen-summary
model_B_on_A.summary()

# %% frozen-fit
frozen_before = model_B_on_A.layers[1].get_weights()[0].copy()
history = model_B_on_A.fit(X_train_B, y_train_B, epochs=2,
                           validation_data=(X_valid_B, y_valid_B), shuffle=False)
history.history, np.array_equal(frozen_before, model_B_on_A.layers[1].get_weights()[0])

# %% unfreeze-fit
for layer in model_B_on_A.layers[:-1]:
    layer.trainable = True

optimizer = tf.keras.optimizers.SGD(learning_rate=0.001)
model_B_on_A.compile(loss="binary_crossentropy", optimizer=optimizer,
                     metrics=["accuracy"])
history = model_B_on_A.fit(X_train_B, y_train_B, epochs=2,
                           validation_data=(X_valid_B, y_valid_B), shuffle=False)
history.history

# %% evaluate-B-on-A
model_B_on_A.evaluate(X_test_B, y_test_B)

# %% model-A-changed
# not from the book: model_B_on_A shares its layers with model_A, so A changed too
model_A.evaluate(X_test_A, y_test_A), model_A_clone.evaluate(X_test_A, y_test_A)
