"""Hands-On Machine Learning (3rd ed.), ch. 12, "Customizing Models and Training
Algorithms", its Keras parts in Keras 3's spelling (``keras.ops`` where the book writes
``tf.abs``, ``tf.square``...): custom loss functions with and without a threshold, saved
and loaded with ``custom_objects``; a ``keras.losses.Loss`` subclass; custom activation,
initializer, regularizer and constraint functions and a ``Regularizer`` subclass; a
streaming ``keras.metrics.Metric`` subclass with ``add_weight``; custom layers (``Lambda``,
``MyDense`` with ``build``/``add_weight``/``get_config``, a multi-input layer, a layer
with a ``training`` argument); subclassed models (``ResidualRegressor``) and a model with
``add_loss`` and a metric of its own. California housing is a stand-in of the same shape;
weights are seeded, fits unshuffled and short."""

# %% load-data
import numpy as np
from _corpus import housing_stand_in, set_seeded_weights
from tensorflow import keras
from keras import ops

(X_train, y_train), (X_valid, y_valid), (X_test, y_test) = housing_stand_in()
mean, std = X_train.mean(axis=0), X_train.std(axis=0)  # the book: StandardScaler
X_train_scaled = (X_train - mean) / std
X_valid_scaled = (X_valid - mean) / std
X_test_scaled = (X_test - mean) / std
input_shape = X_train.shape[1:]

# %% huber-fn
def huber_fn(y_true, y_pred):
    error = y_true - y_pred
    is_small_error = ops.abs(error) < 1
    squared_loss = ops.square(error) / 2
    linear_loss = ops.abs(error) - 0.5
    return ops.where(is_small_error, squared_loss, linear_loss)

def make_model():
    model = keras.Sequential([
        keras.layers.Input(shape=input_shape),
        keras.layers.Dense(30, activation="relu", kernel_initializer="he_normal"),
        keras.layers.Dense(1),
    ])
    set_seeded_weights(model)
    return model

model = make_model()
model.compile(loss=huber_fn, optimizer="nadam", metrics=["mae"])
history = model.fit(X_train_scaled, y_train, epochs=2, shuffle=False,
                    validation_data=(X_valid_scaled, y_valid))
history.history

# %% save-load-custom-loss
model.save("my_model_with_a_custom_loss.keras")
model = keras.models.load_model("my_model_with_a_custom_loss.keras",
                                custom_objects={"huber_fn": huber_fn})
model.fit(X_train_scaled, y_train, epochs=2, shuffle=False, verbose=0,
          validation_data=(X_valid_scaled, y_valid)).history

# %% create-huber
def create_huber(threshold=1.0):
    def huber_fn(y_true, y_pred):
        error = y_true - y_pred
        is_small_error = ops.abs(error) < threshold
        squared_loss = ops.square(error) / 2
        linear_loss = threshold * ops.abs(error) - threshold ** 2 / 2
        return ops.where(is_small_error, squared_loss, linear_loss)
    return huber_fn

model = make_model()
model.compile(loss=create_huber(2.0), optimizer="nadam", metrics=["mae"])
model.fit(X_train_scaled, y_train, epochs=2, shuffle=False, verbose=0).history

# %% load-create-huber
model.save("my_model_with_a_custom_loss_threshold_2.keras")
model = keras.models.load_model("my_model_with_a_custom_loss_threshold_2.keras",
                                custom_objects={"huber_fn": create_huber(2.0)})
model.evaluate(X_test_scaled, y_test, verbose=0)

# %% loss-subclass
class HuberLoss(keras.losses.Loss):
    def __init__(self, threshold=1.0, **kwargs):
        self.threshold = threshold
        super().__init__(**kwargs)

    def call(self, y_true, y_pred):
        error = y_true - y_pred
        is_small_error = ops.abs(error) < self.threshold
        squared_loss = ops.square(error) / 2
        linear_loss = self.threshold * ops.abs(error) - self.threshold**2 / 2
        return ops.where(is_small_error, squared_loss, linear_loss)

    def get_config(self):
        base_config = super().get_config()
        return {**base_config, "threshold": self.threshold}

model = make_model()
model.compile(loss=HuberLoss(2.), optimizer="nadam", metrics=["mae"])
model.fit(X_train_scaled, y_train, epochs=2, shuffle=False, verbose=0).history

# %% load-loss-subclass
model.save("my_model_with_a_custom_loss_class.keras")
model = keras.models.load_model("my_model_with_a_custom_loss_class.keras",
                                custom_objects={"HuberLoss": HuberLoss})
