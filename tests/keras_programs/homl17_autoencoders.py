"""Hands-On Machine Learning (3rd ed.), ch. 17, the MLP autoencoders on Fashion-MNIST in
Keras 3's spelling: a stacked autoencoder, one with tied weights (a DenseTranspose layer
reading another layer's kernel), a denoising one (Dropout on the inputs), sparse ones (an
l1 activity regularizer on the codings, then the chapter's KL-divergence regularizer as a
custom Regularizer), and a variational autoencoder (a Sampling layer drawing with
keras.random, the KL term through add_loss).

Changes from the book: small slices and one or two epochs, seeded weights,
shuffle=False; the variational autoencoder's sampling is seeded with a SeedGenerator and
compared by structure (its draws are each library's own); the book's tf.* calls are
keras.ops."""

# %% load-data
import numpy as np
import keras
from keras import ops
from _corpus import set_seeded_weights

(X_train_full, y_train_full), (X_test, y_test) = keras.datasets.fashion_mnist.load_data()
X_train_full = X_train_full.astype(np.float32) / 255
X_train, X_valid = X_train_full[:1000], X_train_full[-200:]
X_test = X_test[:200].astype(np.float32) / 255

# %% stacked-autoencoder
stacked_encoder = keras.Sequential([
    keras.layers.Flatten(),
    keras.layers.Dense(100, activation="relu"),
    keras.layers.Dense(30, activation="relu"),
])
stacked_decoder = keras.Sequential([
    keras.layers.Dense(100, activation="relu"),
    keras.layers.Dense(28 * 28),
    keras.layers.Reshape([28, 28])
])
stacked_ae = keras.Sequential([stacked_encoder, stacked_decoder])
stacked_ae.build((None, 28, 28))
set_seeded_weights(stacked_ae)
stacked_ae.compile(loss="mse", optimizer="nadam")
history = stacked_ae.fit(X_train, X_train, epochs=2, shuffle=False,
                         validation_data=(X_valid, X_valid), verbose=0)
history.history

# %% reconstructions
stacked_ae.predict(X_valid[:3], verbose=0)[:, 10, 10:14]

# %% tied-weights [keras-fails: Keras 3 layers have no input_shape attribute (the book's Keras 2 spelling)]
class DenseTranspose(keras.layers.Layer):
    def __init__(self, dense, activation=None, **kwargs):
        super().__init__(**kwargs)
        self.dense = dense
        self.activation = keras.activations.get(activation)

    def build(self, batch_input_shape):
        self.biases = self.add_weight(name="bias",
                                      shape=self.dense.input_shape[-1],
                                      initializer="zeros")
        super().build(batch_input_shape)

    def call(self, inputs):
        Z = ops.matmul(inputs, ops.transpose(self.dense.kernel))
        return self.activation(Z + self.biases)


dense_1 = keras.layers.Dense(100, activation="relu")
dense_2 = keras.layers.Dense(30, activation="relu")

tied_encoder = keras.Sequential([
    keras.layers.Flatten(),
    dense_1,
    dense_2
])

tied_decoder = keras.Sequential([
    DenseTranspose(dense_2, activation="relu"),
    DenseTranspose(dense_1),
    keras.layers.Reshape([28, 28])
])

tied_ae = keras.Sequential([tied_encoder, tied_decoder])
tied_ae.build((None, 28, 28))
set_seeded_weights(tied_ae)
tied_ae.compile(loss="mse", optimizer="nadam")
history = tied_ae.fit(X_train, X_train, epochs=2, shuffle=False,
                      validation_data=(X_valid, X_valid), verbose=0)
history.history, tied_ae.count_params()

# %% tied-weights-keras3
class DenseTranspose(keras.layers.Layer):
    def __init__(self, dense, activation=None, **kwargs):
        super().__init__(**kwargs)
        self.dense = dense
        self.activation = keras.activations.get(activation)

    def build(self, batch_input_shape):
        self.biases = self.add_weight(name="bias",
                                      shape=(self.dense.kernel.shape[0],),
                                      initializer="zeros")
        super().build(batch_input_shape)

    def call(self, inputs):
        Z = ops.matmul(inputs, ops.transpose(self.dense.kernel))
        return self.activation(Z + self.biases)


