# A classic nn.Linear MLP: nn.Sequential built from an OrderedDict, SGD with momentum,
# a state_dict round trip (weights copied in from NumPy for equal starting points).
from collections import OrderedDict

import numpy as np
import torch
from torch import nn

torch.manual_seed(0)
X = torch.randn(200, 10)
y = torch.randint(0, 3, (200,))

model = nn.Sequential(OrderedDict([
    ("fc1", nn.Linear(10, 16)),
    ("act", nn.ReLU()),
    ("fc2", nn.Linear(16, 3)),
]))

# the same initial weights in both frameworks: fixed NumPy draws, in PyTorch's layout
rng = np.random.default_rng(0)
with torch.no_grad():
    model.fc1.weight.copy_(torch.from_numpy(rng.normal(0, 0.3, (16, 10)).astype(np.float32)))
    model.fc1.bias.zero_()
    model.fc2.weight.copy_(torch.from_numpy(rng.normal(0, 0.3, (3, 16)).astype(np.float32)))
    model.fc2.bias.zero_()

loss_fn = nn.CrossEntropyLoss()
optimizer = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
for epoch in range(20):
    optimizer.zero_grad()
    loss = loss_fn(model(X), y)
    loss.backward()
    optimizer.step()

state = model.state_dict()
keys = list(state.keys())
print(keys)
final_loss = loss.item()
