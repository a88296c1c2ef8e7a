# A small classifier written the PyTorch way with its own Parameters (no nn.Linear):
# nn.Module, F.relu, F.cross_entropy, a DataLoader over a TensorDataset, Adam, torch.max.
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(0)

X = torch.randn(256, 20)
y = (X[:, 0] + X[:, 1] ** 2 > 0.5).long()
dataset = TensorDataset(X, y)
loader = DataLoader(dataset, batch_size=32, shuffle=False)


class MLP(nn.Module):
    def __init__(self, n_in, n_hidden, n_out):
        super().__init__()
        self.w1 = nn.Parameter(torch.randn(n_in, n_hidden) * 0.1)
        self.b1 = nn.Parameter(torch.zeros(n_hidden))
        self.w2 = nn.Parameter(torch.randn(n_hidden, n_out) * 0.1)
        self.b2 = nn.Parameter(torch.zeros(n_out))

    def forward(self, x):
        h = F.relu(x @ self.w1 + self.b1)
        return h @ self.w2 + self.b2


model = MLP(20, 32, 2)
optimizer = torch.optim.Adam(model.parameters(), lr=1e-2)

losses = []
for epoch in range(10):
    total = 0.0
    for xb, yb in loader:
        optimizer.zero_grad()
        logits = model(xb)
        loss = F.cross_entropy(logits, yb)
        loss.backward()
        optimizer.step()
        total += loss.item() * xb.size(0)
    losses.append(total / len(dataset))
    print(f"epoch {epoch}: loss {losses[-1]:.6f}")

model.eval()
with torch.no_grad():
    logits = model(X)
    probs = F.softmax(logits, dim=1)
    _, predicted = torch.max(logits, 1)
    accuracy = (predicted == y).float().mean().item()
    confidence = probs.max(dim=1).values.mean().item()
print(f"accuracy {accuracy:.4f}, mean confidence {confidence:.4f}")
