# Binary and multi-class classification as the "PyTorch for Deep Learning" course
# (learnpytorch.io, notebook 02) writes it, on its toy data made with NumPy instead of
# scikit-learn: two circles with nn.Sequential, BCEWithLogitsLoss and an accuracy through
# torch.eq and torch.round(torch.sigmoid(...)); then four blobs with a class of its own,
# CrossEntropyLoss with class weights and label smoothing, softmax/argmax predictions, and
# the evaluation code that follows such a model: top-2 accuracy (topk), a hand-written NLL
# (gather), F.one_hot, a confusion matrix, sorted and cumulated probabilities.
import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

rng = np.random.default_rng(42)

# ---------------------------------------------------------------- two circles
n_samples = 400
angles = rng.uniform(0, 2 * np.pi, n_samples)
outer = np.arange(n_samples) % 2 == 0
radius = np.where(outer, 1.0, 0.6) + rng.normal(0, 0.04, n_samples)
X_circles = np.stack([radius * np.cos(angles), radius * np.sin(angles)], axis=1)
X = torch.from_numpy(X_circles).type(torch.float)
y = torch.from_numpy((~outer).astype(np.float32))
X_train, y_train, X_test, y_test = X[:320], y[:320], X[320:], y[320:]


def accuracy_fn(y_true, y_pred):
    correct = torch.eq(y_true, y_pred).sum().item()
    acc = (correct / len(y_pred)) * 100
    return acc


torch.manual_seed(42)
model_0 = nn.Sequential(
    nn.Linear(in_features=2, out_features=10),
    nn.ReLU(),
    nn.Linear(in_features=10, out_features=10),
    nn.ReLU(),
    nn.Linear(in_features=10, out_features=1),
)
loss_fn = nn.BCEWithLogitsLoss()
optimizer = torch.optim.SGD(params=model_0.parameters(), lr=0.2)

epochs = 300
for epoch in range(epochs):
    model_0.train()
    y_logits = model_0(X_train).squeeze()
    y_pred = torch.round(torch.sigmoid(y_logits))
    loss = loss_fn(y_logits, y_train)
    acc = accuracy_fn(y_true=y_train, y_pred=y_pred)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()

    model_0.eval()
    with torch.inference_mode():
        test_logits = model_0(X_test).squeeze()
        test_pred = torch.round(torch.sigmoid(test_logits))
        test_loss = loss_fn(test_logits, y_test)
        test_acc = accuracy_fn(y_true=y_test, y_pred=test_pred)
    if epoch % 100 == 0:
        print(f"Epoch: {epoch} | Loss: {loss:.5f}, Accuracy: {acc:.2f}% | "
              f"Test loss: {test_loss:.5f}, Test acc: {test_acc:.2f}%")

# ---------------------------------------------------------------- four blobs
NUM_CLASSES = 4
centers = np.array([[0.0, 3.0], [3.0, 0.0], [-3.0, 0.0], [0.0, -3.0]])
labels = rng.integers(0, NUM_CLASSES, 500)
X_blob = torch.from_numpy(centers[labels] + rng.normal(0, 1.2, (500, 2))).type(torch.float)
y_blob = torch.from_numpy(labels).type(torch.LongTensor)
X_blob_train, y_blob_train = X_blob[:400], y_blob[:400]
X_blob_test, y_blob_test = X_blob[400:], y_blob[400:]


class BlobModel(nn.Module):
    def __init__(self, input_features, output_features, hidden_units=8):
        super().__init__()
        self.linear_layer_stack = nn.Sequential(
            nn.Linear(in_features=input_features, out_features=hidden_units),
            nn.ReLU(),
            nn.Linear(in_features=hidden_units, out_features=hidden_units),
            nn.ReLU(),
            nn.Linear(in_features=hidden_units, out_features=output_features),
        )

    def forward(self, x):
        return self.linear_layer_stack(x)


torch.manual_seed(42)
model_4 = BlobModel(input_features=2, output_features=NUM_CLASSES, hidden_units=8)
class_weights = torch.tensor([1.0, 2.0, 1.0, 0.5])
loss_fn = nn.CrossEntropyLoss(weight=class_weights, label_smoothing=0.1)
optimizer = torch.optim.SGD(model_4.parameters(), lr=0.1)

for epoch in range(100):
    model_4.train()
    y_logits = model_4(X_blob_train)
    y_pred = torch.softmax(y_logits, dim=1).argmax(dim=1)
    loss = loss_fn(y_logits, y_blob_train)
    acc = accuracy_fn(y_true=y_blob_train, y_pred=y_pred)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()

model_4.eval()
with torch.inference_mode():
    test_logits = model_4(X_blob_test)
    test_probs = torch.softmax(test_logits, dim=1)
    test_pred = test_probs.argmax(dim=1)
    test_acc = accuracy_fn(y_true=y_blob_test, y_pred=test_pred)

    top2 = torch.topk(test_logits, k=2, dim=1)
    top2_acc = (top2.indices == y_blob_test.unsqueeze(1)).any(dim=1).float().mean().item()
    top2_values = top2.values

    log_probs = F.log_softmax(test_logits, dim=1)
    manual_nll = -torch.gather(log_probs, 1, y_blob_test.unsqueeze(1)).squeeze(1).mean()
    builtin_nll = F.nll_loss(log_probs, y_blob_test)
    weighted_nll = F.nll_loss(log_probs, y_blob_test, weight=class_weights)

    onehot = F.one_hot(y_blob_test, num_classes=NUM_CLASSES).float()
    brier = F.mse_loss(test_probs, onehot)

    confusion = torch.zeros(NUM_CLASSES, NUM_CLASSES)
    for t, p in zip(y_blob_test, test_pred):
        confusion[t, p] += 1
    classes = torch.arange(NUM_CLASSES)
    per_class_recall = confusion[classes, classes] / confusion.sum(dim=1)

    sorted_probs, order = torch.sort(test_probs, dim=1, descending=True)
    cumulative = torch.cumsum(sorted_probs, dim=1)
    confident = torch.ge(sorted_probs[:, 0], 0.9).sum().item()
    uncertain = torch.logical_and(sorted_probs[:, 0] < 0.6, sorted_probs[:, 1] > 0.3).sum().item()
    no_nan = not torch.isnan(test_logits).any().item()
    picked = torch.index_select(test_probs, 0, torch.tensor([0, 5, 10]))
    class_counts = torch.stack([torch.eq(y_blob_test, c).sum() for c in range(NUM_CLASSES)])

print(f"Blob test accuracy: {test_acc:.2f}%, top-2: {top2_acc:.3f}")
