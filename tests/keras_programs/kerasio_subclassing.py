"""keras.io's guide "Making new layers and models via subclassing" (Keras 3): a ``Linear``
layer with ``add_weight`` in ``__init__`` and then in ``build``; a non-trainable weight
updated with ``assign_add``; layers nested in layers; ``add_loss`` and ``layer.losses``
(reset at each outer call, and with a ``kernel_regularizer``'s term); ``fit`` with those
losses added to a compiled loss, and after compiling again without one; ``get_config``
and ``from_config``; a ``training`` argument; the variational autoencoder (a ``Model`` of
nested layers with a KL ``add_loss`` term) trained with ``fit``.

Changes from the guide, so that both runs see the same numbers: the custom layers' weights
are set from a seeded generator once built (their ``random_normal`` draws differ between
libraries), and so are the Dense layers' (``set_seeded_weights``); NumPy's random data is
seeded; Fashion-MNIST's first 2,000 images stand in for MNIST, one epoch, no shuffling.
The autoencoder samples with ``keras.random.normal``, each library's own draws: its fit is
compared by structure."""

# %% setup
import numpy as np
import keras
from keras import ops
from keras import layers
from _corpus import set_seeded_weights

np.random.seed(0)

def seed_weights(layer, seed=0):
    rng = np.random.default_rng(seed)
    layer.set_weights([rng.normal(0.0, 0.05, np.shape(w)).astype("float32")
                       for w in layer.get_weights()])

# %% linear-in-init
class Linear(keras.layers.Layer):
    def __init__(self, units=32, input_dim=32):
        super().__init__()
        self.w = self.add_weight(
            shape=(input_dim, units),
            initializer="random_normal",
            trainable=True,
        )
        self.b = self.add_weight(shape=(units,), initializer="zeros", trainable=True)

    def call(self, inputs):
        return ops.matmul(inputs, self.w) + self.b

x = ops.ones((2, 2))
linear_layer = Linear(4, 2)
seed_weights(linear_layer)
y = linear_layer(x)
print(y)
assert linear_layer.weights == [linear_layer.w, linear_layer.b]
y

# %% non-trainable-weight
class ComputeSum(keras.layers.Layer):
    def __init__(self, input_dim):
        super().__init__()
        self.total = self.add_weight(
            initializer="zeros", shape=(input_dim,), trainable=False
        )

    def call(self, inputs):
        self.total.assign_add(ops.sum(inputs, axis=0))
        return self.total

x = ops.ones((2, 2))
my_sum = ComputeSum(2)
y = my_sum(x)
print(y.numpy())
y = my_sum(x)
print(y.numpy())
print("weights:", len(my_sum.weights))
print("non-trainable weights:", len(my_sum.non_trainable_weights))
print("trainable_weights:", my_sum.trainable_weights)

# %% linear-in-build
class Linear(keras.layers.Layer):
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

linear_layer = Linear(32)
print(len(linear_layer.weights))
y = linear_layer(x)
print(len(linear_layer.weights), [tuple(w.shape) for w in linear_layer.weights])

# %% nested-layers
class MLPBlock(keras.layers.Layer):
    def __init__(self):
        super().__init__()
        self.linear_1 = Linear(32)
        self.linear_2 = Linear(32)
        self.linear_3 = Linear(1)

    def call(self, inputs):
        x = self.linear_1(inputs)
        x = keras.activations.relu(x)
        x = self.linear_2(x)
        x = keras.activations.relu(x)
        return self.linear_3(x)

mlp = MLPBlock()
y = mlp(ops.ones(shape=(3, 64)))
print("weights:", len(mlp.weights))
print("trainable weights:", len(mlp.trainable_weights))
seed_weights(mlp)
mlp(ops.ones(shape=(3, 64)))

# %% add-loss-and-losses
class ActivityRegularizationLayer(keras.layers.Layer):
    def __init__(self, rate=1e-2):
        super().__init__()
        self.rate = rate

    def call(self, inputs):
        self.add_loss(self.rate * ops.mean(inputs))
        return inputs

class OuterLayer(keras.layers.Layer):
    def __init__(self):
        super().__init__()
        self.activity_reg = ActivityRegularizationLayer(1e-2)

    def call(self, inputs):
        return self.activity_reg(inputs)

layer = OuterLayer()
assert len(layer.losses) == 0
_ = layer(ops.zeros((1, 1)))
assert len(layer.losses) == 1
_ = layer(ops.zeros((1, 1)))
assert len(layer.losses) == 1
len(layer.losses)

# %% kernel-regularizer-losses
class OuterLayerWithKernelRegularizer(keras.layers.Layer):
    def __init__(self):
        super().__init__()
        self.dense = keras.layers.Dense(
            32, kernel_regularizer=keras.regularizers.l2(1e-3)
        )

    def call(self, inputs):
        return self.dense(inputs)

