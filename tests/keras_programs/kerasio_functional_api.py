"""keras.io's guide "The Functional API" (Keras 3), its parts without convolutions and
recurrent layers: a first model, its summary, training and evaluation; saving and loading;
models called like layers (an encoder and a decoder chained into an autoencoder);
ensembling with ``layers.average``; a model of three inputs and two named outputs with
per-output losses and loss weights, as lists and as dicts; a shared layer; a custom
layer's ``get_config`` and ``keras.Model.from_config(config, custom_objects=...)``; a
custom recurrent layer written with Dense layers, ``ops.zeros``, slicing and
``ops.stack``, alone and in a functional model.

Changes from the guide: Fashion-MNIST's first 2,500 images stand in for MNIST; the
autoencoder is made of Dense layers; the ticket model's Embedding and LSTM layers become
Dense layers over bag-of-words vectors; the custom RNN's model starts with a Dense layer
where the guide has a Conv1D; weights are seeded, NumPy's random data too, fits do not
shuffle, and ``evaluate`` prints no progress line (its timings differ between runs)."""

# %% setup
import numpy as np
import keras
from keras import layers
from keras import ops
from _corpus import set_seeded_weights

np.random.seed(0)

# %% first-model
inputs = keras.Input(shape=(784,))
dense = layers.Dense(64, activation="relu")
x = dense(inputs)
x = layers.Dense(64, activation="relu")(x)
outputs = layers.Dense(10)(x)
model = keras.Model(inputs=inputs, outputs=outputs, name="mnist_model")
set_seeded_weights(model)
model.summary()
inputs.shape, inputs.dtype, outputs.shape

# %% train-evaluate
(x_train, y_train), (x_test, y_test) = keras.datasets.fashion_mnist.load_data()
x_train = x_train[:2000].reshape(2000, 784).astype("float32") / 255
x_test = x_test[:500].reshape(500, 784).astype("float32") / 255
y_train, y_test = y_train[:2000], y_test[:500]
model.compile(
    loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
    optimizer=keras.optimizers.RMSprop(),
    metrics=["accuracy"],
)
history = model.fit(x_train, y_train, batch_size=64, epochs=2, validation_split=0.2,
                    shuffle=False)
test_scores = model.evaluate(x_test, y_test, verbose=0)
print("Test loss:", test_scores[0])
print("Test accuracy:", test_scores[1])
history.history

# %% save-load
model.save("my_model.keras")
predictions = model.predict(x_test[:4], verbose=0)
del model
model = keras.models.load_model("my_model.keras")
model.predict(x_test[:4], verbose=0), predictions

# %% models-as-layers
encoder_input = keras.Input(shape=(784,), name="original_img")
x = layers.Dense(64, activation="relu")(encoder_input)
encoder_output = layers.Dense(16, activation="relu")(x)
encoder = keras.Model(encoder_input, encoder_output, name="encoder")
encoder.summary()
decoder_input = keras.Input(shape=(16,), name="encoded_img")
x = layers.Dense(64, activation="relu")(decoder_input)
decoder_output = layers.Dense(784, activation="sigmoid")(x)
decoder = keras.Model(decoder_input, decoder_output, name="decoder")
decoder.summary()
autoencoder_input = keras.Input(shape=(784,), name="img")
encoded_img = encoder(autoencoder_input)
decoded_img = decoder(encoded_img)
autoencoder = keras.Model(autoencoder_input, decoded_img, name="autoencoder")
autoencoder.summary()
set_seeded_weights(autoencoder)
autoencoder.predict(x_test[:2], verbose=0).sum(axis=1), [la.name for la in autoencoder.layers]

# %% ensembling
def get_model():
    inputs = keras.Input(shape=(128,))
    outputs = layers.Dense(1)(inputs)
    return keras.Model(inputs, outputs)

model1 = get_model()
model2 = get_model()
model3 = get_model()
inputs = keras.Input(shape=(128,))
y1 = model1(inputs)
y2 = model2(inputs)
y3 = model3(inputs)
outputs = layers.average([y1, y2, y3])
ensemble_model = keras.Model(inputs=inputs, outputs=outputs)
set_seeded_weights(ensemble_model)
data = np.random.random((3, 128)).astype("float32")
ensemble_model.predict(data, verbose=0), (model1.predict(data, verbose=0)
                                          + model2.predict(data, verbose=0)
                                          + model3.predict(data, verbose=0)) / 3