model.loss.threshold, model.evaluate(X_test_scaled, y_test, verbose=0)

# %% custom-functions
def my_softplus(z):
    return ops.log(1.0 + ops.exp(z))

def my_glorot_initializer(shape, dtype=None):
    stddev = (2. / (shape[0] + shape[1])) ** 0.5
    return keras.random.normal(shape, stddev=stddev, dtype=dtype)

def my_l1_regularizer(weights):
    return ops.sum(ops.abs(0.01 * weights))

def my_positive_weights(weights):  # return value is just tf.nn.relu(weights)
    return ops.where(weights < 0., ops.zeros_like(weights), weights)

layer = keras.layers.Dense(1, activation=my_softplus,
                           kernel_initializer=my_glorot_initializer,
                           kernel_regularizer=my_l1_regularizer,
                           kernel_constraint=my_positive_weights)
model = keras.Sequential([
    keras.layers.Input(shape=input_shape),
    keras.layers.Dense(30, activation="relu", kernel_initializer="he_normal"),
    layer,
])
set_seeded_weights(model)
model.compile(loss="mse", optimizer="nadam", metrics=["mae"])
model.fit(X_train_scaled, y_train, epochs=2, shuffle=False, verbose=0).history

# %% custom-functions-kernel
float(ops.convert_to_numpy(ops.min(layer.kernel))) >= 0, len(model.losses)

# %% regularizer-subclass
class MyL1Regularizer(keras.regularizers.Regularizer):
    def __init__(self, factor):
        self.factor = factor

    def __call__(self, weights):
        return ops.sum(ops.abs(self.factor * weights))

    def get_config(self):
        return {"factor": self.factor}

model = keras.Sequential([
    keras.layers.Input(shape=input_shape),
    keras.layers.Dense(30, activation="relu", kernel_regularizer=MyL1Regularizer(0.01)),
    keras.layers.Dense(1),
])
set_seeded_weights(model)
model.compile(loss="mse", optimizer="nadam")
model.fit(X_train_scaled, y_train, epochs=2, shuffle=False, verbose=0).history

# %% metric-subclass
class HuberMetric(keras.metrics.Metric):
    def __init__(self, threshold=1.0, **kwargs):
        super().__init__(**kwargs)  # handles base args (e.g., dtype)
        self.threshold = threshold
        self.huber_fn = create_huber(threshold)
        self.total = self.add_weight(name="total", initializer="zeros")
        self.count = self.add_weight(name="count", initializer="zeros")

    def update_state(self, y_true, y_pred, sample_weight=None):
        sample_metrics = self.huber_fn(y_true, y_pred)
        self.total.assign_add(ops.sum(sample_metrics))
        self.count.assign_add(ops.cast(ops.size(y_true), "float32"))

    def result(self):
        return self.total / self.count

    def get_config(self):
        base_config = super().get_config()
        return {**base_config, "threshold": self.threshold}

m = HuberMetric(2.)
m.update_state(np.array([[2.]]), np.array([[10.]]))
first = float(ops.convert_to_numpy(m.result()))
m.update_state(np.array([[0.], [5.]]), np.array([[1.], [9.25]]))
first, float(ops.convert_to_numpy(m.result())), [v.name for v in m.variables]

# %% metric-reset
m.reset_state()
[float(ops.convert_to_numpy(v)) for v in m.variables]

# %% metric-in-fit
model = make_model()
model.compile(loss=create_huber(2.0), optimizer="nadam", metrics=[HuberMetric(2.0)])
model.fit(X_train_scaled, y_train, epochs=2, shuffle=False, verbose=0).history

# %% lambda-layer
exponential_layer = keras.layers.Lambda(lambda x: ops.exp(x))
ops.convert_to_numpy(exponential_layer(np.array([-1., 0., 1.])))

# %% my-dense
class MyDense(keras.layers.Layer):
    def __init__(self, units, activation=None, **kwargs):
        super().__init__(**kwargs)
        self.units = units
        self.activation = keras.activations.get(activation)

    def build(self, batch_input_shape):
        self.kernel = self.add_weight(
            name="kernel", shape=[batch_input_shape[-1], self.units],
            initializer="glorot_normal")
        self.bias = self.add_weight(
            name="bias", shape=[self.units], initializer="zeros")

    def call(self, X):
        return self.activation(X @ self.kernel + self.bias)

    def get_config(self):
        base_config = super().get_config()
        return {**base_config, "units": self.units,
                "activation": keras.activations.serialize(self.activation)}

