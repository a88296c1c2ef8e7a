"""``autograd.Generator`` (``torch.Generator``): its own seeded stream for the factories,
``random_split`` and ``DataLoader``, independent of ``autograd.manual_seed``; and the
DataLoader arguments PyTorch programs pass about worker processes."""

from __future__ import annotations

import numpy as np
import pytest
from _device import host

import autograd as ag
from nn.data import DataLoader, TensorDataset, random_split


def _draws(generator, device):
    return [host(ag.randn(4, generator=generator, device=device)),
            host(ag.rand(3, generator=generator, device=device)),
            host(ag.randint(0, 9, (5,), generator=generator, device=device)),
            host(ag.randperm(6, generator=generator, device=device))]  # fmt: skip


def test_a_seeded_generator_repeats_its_draws_and_leaves_the_global_stream_alone(device):
    ag.manual_seed(0)
    plain = host(ag.randn(3, device=device))
    ag.manual_seed(0)
    first = _draws(ag.Generator(device).manual_seed(5), device)
    after = host(ag.randn(3, device=device))  # the global stream did not move
    second = _draws(ag.Generator(device).manual_seed(5), device)
    for a, b in zip(first, second, strict=True):
        np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(after, plain)
    other = _draws(ag.Generator(device).manual_seed(6), device)
    assert not np.array_equal(first[0], other[0])


def test_generator_bookkeeping():
    g = ag.Generator()
    assert g.initial_seed() == 67280421310721  # PyTorch's default seed
    assert g.manual_seed(3) is g and g.initial_seed() == 3
    fresh = g.seed()
    assert g.initial_seed() == fresh and g.device == "cpu"


def test_a_generator_on_another_device_is_refused(device):
    if device == "cpu":
        pytest.skip("needs a device other than the CPU generator's")
    with pytest.raises(RuntimeError, match="the generator is on cpu"):
        ag.randn(3, device=device, generator=ag.Generator("cpu"))


def test_random_split_with_a_generator_is_reproducible():
    data = TensorDataset(np.arange(20.0).reshape(10, 2), np.arange(10))
    a = random_split(data, [0.7, 0.3], generator=ag.Generator().manual_seed(42))
    b = random_split(data, [7, 3], generator=ag.Generator().manual_seed(42))
    assert [list(s.indices) for s in a] == [list(s.indices) for s in b]
    assert sorted(np.concatenate([s.indices for s in a]).tolist()) == list(range(10))
    c = random_split(data, [7, 3], generator=ag.Generator().manual_seed(43))
    assert list(c[0].indices) != list(a[0].indices)
    with pytest.raises(TypeError, match="a generator or a seed"):
        random_split(data, [7, 3], generator=ag.Generator(), seed=1)


def test_dataloader_takes_pytorchs_worker_arguments_and_a_generator():
    data = TensorDataset(np.arange(10.0)[:, None], np.arange(10))

    def epochs(seed):
        loader = DataLoader(data, batch_size=4, shuffle=True, num_workers=4, pin_memory=True,
                            persistent_workers=True, generator=ag.Generator().manual_seed(seed))
        return [[host(y).tolist() for _, y in loader] for _ in range(2)]

    first = epochs(0)
    assert first == epochs(0) and first != epochs(1)
    assert first[0] != first[1]  # a new order each epoch
    assert sorted(sum(first[0], [])) == list(range(10))


@pytest.mark.parametrize("argument", ["sampler", "batch_sampler", "collate_fn"])
def test_dataloader_refuses_what_it_would_ignore_wrongly(argument):
    with pytest.raises(TypeError, match=f"{argument} must be"):
        DataLoader(TensorDataset(np.zeros((4, 1))), **{argument: object()})
    with pytest.raises(TypeError, match="unexpected keyword arguments"):
        DataLoader(TensorDataset(np.zeros((4, 1))), workers=2)