# %% several-inputs-and-outputs
num_tags = 12
num_words = 100
num_departments = 4
title_input = keras.Input(shape=(num_words,), name="title")
body_input = keras.Input(shape=(num_words,), name="body")
tags_input = keras.Input(shape=(num_tags,), name="tags")
title_features = layers.Dense(16, activation="relu")(title_input)
body_features = layers.Dense(8, activation="relu")(body_input)
x = layers.concatenate([title_features, body_features, tags_input])
priority_pred = layers.Dense(1, name="priority")(x)
department_pred = layers.Dense(num_departments, name="department")(x)
model = keras.Model(
    inputs=[title_input, body_input, tags_input],
    outputs={"priority": priority_pred, "department": department_pred},
)
set_seeded_weights(model)
model.compile(
    optimizer=keras.optimizers.RMSprop(1e-3),
    loss=[
        keras.losses.BinaryCrossentropy(from_logits=True),
        keras.losses.CategoricalCrossentropy(from_logits=True),
    ],
    loss_weights=[1.0, 0.2],
)
model.compile(
    optimizer=keras.optimizers.RMSprop(1e-3),
    loss={
        "priority": keras.losses.BinaryCrossentropy(from_logits=True),
        "department": keras.losses.CategoricalCrossentropy(from_logits=True),
    },
    loss_weights={"priority": 1.0, "department": 0.2},
)
title_data = np.random.randint(2, size=(1280, num_words)).astype("float32")
body_data = np.random.randint(2, size=(1280, num_words)).astype("float32")
tags_data = np.random.randint(2, size=(1280, num_tags)).astype("float32")
priority_targets = np.random.random(size=(1280, 1))
dept_targets = np.random.randint(2, size=(1280, num_departments))
history = model.fit(
    {"title": title_data, "body": body_data, "tags": tags_data},
    {"priority": priority_targets, "department": dept_targets},
    epochs=2,
    batch_size=32,
    shuffle=False,
)
history.history

# %% shared-layer
shared = layers.Dense(8, activation="tanh", name="shared")
input_a = keras.Input(shape=(6,), name="a")
input_b = keras.Input(shape=(6,), name="b")
encoded_a = shared(input_a)
encoded_b = shared(input_b)
both = keras.Model([input_a, input_b], layers.subtract([encoded_a, encoded_b]))
set_seeded_weights(both)
same = np.ones((2, 6), dtype="float32")
both.count_params(), both.predict([same, same], verbose=0)

# %% custom-layer-config
class CustomDense(layers.Layer):
    def __init__(self, units=32):
        super().__init__()
        self.units = units

    def build(self, input_shape):
        self.w = self.add_weight(
            shape=(input_shape[-1], self.units),
            initializer="random_normal",
            trainable=True,
        )
        self.b = self.add_weight(
            shape=(self.units,), initializer="random_normal", trainable=True
        )

    def call(self, inputs):
        return ops.matmul(inputs, self.w) + self.b

    def get_config(self):
        return {"units": self.units}

inputs = keras.Input((4,))
outputs = CustomDense(10)(inputs)
model = keras.Model(inputs, outputs)
config = model.get_config()
new_model = keras.Model.from_config(config, custom_objects={"CustomDense": CustomDense})
new_model.set_weights(model.get_weights())
x = np.linspace(-1, 1, 8, dtype="float32").reshape(2, 4)
([type(layer).__name__ for layer in new_model.layers],
 np.allclose(new_model.predict(x, verbose=0), model.predict(x, verbose=0)))

# %% custom-rnn
units = 32
timesteps = 10
input_dim = 5
batch_size = 16

class CustomRNN(layers.Layer):
    def __init__(self):
        super().__init__()
        self.units = units
        self.projection_1 = layers.Dense(units=units, activation="tanh")
        self.projection_2 = layers.Dense(units=units, activation="tanh")
        self.classifier = layers.Dense(1)

    def call(self, inputs):
        outputs = []
        state = ops.zeros(shape=(inputs.shape[0], self.units))
        for t in range(inputs.shape[1]):
            x = inputs[:, t, :]
            h = self.projection_1(x)
            y = h + self.projection_2(state)
            state = y
            outputs.append(y)
        features = ops.stack(outputs, axis=1)
        return self.classifier(features)

inputs = keras.Input(batch_shape=(batch_size, timesteps, input_dim))
x = layers.Dense(32)(inputs)
outputs = CustomRNN()(x)
model = keras.Model(inputs, outputs)
rnn_model = CustomRNN()
_ = rnn_model(ops.zeros((1, 10, 5)))
set_seeded_weights(model)
rnn = model.layers[-1]
for i, sub in enumerate((rnn.projection_1, rnn.projection_2, rnn.classifier)):
    set_seeded_weights(sub, seed=i)  # a custom layer's own layers: seeded one by one
sequence = np.linspace(-1, 1, batch_size * timesteps * input_dim,
                       dtype="float32").reshape(batch_size, timesteps, input_dim)
tuple(_.shape), model.predict(sequence, verbose=0, batch_size=batch_size)[:2]
