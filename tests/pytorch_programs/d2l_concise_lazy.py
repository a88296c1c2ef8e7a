# "Dive into Deep Learning" (d2l.ai), the concise implementations written with lazy layers:
# 3.5 linear regression (nn.LazyLinear(1), its weight "initialised" before it exists, as the
# book does), 3.7 weight decay (parameter groups, weight_decay on the weight only), 4.5
# softmax regression and 5.2 the multilayer perceptron (nn.Flatten, nn.LazyLinear,
# nn.ReLU) on a small subset of Fashion-MNIST. As in the book's Trainer, each optimizer is
# made before the model's first call, holding the not yet initialised parameters.
# Port: plain loops in place of the book's d2l.Module/d2l.Trainer classes, this project's
# Fashion-MNIST loader in place of torchvision's, fewer samples and epochs.
import numpy as np
import torch
from torch import nn
from torch.nn import functional as F
from torch.utils.data import DataLoader, TensorDataset
from nn.datasets import fashion_mnist

# ---- 3.5: linear regression, concisely
true_w = torch.tensor([2, -3.4])
true_b = 4.2
X = torch.randn(400, 2)
y = torch.matmul(X, true_w.reshape((-1, 1))) + true_b + 0.01 * torch.randn(400, 1)
train_lr = DataLoader(TensorDataset(X, y), batch_size=32)


class LinearRegression(nn.Module):
    def __init__(self, lr):
        super().__init__()
        self.lr = lr
        self.net = nn.LazyLinear(1)
        self.net.weight.data.normal_(0, 0.01)  # (a no-op on a lazy weight, in PyTorch too)
        self.net.bias.data.fill_(0)

    def forward(self, X):
        return self.net(X)

    def loss(self, y_hat, y):
        fn = nn.MSELoss()
        return fn(y_hat, y)

    def configure_optimizers(self):
        return torch.optim.SGD(self.parameters(), self.lr)


model = LinearRegression(lr=0.03)
print(model)
optimizer = model.configure_optimizers()
lr_losses = []
for epoch in range(3):
    for Xb, yb in train_lr:
        loss = model.loss(model(Xb), yb)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    lr_losses.append(float(loss))
print(model)
w, b = model.net.weight.data, model.net.bias.data
print(f'error in estimating w: {true_w - w.reshape(true_w.shape)}')
print(f'error in estimating b: {true_b - b}')

# ---- 3.7: weight decay, concisely (a high-dimensional regression, few samples)
n_train, num_inputs = 40, 100
Xw = torch.randn(n_train + 60, num_inputs)
yw = torch.matmul(Xw, torch.ones((num_inputs, 1)) * 0.01) + 0.05 + 0.01 * torch.randn(n_train + 60, 1)
train_wd = DataLoader(TensorDataset(Xw[:n_train], yw[:n_train]), batch_size=5)


class WeightDecay(LinearRegression):
    def __init__(self, wd, lr):
        super().__init__(lr)
        self.wd = wd

    def configure_optimizers(self):
        return torch.optim.SGD([
            {'params': self.net.weight, 'weight_decay': self.wd},
            {'params': self.net.bias}], lr=self.lr)


wd_model = WeightDecay(wd=3, lr=0.01)
wd_optimizer = wd_model.configure_optimizers()
for epoch in range(5):
    for Xb, yb in train_wd:
        loss = wd_model.loss(wd_model(Xb), yb)
        wd_optimizer.zero_grad()
        loss.backward()
        wd_optimizer.step()
wd_validation = float(wd_model.loss(wd_model(Xw[n_train:]), yw[n_train:]))
l2_norm = float(wd_model.net.weight.data.norm())
print('L2 norm of w:', l2_norm)

# ---- 4.5 and 5.2: softmax regression and the MLP on Fashion-MNIST
(x_train, y_train), (x_test, y_test) = fashion_mnist.load_data()
images = torch.from_numpy((x_train[:1200] / 255.0).astype(np.float32))
labels = torch.from_numpy(y_train[:1200].astype(np.int64))
train_iter = DataLoader(TensorDataset(images, labels), batch_size=256)
test_images = torch.from_numpy((x_test[:500] / 255.0).astype(np.float32))
test_labels = torch.from_numpy(y_test[:500].astype(np.int64))


class SoftmaxRegression(nn.Module):
    def __init__(self, num_outputs, lr):
        super().__init__()
        self.lr = lr
        self.net = nn.Sequential(nn.Flatten(), nn.LazyLinear(num_outputs))

    def forward(self, X):
        return self.net(X)


class MLP(nn.Module):
    def __init__(self, num_outputs, num_hiddens, lr):
        super().__init__()
        self.lr = lr
        self.net = nn.Sequential(nn.Flatten(), nn.LazyLinear(num_hiddens),
                                 nn.ReLU(), nn.LazyLinear(num_outputs))

    def forward(self, X):
        return self.net(X)


def accuracy(Y_hat, Y):
    preds = Y_hat.argmax(axis=1).type(Y.dtype)
    compare = (preds == Y.reshape(-1)).type(torch.float32)
    return float(compare.mean())


def fit(model, epochs):
    optimizer = torch.optim.SGD(model.parameters(), lr=model.lr)  # before the first call
    losses = []
    for epoch in range(epochs):
        for Xb, yb in train_iter:
            loss = F.cross_entropy(model(Xb), yb, reduction='mean')
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            losses.append(float(loss))
    return losses


softmax_model = SoftmaxRegression(num_outputs=10, lr=0.1)
softmax_losses = fit(softmax_model, 2)
softmax_accuracy = accuracy(softmax_model(test_images), test_labels)

mlp = MLP(num_outputs=10, num_hiddens=64, lr=0.1)
print(mlp)
mlp_losses = fit(mlp, 2)
print(mlp)
mlp_accuracy = accuracy(mlp(test_images), test_labels)
print(f'softmax regression {softmax_accuracy:.3f}, MLP {mlp_accuracy:.3f}')
