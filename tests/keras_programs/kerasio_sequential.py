"""keras.io's guide "The Sequential model" (Keras 3): a Sequential model and the same
layers called in turn; ``layers``, ``add`` and ``pop``; ``name=``; a layer without
weights until its first call; a model built by its first call, then ``summary()``; an
``Input`` first (not among ``model.layers``) and ``summary()`` while adding layers;
feature extraction through ``model.inputs`` and each layer's ``output``; freezing all
layers but the last before training.

Changes from the guide: the convolutional stacks become Dense stacks on flat inputs
(xpgrad builds MLPs), the transfer-learning blueprint runs on synthetic data (the guide
shows it as text), and weights are seeded so both runs compute the same numbers."""

# %% setup
import numpy as np
import keras
from keras import layers
from keras import ops
from _corpus import set_seeded_weights

# %% sequential-vs-calls
model = keras.Sequential(
    [
        layers.Dense(2, activation="relu", name="layer1"),
        layers.Dense(3, activation="relu", name="layer2"),
        layers.Dense(4, name="layer3"),
    ]
)
x = ops.ones((3, 3))
y = model(x)
set_seeded_weights(model)
y = model(x)
layer1 = layers.Dense(2, activation="relu", name="layer1")
layer2 = layers.Dense(3, activation="relu", name="layer2")
layer3 = layers.Dense(4, name="layer3")
for layer in (layer1, layer2, layer3):
    layer.build((None, {layer1: 3, layer2: 2, layer3: 3}[layer]))
for mine, theirs in zip((layer1, layer2, layer3), model.layers):
    mine.set_weights(theirs.get_weights())
y2 = layer3(layer2(layer1(x)))
y, y2

# %% layers-add-pop
model = keras.Sequential(
    [
        layers.Dense(2, activation="relu"),
        layers.Dense(3, activation="relu"),
        layers.Dense(4),
    ]
)
print([type(layer).__name__ for layer in model.layers])
model = keras.Sequential()
model.add(layers.Dense(2, activation="relu"))
model.add(layers.Dense(3, activation="relu"))
model.add(layers.Dense(4))
model.pop()
print(len(model.layers))
model = keras.Sequential(name="my_sequential")
model.add(layers.Dense(2, activation="relu", name="layer1"))
model.add(layers.Dense(3, activation="relu", name="layer2"))
model.add(layers.Dense(4, name="layer3"))
model.name, [layer.name for layer in model.layers]

# %% weights-on-first-call
layer = layers.Dense(3)
print(len(layer.weights))
x = ops.ones((1, 4))
y = layer(x)
[tuple(w.shape) for w in layer.weights]

# %% built-by-first-call
model = keras.Sequential(
    [
        layers.Dense(2, activation="relu"),
        layers.Dense(3, activation="relu"),
        layers.Dense(4),
    ]
)
x = ops.ones((1, 4))
y = model(x)
print("Number of weights after calling the model:", len(model.weights))
model.summary()

# %% input-first
model = keras.Sequential()
model.add(keras.Input(shape=(4,)))
model.add(layers.Dense(2, activation="relu"))
model.summary()
[type(layer).__name__ for layer in model.layers]

# %% add-and-summary
model = keras.Sequential()
model.add(keras.Input(shape=(250,)))
model.add(layers.Dense(64, activation="relu"))
model.add(layers.Dense(32, activation="relu"))
model.summary()
model.add(layers.Dense(16, activation="relu"))
model.add(layers.Dense(10))
model.summary()
model.output_shape

# %% feature-extraction
initial_model = keras.Sequential(
    [
        keras.Input(shape=(250,)),
        layers.Dense(32, activation="relu"),
        layers.Dense(32, activation="relu", name="my_intermediate_layer"),
        layers.Dense(32, activation="relu"),
    ]
)
set_seeded_weights(initial_model)
feature_extractor = keras.Model(
    inputs=initial_model.inputs,
    outputs=[layer.output for layer in initial_model.layers],
)
x = ops.ones((1, 250))
features = feature_extractor(x)
one = keras.Model(
    inputs=initial_model.inputs,
    outputs=initial_model.get_layer(name="my_intermediate_layer").output,
)
len(features), [tuple(f.shape) for f in features], one(x)

# %% freeze-all-but-last
model = keras.Sequential([
    keras.Input(shape=(784,)),
    layers.Dense(32, activation="relu"),
    layers.Dense(32, activation="relu"),
    layers.Dense(32, activation="relu"),
    layers.Dense(10),
])
set_seeded_weights(model)
for layer in model.layers[:-1]:
    layer.trainable = False
model.compile(optimizer="adam",
              loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))
rng = np.random.default_rng(0)
x_train = rng.random((256, 784)).astype("float32")
y_train = rng.integers(0, 10, 256)
frozen = model.layers[0].get_weights()[0].copy()
history = model.fit(x_train, y_train, epochs=2, shuffle=False, verbose=0)
(history.history, len(model.trainable_weights), len(model.non_trainable_weights),
 bool(np.array_equal(frozen, model.layers[0].get_weights()[0])))