dense_1 = keras.layers.Dense(100, activation="relu")
dense_2 = keras.layers.Dense(30, activation="relu")
tied_encoder = keras.Sequential([keras.layers.Flatten(), dense_1, dense_2])
tied_decoder = keras.Sequential([
    DenseTranspose(dense_2, activation="relu"),
    DenseTranspose(dense_1),
    keras.layers.Reshape([28, 28])
])
tied_ae = keras.Sequential([tied_encoder, tied_decoder])
tied_ae.build((None, 28, 28))
set_seeded_weights(tied_ae)
tied_ae.compile(loss="mse", optimizer="nadam")
history = tied_ae.fit(X_train, X_train, epochs=2, shuffle=False,
                      validation_data=(X_valid, X_valid), verbose=0)
history.history, tied_ae.count_params()

# %% denoising-with-dropout [compare=structure]
dropout_encoder = keras.Sequential([
    keras.layers.Flatten(),
    keras.layers.Dropout(0.5),
    keras.layers.Dense(100, activation="relu"),
    keras.layers.Dense(30, activation="relu")
])
dropout_decoder = keras.Sequential([
    keras.layers.Dense(100, activation="relu"),
    keras.layers.Dense(28 * 28),
    keras.layers.Reshape([28, 28])
])
dropout_ae = keras.Sequential([dropout_encoder, dropout_decoder])
dropout_ae.build((None, 28, 28))
set_seeded_weights(dropout_ae)
dropout_ae.compile(loss="mse", optimizer="nadam")
history = dropout_ae.fit(X_train, X_train, epochs=1, shuffle=False, verbose=0)
sorted(history.history), len(history.history["loss"])

# %% sparse-l1
sparse_l1_encoder = keras.Sequential([
    keras.layers.Flatten(),
    keras.layers.Dense(100, activation="relu"),
    keras.layers.Dense(300, activation="sigmoid"),
    keras.layers.ActivityRegularization(l1=1e-4)
])
sparse_l1_decoder = keras.Sequential([
    keras.layers.Dense(100, activation="relu"),
    keras.layers.Dense(28 * 28),
    keras.layers.Reshape([28, 28])
])
sparse_l1_ae = keras.Sequential([sparse_l1_encoder, sparse_l1_decoder])
sparse_l1_ae.build((None, 28, 28))
set_seeded_weights(sparse_l1_ae)
sparse_l1_ae.compile(loss="mse", optimizer="nadam")
history = sparse_l1_ae.fit(X_train, X_train, epochs=2, shuffle=False, verbose=0)
history.history, sparse_l1_ae.evaluate(X_valid, X_valid, verbose=0)

# %% sparse-kl
class KLDivergenceRegularizer(keras.regularizers.Regularizer):
    def __init__(self, weight, target):
        self.weight = weight
        self.target = target

    def __call__(self, inputs):
        mean_activities = ops.mean(inputs, axis=0)
        return self.weight * (
            keras.losses.kl_divergence(self.target, mean_activities) +
            keras.losses.kl_divergence(1. - self.target, 1. - mean_activities))


kld_reg = KLDivergenceRegularizer(weight=5e-3, target=0.1)
sparse_kl_encoder = keras.Sequential([
    keras.layers.Flatten(),
    keras.layers.Dense(100, activation="relu"),
    keras.layers.Dense(300, activation="sigmoid",
                       activity_regularizer=kld_reg)
])
sparse_kl_decoder = keras.Sequential([
    keras.layers.Dense(100, activation="relu"),
    keras.layers.Dense(28 * 28),
    keras.layers.Reshape([28, 28])
])
sparse_kl_ae = keras.Sequential([sparse_kl_encoder, sparse_kl_decoder])
sparse_kl_ae.build((None, 28, 28))
set_seeded_weights(sparse_kl_ae)
sparse_kl_ae.compile(loss="mse", optimizer="nadam")
history = sparse_kl_ae.fit(X_train, X_train, epochs=2, shuffle=False, verbose=0)
history.history