layer = OuterLayerWithKernelRegularizer()
_ = layer(ops.zeros((1, 1)))
seed_weights(layer.dense)
_ = layer(ops.zeros((1, 1)))
print(layer.losses)
layer.losses

# %% fit-with-add-loss
inputs = keras.Input(shape=(3,))
outputs = ActivityRegularizationLayer()(inputs)
model = keras.Model(inputs, outputs)
model.compile(optimizer="adam", loss="mse")
first = model.fit(np.random.random((2, 3)), np.random.random((2, 3))).history
model.compile(optimizer="adam")
second = model.fit(np.random.random((2, 3)), np.random.random((2, 3))).history
first, second

# %% get-config
class Linear(keras.layers.Layer):
    def __init__(self, units=32, **kwargs):
        super().__init__(**kwargs)
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
        config = super().get_config()
        config.update({"units": self.units})
        return config

layer = Linear(64)
config = layer.get_config()
print(config)
new_layer = Linear.from_config(config)
new_layer.units, new_layer.name == layer.name

# %% training-argument
class CustomDropout(keras.layers.Layer):
    def __init__(self, rate, **kwargs):
        super().__init__(**kwargs)
        self.rate = rate

    def call(self, inputs, training=None):
        if training:
            return keras.random.dropout(inputs, rate=self.rate)
        return inputs

dropout = CustomDropout(0.5)
x = ops.ones((4, 8))
inference = dropout(x)
trained = dropout(x, training=True)
inference, ops.shape(trained), float(ops.max(trained))

# %% vae-model
class Sampling(layers.Layer):
    def call(self, inputs):
        z_mean, z_log_var = inputs
        batch = ops.shape(z_mean)[0]
        dim = ops.shape(z_mean)[1]
        epsilon = keras.random.normal(shape=(batch, dim))
        return z_mean + ops.exp(0.5 * z_log_var) * epsilon

class Encoder(layers.Layer):
    def __init__(self, latent_dim=32, intermediate_dim=64, name="encoder", **kwargs):
        super().__init__(name=name, **kwargs)
        self.dense_proj = layers.Dense(intermediate_dim, activation="relu")
        self.dense_mean = layers.Dense(latent_dim)
        self.dense_log_var = layers.Dense(latent_dim)
        self.sampling = Sampling()

    def call(self, inputs):
        x = self.dense_proj(inputs)
        z_mean = self.dense_mean(x)
        z_log_var = self.dense_log_var(x)
        z = self.sampling((z_mean, z_log_var))
        return z_mean, z_log_var, z

class Decoder(layers.Layer):
    def __init__(self, original_dim, intermediate_dim=64, name="decoder", **kwargs):
        super().__init__(name=name, **kwargs)
        self.dense_proj = layers.Dense(intermediate_dim, activation="relu")
        self.dense_output = layers.Dense(original_dim, activation="sigmoid")

    def call(self, inputs):
        x = self.dense_proj(inputs)
        return self.dense_output(x)

class VariationalAutoEncoder(keras.Model):
    def __init__(
        self,
        original_dim,
        intermediate_dim=64,
        latent_dim=32,
        name="autoencoder",
        **kwargs
    ):
        super().__init__(name=name, **kwargs)
        self.original_dim = original_dim
        self.encoder = Encoder(latent_dim=latent_dim, intermediate_dim=intermediate_dim)
        self.decoder = Decoder(original_dim, intermediate_dim=intermediate_dim)

    def call(self, inputs):
        z_mean, z_log_var, z = self.encoder(inputs)
        reconstructed = self.decoder(z)
        kl_loss = -0.5 * ops.mean(
            z_log_var - ops.square(z_mean) - ops.exp(z_log_var) + 1
        )
        self.add_loss(kl_loss)
        return reconstructed

vae = VariationalAutoEncoder(784, 64, 32)
vae(np.zeros((1, 784), dtype="float32"))
vae.count_params(), [w.shape for w in vae.trainable_weights]

# %% vae-fit [compare=structure]
(x_train, _), _ = keras.datasets.fashion_mnist.load_data()
x_train = x_train[:2000].reshape(2000, 784).astype("float32") / 255
for sub in (vae.encoder.dense_proj, vae.encoder.dense_mean, vae.encoder.dense_log_var,
            vae.decoder.dense_proj, vae.decoder.dense_output):
    seed_weights(sub)
optimizer = keras.optimizers.Adam(learning_rate=1e-3)
vae.compile(optimizer, loss=keras.losses.MeanSquaredError())
history = vae.fit(x_train, x_train, epochs=1, batch_size=64, shuffle=False)
sorted(history.history), len(vae.losses)