model = keras.Sequential([
    keras.layers.Input(shape=input_shape),
    MyDense(30, activation="relu"),
    MyDense(1),
])
model.set_weights([np.random.default_rng(3).normal(0, 0.2, w.shape) for w in model.get_weights()])
model.compile(loss="mse", optimizer="nadam")
model.fit(X_train_scaled, y_train, epochs=2, shuffle=False, verbose=0).history

# %% my-dense-save-load
model.save("my_model_with_a_custom_layer.keras")
loaded = keras.models.load_model("my_model_with_a_custom_layer.keras",
                                 custom_objects={"MyDense": MyDense})
ops.convert_to_numpy(loaded.predict(X_test_scaled[:3], verbose=0)), loaded.layers[0].units

# %% multi-layer
class MyMultiLayer(keras.layers.Layer):
    def call(self, X):
        X1, X2 = X
        return X1 + X2, X1 * X2, X1 / X2

inputs1 = keras.layers.Input(shape=[2])
inputs2 = keras.layers.Input(shape=[2])
outputs1, outputs2, outputs3 = MyMultiLayer()((inputs1, inputs2))
[tuple(o.shape) for o in (outputs1, outputs2, outputs3)]

# %% training-argument [compare=structure]
class MyGaussianNoise(keras.layers.Layer):
    def __init__(self, stddev, **kwargs):
        super().__init__(**kwargs)
        self.stddev = stddev

    def call(self, X, training=False):
        if training:
            noise = keras.random.normal(ops.shape(X), stddev=self.stddev)
            return X + noise
        else:
            return X

noise_layer = MyGaussianNoise(1.0)
noisy = ops.convert_to_numpy(noise_layer(X_test_scaled[:2], training=True))
bool(np.allclose(noisy, X_test_scaled[:2])), bool(np.allclose(
    ops.convert_to_numpy(noise_layer(X_test_scaled[:2])), X_test_scaled[:2]))

# %% residual-regressor
class ResidualBlock(keras.layers.Layer):
    def __init__(self, n_layers, n_neurons, **kwargs):
        super().__init__(**kwargs)
        self.hidden = [keras.layers.Dense(n_neurons, activation="relu",
                                          kernel_initializer="he_normal")
                       for _ in range(n_layers)]

    def call(self, inputs):
        Z = inputs
        for layer in self.hidden:
            Z = layer(Z)
        return inputs + Z

class ResidualRegressor(keras.Model):
    def __init__(self, output_dim, **kwargs):
        super().__init__(**kwargs)
        self.hidden1 = keras.layers.Dense(30, activation="relu",
                                          kernel_initializer="he_normal")
        self.block1 = ResidualBlock(2, 30)
        self.block2 = ResidualBlock(2, 30)
        self.out = keras.layers.Dense(output_dim)

    def call(self, inputs):
        Z = self.hidden1(inputs)
        for _ in range(1 + 3):
            Z = self.block1(Z)
        Z = self.block2(Z)
        return self.out(Z)

model = ResidualRegressor(1)
model(X_train_scaled[:1])  # builds it, so its weights can be seeded
model.set_weights([np.random.default_rng(4).normal(0, 0.1, w.shape) for w in model.get_weights()])
model.compile(loss="mse", optimizer="nadam")
model.fit(X_train_scaled, y_train, epochs=2, shuffle=False, verbose=0).history

# %% reconstructing-regressor
class ReconstructingRegressor(keras.Model):
    def __init__(self, output_dim, **kwargs):
        super().__init__(**kwargs)
        self.hidden = [keras.layers.Dense(30, activation="relu",
                                          kernel_initializer="he_normal")
                       for _ in range(5)]
        self.out = keras.layers.Dense(output_dim)
        self.reconstruction_mean = keras.metrics.Mean(
            name="reconstruction_error")

    def build(self, batch_input_shape):
        n_inputs = batch_input_shape[-1]
        self.reconstruct = keras.layers.Dense(n_inputs)
        super().build(batch_input_shape)

    def call(self, inputs, training=False):
        Z = inputs
        for layer in self.hidden:
            Z = layer(Z)
        reconstruction = self.reconstruct(Z)
        recon_loss = ops.mean(ops.square(reconstruction - inputs))
        self.add_loss(0.05 * recon_loss)
        if training:
            result = self.reconstruction_mean(recon_loss)
        return self.out(Z)

model = ReconstructingRegressor(1)
model(X_train_scaled[:1])
model.set_weights([np.random.default_rng(5).normal(0, 0.1, w.shape) for w in model.get_weights()])
model.compile(loss="mse", optimizer="nadam")
history = model.fit(X_train_scaled, y_train, epochs=2, shuffle=False, verbose=0)
history.history