# %% variational-autoencoder [compare=structure; keras-fails: Keras 3 refuses add_loss on symbolic tensors (the book's Keras 2 spelling)]
class Sampling(keras.layers.Layer):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.seed_generator = keras.random.SeedGenerator(42)

    def call(self, inputs):
        mean, log_var = inputs
        noise = keras.random.normal(ops.shape(log_var), seed=self.seed_generator)
        return noise * ops.exp(log_var / 2) + mean


codings_size = 10

inputs = keras.layers.Input(shape=[28, 28])
Z = keras.layers.Flatten()(inputs)
Z = keras.layers.Dense(150, activation="relu")(Z)
Z = keras.layers.Dense(100, activation="relu")(Z)
codings_mean = keras.layers.Dense(codings_size)(Z)  # μ
codings_log_var = keras.layers.Dense(codings_size)(Z)  # γ
codings = Sampling()([codings_mean, codings_log_var])
variational_encoder = keras.Model(
    inputs=[inputs], outputs=[codings_mean, codings_log_var, codings])

decoder_inputs = keras.layers.Input(shape=[codings_size])
x = keras.layers.Dense(100, activation="relu")(decoder_inputs)
x = keras.layers.Dense(150, activation="relu")(x)
x = keras.layers.Dense(28 * 28)(x)
outputs = keras.layers.Reshape([28, 28])(x)
variational_decoder = keras.Model(inputs=[decoder_inputs], outputs=[outputs])

_, _, codings = variational_encoder(inputs)
reconstructions = variational_decoder(codings)
variational_ae = keras.Model(inputs=[inputs], outputs=[reconstructions])

latent_loss = -0.5 * ops.sum(
    1 + codings_log_var - ops.exp(codings_log_var) - ops.square(codings_mean),
    axis=-1)
variational_ae.add_loss(ops.mean(latent_loss) / 784.)
set_seeded_weights(variational_ae)
variational_ae.compile(loss="mse", optimizer="nadam")
history = variational_ae.fit(X_train, X_train, epochs=1, batch_size=128, shuffle=False,
                             verbose=0)
sorted(history.history), variational_ae.count_params()

# %% variational-autoencoder-keras3 [compare=structure]
class Sampling(keras.layers.Layer):
    """corpus: Keras 3 takes the latent loss from a layer's add_loss, not the model's."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.seed_generator = keras.random.SeedGenerator(42)

    def call(self, inputs):
        mean, log_var = inputs
        latent_loss = -0.5 * ops.sum(
            1 + log_var - ops.exp(log_var) - ops.square(mean), axis=-1)
        self.add_loss(ops.mean(latent_loss) / 784.)
        noise = keras.random.normal(ops.shape(log_var), seed=self.seed_generator)
        return noise * ops.exp(log_var / 2) + mean


inputs = keras.layers.Input(shape=[28, 28])
Z = keras.layers.Flatten()(inputs)
Z = keras.layers.Dense(150, activation="relu")(Z)
Z = keras.layers.Dense(100, activation="relu")(Z)
codings_mean = keras.layers.Dense(codings_size)(Z)  # μ
codings_log_var = keras.layers.Dense(codings_size)(Z)  # γ
codings = Sampling()([codings_mean, codings_log_var])
variational_encoder = keras.Model(
    inputs=[inputs], outputs=[codings_mean, codings_log_var, codings])
decoder_inputs = keras.layers.Input(shape=[codings_size])
x = keras.layers.Dense(100, activation="relu")(decoder_inputs)
x = keras.layers.Dense(150, activation="relu")(x)
x = keras.layers.Dense(28 * 28)(x)
outputs = keras.layers.Reshape([28, 28])(x)
variational_decoder = keras.Model(inputs=[decoder_inputs], outputs=[outputs])
_, _, codings = variational_encoder(inputs)
reconstructions = variational_decoder(codings)
variational_ae = keras.Model(inputs=[inputs], outputs=[reconstructions])
set_seeded_weights(variational_ae)
variational_ae.compile(loss="mse", optimizer="nadam")
history = variational_ae.fit(X_train, X_train, epochs=1, batch_size=128, shuffle=False,
                             verbose=0)
sorted(history.history), variational_ae.count_params(), len(variational_ae.losses)
