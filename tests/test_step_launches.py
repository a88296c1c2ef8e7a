"""How many kernels a training step launches on a device, counted on the ``fakegpu`` stand-in.

On a GPU a small batch's step costs what its launches cost the host (each is a few
microseconds of Python and CuPy, whatever the array's size), so the count is the small-
batch step time's budget. The stand-in counts each computation as one launch
(``backends.fake_gpu.launch_count``). The expected counts below are built launch by launch
from the design, for the benchmark's model (784-300-100-10, ReLU, softmax cross-entropy,
Adam): a fused op that falls apart, a kernel that becomes three xp calls again, or a copy
that creeps into the backward makes them fail.
"""

from __future__ import annotations

import numpy as np
import pytest

import autograd
import nn
import optim
from nn.training.step import Step, bind_optimizer

fake_gpu = pytest.importorskip("backends.fake_gpu")

DEVICE = "fakegpu"
# Forward: per Linear+ReLU pair the product and one bias+ReLU kernel; the last Linear's
# product and bias add.
FORWARD = 2 + 2 + 2
# Cross-entropy from logits with labels on the device: labels clipped and tested, the
# test or-ed into the device's error flags (one kernel; Backend.error_flags); row max,
# the row sums of exp(z - m) (one fused reduction), the sum of the loss at each label's
# column divided by N (one fused reduction).
LOSS = 1 + 3
# Backward: the cross-entropy's gradient (one kernel; the ones it starts from are made
# once and shared by every backward, Backend.shared_ones); the last Linear: dL/dx, dL/dW,
# dL/db; each pair: the ReLU mask (one kernel), dL/dx (not for the first layer, whose
# input needs none), dL/dW, dL/db. No copies: each gradient becomes .grad (written
# straight into the optimizer's flat gradient buffer where there is one).
BACKWARD = 1 + 3 + (1 + 3) + (1 + 2)
# Adam (PyTorch's rule, or Keras' in fit): one fused kernel for all six parameters, stored
# flat (optim._flat; from the first step on, which also builds the flat buffers).
ADAM = 1
# fit's bookkeeping: the running loss (total + loss n, one kernel in place); accuracy:
# argmax, then the hits added per batch position (one kernel, summed only when read).
FIT_METRICS = 1 + 2
# fit's model ends in Dense(10, softmax): the softmax itself (max, the sums of
# exp(z - m) in one reduction, exp(z - m) / s in one kernel).
SOFTMAX = 3
# Its loss takes the softmax's row maxima and sums (Softmax.stats): the labels as above,
# then only the summed loss at each label's column.
LOSS_AFTER_SOFTMAX = 1 + 1


def _data(batch=32):
    rng = np.random.default_rng(0)
    x = autograd.tensor(rng.standard_normal((batch, 784)).astype(np.float32), device=DEVICE)
    y = autograd.tensor(rng.integers(0, 10, batch), device=DEVICE)
    return x, y


def test_a_pytorch_style_step_launches_what_its_design_says():
    autograd.manual_seed(0)
    model = nn.Sequential(nn.Linear(784, 300), nn.ReLU(), nn.Linear(300, 100), nn.ReLU(),
                          nn.Linear(100, 10)).to(DEVICE)  # fmt: skip
    loss_fn = nn.CrossEntropyLoss()
    opt = optim.Adam(model.parameters(), lr=1e-3)
    x, y = _data()
    for _ in range(2):  # the first forward builds, the first step creates Adam's state
        opt.zero_grad()
        loss_fn(model(x), y).backward()
        opt.step()
    marks = [fake_gpu.launch_count()]
    opt.zero_grad()
    marks.append(fake_gpu.launch_count())
    out = model(x)
    marks.append(fake_gpu.launch_count())
    loss = loss_fn(out, y)
    marks.append(fake_gpu.launch_count())
    loss.backward()
    marks.append(fake_gpu.launch_count())
    opt.step()
    marks.append(fake_gpu.launch_count())
    counts = [b - a for a, b in zip(marks[:-1], marks[1:], strict=True)]
    assert counts == [0, FORWARD, LOSS, BACKWARD, ADAM]


def test_a_fit_step_launches_what_its_design_says():
    autograd.manual_seed(0)
    model = nn.Sequential([nn.layers.Dense(300, activation="relu", input_shape=(784,)),
                           nn.layers.Dense(100, activation="relu"),
                           nn.layers.Dense(10, activation="softmax")]).to(DEVICE)  # fmt: skip
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])  # fmt: skip
    x, y = _data()
    optimizer = bind_optimizer(model, model.optimizer, x)
    step = Step(model, nn.losses.get("sparse_categorical_crossentropy"), optimizer,
                [nn.metrics.SparseCategoricalAccuracy(name="accuracy")])  # fmt: skip
    model.train()
    step.train(x, y)
    start = fake_gpu.launch_count()
    step.train(x, y)
    assert fake_gpu.launch_count() - start == (FORWARD + SOFTMAX + LOSS_AFTER_SOFTMAX
                                                + BACKWARD + ADAM + FIT_METRICS)


def test_the_counter_counts_computations_and_not_views():
    a = autograd.tensor(np.ones((4, 3), np.float32), device=DEVICE).array
    index = fake_gpu.xp.asarray([0, 2])
    start = fake_gpu.launch_count()
    views = (a.reshape(3, 4), a.T, a[1:], a.astype(np.float32, copy=False),
             fake_gpu.xp.empty_like(a))  # fmt: skip
    assert fake_gpu.launch_count() == start and len(views) == 5
    _ = a + 1, a.sum(), a[index], a.astype(np.float64), a.copy(), fake_gpu.xp.zeros(3)
    assert fake_gpu.launch_count() == start + 6
