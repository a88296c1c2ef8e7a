# PyTorch's "Saving and Loading Models" tutorial: the state_dict, saving and loading for
# inference (state_dict and the entire model), a general checkpoint for resuming
# training, several models in one file, warmstarting another model (strict=False), and
# loading across devices (map_location). The tutorial's TheModelClass is a small CNN;
# here it is an MLP of the same role (xpgrad builds MLPs), trained a few steps first so
# the optimizer has state to save.
import torch
import torch.nn as nn
import torch.nn.functional as F
import torch.optim as optim


# Define model
class TheModelClass(nn.Module):
    def __init__(self):
        super(TheModelClass, self).__init__()
        self.fc1 = nn.Linear(12, 16)
        self.fc2 = nn.Linear(16, 8)
        self.fc3 = nn.Linear(8, 3)

    def forward(self, x):
        x = F.relu(self.fc1(x))
        x = F.relu(self.fc2(x))
        x = self.fc3(x)
        return x


# Initialize model
model = TheModelClass()

# Initialize optimizer
optimizer = optim.SGD(model.parameters(), lr=0.001, momentum=0.9)

inputs = torch.randn(32, 12)
labels = torch.randint(0, 3, (32,))
criterion = nn.CrossEntropyLoss()
for step in range(5):
    optimizer.zero_grad()
    loss = criterion(model(inputs), labels)
    loss.backward()
    optimizer.step()

# Print model's state_dict
print("Model's state_dict:")
for param_tensor in model.state_dict():
    print(param_tensor, "\t", model.state_dict()[param_tensor].size())

# Print optimizer's state_dict
print("Optimizer's state_dict:")
for var_name in optimizer.state_dict():
    print(var_name, "\t", optimizer.state_dict()[var_name])

state_dict_keys = list(model.state_dict().keys())
optimizer_keys = list(optimizer.state_dict().keys())
param_groups_lr = optimizer.state_dict()["param_groups"][0]["lr"]

# Save/Load state_dict (Recommended)
PATH = "model_weights.pth"
torch.save(model.state_dict(), PATH)

model = TheModelClass()
model.load_state_dict(torch.load(PATH, weights_only=True))
model.eval()
outputs_after_state_dict = model(inputs)

# Save/Load Entire Model
PATH = "entire_model.pth"
torch.save(model, PATH)

# Model class must be defined somewhere
model = torch.load(PATH, weights_only=False)
model.eval()
outputs_after_entire_model = model(inputs)

# Saving & Loading a General Checkpoint for Inference and/or Resuming Training
EPOCH = 5
PATH = "model.pt"
LOSS = 0.4

torch.save({
            'epoch': EPOCH,
            'model_state_dict': model.state_dict(),
            'optimizer_state_dict': optimizer.state_dict(),
            'loss': LOSS,
            }, PATH)

model = TheModelClass()
optimizer = optim.SGD(model.parameters(), lr=0.001, momentum=0.9)

checkpoint = torch.load(PATH, weights_only=True)
model.load_state_dict(checkpoint['model_state_dict'])
optimizer.load_state_dict(checkpoint['optimizer_state_dict'])
epoch = checkpoint['epoch']
loss = checkpoint['loss']

model.train()
# resuming training: the momentum buffers came back with the optimizer's state
for step in range(3):
    optimizer.zero_grad()
    resumed_loss = criterion(model(inputs), labels)
    resumed_loss.backward()
    optimizer.step()
resumed_loss_value = resumed_loss.item()

# Saving Multiple Models in One File
modelA = TheModelClass()
modelB = TheModelClass()
optimizerA = optim.SGD(modelA.parameters(), lr=0.001, momentum=0.9)
optimizerB = optim.Adam(modelB.parameters(), lr=0.001)
PATH = "multiple.tar"
torch.save({
            'modelA_state_dict': modelA.state_dict(),
            'modelB_state_dict': modelB.state_dict(),
            'optimizerA_state_dict': optimizerA.state_dict(),
            'optimizerB_state_dict': optimizerB.state_dict(),
            }, PATH)

modelA = TheModelClass()
modelB = TheModelClass()
optimizerA = optim.SGD(modelA.parameters(), lr=0.001, momentum=0.9)
optimizerB = optim.Adam(modelB.parameters(), lr=0.001)

checkpoint = torch.load(PATH, weights_only=True)
modelA.load_state_dict(checkpoint['modelA_state_dict'])
modelB.load_state_dict(checkpoint['modelB_state_dict'])
optimizerA.load_state_dict(checkpoint['optimizerA_state_dict'])
optimizerB.load_state_dict(checkpoint['optimizerB_state_dict'])

modelA.eval()
modelB.eval()
outputs_A = modelA(inputs)
outputs_B = modelB(inputs)


# Warmstarting Model Using Parameters from a Different Model
class TheModelBClass(nn.Module):
    def __init__(self):
        super(TheModelBClass, self).__init__()
        self.fc1 = nn.Linear(12, 16)
        self.fc2 = nn.Linear(16, 8)
        self.head = nn.Linear(8, 5)

    def forward(self, x):
        return self.head(F.relu(self.fc2(F.relu(self.fc1(x)))))


PATH = "modelA.pth"
torch.save(modelA.state_dict(), PATH)

modelB = TheModelBClass()
incompatible = modelB.load_state_dict(torch.load(PATH, weights_only=True), strict=False)
missing_keys = sorted(incompatible.missing_keys)
unexpected_keys = sorted(incompatible.unexpected_keys)
print(missing_keys, unexpected_keys)
warm_fc1 = modelB.fc1.weight

# Saving & Loading Model Across Devices: save on GPU (or CPU), load on CPU
device = torch.device('cpu')
model = TheModelClass()
model.load_state_dict(torch.load("model_weights.pth", map_location=device, weights_only=True))
outputs_on_cpu = model(inputs)
