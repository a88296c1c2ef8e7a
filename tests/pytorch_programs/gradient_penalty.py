# Gradients of gradients, as WGAN-GP's gradient penalty and a Hessian-vector product do
# it: torch.autograd.grad with create_graph=True, then backward through the gradient.
import torch

torch.manual_seed(0)

x = torch.randn(8, 3, requires_grad=True)
w = torch.randn(3, 4, requires_grad=True)
v = torch.randn(4, 1)


def critic(x):
    return torch.tanh(x @ w) @ v


out = critic(x)
grad_x, = torch.autograd.grad(outputs=out, inputs=x, grad_outputs=torch.ones_like(out),
                              create_graph=True, retain_graph=True)
grad_norm = grad_x.norm(2, dim=1)
penalty = ((grad_norm - 1) ** 2).mean()
penalty.backward()
print(f"penalty {penalty.item():.6f}")

# Hessian-vector product of f(w) = sum(sin(x @ w)) with a direction u
w2 = torch.randn(3, 4, requires_grad=True)
u = torch.randn(3, 4)
f = torch.sin(x.detach() @ w2).sum()
g, = torch.autograd.grad(f, w2, create_graph=True)
hvp, = torch.autograd.grad((g * u).sum(), w2)
print(hvp)

# The same second derivative through backward(create_graph=True)
s = torch.randn(5, requires_grad=True)
y3 = (s ** 3).sum()
y3.backward(create_graph=True)
first = s.grad.clone()
s.grad.sum().backward()
second = s.grad  # 3 s^2 + 6 s: the first gradient plus the second
