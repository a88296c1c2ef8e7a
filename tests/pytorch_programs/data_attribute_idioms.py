# The `.data` idioms of older PyTorch tutorials and books, on synthetic data: DCGAN's
# weights_init (m.weight.data.normal_, m.bias.data.fill_), a hand-written SGD step
# (p.data -= lr * p.grad.data, p.grad.data.zero_()), the CIFAR-10 tutorial's accuracy
# (_, predicted = torch.max(outputs.data, 1)), loss.data.item(), and outputs.data.numpy().
import numpy as np
import torch
import torch.nn as nn

rng = np.random.default_rng(3)
X = torch.from_numpy(rng.normal(size=(120, 6)).astype(np.float32))
labels = torch.from_numpy((X.numpy()[:, 0] + 0.5 * X.numpy()[:, 1] > 0).astype(np.int64)
                          + (X.numpy()[:, 2] > 1).astype(np.int64))


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(6, 16)
        self.fc2 = nn.Linear(16, 3)

    def forward(self, x):
        return self.fc2(torch.relu(self.fc1(x)))


def weights_init(m):
    classname = m.__class__.__name__
    if classname.find("Linear") != -1:
        m.weight.data.normal_(0.0, 0.3)
        m.bias.data.fill_(0.05)


torch.manual_seed(0)
net = Net()
net.apply(weights_init)
criterion = nn.CrossEntropyLoss()
learning_rate = 0.2
losses = []
for epoch in range(30):
    outputs = net(X)
    loss = criterion(outputs, labels)
    net.zero_grad()
    loss.backward()
    for p in net.parameters():
        p.data -= learning_rate * p.grad.data
    losses.append(loss.data.item())

correct = 0
total = 0
with torch.no_grad():
    outputs = net(X)
    _, predicted = torch.max(outputs.data, 1)
    total += labels.size(0)
    correct += (predicted == labels).sum().item()
accuracy = 100 * correct / total
scores = outputs.data.numpy()
first_weights = net.fc1.weight.data.clone()
print(f"Accuracy of the network: {accuracy:.1f} %")
