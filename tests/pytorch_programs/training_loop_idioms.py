# The idioms of today's PyTorch training loops, gathered from the official tutorials and
# common recipes, on synthetic data: the device chosen by torch.cuda.is_available();
# nn.ModuleList and nn.ModuleDict; model.apply with nn.init.xavier_uniform_/zeros_;
# parameter groups with their own learning rates; gradient clipping; gradient
# accumulation; label smoothing and class weights in CrossEntropyLoss; BCEWithLogitsLoss's
# pos_weight; the schedulers StepLR, CosineAnnealingLR, OneCycleLR, LinearLR + SequentialLR,
# LambdaLR and ReduceLROnPlateau; a forward hook that keeps activations; freezing with
# requires_grad_(False); early stopping on a deepcopy of the state dict;
# torch.inference_mode; random_split with a generator; zero_grad(set_to_none=True);
# F.one_hot and topk. (torch.compile is in tests/test_torch_paths_and_scope.py: this
# harness' torch run cannot compile, its random functions being bridged.)
import copy

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, Subset, TensorDataset, random_split

device = "cuda" if torch.cuda.is_available() else "cpu"
device = "cpu"  # the comparison runs on the CPU  # not compared: device (a string)

rng = np.random.default_rng(11)
X = torch.from_numpy(rng.normal(size=(240, 8)).astype(np.float32))
y = torch.from_numpy((rng.normal(size=240) + X.numpy()[:, 0] > 0).astype(np.int64)
                     + (X.numpy()[:, 1] > 0.8).astype(np.int64))
dataset = TensorDataset(X, y)
# random_split draws from torch's own generator here (its randperm is not bridged): the
# sizes are compared; training uses fixed halves so both runs see the same samples
split = random_split(dataset, [200, 40], generator=torch.Generator().manual_seed(42))
split_sizes = [len(part) for part in split]
train_set, val_set = Subset(dataset, range(200)), Subset(dataset, range(200, 240))
train_loader = DataLoader(train_set, batch_size=32, shuffle=False, drop_last=True)
val_loader = DataLoader(val_set, batch_size=64)


class Net(nn.Module):
    def __init__(self, sizes=(8, 32, 16), classes=3):
        super().__init__()
        self.hidden = nn.ModuleList(
            [nn.Linear(a, b) for a, b in zip(sizes[:-1], sizes[1:])]
        )
        self.heads = nn.ModuleDict({"logits": nn.Linear(sizes[-1], classes)})
        self.act = nn.GELU()

    def forward(self, x):
        for layer in self.hidden:
            x = self.act(layer(x))
        return self.heads["logits"](x)


def init_weights(m):
    if isinstance(m, nn.Linear):
        nn.init.xavier_uniform_(m.weight)
        nn.init.zeros_(m.bias)


torch.manual_seed(0)
model = Net().to(device)
model.apply(init_weights)
n_params = sum(p.numel() for p in model.parameters() if p.requires_grad)

optimizer = torch.optim.AdamW(
    [
        {"params": model.hidden.parameters(), "lr": 3e-3},
        {"params": model.heads.parameters(), "lr": 1e-3, "weight_decay": 0.0},
    ],
    weight_decay=0.01,
)
class_weights = torch.tensor([1.0, 2.0, 0.5])
criterion = nn.CrossEntropyLoss(weight=class_weights, label_smoothing=0.1)
scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=2, gamma=0.5)

activations = {}


def keep(name):
    def hook(module, inputs, output):
        activations[name] = output.detach()

    return hook


handle = model.hidden[1].register_forward_hook(keep("hidden1"))

accumulation = 2
best_loss, best_state, history = float("inf"), None, []
for epoch in range(6):
    model.train()
    optimizer.zero_grad(set_to_none=True)
    for i, (xb, yb) in enumerate(train_loader):
        xb, yb = xb.to(device), yb.to(device)
        loss = criterion(model(xb), yb) / accumulation
        loss.backward()
        if (i + 1) % accumulation == 0:
            torch.nn.utils.clip_grad_norm_(model.parameters(), max_norm=1.0)
            optimizer.step()
            optimizer.zero_grad(set_to_none=True)
    scheduler.step()
    model.eval()
    with torch.inference_mode():
        val_loss = sum(criterion(model(xb), yb).item() * len(yb) for xb, yb in val_loader)
        val_loss /= len(val_set)
    history.append(val_loss)
    if val_loss < best_loss:
        best_loss, best_state = val_loss, copy.deepcopy(model.state_dict())
handle.remove()
hidden1_mean = activations["hidden1"].mean().item()
lrs_after = [group["lr"] for group in optimizer.param_groups]
model.load_state_dict(best_state)

with torch.no_grad():
    logits = model(X)
    probs = F.softmax(logits, dim=1)
    top2_values, top2_indices = probs.topk(2, dim=1)
    accuracy = (logits.argmax(dim=1) == y).float().mean().item()
    onehot_total = F.one_hot(y, num_classes=3).sum(dim=0)

# Freeze the hidden layers and fine-tune the head with BCEWithLogitsLoss on "class 2 or not"
for p in model.hidden.parameters():
    p.requires_grad_(False)
head_optimizer = torch.optim.SGD(model.heads.parameters(), lr=0.1, momentum=0.9)
binary = nn.BCEWithLogitsLoss(pos_weight=torch.tensor([3.0]))
frozen_before = model.hidden[0].weight.detach().clone()
for xb, yb in train_loader:
    target = (yb == 2).float().unsqueeze(1)
    loss = binary(model(xb)[:, 2:3], target)
    head_optimizer.zero_grad()
    loss.backward()
    head_optimizer.step()
frozen_unchanged = bool(torch.equal(frozen_before, model.hidden[0].weight))
head_loss = loss.item()

# The schedulers' learning rates, step by step, on a one-parameter optimizer each
w = nn.Parameter(torch.zeros(1))


def lrs(make, steps=8, metric=None):
    opt = torch.optim.SGD([w], lr=0.1)
    sched = make(opt)
    out = []
    for step in range(steps):
        opt.step()
        if metric is None:
            sched.step()
        else:
            sched.step(metric[step])
        out.append(opt.param_groups[0]["lr"])
    return out


cosine_lrs = lrs(lambda o: torch.optim.lr_scheduler.CosineAnnealingLR(o, T_max=8))
onecycle_lrs = lrs(lambda o: torch.optim.lr_scheduler.OneCycleLR(o, max_lr=0.5,
                                                                   total_steps=9))
warmup_lrs = lrs(lambda o: torch.optim.lr_scheduler.SequentialLR(
    o,
    schedulers=[torch.optim.lr_scheduler.LinearLR(o, start_factor=0.1, total_iters=3),
                torch.optim.lr_scheduler.ExponentialLR(o, gamma=0.9)],
    milestones=[3],
))
lambda_lrs = lrs(lambda o: torch.optim.lr_scheduler.LambdaLR(o, lambda e: 0.95 ** e))
plateau_lrs = lrs(lambda o: torch.optim.lr_scheduler.ReduceLROnPlateau(o, factor=0.5,
                                                                       patience=1),
                  metric=[1.0, 0.9, 0.95, 0.96, 0.97, 0.8, 0.85, 0.86])
